"""An in-memory index of events for /map and /network: filters as numpy masks, groups as numpy sorts.

The store does not change while it is served (a build writes a new `runs` row), so the events'
dates, places, statuses, types, actors and sources are read once per build into arrays. A request
then filters 100,000 events and groups their places or actor pairs in a few milliseconds instead of
a SQL self-join per request. The semantics are those of `filters.event_conditions` (a test holds the
two equal): an entity acts in the event or is its place; a source or kind has a mention of it; `from`
keeps events ending on or after it, `to` events starting on or before it; undated events fall out.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from sqlalchemy import Connection, func, select

from timeweave.serve.filters import Filters, _pad
from timeweave.store import schema as t

NONE = np.iinfo(np.int64).max  # "no date" for a minimum
NEVER = np.iinfo(np.int64).min  # "no date" for a maximum
_LOCK = threading.Lock()


def day_key(iso: str | None) -> int | None:
    """`YYYY-MM-DD` (a leading '-' for BCE) as an integer with the same order: ±year·10⁴ + month·100 + day."""
    if not iso:
        return None
    sign = -1 if iso.startswith("-") else 1
    year, month, day = iso.lstrip("-").split("-")
    return sign * int(year) * 10_000 + int(month) * 100 + int(day)


def key_day(key: int) -> str | None:
    """The inverse of `day_key` (None for the no-date sentinels)."""
    if key in (NONE, NEVER):
        return None
    year = -((-key + 9_999) // 10_000) if key < 0 else key // 10_000  # BCE: -439685 is year -44, 03-15
    rest = key - year * 10_000  # month·100 + day, always positive
    return f"{'-' if year < 0 else ''}{abs(year):04d}-{rest // 100:02d}-{rest % 100:02d}"


@dataclass
class EventIndex:
    run: int | None
    ids: np.ndarray  # event ids
    d0: np.ndarray  # day_key(earliest), NONE when undated
    d1: np.ndarray  # day_key(latest), NEVER when undated
    place: np.ndarray  # entity id or -1
    status: np.ndarray  # object: the status strings
    type: np.ndarray  # object: the type strings
    part_event: np.ndarray  # row in `ids` of each (event, actor)
    part_entity: np.ndarray
    ment_event: np.ndarray  # row in `ids` of each (event, source)
    ment_source: np.ndarray  # object: source ids
    source_kind: dict[str, str]
    pair_event: np.ndarray  # row in `ids` of each pair of actors of one event
    pair_a: np.ndarray  # the smaller entity id
    pair_b: np.ndarray

    def mask(self, filters: Filters) -> np.ndarray:
        """Which events pass the filters (the semantics of `event_conditions`)."""
        keep = np.ones(len(self.ids), dtype=bool)
        if filters.entity is not None:
            acts = np.zeros(len(self.ids), dtype=bool)
            acts[self.part_event[self.part_entity == filters.entity]] = True
            keep &= acts | (self.place == filters.entity)
        if filters.source:
            keep &= self._with_mention(self.ment_source == filters.source)
        if filters.kind:
            sources = [s for s, k in self.source_kind.items() if k == filters.kind]
            keep &= self._with_mention(np.isin(self.ment_source, sources))
        if filters.type:
            keep &= self.type == filters.type
        if filters.status:
            keep &= self.status == filters.status
        if filters.date_from:
            keep &= self.d1 >= day_key(_pad(filters.date_from, end=False))
        if filters.date_to:
            keep &= self.d0 <= day_key(_pad(filters.date_to, end=True))
        return keep

    def _with_mention(self, rows: np.ndarray) -> np.ndarray:
        found = np.zeros(len(self.ids), dtype=bool)
        found[self.ment_event[rows]] = True
        return found

    def first_ids(self, keep: np.ndarray, limit: int) -> list[int]:
        """The ids of the first `limit` kept events in date order (undated last, then by id)."""
        rows = np.flatnonzero(keep)
        order = np.lexsort((self.ids[rows], self.d0[rows], self.d0[rows] == NONE))[:limit]
        return [int(i) for i in self.ids[rows[order]]]

    def places(self, keep: np.ndarray) -> dict[int, tuple[int, str | None, str | None]]:
        """Place id → (events, first day, last day) over the kept events."""
        rows = np.flatnonzero(keep & (self.place >= 0))
        if not len(rows):
            return {}
        ids, inverse, counts = np.unique(self.place[rows], return_inverse=True, return_counts=True)
        first, last = np.full(len(ids), NONE), np.full(len(ids), NEVER)
        np.minimum.at(first, inverse, self.d0[rows])
        np.maximum.at(last, inverse, self.d1[rows])
        return {int(p): (int(n), key_day(int(f)), key_day(int(x))) for p, n, f, x in zip(ids, counts, first, last)}

    def links(self, keep: np.ndarray) -> list[tuple[int, int, int, str | None, str | None]]:
        """(a, b, shared events, first day, last day) for every pair of actors of the kept events."""
        rows = np.flatnonzero(keep[self.pair_event])
        if not len(rows):
            return []
        a, b, ev = self.pair_a[rows], self.pair_b[rows], self.pair_event[rows]
        width = int(max(a.max(), b.max())) + 1
        keys, inverse, counts = np.unique(a * width + b, return_inverse=True, return_counts=True)
        first, last = np.full(len(keys), NONE), np.full(len(keys), NEVER)
        np.minimum.at(first, inverse, self.d0[ev])
        np.maximum.at(last, inverse, self.d1[ev])
        return [(int(k // width), int(k % width), int(n), key_day(int(f)), key_day(int(x)))
                for k, n, f, x in zip(keys, counts, first, last)]

    def shared(self, a: int, b: int, keep: np.ndarray) -> np.ndarray:
        """A mask of the kept events in which both `a` and `b` act."""
        lo, hi = min(a, b), max(a, b)
        both = np.zeros(len(self.ids), dtype=bool)
        both[self.pair_event[(self.pair_a == lo) & (self.pair_b == hi)]] = True
        return both & keep


def build_index(conn: Connection, run: int | None) -> EventIndex:
    """Read the events, their actors and their sources once into arrays."""
    e = t.events.c
    rows = conn.execute(select(e.id, e.earliest, e.latest, e.place, e.status, e.type).order_by(e.id)).all()
    ids = np.array([r.id for r in rows], dtype=np.int64)
    position = {int(i): n for n, i in enumerate(ids)}
    d0 = np.array([day_key(r.earliest) if r.earliest and r.latest else NONE for r in rows], dtype=np.int64)
    d1 = np.array([day_key(r.latest) if r.earliest and r.latest else NEVER for r in rows], dtype=np.int64)
    place = np.array([-1 if r.place is None else r.place for r in rows], dtype=np.int64)
    p = t.event_participants.c
    actors: dict[int, set[int]] = defaultdict(set)
    for event_id, entity_id in conn.execute(select(p.event_id, p.entity_id).distinct()):
        if event_id in position:
            actors[position[event_id]].add(entity_id)
    part_event = np.array([n for n, group in actors.items() for _ in group], dtype=np.int64)
    part_entity = np.array([x for group in actors.values() for x in group], dtype=np.int64)
    pairs = [(n, a, b) for n, group in actors.items() for a, b in combinations(sorted(group), 2)]
    m = t.event_mentions.c
    mentions = [(position[r[0]], r[1]) for r in conn.execute(
        select(m.event_id, m.source_id).where(m.event_id.is_not(None)).distinct()) if r[0] in position]
    return EventIndex(
        run=run, ids=ids, d0=d0, d1=d1, place=place,
        status=np.array([r.status for r in rows], dtype=object), type=np.array([r.type for r in rows], dtype=object),
        part_event=part_event, part_entity=part_entity,
        ment_event=np.array([x[0] for x in mentions], dtype=np.int64), ment_source=np.array([x[1] for x in mentions], dtype=object),
        source_kind=dict(conn.execute(select(t.sources.c.id, t.sources.c.kind)).all()),
        pair_event=np.array([x[0] for x in pairs], dtype=np.int64), pair_a=np.array([x[1] for x in pairs], dtype=np.int64),
        pair_b=np.array([x[2] for x in pairs], dtype=np.int64))


def event_index(holder, conn: Connection) -> EventIndex:
    """The index of the store's current build, kept on `holder` and rebuilt after a new build."""
    run = conn.execute(select(func.max(t.runs.c.id))).scalar()
    index = getattr(holder, "_event_index", None)
    if index is None or index.run != run:
        with _LOCK:
            index = getattr(holder, "_event_index", None)
            if index is None or index.run != run:
                index = build_index(conn, run)
                holder._event_index = index
    return index
