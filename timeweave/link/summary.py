"""Per-key summaries, so an add reads only the mentions of the names it touches (`link.store`).

The rules read most names only through a few numbers of their mentions: the type most of them have
(`Resolver.key_type`), whether one is written as an acronym (`written_as_acronym`), how many there are
(`Resolver.count`, the word counts of `parts`), the first one by (source, start) with its quote (`first_use`, the
evidence of a link: cut from a source that did not change either, so an add reads no text for it) and the smallest id (the order in which a full run meets the keys: `graph` nodes, `by_key`).
A key's summary is a function of its own mention rows alone, and a key's rows change only when a source
holding it is added, re-stored or removed: exactly the `dirty` keys (the keys the changed sources hold now,
and those their kept findings say they held). So an add keeps every other key's summary from the last run
(corpus_state `link.summary` and the keys changed since it was written in `link.summary.delta`, with the
digest of code, words and knowledge), reads the dirty keys' rows through the index on mentions(key) and
makes their summaries again: each equals a full run's. The sources with keyed mentions are kept the same
way (the last run's, less the changed sources, plus those of the added or re-stored ones that have one).

Rows are read when a rule asks for them (`KeyRows`, `SourceRows`, `IdRows`, each reading from `Rows`):
the changed sources', the dirty keys', the ids named in kept findings, the keys of found names and
ship-prefix candidates, the components cut. Each is the row a full read gives (same columns, same order
within a key: by id; within a source: by start, then longer first, then id), so the rules read the same
values either way. `tests/test_link_summary.py` checks summaries, rows and entities against a full run's; it
fails when a dirty key keeps its old summary or a gone key stays.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any

from sqlalchemy import delete, select

from timeweave.link.rows import MentionRow
from timeweave.store import schema

STATE = "link.summary"  # corpus_state key: {"digest", "keys": {key: summary}}
DELTA = "link.summary.delta"  # {"digest", "sources": [...], "keys": {key: summary or None}}: changed since STATE
DELTA_MAX = 2000  # keys changed since the base was written, beyond which an add writes the base again
_CHUNK = 500
_START, _END = (lambda r: r.start), (lambda r: r.end)


class Rows:
    """Keyed mention rows read from the store by key, source or id; one object per row, and the stored
    entity of every row read (`owner`, for the write)."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.by_id: dict[int, MentionRow] = {}
        self.owner: dict[int, int | None] = {}
        self.missing: set[int] = set()  # ids asked for that have no keyed row

    def read(self, column: str, values: Iterable) -> list[MentionRow]:
        """The keyed rows whose `column` is one of `values`, in id order."""
        values = sorted(set(values))
        out: list[MentionRow] = []
        for i in range(0, len(values), _CHUNK):
            for mid, source_id, start, end, text, type_, key, entity_id in self._select(column, values[i:i + _CHUNK]):
                if not key:
                    continue
                row = self.by_id.get(mid)
                if row is None:
                    row = self.by_id[mid] = MentionRow(mid, source_id, start, end, text, type_, key)
                    self.owner[mid] = entity_id
                out.append(row)
        out.sort()
        return out

    def _select(self, column: str, values: list) -> list[tuple]:
        """The rows whose `column` (id, key or source_id) is in `values`; on SQLite through the driver's cursor,
        which costs about half of a Core select's per-row handling (an add reads ~19,000 rows at 1,600 documents)."""
        if self.conn.dialect.name == "sqlite":
            cursor = self.conn.connection.driver_connection.cursor()
            try:
                return cursor.execute(f'SELECT id, source_id, start, "end", text, type, key, entity_id FROM mentions '
                                      f'WHERE {column} IN ({",".join("?" * len(values))})', values).fetchall()
            finally:
                cursor.close()
        m = schema.mentions.c
        return self.conn.execute(select(m.id, m.source_id, m.start, m.end, m.text, m.type, m.key, m.entity_id)
                                 .where(getattr(m, column).in_(values))).all()

    def gone(self, entity_ids: set[int]) -> list[tuple[int, int]]:
        """(mention id, stored entity) of every mention, keyed or not, whose stored entity is one of `entity_ids`."""
        m = schema.mentions.c
        wanted = sorted(entity_ids)
        out = []
        for i in range(0, len(wanted), _CHUNK):
            out += self.conn.execute(select(m.id, m.entity_id).where(m.entity_id.in_(wanted[i:i + _CHUNK]))).all()
        return sorted(map(tuple, out))


class KeyRows(Mapping):
    """Key -> its rows (by id), for every key with a keyed mention; rows are read on first `get` (or `want`)."""

    def __init__(self, keys: Iterable[str], rows: Rows) -> None:
        self._keys = dict.fromkeys(keys)  # in the order of their first mention, as a full read builds `by_key`
        self._rows = rows
        self.loaded: dict[str, list[MentionRow]] = {}

    def want(self, keys: Iterable[str]) -> None:
        missing = [k for k in keys if k in self._keys and k not in self.loaded]
        if missing:
            for k in missing:
                self.loaded[k] = []
            for row in self._rows.read("key", missing):
                self.loaded[row.key].append(row)

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._keys:
            return default
        if key not in self.loaded:
            self.want([key])
        return self.loaded[key]

    def __getitem__(self, key: str) -> list[MentionRow]:
        if key not in self._keys:
            raise KeyError(key)
        return self.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class SourceRows(KeyRows):
    """Source -> its keyed rows by (start, longer first, id), for every source with a keyed mention."""

    def want(self, sources: Iterable[str]) -> None:
        missing = [s for s in sources if s in self._keys and s not in self.loaded]
        if missing:
            self.put(missing, self._rows.read("source_id", missing))

    def put(self, sources: Iterable[str], rows: list[MentionRow]) -> None:
        """Hold `rows` (in id order), all the keyed rows of `sources`."""
        for s in sources:
            self.loaded[s] = []
        for row in rows:
            self.loaded[row.source_id].append(row)
        for s in sources:
            self.loaded[s].sort(key=_END, reverse=True)  # by (start, -end), ties in id order, as `Resolver` sorts
            self.loaded[s].sort(key=_START)


class IdRows:
    """Mention id -> its keyed row, read when asked (the ids the kept findings name: `want` them first)."""

    def __init__(self, rows: Rows) -> None:
        self._rows = rows

    def want(self, ids: Iterable[int]) -> None:
        missing = {i for i in ids if i not in self._rows.by_id and i not in self._rows.missing}
        if missing:
            self._rows.read("id", missing)
            self._rows.missing |= missing - self._rows.by_id.keys()

    def get(self, mid: int, default: Any = None) -> Any:
        self.want([mid])
        return self._rows.by_id.get(mid, default)

    def __getitem__(self, mid: int) -> MentionRow:
        row = self.get(mid)
        if row is None:
            raise KeyError(mid)
        return row


class Texts(Mapping):
    """Source -> its stored text, read when asked; the entries `store._texts` reads at once (every source with keyed
    mentions and a non-empty text). An add reads the texts its findings quote (`want` them first), not all 1,600."""

    def __init__(self, conn, sources: set[str]) -> None:
        self.conn = conn
        self._sources = sources  # the sources with keyed mentions: no other has an entry
        self.loaded: dict[str, str] = {}  # "" for a source with no text (no entry)

    def want(self, sources: Iterable[str]) -> None:
        """Read these sources' texts now, a chunk per query, instead of one query each when `get` asks."""
        missing = sorted({s for s in sources if s in self._sources and s not in self.loaded})
        t = schema.texts.c
        for i in range(0, len(missing), _CHUNK):
            chunk = missing[i:i + _CHUNK]
            self.loaded.update(dict.fromkeys(chunk, ""))
            self.loaded.update((s, text or "") for s, text in self.conn.execute(
                select(t.source_id, t.text).where(t.source_id.in_(chunk))))

    def get(self, source_id: str, default: Any = None) -> Any:
        """A source's text, read on first use; `default` where the full link's plain dict has no entry."""
        if source_id not in self._sources:
            return default
        if source_id not in self.loaded:
            self.want([source_id])
        return self.loaded[source_id] or default

    def __getitem__(self, source_id: str) -> str:
        text = self.get(source_id)
        if text is None:
            raise KeyError(source_id)
        return text

    def __contains__(self, source_id: object) -> bool:
        return bool(self.get(source_id))

    def __iter__(self) -> Iterator[str]:
        self.want(self._sources)
        return iter(sorted(s for s in self._sources if self.loaded[s]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Lazy:
    """What an add's `Resolver` reads instead of every row: the kept summaries, the rows read so far."""

    def __init__(self, conn, kept: dict[str, list], sources: list[str], changes) -> None:
        self.rows = Rows(conn)
        self.kept = kept  # key -> summary, of the last run
        now = self.rows.read("source_id", changes.added | changes.changed)
        self.sources = (set(sources) - changes.sources) | {r.source_id for r in now}
        self.by_source = SourceRows(self.sources, self.rows)
        self.by_source.put([s for s in changes.added | changes.changed if s in self.sources], now)
        self.by_id = IdRows(self.rows)
        self.by_key: KeyRows | None = None
        self.delta: dict[str, list | None] = {}  # the keys changed since the base summaries were written
        self.old_counts: dict[str, int] = {}  # the dirty keys' mention counts in the last run (none: a new key)

    def settle(self, dirty: set[str]) -> None:
        """Read the dirty keys' rows; every other key keeps its summary (module docstring)."""
        self.old_counts = {key: self.kept.pop(key)[0] for key in dirty if key in self.kept}  # for `parts`' word counts
        fresh = KeyRows(dirty, self.rows)
        fresh.want(dirty)
        first = {k: v[3] for k, v in self.kept.items()}
        first.update((k, rows[0].id) for k, rows in fresh.loaded.items() if rows)
        self.by_key = KeyRows(sorted(first, key=first.__getitem__), self.rows)
        self.by_key.loaded.update((k, rows) for k, rows in fresh.loaded.items() if rows)

    def want_findings(self, findings: Iterable) -> None:
        """Read at once the rows every kept finding names (the in-text rules ask them one by one)."""
        ids: set[int] = set()
        for found in findings:
            if not (found.parens or found.cues or found.ors or found.titles or found.acronyms):
                continue  # most sources (1,184 of 1,594 at 1,600 documents) name no row
            ids.update(p[0] for p in found.parens)
            ids.update(p[1] for p in found.parens if p[1] >= 0)
            ids.update(c[0] for c in found.cues)
            ids.update(x for o in found.ors for x in o[:2])
            ids.update(t[0] for t in found.titles)
            ids.update(x for a in found.acronyms for x in a[:2])
        self.by_id.want(ids)


def summary(res, key: str) -> list:
    """[count, type, acronym, smallest id, first use's source, start, end, quote] of a key with mentions.

    The quote is the first use's evidence (cut from its source's text, `Resolver.quote_first`): a kept key's first
    use lies in a source that did not change, so its quote is the same and an add reads no text for it."""
    rows = res.by_key[key]
    first = res._first.get(key)  # the first use, when a rule asked for it or `keep` quoted it
    if first is None:
        first = res.quote_first([key])[key]
    return [len(rows), res.key_type(key), res.written_as_acronym(key), rows[0].id, *first]


def prefill(res, kept: dict[str, list]) -> None:
    """Answer the resolver's per-key questions from the kept summaries (none of these keys is dirty)."""
    values = kept.values()
    res._counts = dict(zip(kept, map(itemgetter(0), values)))
    res._key_types = dict(zip(kept, map(itemgetter(1), values)))
    res._acronym = dict(zip(kept, map(itemgetter(2), values)))
    res._first = dict(zip(kept, map(itemgetter(4, 5, 6, 7), values)))


def stored(conn, digest: str) -> tuple[list[str], dict[str, list], dict[str, list | None]] | None:
    """(sources, key -> summary, the delta) as the last run left them, when it ran with this digest; else None.

    The summaries sit in two rows: a base (`STATE`) and the keys changed since it was written (`DELTA`: a new
    summary, or None for a key gone), so an add writes its few keys, not all 6,800 of a 1,600-document store."""
    state = schema.corpus_state.c
    rows = dict(conn.execute(select(state.key, state.value).where(state.key.in_([STATE, DELTA]))).all())
    base, delta = (json.loads(rows[k]) if rows.get(k) else {} for k in (STATE, DELTA))
    if base.get("digest") != digest or delta.get("digest") != digest:
        return None
    keys = base["keys"]
    for key, value in delta["keys"].items():
        if value is None:
            keys.pop(key, None)
        else:
            keys[key] = value
    return delta["sources"], keys, delta["keys"]


def read(conn, digest: str, changes) -> Lazy | None:
    """The last run's summaries, when it ran with this digest; else None (the add reads every row)."""
    found = stored(conn, digest)
    if found is None:
        return None
    sources, keys, delta = found
    lazy = Lazy(conn, keys, sources, changes)
    lazy.delta = delta
    return lazy


def keep(conn, res, digest: str, sources: Iterable[str], lazy: Lazy | None) -> None:
    """Store every key's summary: the kept ones as they were, the others made from their rows; after an add,
    only the dirty keys' (`DELTA`) until more than `DELTA_MAX` keys changed since the base was written."""
    state = schema.corpus_state
    delta: dict[str, list | None] = {}
    if lazy is not None:
        res.quote_first([key for key in res.dirty if key in res.by_key and key not in res._first])
        delta = dict(lazy.delta)
        delta.update((key, summary(res, key) if key in res.by_key else None) for key in res.dirty)
        if len(delta) > DELTA_MAX:
            delta = {}
    if lazy is None or not delta:
        kept = lazy.kept if lazy is not None else {}
        res.quote_first([key for key in res.by_key if key not in kept and key not in res._first])
        keys = {key: kept.get(key) or summary(res, key) for key in res.by_key}
        conn.execute(delete(state).where(state.c.key == STATE))
        conn.execute(state.insert().values(key=STATE, value=json.dumps({"digest": digest, "keys": keys})))
    conn.execute(delete(state).where(state.c.key == DELTA))
    conn.execute(state.insert().values(key=DELTA, value=json.dumps(
        {"digest": digest, "sources": sorted(sources), "keys": delta})))
