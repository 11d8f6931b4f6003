"""What ingestion hands to the rest of the pipeline: a document's text, metadata and passages.

Offsets are Unicode code-point offsets into `Document.text`, the text exactly as decoded (for HTML,
PDF and DOCX: as extracted). Nothing is ever removed from the text; noise is marked on passages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SOURCE_KINDS = (
    "scholarly_article",
    "abstract",
    "book_chapter",
    "government_statement",
    "news",
    "social_media_post",
    "web_page",
    "other",
)


@dataclass
class SourceMeta:
    """Bibliographic metadata, from a CSL-JSON record when one names the file, else from the text."""

    id: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    issued: str | None = None  # EDTF
    kind: str = "other"
    kind_reason: str = "no evidence of a more specific kind"
    doi: str | None = None
    url: str | None = None
    container_title: str | None = None
    volume: str | None = None
    issue: str | None = None
    page: str | None = None
    origin: str = "extracted"  # csl-json | extracted
    csl: dict | None = None
    language: str | None = None  # ISO 639-1 ("en", "ru"); None when too short to tell (read as English)
    language_reason: str = ""


@dataclass
class Passage:
    """A paragraph-like span of the text, with its role and any copy it repeats."""

    start: int
    end: int
    role: str = "content"  # content | boilerplate
    role_reason: str | None = None
    sha1: str = ""
    duplicate_of: tuple[str, int] | None = None  # (source id, passage seq) of the first occurrence
    duplicate_kind: str | None = None  # exact | near
    duplicate_scope: str | None = None  # within | across


@dataclass
class Document:
    """A decoded document, ready for annotation."""

    path: str  # as given to build, relative where possible
    text: str
    sha256: str  # of the file's bytes
    format: str  # txt | md | html | pdf | docx
    encoding: str | None
    size: int
    meta: SourceMeta
    passages: list[Passage] = field(default_factory=list)
    warnings: list = field(default_factory=list)  # IngestErrors with a warning code (T022): stored, and reported

    def content_spans(self) -> list[tuple[int, int]]:
        """Spans later stages should read: content passages that are not copies of earlier ones."""
        return [(p.start, p.end) for p in self.passages if p.role == "content" and p.duplicate_of is None]
