"""Anchors: how an action names what it corrects so that it finds it again after a rebuild.

Event, entity and comparison ids are rewritten by every build (`link` and `reconcile` recompute
the corpus from the documents), so an action never stores an id alone. It stores quotes: for an
event, the evidence spans of its mentions; for an entity, some of its mentions; each with the
source, the offsets, the exact text and a little context on both sides (the W3C Web Annotation
TextQuoteSelector + TextPositionSelector pair). `Resolver` finds each quote in the current text
(at its offsets if the text there is unchanged, else the occurrence whose context fits best) and
the row now standing there; an event or entity is the one most of its quotes now belong to. A quote
that cannot be found is not guessed: the action is reported stale and not applied.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Connection, select

from timeweave.store import schema as t

CONTEXT = 32  # characters of prefix and suffix kept with each quote
MAX_QUOTES = 12  # quotes kept per event or entity: enough to outvote a re-clustering, small in the log


def span_anchor(text: str, source_id: str, start: int, end: int) -> dict[str, Any]:
    """One quote with its offsets and context, as stored in an action's target."""
    return {"source": source_id, "start": start, "end": end, "quote": text[start:end],
            "prefix": text[max(0, start - CONTEXT):start], "suffix": text[end:end + CONTEXT]}


def _spread(rows: list, limit: int) -> list:
    """At most `limit` rows, spread over the list (so every source keeps a say)."""
    if len(rows) <= limit:
        return rows
    step = len(rows) / limit
    return [rows[int(i * step)] for i in range(limit)]


class Texts:
    """Source texts, read once each on first use."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cache: dict[str, str | None] = {}

    def __getitem__(self, source_id: str) -> str | None:
        if source_id not in self.cache:
            self.cache[source_id] = self.conn.execute(
                select(t.texts.c.text).where(t.texts.c.source_id == source_id)).scalar()
        return self.cache[source_id]


def event_anchor(conn: Connection, texts: Texts, event_id: int) -> dict[str, Any]:
    """The quotes of an event's evidence, its label and date at the time of the action."""
    event = conn.execute(select(t.events).where(t.events.c.id == event_id)).first()
    em = t.event_mentions.c
    rows = conn.execute(select(em.id).where(em.event_id == event_id).order_by(em.source_id, em.start)).all()
    return {"id": event_id, "label": event.label if event else None, "edtf": event.edtf if event else None,
            "quotes": [evidence_anchor(conn, texts, r.id) for r in _spread(rows, MAX_QUOTES)]}


def entity_anchor(conn: Connection, texts: Texts, entity_id: int) -> dict[str, Any]:
    """An entity's name and type and some of its mentions, as quotes."""
    entity = conn.execute(select(t.entities).where(t.entities.c.id == entity_id)).first()
    m = t.mentions.c
    rows = conn.execute(select(m.source_id, m.start, m.end).where(m.entity_id == entity_id)
                        .order_by(m.source_id, m.start)).all()
    return {"id": entity_id, "name": entity.name if entity else None, "type": entity.type if entity else None,
            "quotes": [span_anchor(texts[r.source_id] or "", r.source_id, r.start, r.end) for r in _spread(rows, MAX_QUOTES)]}


def evidence_anchor(conn: Connection, texts: Texts, mention_id: int) -> dict[str, Any]:
    """One event mention's evidence span, as a quote, with its trigger (two events may share a sentence)."""
    em = t.event_mentions.c
    r = conn.execute(select(em.source_id, em.start, em.end, em.trigger_start, em.trigger).where(em.id == mention_id)).first()
    return span_anchor(texts[r.source_id] or "", r.source_id, r.start, r.end) | {
        "trigger": [r.trigger_start - r.start, r.trigger]}


def locate(text: str | None, quote: dict[str, Any]) -> tuple[int, int] | None:
    """Where the quote stands in `text` now: at its offsets if unchanged, else where its context fits best."""
    if not text or not quote.get("quote"):
        return None
    exact, start, end = quote["quote"], quote["start"], quote["end"]
    if text[start:end] == exact:
        return start, end
    best, best_score = None, -1.0
    prefix, suffix = quote.get("prefix") or "", quote.get("suffix") or ""
    at = text.find(exact)
    while at != -1:
        before = text[max(0, at - len(prefix)):at]
        after = text[at + len(exact):at + len(exact) + len(suffix)]
        score = _common_suffix(before, prefix) + _common_prefix(after, suffix) - abs(at - start) / (len(text) + 1)
        if score > best_score:
            best, best_score = (at, at + len(exact)), score
        at = text.find(exact, at + 1)
    return best


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


class Spans:
    """Rows with a source span (event mentions or entity mentions), found by where they stand."""

    def __init__(self, rows: list[tuple]) -> None:
        self.exact: dict[tuple[str, int, int], list[tuple[int, Any]]] = defaultdict(list)
        self.owner: dict[int, int | None] = {}  # row id -> event or entity id, kept current while actions apply
        by_source: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for row_id, source_id, start, end, owner, *trigger in rows:
            self.exact[(source_id, start, end)].append((row_id, trigger))
            self.owner[row_id] = owner
            by_source[source_id].append((start, end, row_id))
        self.by_source = {s: sorted(v) for s, v in by_source.items()}
        self.starts = {s: [r[0] for r in v] for s, v in self.by_source.items()}

    def at(self, source_id: str, start: int, end: int, trigger: list | None = None) -> int | None:
        """The row at exactly these offsets (with the same trigger, when several share them), else the one
        overlapping them most (at least half of the quote)."""
        same = self.exact.get((source_id, start, end))
        if same:
            if trigger:
                for row_id, (trigger_start, trigger_text) in ((r, (ts - start, tx)) for r, (ts, tx) in same):
                    if [trigger_start, trigger_text] == list(trigger):
                        return row_id
                for row_id, (_ts, trigger_text) in same:
                    if trigger_text == trigger[1]:
                        return row_id
            return same[0][0]
        rows = self.by_source.get(source_id, [])
        hi = bisect.bisect_left(self.starts.get(source_id, []), end)
        best, best_overlap = None, (end - start) / 2
        for s, e, row_id in rows[max(0, hi - 50):hi]:
            overlap = min(e, end) - max(s, start)
            if overlap > best_overlap:
                best, best_overlap = row_id, overlap
        return best


class Resolver:
    """Finds the current rows an action's anchors name; built once per `apply`, kept current by it."""

    def __init__(self, conn: Connection) -> None:
        self.texts = Texts(conn)
        em, m = t.event_mentions.c, t.mentions.c
        self.evidence = Spans([tuple(r) for r in conn.execute(
            select(em.id, em.source_id, em.start, em.end, em.event_id, em.trigger_start, em.trigger))])
        self.mentions = Spans([tuple(r) for r in conn.execute(select(m.id, m.source_id, m.start, m.end, m.entity_id))])
        self.events = {r.id for r in conn.execute(select(t.events.c.id))}
        self.entities = {r.id for r in conn.execute(select(t.entities.c.id))}

    def _row(self, spans: Spans, quote: dict[str, Any]) -> int | None:
        where = locate(self.texts[quote["source"]], quote)
        return None if where is None else spans.at(quote["source"], *where, quote.get("trigger"))

    def evidence_row(self, quote: dict[str, Any]) -> int | None:
        """The event mention whose evidence the quote is now."""
        return self._row(self.evidence, quote)

    def _owner(self, spans: Spans, anchor: dict[str, Any], alive: set[int]) -> int | None:
        votes = Counter()
        for quote in anchor.get("quotes", []):
            row = self._row(spans, quote)
            owner = spans.owner.get(row) if row is not None else None
            if owner is not None and owner in alive:
                votes[owner] += 1
        return votes.most_common(1)[0][0] if votes else None

    def event(self, anchor: dict[str, Any]) -> int | None:
        """The event most of the anchor's quotes belong to now, or None (stale)."""
        return self._owner(self.evidence, anchor, self.events)

    def entity(self, anchor: dict[str, Any], conn: Connection) -> int | None:
        """The entity most of the anchor's mentions belong to now; one with no mentions is found by name and type."""
        found = self._owner(self.mentions, anchor, self.entities)
        if found is None and not anchor.get("quotes") and anchor.get("name"):
            e = t.entities.c
            rows = conn.execute(select(e.id).where(e.name == anchor["name"], e.type == anchor["type"])).all()
            found = rows[0].id if len(rows) == 1 else None
        return found
