"""The store reads of `load`: event mention rows, the named mentions their sentences hold, passages and their
copy chains, each for every source, some sources, or the sentences of some mentions (an incremental run).

Rows are returned as tuples in the order of a full load (source, offset); `load` builds Mentions from them.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from sqlalchemy import Connection, Text, bindparam, select, type_coerce

from timeweave.store import schema as t

DECODE = json.JSONDecoder().raw_decode


def json_list(value) -> list:
    """A JSON column read as text, decoded without `json.loads`' whitespace scans (stored JSON has none
    around it); a driver that decodes JSON itself (psycopg) hands the list over as it is."""
    return (DECODE(value)[0] if isinstance(value, str) and value else value) or []


def chunks(values, size: int = 500):
    values = sorted(values)
    for at in range(0, len(values), size):
        yield values[at:at + size]


def passages_of(conn: Connection, sources: Collection[str] | None,
                ids: Collection[int] | None = None) -> dict[int, tuple[str, int | None]]:
    """passage id -> (source id, duplicate_of): every passage, or those of `sources` (or only the passages
    `ids`) and the passages their copy chains lead to (read by id, a link at a time: chains are short)."""
    p = t.passages.c
    query = select(p.id, p.source_id, p.duplicate_of)
    if sources is None:
        return {pid: (source_id, of) for pid, source_id, of in conn.execute(query)}
    found: dict[int, tuple[str, int | None]] = {}
    if ids is None:
        for chunk in chunks(sources):
            found.update((pid, (source_id, of)) for pid, source_id, of in conn.execute(query.where(p.source_id.in_(chunk))))
        wanted = {of for _s, of in found.values() if of is not None and of not in found}
    else:
        wanted = set(ids)
    while wanted:
        for chunk in chunks(wanted):
            found.update((pid, (source_id, of)) for pid, source_id, of in conn.execute(query.where(p.id.in_(chunk))))
        wanted = {of for pid in wanted if pid in found for of in [found[pid][1]] if of is not None and of not in found}
    return found


EVENT_COLUMNS = ("id", "source_id", "passage_id", "start", "end", "trigger", "trigger_start", "trigger_end", "lemma",
                  "type", "factuality", "context", "earliest", "latest", "edtf", "when_text", "when_reason", "when_kind")


def event_rows(conn: Connection, sources: Collection[str] | None, mention_ids: Collection[int] | None) -> list:
    """Event mention rows in the order of a full load: all, those of `sources`, or the sentences of `mention_ids`."""
    e = t.event_mentions.c
    query = select(*(e[name] for name in EVENT_COLUMNS), type_coerce(e.participants, Text), e.place_mention,
                   e.sentence, e.event_id)
    order = (e.source_id, e.start, e.trigger_start, e.id)
    if sources is None:
        return conn.execute(query.order_by(*order)).all()
    if mention_ids is None:
        return [r for chunk in chunks(sources) for r in conn.execute(query.where(e.source_id.in_(chunk)).order_by(*order))]
    # The sentence-mates of each wanted mention, joined in the store: by (source, start) pairs in an IN list,
    # SQLite scanned the table once per 200 pairs (0.36 s for the 4,000 mentions of a large component).
    wanted = set(sources)
    seed = t.event_mentions.alias("seed")
    mates = query.join(seed, (seed.c.source_id == e.source_id) & (seed.c.start == e.start))
    found = {}
    for chunk in chunks(mention_ids):
        found.update((r[0], r) for r in conn.execute(mates.where(seed.c.id.in_(chunk))) if r[1] in wanted)
    return sorted(found.values(), key=lambda r: (r[1], r[3], r[6], r[0]))


SHORT_TEXT = 20_000  # characters: a source this short has its named mentions read whole, with others in one query


def named_rows(conn: Connection, named_query, rows: list, texts: dict[str, str]) -> list:
    """The named mentions the event mention `rows` read: those inside their sentences (a superset: from each
    source's first such sentence to its last), and their participants and places wherever they are, in the
    order of a full load. Short sources are read together and cut to those spans here: one query per source
    cost more than their few extra rows (an add scores pairs with mentions of tens of sources)."""
    m = t.mentions.c
    spans: dict[str, tuple[int, int]] = {}  # source -> from the first sentence's start to the last one's end
    for r in rows:
        lo, hi = spans.get(r[1], (r[3], r[4]))
        spans[r[1]] = (min(lo, r[3]), max(hi, r[4]))
    found = {}
    short = [sid for sid in spans if len(texts.get(sid, "")) <= SHORT_TEXT]
    for chunk in chunks(short):  # kept as the span query below would find them
        found.update((r[0], r) for r in conn.execute(named_query.where(m.source_id.in_(chunk)))
                     if spans[r[1]][0] <= r[2] <= spans[r[1]][1])
    between = named_query.where(m.source_id == bindparam("sid"), m.start >= bindparam("lo"), m.start <= bindparam("hi"))
    for sid, (lo, hi) in sorted(spans.items()):  # one statement, compiled once
        if len(texts.get(sid, "")) > SHORT_TEXT:
            found.update((r[0], r) for r in conn.execute(between, {"sid": sid, "lo": lo, "hi": hi}))
    wanted = set()
    for r in rows:
        wanted.update(part.get("mention") for part in json_list(r[18]))
        wanted.add(r[19])
    wanted = sorted(x for x in wanted - set(found) if isinstance(x, int))
    for chunk in chunks(wanted):
        found.update((r[0], r) for r in conn.execute(named_query.where(m.id.in_(chunk))))
    return sorted(found.values(), key=lambda r: (r[1], r[2], r[0]))
