"""Derived read indexes, brought up to date after every build: full-text search, and day numbers for the timeline.

The index is a cache of the store, never a source of truth: `reindex` refills it from
`passages`/`texts` and `events`/`event_mentions` (all of it, or the rows of what a build changed),
so it can always be thrown away. The timeline's part lives in store/timeline_index.py. SQLite gets an
FTS5 table (`search_index`); PostgreSQL a plain table with a `tsvector` column and a GIN index.
An event's document is its label, the quotes that attest it and the names and aliases of its
participants and place, so a search for "Nomonhan" finds the Khalkhin Gol events even when no
quote uses that name. User queries are never passed to FTS5 syntax: each word is quoted.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections import OrderedDict, defaultdict
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, inspect, text
from sqlalchemy import text as sql

from timeweave.store import schema as t
from timeweave.store.changes import Changes
from timeweave.store.timeline_index import (
    ARRAYS, FORMAT, TIMELINE, chunks, generation, new_generation, stored_format, watching, write_timeline,
)

log = logging.getLogger(__name__)

TABLE = "search_index"
SOURCES = "search_sources"  # SQLite: the source of each passage row of the FTS5 table, indexed (FTS5 cannot index it)
HIT_START, HIT_END = "\x02", "\x03"  # snippet markers; the UI splits on them and escapes the rest
_WORD = re.compile(r"\w+", re.UNICODE)


def _query(statement: str, name: str | None = None):
    """A plain-SQL query (a build opens a new engine, so SQLAlchemy compiled each Core query again on every
    add: a third of an add's reindex), filtered by `name IN :values` where `{where}`/`{and_}` stand."""
    if name is None:
        return sql(statement.format(where="", and_=""))
    return sql(statement.format(where=f" WHERE {name} IN :values", and_=f" AND {name} IN :values")).bindparams(
        bindparam("values", expanding=True))


_QUERIES = {  # name: (statement, the column an incremental reindex picks rows by)
    "passages": ('SELECT id, source_id, start, "end", duplicate_of, duplicate_scope FROM passages '
                 "WHERE role = 'content'{and_} ORDER BY id", "source_id"),
    "texts": ("SELECT source_id, text FROM texts{where}", "source_id"),
    "events": ("SELECT id, label, place FROM events{where} ORDER BY id", "id"),
    "participants": ("SELECT event_id, entity_id FROM event_participants{where} ORDER BY event_id, entity_id, role",
                     "event_id"),
    "quotes": ('SELECT event_id, source_id, start, "end" FROM event_mentions WHERE event_id IS NOT NULL{and_} '
               "ORDER BY id", "event_id"),
    "names": ("SELECT id, name FROM entities{where} ORDER BY id", "id"),
    "aliases": ("SELECT entity_id, text FROM aliases{where} ORDER BY id", "entity_id"),
}
_ALL = {key: _query(statement) for key, (statement, _column) in _QUERIES.items()}
_SOME = {key: _query(statement, column) for key, (statement, column) in _QUERIES.items()}


def _rows(conn: Connection, key: str, values: set | None) -> list:
    """The rows of query `key`: all of them (`values` None), or those of these values, in batches."""
    if values is None:
        return conn.execute(_ALL[key]).all()
    return [r for batch in chunks(sorted(values)) for r in conn.execute(_SOME[key], {"values": batch}).all()]


def _documents(conn: Connection, *, sources: set[str] | None = None, events: set[int] | None = None) -> list[dict[str, Any]]:
    """The rows to index: one per content passage (first copies only) and one per event.

    With `sources`/`events` given, only the passages of those sources and the documents of those
    events (an incremental reindex); each document is the same as in a full pass, and its `doc`
    (the row id: 2 x passage id, 2 x event id + 1) says which row it replaces.
    """
    docs: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    every = sources is None and events is None

    def text_of(source_ids: set[str]) -> None:
        if every:
            if not texts:
                texts.update(_rows(conn, "texts", None))
        else:
            texts.update(_rows(conn, "texts", source_ids - texts.keys()))

    if sources is None or sources:
        rows = _rows(conn, "passages", sources)
        text_of({r[1] for r in rows})
        # Rows are unpacked by position here and below: a SQLAlchemy 2.1 Row's attribute costs ~3 µs.
        for pid, source_id, start, end, duplicate_of, scope in sorted(rows, key=lambda r: r[0]):
            if duplicate_of is not None and scope == "within":
                continue  # the same words again in the same document: one hit is enough
            body = texts.get(source_id, "")[start:end]
            docs.append({"doc": 2 * pid, "kind": "passage", "ref": str(pid), "source_id": source_id, "start": start,
                         "end": end, "title": "", "body": body})
    if events is not None and not events:
        return docs
    event_rows = _rows(conn, "events", events)
    participants = _rows(conn, "participants", events)
    quotes = _rows(conn, "quotes", events)
    names: dict[int, list[str]] = defaultdict(list)
    wanted = None if events is None else {r[1] for r in participants} | {r[2] for r in event_rows if r[2] is not None}
    for key in ("names", "aliases"):
        for r in _rows(conn, key, wanted):  # an entity's name first, then its aliases in id order, however batched
            names[r[0]].append(r[1])
    extra: dict[int, list[str]] = defaultdict(list)
    for event_id, entity_id in participants:
        extra[event_id].extend(names.get(entity_id, []))
    text_of({r[1] for r in quotes})
    for event_id, source_id, start, end in quotes:
        extra[event_id].append(texts.get(source_id, "")[start:end])
    for event_id, label, place in sorted(event_rows, key=lambda r: r[0]):
        words = extra.get(event_id, []) + (names.get(place, []) if place is not None else [])
        docs.append({"doc": 2 * event_id + 1, "kind": "event", "ref": str(event_id), "source_id": None, "start": None,
                     "end": None, "title": label, "body": "\n".join(dict.fromkeys(words))})
    return docs


def reindex(engine: Engine, changes: Changes | None = None) -> None:
    """Bring the derived read indexes (full-text search, the timeline's days) up to date with the store.

    With no `changes` (or `changes.full`), everything is rebuilt. Otherwise only the search rows of
    the changed, added and removed sources and of the events the build touched (`changes.events`,
    the events of `changes.entities`, the events quoted from changed sources, the events the
    historian's corrections apply to, and every event written since the last reindex, which the store's
    triggers list: `timeline_index.watch_events`) are rewritten, and the timeline's rows of those events: the same
    rows a full pass writes, at the cost of what changed (tests/test_timeline_index.py compares the two). A store whose indexes are missing or
    of another format is rebuilt in full. Every reindex that writes changes the generation the
    web server's caches are keyed by, in the same transaction.
    """
    with engine.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        full = changes is None or changes.full or stored_format(conn) != FORMAT or not all(
            name in tables for name in (TABLE, TIMELINE, ARRAYS, *([] if conn.dialect.name == "postgresql" else [SOURCES]))) \
            or not watching(conn)  # writes to `events` not listed since the last reindex: no telling which differ
        if not full and changes.nothing and not changes.events and not changes.entities:
            log.info("derived indexes: nothing changed")
            return
        if full:
            n_docs = _write_search(conn, None)
            n_events, _ = write_timeline(conn, None)
        else:
            events = set(changes.events) | _curated_events(conn, tables)
            n_events, written = write_timeline(conn, events)
            touched = _touched_events(conn, changes, events | written)
            n_docs = _write_search(conn, _documents(conn, sources=set(changes.sources), events=touched),
                                   sources=set(changes.sources), events=touched)
        new_generation(conn)
    log.info("derived indexes %s: %d search documents, %d timeline events", "rebuilt" if full else "updated", n_docs, n_events)


def _curated_events(conn: Connection, tables: set[str]) -> set[int]:
    """Events the historian's corrections apply to: `curate.apply` rewrites them in every build without listing them."""
    if t.curated_fields.name not in tables:
        return set()
    found = set(conn.execute(_CURATED).scalars())
    for applies_to in conn.execute(_APPLIES_TO).scalars():
        found.update(int(i) for i in (applies_to or {}).get("events", []) if str(i).isdigit())
    return found


def _touched_events(conn: Connection, changes: Changes, events: set[int]) -> set[int]:
    """Events whose search document may differ: changed by reconcile or curation, joined by a changed entity, quoted from a changed source."""
    touched = set(events)
    for batch in chunks(sorted(changes.entities)):
        touched.update(conn.execute(_JOINED, {"values": batch}).scalars())
        touched.update(conn.execute(_PLACED, {"values": batch}).scalars())
    for batch in chunks(sorted(changes.sources)):
        touched.update(conn.execute(_QUOTED, {"values": batch}).scalars())
    return touched


_CURATED = sql("SELECT object_id FROM curated_fields WHERE object = 'event'")
_APPLIES_TO = sql("SELECT applies_to FROM curation_results").columns(t.curation_results.c.applies_to)
_JOINED = _query("SELECT event_id FROM event_participants{where}", "entity_id")
_PLACED = _query("SELECT id FROM events{where}", "place")
_QUOTED = _query("SELECT event_id FROM event_mentions WHERE event_id IS NOT NULL{and_}", "source_id")


def _write_search(conn: Connection, docs: list[dict[str, Any]] | None, *, sources: set[str] = frozenset(),
                  events: set[int] = frozenset()) -> int:
    """Write `search_index`: all of it (`docs` None), or replace the rows of `sources` and `events` by `docs`."""
    postgres = conn.dialect.name == "postgresql"
    if docs is None:
        docs = _documents(conn)
        conn.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        if postgres:
            conn.execute(text(
                f"CREATE TABLE {TABLE} (doc BIGINT PRIMARY KEY, kind TEXT, ref TEXT, source_id TEXT, start INTEGER, \"end\" INTEGER,"
                " title TEXT, body TEXT, tsv tsvector)"))
            conn.execute(text(f"CREATE INDEX ix_{TABLE}_tsv ON {TABLE} USING GIN (tsv)"))
            conn.execute(text(f"CREATE INDEX ix_{TABLE}_source ON {TABLE} (source_id)"))
        else:
            conn.execute(text(
                f"CREATE VIRTUAL TABLE {TABLE} USING fts5(kind UNINDEXED, ref UNINDEXED, source_id UNINDEXED,"
                " start UNINDEXED, \"end\" UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 2')"))
            conn.execute(text(f"DROP TABLE IF EXISTS {SOURCES}"))
            conn.execute(text(f"CREATE TABLE {SOURCES} (doc INTEGER PRIMARY KEY, source_id TEXT NOT NULL)"))
            conn.execute(text(f"CREATE INDEX ix_{SOURCES}_source ON {SOURCES} (source_id)"))
    else:
        key = "doc" if postgres else "rowid"
        for batch in chunks(sorted(sources)):
            names = {f"s{i}": s for i, s in enumerate(batch)}
            among = f"source_id IN ({', '.join(f':{name}' for name in names)})"
            if postgres:
                conn.execute(text(f"DELETE FROM {TABLE} WHERE kind = 'passage' AND {among}"), names)
            else:  # by row id: FTS5 cannot index source_id, and a test on it read every row of the index
                conn.execute(text(f"DELETE FROM {TABLE} WHERE rowid IN (SELECT doc FROM {SOURCES} WHERE {among})"), names)
                conn.execute(text(f"DELETE FROM {SOURCES} WHERE {among}"), names)
        same = _unchanged(conn, key, docs, events)
        docs = [d for d in docs if d["doc"] not in same]
        for batch in chunks(sorted({2 * int(i) + 1 for i in events} - same)):
            conn.execute(text(f"DELETE FROM {TABLE} WHERE {key} IN ({', '.join(str(doc) for doc in batch)})"))
    if docs:
        if postgres:
            conn.execute(text(
                f"INSERT INTO {TABLE} (doc, kind, ref, source_id, start, \"end\", title, body, tsv) "
                "VALUES (:doc, :kind, :ref, :source_id, :start, :end, :title, :body, "
                "to_tsvector('simple', coalesce(:title, '') || ' ' || :body))"), docs)
        else:  # plain tuples through the driver: SQLAlchemy's per-row parameter handling was a fifth of a full reindex
            conn.exec_driver_sql(
                f"INSERT INTO {TABLE} (rowid, kind, ref, source_id, start, \"end\", title, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(d["doc"], d["kind"], d["ref"], d["source_id"], d["start"], d["end"], d["title"], d["body"]) for d in docs])
            passages = [(d["doc"], d["source_id"]) for d in docs if d["kind"] == "passage"]
            if passages:
                conn.exec_driver_sql(f"INSERT INTO {SOURCES} (doc, source_id) VALUES (?, ?)", passages)
    return len(docs)


def _unchanged(conn: Connection, key: str, docs: list[dict[str, Any]], events: set[int]) -> set[int]:
    """Row ids of the events' rows whose document is already stored as it is now: kept, not rewritten. An
    event an add joins is often quoted in the same words again (a copy, a replica), and rewriting it
    re-tokenised every quote it gathered across the corpus (most of an add's reindex at 1,600 documents)."""
    new = {d["doc"]: (d["kind"], d["ref"], d["source_id"], d["start"], d["end"], d["title"], d["body"])
           for d in docs if d["kind"] == "event"}
    same: set[int] = set()
    for batch in chunks(sorted(doc for doc in new if (doc - 1) // 2 in events)):
        for doc, *row in conn.execute(text(
                f'SELECT {key}, kind, ref, source_id, start, "end", title, body FROM {TABLE} '
                f"WHERE {key} IN ({', '.join(str(doc) for doc in batch)})")):
            if tuple(row) == new[doc]:
                same.add(doc)
    return same


def fts5_query(q: str) -> str:
    """A user's words as an FTS5 query that cannot be a syntax error: every word quoted, all required."""
    return " ".join(f'"{word}"' for word in _WORD.findall(q))


def search(engine: Engine, q: str, *, limit: int = 50, offset: int = 0) -> list[dict]:
    """Passages and events matching every word of `q`, best first (ties in row order).

    Each hit has kind (passage | event), ref (passages.id or events.id), source_id/start/end for
    passages, title, and `snippet` with matches between HIT_START and HIT_END.
    """
    if not _WORD.search(q or ""):
        return []
    limit, offset = max(1, min(int(limit), 500)), max(0, int(offset))
    if engine.dialect.name == "postgresql":
        if not inspect(engine).has_table(TABLE):
            log.warning("no search index in this store: rebuild it with `timeweave build`")
            return []
        sql = (
            f"SELECT kind, ref, source_id, start, \"end\", title, ts_headline('simple', body, query, "
            f"'StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=30, MinWords=10') AS snippet "
            f"FROM {TABLE}, plainto_tsquery('simple', :q) AS query WHERE tsv @@ query "
            "ORDER BY ts_rank(tsv, query) DESC, doc LIMIT :limit OFFSET :offset"
        )
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(sql), {"q": q, "limit": limit, "offset": offset}).mappings()]
    return _search_sqlite(engine, fts5_query(q), limit, offset)


RANKED = 1000  # row ids ranked per query at least, kept per generation: the next pages cost no ranking
_RANKED: OrderedDict[tuple, tuple[list[int], bool]] = OrderedDict()
_RANKED_KEPT = 64
_LOCK = threading.Lock()
_COLUMNS = ("kind", "ref", "source_id", "start", "end", "title", "snippet")


def _search_sqlite(engine: Engine, match: str, limit: int, offset: int) -> list[dict]:
    """Rank the row ids (bm25 only), then read and snippet the rows of the page alone, one by one.

    FTS5 computes the selected columns (a snippet reads and tokenises the body) of every matching
    row before the sort, so a common word on a big store cost 60-100 ms a page; ranking the ids
    and fetching 50 rows by id costs a third of that, and the ranking is kept for the next page
    until the store's generation changes (every reindex changes it).
    """
    rank = (f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? ORDER BY bm25({TABLE}, 0, 0, 0, 0, 0, 4.0, 1.0), rowid LIMIT ?")
    row = (f"SELECT kind, ref, source_id, start, \"end\", title, snippet({TABLE}, 6, '{HIT_START}', '{HIT_END}', '…', 24) "
           f"FROM {TABLE} WHERE {TABLE} MATCH ? AND rowid = ?")
    need = offset + limit
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        try:
            key = (id(engine), generation(conn), match)
            ids, complete = _RANKED.get(key, ([], False))
            if not complete and len(ids) < need:
                n = max(need, RANKED)
                ids = [r[0] for r in raw.execute(rank, (match, n))]
                complete = len(ids) < n
                if key[1] is not None:
                    with _LOCK:
                        _RANKED[key] = (ids, complete)
                        while len(_RANKED) > _RANKED_KEPT:
                            _RANKED.popitem(last=False)
            hits = []
            for rowid in ids[offset:need]:
                found = raw.execute(row, (match, rowid)).fetchone()
                if found is not None:
                    hits.append(dict(zip(_COLUMNS, found)))
        except sqlite3.OperationalError as error:
            if "no such table" not in str(error):
                raise
            log.warning("no search index in this store: rebuild it with `timeweave build`")
            return []
    return hits
