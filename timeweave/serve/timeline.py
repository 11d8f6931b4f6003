"""The timeline's data: events in a date window, or per-bin counts by status when there are many.

The browser asks for the window it shows (`/timeline.json?start=&end=&bins=`) every time the user
zooms or pans, so the server never sends more than `MAX_EVENTS` events: with 100,000 events a
decade view gets a histogram and a day view gets the events themselves. Every answer is computed
from the timeline's columns (day numbers, status, type and place of every event, see
store/timeline_index.py), held in memory per store generation: a window over 100,000 events is a
few vectorised passes, not a scan of the rows in SQL. Only the entity/source/kind filters ask the
store (which events an entity joins or a source attests), and their answers are kept per generation.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select, text

from timeweave.serve.filters import BadParameter, Filters
from timeweave.store import schema as t
from timeweave.store.timeline_index import Columns, chunks, generation, load_columns

log = logging.getLogger(__name__)

MAX_EVENTS = 300
MAX_BINS = 2000
STATUSES = ("corroborated", "single_source", "contested")
_EXACT_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def fuzzy_ends(edtf: str | None) -> list[bool]:
    """Whether each end of a date is uncertain: only an exact day (or interval of days) is crisp.

    "1936" means "some time in 1936", so both ends of its bar are drawn fuzzy rather than as a
    false point or a false year-long duration.
    """
    if not edtf:
        return [True, True]
    parts = edtf.split("/")
    if len(parts) == 1:
        crisp = bool(_EXACT_DAY.fullmatch(edtf))
        return [not crisp, not crisp]
    return [not _EXACT_DAY.fullmatch(parts[0]), not _EXACT_DAY.fullmatch(parts[-1])]


def parse_day(value: str | None, *, end: bool = False) -> date | None:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` as the first (or, with end=True, last) day it covers."""
    if not value:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value.strip(), re.ASCII)
    if not m:
        raise BadParameter(f"Invalid date {value[:40]!r}: use YYYY, YYYY-MM or YYYY-MM-DD.")
    year, month, day = int(m[1]), int(m[2] or 0), int(m[3] or 0)
    try:
        if year < 1 or (m[2] and not 1 <= month <= 12) or (m[3] and not 1 <= day):
            raise ValueError
        if not end or day:
            return date(year, month or 1, day or 1)
        if month:
            return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)
        return date(year, 12, 31)
    except (ValueError, OverflowError):
        raise BadParameter(f"Invalid date {value!r}: no such day (years 0001-9999, months 01-12, days that exist).") from None


_CACHE: "weakref.WeakKeyDictionary[Engine, tuple[str, Columns]]" = weakref.WeakKeyDictionary()
_KEPT: "OrderedDict[tuple, Any]" = OrderedDict()  # subsets, per (engine, generation, filters)
KEPT = 16  # filter combinations kept: each holds ~11 bytes per matching event (1.1 MB for 100k events)
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Subset:
    """The events passing some filters: positions in the columns, and per status their first and last days sorted.

    Sorted days answer every count the timeline shows by bisection, whatever the window and the
    number of bins: the events of status s overlapping days [x, y] number
    `#(first <= y) - #(last < x)`, because an event that ends before x also starts before it.
    """

    positions: np.ndarray  # of dated events, into Columns
    undated: int
    first: dict[str, np.ndarray]
    last: dict[str, np.ndarray]

    def overlapping(self, status: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """How many events of `status` overlap each [x, y] (day ordinals, arrays of the same shape)."""
        return (np.searchsorted(self.first[status], y, side="right")
                - np.searchsorted(self.last[status], x, side="left"))


def _remember(key: tuple, make) -> Any:
    """`make()` kept under `key` (least recently used dropped first); not kept when the key has no generation."""
    if key[1] is None:
        return make()
    with _LOCK:
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return _KEPT[key]
    value = make()
    with _LOCK:
        _KEPT[key] = value
        while len(_KEPT) > KEPT:
            _KEPT.popitem(last=False)
    return value


def columns_of(engine: Engine) -> tuple[Columns, str | None]:
    """The timeline's columns of this store, and the generation they belong to (None: not cached).

    Read from `timeline_arrays` once per generation and kept while every reindex leaves the
    generation alone; the generation is read first, so a reindex committing in between can only
    make the next request reload, never keep an old copy. A store built before the arrays existed
    gets them computed from `events` on every request: correct, slow at 100k events.
    """
    with engine.connect() as conn:
        token = generation(conn)
        cached = _CACHE.get(engine)
        if token is not None and cached is not None and cached[0] == token:
            return cached[1], token
        columns = load_columns(conn) if token is not None else None
        if columns is None:
            log.warning("no timeline arrays in this store (built by an older timeweave): the timeline reads every "
                        "event on each request; rebuild the store to make it fast")
            return columns_from_events(conn), None
    with _LOCK:
        _CACHE[engine] = (token, columns)
    return columns, token


def columns_from_events(conn) -> Columns:
    """The columns computed from the `events` table (what `timeline_arrays` holds, without it)."""
    from timeweave.store.timeline_index import _columns, _event_rows

    return _columns(_event_rows(conn, None))


def _ids(engine: Engine, query) -> np.ndarray:
    """Event ids a filter on participants or sources selects, sorted."""
    with engine.connect() as conn:
        return np.unique(np.fromiter((i for i in conn.execute(query).scalars() if i is not None), dtype=np.int64))


def filter_mask(engine: Engine, columns: Columns, filters: Filters) -> np.ndarray:
    """Which events (positions in `columns`) pass the filters, dates included."""
    mask = np.ones(len(columns), dtype=bool)
    m, ep = t.event_mentions.c, t.event_participants.c
    if filters.entity is not None:
        acts = _ids(engine, select(ep.event_id).where(ep.entity_id == filters.entity))
        mask &= np.isin(columns.ids, acts, assume_unique=True) | (columns.place == filters.entity)
    if filters.source:
        mask &= np.isin(columns.ids, _ids(engine, select(m.event_id).where(m.source_id == filters.source).distinct()),
                        assume_unique=True)
    if filters.kind:
        kinds = select(t.sources.c.id).where(t.sources.c.kind == filters.kind)
        mask &= np.isin(columns.ids, _ids(engine, select(m.event_id).where(m.source_id.in_(kinds)).distinct()),
                        assume_unique=True)
    for value, codes, vocab in ((filters.type, columns.type, columns.types), (filters.status, columns.status, columns.statuses)):
        if value:
            mask &= codes == (vocab.index(value) if value in vocab else -2)
    if filters.date_from:
        mask &= columns.d1 >= parse_day(filters.date_from).toordinal()
    if filters.date_to:
        mask &= columns.d0 <= parse_day(filters.date_to, end=True).toordinal()
    return mask


def subset(engine: Engine, columns: Columns, token: str | None, filters: Filters) -> Subset:
    """The events passing `filters`, kept per (store, generation, filters): zooming and panning reuse it."""

    def make() -> Subset:
        mask = filter_mask(engine, columns, filters)
        positions = np.flatnonzero(mask & (columns.d0 > 0)).astype(np.int32)
        status = columns.status[positions]
        first, last = {}, {}
        for code, name in enumerate(columns.statuses):
            chosen = positions[status == code]
            first[name], last[name] = np.sort(columns.d0[chosen]), np.sort(columns.d1[chosen])
        return Subset(positions, int(np.count_nonzero(mask & (columns.d0 == 0))), first, last)

    return _remember((id(engine), token, filters), make)


def timeline_data(engine: Engine, filters: Filters, *, start: str | None, end: str | None, bins: int = 200,
                  max_events: int = MAX_EVENTS) -> dict[str, Any]:
    """What `/timeline.json` returns: the window, the undated count, and events (at most `max_events`) or bins.

    Each bin counts the events that start in it (clipped to the window, so the bins add up to the
    window's total) and, in `spread`, the events whose span overlaps it: a year-long or vague date
    is drawn over its whole span instead of piling up on its first day.
    """
    max_events = max(1, min(max_events, MAX_EVENTS))
    bins = max(1, min(int(bins), MAX_BINS))
    columns, token = columns_of(engine)
    chosen = subset(engine, columns, token, filters)
    out: dict[str, Any] = {"undated": chosen.undated, "events": [], "bins": []}
    lo, hi = parse_day(start), parse_day(end, end=True)
    if lo is None or hi is None:
        if not len(chosen.positions):
            return out | {"start": None, "end": None, "mode": "events", "total": 0, "extent": None}
        first = min(int(f[0]) for f in chosen.first.values() if len(f))
        last = max(int(f[-1]) for f in chosen.last.values() if len(f))
        out["extent"] = {"earliest": date.fromordinal(first).isoformat(), "latest": date.fromordinal(last).isoformat()}
        lo, hi = lo or date.fromordinal(first), hi or date.fromordinal(last)
    if hi < lo:
        lo, hi = hi, lo
    a, b = lo.toordinal(), hi.toordinal()
    days = b - a + 1
    bins = min(bins, days)  # a bin is at least a day: finer bins would be empty
    # Bin i holds the days whose offset x from `a` has x * bins // days == i: [a + starts[i], a + starts[i + 1] - 1].
    starts = a + -(-np.arange(bins + 1, dtype=np.int64) * days // bins)
    counts = {name: chosen.overlapping(name, np.array([a]), np.array([b]))[0] for name in chosen.first}
    total = int(sum(counts.values()))
    out |= {"start": lo.isoformat(), "end": hi.isoformat(), "total": total}
    if total <= max_events:
        pos = chosen.positions
        ids = columns.ids[pos[(columns.d0[pos] <= b) & (columns.d1[pos] >= a)]].tolist()
        return out | {"mode": "events", "events": window_events(engine, ids) if ids else []}
    by_start, spread = {}, {}
    for name in chosen.first:
        below = np.searchsorted(chosen.first[name], starts - 1, side="right")  # events starting before each bin
        before_window = np.searchsorted(chosen.last[name], a, side="left")  # events over before the window
        began = np.diff(below)
        began[0] = below[1] - before_window  # the first bin also holds what began earlier and lasts into the window
        by_start[name] = began
        spread[name] = chosen.overlapping(name, starts[:-1], starts[1:] - 1)
    return out | {"mode": "bins", "bin_days": days / bins, "bins": bin_rows(by_start, spread, starts)}


def bin_rows(by_start: dict[str, np.ndarray], spread: dict[str, np.ndarray], starts: np.ndarray) -> list[dict[str, Any]]:
    """The bins holding any event, each with its counts by status: of events starting in it, and of those spanning it."""
    names = list(dict.fromkeys([*STATUSES, *by_start]))
    zero = np.zeros(len(starts) - 1, dtype=np.int64)
    began = {n: by_start.get(n, zero).tolist() for n in names}
    over = {n: spread.get(n, zero).tolist() for n in names}
    began_total = sum((by_start.get(n, zero) for n in names), zero)
    over_total = sum((spread.get(n, zero) for n in names), zero)
    bounds = starts.tolist()
    began_total, over_total = began_total.tolist(), over_total.tolist()
    rows = []
    for i in np.flatnonzero(np.add(began_total, over_total)).tolist():
        row = {"start": date.fromordinal(bounds[i]).isoformat(), "end": date.fromordinal(bounds[i + 1] - 1).isoformat()}
        row.update((n, began[n][i]) for n in names)
        spread_row = {n: over[n][i] for n in names}
        spread_row["total"] = over_total[i]
        row["total"], row["spread"] = began_total[i], spread_row
        rows.append(row)
    return rows


def window_events(engine: Engine, ids: list[int]) -> list[dict[str, Any]]:
    """The events `ids` (at most MAX_EVENTS, earliest first), each with its fuzzy ends and, when contested, one lane per source.

    Rows are unpacked by position: a SQLAlchemy 2.1 Row's attribute costs ~3 µs, which made 300
    events 20 ms of attribute lookups; the ids are integers from the index, written into the SQL.
    """
    e = t.events.c
    with engine.connect() as conn:
        rows = []
        for batch in chunks(ids):
            rows += conn.execute(select(e.id, e.label, e.type, e.status, e.edtf, e.earliest, e.latest, e.when_reason)
                                 .where(e.id.in_(literal_ids(batch)))).all()
        rows = sorted(rows, key=lambda r: (r[5] is None, r[5] or "", r[6] is None, r[6] or "", r[0]))[:MAX_EVENTS]
        contested = [r[0] for r in rows if r[3] == "contested"]
        lanes = lanes_for(conn, contested) if contested else {}
    return [
        {"id": i, "label": label, "type": type_, "status": status, "edtf": edtf, "earliest": earliest, "latest": latest,
         "when_reason": reason, "fuzzy": fuzzy_ends(edtf), "lanes": lanes.get(i, [])}
        for i, label, type_, status, edtf, earliest, latest, reason in rows
    ]


def literal_ids(ids: list[int]):
    """`ids` as a literal list for IN (...): integers need no parameters, and 300 parameters cost more than the query."""
    return text(", ".join(str(int(i)) for i in ids) or "NULL")


def lanes_for(conn, event_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each source's own date for each event: the span of what that source's evidence says."""
    m = t.event_mentions.c
    lanes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for batch in chunks(sorted(set(event_ids))):
        query = (select(m.event_id, m.source_id, func.min(m.earliest), func.max(m.latest), func.min(m.edtf), func.min(m.when_text))
                 .where(m.event_id.in_(literal_ids(batch)), m.earliest.is_not(None))
                 .group_by(m.event_id, m.source_id).order_by(m.event_id, func.min(m.earliest), m.source_id))
        for event_id, source_id, earliest, latest, edtf, when_text in conn.execute(query):
            lanes[event_id].append({"source": source_id, "earliest": earliest, "latest": latest, "edtf": edtf,
                                    "when_text": when_text, "fuzzy": fuzzy_ends(edtf)})
    return lanes


def mini_geometry(items: list[dict[str, Any]], *, width: int = 1000) -> dict[str, Any]:
    """x/width (in SVG units) for a small server-drawn timeline of `items` (dated ones only), with year ticks.

    Used for an entity's events and for the per-source dates of one event: no script needed.
    """
    dated = [i for i in items if i.get("earliest") and i.get("latest")]
    if not dated:
        return {"items": [], "ticks": [], "width": width}
    lo = min(date.fromisoformat(i["earliest"]) for i in dated).toordinal()
    hi = max(date.fromisoformat(i["latest"]) for i in dated).toordinal() + 1
    pad = max(15, (hi - lo) // 12)
    lo, hi = lo - pad, hi + pad
    scale = width / (hi - lo)
    placed = []
    for i in dated:
        a = (date.fromisoformat(i["earliest"]).toordinal() - lo) * scale
        b = (date.fromisoformat(i["latest"]).toordinal() + 1 - lo) * scale
        placed.append(i | {"x": round(a, 1), "w": round(max(b - a, 4), 1), "fuzzy": i.get("fuzzy") or fuzzy_ends(i.get("edtf"))})
    first, last = date.fromordinal(lo), date.fromordinal(hi)
    ticks = []
    if last.year - first.year >= 2:
        step = max(1, (last.year - first.year) // 8)
        for year in range(first.year + 1, last.year + 1):
            if year % step == 0:
                ticks.append({"x": round((date(year, 1, 1).toordinal() - lo) * scale, 1), "label": str(year)})
    else:
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            d = date(y, m, 1)
            if lo <= d.toordinal() <= hi:
                ticks.append({"x": round((d.toordinal() - lo) * scale, 1), "label": d.strftime("%b %Y")})
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        if len(ticks) > 8:
            ticks = ticks[:: -(-len(ticks) // 8)]
    return {"items": placed, "ticks": ticks, "width": width}
