"""Dates in words, for the reasons shown to users: 'August 1939', '21 August 1939', 'the 1930s'."""

from __future__ import annotations

from timeweave.annotate.timex.calendar import When
from timeweave.annotate.timex.lexicon import MONTH_NAMES

SEASON_WORD = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}


def describe(when: When) -> str:
    """A human-readable form for reasons: 'August 1939', '21 August 1939', 'the 1930s'."""
    y = str(when.year) if when.year > 0 else f"{1 - when.year} BC"
    g = when.gran
    if g == "century":
        n = when.year // 100 + 1 if when.year >= 0 else (1 - when.year) // 100
        return f"the {n}{_ordinal_suffix(n)} century" + ("" if when.year >= 0 else " BC")
    if g == "decade":
        return f"the {when.year}s"
    if g == "year":
        return y
    if g == "half":
        return f"the {'first' if when.sub == 1 else 'second'} half of {y}"
    if g == "quarter":
        return f"Q{when.sub} {y}"
    if g == "season":
        return f"{SEASON_WORD[str(when.sub)]} {y}"
    if g == "month":
        return f"{MONTH_NAMES[when.month]} {y}"
    if g in ("week", "weekend"):
        return f"{'the weekend of ' if g == 'weekend' else ''}week {when.sub} of {y}"
    return f"{when.day} {MONTH_NAMES[when.month]} {y}"


def _ordinal_suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
