"""Reading the store into the chronicle JSON, and checking a chronicle against its contract.

The schema lives beside this module (`chronicle.schema.json`) and is versioned: a change that
would break readers bumps `SCHEMA_VERSION`. `validate` checks the schema *and* the faithfulness
rule the schema cannot express: every quote equals the source text at its offsets.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
from sqlalchemy import Engine, inspect, select

import timeweave
from timeweave.curate.marks import mark_curated
from timeweave.errors import SchemaError
from timeweave.store import schema as t

# 2: aliases carry how, rule and the evidence of their link; `curated` marks. 3: a comparison's `event` may be null
# and it has `entity`, the entity a claim comparison is said of (docs/schema.md)
SCHEMA_VERSION = 3


@lru_cache(maxsize=1)
def load_schema() -> dict:
    return json.loads(resources.files("timeweave.chronicle").joinpath("chronicle.schema.json").read_text("utf-8"))


def _when(edtf: str | None, earliest: str | None, latest: str | None, reason: str | None) -> dict | None:
    if not (edtf and earliest and latest):
        return None
    return {"edtf": edtf, "earliest": earliest, "latest": latest, "reason": reason or ""}


def chronicle(engine: Engine) -> dict[str, Any]:
    """The whole store as one chronicle object (schema `SCHEMA_VERSION`)."""
    with engine.connect() as conn:
        texts = {r.source_id: r.text for r in conn.execute(select(t.texts))}
        sources = [
            {
                "id": r.id, "path": r.path, "title": r.title, "authors": list(r.authors or []),
                "issued": r.issued, "kind": r.kind, "kind_reason": r.kind_reason, "doi": r.doi,
                "url": r.url, "sha256": r.sha256, "language": r.language,
            }
            for r in conn.execute(select(t.sources).order_by(t.sources.c.issued, t.sources.c.id))
        ]
        alias_sources: dict[int, list[str]] = defaultdict(list)
        for r in conn.execute(select(t.alias_sources).order_by(t.alias_sources.c.source_id)):
            alias_sources[r.alias_id].append(r.source_id)
        alias_evidence: dict[int, list[dict]] = defaultdict(list)
        for r in conn.execute(select(t.alias_evidence).order_by(t.alias_evidence.c.id)):
            alias_evidence[r.alias_id].append(
                {"source": r.source_id, "start": r.start, "end": r.end, "quote": texts[r.source_id][r.start : r.end]}
            )
        aliases: dict[int, list[dict]] = defaultdict(list)
        for r in conn.execute(select(t.aliases).order_by(t.aliases.c.id)):
            aliases[r.entity_id].append({
                "text": r.text, "sources": alias_sources.get(r.id, []), "how": r.how or "", "rule": r.rule or "",
                "evidence": alias_evidence.get(r.id, []),
            })
        entities = [
            {"id": r.id, "name": r.name, "type": r.type, "aliases": aliases.get(r.id, [])}
            for r in conn.execute(select(t.entities).order_by(t.entities.c.id))
        ]
        participants: dict[int, list[dict]] = defaultdict(list)
        for r in conn.execute(select(t.event_participants).order_by(t.event_participants.c.entity_id)):
            participants[r.event_id].append({"entity": r.entity_id, "role": r.role})
        evidence: dict[int, list[dict]] = defaultdict(list)
        for r in conn.execute(
            select(t.event_mentions).where(t.event_mentions.c.event_id.is_not(None)).order_by(
                t.event_mentions.c.source_id, t.event_mentions.c.start
            )
        ):
            evidence[r.event_id].append(
                {
                    "source": r.source_id, "start": r.start, "end": r.end,
                    "quote": texts[r.source_id][r.start : r.end],
                    "trigger": r.trigger, "factuality": r.factuality, "context": r.context,
                    "when_text": r.when_text,
                    "when": _when(r.edtf, r.earliest, r.latest, r.when_reason),
                }
            )
        events = [
            {
                "id": r.id, "label": r.label, "type": r.type,
                "when": _when(r.edtf, r.earliest, r.latest, r.when_reason),
                "participants": participants.get(r.id, []), "place": r.place, "part_of": r.part_of,
                "status": r.status, "factuality": r.factuality, "evidence": evidence.get(r.id, []),
            }
            for r in conn.execute(select(t.events).order_by(t.events.c.earliest, t.events.c.id))
        ]
        statements: dict[int, list[dict]] = defaultdict(list)
        for r in conn.execute(select(t.comparison_statements).order_by(t.comparison_statements.c.id)):
            statements[r.comparison_id].append(
                {"source": r.source_id, "start": r.start, "end": r.end, "quote": texts[r.source_id][r.start : r.end], "value": r.value}
            )
        comparisons = [
            {
                "id": r.id, "event": r.event_id, "entity": r.entity_id, "kind": r.kind, "field": r.field,
                "statements": statements.get(r.id, []), "explanation": r.explanation,
            }
            for r in conn.execute(select(t.comparisons).order_by(t.comparisons.c.id))
        ]
        mark_curated(conn, entities=entities, events=events, comparisons=comparisons)  # `curated`: set by a historian
        claims = [  # migration 0011; a store not yet migrated has none. In reading order (ids are hashes)
            {"id": r.id, "event": r.event_id, "kind": r.kind, "facet": r.facet, "value": r.value, "polarity": r.polarity,
             "modality": r.modality, "voice": r.voice_name, "question": r.question, "comparison": r.comparison_id,
             "source": r.source_id, "start": r.start, "end": r.end, "quote": texts[r.source_id][r.start:r.end]}
            for r in (conn.execute(select(t.claims).order_by(t.claims.c.source_id, t.claims.c.start, t.claims.c.end, t.claims.c.id)) if inspect(conn).has_table("claims") else ())
        ]
    return {
        "timeweave": timeweave.__version__,
        "schema": SCHEMA_VERSION,
        "sources": sources,
        "entities": entities,
        "events": events,
        "comparisons": comparisons,
        "claims": claims,
    }


def validate(document: dict[str, Any], *, texts: dict[str, str] | None = None) -> None:
    """Raise SchemaError unless `document` is a valid chronicle whose quotes match their sources."""
    try:
        jsonschema.validate(document, load_schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise SchemaError(f"Chronicle invalid at {where}: {exc.message}") from None
    if texts is None:
        return
    spans = [(f"events/{e['id']}", s) for e in document["events"] for s in e["evidence"]]
    spans += [(f"comparisons/{c['id']}", s) for c in document["comparisons"] for s in c["statements"]]
    spans += [(f"claims/{c['id']}", c) for c in document.get("claims", [])]
    spans += [(f"entities/{e['id']}/aliases/{a['text']}", s) for e in document["entities"] for a in e["aliases"]
              for s in a.get("evidence", [])]
    for where, span in spans:
        text = texts.get(span["source"])
        if text is None:
            raise SchemaError(f"{where}: quote from unknown source {span['source']!r}")
        if text[span["start"] : span["end"]] != span["quote"]:
            raise SchemaError(
                f"{where}: quote {span['quote'][:60]!r} does not equal the text of {span['source']} "
                f"at {span['start']}:{span['end']}"
            )
