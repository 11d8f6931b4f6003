"""The /map and /network pages and their .json twins: places with their events, actors with their links.

Both take the timeline's filters (`entity`, `source`, `kind`, `type`, `status`, `from`, `to`), so a
time range chosen on one view is the same URL parameters on the others. Clicking a place asks for
`/map.json?place=ID` (its events with quotes); clicking a link between two actors asks for
`/network.json?a=ID&b=ID` (their shared events with quotes). Coordinates come from the offline
gazetteers (`timeweave.geo`), computed once per store build and kept for the life of the app.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from fastapi import Request
from sqlalchemy import Connection, and_, desc, func, select

from timeweave.serve.app import App, wants_json
from timeweave.serve.filters import BadParameter, Filters, event_conditions, parse_filters
from timeweave.serve.queries import event_row, quote
from timeweave.store import schema as t

MAX_DETAIL_EVENTS = 50  # events listed for one place or one link
MAX_QUOTES = 3  # quotes per event in those lists
MAX_NODES = 150  # actors drawn on /network (the most connected)
MAX_EDGES = 600
_LOCK = threading.Lock()


def _id(request: Request, name: str) -> int | None:
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise BadParameter(f"Invalid {name}={value!r}: expected an entity id (integer).")
    return int(value)


def _limit(request: Request, name: str, default: int, high: int) -> int:
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= high:
        raise BadParameter(f"Invalid {name}={value!r}: expected an integer from 1 to {high}.")
    return int(value)


def locations(app: App, conn: Connection) -> dict[int, dict[str, Any]]:
    """Place entity id → location dict, computed once per build of the store (the last run's id)."""
    from timeweave.geo import place_locations

    run = conn.execute(select(func.max(t.runs.c.id))).scalar()
    cache = getattr(app, "_locations", None)
    if cache is None or cache[0] != run:
        with _LOCK:
            cache = (run, {k: v.as_dict() for k, v in place_locations(conn).items()})
            app._locations = cache
    return cache[1]


def _quotes(conn: Connection, event_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Up to MAX_QUOTES exact quotes per event (source, offsets, text)."""
    texts: dict[str, str] = {}
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    m = t.event_mentions.c
    for r in conn.execute(select(m.event_id, m.source_id, m.start, m.end).where(m.event_id.in_(event_ids))
                          .order_by(m.event_id, m.source_id, m.start)):
        if len(found[r.event_id]) < MAX_QUOTES:
            found[r.event_id].append({"source": r.source_id, "start": r.start, "end": r.end,
                                      "quote": quote(texts, conn, r.source_id, r.start, r.end)})
    return found


def _events_with_quotes(conn: Connection, condition, filters: Filters) -> list[dict[str, Any]]:
    e = t.events.c
    rows = conn.execute(select(t.events).where(condition, *event_conditions(filters))
                        .order_by(e.earliest.is_(None), e.earliest, e.id).limit(MAX_DETAIL_EVENTS)).all()
    quotes = _quotes(conn, [r.id for r in rows])
    return [event_row(r) | {"quotes": quotes.get(r.id, [])} for r in rows]


def map_data(app: App, conn: Connection, filters: Filters, *, place: int | None = None) -> dict[str, Any]:
    """Places with the number and date range of their (filtered) events; or one place's events."""
    where = locations(app, conn)
    e = t.events.c
    if place is not None:
        if place not in where:
            raise BadParameter(f"Invalid place={place}: no place entity with that id. See /map.json for the places.")
        return {"place": where[place], "events": _events_with_quotes(conn, e.place == place, filters),
                "filters": filters.as_params()}
    counts = {r.place: r for r in conn.execute(
        select(e.place, func.count().label("n"), func.min(e.earliest).label("first"), func.max(e.latest).label("last"))
        .where(e.place.is_not(None), *event_conditions(filters)).group_by(e.place))}
    filtered = bool(filters.as_params())
    places, unlocated = [], []
    for pid, loc in where.items():
        row = counts.get(pid)
        if row is None and filtered:
            continue
        item = {"id": pid, "name": loc["name"], "type": loc["type"], "events": row.n if row else 0,
                "first": row.first if row else None, "last": row.last if row else None, "how": loc["how"]}
        if loc["located"]:
            places.append(item | {"lat": loc["lat"], "lon": loc["lon"], "certainty": loc["certainty"]})
        else:
            unlocated.append(item)
    places.sort(key=lambda p: (-p["events"], p["name"]))
    unlocated.sort(key=lambda p: (-p["events"], p["name"]))
    return {"places": places, "unlocated": unlocated, "filters": filters.as_params(),
            "events_without_place": conn.execute(select(func.count()).select_from(t.events).where(
                e.place.is_(None), *event_conditions(filters))).scalar_one()}


def network_data(conn: Connection, filters: Filters, *, a: int | None = None, b: int | None = None,
                 max_nodes: int = MAX_NODES) -> dict[str, Any]:
    """Actors joined by the (filtered) events they share, the strongest links first; or one link's events."""
    p1, p2 = t.event_participants.alias("p1"), t.event_participants.alias("p2")
    e = t.events.c
    names = {r.id: r for r in conn.execute(select(t.entities.c.id, t.entities.c.name, t.entities.c.type))}
    if a is not None or b is not None:
        if a is None or b is None or a == b or a not in names or b not in names:
            raise BadParameter("Invalid a/b: give two different entity ids (a=ID&b=ID) that are in this store.")
        shared = select(p1.c.event_id).join(p2, and_(p2.c.event_id == p1.c.event_id, p2.c.entity_id == b)).where(p1.c.entity_id == a)
        return {"link": {"a": {"id": a, "name": names[a].name}, "b": {"id": b, "name": names[b].name}},
                "events": _events_with_quotes(conn, e.id.in_(shared), filters), "filters": filters.as_params()}
    conditions = event_conditions(filters)
    pairs = (select(p1.c.entity_id.label("a"), p2.c.entity_id.label("b"), func.count(func.distinct(p1.c.event_id)).label("n"),
                    func.min(e.earliest).label("first"), func.max(e.latest).label("last"))
             .join(p2, and_(p2.c.event_id == p1.c.event_id, p2.c.entity_id > p1.c.entity_id))
             .join(t.events, e.id == p1.c.event_id).where(*conditions)
             .group_by(p1.c.entity_id, p2.c.entity_id).order_by(desc("n"), "a", "b").limit(MAX_EDGES))
    edges = [{"a": r.a, "b": r.b, "weight": r.n, "first": r.first, "last": r.last} for r in conn.execute(pairs)]
    strength: dict[int, int] = defaultdict(int)
    for edge in edges:
        strength[edge["a"]] += edge["weight"]
        strength[edge["b"]] += edge["weight"]
    keep = set(sorted(strength, key=lambda n: (-strength[n], n))[:max_nodes])
    edges = [edge for edge in edges if edge["a"] in keep and edge["b"] in keep]
    nodes = [{"id": n, "name": names[n].name, "type": names[n].type, "weight": strength[n]}
             for n in sorted(keep, key=lambda n: (-strength[n], n))]
    return {"nodes": nodes, "edges": edges, "filters": filters.as_params(),
            "truncated": len(strength) > len(keep) or len(edges) >= MAX_EDGES}


def add_map_pages(app: App) -> None:
    """Register /map and /network (HTML and .json) on `app`."""
    from timeweave.serve.pages import _options

    @app.page("/map", "map.html")
    def map_page(request: Request, conn: Connection) -> dict[str, Any]:
        filters, place = parse_filters(request.query_params), _id(request, "place")
        if wants_json(request):
            return {"title": "Map"} | map_data(app, conn, filters, place=place)
        # The page: the whole map, with the asked-for place already open in the side panel.
        detail = map_data(app, conn, filters, place=place) if place is not None else None
        return {"title": "Map", "options": _options(conn), "detail": detail} | map_data(app, conn, filters)

    @app.page("/network", "network.html")
    def network_page(request: Request, conn: Connection) -> dict[str, Any]:
        filters, a, b = parse_filters(request.query_params), _id(request, "a"), _id(request, "b")
        nodes = _limit(request, "nodes", MAX_NODES, MAX_NODES)
        if wants_json(request):
            return {"title": "Network"} | network_data(conn, filters, a=a, b=b, max_nodes=nodes)
        detail = network_data(conn, filters, a=a, b=b) if (a, b) != (None, None) else None
        return {"title": "Network", "options": _options(conn), "detail": detail} | network_data(conn, filters, max_nodes=nodes)
