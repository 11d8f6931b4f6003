"""The knowledge tables and the gazetteer over them: names resolve by year, files extend and override.

Sentences and names here are deliberately not from the bundled or dev corpora.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from timeweave import knowledge
from timeweave.annotate.entities import gazetteer
from timeweave.errors import ConfigError


@pytest.fixture(autouse=True)
def bundled_only():
    knowledge.use(None)
    yield
    knowledge.use(None)


def state(text, year=None):
    found = gazetteer.lookup(text, year=year)
    return (found[0].name, found[1]) if found else None


def test_every_file_has_a_provenance_header_and_every_hand_row_a_source():
    for path in sorted(knowledge.BUNDLED.glob("*.tsv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("#"), f"{path.name} has no header saying where its rows come from"
        header = next(line for line in lines if not line.startswith("#")).split("\t")
        assert "source" in header, path.name
        rows = [dict(zip(header, line.split("\t"), strict=False)) for line in lines
                if line and not line.startswith("#")][1:]
        assert rows and all(r.get("source", "").strip() for r in rows), f"{path.name}: a row without a source"


def test_every_un_member_is_a_state_with_a_name():
    kn = knowledge.load()
    members = [s for s in kn.states.values() if s.iso3 and s.source.startswith("country-converter")]
    assert len(members) >= 193
    assert all(gazetteer.lookup(s.name) for s in members)


@pytest.mark.parametrize(("text", "year", "expected"), [
    ("Moscow", 2008, ("Russia", "seat")),
    ("the Kremlin", 2019, ("Russia", "seat")),
    ("the Kremlin", 1939, ("Soviet Union", "seat")),
    ("Petrograd", 1915, ("Russian Empire", "seat")),
    ("St Petersburg", 1890, ("Russian Empire", "seat")),
    ("Berlin", 1975, ("East Germany", "seat")),
    ("Bonn", 1975, ("Germany", "seat")),
    ("Rome", 1850, ("Papal States", "seat")),
    ("Rome", 1950, ("Italy", "seat")),
    ("Constantinople", 1400, ("Byzantine Empire", "seat")),
    ("Constantinople", 1700, ("Ottoman Empire", "seat")),
    ("Whitehall", 1956, ("United Kingdom", "seat")),
    ("Quai d'Orsay", 1911, ("France", "seat")),
    ("Downing Street", 1982, ("United Kingdom", "seat")),
    ("Saigon", 1968, ("South Vietnam", "seat")),
    ("Hanoi", 1968, ("North Vietnam", "seat")),
    ("Hanoi", 1995, ("Vietnam", "seat")),
    ("Turkish", 1850, ("Ottoman Empire", "demonym")),
    ("Turkish", 1974, ("Turkey", "demonym")),
    ("Indian", 1917, ("British India", "demonym")),
    ("Indian", 1971, ("India", "demonym")),
])
def test_a_name_resolves_to_the_state_holding_it_in_that_year(text, year, expected):
    assert state(text, year) == expected


def test_a_year_no_holder_covers_resolves_to_nothing():
    assert state("Moscow", 1812) is None  # a city then, not a seat of a state in the tables
    assert state("Saigon", 1990) is None
    assert state("Vietnamese", 1965) is None  # North or South: left open
    assert state("Korean", 1951) is None


def test_without_a_year_the_holder_of_today_then_the_latest_holder_is_chosen():
    assert state("Moscow") == ("Russia", "seat")
    assert state("Petrograd") == ("Russian Empire", "seat")  # no holder today: the latest one


@pytest.mark.parametrize(("text", "expected"), [
    ("Iraqi", "Iraq"), ("Iraqis", "Iraq"), ("Israeli", "Israel"), ("Spanish", "Spain"), ("Iranian", "Iran"),
    ("Indian", "India"), ("North Vietnamese", "North Vietnam"), ("Czechoslovak", "Czechoslovakia"),
    ("Prussian", "Prussia"), ("Austro-Hungarian", "Austria-Hungary"), ("Soviets", "Soviet Union"),
    ("New Zealander", "New Zealand"),
])
def test_demonyms(text, expected):
    assert state(text, 1980 if text != "Prussian" and text != "Austro-Hungarian" else 1900) == (expected, "demonym")


def test_historical_states_are_known_by_name_whatever_the_year():
    for name in ("Manchukuo", "Prussia", "Austria-Hungary", "Yugoslavia", "Ottoman Empire", "Czechoslovakia",
                 "East Germany", "West Germany", "North Vietnam", "South Vietnam", "USSR", "Soviet Union"):
        assert gazetteer.lookup(name, year=2020), name  # "the collapse of the Soviet Union" in a 2020 text


def test_abbreviations_count_only_in_capitals():
    assert state("US") == ("United States", "alias")
    assert state("us") is None
    assert state("Us") is None


def test_armies_follow_the_year():
    japan = gazetteer.lookup("Japanese")[0]
    germany = gazetteer.lookup("German")[0]
    assert gazetteer.military_key(japan, year=1937) == "imperial japanese army"
    assert gazetteer.military_key(japan, year=2004) == "japan self defense forces"
    assert gazetteer.military_key(germany, year=1941) == "wehrmacht"
    assert gazetteer.military_key(germany, year=1980) == "bundeswehr"
    iraq = gazetteer.lookup("Iraqi")[0]
    assert gazetteer.military_key(iraq, year=1990) == "iraq armed forces"
    found = gazetteer.lookup("Bundeswehr")
    assert found[1] == "military" and found[0].name == "Germany" and found[0].military == "Bundeswehr"


def test_capitals_that_are_common_words_or_given_names_are_switched_off():
    assert gazetteer.lookup("Victoria") is None and gazetteer.lookup("Male") is None


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_a_user_folder_adds_states_and_replaces_names(tmp_path):
    write(tmp_path, "states.tsv", "# my project's states\nstate\tfrom\tto\tmilitary\tsource\n"
                                  "Far Eastern Republic\t1920\t1922\tPeople's Revolutionary Army\tmy reading\n")
    write(tmp_path, "names.tsv", "# my names\nname\tkind\tstate\tfrom\tto\tdefault\tsource\n"
                                 "Chita\tseat\tFar Eastern Republic\t1920\t1922\t\tmy reading\n"
                                 "Whitehall\tseat\t\t\t\t\tthis project reads it as the street\n")
    knowledge.use(str(tmp_path))
    assert state("Chita", 1921) == ("Far Eastern Republic", "seat")
    assert state("Chita", 1950) is None
    assert state("Whitehall", 1956) is None
    assert state("Kremlin", 1939) == ("Soviet Union", "seat")  # the rest of the bundle still holds
    knowledge.use(None)
    assert state("Chita", 1921) is None and state("Whitehall", 1956) == ("United Kingdom", "seat")


def test_a_bad_user_file_names_the_file_line_and_what_to_do(tmp_path):
    write(tmp_path, "names.tsv", "name\tkind\tstate\tfrom\tto\tdefault\tsource\nChita\tseat\tFar Eastern Republic\t"
                                 "nineteen-twenty\t\t\tx\n")
    with pytest.raises(ConfigError, match=r"names.tsv:2: the column 'from' must be a year"):
        knowledge.load(str(tmp_path))
    write(tmp_path, "names.tsv", "name\tkind\tstate\tfrom\tto\tdefault\tsource\nChita\tseat\tFar Eastern Republic\t\t\t\tx\n")
    with pytest.raises(ConfigError, match=r"names.tsv:2: 'Chita' names the state 'Far Eastern Republic', which no"):
        knowledge.load(str(tmp_path))
    with pytest.raises(ConfigError, match="does not exist"):
        knowledge.load(str(tmp_path / "missing"))


def test_word_lists_come_from_the_files_and_hold_other_languages():
    kn = knowledge.load()
    assert {"troops", "army", "navy"} <= kn.word_list("military_noun")
    assert {"gol", "darya", "reka", "jiang"} <= kn.word_list("place_suffix")
    assert {"wadi", "jebel", "río", "sierra", "lake"} <= kn.word_list("place_prefix")
    fitted = {"webmaster", "created", "considering", "comintern", "russ"}
    assert not fitted & (kn.word_list("boilerplate_word") | kn.word_list("org_word") | kn.word_list("noise_acronym"))
    assert "russ" in kn.word_list("bibliographic_abbreviation")  # a general class: "(in Russ.)", "Engl.", "Vol."
