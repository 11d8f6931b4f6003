"""The plain values link passes around: a mention row as read from the store, the evidence and label of a link,
a name found beside a mention, and the entity cut from a component (`resolve.Resolver`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple


class MentionRow(NamedTuple):
    """A mention as link reads it. A named tuple: every build makes one per stored mention (50,900 at
    1,600 documents), and a frozen dataclass's constructor costs several times a tuple's."""

    id: int
    source_id: str
    start: int
    end: int
    text: str
    type: str
    key: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """A quote that made a link: the source, code-point offsets and the text there."""

    source_id: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True, slots=True)
class Link:
    """Why two alias keys name one thing: a sentence, the rule's name and the quotes it rests on."""

    how: str
    rule: str
    evidence: tuple[Evidence, ...] = ()

    def plain(self) -> tuple:
        """Its sentence, rule and quotes as plain tuples, whose repr is made in C (`Resolver.signature`)."""
        return self.how, self.rule, tuple((e.source_id, e.start, e.end, e.quote) for e in self.evidence)


NAME = Link("name", "name")


@dataclass
class Entity:
    name: str
    type: str
    mentions: list[int] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # alias text -> how it joined
    alias_sources: dict[str, Counter] = field(default_factory=dict)  # alias text -> source -> count
    alias_links: dict[str, Link] = field(default_factory=dict)  # alias text -> the link it joined by


@dataclass(frozen=True, slots=True)
class FoundName:
    """A name the text gives that is not a mention (the "Caudillo" of "also called the Caudillo")."""

    key: str
    text: str
    source_id: str
    start: int
    end: int


def is_acronym(row: MentionRow) -> bool:
    """"MPR", "NSA", and dotted "U.S." (key "u s"): capitals, one word or single letters."""
    letters = row.key.split()
    dotted = len(letters) >= 2 and all(len(w) == 1 for w in letters)
    return row.text.isupper() and (" " not in row.key or dotted) and 2 <= len(row.key.replace(" ", "")) <= 6
