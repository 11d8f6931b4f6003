"""Reading mentions from the store, resolving them, and what an incremental run keeps (`corpus_state`); the
writing back of what changed is in `write.py`; all in one transaction."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path

from sqlalchemy import Engine, delete, select

from timeweave import collector
from timeweave.errors import ConfigError
from timeweave.link import intext, local, parts, persons, summary, variants
from timeweave.link.intext import Findings
from timeweave.link.lexicon import Lexicon, default_lexicon, read_lexicon
from timeweave.link.resolve import MentionRow, Resolver
from timeweave.link.write import LinkReport, chunks, entity_ids, first_hashes, write_entities
from timeweave.store import schema
from timeweave.store.changes import Changes

SPELLING = "link.spelling"  # corpus_state key of the last run's spelling pairs (`Resolver.spelling_variants`)
RULES = "link.rules"  # corpus_state key of the last run's name-local rule calls (`local`) and found keys
PARTS = "link.parts"  # corpus_state key of the last run's rewritten parts: representatives, word counts, forms (`parts`)
COMPONENTS = "link.components"  # corpus_state key of the last run's components: their entity ids and signatures
PREFIX = "link.source:"  # corpus_state key of a source's in-text findings (`intext.Findings`): PREFIX + sha1(source id)
KEYS = "link.keys:"  # corpus_state key of a source's mention keys (`Findings.keys`), read only once it changed
log = logging.getLogger(__name__)


def read_authority(paths: list[Path], *, strict: bool = True) -> list[tuple[str, str, str, str]]:
    """Rows (alias, canonical name, type, file name) of `aliases.csv` files; a header row is optional.

    Rows are checked by `timeweave.ingest.aliases` (types in any case). `strict` raises ConfigError
    naming the first bad line; the build reads leniently and records each bad line as T023."""
    from timeweave.ingest.aliases import read_aliases

    rows, problems = read_aliases(paths)
    if strict and problems:
        raise ConfigError(f"{problems[0].path}: {problems[0].reason}. {problems[0].hint}")
    return rows


def _texts(conn, sources: set[str]) -> dict[str, str]:
    """The stored text of every source with mentions: the words between and around names are evidence."""
    wanted = sorted(sources)
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
    parts.rewritten_parts(resolver)
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
    with engine.begin() as conn, collector.paused():
        # What `_link` made is freed when it returns, with the collector still paused: a collection once it runs
        # again would walk all of it (one took ~0.02 CPU-s after an add at 1,600 documents, /tmp/s5/h2/gcm.py).
        report, touched, counts = _link(conn, authority_rows, lexicon, digest, changes)
    log.info("linked %d mentions into %d entities (%d aliases); %d entities changed; texts of %d sources read for "
             "their in-text findings, %d entities cut, %d mention rows read; read %.2fs, resolve %.2fs, write %.2fs",
             report.mentions_linked, report.entities, report.aliases, len(touched), *counts)
    return report


def _link(conn, authority_rows: list[tuple[str, str, str, str]], lexicon: Lexicon, digest: str,
          changes: Changes | None) -> tuple[LinkReport, set[int], tuple]:
    """`link_entities`' work in its transaction: the report, the entity ids touched and the counts it logs."""
    began = time.perf_counter()
    # An add reads the rows of the names it touches and the kept summaries of the others (`summary`).
    lazy = summary.read(conn, digest, changes) if changes is not None and not changes.full else None
    keyed: list[MentionRow] = []
    if lazy is not None:
        kept, before = _kept_findings(conn, lazy.sources, changes, digest)
        dirty = _dirty(lazy.by_source, changes, before)
        if dirty is None:
            lazy = None
        else:
            lazy.settle(dirty)
            lazy.want_findings(kept.values())
            sources, stored_owner = lazy.sources, lazy.rows.owner
    if lazy is None:
        keyed, stored_owner = _read_all(conn)
        sources = {r.source_id for r in keyed}
        kept, before = _kept_findings(conn, sources, changes, digest)
    read_s = time.perf_counter() - began
    if lazy is not None:  # the texts the kept findings quote, and the changed sources' (read for their findings)
        texts = summary.Texts(conn, sources)
        texts.want([s for s, f in kept.items() if f.parens or f.cues or f.ors or f.titles or f.acronyms])
        texts.want(changes.added | changes.changed)
    else:
        texts = _texts(conn, sources)
    resolver = Resolver(keyed, texts, lexicon=lexicon, findings=kept, lazy=lazy)
    resolver.dirty = _dirty(resolver.by_source, changes, before)
    if lazy is not None:  # the dirty keys' first uses, quoted from their texts read at once (the rules quote them)
        resolver.quote_first([key for key in resolver.dirty if key in lazy.by_key.loaded and lazy.by_key.loaded[key]])
    if resolver.dirty is not None:
        resolver.spelling_kept = _kept_spelling(conn, digest)
        resolver.rules_kept, resolver.found_kept = _kept_rules(conn, digest)
        resolver.parts_kept = _kept_parts(conn, digest)
    resolve_graph(resolver, authority_rows)
    components = resolver.components()
    signatures = [resolver.signature(c) for c in components]
    last = _kept_components(conn, digest) if resolver.dirty is not None and not _curated(conn) else None
    kept_ids = _unchanged(components, signatures, resolver.dirty, last) if last is not None else {}
    if lazy is not None and not kept_ids:  # every entity is cut and diffed, with every mention's stored entity
        keyed, stored_owner = _read_all(conn)
        resolver.by_key.want(resolver.by_key)
    if lazy is not None:
        resolver.by_key.want(k for n, c in enumerate(components) if n not in kept_ids for k in c)
    entities = [resolver.entity_of(c) for n, c in enumerate(components) if n not in kept_ids]
    ids = first_hashes(entities)
    if kept_ids and len(set(ids) | set(kept_ids.values())) != len(ids) + len(kept_ids):
        kept_ids = {}  # two entities' ids collide: a full run orders them, so cut and diff every entity
        if lazy is not None:
            keyed, stored_owner = _read_all(conn)
            resolver.by_key.want(resolver.by_key)
        entities = [resolver.entity_of(c) for c in components]
        ids = first_hashes(entities)
    if not kept_ids:
        ids = entity_ids(entities, keyed)
    resolve_s = time.perf_counter() - began - read_s
    _keep_findings(conn, resolver, changes, digest)
    summary.keep(conn, resolver, digest, sources, lazy)
    linked = sum(map(resolver.count, resolver.by_key))
    gone_owners = lazy.rows.gone if lazy is not None and kept_ids else None
    fresh_ids = iter(ids)
    by_component = {min(c): (kept_ids[n] if n in kept_ids else next(fresh_ids), signatures[n])
                    for n, c in enumerate(components)}
    _keep_components(conn, digest, by_component, all_first=ids == first_hashes(entities) or bool(kept_ids))
    fresh, rows_read = len(resolver.fresh_findings), len(stored_owner)
    del resolver, kept  # the graph and the texts: the entities hold what is written
    report, touched = write_entities(conn, entities, ids, linked, stored_owner,
                                     keep=set(kept_ids.values()) if kept_ids else None, gone_owners=gone_owners)
    if changes is not None:
        changes.entities |= touched
    return report, touched, (fresh, len(ids), rows_read, read_s, resolve_s,
                             time.perf_counter() - began - read_s - resolve_s)


def _read_all(conn) -> tuple[list[MentionRow], dict[int, int | None]]:
    """Every keyed mention as a row, in id order, and every mention's stored entity."""
    rows, stored_owner = [], {}
    one: dict[str, str] = {}  # one string object per distinct value: a source id or a name repeats thousands of times
    # Rows unpacked by position (a Row attribute costs microseconds, and every mention is read each build).
    for mid, source_id, start, end, text, type_, key, entity_id in _mention_rows(conn):
        if key:
            rows.append(MentionRow(mid, one.setdefault(source_id, source_id), start, end, one.setdefault(text, text),
                                   one.setdefault(type_, type_), one.setdefault(key, key)))
        stored_owner[mid] = entity_id
    return rows, stored_owner


def _mention_rows(conn):
    """Every mention as a plain tuple (id, source, start, end, text, type, key, entity id), in id order.

    Every build reads every mention; on SQLite through the driver's cursor, which costs about half of a
    Core select's per-row handling (50,888 rows: 0.08 against 0.12-0.15 CPU-s, /tmp/s3/h2/readbench.py)."""
    m = schema.mentions
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.driver_connection.cursor()
        try:
            return cursor.execute('SELECT id, source_id, start, "end", text, type, key, entity_id FROM mentions '
                                  'ORDER BY id').fetchall()
        finally:
            cursor.close()
    return conn.execute(select(m.c.id, m.c.source_id, m.c.start, m.c.end, m.c.text, m.c.type, m.c.key, m.c.entity_id)
                        .order_by(m.c.id)).all()


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


def _state_key(source_id: str, prefix: str = PREFIX) -> str:
    return prefix + hashlib.sha1(source_id.encode("utf-8")).hexdigest()


def _kept_findings(conn, sources: set[str], changes: Changes | None,
                   digest: str) -> tuple[dict[str, Findings], dict[str, Findings]]:
    """The findings kept by the last run for the sources unchanged since, and for the sources re-stored or
    removed since (what they held before); none on a full run.

    A source not in `changes` has the rows and text it had when its findings were written (they are
    written in the transaction that links, and a failed stage makes the next build full)."""
    if changes is None or changes.full:
        return {}, {}
    gone = changes.changed | changes.removed
    wanted = {_state_key(s): s for s in (sources - changes.sources) | gone}
    wanted |= {_state_key(s, KEYS): s for s in gone}  # what the gone sources held: their keys are dirty
    kept: dict[str, Findings] = {}
    before: dict[str, Findings] = {}
    keys: dict[str, list[str]] = {}
    rows = [(key, value) for key, value in _state_rows(conn, wanted) if key in wanted]
    # One parse of all the rows joined into a JSON array: a call per row cost twice as much (1,594 rows at 1,600).
    for (key, _), stored in zip(rows, json.loads("[" + ",".join(value for _, value in rows) + "]"), strict=True):
        if stored.get("digest") == digest:
            source_id = wanted[key]
            if key.startswith(KEYS):
                keys[source_id] = stored["keys"]
            else:
                (before if source_id in gone else kept)[source_id] = Findings.from_json(stored["findings"])
    before = {s: found for s, found in before.items() if s in keys}  # without its keys a gone source reads as unknown
    for source_id, found in before.items():
        found.keys = keys[source_id]
    return kept, before


def _state_rows(conn, wanted: dict[str, str]):
    """The corpus_state rows (key, value) of the `wanted` keys, and on SQLite the other findings rows too (the caller
    skips them): an add wants nearly every source's findings, and one range scan of the primary key through the driver
    reads them far cheaper than IN lists through Core (1,594 rows at 1,600, read and parsed: 0.013 against 0.03
    CPU-s, /tmp/s3/h2/kf.py)."""
    state = schema.corpus_state.c
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.driver_connection.cursor()
        try:
            yield from cursor.execute("SELECT key, value FROM corpus_state WHERE key >= ? AND key < ?",
                                      (PREFIX, PREFIX[:-1] + chr(ord(PREFIX[-1]) + 1))).fetchall()
        finally:
            cursor.close()
        rest = sorted(k for k in wanted if not k.startswith(PREFIX))
    else:
        rest = sorted(wanted)
    for chunk in chunks(rest):
        yield from conn.execute(select(state.key, state.value).where(state.key.in_(chunk)))


def _dirty(by_source: dict[str, list[MentionRow]], changes: Changes | None,
           before: dict[str, Findings]) -> set[str] | None:
    """The keys whose mentions changed since the last run: those of the sources added or re-stored now and
    those the re-stored or removed ones had (their kept findings); None when that is not known (a full run)."""
    if changes is None or changes.full or any(s not in before for s in changes.changed | changes.removed):
        return None
    now = changes.added | changes.changed
    return {key for findings in before.values() for key in findings.keys} \
        | {r.key for source_id in now for r in by_source.get(source_id, ())}


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


def _kept_parts(conn, digest: str) -> dict | None:
    """The last run's rewritten parts (`parts`), when it ran with this digest; else None (every form is made again)."""
    value = conn.execute(select(schema.corpus_state.c.value).where(schema.corpus_state.c.key == PARTS)).scalar()
    stored = json.loads(value) if value else {}
    return stored if stored.get("digest") == digest else None


def _keep_findings(conn, resolver: Resolver, changes: Changes | None, digest: str) -> None:
    """Store the findings read from texts in this run and the spelling pairs; drop the findings of removed or
    re-stored sources."""
    state = schema.corpus_state
    if changes is None or changes.full:
        for prefix in (PREFIX, KEYS):
            conn.execute(delete(state).where(state.c.key.startswith(prefix, autoescape=True)))
        stale = [SPELLING, RULES, PARTS]
    else:
        sources = changes.sources | resolver.fresh_findings
        stale = sorted({_state_key(s) for s in sources} | {_state_key(s, KEYS) for s in sources} | {SPELLING, RULES, PARTS})
    for chunk in chunks(stale):
        conn.execute(delete(state).where(state.c.key.in_(chunk)))
    rows = [{"key": _state_key(s), "value": json.dumps({"digest": digest, "findings": resolver.findings[s].to_json()})}
            for s in sorted(resolver.fresh_findings)]
    rows += [{"key": _state_key(s, KEYS), "value": json.dumps({"digest": digest, "keys": resolver.findings[s].keys})}
             for s in sorted(resolver.fresh_findings)]
    rows.append({"key": SPELLING, "value": json.dumps({"digest": digest, "pairs": resolver.spelling_pairs})})
    rows.append({"key": RULES, "value": json.dumps({"digest": digest, "rules": local.to_json(resolver.rules_now),
                                                    "found": sorted(resolver.found)})})
    rows.append({"key": PARTS, "value": json.dumps({"digest": digest, **resolver.parts_now})})
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
