"""The claims pages: what the sources claim, grouped by question, with the comparison each group made.

`/claims` (and `/claims.json`) lists the claim groups (one event, one question such as "Did it
happen?" or "How many boats?"; or one entity, for who opposed or who was the first), each with its relation (agree / contradict / differ_in_framing /
single_source), its one-sentence explanation and the voices side by side with their quotes.
Filters: `kind` (the claim kind), `relation`, `source`, `entity` (a participant of the event),
`event`. A store built before migration 0011 has no claims table and shows none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from fastapi import Request
from sqlalchemy import Connection, inspect, or_, select

from timeweave.serve.filters import SLUG, BadParameter
from timeweave.store import schema as t

KINDS = ("occurrence", "agent", "cause", "purpose", "evaluation", "outcome", "quantity", "attribution", "position", "stance",
         "distinction", "time")
RELATIONS = ("agree", "contradict", "differ_in_framing", "single_source")
MAX_GROUPS = 200  # groups on one page: a page, not an export (the JSON twin and the exports carry all comparisons)
MAX_QUOTES = 12  # quotes per group, as `claims_max_statements` shows per comparison


def _choice(request: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    value = (request.query_params.get(name) or "").strip()
    if value and value not in allowed:
        raise BadParameter(f"Invalid {name}={value!r}: expected one of {', '.join(allowed)}.")
    return value or None


def _id(request: Request, name: str) -> int | None:
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{1,12}", value):
        raise BadParameter(f"Invalid {name}={value!r}: expected an integer id.")
    return int(value)


def claim_groups(conn: Connection, *, kind: str | None = None, relation: str | None = None, source: str | None = None,
                 entity: int | None = None, event: int | None = None) -> list[dict[str, Any]]:
    """Claim groups, one per (event, question), with their comparison and quotes, most voices first.

    Why a query of its own: the comparisons page lists comparisons; a historian reading claims asks
    a question of one event and wants every voice's answer to it, agreed or not, side by side.
    """
    if not inspect(conn).has_table("claims"):
        return []
    c = t.claims.c
    query = select(t.claims, t.texts.c.text).join(t.texts, t.texts.c.source_id == c.source_id)
    if kind:
        query = query.where(c.kind == kind)
    if event:
        query = query.where(c.event_id == event)
    about_entity = select(t.comparisons.c.id).where(t.comparisons.c.entity_id.is_not(None))
    if entity:
        query = query.where(or_(c.event_id.in_(select(t.event_participants.c.event_id)
                                               .where(t.event_participants.c.entity_id == entity)),
                                c.comparison_id.in_(about_entity.where(t.comparisons.c.entity_id == entity))))
    # a claim placed in no event shows only in the group of the entity it is said of (who opposed, who was first)
    rows = conn.execute(query.where(or_(c.event_id.is_not(None), c.comparison_id.in_(about_entity)))
                        .order_by(c.event_id, c.kind, c.facet, c.source_id, c.start)).all()
    comparisons = {r.id: r for r in conn.execute(select(t.comparisons).where(t.comparisons.c.component == "timeweave.claims.v1"))}
    labels = dict(conn.execute(select(t.events.c.id, t.events.c.label)).all())
    names = dict(conn.execute(select(t.entities.c.id, t.entities.c.name)).all())
    groups: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        comparison = comparisons.get(r.comparison_id)
        subject = comparison.entity_id if comparison is not None else None
        key = ("entity", subject, r.question) if subject is not None else ("event", r.event_id, r.question)
        group = groups.setdefault(key, {"event": r.event_id if subject is None else None,
                                        "event_label": labels.get(r.event_id, "") if subject is None else "",
                                        "entity": subject, "entity_label": names.get(subject, "") if subject else "",
                                        "question": r.question, "kind": r.kind, "relation": None,
                                        "explanation": None, "comparison": None, "claims": [], "sources": set()})
        if comparison is not None and group["comparison"] is None:
            group.update(relation=comparison.kind, explanation=comparison.explanation, comparison=comparison.id)
        group["sources"].add(r.source_id)
        if len(group["claims"]) < MAX_QUOTES:
            group["claims"].append({"id": r.id, "source": r.source_id, "start": r.start, "end": r.end,
                                    "quote": r.text[r.start:r.end], "value": r.value, "polarity": r.polarity,
                                    "voice": r.voice_name, "modality": r.modality})
    out = []
    for group in groups.values():
        if relation and group["relation"] != relation:
            continue
        if source and source not in group["sources"]:
            continue
        group["sources"] = sorted(group["sources"])
        out.append(group)
    out.sort(key=lambda g: (g["relation"] is None, g["relation"] == "single_source", -len(g["sources"]),
                            g["event"] is None, g["event"] or 0, g["entity"] or 0))
    return out[:MAX_GROUPS]


def add_claim_pages(app) -> None:
    """`/claims` and `/claims.json` (serve/app.py calls this once)."""

    @app.page("/claims", "claims.html")
    def claims_page(request: Request, conn: Connection) -> dict[str, Any]:
        kind, relation = _choice(request, "kind", KINDS), _choice(request, "relation", RELATIONS)
        source = (request.query_params.get("source") or "").strip() or None
        if source and not SLUG.fullmatch(source):
            raise BadParameter(f"Invalid source={source!r}: expected a source id.")
        entity, event = _id(request, "entity"), _id(request, "event")
        groups = claim_groups(conn, kind=kind, relation=relation, source=source, entity=entity, event=event)
        by_question: dict[str, list] = defaultdict(list)
        for group in groups:
            by_question[group["question"]].append(group)
        return {"title": "Claims", "groups": groups, "questions": sorted(by_question, key=lambda q: -len(by_question[q])),
                "kinds": KINDS, "relations": RELATIONS,
                "filters": {k: v for k, v in {"kind": kind, "relation": relation, "source": source, "entity": entity,
                                              "event": event}.items() if v},
                "sources": [r[0] for r in conn.execute(select(t.sources.c.id).order_by(t.sources.c.id))]}
