"""What a build changed since the corpus stages last ran, handed from stage to stage.

The corpus-level stages (copies, link, reconcile, claims, curate, search index) used to be
recomputed over the whole store on every build. A historian adds one source at a time, so each
stage takes a `Changes` and revisits only what the new, changed or removed sources touch; `full`
asks for the old recompute (first build, `timeweave build --full`, a changed setting or pipeline).
Every stage must give the same rows either way: tests/test_incremental.py compares an incremental
store with a full one built from the same files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine, bindparam, delete, select, text

from timeweave.store import schema as t

log = logging.getLogger(__name__)
FINGERPRINT = "corpus_stages.fingerprint"  # corpus_state key: what the stages depended on at their last complete run
# corpus_state key: a run id such that every source stored by a run up to it is in `corpus_sources` (`mark_done`)
MARKED_THROUGH = "corpus_stages.marked_through"


@dataclass
class Changes:
    """Source ids stored, re-stored or deleted in this build, and what the stages found they touched.

    `added`, `changed` and `removed` are filled by the build before the corpus stages run; a stage
    adds what it changed for the stages after it (`entities`: ids of entities created, removed or
    whose mentions or aliases changed, filled by link; `events`: ids of events created, removed or
    changed, filled by reconcile; `copies`: ids of sources whose passages' copy marks the copies stage
    set, moved or cleared, so that a later stage reading voices need not compare every copied passage).
    """

    added: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    full: bool = False
    entities: set[int] = field(default_factory=set)
    events: set[int] = field(default_factory=set)
    copies: set[str] = field(default_factory=set)

    @property
    def sources(self) -> frozenset[str]:
        """Every source whose rows differ from the last run of the corpus stages."""
        return self.added | self.changed | self.removed

    @property
    def nothing(self) -> bool:
        """True when no source changed and no full recompute was asked: the stages can keep their rows."""
        return not self.full and not self.sources

    @classmethod
    def everything(cls) -> "Changes":
        """A full recompute (the behaviour of every stage before incremental builds)."""
        return cls(full=True)


def since_last_run(engine: Engine, fingerprint: str, *, full: bool = False) -> Changes:
    """The sources added, re-stored or removed since the corpus stages last completed, read from the store.

    Read from the store rather than from one build's report, so documents stored by a build that was
    killed before its corpus stages ran are still counted. `full` is set when asked, on the first
    run, and when `fingerprint` (settings, versions, knowledge and authority files the stages depend
    on) differs from the one recorded by the last complete run (`mark_done`).

    Only the sources stored by runs after the one `mark_done` recorded (and any without a run) are read:
    a source is stored (new or again) with the id of the run storing it, and every source of an earlier
    run was marked. Removals are counted, not looked for: the marks number the marked sources still
    stored plus the removed ones, so the marks' rows are read only when a source is gone (a store edited by
    hand may break this: `timeweave build --full`).
    """
    with engine.connect() as conn:
        recorded, through = (conn.execute(_RECORDED, {"key": key}).scalar() for key in (FINGERPRINT, MARKED_THROUGH))
        # No run after the marked one: none is building, or a run id was given again (SQLite gives max + 1, so a
        # deleted newest run's id comes back): then every source is compared (three joins, no row in Python).
        if through is None or (conn.exec_driver_sql(_NEWEST_RUN).scalar() or 0) <= int(through):
            added, changed, removed = ([row[0] for row in conn.exec_driver_sql(query)] for query in _SINCE)
        else:
            added, changed, removed = _since_run(conn, int(through))
    why = "asked (--full)" if full else "first run of the corpus stages" if recorded is None else \
        "settings, versions or knowledge changed" if recorded != fingerprint else None
    if why:
        log.info("corpus stages: full recompute (%s)", why)
    return Changes(added=frozenset(added), changed=frozenset(changed), removed=frozenset(removed), full=why is not None)


def _since_run(conn, through: int) -> tuple[list[str], list[str], list[str]]:
    """(added, changed, removed) when every source of a run up to `through` is marked (`since_last_run`)."""
    added, changed, marked_later = [], [], 0
    for source_id, run_id, sha256, pipeline, version in conn.execute(_LATER, {"through": through}):
        if version is None:
            added.append(source_id)
        else:
            marked_later += 1
            if version != _version(run_id, sha256, pipeline):
                changed.append(source_id)
    marks, earlier = conn.execute(_COUNTS, {"through": through}).one()
    removed = [row[0] for row in conn.exec_driver_sql(_SINCE[2])] if marks != earlier + marked_later else []
    return added, changed, removed


# Plain SQL: a build opens a new engine, and compiling these Core joins again was half of their cost on each add.
# The version is `_version` computed by the database (SQLite and PostgreSQL both concatenate with ||).
_SINCE = (
    "SELECT s.id FROM sources s LEFT OUTER JOIN corpus_sources c ON c.source_id = s.id WHERE c.source_id IS NULL",
    "SELECT s.id FROM sources s JOIN corpus_sources c ON c.source_id = s.id "
    "WHERE c.version != coalesce(CAST(s.run_id AS VARCHAR), 'None') || ':' || s.sha256 || ':' || s.pipeline",
    "SELECT c.source_id FROM corpus_sources c LEFT OUTER JOIN sources s ON c.source_id = s.id WHERE s.id IS NULL",
)
_LATER = text("SELECT s.id, s.run_id, s.sha256, s.pipeline, c.version FROM sources s "
              "LEFT OUTER JOIN corpus_sources c ON c.source_id = s.id WHERE s.run_id > :through OR s.run_id IS NULL")
_COUNTS = text("SELECT (SELECT count(*) FROM corpus_sources), (SELECT count(*) FROM sources WHERE run_id <= :through)")
_RECORDED = text('SELECT value FROM corpus_state WHERE "key" = :key')
_NEWEST_RUN = "SELECT max(id) FROM runs"


def mark_done(engine: Engine, fingerprint: str, changes: Changes, *, run_id: int | None = None) -> None:
    """Record that the corpus stages completed over the sources now stored, with this fingerprint.

    With `run_id` (the build's run) it also records the run through which every stored source is now
    marked, for `since_last_run` to read only later ones: this run, or just before the earliest other run
    still running (a build beside this one may store sources after this one read what changed)."""
    with engine.begin() as conn:
        if changes.full:
            conn.execute(delete(t.corpus_sources))
            wanted = changes.sources | {r.id for r in conn.execute(select(t.sources.c.id))}
        else:
            wanted = changes.sources
        wanted = sorted(wanted)
        for n in range(0, len(wanted), 500):  # the rows of the sources this run saw change, read by key
            chunk = {"ids": wanted[n:n + 500]}
            conn.execute(_UNMARK, chunk)
            rows = [{"source_id": source_id, "version": _version(run, sha256, pipeline)}
                    for source_id, run, sha256, pipeline in conn.execute(_VERSIONS, chunk)]
            if rows:
                conn.execute(_MARK, rows)
        _set(conn, FINGERPRINT, fingerprint)
        if run_id is None:
            conn.execute(_UNSET, {"key": MARKED_THROUGH})
        else:
            others = conn.execute(_OTHERS_RUNNING, {"run": run_id}).scalar()
            _set(conn, MARKED_THROUGH, str(run_id if others is None else min(run_id, others - 1)))


# Plain SQL (an add marks a source or two, and each build's new engine compiled the Core statements again).
_UNMARK = text("DELETE FROM corpus_sources WHERE source_id IN :ids").bindparams(bindparam("ids", expanding=True))
_VERSIONS = text("SELECT id, run_id, sha256, pipeline FROM sources WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True))
_MARK = text("INSERT INTO corpus_sources (source_id, version) VALUES (:source_id, :version)")
_OTHERS_RUNNING = text("SELECT min(id) FROM runs WHERE status = 'running' AND id <> :run")
_UPDATE = text('UPDATE corpus_state SET value = :value WHERE "key" = :key')
_INSERT = text('INSERT INTO corpus_state ("key", value) VALUES (:key, :value)')
_UNSET = text('DELETE FROM corpus_state WHERE "key" = :key')


def forget(engine: Engine) -> None:
    """Drop the recorded fingerprint (a stage failed): the next build recomputes every stage."""
    with engine.begin() as conn:
        conn.execute(_UNSET, {"key": FINGERPRINT})


def _version(run_id: int | None, sha256: str, pipeline: str) -> str:
    """How `corpus_sources` records a stored copy (the same text `_SINCE` builds in SQL): a new run, new bytes
    or another pipeline make another version."""
    return f"{run_id}:{sha256}:{pipeline}"


def _set(conn, key: str, value: str) -> None:
    if conn.execute(_UPDATE, {"key": key, "value": value}).rowcount == 0:
        conn.execute(_INSERT, {"key": key, "value": value})
