"""Which year a yearless month, quarter or holiday of news falls in, read against the document date.

"March" in a report dated October 1989: the verb's tense decides the side when it can (past
"fell in March" is March 1989, future "will open in March" March 1990); else a month named in
the same sentence ("a high in June from $29.75 in March") keeps it in the same stretch of time;
else the nearest March. A holiday follows "last"/"next", then the tense, then the nearest one.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from timeweave.annotate.timex.calendar import valid_day
from timeweave.annotate.timex.normalise import holiday_date
from timeweave.annotate.timex.raw import Raw

if TYPE_CHECKING:
    from timeweave.annotate.timex.resolve import Discourse

_WEEKDAY_NAMES = ("", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def dct_year_for(discourse: Discourse, raw: Raw) -> tuple[int, str]:
    """The year of a yearless month or quarter read against the document date."""
    y, dm, dd = discourse.dct.year, discourse.dct.month, discourse.dct.day or 15
    why = f"the document date {discourse.dct_text}"
    if dm is None:
        return y, f"the year of {why}"
    future = raw.tense == "future"
    if raw.gran == "quarter":
        q, dq = int(raw.sub), (dm - 1) // 3 + 1
        if raw.direction < 0:
            return (y if q < dq else y - 1), f"the last such quarter before {why}"
        if raw.direction > 0 or (future and q > dq):
            return (y if q > dq else y + 1), f"the next such quarter after {why}"
        return (y if q <= dq else y - 1), f"the latest such quarter begun by {why}"
    if raw.rule == "holiday" and dm:
        return holiday_year(discourse, raw, why)
    if not raw.month or raw.note == "this":
        return y, f"the year of {why}"
    if raw.day and raw.weekday:
        fits = [year for year in (y, y - 1, y + 1)
                if valid_day(year, raw.month, raw.day) and dt.date(year, raw.month, raw.day).isoweekday() == raw.weekday]
        if fits:
            return fits[0], f"the year near {why} in which that day is a {_WEEKDAY_NAMES[raw.weekday]}"
    target, now = (raw.month, raw.day or 0), (dm, dd if raw.day else 0)
    if raw.direction < 0:
        return (y if target < now else y - 1), f"the last one before {why}"
    if raw.direction > 0:
        return (y if target > now else y + 1), f"the next one after {why}"
    if future:
        return (y + 1, f"the next one after {why} (the sentence speaks of the future)") if target < now else (
            y, f"the next one after {why} (the sentence speaks of the future)")
    if raw.tense == "past":
        return (y - 1, f"the last one before {why} (the sentence speaks of the past)") if target > now else (
            y, f"the last one before {why} (the sentence speaks of the past)")
    last = discourse.last("month")
    if last is not None and last.sentence is not None and last.sentence == discourse.sentence \
            and last.when.month and abs(last.when.year - y) <= 1:
        # "rose to a high in June from $29.75 in March": a sentence keeps to one stretch of time
        delta, ly = raw.month - last.when.month, last.when.year
        year = ly - 1 if delta >= 6 else ly + 1 if delta < -6 else ly
        return year, f"the nearest one to {last.cite()}, in the same sentence"
    delta = raw.month - dm
    if delta >= 6:
        return y - 1, f"the nearest one to {why}"
    if delta < -6:
        return y + 1, f"the nearest one to {why}"
    return y, f"the year of {why}"


def holiday_year(discourse: Discourse, raw: Raw, why: str) -> tuple[int, str]:
    """'last Thanksgiving', 'Christmas' in a January report: the one before, after or nearest."""
    now = dt.date(discourse.dct.year, discourse.dct.month, discourse.dct.day or 15)
    days = {}
    for year in (discourse.dct.year - 1, discourse.dct.year, discourse.dct.year + 1):
        when = holiday_date(str(raw.sub), year)
        if when is not None and when.month:
            days[year] = (dt.date(year, when.month, when.day) - now).days
    if not days:
        return discourse.dct.year, f"the year of {why}"
    side = raw.direction or {"past": -1, "future": 1}.get(raw.tense or "", 0)
    if side < 0:
        year = max((y for y, d in days.items() if d < 0), default=discourse.dct.year)
        return year, f"the last one before {why}"
    if side > 0:
        year = min((y for y, d in days.items() if d > 0), default=discourse.dct.year)
        return year, f"the next one after {why}"
    year = min(days, key=lambda y: (abs(days[y]), y))
    return year, f"the nearest one to {why}"
