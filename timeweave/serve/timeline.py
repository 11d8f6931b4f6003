"""The timeline's data: events in a date window, or per-bin counts by status when there are many.

The browser asks for the window it shows (`/timeline.json?start=&end=&bins=`) every time the user
zooms or pans, so the server never sends more than `MAX_EVENTS` events: with 100,000 events a
decade view gets a histogram and a day view gets the events themselves. Dates are the stored ISO
strings (`YYYY-MM-DD`), which compare correctly as text, so the window filter can use the index on
`events.earliest`. An event is counted in the bin where it starts (clipped to the window).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, func, inspect, select

from timeweave.serve.filters import BadParameter, Filters, event_conditions, index_conditions
from timeweave.store import schema as t
from timeweave.store.search import TIMELINE

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


def _index_table(engine: Engine) -> Table | None:
    """The derived `timeline_index` (see store/search.py), or None for a store built before it existed."""
    if engine not in _HAS_INDEX:
        _HAS_INDEX[engine] = inspect(engine).has_table(TIMELINE)
    return _TI if _HAS_INDEX[engine] else None


_HAS_INDEX: dict[Engine, bool] = {}
_TI = Table(TIMELINE, MetaData(), Column("id", Integer), Column("d0", Integer), Column("d1", Integer),
            Column("status", String), Column("type", String), Column("place", Integer))


def timeline_data(engine: Engine, filters: Filters, *, start: str | None, end: str | None, bins: int = 200,
                  max_events: int = MAX_EVENTS) -> dict[str, Any]:
    """What `/timeline.json` returns: the window, the undated count, and events (at most `max_events`) or bins."""
    max_events = max(1, min(max_events, MAX_EVENTS))
    ti = _index_table(engine)
    if ti is None:
        log.warning("no timeline_index in this store (built by an older timeweave): the timeline will be slow; rebuild it")
        return _from_events(engine, filters, start=start, end=end, bins=bins, max_events=max_events)
    e = t.events.c
    bins = max(1, min(int(bins), MAX_BINS))
    where = index_conditions(filters, ti)
    with engine.connect() as conn:
        undated = conn.execute(select(func.count()).select_from(t.events).where(
            e.earliest.is_(None), *event_conditions(filters))).scalar_one()
        out: dict[str, Any] = {"undated": undated, "events": [], "bins": []}
        lo, hi = parse_day(start), parse_day(end, end=True)
        if lo is None or hi is None:
            first, last = conn.execute(select(func.min(ti.c.d0), func.max(ti.c.d1)).where(*where)).one()
            if first is None:
                return out | {"start": None, "end": None, "mode": "events", "total": 0, "extent": None}
            out["extent"] = {"earliest": date.fromordinal(first).isoformat(), "latest": date.fromordinal(last).isoformat()}
            lo, hi = lo or date.fromordinal(first), hi or date.fromordinal(last)
        if hi < lo:
            lo, hi = hi, lo
        a, b = lo.toordinal(), hi.toordinal()
        days = b - a + 1
        window = [ti.c.d0 <= b, ti.c.d1 >= a, *where]
        clipped = (func.greatest if engine.dialect.name == "postgresql" else func.max)(ti.c.d0, a)
        index = ((clipped - a) * bins // days).label("b")
        counts = conn.execute(select(index, ti.c.status, func.count()).where(*window).group_by(index, ti.c.status)).all()
        total = sum(n for _i, _s, n in counts)
        out |= {"start": lo.isoformat(), "end": hi.isoformat(), "total": total}
        if total <= max_events:
            ids = [r[0] for r in conn.execute(select(ti.c.id).where(*window))]
            out["mode"] = "events"
            out["events"] = window_events(engine, [e.id.in_(ids)]) if ids else []
            return out
    out["mode"] = "bins"
    out["bin_days"] = days / bins
    out["bins"] = _bins(counts, lo, days, bins)
    return out


def _bins(counts, lo: date, days: int, bins: int) -> list[dict[str, Any]]:
    table: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for index, status, n in counts:
        i = min(int(index), bins - 1)
        table[i][status] = table[i].get(status, 0) + n
    width = days / bins
    return [{"start": (lo + timedelta(days=int(i * width))).isoformat(),
             "end": (lo + timedelta(days=max(int((i + 1) * width) - 1, int(i * width)))).isoformat(),
             **table[i], "total": sum(table[i].values())} for i in sorted(table)]


def _from_events(engine: Engine, filters: Filters, *, start: str | None, end: str | None, bins: int,
                 max_events: int) -> dict[str, Any]:
    """The same answer from the events table alone (date strings): correct, but slow at 100k events."""
    e = t.events.c
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(e.earliest), func.max(e.latest)).where(
            e.earliest.is_not(None), *event_conditions(filters))).one()
        undated = conn.execute(select(func.count()).select_from(t.events).where(
            e.earliest.is_(None), *event_conditions(filters))).scalar_one()
    lo = parse_day(start) or (date.fromisoformat(first) if first else None)
    hi = parse_day(end, end=True) or (date.fromisoformat(last) if last else None)
    bins = max(1, min(int(bins), MAX_BINS))
    out: dict[str, Any] = {"extent": {"earliest": first, "latest": last}, "undated": undated, "events": [], "bins": []}
    if lo is None or hi is None:
        return out | {"start": None, "end": None, "mode": "events", "total": 0}
    if hi < lo:
        lo, hi = hi, lo
    s, en = lo.isoformat(), hi.isoformat()
    window = [e.earliest.is_not(None), e.earliest <= en, e.latest >= s, *event_conditions(filters)]
    days = (hi - lo).days + 1
    with engine.connect() as conn:
        rows = conn.execute(select(e.earliest, e.status).where(*window)).all()
    tally: dict[tuple[int, str], int] = defaultdict(int)
    for earliest, status in rows:
        first_day = max(date.fromisoformat(earliest[:10]), lo) if len(earliest) >= 10 and earliest[0] != "-" else lo
        tally[((first_day - lo).days * bins // days, status)] += 1
    counts = [(i, status, n) for (i, status), n in tally.items()]
    total = sum(n for _b, _s, n in counts)
    out |= {"start": s, "end": en, "total": total}
    if total > max_events:
        return out | {"mode": "bins", "bin_days": days / bins, "bins": _bins(counts, lo, days, bins)}
    return out | {"mode": "events", "events": window_events(engine, window)}


def window_events(engine: Engine, window: list) -> list[dict[str, Any]]:
    """The events in the window, each with its fuzzy ends and, when contested, one lane per source."""
    e = t.events.c
    with engine.connect() as conn:
        rows = conn.execute(select(e.id, e.label, e.type, e.status, e.edtf, e.earliest, e.latest, e.when_reason)
                            .where(*window).order_by(e.earliest, e.latest, e.id).limit(MAX_EVENTS)).all()
        contested = [r.id for r in rows if r.status == "contested"]
        lanes = lanes_for(conn, contested) if contested else {}
    return [
        {"id": r.id, "label": r.label, "type": r.type, "status": r.status, "edtf": r.edtf,
         "earliest": r.earliest, "latest": r.latest, "when_reason": r.when_reason,
         "fuzzy": fuzzy_ends(r.edtf), "lanes": lanes.get(r.id, [])}
        for r in rows
    ]


def lanes_for(conn, event_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each source's own date for each event: the span of what that source's evidence says."""
    m = t.event_mentions.c
    query = (select(m.event_id, m.source_id, func.min(m.earliest), func.max(m.latest), func.min(m.edtf), func.min(m.when_text))
             .where(m.event_id.in_(event_ids), m.earliest.is_not(None))
             .group_by(m.event_id, m.source_id).order_by(m.event_id, func.min(m.earliest), m.source_id))
    lanes: dict[int, list[dict[str, Any]]] = defaultdict(list)
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
