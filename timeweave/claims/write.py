"""Replacing the claim rows and the comparisons made of them, in the transaction that read them.

Claim comparisons go into the same `comparisons` / `comparison_statements` tables as those of
`reconcile` (component `timeweave.claims.v1`), numbered after them, so the chronicle JSON, the
exports and the web pages carry them with no code of their own.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select, update

from timeweave.claims.align import Relation, group_key
from timeweave.claims.extract import Claim
from timeweave.store import schema as t

COMPONENT = "timeweave.claims.v1"


def clear(conn: Connection) -> None:
    ours = select(t.comparisons.c.id).where(t.comparisons.c.component == COMPONENT)
    conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(ours)))
    conn.execute(delete(t.comparisons).where(t.comparisons.c.component == COMPONENT))
    conn.execute(delete(t.claims))


def write(conn: Connection, claims: list[Claim], relations: list[Relation]) -> None:
    """Insert claims and their comparisons; contested events follow their contradictions."""
    clear(conn)
    known = {row[0] for row in conn.execute(select(t.events.c.id))}
    next_id = (conn.execute(select(func.max(t.comparisons.c.id))).scalar() or 0) + 1
    statements = []
    for relation in relations:
        if relation.event_id not in known and relation.entity_id is None:
            continue  # about an entity alone (who opposed, who was the first) it needs no event; else its event
        conn.execute(insert(t.comparisons).values(id=next_id, kind=relation.kind, field=relation.field,
                                                  event_id=relation.event_id if relation.event_id in known else None,
                                                  entity_id=relation.entity_id, explanation=relation.explanation,
                                                  component=COMPONENT))
        statements += [{"comparison_id": next_id, "source_id": c.source_id, "start": c.start, "end": c.end,
                        "value": c.value} for c in relation.claims]
        for claim in relation.claims:
            claim.comparison_id = next_id
        group = {group_key(c) for c in relation.claims}
        for claim in claims:
            if claim.comparison_id is None and group_key(claim) in group:
                claim.comparison_id = next_id
        next_id += 1
    if statements:
        conn.execute(insert(t.comparison_statements), statements)
    rows = [{"id": c.id, "event_id": c.event_id if c.event_id in known else None, "mention_id": c.mention_id,
             "source_id": c.source_id, "start": c.start, "end": c.end, "kind": c.kind, "facet": c.facet,
             "value": c.value[:500], "polarity": c.polarity, "modality": c.modality, "voice": c.voice[:200],
             "voice_name": c.voice_name, "question": c.question, "comparison_id": c.comparison_id,
             "component": COMPONENT} for c in claims]
    if rows:
        conn.execute(insert(t.claims), rows)
    contested = sorted({r.event_id for r in relations if r.kind == "contradict" and r.event_id in known})
    if contested:
        conn.execute(update(t.events).where(t.events.c.id.in_(contested)).values(status="contested"))
