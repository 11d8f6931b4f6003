"""Signal words before a date: "before 1936", "after the war of 1939", "by late August", "since mid 1932".

TimeML leaves the signal outside the TIMEX3 extent, so the expression is still "1936"; but a
historian's "before 1936" is not 1936, and an event dated by it must not land in 1936 (where it
would merge with what did happen then). So the signal becomes the expression's modifier and,
for strict "before"/"after", the interval opens on one side: "before 1936" is `../1935-12-31`,
known only by its end. "By late August" (ON_OR_BEFORE) and "since mid 1932" (ON_OR_AFTER) keep
their interval, the time by which or from which something held; the reason says which.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from timeweave.annotate.types import Timex

# The words just before the expression (its own determiner or "the end of" is inside it already).
_SIGNALS = [
    (re.compile(r"(?i:\b(?:(?:shortly|just|long|well|sometime|some\stime)\s)?(?:before|prior\sto|earlier\sthan))\s{1,2}$"), "BEFORE"),
    (re.compile(r"(?i:\b(?:(?:shortly|just|long|well|sometime|some\stime|soon)\s)?(?:after|later\sthan))\s{1,2}$"), "AFTER"),
    (re.compile(r"(?i:\b(?:by|no\slater\sthan|not\slater\sthan))\s{1,2}$"), "ON_OR_BEFORE"),
    (re.compile(r"(?i:\b(?:since|ever\ssince|no\searlier\sthan|not\searlier\sthan))\s{1,2}$"), "ON_OR_AFTER"),
]
_WORDS = {"BEFORE": "before", "AFTER": "after", "ON_OR_BEFORE": "on or before", "ON_OR_AFTER": "on or after"}


def signal_before(text: str, start: int) -> str | None:
    """BEFORE | AFTER | ON_OR_BEFORE | ON_OR_AFTER for the signal word just before `start`, else None."""
    before = text[max(0, start - 30):start]
    for regex, signal in _SIGNALS:
        if regex.search(before):
            return signal
    return None


def with_signal(timex: Timex, signal: str) -> Timex:
    """The expression seen through its signal: modifier, reason and, for BEFORE/AFTER, an open interval."""
    if timex.type not in ("DATE", "TIME") or not (timex.earliest and timex.latest):
        return timex
    if signal in ("ON_OR_BEFORE", "ON_OR_AFTER"):
        return replace(timex, modifier=timex.modifier or signal,
                       reason=f"{timex.reason}; the signal makes it {_WORDS[signal]} that time")
    try:
        first, last = dt.date.fromisoformat(timex.earliest), dt.date.fromisoformat(timex.latest)
    except ValueError:  # BCE days ("-0330-01-01") have no datetime.date; keep the base interval
        return replace(timex, modifier=signal, reason=f"{timex.reason}; the signal makes it {_WORDS[signal]} that time")
    if signal == "BEFORE":
        end = (first - dt.timedelta(days=1)).isoformat()
        return replace(timex, modifier=signal, earliest=None, latest=end, edtf=f"../{end}",
                       reason=f"{timex.reason}; 'before' leaves only an end: on or before {end}")
    begin = (last + dt.timedelta(days=1)).isoformat()
    return replace(timex, modifier=signal, earliest=begin, latest=None, edtf=f"{begin}/..",
                   reason=f"{timex.reason}; 'after' leaves only a beginning: on or after {begin}")
