"""The unit of work of a build: read and annotate documents, in batches, serially or on Dask workers.

`process` returns plain data (the Document, its `Annotations`, the text view) or the IngestError,
so it can run in another process and send its result back; only the main process writes to the
store, one document per transaction, in the order results arrive. `process_batch` does the same
for `nlp_batch_size` documents at once, annotating them with one `nlp.pipe` call; when anything in
the batch raises, it falls back to `process` one document at a time, so a bad document fails alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

    outcome = read(task, catalog, config)
    if outcome.error is not None:
        return outcome
    try:
        knowledge.use(config.get("knowledge"))  # this process may be a Dask worker: the build's knowledge
        with time_limit(config, task.shown, what="annotating it"):
            outcome.annotations, outcome.view = run.annotate_document(
                load_nlp(config["spacy_model"]), outcome.document,
                chunk_chars=config.get("annotate_chunk_chars"), deadline=deadline(config))
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
    `nlp_batch_size`); if that raises, annotate them one by one so only the bad document fails."""
    from timeweave import knowledge
    from timeweave.annotate import run
    from timeweave.annotate.pipeline import load_nlp
    from timeweave.ingest.limits import time_limit

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
        with time_limit(config, f"a batch of {len(readable)} documents", documents=len(readable)):
            results = run.annotate_documents(load_nlp(config["spacy_model"]), [o.document for o in readable],
                                             batch_size=config["nlp_batch_size"])
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


def run_serial(tasks: Sequence[Task], catalog: Any, config: dict[str, Any]) -> Iterator[Outcome]:
    for batch in batches(tasks, config["nlp_batch_size"]):
        yield from process_batch(batch, catalog, config)


def run_on_dask(tasks: Sequence[Task], catalog: Any, config: dict[str, Any], *, workers: int,
                scheduler: str | None = None) -> Iterator[Outcome]:
    """Spread the documents over Dask workers: a local cluster of `workers` processes, or the
    distributed scheduler at `scheduler` (tcp://host:port) for a team's cluster.

    Each worker loads the spaCy pipeline once (it is cached per process) and works on batches of
    whole documents (`nlp_batch_size`, smaller when there are too few documents to keep every worker
    busy), so the ~3 ms per-task overhead is negligible next to annotation.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.WARNING)
        client = Client(cluster)
    try:
        size = min(config["nlp_batch_size"], -(-len(tasks) // max(1, workers)))
        futures = client.map(process_batch, batches(tasks, size), catalog=catalog, config=config, pure=False)
        for future in as_completed(futures):
            yield from future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
