"""What the annotate stage puts on a spaCy Doc (`doc._.timexes`, `doc._.entity_mentions`,
`doc._.event_mentions`). The store writer reads only these, never a component's internals.

Offsets are character offsets into `doc.text`; the build maps them back to source offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENTITY_TYPES = ("person", "state", "organization", "military_unit", "place", "work", "other")
EVENT_TYPES = (
    "treaty", "agreement", "meeting", "negotiation", "battle", "incident", "invasion", "offensive",
    "ceasefire", "deployment", "purge", "declaration", "founding", "election", "referendum", "other",
)
FACTUALITY = ("asserted", "negated", "hypothetical", "reported")
CONTEXTS = ("narrative", "citation", "title")


@dataclass
class Timex:
    """A time expression, normalised to TIMEX3 and to an EDTF interval, with the reason for its date."""

    start: int
    end: int
    text: str
    type: str  # DATE | DURATION | SET | TIME
    value: str | None  # TIMEX3 value, e.g. "1939-08", "P18M", "XXXX-SU"
    edtf: str | None = None  # e.g. "1939-08-21/1939-08-31", "1932~", "193X"
    earliest: str | None = None  # YYYY-MM-DD
    latest: str | None = None
    granularity: str | None = None  # day | month | season | year | decade | century | ...
    modifier: str | None = None  # EARLY | MID | LATE | START | END | APPROX | BEFORE | AFTER | ...
    anchor: str = "absolute"  # absolute | document_date | narrative | expression | none
    reason: str = ""
    sentence: int | None = None
    component: str = "timeweave.timex.v1"


@dataclass
class EntityMention:
    start: int
    end: int
    text: str
    type: str  # one of ENTITY_TYPES
    key: str | None = None  # normalised alias key
    component: str = "timeweave.entities.v1"
    year: int | None = None  # the narrative year its name was resolved for ("Moscow" in 1939: Soviet Union)
    year_from: str = "none"  # how that year was chosen: sentence | narrative | document date | none


@dataclass
class Participant:
    mention: int  # index into doc._.entity_mentions
    role: str  # agent | patient | other


@dataclass
class EventMention:
    start: int  # evidence span: the sentence or clause quoted as evidence
    end: int
    trigger_start: int
    trigger_end: int
    trigger: str
    lemma: str
    type: str  # one of EVENT_TYPES
    factuality: str = "asserted"
    context: str = "narrative"
    participants: list[Participant] = field(default_factory=list)
    place: int | None = None  # index into doc._.entity_mentions
    timex: int | None = None  # index into doc._.timexes
    when_reason: str = "undated: no time expression governs it"
    sentence: int | None = None
    component: str = "timeweave.events.v1"
    when_kind: str = "undated"  # governed | sentence | narrative | undated
