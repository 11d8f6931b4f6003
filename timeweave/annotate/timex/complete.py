"""Completing a partial expression: a month and day given a year, a clock time on a day, X for the unknown.

Used by the narrative resolver once it has decided which year or date an expression belongs to.
"""

from __future__ import annotations

import datetime as dt

from timeweave.annotate.timex.calendar import When, valid_day
from timeweave.annotate.timex.lexicon import MONTH_NAMES
from timeweave.annotate.timex.raw import Raw


def days_apart(a: When, b: When) -> int:
    return abs((dt.date(a.year, a.month, a.day) - dt.date(b.year, b.month, b.day)).days)


def gran_word(gran: str | None) -> str:
    return {None: "date", "weekend": "day"}.get(gran, gran)


def with_clock(raw: Raw, when: When) -> When:
    if raw.type == "TIME" and when.gran == "day":
        return When("time", when.year, when.month, when.day, hour=raw.hour, minute=raw.minute, tod=raw.tod)
    return when


def fill(raw: Raw, year: int) -> tuple[When | None, str]:
    """The partial expression completed with `year`."""
    if raw.rule == "holiday":
        from timeweave.annotate.timex.normalise import holiday_date
        return holiday_date(str(raw.sub), year), ""
    if raw.gran == "quarter":
        return When("quarter", year, sub=raw.sub), ""
    if raw.gran == "season":
        return When("season", year, sub=raw.sub), ""
    if raw.day is not None:
        if not valid_day(year, raw.month, raw.day):
            return When("month", year, raw.month), f"there is no day {raw.day} in {MONTH_NAMES[raw.month]} {year}; kept the month"
        return with_clock(raw, When("day", year, raw.month, raw.day)), ""
    return When("month", year, raw.month), ""


def unresolved_value(raw: Raw) -> str:
    """A TIMEX3 value with the unknown parts as X: 'XXXX-08', 'XXXX-WXX-5', 'XXXX-SU'."""
    if raw.month:
        return f"XXXX-{raw.month:02d}" + (f"-{raw.day:02d}" if raw.day else "")
    if raw.gran == "season":
        return f"XXXX-{raw.sub}"
    if raw.gran == "quarter":
        return f"XXXX-Q{raw.sub or 'X'}"
    if raw.weekday:
        return f"XXXX-WXX-{raw.weekday}"
    return {"day": "XXXX-XX-XX", "month": "XXXX-XX", "week": "XXXX-WXX"}.get(raw.gran or "", "XXXX")
