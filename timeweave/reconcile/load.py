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

import re
import unicodedata
from sys import intern
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass, field, fields
from functools import cached_property
from operator import attrgetter

from sqlalchemy import Connection, select

from timeweave.reconcile import rarity, salience
from timeweave.reconcile import rows as read
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


_AFTER_INDEX = attrgetter(*(f.name for f in fields(Mention)[1:]))  # every field but `index` (the first), in order


def placed(m: Mention, index: int) -> Mention:
    """A copy of `m` at position `index` of another list: `dataclasses.replace(m, index=index)`, in a quarter of
    its time (replace looks the fields up on every call; a region of 4,330 mentions is placed twice per add).
    Exact: Mention has no `__post_init__`, so its constructor only stores what it is given, in field order."""
    return Mention(index, *_AFTER_INDEX(m))


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


_EMPTY: frozenset[int] = frozenset()


def _frozen(values: set[int]) -> frozenset[int]:
    """A frozenset, the one empty one shared (most mentions have no patient): a full load holds 30,000 of them."""
    return frozenset(values) if values else _EMPTY


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
    rows = read.event_rows(conn, sources, mention_ids)
    texts: dict[str, str] = {}
    named_query = select(t.mentions.c.id, t.mentions.c.source_id, t.mentions.c.start, t.mentions.c.end,
                         t.mentions.c.text, t.mentions.c.entity_id, t.mentions.c.type)
    if sources is None:
        texts.update(conn.execute(select(t.texts.c.source_id, t.texts.c.text)).all())
        named_rows = conn.execute(named_query.order_by(t.mentions.c.source_id, t.mentions.c.start, t.mentions.c.id)).all()
    else:
        named_rows = []
        for chunk in read.chunks(sources):
            texts.update(conn.execute(select(t.texts.c.source_id, t.texts.c.text).where(t.texts.c.source_id.in_(chunk))).all())
        if mention_ids is None:
            for chunk in read.chunks(sources):  # chunks come in source order, each ordered as a full load orders them
                named_rows += conn.execute(named_query.where(t.mentions.c.source_id.in_(chunk))
                                           .order_by(t.mentions.c.source_id, t.mentions.c.start, t.mentions.c.id)).all()
        else:
            named_rows = read.named_rows(conn, named_query, rows, texts)
    # `origin` follows only the loaded rows' passages: a partial load by mention reads those, not whole sources
    passages = read.passages_of(conn, sources, None if mention_ids is None else {r[2] for r in rows if r[2] is not None})
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
        entity_rows = [r for chunk in read.chunks(referenced) for r in conn.execute(entity_query.where(t.entities.c.id.in_(chunk)))]
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
        for part in read.json_list(participants):
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
