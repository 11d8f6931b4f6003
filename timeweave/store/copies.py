"""Marking passages that copy a passage of another document (syndication, quotation, re-posting).

The result does not depend on the order in which files were read: documents are taken oldest first
(by `issued`, then path), and the earliest occurrence is the original. Later stages count a copied
passage once. The rules are `ingest.duplicates.find_cross_document`'s (exact copies by their
normalised key, near copies proposed by MinHash LSH bands and confirmed by the Jaccard of their word
shingles); each passage's bands and exact key are kept in `passage_bands`, so a build that adds or
changes a few documents compares their passages with the passages sharing a band only, and
re-marks just the passages whose earlier candidates those documents add, move or take away.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, and_, bindparam, delete, exists, func, select, update
from sqlalchemy import text as sql

from timeweave.ingest.duplicates import NUM_PERM, exact_key, jaccard, shingles
from timeweave.store import schema as t
from timeweave.store.changes import Changes

log = logging.getLogger(__name__)
EXACT = -1  # the band number of a passage's exact-copy key in `passage_bands`
CHUNK = 500
BATCH = 200  # passages marked at once (with the passages sharing their bands)
SOURCES_AT_ONCE = 20  # sources whose bands are computed and written at once


def mark_cross_document_duplicates(engine: Engine, config: dict[str, Any], *, changes: Changes | None = None) -> int:
    """Bring the `duplicate_scope = 'across'` marks up to date; returns how many passages are copies.

    With `changes` (not full) only the passages that share a band or exact key with a passage added,
    re-stored or removed are re-marked; the marks are the ones a full run gives. `changes.copies` gets
    the sources whose passages' copy chains may end elsewhere than before (`_copied_through`); a full
    run adds every source holding a copy.

    Memory is bounded by a batch, not by the corpus (a 10,000-document build held every passage's
    text, bands and shingles at once): bands are computed and written `SOURCES_AT_ONCE` sources at a
    time, and passages are marked `BATCH` at a time. A passage's mark depends only on its own bands
    and the passages sharing one (never on another passage's mark), so batches give the marks of
    one pass. A full run marks only the passages sharing a band or exact key with a passage of
    another source (`_sharing`): any other passage has no candidate, so no mark. A batch costs a
    handful of queries whatever its size (`_marks`), the same on SQLite and PostgreSQL."""
    changes = changes or Changes.everything()
    threshold, min_chars = config["near_duplicate_threshold"], config["min_duplicate_chars"]
    p, b = t.passages.c, t.passage_bands.c
    with engine.begin() as conn:
        sources = conn.execute(select(t.sources.c.id, t.sources.c.issued, t.sources.c.path)).all()
        order = [row.id for row in sorted(sources, key=lambda r: (r.issued or "9999", r.path))]
        rank = {source_id: i for i, source_id in enumerate(order)}
        del sources, order
        if changes.full:
            conn.execute(delete(t.passage_bands))
            fresh, old_holders = sorted(rank), set()
        else:
            _index_joins(conn, True)  # every join of an incremental run starts from a few sources' rows
            fresh = sorted((changes.added | changes.changed) & set(rank))
            gone = sorted(changes.sources)
            # read before their bands go: the passages that shared a band with a gone passage
            old_holders = {pid for chunk in _chunks(gone) for pid in _sharing(conn, chunk)}
            for chunk in _chunks(gone):
                conn.execute(delete(t.passage_bands).where(b.source_id.in_(chunk)))
        new_passages = _store_bands(conn, fresh, threshold, min_chars, keep=not changes.full)
        if changes.full:
            affected = _sharing(conn, None)
            stored = _stored_marks(conn, None)
        else:
            affected = new_passages | old_holders | {pid for chunk in _chunks(fresh) for pid in _sharing(conn, chunk)}
            stored = _stored_marks(conn, affected)
        remarked: set[int] = set()
        _index_joins(conn, True)  # (a full run's `_sharing` above is best hashed: it reads every band)
        for batch in _chunks(sorted(affected), BATCH):
            marks = _marks(conn, set(batch), rank, threshold)
            remarked |= _write_marks(conn, [(pid, marks.get(pid)) for pid in batch
                                            if marks.get(pid) != stored.get(pid)])
        _index_joins(conn, False)
        # a full run: a passage marked before that now shares no band with another source is no copy
        remarked |= _write_marks(conn, [(pid, None) for pid in sorted(stored.keys() - affected)])
        todo = len(remarked)
        changes.copies |= _copied_through(conn, remarked)
        if changes.full:  # every source holding a copy: a later stage's kept view of them is not trusted
            changes.copies |= {s for (s,) in conn.execute(
                select(p.source_id).distinct().where(p.duplicate_scope == "across"))}
        copies = conn.execute(select(func.count()).select_from(t.passages).where(p.duplicate_scope == "across")).scalar()
    log.info("copies across documents: %d passages re-marked of %s looked at; %d copies in the store",
             todo, f"{len(affected)} sharing a band" if changes.full else len(affected), copies)
    return copies


def _index_joins(conn, on: bool) -> None:
    """On PostgreSQL, make the batches' joins go through the indexes (for the rest of the transaction, or back).

    A batch joins a few thousand band rows to `passage_bands`; PostgreSQL's estimate made it hash the
    batch and read the whole table instead (a parallel sequential scan of every band, each batch: the
    full run grew with the square of the corpus). Without hash and merge joins it probes the
    (band, key) index, as SQLite does."""
    if conn.dialect.name == "postgresql":
        for setting in ("enable_hashjoin", "enable_mergejoin"):
            conn.execute(sql(f"SET LOCAL {setting} = {'off' if on else 'DEFAULT'}"))


def _write_marks(conn, marks: list[tuple[int, tuple[int, str] | None]]) -> set[int]:
    """Set (or clear, None) the 'across' mark of these passages; returns their ids."""
    p = t.passages.c
    if marks and conn.dialect.name == "postgresql":  # one statement: executemany sends a statement per row
        for chunk in _chunks(marks, 10 * CHUNK):
            conn.execute(sql(
                "UPDATE passages SET duplicate_of = v.of, duplicate_kind = v.kind, duplicate_scope = v.scope "
                "FROM unnest(CAST(:pid AS integer[]), CAST(:of AS integer[]), CAST(:kind AS text[]), "
                "CAST(:scope AS text[])) AS v(pid, of, kind, scope) WHERE passages.id = v.pid"),
                {"pid": [pid for pid, _m in chunk], "of": [m[0] if m else None for _p, m in chunk],
                 "kind": [m[1] if m else None for _p, m in chunk], "scope": ["across" if m else None for _p, m in chunk]})
    elif marks:
        conn.execute(update(t.passages).where(p.id == bindparam("pid")).values(
            duplicate_of=bindparam("of"), duplicate_kind=bindparam("kind"), duplicate_scope=bindparam("scope")),
            [_mark_row(pid, mark) for pid, mark in marks])
    return {pid for pid, _mark in marks}


def _copied_through(conn, remarked: set[int]) -> set[str]:
    """The sources of the re-marked passages and of every passage whose chain of copies runs through one.

    What `Changes.copies` promises: a passage's copy chain (its mark, the mark of the passage it copies, ...)
    ends elsewhere only if a passage on it was re-marked, so the sources of those passages and of the
    passages pointing at them, step by step, are every source whose chains changed. A source re-stored or
    removed loses its passages (their ids change), and the passages that copied them are re-marked."""
    p = t.passages.c
    sources: set[str] = set()
    seen, frontier = set(remarked), sorted(remarked)
    while frontier:
        pointing: set[int] = set()
        for chunk in _chunks(frontier):
            for pid, source_id in conn.execute(select(p.id, p.source_id).where(p.id.in_(chunk))):
                sources.add(source_id)
            pointing.update(pid for (pid,) in conn.execute(select(p.id).where(p.duplicate_of.in_(chunk))))
        frontier = sorted(pointing - seen)
        seen |= pointing
    return sources


def _mark_row(pid: int, mark: tuple[int, str] | None) -> dict[str, Any]:
    return {"pid": pid, "of": mark[0] if mark else None, "kind": mark[1] if mark else None,
            "scope": "across" if mark else None}


# (threshold, num_perm) -> (bands, rows) as datasketch picks them: it integrates the false positive and
# negative rates of every shape (scipy), ~15 ms a process, which an add of one document paid in full.
# tests/test_copies_shape.py checks each entry against datasketch.
KNOWN_SHAPES = {(0.3, 128): (37, 3), (0.4, 128): (32, 4), (0.5, 128): (25, 5), (0.6, 128): (18, 7), (0.7, 128): (14, 9),
                (0.75, 128): (11, 11), (0.8, 128): (9, 13), (0.85, 128): (8, 16), (0.9, 128): (5, 25)}


@lru_cache(maxsize=8)
def lsh_shape(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's MinHashLSH picks for this threshold: the same candidates."""
    if (threshold, NUM_PERM) in KNOWN_SHAPES:
        return KNOWN_SHAPES[threshold, NUM_PERM]
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


@lru_cache(maxsize=1)
def _permutations():
    """The seed-1 permutations every MinHash here uses: drawn once (a third of banding a passage was drawing them)."""
    from datasketch import MinHash

    prototype = MinHash(num_perm=NUM_PERM, seed=1)
    return prototype.scheme, prototype.permutations


def band_keys(text: str, threshold: float) -> list[tuple[int, int]]:
    """(band, 64-bit key) of a passage: its exact-copy key (band -1) and each LSH band of its MinHash."""
    from datasketch import MinHash

    bands, rows = lsh_shape(threshold)
    scheme, permutations = _permutations()
    minhash = MinHash(num_perm=NUM_PERM, seed=1, permutations=permutations, scheme=scheme)
    minhash.update_batch([g.encode("utf-8") for g in sorted(shingles(text))])
    keys = [(EXACT, _int64(exact_key(text).encode()))]
    keys += [(i, _int64(minhash.hashvalues[i * rows:(i + 1) * rows].tobytes())) for i in range(bands)]
    return keys


def eligible_passages(passages: Iterable[tuple[int, int, int, str, bool]], text: str,
                      min_chars: int) -> list[tuple[int, str]]:
    """(seq, passage text) of the passages of one document that the copies stage bands. Pure (no store), so a
    Dask worker that annotated the document picks the same passages the stage does.

    `passages`: (seq, start, end, role, within) each, `within` being whether the passage is stored as a copy
    inside its own document (the writer stores that mark only when it points to an earlier passage). Content
    passages that are not such a copy and hold `min_chars` once their whitespace is collapsed count: short
    headings legitimately repeat."""
    out = []
    for seq, start, end, role, within in passages:
        part = text[start:end]
        if role == "content" and not within and len(" ".join(part.split())) >= min_chars:
            out.append((seq, part))
    return out


def document_bands(passages: Iterable[tuple[int, int, int, str, bool]], text: str, threshold: float,
                   min_chars: int) -> list[tuple[int, int, int]]:
    """(seq, band, key) rows of one document's eligible passages (`eligible_passages`, `band_keys`): what
    `passage_bands` holds for it, with passage seqs instead of ids. Pure, like `eligible_passages`."""
    return [(seq, band, key) for seq, part in eligible_passages(passages, text, min_chars)
            for band, key in band_keys(part, threshold)]


def _int64(blob: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big", signed=True)


def _eligible(conn, source_ids: list[str]):
    """Content passages not copied inside their own document, with their text, of these sources."""
    p = t.passages.c
    query = select(p.id, p.source_id, p.seq, p.start, p.end, p.role, p.duplicate_scope, t.texts.c.text).join(
        t.texts, t.texts.c.source_id == p.source_id).where(and_(
            p.role == "content", p.duplicate_scope.is_(None) | (p.duplicate_scope == "across")))
    for chunk in _chunks(source_ids, 50):
        yield from conn.execute(query.where(p.source_id.in_(chunk)))


def _store_bands(conn, source_ids: list[str], threshold: float, min_chars: int, *, keep: bool) -> set[int]:
    """Compute and insert the bands of these sources' passages, `SOURCES_AT_ONCE` sources at a time.

    Returns the passage ids written when `keep` (an incremental run re-marks them); a full run keeps
    nothing, so its memory does not grow with the corpus."""
    passages: set[int] = set()
    for chunk in _chunks(source_ids, SOURCES_AT_ONCE):
        rows = _bands_of(conn, chunk, threshold, min_chars)
        if rows:
            _insert_bands(conn, rows)
        if keep:
            passages.update(r["passage_id"] for r in rows)
    return passages


def _insert_bands(conn, rows: list[dict[str, Any]]) -> None:
    """Insert `passage_bands` rows: as plain tuples through the driver (SQLAlchemy's per-row parameter
    handling cost more than SQLite's insert), and on PostgreSQL by COPY (executemany sent one INSERT
    per row: 190,000 statements for 1,000 documents)."""
    tuples = [(r["passage_id"], r["source_id"], r["band"], r["key"]) for r in rows]
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql("INSERT INTO passage_bands (passage_id, source_id, band, key) VALUES (?, ?, ?, ?)", tuples)
        return
    with conn.connection.driver_connection.cursor() as cursor:  # the same connection, so the same transaction
        with cursor.copy("COPY passage_bands (passage_id, source_id, band, key) FROM STDIN") as copy:
            for row in tuples:
                copy.write_row(row)


def _bands_of(conn, source_ids: list[str], threshold: float, min_chars: int) -> list[dict[str, Any]]:
    """The `passage_bands` rows of these sources, by the pure `document_bands` a worker would run."""
    by_source: dict[str, list] = defaultdict(list)
    for r in list(_eligible(conn, source_ids)):  # read before the caller writes on the same connection
        by_source[r.source_id].append(r)
    rows = []
    for source_id in source_ids:
        passages = by_source.get(source_id, [])
        if not passages:
            continue
        ids = {r.seq: r.id for r in passages}
        spans = [(r.seq, r.start, r.end, r.role, r.duplicate_scope == "within") for r in passages]
        rows += [{"passage_id": ids[seq], "source_id": source_id, "band": band, "key": key}
                 for seq, band, key in document_bands(spans, passages[0].text, threshold, min_chars)]
    return rows


def _sharing(conn, sources: list[str] | None) -> set[int]:
    """Ids of the passages that share a band or exact key with a passage of another source: any (`sources`
    None: a semi-join, each band row stops at its first holder elsewhere), or one of these sources."""
    a, b = t.passage_bands.alias("a"), t.passage_bands.alias("b")
    same = and_(a.c.band == b.c.band, a.c.key == b.c.key, a.c.source_id != b.c.source_id)
    if sources is None:
        query = select(a.c.passage_id).distinct().where(exists().where(same))
    else:
        query = select(b.c.passage_id).distinct().join(b, same).where(a.c.source_id.in_(sources))
    return {pid for (pid,) in conn.execute(query)}


def _candidates(conn, batch: list[int], *, exact: bool) -> dict[int, tuple[str, int, list[tuple[int, str, int, bool]]]]:
    """passage id -> (its source, its seq, [(passage id, source id, seq, shares the exact key)]) of each passage
    of another source sharing the exact key (`exact`) or any band with it: one query for the whole batch (a
    band-by-band read cost a round trip per band, ~1,000 a batch on PostgreSQL). The exact key's band (-1)
    is the lowest, so a pair shares the exact key when its lowest shared band is -1."""
    a, b, pa, pb = (t.passage_bands.alias("a"), t.passage_bands.alias("b"), t.passages.alias("pa"),
                    t.passages.alias("pb"))
    pairs = select(a.c.passage_id.label("pid"), b.c.passage_id.label("other"), func.min(b.c.band).label("lowest")).join(
        b, and_(a.c.band == b.c.band, a.c.key == b.c.key, a.c.source_id != b.c.source_id)).where(
        a.c.passage_id.in_(batch)).group_by(a.c.passage_id, b.c.passage_id)
    if exact:  # band + 0 = -1: a test the (band, key) index cannot serve, so both databases start from the batch's
        pairs = pairs.where(a.c.band + 0 == EXACT)  # rows (with band = -1 they read every exact key of the corpus)
    pairs = pairs.subquery()
    query = select(pairs.c.pid, pa.c.source_id, pa.c.seq, pairs.c.other, pb.c.source_id, pb.c.seq, pairs.c.lowest).join(
        pa, pa.c.id == pairs.c.pid).join(pb, pb.c.id == pairs.c.other)
    out: dict[int, tuple[str, int, list[tuple[int, str, int, bool]]]] = {}
    for pid, source_id, seq, other, other_source, other_seq, lowest in conn.execute(query):
        out.setdefault(pid, (source_id, seq, []))[2].append((other, other_source, other_seq, lowest == EXACT))
    return out


def _earlier(candidates, rank: dict[str, int]) -> dict[int, list[tuple[int, bool]]]:
    """passage id -> (passage id, shares the exact key) of its candidates in earlier documents, earliest first."""
    out = {}
    for pid, (source, seq, found) in candidates.items():
        here = (rank.get(source, 1 << 30), seq)
        ordered = sorted(((rank.get(s, 1 << 30), q_seq), q, exact) for q, s, q_seq, exact in found if s != source)
        out[pid] = [(q, exact) for where, q, exact in ordered if where < here]
    return out


def _texts(conn, ids: Iterable[int], into: dict[int, tuple[str, int, str]]) -> None:
    """Add passage id -> (source id, seq, passage text) of these passages to `into` (the database cuts
    the passage out of its text: a batch reads its passages, not every text they sit in)."""
    p, x = t.passages.c, t.texts.c
    query = select(p.id, p.source_id, p.seq, func.substr(x.text, p.start + 1, p.end - p.start)).join(
        t.texts, x.source_id == p.source_id)
    for chunk in _chunks(sorted(set(ids) - into.keys())):
        into.update((pid, (source_id, seq, part)) for pid, source_id, seq, part in conn.execute(query.where(p.id.in_(chunk))))


def _marks(conn, affected: set[int], rank: dict[str, int], threshold: float) -> dict[int, tuple[int, str]]:
    """passage id -> (first occurrence, exact | near) for the affected passages that copy one.

    A passage copies the earliest passage of another, earlier document with its exact key; else the
    earliest one sharing an LSH band whose shingles' Jaccard reaches the threshold. A few queries a
    batch, whatever its size: first the exact copies (the passages sharing the exact key, then the
    texts of each passage and of its earliest such candidate: on a corpus of repeats nearly every
    passage is settled there, from one band of 26), then, for the others, every candidate and the
    texts of the earlier ones."""
    texts: dict[int, tuple[str, int, str]] = {}
    marks: dict[int, tuple[int, str]] = {}
    firsts = {pid: found[0][0] for pid, found in _earlier(_candidates(conn, sorted(affected), exact=True), rank).items()
              if found}
    _texts(conn, set(firsts) | set(firsts.values()), texts)
    for pid, q in firsts.items():
        if pid in texts and q in texts and exact_key(texts[q][2]) == exact_key(texts[pid][2]):
            marks[pid] = (q, "exact")
    earlier = _earlier(_candidates(conn, sorted(affected - marks.keys()), exact=False), rank)
    _texts(conn, {pid for pid, found in earlier.items() if found} | {q for found in earlier.values() for q, _e in found},
           texts)
    grams: dict[int, set[str]] = {}
    for pid, found in earlier.items():
        if pid not in texts or not found:
            continue
        mine = exact_key(texts[pid][2])
        exact = [q for q, shares in found if shares and q in texts and exact_key(texts[q][2]) == mine]
        if exact:
            marks[pid] = (exact[0], "exact")
            continue
        mine_grams = grams.setdefault(pid, shingles(texts[pid][2]))
        for q, _shares in found:
            if q in texts and jaccard(mine_grams, grams.setdefault(q, shingles(texts[q][2]))) >= threshold:
                marks[pid] = (q, "near")
                break
    return marks


def _stored_marks(conn, affected: set[int] | None) -> dict[int, tuple[int, str]]:
    """passage id -> (duplicate_of, kind) of the passages marked 'across' now (only affected ones, if given)."""
    p = t.passages.c
    query = select(p.id, p.duplicate_of, p.duplicate_kind).where(p.duplicate_scope == "across")
    if affected is None:
        return {r.id: (r.duplicate_of, r.duplicate_kind) for r in conn.execute(query)}
    out = {}
    for chunk in _chunks(sorted(affected)):
        out.update((r.id, (r.duplicate_of, r.duplicate_kind)) for r in conn.execute(query.where(p.id.in_(chunk))))
    return out


def _chunks(items: list, size: int = CHUNK):
    """Lists cut to a size every database accepts in one IN (...)."""
    for i in range(0, len(items), size):
        yield items[i:i + size]
