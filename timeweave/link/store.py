"""Reading mentions from the store and writing the linked entities back, in one transaction."""

from __future__ import annotations

import csv
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, bindparam, select, update

from timeweave.errors import ConfigError
from timeweave.link.resolve import MentionRow, Resolver
from timeweave.store import schema

COMPONENT = "timeweave.link.v1"
log = logging.getLogger(__name__)
_GAP = 6  # characters between two mentions that may hold "(" or " or "


@dataclass
class LinkReport:
    """What a link run did: counts, and how many aliases joined an entity for each reason."""

    entities: int = 0
    aliases: int = 0
    mentions_linked: int = 0
    by_how: dict[str, int] = field(default_factory=dict)


def read_authority(paths: list[Path]) -> list[tuple[str, str, str, str]]:
    """Rows (alias, canonical name, type, file name) of `aliases.csv` files; a header row is optional."""
    from timeweave.annotate.types import ENTITY_TYPES

    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as handle:
            for n, record in enumerate(csv.reader(handle), start=1):
                if not record or record[0].startswith("#") or (n == 1 and record[0].strip().lower() == "alias"):
                    continue
                if len(record) < 3 or record[2].strip() not in ENTITY_TYPES:
                    raise ConfigError(
                        f"{path}:{n}: expected 'alias,canonical name,type' with type one of "
                        f"{', '.join(ENTITY_TYPES)}; got {record!r}. Fix or remove that line."
                    )
                rows.append((record[0].strip(), record[1].strip(), record[2].strip(), path.name))
    return rows


def _gaps(conn, rows: list[MentionRow]) -> dict[tuple[int, int], str]:
    """Text between close consecutive mentions (and just after each), from `texts`, for "(MPR)" and "X or Y"."""
    by_source: dict[str, list[MentionRow]] = {}
    for row in rows:
        by_source.setdefault(row.source_id, []).append(row)
    gaps: dict[tuple[int, int], str] = {}
    for source_id, source_rows in sorted(by_source.items()):
        text = conn.execute(select(schema.texts.c.text).where(schema.texts.c.source_id == source_id)).scalar()
        if not text:
            continue
        source_rows.sort(key=lambda r: r.start)
        for prev, row in zip(source_rows, source_rows[1:], strict=False):
            if 0 <= row.start - prev.end <= _GAP:
                gaps[(prev.id, row.id)] = text[prev.end : row.start]
        for row in source_rows:
            gaps[(row.id, -1)] = text[row.end : row.end + 20].lstrip()
    return gaps


def link_entities(engine: Engine, *, authority: list[Path] | None = None) -> LinkReport:
    """(Re)build entities and aliases from all stored mentions; deterministic and idempotent."""
    authority_rows = read_authority(list(authority or []))
    m = schema.mentions
    with engine.begin() as conn:
        rows = [
            MentionRow(r.id, r.source_id, r.start, r.end, r.text, r.type, r.key or "")
            for r in conn.execute(select(m.c.id, m.c.source_id, m.c.start, m.c.end, m.c.text, m.c.type, m.c.key))
        ]
        resolver = Resolver([r for r in rows if r.key], _gaps(conn, rows))
        resolver.gazetteer_names()
        resolver.spelling_variants()
        resolver.acronyms()
        resolver.appositions()
        resolver.authority(authority_rows)
        resolver.persons()
        entities = resolver.entities()

        conn.execute(update(m).values(entity_id=None))
        conn.execute(schema.alias_sources.delete())
        conn.execute(schema.aliases.delete())
        conn.execute(schema.entities.delete())
        report = LinkReport(entities=len(entities))
        by_how: Counter = Counter()
        entity_rows, alias_rows, source_rows, mention_rows = [], [], [], []
        alias_id = 0
        for entity_id, entity in enumerate(sorted(entities, key=lambda e: (e.type, e.name, e.mentions[0])), start=1):
            entity_rows.append({"id": entity_id, "name": entity.name, "type": entity.type, "component": COMPONENT})
            for text, how in sorted(entity.aliases.items()):
                alias_id += 1
                alias_rows.append({"id": alias_id, "entity_id": entity_id, "text": text, "how": how})
                by_how[how.split(" (")[0]] += 1
                for source_id, count in sorted(entity.alias_sources[text].items()):
                    source_rows.append({"alias_id": alias_id, "source_id": source_id, "count": count})
            mention_rows += [{"mid": mid, "eid": entity_id} for mid in entity.mentions]
        if entity_rows:
            conn.execute(schema.entities.insert(), entity_rows)
            conn.execute(schema.aliases.insert(), alias_rows)
            conn.execute(schema.alias_sources.insert(), source_rows)
            conn.execute(update(m).where(m.c.id == bindparam("mid")).values(entity_id=bindparam("eid")), mention_rows)
        report.aliases, report.mentions_linked, report.by_how = len(alias_rows), len(mention_rows), dict(by_how)
    log.info("linked %d mentions into %d entities (%d aliases)", report.mentions_linked, report.entities, report.aliases)
    return report
