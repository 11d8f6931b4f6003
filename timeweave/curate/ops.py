"""One function per kind of correction, applied to the rows an action's anchors name now.

Each takes the apply `Context` and the action row and returns `(state, detail, applies_to, fields)`
(see `apply.Outcome`). They change only corpus-level rows (events, participants, comparisons,
entities, aliases and the `event_id`/`entity_id` links of mentions), which every build recomputes
before the log is applied again; document-level rows (the quotes) are never touched, so every quote
still equals its source. Each keeps the resolver's view of who owns which mention current.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, insert, select, update

from timeweave.curate.kinds import COMPONENT, CurateError
from timeweave.store import schema as t

Result = tuple[str, str, dict[str, list[int]], list[tuple[str, int, str]]]


@lru_cache(maxsize=4096)
def edtf_bounds(value: str) -> tuple[str, str]:
    """The earliest and latest day of an EDTF date or interval, or CurateError saying why it is not one.

    Parsing EDTF is slow (a full grammar): the log stores the bounds with the action, and this is
    cached for logs imported without them."""
    import edtf

    text = (value or "").strip()
    try:
        parsed = edtf.parse_edtf(text)
        lo, hi = parsed.lower_strict(), parsed.upper_strict()
        earliest = date(lo.tm_year, lo.tm_mon, lo.tm_mday)
        latest = date(hi.tm_year, hi.tm_mon, hi.tm_mday)
    except Exception as exc:  # the edtf parser raises several kinds; none is a date we can store
        raise CurateError(
            f"{value!r} is not an EDTF date timeweave can store ({type(exc).__name__}). Use a day (1935-03-23), "
            "a month (1935-03), a year (1935), an interval (1935-03-01/1935-03-23) or an approximate date (1935~)."
        ) from None
    if latest < earliest or not 1 <= earliest.year <= 9999:
        raise CurateError(f"{value!r}: its end comes before its start; write the earlier date first.")
    return earliest.isoformat(), latest.isoformat()


def _event(ctx, anchor) -> int | None:
    return ctx.resolver.event(anchor)


def _entity(ctx, anchor) -> int | None:
    return ctx.resolver.entity(anchor, ctx.conn)


def _stale(what: str, anchor: dict) -> Result:
    name = anchor.get("label") or anchor.get("name") or anchor.get("quote", "")[:60]
    return ("stale", f"{what} {name!r} (id {anchor.get('id')} when recorded) is no longer found: "
            "its quotes left the sources or belong to nothing now; not applied", {}, [])


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
    anchors = action.target["events"]
    found = [_event(ctx, a) for a in anchors]
    for anchor, event_id in zip(anchors, found):
        if event_id is None:
            return _stale("the event", anchor)
    keep, others = found[0], list(dict.fromkeys(e for e in found[1:] if e != found[0]))
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
    return ("applied", f"{len(moving)} pieces of evidence of event {event_id} moved to new event {new_id}",
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


def entity_merge(ctx, action) -> Result:
    anchors = action.target["entities"]
    found = [_entity(ctx, a) for a in anchors]
    for anchor, entity_id in zip(anchors, found):
        if entity_id is None:
            return _stale("the entity", anchor)
    keep, others = found[0], list(dict.fromkeys(e for e in found[1:] if e != found[0]))
    if not others:
        return "unchanged", f"the entities are one entity ({keep}) already", {"entities": [keep]}, []
    conn, ep, a = ctx.conn, t.event_participants.c, t.aliases.c
    texts = {r.text for r in conn.execute(select(a.text).where(a.entity_id == keep))}
    for other in others:
        conn.execute(update(t.mentions).where(t.mentions.c.entity_id == other).values(entity_id=keep))
        for alias in conn.execute(select(a.id, a.text).where(a.entity_id == other)).all():
            if alias.text in texts:
                conn.execute(delete(t.aliases).where(a.id == alias.id))
            else:
                texts.add(alias.text)
                conn.execute(update(t.aliases).where(a.id == alias.id).values(entity_id=keep))
        have = {(p.event_id, p.role) for p in conn.execute(select(ep.event_id, ep.role).where(ep.entity_id == keep))}
        for p in conn.execute(select(ep.event_id, ep.role).where(ep.entity_id == other)).all():
            if (p.event_id, p.role) not in have:
                have.add((p.event_id, p.role))
                conn.execute(insert(t.event_participants).values(event_id=p.event_id, entity_id=keep, role=p.role))
        conn.execute(delete(t.event_participants).where(ep.entity_id == other))
        conn.execute(update(t.events).where(t.events.c.place == other).values(place=keep))
        conn.execute(delete(t.entities).where(t.entities.c.id == other))
        ctx.resolver.entities.discard(other)
        owner = ctx.resolver.mentions.owner
        for row_id in [r for r, e in owner.items() if e == other]:
            owner[row_id] = keep
    return ("applied", f"entities {', '.join(map(str, others))} merged into entity {keep}", {"entities": [keep, *others]},
            [("entity", keep, "aliases")])


def entity_split(ctx, action) -> Result:
    anchor = action.target["entities"][0]
    entity_id = _entity(ctx, anchor)
    if entity_id is None:
        return _stale("the entity", anchor)
    conn, a, m = ctx.conn, t.aliases.c, t.mentions.c
    wanted = {x.casefold().strip() for x in action.args["aliases"]}
    aliases = [r for r in conn.execute(select(a.id, a.text).where(a.entity_id == entity_id)) if r.text.casefold().strip() in wanted]
    mentions = [r.id for r in conn.execute(select(m.id, m.text).where(m.entity_id == entity_id)) if r.text.casefold().strip() in wanted]
    if not aliases and not mentions:
        return "stale", f"entity {entity_id} has none of the aliases {sorted(wanted)} now; not applied", {"entities": [entity_id]}, []
    old = conn.execute(select(t.entities).where(t.entities.c.id == entity_id)).first()
    new_id = ctx.new_id(t.entities)
    conn.execute(insert(t.entities).values(id=new_id, name=action.args["aliases"][0], type=old.type, component=COMPONENT))
    if aliases:
        conn.execute(update(t.aliases).where(a.id.in_([r.id for r in aliases])).values(entity_id=new_id))
    if mentions:
        conn.execute(update(t.mentions).where(m.id.in_(mentions)).values(entity_id=new_id))
    for row in mentions:
        ctx.resolver.mentions.owner[row] = new_id
    ctx.resolver.entities.add(new_id)
    _reassign_participants(ctx, entity_id, new_id, set(mentions))
    return ("applied", f"aliases {sorted(wanted)} of entity {entity_id} moved to new entity {new_id}",
            {"entities": [entity_id, new_id]}, [("entity", new_id, "split"), ("entity", entity_id, "aliases")])


def _reassign_participants(ctx, old: int, new: int, moved: set[int]) -> None:
    """Events whose participant mentions moved to the new entity take it as participant (and place)."""
    conn, em, ep = ctx.conn, t.event_mentions.c, t.event_participants.c
    events = [r.event_id for r in conn.execute(select(ep.event_id).where(ep.entity_id == old).distinct())]
    if not events:
        return
    roles: dict[int, dict[str, set[bool]]] = defaultdict(lambda: defaultdict(set))
    for r in conn.execute(select(em.event_id, em.participants).where(em.event_id.in_(events))):
        for p in r.participants or []:
            roles[r.event_id][p.get("role") or "other"].add(p.get("mention") in moved)
    for event_id, by_role in roles.items():
        for role, moved_flags in by_role.items():
            if True in moved_flags:
                conn.execute(insert(t.event_participants).values(event_id=event_id, entity_id=new, role=role))
                if False not in moved_flags:
                    conn.execute(delete(t.event_participants).where(ep.event_id == event_id, ep.entity_id == old, ep.role == role))
    if moved:
        places = select(em.event_id).where(em.place_mention.in_(moved))
        conn.execute(update(t.events).where(t.events.c.place == old, t.events.c.id.in_(places)).values(place=new))


def alias(ctx, action) -> Result:
    anchor = action.target["entities"][0]
    entity_id = _entity(ctx, anchor)
    if entity_id is None:
        return _stale("the entity", anchor)
    a, text = t.aliases.c, action.args["text"]
    known = ctx.aliases()
    rows = known.get((entity_id, text), [])
    touched = {"entities": [entity_id]}
    if action.args.get("remove"):
        if not rows:
            return "unchanged", f"entity {entity_id} has no alias {text!r}", touched, []
        ctx.flush()
        ctx.conn.execute(delete(t.aliases).where(a.id.in_(rows)))
        known.pop((entity_id, text), None)
        return "applied", f"alias {text!r} removed from entity {entity_id}", touched, [("entity", entity_id, "aliases")]
    if rows:
        return "unchanged", f"entity {entity_id} has the alias {text!r} already", touched, []
    alias_id = ctx.new_id(t.aliases)
    ctx.insert_later(t.aliases, {"id": alias_id, "entity_id": entity_id, "text": text, "rule": "curated",
                                 "how": f"added by {action.author}: {action.note or 'no reason given'}"})
    known[(entity_id, text)] = [alias_id]
    return "applied", f"alias {text!r} added to entity {entity_id}", touched, [("entity", entity_id, "aliases")]


def entity_type(ctx, action) -> Result:
    anchor = action.target["entities"][0]
    entity_id = _entity(ctx, anchor)
    if entity_id is None:
        return _stale("the entity", anchor)
    ctx.conn.execute(update(t.entities).where(t.entities.c.id == entity_id).values(type=action.args["type"]))
    return "applied", f"entity {entity_id}: type set to {action.args['type']}", {"entities": [entity_id]}, [("entity", entity_id, "type")]


def _comparison(ctx, anchor: dict) -> int | None:
    event_id = _event(ctx, anchor["event"])
    if event_id is None:
        return None
    c, s = t.comparisons.c, t.comparison_statements.c
    candidates = [r.id for r in ctx.conn.execute(select(c.id).where(c.event_id == event_id, c.kind == anchor["kind"],
                                                                    c.field == anchor["field"]))]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    spans = {(q["source"], q["start"], q["end"]) for q in anchor.get("statements", [])}
    scored = []
    for cid in candidates:
        have = {(r.source_id, r.start, r.end) for r in ctx.conn.execute(select(s.source_id, s.start, s.end).where(s.comparison_id == cid))}
        scored.append((len(have & spans), -cid, cid))
    return max(scored)[2]


def comparison_wrong(ctx, action) -> Result:
    anchor = action.target["comparisons"][0]
    comparison_id = _comparison(ctx, anchor)
    if comparison_id is None:
        return ("stale", f"the {anchor['kind']} ({anchor['field']}) comparison of {anchor['event'].get('label')!r} "
                "is no longer made; not applied", {}, [])
    ctx.conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.comparison_id == comparison_id))
    ctx.conn.execute(delete(t.comparisons).where(t.comparisons.c.id == comparison_id))
    return "applied", f"comparison {comparison_id} marked wrong: left the chronicle", {"comparisons": [comparison_id]}, []


def comparison_add(ctx, action) -> Result:
    anchor = action.target["events"][0]
    event_id = _event(ctx, anchor)
    if event_id is None:
        return _stale("the event", anchor)
    from timeweave.curate.anchors import locate

    spans = []
    for quote in action.target["evidence"]:
        where = locate(ctx.resolver.texts[quote["source"]], quote)
        if where is None:
            return _stale("the quote", quote)
        spans.append((quote["source"], *where))
    comparison_id = ctx.new_id(t.comparisons)
    explanation = action.args.get("explanation") or action.note or f"added by {action.author}"
    ctx.conn.execute(insert(t.comparisons).values(id=comparison_id, event_id=event_id, kind=action.args["kind"],
                                                  field=action.args["field"], explanation=explanation, component=COMPONENT))
    ctx.conn.execute(insert(t.comparison_statements), [
        {"comparison_id": comparison_id, "source_id": s, "start": a, "end": b, "value": None} for s, a, b in spans])
    return ("applied", f"comparison {comparison_id} added to event {event_id}", {"events": [event_id], "comparisons": [comparison_id]},
            [("comparison", comparison_id, "added")])


APPLIERS = {  # kind (kinds.KINDS) -> function; `date` and `type` have a trailing underscore in Python
    "reject": reject, "date": date_, "label": label, "type": type_, "merge": merge, "split": split, "move": move,
    "participant": participant, "place": place, "entity_merge": entity_merge, "entity_split": entity_split,
    "alias": alias, "entity_type": entity_type, "comparison_wrong": comparison_wrong, "comparison_add": comparison_add,
}
