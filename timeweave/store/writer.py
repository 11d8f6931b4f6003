"""Writing one document and everything the annotate stage found in it, in one transaction.

The writer reads only `Document` (ingest) and `Annotations` (the Doc extensions `doc._.timexes`,
`doc._.entity_mentions`, `doc._.event_mentions` as plain data), mapping view offsets back to
source offsets.
A document is replaced whole: a build killed between two documents leaves each either as it was
or fully rewritten, and the next build picks up where it stopped.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from timeweave.annotate.view import TextView
from timeweave.ingest.types import Document
from timeweave.store import schema as t

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
    exists = conn.execute(select(t.sources.c.id).where(t.sources.c.id == source_id)).first()
    if exists:
        conn.execute(update(t.sources).where(t.sources.c.id == source_id).values(**row))
    else:
        conn.execute(insert(t.sources).values(id=source_id, **row))
    conn.execute(insert(t.texts).values(source_id=source_id, text=document.text))
    passage_ids = _write_passages(conn, document)
    if annotations is not None and view is not None:
        _write_annotations(conn, document, annotations, view, passage_ids)


def _write_passages(conn: Connection, document: Document) -> list[int]:
    ids: list[int] = []
    for seq, passage in enumerate(document.passages):
        duplicate_of = None
        if passage.duplicate_of is not None and passage.duplicate_scope == "within":
            duplicate_of = ids[passage.duplicate_of[1]] if passage.duplicate_of[1] < len(ids) else None
        result = conn.execute(
            insert(t.passages).values(
                source_id=document.meta.id,
                seq=seq,
                start=passage.start,
                end=passage.end,
                role=passage.role,
                role_reason=passage.role_reason,
                sha1=passage.sha1,
                duplicate_of=duplicate_of,
                duplicate_kind=passage.duplicate_kind if duplicate_of else None,
                duplicate_scope="within" if duplicate_of else None,
            )
        )
        ids.append(result.inserted_primary_key[0])
    return ids


def _passage_of(starts: list[int], passage_ids: list[int], offset: int) -> int | None:
    """The passage an annotation starts in: the last one starting at or before `offset`.

    Annotations come from the content view, so their start always lies inside a passage.
    """
    i = bisect.bisect_right(starts, offset) - 1
    return passage_ids[i] if i >= 0 else None


def _write_annotations(conn: Connection, document: Document, found: Any, view: TextView, passage_ids: list[int]) -> None:
    source_id = document.meta.id
    text = document.text
    starts = [p.start for p in document.passages]  # once per document, not per annotation

    def span(start: int, end: int) -> tuple[int, int, int | None]:
        s, e = view.span_to_source(start, end)
        return s, e, _passage_of(starts, passage_ids, s)

    timex_ids: list[int] = []
    timex_rows = found.timexes
    for timex in timex_rows:
        s, e, pid = span(timex.start, timex.end)
        result = conn.execute(
            insert(t.timexes).values(
                source_id=source_id, passage_id=pid, start=s, end=e, text=text[s:e],
                type=timex.type, value=timex.value, edtf=timex.edtf, earliest=timex.earliest,
                latest=timex.latest, granularity=timex.granularity, modifier=timex.modifier,
                anchor=timex.anchor, reason=timex.reason, component=timex.component,
            )
        )
        timex_ids.append(result.inserted_primary_key[0])

    mention_ids: list[int] = []
    for mention in found.entity_mentions:
        s, e, pid = span(mention.start, mention.end)
        result = conn.execute(
            insert(t.mentions).values(
                source_id=source_id, passage_id=pid, start=s, end=e, text=text[s:e],
                type=mention.type, key=mention.key, component=mention.component,
            )
        )
        mention_ids.append(result.inserted_primary_key[0])

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
        conn.execute(
            insert(t.event_mentions).values(
                source_id=source_id, passage_id=pid, start=s, end=e, trigger_start=ts, trigger_end=te,
                trigger=text[ts:te], lemma=event.lemma, type=event.type, factuality=event.factuality,
                context=event.context, when_reason=event.when_reason, when_kind=event.when_kind, sentence=event.sentence,
                participants=[{"mention": mention_ids[p.mention], "role": p.role} for p in event.participants],
                place_mention=mention_ids[event.place] if event.place is not None else None,
                component=event.component, **when,
            )
        )
