"""`serve --edit`: the token, CSRF and Origin/Host checks, in-process; without --edit nothing can be written.

The store is the hand-filled fixture over the bundled texts (tests/serve_fixtures.py), so these run
in seconds; the real-build round trip in Chromium is tests/test_curate_browser.py.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from serve_fixtures import make_fixture_store
from timeweave.serve import create_app
from timeweave.serve.edit import COOKIE
from timeweave.store import open_store
from timeweave.store import schema as t

BASE = "http://127.0.0.1:8000"
TOKEN = "test-token-not-a-secret"


@pytest.fixture()
def store(tmp_path):
    return make_fixture_store(tmp_path / "fixture.db")


def _event(db) -> tuple[int, str | None]:
    with open_store(db).connect() as conn:
        row = conn.execute(select(t.events.c.id, t.events.c.edtf).where(t.events.c.id.in_(
            select(t.event_mentions.c.event_id))).order_by(t.events.c.id)).first()
    return row.id, row.edtf


def _log(db) -> list:
    with open_store(db).connect() as conn:
        return conn.execute(select(t.curation_actions)).all()


def _signed_in(db) -> tuple[TestClient, str]:
    client = TestClient(create_app(db, edit=TOKEN), base_url=BASE, follow_redirects=False)
    response = client.get(f"/-/edit/login?token={TOKEN}")
    assert response.status_code == 303 and COOKIE in response.cookies
    csrf = client.app.state.edit_guard.csrf
    return client, csrf


def test_without_edit_there_is_no_form_and_no_write_route(store):
    event_id, _ = _event(store)
    client = TestClient(create_app(store), base_url=BASE)
    assert "/-/edit/" not in client.get(f"/events/{event_id}").text
    response = client.post(f"/-/edit/events/{event_id}/reject", data={"by": "x"}, headers={"Origin": BASE})
    assert response.status_code in (404, 405)
    assert _log(store) == []


def test_a_signed_in_form_sets_the_date_and_the_page_says_who(store):
    event_id, _ = _event(store)
    client, csrf = _signed_in(store)
    page = client.get(f"/events/{event_id}").text
    assert f'action="/-/edit/events/{event_id}/date"' in page and csrf in page
    response = client.post(f"/-/edit/events/{event_id}/date", headers={"Origin": BASE},
                           data={"edtf": "1936-03-12", "note": "the <protocol>'s date", "by": "A. Historian", "csrf": csrf})
    assert response.status_code == 303, response.text
    page = client.get(f"/events/{event_id}").text
    assert "date set by A. Historian: the &lt;protocol&gt;&#39;s date" in page  # escaped, as every value
    assert client.get(f"/events/{event_id}.json").json()["event"]["edtf"] == "1936-03-12"


@pytest.mark.parametrize("case", ["no token", "wrong login token", "stale csrf", "other origin", "other host", "no origin",
                                  "null origin"])
def test_refused_requests_change_nothing(store, case):
    event_id, edtf = _event(store)
    form = {"edtf": "1901", "note": "n", "by": "mallory"}
    headers = {"Origin": BASE}
    if case == "no token":
        client = TestClient(create_app(store, edit=TOKEN), base_url=BASE, follow_redirects=False)
    elif case == "wrong login token":
        client = TestClient(create_app(store, edit=TOKEN), base_url=BASE, follow_redirects=False)
        assert client.get("/-/edit/login?token=guess").status_code == 403
    else:
        client, csrf = _signed_in(store)
        form["csrf"] = "from-an-earlier-run" if case == "stale csrf" else csrf
        if case == "other origin":
            headers = {"Origin": "http://evil.example"}
        if case == "other host":
            headers = {"Origin": "http://rebound.example:8000", "Host": "rebound.example:8000"}
        if case == "no origin":
            headers = {}
        if case == "null origin":
            headers = {"Origin": "null"}
    response = client.post(f"/-/edit/events/{event_id}/date", data=form, headers=headers)
    assert response.status_code == 403, (case, response.text)
    assert _log(store) == [] and _event(store) == (event_id, edtf)


def test_bearer_token_writes_and_bad_values_are_a_clear_400(store):
    event_id, edtf = _event(store)
    client = TestClient(create_app(store, edit=TOKEN), base_url=BASE, follow_redirects=False)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    bad = client.post(f"/-/edit/events/{event_id}/date", data={"edtf": "not a date", "note": "n", "by": "b"}, headers=auth)
    assert bad.status_code == 400 and "not an EDTF date" in bad.text and "Nothing was changed" in bad.text
    assert client.post(f"/-/edit/events/{event_id}/merge", data={"others": str(event_id), "by": "b"}, headers=auth).status_code == 400
    assert _log(store) == [] and _event(store) == (event_id, edtf)
    assert client.post(f"/-/edit/events/{event_id}/label", data={"label": "Renamed", "by": "b"}, headers=auth).status_code == 303
    assert client.get(f"/events/{event_id}.json").json()["event"]["label"] == "Renamed"


def test_a_comparison_marked_wrong_in_the_page_leaves_it(store):
    client, csrf = _signed_in(store)
    with open_store(store).connect() as conn:
        comparison = conn.execute(select(t.comparisons.c.id, t.comparisons.c.event_id).order_by(t.comparisons.c.id)).first()
    page = client.get(f"/events/{comparison.event_id}").text
    assert f'action="/-/edit/comparisons/{comparison.id}/wrong"' in page
    response = client.post(f"/-/edit/comparisons/{comparison.id}/wrong", headers={"Origin": BASE},
                           data={"event": str(comparison.event_id), "by": "A. Historian", "csrf": csrf})
    assert response.status_code == 303 and response.headers["location"] == f"/events/{comparison.event_id}"
    with open_store(store).connect() as conn:
        assert conn.execute(select(t.comparisons.c.id).where(t.comparisons.c.id == comparison.id)).first() is None
        assert [r.kind for r in conn.execute(select(t.curation_actions))] == ["comparison_wrong"]
