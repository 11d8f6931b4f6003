"""Running the annotate pipeline on one ingested document."""

from __future__ import annotations

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


def annotate_document(nlp: Language, document: Document) -> tuple[Annotations, TextView]:
    """`annotate`, keeping only the plain results (for the store, or to send back from a worker).

    A document not in English gets no annotations: the pipeline reads English, and its entities and
    events would be nonsense (the build records warning T016 for it)."""
    if not reads_as_english(document.meta.language):
        return Annotations(), content_view(document)
    doc, view = annotate(nlp, document)
    return Annotations.from_doc(doc), view
