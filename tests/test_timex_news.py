"""News conventions added for TempEval-3 value accuracy: fractions, 'and a half', 'then current',
generic 'today's', names ending in 'Today', and a plan in the past perfect."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

from timeweave.annotate.timex import find_timexes
from timeweave.annotate.timex.tense import doc_tense


def values(text: str, dct: str = "1989-10-30") -> dict[str, str | None]:
    return {t.text: t.value for t in find_timexes(text, dct=dct)}


def test_and_a_half_adds_half_the_unit():
    assert values("But a minute and a half later, a pilot calls in.")["a minute and a half"] == "PT1M30S"
    assert values("The strike lasted a year and a half.")["a year and a half"] == "P1Y6M"


def test_three_quarters_is_a_fraction_not_a_duration():
    assert values("Iraq imports about three-quarters of its food.") == {}
    assert values("Profit rose for three quarters in a row.")["three quarters"] == "P3Q"


def test_then_current_is_past():
    v = values("Holders may buy shares at 50% of the then current market price.")
    assert v == {"then current": "PAST_REF"}
    assert values("Holders may buy at the then-current price.") == {"then-current": "PAST_REF"}


def test_generic_todays_and_names_ending_in_today_are_not_dates():
    assert values("Intel chips run many of today's personal computers.") == {}
    assert values("Mothers in today's world can prove it.") == {}
    assert values("The offer, advertised in today's editions, expires.")["today"] == "1989-10-30"
    assert values("This is VOA Today.") == {}
    assert values("He told USA Today that he would stay.") == {}
    assert values("Talks resumed. Today the envoy left.")["Today"] == "1989-10-30"


def test_past_perfect_of_a_plan_through_an_adjective_is_no_future_cue():
    # "It had been due to expire Friday": 'due' (ADJ) carries the past perfect, so no future cue
    words = ["It", "had", "been", "due", "to", "expire", "Friday", "."]
    doc = Doc(spacy.blank("en").vocab, words=words, tags=["PRP", "VBD", "VBN", "JJ", "TO", "VB", "NNP", "."],
              heads=[2, 2, 2, 2, 5, 3, 5, 2], deps=["nsubj", "aux", "ROOT", "acomp", "aux", "xcomp", "npadvmod", "punct"],
              pos=["PRON", "AUX", "AUX", "ADJ", "PART", "VERB", "PROPN", "PUNCT"])
    start = len("It had been due to expire ")
    assert doc_tense(doc)(start, start + 6) is None
