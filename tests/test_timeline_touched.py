"""The events written since the last reindex, listed by the store's triggers (store/timeline_index.py `watch_events`):
an add's reindex reads those rows only and writes what a full one writes; without the triggers it is a full one.
The fixtures and the comparison of every derived row are tests/test_timeline_index.py's (made-up history)."""

from __future__ import annotations

import logging
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update

from test_timeline_index import _add_event, _history_store, _index_tables
from timeweave.store import schema as t
from timeweave.store.changes import Changes
from timeweave.store.search import reindex


def test_an_add_reads_only_the_events_written_since_the_last_reindex(store_db, monkeypatch):
    """The store lists every event written (its triggers): an add reads those rows, not every event's, and gets what a
    full pass writes, for writes no stage lists too (a status raised, a place merged, a vocabulary value gone or new)."""
    from timeweave.store import timeline_index as ti

    engine = _history_store(store_db)
    read: list = []
    real = ti._event_rows
    monkeypatch.setattr(ti, "_event_rows", lambda conn, ids: read.append(None if ids is None else sorted(ids)) or real(conn, ids))
    with engine.begin() as conn:
        conn.execute(update(t.events).where(t.events.c.id == 1).values(status="disputed"))  # a status no event had
        conn.execute(update(t.events).where(t.events.c.id == 5).values(status="single_source", type="treaty"))  # 'contested'
        conn.execute(update(t.events).where(t.events.c.id == 8).values(place=6))  # and 'meeting' are no longer used
        conn.execute(update(t.events).where(t.events.c.id == 3).values(label="Peace of Westphalia signed"))  # same values
        conn.execute(delete(t.events).where(t.events.c.id == 2))
        _add_event(conn, 9, "Congress of Vienna closed", "treaty", "1815-06-09", "1815-06-09", "corroborated", None, [],
                   ("gazette-1815", "Wellington held the ridge until the Prussians arrived in the evening."))
    reindex(engine, Changes(events={4}))
    assert read == [[1, 2, 4, 5, 8, 9]]  # 3 was written with its own values: not listed
    incremental = _index_tables(engine)
    monkeypatch.setattr(ti, "_event_rows", real)
    reindex(engine)
    assert _index_tables(engine) == incremental
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM timeline_touched")).scalar() == 0


def test_a_store_without_the_triggers_is_reindexed_in_full(store_db, caplog):
    """`events` rebuilt as a migration does (on SQLite: renamed, made anew, copied, dropped, which drops its triggers;
    on PostgreSQL the trigger dropped): writes since may be unlisted, so the next reindex is a full one, with a full
    one's rows, and puts the triggers back."""
    engine = _history_store(store_db)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            ddl = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'").scalar()
            conn.exec_driver_sql("ALTER TABLE events RENAME TO events_old")
            conn.exec_driver_sql(ddl)
            conn.exec_driver_sql("INSERT INTO events SELECT * FROM events_old")
            conn.exec_driver_sql("DROP TABLE events_old")
        else:
            conn.exec_driver_sql("DROP TRIGGER tw_events_touched_1 ON events")
        conn.execute(update(t.events).where(t.events.c.id == 1).values(status="contested", place=None))
    with caplog.at_level(logging.INFO, logger="timeweave.store.search"):
        reindex(engine, Changes(events={4}))
    assert "derived indexes rebuilt" in caplog.text
    incremental = _index_tables(engine)
    reindex(engine)
    assert _index_tables(engine) == incremental
    with engine.begin() as conn:
        conn.execute(update(t.events).where(t.events.c.id == 1).values(status="corroborated"))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="timeweave.store.search"):
        reindex(engine, Changes(events={4}))
    assert "derived indexes updated" in caplog.text
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(text("SELECT id FROM timeline_index WHERE status = 'contested' ORDER BY id"))] == [5]


@pytest.mark.slow
def test_a_correction_shows_in_the_timeline_and_holds_through_an_add(built_incremental):
    """A historian's date set through `curate`, then an add: the timeline has the corrected days all along, and the
    add's incremental reindex leaves what a full one writes."""
    from timeweave import curate
    from timeweave.build import build

    data = Path(__file__).parent / "data"
    folder, db, engine = built_incremental
    with engine.connect() as conn:
        event = conn.execute(text("SELECT min(id) FROM events WHERE earliest IS NOT NULL")).scalar()
    day = date(1701, 5, 4).toordinal()
    curate.set_date(db, event, "1701-05-04", note="the register says so", by="A. Historian")

    def days_of(event_id: int) -> tuple:
        with engine.connect() as conn:
            return tuple(conn.execute(text("SELECT d0, d1 FROM timeline_index WHERE id = :e"), {"e": event_id}).one())

    assert days_of(event) == (day, day)
    shutil.copy(data / "incremental-steps" / "annals.txt", folder / "annals.txt")
    report = build([folder], db=db)
    assert report.corpus.startswith("incremental") and not report.stage_failures, report.corpus
    assert days_of(event) == (day, day)
    incremental = _index_tables(engine)
    reindex(engine)
    assert _index_tables(engine) == incremental
