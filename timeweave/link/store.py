"""Reading mentions from the store and writing back what changed in the linked entities, in one transaction."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, bindparam, delete, func, select, update

from timeweave.errors import ConfigError
from timeweave.link import intext, local, persons, variants
from timeweave.link.intext import Findings
from timeweave.link.lexicon import Lexicon, default_lexicon, read_lexicon
from timeweave.link.resolve import MentionRow, Resolver
from timeweave.store import schema
from timeweave.store.changes import Changes

COMPONENT = "timeweave.link.v2"
SPELLING = "link.spelling"  # corpus_state key of the last run's spelling pairs (`Resolver.spelling_variants`)
RULES = "link.rules"  # corpus_state key of the last run's name-local rule calls (`local`) and found keys
COMPONENTS = "link.components"  # corpus_state key of the last run's components: their entity ids and signatures
PREFIX = "link.source:"  # corpus_state key of a source's in-text findings (`intext.Findings`): PREFIX + sha1(source id)
ID_SPACE = 2**30  # entity ids are in [1, ID_SPACE): see `entity_ids`
log = logging.getLogger(__name__)


@dataclass
class LinkReport:
    """What a link run did: counts, and how many aliases joined an entity for each reason."""

    entities: int = 0
    aliases: int = 0
    mentions_linked: int = 0
    by_how: dict[str, int] = field(default_factory=dict)


def read_authority(paths: list[Path], *, strict: bool = True) -> list[tuple[str, str, str, str]]:
    """Rows (alias, canonical name, type, file name) of `aliases.csv` files; a header row is optional.

    Rows are checked by `timeweave.ingest.aliases` (types in any case). `strict` raises ConfigError
    naming the first bad line; the build reads leniently and records each bad line as T023."""
    from timeweave.ingest.aliases import read_aliases

    rows, problems = read_aliases(paths)
    if strict and problems:
        raise ConfigError(f"{problems[0].path}: {problems[0].reason}. {problems[0].hint}")
    return rows


def _texts(conn, rows: list[MentionRow]) -> dict[str, str]:
    """The stored text of every source with mentions: the words between and around names are evidence."""
    wanted = sorted({row.source_id for row in rows})
    return {source_id: text for source_id, text in conn.execute(
        select(schema.texts.c.source_id, schema.texts.c.text).where(schema.texts.c.source_id.in_(wanted))) if text}


def resolve(resolver: Resolver, authority_rows: list[tuple[str, str, str, str]]) -> list:
    """Run the rules in order (the later ones read the links the earlier ones made) and cut entities."""
    resolve_graph(resolver, authority_rows)
    return resolver.entities()


def resolve_graph(resolver: Resolver, authority_rows: list[tuple[str, str, str, str]]) -> None:
    """The rules of `resolve`, without cutting entities (`link_entities` cuts only the components that changed)."""
    resolver.gazetteer_names()
    resolver.spelling_variants()
    resolver.acronyms()
    intext.parentheses(resolver)
    intext.naming_cues(resolver)
    intext.or_names(resolver)
    intext.titles(resolver)
    variants.generic_words(resolver)
    variants.of_forms(resolver)
    variants.ship_prefixes(resolver)
    for second in resolver.drop_conflicts():
        log.info("left %r apart: the texts give it as a second name of different things", second)
    resolver.authority(authority_rows)
    variants.rewritten_parts(resolver)
    persons.persons(resolver)


def link_entities(engine: Engine, *, authority: list[Path] | None = None, words: list[Path] | None = None,
                  cues: list[Path] | None = None, changes: Changes | None = None) -> LinkReport:
    """Resolve all stored mentions into entities and write only what differs from the stored ones.

    Resolution runs over every alias key (the rules compare names across the corpus, so a new document
    can join two old entities); the writing is incremental: an entity's id is a function of its type
    and name (`entity_ids`), so the same files give the same ids whether built at once or one at a
    time, and only entities, aliases and `mentions.entity_id` that changed are rewritten. The ids of
    entities created, removed or changed go into `changes.entities` for the stages after link.
    `words` and `cues` add rows to the bundled `link/data/name_words.tsv` and `naming_cues.tsv`.
    """
    authority_rows = read_authority(list(authority or []), strict=False)
    lexicon = read_lexicon(words, cues) if words or cues else default_lexicon()
    digest = findings_digest(lexicon)
    m = schema.mentions
    with engine.begin() as conn:
        began = time.perf_counter()
        rows, stored_owner = [], {}
        one: dict[str, str] = {}  # one string object per distinct value: a source id or a name repeats thousands of times
        # Rows unpacked by position (a Row attribute costs microseconds, and every mention is read each build).
        for mid, source_id, start, end, text, type_, key, entity_id in conn.execute(
                select(m.c.id, m.c.source_id, m.c.start, m.c.end, m.c.text, m.c.type, m.c.key, m.c.entity_id)):
            rows.append(MentionRow(mid, one.setdefault(source_id, source_id), start, end, one.setdefault(text, text),
                                   one.setdefault(type_, type_), one.setdefault(key or "", key or "")))
            stored_owner[mid] = entity_id
        del one
        keyed = [r for r in rows if r.key]
        del rows
        kept, before = _kept_findings(conn, {r.source_id for r in keyed}, changes, digest)
        read_s = time.perf_counter() - began
        resolver = Resolver(keyed, _texts(conn, keyed), lexicon=lexicon, findings=kept)
        resolver.dirty = _dirty(keyed, changes, before)
        if resolver.dirty is not None:
            resolver.spelling_kept = _kept_spelling(conn, digest)
            resolver.rules_kept, resolver.found_kept = _kept_rules(conn, digest)
        resolve_graph(resolver, authority_rows)
        components = resolver.components()
        signatures = [resolver.signature(c) for c in components]
        last = _kept_components(conn, digest) if resolver.dirty is not None and not _curated(conn) else None
        kept_ids = _unchanged(components, signatures, resolver.dirty, last) if last is not None else {}
        entities = [resolver.entity_of(c) for n, c in enumerate(components) if n not in kept_ids]
        ids = _first_hashes(entities)
        if kept_ids and len(set(ids) | set(kept_ids.values())) != len(ids) + len(kept_ids):
            kept_ids = {}  # two entities' ids collide: a full run orders them, so cut and diff every entity
            entities = [resolver.entity_of(c) for c in components]
            ids = _first_hashes(entities)
        if not kept_ids:
            ids = entity_ids(entities, keyed)
        resolve_s = time.perf_counter() - began - read_s
        _keep_findings(conn, resolver, changes, digest)
        fresh_ids = iter(ids)
        by_component = {min(c): (kept_ids[n] if n in kept_ids else next(fresh_ids), signatures[n])
                        for n, c in enumerate(components)}
        _keep_components(conn, digest, by_component, all_first=ids == _first_hashes(entities) or bool(kept_ids))
        fresh = len(resolver.fresh_findings)
        del resolver, kept  # the graph and the texts: the entities hold what is written
        report, touched = _write(conn, entities, ids, keyed, stored_owner,
                                 keep=set(kept_ids.values()) if kept_ids else None)
        if changes is not None:
            changes.entities |= touched
    log.info("linked %d mentions into %d entities (%d aliases); %d entities changed; texts of %d sources read for "
             "their in-text findings, %d entities cut; read %.2fs, resolve %.2fs, write %.2fs", report.mentions_linked,
             report.entities, report.aliases, len(touched), fresh, len(ids), read_s, resolve_s,
             time.perf_counter() - began - read_s - resolve_s)
    return report


def findings_digest(lexicon: Lexicon) -> str:
    """A hash of what a source's findings depend on besides its own rows and text: the link package (code and
    data), the name keys and the gazetteer's code, the knowledge tables the gazetteer reads, and the
    lexicon. Findings made otherwise are read again."""
    from timeweave import knowledge
    from timeweave.annotate.entities import gazetteer, keys

    h = hashlib.blake2b(knowledge.active().digest.encode(), digest_size=16)
    root = Path(__file__).resolve().parent
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for module in (gazetteer, keys):
        h.update(Path(module.__file__).read_bytes() + b"\0")
    h.update(repr(sorted((kind, sorted(words)) for kind, words in lexicon.words.items())).encode())
    h.update(repr([(rule, pattern.pattern) for rule, pattern in lexicon.cues]).encode())
    return h.hexdigest()


def _state_key(source_id: str) -> str:
    return PREFIX + hashlib.sha1(source_id.encode("utf-8")).hexdigest()


def _kept_findings(conn, sources: set[str], changes: Changes | None,
                   digest: str) -> tuple[dict[str, Findings], dict[str, Findings]]:
    """The findings kept by the last run for the sources unchanged since, and for the sources re-stored or
    removed since (what they held before); none on a full run.

    A source not in `changes` has the rows and text it had when its findings were written (they are
    written in the transaction that links, and a failed stage makes the next build full)."""
    if changes is None or changes.full:
        return {}, {}
    wanted = {_state_key(s): s for s in (sources - changes.sources) | changes.changed | changes.removed}
    state = schema.corpus_state.c
    kept: dict[str, Findings] = {}
    before: dict[str, Findings] = {}
    for chunk in _chunks(sorted(wanted)):
        for key, value in conn.execute(select(state.key, state.value).where(state.key.in_(chunk))):
            stored = json.loads(value)
            if stored.get("digest") == digest:
                source_id = wanted[key]
                (before if source_id in changes.sources else kept)[source_id] = Findings.from_json(stored["findings"])
    return kept, before


def _dirty(rows: list[MentionRow], changes: Changes | None, before: dict[str, Findings]) -> set[str] | None:
    """The keys whose mentions changed since the last run: those of the sources added or re-stored now and
    those the re-stored or removed ones had (their kept findings); None when that is not known (a full run)."""
    if changes is None or changes.full or any(s not in before for s in changes.changed | changes.removed):
        return None
    now = changes.added | changes.changed
    return {key for findings in before.values() for key in findings.keys} | {r.key for r in rows if r.source_id in now}


def _kept_spelling(conn, digest: str) -> list[tuple[str, str, str]] | None:
    """The spelling pairs of the last run, when it ran with this digest; else None (they are all tested again)."""
    value = conn.execute(select(schema.corpus_state.c.value).where(schema.corpus_state.c.key == SPELLING)).scalar()
    stored = json.loads(value) if value else {}
    return [tuple(p) for p in stored["pairs"]] if stored.get("digest") == digest else None


def _kept_rules(conn, digest: str) -> tuple[dict | None, set[str] | None]:
    """The name-local rules' calls of the last run and the keys it found beside mentions, when it ran with this
    digest; else (None, None): every key's calls are made again."""
    value = conn.execute(select(schema.corpus_state.c.value).where(schema.corpus_state.c.key == RULES)).scalar()
    stored = json.loads(value) if value else {}
    if stored.get("digest") != digest:
        return None, None
    return local.from_json(stored["rules"]), set(stored["found"])


def _keep_findings(conn, resolver: Resolver, changes: Changes | None, digest: str) -> None:
    """Store the findings read from texts in this run and the spelling pairs; drop the findings of removed or
    re-stored sources."""
    state = schema.corpus_state
    if changes is None or changes.full:
        conn.execute(delete(state).where(state.c.key.startswith(PREFIX, autoescape=True)))
        stale = [SPELLING, RULES]
    else:
        stale = sorted({_state_key(s) for s in changes.sources | resolver.fresh_findings} | {SPELLING, RULES})
    for chunk in _chunks(stale):
        conn.execute(delete(state).where(state.c.key.in_(chunk)))
    rows = [{"key": _state_key(s), "value": json.dumps({"digest": digest, "findings": resolver.findings[s].to_json()})}
            for s in sorted(resolver.fresh_findings)]
    rows.append({"key": SPELLING, "value": json.dumps({"digest": digest, "pairs": resolver.spelling_pairs})})
    rows.append({"key": RULES, "value": json.dumps({"digest": digest, "rules": local.to_json(resolver.rules_now),
                                                    "found": sorted(resolver.found)})})
    if rows:
        conn.execute(state.insert(), rows)


def _curated(conn) -> bool:
    """Whether a historian's correction was ever logged: corrections edit link's rows after it (`curate`),
    so the stored rows are then not what link wrote, and every entity is diffed as before."""
    return conn.execute(select(schema.curation_actions.c.id).limit(1)).first() is not None


def _kept_components(conn, digest: str) -> dict[str, list] | None:
    """The last run's components (smallest key -> [entity id, signature]), when it ran with this digest."""
    value = conn.execute(select(schema.corpus_state.c.value).where(schema.corpus_state.c.key == COMPONENTS)).scalar()
    stored = json.loads(value) if value else {}
    return stored["components"] if stored.get("digest") == digest and stored.get("all_first") else None


def _unchanged(components: list[set[str]], signatures: list[str], dirty: set[str],
               last: dict[str, list]) -> dict[int, int]:
    """Index of each component whose entity is the last run's -> that entity's id.

    Why it is the entity a full run cuts: `Resolver.entity_of` reads the component's keys, their mentions,
    the links between them (with their quotes), the names found beside them, authority names and pure
    functions of names. A component with no key whose mentions changed (`dirty`) and the signature of
    the last run (keys, links, found names, authority) reads the same, so it gives the same entity,
    and its rows are the ones link wrote then (no correction was ever logged: `_curated`)."""
    out = {}
    for n, component in enumerate(components):
        known = last.get(min(component))
        if known is not None and known[1] == signatures[n] and dirty.isdisjoint(component):
            out[n] = known[0]
    return out


def _keep_components(conn, digest: str, by_component: dict[str, tuple[int, str]], *, all_first: bool) -> None:
    state = schema.corpus_state
    conn.execute(delete(state).where(state.c.key == COMPONENTS))
    conn.execute(state.insert().values(key=COMPONENTS, value=json.dumps(
        {"digest": digest, "all_first": all_first, "components": by_component})))


def _first_hash(entity) -> int:
    blob = f"{entity.type}\x1f{entity.name}\x1f0".encode("utf-8")
    return 1 + int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big") % (ID_SPACE - 1)


def _first_hashes(entities: list) -> list[int]:
    """Each entity's id when no two entities' hashes collide (`entity_ids` then gives these)."""
    return [_first_hash(e) for e in entities]


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


def _wanted(entities: list, ids: list[int]) -> tuple[dict[int, tuple], dict[int, int], Counter]:
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


def _stored(conn, only: set[int] | None = None) -> tuple[dict[int, tuple], dict[int, list[int]]]:
    """The entities as stored (all, or those of `only`, read by id), in the shape of `_wanted`, and their alias ids."""
    a, s, ev, e = schema.aliases.c, schema.alias_sources.c, schema.alias_evidence.c, schema.entities.c
    alias_rows, entity_rows = [], []
    if only is None:
        alias_rows = conn.execute(select(a.id, a.entity_id, a.text, a.how, a.rule).order_by(a.id)).all()
        entity_rows = conn.execute(select(e.id, e.name, e.type, e.component)).all()
    else:
        for chunk in _chunks(sorted(only)):
            alias_rows += conn.execute(select(a.id, a.entity_id, a.text, a.how, a.rule).where(a.entity_id.in_(chunk))).all()
            entity_rows += conn.execute(select(e.id, e.name, e.type, e.component).where(e.id.in_(chunk))).all()
        alias_rows.sort()
    sources: dict[int, list] = defaultdict(list)
    evidence: dict[int, list] = defaultdict(list)
    source_query = select(s.alias_id, s.source_id, s.count)
    evidence_query = select(ev.alias_id, ev.rule, ev.source_id, ev.start, ev.end, ev.quote).order_by(ev.id)
    for where in ([None] if only is None else [sorted(r[0] for r in alias_rows)[i:i + 500]
                                               for i in range(0, len(alias_rows), 500)]):
        for alias_id, source_id, count in conn.execute(
                source_query if where is None else source_query.where(s.alias_id.in_(where))):
            sources[alias_id].append((source_id, count))
        for alias_id, *quote in conn.execute(
                evidence_query if where is None else evidence_query.where(ev.alias_id.in_(where))):
            evidence[alias_id].append(tuple(quote))
    aliases: dict[int, list] = defaultdict(list)
    alias_ids: dict[int, list[int]] = defaultdict(list)
    for alias_id, entity_id, text, how, rule in alias_rows:
        aliases[entity_id].append((text, how, rule, tuple(sorted(sources.get(alias_id, []))),
                                   tuple(evidence.get(alias_id, []))))
        alias_ids[entity_id].append(alias_id)
    stored = {eid: (name, type_, component, tuple(aliases.get(eid, []))) for eid, name, type_, component in entity_rows}
    return stored, alias_ids


def _write(conn, entities: list, ids: list[int], rows: list[MentionRow], stored_owner: dict[int, int | None], *,
           keep: set[int] | None = None) -> tuple[LinkReport, set[int]]:
    """Write the differences between the resolved entities and the stored ones; returns the ids touched.

    `keep`: the ids of the entities kept from the last run (`_unchanged`); `entities` are then only the
    others, and only they, the stored entities that are neither and the mentions they hold are compared."""
    m = schema.mentions
    wanted, owner, by_how = _wanted(entities, ids)
    if keep is None:
        stored, alias_ids = _stored(conn)
        gone = [eid for eid in stored if eid not in wanted]
        looked = stored_owner.items()
    else:
        every = {eid for (eid,) in conn.execute(select(schema.entities.c.id))}
        gone_ids = every - keep - wanted.keys()
        stored, alias_ids = _stored(conn, (every & wanted.keys()) | gone_ids)
        gone = sorted(gone_ids)
        looked = [(mid, eid) for mid, eid in stored_owner.items() if mid in owner or eid in gone_ids]
    changed = [eid for eid, value in wanted.items() if stored.get(eid) != value]
    stale_aliases = [aid for eid in [*gone, *changed] for aid in alias_ids.get(eid, [])]
    for chunk in _chunks(stale_aliases):
        conn.execute(schema.alias_evidence.delete().where(schema.alias_evidence.c.alias_id.in_(chunk)))
        conn.execute(schema.alias_sources.delete().where(schema.alias_sources.c.alias_id.in_(chunk)))
        conn.execute(schema.aliases.delete().where(schema.aliases.c.id.in_(chunk)))
    moved = [{"mid": mid, "eid": owner.get(mid)} for mid, eid in looked if owner.get(mid) != eid]
    if moved:
        conn.execute(update(m).where(m.c.id == bindparam("mid")).values(entity_id=bindparam("eid")), moved)
    for chunk in _chunks(gone):
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
    alias_id = (conn.execute(select(func.max(schema.aliases.c.id))).scalar() or 0)
    alias_rows, source_rows, evidence_rows = [], [], []
    for eid in sorted(changed):
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
                        mentions_linked=len(rows), by_how=dict(by_how))
    return report, touched


def _chunks(ids: list[int], size: int = 500):
    """Id lists cut to a size every database accepts in one IN (...)."""
    for i in range(0, len(ids), size):
        yield ids[i:i + size]
