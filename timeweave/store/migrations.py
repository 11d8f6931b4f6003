"""Named schema migrations, recorded in the `migrations` table of the store itself.

A migration is a function `(connection) -> None` registered in order under a name that never
changes. `0001_initial` creates the current schema, so every later migration is written to be a
no-op on a store that already has what it adds, and to upgrade a store made by an older release. `migrate()` applies the ones a store has not seen, each in its own transaction, so a
store opened by a newer timeweave is upgraded in place and an older store never silently mismatches
the code. (The idea is sqlite-utils' `migrations.py`.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select, text

from timeweave.store import schema

log = logging.getLogger(__name__)

Migration = Callable[[Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(name: str) -> Callable[[Migration], Migration]:
    """Register a migration under a permanent name; order of registration is order of application."""

    def register(fn: Migration) -> Migration:
        if any(existing == name for existing, _ in MIGRATIONS):
            raise ValueError(f"migration {name!r} is registered twice")
        MIGRATIONS.append((name, fn))
        return fn

    return register


@migration("0001_initial")
def _initial(conn: Connection) -> None:
    """Every table of the pipeline, as declared in `store/schema.py` at version 0.1."""
    schema.metadata.create_all(conn)


@migration("0002_event_participants_entity_index")
def _participants_by_entity(conn: Connection) -> None:
    """Entity filters on the timeline look events up by participant."""
    # Plain SQL: an Index object would attach itself to the shared table metadata.
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_event_participants_entity ON event_participants (entity_id)"))


@migration("0003_event_mentions_when_kind")
def _when_kind(conn: Connection) -> None:
    """How an event mention was dated (governed, sentence, narrative, undated), as a column to filter on."""
    if "when_kind" not in {c["name"] for c in inspect(conn).get_columns("event_mentions")}:
        conn.execute(text("ALTER TABLE event_mentions ADD COLUMN when_kind VARCHAR(20)"))


@migration("0004_sources_language")
def _source_language(conn: Connection) -> None:
    """The language a source is written in (a text not in English is stored but not annotated)."""
    if "language" not in {c["name"] for c in inspect(conn).get_columns("sources")}:
        conn.execute(text("ALTER TABLE sources ADD COLUMN language VARCHAR(12)"))


@migration("0005_alias_evidence")
def _alias_evidence(conn: Connection) -> None:
    """Each alias says which link rule joined it, and `alias_evidence` keeps the quotes that made the link."""
    if "rule" not in {c["name"] for c in inspect(conn).get_columns("aliases")}:
        conn.execute(text("ALTER TABLE aliases ADD COLUMN rule VARCHAR(40)"))
    schema.alias_evidence.create(conn, checkfirst=True)


@migration("0006_runs_pid")
def _runs_pid(conn: Connection) -> None:
    """The process and host of each run: a run left 'running' by a process that is gone is 'interrupted'."""
    columns = {c["name"] for c in inspect(conn).get_columns("runs")}
    if "pid" not in columns:
        conn.execute(text("ALTER TABLE runs ADD COLUMN pid INTEGER"))
    if "host" not in columns:
        conn.execute(text("ALTER TABLE runs ADD COLUMN host VARCHAR(200)"))


@migration("0010_curation_log")
def _curation_log(conn: Connection) -> None:
    """The historian's corrections: the append-only `curation_actions` log and what each applies to now."""
    for table in (schema.curation_actions, schema.curation_results, schema.curated_fields):
        table.create(conn, checkfirst=True)


@migration("0011_claims")
def _claims(conn: Connection) -> None:
    """What the sources claim about events (`claims`, timeweave/claims), aligned into comparisons."""
    schema.claims.create(conn, checkfirst=True)


@migration("0012_events_factuality")
def _events_factuality(conn: Connection) -> None:
    """Whether each event happened as its sources tell it (asserted, reported, negated, disputed):
    a denied event is kept with that status instead of being dropped (timeweave/reconcile/factuality.py)."""
    if "factuality" not in {c["name"] for c in inspect(conn).get_columns("events")}:
        conn.execute(text("ALTER TABLE events ADD COLUMN factuality VARCHAR(20)"))


@migration("0013_incremental_state")
def _incremental_state(conn: Connection) -> None:
    """What incremental builds keep between runs: the corpus stages' fingerprint and the sources they
    last saw (`store/changes.py`), and each passage's MinHash bands (`store/copies.py`)."""
    for table in (schema.corpus_state, schema.corpus_sources, schema.passage_bands):
        table.create(conn, checkfirst=True)

@migration("0014_reconcile_components")
def _reconcile_components(conn: Connection) -> None:
    """What the last reconcile computed per component of its candidate pairs, so the next one recomputes
    only the components whose inputs or rows changed (`reconcile/incremental.py`)."""
    schema.reconcile_components.create(conn, checkfirst=True)


@migration("0015_comparisons_entity")
def _comparisons_entity(conn: Connection) -> None:
    """A comparison may be about an entity alone (who opposed a vote, who was the first prisoner): its event
    becomes optional and `entity_id` names the entity a claim comparison is said of (timeweave/claims)."""
    columns = {c["name"]: c for c in inspect(conn).get_columns("comparisons")}
    if "entity_id" in columns and columns["event_id"]["nullable"]:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE comparisons ALTER COLUMN event_id DROP NOT NULL"))
        if "entity_id" not in columns:
            conn.execute(text("ALTER TABLE comparisons ADD COLUMN entity_id INTEGER"))
        return
    # SQLite cannot drop a NOT NULL in place: both tables are made anew and their rows put back (the statements
    # first out and last in, as they refer to the comparisons; dropping them first cascades nothing).
    kept = [dict(row._mapping) for row in conn.execute(text("SELECT * FROM comparisons"))]
    statements = [dict(row._mapping) for row in conn.execute(text("SELECT * FROM comparison_statements"))]
    conn.execute(text("DROP TABLE comparison_statements"))
    conn.execute(text("DROP TABLE comparisons"))
    schema.comparisons.create(conn)
    schema.comparison_statements.create(conn)
    if kept:
        conn.execute(schema.comparisons.insert(), [{"entity_id": None, **row} for row in kept])
    if statements:
        conn.execute(schema.comparison_statements.insert(), statements)


@migration("0016_copy_chain_indexes")
def _copy_chain_indexes(conn: Connection) -> None:
    """Indexes for the copies stage's incremental path (`store/copies.py`): the passages copying a passage
    (`duplicate_of`) and the bands of given passages, read by index instead of scanning both tables."""
    wanted = {"ix_passages_duplicate_of", "ix_passage_bands_passage"}
    for table in (schema.passages, schema.passage_bands):
        for index in table.indexes:
            if index.name in wanted:
                index.create(conn, checkfirst=True)


@migration("0017_comparison_statements_indexes")
def _comparison_statements_indexes(conn: Connection) -> None:
    """Indexes on comparison_statements by comparison and by source: the claims stage reads the statements of
    the comparisons it may change, and deleting a comparison or a source cascades to them; without these
    each scanned the whole table."""
    for index in schema.comparison_statements.indexes:
        index.create(conn, checkfirst=True)



@migration("0018_sources_file_stat")
def _sources_file_stat(conn: Connection) -> None:
    """The stat of each source's file when it was last hashed: a build hashes only files whose stat moved
    (`ingest/unchanged.py`). NULL on old rows: their files are hashed once more and the stat recorded."""
    if "file_stat" not in {c["name"] for c in inspect(conn).get_columns("sources")}:
        conn.execute(text("ALTER TABLE sources ADD COLUMN file_stat VARCHAR(100)"))


@migration("0019_mentions_key_index")
def _mentions_key_index(conn: Connection) -> None:
    """An index on mentions by name key: the link stage reads the mentions of the names an add touches
    instead of every mention in the store."""
    for index in schema.mentions.indexes:
        index.create(conn, checkfirst=True)


@migration("0020_sources_run_id_index")
def _sources_run_id_index(conn: Connection) -> None:
    """An index on sources by the run that stored them: the corpus stages read the sources stored since their
    last complete run instead of comparing every source."""
    for index in schema.sources.indexes:
        index.create(conn, checkfirst=True)


def applied(engine: Engine) -> list[str]:
    """Names of the migrations this store has recorded, in the order they were applied."""
    if not inspect(engine).has_table("migrations"):
        return []
    with engine.connect() as conn:
        rows = conn.execute(select(schema.migrations.c.name).order_by(schema.migrations.c.applied_at))
        return [row.name for row in rows]


def migrate(engine: Engine) -> list[str]:
    """Apply pending migrations; returns the names applied now."""
    done = set(applied(engine))
    now_applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with engine.begin() as conn:
            schema.migrations.create(conn, checkfirst=True)
            fn(conn)
            conn.execute(
                schema.migrations.insert().values(name=name, applied_at=datetime.now(UTC).isoformat())
            )
        log.info("applied migration %s", name)
        now_applied.append(name)
    return now_applied
