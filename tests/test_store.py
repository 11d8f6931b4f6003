"""The store: same code on SQLite and PostgreSQL, named migrations, whole-document writes."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, insert, select

from timeweave.chronicle import chronicle, validate
from timeweave.errors import SchemaError, StoreError
from timeweave.ingest.types import Document, Passage, SourceMeta
from timeweave.store import engine_url, open_store
from timeweave.store import schema as t
from timeweave.store.migrations import MIGRATIONS, applied, migrate
from timeweave.store.writer import delete_source, write_document

TEXT = "Home\n\nOn March 12, 1936, the two governments signed a Protocol of Mutual Assistance.\n"


def make_document(source_id: str = "mfa", text: str = TEXT) -> Document:
    first = text.index("On")
    passages = [
        Passage(0, 4, role="boilerplate", role_reason="site menu", sha1="a"),
        Passage(first, len(text) - 1, sha1="b"),
    ]
    meta = SourceMeta(id=source_id, title="A post", authors=["Ministry"], issued="2024", kind="government_statement",
                      kind_reason="test", origin="csl-json")
    return Document(path=f"{source_id}.txt", text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                    format="txt", encoding="utf-8", size=len(text.encode()), meta=meta, passages=passages)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_open_applies_every_migration_once(store_db):
    engine = open_store(store_db)
    assert applied(engine) == [name for name, _ in MIGRATIONS]
    assert migrate(engine) == []  # reopening applies nothing


def test_document_is_replaced_whole_and_deleted_with_its_rows(store_db):
    engine = open_store(store_db)
    with engine.begin() as conn:
        run = conn.execute(insert(t.runs).values(started_at="now", status="ok", versions={}, config={})).inserted_primary_key[0]
        write_document(conn, make_document(), run_id=run, pipeline="p1")
    with engine.begin() as conn:  # a second write replaces, never duplicates
        write_document(conn, make_document(), run_id=run, pipeline="p2")
    assert count(engine, t.sources) == 1
    assert count(engine, t.passages) == 2
    with engine.connect() as conn:
        row = conn.execute(select(t.sources)).one()
        assert row.pipeline == "p2" and row.authors == ["Ministry"]
        stored = conn.execute(select(t.texts.c.text)).scalar_one()
    assert stored == TEXT
    with engine.begin() as conn:
        delete_source(conn, "mfa")
    assert count(engine, t.sources) == count(engine, t.passages) == count(engine, t.texts) == 0


def _store_with_event(engine, *, quote_shift: int = 0) -> None:
    start = TEXT.index("On March")
    end = TEXT.index(".\n") + 1
    with engine.begin() as conn:
        run = conn.execute(insert(t.runs).values(started_at="now", status="ok", versions={}, config={})).inserted_primary_key[0]
        write_document(conn, make_document(), run_id=run, pipeline="p")
        conn.execute(insert(t.entities).values(id=1, name="Soviet Union", type="state", component="test"))
        conn.execute(insert(t.aliases).values(id=1, entity_id=1, text="USSR", how="test"))
        conn.execute(insert(t.alias_sources).values(alias_id=1, source_id="mfa", count=1))
        conn.execute(insert(t.events).values(id=1, label="Protocol of Mutual Assistance signed", type="treaty",
                                             edtf="1936-03-12", earliest="1936-03-12", latest="1936-03-12",
                                             when_reason="stated", status="single_source", component="test"))
        conn.execute(insert(t.event_participants).values(event_id=1, entity_id=1, role="agent"))
        conn.execute(insert(t.event_mentions).values(
            source_id="mfa", start=start, end=end, trigger_start=TEXT.index("signed"), trigger_end=TEXT.index("signed") + 6,
            trigger="signed", lemma="sign", type="treaty", factuality="asserted", context="narrative",
            when_text="March 12, 1936", edtf="1936-03-12", earliest="1936-03-12", latest="1936-03-12",
            when_reason="stated", participants=[], event_id=1, component="test"))
        conn.execute(insert(t.comparisons).values(id=1, event_id=1, kind="single_source", field="when",
                                                  explanation="Only the ministry post dates the signing.", component="test"))
        conn.execute(insert(t.comparison_statements).values(comparison_id=1, source_id="mfa", start=start + quote_shift,
                                                            end=end, value="1936-03-12"))


def test_chronicle_export_validates_and_quotes_match(store_db):
    engine = open_store(store_db)
    _store_with_event(engine)
    data = chronicle(engine)
    validate(data, texts={"mfa": TEXT})
    assert data["schema"] == 3
    (event,) = data["events"]
    assert event["when"] == {"edtf": "1936-03-12", "earliest": "1936-03-12", "latest": "1936-03-12", "reason": "stated"}
    assert event["evidence"][0]["quote"].startswith("On March 12, 1936")
    assert data["entities"][0]["aliases"] == [{"text": "USSR", "sources": ["mfa"], "how": "test", "rule": "", "evidence": []}]


def test_validate_rejects_a_quote_that_is_not_the_source_text(tmp_path):
    engine = open_store(tmp_path / "s.db")
    _store_with_event(engine)
    data = chronicle(engine)
    data["comparisons"][0]["statements"][0]["start"] += 1  # offsets no longer frame the quote
    with pytest.raises(SchemaError, match="does not equal the text"):
        validate(data, texts={"mfa": TEXT})


def test_validate_rejects_a_broken_contract(tmp_path):
    data = chronicle(open_store(tmp_path / "s.db"))
    data["sources"].append({"id": "x"})
    with pytest.raises(SchemaError, match="sources/0"):
        validate(data)


def test_sqlite_readers_are_not_blocked_by_a_writer(tmp_path):
    engine = open_store(tmp_path / "s.db")
    reader = open_store(tmp_path / "s.db")
    with engine.begin() as conn:
        conn.execute(insert(t.runs).values(started_at="now", status="running", versions={}, config={}))
        # the write transaction is open: WAL lets another connection read the last committed state
        with reader.connect() as other:
            assert other.execute(select(func.count()).select_from(t.runs)).scalar_one() == 0
    with reader.connect() as other:
        assert other.execute(select(func.count()).select_from(t.runs)).scalar_one() == 1


def test_missing_store_and_unknown_urls_say_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="timeweave build"):
        open_store(tmp_path / "nope.db", create=False)
    with pytest.raises(StoreError, match="postgresql://"):
        engine_url("mysql://x/y")
    assert engine_url("postgresql://u@/db?host=/tmp").startswith("postgresql+psycopg://")


def test_a_url_that_went_through_a_path_is_refused_not_made_a_sqlite_file(tmp_path, monkeypatch):
    """str(Path("postgresql://u@/db")) is "postgresql:/u@/db": it must not become a SQLite file of that name."""
    from pathlib import Path

    monkeypatch.chdir(tmp_path)
    mangled = str(Path("postgresql://timeweave@/timeweave?host=/tmp"))
    with pytest.raises(StoreError, match="lost a slash"):
        open_store(mangled)
    assert list(tmp_path.iterdir()) == []
    assert engine_url("notes/postgres-export.db").startswith("sqlite:///")


def test_an_older_store_is_upgraded_in_place(tmp_path):
    from sqlalchemy import inspect, text

    db = tmp_path / "old.db"
    engine = open_store(db)
    with engine.begin() as conn:  # make it look like a store written before 0003
        conn.execute(text("ALTER TABLE event_mentions DROP COLUMN when_kind"))
        conn.execute(text("ALTER TABLE sources DROP COLUMN language"))
        conn.execute(text("DELETE FROM migrations WHERE name IN ('0003_event_mentions_when_kind', '0004_sources_language')"))
    engine.dispose()
    upgraded = open_store(db)
    assert {"0003_event_mentions_when_kind", "0004_sources_language"} <= set(applied(upgraded))
    assert "when_kind" in {c["name"] for c in inspect(upgraded).get_columns("event_mentions")}
    assert "language" in {c["name"] for c in inspect(upgraded).get_columns("sources")}
