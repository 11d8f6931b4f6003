"""Names of states resolved by the narrative year, through the real pipeline and a real build.

None of these sentences comes from the bundled or dev corpora.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from timeweave import knowledge
from timeweave.annotate.pipeline import load_nlp
from timeweave.build import build
from timeweave.store import open_store
from timeweave.store import schema as t


@pytest.fixture(scope="module")
def nlp():
    knowledge.use(None)
    return load_nlp()


def found(nlp, text, dct=None):
    doc = nlp.make_doc(text)
    doc._.dct = dct
    return {m.text: (m.type, m.key, m.year, m.year_from) for m in nlp(doc)._.entity_mentions}


def test_the_year_of_the_sentence_picks_the_holder_of_a_seat(nlp):
    assert found(nlp, "Moscow condemned the NATO strikes on 12 March 2008.")["Moscow"] == ("state", "russia", 2008, "sentence")
    assert found(nlp, "The Kremlin announced the deal in 2019.")["Kremlin"][:2] == ("state", "russia")
    assert found(nlp, "In August 1939 the Kremlin ordered the general to attack.")["Kremlin"][:2] == ("state", "soviet union")
    assert found(nlp, "In 1915 Petrograd refused the Allied demand.")["Petrograd"][:2] == ("state", "russian empire")
    assert found(nlp, "Whitehall protested in 1956.")["Whitehall"][:2] == ("state", "united kingdom")


def test_the_narrative_year_carries_over_to_sentences_without_a_date(nlp):
    mentions = found(nlp, "The crisis began in October 1962. Moscow then withdrew the missiles.")
    assert mentions["Moscow"] == ("state", "soviet union", 1962, "narrative")


def test_the_document_date_when_the_text_gives_no_year_and_none_without_it(nlp):
    assert found(nlp, "Moscow rejected the proposal.", dct="1984-05-02")["Moscow"] == ("state", "soviet union", 1984, "document date")
    assert found(nlp, "Moscow rejected the proposal.")["Moscow"] == ("state", "russia", None, "none")


def test_demonym_troops_are_the_army_of_the_state_and_the_invaded_state_is_a_state(nlp):
    mentions = found(nlp, "Iraqi troops invaded Kuwait in August 1990.")
    assert mentions["Iraqi troops"][:2] == ("military_unit", "iraq armed forces")
    assert mentions["Kuwait"][:2] == ("state", "kuwait")


def test_demonyms_of_states_the_old_list_lacked(nlp):
    mentions = found(nlp, "In 2003 Israeli, Spanish, Indian and Iranian diplomats met in Geneva.")
    assert {k: v[1] for k, v in mentions.items() if v[0] == "state"} == {
        "Israeli": "israel", "Spanish": "spain", "Indian": "india", "Iranian": "iran"}
    mentions = found(nlp, "In 1966 the North Vietnamese rejected the offer.")
    assert mentions["North Vietnamese"][:2] == ("state", "north vietnam")


def test_place_words_of_other_languages_make_places(nlp):
    for text, name in [("In 1917 the column reached Wadi Rum at dawn.", "Wadi Rum"),
                       ("The army crossed the Amu Darya in February 1989.", "Amu Darya"),
                       ("The rebels camped in the Sierra Maestra for two years.", "Sierra Maestra")]:
        assert found(nlp, text)[name][0] == "place", text


def test_bibliographic_abbreviations_and_section_headings_are_not_names(nlp):
    mentions = found(nlp, "Smirnov A. History of the war. Moscow, 1985. Vol. 2. (In Russ.)\n\nAbstract\n\nThe war began.")
    assert not {"Vol", "Russ", "RUSS", "Abstract"} & set(mentions)


def test_a_user_knowledge_folder_extends_and_overrides_through_a_build(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "buffer-state.txt").write_text(
        "In April 1920 Chita proclaimed a new government. Whitehall protested in 1921.\n", encoding="utf-8")
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "states.tsv").write_text("# a project's own states\nstate\tfrom\tto\tmilitary\tsource\n"
                                       "Far Eastern Republic\t1920\t1922\t\tproject reading\n", encoding="utf-8")
    (folder / "names.tsv").write_text("# a project's own names\nname\tkind\tstate\tfrom\tto\tdefault\tsource\n"
                                      "Chita\tseat\tFar Eastern Republic\t1920\t1922\t\tproject reading\n"
                                      "Whitehall\tseat\t\t\t\t\tthis project reads it as the street\n", encoding="utf-8")

    def keys(db):
        with open_store(db, create=False).connect() as conn:
            return {row.text: row.key for row in conn.execute(select(t.mentions.c.text, t.mentions.c.key))}

    try:
        build([corpus], db=tmp_path / "with.db", config={"knowledge": str(folder)})
        with_folder = keys(tmp_path / "with.db")
        build([corpus], db=tmp_path / "without.db")
        without = keys(tmp_path / "without.db")
    finally:
        knowledge.use(None)
    assert with_folder["Chita"] == "far eastern republic" and without["Chita"] == "chita"
    assert without["Whitehall"] == "united kingdom"
    assert with_folder.get("Whitehall", "not a mention") != "united kingdom"  # switched off: no longer the state


def test_the_knowledge_folder_extends_the_linkers_naming_cues_through_a_build(tmp_path):
    """A project's own naming formula ("nicknamed") in its knowledge folder joins two names in a real build."""
    from timeweave.link.lexicon import lexicon_for

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "sea-dogs.txt").write_text(
        "In 1577 Francis Drake, nicknamed El Draque, sailed from Plymouth. "
        "In 1586 El Draque raided Santo Domingo.\n", encoding="utf-8")
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "naming_cues.tsv").write_text("# a project's own formula\nrule\tpattern\tnote\n"
                                            "nicknamed\t,?\\s*nicknamed\\s+(?:the\\s+)?\t'Drake, nicknamed El Draque'\n",
                                            encoding="utf-8")

    def same_entity(db):
        with open_store(db, create=False).connect() as conn:
            rows = conn.execute(select(t.aliases.c.entity_id, t.aliases.c.text)).all()
        ids = {text: entity for entity, text in rows}
        return "Francis Drake" in ids and ids.get("Francis Drake") == ids.get("El Draque")

    try:
        build([corpus], db=tmp_path / "with.db", config={"knowledge": str(folder)})
        assert "nicknamed" in {rule for rule, _ in lexicon_for(str(folder)).cues}
        with_folder = same_entity(tmp_path / "with.db")
        build([corpus], db=tmp_path / "without.db")
        without = same_entity(tmp_path / "without.db")
    finally:
        knowledge.use(None)
    assert with_folder and not without


def test_a_states_navy_is_named_for_the_year_by_demonym_and_by_its_own_name(nlp):
    got = found(nlp, "In May 1916 the British navy met the German navy off Jutland; the Royal Navy lost three "
                     "battlecruisers.")
    assert got["British navy"][:2] == ("military_unit", "royal navy")
    assert got["Royal Navy"][:2] == ("military_unit", "royal navy")
    assert got["German navy"][:2] == ("military_unit", "kaiserliche marine")
    got = found(nlp, "In 1905 the Russian navy was destroyed at Tsushima by the Japanese navy.")
    assert got["Russian navy"][:2] == ("military_unit", "imperial russian navy")
    assert got["Japanese navy"][:2] == ("military_unit", "imperial japanese navy")
    got = found(nlp, "In 1941 the German navy sank the ship.")  # two-word names and years choose the holder
    assert got["German navy"][:2] == ("military_unit", "kriegsmarine")


def test_a_navy_the_tables_do_not_name_keeps_its_own_name(nlp):
    got = found(nlp, "Iraqi troops invaded Kuwait in August 1990, and the Iraqi navy stayed in port.")
    assert got["Iraqi navy"][:2] == ("military_unit", "iraqi navy")
    got = found(nlp, "In 1967 South African troops crossed the border.")  # a two-word demonym names the army
    assert got["South African troops"][0] == "military_unit" and got["South African troops"][1] != "south african troops"


def test_a_navy_named_as_a_modifier_is_that_navy_too(nlp):
    got = found(nlp, "In 1942 the ship was approached by three Imperial Japanese Navy destroyers and two "
                     "British Navy cruisers.")
    assert got["British Navy"][:2] == ("military_unit", "royal navy")
