"""Entity mentions on real sentences and on the bundled corpus, through the real pipeline."""

from __future__ import annotations

import pytest

from timeweave.annotate.entities import alias_key
from timeweave.annotate.pipeline import load_nlp
from timeweave.annotate.types import ENTITY_TYPES


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.fixture(scope="module")
def corpus(corpus_dir):
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(corpus_dir.glob("*.txt"))}


def mentions(nlp, text):
    return [(m.text, m.type, m.key) for m in nlp(text)._.entity_mentions]


def test_full_pipeline_has_no_analysis_problems(nlp):
    analysis = nlp.analyze_pipes()
    assert not any(analysis["problems"].values()), analysis["problems"]
    assert nlp.pipe_names[-3:] == ["timeweave_timex_v1", "timeweave_entities_v1", "timeweave_events_v1"]


def test_alias_key_ignores_case_hyphens_diacritics_and_articles():
    assert alias_key("the Khalkhin-Gol") == alias_key("Khalkhin Gol") == "khalkhin gol"
    assert alias_key("Mongolian People’s Republic") == alias_key("Mongolian People's Republic")
    assert alias_key("Ulaanbaataŕ") == "ulaanbaatar"


def test_person_name_extended_over_capitalised_neighbours(nlp):
    found = mentions(nlp, "The delegation, with Prime Minister Peljidiin Genden at the head, arrived.")
    assert ("Peljidiin Genden", "person", "peljidiin genden") in found


def test_initials_are_part_of_the_name(nlp):
    found = mentions(nlp, "I. V. Stalin talked to P. Genden on November 24, 1934.")
    assert ("I. V. Stalin", "person", "i v stalin") in found
    assert ("P. Genden", "person", "p genden") in found


def test_place_words_make_places(nlp):
    found = mentions(nlp, "Then the Khalkhin-Gol incident came. The troops crossed the Khalkhin Gol River near Lake Khasan.")
    types = {text: type_ for text, type_, _ in found}
    assert types["Khalkhin-Gol"] == "place"
    assert types["Khalkhin Gol River"] == "place"
    assert types["Lake Khasan"] == "place"


def test_demonyms_capitals_and_units_resolve_to_states(nlp):
    found = mentions(nlp, "The Soviet side and Japanese troops met in 1939. The talks between Moscow and Tokyo failed. "
                          "The Red Army and the Kwantung army fought.")
    assert ("Soviet", "state", "soviet union") in found
    assert ("Japanese troops", "military_unit", "imperial japanese army") in found
    assert ("Moscow", "state", "soviet union") in found
    assert ("Tokyo", "state", "japan") in found
    assert ("Red Army", "military_unit", "red army") in found
    assert ("Kwantung army", "military_unit", "kwantung army") in found


def test_hyphenated_pairs_of_states_are_two_mentions(nlp):
    found = mentions(nlp, "The Soviet-Mongolian mutual assistance protocol was concluded.")
    assert ("Soviet", "state", "soviet union") in found
    assert ("Mongolian", "state", "mongolia") in found


def test_treaties_are_works(nlp):
    found = mentions(nlp, "Japan signed the Anti-Comintern Pact. They signed a Protocol of Mutual Assistance on March 12, 1936.")
    assert ("Anti-Comintern Pact", "work", "anti comintern pact") in found
    assert ("Protocol of Mutual Assistance", "work", "protocol of mutual assistance") in found


def test_corpus_mentions_are_valid(nlp, corpus):
    for name, text in corpus.items():
        doc = nlp(text)
        for m in doc._.entity_mentions:
            assert m.type in ENTITY_TYPES, (name, m)
            assert doc.text[m.start : m.end] == m.text
            assert m.key and m.component == "timeweave.entities.v1"
