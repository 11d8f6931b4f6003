"""/map, /network and the exports on a PostgreSQL store: the same code as on SQLite, the same answers."""

from __future__ import annotations

import json

import pytest
from conftest import empty_postgres
from fastapi.testclient import TestClient

from serve_fixtures import make_fixture_store
from timeweave.export import export
from timeweave.serve import create_app
from timeweave.store import open_store
from timeweave.store import schema as t

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def stores(postgres_url, tmp_path_factory):
    empty_postgres(postgres_url)  # a fresh schema: this module owns the database while it runs
    sqlite = make_fixture_store(tmp_path_factory.mktemp("pg") / "fixture.db")
    source, target = open_store(sqlite, create=False), open_store(postgres_url)
    with source.connect() as read, target.begin() as write:  # the same rows, table by table
        for table in t.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in read.execute(table.select())]
            if rows and table.name != "migrations":
                write.execute(table.insert(), rows)
    return postgres_url, sqlite


@pytest.mark.parametrize("path", ["/map.json", "/map.json?place=6", "/network.json", "/network.json?a=1&b=2&from=1936"])
def test_pages_answer_the_same_on_both_backends(stores, path):
    pg, sqlite = (TestClient(create_app(db)).get(path) for db in stores)
    assert pg.status_code == sqlite.status_code == 200
    assert pg.json() == sqlite.json()


@pytest.mark.parametrize("fmt", ["geojson", "jsonld", "webannotation", "csl-json"])
def test_exports_are_the_same_on_both_backends(stores, fmt, tmp_path):
    pg, sqlite = (json.loads(export(fmt, db=db, out=tmp_path / f"{n}.{fmt}").read_text("utf-8")) for n, db in enumerate(stores))
    # Same nodes and annotations; only their order differs: the chronicle lists events by `earliest`,
    # and undated events (NULL) sort first in SQLite, last in PostgreSQL.
    if fmt == "jsonld":
        pg, sqlite = (sorted(json.dumps(n, sort_keys=True) for n in doc["@graph"]) for doc in (pg, sqlite))
    if fmt == "webannotation":
        for doc in (pg, sqlite):
            doc["first"]["items"].sort(key=lambda item: item["id"])
    assert pg == sqlite
