"""Bytes of a text file to the exact text it holds, with the encoding it was written in.

Archives are full of legacy encodings (cp1251 Russian, latin-1 Western European, UTF-16 from Windows
tools). The order is: a byte-order mark decides; NUL bytes mean UTF-16 without a BOM or binary data;
strict UTF-8; then charset-normalizer, nudged towards the common encodings because on short texts it
often names an exotic code page that decodes the same bytes wrongly (cp1257 for French latin-1).

The decoded text is never normalised: offsets must point into it. The one exception is a leading
byte-order mark (U+FEFF), which is an encoding signature, not text; it is removed.
"""

from __future__ import annotations

import codecs
import re

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (perhaps a .docx)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable"),
)
# Encodings to prefer when charset-normalizer finds several that fit about equally well.
_PREFERRED = ("utf_8", "cp1252", "latin_1", "iso8859_15", "cp1251", "koi8_r", "cp1250", "iso8859_2", "mac_cyrillic")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def decode_bytes(data: bytes, *, path: str, html: bool = False) -> tuple[str, str]:
    """Return `(text, encoding)`; raise T006 for binary data and T007 when nothing decodes plausibly."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding.replace("-sig", ""))
            except UnicodeDecodeError as exc:
                raise _undecodable(path, f"it starts with a {encoding} byte-order mark but byte {exc.start} is invalid") from None
            return _checked(text, path), encoding  # "utf-8-sig" records that a UTF-8 BOM was removed
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise IngestError(codes.BINARY, path, f"it is {what}, not text", "Give it its real extension or convert it to text.")
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding:
            return _checked(data.decode(encoding), path), encoding
        raise IngestError(codes.BINARY, path, "it contains NUL bytes: binary data, not text",
                          "Convert it to a text format (.txt, .md, .html, .pdf, .docx) or remove it.")
    try:
        return _checked(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    if html:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                name = codecs.lookup(declared.group(1).decode("ascii")).name
                return _checked(data.decode(name), path), name
            except (LookupError, UnicodeDecodeError):
                pass
    return _guess(data, path)


def _guess(data: bytes, path: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes  # imported here: only legacy-encoded files need it

    matches = list(from_bytes(data))
    if not matches:
        raise _undecodable(path, "no text encoding decodes it plausibly (random or binary bytes?)")
    best = matches[0]
    close = [m for m in matches if m.chaos <= best.chaos + 0.06 and m.coherence >= best.coherence - 0.05]
    rank = {name: i for i, name in enumerate(_PREFERRED)}
    chosen = min(close, key=lambda m: (rank.get(m.encoding, len(rank)), close.index(m)))
    text = str(chosen)
    if text.startswith("\ufeff"):
        text = text[1:]
    return _checked(text, path), codecs.lookup(chosen.encoding).name


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM has NULs in every other byte (ASCII-range text) on one side."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    encoding = "utf-16-le" if odd_nul > 0.3 and even_nul < 0.05 else "utf-16-be" if even_nul > 0.3 and odd_nul < 0.05 else None
    if encoding is None:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return encoding if _control_ratio(text) < 0.01 else None


def _control_ratio(text: str) -> float:
    """Share of control characters other than the whitespace ones (tab, newlines, form feed, NEL)."""
    return len(_CONTROL.findall(text)) / len(text) if text else 0.0


def _checked(text: str, path: str) -> str:
    """Reject text full of control characters: that is binary data that happened to decode."""
    if _control_ratio(text) > 0.01:
        raise IngestError(codes.BINARY, path, "it is mostly control characters: binary data, not text",
                          "Convert it to a text format (.txt, .md, .html, .pdf, .docx) or remove it.")
    return text


def _undecodable(path: str, reason: str) -> IngestError:
    return IngestError(codes.UNDECODABLE, path, reason, "Re-save the file as UTF-8.")
