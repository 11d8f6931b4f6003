"""The same code on PostgreSQL: a team store built from the bundled corpus, searched and served.

The cluster is real (started by `postgres_url` in conftest.py from the machine's binaries).
"""

from __future__ import annotations

import pytest
from conftest import empty_postgres
from fastapi.testclient import TestClient

from timeweave.build import build, counts
from timeweave.serve import create_app
from timeweave.store import open_store
from timeweave.store.search import search


@pytest.fixture(scope="module")
def pg_store(postgres_url, corpus_dir):
    empty_postgres(postgres_url)  # a fresh schema: this module owns the database while it runs
    report = build([corpus_dir], db=postgres_url)
    assert report.failed == [] and len(report.read) == 5
    return postgres_url


def test_postgresql_store_matches_sqlite(pg_store, corpus_dir, tmp_path):
    sqlite_report = build([corpus_dir], db=tmp_path / "kg.db")
    assert len(sqlite_report.read) == 5
    assert counts(open_store(pg_store)) == counts(open_store(tmp_path / "kg.db", create=False))


def test_rebuild_on_postgresql_skips_unchanged(pg_store, corpus_dir):
    again = build([corpus_dir], db=pg_store)
    assert again.read == [] and len(again.unchanged) == 5


def test_search_on_postgresql_reaches_khalkhin_gol_through_its_alias(pg_store):
    hits = search(open_store(pg_store), "Nomonhan")
    assert hits, "no search hits for Nomonhan on PostgreSQL"
    assert any("Khalkhin" in (h.get("title") or "") + (h.get("snippet") or h.get("body") or "") for h in hits)
    assert isinstance(search(open_store(pg_store), 'NEAR( "unbalanced\' OR'), list)  # query syntax never raises


def test_web_ui_serves_a_postgresql_store(pg_store):
    client = TestClient(create_app(pg_store))
    for path in ("/", "/timeline", "/timeline.json", "/events.json", "/entities.json", "/sources.json", "/comparisons.json", "/search.json?q=protocol"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
    events = client.get("/events.json").json()
    first = (events.get("rows") or events.get("events") or [])[0]
    assert client.get(f"/events/{first['id']}.json").status_code == 200
