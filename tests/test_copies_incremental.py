"""The copies stage kept in the store (`store/copies.py`) marks what `find_cross_document` marks over the
whole corpus, after a full run and after adding, changing and removing documents incrementally.

Rows are written by hand (no annotation), so many synthetic documents with exact copies, near copies
(a few words changed), short repeated headings and reordered dates run in a second.
"""

from __future__ import annotations

import random

from sqlalchemy import and_, delete, insert, select

from timeweave.ingest.duplicates import find_cross_document
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.changes import Changes
from timeweave.store.copies import mark_cross_document_duplicates

CONFIG = {"near_duplicate_threshold": 0.5, "min_duplicate_chars": 80}
WORDS = ("river bridge army council treaty harvest winter village market letter envoy river siege fleet "
         "bishop tax grain road mill plague charter garrison ferry abbey court merchant famine").split()


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(18, 40))).capitalize() + "."


def near(text: str, rng: random.Random) -> str:
    words = text.split()
    for _ in range(2):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def write(conn, source_id: str, issued: str | None, paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    conn.execute(insert(t.sources).values(
        id=source_id, path=f"docs/{source_id}.txt", sha256="0" * 64, format="txt", size=len(text), authors=[],
        issued=issued, kind="other", kind_reason="test", metadata_origin="extracted", pipeline="test",
        updated_at="2000-01-01T00:00:00"))
    conn.execute(insert(t.texts).values(source_id=source_id, text=text))
    start = 0
    for seq, part in enumerate(paragraphs):
        conn.execute(insert(t.passages).values(source_id=source_id, seq=seq, start=start, end=start + len(part),
                                               role="content", sha1=str(hash(part))))
        start += len(part) + 2


def remove(conn, source_id: str) -> None:
    for table in (t.passages, t.texts, t.sources):
        conn.execute(delete(table).where(table.c.source_id == source_id if table is not t.sources else t.sources.c.id == source_id))


def marks(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.passages)).all()
    where = {r.id: (r.source_id, r.seq) for r in rows}
    return sorted((*where[r.id], *where[r.duplicate_of], r.duplicate_kind) for r in rows if r.duplicate_scope == "across")


def expected(engine) -> list[tuple]:
    """`find_cross_document` over the whole store, the reference the stage must equal."""
    with engine.connect() as conn:
        sources = conn.execute(select(t.sources)).all()
        rank = {s.id: i for i, s in enumerate(sorted(sources, key=lambda r: (r.issued or "9999", r.path)))}
        texts = {r.source_id: r.text for r in conn.execute(select(t.texts))}
        rows = conn.execute(select(t.passages).where(and_(t.passages.c.role == "content", t.passages.c.duplicate_scope.is_(None) | (t.passages.c.duplicate_scope == "across")))).all()
    rows = sorted(rows, key=lambda r: (rank[r.source_id], r.seq))
    items = [(r.source_id, r.seq, texts[r.source_id][r.start:r.end]) for r in rows]
    return sorted((s, q, fs, fq, k) for s, q, fs, fq, k in find_cross_document(
        items, threshold=CONFIG["near_duplicate_threshold"], min_chars=CONFIG["min_duplicate_chars"]))


def test_incremental_copy_marks_equal_a_whole_corpus_pass(tmp_path):
    rng = random.Random(7)
    pool = [paragraph(rng) for _ in range(12)]
    engine = open_store(tmp_path / "copies.db")

    def document(n: int) -> list[str]:
        picks = [rng.choice(pool) for _ in range(rng.randint(2, 5))]
        return ["Chapter one"] + [near(p, rng) if rng.random() < 0.4 else p for p in picks] + [paragraph(rng)]

    with engine.begin() as conn:
        for i in range(10):
            write(conn, f"d{i}", f"18{50 + i}" if i % 3 else None, document(i))
    mark_cross_document_duplicates(engine, CONFIG)
    assert marks(engine) == expected(engine) and len(marks(engine)) > 10

    with engine.begin() as conn:  # added: dated before every other, so it becomes the first occurrence
        write(conn, "early", "1700", document(99))
    mark_cross_document_duplicates(engine, CONFIG, changes=Changes(added=frozenset({"early"})))
    assert marks(engine) == expected(engine)

    with engine.begin() as conn:  # changed: new text and a later date
        remove(conn, "d2")
        write(conn, "d2", "1999", document(2))
    mark_cross_document_duplicates(engine, CONFIG, changes=Changes(changed=frozenset({"d2"})))
    assert marks(engine) == expected(engine)

    with engine.begin() as conn:  # removed: the copies of its passages point at the next occurrence
        remove(conn, "early")
        remove(conn, "d4")
    mark_cross_document_duplicates(engine, CONFIG, changes=Changes(removed=frozenset({"early", "d4"})))
    assert marks(engine) == expected(engine)


def test_marks_in_small_batches_equal_a_whole_corpus_pass(tmp_path, monkeypatch):
    """Bands written one source at a time and passages marked two at a time (memory bounded by a batch)
    give the marks of one pass, and a full run clears the mark of a passage no longer copied."""
    import timeweave.store.copies as copies

    monkeypatch.setattr(copies, "BATCH", 2)
    monkeypatch.setattr(copies, "SOURCES_AT_ONCE", 1)
    rng = random.Random(11)
    pool = [paragraph(rng) for _ in range(6)]
    engine = open_store(tmp_path / "batches.db")
    with engine.begin() as conn:
        for i in range(8):
            write(conn, f"d{i}", f"19{10 + i}", ["Chapter one", *[rng.choice(pool) for _ in range(3)], paragraph(rng)])
    mark_cross_document_duplicates(engine, CONFIG)
    assert marks(engine) == expected(engine) and len(marks(engine)) > 6

    assert any(row[0] == "d7" for row in marks(engine))
    with engine.begin() as conn:  # every document but the latest, d7, gets new paragraphs: d7 copies nothing now
        for i in range(7):
            remove(conn, f"d{i}")
            write(conn, f"d{i}", f"19{10 + i}", [paragraph(rng) for _ in range(3)])
    mark_cross_document_duplicates(engine, CONFIG)
    assert marks(engine) == expected(engine) == []


def chains(engine) -> dict[str, list[tuple]]:
    """Source -> (seq, the source and seq its copy chain ends at) of each copied passage: what a later
    stage reading voices sees of the copies (reconcile follows `duplicate_of` to its end)."""
    with engine.connect() as conn:
        rows = conn.execute(select(t.passages.c.id, t.passages.c.source_id, t.passages.c.seq,
                                   t.passages.c.duplicate_of)).all()
    at = {r.id: (r.source_id, r.seq) for r in rows}
    link = {r.id: r.duplicate_of for r in rows if r.duplicate_of is not None}
    out: dict[str, list[tuple]] = {}
    for r in rows:
        end, seen = r.id, set()
        while end in link and end not in seen:
            seen.add(end)
            end = link[end]
        if end != r.id:
            out.setdefault(r.source_id, []).append((r.seq, at.get(end)))
    return {s: sorted(v) for s, v in out.items()}


def test_changes_copies_holds_every_source_whose_copies_changed(tmp_path):
    """An added text that copies an old paragraph puts itself into `changes.copies`; one dated before the
    old texts makes them its copies, so they go in too; a removed origin moves its copies' chains. Each
    time every source whose chains differ is in it, and a source whose chains stayed is not; a full run
    puts every source holding a copy."""
    rng = random.Random(3)
    pool = [paragraph(rng) for _ in range(8)]
    engine = open_store(tmp_path / "changes.db")
    with engine.begin() as conn:
        for i in range(6):
            write(conn, f"d{i}", f"19{10 + i}", [rng.choice(pool), paragraph(rng), paragraph(rng)])
    full = Changes.everything()
    mark_cross_document_duplicates(engine, CONFIG, changes=full)
    assert full.copies == set(chains(engine)) and full.copies

    def step(change: Changes, edit) -> Changes:
        before = chains(engine)
        with engine.begin() as conn:
            edit(conn)
        mark_cross_document_duplicates(engine, CONFIG, changes=change)
        after = chains(engine)
        differ = {s for s in set(before) | set(after) if before.get(s) != after.get(s)}
        assert differ - change.removed <= change.copies
        assert marks(engine) == expected(engine)
        return change

    unique = paragraph(rng)
    late = step(Changes(added=frozenset({"late"})),
                lambda conn: write(conn, "late", "1990", [pool[0], unique, paragraph(rng)]))
    assert late.copies == {"late"}  # its origin's passages keep their marks (none: it is the first)
    early = step(Changes(added=frozenset({"early"})),
                 lambda conn: write(conn, "early", "1800", [pool[0], paragraph(rng)]))
    holders = {s for s, v in chains(engine).items() if any(end[0] == "early" for _seq, end in v)}
    assert holders and holders <= early.copies and "early" not in early.copies
    quiet = step(Changes(added=frozenset({"quiet"})), lambda conn: write(conn, "quiet", "1995", [paragraph(rng)]))
    assert quiet.copies == set()
    step(Changes(removed=frozenset({"early"})), lambda conn: remove(conn, "early"))


def test_document_bands_are_the_stored_bands_without_the_store(tmp_path):
    """`document_bands` (pure: what a Dask worker would run beside annotation) gives each source's stored
    `passage_bands` rows, by seq: a short heading and a copy inside the document are left out."""
    from timeweave.store.copies import document_bands

    rng = random.Random(5)
    engine = open_store(tmp_path / "pure.db")
    twice = paragraph(rng)
    with engine.begin() as conn:
        write(conn, "a", "1900", ["Chapter one", twice, paragraph(rng), twice])
        write(conn, "b", "1901", ["Chapter one", twice, paragraph(rng)])
        first = conn.execute(select(t.passages.c.id).where(
            t.passages.c.source_id == "a", t.passages.c.seq == 1)).scalar()
        conn.execute(t.passages.update().where(t.passages.c.source_id == "a", t.passages.c.seq == 3).values(
            duplicate_of=first, duplicate_kind="exact", duplicate_scope="within"))
    mark_cross_document_duplicates(engine, CONFIG)
    with engine.connect() as conn:
        for source_id in ("a", "b"):
            p, b = t.passages.c, t.passage_bands.c
            rows = conn.execute(select(p.id, p.seq, p.start, p.end, p.role, p.duplicate_scope).where(
                p.source_id == source_id)).all()
            text = conn.execute(select(t.texts.c.text).where(t.texts.c.source_id == source_id)).scalar()
            seq_of = {r.id: r.seq for r in rows}
            stored = sorted((seq_of[r.passage_id], r.band, r.key) for r in conn.execute(
                select(b.passage_id, b.band, b.key).where(b.source_id == source_id)))
            spans = [(r.seq, r.start, r.end, r.role, r.duplicate_scope == "within") for r in rows]
            pure = sorted(document_bands(spans, text, CONFIG["near_duplicate_threshold"],
                                         CONFIG["min_duplicate_chars"]))
            assert pure == stored and {seq for seq, _b, _k in pure} == {1, 2}  # not the heading, not the repeat
