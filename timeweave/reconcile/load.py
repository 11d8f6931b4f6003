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
from bisect import bisect_left
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from timeweave.reconcile import rarity, salience
from timeweave.reconcile.dates import Interval, parse
from timeweave.store import schema as t

# Only these contexts make claims about the past; a bibliography entry (`citation`) is another
# author's title, and a section `heading` names a topic: they may join an event as evidence but never
# count as a voice.
CLAIM_CONTEXTS = ("narrative", "title")
CLAIM_FACTUALITY = ("asserted", "reported")


@dataclass
class Mention:
    """One event mention with what merging and comparing need, resolved to entities and voices."""

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


def load(conn: Connection, *, undated_events: bool = False, common_participant: float = 1.0) -> Corpus:
    """Everything reconcile reads, in a deterministic order (source, offset); `undated_events` is the
    setting `reconcile_undated_events` (see `salience`), `common_participant` the setting
    `reconcile_common_participant` (see `rarity`; 1.0 weighs every participant 1)."""
    sources = conn.execute(select(t.sources.c.id, t.sources.c.authors, t.sources.c.title)).all()
    voice_of = assign_voices([(r.id, list(r.authors or [])) for r in sources])
    voices: dict[str, list[str]] = {}
    for source_id, voice in sorted(voice_of.items()):
        voices.setdefault(voice, []).append(source_id)
    texts = {r.source_id: r.text for r in conn.execute(select(t.texts.c.source_id, t.texts.c.text))}
    passages = {r.id: r for r in conn.execute(select(t.passages.c.id, t.passages.c.source_id, t.passages.c.duplicate_of))}
    entity_of: dict[int, int | None] = {}
    named: dict[str, list[tuple[int, int, str, int | None, str]]] = {}
    for r in conn.execute(select(t.mentions.c.id, t.mentions.c.source_id, t.mentions.c.start, t.mentions.c.end,
                                 t.mentions.c.text, t.mentions.c.entity_id, t.mentions.c.type)
                          .order_by(t.mentions.c.source_id, t.mentions.c.start)):
        entity_of[r.id] = r.entity_id
        named.setdefault(r.source_id, []).append((r.start, r.end, r.text, r.entity_id, r.type))
    # Named mentions come ordered by start: a sentence's are found by bisection, not by a scan of its
    # whole source (a scan per event mention is quadratic on one long document).
    starts = {source_id: [m[0] for m in found] for source_id, found in named.items()}
    entity_rows = conn.execute(select(t.entities.c.id, t.entities.c.name, t.entities.c.type)).all()
    entity_names = {r.id: r.name for r in entity_rows}
    entity_types = {r.id: r.type for r in entity_rows}

    def origin(passage_id: int | None) -> tuple[str | None, bool]:
        """The source whose voice a passage carries, following copy chains to the first occurrence."""
        seen, is_copy, current = set(), False, passage_id
        while current is not None and current in passages and passages[current].duplicate_of is not None:
            if current in seen:
                break
            seen.add(current)
            is_copy, current = True, passages[current].duplicate_of
        return (passages[current].source_id if current in passages else None), is_copy

    # A source's own author is never a participant of the events it tells (a title page names them).
    author_keys = {r.id: {author_key(_author_name(a)) for a in (r.authors or [])} - {""} for r in sources}
    authors_named = {e for e, name in entity_names.items()
                     if entity_types.get(e) in ("person", "organization") and len(name.split()) >= 2}

    mentions: list[Mention] = []
    links: dict[int, int | None] = {}
    rows = conn.execute(select(t.event_mentions).order_by(t.event_mentions.c.source_id, t.event_mentions.c.start,
                                                          t.event_mentions.c.trigger_start, t.event_mentions.c.id)).all()
    for row in rows:
        text = texts.get(row.source_id, "")
        agents, patients, everyone = set(), set(), set()
        for part in row.participants or []:
            entity = entity_of.get(part.get("mention"))
            if entity is None or (entity in authors_named and author_key(entity_names[entity]) in author_keys[row.source_id]):
                continue
            everyone.add(entity)
            if part.get("role") == "agent":
                agents.add(entity)
            elif part.get("role") == "patient":
                patients.add(entity)
        place = entity_of.get(row.place_mention) if row.place_mention is not None else None
        if place is not None:
            everyone.add(place)
        first, is_copy = origin(row.passage_id)
        voice = voice_of.get(first or row.source_id, row.source_id)
        links[row.id] = row.event_id
        in_sentence = _within(named.get(row.source_id, []), starts.get(row.source_id, []), row.start, row.end)
        mentions.append(Mention(
            index=len(mentions), id=row.id, source_id=row.source_id, passage_id=row.passage_id,
            start=row.start, end=row.end, trigger=row.trigger, trigger_start=row.trigger_start,
            trigger_end=row.trigger_end, lemma=(row.lemma or row.trigger).lower(), type=row.type,
            factuality=row.factuality, context=row.context,
            interval=parse(row.earliest, row.latest, row.edtf), when_text=row.when_text,
            when_reason=row.when_reason, when_kind=row.when_kind, agents=frozenset(agents), patients=frozenset(patients),
            entities=frozenset(everyone), place=place, sentence=text[row.start:row.end],
            sentence_no=row.sentence, voice=voice, is_copy=is_copy, named=in_sentence,
        ))
    weight = rarity.weights((m.entities for m in mentions), common_participant)
    for mention in mentions:
        mention.role = salience.role(mention, undated_events=undated_events)
        mention.rarity = weight
    salience.beside_typed(mentions)
    salience.borrowed_dates(mentions)
    titles = {r.id: (r.title or r.id) for r in sources}
    return Corpus(mentions, entity_names, entity_types, titles, voices, texts, links)
