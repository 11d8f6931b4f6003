"""In-process tests of the web UI: every route and its JSON twin, the error shape, versions, safety."""

from __future__ import annotations

import re

import pytest
import sqlalchemy
from fastapi.testclient import TestClient

from serve_fixtures import make_fixture_store, make_synthetic_store
from timeweave.errors import TimeweaveError
from timeweave.serve import create_app, serve
from timeweave.serve.app import check_host
from timeweave.serve.timeline import fuzzy_ends, parse_day
from timeweave.store import open_store
from timeweave.store.search import fts5_query, search

PAGES = ["/", "/timeline", "/events", "/events/1", "/events/3", "/events/8", "/entities", "/entities/6",
         "/sources", "/sources/batbayar-2000", "/sources/russian-mfa-2024", "/sources/hostile-doc",
         "/comparisons", "/search?q=Nomonhan", "/-/versions"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return make_fixture_store(tmp_path_factory.mktemp("serve") / "fixture.db")


@pytest.fixture(scope="module")
def client(store):
    return TestClient(create_app(store))


def twin(path: str) -> str:
    base, _, query = path.partition("?")
    return ("/index.json" if base == "/" else base + ".json") + ("?" + query if query else "")


@pytest.mark.parametrize("path", PAGES)
def test_page_and_json_twin(client, path):
    html = client.get(path)
    assert html.status_code == 200, html.text
    assert html.headers["content-type"].startswith("text/html")
    alternate = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)">', html.text)
    assert alternate and alternate.group(1).replace("&amp;", "&") == twin(path)
    data = client.get(twin(path))
    assert data.status_code == 200 and data.json()["ok"] is True
    assert "Content-Security-Policy" in html.headers


def test_overview_shows_counts_contested_and_failures(client):
    data = client.get("/index.json").json()
    assert data["counts"]["sources"] == 6 and data["counts"]["events"] == 9
    assert {k["kind"] for k in data["kinds"]} >= {"abstract", "web_page", "social_media_post"}
    assert data["contested"][0]["contradictions"] >= 1
    assert [f["code"] for f in data["failures"]] == ["T012", "T020"]
    page = client.get("/").text
    assert "no text layer" in page and "Most contested events" in page


def test_event_evidence_grouped_by_source_with_links_and_comparisons(client):
    data = client.get("/events/1.json").json()
    assert data["event"]["status"] == "contested"
    assert len(data["evidence"]) == 4 and len(data["lanes"]) == 4
    quote = data["evidence"][0]["quotes"][0]
    assert quote["before"] + quote["trigger"] + quote["after"] == quote["quote"]
    assert {c["kind"] for c in data["comparisons"]} == {"agree", "differ_in_framing"}
    page = client.get("/events/1").text
    assert f'/sources/{data["evidence"][0]["source"]}#c-{quote["start"]}-{quote["end"]}' in page
    sub = client.get("/events/3.json").json()
    assert sub["parent"]["id"] == 2 and client.get("/events/2.json").json()["sub_events"][0]["id"] == 3


def test_source_page_marks_boilerplate_duplicates_and_quote_anchors(client):
    data = client.get("/sources/russian-mfa-2024.json").json()
    assert any(b.get("duplicate_of") for b in data["blocks"])
    page = client.get("/sources/batbayar-2000").text
    assert "role-boilerplate" in page and 'class="seg ' in page and "seg tx" in page
    event = client.get("/events/2.json").json()
    batbayar = next(g for g in event["evidence"] if g["source"] == "batbayar-2000")["quotes"][0]
    assert f'id="c-{batbayar["start"]}-{batbayar["end"]}"' in page
    assert client.get("/sources/batbayar-2000.json").json()["only_here"]["events"][0]["id"] == 8


def test_entity_aliases_events_and_partners(client):
    data = client.get("/entities/6.json").json()
    assert {a["text"] for a in data["aliases"]} >= {"Nomonhan", "Khalkhin-Gol"}
    nomonhan = next(a for a in data["aliases"] if a["text"] == "Nomonhan")
    assert [s["source"] for s in nomonhan["sources"]] == ["batbayar-2000"]
    assert {e["id"] for e in data["events"]} == {2, 3}
    assert "<svg class=\"mini\"" in client.get("/entities/6").text
    assert any(p["name"] == "Red Army" for p in client.get("/entities/3.json").json()["acts_with"])


def test_hostile_document_is_escaped_everywhere(client):
    for path in ["/sources/hostile-doc", "/events/9", "/entities/10", "/sources", "/timeline", "/events", "/search?q=council"]:
        page = client.get(path).text
        assert "<script>window" not in page, path
        assert "<img src=x" not in page and "<svg onload" not in page, path
    page = client.get("/sources/hostile-doc").text
    assert "&lt;script&gt;window.__pwned" in page
    assert 'href="javascript:' not in page  # the source's javascript: URL is shown, never linked


def test_timeline_json_events_mode_with_fuzzy_ends_and_lanes(client):
    data = client.get("/timeline.json").json()
    assert data["mode"] == "events" and data["undated"] == 1
    by_id = {e["id"]: e for e in data["events"]}
    assert by_id[5]["fuzzy"] == [False, False]  # an exact day
    assert by_id[7]["fuzzy"] == [True, True]  # "1938~"
    assert len(by_id[4]["lanes"]) == 2 and by_id[4]["lanes"][0]["source"] == "zhabaeva-2021"
    window = client.get("/timeline.json?start=1936&end=1936").json()
    assert {e["id"] for e in window["events"]} == {1, 5}


@pytest.mark.parametrize("query,expected", [
    ("entity=6", {2, 3}), ("source=zhabaeva-2021", {4}), ("kind=abstract", {1, 2, 4}), ("type=treaty", {1, 5}),
    ("status=contested", {1, 4, 7}), ("from=1937&to=1938-06", {6, 7, 9}),
])
def test_filters_on_timeline_and_event_list(client, query, expected):
    assert {e["id"] for e in client.get(f"/timeline.json?{query}").json()["events"]} == expected
    listed = {e["id"] for e in client.get(f"/events.json?{query}").json()["events"]}
    assert listed == expected


def test_timeline_aggregates_when_many(tmp_path):
    client = TestClient(create_app(make_synthetic_store(tmp_path / "syn.db", 3000)))
    wide = client.get("/timeline.json?start=1900&end=1999&bins=50").json()
    assert wide["mode"] == "bins" and len(wide["bins"]) <= 50
    assert sum(b["total"] for b in wide["bins"]) == wide["total"] > 300
    assert all(b["total"] == b["corroborated"] + b["single_source"] + b["contested"] for b in wide["bins"])
    narrow = client.get("/timeline.json?start=1950-03&end=1950-03&bins=50").json()
    assert narrow["mode"] == "events" and narrow["total"] == len(narrow["events"]) < 300
    fit = client.get("/timeline.json").json()
    assert fit["extent"]["earliest"] >= "1900-01-01" and fit["undated"] > 0


def test_pagination(tmp_path):
    client = TestClient(create_app(make_synthetic_store(tmp_path / "syn.db", 120)))
    first, last = client.get("/events.json").json(), client.get("/events.json?page=3").json()
    assert first["pager"] == {"page": 1, "pages": 3, "total": 120, "size": 50}
    assert len(last["events"]) == 20
    assert 'rel="next" href="?page=2"' in client.get("/events").text


def test_comparisons_filters(client):
    default = client.get("/comparisons.json").json()
    assert {c["kind"] for c in default["comparisons"]} == {"contradict", "differ_in_framing", "single_source"}
    assert {c["kind"] for c in client.get("/comparisons.json?kind=agree").json()["comparisons"]} == {"agree"}
    by_source = client.get("/comparisons.json?source=zhabaeva-2021").json()["comparisons"]
    assert [c["event"] for c in by_source] == [4]
    assert [c["event"] for c in client.get("/comparisons.json?event=3").json()["comparisons"]] == [3]


def test_search_finds_passages_and_events_and_links_to_quotes(client):
    data = client.get("/search.json?q=Nomonhan").json()
    kinds = {r["kind"] for r in data["results"]}
    assert kinds == {"passage", "event"}
    passage = next(r for r in data["results"] if r["kind"] == "passage")
    assert passage["href"] == f"/sources/{passage['source_id']}#c-{passage['start']}-{passage['end']}"
    assert any(p["hit"] and p["text"] == "Nomonhan" for p in passage["pieces"])
    assert any(r["kind"] == "event" and r["ref"] == "2" for r in data["results"])


@pytest.mark.parametrize("q", ['"', "a OR (", "NEAR(x y)", "*", "-", "col:val", "'; DROP TABLE events; --", "ü" * 600, "   "])
def test_search_is_safe_for_any_query(client, store, q):
    assert client.get("/search.json", params={"q": q}).status_code == 200
    assert isinstance(search(open_store(store, create=False), q), list)


def test_fts5_query_quotes_every_word():
    assert fts5_query('Khalkhin "Gol" OR') == '"Khalkhin" "Gol" "OR"'


def test_error_shape_json_and_html(client):
    for path, status in [("/events/999.json", 404), ("/events/abc.json", 404), ("/sources/..%2f..%2fetc.json", 404),
                         ("/nothing.json", 404), ("/timeline.json?status=maybe", 400), ("/events.json?page=x", 400),
                         ("/timeline.json?from=1936-3", 400), ("/entities.json?type=DROP%20TABLE", 400)]:
        response = client.get(path)
        assert response.status_code == status, path
        body = response.json()
        assert set(body) == {"ok", "error", "status"} and body["ok"] is False and body["status"] == status
    page = client.get("/events/999")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "No event 999" in page.text and "/events" in page.text


def test_static_files_and_no_traversal(client):
    assert client.get("/-/static/timeline.js").status_code == 200
    for path in ["/-/static/../app.py", "/-/static/%2e%2e/app.py", "/-/static/..%2fapp.py", "/-/static/templates/base.html"]:
        assert client.get(path).status_code == 404, path


def test_versions(client):
    v = client.get("/-/versions.json").json()["versions"]
    assert {"timeweave", "python", "sqlite", "spacy"} <= set(v)
    assert v["last_build"]["versions"]["model"] == "en_core_web_sm-3.8.0"


def test_only_get(client):
    assert client.post("/events").status_code == 405


def test_serve_refuses_public_host_without_flag(store):
    for host in ("127.0.0.1", "localhost", "::1"):
        check_host(host, public=False)
    with pytest.raises(TimeweaveError, match="--public"):
        serve(store, host="0.0.0.0", port=0)
    check_host("0.0.0.0", public=True)


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(TimeweaveError, match="timeweave build"):
        create_app(tmp_path / "nope.db")


def test_date_helpers():
    assert fuzzy_ends("1936-03-12") == [False, False]
    assert fuzzy_ends("1936-03") == [True, True]
    assert fuzzy_ends("1939-05-11/1939-09-16") == [False, False]
    assert fuzzy_ends("1939-05/1939-09-16") == [True, False]
    assert fuzzy_ends(None) == [True, True]
    assert str(parse_day("1936-02", end=True)) == "1936-02-29"
    with pytest.raises(ValueError):
        parse_day("March 1936")


def test_a_store_without_the_timeline_index_gives_the_same_timeline(tmp_path):
    # a store built before the derived timeline_index existed is still served, from the events table
    path = make_synthetic_store(tmp_path / "old.db", 3000)
    client = TestClient(create_app(path))
    queries = ["/timeline.json?start=1900&end=1999&bins=50", "/timeline.json?start=1950-03&end=1950-03&bins=50",
               "/timeline.json?status=contested&start=1900&end=1999&bins=20"]
    indexed = [client.get(q).json() for q in queries]
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for table in ("timeline_index", "timeline_arrays", "read_index_state"):  # everything the timeline reads
            conn.exec_driver_sql(f"DROP TABLE {table}")
    engine.dispose()
    fallback = [TestClient(create_app(path)).get(q).json() for q in queries]
    for a, b in zip(indexed, fallback):
        assert (a["mode"], a["total"], a["start"], a["end"]) == (b["mode"], b["total"], b["start"], b["end"])
        if a["mode"] == "bins":
            assert sum(x["total"] for x in b["bins"]) == b["total"]
            assert [x["total"] for x in a["bins"]] == [x["total"] for x in b["bins"]]
        else:
            assert {e["id"] for e in a["events"]} == {e["id"] for e in b["events"]}
