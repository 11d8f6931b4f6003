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

from sqlalchemy import Engine, and_, bindparam, delete, exists, select
from sqlalchemy import text as sql

from timeweave.ingest.duplicates import KNOWN_SHAPES, NUM_PERM, exact_key, jaccard, lsh_shape, shingles
from timeweave.store import schema as t
from timeweave.store.changes import Changes

log = logging.getLogger(__name__)
EXACT = -1  # the band number of a passage's exact-copy key in `passage_bands`
CHUNK = 500
BATCH = 200  # passages marked at once (with the passages sharing their bands)
SOURCES_AT_ONCE = 20  # sources whose bands are computed and written at once

# The queries an add runs, as plain SQL both databases read: a build opens a new engine, so SQLAlchemy
# compiled each Core query again on every add (about a third of the stage's CPU for one document).
_ELIGIBLE = sql(
    'SELECT p.id, p.source_id, p.seq, p.start, p."end", p.role, p.duplicate_scope, x.text FROM passages p '
    "JOIN texts x ON x.source_id = p.source_id WHERE p.role = 'content' "
    "AND (p.duplicate_scope IS NULL OR p.duplicate_scope = 'across') AND p.source_id IN :sources"
).bindparams(bindparam("sources", expanding=True))
_SHARING_WITH = sql(
    'SELECT DISTINCT b.passage_id FROM passage_bands a JOIN passage_bands b ON b.band = a.band AND b."key" = a."key" '
    "AND b.source_id <> a.source_id WHERE a.source_id IN :sources"
).bindparams(bindparam("sources", expanding=True))
# a.band + 0 = -1 (the exact key's band): a test the (band, key) index cannot serve, so both databases start
# from the batch's rows (with a.band = -1 they read every exact key of the corpus first)
_PAIRS, _EXACT_PAIRS = (sql(
    "SELECT x.pid, pa.source_id, pa.seq, x.other, pb.source_id, pb.seq, x.lowest FROM ("
    "SELECT a.passage_id AS pid, b.passage_id AS other, min(b.band) AS lowest FROM passage_bands a "
    'JOIN passage_bands b ON b.band = a.band AND b."key" = a."key" AND b.source_id <> a.source_id '
    f"WHERE a.passage_id IN :batch{extra} GROUP BY a.passage_id, b.passage_id) x "
    "JOIN passages pa ON pa.id = x.pid JOIN passages pb ON pb.id = x.other"
).bindparams(bindparam("batch", expanding=True)) for extra in ("", f" AND a.band + 0 = {EXACT}"))
_TEXTS = sql(
    'SELECT p.id, p.source_id, p.seq, substr(x.text, p.start + 1, p."end" - p.start) FROM passages p '
    "JOIN texts x ON x.source_id = p.source_id WHERE p.id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_SOURCES = sql("SELECT id, issued, path FROM sources WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
_LAST = ("\U0010ffff", "")  # the place of a source not in `sources` (none: passages hold a foreign key): last
_STORED = sql(
    "SELECT id, duplicate_of, duplicate_kind FROM passages WHERE duplicate_scope = 'across' AND id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_SOURCES_OF = sql("SELECT source_id FROM passages WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
_POINTING = sql("SELECT id FROM passages WHERE duplicate_of IN :ids").bindparams(bindparam("ids", expanding=True))


def mark_cross_document_duplicates(engine: Engine, config: dict[str, Any], *, changes: Changes | None = None) -> int:
    """Bring the `duplicate_scope = 'across'` marks up to date; returns how many passages are copies (a full
    run: in the store; an incremental one: among the passages it looked at, so it reads no others).

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
        # a full run reads every source's place in corpus order; an incremental one those its batches meet
        rank = _order(conn, None if changes.full else sorted(changes.added | changes.changed), {})
        if changes.full:
            conn.execute(delete(t.passage_bands))
            fresh, old_holders = sorted(rank), set()
        else:
            _index_joins(conn, True)  # every join of an incremental run starts from a few sources' rows
            fresh = sorted(rank)
            gone = sorted(changes.sources)
            old_holders = {pid for chunk in _chunks(gone) for pid in _sharing(conn, chunk)}
            for chunk in _chunks(gone):  # (the holders above were read before these bands go)
                conn.execute(delete(t.passage_bands).where(b.source_id.in_(chunk)))
        new_passages = _store_bands(conn, fresh, threshold, min_chars, keep=not changes.full)
        if changes.full:
            affected = _sharing(conn, None)
            stored = _stored_marks(conn, None)
        else:
            affected = new_passages | old_holders | {pid for chunk in _chunks(fresh) for pid in _sharing(conn, chunk)}
            stored = _stored_marks(conn, affected)
        remarked: set[int] = set()
        copied = 0
        _index_joins(conn, True)  # (a full run's `_sharing` above is best hashed: it reads every band)
        for batch in _chunks(sorted(affected), BATCH):
            marks = _marks(conn, set(batch), rank, threshold)
            copied += len(marks)
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
    log.info("copies across documents: %d passages re-marked of %d %s; %d copies %s", todo, len(affected),
             "sharing a band" if changes.full else "looked at", copied, "in the store" if changes.full else "among them")
    return copied


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
    """Set (or clear, None) the 'across' mark of these passages; returns their ids. Plain tuples through the
    driver on SQLite; on PostgreSQL one UPDATE of arrays (executemany sent a statement per row)."""
    rows = [(mark[0] if mark else None, mark[1] if mark else None, "across" if mark else None, pid) for pid, mark in marks]
    if rows and conn.dialect.name == "postgresql":
        for chunk in _chunks(rows, 10 * CHUNK):
            conn.execute(sql(
                "UPDATE passages SET duplicate_of = v.of, duplicate_kind = v.kind, duplicate_scope = v.scope "
                "FROM unnest(CAST(:of AS integer[]), CAST(:kind AS text[]), CAST(:scope AS text[]), "
                "CAST(:pid AS integer[])) AS v(of, kind, scope, pid) WHERE passages.id = v.pid"),
                dict(zip(("of", "kind", "scope", "pid"), map(list, zip(*chunk)))))
    elif rows:
        conn.exec_driver_sql("UPDATE passages SET duplicate_of = ?, duplicate_kind = ?, duplicate_scope = ? WHERE id = ?",
                             rows)
    return {pid for pid, _mark in marks}


def _copied_through(conn, remarked: set[int]) -> set[str]:
    """The sources of the re-marked passages and of every passage whose chain of copies runs through one.

    What `Changes.copies` promises: a passage's copy chain (its mark, the mark of the passage it copies, ...)
    ends elsewhere only if a passage on it was re-marked, so the sources of those passages and of the
    passages pointing at them, step by step, are every source whose chains changed. A source re-stored or
    removed loses its passages (their ids change), and the passages that copied them are re-marked."""
    sources: set[str] = set()
    seen, frontier = set(remarked), sorted(remarked)
    while frontier:
        pointing: set[int] = set()
        for chunk in _chunks(frontier):
            sources.update(source_id for (source_id,) in conn.execute(_SOURCES_OF, {"ids": chunk}))
            pointing.update(pid for (pid,) in conn.execute(_POINTING, {"ids": chunk}))
        frontier = sorted(pointing - seen)
        seen |= pointing
    return sources


def band_keys(text: str, threshold: float) -> list[tuple[int, int]]:
    """(band, 64-bit key) of a passage: its exact-copy key (band -1) and each LSH band of its MinHash."""
    from timeweave.minhash import signature  # datasketch's numbers without its scipy imports

    bands, rows = lsh_shape(threshold)
    hashvalues = signature([g.encode("utf-8") for g in sorted(shingles(text))], num_perm=NUM_PERM, seed=1)
    keys = [(EXACT, _int64(exact_key(text).encode()))]
    keys += [(i, _int64(hashvalues[i * rows:(i + 1) * rows].tobytes())) for i in range(bands)]
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
            passages.update(r[0] for r in rows)
    return passages


def _insert_bands(conn, rows: list[tuple[int, str, int, int]]) -> None:
    """Insert (passage id, source id, band, key) rows: plain tuples through the driver on SQLite (SQLAlchemy's
    per-row parameter handling cost more than the insert), COPY on PostgreSQL (executemany sent one INSERT
    a row: 190,000 statements for 1,000 documents)."""
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql("INSERT INTO passage_bands (passage_id, source_id, band, key) VALUES (?, ?, ?, ?)", rows)
        return
    with conn.connection.driver_connection.cursor() as cursor:  # the same connection, so the same transaction
        with cursor.copy("COPY passage_bands (passage_id, source_id, band, key) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _bands_of(conn, source_ids: list[str], threshold: float, min_chars: int) -> list[tuple[int, str, int, int]]:
    """The `passage_bands` rows of these sources' content passages not copied inside their own document, by
    the pure `document_bands` a worker would run."""
    by_source: dict[str, list] = defaultdict(list)
    for chunk in _chunks(source_ids, 50):  # all read before the caller writes on the same connection
        for r in conn.execute(_ELIGIBLE, {"sources": chunk}).all():
            by_source[r.source_id].append(r)
    rows = []
    for source_id in source_ids:
        passages = by_source.get(source_id, [])
        if passages:
            ids = {r.seq: r.id for r in passages}
            spans = [(r.seq, r.start, r.end, r.role, r.duplicate_scope == "within") for r in passages]
            rows += [(ids[seq], source_id, band, key)
                     for seq, band, key in document_bands(spans, passages[0].text, threshold, min_chars)]
    return rows


def _sharing(conn, sources: list[str] | None) -> set[int]:
    """Ids of the passages that share a band or exact key with a passage of another source: any (`sources`
    None: a semi-join, each band row stops at its first holder elsewhere), or one of these sources."""
    if sources is not None:
        return set(conn.execute(_SHARING_WITH, {"sources": sources}).scalars())
    a, b = t.passage_bands.alias("a"), t.passage_bands.alias("b")
    same = and_(a.c.band == b.c.band, a.c.key == b.c.key, a.c.source_id != b.c.source_id)
    return set(conn.execute(select(a.c.passage_id).distinct().where(exists().where(same))).scalars())


def _candidates(conn, batch: list[int], *, exact: bool) -> dict[int, tuple[str, int, list[tuple[int, str, int, bool]]]]:
    """passage id -> (its source, its seq, [(passage id, source id, seq, shares the exact key)]) of each passage
    of another source sharing the exact key (`exact`) or any band with it: one query for the whole batch (a
    band-by-band read cost a round trip per band, ~1,000 a batch on PostgreSQL). The exact key's band (-1)
    is the lowest, so a pair shares the exact key when its lowest shared band is -1."""
    if not batch:
        return {}
    query = _EXACT_PAIRS if exact else _PAIRS
    out: dict[int, tuple[str, int, list[tuple[int, str, int, bool]]]] = {}
    for pid, source_id, seq, other, other_source, other_seq, lowest in conn.execute(query, {"batch": batch}):
        out.setdefault(pid, (source_id, seq, []))[2].append((other, other_source, other_seq, lowest == EXACT))
    return out


def _order(conn, source_ids: list[str] | None, into: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Add source id -> its place in corpus order, (issued, path) (undated last), of these sources (all if None)
    to `into`. Documents are taken oldest first, so a passage's first occurrence is the least place."""
    if source_ids is None:
        rows = conn.execute(sql("SELECT id, issued, path FROM sources")).all()
    else:
        rows = [r for chunk in _chunks(sorted(set(source_ids) - into.keys()))
                for r in conn.execute(_SOURCES, {"ids": chunk})]
    into.update((source_id, (issued or "9999", path)) for source_id, issued, path in rows)
    return into


def _earlier(conn, candidates, rank: dict[str, tuple[str, str]]) -> dict[int, list[tuple[int, bool]]]:
    """passage id -> (passage id, shares the exact key) of its candidates in earlier documents, earliest first
    (the places of sources not yet in `rank` are read into it)."""
    _order(conn, {s for source, _seq, found in candidates.values() for s in [source, *(f[1] for f in found)]}, rank)
    out = {}
    for pid, (source, seq, found) in candidates.items():
        here = (rank.get(source, _LAST), seq)
        ordered = sorted(((rank.get(s, _LAST), q_seq), q, exact) for q, s, q_seq, exact in found if s != source)
        out[pid] = [(q, exact) for where, q, exact in ordered if where < here]
    return out


def _texts(conn, ids: Iterable[int], into: dict[int, tuple[str, int, str]]) -> None:
    """Add passage id -> (source id, seq, passage text) of these passages to `into` (the database cuts
    the passage out of its text: a batch reads its passages, not every text they sit in)."""
    for chunk in _chunks(sorted(set(ids) - into.keys())):
        into.update((pid, (source_id, seq, part)) for pid, source_id, seq, part in conn.execute(_TEXTS, {"ids": chunk}))


def _marks(conn, affected: set[int], rank: dict[str, tuple[str, str]], threshold: float) -> dict[int, tuple[int, str]]:
    """passage id -> (first occurrence, exact | near) for the affected passages that copy one.

    A passage copies the earliest passage of another, earlier document with its exact key; else the
    earliest one sharing an LSH band whose shingles' Jaccard reaches the threshold. A few queries a
    batch, whatever its size: first the exact copies (the passages sharing the exact key, then the
    texts of each passage and of its earliest such candidate: on a corpus of repeats nearly every
    passage is settled there, from one band of 26), then, for the others, every candidate and the
    texts of the earlier ones."""
    texts: dict[int, tuple[str, int, str]] = {}
    marks: dict[int, tuple[int, str]] = {}
    candidates = _candidates(conn, sorted(affected), exact=True)
    firsts = {pid: found[0][0] for pid, found in _earlier(conn, candidates, rank).items() if found}
    _texts(conn, set(firsts) | set(firsts.values()), texts)
    for pid, q in firsts.items():
        if pid in texts and q in texts and exact_key(texts[q][2]) == exact_key(texts[pid][2]):
            marks[pid] = (q, "exact")
    candidates = _candidates(conn, sorted(affected - marks.keys()), exact=False)
    earlier = _earlier(conn, candidates, rank)
    del candidates
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
        out.update((pid, (of, kind)) for pid, of, kind in conn.execute(_STORED, {"ids": chunk}))
    return out


def _chunks(items: list, size: int = CHUNK):
    """Lists cut to a size every database accepts in one IN (...)."""
    for i in range(0, len(items), size):
        yield items[i:i + size]
