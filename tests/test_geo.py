"""Places located offline: GeoNames cities and countries, a user gazetteer, and honest refusals.

The names are from other wars and centuries than the bundled corpora (Napoleonic Belgium, the
Crimean War, the Danube, Vietnam, East Prussia), so the rules cannot be fitted to our texts.
"""

from __future__ import annotations

import json

import pytest

from timeweave.geo import GazetteerError, build_gazetteer, locate, read_user_gazetteer


@pytest.fixture(scope="module")
def gaz():
    return build_gazetteer()


def test_a_large_city_is_located_by_its_name_or_a_latin_alternate_name(gaz):
    paris = locate(1, "Paris", "place", [], gaz)
    assert paris.located and 48 < paris.lat < 49 and 2 < paris.lon < 3
    assert paris.gazetteer_id.startswith("https://sws.geonames.org/")
    assert not locate(1, "Paris", "place", [], build_gazetteer(min_population=10**8)).located  # geo_min_population
    saigon = locate(2, "Saigon", "place", [], gaz)  # an old name GeoNames keeps as an alternate
    assert saigon.located and 10 < saigon.lat < 11.5 and "Ho Chi Minh" in saigon.how


def test_a_country_is_drawn_at_its_capital_and_says_so(gaz):
    belgium = locate(3, "Belgium", "state", [], gaz)
    assert belgium.located and belgium.certainty == "less-certain" and "capital Brussels" in belgium.how


def test_rivers_lakes_and_regions_are_never_guessed(gaz):
    # 'Danube' alone matches no city, but the alias says it is a river: no city lookup at all.
    for name, aliases in [("Danube", ["Danube River"]), ("Lake Titicaca", []), ("Crimean peninsula", []),
                          ("Kwantung province", [])]:
        where = locate(4, name, "place", aliases, gaz)
        assert not where.located and where.lat is None and "not a settlement" in where.how, name


def test_a_building_is_not_the_city_that_translates_its_name(gaz):
    """'Casablanca' means 'white house' and GeoNames lists that translation; a building is never a city."""
    for name in ["White House", "Winter Palace", "Fort Sumter"]:
        where = locate(10, name, "place", [], gaz)
        assert not where.located and "building" in where.how, name
    assert locate(11, "Fort Worth", "place", [], gaz).located  # a city's own name holding the word still matches


def test_a_town_sharing_a_name_with_a_river_elsewhere_is_not_taken(gaz):
    """A name found only as a small town (under geo_min_population) is left unlocated, not guessed."""
    small = locate(5, "Inkerman", "place", [], gaz)  # the 1854 battle; no large city of that name
    assert not small.located and small.how.startswith("unlocated")


def test_namesakes_of_similar_size_are_ambiguous(gaz):
    """Waterloo (Belgium) and Waterloo (Ontario): neither is picked; the reason lists them."""
    low = build_gazetteer(min_population=15000)
    where = locate(6, "Waterloo", "place", [], low)
    assert not where.located and "ambiguous" in where.how


def test_the_user_gazetteer_wins_and_its_years_choose_the_name(tmp_path):
    path = tmp_path / "prussia.csv"
    path.write_text(
        "# places of East Prussia, from a 1900 atlas\n"
        "name,alternate_names,lat,lon,start,end,note\n"
        "Königsberg,Koenigsberg;Krolewiec,54.71,20.51,1255,1946,city before 1946\n"
        "Danube,Donau;Dunărea,45.2,29.7,,,river mouth\n", encoding="utf-8")
    gaz = build_gazetteer(path)
    before = locate(7, "Koenigsberg", "place", [], gaz, years=(1807, 1807))
    assert before.located and before.gazetteer_id == "user:prussia.csv#3" and "1900" not in before.how
    after = locate(7, "Koenigsberg", "place", [], gaz, years=(1960, 1961))
    # Outside the row's years the user row does not apply; GeoNames knows the old name of Kaliningrad.
    assert after.gazetteer_id.startswith("https://sws.geonames.org/") and "Kaliningrad" in after.how
    river = locate(8, "Danube", "place", ["Danube River"], gaz)
    assert river.located and river.lat == 45.2 and "user gazetteer prussia.csv" in river.how


def test_a_linked_places_gazetteer_is_read(tmp_path):
    path = tmp_path / "lp.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "@id": "https://example.org/places/balaklava", "type": "Feature",
        "properties": {"title": "Balaklava"}, "names": [{"toponym": "Balaclava"}],
        "geometry": {"type": "Point", "coordinates": [33.6, 44.5]},
        "when": {"timespans": [{"start": {"in": "1800"}, "end": {"in": "1900"}}]}}]}), encoding="utf-8")
    entries = read_user_gazetteer(path)
    assert entries[0].name == "Balaklava" and entries[0].names == ("Balaclava",) and (entries[0].start, entries[0].end) == (1800, 1900)
    where = locate(9, "Balaclava", "place", [], build_gazetteer(path), years=(1854, 1854))
    assert where.located and where.gazetteer_id == "https://example.org/places/balaklava"


def test_a_bad_gazetteer_row_names_the_file_and_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,lat,lon\nAusterlitz,49.15,east\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"bad.csv, row 2: lon 'east'"):
        read_user_gazetteer(path)
    with pytest.raises(GazetteerError, match="does not exist"):
        read_user_gazetteer(tmp_path / "missing.csv")


def test_the_settings_recorded_with_the_build_are_used(tmp_path):
    """`--set gazetteer=... --set geo_min_population=...` at build time reach the map and the exports."""
    from sqlalchemy import insert

    from serve_fixtures import make_fixture_store
    from timeweave.config import resolve
    from timeweave.geo import place_locations
    from timeweave.store import open_store
    from timeweave.store import schema as t

    gazetteer = tmp_path / "lakes.csv"
    gazetteer.write_text("name,alternate_names,lat,lon\nLake Khasan,Changkufeng,42.43,130.6\n", encoding="utf-8")
    engine = open_store(make_fixture_store(tmp_path / "f.db"), create=False)
    with engine.connect() as conn:
        before = place_locations(conn)
    assert not before[9].located
    with engine.begin() as conn:
        conn.execute(insert(t.runs).values(started_at="2025-01-02", finished_at="2025-01-02", status="ok", command="test",
                                           versions={}, config=resolve({"gazetteer": str(gazetteer)})))
    with engine.connect() as conn:
        after = place_locations(conn)
    assert after[9].located and after[9].lat == 42.43 and "lakes.csv" in after[9].how
    assert place_locations(engine.connect(), min_population=10**9)[3].located  # a country needs no population
