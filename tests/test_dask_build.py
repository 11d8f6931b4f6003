"""A build on a Dask cluster (a LocalCluster of 2 processes reached through its tcp:// address, as a
team's cluster would be) stores what a serial build stores, on SQLite and on PostgreSQL, down to the
events, comparisons and claims that use sentence vectors: the workers embed the sentences reconcile and
claims ask for, the same ones with the same bits, so the main process never loads the sentence model;
documents are written several per transaction, and a document that fails to store fails alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, select

from timeweave.build import build
from timeweave.store import open_store
from timeweave.store import schema as t

pytestmark = pytest.mark.slow

# Texts from other centuries and continents, none from the project's corpora.
TEXTS = {
    "lisbon.txt": "The Lisbon earthquake\n\nOn 1 November 1755 an earthquake destroyed most of Lisbon. The fires that "
                  "followed burned for five days. The Marquis of Pombal ordered the city to be rebuilt on a grid.\n\n"
                  "In 1758 the king survived an attack near Belem, and the Tavora family was accused of it.\n",
    "pombal.txt": "Letters from Portugal\n\nThe great earthquake struck Lisbon on the morning of 1 November 1755. "
                  "Pombal, the king's minister, had the dead buried and the city rebuilt.\n\n"
                  "The attack on the king in September 1758 was blamed on the Tavora family, who were executed in 1759.\n",
    "meiji.txt": "The Meiji restoration\n\nOn 3 January 1868 the shogunate was abolished in Kyoto. The Boshin War "
                 "began later that month at Toba-Fushimi, and the last shogun surrendered Edo in May 1868.\n",
    "boshin.txt": "The Boshin War\n\nFighting broke out near Kyoto on 27 January 1868. The imperial army defeated the "
                  "shogun's troops at Toba-Fushimi, and Edo surrendered in May 1868. The war ended in June 1869 at "
                  "Hakodate.\n",
    "strike.txt": "The dock strike\n\nOn 14 August 1889 the dock workers of London went on strike for sixpence an hour. "
                  "Cardinal Manning negotiated with the employers, and the strike ended on 14 September 1889.\n",
}

DOCUMENT_TABLES = {  # table -> columns that name a run, a time or the settings (write_batch_size differs); file_stat:
    # the file's times, recorded only when the build began 3 s or more after the file was written (ingest/unchanged.py)
    t.sources: {"run_id", "updated_at", "pipeline", "file_stat"}, t.texts: set(), t.passages: set(), t.timexes: set(), t.mentions: set(),
    t.event_mentions: set(),
}
# What the corpus stages make of them, with the vectors they asked for (reconcile's scores, claims' placing).
CORPUS_TABLES = (t.embeddings, t.entities, t.events, t.event_participants, t.comparisons, t.comparison_statements,
                 t.claims)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("dask") / "archive"
    root.mkdir()
    for name, text in TEXTS.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def scheduler():
    """A LocalCluster of 2 worker processes, reached only through its tcp:// address."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def serial(tmp_path_factory, folder):
    db = tmp_path_factory.mktemp("serial") / "serial.db"
    report = build([folder], db=db)
    assert report.failed == [] and len(report.read) == len(TEXTS)
    return open_store(db, create=False)


def rows(engine, table, leave_out=()) -> list[tuple]:
    columns = [c for c in table.c if c.name not in leave_out]
    with engine.connect() as conn:
        return sorted(tuple(map(repr, r)) for r in conn.execute(select(*columns)))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_dask_build_stores_what_a_serial_build_stores(backend, request, tmp_path, folder, scheduler, serial, monkeypatch):
    if backend == "postgresql":
        from conftest import empty_postgres

        db = empty_postgres(request.getfixturevalue("postgres_url"))
    else:
        db = tmp_path / "dask.db"

    def no_model_here():
        raise AssertionError("the main process loaded the sentence model: the workers should embed every sentence")

    monkeypatch.setattr("timeweave.embeddings.load_model", no_model_here)
    report = build([folder], db=db, scheduler=scheduler, config={"write_batch_size": 3})
    assert report.failed == [] and report.stage_failures == [] and len(report.read) == len(TEXTS)
    parallel = open_store(db, create=False)
    for table, leave_out in DOCUMENT_TABLES.items():  # the same rows with the same ids, written in the same order
        assert rows(parallel, table, leave_out) == rows(serial, table, leave_out), table.name
    for table in CORPUS_TABLES:  # the same vectors, bit for bit, hence the same scores, events and claims
        assert rows(parallel, table) == rows(serial, table), table.name
    with parallel.connect() as conn:
        assert conn.execute(select(t.embeddings.c.key)).first() is not None
        assert conn.execute(select(t.comparisons.c.id)).first() is not None
        assert conn.execute(select(t.claims.c.id)).first() is not None


def test_documents_are_written_several_per_transaction_and_a_bad_one_fails_alone(tmp_path, folder, monkeypatch):
    import timeweave.store.writer as writer

    real = writer.write_document

    def fails_on_meiji(conn, document, **kw):
        if document.path.endswith("meiji.txt"):
            raise ValueError("a storage error in this document")
        return real(conn, document, **kw)

    monkeypatch.setattr(writer, "write_document", fails_on_meiji)
    inserts, clears = [], []

    def count(conn, cursor, statement, params, context, many):
        if statement.startswith("INSERT INTO mentions"):
            inserts.append(statement)
        if statement.startswith("DELETE FROM texts"):  # clearing a stored copy: a new source has none
            clears.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        report = build([folder], db=tmp_path / "s.db", config={"write_batch_size": 16, "embeddings": False})
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    engine = open_store(tmp_path / "s.db", create=False)
    assert [f.path for f in report.failed] == ["archive/meiji.txt"] and "storing it failed" in report.failed[0].reason
    assert sorted(report.read) == sorted(f"archive/{name}" for name in TEXTS if name != "meiji.txt")
    stored = rows(engine, t.sources)
    assert len(stored) == len(TEXTS) - 1
    with engine.connect() as conn:
        mentions = conn.execute(select(t.mentions.c.id)).all()
    # one INSERT (an executemany) per document, not one per mention: the batch tried once, then 4 alone
    assert 0 < len(inserts) <= 2 * len(TEXTS) < len(mentions)
    assert clears == []


def test_the_main_process_of_a_dask_build_never_imports_spacy_and_gets_the_workers_cpu(tmp_path, folder, scheduler):
    """The workers annotate and say which pipeline does, so the main process, which writes, loads neither spaCy nor
    torch (about 2 CPU-s and 280 MB); the workers' CPU accounts come back. In a fresh interpreter: this one has
    spaCy from other tests."""
    script = (
        "import json, sys\n"
        "from timeweave import work\n"
        "from timeweave.build import build\n"
        f"report = build([{str(folder)!r}], db={str(tmp_path / 's.db')!r}, scheduler={scheduler!r})\n"
        "print(json.dumps({'read': len(report.read), 'failed': len(report.failed), 'spacy': 'spacy' in sys.modules,"
        " 'torch': 'torch' in sys.modules, 'accounts': work.last_accounts}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["read"] == len(TEXTS) and result["failed"] == 0
    assert result["spacy"] is False and result["torch"] is False
    assert len(result["accounts"]) == 2 and sum(a.get("annotating", 0) for a in result["accounts"]) > 0
    assert sum(a.get("embedding", 0) for a in result["accounts"]) > 0  # the corpus stages' vectors, on the workers


def test_a_local_cluster_forks_its_workers_from_one_import_and_stores_what_a_serial_build_stores(tmp_path, folder, serial):
    """`--workers 2`: the workers are forked from a server process that imported torch, spaCy and the model's
    modules (timeweave.bert; not transformers) once (each spawned worker imported them itself: ~6 CPU-s apiece), so they have them
    before their first task; the main process imports none of them (nor pandas, which Dask's own forkserver
    preload would import here); the rows and vectors are the serial build's. In a fresh interpreter."""
    script = (
        "import json, sys\n"
        "from timeweave import work\n"
        "from timeweave.build import build\n"
        "def preloaded():\n"
        "    import sys, torch\n"  # one torch thread: the forkserver's environment, not Dask's nanny's, reaches them
        "    return all(m in sys.modules for m in ('torch', 'spacy', 'timeweave.bert', 'tokenizers'))"
        " and 'transformers' not in sys.modules and torch.get_num_threads() == 1\n"
        "with work.dask_client(2) as client:\n"
        "    before = list(client.run(preloaded).values())\n"
        f"report = build([{str(folder)!r}], db={str(tmp_path / 'w.db')!r}, workers=2)\n"
        "print(json.dumps({'read': len(report.read), 'failed': len(report.failed), 'preloaded': before,"
        " 'here': [m for m in ('spacy', 'torch', 'transformers', 'pandas') if m in sys.modules]}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["read"] == len(TEXTS) and result["failed"] == 0
    assert result["preloaded"] == [True, True] and result["here"] == []
    parallel = open_store(tmp_path / "w.db", create=False)
    for table, leave_out in DOCUMENT_TABLES.items():
        assert rows(parallel, table, leave_out) == rows(serial, table, leave_out), table.name
    for table in CORPUS_TABLES:
        assert rows(parallel, table) == rows(serial, table), table.name


def test_workers_that_cannot_load_the_pipeline_stop_the_build_before_any_document(tmp_path, folder, scheduler):
    from timeweave.errors import ConfigError

    with pytest.raises(ConfigError, match="Dask workers of tcp://.*could not load the annotate pipeline 'no_such_model'"):
        build([folder], db=tmp_path / "s.db", scheduler=scheduler, config={"spacy_model": "no_such_model"})


def test_the_forkserver_starts_before_dask_with_the_workers_environment():
    """`build(workers=2)` starts the forkserver first (`forkserver.start`): it imports the workers' modules while
    this process opens the store and imports and starts Dask, and, started before any nanny, it gets the
    environment the nanny would give a worker (one OpenMP thread). In a fresh interpreter."""
    script = (
        "import json, os, sys\n"
        "from multiprocessing import forkserver as server\n"
        "from timeweave import forkserver\n"
        "os.environ.pop('OMP_NUM_THREADS', None)\n"
        "started = forkserver.start(False)\n"
        "pid = server._forkserver._forkserver_pid\n"
        "import time\n"  # /proc/PID/environ is the parent's start-up environment until the child has exec'd
        "while b'forkserver' not in open(f'/proc/{pid}/cmdline', 'rb').read():\n"
        "    time.sleep(0.01)\n"
        "env = dict(e.split('=', 1) for e in open(f'/proc/{pid}/environ').read().split('\\0') if '=' in e)\n"
        "print(json.dumps({'started': started, 'alive': os.waitpid(pid, os.WNOHANG)[0] == 0,"
        " 'omp': env.get('OMP_NUM_THREADS'), 'dask': 'distributed' in sys.modules}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"started": True, "alive": True, "omp": "1", "dask": False}


def test_batches_shrink_towards_the_end_so_the_workers_finish_together():
    from timeweave.work import shrinking

    tasks = list(range(64))
    sizes = [len(b) for b in shrinking(tasks, 16, 2)]
    assert [t for b in shrinking(tasks, 16, 2) for t in b] == tasks  # in order, each once
    assert sizes[0] == 16 and max(sizes) <= 16 and sizes[-4:] == [1, 1, 1, 1]
    left = len(tasks)
    for size in sizes:  # never more than a quarter of what is left (2 workers): no long last batch
        assert size <= -(-left // 4)
        left -= size
    assert [len(b) for b in shrinking(list(range(3)), 16, 2)] == [1, 1, 1]
    assert list(shrinking([], 16, 2)) == []


def test_every_worker_builds_its_pipeline_before_the_first_document():
    """The pipeline's versions are asked of every worker at once, so each has its pipeline before its first batch
    (asked of one, the other built its own inside its first batch)."""
    from dask.distributed import Client, LocalCluster

    from timeweave import config as settings
    from timeweave.build import _versions_on_workers

    def built() -> int:
        from timeweave.annotate.pipeline import load_nlp

        return load_nlp.cache_info().currsize

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        info = _versions_on_workers(client, settings.resolve(None), None)
        assert info["pipeline"] and list(client.run(built).values()) == [1, 1]
