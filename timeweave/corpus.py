"""The corpus-level stages of a build: copies across documents, link, reconcile, claims, curate, index.

`build` stores documents one by one; what depends on the whole corpus is brought up to date here, after
them, with the `Changes` since the stages' last complete run (`store/changes.py`), so that adding one
source revisits what it touches. A curation recompute calls `corpus_stages` without a pipeline, which
recomputes everything.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from timeweave import collector
from timeweave.errors import IngestError
from timeweave.ingest.errors import CORPUS_STAGE

if TYPE_CHECKING:
    from timeweave.build import BuildReport
    from timeweave.store.changes import Changes

log = logging.getLogger(__name__)


def corpus_stages(engine: Engine, config: dict[str, Any], *, report: BuildReport | None = None,
                  aliases: Sequence[Path] = (), shown_as: dict[Path, str] | None = None,
                  pipeline: str | None = None, full: bool = False, changes: Changes | None = None) -> list[IngestError]:
    """Bring up to date what depends on the whole corpus: copies across documents, entities, events.

    With `pipeline` (the build's fingerprint) the stages get the `Changes` since their last complete
    run and revisit only what those touch, or skip when nothing changed; without it every stage
    recomputes everything, unless the caller gives its own `changes` (a curation undo: the sources
    whose rows the taken-back correction edited, `curate/record.py`). Each stage runs in its own transaction; one that
    raises is rolled back (its tables keep what the previous build wrote), reported as T024, the
    stages after it still run, and the next build recomputes them all. Returns the problems: failed
    stages and malformed rows of `aliases.csv` files (T023).
    """
    from timeweave.curate import apply as apply_curation
    from timeweave.ingest.aliases import check_aliases
    from timeweave.link import link_entities
    from timeweave.reconcile import reconcile
    from timeweave.claims import claims
    from timeweave.store import changes as since
    from timeweave.store.copies import mark_cross_document_duplicates
    from timeweave.store.search import reindex

    from timeweave.build import timed_phase

    with timed_phase(report, "corpus stages: what changed (authority files, since the last run)"):
        authority = authority_files(engine, aliases)
        problems: list[IngestError] = list(check_aliases(authority, shown=dict(shown_as or {})))
        stamp = corpus_fingerprint(pipeline, authority) if pipeline else None
        if changes is None:
            changes = since.since_last_run(engine, stamp, full=full) if stamp else since.Changes.everything()
    how = "full" if changes.full else "unchanged" if changes.nothing else \
        f"incremental ({len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed)"
    if report is not None:
        report.corpus = how
    if changes.nothing:
        log.info("corpus stages: no source changed since their last run; their rows are kept")
        return problems
    log.info("corpus stages: %s", how)
    # Each stage revisits only what `changes` touch, and adds what it changed for the stages after it.
    stages = (
        ("copies across documents", lambda: mark_cross_document_duplicates(engine, config, changes=changes)),
        ("link (entities and aliases)", lambda: link_entities(engine, authority=authority, changes=changes)),
        ("reconcile (events and comparisons)", lambda: reconcile(engine, config=config, changes=changes)),
        ("claims (what the sources claim, aligned across voices)", lambda: claims(engine, config=config, changes=changes)),
        ("curate (the historian's corrections, docs/curate.md)", lambda: apply_curation(engine, changes=changes)),
        ("search index", lambda: reindex(engine, changes=changes)),
    )
    failed = False
    for name, stage in stages:
        began, began_cpu = time.perf_counter(), time.process_time()
        try:
            with collector.older_objects_frozen():
                stage()
        except Exception as error:
            failed = True
            log.exception("corpus stage %s failed", name)
            if report is not None:
                report.stage_failures.append(name)
            problems.append(IngestError(
                CORPUS_STAGE, f"(corpus stage: {name})",
                f"it failed with {type(error).__name__}: {str(error)[:300]}; it was rolled back, so its tables keep "
                "what the previous build wrote and the documents of this build are stored",
                "Report it (the log has the details); the next build recomputes this stage."))
        finally:
            if report is not None:
                report.stage_seconds[name] = round(time.perf_counter() - began, 3)
                if getattr(report, "stage_cpu_seconds", None) is not None:
                    report.stage_cpu_seconds[name] = round(time.process_time() - began_cpu, 3)
    with timed_phase(report, "corpus stages: marking them done"):
        if stamp and not failed:
            since.mark_done(engine, stamp, changes, run_id=getattr(report, "run_id", None))
        elif stamp:
            since.forget(engine)
    return problems


def corpus_fingerprint(pipeline: str, authority: Sequence[Path]) -> str:
    """What the corpus stages depend on besides the documents: the build's fingerprint (versions,
    settings, knowledge) and the bytes of the `aliases.csv` authority files."""
    digest = hashlib.sha256(pipeline.encode())
    contents = []
    for path in authority:  # by content only: the same files seen from another working directory are the same
        try:
            contents.append(hashlib.sha256(path.read_bytes()).hexdigest())
        except OSError:
            contents.append("(unreadable)")
    digest.update(" ".join(sorted(contents)).encode())
    return digest.hexdigest()[:32]


def authority_files(engine: Engine, found: Sequence[Path] = ()) -> list[Path]:
    """The `aliases.csv` files of a corpus (found by discovery, or beside stored paths that are files here)."""
    with engine.connect() as conn:  # folders as strings first (a Path per stored source cost 2 ms per 255), by plain SQL,
        rows = conn.exec_driver_sql("SELECT path FROM sources").fetchall()  # fetched at once (row by row: 1/3 of this)
    # each path cut after its last "/" (a string method, not os.path.dirname per source: half of this at 1,600),
    # then each distinct folder as os.path.dirname has it (dirname of "a/b/" is dirname of "a/b/c.txt")
    folders = {os.path.dirname(cut) for cut in {path[:path.rfind("/") + 1] for (path,) in rows}}
    candidates = {Path(folder) / "aliases.csv" for folder in folders} | set(found)
    return sorted(p for p in candidates if p.is_file())
