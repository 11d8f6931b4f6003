"""Replacing the corpus-level event rows in one go: events, participants, comparisons, links.

Called inside the transaction that read the mentions, so readers see either the old events or
the new ones, never a mix. Ids are assigned in date order, so the same store reconciles to the
same rows every time.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, delete, insert, update

from timeweave.reconcile import dates
from timeweave.reconcile.canonical import Event
from timeweave.reconcile.compare import Comparison
from timeweave.store import schema as t

COMPONENT = "timeweave.reconcile.v3"  # v2: salience gate, carried-over dates, generic wholes, index labels; v3: factuality, rare participants


def clear(conn: Connection) -> None:
    conn.execute(delete(t.comparison_statements))
    conn.execute(delete(t.comparisons))
    conn.execute(delete(t.event_participants))
    conn.execute(update(t.event_mentions).values(event_id=None))
    conn.execute(delete(t.events))


def write(conn: Connection, events: list[Event], comparisons: dict[int, list[Comparison]], known_entities: set[int]) -> int:
    """Insert events and their comparisons; returns the number of comparison rows."""
    clear(conn)
    by_cluster = {e.cluster: e.id for e in events}
    rows = []
    for e in events:
        iv = e.interval
        rows.append({
            "id": e.id, "label": e.label, "type": e.type,
            "edtf": dates.to_edtf(iv) if iv else None,
            "earliest": iv.start_iso if iv else None, "latest": iv.end_iso if iv else None,
            "when_reason": e.when_reason, "place": e.place if e.place in known_entities else None,
            "part_of": by_cluster.get(e.parent) if e.parent is not None else None,
            "status": e.status, "factuality": e.factuality, "component": COMPONENT,
        })
    if rows:
        conn.execute(insert(t.events), rows)
    parts = [{"event_id": e.id, "entity_id": entity, "role": role}
             for e in events for entity, role in e.participants if entity in known_entities]
    if parts:
        conn.execute(insert(t.event_participants), parts)
    links = [{"mid": m.id, "eid": e.id} for e in events for m in e.members]
    if links:
        conn.execute(update(t.event_mentions).where(t.event_mentions.c.id == bindparam("mid"))
                     .values(event_id=bindparam("eid")), links)
    next_id = 1
    statements = []
    for e in events:
        for c in comparisons.get(e.id, []):
            conn.execute(insert(t.comparisons).values(id=next_id, event_id=e.id, kind=c.kind, field=c.field,
                                                      explanation=c.explanation, component=COMPONENT))
            statements += [{"comparison_id": next_id, "source_id": s.source_id, "start": s.start, "end": s.end,
                            "value": s.value} for s in c.statements]
            next_id += 1
    if statements:
        conn.execute(insert(t.comparison_statements), statements)
    return next_id - 1
