"""The copies stage at scale: a constant number of queries per batch of passages, the same marks and bands
on SQLite and PostgreSQL, and the LSH shapes it knows without asking datasketch.

A 10,000-document full run on PostgreSQL took 577 s when each batch read the passages sharing a band
band by band (~1,000 round trips a batch); the counts here are statements, not seconds (speed lives in
bench/), so they hold on any machine.
"""

from __future__ import annotations

import math
import random

import pytest
from sqlalchemy import event, func, select
from test_copies_incremental import CONFIG, expected, marks, near, paragraph, remove, write

from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.changes import Changes
from timeweave.store.copies import document_bands, mark_cross_document_duplicates


def corpus(conn, rng: random.Random, n: int) -> None:
    """`n` documents drawing paragraphs from a small pool (exact and near copies), dates shuffled."""
    pool = [paragraph(rng) for _ in range(10)]
    for i in range(n):
        picks = [rng.choice(pool) for _ in range(4)]
        write(conn, f"d{i:03d}", f"19{rng.randrange(10, 99)}" if i % 5 else None,
              ["Chapter one", *[near(p, rng) if rng.random() < 0.3 else p for p in picks], paragraph(rng)])


def texts_of(conn) -> list[str]:
    return sorted(conn.execute(select(t.texts.c.text)).scalars())


def statements(engine, run) -> int:
    count = [0]

    def seen(*_args, **_kwargs):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return count[0]


def test_a_full_run_issues_a_constant_number_of_statements_per_batch(tmp_path, monkeypatch):
    """Marking a batch reads its candidates in one query and their texts in at most three (the old code
    read the holders of each of the 26 bands separately: ~30 statements a batch)."""
    import timeweave.store.copies as copies

    monkeypatch.setattr(copies, "BATCH", 10)
    engine = open_store(tmp_path / "count.db")
    with engine.begin() as conn:
        corpus(conn, random.Random(17), 40)
    issued = statements(engine, lambda: mark_cross_document_duplicates(engine, CONFIG))
    assert marks(engine) == expected(engine) and len(marks(engine)) > 50
    b = t.passage_bands.c
    with engine.connect() as conn:
        sharing = conn.execute(select(func.count(func.distinct(b.passage_id)))).scalar()
    batches = math.ceil(sharing / 10)
    assert batches >= 15
    assert issued <= 5 * batches + 30, (issued, batches)


def test_an_add_issues_statements_by_the_document_not_by_the_bands(tmp_path):
    """Adding one document: its bands, the passages sharing them, one batch: a few dozen statements at most,
    not one per band."""
    engine = open_store(tmp_path / "add.db")
    rng = random.Random(19)
    with engine.begin() as conn:
        corpus(conn, rng, 30)
    mark_cross_document_duplicates(engine, CONFIG)
    with engine.connect() as conn:
        copied = conn.execute(select(t.texts.c.text).where(t.texts.c.source_id == "d001")).scalar().split("\n\n")[1]
    with engine.begin() as conn:
        write(conn, "new", "1950", [paragraph(rng), copied])
    issued = statements(engine, lambda: mark_cross_document_duplicates(
        engine, CONFIG, changes=Changes(added=frozenset({"new"}))))
    assert marks(engine) == expected(engine)
    assert issued <= 20, issued


def test_sqlite_and_postgresql_give_the_same_marks_and_bands(store_db, tmp_path):
    """The PostgreSQL paths (bands inserted and marks set as arrays in one statement) store what SQLite's
    executemany stores, after a full run and after an add, a change and a removal."""
    engine = open_store(store_db)
    rng = random.Random(23)
    with engine.begin() as conn:
        corpus(conn, rng, 25)
    mark_cross_document_duplicates(engine, CONFIG)
    assert marks(engine) == expected(engine) and len(marks(engine)) > 30
    with engine.begin() as conn:
        write(conn, "early", "1800", [paragraph(rng), rng.choice(texts_of(conn)).split("\n\n")[2]])
        remove(conn, "d003")
        write(conn, "d003", "1999", [paragraph(rng)])
        remove(conn, "d004")
    mark_cross_document_duplicates(engine, CONFIG, changes=Changes(
        added=frozenset({"early"}), changed=frozenset({"d003"}), removed=frozenset({"d004"})))
    assert marks(engine) == expected(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(t.passages)).all()
        texts = dict(conn.execute(select(t.texts.c.source_id, t.texts.c.text)).all())
        where = {r.id: (r.source_id, r.seq) for r in rows}
        bands = sorted((*where[r.passage_id], r.band, r.key) for r in conn.execute(select(t.passage_bands)))
    pure = sorted((source_id, *row) for source_id, text in texts.items() for row in document_bands(
        [(r.seq, r.start, r.end, r.role, r.duplicate_scope == "within") for r in rows if r.source_id == source_id],
        text, CONFIG["near_duplicate_threshold"], CONFIG["min_duplicate_chars"]))
    assert bands == pure and len(bands) > 100


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.75, 0.8, 0.9])
def test_known_lsh_shapes_are_datasketchs(threshold):
    """The shapes kept in KNOWN_SHAPES (so an add does not integrate them again) are the ones datasketch picks."""
    from datasketch import MinHashLSH

    from timeweave.store.copies import KNOWN_SHAPES, NUM_PERM, lsh_shape

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    assert KNOWN_SHAPES[threshold, NUM_PERM] == lsh_shape(threshold) == (lsh.b, lsh.r)
