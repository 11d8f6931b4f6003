"""The evidence of alias links in the store (migration 0005), the chronicle JSON and the entity page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import JSON, Integer, inspect, insert, select, text

from timeweave.annotate.entities.keys import alias_key
from timeweave.chronicle import chronicle, validate
from timeweave.errors import SchemaError
from timeweave.link import link_entities
from timeweave.serve import create_app
from timeweave.store import open_store, schema
from timeweave.store.migrations import applied

TEXTS = {
    "nato-1949": "In 1949 the North Atlantic Treaty Organization (NATO) was founded. Its seat moved later.",
    "kosovo-1999": "NATO aircraft struck Belgrade in 1999.",
}
MENTIONS = [("nato-1949", "North Atlantic Treaty Organization", "organization"), ("nato-1949", "NATO", "organization"),
            ("kosovo-1999", "NATO", "organization"), ("kosovo-1999", "Belgrade", "place")]


def _source_row(source_id: str, text_: str) -> dict:
    row = {"id": source_id, "path": f"/corpus/{source_id}.txt", "sha256": "0" * 64, "format": "txt", "size": len(text_),
           "authors": [], "kind": "news", "kind_reason": "test", "metadata_origin": "extracted", "updated_at": "now"}
    for col in schema.sources.columns:
        if col.name not in row and not col.nullable and col.default is None and col.server_default is None:
            row[col.name] = [] if isinstance(col.type, JSON) else 0 if isinstance(col.type, Integer) else "test"
    return row


@pytest.fixture()
def linked(store_db):
    """A store (SQLite and PostgreSQL) with two sources' texts and mentions, linked."""
    engine = open_store(store_db)
    with engine.begin() as conn:
        for source_id, text_ in TEXTS.items():
            conn.execute(insert(schema.sources).values(**_source_row(source_id, text_)))
            conn.execute(insert(schema.texts).values(source_id=source_id, text=text_))
        for source_id, surface, type_ in MENTIONS:
            start = TEXTS[source_id].index(surface)
            conn.execute(insert(schema.mentions).values(source_id=source_id, start=start, end=start + len(surface),
                                                        text=surface, type=type_, key=alias_key(surface), component="test"))
    link_entities(engine)
    return engine


def test_alias_evidence_rows_quote_the_text_that_made_the_link(linked):
    with linked.connect() as conn:
        rows = conn.execute(select(schema.aliases.c.text, schema.aliases.c.rule, schema.alias_evidence)
                            .join(schema.alias_evidence, schema.alias_evidence.c.alias_id == schema.aliases.c.id)).all()
    (row,) = [r for r in rows if r.text == "NATO"]
    assert row.rule == "acronym defined" and row.source_id == "nato-1949"
    assert row.quote == "North Atlantic Treaty Organization (NATO)" == TEXTS["nato-1949"][row.start : row.end]


def test_chronicle_carries_alias_evidence_and_validate_checks_its_quotes(linked):
    data = chronicle(linked)
    validate(data, texts=TEXTS)
    assert data["schema"] == 3
    (nato,) = [e for e in data["entities"] if any(a["text"] == "NATO" for a in e["aliases"])]
    by_text = {a["text"]: a for a in nato["aliases"]}
    assert by_text["NATO"]["sources"] == ["kosovo-1999", "nato-1949"]
    assert by_text["NATO"]["rule"] == "acronym defined"
    assert by_text["NATO"]["evidence"][0]["quote"] == "North Atlantic Treaty Organization (NATO)"
    assert by_text["North Atlantic Treaty Organization"]["rule"] == "name"
    by_text["NATO"]["evidence"][0]["start"] += 1
    with pytest.raises(SchemaError, match=r"entities/\d+/aliases/NATO: quote"):
        validate(data, texts=TEXTS)


def test_entity_page_shows_the_evidence_of_each_alias(linked, store_db):
    client = TestClient(create_app(store_db))
    with linked.connect() as conn:
        entity_id = conn.execute(select(schema.aliases.c.entity_id).where(schema.aliases.c.text == "NATO")).scalar()
    data = client.get(f"/entities/{entity_id}.json").json()
    (nato,) = [a for a in data["aliases"] if a["text"] == "NATO"]
    assert nato["evidence"][0]["quote"] == "North Atlantic Treaty Organization (NATO)"
    page = client.get(f"/entities/{entity_id}").text
    assert "North Atlantic Treaty Organization (NATO)" in page and "/sources/nato-1949#c-" in page


def test_a_store_without_alias_evidence_is_upgraded_in_place(tmp_path):
    db = tmp_path / "old.db"
    engine = open_store(db)
    with engine.begin() as conn:  # make it look like a store written before 0005
        conn.execute(text("DROP TABLE alias_evidence"))
        conn.execute(text("ALTER TABLE aliases DROP COLUMN rule"))
        conn.execute(text("DELETE FROM migrations WHERE name = '0005_alias_evidence'"))
    engine.dispose()
    upgraded = open_store(db)
    assert "0005_alias_evidence" in applied(upgraded)
    assert inspect(upgraded).has_table("alias_evidence")
    assert "rule" in {c["name"] for c in inspect(upgraded).get_columns("aliases")}
