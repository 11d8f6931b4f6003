"""Linked-data exports: `jsonld` (the chronicle), `webannotation` (every quote) and `csl-json` (the sources).

The JSON-LD vocabulary is schema.org for what it has words for (Event, CreativeWork, Person, Place,
Organization, Country, Quotation, GeoCoordinates, citation, alternateName) and CIDOC-CRM for what
historians need beyond it: who took part (P11 had participant), where (P7 took place at) and the
outer bounds of a date interval (P82a begin of the begin, P82b end of the end). What neither has
(EDTF strings, offsets, the status of an event, comparisons) is under `urn:timeweave:vocab:`.
The context is inline, so a JSON-LD processor expands the file offline. docs/exports.md lists every term.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from timeweave.export.common import checked_chronicle, locations, urn
from timeweave.export.registry import exporter
from timeweave.store import schema as t

CONTEXT: dict[str, Any] = {
    "@vocab": "https://schema.org/",
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "tw": "urn:timeweave:vocab:",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "id": "@id",
    "type": "@type",
    "participants": {"@id": "crm:P11_had_participant", "@type": "@id"},
    "place": {"@id": "crm:P7_took_place_at", "@type": "@id"},
    "earliest": {"@id": "crm:P82a_begin_of_the_begin", "@type": "xsd:date"},
    "latest": {"@id": "crm:P82b_end_of_the_end", "@type": "xsd:date"},
    "edtf": "tw:edtf",
    "dateReason": "tw:dateReason",
    "status": "tw:status",
    "eventType": "tw:eventType",
    "partOf": {"@id": "crm:P9i_forms_part_of", "@type": "@id"},
    "start": {"@id": "tw:start", "@type": "xsd:integer"},
    "end": {"@id": "tw:end", "@type": "xsd:integer"},
    "isPartOf": {"@type": "@id"},
    "about": {"@type": "@id"},
    "Comparison": "tw:Comparison",
    "kind": "tw:comparisonKind",
    "field": "tw:field",
    "statements": "tw:statement",
    "value": "tw:value",
    "sourceKind": "tw:sourceKind",
}
ENTITY_TYPES = {"person": "Person", "place": "Place", "state": "Country", "organization": "Organization",
                "military_unit": "Organization", "work": "CreativeWork"}


def _quotation(span: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Quotation", "text": span["quote"], "isPartOf": urn("source", span["source"]),
            "start": span["start"], "end": span["end"]}


def linked_chronicle(data: dict[str, Any], where: dict[int, Any]) -> dict[str, Any]:
    """The chronicle as one JSON-LD document (a @graph) with an inline context."""
    graph: list[dict[str, Any]] = []
    for s in data["sources"]:
        node = {"id": urn("source", s["id"]), "type": "CreativeWork", "name": s["title"] or s["id"], "identifier": s["id"],
                "author": [{"type": "Thing", "name": a} for a in s["authors"]], "sourceKind": s["kind"]}
        for key, term in (("issued", "datePublished"), ("language", "inLanguage")):
            if s.get(key):
                node[term] = s[key]
        if (s.get("url") or "").lower().startswith(("http://", "https://")):  # never a javascript: link
            node["url"] = s["url"]
        if s.get("doi"):
            node["sameAs"] = f"https://doi.org/{s['doi']}"
        graph.append(node)
    for e in data["entities"]:
        node = {"id": urn("entity", e["id"]), "type": ENTITY_TYPES.get(e["type"], "Thing"), "name": e["name"],
                "alternateName": [a["text"] for a in e["aliases"] if a["text"] != e["name"]]}
        loc = where.get(e["id"])
        if loc is not None and loc.located:
            node["geo"] = {"type": "GeoCoordinates", "latitude": loc.lat, "longitude": loc.lon, "description": loc.how}
        graph.append(node)
    for ev in data["events"]:
        node = {"id": urn("event", ev["id"]), "type": "Event", "name": ev["label"], "eventType": ev["type"],
                "status": ev["status"], "participants": [urn("entity", p["entity"]) for p in ev["participants"]],
                "citation": [_quotation(s) for s in ev["evidence"]]}
        if ev["when"]:
            node |= {"edtf": ev["when"]["edtf"], "earliest": ev["when"]["earliest"], "latest": ev["when"]["latest"],
                     "dateReason": ev["when"]["reason"]}
        if ev["place"] is not None:
            node["place"] = urn("entity", ev["place"])
        if ev["part_of"] is not None:
            node["partOf"] = urn("event", ev["part_of"])
        graph.append(node)
    for c in data["comparisons"]:
        about = urn("event", c["event"]) if c["event"] is not None else urn("entity", c.get("entity"))  # null: an entity alone
        graph.append({"id": urn("comparison", c["id"]), "type": "Comparison", "about": about,
                      "kind": c["kind"], "field": c["field"], "description": c["explanation"],
                      "statements": [_quotation(s) | ({"value": s["value"]} if s["value"] else {}) for s in c["statements"]]})
    return {"@context": CONTEXT, "@graph": graph}


@exporter("jsonld", suffix=".jsonld", filename="chronicle.jsonld",
          help="The chronicle as JSON-LD (schema.org and CIDOC-CRM terms, inline context): sources, entities, events with quotes, comparisons.")
def write_jsonld(engine: Engine, out: Path) -> None:
    data, _ = checked_chronicle(engine)
    out.write_text(json.dumps(linked_chronicle(data, locations(engine)), ensure_ascii=False, indent=1), encoding="utf-8")


ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
AFFIX = 32  # characters of prefix and suffix in a TextQuoteSelector (enough to find a repeated quote)


def _target(source: dict[str, Any], text: str, start: int, end: int) -> dict[str, Any]:
    url = source.get("url") or ""
    return {"source": url if url.lower().startswith(("http://", "https://")) else urn("source", source["id"]),
            "selector": [
                {"type": "TextQuoteSelector", "exact": text[start:end], "prefix": text[max(0, start - AFFIX):start],
                 "suffix": text[end:end + AFFIX]},
                {"type": "TextPositionSelector", "start": start, "end": end}]}


def annotations(data: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """Every evidence quote and compared statement as a W3C Web Annotation, in one AnnotationCollection."""
    sources = {s["id"]: s for s in data["sources"]}
    items = []
    for ev in data["events"]:
        for n, span in enumerate(ev["evidence"], start=1):
            body = [{"type": "TextualBody", "purpose": "describing", "value": ev["label"]},
                    {"type": "TextualBody", "purpose": "tagging", "value": ev["type"]},
                    {"id": urn("event", ev["id"])}]
            if span["when"]:
                body.append({"type": "TextualBody", "purpose": "describing", "format": "text/plain",
                             "value": f"date: {span['when']['edtf']} ({span['when']['earliest']} to {span['when']['latest']})"})
            items.append({"id": urn("annotation", f"event-{ev['id']}-{n}"), "type": "Annotation", "motivation": "identifying",
                          "body": body, "target": _target(sources[span["source"]], texts[span["source"]], span["start"], span["end"])})
    for c in data["comparisons"]:
        for n, span in enumerate(c["statements"], start=1):
            items.append({"id": urn("annotation", f"comparison-{c['id']}-{n}"), "type": "Annotation", "motivation": "assessing",
                          "body": [{"type": "TextualBody", "purpose": "assessing", "value": f"{c['kind']} ({c['field']}): {c['explanation']}"},
                                   {"id": urn("event", c["event"]) if c["event"] is not None else urn("entity", c.get("entity"))}],
                          "target": _target(sources[span["source"]], texts[span["source"]], span["start"], span["end"])})
    return {"@context": ANNO_CONTEXT, "id": urn("annotations", "all"), "type": "AnnotationCollection",
            "label": "timeweave evidence: every quoted event mention and compared statement", "total": len(items),
            "first": {"id": urn("annotations", "page-1"), "type": "AnnotationPage", "startIndex": 0, "items": items}}


@exporter("webannotation", suffix=".jsonld", filename="annotations.jsonld",
          help="Every evidence quote as a W3C Web Annotation (TextQuoteSelector + TextPositionSelector) in an AnnotationCollection (Recogito, Hypothesis).")
def write_webannotation(engine: Engine, out: Path) -> None:
    data, texts = checked_chronicle(engine)
    out.write_text(json.dumps(annotations(data, texts), ensure_ascii=False, indent=1), encoding="utf-8")


CSL_TYPES = {"scholarly_article": "article-journal", "abstract": "article-journal", "book_chapter": "chapter",
             "government_statement": "report", "news": "article-newspaper", "social_media_post": "post",
             "web_page": "webpage", "other": "document"}


def _person(name: str) -> dict[str, str]:
    """`Family, Given` → {family, given}; any other form stays a literal (organisations, single names)."""
    if "," in name:
        family, given = (p.strip() for p in name.split(",", 1))
        return {"family": family, "given": given}
    return {"literal": name}


def _date_parts(issued: str | None) -> dict | None:
    match = re.match(r"^(-?\d{1,4})(?:-(\d{2}))?(?:-(\d{2}))?", issued or "")
    if not match:
        return None
    return {"date-parts": [[int(p) for p in match.groups() if p]]}


def csl_items(engine: Engine) -> list[dict[str, Any]]:
    """Each source as a CSL-JSON item: its original CSL record when it came with one, else what was extracted."""
    items = []
    with engine.connect() as conn:
        for r in conn.execute(select(t.sources).order_by(t.sources.c.issued, t.sources.c.id)):
            item = {k: v for k, v in (r.csl or {}).items() if k != "file"}  # `file` is our ingest hint, not CSL
            item["id"] = r.id
            item.setdefault("type", CSL_TYPES.get(r.kind, "document"))
            fields = {"title": r.title, "DOI": r.doi, "URL": r.url, "container-title": r.container_title,
                      "volume": r.volume, "issue": r.issue, "page": r.page, "language": r.language}
            for key, value in fields.items():
                if value and key not in item:
                    item[key] = value
            if "author" not in item and r.authors:
                item["author"] = [_person(a) for a in r.authors]
            if "issued" not in item and _date_parts(r.issued):
                item["issued"] = _date_parts(r.issued)
            items.append(item)
    return items


@exporter("csl-json", suffix=".json", filename="sources.json",
          help="The sources' bibliographic metadata as CSL-JSON (Zotero, citeproc), original CSL records kept.")
def write_csl_json(engine: Engine, out: Path) -> None:
    out.write_text(json.dumps(csl_items(engine), ensure_ascii=False, indent=1), encoding="utf-8")
