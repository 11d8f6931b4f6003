"""Corrections of events: reject, date, label, type, merge, split, move evidence, participant, place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from timeweave.curate.kinds import COMPONENT
from timeweave.curate.ops import Result, _entity, _event, _stale, merge_targets
from timeweave.store import schema as t


def _drop_event(ctx, event_id: int) -> None:
    """Remove an event from the chronicle: its comparisons, participants, links from its mentions."""
    conn = ctx.conn
    ids = select(t.comparisons.c.id).where(t.comparisons.c.event_id == event_id)
    conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(ids)))
    conn.execute(delete(t.comparisons).where(t.comparisons.c.event_id == event_id))
    conn.execute(delete(t.event_participants).where(t.event_participants.c.event_id == event_id))
    conn.execute(update(t.event_mentions).where(t.event_mentions.c.event_id == event_id).values(event_id=None))
    conn.execute(update(t.events).where(t.events.c.part_of == event_id).values(part_of=None))
    conn.execute(delete(t.events).where(t.events.c.id == event_id))
    ctx.resolver.events.discard(event_id)
    owner = ctx.resolver.evidence.owner
    for row_id in [r for r, e in owner.items() if e == event_id]:
        owner[row_id] = None


def reject(ctx, action) -> Result:
    anchor = action.target["events"][0]
    event_id = _event(ctx, anchor)
    if event_id is None:
        return _stale("the event", anchor)
    _drop_event(ctx, event_id)
    return "applied", f"event {event_id} rejected: left the timeline, comparisons and exports", {"events": [event_id]}, []


def date_(ctx, action) -> Result:
    anchor = action.target["events"][0]
    event_id = _event(ctx, anchor)
    if event_id is None:
        return _stale("the event", anchor)
    value = action.args["edtf"]
    earliest, latest = action.args.get("earliest"), action.args.get("latest")
    if not (earliest and latest):
        earliest, latest = edtf_bounds(value)
    reason = f"date set by {action.author}: {action.note or 'no reason given'}"
    ctx.set_event(event_id, edtf=value, earliest=earliest, latest=latest, when_reason=reason)
    return "applied", f"event {event_id} dated {value}", {"events": [event_id]}, [("event", event_id, "date")]


def _set_event_field(ctx, action, name: str) -> Result:
    anchor = action.target["events"][0]
    event_id = _event(ctx, anchor)
    if event_id is None:
        return _stale("the event", anchor)
    value = action.args[name]
    ctx.set_event(event_id, **{name: value})
    return "applied", f"event {event_id}: {name} set to {value!r}", {"events": [event_id]}, [("event", event_id, name)]


def label(ctx, action) -> Result:
    return _set_event_field(ctx, action, "label")


def type_(ctx, action) -> Result:
    return _set_event_field(ctx, action, "type")


def merge(ctx, action) -> Result:
    keep, others, stale = merge_targets(ctx, action.target["events"], _event, "the event")
    if stale:
        return stale
    if not others:
        return "unchanged", f"the events are one event ({keep}) in this reading already", {"events": [keep]}, []
    conn = ctx.conn
    row = conn.execute(select(t.events).where(t.events.c.id == keep)).first()
    have = {(p.entity_id, p.role) for p in conn.execute(select(t.event_participants).where(t.event_participants.c.event_id == keep))}
    fill: dict[str, Any] = {}
    for other in others:
        o = conn.execute(select(t.events).where(t.events.c.id == other)).first()
        if row.edtf is None and o.edtf is not None and "edtf" not in fill:
            fill.update(edtf=o.edtf, earliest=o.earliest, latest=o.latest, when_reason=o.when_reason)
        if row.place is None and o.place is not None and "place" not in fill:
            fill["place"] = o.place
        conn.execute(update(t.event_mentions).where(t.event_mentions.c.event_id == other).values(event_id=keep))
        for p in conn.execute(select(t.event_participants).where(t.event_participants.c.event_id == other)).all():
            if (p.entity_id, p.role) not in have:
                have.add((p.entity_id, p.role))
                conn.execute(insert(t.event_participants).values(event_id=keep, entity_id=p.entity_id, role=p.role))
        conn.execute(update(t.comparisons).where(t.comparisons.c.event_id == other).values(event_id=keep))
        conn.execute(update(t.events).where(t.events.c.part_of == other).values(part_of=keep))
        conn.execute(delete(t.event_participants).where(t.event_participants.c.event_id == other))
        conn.execute(delete(t.events).where(t.events.c.id == other))
        ctx.resolver.events.discard(other)
        owner = ctx.resolver.evidence.owner
        for row_id in [r for r, e in owner.items() if e == other]:
            owner[row_id] = keep
    conn.execute(update(t.events).where(t.events.c.id == keep, t.events.c.part_of == keep).values(part_of=None))
    sources = {r[0] for r in conn.execute(select(t.event_mentions.c.source_id).where(t.event_mentions.c.event_id == keep))}
    if len(sources) > 1 and row.status == "single_source":
        fill["status"] = "corroborated"
        ids = select(t.comparisons.c.id).where(t.comparisons.c.event_id == keep, t.comparisons.c.kind == "single_source")
        conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(ids)))
        conn.execute(delete(t.comparisons).where(t.comparisons.c.event_id == keep, t.comparisons.c.kind == "single_source"))
    if fill:
        conn.execute(update(t.events).where(t.events.c.id == keep).values(**fill))
    return ("applied", f"events {', '.join(map(str, others))} merged into event {keep}", {"events": [keep, *others]},
            [("event", keep, "evidence")])


def _evidence_rows(ctx, action, event_id: int | None = None) -> list[int]:
    rows = []
    for quote in action.target.get("evidence", []):
        row = ctx.resolver.evidence_row(quote)
        if row is not None and (event_id is None or ctx.resolver.evidence.owner.get(row) == event_id):
            rows.append(row)
    return list(dict.fromkeys(rows))


def _participants_of_mentions(ctx, mention_ids: list[int]) -> set[tuple[int, str]]:
    conn, found = ctx.conn, set()
    em, m = t.event_mentions.c, t.mentions.c
    links = [(p.get("mention"), p.get("role") or "other")
             for r in conn.execute(select(em.participants).where(em.id.in_(mention_ids))) for p in (r.participants or [])]
    entity_of = dict(conn.execute(select(m.id, m.entity_id).where(m.id.in_([x for x, _ in links if x is not None]))).all())
    for mention, role in links:
        entity = entity_of.get(mention)
        if entity in ctx.resolver.entities:
            found.add((entity, role))
    return found


def split(ctx, action) -> Result:
    anchor = action.target["events"][0]
    event_id = _event(ctx, anchor)
    if event_id is None:
        return _stale("the event", anchor)
    conn = ctx.conn
    moving = _evidence_rows(ctx, action, event_id)
    if not moving:
        return "stale", f"none of the chosen evidence belongs to event {event_id} now; not applied", {"events": [event_id]}, []
    em = t.event_mentions.c
    left = conn.execute(select(em.id).where(em.event_id == event_id, em.id.not_in(moving)).limit(1)).first()
    if left is None:
        return "unchanged", f"the chosen evidence is all of event {event_id} now: nothing to split", {"events": [event_id]}, []
    old = conn.execute(select(t.events).where(t.events.c.id == event_id)).first()
    rows = conn.execute(select(em.source_id, em.edtf, em.earliest, em.latest).where(em.id.in_(moving))).all()
    dates = {(r.edtf, r.earliest, r.latest) for r in rows}
    edtf, earliest, latest = dates.pop() if len(dates) == 1 else (None, None, None)
    new_id = ctx.new_id(t.events)
    conn.execute(insert(t.events).values(
        id=new_id, label=action.args.get("label") or old.label, type=old.type, edtf=edtf, earliest=earliest,
        latest=latest, when_reason=f"the date its evidence gives (split by {action.author})" if edtf else None,
        place=old.place, part_of=old.part_of, status="single_source" if len({r.source_id for r in rows}) == 1 else "corroborated",
        component=COMPONENT))
    conn.execute(update(t.event_mentions).where(em.id.in_(moving)).values(event_id=new_id))
    parts = _participants_of_mentions(ctx, moving)
    if parts:
        conn.execute(insert(t.event_participants), [{"event_id": new_id, "entity_id": e, "role": r} for e, r in parts])
    ctx.resolver.events.add(new_id)
    for row in moving:
        ctx.resolver.evidence.owner[row] = new_id
    return ("applied", f"{len(moving)} piece(s) of evidence of event {event_id} moved to new event {new_id}",
            {"events": [event_id, new_id]}, [("event", new_id, "split"), ("event", event_id, "evidence")])


def move(ctx, action) -> Result:
    anchor = action.target["events"][0]
    target = _event(ctx, anchor)
    if target is None:
        return _stale("the event", anchor)
    quote = action.target["evidence"][0]
    row = ctx.resolver.evidence_row(quote)
    if row is None:
        return _stale("the evidence", quote)
    source = ctx.resolver.evidence.owner.get(row)
    if source == target:
        return "unchanged", f"the evidence belongs to event {target} already", {"events": [target]}, []
    em = t.event_mentions.c
    ctx.conn.execute(update(t.event_mentions).where(em.id == row).values(event_id=target))
    ctx.resolver.evidence.owner[row] = target
    touched = [target] + ([source] if source is not None else [])
    if source is not None and ctx.conn.execute(select(em.id).where(em.event_id == source).limit(1)).first() is None:
        _drop_event(ctx, source)  # no event without evidence
    return "applied", f"evidence moved from event {source} to event {target}", {"events": touched}, [("event", target, "evidence")]


def participant(ctx, action) -> Result:
    event_id = _event(ctx, action.target["events"][0])
    entity_id = _entity(ctx, action.target["entities"][0])
    if event_id is None:
        return _stale("the event", action.target["events"][0])
    if entity_id is None:
        return _stale("the entity", action.target["entities"][0])
    role, ep = action.args.get("role") or "other", t.event_participants.c
    have = ctx.participants()
    exists = (event_id, entity_id, role) in have
    touched = {"events": [event_id], "entities": [entity_id]}
    if action.args.get("remove"):
        if not exists:
            return "unchanged", f"entity {entity_id} is not a participant ({role}) of event {event_id}", touched, []
        ctx.flush()
        ctx.conn.execute(delete(t.event_participants).where(ep.event_id == event_id, ep.entity_id == entity_id, ep.role == role))
        have.discard((event_id, entity_id, role))
        return "applied", f"entity {entity_id} removed from event {event_id} ({role})", touched, [("event", event_id, "participants")]
    if exists:
        return "unchanged", f"entity {entity_id} is a participant ({role}) of event {event_id} already", touched, []
    ctx.insert_later(t.event_participants, {"event_id": event_id, "entity_id": entity_id, "role": role})
    have.add((event_id, entity_id, role))
    return "applied", f"entity {entity_id} added to event {event_id} ({role})", touched, [("event", event_id, "participants")]


def place(ctx, action) -> Result:
    event_id = _event(ctx, action.target["events"][0])
    if event_id is None:
        return _stale("the event", action.target["events"][0])
    entity_id = None
    if action.target.get("entities"):
        entity_id = _entity(ctx, action.target["entities"][0])
        if entity_id is None:
            return _stale("the place", action.target["entities"][0])
    ctx.set_event(event_id, place=entity_id)
    what = f"set to entity {entity_id}" if entity_id else "removed"
    return "applied", f"place of event {event_id} {what}", {"events": [event_id]}, [("event", event_id, "place")]
