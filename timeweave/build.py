"""`build`: files → a store. Ingest and annotate each document, then link and reconcile the corpus.

Each document is written in its own transaction and skipped on the next build when neither its
bytes nor the pipeline that read it changed, so an interrupted build resumes where it stopped.
The corpus-level stages (cross-document copies, `link`, `reconcile`) are recomputed from the
stored documents at the end of every build, in one transaction each.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

import timeweave
from timeweave import config as settings
from timeweave.errors import IngestError
from timeweave.ingest.errors import NOT_ENGLISH, UNREADABLE
from timeweave.ingest.language import NAMES, reads_as_english
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.writer import delete_source, now, write_document

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
    read: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pruned: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILURES if self.failed else EXIT_OK


Progress = Callable[[str, int, int], None]  # (path, done, total)


def display_path(path: Path) -> str:
    """The path as a user would recognise it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


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
    return info


def fingerprint(info: dict[str, Any], config: dict[str, Any]) -> str:
    blob = json.dumps({"versions": {k: v for k, v in info.items() if k != "python"}, "config": config}, sort_keys=True)
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
) -> BuildReport:
    """Build (or update) the store at `db` from documents and folders in `paths`.

    `workers > 1` annotates documents in parallel on a local Dask cluster; `scheduler` names a
    running Dask scheduler instead. The store is written by this process either way.
    """
    from timeweave.annotate.pipeline import load_nlp
    from timeweave.ingest.catalog import load_catalog
    from timeweave.ingest.discover import discover

    resolved = settings.resolve(config)
    engine = open_store(db)
    nlp = load_nlp(resolved["spacy_model"])
    info = versions(nlp)
    pipeline = fingerprint(info, resolved)
    run_id = _start_run(engine, info, resolved, command)
    report = BuildReport(run_id=run_id)
    try:
        found = discover(paths)
        catalog = load_catalog(found.files)
        report.skipped = [(display_path(s.path), s.reason) for s in found.skipped]
        for error in [*found.failures, *catalog.problems]:
            _record_failure(engine, run_id, report, error)
        _ingest_all(engine, found.files, catalog, resolved, pipeline, run_id, report, progress, workers, scheduler)
        report.removed = _removed_sources(engine, paths, found.files)
        if prune and report.removed:
            with engine.begin() as conn:
                for source_id, _path in report.removed:
                    delete_source(conn, source_id)
            report.pruned = True
        report.removed = [path for _id, path in report.removed]
        corpus_stages(engine, resolved)
        report.counts = counts(engine)
        _finish_run(engine, run_id, "ok", report)
    except BaseException:
        _finish_run(engine, run_id, "failed", report)
        raise
    return report


def _ingest_all(engine, files, catalog, resolved, pipeline, run_id, report, progress, workers, scheduler) -> None:
    from timeweave.work import Task, run_on_dask, run_serial

    with engine.connect() as conn:
        known = {row.path: row for row in conn.execute(select(t.sources.c.path, t.sources.c.sha256, t.sources.c.pipeline))}
    tasks = []
    for path in files:
        shown = display_path(path)
        try:
            digest = _sha256(path)
        except OSError as error:
            _record_failure(engine, run_id, report, IngestError(
                UNREADABLE, shown, f"could not be read ({error.strerror or error})",
                "Check that the file exists and is readable, then build again."))
            continue
        previous = known.get(shown)
        if previous is not None and previous.sha256 == digest and previous.pipeline == pipeline:
            report.unchanged.append(shown)
        else:
            tasks.append(Task(path, shown))
    if workers > 1 or scheduler:
        outcomes = run_on_dask(tasks, catalog, resolved, workers=workers, scheduler=scheduler)
    else:
        outcomes = run_serial(tasks, catalog, resolved)
    for done, outcome in enumerate(outcomes, 1):
        if progress:
            progress(outcome.shown, done, len(tasks))
        if outcome.error is not None:
            _record_failure(engine, run_id, report, outcome.error)
            continue
        document = outcome.document
        document.meta.id = _unique_id(engine, document.meta.id, outcome.shown)
        with engine.begin() as conn:
            write_document(conn, document, run_id=run_id, pipeline=pipeline, annotations=outcome.annotations, view=outcome.view)
        report.read.append(outcome.shown)
        log.info("stored %s as %s", outcome.shown, document.meta.id)
        if not reads_as_english(document.meta.language):
            _record_failure(engine, run_id, report, _not_english(outcome.shown, document))


def _not_english(shown: str, document) -> IngestError:
    meta = document.meta
    name = NAMES.get(meta.language or "", meta.language)
    return IngestError(
        NOT_ENGLISH, shown,
        f"it is written in {name} ({meta.language}: {meta.language_reason}); timeweave's annotators read English, "
        "so its text is stored, searchable and shown, but no dates, entities or events were taken from it",
        "Add an English translation beside it to annotate it, or set \"language\": \"en\" in its sources.json "
        "record if the detection is wrong.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unique_id(engine: Engine, wanted: str, path: str) -> str:
    """Source ids are stable per path: reuse this path's id, else the first free `wanted[-N]`."""
    wanted = re.sub(r"[^A-Za-z0-9._-]+", "-", wanted).strip("-") or "source"
    with engine.connect() as conn:
        same_path = conn.execute(select(t.sources.c.id).where(t.sources.c.path == path)).scalar()
        if same_path:
            return same_path
        taken = {row[0] for row in conn.execute(select(t.sources.c.id).where(t.sources.c.id.like(f"{wanted}%")))}
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    return candidate


def _removed_sources(engine: Engine, paths: Sequence[str | Path], files: list[Path]) -> list[tuple[str, str]]:
    """Stored sources under the given roots whose files are gone."""
    roots = [display_path(Path(p)) for p in paths]
    present = {display_path(f) for f in files}
    with engine.connect() as conn:
        rows = conn.execute(select(t.sources.c.id, t.sources.c.path)).all()
    gone = []
    for row in rows:
        under = any(row.path == root or row.path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)
        if under and row.path not in present and not Path(row.path).exists():
            gone.append((row.id, row.path))
    return gone


def corpus_stages(engine: Engine, config: dict[str, Any]) -> None:
    """Recompute what depends on the whole corpus: copies across documents, entities, events."""
    from timeweave.link import link_entities
    from timeweave.reconcile import reconcile
    from timeweave.store.copies import mark_cross_document_duplicates
    from timeweave.store.search import reindex

    mark_cross_document_duplicates(engine, config)
    link_entities(engine, authority=authority_files(engine))
    reconcile(engine, config=config)
    reindex(engine)


def authority_files(engine: Engine) -> list[Path]:
    """The `aliases.csv` files beside the stored documents: a corpus's own naming decisions."""
    with engine.connect() as conn:
        folders = {Path(row.path).parent for row in conn.execute(select(t.sources.c.path))}
    return sorted(p for p in (folder / "aliases.csv" for folder in folders) if p.is_file())


def counts(engine: Engine) -> dict[str, int]:
    tables = {
        "sources": t.sources, "passages": t.passages, "timexes": t.timexes, "mentions": t.mentions,
        "entities": t.entities, "event_mentions": t.event_mentions, "events": t.events,
        "comparisons": t.comparisons, "failures": t.failures,
    }
    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar_one() for name, table in tables.items()}


def _start_run(engine: Engine, info: dict, config: dict, command: str | None) -> int:
    with engine.begin() as conn:
        conn.execute(update(t.runs).where(t.runs.c.status == "running").values(status="interrupted"))
        result = conn.execute(
            insert(t.runs).values(started_at=now(), status="running", command=command, versions=info, config=config)
        )
        return result.inserted_primary_key[0]


def _finish_run(engine: Engine, run_id: int, status: str, report: BuildReport) -> None:
    summary = {
        "read": len(report.read), "unchanged": len(report.unchanged), "skipped": len(report.skipped),
        "failed": len(report.failed), "removed": len(report.removed), **report.counts,
    }
    with engine.begin() as conn:
        conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(finished_at=now(), status=status, counts=summary))


def _record_failure(engine: Engine, run_id: int, report: BuildReport, error: IngestError) -> None:
    failure = Failure(path=error.path, code=error.code, reason=error.reason, hint=error.hint)
    report.failed.append(failure)
    log.warning("%s", error)
    with engine.begin() as conn:
        conn.execute(insert(t.failures).values(run_id=run_id, created_at=now(), **failure.__dict__))
