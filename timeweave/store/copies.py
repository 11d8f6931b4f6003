"""Marking passages that copy a passage of another document (syndication, quotation, re-posting).

Runs over the whole corpus after each build, so the result does not depend on the order in which
files were read: documents are taken oldest first (by `issued`, then path), and the earliest
occurrence is the original. Later stages count a copied passage once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, select, update

from timeweave.store import schema as t


def mark_cross_document_duplicates(engine: Engine, config: dict[str, Any]) -> int:
    """Recompute `duplicate_scope = 'across'` marks; returns how many passages are copies."""
    from timeweave.ingest.duplicates import find_cross_document

    with engine.connect() as conn:
        sources = conn.execute(select(t.sources.c.id, t.sources.c.issued, t.sources.c.path)).all()
        order = [row.id for row in sorted(sources, key=lambda r: (r.issued or "9999", r.path))]
        rank = {source_id: i for i, source_id in enumerate(order)}
        texts = {row.source_id: row.text for row in conn.execute(select(t.texts.c.source_id, t.texts.c.text))}
        rows = conn.execute(
            select(t.passages.c.id, t.passages.c.source_id, t.passages.c.seq, t.passages.c.start, t.passages.c.end)
            .where(and_(t.passages.c.role == "content", t.passages.c.duplicate_scope.is_(None) | (t.passages.c.duplicate_scope == "across")))
        ).all()
    rows = sorted(rows, key=lambda r: (rank.get(r.source_id, 1 << 30), r.seq))
    ids = {(r.source_id, r.seq): r.id for r in rows}
    items = [(r.source_id, r.seq, texts[r.source_id][r.start : r.end]) for r in rows if r.source_id in texts]
    copies = find_cross_document(
        items, threshold=config["near_duplicate_threshold"], min_chars=config["min_duplicate_chars"]
    )
    with engine.begin() as conn:
        conn.execute(
            update(t.passages)
            .where(t.passages.c.duplicate_scope == "across")
            .values(duplicate_of=None, duplicate_kind=None, duplicate_scope=None)
        )
        for source_id, seq, first_source, first_seq, kind in copies:
            conn.execute(
                update(t.passages)
                .where(t.passages.c.id == ids[(source_id, seq)])
                .values(duplicate_of=ids[(first_source, first_seq)], duplicate_kind=kind, duplicate_scope="across")
            )
    return len(copies)
