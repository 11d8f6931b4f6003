"""Word lists that say *how* a source tells an event: what it calls it, how it judges the outcome,
whom it makes responsible, and which claims state an outcome or a number.

They are general English, not about any corpus: the names a war can be given ("invasion",
"incident", "conflict"), outcome words ("victory", "defeat"), and the verbs and nouns by which
writers attribute initiative ("opened fire", "decided to", "in order to"). The words are data,
`data/framing_words.tsv` (read by `lexicon`, extendable from the build's `knowledge` folder); each
category is one regular expression over the evidence sentence or the trigger, matched
case-insensitively.
"""

from __future__ import annotations

import re

from timeweave.reconcile import lexicon

ACTOR_TYPES = ("person", "state", "organization", "military_unit")

NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(thousand|million|billion)?\s+(?:[a-z]+\s+)?([A-Za-z][A-Za-z-]{2,})")
MONTH_WORDS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
               "nov", "dec"}
NOT_UNITS = MONTH_WORDS | {"and", "the", "of", "to", "in", "on", "at", "for", "was", "were", "is", "are", "had", "has",
                           "with", "by", "from", "that", "this", "a", "an", "or", "as", "p", "pp", "vol", "no"}
SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def match(pattern: re.Pattern, text: str) -> str | None:
    found = pattern.search(text)
    return found.group(0) if found else None


def outcome() -> re.Pattern:
    """A claim about how a conflict ended; a conflict ends once, so such claims must agree on when."""
    return lexicon.framing()["outcome"]["outcome"]


def initiative() -> re.Pattern:
    """Words of sentences that say who started something or why."""
    return lexicon.framing()["initiative"]["initiative"]


def name_of(trigger: str) -> str | None:
    """The naming category of an event trigger ('invasion' -> 'invasion'), or None."""
    for category, pattern in lexicon.framing()["name"].items():
        if pattern.search(trigger):
            return category
    return None


def evaluation_of(sentence: str) -> tuple[str, str] | None:
    """(category, word) when the sentence judges an outcome as a victory or a defeat."""
    for category, pattern in lexicon.framing()["evaluation"].items():
        word = match(pattern, sentence)
        if word:
            return category, word
    return None


def same_outcome(mentions: list, corpus) -> bool:
    """Do sentences judging an outcome differently (victory / defeat) tell one outcome from the two sides?

    True when at least two voices name a side their outcome word makes the winner or the loser (claims.extract's
    `outcome_roles`, read from `claims/data/outcomes.tsv`) and no side is one voice's winner and another's loser:
    "Y was defeated by X" and "X won, securing victory" are the same outcome, not a framing difference. A
    sentence naming no side ("the victory at the river") is whose victory nobody can say: it neither makes nor
    breaks the difference."""
    from timeweave.claims.extract import outcome_roles  # claims reads reconcile's stores: imported when used

    roles = []
    for m in mentions:
        told = outcome_roles(m, corpus)
        if told is not None:
            roles.append((m.voice, told[1], told[2]))
    if len({voice for voice, _, _ in roles}) < 2:
        return False
    return not any(a[0] != b[0] and (a[1] & b[2] or a[2] & b[1]) for a in roles for b in roles)


def numbers(sentence: str) -> list[tuple[str, float, str]]:
    """(unit, value, text) for quantities in a sentence, leaving years and days of months aside."""
    found = []
    for m in NUMBER.finditer(sentence):
        raw, scale, unit = m.group(1), m.group(2), m.group(3).lower()
        if unit in NOT_UNITS or unit.rstrip("s") in NOT_UNITS:
            continue
        before = sentence[max(0, m.start() - 12):m.start()].lower()
        if any(month in before.split()[-1:] for month in MONTH_WORDS):
            continue
        value = float(raw.replace(",", ""))
        if scale is None and "," not in raw and 1000 <= value <= 2100 and value == int(value):
            continue  # a year
        value *= SCALE.get(scale or "", 1.0)
        found.append((unit[:-1] if unit.endswith("s") and len(unit) > 3 else unit, value, m.group(0)))
    return found
