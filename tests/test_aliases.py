"""Aliases the texts themselves define, and the guards against wrong merges, on sentences from outside our corpora.

Mentions are written by hand (what the annotate stage would mark), so each test checks the link
rules alone: the texts name other wars, other centuries and other continents on purpose.
"""

from __future__ import annotations

from collections import Counter

import pytest

from timeweave.annotate.entities.keys import alias_key
from timeweave.errors import ConfigError
from timeweave.link.lexicon import read_lexicon
from timeweave.link.resolve import Entity, MentionRow, Resolver
from timeweave.link.store import resolve


def link(texts: dict[str, str], mentions: list[tuple[str, str, str]], **kwargs) -> list[Entity]:
    """Entities for hand-marked mentions (source, surface, type), each found after the previous one of its source."""
    rows, after = [], Counter()
    for n, (source, surface, type_) in enumerate(mentions, start=1):
        start = texts[source].index(surface, after[source])
        after[source] = start + len(surface)
        rows.append(MentionRow(n, source, start, start + len(surface), surface, type_, alias_key(surface)))
    return resolve(Resolver(rows, texts, **kwargs), [])


def entity_with(entities: list[Entity], alias: str) -> Entity:
    (found,) = [e for e in entities if alias in e.aliases]
    return found


def same(entities: list[Entity], *aliases: str) -> bool:
    return len({id(entity_with(entities, a)) for a in aliases}) == 1


def quotes_are_text(entities: list[Entity], texts: dict[str, str]) -> None:
    for entity in entities:
        for link_ in entity.alias_links.values():
            for e in link_.evidence:
                assert texts[e.source_id][e.start : e.end] == e.quote


# --- names a text defines ---------------------------------------------------------------------

def test_also_called_gives_a_second_name_used_alone_elsewhere():
    texts = {"a": "Francisco Franco, also called the Caudillo, ruled Spain from 1939 to 1975.",
             "b": "In 1975 the Caudillo died in Madrid."}
    ents = link(texts, [("a", "Francisco Franco", "person"), ("a", "Spain", "state"),
                        ("b", "Caudillo", "person"), ("b", "Madrid", "place")])
    franco = entity_with(ents, "Francisco Franco")
    assert "Caudillo" in franco.aliases and franco.alias_links["Caudillo"].rule == "also called"
    assert franco.alias_sources["Caudillo"] == Counter({"a": 1, "b": 1})
    (evidence,) = franco.alias_links["Caudillo"].evidence
    assert evidence.quote == "Francisco Franco, also called the Caudillo"
    assert not same(ents, "Francisco Franco", "Spain")
    quotes_are_text(ents, texts)


def test_acronym_defined_next_to_its_expansion_then_used_alone_in_another_document():
    texts = {"a": "In 1949 the North Atlantic Treaty Organization (NATO) was founded in Washington.",
             "b": "NATO troops crossed the border in 1999.",
             "c": "The IRA (Irish Republican Army) declared a ceasefire. The Irish Republican Army kept its arms."}
    ents = link(texts, [("a", "North Atlantic Treaty Organization", "organization"), ("a", "NATO", "organization"),
                        ("a", "Washington", "place"), ("b", "NATO", "organization"),
                        ("c", "IRA", "organization"), ("c", "Irish Republican Army", "organization"),
                        ("c", "Irish Republican Army", "organization")])
    nato = entity_with(ents, "NATO")
    assert "North Atlantic Treaty Organization" in nato.aliases and nato.alias_sources["NATO"] == Counter({"a": 1, "b": 1})
    assert nato.alias_links["NATO"].evidence[0].quote == "North Atlantic Treaty Organization (NATO)"
    assert same(ents, "IRA", "Irish Republican Army")
    assert entity_with(ents, "IRA").alias_links["IRA"].evidence[0].quote == "IRA (Irish Republican Army)"


def test_known_in_a_country_as():
    texts = {"a": "Constantinople, known in Turkey as Istanbul, fell in 1453.",
             "b": "Smyrna, known to the Greeks as the Pearl of the Levant, burned in 1922."}
    ents = link(texts, [("a", "Constantinople", "place"), ("a", "Istanbul", "place"), ("b", "Smyrna", "place")])
    assert same(ents, "Constantinople", "Istanbul")
    smyrna = entity_with(ents, "Smyrna")
    assert "Pearl of the Levant" in smyrna.aliases and smyrna.alias_links["Pearl of the Levant"].rule == "known as"
    assert "Turkey" not in smyrna.aliases
    quotes_are_text(ents, texts)


def test_formerly_and_a_second_name_in_parentheses():
    texts = {"a": "Ho Chi Minh City, formerly Saigon, grew quickly after 1990.",
             "b": "The embassy in Beijing (Peking) was besieged in 1900.",
             "c": "Missionaries fled Peking in June."}
    ents = link(texts, [("a", "Ho Chi Minh City", "place"), ("a", "Saigon", "place"),
                        ("b", "Beijing", "place"), ("c", "Peking", "place")])
    assert same(ents, "Ho Chi Minh City", "Saigon")
    assert same(ents, "Beijing", "Peking")
    assert entity_with(ents, "Peking").alias_links["Peking"].rule == "second name in parentheses" or \
        entity_with(ents, "Beijing").alias_links["Beijing"].rule == "second name in parentheses"


def test_designation_in_parentheses_and_ship_prefix():
    texts = {"a": "The battleship USS Missouri (BB-63) anchored in Tokyo Bay. The Missouri flew the flag.",
             "b": "Aboard BB-63 the surrender was signed; Missouri then sailed home."}
    ents = link(texts, [("a", "USS Missouri", "military_unit"), ("a", "Tokyo Bay", "place"), ("a", "Missouri", "military_unit"),
                        ("b", "BB-63", "other"), ("b", "Missouri", "military_unit")])
    assert same(ents, "USS Missouri", "Missouri", "BB-63")
    assert entity_with(ents, "BB-63").alias_links["BB-63"].evidence[0].quote == "USS Missouri (BB-63)"


def test_a_ship_named_for_a_person_with_initials_is_also_written_without_them():
    texts = {"a": "USS John S. McCain sailed from Yokosuka in August 2017.",
             "b": "The McCain collided with a tanker; McCain lost ten sailors."}
    ents = link(texts, [("a", "USS John S. McCain", "military_unit"), ("a", "Yokosuka", "place"),
                        ("b", "McCain", "military_unit"), ("b", "McCain", "military_unit")])
    assert not same(ents, "USS John S. McCain", "McCain")  # a given name is not an initial
    texts = {"a": "USS J. Douglas Blackwood escorted the convoy in March 1944.",
             "b": "The Douglas Blackwood rescued the crew."}
    ents = link(texts, [("a", "USS J. Douglas Blackwood", "military_unit"), ("b", "Douglas Blackwood", "military_unit")])
    assert same(ents, "USS J. Douglas Blackwood", "Douglas Blackwood")


def test_ship_prefix_is_not_dropped_when_the_bare_name_is_a_persons_surname():
    texts = {"a": "HMS Hood sank in 1941. Admiral Samuel Hood had fought at the Saintes. Hood was praised."}
    ents = link(texts, [("a", "HMS Hood", "military_unit"), ("a", "Samuel Hood", "person"), ("a", "Hood", "person")])
    assert not same(ents, "HMS Hood", "Hood")
    assert same(ents, "Samuel Hood", "Hood")


def test_x_or_y_names_one_thing_only_before_a_shared_noun_or_in_a_defining_sentence():
    texts = {"a": "The Anglo-Zulu War or the Zulu War, fought in 1879, was a war in southern Africa.",
             "b": "the Aksai Chin or Soda Plain region was disputed.",
             "c": "He wrote to the Senate or the Assembly every week. Troops from Japan or China landed."}
    ents = link(texts, [("a", "Anglo-Zulu War", "other"), ("a", "Zulu War", "other"),
                        ("b", "Aksai Chin", "place"), ("b", "Soda Plain", "place"),
                        ("c", "Senate", "organization"), ("c", "Assembly", "organization"),
                        ("c", "Japan", "state"), ("c", "China", "state")])
    assert same(ents, "Anglo-Zulu War", "Zulu War")
    assert same(ents, "Aksai Chin", "Soda Plain")
    assert not same(ents, "Senate", "Assembly")
    assert not same(ents, "Japan", "China")


def test_title_and_surname_is_a_name_of_the_one_person_of_that_surname():
    texts = {"a": "Winston Churchill spoke in 1940.", "b": "Prime Minister Churchill flew to Cairo. Churchill returned."}
    ents = link(texts, [("a", "Winston Churchill", "person"), ("b", "Churchill", "person"), ("b", "Cairo", "place"),
                        ("b", "Churchill", "person")])
    churchill = entity_with(ents, "Winston Churchill")
    assert "Prime Minister Churchill" in churchill.aliases and "Churchill" in churchill.aliases
    assert churchill.alias_links["Prime Minister Churchill"].evidence[0].quote == "Prime Minister Churchill"


# --- spelling and form variants ------------------------------------------------------------------

def test_wade_giles_apostrophes_hyphens_and_diacritics():
    texts = {"a": "The army entered Ch'ang-ch'un in 1932 and later Hòa Bình.", "b": "Changchun fell; Hoa Binh held."}
    ents = link(texts, [("a", "Ch'ang-ch'un", "place"), ("a", "Hòa Bình", "place"),
                        ("b", "Changchun", "place"), ("b", "Hoa Binh", "place")])
    assert same(ents, "Ch'ang-ch'un", "Changchun")
    assert same(ents, "Hòa Bình", "Hoa Binh")
    assert not same(ents, "Changchun", "Hoa Binh")


def test_generic_words_word_order_and_parts_written_another_way():
    texts = {"a": "Ships crossed the Sea of Japan to Hubei province. The U.S. Army and the City of London watched.",
             "b": "In the Japan Sea, off Hubei, the United States Army waited; London and Mexico City too.",
             "c": "The US Army landed; Mexico did not."}
    ents = link(texts, [("a", "Sea of Japan", "place"), ("a", "Hubei province", "place"), ("a", "U.S. Army", "military_unit"),
                        ("a", "City of London", "place"), ("b", "Japan Sea", "place"), ("b", "Hubei", "place"),
                        ("b", "United States Army", "military_unit"), ("b", "London", "place"),
                        ("b", "Mexico City", "place"), ("c", "US Army", "military_unit"), ("c", "Mexico", "state")])
    assert same(ents, "Sea of Japan", "Japan Sea")
    assert same(ents, "Hubei province", "Hubei")
    assert same(ents, "City of London", "London")
    assert same(ents, "U.S. Army", "United States Army", "US Army")
    assert not same(ents, "Mexico City", "Mexico")


def test_a_one_off_typo_of_a_common_word_but_not_a_different_short_name():
    texts = {"a": "The Parliament met. Parliament voted. The British Parliament rose. The British Parliment adjourned.",
             "b": "Iran and Iraq fought; Niger and Nigeria did not; Austria and Australia never met."}
    ents = link(texts, [("a", "Parliament", "organization"), ("a", "Parliament", "organization"),
                        ("a", "British Parliament", "organization"), ("a", "British Parliment", "organization"),
                        ("b", "Iran", "state"), ("b", "Iraq", "state"), ("b", "Niger", "state"), ("b", "Nigeria", "state"),
                        ("b", "Austria", "state"), ("b", "Australia", "state")])
    assert same(ents, "British Parliament", "British Parliment")
    for a, b in (("Iran", "Iraq"), ("Niger", "Nigeria"), ("Austria", "Australia")):
        assert not same(ents, a, b)


# --- guards against wrong merges ---------------------------------------------------------------

def test_two_people_with_one_surname_are_not_merged_and_the_bare_surname_stays_apart():
    texts = {"a": "Andrew Johnson succeeded Lincoln in 1865.", "b": "Lyndon B. Johnson signed the act. Johnson smiled.",
             "c": "President Johnson vetoed it. Admiral Johnson disagreed."}
    ents = link(texts, [("a", "Andrew Johnson", "person"), ("a", "Lincoln", "person"), ("b", "Lyndon B. Johnson", "person"),
                        ("b", "Johnson", "person"), ("c", "Johnson", "person"), ("c", "Johnson", "person")])
    assert not same(ents, "Andrew Johnson", "Lyndon B. Johnson")
    assert not same(ents, "Johnson", "Andrew Johnson") and not same(ents, "Johnson", "Lyndon B. Johnson")


def test_titled_surnames_with_different_titles_are_not_one_person():
    texts = {"a": "President Harrison spoke. General Harrison rode off. Harrison was tired."}
    ents = link(texts, [("a", "President Harrison", "person"), ("a", "General Harrison", "person"), ("a", "Harrison", "person")])
    assert not same(ents, "President Harrison", "General Harrison")


def test_near_identical_names_of_different_islands_and_north_south():
    texts = {"a": "Raiders hit Ko Tao and Ko Tan, then Ko Samui. North Dakota and South Dakota were once Dakota.",
             "b": "The White House and the House disagreed. The US Navy, the Royal Navy and the Navy sailed."}
    ents = link(texts, [("a", "Ko Tao", "place"), ("a", "Ko Tan", "place"), ("a", "Ko Samui", "place"),
                        ("a", "North Dakota", "place"), ("a", "South Dakota", "place"), ("a", "Dakota", "place"),
                        ("b", "White House", "place"), ("b", "House", "organization"), ("b", "US Navy", "military_unit"),
                        ("b", "Royal Navy", "military_unit"), ("b", "Navy", "military_unit")])
    assert len({id(entity_with(ents, n)) for n in ("Ko Tao", "Ko Tan", "Ko Samui")}) == 3
    assert len({id(entity_with(ents, n)) for n in ("North Dakota", "South Dakota", "Dakota")}) == 3
    assert not same(ents, "White House", "House")
    assert not same(ents, "Navy", "US Navy") and not same(ents, "Navy", "Royal Navy")


def test_a_head_with_a_single_state_modifier_is_its_short_form():
    texts = {"a": "The United States Congress passed the act.", "b": "Congress adjourned in August."}
    ents = link(texts, [("a", "United States Congress", "organization"), ("b", "Congress", "organization")])
    assert same(ents, "United States Congress", "Congress")
    assert entity_with(ents, "Congress").alias_links["Congress"].rule == "short form" or \
        entity_with(ents, "Congress").alias_links["United States Congress"].rule == "short form"


def test_a_parenthesis_that_places_or_states_is_not_a_second_name():
    texts = {"a": "Riots in Wuhan (Hubei) spread. The province of Hubei closed. Lyon (France) rose. Lyon (Rhône) too.",
             "b": "Senator Smith (D-Ohio) objected. The Bank of Spain (Madrid) lent."}
    ents = link(texts, [("a", "Wuhan", "place"), ("a", "Hubei", "place"), ("a", "Hubei", "place"), ("a", "Lyon", "place"),
                        ("a", "France", "state"), ("a", "Lyon", "place"), ("a", "Rhône", "place"),
                        ("b", "Smith", "person"), ("b", "Bank of Spain", "organization"), ("b", "Madrid", "place")])
    assert not same(ents, "Wuhan", "Hubei")
    assert not same(ents, "Lyon", "France")
    assert "D-Ohio" not in entity_with(ents, "Smith").aliases
    assert not same(ents, "Bank of Spain", "Madrid")


# --- the word lists are data ------------------------------------------------------------------

def test_user_word_lists_extend_the_bundled_ones(tmp_path):
    words = tmp_path / "words.tsv"
    words.write_text("# mine\nhnoms\tship_prefix\tRoyal Norwegian Navy\n", encoding="utf-8")
    lexicon = read_lexicon([words])
    assert "hnoms" in lexicon.of("ship_prefix") and "uss" in lexicon.of("ship_prefix")
    texts = {"a": "HNoMS Olav sailed. Olav returned."}
    ents = link(texts, [("a", "HNoMS Olav", "military_unit"), ("a", "Olav", "military_unit")], lexicon=lexicon)
    assert same(ents, "HNoMS Olav", "Olav")
    bad = tmp_path / "bad.tsv"
    bad.write_text("uss\tboat_prefix\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.tsv:1: unknown kind 'boat_prefix'"):
        read_lexicon([bad])


def test_a_legal_form_joins_two_organizations_only():
    texts = {"a": "Ford Motor Company cut jobs; Ford Motor hired. The East India Company ruled East India."}
    ents = link(texts, [("a", "Ford Motor Company", "organization"), ("a", "Ford Motor", "organization"),
                        ("a", "East India Company", "organization"), ("a", "East India", "place")])
    assert same(ents, "Ford Motor Company", "Ford Motor")
    assert not same(ents, "East India Company", "East India")


def test_a_ship_prefix_or_a_generic_place_word_gives_the_entity_its_type():
    texts = {"a": "HMS Belfast fired. Belfast was hit. Hubei province rose; Hubei fell."}
    ents = link(texts, [("a", "HMS Belfast", "person"), ("a", "Belfast", "place"),
                        ("a", "Hubei province", "place"), ("a", "Hubei", "person")])
    assert entity_with(ents, "Belfast").type == "military_unit"
    assert entity_with(ents, "Hubei").type == "place"


def test_a_ship_named_after_a_place_or_a_state_keeps_apart_from_it():
    texts = {"a": "USS America sailed from Norfolk. HMS Belfast fired.", "b": "America protested. Riots shook Belfast."}
    ents = link(texts, [("a", "USS America", "military_unit"), ("a", "Norfolk", "place"), ("a", "HMS Belfast", "military_unit"),
                        ("b", "America", "state"), ("b", "Belfast", "place")])
    assert not same(ents, "USS America", "America")
    assert not same(ents, "HMS Belfast", "Belfast")


def test_cue_words_and_parentheses_outweigh_the_annotators_type_guess():
    texts = {"a": "Marshal Mannerheim, also called the White General, led. The port of Viipuri (Vyborg) was ceded.",
             "b": "Vyborg became a Soviet town."}
    ents = link(texts, [("a", "Mannerheim", "person"), ("a", "White General", "organization"),
                        ("a", "Viipuri", "place"), ("a", "Vyborg", "organization"), ("b", "Vyborg", "organization")])
    assert same(ents, "Mannerheim", "White General")
    assert same(ents, "Viipuri", "Vyborg")


def test_a_second_name_given_for_two_different_things_joins_neither():
    texts = {"a": "Francisco Franco, also called the Caudillo, ruled Spain.",
             "b": "Juan Perón, also called the Caudillo, ruled Argentina.",
             "c": "The National Security Agency (NSA) listened. The National Security Archive (NSA) published."}
    ents = link(texts, [("a", "Francisco Franco", "person"), ("b", "Juan Perón", "person"),
                        ("c", "National Security Agency", "organization"), ("c", "NSA", "organization"),
                        ("c", "National Security Archive", "organization"), ("c", "NSA", "organization")])
    assert not same(ents, "Francisco Franco", "Juan Perón")
    assert not same(ents, "National Security Agency", "National Security Archive")


def test_a_second_name_taken_from_the_text_stops_at_the_end_of_its_sentence():
    texts = {"a": "Francisco Franco, also called the Caudillo. He ruled. Leningrad, formerly St. Petersburg, grew."}
    ents = link(texts, [("a", "Francisco Franco", "person"), ("a", "Leningrad", "place")])
    assert "Caudillo" in entity_with(ents, "Francisco Franco").aliases
    assert "St. Petersburg" in entity_with(ents, "Leningrad").aliases
