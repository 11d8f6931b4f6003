"""A source's full text cut into segments that carry its annotations, for the source page.

Time expressions, entity mentions and event evidence overlap freely, so the text is cut at every
annotation boundary and each segment lists what covers it. Segments carry their offsets
(`data-s`/`data-e`), which lets the page highlight any `#c-START-END` anchor, the form every
quote link uses. Passages become blocks: boilerplate is dimmed, duplicates are marked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from timeweave.serve.queries import comparisons_of, source_row
from timeweave.store import schema as t


def _segments(text: str, start: int, end: int, spans: list[tuple[int, int, str, Any]]) -> list[dict[str, Any]]:
    """Cut text[start:end] at every span boundary; each piece gets the classes and links covering it."""
    inside = [s for s in spans if s[0] < end and s[1] > start and s[1] > s[0]]
    cuts = sorted({start, end, *(max(start, s[0]) for s in inside), *(min(end, s[1]) for s in inside)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        cover = [s for s in inside if s[0] <= a and s[1] >= b]
        classes = sorted({s[2] for s in cover})
        href = next((s[3] for s in cover if s[2] == "trig"), None) or next((s[3] for s in cover if s[2] == "ent"), None)
        titles = [s[3] if s[2] == "tx" else None for s in cover]
        out.append({"s": a, "e": b, "text": text[a:b], "classes": classes, "href": href,
                    "title": next((x for x in titles if x), None)})
    return out


def source_detail(conn: Connection, source_id: str) -> dict[str, Any] | None:
    """Metadata, the annotated text by passage, and what only this source says."""
    r = conn.execute(select(t.sources).where(t.sources.c.id == source_id)).first()
    if r is None:
        return None
    text = conn.execute(select(t.texts.c.text).where(t.texts.c.source_id == source_id)).scalar() or ""
    spans: list[tuple[int, int, str, Any]] = []
    timexes = []
    for x in conn.execute(select(t.timexes).where(t.timexes.c.source_id == source_id).order_by(t.timexes.c.start)):
        spans.append((x.start, x.end, "tx", f"{x.text} → {x.edtf or x.value or '?'}" + (f" ({x.reason})" if x.reason else "")))
        timexes.append({"start": x.start, "end": x.end, "text": x.text, "edtf": x.edtf, "value": x.value, "reason": x.reason})
    entities = {}
    for m in conn.execute(select(t.mentions).where(t.mentions.c.source_id == source_id)):
        spans.append((m.start, m.end, "ent", f"/entities/{m.entity_id}" if m.entity_id is not None else None))
        if m.entity_id is not None:
            entities[m.entity_id] = entities.get(m.entity_id, 0) + 1
    events = {}
    anchors = set()
    for m in conn.execute(select(t.event_mentions).where(t.event_mentions.c.source_id == source_id)):
        spans.append((m.start, m.end, "ev", None))
        spans.append((m.trigger_start, m.trigger_end, "trig", f"/events/{m.event_id}" if m.event_id is not None else None))
        anchors.add((m.start, m.end))
        if m.event_id is not None:
            events.setdefault(m.event_id, m.start)
    for s in conn.execute(select(t.comparison_statements).where(t.comparison_statements.c.source_id == source_id)):
        anchors.add((s.start, s.end))
    blocks, pos = [], 0
    passages = conn.execute(select(t.passages).where(t.passages.c.source_id == source_id).order_by(t.passages.c.start)).all()
    for p in passages:
        if p.start > pos and text[pos:p.start].strip():
            blocks.append({"id": None, "start": pos, "end": p.start, "role": "content", "segments": _segments(text, pos, p.start, spans)})
        blocks.append({"id": p.id, "start": p.start, "end": p.end, "role": p.role, "role_reason": p.role_reason,
                       "duplicate_of": p.duplicate_of, "duplicate_kind": p.duplicate_kind, "duplicate_scope": p.duplicate_scope,
                       "segments": _segments(text, p.start, p.end, spans)})
        pos = max(pos, p.end)
    if pos < len(text) and text[pos:].strip():
        blocks.append({"id": None, "start": pos, "end": len(text), "role": "content", "segments": _segments(text, pos, len(text), spans)})
    for block in blocks:
        block["anchors"] = sorted(f"c-{a}-{b}" for a, b in anchors if block["start"] <= a < block["end"])
    names = dict(conn.execute(select(t.entities.c.id, t.entities.c.name).where(t.entities.c.id.in_(list(entities)))).all()) if entities else {}
    labels = dict(conn.execute(select(t.events.c.id, t.events.c.label).where(t.events.c.id.in_(list(events)))).all()) if events else {}
    only_here = comparisons_of(conn, [t.comparisons.c.kind == "single_source", t.comparisons.c.id.in_(
        select(t.comparison_statements.c.comparison_id).where(t.comparison_statements.c.source_id == source_id))])
    em = t.event_mentions.c
    attested_elsewhere = select(em.event_id).where(em.source_id != source_id, em.event_id.is_not(None))
    single = [{"id": e.id, "label": e.label} for e in conn.execute(
        select(t.events.c.id, t.events.c.label).where(t.events.c.id.in_(list(events)), t.events.c.id.not_in(attested_elsewhere))
        .order_by(t.events.c.earliest))] if events else []
    return {"source": source_row(r), "length": len(text), "blocks": blocks, "timexes": timexes,
            "entities": [{"id": k, "name": names.get(k, "?"), "mentions": n} for k, n in sorted(entities.items(), key=lambda kv: -kv[1])],
            "events": [{"id": k, "label": labels.get(k, "?"), "start": v} for k, v in sorted(events.items(), key=lambda kv: kv[1])],
            "only_here": {"comparisons": only_here, "events": single}}
