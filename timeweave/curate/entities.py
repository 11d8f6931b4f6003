"""Corrections of entities: merge, split, alias, type."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, insert, select, update

from timeweave.curate.kinds import COMPONENT
from timeweave.curate.ops import Result, _entity, _stale, merge_targets
from timeweave.store import schema as t


def entity_merge(ctx, action) -> Result:
    keep, others, stale = merge_targets(ctx, action.target["entities"], _entity, "the entity")
    if stale:
        return stale
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
