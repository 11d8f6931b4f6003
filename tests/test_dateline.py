"""A text's own date read off its dateline or the date line under its title (`ingest.datelines`)."""

from __future__ import annotations

import pytest

from timeweave.ingest.metadata import extract_meta
from timeweave.ingest.passages import segment


def issued(text: str) -> str | None:
    return extract_meta(text, segment(text), source_id="t").issued


@pytest.mark.parametrize("text, expected", [
    # wire datelines, with the date in parentheses, after the place, or after the agency
    ("Ferry sinks\n\nDHAKA, Bangladesh (Mar 14, 2013 - 09:12 GMT) -- A ferry capsized on the Meghna river.", "2013-03-14"),
    ("LONDON, 3 March 1921 (Reuters) — The conference on reparations opened in London.", "1921-03-03"),
    ("PARIS (AFP) 12 June 1998 - France beat South Africa three goals to nil.", "1998-06-12"),
    # a line that is only a date, under the headline
    ("Harvest festival in Lagos\n\n| October 3, 2019\n\nThe market opened today with music.", "2019-10-03"),
    ("Letters from Calcutta\nPosted on Jan. 7, 1905\nThe monsoon came late this year.", "1905-01-07"),
    ("The bridge reopens\nTuesday, 2 May 2006 10:15 GMT\nTraffic crossed the river this morning.", "2006-05-02"),
])
def test_the_text_prints_its_date(text, expected):
    assert issued(text) == expected


@pytest.mark.parametrize("text", [
    # a yearless wire dateline gives no year to count "today" from
    "WASHINGTON, Aug. 5 (AP) — The Senate voted today on the canal treaty.",
    # a date inside a sentence is an event's date, not the text's
    "The Treaty of Westphalia\n\nOn 24 October 1648 the envoys signed the peace at Münster.",
    # a date line deep in the body is not the header
    "\n".join(["Chronicle of the siege"] + [f"Paragraph {i} of the account of the siege of the town." for i in range(8)]
              + ["May 29, 1453"]),
])
def test_no_date_is_guessed(text):
    assert issued(text) is None


def test_a_labelled_date_beats_a_date_line():
    text = "Report on the floods\nMarch 2, 1927\nPublished: 10 March 1927\nThe river rose for a week."
    assert issued(text) == "1927-03-10"
