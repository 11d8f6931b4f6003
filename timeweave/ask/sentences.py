"""Cutting a passage into sentences with exact offsets, so every quote is text[start:end] of its source.

The build does not store sentence boundaries for whole passages, and loading the parser to answer a
question would cost seconds; a punctuation rule that keeps initials ("Herbert L. Ogier"), titles
("Lt.") and dotted acronyms ("U.S.") together is enough to quote a sentence whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_END = re.compile(r"[.!?]+[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])|\n+")
_TOKEN_BEFORE = re.compile(r"(\S+)$")


def _abbreviation(token: str) -> bool:
    """Initials, dotted acronyms and short titles end with a dot without ending the sentence."""
    core = token.rstrip(".")
    if not core:
        return False
    return (len(core) == 1 and core.isalpha()) or "." in core or (core[:1].isupper() and core[1:].islower() and len(core) <= 3)


def split(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of text[start:end], whitespace trimmed, in order."""
    pos = start
    for match in _END.finditer(text, start, end):
        if match.group().strip() and "\n" not in match.group():
            before = _TOKEN_BEFORE.search(text, pos, match.start() + 1)
            if before and _abbreviation(before.group(1)):
                continue
        cut = match.start() + len(match.group().rstrip())
        yield from _trimmed(text, pos, cut)
        pos = match.end()
    yield from _trimmed(text, pos, end)


def _trimmed(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        yield a, b
