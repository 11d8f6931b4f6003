"""Reading the document-level rows that reconcile needs, and deciding who is speaking.

A *voice* is what corroboration counts. Two rules decide it:

* Copies collapse. A mention inside a passage marked as a copy (`passages.duplicate_of`, within a
  document or syndicated across documents) speaks with the voice of the passage it copies, and is
  flagged `is_copy` so it never counts a second time.
* Sources that share an author are one voice. An author repeating a date in a second paper is
  not a second witness, so corroboration needs different authors. Both papers still appear as
  statements, so a reader sees every place the claim is made. Sources without authors are each
  their own voice.
"""

from __future__ import annotations

import json
import re
import unicodedata
from sys import intern
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Connection, Text, bindparam, select, type_coerce

from timeweave.reconcile import rarity, salience
from timeweave.reconcile.dates import Interval, parse
from timeweave.store import schema as t

# Only these contexts make claims about the past; a bibliography entry (`citation`) is another
# author's title, and a section `heading` names a topic: they may join an event as evidence but never
# count as a voice.
CLAIM_CONTEXTS = ("narrative", "title")
CLAIM_FACTUALITY = ("asserted", "reported")


@dataclass(slots=True)
class Mention:
    """One event mention with what merging and comparing need, resolved to entities and voices (slots: a full
    load holds one per event mention of the store)."""

    index: int
    id: int
    source_id: str
    passage_id: int | None
    start: int
    end: int
    trigger: str
    trigger_start: int
    trigger_end: int
    lemma: str
    type: str
    factuality: str
    context: str
    interval: Interval | None
    when_text: str | None
    when_reason: str | None
    when_kind: str | None  # governed | sentence | narrative | undated; None in stores written before it existed
    agents: frozenset[int]
    patients: frozenset[int]
    entities: frozenset[int]  # every participant and the place
    place: int | None
    sentence: str
    sentence_no: int | None
    voice: str
    is_copy: bool
    named: list[tuple[int, int, str, int | None, str]] = field(default_factory=list)  # (start, end, text, entity, type)
    role: str = "event"  # event (may found one) | evidence (may only join one) | none (see `salience`)
    # participant -> weight 0..1 by how rare it is in the corpus (see `rarity`; absent = 1), one map shared by all
    rarity: dict[int, float] = field(default_factory=dict)

    @property
    def is_claim(self) -> bool:
        """Does this mention count as a voice asserting the event (not a copy, citation or hypothesis)?"""
        return not self.is_copy and self.context in CLAIM_CONTEXTS and self.factuality in CLAIM_FACTUALITY

    @property
    def may_found(self) -> bool:
        """May it start an event? A claim, a title, or a denial in a narrative: "the attack that did
        not happen" is an event with that status, while a plan or an offer (hypothetical) is not."""
        if self.is_claim or self.context == "title":
            return True
        return not self.is_copy and self.context in CLAIM_CONTEXTS and self.factuality == "negated"

    @property
    def carried_date(self) -> bool:
        """Was its date carried over from earlier sentences (so it says nothing about this event)?"""
        return self.when_kind == "narrative"


@dataclass
class Corpus:
    mentions: list[Mention]
    entity_names: dict[int, str]
    entity_types: dict[int, str]
    source_titles: dict[str, str]
    voices: dict[str, list[str]]  # voice id -> its source ids
    texts: dict[str, str]
    # event mention id -> the event the last reconcile (or a correction since) joined it to: an output, never an
    # input of the merge; `incremental` reads it to see which rows a component holds now
    links: dict[int, int | None] = field(default_factory=dict)


def author_key(author: str) -> str:
    """A family-name key: 'Zhabaeva, Larisa B.' and 'Larisa B. Zhabaeva' give the same key."""
    text = unicodedata.normalize("NFKD", author).encode("ascii", "ignore").decode().lower()
    if "," in text:
        text = text.split(",", 1)[0]
    words = re.findall(r"[a-z]+", text)
    if not words:
        return ""
    return words[-1] if len(words) <= 4 else " ".join(words)


def _author_name(author) -> str:
    """An author as text, whether stored as a string or as CSL name parts."""
    return author if isinstance(author, str) else " ".join(str(v) for v in dict(author).values())


def assign_voices(sources: list[tuple[str, list]]) -> dict[str, str]:
    """Source id -> voice id: sources sharing an author key are one voice (union-find)."""
    parent = {source_id: source_id for source_id, _ in sources}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_author: dict[str, str] = {}
    for source_id, authors in sorted(sources):
        for author in authors or []:
            key = author_key(_author_name(author))
            if not key:
                continue
            if key in by_author:
                a, b = find(by_author[key]), find(source_id)
                parent[max(a, b)] = min(a, b)
            else:
                by_author[key] = source_id
    return {source_id: find(source_id) for source_id, _ in sources}


def _within(named: list[tuple], starts: list[int], start: int, end: int) -> list[tuple]:
    """The named mentions lying inside [start, end), in their stored order; `starts` is their sorted starts.

    Why bisect: an event mention's sentence holds a few names, its source may hold tens of thousands.
    """
    found = []
    for n in range(bisect_left(starts, start), len(named)):
        mention = named[n]
        if mention[0] > end:
            break
        if mention[1] <= end:
            found.append(mention)
    return found


_DECODE = json.JSONDecoder().raw_decode
_EMPTY: frozenset[int] = frozenset()


def _frozen(values: set[int]) -> frozenset[int]:
    """A frozenset, the one empty one shared (most mentions have no patient): a full load holds 30,000 of them."""
    return frozenset(values) if values else _EMPTY


def _json_list(value) -> list:
    """A JSON column read as text, decoded without `json.loads`' whitespace scans (stored JSON has none
    around it); a driver that decodes JSON itself (psycopg) hands the list over as it is."""
    return (_DECODE(value)[0] if isinstance(value, str) and value else value) or []


def _chunks(values, size: int = 500):
    values = sorted(values)
    for at in range(0, len(values), size):
        yield values[at:at + size]


def _passages(conn: Connection, sources: Collection[str] | None,
              ids: Collection[int] | None = None) -> dict[int, tuple[str, int | None]]:
    """passage id -> (source id, duplicate_of): every passage, or those of `sources` (or only the passages
    `ids`) and the passages their copy chains lead to (read by id, a link at a time: chains are short)."""
    p = t.passages.c
    query = select(p.id, p.source_id, p.duplicate_of)
    if sources is None:
        return {pid: (source_id, of) for pid, source_id, of in conn.execute(query)}
    found: dict[int, tuple[str, int | None]] = {}
    if ids is None:
        for chunk in _chunks(sources):
            found.update((pid, (source_id, of)) for pid, source_id, of in conn.execute(query.where(p.source_id.in_(chunk))))
        wanted = {of for _s, of in found.values() if of is not None and of not in found}
    else:
        wanted = set(ids)
    while wanted:
        for chunk in _chunks(wanted):
            found.update((pid, (source_id, of)) for pid, source_id, of in conn.execute(query.where(p.id.in_(chunk))))
        wanted = {of for pid in wanted if pid in found for of in [found[pid][1]] if of is not None and of not in found}
    return found


_EVENT_COLUMNS = ("id", "source_id", "passage_id", "start", "end", "trigger", "trigger_start", "trigger_end", "lemma",
                  "type", "factuality", "context", "earliest", "latest", "edtf", "when_text", "when_reason", "when_kind")


def _event_rows(conn: Connection, sources: Collection[str] | None, mention_ids: Collection[int] | None) -> list:
    """Event mention rows in the order of a full load: all, those of `sources`, or the sentences of `mention_ids`."""
    e = t.event_mentions.c
    query = select(*(e[name] for name in _EVENT_COLUMNS), type_coerce(e.participants, Text), e.place_mention,
                   e.sentence, e.event_id)
    order = (e.source_id, e.start, e.trigger_start, e.id)
    if sources is None:
        return conn.execute(query.order_by(*order)).all()
    if mention_ids is None:
        return [r for chunk in _chunks(sources) for r in conn.execute(query.where(e.source_id.in_(chunk)).order_by(*order))]
    # The sentence-mates of each wanted mention, joined in the store: by (source, start) pairs in an IN list,
    # SQLite scanned the table once per 200 pairs (0.36 s for the 4,000 mentions of a large component).
    wanted = set(sources)
    seed = t.event_mentions.alias("seed")
    mates = query.join(seed, (seed.c.source_id == e.source_id) & (seed.c.start == e.start))
    found = {}
    for chunk in _chunks(mention_ids):
        found.update((r[0], r) for r in conn.execute(mates.where(seed.c.id.in_(chunk))) if r[1] in wanted)
    return sorted(found.values(), key=lambda r: (r[1], r[3], r[6], r[0]))


SHORT_TEXT = 20_000  # characters: a source this short has its named mentions read whole, with others in one query


def _named_rows(conn: Connection, named_query, rows: list, texts: dict[str, str]) -> list:
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
    for chunk in _chunks(short):  # kept as the span query below would find them
        found.update((r[0], r) for r in conn.execute(named_query.where(m.source_id.in_(chunk)))
                     if spans[r[1]][0] <= r[2] <= spans[r[1]][1])
    between = named_query.where(m.source_id == bindparam("sid"), m.start >= bindparam("lo"), m.start <= bindparam("hi"))
    for sid, (lo, hi) in sorted(spans.items()):  # one statement, compiled once
        if len(texts.get(sid, "")) > SHORT_TEXT:
            found.update((r[0], r) for r in conn.execute(between, {"sid": sid, "lo": lo, "hi": hi}))
    wanted = set()
    for r in rows:
        wanted.update(part.get("mention") for part in _json_list(r[18]))
        wanted.add(r[19])
    wanted = sorted(x for x in wanted - set(found) if isinstance(x, int))
    for chunk in _chunks(wanted):
        found.update((r[0], r) for r in conn.execute(named_query.where(m.id.in_(chunk))))
    return sorted(found.values(), key=lambda r: (r[1], r[2], r[0]))


class Catalog(list):
    """(id, authors, title) of every source, with the voices decided over them once: an incremental run
    loads in several parts, and each part deciding the voices again cost O(sources) per part."""

    @cached_property
    def voice_of(self) -> dict[str, str]:
        return assign_voices([(source_id, list(authors or [])) for source_id, authors, _title in self])

    @cached_property
    def voices(self) -> dict[str, list[str]]:
        voices: dict[str, list[str]] = {}
        for source_id, voice in sorted(self.voice_of.items()):
            voices.setdefault(voice, []).append(source_id)
        return voices

    @cached_property
    def titles(self) -> dict[str, str]:
        return {source_id: (title or source_id) for source_id, _authors, title in self}


def sources_catalog(conn: Connection) -> Catalog:
    """(id, authors, title) of every source: what `load` reads of the sources table. An incremental run
    reads it once and passes it (`catalog`) to each of its partial loads, in the same transaction."""
    return Catalog(tuple(r) for r in conn.execute(select(t.sources.c.id, t.sources.c.authors, t.sources.c.title)))


def load(conn: Connection, *, undated_events: bool = False, common_participant: float = 1.0,
         sources: Collection[str] | None = None, weights: dict[int, float] | None = None,
         mention_ids: Collection[int] | None = None, catalog: list[tuple] | None = None) -> Corpus:
    """Everything reconcile reads, in a deterministic order (source, offset); `undated_events` is the
    setting `reconcile_undated_events` (see `salience`), `common_participant` the setting
    `reconcile_common_participant` (see `rarity`; 1.0 weighs every participant 1).

    `sources` (None: all) reads only the event mentions of those sources, with indexed reads of their rows.
    Each of those Mention values is then the one a full load gives, but for `index` (its position in this
    load) and `rarity`: voices are still decided over every source's authors (one read of the sources
    table), copies follow their passage chains into other sources, entity ids, names and types are the
    store's, and `salience` looks within one sentence only. Rarity weights are corpus-wide: with
    `sources` and `common_participant` < 1 the caller passes them (`weights`, e.g. kept from a full run),
    else `load` raises. The Corpus holds only what those mentions need: `texts` of the loaded sources,
    `entity_names`/`entity_types` of the entities they reference, `links` of their rows; `voices` and
    `source_titles` are whole. `mention_ids` (with `sources`) builds only the sentences holding those event
    mentions (a mention's role reads the others of its sentence), each mention again as a full load gives it.

    Rows are unpacked by position: a SQLAlchemy Row's attribute costs microseconds, and a full load reads
    every event and entity mention of the store (reconcile and claims both call it)."""
    if sources is not None and weights is None and 0.0 < common_participant < 1.0:
        raise ValueError("reconcile.load: rarity weights are corpus-wide; pass `weights` (e.g. from a full load) "
                         "when reading only some sources, or leave `sources` None")
    sources_rows = catalog if isinstance(catalog, Catalog) else Catalog(catalog or sources_catalog(conn))
    voice_of, voices = sources_rows.voice_of, sources_rows.voices
    rows = _event_rows(conn, sources, mention_ids)
    texts: dict[str, str] = {}
    named_query = select(t.mentions.c.id, t.mentions.c.source_id, t.mentions.c.start, t.mentions.c.end,
                         t.mentions.c.text, t.mentions.c.entity_id, t.mentions.c.type)
    if sources is None:
        texts.update(conn.execute(select(t.texts.c.source_id, t.texts.c.text)).all())
        named_rows = conn.execute(named_query.order_by(t.mentions.c.source_id, t.mentions.c.start, t.mentions.c.id)).all()
    else:
        named_rows = []
        for chunk in _chunks(sources):
            texts.update(conn.execute(select(t.texts.c.source_id, t.texts.c.text).where(t.texts.c.source_id.in_(chunk))).all())
        if mention_ids is None:
            for chunk in _chunks(sources):  # chunks come in source order, each ordered as a full load orders them
                named_rows += conn.execute(named_query.where(t.mentions.c.source_id.in_(chunk))
                                           .order_by(t.mentions.c.source_id, t.mentions.c.start, t.mentions.c.id)).all()
        else:
            named_rows = _named_rows(conn, named_query, rows, texts)
    # `origin` follows only the loaded rows' passages: a partial load by mention reads those, not whole sources
    passages = _passages(conn, sources, None if mention_ids is None else {r[2] for r in rows if r[2] is not None})
    entity_of: dict[int, int | None] = {}
    named: dict[str, list[tuple[int, int, str, int | None, str]]] = {}
    for mid, source_id, start, end, text, entity_id, type_ in named_rows:
        entity_of[mid] = entity_id
        found = named.get(source_id)
        if found is None:
            found = named[source_id] = []
        found.append((start, end, text, entity_id, intern(type_) if type_ else type_))
    del named_rows
    # Named mentions come ordered by start: a sentence's are found by bisection, not by a scan of its
    # whole source (a scan per event mention is quadratic on one long document).
    starts = {source_id: [m[0] for m in found] for source_id, found in named.items()}
    entity_names: dict[int, str] = {}
    entity_types: dict[int, str] = {}
    entity_query = select(t.entities.c.id, t.entities.c.name, t.entities.c.type)
    if sources is None:
        entity_rows = conn.execute(entity_query)
    else:
        referenced = {e for e in entity_of.values() if e is not None}
        entity_rows = [r for chunk in _chunks(referenced) for r in conn.execute(entity_query.where(t.entities.c.id.in_(chunk)))]
    for eid, name, type_ in entity_rows:
        entity_names[eid] = name
        entity_types[eid] = type_

    def origin(passage_id: int | None) -> tuple[str | None, bool]:
        """The source whose voice a passage carries, following copy chains to the first occurrence."""
        seen, is_copy, current = set(), False, passage_id
        while current is not None and current in passages and passages[current][1] is not None:
            if current in seen:
                break
            seen.add(current)
            is_copy, current = True, passages[current][1]
        return (passages[current][0] if current in passages else None), is_copy

    # A source's own author is never a participant of the events it tells (a title page names them).
    # (only for the sources whose mentions are read: one per source of the store made an add O(sources))
    loaded = {r[1] for r in rows}
    author_keys = {source_id: {author_key(_author_name(a)) for a in (authors or [])} - {""}
                   for source_id, authors, _title in sources_rows if source_id in loaded}
    authors_named = {e for e, name in entity_names.items()
                     if entity_types.get(e) in ("person", "organization") and len(name.split()) >= 2}

    mentions: list[Mention] = []
    links: dict[int, int | None] = {}
    sentences: dict[tuple[str, int, int], str] = {}  # one string per sentence, shared by its mentions

    def sentence_text(source_id: str, start: int, end: int, text: str) -> str:
        found = sentences.get((source_id, start, end))
        if found is None:
            found = sentences[(source_id, start, end)] = text[start:end]
        return found

    for (mid, source_id, passage_id, start, end, trigger, trigger_start, trigger_end, lemma, type_, factuality,
         context, earliest, latest, edtf, when_text, when_reason, when_kind, participants, place_mention,
         sentence_no, event_id) in rows:
        text = texts.get(source_id, "")
        agents, patients, everyone = set(), set(), set()
        for part in _json_list(participants):
            entity = entity_of.get(part.get("mention"))
            if entity is None or (entity in authors_named and author_key(entity_names[entity]) in author_keys[source_id]):
                continue
            everyone.add(entity)
            role = part.get("role")
            if role == "agent":
                agents.add(entity)
            elif role == "patient":
                patients.add(entity)
        place = entity_of.get(place_mention) if place_mention is not None else None
        if place is not None:
            everyone.add(place)
        first, is_copy = origin(passage_id)
        voice = voice_of.get(first or source_id, source_id)
        links[mid] = event_id
        in_sentence = _within(named.get(source_id, []), starts.get(source_id, []), start, end)
        mentions.append(Mention(
            index=len(mentions), id=mid, source_id=source_id, passage_id=passage_id,
            start=start, end=end, trigger=trigger, trigger_start=trigger_start,
            trigger_end=trigger_end, lemma=intern((lemma or trigger).lower()), type=intern(type_),
            factuality=intern(factuality), context=intern(context),
            interval=parse(earliest, latest, edtf), when_text=when_text, when_reason=when_reason,
            when_kind=intern(when_kind) if when_kind else when_kind, agents=_frozen(agents), patients=_frozen(patients),
            entities=_frozen(everyone), place=place, sentence=sentence_text(source_id, start, end, text),
            sentence_no=sentence_no, voice=voice, is_copy=is_copy, named=in_sentence,
        ))
    weight = rarity.weights((m.entities for m in mentions), common_participant) if weights is None else weights
    for mention in mentions:
        mention.role = salience.role(mention, undated_events=undated_events)
        mention.rarity = weight
    salience.beside_typed(mentions)
    salience.borrowed_dates(mentions)
    return Corpus(mentions, entity_names, entity_types, sources_rows.titles, voices, texts, links)
