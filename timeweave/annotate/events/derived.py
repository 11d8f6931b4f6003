"""Dates made from other dates: counted from an event or the story's time, until an end, an anniversary's year.

A text often dates an event by another date: "two days after the first attack" (a length counted from
the event named after it, taken to be at the narrative's date), "within 48 hours" (from the story's
time to that much after it), "held prisoner until February 1973" (from the date it has otherwise to
that end), "the 50th anniversary of the landings" (that many years before the sentence's date). Each
date reached is added to the Doc's time expressions, made by the events component (COUNTED_COMPONENT),
with its offsets on the words that gave it and the reason; `anchor.TimexIndex` uses these through
the `DerivedDates` mixin. The sentence and narrative anchoring itself is in `anchor.py`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from timeweave.annotate.events.lexicon import END_WORDS
from timeweave.annotate.events.zones import Zone, context_at
from timeweave.annotate.timex.lexicon import ordinal_value
from timeweave.annotate.types import Timex

if TYPE_CHECKING:
    from timeweave.annotate.events.zones import Sentences

# "Two days after the first attack": a length, then the word that counts it from an event.
COUNTED_FROM = re.compile(r"\s{1,2}(?P<rel>after|before)\b", re.IGNORECASE)
LENGTH = re.compile(r"^P(?:T(?P<hours>\d+)H|(?P<n>\d+|X)(?P<unit>[DWMY]))$")
# "within 48 hours", "Within days": from the story's time to that much after it.
WITHIN = re.compile(r"\bwithin\s{1,2}(?:the\s)?$", re.IGNORECASE)

COUNTED_COMPONENT = "timeweave.events.v4"  # the events component makes the dates counted from an event


class DerivedDates:
    """The derived-date half of `anchor.TimexIndex` (which sets `text`, `timexes`, `items`, `lengths`,
    `derived`, `until` and `sentences`, and the `_anchor` these fall back on)."""

    text: str
    timexes: list[Timex]
    items: list[tuple[int, Timex, Token]]
    lengths: list[tuple[int, Timex, Token, int]]
    derived: dict[int, int | None]
    until: dict[tuple[int, int], int]
    sentences: Sentences

    def _note_length(self, doc, i: int, timex: Timex) -> None:
        """Keep a length that counts from an event or the story's time ("two days after", "within 48 hours")."""
        counted = COUNTED_FROM.match(self.text, timex.end)
        within = WITHIN.search(self.text, max(0, timex.start - 8), timex.start)
        if timex.type == "DURATION" and (counted or within) and LENGTH.match(timex.value or ""):
            span = doc.char_span(timex.start, timex.end, alignment_mode="expand")
            if span is not None:
                sign = 0 if not counted else 1 if counted["rel"].lower() == "after" else -1
                self.lengths.append((i, timex, span.root, sign))

    def _counted(self, tokens: list[Token], sentence: Span, zone_list: list[Zone]) -> tuple[int | None, str] | None:
        """'Two days after the first attack, there was another incident': a length counted from an event
        named after it. That event's date is taken to be the narrative's, the last date before the
        sentence; the date reached is added to the Doc's time expressions (made by this component,
        with the reason) and dates the other events of the sentence, not the one it counts from."""
        for i, length, head, sign in self.lengths:
            if not sentence.start <= head.i < sentence.end:
                continue
            if sign:
                rel = head.doc.char_span(length.end, COUNTED_FROM.match(self.text, length.end).end(), alignment_mode="expand")
                if rel is None:
                    continue
                objects = [c.i for c in rel.root.children if c.dep_ == "pobj"]
                if any(rel.end <= t.i <= (objects[0] if objects else rel.end) for t in tokens):
                    continue  # the event it counts from ("the first attack") has its own date
            if i not in self.derived:
                self.derived[i] = self._derive(i, length, sign, sentence, zone_list)
            j = self.derived[i]
            if j is None:
                return None
            derived = self.timexes[j]
            how = "from the event after it" if sign else "from the story's time"
            return j, f"sentence: '{derived.text}' counts {length.text} {how}; {derived.reason}"
        return None

    def _derive(self, i: int, length: Timex, sign: int, sentence: Span, zone_list: list[Zone]) -> int | None:
        context = context_at(zone_list, length.start)
        before = [item for item in self.items if item[1].end <= sentence.start_char and item[1].earliest
                  and item[1].latest and context_at(zone_list, item[1].start) == context]
        if not before:
            return None
        base = before[-1][1]
        found = LENGTH.match(length.value)
        if sign:
            if not found["n"] or found["n"] == "X":
                return None
            reached = counted_from(base, int(found["n"]), found["unit"], sign)
            end = COUNTED_FROM.match(self.text, length.end).end()
            side = "after" if sign > 0 else "before"
            reason = (f"{length.value} {side} the last date before the sentence, '{base.text}' ({base.edtf}), taken as "
                      f"the date of the event it counts from")
        else:
            reached = _within(base, found)
            start = WITHIN.search(self.text, max(0, length.start - 8), length.start).start()
            length, end = replace(length, start=start), length.end
            reason = f"from the last date before the sentence, '{base.text}' ({base.edtf}), to {length.value} after it"
        if reached is None:
            return None
        value, edtf, earliest, latest = reached
        self.timexes.append(replace(length, end=end, text=self.text[length.start:end], type="DATE", value=value,
                                    edtf=edtf, earliest=earliest, latest=latest, modifier=None, anchor="narrative",
                                    reason=f"'{self.text[length.start:end]}' → {edtf}: {reason}",
                                    component=COUNTED_COMPONENT))
        return len(self.timexes) - 1

    def _years_before(self, years: tuple[int, Token], token: Token, in_sentence: list) -> tuple[int | None, str]:
        """'marked the 50th anniversary of the victory' on a dated day: the victory's year is 50 years before it."""
        n, word = years
        placed = [item for item in in_sentence if item[1].earliest and item[1].latest]
        if not placed:
            return None, f"undated: '{word.text}' counts {n} years from a time the sentence does not give"
        _, base, _ = min(placed, key=lambda item: abs(item[2].i - token.i))
        year = int(base.earliest[:4]) - n
        if not 1 <= year <= 9999 or base.earliest[:4] != base.latest[:4]:
            return None, f"undated: '{word.text}' counts {n} years from '{base.text}', which is no single year"
        text = self.text[word.left_edge.idx:word.idx + len(word.text)]
        self.timexes.append(Timex(start=word.left_edge.idx, end=word.idx + len(word.text), text=text, type="DATE",
                                  value=f"{year:04d}", edtf=f"{year:04d}", earliest=f"{year:04d}-01-01",
                                  latest=f"{year:04d}-12-31", granularity="year", anchor="narrative",
                                  reason=f"'{text}' → {year:04d}: {n} years before '{base.text}' ({base.edtf}), "
                                         "the anniversary's date", component=COUNTED_COMPONENT))
        return len(self.timexes) - 1, f"sentence: '{text}' of it is counted {n} years back from '{base.text}'"

    def _until(self, i: int | None, reason: str, tokens: list[Token], events: set[int],
               zone_list: list[Zone]) -> tuple[int | None, str]:
        """An event that lasted until a date of its own clause ("held prisoner until February 1973") runs
        from the date it has otherwise (its sentence's, the narrative's; `i`) to that end: a derived interval.
        With no start known, the end is the one time its clause gives ("postponed until 2 p.m. today")."""
        own = {t.i for t in tokens}
        sentence = self.sentences.of(tokens[0])
        ends = [item for item in self.items if sentence.start <= item[2].i < sentence.end
                and end_of(item[2], END_WORDS) in own and item[1].earliest and item[1].latest]
        if not ends:
            return i, reason
        j, end, head = ends[0]
        base = self.timexes[i] if i is not None else None
        if base is None or not (base.earliest and base.latest) or base.earliest > end.latest:
            return self._anchor(tokens, events, zone_list, ends=False)
        key = (i, j)
        if key not in self.until:
            start = head.head.idx  # the preposition ("until")
            lo, hi = base.earliest, end.latest
            self.timexes.append(Timex(start=start, end=end.end, text=self.text[start:end.end], type="DATE",
                                      value=f"{lo}/{hi}", edtf=f"{lo}/{hi}", earliest=lo, latest=hi, anchor="narrative",
                                      reason=f"'{self.text[start:end.end]}' → {lo}/{hi}: from '{base.text}' "
                                             f"({base.edtf}), the time it has otherwise, to its end",
                                      component=COUNTED_COMPONENT))
            self.until[key] = len(self.timexes) - 1
        kind = reason.split(":", 1)[0]
        return self.until[key], f"{kind}: from '{base.text}' until '{end.text}' ({reason})"


def end_of(head: Token, words: frozenset[str]) -> int | None:
    """The token whose end or target a date gives ("held until 1973", "set for 11 a.m.": `cues.tsv`, kinds
    `end` and `target`; `words` says which), or None for a date of when something happened."""
    prep = head.head
    if head.dep_ == "pobj" and prep.dep_ == "prep" and prep.lower_ in words and prep.head is not prep:
        return prep.head.i
    return None


def _shift(day: date, n: int, unit: str) -> date:
    if unit in ("D", "W"):
        return day + timedelta(days=n * (7 if unit == "W" else 1))
    months = day.year * 12 + day.month - 1 + n * (12 if unit == "Y" else 1)
    year, month = divmod(months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def counted_from(base: Timex, n: int, unit: str, sign: int) -> tuple[str, str, str, str] | None:
    """(value, edtf, earliest, latest) of the date `n` units after (sign +1) or before (-1) `base`.

    A day counted from a month stays that month's precision ("two days after" a date known to the
    month is somewhere in or just beyond it): the interval is moved, never sharpened."""
    try:
        lo, hi = date.fromisoformat(base.earliest), date.fromisoformat(base.latest)
        lo, hi = _shift(lo, sign * n, unit), _shift(hi, sign * n, unit)
    except (TypeError, ValueError, OverflowError):
        return None
    if lo == hi:
        return lo.isoformat(), lo.isoformat(), lo.isoformat(), hi.isoformat()
    if lo.day == 1 and hi == date(hi.year, hi.month, calendar.monthrange(hi.year, hi.month)[1]) and \
            (lo.year, lo.month) == (hi.year, hi.month):
        month = f"{lo.year:04d}-{lo.month:02d}"
        return month, month, lo.isoformat(), hi.isoformat()
    return None if (hi - lo).days > 400 else (f"{lo.isoformat()}/{hi.isoformat()}", f"{lo.isoformat()}/{hi.isoformat()}",
                                              lo.isoformat(), hi.isoformat())


def _within(base: Timex, found: re.Match) -> tuple[str, str, str, str] | None:
    """'within 48 hours' of the story's date: from its start to that long after its end; 'within days'
    (no number): the story's month, as vague as the words."""
    try:
        lo, hi = date.fromisoformat(base.earliest), date.fromisoformat(base.latest)
    except (TypeError, ValueError):
        return None
    if found["hours"]:
        hi = hi + timedelta(days=-(-int(found["hours"]) // 24))
    elif found["n"] == "X":
        lo = date(lo.year, lo.month, 1)
        hi = date(hi.year, hi.month, calendar.monthrange(hi.year, hi.month)[1])
        if (lo.year, lo.month) == (hi.year, hi.month):
            month = f"{lo.year:04d}-{lo.month:02d}"
            return month, month, lo.isoformat(), hi.isoformat()
    else:
        try:
            hi = _shift(hi, int(found["n"]), found["unit"])
        except (ValueError, OverflowError):
            return None
    if (hi - lo).days > 400:
        return None
    return f"{lo.isoformat()}/{hi.isoformat()}", f"{lo.isoformat()}/{hi.isoformat()}", lo.isoformat(), hi.isoformat()


def anniversary_of(token: Token) -> tuple[int, Token] | None:
    """(N, 'anniversary') when the event is what an Nth anniversary is of ("the 50th anniversary of its first
    victory", "the fiftieth anniversary of the armistice"), else None."""
    node = token
    while node.dep_ == "conj" and node.head is not node:
        node = node.head
    if not (node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lemma_.lower() == "anniversary"):
        return None
    anniversary = node.head.head
    for child in anniversary.children:
        if child.dep_ in ("amod", "nummod") and child.i < anniversary.i:
            n = ordinal_value(child.text)
            if n and n < 1000:
                return n, anniversary
    return None
