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
