"""Every page of the UI: a handler that validates its parameters and returns the page's data.

Ids are validated by the route (`int`) or by the slug pattern before any query, so a malformed
id is a 404 like a missing one, with the error shape the rest of the app uses.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import Connection, desc, func, select
from starlette.exceptions import HTTPException

from timeweave.serve.app import App, versions, wants_json
from timeweave.serve.filters import SLUG, WORD, BadParameter, event_conditions, parse_filters
from timeweave.serve.queries import (
    PAGE_SIZE, comparisons_of, entities_list, entity_detail, event_detail, event_row, events_list, overview, sources_list,
)
from timeweave.serve.source_text import source_detail
from timeweave.serve.timeline import timeline_data
from timeweave.store import schema as t
from timeweave.store.search import HIT_END, HIT_START, search


def _int(request: Request, name: str, default: int, *, low: int = 1, high: int = 10**9) -> int:
    value = request.query_params.get(name)
    if value in (None, ""):
        return default
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise BadParameter(f"Invalid {name}={value!r}: expected an integer from {low} to {high}.")
    return int(value)


def _word(request: Request, name: str) -> str | None:
    value = (request.query_params.get(name) or "").strip()
    if value and not WORD.fullmatch(value):
        raise BadParameter(f"Invalid {name}={value!r}: expected a lower-case name such as 'contradict'.")
    return value or None


def _missing(what: str, ident: Any, listing: str) -> HTTPException:
    return HTTPException(404, f"No {what} {ident!r} in this store. See {listing} for the list.")


def _pieces(snippet: str) -> list[dict[str, Any]]:
    """A search snippet as [{text, hit}] so the template escapes every piece."""
    out, hit = [], False
    for part in snippet.replace(HIT_END, HIT_START).split(HIT_START):
        if part:
            out.append({"text": part, "hit": hit})
        hit = not hit
    return out


def _options(conn: Connection) -> dict[str, Any]:
    """Choices for the filter forms: the most active entities, every source, kind, type and status."""
    ep = t.event_participants.c
    top = (select(t.entities.c.id, t.entities.c.name, func.count(ep.event_id).label("n"))
           .join(t.event_participants, ep.entity_id == t.entities.c.id).group_by(t.entities.c.id, t.entities.c.name)
           .order_by(desc("n"), t.entities.c.name).limit(300))
    return {
        "entities": [{"id": r.id, "name": r.name, "events": r.n} for r in conn.execute(top)],
        "sources": [{"id": r.id, "title": r.title} for r in conn.execute(select(t.sources.c.id, t.sources.c.title).order_by(t.sources.c.id).limit(1000))],
        "kinds": [r[0] for r in conn.execute(select(t.sources.c.kind).distinct().order_by(t.sources.c.kind))],
        "types": [r[0] for r in conn.execute(select(t.events.c.type).distinct().order_by(t.events.c.type))],
        "statuses": ["corroborated", "single_source", "contested"],
    }


def add_pages(app: App) -> None:
    """Register every page on `app` (HTML and .json)."""

    @app.page("/", "index.html", json_path="/index.json")
    def index(request: Request, conn: Connection) -> dict[str, Any]:
        return {"title": "Overview"} | overview(conn)

    @app.page("/timeline", "timeline.html")
    def timeline(request: Request, conn: Connection) -> dict[str, Any]:
        filters = parse_filters(request.query_params)
        if wants_json(request):
            return timeline_data(app.engine, filters, start=request.query_params.get("start") or filters.date_from,
                                 end=request.query_params.get("end") or filters.date_to,
                                 bins=_int(request, "bins", 200, high=2000),
                                 max_events=_int(request, "max", 300, high=300)) | {"filters": filters.as_params()}
        undated = [event_row(r) for r in conn.execute(select(t.events).where(
            t.events.c.earliest.is_(None), *event_conditions(filters))
            .order_by(t.events.c.id).limit(200))]
        return {"title": "Timeline", "filters": filters.as_params(), "options": _options(conn), "undated": undated}

    @app.page("/events", "events.html")
    def events(request: Request, conn: Connection) -> dict[str, Any]:
        filters = parse_filters(request.query_params)
        return {"title": "Events", "options": _options(conn)} | events_list(conn, filters, page=_int(request, "page", 1))

    @app.page("/events/{event_id:int}", "event.html")
    def event(request: Request, conn: Connection, event_id: int) -> dict[str, Any]:
        data = event_detail(conn, event_id)
        if data is None:
            raise _missing("event", event_id, "/events")
        return {"title": data["event"]["label"]} | data

    @app.page("/entities", "entities.html")
    def entities(request: Request, conn: Connection) -> dict[str, Any]:
        return {"title": "Entities"} | entities_list(conn, page=_int(request, "page", 1), type_=_word(request, "type"))

    @app.page("/entities/{entity_id:int}", "entity.html")
    def entity(request: Request, conn: Connection, entity_id: int) -> dict[str, Any]:
        data = entity_detail(conn, entity_id)
        if data is None:
            raise _missing("entity", entity_id, "/entities")
        return {"title": data["entity"]["name"]} | data

    @app.page("/sources", "sources.html")
    def sources(request: Request, conn: Connection) -> dict[str, Any]:
        return {"title": "Sources"} | sources_list(conn, page=_int(request, "page", 1), kind=_word(request, "kind"))

    @app.page("/sources/{source_id}", "source.html")
    def source(request: Request, conn: Connection, source_id: str) -> dict[str, Any]:
        data = source_detail(conn, source_id) if SLUG.fullmatch(source_id) else None
        if data is None:
            raise _missing("source", source_id, "/sources")
        return {"title": data["source"]["title"] or source_id} | data

    @app.page("/comparisons", "comparisons.html")
    def comparisons(request: Request, conn: Connection) -> dict[str, Any]:
        kind, source = _word(request, "kind"), (request.query_params.get("source") or "").strip() or None
        event_id = _int(request, "event", 0, low=0)
        if source and not SLUG.fullmatch(source):
            raise BadParameter(f"Invalid source={source!r}: expected a source id.")
        c = t.comparisons.c
        conditions = [c.kind == kind] if kind else [c.kind != "agree"]
        if source:
            conditions.append(c.id.in_(select(t.comparison_statements.c.comparison_id).where(t.comparison_statements.c.source_id == source)))
        if event_id:
            conditions.append(c.event_id == event_id)
        items, pager = comparisons_of(conn, conditions, page=_int(request, "page", 1))
        kinds = dict(conn.execute(select(c.kind, func.count()).group_by(c.kind)).all())
        return {"title": "Comparisons", "comparisons": items, "pager": pager, "kinds": kinds,
                "filters": {k: v for k, v in {"kind": kind, "source": source, "event": event_id or None}.items() if v},
                "sources": [r[0] for r in conn.execute(select(t.sources.c.id).order_by(t.sources.c.id))]}

    @app.page("/search", "search.html")
    def search_page(request: Request, conn: Connection) -> dict[str, Any]:
        q = (request.query_params.get("q") or "")[:500]
        page = _int(request, "page", 1, high=1000)
        hits = search(app.engine, q, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE) if q.strip() else []
        results = []
        for hit in hits[:PAGE_SIZE]:
            if hit["kind"] == "passage":
                href = f"/sources/{hit['source_id']}#c-{hit['start']}-{hit['end']}"
            else:
                href = f"/events/{hit['ref']}"
            results.append(hit | {"href": href, "pieces": _pieces(hit.get("snippet") or "")})
        return {"title": f"Search: {q}" if q else "Search", "q": q, "results": results, "page": page,
                "more": len(hits) > PAGE_SIZE}

    @app.page("/-/versions", "versions.html")
    def versions_page(request: Request, conn: Connection) -> dict[str, Any]:
        return {"title": "Versions", "versions": versions(app.engine)}
