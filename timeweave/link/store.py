"""Reading mentions from the store and writing the linked entities back, in one transaction."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, bindparam, select, update

from timeweave.errors import ConfigError
from timeweave.link import intext, variants
from timeweave.link.lexicon import read_lexicon
from timeweave.link.resolve import MentionRow, Resolver
from timeweave.store import schema

COMPONENT = "timeweave.link.v2"
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
    return {r.source_id: r.text for r in conn.execute(
        select(schema.texts.c.source_id, schema.texts.c.text).where(schema.texts.c.source_id.in_(wanted))) if r.text}


def resolve(resolver: Resolver, authority_rows: list[tuple[str, str, str, str]]) -> list:
    """Run the rules in order (the later ones read the links the earlier ones made) and cut entities."""
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
    resolver.persons()
    return resolver.entities()


def link_entities(engine: Engine, *, authority: list[Path] | None = None, words: list[Path] | None = None,
                  cues: list[Path] | None = None) -> LinkReport:
    """(Re)build entities, aliases and the evidence of each link from all stored mentions; deterministic and idempotent.

    `words` and `cues` add rows to the bundled `link/data/name_words.tsv` and `naming_cues.tsv`.
    """
    authority_rows = read_authority(list(authority or []), strict=False)
    lexicon = read_lexicon(words, cues) if words or cues else None
    m = schema.mentions
    with engine.begin() as conn:
        rows = [
            MentionRow(r.id, r.source_id, r.start, r.end, r.text, r.type, r.key or "")
            for r in conn.execute(select(m.c.id, m.c.source_id, m.c.start, m.c.end, m.c.text, m.c.type, m.c.key))
        ]
        keyed = [r for r in rows if r.key]
        entities = resolve(Resolver(keyed, _texts(conn, keyed), lexicon=lexicon), authority_rows)

        conn.execute(update(m).values(entity_id=None))
        conn.execute(schema.alias_evidence.delete())
        conn.execute(schema.alias_sources.delete())
        conn.execute(schema.aliases.delete())
        conn.execute(schema.entities.delete())
        report = LinkReport(entities=len(entities))
        by_how: Counter = Counter()
        entity_rows, alias_rows, source_rows, mention_rows, evidence_rows = [], [], [], [], []
        alias_id = 0
        for entity_id, entity in enumerate(sorted(entities, key=lambda e: (e.type, e.name, e.mentions[0])), start=1):
            entity_rows.append({"id": entity_id, "name": entity.name, "type": entity.type, "component": COMPONENT})
            for text, how in sorted(entity.aliases.items()):
                alias_id += 1
                link = entity.alias_links[text]
                alias_rows.append({"id": alias_id, "entity_id": entity_id, "text": text, "how": how, "rule": link.rule})
                by_how[how.split(" (")[0]] += 1
                for source_id, count in sorted(entity.alias_sources[text].items()):
                    source_rows.append({"alias_id": alias_id, "source_id": source_id, "count": count})
                evidence_rows += [{"alias_id": alias_id, "rule": link.rule, "source_id": e.source_id, "start": e.start,
                                   "end": e.end, "quote": e.quote} for e in link.evidence]
            mention_rows += [{"mid": mid, "eid": entity_id} for mid in entity.mentions]
        if entity_rows:
            conn.execute(schema.entities.insert(), entity_rows)
            conn.execute(schema.aliases.insert(), alias_rows)
            conn.execute(schema.alias_sources.insert(), source_rows)
            if evidence_rows:
                conn.execute(schema.alias_evidence.insert(), evidence_rows)
            conn.execute(update(m).where(m.c.id == bindparam("mid")).values(entity_id=bindparam("eid")), mention_rows)
        report.aliases, report.mentions_linked, report.by_how = len(alias_rows), len(mention_rows), dict(by_how)
    log.info("linked %d mentions into %d entities (%d aliases)", report.mentions_linked, report.entities, report.aliases)
    return report
