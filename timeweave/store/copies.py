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

from sqlalchemy import Engine, and_, bindparam, delete, func, select, update

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
    another source (`_sharing`): any other passage has no candidate, so no mark."""
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
            fresh, old_keys = sorted(rank), set()
        else:
            fresh = sorted((changes.added | changes.changed) & set(rank))
            gone = sorted(changes.sources)
            old_keys = {(r.band, r.key) for chunk in _chunks(gone) for r in conn.execute(
                select(b.band, b.key).where(b.source_id.in_(chunk)))}
            for chunk in _chunks(gone):
                conn.execute(delete(t.passage_bands).where(b.source_id.in_(chunk)))
        new_keys, new_passages = _store_bands(conn, fresh, threshold, min_chars, keep=not changes.full)
        if changes.full:
            affected = _sharing(conn)
            stored = _stored_marks(conn, None)
        else:
            affected = new_passages | set(_holders(conn, old_keys | new_keys))
            stored = _stored_marks(conn, affected)
        remarked: set[int] = set()
        for batch in _chunks(sorted(affected), BATCH):
            marks = _marks(conn, set(batch), rank, threshold)
            remarked |= _write_marks(conn, [(pid, marks.get(pid)) for pid in batch
                                            if marks.get(pid) != stored.get(pid)])
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


def _write_marks(conn, marks: list[tuple[int, tuple[int, str] | None]]) -> set[int]:
    """Set (or clear, None) the 'across' mark of these passages; returns their ids."""
    p = t.passages.c
    if marks:
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


@lru_cache(maxsize=8)
def lsh_shape(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's MinHashLSH picks for this threshold: the same candidates."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def band_keys(text: str, threshold: float) -> list[tuple[int, int]]:
    """(band, 64-bit key) of a passage: its exact-copy key (band -1) and each LSH band of its MinHash."""
    from datasketch import MinHash

    bands, rows = lsh_shape(threshold)
    minhash = MinHash(num_perm=NUM_PERM, seed=1)
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


def _passages(conn, ids: set[int]) -> dict[int, tuple[str, int, str]]:
    """passage id -> (source id, seq, text) of these passages (all hold bands, so all are eligible)."""
    p = t.passages.c
    out: dict[int, tuple[str, int, str]] = {}
    by_source: dict[str, list] = defaultdict(list)
    for chunk in _chunks(sorted(ids)):
        for r in conn.execute(select(p.id, p.source_id, p.seq, p.start, p.end).where(p.id.in_(chunk))):
            by_source[r.source_id].append(r)
    for chunk in _chunks(sorted(by_source), 50):
        for source_id, text in conn.execute(select(t.texts.c.source_id, t.texts.c.text).where(t.texts.c.source_id.in_(chunk))):
            out.update((r.id, (source_id, r.seq, text[r.start:r.end])) for r in by_source[source_id])
    return out


def _store_bands(conn, source_ids: list[str], threshold: float, min_chars: int, *,
                 keep: bool) -> tuple[set[tuple[int, int]], set[int]]:
    """Compute and insert the bands of these sources' passages, `SOURCES_AT_ONCE` sources at a time.

    Returns the (band, key) pairs and the passage ids written when `keep` (an incremental run
    re-marks what shares them); a full run keeps nothing, so its memory does not grow with the corpus."""
    keys: set[tuple[int, int]] = set()
    passages: set[int] = set()
    for chunk in _chunks(source_ids, SOURCES_AT_ONCE):
        rows = _bands_of(conn, chunk, threshold, min_chars)
        if rows:
            conn.execute(t.passage_bands.insert(), rows)
        if keep:
            keys.update((r["band"], r["key"]) for r in rows)
            passages.update(r["passage_id"] for r in rows)
    return keys, passages


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


def _sharing(conn) -> set[int]:
    """Ids of the passages that share a band or exact key with a passage of another source (an indexed self-join)."""
    a, b = t.passage_bands.alias("a"), t.passage_bands.alias("b")
    query = select(a.c.passage_id).distinct().join(b, and_(
        a.c.band == b.c.band, a.c.key == b.c.key, a.c.source_id != b.c.source_id))
    return {pid for (pid,) in conn.execute(query)}


def _holders(conn, keys: set[tuple[int, int]]) -> dict[int, set[tuple[int, int]]]:
    """passage id -> its (band, key) pairs among `keys`, for every stored passage holding one."""
    b = t.passage_bands.c
    out: dict[int, set[tuple[int, int]]] = defaultdict(set)
    by_band: dict[int, list[int]] = defaultdict(list)
    for band, key in keys:
        by_band[band].append(key)
    for band, band_keys_ in sorted(by_band.items()):  # band first: the index (band, key) serves the read
        for chunk in _chunks(sorted(band_keys_)):
            for passage_id, key in conn.execute(select(b.passage_id, b.key).where(b.band == band, b.key.in_(chunk))):
                out[passage_id].add((band, key))
    return out


def _bands_of_passages(conn, ids: list[int]) -> dict[int, set[tuple[int, int]]]:
    """passage id -> its (band, key) pairs (read by ix_passage_bands_passage)."""
    b = t.passage_bands.c
    out: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for chunk in _chunks(ids):
        for passage_id, band, key in conn.execute(select(b.passage_id, b.band, b.key).where(b.passage_id.in_(chunk))):
            out[passage_id].add((band, key))
    return out


def _marks(conn, affected: set[int], rank: dict[str, int], threshold: float) -> dict[int, tuple[int, str]]:
    """passage id -> (first occurrence, exact | near) for the affected passages that copy one.

    A passage copies the earliest passage of another, earlier document with its exact key; else the
    earliest one sharing an LSH band whose shingles' Jaccard reaches the threshold."""
    keys_of = _bands_of_passages(conn, sorted(affected))
    holders = _holders(conn, {k for keys in keys_of.values() for k in keys})
    by_key: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pid, keys in holders.items():
        for key in keys:
            by_key[key].append(pid)
    texts = _passages(conn, set(holders) | set(keys_of))
    where = {pid: (rank.get(src, 1 << 30), seq) for pid, (src, seq, _text) in texts.items()}
    grams: dict[int, set[str]] = {}
    marks: dict[int, tuple[int, str]] = {}
    for pid in sorted(keys_of, key=lambda x: where.get(x, (1 << 30, 0))):
        if pid not in texts:
            continue
        source, here = texts[pid][0], where[pid]
        earlier = {q for key in keys_of[pid] for q in by_key[key]
                   if q in texts and texts[q][0] != source and where[q] < here}
        exact = [q for q in earlier if any(k[0] == EXACT and k in holders[q] for k in keys_of[pid])
                 and exact_key(texts[q][2]) == exact_key(texts[pid][2])]
        if exact:
            marks[pid] = (min(exact, key=where.__getitem__), "exact")
            continue
        mine = grams.setdefault(pid, shingles(texts[pid][2]))
        for q in sorted(earlier, key=where.__getitem__):
            if jaccard(mine, grams.setdefault(q, shingles(texts[q][2]))) >= threshold:
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
