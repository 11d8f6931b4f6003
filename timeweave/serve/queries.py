"""What each page shows, read from the store as plain dicts (the same dicts become the .json twins).

Pages never write. Each function takes an open connection and returns JSON-ready data, so the
HTML template and the JSON twin cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, desc, func, select

from timeweave.serve.filters import Filters, event_conditions
from timeweave.serve.timeline import fuzzy_ends, lanes_for
from timeweave.store import schema as t

PAGE_SIZE = 50


def paginate(conn: Connection, query, *, page: int, size: int = PAGE_SIZE) -> tuple[list, dict[str, int]]:
    """Rows of `query` for one page, and where that page is."""
    total = conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = conn.execute(query.limit(size).offset((page - 1) * size)).all()
    return rows, {"page": page, "pages": pages, "total": total, "size": size}


def quote(texts: dict[str, str], conn: Connection, source_id: str, start: int, end: int) -> str:
    """The source text at [start, end), read once per source."""
    if source_id not in texts:
        texts[source_id] = conn.execute(select(t.texts.c.text).where(t.texts.c.source_id == source_id)).scalar() or ""
    return texts[source_id][start:end]


def event_row(r) -> dict[str, Any]:
    """An event as the pages and their .json twins show it (`r`: a row of `select(t.events)` or a dict).

    Read through the row's mapping: a SQLAlchemy 2.1 Row's attributes cost ~3 µs each, ten times its mapping.
    """
    m = getattr(r, "_mapping", r)
    return {"id": m["id"], "label": m["label"], "type": m["type"], "status": m["status"], "factuality": m["factuality"],
            "edtf": m["edtf"], "earliest": m["earliest"], "latest": m["latest"], "when_reason": m["when_reason"],
            "fuzzy": fuzzy_ends(m["edtf"])}


def overview(conn: Connection) -> dict[str, Any]:
    """The corpus at a glance: counts, sources by kind and date, most contested events, failures."""
    c = {name: conn.execute(select(func.count()).select_from(table)).scalar_one() for name, table in {
        "sources": t.sources, "passages": t.passages, "events": t.events, "entities": t.entities,
        "comparisons": t.comparisons, "event_mentions": t.event_mentions, "timexes": t.timexes}.items()}
    kinds = [{"kind": k, "count": n} for k, n in conn.execute(
        select(t.sources.c.kind, func.count()).group_by(t.sources.c.kind).order_by(desc(func.count())))]
    sources = [{"id": r.id, "title": r.title, "kind": r.kind, "issued": r.issued, "authors": list(r.authors or [])}
               for r in conn.execute(select(t.sources).order_by(t.sources.c.issued, t.sources.c.id).limit(200))]
    statuses = dict(conn.execute(select(t.events.c.status, func.count()).group_by(t.events.c.status)).all())
    disputes = (select(t.comparisons.c.event_id, func.count().label("n")).where(t.comparisons.c.kind == "contradict")
                .group_by(t.comparisons.c.event_id).subquery())
    contested = [event_row(r) | {"contradictions": r.n or 0} for r in conn.execute(
        select(t.events, disputes.c.n).outerjoin(disputes, disputes.c.event_id == t.events.c.id)
        .where(t.events.c.status == "contested").order_by(desc(func.coalesce(disputes.c.n, 0)), t.events.c.earliest).limit(10))]
    run = conn.execute(select(t.runs).order_by(desc(t.runs.c.id)).limit(1)).first()
    failures = []
    if run is not None:
        failures = [{"path": r.path, "code": r.code, "reason": r.reason, "hint": r.hint}
                    for r in conn.execute(select(t.failures).where(t.failures.c.run_id == run.id).order_by(t.failures.c.id))]
    last_run = None if run is None else {"id": run.id, "status": run.status, "started_at": run.started_at,
                                         "finished_at": run.finished_at, "command": run.command, "counts": run.counts}
    return {"counts": c, "kinds": kinds, "sources": sources, "statuses": statuses, "contested": contested,
            "last_run": last_run, "failures": failures}


def events_list(conn: Connection, filters: Filters, *, page: int) -> dict[str, Any]:
    e = t.events.c
    query = select(t.events).where(*event_conditions(filters)).order_by(e.earliest.is_(None), e.earliest, e.latest, e.id)
    rows, pager = paginate(conn, query, page=page)
    return {"events": [event_row(r) for r in rows], "pager": pager, "filters": filters.as_params()}


def event_detail(conn: Connection, event_id: int) -> dict[str, Any] | None:
    r = conn.execute(select(t.events).where(t.events.c.id == event_id)).first()
    if r is None:
        return None
    names = _entity_names(conn)
    texts: dict[str, str] = {}
    participants = [{"entity": p.entity_id, "name": names.get(p.entity_id, "?"), "role": p.role}
                    for p in conn.execute(select(t.event_participants).where(t.event_participants.c.event_id == event_id)
                                          .order_by(t.event_participants.c.role, t.event_participants.c.entity_id))]
    source_titles = dict(conn.execute(select(t.sources.c.id, t.sources.c.title)).all())
    issued = dict(conn.execute(select(t.sources.c.id, t.sources.c.issued)).all())
    by_source: dict[str, list[dict]] = defaultdict(list)
    for m in conn.execute(select(t.event_mentions).where(t.event_mentions.c.event_id == event_id)
                          .order_by(t.event_mentions.c.source_id, t.event_mentions.c.start)):
        q = quote(texts, conn, m.source_id, m.start, m.end)
        ts, te = max(0, m.trigger_start - m.start), max(0, m.trigger_end - m.start)
        by_source[m.source_id].append({
            "start": m.start, "end": m.end, "quote": q, "before": q[:ts], "trigger": q[ts:te], "after": q[te:],
            "factuality": m.factuality, "context": m.context, "when_text": m.when_text, "edtf": m.edtf,
            "earliest": m.earliest, "latest": m.latest, "when_reason": m.when_reason})
    evidence = [{"source": sid, "title": source_titles.get(sid), "issued": issued.get(sid), "quotes": quotes}
                for sid, quotes in by_source.items()]
    comparisons = comparisons_of(conn, [t.comparisons.c.event_id == event_id], texts)
    parent = conn.execute(select(t.events).where(t.events.c.id == r.part_of)).first() if r.part_of else None
    subs = [event_row(s) for s in conn.execute(select(t.events).where(t.events.c.part_of == event_id).order_by(t.events.c.earliest))]
    lanes = lanes_for(conn, [event_id]).get(event_id, [])
    return {"event": event_row(r) | {"place": r.place, "place_name": names.get(r.place), "part_of": r.part_of,
                                     "component": r.component},
            "participants": participants, "evidence": evidence, "comparisons": comparisons, "lanes": lanes,
            "parent": event_row(parent) if parent else None, "sub_events": subs}


def comparisons_of(conn: Connection, conditions: list, texts: dict[str, str] | None = None, *, page: int | None = None) -> Any:
    """Comparisons (with their quoted statements) matching `conditions`; paginated when `page` is given."""
    texts = {} if texts is None else texts
    c = t.comparisons.c
    # an outer join: a claim comparison about an entity alone has no event (migration 0015)
    query = (select(t.comparisons, t.events.c.label, t.entities.c.name.label("entity_label"))
             .outerjoin(t.events, t.events.c.id == c.event_id).outerjoin(t.entities, t.entities.c.id == c.entity_id)
             .where(*conditions).order_by(c.kind, c.event_id, c.id))
    if page is None:
        rows, pager = conn.execute(query).all(), None
    else:
        rows, pager = paginate(conn, query, page=page)
    statements: dict[int, list[dict]] = defaultdict(list)
    ids = [r.id for r in rows]
    if ids:
        for s in conn.execute(select(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(ids))
                              .order_by(t.comparison_statements.c.id)):
            statements[s.comparison_id].append({"source": s.source_id, "start": s.start, "end": s.end, "value": s.value,
                                                "quote": quote(texts, conn, s.source_id, s.start, s.end)})
    items = [{"id": r.id, "event": r.event_id, "event_label": r.label, "entity": r.entity_id, "entity_label": r.entity_label,
              "kind": r.kind, "field": r.field,
              "explanation": r.explanation, "statements": statements.get(r.id, [])} for r in rows]
    return items if page is None else (items, pager)


def _entity_names(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(select(t.entities.c.id, t.entities.c.name)).all())


def entities_list(conn: Connection, *, page: int, type_: str | None) -> dict[str, Any]:
    n_events = (select(t.event_participants.c.entity_id, func.count(func.distinct(t.event_participants.c.event_id)).label("n"))
                .group_by(t.event_participants.c.entity_id).subquery())
    query = select(t.entities, func.coalesce(n_events.c.n, 0).label("events")).outerjoin(n_events, n_events.c.entity_id == t.entities.c.id)
    if type_:
        query = query.where(t.entities.c.type == type_)
    rows, pager = paginate(conn, query.order_by(desc(func.coalesce(n_events.c.n, 0)), t.entities.c.name), page=page)
    types = [r[0] for r in conn.execute(select(t.entities.c.type).distinct().order_by(t.entities.c.type))]
    return {"entities": [{"id": r.id, "name": r.name, "type": r.type, "events": r.events} for r in rows],
            "pager": pager, "types": types, "filters": {"type": type_} if type_ else {}}


def entity_detail(conn: Connection, entity_id: int) -> dict[str, Any] | None:
    r = conn.execute(select(t.entities).where(t.entities.c.id == entity_id)).first()
    if r is None:
        return None
    used: dict[int, list[dict]] = defaultdict(list)
    for s in conn.execute(select(t.alias_sources).join(t.aliases, t.aliases.c.id == t.alias_sources.c.alias_id)
                          .where(t.aliases.c.entity_id == entity_id).order_by(t.alias_sources.c.source_id)):
        used[s.alias_id].append({"source": s.source_id, "count": s.count})
    quotes: dict[int, list[dict]] = defaultdict(list)  # the evidence of each alias's link (migration 0005)
    for q in conn.execute(select(t.alias_evidence).join(t.aliases, t.aliases.c.id == t.alias_evidence.c.alias_id)
                          .where(t.aliases.c.entity_id == entity_id).order_by(t.alias_evidence.c.id)):
        quotes[q.alias_id].append({"source": q.source_id, "start": q.start, "end": q.end, "quote": q.quote})
    aliases = [{"text": a.text, "how": a.how, "rule": a.rule, "sources": used.get(a.id, []), "evidence": quotes.get(a.id, [])}
               for a in conn.execute(select(t.aliases).where(t.aliases.c.entity_id == entity_id).order_by(t.aliases.c.id))]
    ep = t.event_participants.c
    mine = select(ep.event_id).where(ep.entity_id == entity_id)
    e = t.events.c
    events = [event_row(x) for x in conn.execute(select(t.events).where((e.id.in_(mine)) | (e.place == entity_id))
                                                  .order_by(e.earliest.is_(None), e.earliest, e.id).limit(500))]
    names = _entity_names(conn)
    partners = [{"id": eid, "name": names.get(eid, "?"), "events": n} for eid, n in conn.execute(
        select(ep.entity_id, func.count(func.distinct(ep.event_id))).where(ep.event_id.in_(mine), ep.entity_id != entity_id)
        .group_by(ep.entity_id).order_by(desc(func.count(func.distinct(ep.event_id)))).limit(50))]
    return {"entity": {"id": r.id, "name": r.name, "type": r.type, "component": r.component},
            "aliases": aliases, "events": events, "acts_with": partners}


def sources_list(conn: Connection, *, page: int, kind: str | None) -> dict[str, Any]:
    query = select(t.sources).order_by(t.sources.c.issued, t.sources.c.id)
    if kind:
        query = query.where(t.sources.c.kind == kind)
    rows, pager = paginate(conn, query, page=page)
    kinds = [r[0] for r in conn.execute(select(t.sources.c.kind).distinct().order_by(t.sources.c.kind))]
    return {"sources": [source_row(r) for r in rows], "pager": pager, "kinds": kinds, "filters": {"kind": kind} if kind else {}}


def source_row(r) -> dict[str, Any]:
    return {"id": r.id, "title": r.title, "authors": list(r.authors or []), "issued": r.issued, "kind": r.kind,
            "kind_reason": r.kind_reason, "path": r.path, "format": r.format, "doi": r.doi, "url": r.url,
            "container_title": r.container_title, "volume": r.volume, "issue": r.issue, "page": r.page,
            "metadata_origin": r.metadata_origin, "language": r.language}
