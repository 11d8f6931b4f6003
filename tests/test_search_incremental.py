"""The search index after adding a document costs the document, not the corpus, and holds what a full pass writes.

SQLite's FTS5 cannot index a column it does not search, so replacing one source's passage rows by a test on
`source_id` read every row of the index: an add cost more the more documents the store held. The work is
counted in SQLite virtual-machine steps (deterministic, unlike time), in a store of 20 and of 200 documents.
"""

from __future__ import annotations

import random

from sqlalchemy import event, text
from test_copies_incremental import paragraph, remove, write

from timeweave.store import open_store
from timeweave.store.changes import Changes
from timeweave.store.search import reindex, search


def rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(text('SELECT rowid, kind, ref, source_id, start, "end", title, body FROM search_index '
                                 "ORDER BY rowid")).all()


def steps(engine, run) -> int:
    """SQLite virtual-machine steps (in hundreds) while `run` runs."""
    count = [0]

    def counted(conn):
        conn.connection.driver_connection.set_progress_handler(lambda: count.__setitem__(0, count[0] + 1) or 0, 100)

    event.listen(engine, "engine_connect", counted)
    try:
        run()
    finally:
        event.remove(engine, "engine_connect", counted)
    return count[0]


def store(tmp_path, n: int):
    engine = open_store(tmp_path / f"search{n}.db")
    rng = random.Random(n)
    with engine.begin() as conn:
        for i in range(n):
            write(conn, f"d{i:03d}", "1900", [paragraph(rng) for _ in range(4)])
    reindex(engine)
    return engine, rng


def test_an_added_document_costs_the_same_in_a_store_ten_times_larger(tmp_path):
    cost = {}
    for n in (20, 200):
        engine, rng = store(tmp_path, n)
        with engine.begin() as conn:
            write(conn, "new", "1950", ["The quokka envoy reached Zanzibar at dawn.", paragraph(rng)])
        cost[n] = steps(engine, lambda: reindex(engine, Changes(added=frozenset({"new"}))))
        assert [h["source_id"] for h in search(engine, "quokka Zanzibar")] == ["new"]
    assert 0 < cost[200] < 2 * cost[20], cost


def test_incremental_rows_equal_a_full_pass_after_add_change_and_remove(tmp_path):
    engine, rng = store(tmp_path, 12)
    with engine.begin() as conn:
        write(conn, "new", "1950", [paragraph(rng), paragraph(rng)])
    reindex(engine, Changes(added=frozenset({"new"})))
    with engine.begin() as conn:
        remove(conn, "d003")
        write(conn, "d003", "1960", [paragraph(rng)])
        remove(conn, "d004")
    reindex(engine, Changes(changed=frozenset({"d003"}), removed=frozenset({"d004"})))
    incremental = rows(engine)
    assert not [r for r in incremental if r.source_id == "d004"]
    reindex(engine)
    assert incremental == rows(engine)


def test_an_event_whose_document_is_unchanged_keeps_its_row(tmp_path):
    """Events a build touched but whose words did not change (a copy quoting them again) are not rewritten:
    FTS5 would tokenise every quote they gathered again. A changed one is, and the rows equal a full pass."""
    from sqlalchemy import update
    from test_timeline_index import _history_store, _index_tables

    from timeweave.store import schema as t

    engine = _history_store(tmp_path / "history.db")
    written: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: written.append(statement)
                 if statement.startswith(("DELETE FROM search_index", "INSERT INTO search_index")) else None)
    reindex(engine, Changes(events={1, 2}))
    assert written == []
    with engine.begin() as conn:
        conn.execute(update(t.events).where(t.events.c.id == 2).values(label="The emperor abdicated at Paris"))
    reindex(engine, Changes(events={1, 2}))
    assert [s.split(" WHERE ")[-1] for s in written if s.startswith("DELETE")] == ["rowid IN (5)"]  # event 2's row
    incremental = _index_tables(engine)["search"]
    reindex(engine)
    assert _index_tables(engine)["search"] == incremental
    assert [h["ref"] for h in search(engine, "Paris emperor")] == ["2"]
