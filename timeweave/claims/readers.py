"""The claim-kind readers: what one sentence says of an event's outcome, its initiator, the entities a stance or
distinction is said of, its time of day and its counts. Each reads a sentence (and the mention's named entities);
`extract.claims_of` turns what they find into claims.
"""

from __future__ import annotations

import functools
import re

from timeweave.claims.vocab import Vocabulary, vocabulary
from timeweave.reconcile.load import Corpus, Mention


ACTORS = ("person", "state", "organization", "military_unit")
# Hours either side of a clock time within which two voices' clocks agree: reports of one moment differ by minutes
# (a watch, a log, a rounded "about"). Not a setting: it is the precision of a clock time as prose gives it.
CLOCK_SLACK = 0.25
BOUND = re.compile(r"\b(?:by|since|until|till|from)\s+(?:the\s+)?$", re.I)
CLOCK = re.compile(r"(?<![\w:.])(\d{1,2})(?:[:.](\d{2}))?\s*(a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b)|(?<![\w:.])([01]?\d|2[0-3]):(\d{2})(?![\d:])",
                   re.I)
# Characters between a stance or distinction cue and the names it is said of: the names of its own clause
# ("opposed ... only by Senators A (D-OR) and B", "A becomes the first"); farther, a name belongs to another
# clause. Not settings: they bound the grammar of one clause.
SUBJECT_WINDOW = {"stance": 60, "distinction": 30}


def _sides(m: Mention, at: int, end: int, corpus: Corpus) -> tuple[str | None, str | None]:
    """The subject before a word (the first actor of the sentence before it) and the nearest actor after it.

    The first actor, not the nearest: in "X fended off Y's invasion, securing victory" the victory is X's.
    """
    before = after = None
    for start, stop, text, entity, kind in m.named:
        if kind not in ACTORS:
            continue
        name = corpus.entity_names.get(entity, text) if entity is not None else text
        if stop <= at and before is None:
            before = name
        elif start >= end and after is None:
            after = name
    return before, after


def outcome_roles(m: Mention, corpus: Corpus, vocab: Vocabulary | None = None
                  ) -> tuple[re.Match, frozenset[str], frozenset[str]] | None:
    """(outcome word, winners, losers) of a sentence: the first (most specific) outcome pattern of `outcomes.tsv`
    it holds decides, and the actors named before and after the word take the roles that row gives them, so "Y
    was defeated by X" and "X won against Y" make the same winner. None when no side could be named.

    `reconcile` asks it too, so that its own framing comparison does not call one outcome told from the two
    sides ("defeated" / "securing victory") a difference of framing."""
    vocab = vocab or vocabulary()
    for pattern, before_role, after_role in vocab.outcomes:
        found = _search(pattern, m.sentence)
        if not found:
            continue
        before, after = _sides(m, m.start + found.start(), m.start + found.end(), corpus)
        roles: dict[str, set[str]] = {"winner": set(), "loser": set()}
        for side, role in ((before, before_role), (after, after_role)):
            if side and role in roles:
                roles[role].add(side)
        if roles["winner"] or roles["loser"]:
            return found, frozenset(roles["winner"]), frozenset(roles["loser"])
        return None
    return None


def initiators(m: Mention, found: re.Match, corpus: Corpus) -> tuple[frozenset, str] | None:
    """(agents, names) that an initiative cue ("opened fire", "launched an attack", "decided to invade") makes
    the side that started it: the agents of the mention whose trigger the cue contains. None when the cue does
    not contain this mention's trigger, or the parse gave the trigger no agent (the nearest name before a verb
    is too often a place or the object of another clause to be made responsible)."""
    trigger = m.trigger_start - m.start
    if not found.start() <= trigger < found.end() or not m.agents:
        return None
    return m.agents, ", ".join(sorted(corpus.entity_names.get(e, str(e)) for e in m.agents))


def subjects(m: Mention, found: re.Match, kind: str, corpus: Corpus) -> tuple[frozenset[int], str]:
    """(entities, names) a stance or distinction cue is said of: the persons named within its clause (a few words
    before or after it, no sentence stop between), else, for a stance, the bodies and states so named. A
    distinction ("the first ...") is of the one nearest person: "A becomes the first prisoner",
    "the first pilot B"."""
    window = SUBJECT_WINDOW[kind]
    near = []
    for start, end, text, entity, type_ in m.named:
        if entity is None or type_ not in ACTORS:
            continue
        at, stop = start - m.start, end - m.start
        if stop <= found.start():
            gap, between = found.start() - stop, m.sentence[stop:found.start()]
        elif at >= found.end():
            gap, between = at - found.end(), m.sentence[found.end():at]
        else:
            continue
        if gap <= window and not re.search(r"[;.!?]\s", between):
            near.append((gap, type_, entity))
    persons = [n for n in near if n[1] == "person"]
    chosen = persons or ([] if kind == "distinction" else near)
    if kind == "distinction":
        chosen = sorted(chosen)[:1]
    entities = frozenset(e for _, _, e in chosen)
    return entities, ", ".join(sorted(corpus.entity_names.get(e, str(e)) for e in entities))


@functools.lru_cache(maxsize=1 << 16)
def _search(pattern: re.Pattern, text: str) -> re.Match | None:
    """`pattern.search(text)`, once per sentence: every event mention of a sentence asks the same cues of it."""
    return pattern.search(text)

def time_of_day(text: str, vocab: Vocabulary) -> tuple[float, float, str, int] | None:
    """(first hour, last hour, words, where) of the times of day a sentence names, or None: the span from the
    earliest to the latest of its clock times ("11:36 p.m.", "9 a.m.", "21:40") and time words (`times.tsv`:
    "shortly before midnight", "night"), a word inside a longer one of them not counted again. A clock time
    without a.m. or p.m. before 13:00 says neither and is left out."""
    found: list[tuple[float, float, int, int]] = []
    for each in CLOCK.finditer(text):
        if each.group(4) is not None:  # a 24-hour clock
            hour, minute = int(each.group(4)), int(each.group(5))
            if hour < 13:
                continue
        else:
            hour, minute = int(each.group(1)), int(each.group(2) or 0)
            if not 1 <= hour <= 12 or minute > 59:
                continue
            hour = hour % 12 + (12 if each.group(3).lower().startswith("p") else 0)
        moment = hour + minute / 60
        found.append((moment - CLOCK_SLACK, moment + CLOCK_SLACK, each.start(), each.end()))
    for pattern, start, end in vocab.times:
        for each in pattern.finditer(text):
            if not any(a < each.end() and each.start() < b for _, _, a, b in found):
                found.append((start, end, each.start(), each.end()))
    # "by midnight", "since midmorning", "until noon" bound another act in time; they do not say when this one was
    found = [f for f in found if not BOUND.search(text[max(0, f[2] - 7):f[2]])]
    if not found:
        return None
    found.sort(key=lambda f: f[2])
    said = "; ".join(text[a:b] for _, _, a, b in found[:4])
    return min(f[0] for f in found), max(f[1] for f in found), said, found[0][2]


@functools.lru_cache(maxsize=8)
def _number_pattern(numbers: tuple[tuple[str, float], ...]) -> tuple[dict[str, float], re.Pattern]:
    """The number words (with "sixty-four" compounds) and the pattern finding counts, built once per vocabulary.

    Building them for every sentence was most of the claims stage on a large corpus (a million re.escape calls
    for 255 documents)."""
    table = dict(numbers)
    tens = [w for w, v in table.items() if 20 <= v <= 90 and v % 10 == 0]
    units = [w for w, v in table.items() if 1 <= v <= 9]
    compounds = {f"{t}-{u}": table[t] + table[u] for t in tens for u in units}  # "sixty-four"
    known = {**table, **compounds}
    words = "|".join(sorted(map(re.escape, known), key=len, reverse=True)) or "(?!)"
    pattern = re.compile(r"(?<![\w.:,/-])(\d{1,3}(?:,\d{3})+|\d+|" + words + r")(?![\w:/]|-\w|[.,]\d)", re.I)
    return known, pattern


def quantities(text: str, vocab: Vocabulary) -> list[tuple[str, float, str]]:
    """(unit, value, words) of the counts in a sentence: a number, at most four words, a plural noun.

    Clock times ("9:52"), years, ordinals and numbers glued to letters are left aside; the unit is the
    counted noun without its plural -s ("boat"), or one of the invariant nouns of `quantities.tsv`.
    """
    known, pattern = _number_pattern(tuple(sorted(vocab.numbers.items())))
    out = []
    for found in pattern.finditer(text):
        raw = found.group(1).lower()
        value = known.get(raw) or float(raw.replace(",", ""))
        if raw.isdigit() and len(raw) == 4 and 1000 <= value <= 2100:
            continue  # a year
        if re.match(r"\s+of\b", text[found.end():], re.I):
            continue  # "one of the islands", "two of his ships": a part of something, not a count
        following = re.match(r"(?:\s+[\w’'-]+){1,5}", text[found.end():])
        for k, word in enumerate((following.group(0).split() if following else [])):
            low = word.lower()
            if low in vocab.numbers or low.isdigit():
                break
            if low in vocab.units or (low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 3
                                      and low.isalpha()):
                noun = (low if low in vocab.units else vocab.plurals.get(low)
                        or (low[:-3] + "y" if low.endswith("ies") else low[:-1]))
                after = text[found.end() + len(following.group(0).split(word, 1)[0]) + len(word):].split()[:1]
                if noun in vocab.durations and after and after[0].strip(",.;").lower() in vocab.relative:
                    break  # "two days later" dates another event; it counts nothing
                out.append((noun, value, found.group(0) + " " + " ".join(following.group(0).split()[:k + 1])))
                break
    return out
