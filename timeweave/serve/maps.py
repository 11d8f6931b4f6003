"""The /map and /network pages and their .json twins: places with their events, actors with their links.

Both take the timeline's filters (`entity`, `source`, `kind`, `type`, `status`, `from`, `to`), so a
time range chosen on one view is the same URL parameters on the others. Clicking a place asks for
`/map.json?place=ID` (its events with quotes); clicking a link between two actors asks for
`/network.json?a=ID&b=ID` (their shared events with quotes). Coordinates come from the offline
gazetteers (`timeweave.geo`); the filtering and grouping run on an in-memory index of the events
(`maps_index`); both are computed once per store build and kept for the life of the app.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from fastapi import Request
from sqlalchemy import Connection, func, select

from timeweave.serve.app import App, wants_json
from timeweave.serve.filters import BadParameter, Filters, parse_filters
from timeweave.serve.maps_index import event_index
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


def _events_with_quotes(conn: Connection, event_ids: list[int]) -> list[dict[str, Any]]:
    """The events (in the given order) with up to MAX_QUOTES exact quotes each."""
    if not event_ids:
        return []
    rows = {r.id: r for r in conn.execute(select(t.events).where(t.events.c.id.in_(event_ids)))}
    quotes = _quotes(conn, event_ids)
    return [event_row(rows[i]) | {"quotes": quotes.get(i, [])} for i in event_ids if i in rows]


def map_data(app: App, conn: Connection, filters: Filters, *, place: int | None = None) -> dict[str, Any]:
    """Places with the number and date range of their (filtered) events; or one place's events."""
    where = locations(app, conn)
    index = event_index(app, conn)
    keep = index.mask(filters)
    if place is not None:
        if place not in where:
            raise BadParameter(f"Invalid place={place}: no place entity with that id. See /map.json for the places.")
        ids = index.first_ids(keep & (index.place == place), MAX_DETAIL_EVENTS)
        return {"place": where[place], "events": _events_with_quotes(conn, ids), "filters": filters.as_params()}
    counts = index.places(keep)
    filtered = bool(filters.as_params())
    places, unlocated = [], []
    for pid, loc in where.items():
        n, first, last = counts.get(pid, (0, None, None))
        if not n and filtered:
            continue
        item = {"id": pid, "name": loc["name"], "type": loc["type"], "events": n, "first": first, "last": last, "how": loc["how"]}
        if loc["located"]:
            places.append(item | {"lat": loc["lat"], "lon": loc["lon"], "certainty": loc["certainty"]})
        else:
            unlocated.append(item)
    places.sort(key=lambda p: (-p["events"], p["name"]))
    unlocated.sort(key=lambda p: (-p["events"], p["name"]))
    return {"places": places, "unlocated": unlocated, "filters": filters.as_params(),
            "events_without_place": int((keep & (index.place < 0)).sum())}


def network_data(app: App, conn: Connection, filters: Filters, *, a: int | None = None, b: int | None = None,
                 max_nodes: int = MAX_NODES) -> dict[str, Any]:
    """Actors joined by the (filtered) events they share, the strongest links first; or one link's events."""
    index = event_index(app, conn)
    keep = index.mask(filters)
    if a is not None or b is not None:
        names = dict(conn.execute(select(t.entities.c.id, t.entities.c.name).where(t.entities.c.id.in_([a or 0, b or 0]))).all())
        if a is None or b is None or a == b or a not in names or b not in names:
            raise BadParameter("Invalid a/b: give two different entity ids (a=ID&b=ID) that are in this store.")
        ids = index.first_ids(index.shared(a, b, keep), MAX_DETAIL_EVENTS)
        return {"link": {"a": {"id": a, "name": names[a]}, "b": {"id": b, "name": names[b]}},
                "events": _events_with_quotes(conn, ids), "filters": filters.as_params()}
    links = sorted(index.links(keep), key=lambda x: (-x[2], x[0], x[1]))[:MAX_EDGES]
    edges = [{"a": x[0], "b": x[1], "weight": x[2], "first": x[3], "last": x[4]} for x in links]
    strength: dict[int, int] = defaultdict(int)
    for edge in edges:
        strength[edge["a"]] += edge["weight"]
        strength[edge["b"]] += edge["weight"]
    keep_nodes = set(sorted(strength, key=lambda n: (-strength[n], n))[:max_nodes])
    edges = [edge for edge in edges if edge["a"] in keep_nodes and edge["b"] in keep_nodes]
    e = t.entities.c
    names = {r.id: r for r in conn.execute(select(e.id, e.name, e.type).where(e.id.in_(keep_nodes)))} if keep_nodes else {}
    nodes = [{"id": n, "name": names[n].name, "type": names[n].type, "weight": strength[n]}
             for n in sorted(keep_nodes, key=lambda n: (-strength[n], n))]
    return {"nodes": nodes, "edges": edges, "filters": filters.as_params(),
            "truncated": len(strength) > len(keep_nodes) or len(links) >= MAX_EDGES}


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
            return {"title": "Network"} | network_data(app, conn, filters, a=a, b=b, max_nodes=nodes)
        detail = network_data(app, conn, filters, a=a, b=b) if (a, b) != (None, None) else None
        return {"title": "Network", "options": _options(conn), "detail": detail} | network_data(app, conn, filters, max_nodes=nodes)
