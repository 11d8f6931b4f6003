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
