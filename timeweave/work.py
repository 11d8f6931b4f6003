"""The unit of work of a build: read and annotate one document, serially or on Dask workers.

`process` returns plain data (the Document, its `Annotations`, the text view) or the IngestError,
so it can run in another process and send its result back; only the main process writes to the
store, one document per transaction, in the order results arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from timeweave.annotate.view import TextView
from timeweave.errors import IngestError
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


def process(task: Task, catalog: Any, config: dict[str, Any]) -> Outcome:
    """Read and annotate one file; an unreadable file comes back as an error, never raises."""
    from timeweave.annotate import run
    from timeweave.annotate.pipeline import load_nlp
    from timeweave.ingest.read import read_document

    try:
        document = read_document(
            task.path,
            display_path=task.shown,
            catalog=catalog,
            max_bytes=int(config["max_file_mb"] * 2**20),
            min_duplicate_chars=config["min_duplicate_chars"],
            near_duplicate_threshold=config["near_duplicate_threshold"],
        )
        annotations, view = run.annotate_document(load_nlp(config["spacy_model"]), document)
        return Outcome(task.path, task.shown, document, annotations, view)
    except IngestError as error:
        return Outcome(task.path, task.shown, error=error)
    except OSError as error:  # vanished or unreadable between discovery and reading
        return Outcome(task.path, task.shown, error=IngestError(
            UNREADABLE, task.shown, f"could not be read ({error.strerror or error})",
            "Check that the file exists and is readable, then build again."))


def run_serial(tasks: Sequence[Task], catalog: Any, config: dict[str, Any]) -> Iterator[Outcome]:
    for task in tasks:
        yield process(task, catalog, config)


def run_on_dask(tasks: Sequence[Task], catalog: Any, config: dict[str, Any], *, workers: int,
                scheduler: str | None = None) -> Iterator[Outcome]:
    """Spread the documents over Dask workers: a local cluster of `workers` processes, or the
    distributed scheduler at `scheduler` (tcp://host:port) for a team's cluster.

    Each worker loads the spaCy pipeline once (it is cached per process) and works on whole
    documents, so the ~3 ms per-task overhead is negligible next to annotation.
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
        futures = client.map(process, list(tasks), catalog=catalog, config=config, pure=False)
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
