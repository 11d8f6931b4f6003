"""Text out of HTML, PDF and DOCX files, plus whatever metadata the container itself carries.

Each extractor returns `(text, hints)`; `hints` holds title/authors/issued/url found in the file's own
metadata (HTML meta tags, PDF info dictionary, DOCX core properties), which beat guesses from the
text. The heavy libraries are imported inside the functions so that discovery stays fast.
Extractors raise IngestError with a code the user can look up; they never return empty text silently.
"""

from __future__ import annotations

import io
import logging
import re

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes

log = logging.getLogger(__name__)

SUPPORTED = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}
FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}


def extract_html(markup: str, *, path: str) -> tuple[str, dict]:
    """Main text of a page with trafilatura: menus, sidebars and footers are left out of the text."""
    import trafilatura

    try:
        result = trafilatura.bare_extraction(markup, with_metadata=True, include_comments=False, include_tables=True)
    except Exception as exc:  # trafilatura/lxml raise many types on hostile markup
        log.info("trafilatura failed on %s: %r", path, exc)
        result = None
    text = (getattr(result, "text", None) or "") if result is not None else ""
    if not _has_words(text):
        fallback = tolerant_html_text(markup)
        if _has_words(fallback):
            log.info("%s: trafilatura found no main text; read with the tolerant parser instead", path)
            return fallback, {"title": _raw_title(markup), "authors": [], "issued": None, "url": None, "site": None}
        raise IngestError(codes.NO_MAIN_TEXT, path,
                          "no main text could be extracted from this HTML (broken markup, or only menus and scripts)",
                          "Open it in a browser and save the article text as .txt.")
    hints = {
        "title": getattr(result, "title", None),
        "authors": _split_authors(getattr(result, "author", None)),
        "issued": _iso_date(getattr(result, "date", None)),
        "url": getattr(result, "url", None),
        "site": getattr(result, "sitename", None),
    }
    return text, hints


_BLOCKS = {"p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "h1", "h2", "h3", "h4", "h5",
           "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "blockquote", "pre", "br", "hr", "td", "th",
           "figure", "figcaption", "address", "body"}
_DROPPED = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")


def tolerant_html_text(markup: str) -> str:
    """Every visible text of a page, block by block, read by lxml's forgiving HTML parser.

    The last resort when trafilatura finds no main text: unclosed tags are closed where the parser
    can tell, and an unclosed <title>, <style>, <script> or <textarea> (whose content is raw text
    running to the end of the file in a browser, swallowing the page) is closed at the next tag.
    """
    import lxml.html
    from lxml import etree

    repaired = _close_raw_text(markup)
    try:
        root = lxml.html.document_fromstring(repaired)
    except (etree.ParserError, ValueError, TypeError):
        return ""
    for element in list(root.iter(*_DROPPED)):
        parent = element.getparent()
        if parent is not None:
            tail = element.tail
            parent.remove(element)
            if tail:  # the text after a dropped element stays
                previous = parent[-1] if len(parent) else None
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    raw = root.text_content()
    blocks = [re.sub(r"\s+", " ", block).strip() for block in re.split(r"\n\s*\n", raw)]
    return "\n\n".join(b for b in blocks if b)


def _close_raw_text(markup: str) -> str:
    """Close a raw-text element left open (no end tag anywhere after it) just before the next tag."""
    for tag in ("title", "textarea", "style", "script"):
        opening = re.search(rf"<{tag}\b[^>]*>", markup, re.I)
        if opening is None or re.search(rf"</{tag}\s*>", markup[opening.end():], re.I):
            continue
        following = re.compile(r"<[A-Za-z/!]").search(markup, opening.end())
        at = following.start() if following else len(markup)
        markup = markup[:at] + f"</{tag}>" + markup[at:]
    return markup


def _raw_title(markup: str) -> str | None:
    found = re.search(r"<title\b[^>]*>([^<]{1,300})", markup, re.I)
    return _clean(re.sub(r"\s+", " ", found.group(1))) if found else None


def extract_pdf(data: bytes, *, path: str) -> tuple[str, dict]:
    """The PDF's text layer, pages separated by a blank line; a PDF without one is a scanned image."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(codes.CORRUPT_PDF, path, "the PDF is encrypted with a password",
                              "Save an unencrypted copy and build again.")
        pages = [(page.extract_text() or "").strip("\n") for page in reader.pages]
        info = reader.metadata or {}
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, ValueError, KeyError... on damaged files
        raise IngestError(codes.CORRUPT_PDF, path, f"the PDF cannot be parsed ({_short(exc)})",
                          "Re-export it from its source, or repair it (e.g. qpdf --replace-input).") from None
    text = "\n\n".join(pages)
    if not _has_words(text):
        raise IngestError(codes.NO_TEXT_LAYER, path,
                          f"the PDF has no text layer ({len(pages)} page(s) of images only: scanned?)",
                          "Run OCR first (e.g. ocrmypdf) and build again.")
    hints = {
        "title": _clean(info.get("/Title")),
        "authors": _split_authors(_clean(info.get("/Author"))),
    }  # /CreationDate is when the PDF was made (a scan, an export), not when the source appeared: not used
    return text, hints


def extract_docx(data: bytes, *, path: str) -> tuple[str, dict]:
    """Paragraphs (and table rows) in body order, one blank line between paragraphs."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        heading = None
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                for row in item.rows:
                    cells = [c.text.strip() for c in row.cells]
                    blocks.append(" | ".join(c for c in cells if c))
                continue
            blocks.append(item.text)
            style = (item.style.name if item.style is not None else "") or ""
            if heading is None and item.text.strip() and (style == "Title" or style.startswith("Heading")):
                heading = item.text.strip()
        props = document.core_properties
    except Exception as exc:  # python-docx raises BadZipFile, KeyError, ValueError... on damaged files
        raise IngestError(codes.CORRUPT_DOCX, path, f"it cannot be opened as a Word document ({_short(exc)})",
                          "Re-save it from Word or LibreOffice as .docx.") from None
    text = "\n\n".join(b for b in blocks if b.strip())
    hints = {
        "title": _clean(props.title) or heading,
        "authors": _split_authors(_clean(props.author)),
    }  # core_properties.created is when the file was saved, not when the source appeared: not used
    return text, hints


def _has_words(text: str) -> bool:
    return bool(re.search(r"\w", text or ""))


def _clean(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _split_authors(value: str | None) -> list[str]:
    if not value:
        return []
    return [a.strip() for a in re.split(r";|\band\b|\|", value) if a.strip()]


def _iso_date(value: str | None) -> str | None:
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value or "")
    return "-".join(g for g in match.groups() if g) if match else None


def _short(exc: Exception) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0][:120]
