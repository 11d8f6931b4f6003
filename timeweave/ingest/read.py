"""One file to a `Document`: text, sha256, metadata, kind and passages, or an IngestError that says why not.

The order matters for users with big or hostile corpora: the size is checked before a byte is read,
the bytes are read once (their sha256 identifies the source in the store), and every way a file can
be bad maps to a stable code (see `timeweave.ingest.errors`).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes
from timeweave.ingest.archives import check_zip
from timeweave.ingest.catalog import Catalog
from timeweave.ingest.decode import decode_bytes, mojibake_warning
from timeweave.ingest.duplicates import mark_within
from timeweave.ingest.files import read_regular, safe_name
from timeweave.ingest.formats import FORMATS, SUPPORTED, extract_docx, extract_html, extract_pdf
from timeweave.ingest.kinds import classify
from timeweave.ingest.language import detect, normalise_code
from timeweave.ingest.metadata import extract_meta, meta_from_csl, refine_issued, slugify
from timeweave.ingest.passages import segment
from timeweave.ingest.types import Document

__all__ = ["SUPPORTED", "read_document"]

log = logging.getLogger(__name__)
MB = 2**20


def read_document(
    path: Path,
    *,
    display_path: str,
    catalog: Catalog | None = None,
    max_bytes: int = 50 * MB,
    min_duplicate_chars: int = 80,
    near_duplicate_threshold: float = 0.5,
    max_unzipped_bytes: int = 200 * MB,
    max_zip_ratio: float = 100.0,
) -> Document:
    """Read, decode/extract, segment and describe one file; raise IngestError (with a code) when it cannot be.

    Warnings that do not stop the document (T022, text that looks decoded twice) travel on
    `Document.warnings` for the build to record."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(codes.UNSUPPORTED, display_path, f"files of type {suffix or '(no extension)'!r} cannot be read",
                          f"Convert it to one of {', '.join(sorted(SUPPORTED))}.")
    data = _read_bytes(path, display_path, max_bytes)
    fmt = FORMATS[suffix]
    hints: dict = {}
    encoding: str | None = None
    if fmt in ("txt", "md"):
        text, encoding = decode_bytes(data, path=display_path)
    elif fmt == "html":
        markup, encoding = decode_bytes(data, path=display_path, html=True)
        text, hints = extract_html(markup, path=display_path)
    elif fmt == "pdf":
        text, hints = extract_pdf(data, path=display_path)
    else:
        check_zip(data, path=display_path, max_unzipped_bytes=max_unzipped_bytes, max_ratio=max_zip_ratio)
        text, hints = extract_docx(data, path=display_path)
    if not text.strip():
        raise IngestError(codes.NO_TEXT, display_path, "it contains only whitespace, no text",
                          "Check that the right file was saved, or remove it.")
    passages = segment(text)
    record = catalog.lookup(path) if catalog is not None else None
    fallback_id = slugify(safe_name(path.stem))
    if record is not None:
        meta = meta_from_csl(record, fallback_id=fallback_id)
        refine_issued(meta, text)  # "2005-12" in the record, "December 2, 2005" under the title
    else:
        meta = extract_meta(text, passages, source_id=fallback_id, hints=hints)
    mark_within(passages, text, meta.id, threshold=near_duplicate_threshold, min_chars=min_duplicate_chars)
    meta.kind, meta.kind_reason = classify(meta, text, passages, fmt=fmt)
    meta.language, meta.language_reason = _language(meta, text)
    log.debug("read %s: %d chars, %d passages, kind %s", display_path, len(text), len(passages), meta.kind)
    return Document(
        path=display_path,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        encoding=encoding,
        size=len(data),
        meta=meta,
        passages=passages,
        warnings=[w for w in [mojibake_warning(text, display_path)] if w is not None],
    )


def _language(meta, text: str) -> tuple[str | None, str]:
    """The catalog's `language` when it gives one, else what the text shows (`language.detect`)."""
    stated = normalise_code((meta.csl or {}).get("language"))
    if stated:
        return stated, f"the catalog record says {(meta.csl or {}).get('language')!r}"
    found = detect(text)
    return found.code, found.reason


def _read_bytes(path: Path, display_path: str, max_bytes: int) -> bytes:
    """The file's bytes, after checking it is a regular file, not empty and within the limit (`files.read_regular`)."""
    return read_regular(path, display_path, max_bytes)
