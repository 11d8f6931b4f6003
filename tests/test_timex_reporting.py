"""Financial and news conventions: the reporting period under discussion, vague spans, discourse 'now'."""

from __future__ import annotations

import pytest

from timeweave.annotate.timex import find_timexes


def values(text: str, dct: str = "1989-10-30") -> dict[str, str | None]:
    return {t.text: t.value for t in find_timexes(text, dct=dct)}


def test_reporting_period_is_the_lede_quarter_not_a_passing_one():
    text = ("Kimberly-Clark posted a 20% gain in third-quarter net income. Net rose to $108 million from "
            "$90 million a year ago. After a flat second quarter tied to newsprint, the company gained. "
            "The comparison was enhanced by charges taken in the year-earlier period. In the 1989 period "
            "also, tax rates were lower than a year ago.")
    got = values(text)
    assert got["the year-earlier period"] == "1988-Q3"
    assert got["the 1989 period"] == "1989-Q3"


def test_forecast_quarter_is_not_the_reporting_period():
    text = ("Travelers's third-quarter net income rose 11%. The quake will result in a fourth-quarter charge. "
            "It lost $7 million, compared with earnings of $6 million a year ago.")
    assert values(text)["a year ago"] == "1988-Q3"


def test_quarter_in_the_same_sentence_wins():
    text = ("Delta's earnings soared in the fiscal first quarter. Passenger traffic jumped. "
            "Separately, America West reported third-quarter profit of $5 million, from $4 million a year earlier.")
    assert values(text)["a year earlier"] == "1988-Q3"


def test_comparison_after_nine_months_is_a_year():
    text = ("Net rose in the third quarter. For the nine months, net was $30 million, compared with "
            "$20 million a year earlier.")
    got = values(text)
    assert got["the nine months"] == "P9M"
    assert got["a year earlier"] == "1988"


@pytest.mark.parametrize("text, phrase, ttype, value", [
    ("Stocks fell 3% for the week.", "the week", "DATE", "1989-WXX"),
    ("Prices rose in recent months.", "recent months", "DURATION", "PXM"),
    ("Rates may fall in coming weeks.", "coming weeks", "DURATION", "PXW"),
    ("Funds may sell in the weeks ahead.", "the weeks ahead", "DURATION", "PXW"),
    ("The deal should close by year-end.", "year-end", "DATE", "1989"),
    ("The index is up 20% since year-end.", "year-end", "DATE", "1988"),
    ("It cited current market conditions.", "current", "DATE", "PRESENT_REF"),
    ("Prosecutors issued their warning this week after a request.", "this week", "DATE", "1989-W44"),
])
def test_news_conventions(text, phrase, ttype, value):
    timex = {t.text: t for t in find_timexes(text, dct="1989-10-30")}[phrase]
    assert (timex.type, timex.value) == (ttype, value), timex.reason


def test_discourse_now_and_titles_are_not_times():
    got = values('He thinks the plan was good. Now, he says, "it looks bad." Baker spoke on ABC\'s "This Week."')
    assert "Now" not in got and "This Week" not in got
    assert values("Now officials are investigating.")["Now"] == "PRESENT_REF"


def test_a_plan_seen_from_the_past_has_gone_by():
    assert values("The offer had been scheduled to expire at midnight Friday.")["midnight Friday"] == "1989-10-27T24:00"


def test_news_recalling_an_old_year_keeps_its_own_week():
    text = ("Cabinet minister Eitan said Sunday that the remarks marked a shift. Israel has occupied the zone "
            "since 1978. On Friday, Netanyahu said he had no qualms.")
    got = values(text, dct="1998-03-01")
    assert got["Sunday"] == "1998-03-01"
    assert got["Friday"] == "1998-02-27"
