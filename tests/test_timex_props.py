"""Property tests: intervals are ordered, EDTF always parses, a modified date lies inside its base."""

from __future__ import annotations

from edtf import parse_edtf
from hypothesis import given, settings
from hypothesis import strategies as st

from timeweave.annotate.timex import find_timexes
from timeweave.annotate.timex.calendar import PARTS, When, interval, month_days
from timeweave.annotate.timex.lexicon import MONTH_NAMES

years = st.integers(min_value=1000, max_value=2099)
months = st.integers(min_value=1, max_value=12)
mods = st.sampled_from(["early", "mid", "late", "the end of", "the beginning of", "the middle of", "around", ""])
SEASONS = ["spring", "summer", "autumn", "winter", "fall"]


def _day(iso: str) -> tuple[int, int, int]:
    """'-0330-01-01' -> (-330, 1, 1): ISO strings of BCE years do not sort as text."""
    sign = -1 if iso.startswith("-") else 1
    y, m, d = iso.lstrip("-").split("-")
    return sign * int(y), int(m), int(d)


def _check(timex):
    if timex.earliest and timex.latest:
        assert _day(timex.earliest) <= _day(timex.latest), timex
    if timex.edtf:
        parsed = parse_edtf(timex.edtf)
        assert parsed.lower_strict() <= parsed.upper_strict()


@settings(max_examples=60, deadline=None)
@given(years, months, st.integers(min_value=1, max_value=31), mods, st.booleans(), st.sampled_from(["", "2024-05-11", "1998-01-08"]))
def test_generated_dates_are_ordered_and_parse(year, month, day, mod, dmy, dct):
    name = MONTH_NAMES[month]
    texts = [f"{mod} {name} {year}", f"{mod} {year}", f"{day} {name} {year}" if dmy else f"{name} {day}, {year}",
             f"{mod} {name}", f"the {mod} {year // 10 * 10}s", f"In {year} it began; {mod} {name} it ended."]
    for text in texts:
        found = find_timexes(text.strip(), dct=dct or None)
        # every one of these names a date: finding nothing is a failure, not a vacuous pass. Only a bare
        # "March"/"May" is no date on its own (a verb, a modal: accepted after a preposition)
        if text.strip() not in ("March", "May"):
            assert any(t.type == "DATE" for t in found), (text, found)
        for timex in found:
            _check(timex)
    # a month with its year is placed, with an interval inside that year
    (placed,) = [t for t in find_timexes(f"{name} {year}") if t.type == "DATE"]
    assert placed.earliest.startswith(f"{year:04d}-") and placed.latest.startswith(f"{year:04d}-"), placed


@settings(max_examples=40, deadline=None)
@given(years, st.sampled_from(SEASONS), st.sampled_from(["that", "the following", "the previous", "the same", ""]))
def test_relative_seasons_parse(year, season, det):
    found = find_timexes(f"They met in {year}. {det} {season} they signed.".replace("  ", " "))
    seasons = [t for t in found if season in t.text.lower()]
    assert found and found[0].value == str(year), found  # the year that anchors the season is found
    if det:  # "that spring", "the following autumn" (a bare lower-case season opening a sentence is not asked for)
        assert seasons and seasons[0].earliest and seasons[0].latest, found
    for timex in found:
        _check(timex)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789 -–‒/.,'ADBCEadmy") + ["May ", "the ", "late ", "1939", "century ", "s "]),
                max_size=40).map("".join))
def test_noise_never_breaks_the_invariants(text):
    for timex in find_timexes(text):
        _check(timex)
        assert text[timex.start:timex.end] == timex.text


GRANS = st.sampled_from(["century", "decade", "year", "half", "quarter", "season", "month", "day"])


@settings(max_examples=200, deadline=None)
@given(GRANS, st.integers(min_value=-2000, max_value=2099), months, st.integers(min_value=1, max_value=31),
       st.sampled_from(sorted(PARTS)))
def test_a_modified_date_lies_within_its_base(gran, year, month, day, mod):
    when = When(gran, year, month if gran in ("month", "day") else None,
                min(day, month_days(year, month)) if gran == "day" else None,
                sub={"half": 1 + day % 2, "quarter": 1 + day % 4, "season": ["SP", "SU", "FA", "WI"][day % 4]}.get(gran))
    base_lo, base_hi, base_edtf = interval(when)
    lo, hi, edtf = interval(when, mod)
    assert _day(base_lo) <= _day(lo) <= _day(hi) <= _day(base_hi), (when, mod, lo, hi)
    if 0 <= year <= 9999:
        parse_edtf(base_edtf)
        parse_edtf(edtf)


def test_late_august_1939_within_august_1939():
    late = find_timexes("late August 1939")[0]
    august = find_timexes("August 1939")[0]
    assert august.earliest <= late.earliest <= late.latest <= august.latest
