"""Bad requests get a 4xx in the one error shape, with the security headers; no query string makes a 500.

The malformed parameters of issue 16 first, then a property test (hypothesis) that sends arbitrary
query strings to every GET route the app registers, then the Host/Origin allowlist that stops a
web page from reading the local UI through DNS rebinding.
"""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from serve_fixtures import make_fixture_store
from timeweave.serve import create_app
from timeweave.serve.app import allowed_hosts

HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(make_fixture_store(tmp_path_factory.mktemp("web") / "fixture.db"))


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


def routes(app) -> list[str]:
    """Every GET path of the app, path parameters filled with a real id."""
    paths = []
    for route in app.routes:
        if isinstance(route, Route) and "GET" in (route.methods or ()) and not route.path.startswith("/-/edit"):
            paths.append(re.sub(r"\{source_id[^}]*\}", "batbayar-2000", re.sub(r"\{\w+:int\}", "1", route.path)))
    return sorted(set(paths))


def assert_error_shape(response, status: int | None = None) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    if status is not None:
        assert response.status_code == status
    for header in HEADERS:
        assert header in response.headers, header
    if response.headers["content-type"].startswith("application/json"):
        body = response.json()
        assert set(body) == {"ok", "error", "status"} and body["ok"] is False and body["status"] == response.status_code


@pytest.mark.parametrize("path", [
    "/timeline.json?from=1939-13", "/timeline.json?start=garbage", "/timeline.json?end=0000", "/timeline.json?bins=²",
    "/timeline.json?to=1939-02-30", "/timeline.json?start=1939-02-29", "/timeline.json?max=²", "/timeline?from=0000",
    "/events.json?from=2024-00", "/events.json?page=²", "/search.json?page=٣", "/entities.json?page=%F0%9F%98%80",
    "/comparisons.json?event=99999999999999999999", "/events.json?entity=１２",
])
def test_malformed_parameters_are_400(client, path):
    assert_error_shape(client.get(path), 400)


@pytest.mark.parametrize("path", ["/events/99999999999999999999", "/entities/99999999999999999999.json",
                                  "/events/99999999999999999999.json", "/entities/18446744073709551616"])
def test_ids_beyond_any_integer_are_404(client, path):
    assert_error_shape(client.get(path), 404)


def test_an_unexpected_error_keeps_the_shape_and_the_headers(app, monkeypatch):
    import timeweave.serve.pages as pages

    def broken(conn):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(pages, "overview", broken)
    logging.disable(logging.CRITICAL)
    try:
        response = TestClient(app, raise_server_exceptions=False).get("/index.json")
    finally:
        logging.disable(logging.NOTSET)
    assert response.status_code == 500 and response.json() == {
        "ok": False, "status": 500, "error": "Internal error (RuntimeError). The server log has the details."}
    for header in HEADERS:
        assert header in response.headers


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_values = st.one_of(_text, st.from_regex(r"-?\d{1,25}", fullmatch=True), st.from_regex(r"\d{4}(-\d{1,3}){0,2}", fullmatch=True))
_names = st.sampled_from(["from", "to", "start", "end", "bins", "max", "page", "entity", "source", "kind", "type",
                          "status", "event", "q", "_format", "min", "place", "id"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.lists(st.tuples(_names, _values), max_size=4), which=st.integers(min_value=0))
def test_any_query_string_on_any_route_is_below_500(app, client, params, which):
    paths = routes(app)
    path = paths[which % len(paths)]
    response = client.get(path, params=params)
    assert response.status_code < 500, (path, params, response.text[:300])
    for header in HEADERS:
        assert header in response.headers


def test_host_and_origin_allowlist(app):
    client = TestClient(app, raise_server_exceptions=False)
    app.state.allowed_hosts = allowed_hosts("127.0.0.1", ["history.example.org"])
    try:
        for host in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "history.example.org:80"):
            assert client.get("/index.json", headers={"Host": host}).status_code == 200, host
        for host in ("attacker.example", "attacker.example:8000", "127.0.0.1.attacker.example", ""):
            response = client.get("/index.json", headers={"Host": host})
            assert_error_shape(response, 403)
            assert "DNS rebinding" in response.json()["error"]
        page = client.get("/index.json", headers={"Host": "localhost", "Origin": "http://attacker.example"})
        assert_error_shape(page, 403)
        assert client.get("/index.json", headers={"Host": "localhost", "Origin": "http://localhost:8000"}).status_code == 200
    finally:
        app.state.allowed_hosts = None


def test_serve_installs_the_allowlist(tmp_path, monkeypatch):
    """`serve` (what `timeweave serve` runs) always checks the Host: the bound address, localhost, --public names."""
    import uvicorn

    from timeweave.serve import serve

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.update(app=app))
    db = make_fixture_store(tmp_path / "s.db")
    serve(db, host="0.0.0.0", port=0, public=["timeline.example.org"])
    client = TestClient(served["app"], raise_server_exceptions=False)
    assert client.get("/index.json", headers={"Host": "timeline.example.org:8000"}).status_code == 200
    assert client.get("/index.json", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/index.json", headers={"Host": "rebound.attacker.example"}).status_code == 403
    serve(db, host="127.0.0.1", port=0)
    client = TestClient(served["app"], raise_server_exceptions=False)
    assert client.get("/index.json", headers={"Host": "testserver"}).status_code == 403
    assert client.get("/index.json", headers={"Host": "127.0.0.1:8000"}).status_code == 200
