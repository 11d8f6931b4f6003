"""Calendar arithmetic on `When`, a date at some granularity, and its three renderings.

A `When` is what a time expression denotes once its year is known: "August 1939" is
`When("month", 1939, 8)`. From it come the TIMEX3 value ("1939-08"), an explicit interval of ISO
days and an EDTF string. Vague modifiers (early/mid/late, halves, circa) narrow or widen the
interval but never invent precision: "late August 1939" is 21–31 August, not a day.

Years are astronomical (1 BC = 0, 331 BC = -330) so that BCE arithmetic stays linear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from timeweave.annotate.timex.lexicon import SEASON_EDTF, SEASON_MONTHS

# Granularities from coarse to fine; `coarsen` and the resolver rely on this order.
GRANS = ("century", "decade", "year", "half", "quarter", "season", "month", "week", "weekend",
         "day", "time")

# Modifiers that select a part of the base interval, as (numerator_start, numerator_end, denom).
PARTS = {
    "EARLY": (0, 1, 3), "START": (0, 1, 3), "MID": (1, 2, 3), "LATE": (2, 3, 3), "END": (2, 3, 3),
    "FIRST_HALF": (0, 1, 2), "SECOND_HALF": (1, 2, 2),
}


@dataclass(frozen=True)
class When:
    """A calendar position at a granularity; `sub` is the quarter, half, season code or ISO week."""

    gran: str
    year: int
    month: int | None = None
    day: int | None = None
    sub: int | str | None = None
    hour: int | None = None
    minute: int | None = None
    tod: str | None = None  # MO AF EV NI


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def valid_day(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= month_days(year, month)


def _y(year: int) -> str:
    return f"{year:04d}" if year >= 0 else f"-{-year:04d}"


def iso_day(year: int, month: int, day: int) -> str:
    return f"{_y(year)}-{month:02d}-{day:02d}"


def _to_date(when: When) -> dt.date | None:
    if not 1 <= when.year <= 9998 or when.month is None or when.day is None:
        return None
    return dt.date(when.year, when.month, when.day)


def from_date(date: dt.date, gran: str = "day") -> When:
    return When(gran, date.year, date.month, date.day)


def timex_value(when: When) -> str:
    """The TIMEX3 value string: 1939, 1939-08, 1939-08-21, 1939-Q3, 1939-SU, 193, 19, BC0331 ..."""
    g = when.gran
    if when.year <= 0:
        head = f"BC{1 - when.year:04d}"
        if g == "century":
            return f"BC{(1 - when.year) // 100:02d}"
        return head
    if g == "century":
        return f"{when.year // 100:02d}"
    if g == "decade":
        return f"{when.year // 10:03d}"
    y = _y(when.year)
    if g == "year":
        return y
    if g == "half":
        return f"{y}-H{when.sub}"
    if g == "quarter":
        return f"{y}-Q{when.sub}"
    if g == "season":
        return f"{y}-{when.sub}"
    if g == "month":
        return f"{y}-{when.month:02d}"
    if g in ("week", "weekend"):
        return f"{y}-W{when.sub:02d}" + ("-WE" if g == "weekend" else "")
    day = f"{y}-{when.month:02d}-{when.day:02d}"
    if g == "day":
        return day
    if when.hour is not None:
        return f"{day}T{when.hour:02d}:{when.minute or 0:02d}"
    return f"{day}T{when.tod or 'XX'}"


def _month_span(year: int, m0: int, m1: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Months m0..m1 of `year`, where m1 may run past 12 into the next year (winter)."""
    y1, mm1 = (year + 1, m1 - 12) if m1 > 12 else (year, m1)
    return (year, m0), (y1, mm1)


def base_interval(when: When) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """First and last day (y, m, d) the position covers."""
    g, y = when.gran, when.year
    if g == "century":
        first = y if y < 0 else (y // 100) * 100  # a BC century is stored by its exact first year
        return (first, 1, 1), (first + 99, 12, 31)
    if g == "decade":
        first = (y // 10) * 10
        return (first, 1, 1), (first + 9, 12, 31)
    if g == "year":
        return (y, 1, 1), (y, 12, 31)
    if g in ("half", "quarter", "season"):
        if g == "half":
            m0, m1 = (1, 6) if when.sub == 1 else (7, 12)
        elif g == "quarter":
            m0, m1 = 3 * int(when.sub) - 2, 3 * int(when.sub)
        else:
            m0, m1 = SEASON_MONTHS[str(when.sub)]
        (ya, ma), (yb, mb) = _month_span(y, m0, m1)
        return (ya, ma, 1), (yb, mb, month_days(yb, mb))
    if g == "month":
        return (y, when.month, 1), (y, when.month, month_days(y, when.month))
    if g in ("week", "weekend"):
        monday = dt.date.fromisocalendar(y, int(when.sub), 6 if g == "weekend" else 1)
        last = monday + dt.timedelta(days=1 if g == "weekend" else 6)
        return (monday.year, monday.month, monday.day), (last.year, last.month, last.day)
    return (y, when.month, when.day), (y, when.month, when.day)


def _ordinal(ymd: tuple[int, int, int]) -> int:
    """Days since a fixed epoch for any astronomical year (proleptic Gregorian)."""
    y, m, d = ymd
    a = (14 - m) // 12
    yy, mm = y + 4800 - a, m + 12 * a - 3
    return d + (153 * mm + 2) // 5 + 365 * yy + yy // 4 - yy // 100 + yy // 400 - 32045


def _from_ordinal(n: int) -> tuple[int, int, int]:
    a = n + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    day = e - (153 * m + 2) // 5 + 1
    month = m + 3 - 12 * (m // 10)
    year = 100 * b + d - 4800 + m // 10
    return year, month, day


def interval(when: When, mod: str | None = None) -> tuple[str, str, str]:
    """(earliest, latest, edtf) for `when` under a modifier; the part always lies inside the base."""
    lo, hi = base_interval(when)
    g = when.gran
    if mod in PARTS:
        a, b, n = PARTS[mod]
        if g in ("century", "decade"):
            years = hi[0] - lo[0] + 1  # thirds of years: early 1930s = 1930–1933, late = 1937–1939
            ys, ye = lo[0] + -(-years * a // n), lo[0] + -(-years * b // n) - 1
            return iso_day(ys, 1, 1), iso_day(ye, 12, 31), f"{_y(ys)}/{_y(ye)}"
        if g == "year":
            months = 12 * (hi[0] - lo[0] + 1)
            start_m, end_m = months * a // n, months * b // n - 1
            ys, ms = lo[0] + start_m // 12, start_m % 12 + 1
            ye, me = lo[0] + end_m // 12, end_m % 12 + 1
            lo, hi = (ys, ms, 1), (ye, me, month_days(ye, me))
            if g == "year" or (ms != 1 or me != 12):
                return iso_day(*lo), iso_day(*hi), f"{_y(ys)}-{ms:02d}/{_y(ye)}-{me:02d}"
            return iso_day(*lo), iso_day(*hi), f"{_y(ys)}/{_y(ye)}"
        if g in ("half", "quarter", "season"):
            span = (lo[0] * 12 + lo[1]) , (hi[0] * 12 + hi[1])
            months = span[1] - span[0] + 1
            s = span[0] + months * a // n
            e = span[0] + max(months * b // n - 1, months * a // n)
            ys, ms = (s - 1) // 12, (s - 1) % 12 + 1
            ye, me = (e - 1) // 12, (e - 1) % 12 + 1
            lo, hi = (ys, ms, 1), (ye, me, month_days(ye, me))
            return iso_day(*lo), iso_day(*hi), f"{_y(ys)}-{ms:02d}/{_y(ye)}-{me:02d}"
        o0, o1 = _ordinal(lo), _ordinal(hi)
        days = o1 - o0 + 1
        s, e = o0 + days * a // n, o0 + max(days * b // n - 1, days * a // n)
        lo, hi = _from_ordinal(s), _from_ordinal(e)
        if lo == hi:
            return iso_day(*lo), iso_day(*hi), iso_day(*lo)
        return iso_day(*lo), iso_day(*hi), f"{iso_day(*lo)}/{iso_day(*hi)}"
    edtf = edtf_of(when)
    if mod == "APPROX":
        lo, hi = _widen(when, lo, hi)
        edtf = _approx(edtf)
    return iso_day(*lo), iso_day(*hi), edtf


def _widen(when: When, lo, hi):
    """'around 1936' covers 1935–1937: one unit either side, because circa is not exact."""
    if when.gran in ("century", "decade", "year", "half", "quarter", "season"):
        step = {"century": 10, "decade": 2, "year": 1}.get(when.gran, 0)
        if step:
            return (lo[0] - step, 1, 1), (hi[0] + step, 12, 31)
        return lo, hi
    days = {"month": 15, "week": 3, "weekend": 2}.get(when.gran, 1)
    return _from_ordinal(_ordinal(lo) - days), _from_ordinal(_ordinal(hi) + days)


def _approx(edtf: str) -> str:
    if "/" in edtf:
        a, b = edtf.split("/")
        return f"{a}~/{b}~"
    if "X" in edtf:
        return edtf  # EDTF forbids '~' on unspecified digits; the interval carries the width.
    return edtf + "~"


def edtf_of(when: When) -> str:
    """The EDTF string for an unmodified position (only forms the `edtf` library parses)."""
    g, y = when.gran, when.year
    lo, hi = base_interval(when)
    if y <= 0 or y > 9999:
        if g in ("century", "decade"):
            return f"{_y(lo[0])}/{_y(hi[0])}"
        if g == "year":
            return _y(y)
    if g == "century":
        return f"{y // 100:02d}XX" if y >= 0 else f"{_y(lo[0])}/{_y(hi[0])}"
    if g == "decade":
        return f"{y // 10:03d}X"
    if g == "year":
        return _y(y)
    if g == "season":
        return f"{_y(y)}-{SEASON_EDTF[str(when.sub)]}"
    if g in ("half", "quarter"):
        return f"{_y(lo[0])}-{lo[1]:02d}/{_y(hi[0])}-{hi[1]:02d}"
    if g == "month":
        return f"{_y(y)}-{when.month:02d}"
    if g in ("week", "weekend"):
        return f"{iso_day(*lo)}/{iso_day(*hi)}"
    return iso_day(y, when.month, when.day)


def shift(when: When, n: int) -> When | None:
    """Move `n` units of the position's own granularity; None where the calendar runs out."""
    g = when.gran
    if n == 0:
        return when
    if g in ("century", "decade", "year"):
        step = {"century": 100, "decade": 10, "year": 1}[g]
        return replace(when, year=when.year + n * step)
    if g in ("half", "quarter"):
        per = 2 if g == "half" else 4
        idx = when.year * per + int(when.sub) - 1 + n
        return replace(when, year=idx // per, sub=idx % per + 1)
    if g == "season":
        order = ["SP", "SU", "FA", "WI"]  # winter belongs to the year it starts in (December)
        idx = when.year * 4 + order.index(str(when.sub)) + n
        return replace(when, year=idx // 4, sub=order[idx % 4])
    if g == "month":
        idx = when.year * 12 + when.month - 1 + n
        y, m = idx // 12, idx % 12 + 1
        return replace(when, year=y, month=m, day=None)
    if g in ("week", "weekend"):
        if not 2 <= when.year <= 9998:
            return None
        monday = dt.date.fromisocalendar(when.year, int(when.sub), 1) + dt.timedelta(weeks=n)
        iy, iw, _ = monday.isocalendar()
        return replace(when, year=iy, sub=iw)
    date = _to_date(when)
    if date is None:
        return None
    try:
        new = date + dt.timedelta(days=n)
    except OverflowError:
        return None
    return replace(when, year=new.year, month=new.month, day=new.day)


def coarsen(when: When, gran: str) -> When | None:
    """The position at a coarser granularity ('1939-08-21' -> year 1939); None if not coarser."""
    if GRANS.index(gran) > GRANS.index(when.gran) and not (when.gran in ("week", "weekend") and gran == "day"):
        return None
    if gran == when.gran:
        return when
    lo, _ = base_interval(when)
    y, m, d = lo
    if when.gran in ("week", "weekend"):
        y = when.year
    if gran in ("century", "decade", "year"):
        return When(gran, y)
    if gran == "half":
        return When("half", y, sub=1 if m <= 6 else 2)
    if gran == "quarter":
        return When("quarter", y, sub=(m - 1) // 3 + 1)
    if gran == "season":
        code = {12: "WI", 1: "WI", 2: "WI", 3: "SP", 4: "SP", 5: "SP", 6: "SU", 7: "SU", 8: "SU"}.get(m, "FA")
        return When("season", y - 1 if m < 3 else y, sub=code)
    if gran == "month":
        return When("month", y, m)
    if gran in ("week", "weekend") and 1 <= y <= 9998:
        iy, iw, _ = dt.date(y, m, d).isocalendar()
        return When(gran, iy, sub=iw)
    if gran == "day":
        return When("day", y, m, d)
    return None


def weekday_near(anchor: When, weekday: int, direction: int, *, inclusive: bool = True) -> When | None:
    """The `weekday` (1 = Monday) on or before (direction -1) or after (+1) the anchor day."""
    date = _to_date(anchor)
    if date is None:
        return None
    delta = (weekday - date.isoweekday()) % 7
    if direction < 0:
        delta = -((date.isoweekday() - weekday) % 7)
    if delta == 0 and not inclusive:
        delta = 7 * direction
    return from_date(date + dt.timedelta(days=delta))
