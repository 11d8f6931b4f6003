"""Bytes of a text file to the exact text it holds, with the encoding it was written in.

Archives are full of legacy encodings (cp1251 Russian, latin-1 Western European, UTF-16 from Windows
tools). The order is: a byte-order mark decides; NUL bytes mean UTF-16 without a BOM or binary data;
strict UTF-8; then charset-normalizer, nudged towards the common encodings because on short texts it
often names an exotic code page that decodes the same bytes wrongly (cp1257 for French latin-1).

Which single-byte code page a file was written in is a question about its language, so when
UTF-8 fails the candidates (Western cp1252, Cyrillic cp1251, Central European cp1250, KOI8-R,
and charset-normalizer's own pick) are each decoded and judged by language evidence: common words of
a language found in the decoding, against words that mix alphabets ("Cafй") or are cut by a symbol
("Z³rich"), which a real text does not have. Text that was decoded twice before it reached us
("CafÃ©", "â€™") is kept as it is and reported with warning T022.

The decoded text is never normalised: offsets must point into it. The one exception is a leading
byte-order mark (U+FEFF), which is an encoding signature, not text; it is removed.
"""

from __future__ import annotations

import codecs
import re

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes
from timeweave.ingest.language import common_words

_COMMON = common_words()

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
# Single-byte code pages tried when a file is not UTF-8, in order of preference on a tie.
_CANDIDATES = ["cp1252", "cp1251", "cp1250", "koi8-r", "iso8859-15", "iso8859-2"]
_WORDS = re.compile(r"[^\W\d_]+")
# A letter, a symbol no word holds (superscripts, box drawing, currency, math), a letter: "Z³rich".
_BROKEN = re.compile(r"(?<=[^\W\d_])[\u00a2-\u00b6\u00b8-\u00bf\u00d7\u00f7\u2500-\u257f\u2020-\u2022\u2030](?=[^\W\d_])")
# UTF-8 lead byte read as cp1252 (Ã, Â, â, Ð, Ñ ...) followed by continuation bytes read the same way.
_DOUBLE = re.compile(r"[\u00c2-\u00df][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
                     r"|[\u00e0-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2}")
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

    candidates = list(_CANDIDATES)
    try:
        matches = list(from_bytes(data[:200_000]))
    except Exception:  # charset-normalizer is a heuristic; never let it stop a document
        matches = []
    if matches and codecs.lookup(matches[0].encoding).name not in candidates:
        candidates.append(codecs.lookup(matches[0].encoding).name)
    judged = []
    for rank, encoding in enumerate(candidates):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _control_ratio(text) > 0.01:
            continue
        judged.append((language_evidence(text), -rank, encoding, text))
    best = max(judged) if judged else None
    if best is None or (not matches and best[0] <= 0):  # neither the detector nor any language vouches for it
        raise _undecodable(path, "no text encoding decodes it plausibly (random or binary bytes?)")
    _score, _rank, encoding, text = best
    if text.startswith("\ufeff"):
        text = text[1:]
    return _checked(text, path), encoding


def language_evidence(text: str) -> int:
    """How much a decoding reads like a language: common words found, minus words no language writes."""
    sample = text[:50_000]
    words = _WORDS.findall(sample)
    common = sum(1 for w in words if w.lower() in _COMMON)
    mixed = sum(1 for w in words if _mixed_scripts(w))
    broken = len(_BROKEN.findall(sample))
    return 4 * common - 6 * mixed - 6 * broken - 6 * len(_DOUBLE.findall(sample))


def _mixed_scripts(word: str) -> bool:
    """A word with both Latin and Cyrillic letters: what a wrong code page makes of accented letters."""
    latin = cyrillic = False
    for ch in word:
        if ch.isalpha():
            latin |= ch < "\u0250"
            cyrillic |= "\u0400" <= ch <= "\u04ff"
    return latin and cyrillic


def mojibake_warning(text: str, path: str) -> IngestError | None:
    """T022 when the text holds UTF-8 read as a single-byte code page ("CafÃ©" for "Café"), twice or more."""
    found = [m.group(0) for m in _DOUBLE.finditer(text[:500_000])]
    fixed = []
    for piece in found:
        try:
            fixed.append((piece, piece.encode("cp1252").decode("utf-8")))
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    if len(fixed) < 2:
        return None
    examples = ", ".join(f"{a!r} for {b!r}" for a, b in list(dict.fromkeys(fixed))[:3])
    return IngestError(codes.MOJIBAKE, path,
                       f"its text looks decoded twice (mojibake: {examples}; {len(fixed)} such places); it is stored as it is",
                       "Re-save the file from its original as UTF-8 and build again.")


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
