"""/map and /network with their .json twins: places and actors under the timeline's filters, quotes exact."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from serve_fixtures import make_fixture_store
from timeweave.serve import create_app
from timeweave.store import open_store
from timeweave.store import schema as t


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return make_fixture_store(tmp_path_factory.mktemp("map") / "fixture.db")


@pytest.fixture(scope="module")
def client(store):
    return TestClient(create_app(store))


@pytest.fixture(scope="module")
def texts(store):
    with open_store(store, create=False).connect() as conn:
        return {r.source_id: r.text for r in conn.execute(select(t.texts))}


def _exact(texts, events) -> int:
    n = 0
    for event in events:
        for q in event["quotes"]:
            assert texts[q["source"]][q["start"]:q["end"]] == q["quote"]
            n += 1
    return n


def test_map_json_lists_located_and_unlocated_places(client):
    data = client.get("/map.json").json()
    assert data["ok"] is True
    located = {p["name"]: p for p in data["places"]}
    assert "Japan" in located and -90 <= located["Japan"]["lat"] <= 90 and located["Japan"]["certainty"] == "less-certain"
    unlocated = {p["name"]: p for p in data["unlocated"]}
    assert unlocated["Khalkhin Gol"]["events"] == 2 and "not a settlement" in unlocated["Khalkhin Gol"]["how"]
    assert "Lake Khasan" in unlocated and not any("lat" in p for p in data["unlocated"])


def test_a_place_opens_with_its_events_and_exact_quotes(client, texts):
    data = client.get("/map.json?place=6").json()
    assert data["place"]["name"] == "Khalkhin Gol"
    assert [e["label"] for e in data["events"]] == ["Battles of Khalkhin Gol", "Japanese troops expelled from Mongolian territory"]
    assert _exact(texts, data["events"]) >= 3


def test_the_time_filter_is_the_timelines(client):
    inside = client.get("/map.json?from=1939&to=1939").json()
    assert [p["name"] for p in inside["unlocated"]] == ["Khalkhin Gol"] and inside["filters"] == {"from": "1939", "to": "1939"}
    before = client.get("/map.json?to=1938").json()
    assert before["places"] == [] and all(p["name"] != "Khalkhin Gol" for p in before["unlocated"])
    assert client.get("/map.json?place=6&to=1938").json()["events"] == []


def test_network_json_links_actors_by_shared_events(client, texts):
    data = client.get("/network.json").json()
    names = {n["id"]: n["name"] for n in data["nodes"]}
    edges = {(e["a"], e["b"]): e for e in data["edges"]}
    assert names[1] == "Soviet Union" and names[2] == "Mongolian People's Republic"
    assert edges[(1, 2)]["weight"] >= 2 and edges[(1, 2)]["first"] <= "1936-03-12"
    link = client.get("/network.json?a=1&b=2").json()
    assert link["link"]["a"]["name"] == "Soviet Union"
    assert {e["id"] for e in link["events"]} >= {1, 2}
    assert _exact(texts, link["events"]) >= 5
    narrowed = client.get("/network.json?from=1936-03&to=1936-03").json()
    assert {(e["a"], e["b"]) for e in narrowed["edges"]} == {(1, 2)} and narrowed["edges"][0]["weight"] == 1


@pytest.mark.parametrize("path, message", [
    ("/map.json?place=abc", "Invalid place='abc'"), ("/map.json?place=999", "no place entity"),
    ("/map.json?from=19x", "Invalid from='19x'"), ("/network.json?a=1", "two different entity ids"),
    ("/network.json?a=1&b=1", "two different entity ids"), ("/network.json?nodes=0", "Invalid nodes='0'"),
    ("/network.json?status=lost", "Invalid status='lost'"),
])
def test_bad_parameters_are_400_with_the_error_shape(client, path, message):
    response = client.get(path)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["status"] == 400 and message in body["error"]


@pytest.mark.parametrize("path", ["/map", "/network", "/map?place=6", "/network?a=1&b=2&from=1936"])
def test_html_pages_have_their_json_twin(client, path):
    response = client.get(path)
    assert response.status_code == 200
    twin = path.replace("?", ".json?", 1) if "?" in path else path + ".json"
    assert f'<link rel="alternate" type="application/json" href="{twin.replace("&", "&amp;")}">' in response.text
    assert '<a href="/map">Map</a>' in response.text and "<script>window.__pwned" not in response.text


def test_the_hostile_entity_name_is_escaped_on_the_network_page(client):
    page = client.get("/network").text
    assert "<img src=x onerror" not in page


def _sql_reference(conn, filters):
    """The same counts by SQL over `event_conditions` (what the in-memory index must equal)."""
    from sqlalchemy import and_, func

    from timeweave.serve.filters import event_conditions

    e = t.events.c
    places = {r.place: (r.n, r.first, r.last) for r in conn.execute(
        select(e.place, func.count().label("n"), func.min(e.earliest).label("first"), func.max(e.latest).label("last"))
        .where(e.place.is_not(None), *event_conditions(filters)).group_by(e.place))}
    p1, p2 = t.event_participants.alias("p1"), t.event_participants.alias("p2")
    links = {(r.a, r.b): (r.n, r.first, r.last) for r in conn.execute(
        select(p1.c.entity_id.label("a"), p2.c.entity_id.label("b"), func.count(func.distinct(p1.c.event_id)).label("n"),
               func.min(e.earliest).label("first"), func.max(e.latest).label("last"))
        .join(p2, and_(p2.c.event_id == p1.c.event_id, p2.c.entity_id > p1.c.entity_id))
        .join(t.events, e.id == p1.c.event_id).where(*event_conditions(filters)).group_by(p1.c.entity_id, p2.c.entity_id))}
    return places, links


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """2,000 synthetic events given places and a second actor each (as bench/web.py does at 100,000)."""
    from sqlalchemy import insert, text

    from serve_fixtures import make_synthetic_store

    db = make_synthetic_store(tmp_path_factory.mktemp("synthetic") / "s.db", 2000)
    engine = open_store(db, create=False)
    with engine.begin() as conn:
        conn.execute(text("UPDATE events SET place = 31 + (id % 20) WHERE id % 5 != 0"))
        conn.execute(insert(t.event_participants), [{"event_id": i, "entity_id": 1 + (i * 7 + 3) % 30, "role": "patient"}
                                                     for i in range(1, 2001) if 1 + (i * 7 + 3) % 30 != 1 + i % 50])
    return db


@pytest.mark.parametrize("query", [
    {}, {"from": "1930", "to": "1939"}, {"from": "1936-03", "to": "1936-03"}, {"to": "1910-06-30"},
    {"status": "contested"}, {"type": "treaty", "from": "1950"}, {"entity": "7"}, {"entity": "33"},
    {"source": "s3"}, {"kind": "news", "status": "corroborated", "to": "1960"}, {"entity": "2", "source": "zhabaeva-2020"},
])
@pytest.mark.parametrize("which", ["fixture", "synthetic"])
def test_the_index_counts_what_sql_counts(store, synthetic, which, query):
    from timeweave.serve.filters import parse_filters
    from timeweave.serve.maps_index import build_index

    engine = open_store(store if which == "fixture" else synthetic, create=False)
    filters = parse_filters(query)
    with engine.connect() as conn:
        index = build_index(conn, None)
        places, links = _sql_reference(conn, filters)
    keep = index.mask(filters)
    if not query:
        assert len(places) >= 2 and len(links) >= 5  # the comparison is not between two empty sets
    assert index.places(keep) == places
    assert {(a, b): (n, f, x) for a, b, n, f, x in index.links(keep)} == links


@pytest.mark.parametrize("day", ["1939-05-11", "0044-03-15", "-0044-03-15", "-0001-12-31", "-0001-01-01", "0001-01-01"])
def test_day_keys_keep_the_order_of_dates_and_read_back(day):
    from timeweave.serve.maps_index import day_key, key_day

    assert key_day(day_key(day)) == day
    assert day_key("-0045-12-31") < day_key("-0044-01-01") < day_key("-0044-03-15") < day_key("0001-01-01") < day_key(day) + 10**9
