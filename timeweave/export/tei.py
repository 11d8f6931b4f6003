"""The `tei` export: each source as a TEI document, its names, dates and event words marked inline.

One `teiCorpus` holds a `TEI` per source. The text is the stored text, passage by passage (a `p`,
or an `ab type="boilerplate"` for navigation and footers), with the entity mentions (`persName`,
`placeName`, `orgName`, `name`), the time expressions (`date` with `when` or `notBefore`/`notAfter`)
and the event words (`rs type="event"`) marked where they do not overlap a longer mark. A `standOff`
lists the persons, places (with coordinates when located), organisations and the events of the
source, each event with its date interval and its exact quotes. The output is checked in the tests
against the TEI-all RELAX NG schema (TEI P5 4.3.0) with lxml.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

import timeweave
from timeweave.export.common import checked_chronicle, locations
from timeweave.export.registry import exporter
from timeweave.store import schema as t

NS = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # replaced, same length
ET.register_namespace("", NS)
MENTION_TAGS = {"person": "persName", "place": "placeName", "state": "placeName", "organization": "orgName",
                "military_unit": "orgName"}
LIST_TAGS = {"person": ("listPerson", "person", "persName"), "place": ("listPlace", "place", "placeName"),
             "state": ("listPlace", "place", "placeName"), "organization": ("listOrg", "org", "orgName"),
             "military_unit": ("listOrg", "org", "orgName")}
ISO_DAY = re.compile(r"-?\d{4}(-\d{2}(-\d{2})?)?")


def _el(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    attrs = {(XML_ID if k == "xml_id" else k): v for k, v in attrs.items() if v not in (None, "")}
    node = ET.Element(f"{{{NS}}}{tag}", attrs) if parent is None else ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        node.text = _clean(text)
    return node


def _clean(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def _dates(edtf: str | None, earliest: str | None, latest: str | None) -> dict[str, str]:
    """TEI dating attributes: `when` for an exact ISO date, else the interval's outer bounds."""
    if edtf and ISO_DAY.fullmatch(edtf):
        return {"when": edtf}
    return {"notBefore": earliest, "notAfter": latest} if earliest and latest else {}


def _header(parent: ET.Element, title: str, authors: list[str], bibl: dict[str, Any] | None) -> None:
    file_desc = _el(_el(parent, "teiHeader"), "fileDesc")
    stmt = _el(file_desc, "titleStmt")
    _el(stmt, "title", title)
    for author in authors:
        _el(stmt, "author", author)
    _el(_el(file_desc, "publicationStmt"), "p", f"Exported by timeweave {timeweave.__version__}; the text is the stored text of the source.")
    source_desc = _el(file_desc, "sourceDesc")
    if bibl is None:
        _el(source_desc, "p", "Sources read by timeweave; each is a TEI document of this corpus.")
        return
    b = _el(source_desc, "bibl")
    _el(b, "title", title)
    for author in authors:
        _el(b, "author", author)
    if bibl.get("issued"):
        _el(b, "date", bibl["issued"], **({"when": bibl["issued"]} if ISO_DAY.fullmatch(bibl["issued"]) else {}))
    if bibl.get("doi"):
        _el(b, "idno", bibl["doi"], type="DOI")
    if bibl.get("url"):
        _el(b, "ref", bibl["url"], target=bibl["url"])


def _marks(mentions: list, timexes: list, triggers: list, ids: dict[int, str], events: dict[int, str],
           types: dict[int, str]) -> list[tuple]:
    """Non-overlapping inline marks (start, end, tag, attrs): longer spans first, then earlier.

    A mention is tagged by its entity's type (what `link` decided), not the mention's first guess.
    """
    spans = []
    for m in mentions:
        if m.entity_id in ids:
            kind = types[m.entity_id]
            spans.append((m.start, m.end, MENTION_TAGS.get(kind, "name"), {"ref": "#" + ids[m.entity_id]} | (
                {} if kind in MENTION_TAGS else {"type": kind})))
    for x in timexes:
        spans.append((x.start, x.end, "date", _dates(x.edtf, x.earliest, x.latest)))
    for m in triggers:
        if m.event_id in events:
            spans.append((m.trigger_start, m.trigger_end, "rs", {"type": "event", "ref": "#" + events[m.event_id]}))
    taken: list[tuple[int, int]] = []
    chosen = []
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if span[1] > span[0] and all(span[1] <= a or span[0] >= b for a, b in taken):
            taken.append((span[0], span[1]))
            chosen.append(span)
    return sorted(chosen)


def _paragraph(parent: ET.Element, text: str, start: int, end: int, marks: list[tuple], boilerplate: bool) -> None:
    node = _el(parent, "ab", type="boilerplate") if boilerplate else _el(parent, "p")
    node.tail = "\n"  # between paragraphs: not part of any paragraph's text
    node.text, last, cursor = "", None, start
    for m_start, m_end, tag, attrs in marks:
        if m_start < start or m_end > end:
            continue
        piece = _clean(text[cursor:m_start])
        if last is None:
            node.text += piece
        else:
            last.tail = (last.tail or "") + piece
        last = _el(node, tag, text[m_start:m_end], **attrs)
        cursor = m_end
    rest = _clean(text[cursor:end])
    if last is None:
        node.text += rest
    else:
        last.tail = (last.tail or "") + rest


def tei_corpus(engine: Engine) -> ET.Element:
    """The whole store as one teiCorpus element."""
    data, texts = checked_chronicle(engine)
    where = locations(engine)
    entities = {e["id"]: e for e in data["entities"]}
    corpus = _el(None, "teiCorpus")
    _header(corpus, "timeweave chronicle: the sources with their names, dates and events", [], None)
    by_source: dict[str, list[dict]] = defaultdict(list)
    for ev in data["events"]:
        for span in ev["evidence"]:
            by_source[span["source"]].append(ev)
    with engine.connect() as conn:
        for n, source in enumerate(data["sources"], start=1):
            sid, text = source["id"], texts[source["id"]]
            mentions = conn.execute(select(t.mentions).where(t.mentions.c.source_id == sid, t.mentions.c.entity_id.is_not(None))).all()
            timexes = conn.execute(select(t.timexes).where(t.timexes.c.source_id == sid)).all()
            triggers = conn.execute(select(t.event_mentions).where(t.event_mentions.c.source_id == sid, t.event_mentions.c.event_id.is_not(None))).all()
            passages = conn.execute(select(t.passages).where(t.passages.c.source_id == sid).order_by(t.passages.c.seq)).all()
            tei = _el(corpus, "TEI", xml_id=f"s{n}")
            _header(tei, source["title"] or sid, source["authors"], source)
            ids = {m.entity_id: f"s{n}-e{m.entity_id}" for m in mentions if m.entity_id in entities}
            events = {ev["id"]: f"s{n}-ev{ev['id']}" for ev in by_source.get(sid, [])}
            stand = _el(tei, "standOff")
            lists: dict[str, ET.Element] = {}
            for entity_id in sorted(ids):
                entity = entities[entity_id]
                list_tag, item_tag, name_tag = LIST_TAGS.get(entity["type"], ("listObject", "object", "objectName"))
                if list_tag not in lists:
                    lists[list_tag] = _el(stand, list_tag)
                item = _el(lists[list_tag], item_tag, xml_id=ids[entity_id], **({"type": entity["type"]} if item_tag != "person" else {}))
                _el(_el(item, "objectIdentifier") if item_tag == "object" else item, name_tag, entity["name"])
                loc = where.get(entity_id)
                if item_tag == "place" and loc is not None and loc.located:
                    _el(_el(item, "location"), "geo", f"{loc.lat} {loc.lon}")
            if events:
                listing = _el(stand, "listEvent")
                for ev in {e["id"]: e for e in by_source[sid]}.values():
                    w = ev["when"] or {}
                    node = _el(listing, "event", xml_id=events[ev["id"]], type=ev["type"], **_dates(w.get("edtf"), w.get("earliest"), w.get("latest")))
                    _el(node, "label", ev["label"])
                    desc = _el(node, "desc")
                    for span in ev["evidence"]:
                        if span["source"] == sid:
                            _el(desc, "quote", span["quote"], n=f"{span['start']}-{span['end']}")
            body = _el(_el(tei, "text"), "body")
            marks = _marks(mentions, timexes, triggers, ids, events, {i: e["type"] for i, e in entities.items()})
            for p in passages or [type("P", (), {"start": 0, "end": len(text), "role": "content"})()]:
                _paragraph(body, text, p.start, p.end, marks, p.role == "boilerplate")
    return corpus


@exporter("tei", suffix=".xml", filename="sources.tei.xml",
          help="Each source as TEI (a teiCorpus): persons, places, organisations, dates and event words marked inline; a standOff with the events and their quotes.")
def write_tei(engine: Engine, out: Path) -> None:
    corpus = tei_corpus(engine)
    # Indent the headers and lists only: indenting the body would add spaces to the source text.
    for node in corpus.iter():
        if node.tag in (f"{{{NS}}}teiHeader", f"{{{NS}}}standOff"):
            ET.indent(node, space=" ", level=2)
    ET.ElementTree(corpus).write(out, encoding="utf-8", xml_declaration=True)
