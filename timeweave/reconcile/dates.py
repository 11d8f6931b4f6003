"""Dates as closed day intervals, compared as intervals (never as strings).

A mention dated "November 1934" and one dated "24 November 1934" agree: the second is inside the
first. Two mentions disagree only when their intervals are disjoint by more than the slack their
precision allows (an approximate date, `1932~`, may be off by half its width). A canonical date is
the most specific interval that the largest group of independent voices is consistent with; the
mentions outside that group are kept and reported, never averaged in.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

MONTHS = calendar.month_name


@dataclass(frozen=True)
class Interval:
    """Days `earliest..latest` as proleptic ordinals (inclusive), with the source's EDTF when known."""

    earliest: int
    latest: int
    approximate: bool = False
    edtf: str | None = None

    @property
    def width(self) -> int:
        return self.latest - self.earliest + 1

    @property
    def slack(self) -> int:
        """Days an approximate date may be off by; exact dates have none."""
        return max(self.width // 2, 1) if self.approximate else 0

    @property
    def start_iso(self) -> str:
        return date.fromordinal(self.earliest).isoformat()

    @property
    def end_iso(self) -> str:
        return date.fromordinal(self.latest).isoformat()


def parse(earliest: str | None, latest: str | None, edtf: str | None = None) -> Interval | None:
    """The interval of a stored row, or None when it has no usable bounds."""
    if not earliest or not latest:
        return None
    try:
        lo, hi = date.fromisoformat(earliest[:10]).toordinal(), date.fromisoformat(latest[:10]).toordinal()
    except ValueError:
        return None
    if hi < lo:
        lo, hi = hi, lo
    approximate = bool(edtf) and any(mark in edtf for mark in "~?%")
    return Interval(lo, hi, approximate, edtf)


def gap(a: Interval, b: Interval) -> int:
    """Days strictly between the two intervals (0 when they touch or overlap)."""
    if a.latest < b.earliest:
        return b.earliest - a.latest - 1
    if b.latest < a.earliest:
        return a.earliest - b.latest - 1
    return 0


def overlaps(a: Interval, b: Interval) -> bool:
    return a.earliest <= b.latest and b.earliest <= a.latest


def compatible(a: Interval, b: Interval) -> bool:
    """Could both be right? Overlapping, or apart by no more than their precision allows.

    Two exact dates must share a day: 4 and 5 August are two days, and "touching" is no agreement
    (were it one, a chain 2 ~ 3 ~ 4 August would make one event of two occasions days apart).
    """
    if overlaps(a, b):
        return True
    slack = a.slack + b.slack
    return slack > 0 and gap(a, b) <= slack


def contradicts(a: Interval, b: Interval) -> bool:
    """Disjoint beyond their precision: at most one of the two dates can be right."""
    return not compatible(a, b)


def contains(outer: Interval, inner: Interval) -> bool:
    return outer.earliest <= inner.earliest and inner.latest <= outer.latest


def intersect(intervals: Iterable[Interval]) -> Interval | None:
    """The common part of compatible intervals (slack allowed), or None when they conflict."""
    items = list(intervals)
    if not items:
        return None
    lo = max(i.earliest for i in items)
    hi = min(i.latest for i in items)
    if lo <= hi:
        narrowest = min(items, key=lambda i: i.width)
        edtf = narrowest.edtf if (narrowest.earliest, narrowest.latest) == (lo, hi) else None
        return Interval(lo, hi, all(i.approximate for i in items), edtf)
    if all(compatible(a, b) for a in items for b in items):
        # Approximate dates that touch within their slack: the narrowest is the most specific.
        return min(items, key=lambda i: (i.width, i.earliest))
    return None


def consensus(dated: Sequence[tuple[Interval, str]]) -> tuple[Interval | None, list[int]]:
    """The most specific interval supported by the most voices, and which items support it.

    `dated` holds (interval, voice). Intervals on a line that share a common point form a consistent
    group (Helly's theorem in one dimension), so it is enough to try each interval's start (widened by
    its slack) as the common point. Groups are ranked by distinct voices, then by mentions, then by
    how specific their intersection is, then by date, so the result does not depend on input order.
    """
    if not dated:
        return None, []
    best: tuple | None = None
    points = sorted({iv.earliest for iv, _ in dated} | {iv.latest for iv, _ in dated})
    for point in points:
        members = [k for k, (iv, _) in enumerate(dated) if iv.earliest - iv.slack <= point <= iv.latest + iv.slack]
        merged = intersect(dated[k][0] for k in members)
        if merged is None:
            continue
        rank = (-len({dated[k][1] for k in members}), -len(members), merged.width, merged.earliest)
        if best is None or rank < best[0]:
            best = (rank, merged, members)
    if best is None:
        return None, []
    return best[1], best[2]


def to_edtf(iv: Interval) -> str:
    """EDTF for an interval: a day, a month or a year when it is exactly that, else `a/b`."""
    if iv.edtf and iv.edtf.strip():
        return iv.edtf
    lo, hi = date.fromordinal(iv.earliest), date.fromordinal(iv.latest)
    if lo == hi:
        return lo.isoformat()
    if lo.day == 1 and lo.year == hi.year and lo.month == hi.month and hi.day == calendar.monthrange(hi.year, hi.month)[1]:
        return f"{lo.year:04d}-{lo.month:02d}"
    if (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31):
        return f"{lo.year:04d}" if lo.year == hi.year else f"{lo.year:04d}/{hi.year:04d}"
    return f"{lo.isoformat()}/{hi.isoformat()}"


def describe(iv: Interval) -> str:
    """A date as a historian writes it: '24 November 1934', 'November 1934', '1936', '21–31 August 1939'."""
    lo, hi = date.fromordinal(iv.earliest), date.fromordinal(iv.latest)
    about = "about " if iv.approximate else ""
    if lo == hi:
        return f"{about}{lo.day} {MONTHS[lo.month]} {lo.year}"
    full_month = lo.day == 1 and hi.day == calendar.monthrange(hi.year, hi.month)[1]
    if full_month and (lo.year, lo.month) == (hi.year, hi.month):
        return f"{about}{MONTHS[lo.month]} {lo.year}"
    if (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31):
        return f"{about}{lo.year}" if lo.year == hi.year else f"{about}{lo.year}–{hi.year}"
    if (lo.year, lo.month) == (hi.year, hi.month):
        return f"{about}{lo.day}–{hi.day} {MONTHS[lo.month]} {lo.year}"
    if full_month and lo.year == hi.year:
        return f"{about}{MONTHS[lo.month]}–{MONTHS[hi.month]} {lo.year}"
    return f"{about}{lo.isoformat()} to {hi.isoformat()}"


def tier(iv: Interval | None) -> int:
    """Precision tier used to merge finest-first: day, week, month, season/year, longer; undated last."""
    if iv is None:
        return 5
    for level, limit in enumerate((1, 11, 31, 366)):
        if iv.width <= limit:
            return level
    return 4
