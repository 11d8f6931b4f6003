"""The unit of work of a build: read and annotate documents, in batches, serially or on Dask workers.

`process` returns plain data (the Document, its `Annotations`, the text view) or the IngestError,
so it can run in another process and send its result back; only the main process writes to the
store (`timeweave.store.writer.write_documents`: `write_batch_size` documents per transaction, in the
order results arrive). `process_batch` does the same for `nlp_batch_size` documents at once,
annotating them with one `nlp.pipe` call; when anything in the batch raises, it falls back to
`process` one document at a time, so a bad document fails alone.

On Dask (`run_on_dask`) the workers annotate; at most a few batches per worker are in flight or
waiting for the single writer, however many documents the build has. The cluster then stays open
through the corpus stages, and the workers embed what reconcile and claims ask for (`WorkerEncoder`):
the sentences a serial build embeds, no more (embedding every evidence sentence at annotation time
cost 55 CPU-s at 400 documents against the 29 the stages need).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from timeweave import forkserver
from timeweave.annotate.view import TextView
from timeweave.errors import IngestError
from timeweave.ingest import errors as codes
from timeweave.ingest.errors import UNREADABLE
from timeweave.ingest.types import Document

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    path: Path
    shown: str
    document: Document | None = None
    annotations: Any = None
    view: TextView | None = None
    error: IngestError | None = None


@dataclass
class Task:
    path: Path
    shown: str


@dataclass(slots=True)
class Found:
    """What the annotate stage found in a document, as it travels from a worker to the writer.

    The same three lists as `timeweave.annotate.run.Annotations`, but defined here: unpickling an
    `Annotations` imports its module, hence spaCy and torch (about 2 CPU-s and 280 MB), in the main
    process of a Dask build, which annotates nothing."""

    timexes: list
    entity_mentions: list
    event_mentions: list


def _plain(annotations: Any) -> Found | None:
    return None if annotations is None else Found(list(annotations.timexes), list(annotations.entity_mentions),
                                                   list(annotations.event_mentions))


# CPU seconds this process spent in each phase of the build's work (`cpu_account`): on a Dask worker,
# what `run_on_dask` collects and logs at its end, so a bench can say where a parallel build's CPU went.
spent: dict[str, float] = {}
_first_work_cpu: list[float] = []  # the process's CPU when it began its first work for a build: its start-up


@contextmanager
def spending(phase: str) -> Iterator[None]:
    began = time.process_time()
    try:
        yield
    finally:
        spent[phase] = spent.get(phase, 0.0) + time.process_time() - began


def _started() -> None:
    if not _first_work_cpu:
        _first_work_cpu.append(time.process_time())


def cpu_account() -> dict[str, Any]:
    """This process's CPU seconds (all its threads): in total, before its first batch (interpreter, imports,
    Dask's start), and in each phase (`spent`); the rest of a worker's is Dask's (transfers, pickling, heartbeats)."""
    total = time.process_time()
    before = _first_work_cpu[0] if _first_work_cpu else total
    account = {"pid": os.getpid(), "total": round(total, 2), "start-up (before its first work)": round(before, 2)}
    account.update({phase: round(s, 2) for phase, s in sorted(spent.items())})
    account["other (Dask: transfers, (un)pickling, heartbeats)"] = round(total - before - sum(spent.values()), 2)
    return account


def read(task: Task, catalog: Any, config: dict[str, Any]) -> Outcome:
    """Read one file (no annotation yet); an unreadable file comes back as an error, never raises."""
    from timeweave.ingest.limits import read_options, time_limit
    from timeweave.ingest.read import read_document

    try:
        with time_limit(config, task.shown, what="reading it"):
            document = read_document(task.path, display_path=task.shown, catalog=catalog, **read_options(config))
        return Outcome(task.path, task.shown, document)
    except IngestError as error:
        return Outcome(task.path, task.shown, error=error)
    except OSError as error:  # vanished or unreadable between discovery and reading
        return Outcome(task.path, task.shown, error=IngestError(
            UNREADABLE, task.shown, f"could not be read ({error.strerror or error})",
            "Check that the file exists and is readable, then build again."))
    except Exception as error:  # a reader's bug (pypdf, lxml, ...) must cost this document, not the build
        log.exception("reading %s failed", task.shown)
        return Outcome(task.path, task.shown, error=IngestError(
            codes.INTERNAL, task.shown, f"reading it failed with an unexpected error ({type(error).__name__}: {error})",
            "Report it with the file if you can share it; the other documents were built."))


def process(task: Task, catalog: Any, config: dict[str, Any]) -> Outcome:
    """Read and annotate one file; an unreadable file comes back as an error, never raises."""
    from timeweave import knowledge
    from timeweave.annotate import run
    from timeweave.annotate.pipeline import load_nlp
    from timeweave.ingest.limits import deadline, time_limit

    with spending("reading"):
        outcome = read(task, catalog, config)
    if outcome.error is not None:
        return outcome
    try:
        knowledge.use(config.get("knowledge"))  # this process may be a Dask worker: the build's knowledge
        with spending("loading spaCy (once per process)"):
            nlp = load_nlp(config["spacy_model"])
        with spending("annotating"), time_limit(config, task.shown, what="annotating it"):
            outcome.annotations, outcome.view = run.annotate_document(
                nlp, outcome.document, chunk_chars=config.get("annotate_chunk_chars"), deadline=deadline(config))
    except IngestError as error:
        return Outcome(task.path, task.shown, error=error)
    except Exception as error:  # a bug in a stage must cost this document, not the build
        log.exception("annotating %s failed", task.shown)
        return Outcome(task.path, task.shown, error=IngestError(
            codes.INTERNAL, task.shown, f"annotating it failed with an unexpected error ({type(error).__name__}: {error})",
            "Report it with the file if you can share it; the other documents were built."))
    return outcome


def process_batch(tasks: Sequence[Task], catalog: Any, config: dict[str, Any]) -> list[Outcome]:
    """Read the files, then annotate the readable ones with one `nlp.pipe` call (batch size
    `nlp_batch_size`); if that raises, annotate them one by one so only the bad document fails.
    The annotations come back as `Found` (plain data whose class does not import spaCy)."""
    _started()
    outcomes = _annotate_batch(tasks, catalog, config)
    for outcome in outcomes:
        outcome.annotations = _plain(outcome.annotations)
    return outcomes


def _annotate_batch(tasks: Sequence[Task], catalog: Any, config: dict[str, Any]) -> list[Outcome]:
    from timeweave import knowledge
    from timeweave.ingest.limits import time_limit

    with spending("loading spaCy (once per process)"):  # imports spaCy and torch the first time
        from timeweave.annotate import run
        from timeweave.annotate.pipeline import load_nlp

    with spending("reading"):
        outcomes = [read(task, catalog, config) for task in tasks]
    readable = [o for o in outcomes if o.error is None]
    long = {id(o) for o in readable if len(o.document.text) > int(config.get("annotate_chunk_chars") or 0) > 0}
    if long:  # a long text is annotated alone, in chunks, with its own time limit
        outcomes = [process(Task(o.path, o.shown), catalog, config) if id(o) in long else o for o in outcomes]
        readable = [o for o in readable if id(o) not in long]
    if not readable:
        return outcomes
    try:
        knowledge.use(config.get("knowledge"))  # this process may be a Dask worker: the build's knowledge
        with spending("loading spaCy (once per process)"):
            nlp = load_nlp(config["spacy_model"])
        with spending("annotating"), time_limit(config, f"a batch of {len(readable)} documents", documents=len(readable)):
            results = run.annotate_documents(nlp, [o.document for o in readable], batch_size=config["nlp_batch_size"])
    except Exception as error:
        log.warning("a batch of %d documents raised %s: annotating them one at a time", len(readable),
                    type(error).__name__)
        batched = {id(o) for o in readable}  # a long text annotated alone above is not annotated again
        return [process(Task(o.path, o.shown), catalog, config) if id(o) in batched else o for o in outcomes]
    for outcome, (annotations, view) in zip(readable, results):
        outcome.annotations, outcome.view = annotations, view
    return outcomes


def batches(tasks: Sequence[Task], size: int) -> list[list[Task]]:
    """`tasks` in consecutive slices of `size` (at least 1)."""
    size = max(1, int(size))
    return [list(tasks[n:n + size]) for n in range(0, len(tasks), size)]


def shrinking(tasks: Sequence[Task], size: int, slots: int) -> Iterator[list[Task]]:
    """`tasks` in slices of at most `size` and of 1/(2 x `slots`) of the tasks left, so the workers finish together
    (fixed batches: 64 documents, 2 workers, 4.4 against 2.5 CPU-s of annotating each). Batching changes no row."""
    at, size, share = 0, max(1, int(size)), 2 * max(1, int(slots))
    while at < len(tasks):
        n = max(1, min(size, -(-(len(tasks) - at) // share)))
        yield list(tasks[at:at + n])
        at += n


def run_serial(tasks: Sequence[Task], catalog: Any, config: dict[str, Any]) -> Iterator[Outcome]:
    for batch in batches(tasks, config["nlp_batch_size"]):
        yield from process_batch(batch, catalog, config)


def groups(outcomes: Iterable[Outcome], size: int) -> Iterator[list[Outcome]]:
    """`outcomes` in lists of up to `size` as they arrive: the documents one store transaction writes."""
    it = iter(outcomes)
    while chunk := list(islice(it, max(1, int(size)))):
        yield chunk


@contextmanager
def dask_client(workers: int, scheduler: str | None = None, *, embeddings: bool = True) -> Iterator[Any]:
    """A Dask client for a build: of a local cluster of `workers` processes, or of the distributed
    scheduler at `scheduler` (tcp://host:port) for a team's cluster. Opened before the build starts
    its run, so the workers, which annotate, also say which pipeline does (`pipeline_versions`) and
    the main process never imports spaCy; closed after the corpus stages, whose sentences the workers
    embed (`WorkerEncoder`). A local cluster's workers are forked from a server process that imported
    their modules once (`forkserver.settings`; `embeddings` adds the sentence model's). At the end, each worker's
    CPU account (`cpu_account`) is logged and kept in `last_accounts`: where a parallel build's CPU went."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        import dask

        # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536: glibc then hands freed memory back at
        # once, and torch's many short-lived tensors map it again; sentence embedding took 1.32x the CPU
        # (9.97 s against 7.56 s for 600 sentences, 3x the system time). A team's cluster sets its own.
        with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                              **forkserver.settings(embeddings)}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,  # ":0": its HTTP
                                   dashboard_address=":0", silence_logs=logging.WARNING)  # server on a free port
        client = Client(cluster)
    try:
        yield client
        try:
            last_accounts[:] = list(client.run(cpu_account).values())
            for account in last_accounts:
                log.info("Dask worker CPU seconds: %s", account)
        except Exception as error:  # noqa: BLE001 - an account is for benches; a worker gone must not fail the build
            log.info("no CPU account from the Dask workers (%s: %s)", type(error).__name__, error)
    finally:  # the documents are stored by now: a cluster that shuts down badly must not fail the build
        warming.clear()
        for closing in (client.close, *([cluster.close] if cluster is not None else [])):
            try:
                closing()
            except Exception as error:  # noqa: BLE001
                log.warning("closing the Dask %s failed (%s: %s)", "client" if closing == client.close else "cluster",
                            type(error).__name__, error)


last_accounts: list[dict[str, Any]] = []  # the workers' `cpu_account` at the end of the last `dask_client`


def pipeline_versions(config: dict[str, Any]) -> dict[str, Any]:
    """`timeweave.build.versions` of the pipeline this process annotates with (run on a Dask worker)."""
    from timeweave import knowledge
    from timeweave.annotate.pipeline import load_nlp
    from timeweave.build import versions

    _started()
    knowledge.use(config.get("knowledge"))  # before the pipeline is built, as a batch does
    with spending("loading spaCy (once per process)"):
        nlp = load_nlp(config["spacy_model"])
    return versions(nlp)


def run_on_dask(tasks: Sequence[Task], catalog: Any, config: dict[str, Any], *, client: Any) -> Iterator[Outcome]:
    """Spread the documents over the Dask workers of `client` (`dask_client`).

    Each worker loads the spaCy pipeline once per process, and works on batches of whole documents
    (`nlp_batch_size`, smaller towards the end: `shrinking`), so the ~3 ms per-task overhead is
    negligible next to annotation. The catalog is sent to each worker once. Results are yielded in the
    order of `tasks`, so the store gets the same rows and ids as a serial build's; at most four
    batches per worker are submitted and not yet yielded, so the main process, which writes the
    store, never holds more than that many unwritten results, however many documents the build has
    (a slow batch holds the ones after it back, and new ones wait). A batch whose worker died comes
    back as failures of its documents (T-code INTERNAL), the others are built. When the last batch is
    done and the `embeddings` setting is on, the workers are asked to load the sentence model
    (`warm_up`) while the main process writes the last documents and runs copies and link. (Asked
    earlier, even at a lower priority, a worker free for a moment between two batches - Dask queues
    them on the scheduler - could take the ~6 CPU-s load first and hold the next batch back.)
    """
    from dask.distributed import as_completed

    slots = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()))
    shared = client.scatter(catalog, broadcast=True) if tasks else catalog
    todo = enumerate(shrinking(tasks, config["nlp_batch_size"], slots))
    pending: dict[Any, tuple[int, list[Task]]] = {}
    arrived: dict[int, list[Outcome]] = {}  # results that wait for an earlier batch (bounded: see below)
    running = as_completed()

    def top_up() -> None:
        """Two batches per worker in flight, four per worker at most in flight or waiting to be yielded."""
        while len(pending) < 2 * slots and len(pending) + len(arrived) < 4 * slots:
            n, batch = next(todo, (None, None))
            if batch is None:
                submitted.append(True)
                return
            future = client.submit(process_batch, batch, shared, config, pure=False)
            pending[future.key] = (n, batch)
            running.add(future)

    submitted: list[bool] = []  # not empty once every batch is submitted
    top_up()
    following = 0
    for future in running:
        n, batch = pending.pop(future.key)
        if submitted and not pending and config.get("embeddings", True) and not warming:
            warm_up(client)  # the last batch is done: the workers are free
        try:
            arrived[n] = future.result()
        except Exception as error:  # a worker died (memory, a crash in a C extension): these documents fail
            log.error("a batch of %d documents was lost with its worker: %s", len(batch), error)
            arrived[n] = [Outcome(task.path, task.shown, error=IngestError(
                codes.INTERNAL, task.shown, f"the worker annotating it failed ({type(error).__name__}: {str(error)[:200]})",
                "Build again (unchanged documents are skipped); if it fails again, build it alone to see why."))
                for task in batch]
        future.release()
        while following in arrived:  # in the order of the tasks, as a serial build writes them
            yield from arrived.pop(following)
            following += 1
        top_up()


# Sentence embedding on the workers, for the corpus stages of a Dask build.
warming: list[Any] = []  # futures of `load_sentence_model` (kept so Dask runs them; cleared by `dask_client`)


def load_sentence_model() -> None:
    """Load the sentence model in this worker (once per process), counted in its account."""
    from timeweave.embeddings import load_model

    _started()
    if not spent.get("loading the sentence model"):
        with spending("loading the sentence model"):
            load_model()


def warm_up(client: Any) -> None:
    """Have each worker load the sentence model now (it annotated its last batch): the load (~4.5-6 CPU-s)
    then overlaps the main process's writing, copies and link, instead of delaying reconcile's first vectors."""
    addresses = list(client.scheduler_info().get("workers", {}))
    warming[:] = [client.submit(load_sentence_model, workers=[address], allow_other_workers=False, pure=False)
                  for address in addresses]


def encode_pass(texts: list[str]) -> Any:
    """`embeddings.encode` of one forward pass, on a worker (loading the model the first time)."""
    from timeweave.embeddings import encode

    load_sentence_model()
    with spending("embedding"):
        return encode(texts)


class WorkerEncoder:
    """The Dask workers as `embeddings`' service (`served_by`): the texts `encode` is asked for, split into the
    forward passes one call would make (`embeddings.passes`), one task per pass, so the vectors are the
    bits a serial build gets. The passes carry no worker restriction: Dask's queue hands them to whichever
    worker is free (restricted, they all went to the worker that finished loading the model first). If the
    cluster fails, it logs why and returns None: this process then embeds (and imports torch)."""

    def __init__(self, client: Any):
        self.client = client

    def __call__(self, texts: list[str], batch_size: int) -> Any:
        import numpy as np

        from timeweave.embeddings import DIM, passes

        parts = passes(texts, batch_size)
        try:
            futures = self.client.map(encode_pass, [[texts[i] for i in part] for part in parts], pure=False)
            vectors = self.client.gather(futures)
        except Exception as error:  # noqa: BLE001 - the build goes on: this process embeds
            log.warning("embedding %d sentences on the Dask workers failed (%s: %s); embedding them here",
                        len(texts), type(error).__name__, error)
            return None
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for part, rows in zip(parts, vectors):
            out[part] = rows
        return out
