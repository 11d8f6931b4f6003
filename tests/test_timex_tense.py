"""Tense cues and the TimeML conventions measured on TempEval-3: which Tuesday, which March, what is a rate."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from timeweave.annotate.timex import find_timexes
from timeweave.annotate.timex.tense import doc_tense, text_tense
from timeweave.annotate.timex.timeml import tag_document


def parsed(words, tags, heads, deps, pos):
    """A Doc with hand-set tags and a hand-set parse: no model needed."""
    return Doc(spacy.blank("en").vocab, words=words, tags=tags, heads=heads, deps=deps, pos=pos)


def test_past_verb_makes_a_past_cue():
    doc = parsed(["Prices", "fell", "Tuesday", "."], ["NNS", "VBD", "NNP", "."], [1, 1, 1, 1],
                 ["nsubj", "ROOT", "npadvmod", "punct"], ["NOUN", "VERB", "PROPN", "PUNCT"])
    assert doc_tense(doc)(12, 19) == "past"


def test_future_auxiliary_makes_a_future_cue():
    doc = parsed(["Talks", "will", "resume", "Tuesday", "."], ["NNS", "MD", "VB", "NNP", "."], [2, 2, 2, 2, 2],
                 ["nsubj", "aux", "ROOT", "npadvmod", "punct"], ["NOUN", "AUX", "VERB", "PROPN", "PUNCT"])
    assert doc_tense(doc)(18, 25) == "future"


def test_a_deadline_takes_no_past_cue():
    # "extended to Nov. 20": the verb is past, the deadline is not
    doc = parsed(["The", "offer", "was", "extended", "to", "Nov.", "20", "."],
                 ["DT", "NN", "VBD", "VBN", "IN", "NNP", "CD", "."], [1, 3, 3, 3, 3, 4, 5, 3],
                 ["det", "nsubjpass", "auxpass", "ROOT", "prep", "pobj", "nummod", "punct"],
                 ["DET", "NOUN", "AUX", "VERB", "ADP", "PROPN", "NUM", "PUNCT"])
    assert doc_tense(doc)(26, 33) is None


def test_without_a_parse_only_text_cues():
    assert text_tense("He will see them ") == "future"
    assert text_tense("closed since ") == "past"
    assert text_tense("He saw them ") is None
    assert doc_tense(Doc(spacy.blank("en").vocab, words=["Tuesday"]))(0, 7) is None


@pytest.mark.parametrize("cue, value", [("past", "1989-03"), ("future", "1990-03"), (None, "1990-03")])
def test_tense_chooses_the_year_of_a_bare_month(cue, value):
    text = "He stepped down in March."
    found = find_timexes(text, dct="1989-10-30", tense=lambda start, end: cue)
    assert [t.value for t in found] == [value]


@pytest.mark.parametrize("cue, value", [("past", "1998-02-27"), ("future", "1998-03-06"), ("present", "1998-02-27")])
def test_tense_chooses_the_weekday(cue, value):
    # document date Sunday 1 March 1998: the nearer Friday is the past one
    found = find_timexes("They meet Friday.", dct="1998-03-01", tense=lambda start, end: cue)
    assert found[0].value == value


def test_present_tense_weekday_is_the_nearer_one():
    found = find_timexes("They meet Monday.", dct="1998-05-01", tense=lambda start, end: "present")
    assert found[0].value == "1998-05-04"


def test_stated_weekday_picks_the_year():
    t = find_timexes("The Times said in an editorial on Saturday, Dec. 27:", dct="1998-01-05")[0]
    assert t.value == "1997-12-27"


def test_this_month_is_the_document_year():
    assert find_timexes("The election is due this September.", dct="1998-02-05")[0].value == "1998-09"


@pytest.mark.parametrize("text, value", [
    ("It lasted 2 1/2 years.", "P2Y6M"),
    ("It lasted 5 1/2 hours.", "PT5H30M"),
    ("It lasted 1 1/2 days.", "P1DT12H"),
    ("It took a couple of years.", "P2Y"),
    ("It was built over centuries.", "PXC"),
    ("Revenue was $76 million for the year ended March 31.", "P1Y"),
])
def test_duration_conventions(text, value):
    assert value in [t.value for t in find_timexes(text, dct="1989-11-01")]


@pytest.mark.parametrize("text", [
    "Mr. Reupke, 52 years old, resigned.",
    "The 6-year-old boy was found.",
    "The stock pays a dividend of $1.76 a year.",
    "Sales should rise 8.5% annually.",
    "It runs 15 million instructions per second.",
])
def test_ages_and_rates_are_not_timexes(text):
    assert find_timexes(text, dct="1989-11-01") == []


def test_timeml_week_is_the_iso_week():
    doc = """<TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="1989-10-27" functionInDocument="CREATION_TIME">x</TIMEX3></DCT>
<TEXT>Shares fell last week and rose this week.</TEXT></TimeML>"""
    tagged, _ = tag_document(doc)
    assert 'value="1989-W42">last week' in tagged and 'value="1989-W43">this week' in tagged
