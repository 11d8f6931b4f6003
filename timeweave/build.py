"""`build`: files → a store. Ingest and annotate each document, then link and reconcile the corpus.

Documents are written a few per transaction (`write_batch_size`; a failing one is retried alone) and
skipped on the next build when neither their bytes nor the pipeline that read them changed, so an
interrupted build resumes where it stopped.
The corpus-level stages (cross-document copies, `link`, `reconcile`, claims, curation, the search
index; `timeweave/corpus.py`) run at the end of every build, in one transaction each, over what changed since they last
completed (`store/changes.py`: sources added, re-stored or removed); they recompute everything on
the first build, with `full=True` (`timeweave build --full`), after a stage failed, and when the
settings, versions, knowledge or `aliases.csv` files they depend on changed.

A source is known by its key: its path relative to the folder given to build, prefixed by that
folder's name (`khalkhin-gol/notes.txt`), whatever the working directory or spelling of the folder
(`../khalkhin-gol`); its sha256 says whether it changed. Nothing a single document does can stop the
build: an exception while reading, annotating or storing it becomes a failure row (T0xx) with the
reason, and the build goes on; a corpus stage that fails is rolled back, recorded (T024), and the
build finishes with what it has. A run killed outright stays "running" until the next build, which
marks it "interrupted" when the process that started it is gone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, update

import timeweave
from timeweave import config as settings
from timeweave.corpus import corpus_stages
from timeweave.errors import IngestError
from timeweave.ingest.errors import ALIASES_ROW, INTERNAL, NOT_ENGLISH
from timeweave.ingest.files import display_path
from timeweave.ingest.language import NAMES, reads_as_english
from timeweave.ingest.stored import adopt_old_paths as _adopt_old_paths
from timeweave.ingest.stored import removed_sources as _removed_sources
from timeweave.ingest.unchanged import Hashes
from timeweave.runs import counts, mark_stale_runs, start_run  # noqa: F401 (mark_stale_runs: callers import it from here too)
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.writer import delete_source, now, write_documents

log = logging.getLogger(__name__)

# Exit codes of `timeweave build` (documented in docs/cli.md).
EXIT_OK = 0  # every document was stored or skipped as unchanged (unknown file types may be skipped)
EXIT_FAILURES = 1  # a document failed or was stored with a warning (T014-T016); all recorded, the rest stored
EXIT_ERROR = 2  # the build could not run (bad settings, unusable store)


@dataclass
class Failure:
    path: str
    code: str
    reason: str
    hint: str


@dataclass
class BuildReport:
    run_id: int
    read: list[str] = field(default_factory=list)  # stored in this run: new + changed
    new: list[str] = field(default_factory=list)  # not in the store before
    changed: list[str] = field(default_factory=list)  # in the store, with other bytes or another pipeline
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pruned: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    stage_failures: list[str] = field(default_factory=list)  # corpus stages that failed and were rolled back
    corpus: str = ""  # how the corpus stages ran: "full (why)", "incremental (counts)" or "unchanged"
    stage_seconds: dict[str, float] = field(default_factory=dict)  # corpus stage name -> seconds it took
    stage_cpu_seconds: dict[str, float] = field(default_factory=dict)  # corpus stage name -> CPU seconds of this process
    # The parts of the build around the corpus stages -> (wall, CPU) seconds: what a build costs besides
    # its documents' annotation and the stages, read by bench/incremental.py (it must not grow with the store).
    phase_seconds: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILURES if self.failed else EXIT_OK


Progress = Callable[[str, int, int], None]  # (path, done, total)


@contextmanager
def timed_phase(report: Any, name: str) -> Iterator[None]:
    """Add the wall and CPU seconds of the block to `report.phase_seconds[name]` (when it has one)."""
    began, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        phases = getattr(report, "phase_seconds", None)
        if phases is not None:
            wall0, cpu0 = phases.get(name, (0.0, 0.0))
            phases[name] = (round(wall0 + time.perf_counter() - began, 4), round(cpu0 + time.process_time() - cpu, 4))


def versions(nlp: Any | None = None) -> dict[str, Any]:
    """What produced a build's facts: versions of timeweave, its stages and the model."""
    import spacy

    info: dict[str, Any] = {
        "timeweave": timeweave.__version__,
        "python": platform.python_version(),
        "spacy": spacy.__version__,
    }
    if nlp is not None:
        info["model"] = f"{nlp.meta.get('name')}-{nlp.meta.get('version')}"
        info["pipeline"] = list(nlp.pipe_names)
    info["components"] = annotate_components()
    return info


def annotate_components() -> list[str]:
    """The recorded versions of the document-level readers (`timeweave.events.v3`, ...).

    The spaCy factory names stay `*_v1` (they are entry points), so a reader whose output changed
    bumps its COMPONENT; putting them in the pipeline fingerprint re-annotates stores made by the
    older reading instead of keeping its documents as "unchanged"."""
    from timeweave.annotate.entities.component import COMPONENT as entities
    from timeweave.annotate.events.component import COMPONENT as events
    from timeweave.annotate.timex import COMPONENT as timex

    return [timex, entities, events]


# Settings that say how documents are batched, not what is read from them: changing one re-reads nothing.
NOT_IN_FINGERPRINT = frozenset({"nlp_batch_size", "write_batch_size"})


def fingerprint(info: dict[str, Any], config: dict[str, Any]) -> str:
    """What produced a document's rows: versions and the settings that change them (not batch sizes)."""
    reading = {k: v for k, v in config.items() if k not in NOT_IN_FINGERPRINT}
    blob = json.dumps({"versions": {k: v for k, v in info.items() if k != "python"}, "config": reading}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def build(
    paths: Sequence[str | Path],
    *,
    db: str | Path,
    config: dict[str, Any] | None = None,
    prune: bool = False,
    progress: Progress | None = None,
    command: str | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    full: bool = False,
) -> BuildReport:
    """Build (or update) the store at `db` from documents and folders in `paths`.

    `workers > 1` annotates documents in parallel on a local Dask cluster; `scheduler` names a
    running Dask scheduler instead. The store is written by this process either way. The corpus
    stages revisit only what changed since their last run unless `full` asks them to recompute all
    (the result is the same; `full` is for a store edited by hand or a doubt).
    """
    began, began_cpu = time.perf_counter(), time.process_time()
    resolved = settings.resolve(config)
    if workers > 1 and not scheduler:  # the local workers' imports begin now, beside this process's own
        from timeweave import forkserver

        _refuse_unguarded(forkserver.unguarded_call(), workers)
        forkserver.start(resolved.get("embeddings", True))
    from contextlib import nullcontext

    from timeweave import knowledge
    from timeweave.embeddings import served_by
    from timeweave.ingest.catalog import load_catalog  # ~0.5-1.5 s of imports (sqlalchemy, metadata readers)
    from timeweave.ingest.discover import discover
    from timeweave.work import WorkerEncoder, dask_client

    known = knowledge.use(resolved["knowledge"])  # before any annotating or linking in this process
    engine = open_store(db)
    # On Dask the workers annotate, so they say which pipeline does: this process never imports spaCy.
    # The cluster stays open through the corpus stages: its workers embed what reconcile and claims ask for.
    with dask_client(workers, scheduler, embeddings=resolved.get("embeddings", True)) if workers > 1 or scheduler else nullcontext() as client:
        if client is None:
            from timeweave.annotate.pipeline import load_nlp

            info = versions(load_nlp(resolved["spacy_model"]))
        else:
            info = _versions_on_workers(client, resolved, scheduler)
        info["knowledge"] = known.digest  # edited knowledge files re-annotate, like a new model
        pipeline = fingerprint(info, resolved)
        run_id = start_run(engine, info, resolved, command)
        report = BuildReport(run_id=run_id)
        report.phase_seconds["start (settings, store, cluster, versions, run row)"] = (
            round(time.perf_counter() - began, 4), round(time.process_time() - began_cpu, 4))
        try:
            with timed_phase(report, "discovery and catalog"):
                found = discover(paths, follow_outside_links=resolved["follow_outside_links"])
                catalog = load_catalog(found.files, roots=found.roots, listings=found.listings)  # not listed again
                report.skipped = [(s.shown or display_path(s.path), s.reason) for s in found.skipped]
                for error in found.failures:
                    _record_failure(engine, run_id, report, error)
                for error in catalog.problems:  # the catalog logged each when it found it
                    _record_failure(engine, run_id, report, error, logged=True)
                _adopt_old_paths(engine, found)
            _ingest_all(engine, found, catalog, resolved, pipeline, run_id, report, progress, client, full=full)
            with served_by(WorkerEncoder(client)) if client is not None else nullcontext():
                _corpus(engine, paths, found, resolved, pipeline, run_id, report, prune=prune, full=full)
        except BaseException:
            _finish_run(engine, run_id, "failed", report)
            raise
    try:
        with timed_phase(report, "counts and the run row"):
            report.counts = counts(engine)
            _finish_run(engine, run_id, "failed" if report.stage_failures else "ok", report)
    except BaseException:
        _finish_run(engine, run_id, "failed", report)
        raise
    return report


def _refuse_unguarded(where: tuple[str, int] | None, workers: int) -> None:
    """Stop a `build(workers=N)` that a script runs outside `if __name__ == "__main__":` before anything starts
    (`forkserver.unguarded_call`): its local workers would each run the script, and the build, again."""
    if where is not None:
        from timeweave.errors import ConfigError

        path, line = where
        raise ConfigError(
            f"{path}, line {line}: build(workers={workers}) runs at the top level of the script, outside "
            "`if __name__ == \"__main__\":`. Each local Dask worker imports the script to get its code and would "
            "start the build again (multiprocessing's 'bootstrapping phase' error, then Dask's 'Nanny failed to "
            "start'). Put the call under `if __name__ == \"__main__\":`, or build with workers=1, or use "
            "`timeweave build --workers N`.")


def _corpus(engine, paths, found, resolved, pipeline, run_id, report, *, prune: bool, full: bool) -> None:
    """Removed sources (deleted with `prune`), then the corpus stages over what changed."""
    with timed_phase(report, "removed sources"):
        report.removed = _removed_sources(engine, paths, found)
        if prune and report.removed:
            with engine.begin() as conn:
                for source_id, _path in report.removed:
                    delete_source(conn, source_id)
            report.pruned = True
        report.removed = [path for _id, path in report.removed]
    for error in corpus_stages(engine, resolved, report=report, aliases=found.aliases, shown_as=found.keys,
                               pipeline=pipeline, full=full):
        _record_failure(engine, run_id, report, error)


def _versions_on_workers(client, resolved: dict[str, Any], scheduler: str | None) -> dict[str, Any]:
    """`versions` of the pipeline the Dask workers annotate with; a worker that cannot build it stops the build
    here, before any document, with what to do (instead of every document failing on its worker).

    Every worker builds its pipeline now, all at once (asked of one, the others built theirs in their first
    batch, ~0.6 CPU-s each, while the cluster's start had left a core idle); the first answer is recorded."""
    from timeweave.errors import ConfigError
    from timeweave.work import pipeline_versions

    try:
        addresses = list(client.scheduler_info().get("workers", {})) or [None]
        answers = client.gather([client.submit(pipeline_versions, resolved, pure=False, allow_other_workers=True,
                                               workers=None if address is None else [address])
                                 for address in addresses])
    except Exception as error:
        where = f"the Dask workers of {scheduler}" if scheduler else "the local Dask workers"
        raise ConfigError(
            f"{where} could not load the annotate pipeline {resolved['spacy_model']!r} "
            f"({type(error).__name__}: {str(error)[:300]}). Install timeweave and its model where they run "
            "(`make install`, or pip install -e . and requirements/model.txt), or build without --workers/--scheduler."
        ) from error
    return answers[0]


def _ingest_all(engine, found, catalog, resolved, pipeline, run_id, report, progress, client, full=False) -> None:
    with timed_phase(report, "unchanged files (hash, compare)"):
        hashes = Hashes.load(engine, found, rehash=full)  # a file whose stat did not move is not read (ingest/unchanged.py)
        tasks, known = _to_read(engine, found, resolved, pipeline, run_id, report, hashes)
    with timed_phase(report, "read, annotate, write"):
        _read_all(engine, tasks, known, catalog, resolved, pipeline, run_id, report, progress, client)
    with timed_phase(report, "unchanged files (hash, compare)"):
        hashes.remember(engine)  # the stats of the files hashed now, on the sources stored with that sha256


def _to_read(engine, found, resolved, pipeline, run_id, report, hashes):
    """The files whose bytes or pipeline differ from their stored copy (Tasks), and the stored paths."""
    from timeweave.work import Task

    known = hashes.known
    max_bytes = int(resolved["max_file_mb"] * 2**20)
    tasks = []
    for path, shown in zip(found.files, found.file_keys()):  # the keys kept by discovery, in order
        try:
            digest = hashes.digest(path, shown, max_bytes)
        except IngestError as error:  # a pipe, a device, too large, vanished: checked before a byte is read
            _record_failure(engine, run_id, report, error)
            continue
        previous = known.get(shown)
        if previous is not None and previous.sha256 == digest and previous.pipeline == pipeline:
            report.unchanged.append(shown)
        else:
            tasks.append(Task(path, shown))
    return tasks, known


def _read_all(engine, tasks, known, catalog, resolved, pipeline, run_id, report, progress, client) -> None:
    from timeweave.work import groups, run_on_dask, run_serial

    is_new = {task.shown: task.shown not in known for task in tasks}
    if client is not None:
        outcomes = run_on_dask(tasks, catalog, resolved, client=client)
    else:
        outcomes = run_serial(tasks, catalog, resolved)
    done = 0
    for group in groups(outcomes, resolved["write_batch_size"]):  # one store transaction per group
        errors = _store(engine, [o for o in group if o.error is None], run_id, pipeline)
        for outcome in group:
            done += 1
            if progress:
                progress(outcome.shown, done, len(tasks))
            if outcome.error is not None:
                _record_failure(engine, run_id, report, outcome.error)
                continue
            error = errors.get(outcome.shown)
            if error is not None:  # its transaction rolled back: this document is not half-stored
                log.error("storing %s failed: %s: %s", outcome.shown, type(error).__name__, error)
                _record_failure(engine, run_id, report, IngestError(
                    INTERNAL, outcome.shown, f"storing it failed with an unexpected error ({type(error).__name__}: "
                    f"{str(error)[:200]}); nothing of it was stored",
                    "Report it with the file if you can share it; the other documents were built."))
                continue
            report.read.append(outcome.shown)
            (report.new if is_new.get(outcome.shown, True) else report.changed).append(outcome.shown)
            for warning in getattr(outcome.document, "warnings", None) or []:
                _record_failure(engine, run_id, report, warning)
            if not reads_as_english(outcome.document.meta.language):
                _record_failure(engine, run_id, report, _not_english(outcome.shown, outcome.document))


def _store(engine: Engine, outcomes, run_id: int, pipeline: str) -> dict[str, Exception]:
    """Write annotated documents, several per transaction (`write_documents`); the errors by document."""
    return write_documents(engine, outcomes, run_id=run_id, pipeline=pipeline)


def _not_english(shown: str, document) -> IngestError:
    meta = document.meta
    name = NAMES.get(meta.language or "", meta.language)
    return IngestError(
        NOT_ENGLISH, shown,
        f"it is written in {name} ({meta.language}: {meta.language_reason}); timeweave's annotators read English, "
        "so its text is stored, searchable and shown, but no dates, entities or events were taken from it",
        "Add an English translation beside it to annotate it, or set \"language\": \"en\" in its sources.json "
        "record if the detection is wrong.")


def _finish_run(engine: Engine, run_id: int, status: str, report: BuildReport) -> None:
    summary = {
        "read": len(report.read), "new": len(report.new), "changed": len(report.changed),
        "unchanged": len(report.unchanged), "skipped": len(report.skipped),
        "failed": len(report.failed), "removed": len(report.removed), **report.counts,
    }
    with engine.begin() as conn:
        conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(finished_at=now(), status=status, counts=summary))


def _record_failure(engine: Engine, run_id: int, report: BuildReport, error: IngestError, *, logged: bool = False) -> None:
    """A failure row and the report's entry; logged as a warning unless whoever found it did (`logged`)."""
    failure = Failure(path=error.path, code=error.code, reason=error.reason, hint=error.hint)
    report.failed.append(failure)
    if not logged:
        log.warning("%s", error)
    with engine.begin() as conn:
        conn.execute(insert(t.failures).values(run_id=run_id, created_at=now(), **failure.__dict__))
