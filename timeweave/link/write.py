"""Writing back what changed in the linked entities: ids that do not depend on build order, and the diff.

`link_entities` (`store.py`) hands the entities it cut; only entities, aliases and `mentions.entity_id`
that differ from the stored rows are rewritten, in link's transaction.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select, update

from timeweave.link.resolve import MentionRow
from timeweave.store import schema

COMPONENT = "timeweave.link.v2"
ID_SPACE = 2**30  # entity ids are in [1, ID_SPACE): see `entity_ids`


@dataclass
class LinkReport:
    """What a link run did: counts, and how many aliases joined an entity for each reason."""

    entities: int = 0
    aliases: int = 0
    mentions_linked: int = 0
    by_how: dict[str, int] = field(default_factory=dict)


def first_hash(entity) -> int:
    blob = f"{entity.type}\x1f{entity.name}\x1f0".encode("utf-8")
    return 1 + int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big") % (ID_SPACE - 1)


def first_hashes(entities: list) -> list[int]:
    """Each entity's id when no two entities' hashes collide (`entity_ids` then gives these)."""
    return [first_hash(e) for e in entities]


def entity_ids(entities: list, rows: list[MentionRow]) -> list[int]:
    """The id of each entity: a hash of its type and name, so it does not depend on build order.

    Ids stay below 2**30 (a PostgreSQL INTEGER, a JavaScript number, and room above for the entities a
    historian splits off, `curate`). Two entities whose hashes collide, or that share type and name,
    are taken in the order of (type, name, first mention's source and offset) and the later one tries
    the next hash; that order is the same in every store holding the same files."""
    where = {r.id: (r.source_id, r.start, r.end) for r in rows}
    order = sorted(range(len(entities)), key=lambda i: (
        entities[i].type, entities[i].name, min(where[mid] for mid in entities[i].mentions)))
    ids: list[int] = [0] * len(entities)
    taken: set[int] = set()
    for i in order:
        attempt = 0
        while True:
            blob = f"{entities[i].type}\x1f{entities[i].name}\x1f{attempt}".encode("utf-8")
            candidate = 1 + int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big") % (ID_SPACE - 1)
            if candidate not in taken:
                break
            attempt += 1
        taken.add(candidate)
        ids[i] = candidate
    return ids


def wanted_rows(entities: list, ids: list[int]) -> tuple[dict[int, tuple], dict[int, int], Counter]:
    """What the store should hold: entity id -> (name, type, aliases), mention id -> entity id, rules used."""
    by_how: Counter = Counter()
    wanted: dict[int, tuple] = {}
    owner: dict[int, int] = {}
    for entity_id, entity in zip(ids, entities):
        aliases = []
        for text, how in sorted(entity.aliases.items()):
            link = entity.alias_links[text]
            by_how[how.split(" (")[0]] += 1
            sources = tuple(sorted(entity.alias_sources[text].items()))
            evidence = tuple((link.rule, e.source_id, e.start, e.end, e.quote) for e in link.evidence)
            aliases.append((text, how, link.rule, sources, evidence))
        wanted[entity_id] = (entity.name, entity.type, COMPONENT, tuple(aliases))
        owner.update((mid, entity_id) for mid in entity.mentions)
    return wanted, owner, by_how


def stored_rows(conn, only: set[int] | None = None) -> tuple[dict[int, tuple], dict[int, list[int]]]:
    """The entities as stored (all, or those of `only`, read by id), in the shape of `wanted_rows`, and their alias ids."""
    a, s, ev, e = schema.aliases.c, schema.alias_sources.c, schema.alias_evidence.c, schema.entities.c
    alias_rows, entity_rows = [], []
    if only is None:
        alias_rows = fetch(conn, select(a.id, a.entity_id, a.text, a.how, a.rule).order_by(a.id))
        entity_rows = fetch(conn, select(e.id, e.name, e.type, e.component))
    else:
        for chunk in chunks(sorted(only)):
            alias_rows += fetch(conn, select(a.id, a.entity_id, a.text, a.how, a.rule).where(a.entity_id.in_(chunk)))
            entity_rows += fetch(conn, select(e.id, e.name, e.type, e.component).where(e.id.in_(chunk)))
        alias_rows.sort()
    sources: dict[int, list] = defaultdict(list)
    evidence: dict[int, list] = defaultdict(list)
    source_query = select(s.alias_id, s.source_id, s.count)
    evidence_query = select(ev.alias_id, ev.rule, ev.source_id, ev.start, ev.end, ev.quote).order_by(ev.id)
    for where in ([None] if only is None else [sorted(r[0] for r in alias_rows)[i:i + 500]
                                               for i in range(0, len(alias_rows), 500)]):
        for alias_id, source_id, count in fetch(
                conn, source_query if where is None else source_query.where(s.alias_id.in_(where))):
            sources[alias_id].append((source_id, count))
        for alias_id, *quote in fetch(
                conn, evidence_query if where is None else evidence_query.where(ev.alias_id.in_(where))):
            evidence[alias_id].append(tuple(quote))
    aliases: dict[int, list] = defaultdict(list)
    alias_ids: dict[int, list[int]] = defaultdict(list)
    for alias_id, entity_id, text, how, rule in alias_rows:
        aliases[entity_id].append((text, how, rule, tuple(sorted(sources.get(alias_id, []))),
                                   tuple(evidence.get(alias_id, []))))
        alias_ids[entity_id].append(alias_id)
    stored = {eid: (name, type_, component, tuple(aliases.get(eid, []))) for eid, name, type_, component in entity_rows}
    return stored, alias_ids


def write_entities(conn, entities: list, ids: list[int], linked: int, stored_owner: dict[int, int | None], *,
           keep: set[int] | None = None, gone_owners=None) -> tuple[LinkReport, set[int]]:
    """Write the differences between the resolved entities and the stored ones; returns the ids touched.

    `linked`: how many keyed mentions there are. `keep`: the ids of the entities kept from the last run
    (`_unchanged`); `entities` are then only the others, and only they, the stored entities that are neither
    and the mentions they hold are compared. `gone_owners(ids)`: (mention, entity) of the mentions stored
    under those entities, when `stored_owner` holds only the mentions read (an add: `summary`)."""
    m = schema.mentions
    wanted, owner, by_how = wanted_rows(entities, ids)
    if keep is None:
        stored, alias_ids = stored_rows(conn)
        gone = [eid for eid in stored if eid not in wanted]
        looked = stored_owner.items()
    else:
        every = {eid for (eid,) in fetch(conn, select(schema.entities.c.id))}
        gone_ids = every - keep - wanted.keys()
        stored, alias_ids = stored_rows(conn, (every & wanted.keys()) | gone_ids)
        gone = sorted(gone_ids)
        # The mentions of the cut entities, and those whose stored entity goes (all 50,888 were scanned at 1,600).
        looked = [(mid, stored_owner[mid]) for mid in owner]
        if gone_ids:
            held = gone_owners(gone_ids) if gone_owners is not None else stored_owner.items()
            looked += [(mid, eid) for mid, eid in held if eid in gone_ids and mid not in owner]
    changed = [eid for eid, value in wanted.items() if stored.get(eid) != value]
    whole, alias_changes = _in_place(stored, wanted, alias_ids, changed)
    stale_aliases = [aid for eid in [*gone, *whole] for aid in alias_ids.get(eid, [])]
    for chunk in chunks(stale_aliases):
        conn.execute(schema.alias_evidence.delete().where(schema.alias_evidence.c.alias_id.in_(chunk)))
        conn.execute(schema.alias_sources.delete().where(schema.alias_sources.c.alias_id.in_(chunk)))
        conn.execute(schema.aliases.delete().where(schema.aliases.c.id.in_(chunk)))
    moved = [{"mid": mid, "eid": owner.get(mid)} for mid, eid in looked if owner.get(mid) != eid]
    if moved:
        conn.execute(update(m).where(m.c.id == bindparam("mid")).values(entity_id=bindparam("eid")), moved)
    for chunk in chunks(gone):
        conn.execute(schema.entities.delete().where(schema.entities.c.id.in_(chunk)))
    updates = [{"eid": eid, "name": wanted[eid][0], "type": wanted[eid][1], "component": wanted[eid][2]}
               for eid in changed if eid in stored and stored[eid][:3] != wanted[eid][:3]]
    if updates:  # updated in place: deleting would cascade to event_participants that reconcile may keep
        e = schema.entities
        conn.execute(update(e).where(e.c.id == bindparam("eid")).values(
            name=bindparam("name"), type=bindparam("type"), component=bindparam("component")), updates)
    new = [{"id": eid, "name": wanted[eid][0], "type": wanted[eid][1], "component": wanted[eid][2]}
           for eid in changed if eid not in stored]
    if new:
        conn.execute(schema.entities.insert(), new)
    _write_in_place(conn, alias_changes)
    alias_id = (conn.execute(select(func.max(schema.aliases.c.id))).scalar() or 0)
    alias_rows, source_rows, evidence_rows = [], [], []
    for eid in sorted(whole):
        for text, how, rule, sources, evidence in wanted[eid][3]:
            alias_id += 1
            alias_rows.append({"id": alias_id, "entity_id": eid, "text": text, "how": how, "rule": rule})
            source_rows += [{"alias_id": alias_id, "source_id": s, "count": n} for s, n in sources]
            evidence_rows += [{"alias_id": alias_id, "rule": r, "source_id": s, "start": a, "end": b, "quote": q}
                              for r, s, a, b, q in evidence]
    for table, batch in ((schema.aliases, alias_rows), (schema.alias_sources, source_rows),
                         (schema.alias_evidence, evidence_rows)):
        if batch:
            conn.execute(table.insert(), batch)
    touched = set(gone) | set(changed) | {row["eid"] for row in moved if row["eid"]} \
        | {stored_owner[row["mid"]] for row in moved if stored_owner[row["mid"]]}
    if keep is not None:  # the kept entities' aliases are counted in the store
        by_how = Counter()
        for how, n in conn.execute(select(schema.aliases.c.how, func.count()).group_by(schema.aliases.c.how)):
            by_how[how.split(" (")[0]] += n
    report = LinkReport(entities=len(wanted) + len(keep or ()), aliases=sum(by_how.values()),
                        mentions_linked=linked, by_how=dict(by_how))
    return report, touched


def _in_place(stored: dict[int, tuple], wanted: dict[int, tuple], alias_ids: dict[int, list[int]],
              changed: list[int]) -> tuple[list[int], list[tuple]]:
    """The changed entities whose aliases are rewritten whole, and (alias id, stored alias, wanted alias) of the
    aliases changed in place in the others.

    An entity whose alias texts are the stored ones, in the same order, keeps its alias rows and ids (the order of
    an entity's aliases by id stays their order by text, as a full run writes them); only the aliases that differ
    are changed, and of those only their differing source counts and quotes: a new source in the United States'
    entity at 1,600 documents writes its few counts, not the entity's 2,700 alias_sources rows again. Any other
    change (a new or gone alias text, a new entity) rewrites the entity's aliases whole."""
    whole, changes = [], []
    for eid in changed:
        old, new = stored.get(eid), wanted[eid][3]
        if old is None or len(old[3]) != len(new) or any(a[0] != b[0] for a, b in zip(old[3], new, strict=True)):
            whole.append(eid)
        else:
            changes += [(aid, a, b) for aid, a, b in zip(alias_ids[eid], old[3], new, strict=True) if a != b]
    return whole, changes


def _write_in_place(conn, changes: list[tuple]) -> None:
    """Make each stored alias (text, how, rule, sources, quotes) the wanted one, keeping its row (`_in_place`)."""
    a, s, ev = schema.aliases, schema.alias_sources, schema.alias_evidence
    labels, drop, put, requoted, quotes = [], [], [], [], []
    for aid, (_, how, rule, sources, evidence), (_, how2, rule2, sources2, evidence2) in changes:
        if (how, rule) != (how2, rule2):
            labels.append({"aid": aid, "how": how2, "rule": rule2})
        old, new = dict(sources), dict(sources2)
        drop += [{"aid": aid, "sid": src} for src, n in old.items() if new.get(src) != n]
        put += [{"alias_id": aid, "source_id": src, "count": n} for src, n in new.items() if old.get(src) != n]
        if evidence != evidence2:
            requoted.append(aid)
            quotes += [{"alias_id": aid, "rule": r, "source_id": src, "start": b, "end": e, "quote": q}
                       for r, src, b, e, q in evidence2]
    if labels:
        conn.execute(update(a).where(a.c.id == bindparam("aid")).values(how=bindparam("how"), rule=bindparam("rule")),
                     labels)
    if drop:
        conn.execute(s.delete().where(s.c.alias_id == bindparam("aid"), s.c.source_id == bindparam("sid")), drop)
    if put:
        conn.execute(s.insert(), put)
    for chunk in chunks(requoted):
        conn.execute(ev.delete().where(ev.c.alias_id.in_(chunk)))
    if quotes:
        conn.execute(ev.insert(), quotes)


def fetch(conn, query) -> list[tuple]:
    """The rows of a select as plain tuples; on SQLite through the driver's cursor, which costs about half of Core's
    per-row handling (an add at 1,600 documents reads every entity id and the cut entities' ~7,000 alias rows)."""
    if conn.dialect.name != "sqlite":
        return [tuple(r) for r in conn.execute(query)]
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    cursor = conn.connection.driver_connection.cursor()
    try:
        return cursor.execute(str(compiled), params).fetchall()
    finally:
        cursor.close()


def chunks(ids: list[int], size: int = 500):
    """Id lists cut to a size every database accepts in one IN (...)."""
    for i in range(0, len(ids), size):
        yield ids[i:i + size]
