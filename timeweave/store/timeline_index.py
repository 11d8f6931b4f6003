"""The timeline's derived index: day numbers per event as rows (`timeline_index`) and as columns (`timeline_arrays`).

The timeline asks for a window at every zoom and pan; over 100,000 events, reading and grouping
the rows of the window in SQL costs 100+ ms for a century. Every answer the timeline gives (the
events of a window, counts per bin by start or spread over each event's span, the extent, the
undated count, the status/type/place filters) is a vectorised pass over six columns, so
`timeline_arrays` keeps them as little-endian arrays in one row, read in a few milliseconds and
cached by the web server until the store's `generation` changes (`read_index_state`, changed by
every reindex, full or incremental). `timeline_index` keeps the same days as rows anyone can query.

Days are proleptic Gregorian ordinals (1 = 0001-01-01). In the arrays an undated event (no
`earliest`) has day 0, and an event whose dates are not ISO days (BCE, malformed) day -1: such
events are on neither the timeline nor its undated count, as before the arrays existed.

An add rewrites only the events written since the last reindex. Stages change events without listing
them (claims raises a status to contested, a correction merges places, someone edits the store by
hand), so the store lists them itself: row triggers on `events` (`watch_events`, created by a full
reindex with the tables here) put the id of every event inserted, deleted, or updated in a column the
indexes hold into `timeline_touched`. An event not listed there was not written, so its stored days,
status, type and place are still right; the arrays are the stored ones with the listed events' rows
read again (the same bytes as a full pass). A store whose triggers are missing (built before them, or
`events` rebuilt by a migration, which drops a table's triggers on SQLite) is reindexed in full.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

import numpy as np
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import OperationalError


TIMELINE = "timeline_index"
ARRAYS = "timeline_arrays"
TOUCHED = "timeline_touched"  # ids of the events written since the last reindex (by the triggers of `watch_events`)
STATE = "read_index_state"
FORMAT = 2  # of search_index rowids and timeline_arrays; a store with another format is reindexed in full
UNDATED, OFF_INDEX = 0, -1
CHUNK = 500  # ids per IN (...) list: under every driver's parameter limit
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH = date(1970, 1, 1).toordinal()  # numpy's day 0 as an ordinal
_DTYPES = {"ids": "<i8", "d0": "<i4", "d1": "<i4", "status": "<i2", "type": "<i2", "place": "<i8"}


@dataclass(frozen=True)
class Columns:
    """Every event as parallel arrays sorted by id; `status`/`type` are codes into `statuses`/`types` (-1: none)."""

    ids: np.ndarray
    d0: np.ndarray
    d1: np.ndarray
    status: np.ndarray
    type: np.ndarray
    place: np.ndarray  # entities.id, -1 for none
    statuses: tuple[str, ...]
    types: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ids)


def days(earliest: str | None, latest: str | None) -> tuple[int, int]:
    """An event's first and last day as ordinals, (0, 0) when undated, (-1, -1) when not ISO days."""
    if earliest is None:
        return UNDATED, UNDATED
    if latest is None or not _ISO.fullmatch(earliest) or not _ISO.fullmatch(latest):
        return OFF_INDEX, OFF_INDEX
    try:
        return date.fromisoformat(earliest).toordinal(), date.fromisoformat(latest).toordinal()
    except ValueError:  # 1939-02-30 stored by a hand-edited row: off the timeline rather than a failed build
        return OFF_INDEX, OFF_INDEX


def chunks(values: Iterable, size: int = CHUNK) -> Iterable[list]:
    """`values` in lists of at most `size`, so an IN (...) list never exceeds a driver's parameter limit."""
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_EVENT_ROWS = "SELECT id, earliest, latest, status, type, place FROM events"


def _event_rows(conn: Connection, ids: list[int] | None) -> list[tuple]:
    """The six columns of all events (or of `ids`) as plain tuples: plain SQL, since a build opens a new engine
    and a Core query was compiled anew on each (a fifth of an add's `write_timeline` at 1,600 documents)."""
    if ids is None:  # fetched at once, read by position: row-by-row fetching and Row attributes cost more than the query
        return list(conn.exec_driver_sql(f"{_EVENT_ROWS} ORDER BY id"))
    rows: list = []
    for batch in chunks(sorted(ids)):
        rows.extend(conn.exec_driver_sql(f"{_EVENT_ROWS} WHERE id IN ({', '.join(str(int(i)) for i in batch)})"))
    return rows


def _columns(rows: list) -> Columns:
    """The canonical columns of `rows` (id, earliest, latest, status, type, place): sorted by id, sorted vocabularies."""
    rows = sorted(rows, key=itemgetter(0))
    ids, earliest, latest, status, type_, place = (list(column) for column in zip(*rows)) if rows else ([],) * 6
    statuses = tuple(sorted({s for s in status if s is not None}))
    types = tuple(sorted({v for v in type_ if v is not None}))
    s_code, t_code = {s: i for i, s in enumerate(statuses)}, {v: i for i, v in enumerate(types)}
    d0, d1 = _days(earliest, latest)
    return Columns(
        ids=np.array(ids, dtype=np.int64), d0=d0, d1=d1,
        status=np.array([s_code.get(s, -1) for s in status], dtype=np.int16),
        type=np.array([t_code.get(v, -1) for v in type_], dtype=np.int16),
        place=np.array([-1 if p is None else p for p in place], dtype=np.int64),
        statuses=statuses, types=types)


SMALL = 5000  # events up to which `days` pair by pair (memoised) is faster than numpy's conversion of strings


def _days(earliest: list, latest: list) -> tuple[np.ndarray, np.ndarray]:
    """`days` of every pair: pair by pair, each distinct pair once, for a few thousand events (an add to a store of
    1,600 documents: 1.0 -> 0.3 ms); else parsed by numpy in one pass when all the dates are well-formed ISO days."""
    if len(earliest) <= SMALL:
        memo: dict[tuple, tuple[int, int]] = {}
        spans = [memo.get(pair) or memo.setdefault(pair, days(*pair)) for pair in zip(earliest, latest)]
        return np.array([s[0] for s in spans], dtype=np.int32), np.array([s[1] for s in spans], dtype=np.int32)
    d0 = np.full(len(earliest), OFF_INDEX, dtype=np.int32)
    d1 = d0.copy()
    undated = [i for i, a in enumerate(earliest) if a is None]
    d0[undated] = d1[undated] = UNDATED
    iso = [i for i, (a, b) in enumerate(zip(earliest, latest)) if a is not None and b is not None and len(a) == len(b) == 10]
    try:
        texts = [np.array([column[i] for i in iso], dtype="U10") for column in (earliest, latest)]
        parsed = [t.astype("datetime64[D]") for t in texts]
        # Only canonical YYYY-MM-DD days survive the round trip (numpy also reads other forms).
        if not all((np.datetime_as_string(p) == t).all() for p, t in zip(parsed, texts)):
            raise ValueError("not only ISO days")
        first, last = (p.astype(np.int64) + _EPOCH for p in parsed)
        if len(iso) and min(first.min(), last.min()) < 1:
            raise ValueError("a year before 1")
    except ValueError:  # a malformed or impossible day somewhere: day by day
        spans = [days(earliest[i], latest[i]) for i in iso]
        first, last = np.array([s[0] for s in spans], dtype=np.int64), np.array([s[1] for s in spans], dtype=np.int64)
    d0[iso], d1[iso] = first, last
    return d0, d1


def _decoded(columns: Columns) -> list[tuple]:
    """The columns back as rows (id, d0, d1, status, type, place) with names, to merge with changed events."""
    statuses, types = columns.statuses, columns.types
    return [(int(i), int(a), int(b), statuses[s] if s >= 0 else None, types[ty] if ty >= 0 else None, None if p < 0 else int(p))
            for i, a, b, s, ty, p in zip(columns.ids, columns.d0, columns.d1, columns.status, columns.type, columns.place)]


def load_columns(conn: Connection) -> Columns | None:
    """The stored columns, or None when this store has none (built before them, or another format)."""
    if not _has(conn, ARRAYS):  # a store built before the arrays existed
        return None
    row = conn.execute(text(f"SELECT format, statuses, types, ids, d0, d1, status, type, place FROM {ARRAYS}")).first()
    if row is None or row.format != FORMAT:
        return None
    arrays = {name: np.frombuffer(bytes(getattr(row, name)), dtype=dtype) for name, dtype in _DTYPES.items()}
    return Columns(**arrays, statuses=tuple(json.loads(row.statuses)), types=tuple(json.loads(row.types)))


def generation(conn: Connection) -> str | None:
    """The token every reindex changes: a reader's caches of the derived indexes are valid while it is the same.

    None for a store built before the state table (nothing is cached for it). Asked on every
    timeline request, so on SQLite the table is read directly (a missing table is a harmless error
    there); on PostgreSQL an error would abort the transaction, so the catalog is asked first.
    """
    if conn.dialect.name == "sqlite":
        try:
            return conn.exec_driver_sql(f"SELECT generation FROM {STATE}").scalar()
        except OperationalError:
            return None
    if not _has(conn, STATE):
        return None
    return conn.execute(text(f"SELECT generation FROM {STATE}")).scalar()


def stored_format(conn: Connection) -> int | None:
    """The format of this store's derived indexes (None: none, or from before formats were recorded)."""
    if not _has(conn, STATE):
        return None
    return conn.execute(text(f"SELECT format FROM {STATE}")).scalar()


def _has(conn: Connection, table: str) -> bool:
    """Whether `table` exists (asked, not tried: a failed statement would abort a PostgreSQL transaction)."""
    return inspect(conn).has_table(table)


def write_timeline(conn: Connection, changed: set[int] | None) -> tuple[int, set[int]]:
    """Write `timeline_index` and `timeline_arrays`: all rows (`changed` None) or the rows of the events that differ.

    Incrementally, only the events listed in `timeline_touched` (every event written since the last
    reindex, by the triggers of `watch_events`) and in `changed` are read again; the other events'
    columns are kept from the stored arrays, which a full pass would write the same (module docstring).
    Returns how many rows were written and the ids of the events written since the last reindex
    (whose search documents may differ too). The caller holds the transaction and changes the generation.
    """
    old = None if changed is None or not watching(conn) else load_columns(conn)
    if old is None:
        watch_events(conn)  # before the events are read: a write after this read is listed for the next reindex
        columns = _columns(_event_rows(conn, None))
        conn.execute(text(f"DROP TABLE IF EXISTS {TIMELINE}"))
        conn.execute(text(f"CREATE TABLE {TIMELINE} (id INTEGER PRIMARY KEY, d0 INTEGER NOT NULL, d1 INTEGER NOT NULL, "
                          "status VARCHAR(20) NOT NULL, type VARCHAR(20), place INTEGER)"))
        _insert_rows(conn, _decoded(columns))
        # Covering: a window and the status/type/place filters are answered from the index alone.
        conn.execute(text(f"CREATE INDEX ix_{TIMELINE}_days ON {TIMELINE} (d0, d1, status, type, place)"))
        _write_arrays(conn, columns)
        return len(columns), set()
    listed = [row[0] for row in conn.exec_driver_sql(f"SELECT id FROM {TOUCHED}")]
    for batch in chunks(listed):  # only the ids read: one written after the read stays listed for the next reindex
        conn.exec_driver_sql(f"DELETE FROM {TOUCHED} WHERE id IN ({', '.join(str(int(i)) for i in batch)})")
    rewrite = sorted(set(changed) | set(listed))
    if not rewrite:
        return 0, set()
    fresh = _columns(_event_rows(conn, rewrite))
    for batch in chunks(rewrite):
        conn.execute(text(f"DELETE FROM {TIMELINE} WHERE id IN ({', '.join(str(int(i)) for i in batch)})"))
    _insert_rows(conn, _decoded(fresh))
    _write_arrays(conn, _merged(old, fresh, np.array(rewrite, dtype=np.int64)), replace=True)
    return len(rewrite), set(listed)


def _merged(old: Columns, fresh: Columns, reread: np.ndarray) -> Columns:
    """The stored columns without the events in `reread`, with `fresh` (those of them still stored) in their places:
    sorted by id, with the vocabularies of the values the events now hold, as `_columns` of every row gives them."""
    keep = ~np.isin(old.ids, reread)
    kept = _take(old, keep)
    vocabularies = []
    for codes, vocabulary, added in ((kept.status, kept.statuses, fresh.statuses), (kept.type, kept.types, fresh.types)):
        used = {vocabulary[c] for c in np.unique(codes).tolist() if c >= 0}
        vocabularies.append(tuple(sorted(used | set(added))))
    statuses, types = vocabularies

    def recoded(codes: np.ndarray, vocabulary: tuple[str, ...], target: tuple[str, ...]) -> np.ndarray:
        """Codes into `vocabulary` as codes into `target` (which holds every value used; -1 stays -1)."""
        table = np.array([target.index(v) if v in target else -1 for v in vocabulary] + [-1], dtype=np.int16)
        return table[codes]

    at = np.searchsorted(kept.ids, fresh.ids)  # both sorted by id, no id in both
    return Columns(
        ids=np.insert(kept.ids, at, fresh.ids), d0=np.insert(kept.d0, at, fresh.d0), d1=np.insert(kept.d1, at, fresh.d1),
        status=np.insert(recoded(kept.status, kept.statuses, statuses), at, recoded(fresh.status, fresh.statuses, statuses)),
        type=np.insert(recoded(kept.type, kept.types, types), at, recoded(fresh.type, fresh.types, types)),
        place=np.insert(kept.place, at, fresh.place), statuses=statuses, types=types)


# The columns whose change makes an event's timeline row or search document differ (search: label and place's names).
_WATCHED = ("id", "label", "earliest", "latest", "status", "type", "place")
_SQLITE_TRIGGERS = {
    "tw_events_inserted_1": f"AFTER INSERT ON events BEGIN INSERT OR IGNORE INTO {TOUCHED} (id) VALUES (NEW.id); END",
    "tw_events_updated_1": "AFTER UPDATE ON events WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _WATCHED)
                           + f" BEGIN INSERT OR IGNORE INTO {TOUCHED} (id) VALUES (OLD.id); "
                           f"INSERT OR IGNORE INTO {TOUCHED} (id) VALUES (NEW.id); END",
    "tw_events_deleted_1": f"AFTER DELETE ON events BEGIN INSERT OR IGNORE INTO {TOUCHED} (id) VALUES (OLD.id); END",
}
_PG_TRIGGER = "tw_events_touched_1"
_PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION {_PG_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _WATCHED)}) IS NOT TRUE THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO {TOUCHED} (id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO {TOUCHED} (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$"""


def watch_events(conn: Connection) -> None:
    """Make the store list in `timeline_touched` every event written from now on (the table and the triggers, when
    missing), and empty the list: the caller is about to read every event."""
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {TOUCHED} (id INTEGER PRIMARY KEY)")
    if conn.dialect.name == "postgresql":
        if not watching(conn):
            conn.exec_driver_sql(_PG_FUNCTION)
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_PG_TRIGGER} ON events")
            conn.exec_driver_sql(f"CREATE TRIGGER {_PG_TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON events "
                                 f"FOR EACH ROW EXECUTE FUNCTION {_PG_TRIGGER}()")
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            conn.exec_driver_sql(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    conn.exec_driver_sql(f"DELETE FROM {TOUCHED}")


def watching(conn: Connection) -> bool:
    """Whether every write to `events` since the last reindex is listed: the table and all the triggers exist."""
    if conn.dialect.name == "postgresql":
        return bool(conn.exec_driver_sql(
            f"SELECT to_regclass('{TOUCHED}') IS NOT NULL AND EXISTS (SELECT 1 FROM pg_trigger "
            f"WHERE tgname = '{_PG_TRIGGER}' AND tgrelid = to_regclass('events') AND tgenabled <> 'D')").scalar())
    names = {row[0] for row in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE (type = 'trigger' AND tbl_name = 'events') OR (type = 'table' AND name = ?)",
        (TOUCHED,))}
    return names >= {TOUCHED, *_SQLITE_TRIGGERS}


def _take(columns: Columns, mask: np.ndarray) -> Columns:
    return Columns(ids=columns.ids[mask], d0=columns.d0[mask], d1=columns.d1[mask], status=columns.status[mask],
                   type=columns.type[mask], place=columns.place[mask], statuses=columns.statuses, types=columns.types)


def _insert_rows(conn: Connection, rows: list[tuple]) -> None:
    """Rows of `timeline_index`: the events with ISO days (and a status, which the column requires)."""
    rows = [r for r in rows if r[1] > 0 and r[3] is not None]
    if not rows:
        return
    if conn.dialect.name == "sqlite":  # plain tuples through the driver: 100k rows without per-row parameter objects
        conn.exec_driver_sql(f"INSERT INTO {TIMELINE} (id, d0, d1, status, type, place) VALUES (?, ?, ?, ?, ?, ?)", rows)
    else:
        conn.execute(text(f"INSERT INTO {TIMELINE} (id, d0, d1, status, type, place) VALUES (:id, :d0, :d1, :status, :type, :place)"),
                     [dict(zip(("id", "d0", "d1", "status", "type", "place"), r)) for r in rows])


def _write_arrays(conn: Connection, columns: Columns, *, replace: bool = False) -> None:
    """Store the columns as the one row of `timeline_arrays`: the table made anew, or with `replace` (its row was
    just read in this format) the row replaced in place: dropping and creating a table changes SQLite's schema,
    which is a third of an add's `write_timeline` and makes every open connection parse the schema again."""
    blob = "BYTEA" if conn.dialect.name == "postgresql" else "BLOB"
    if replace:
        conn.execute(text(f"DELETE FROM {ARRAYS}"))
    else:
        conn.execute(text(f"DROP TABLE IF EXISTS {ARRAYS}"))
        conn.execute(text(f"CREATE TABLE {ARRAYS} (format INTEGER NOT NULL, n INTEGER NOT NULL, statuses TEXT NOT NULL, "
                          f"types TEXT NOT NULL, {', '.join(f'{name} {blob} NOT NULL' for name in _DTYPES)})"))
    values = {name: np.ascontiguousarray(getattr(columns, name), dtype=dtype).tobytes() for name, dtype in _DTYPES.items()}
    conn.execute(text(f"INSERT INTO {ARRAYS} (format, n, statuses, types, {', '.join(_DTYPES)}) "
                      f"VALUES (:format, :n, :statuses, :types, {', '.join(':' + n for n in _DTYPES)})"),
                 {"format": FORMAT, "n": len(columns), "statuses": json.dumps(columns.statuses),
                  "types": json.dumps(columns.types), **values})


def new_generation(conn: Connection) -> str:
    """Record that the derived indexes changed (a random token, so a store rebuilt at the same path never repeats one)."""
    token = secrets.token_hex(8)
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {STATE} (format INTEGER NOT NULL, generation VARCHAR(32) NOT NULL)"))
    conn.execute(text(f"DELETE FROM {STATE}"))
    conn.execute(text(f"INSERT INTO {STATE} (format, generation) VALUES (:format, :generation)"),
                 {"format": FORMAT, "generation": token})
    return token
