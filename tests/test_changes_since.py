"""What changed since the corpus stages last ran (timeweave/store/changes.py): read from the sources stored since
the run the last mark recorded, with the same answer as comparing every source (tests/test_incremental.py checks
the stages' rows through real builds; here the bookkeeping alone, on a store written directly)."""

from __future__ import annotations

from sqlalchemy import delete, event, insert, text, update

from timeweave.store import changes as since
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.changes import Changes

NOW = "2025-01-01T00:00:00+00:00"


def _run(conn, status: str = "ok") -> int:
    return conn.execute(insert(t.runs).values(started_at=NOW, status=status, command="test", versions={}, config={},
                                              counts={})).inserted_primary_key[0]


def _source(conn, source_id: str, run_id: int | None, sha: str = "a") -> None:
    conn.execute(insert(t.sources).values(
        id=source_id, path=f"c/{source_id}.txt", sha256=sha * 64, format="txt", size=1, title=source_id, authors=[],
        kind="news", kind_reason="test", metadata_origin="extracted", pipeline="p", run_id=run_id, updated_at=NOW))


def _scanned(engine) -> tuple[set, set, set]:
    """The answer of comparing every source with its mark (the rule before the marks recorded a run)."""
    with engine.connect() as conn:
        return tuple({row[0] for row in conn.exec_driver_sql(query)} for query in since._SINCE)


def _statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: seen.append(statement))
    return seen


def test_only_the_sources_stored_since_the_marked_run_are_read(tmp_path):
    engine = open_store(tmp_path / "s.db")
    with engine.begin() as conn:
        first = _run(conn)
        for n in range(5):
            _source(conn, f"s{n}", first)
    since.mark_done(engine, "f", Changes.everything(), run_id=first)
    with engine.begin() as conn:
        second = _run(conn)
        _source(conn, "new", second)
        conn.execute(update(t.sources).where(t.sources.c.id == "s1").values(sha256="b" * 64, run_id=second))
        _source(conn, "by-hand", None)  # no run: always read
    seen = _statements(engine)
    found = since.since_last_run(engine, "f")
    assert not any(query in seen for query in since._SINCE), "every source was compared"
    assert (found.added, found.changed, found.removed, found.full) == ({"new", "by-hand"}, {"s1"}, frozenset(), False)
    assert (set(found.added), set(found.changed), set(found.removed)) == _scanned(engine)
    since.mark_done(engine, "f", found, run_id=second)
    with engine.begin() as conn:  # a removal: the counts tell, and only then are the marks read
        conn.execute(delete(t.sources).where(t.sources.c.id == "s3"))
    found = since.since_last_run(engine, "f")
    assert (found.added, found.changed, found.removed) == (frozenset(), frozenset(), {"s3"})
    assert (set(found.added), set(found.changed), set(found.removed)) == _scanned(engine)


def test_a_run_still_running_beside_the_mark_keeps_its_sources_unmarked(tmp_path):
    """A build running beside the one that marks may store sources after that one read what changed: the mark
    stops before the earliest such run, so the next build still reads its sources."""
    engine = open_store(tmp_path / "s.db")
    with engine.begin() as conn:
        beside = _run(conn, status="running")
        ours = _run(conn, status="running")
        _source(conn, "ours", ours)
    since.mark_done(engine, "f", since.since_last_run(engine, "f"), run_id=ours)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM corpus_state WHERE key = :k"),
                            {"k": since.MARKED_THROUGH}).scalar() == str(beside - 1)
    with engine.begin() as conn:
        _source(conn, "late", beside)  # stored after `ours` read what changed
    found = since.since_last_run(engine, "f")
    assert (found.added, found.changed, found.removed) == ({"late"}, frozenset(), frozenset())


def test_a_run_id_given_again_compares_every_source(tmp_path):
    """SQLite gives a new run the largest id + 1: when the newest run's row is deleted, its id comes back, and the
    sources of the new run would not be after the mark. No run after the marked one: every source is compared."""
    engine = open_store(tmp_path / "s.db")
    with engine.begin() as conn:
        first, second = _run(conn), _run(conn)
        _source(conn, "a", first)
    since.mark_done(engine, "f", Changes.everything(), run_id=second)
    with engine.begin() as conn:  # a run that stored nothing (a foreign key keeps the row of one that did)
        conn.execute(delete(t.runs).where(t.runs.c.id == second))
        again = _run(conn, status="running")
        _source(conn, "b", again)
    assert again == second
    assert since.since_last_run(engine, "f").added == {"b"}


def test_a_mark_without_a_run_compares_every_source(tmp_path):
    """A store marked before runs were recorded (or by a caller without one) is compared source by source."""
    engine = open_store(tmp_path / "s.db")
    with engine.begin() as conn:
        run = _run(conn)
        _source(conn, "a", run)
    since.mark_done(engine, "f", Changes.everything())
    with engine.begin() as conn:
        _source(conn, "b", 1)  # an old run id: only a comparison of every source finds it
    seen = _statements(engine)
    assert since.since_last_run(engine, "f").added == {"b"}
    assert since._SINCE[0] in seen
