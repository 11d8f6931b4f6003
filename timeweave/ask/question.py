"""What a question asks: the kind of value wanted, the words to look for, the dates it already gives.

The kind decides how a value is read from a sentence (a date interval, a number, names, a yes or a
no, or the sentence itself); the dates a question gives ("on 4 August 1964") are context, never the
answer, so they are kept apart from the values a sentence offers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from timeweave.ask.lexicon import Lexicon, stem

_WORD = re.compile(r"\w+(?:['’]\w+)?", re.UNICODE)
MAX_CHARS = 1000  # a question longer than this is cut: retrieval reads its first words only


@dataclass
class Question:
    text: str
    kind: str  # date | time | place | person | number | cause | yesno | list | other
    terms: list[str]  # stems of the content words, in order, without repeats
    names: list[str] = field(default_factory=list)  # stems of capitalised words past the first (anchors)
    acronyms: dict[str, str] = field(default_factory=dict)  # stem -> the all-capital word as asked ("nsa" -> "NSA")
    numbers: set[str] = field(default_factory=set)  # digits the question gives (not an answer)
    years: set[str] = field(default_factory=set)
    months: set[int] = field(default_factory=set)
    granularity: str | None = None  # "day" when the question asks "which day"
    focus: list[str] = field(default_factory=list)  # stems of the lower-case content words: what is said of the names
    counted: str | None = None  # the noun a "how many" question counts, as written ("torpedoes")
    compounds: dict[str, tuple[str, str]] = field(default_factory=dict)  # "codenam" -> ("code", "nam"): "code name" written as one word
    scope: list[tuple[str, str]] = field(default_factory=list)  # "in January 1971" in the first part: answers lie inside
    context: set[str] = field(default_factory=set)  # terms that only set the scene (the question's digits)


def _kind(words: list[str], lex: Lexicon) -> str:
    """The first opening phrase of the lexicon found at a clause start (longest phrase first)."""
    lowered = [w.lower() for w in words]
    for start in range(min(len(lowered), 6)):
        for size in (3, 2, 1):
            phrase = " ".join(lowered[start:start + size])
            if phrase in lex.kinds:
                kind = lex.kinds[phrase]
                if kind in ("yesno", "list") and start > 0:
                    continue  # "did" inside "when did ..." is not a yes/no question
                return kind
        if lowered[start] in ("what", "which"):
            for noun in lowered[start + 1:start + 4]:  # "which two senators", "which US pilot"
                if f"which {noun}" in lex.kinds:
                    return lex.kinds[f"which {noun}"]
            return "other"
    return "other"


def analyse(text: str, lex: Lexicon) -> Question:
    """Read `text` as a question (whitespace squeezed, cut at MAX_CHARS)."""
    text = " ".join(text.split())[:MAX_CHARS]
    words = _WORD.findall(text)
    kind = _kind(words, lex)
    first = _first_part(text, lex)
    terms: list[str] = []
    names: list[str] = []
    numbers, years, months = set(), set(), set()
    granularity = None
    focus: list[str] = []
    scope: list[tuple[str, str]] = []
    acronyms: dict[str, str] = {}
    for i, word in enumerate(words):
        lower = word.lower()
        if lower in lex.granularity and kind == "date" and granularity is None:
            granularity = lex.granularity[lower]
        if lower in lex.months:
            months.add(lex.months[lower])
            if i < first and i + 1 < len(words) and re.fullmatch(r"\d{4}", words[i + 1]) and i > 0 and words[i - 1].lower() in lex.scope:
                scope.append((f"{words[i + 1]}-{lex.months[lower]:02d}-01", f"{words[i + 1]}-{lex.months[lower]:02d}-31"))
            continue
        if word.isdigit():
            if i < first and len(word) == 4 and i > 0 and words[i - 1].lower() in lex.scope:
                scope.append((f"{word}-01-01", f"{word}-12-31"))
            numbers.add(word)
            if len(word) == 4:
                years.add(word)
            continue
        if lower in lex.stop or len(lower) < 2:
            continue
        s = stem(lower, lex)
        if s not in terms:
            terms.append(s)
        if i > 0 and word[:1].isupper():
            if s not in names and not _after_voice(words, i, lex):
                names.append(s)
                if 2 <= len(word) <= 6 and word.isalpha() and word.isupper():
                    acronyms[s] = word
        elif s not in focus and i < first:
            focus.append(s)
    compounds = {}
    for a, b in zip(words, words[1:]):
        if a.isalpha() and b.isalpha() and a.islower() and b.islower() and a not in lex.stop and b not in lex.stop:
            compounds[stem(a + b, lex)] = (stem(a, lex), stem(b, lex))
    return Question(text=text, kind=kind, terms=terms, compounds=compounds, context=set(numbers), scope=scope, acronyms=acronyms, names=names, numbers=numbers, years=years, months=months,
                    granularity=granularity, focus=focus, counted=_counted(words, lex) if kind == "number" else None)


def _after_voice(words: list[str], i: int, lex: Lexicon) -> bool:
    """Whether words[i] names the source asked about ("according to Wikipedia"), not the subject."""
    for back in range(1, 4):
        if i - back - 1 >= 0 and f"{words[i - back - 1]} {words[i - back]}".lower() in lex.voice:
            return all(w[:1].isupper() for w in words[i - back + 1:i + 1])
    return False


def parts(text: str, lex: Lexicon) -> list[str]:
    """The question's parts: "When did X meet Y, and what did Y answer?" asks two things, and a sentence
    answering the first need not say the second. "When and where did ..." is one part."""
    openings = "|".join(re.escape(k) for k in sorted(lex.kinds, key=len, reverse=True) if " " not in k and k.isalpha()
                        and lex.kinds[k] not in ("yesno", "list"))
    pieces = re.split(r",?\s+and\s+(?=(?:\w+\s+){0,2}?(?:%s)\b)" % openings, text, maxsplit=1, flags=re.I)
    if len(pieces) > 1 and len(_WORD.findall(pieces[0])) >= 3 and _WORD.findall(pieces[1]):
        return [pieces[0], pieces[1].rstrip("?").strip()]
    return [text]


def _first_part(text: str, lex: Lexicon) -> int:
    """How many words the question's first part has (all of them when it has one part)."""
    pieces = parts(text, lex)
    return len(_WORD.findall(pieces[0])) if len(pieces) > 1 else 10**6


def follow_up(question: Question, lex: Lexicon) -> Question | None:
    """The second part of a two-part question, asked on its own with the first part's names as context."""
    pieces = parts(question.text, lex)
    if len(pieces) < 2:
        return None
    second = analyse(pieces[1], lex)
    extra = [term for term in question.names if term not in second.terms]  # who or what it is about, at half weight
    second.terms = second.terms + extra
    second.context = second.context | set(extra)
    second.names = list(dict.fromkeys(second.names + question.names))
    return second


def _counted(words: list[str], lex: Lexicon) -> str | None:
    """The noun a "how many" question counts: the last word before the verb ("how many US aircraft were")."""
    lowered = [w.lower() for w in words]
    for i in range(len(lowered) - 1):
        if lex.kinds.get(f"{lowered[i]} {lowered[i + 1]}") == "number":
            noun = None
            for word in words[i + 2:i + 8]:
                if word.lower() in lex.stop:
                    break
                noun = word
            return noun.lower() if noun else None
    return None
