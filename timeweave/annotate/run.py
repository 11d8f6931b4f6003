"""Running the annotate pipeline on one ingested document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from timeweave.annotate.types import EntityMention, EventMention, Timex
from timeweave.annotate.view import TextView, content_view
from timeweave.ingest.language import reads_as_english
from timeweave.ingest.types import Document

if not Doc.has_extension("dct"):
    Doc.set_extension("dct", default=None)


def document_date(document: Document) -> str | None:
    """The document's own date as ISO (YYYY, YYYY-MM or YYYY-MM-DD), for deictic words only."""
    issued = (document.meta.issued or "").strip()
    if not issued:
        return None
    head = issued.split("/")[0].rstrip("~?%")
    parts = head.split("-")
    if parts and parts[0].isdigit() and len(parts[0]) == 4:
        return "-".join(p for p in parts if p.isdigit())
    return None


def annotate(nlp: Language, document: Document) -> tuple[Doc, TextView]:
    """Run `nlp` over the document's content view; the DCT comes from its metadata."""
    view = content_view(document)
    doc = nlp.make_doc(view.text)
    doc._.dct = document_date(document)
    doc = nlp(doc)
    return doc, view


@dataclass
class Annotations:
    """What the annotate stage found, as plain picklable data (no spaCy objects): the store writer's input."""

    timexes: list[Timex] = field(default_factory=list)
    entity_mentions: list[EntityMention] = field(default_factory=list)
    event_mentions: list[EventMention] = field(default_factory=list)

    @classmethod
    def from_doc(cls, doc: Doc) -> Annotations:
        def read(name: str) -> list:
            return list(getattr(doc._, name, None) or []) if Doc.has_extension(name) else []

        return cls(read("timexes"), read("entity_mentions"), read("event_mentions"))


def annotate_document(nlp: Language, document: Document, *, chunk_chars: int | None = None,
                      deadline: float | None = None) -> tuple[Annotations, TextView]:
    """`annotate`, keeping only the plain results (for the store, or to send back from a worker).

    A document not in English gets no annotations: the pipeline reads English, and its entities and
    events would be nonsense (the build records warning T016 for it). A text longer than
    `chunk_chars` (or spaCy's max_length) is annotated in chunks, `deadline` checked between them
    (`timeweave.annotate.chunks`)."""
    from timeweave.annotate.chunks import annotate_in_chunks, needs_chunks

    if not reads_as_english(document.meta.language):
        return Annotations(), content_view(document)
    if needs_chunks(nlp, content_view(document), chunk_chars):
        return annotate_in_chunks(nlp, document, chunk_chars=chunk_chars, deadline=deadline)
    doc, view = annotate(nlp, document)
    return Annotations.from_doc(doc), view


def annotate_documents(nlp: Language, documents: Sequence[Document], *,
                       batch_size: int) -> list[tuple[Annotations, TextView]]:
    """`annotate_document` for many documents, with `nlp.pipe` in batches of `batch_size` (setting
    `nlp_batch_size`): spaCy's pipe amortises the model's per-call cost over a batch.

    Results are in input order. A text longer than `nlp.max_length` goes through `annotate_document`
    on its own (where a long text is handled), as does a text not in English. An exception raised
    while annotating any document of the batch propagates: the caller retries the batch one
    document at a time, so that only the document that raised fails.
    """
    results: list[tuple[Annotations, TextView] | None] = [None] * len(documents)
    batched: list[tuple[int, Doc, TextView]] = []
    for n, document in enumerate(documents):
        if not reads_as_english(document.meta.language):
            results[n] = annotate_document(nlp, document)
            continue
        view = content_view(document)
        if len(view.text) >= nlp.max_length:
            results[n] = annotate_document(nlp, document)
            continue
        doc = nlp.make_doc(view.text)
        doc._.dct = document_date(document)
        batched.append((n, doc, view))
    done = nlp.pipe((doc for _, doc, _ in batched), batch_size=max(1, batch_size))
    for (n, _doc, view), doc in zip(batched, done):
        results[n] = (Annotations.from_doc(doc), view)
    return results  # type: ignore[return-value]
