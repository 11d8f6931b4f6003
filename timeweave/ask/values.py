"""Reading the value a sentence gives for a question: a date interval, a time, a number, names, yes/no.

Values come from the store's structured annotations where the build made them (time expressions
with their EDTF interval, entity mentions with their entity, event mentions with their date) and
otherwise from the sentence's own characters (numbers, clock times); each value keeps its offsets,
so the answer can quote the sentence it came from. What the question itself says ("on 4 August
1964", "two senators") is context, never a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, select

from timeweave.ask.lexicon import Lexicon, stem
from timeweave.ask.question import Question
from timeweave.ask.retrieve import Sentence
from timeweave.store import schema as t

_NUMBER = re.compile(r"(?<![\w.,:/-])\d{1,3}(?:,\d{3})+(?![\w,]*\d)|(?<![\w.,:/-])\d+(?:\.\d+)?(?![\w:/])")
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?\s?m\b\.?)?|\b\d{1,2}\s*[ap]\.\s?m\.|\bnoon\b|\bmidnight\b", re.I)
_WORD = re.compile(r"\w+(?:['’]\w+)?")
NAME_TYPES = {"person": ("person",), "place": ("place", "state"),
              "actor": ("person", "state", "organization", "military_unit")}
GRANULARITY_DAYS = {"day": 1, "month": 31, "year": 366}


@dataclass
class Value:
    text: str  # as the answer says it
    key: str  # what compatible values share (an interval, a number, an entity, yes/no)
    start: int  # where it is in the source text
    end: int
    edtf: str | None = None
    earliest: str | None = None
    latest: str | None = None
    number: float | None = None
    entity: int | None = None


def _question_intervals(question: Question) -> list[tuple[str, str]]:
    """The dates the question gives, as crude (earliest, latest) ISO bounds: year, or year and month."""
    out = []
    for year in question.years:
        if question.months:
            for month in question.months:
                out.append((f"{year}-{month:02d}-01", f"{year}-{month:02d}-31"))
        else:
            out.append((f"{year}-01-01", f"{year}-12-31"))
    return out


def _days(earliest: str, latest: str) -> int:
    from datetime import date

    try:
        return (date.fromisoformat(latest) - date.fromisoformat(earliest)).days + 1
    except ValueError:
        return 10**6


def annotations(conn: Connection, sentences: list[Sentence]) -> dict[str, dict[str, list]]:
    """The time expressions, entity mentions and event mentions of the sources of `sentences`, by source."""
    out: dict[str, dict[str, list]] = {}
    spans: dict[str, tuple[int, int]] = {}
    for s in sentences:
        lo, hi = spans.get(s.source_id, (s.start, s.end))
        spans[s.source_id] = (min(lo, s.start), max(hi, s.end))
    for source_id, (lo, hi) in spans.items():
        x, m, em = t.timexes.c, t.mentions.c, t.event_mentions.c
        out[source_id] = {
            "timexes": conn.execute(select(x.start, x.end, x.text, x.type, x.edtf, x.earliest, x.latest).where(
                x.source_id == source_id, x.start < hi, x.end > lo)).all(),
            "mentions": conn.execute(select(m.start, m.end, m.text, m.type, m.entity_id).where(
                m.source_id == source_id, m.start < hi, m.end > lo)).all(),
            "events": conn.execute(select(em.id, em.event_id, em.start, em.end, em.edtf, em.earliest, em.latest,
                                          em.when_text, em.trigger_start).where(
                em.source_id == source_id, em.start < hi, em.end > lo)).all(),
        }
    return out


def _inside(row, s: Sentence) -> bool:
    return row.start >= s.start and row.end <= s.end


def dates(question: Question, s: Sentence, notes: dict[str, list], *, chronicle_dates: bool = False) -> list[Value]:
    """Date intervals the sentence gives in its time expressions; with `chronicle_dates`, the date the build
    gave the event the sentence tells (dated from its context, when_reason says how)."""
    given = _question_intervals(question)
    limit = GRANULARITY_DAYS.get(question.granularity or "", 10**6)
    out = []
    for x in notes["timexes"]:
        if not _inside(x, s) or x.type not in ("DATE", "TIME") or not x.earliest or not x.latest:
            continue
        width = _days(x.earliest, x.latest)
        if width > limit:
            continue
        if question.scope and not any(x.earliest <= b and a <= x.latest for a, b in question.scope):
            continue  # "which day in January 1971": a date outside what the question sets is another event's
        if any(x.earliest <= a and x.latest >= b[:10] and width >= _days(a, b) for a, b in given):
            continue  # the question's own date, or coarser: context, not an answer
        if any(x.earliest >= a and x.latest <= b for a, b in given) and width >= 28 and question.months:
            continue  # the question gives this month already
        out.append(Value(x.text, f"{x.earliest}/{x.latest}", x.start, x.end, edtf=x.edtf, earliest=x.earliest, latest=x.latest))
    if chronicle_dates and not out:  # the build dated the event the sentence tells from its context: the chronicle's date
        for e in notes["events"]:
            if _inside(e, s) and any(a <= e.trigger_start < b for a, b in s.matched) and e.earliest and e.latest and e.when_text and _days(e.earliest, e.latest) <= limit:
                inside_scope = not question.scope or any(e.earliest <= b and a <= e.latest for a, b in question.scope)
                if inside_scope and not any(e.earliest <= a and e.latest >= b[:10] for a, b in given):
                    out.append(Value(e.when_text, f"{e.earliest}/{e.latest}", e.trigger_start, e.trigger_start,
                                     edtf=e.edtf, earliest=e.earliest, latest=e.latest))
    return out


def _minutes(said: str) -> float | None:
    """Minutes after midnight of a clock time ("11:36 p.m." -> 1416); noon and midnight too."""
    said = said.lower().replace(" ", "").replace(".", ":", 1) if re.match(r"\d{1,2}\.\d{2}", said) else said.lower().replace(" ", "")
    if said.startswith("noon"):
        return 720.0
    if said.startswith("midnight"):
        return 1440.0
    m = re.match(r"(\d{1,2})(?::(\d{2}))?", said)
    if not m:
        return None
    hours, minutes = int(m.group(1)) % 12 if "m" in said else int(m.group(1)), int(m.group(2) or 0)
    if "p" in said[m.end():]:
        hours += 12
    return float(hours * 60 + minutes)


def clock_times(question: Question, s: Sentence, notes: dict[str, list]) -> list[Value]:
    """Clock times in the sentence; `number` holds minutes after midnight, so "almost midnight" meets "11:36 p.m."."""
    return [Value(m.group().strip(), m.group().strip().lower().replace(" ", ""), s.start + m.start(), s.start + m.end(),
                  number=_minutes(m.group().strip()))
            for m in _CLOCK.finditer(s.quote)]


def _counts(question: Question, after: str) -> bool:
    """Whether a number counts the question's noun: the same word form within the next four words.

    "three torpedo boats" does not count torpedoes: the singular modifies another noun; when the
    question has no noun ("how many were killed"), any number will do.
    """
    if not question.counted:
        return True
    return question.counted in [w.lower() for w in _WORD.findall(after)[:4]]


def numbers(question: Question, s: Sentence, notes: dict[str, list], lex: Lexicon) -> list[Value]:
    """Counts in the sentence, in digits or words, outside its dates and not given by the question."""
    dated = [(x.start, x.end) for x in notes["timexes"] if _inside(x, s)]
    out = []
    for m in _NUMBER.finditer(s.quote):
        a, b = s.start + m.start(), s.start + m.end()
        digits = m.group().replace(",", "")
        if any(x <= a and b <= y for x, y in dated) or digits in question.numbers:
            continue
        if re.fullmatch(r"1[0-9]{3}|20[0-9]{2}", digits):
            continue  # a year, even one the date annotator missed
        if _counts(question, s.quote[m.end():]):
            out.append(Value(m.group(), str(float(digits)), a, b, number=float(digits)))
    compound = re.compile(r"\b(\w+)-(\w+)\b")
    taken = []
    for m in compound.finditer(s.quote):  # "sixty-four"
        tens, units = (lex.numbers.get(w.lower()) for w in m.groups())
        if tens and units and tens >= 20 and units < 10 and _counts(question, s.quote[m.end():]):
            a, b = s.start + m.start(), s.start + m.end()
            out.append(Value(f"{tens + units:g} ({m.group()})", str(tens + units), a, b, number=tens + units))
            taken.append((a, b))
    for m in _WORD.finditer(s.quote):
        word = m.group().lower()
        if any(x <= s.start + m.start() < y for x, y in taken):
            continue
        if word in lex.numbers and word not in question.text.lower().split():
            a, b = s.start + m.start(), s.start + m.end()
            if not any(x <= a and b <= y for x, y in dated) and _counts(question, s.quote[m.end():]):
                out.append(Value(f"{lex.numbers[word]:g} ({m.group()})", str(lex.numbers[word]), a, b, number=lex.numbers[word]))
    return out


def names(question: Question, s: Sentence, notes: dict[str, list], types: tuple[str, ...], lex: Lexicon) -> list[Value]:
    """Entity mentions of `types` in the sentence that the question does not already name."""
    asked = set(question.terms)
    out = []
    for m in notes["mentions"]:
        if not _inside(m, s) or m.type not in types:
            continue
        words = {stem(w, lex) for w in _WORD.findall(m.text)}
        if words & asked:
            continue
        out.append(Value(m.text, f"entity:{m.entity_id}" if m.entity_id is not None else m.text.lower(), m.start, m.end,
                         entity=m.entity_id))
    return out


def after_locative(question: Question, s: Sentence, notes: dict[str, list], lex: Lexicon) -> list[Value]:
    """Names of any type right after a locative preposition ("in Hai Phong"): a place whatever the tagger said."""
    out = []
    for v in names(question, s, notes, ("person", "organization", "other", "military_unit", "place", "state"), lex):
        before = s.quote[: v.start - s.start].lower().split()
        if before and (before[-1] in lex.locative or " ".join(before[-2:]) in lex.locative):
            out.append(v)
    return out


def polarity(question: Question, s: Sentence, lex: Lexicon) -> list[Value]:
    """Yes, or no when a negation word stands in the sentence and the question has none.

    Only a sentence that says the question's rarest content word, or its opposite ("provoked" for
    "unprovoked"), answers a yes/no question; the opposite word flips the answer.
    """
    if s.key == 0:
        return []
    words = [w.lower() for w in _WORD.findall(s.quote)]
    asked_negative = any(w.lower() in lex.negation for w in _WORD.findall(question.text))
    negative = any(w in lex.negation or w.endswith("n't") for w in words)
    said = "no" if (negative != asked_negative) != (s.key < 0) else "yes"
    return [Value(said, said, s.start, s.end)]


def extract(question: Question, s: Sentence, notes: dict[str, list], lex: Lexicon, *, chronicle_dates: bool = False) -> list[Value]:
    """The values of the question's kind in sentence `s`, nearest to the question's words first."""
    kind = question.kind
    if kind == "date":
        found = dates(question, s, notes, chronicle_dates=chronicle_dates)
    elif kind == "time":
        found = clock_times(question, s, notes)
    elif kind == "number":
        found = numbers(question, s, notes, lex)
    elif kind in ("person", "place"):
        found = names(question, s, notes, NAME_TYPES[kind], lex) or (
            names(question, s, notes, NAME_TYPES["actor"], lex) if kind == "person" else after_locative(question, s, notes, lex))
    elif kind == "yesno":
        found = polarity(question, s, lex)
    else:
        return []
    anchors = [a for a, _ in s.matched] or [s.start]
    return sorted(found, key=lambda v: min(abs(v.start - a) for a in anchors))
