"""Grouping the voices' values into positions, and telling an answer from a disagreement.

Values are compatible when they can both be true: date intervals that overlap ("November 1934"
and "24 November 1934"), equal numbers, the same entity, the same yes or no. Each group of
compatible values is a position with every source that gives it. The answer is `disputed` only
when two positions are held by different voices (a source giving two dates for two things is not
a disagreement), and only for values that can contradict each other: dates, times, numbers, yes/no.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from timeweave.ask.retrieve import Sentence
from timeweave.ask.values import Value

CONTRADICTABLE = ("date", "time", "number", "yesno")


@dataclass
class Group:
    values: list[tuple[Value, Sentence]] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(s.source_id for _, s in self.values))

    @property
    def best(self) -> float:
        return max(s.score for _, s in self.values)

    def representative(self) -> Value:
        """The most precise value (narrowest interval), the first found among equals."""
        dated = [v for v, _ in self.values if v.earliest and v.latest]
        if dated:
            return min(dated, key=lambda v: (v.latest > v.earliest, v.latest, v.earliest))
        return self.values[0][0]


def _compatible(a: Value, b: Value, kind: str) -> bool:
    if kind == "date" and a.earliest and b.earliest and a.latest and b.latest:
        return a.earliest <= b.latest and b.earliest <= a.latest
    if kind == "number" and a.number is not None and b.number is not None:
        return abs(a.number - b.number) < 1e-9
    if kind == "time" and a.number is not None and b.number is not None:
        round_word = not any(ch.isdigit() for ch in a.text) or not any(ch.isdigit() for ch in b.text)
        return abs(a.number - b.number) <= (30 if round_word else 0)  # "noon", "midnight" are said of times near them
    return a.key == b.key


def group(voices: list[tuple[Value, Sentence]], kind: str) -> list[Group]:
    """Positions from (value, sentence) pairs: narrow values first, each joining the best-held compatible group."""
    order = sorted(voices, key=lambda item: (0 if item[0].earliest and item[0].earliest == item[0].latest else 1, -item[1].score))
    groups: list[Group] = []
    for value, sentence in order:
        fits = [g for g in groups if all(_compatible(value, other, kind) for other, _ in g.values)]
        if fits:
            max(fits, key=lambda g: (len(g.sources), g.best)).values.append((value, sentence))
        else:
            groups.append(Group([(value, sentence)]))
    groups.sort(key=lambda g: (-len(g.sources), -g.best))
    return groups


def disputed(groups: list[Group], kind: str, *, strong: float = 0.0) -> bool:
    """Two positions held by different voices, on a value that can contradict, each with a voice scoring at
    least `strong`.

    One source alone in two positions (two dates for two things, a claim and its correction) is not
    a disagreement between sources; another source holding the other position is.
    """
    if kind not in CONTRADICTABLE or len(groups) < 2:
        return False
    groups = [g for g in groups if g.best >= strong]  # a weak voice is listed, but does not make a dispute
    for i, a in enumerate(groups):
        for b in groups[i + 1:]:
            if any(x != y for x in a.sources for y in b.sources):
                return True
    return False
