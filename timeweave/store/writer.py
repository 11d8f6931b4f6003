"""Writing documents and everything the annotate stage found in them.

The writer reads only `Document` (ingest) and `Annotations` (the Doc extensions `doc._.timexes`,
`doc._.entity_mentions`, `doc._.event_mentions` as plain data), mapping view offsets back to
source offsets. Each table's rows of a document go in one executemany (`_insert_returning_ids`), and
`write_documents` writes several documents per transaction, retrying one per transaction on error.
A document is replaced whole: a build killed between two transactions leaves each document either
as it was or fully rewritten, and the next build picks up where it stopped.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy import text as sql

from timeweave.annotate.view import TextView
from timeweave.ingest.types import Document
from timeweave.store import schema as t

log = logging.getLogger(__name__)

DOCUMENT_TABLES = (t.event_mentions, t.mentions, t.timexes, t.passages, t.texts)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def delete_source(conn: Connection, source_id: str) -> None:
    """Remove a source and every document-level row that refers to it."""
    clear_document(conn, source_id)
    conn.execute(delete(t.alias_sources).where(t.alias_sources.c.source_id == source_id))
    conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.source_id == source_id))
    conn.execute(delete(t.sources).where(t.sources.c.id == source_id))


def clear_document(conn: Connection, source_id: str) -> None:
    for table in DOCUMENT_TABLES:
        conn.execute(delete(table).where(table.c.source_id == source_id))


def write_document(
    conn: Connection,
    document: Document,
    *,
    run_id: int,
    pipeline: str,
    doc: Any = None,
    view: TextView | None = None,
    annotations: Any = None,
) -> None:
    """Replace the stored copy of `document` and its annotations (`annotations`, or read off `doc`)."""
    if annotations is None and doc is not None:
        from timeweave.annotate.run import Annotations

        annotations = Annotations.from_doc(doc)
    meta = document.meta
    source_id = meta.id
    exists = conn.execute(select(t.sources.c.id).where(t.sources.c.id == source_id)).first()
    if exists:  # a new source has no rows to clear: five DELETEs less per document (12 % of its write)
        clear_document(conn, source_id)
    row = {
        "path": document.path,
        "sha256": document.sha256,
        "format": document.format,
        "encoding": document.encoding,
        "size": document.size,
        "title": meta.title,
        "authors": list(meta.authors),
        "issued": meta.issued,
        "kind": meta.kind,
        "kind_reason": meta.kind_reason,
        "doi": meta.doi,
        "url": meta.url,
        "container_title": meta.container_title,
        "volume": meta.volume,
        "issue": meta.issue,
        "page": meta.page,
        "metadata_origin": meta.origin,
        "csl": meta.csl,
        "language": meta.language,
        "pipeline": pipeline,
        "run_id": run_id,
        "updated_at": now(),
    }
    if exists:
        conn.execute(update(t.sources).where(t.sources.c.id == source_id).values(**row))
    else:
        conn.execute(insert(t.sources).values(id=source_id, **row))
    conn.execute(insert(t.texts).values(source_id=source_id, text=document.text))
    passage_ids = _write_passages(conn, document)
    if annotations is not None and view is not None:
        _write_annotations(conn, document, annotations, view, passage_ids)


def _insert_returning_ids(conn: Connection, table, rows: list[dict]) -> list[int]:
    """Insert `rows` in one executemany and return their new ids in the order of `rows`.

    Why reserve the ids first: SQLAlchemy can only promise RETURNING ids in row order by sending one
    INSERT per row on SQLite, which is what made writing slow. The ids are taken from the table's
    sequence (PostgreSQL: concurrency-safe) or after its largest id (SQLite: this transaction already
    holds the database's write lock, so no other writer can take them); another backend inserts row
    by row with RETURNING."""
    if not rows:
        return []
    ids = _reserve_ids(conn, table, len(rows))
    if ids is None:
        return [conn.execute(insert(table).returning(table.c.id), row).scalar_one() for row in rows]
    conn.execute(insert(table), [{**row, "id": id_} for row, id_ in zip(rows, ids)])
    return ids


def _reserve_ids(conn: Connection, table, n: int) -> list[int] | None:
    """`n` unused ids of `table` for this transaction, or None when the backend has no safe way here."""
    if conn.dialect.name == "postgresql":
        sequence = conn.execute(sql("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}).scalar()
        if sequence is None:
            return None
        return list(conn.execute(sql("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :n)"),
                                 {"sequence": sequence, "n": n}).scalars())
    if conn.dialect.name == "sqlite":
        top = conn.execute(select(func.max(table.c.id))).scalar() or 0
        return list(range(top + 1, top + 1 + n))
    return None


def _write_passages(conn: Connection, document: Document) -> list[int]:
    rows = [{
        "source_id": document.meta.id, "seq": seq, "start": passage.start, "end": passage.end, "role": passage.role,
        "role_reason": passage.role_reason, "sha1": passage.sha1, "duplicate_of": None, "duplicate_kind": None,
        "duplicate_scope": None,
    } for seq, passage in enumerate(document.passages)]
    ids = _insert_returning_ids(conn, t.passages, rows)
    for seq, passage in enumerate(document.passages):  # a repeat within the document points to an earlier passage
        if passage.duplicate_of is not None and passage.duplicate_scope == "within" and passage.duplicate_of[1] < seq:
            conn.execute(update(t.passages).where(t.passages.c.id == ids[seq]).values(
                duplicate_of=ids[passage.duplicate_of[1]], duplicate_kind=passage.duplicate_kind, duplicate_scope="within"))
    return ids


def _passage_of(starts: list[int], passage_ids: list[int], offset: int) -> int | None:
    """The passage an annotation starts in: the last one starting at or before `offset`.

    Annotations come from the content view, so their start always lies inside a passage.
    """
    i = bisect.bisect_right(starts, offset) - 1
    return passage_ids[i] if i >= 0 else None


def _write_annotations(conn: Connection, document: Document, found: Any, view: TextView, passage_ids: list[int]) -> None:
    """The document's timexes, mentions and event mentions: one executemany per table (ids come back in
    order, so events can point to their timex and participants)."""
    source_id = document.meta.id
    text = document.text
    starts = [p.start for p in document.passages]  # once per document, not per annotation

    def span(start: int, end: int) -> tuple[int, int, int | None]:
        s, e = view.span_to_source(start, end)
        return s, e, _passage_of(starts, passage_ids, s)

    timex_rows = found.timexes
    rows = []
    for timex in timex_rows:
        s, e, pid = span(timex.start, timex.end)
        rows.append(dict(
            source_id=source_id, passage_id=pid, start=s, end=e, text=text[s:e],
            type=timex.type, value=timex.value, edtf=timex.edtf, earliest=timex.earliest,
            latest=timex.latest, granularity=timex.granularity, modifier=timex.modifier,
            anchor=timex.anchor, reason=timex.reason, component=timex.component,
        ))
    timex_ids = _insert_returning_ids(conn, t.timexes, rows)

    rows = []
    for mention in found.entity_mentions:
        s, e, pid = span(mention.start, mention.end)
        rows.append(dict(source_id=source_id, passage_id=pid, start=s, end=e, text=text[s:e],
                         type=mention.type, key=mention.key, component=mention.component))
    mention_ids = _insert_returning_ids(conn, t.mentions, rows)

    rows = []
    for event in found.event_mentions:
        s, e, pid = span(event.start, event.end)
        ts, te = view.span_to_source(event.trigger_start, event.trigger_end)
        timex = timex_rows[event.timex] if event.timex is not None else None
        when: dict[str, Any] = {"timex_id": None, "when_text": None, "edtf": None, "earliest": None, "latest": None}
        if timex is not None and timex.earliest and timex.latest:
            ws, we = view.span_to_source(timex.start, timex.end)
            when = {
                "timex_id": timex_ids[event.timex],
                "when_text": text[ws:we],
                "edtf": timex.edtf,
                "earliest": timex.earliest,
                "latest": timex.latest,
            }
        rows.append(dict(
            source_id=source_id, passage_id=pid, start=s, end=e, trigger_start=ts, trigger_end=te,
            trigger=text[ts:te], lemma=event.lemma, type=event.type, factuality=event.factuality,
            context=event.context, when_reason=event.when_reason, when_kind=event.when_kind, sentence=event.sentence,
            participants=[{"mention": mention_ids[p.mention], "role": p.role} for p in event.participants],
            place_mention=mention_ids[event.place] if event.place is not None else None,
            component=event.component, **when,
        ))
    if rows:
        conn.execute(insert(t.event_mentions), rows)


def unique_source_id(conn: Connection, wanted: str, path: str, taken: set[str]) -> str:
    """Source ids are stable per path: reuse this path's id, else the first free `wanted[-N]`, free also of
    the ids `taken` by documents written earlier in the same transaction (added to it)."""
    wanted = re.sub(r"[^A-Za-z0-9._-]+", "-", wanted).strip("-") or "source"
    same_path = conn.execute(select(t.sources.c.id).where(t.sources.c.path == path)).scalar()
    if same_path:
        taken.add(same_path)
        return same_path
    used = taken | {row[0] for row in conn.execute(select(t.sources.c.id).where(t.sources.c.id.like(f"{wanted}%")))}
    candidate, n = wanted, 2
    while candidate in used:
        candidate, n = f"{wanted}-{n}", n + 1
    taken.add(candidate)
    return candidate


def write_documents(engine: Engine, outcomes: Sequence[Any], *, run_id: int, pipeline: str) -> dict[str, Exception]:
    """Store annotated documents (`timeweave.work.Outcome`s: document, annotations, view), several
    per transaction (setting `write_batch_size`), and return the error of each one that could not be stored.

    Why batches: one commit per document is most of a small document's write time on PostgreSQL and
    on SQLite with fsync. Why the retry: a batch is one transaction, so an error in one document rolls
    back all; they are written again one per transaction, and only the bad one fails. Source ids are
    chosen inside the transaction, so two documents of one batch wanting the same id get two ids.
    """
    wanted = {id(o): o.document.meta.id for o in outcomes}

    def write(group: Sequence[Any]) -> None:
        with engine.begin() as conn:
            taken: set[str] = set()
            for outcome in group:
                document = outcome.document
                document.meta.id = unique_source_id(conn, wanted[id(outcome)], outcome.shown, taken)
                write_document(conn, document, run_id=run_id, pipeline=pipeline, annotations=outcome.annotations,
                               view=outcome.view)
        for outcome in group:
            log.info("stored %s as %s", outcome.shown, outcome.document.meta.id)

    if not outcomes:
        return {}
    try:
        write(outcomes)
        return {}
    except Exception as error:  # the transaction rolled back: none of the batch is stored
        if len(outcomes) == 1:
            log.error("storing %s failed", outcomes[0].shown, exc_info=error)
            return {outcomes[0].shown: error}
        log.warning("storing a batch of %d documents failed (%s): storing them one at a time", len(outcomes),
                    type(error).__name__)
    errors: dict[str, Exception] = {}
    for outcome in outcomes:
        try:
            write([outcome])
        except Exception as error:
            log.error("storing %s failed", outcome.shown, exc_info=error)
            errors[outcome.shown] = error
    return errors
