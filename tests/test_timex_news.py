"""News conventions added for TempEval-3 value accuracy: fractions, 'and a half', 'then current',
generic 'today's', names ending in 'Today', and a plan in the past perfect."""

from __future__ import annotations

import pytest
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


def test_first_two_quarters_of_a_year_is_its_first_half():
    t = find_timexes("Sales will stay weak through the first two quarters of 1990, it said.", dct="1989-10-26")
    assert [(x.text, x.type, x.value, x.earliest, x.latest) for x in t] == [
        ("the first two quarters of 1990", "DATE", "1990-H1", "1990-01-01", "1990-06-30")]
    # any other span of a year stays a length, and the year its own expression
    assert values("Three months of 1990 were bad.") == {"Three months": "P3M", "1990": "1990"}


def test_a_quarter_of_something_is_a_fraction():
    assert values("Funds hold more than a quarter of the entire market.") == {}
    assert values("Profit fell in a quarter that produced a big loss.")["a quarter"] == "P1Q"


def test_hundred_years_and_indefinite_lengths():
    assert values("As it has for almost a hundred years.")["almost a hundred years"] == "P100Y"
    assert values("They will live without it for a while.") == {"a while": "PXX"}
    assert values("Forces could be in the region for some time.") == {"some time": "PXX"}
    assert values("Nobody had seen it at some time or other.") == {}


def test_mid_afternoon_with_a_space_is_a_time_of_day():
    t = find_timexes("By mid afternoon, official sources were saying the attack had ended.", dct="1998-03-06")
    assert [(x.text, x.type, x.value) for x in t] == [("mid afternoon", "TIME", "1998-03-06TAF")]


def test_one_day_after_a_modal_is_some_future_day():
    assert values("Islam will one day be the second largest religion.") == {"one day": "FUTURE_REF"}
    assert values("Major had only been in the job one day.") == {"one day": "P1D"}


def test_financial_comparison_periods_a_year_back():
    text = ("The company earned $5 million in the third quarter. Net was $3 million for the corresponding "
            "period last year. For the quarter a year ago, it reported a loss.")
    v = values(text, dct="1989-10-26")
    assert v["the corresponding period last year"] == "1988-Q3"
    assert v["the quarter a year ago"] == "1988-Q3"
    assert "last year" not in v and "a year ago" not in v


def test_weekdays_joined_to_a_plural_recur():
    v = values("Two new flights will leave Bombay on Monday and Tuesday nights.", dct="1998-02-13")
    assert v == {"Monday": "XXXX-WXX-1TNI", "Tuesday nights": "XXXX-WXX-2TNI"}
    assert values("The museum opens Saturdays.") == {"Saturdays": "XXXX-WXX-6"}
    assert values("He calls every Friday night.") == {"every Friday night": "XXXX-WXX-5TNI"}
    assert values("He came Monday and left Tuesday.", dct="1998-02-13") == {"Monday": "1998-02-09", "Tuesday": "1998-02-10"}


def test_overnight_is_the_night_before_the_day_being_told():
    v = values("Prices closed lower Friday. London shares fell on overnight losses in New York.")
    assert v == {"Friday": "1989-10-27", "overnight": "1989-10-26TNI"}
    assert values("Stocks fell overnight in Tokyo.") == {"overnight": "1989-10-29TNI"}


def test_a_yearless_month_keeps_to_the_sentence_of_the_month_before_it():
    # the document date is October: alone, "March" is the nearer March (1990); beside a
    # June 1989 in the same sentence, it is March 1989
    v = values("The stock rose to a high in June from $29.75 in March.")
    assert v == {"June": "1989-06", "March": "1989-03"}


def test_in_a_length_is_a_date_when_the_sentence_looks_ahead():
    assert values("The stock will be redeemed in five years.", dct="1989-10-26") == {"five years": "1994"}
    assert values("It was his second letter in two weeks.") == {"two weeks": "P2W"}


def test_holidays_without_a_year_take_the_side_their_words_give():
    v = values("He arrived last Thanksgiving. The talks end before Christmas.", dct="2000-01-07")
    assert v["last Thanksgiving"] == "1999-11-25"
    assert values("The boy spent Thanksgiving Day with relatives.", dct="2000-01-07") == {"Thanksgiving Day": "1999-11-25"}
    assert values("Next Easter he returns.", dct="2000-01-07") == {"Next Easter": "2000-04-23"}


def test_a_day_inside_a_week_or_a_day_before_phrase():
    assert values("The hearing is set for the week of March 6.", dct="2000-02-24") == {"the week of March 6": "2000-W10"}
    assert values("He left the day before last Tuesday.", dct="2000-02-24") == {"the day before last Tuesday": "2000-02-21"}
    assert values("They met the day after Christmas.", dct="2000-02-24") == {"the day after Christmas": "1999-12-26"}


def test_clock_hour_in_a_part_of_the_day():
    assert values("He woke at 4 in the morning.", dct="2000-04-05") == {"4 in the morning": "2000-04-05T04:00"}
    assert values("The shop shut at 9 in the evening.", dct="2000-04-05") == {"9 in the evening": "2000-04-05T21:00"}


def test_the_nth_day_of_an_event_in_the_present_is_today():
    v = values("In Saudi Arabia, today is the eighth day of Desert Shield.", dct="1990-08-15")
    assert v == {"today": "1990-08-15", "the eighth day": "1990-08-15"}
    assert values("On the second day of the war, he left.") == {}
    assert values("Troops will arrive within weeks.") == {"weeks": "PXW"}


def test_timeml_extents_leave_the_part_of_day_outside():
    text = "Slepian was shot on the night of Oct. 23, 1998."
    assert [(t.text, t.type) for t in find_timexes(text)] == [("the night of Oct. 23, 1998", "TIME")]
    assert [(t.text, t.type, t.value) for t in find_timexes(text, part_of_day=False)] == [
        ("Oct. 23, 1998", "DATE", "1998-10-23")]


# Hand-set parses (no model): "word/TAG/dep/head-index/POS" per token; the phrase whose cue is read.
TENSE_CUES = [
    # "It had been due to expire Friday": 'due' (ADJ) carries the past perfect, so no future cue
    ("It/PRP/nsubj/2/PRON had/VBD/aux/2/AUX been/VBN/ROOT/2/AUX due/JJ/acomp/2/ADJ to/TO/aux/5/PART "
     "expire/VB/xcomp/3/VERB Friday/NNP/npadvmod/5/PROPN ./././2/PUNCT", "Friday", None),
    # "extended their offers to acquire the maker Friday": the parser hangs Friday on 'acquire'
    ("Bidders/NNS/nsubj/1/NOUN extended/VBD/ROOT/1/VERB offers/NNS/dobj/1/NOUN to/TO/aux/4/PART "
     "acquire/VB/advcl/1/VERB the/DT/det/6/DET maker/NN/dobj/4/NOUN Friday/NNP/npadvmod/4/PROPN ./././1/PUNCT",
     "Friday", "past"),
    # "postponed until Tuesday morning": the verb is past, the term ends ahead of the document date
    ("Officials/NNS/nsubj/1/NOUN postponed/VBD/ROOT/1/VERB action/NN/dobj/1/NOUN until/IN/prep/1/ADP "
     "Tuesday/NNP/compound/5/PROPN morning/NN/pobj/3/NOUN ./././1/PUNCT", "Tuesday morning", "future"),
    # "was shot on the night of Oct. 23": 'night' does not hide the verb, 'was shot' is past
    ("He/PRP/nsubjpass/2/PRON was/VBD/auxpass/2/AUX shot/VBN/ROOT/2/VERB on/IN/prep/2/ADP the/DT/det/5/DET "
     "night/NN/pobj/3/NOUN of/IN/prep/5/ADP Oct./NNP/pobj/6/PROPN 23/CD/nummod/7/NUM ./././2/PUNCT", "Oct. 23", "past"),
    # "searched since the Oct. 23 slaying": the date qualifies a noun, yet "since" tells
    ("They/PRP/nsubj/1/PRON searched/VBD/ROOT/1/VERB since/IN/prep/1/ADP the/DT/det/6/DET Oct./NNP/compound/6/PROPN "
     "23/CD/nummod/4/NUM slaying/NN/pobj/2/NOUN ./././1/PUNCT", "Oct. 23", "past"),
]


@pytest.mark.parametrize("tokens, phrase, cue", TENSE_CUES)
def test_tense_cues_over_hand_set_parses(tokens, phrase, cue):
    fields = [t.rsplit("/", 4) for t in tokens.split()]
    doc = Doc(spacy.blank("en").vocab, words=[f[0] for f in fields], tags=[f[1] for f in fields],
              deps=[f[2] for f in fields], heads=[int(f[3]) for f in fields], pos=[f[4] for f in fields])
    start = doc.text.index(phrase)
    assert doc_tense(doc)(start, start + len(phrase)) == cue


def test_prepositions_and_possessives_stay_outside_the_extent():
    spans = lambda text: [(t.text, t.value, t.modifier) for t in find_timexes(text, dct="1989-10-26")]
    assert spans("Iraq must withdraw within a week.") == [("a week", "P1W", "EQUAL_OR_LESS")]
    assert spans("Sales will grow over the next two years.") == [("the next two years", "P2Y", None)]
    assert spans("Prices rose over 3 years.") == [("over 3 years", "P3Y", "MORE_THAN")]
    assert spans("The company reported its third quarter results.") == [("third quarter", "1989-Q3", None)]
    assert spans("It ended the eight-year war with Iran.") == [("eight-year", "P8Y", None)]
