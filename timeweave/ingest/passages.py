"""Cut a text into passages: the units later stages cite, deduplicate and skip as boilerplate.

A passage is a paragraph: a run of lines between blank lines. Captured texts are often one paragraph
per line with no blank lines between (social posts, abstracts pasted from a site), so a block is
only kept whole when its lines look hard-wrapped (several short lines of similar width without
sentence ends, like a wrapped title or a typewritten page); otherwise each line is its own passage.
A boilerplate line is always a passage of its own, so no passage mixes furniture with prose.
Spans are trimmed of surrounding whitespace; they never overlap and together cover every
non-whitespace character of the text.
"""

from __future__ import annotations

import hashlib
import re

from timeweave.ingest.boilerplate import boilerplate_reasons
from timeweave.ingest.types import Passage

_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Lines that stand alone even in a narrow block: list items, headings, quotes, links, bylines.
_LIST_OR_HEADING = re.compile(r"^\s*([#>*+•·‣▪-]|\d{1,3}[.)]\s|\[\d+\]|doi\b|by\s)|://", re.I)
_SENTENCE_END = tuple(".!?:;…\"”»)]")


def split_lines(text: str) -> list[tuple[int, int]]:
    """`[start, end)` of every line, without its line break (any Unicode line break counts)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces: the form `Passage.sha1` is computed on."""
    return " ".join(text.split())


def passage_sha1(text: str) -> str:
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()


def segment(text: str) -> list[Passage]:
    """Passages of `text` in order, boilerplate marked with its reason."""
    lines = split_lines(text)
    reasons = boilerplate_reasons([text[s:e] for s, e in lines])
    passages: list[Passage] = []
    block: list[int] = []
    for index, (start, end) in enumerate(lines):
        if text[start:end].strip() and reasons[index] is None:
            block.append(index)
            continue
        passages.extend(_block_passages(text, lines, block))
        block = []
        if reasons[index] is not None:
            passages.append(_make(text, start, end, "boilerplate", reasons[index]))
    passages.extend(_block_passages(text, lines, block))
    return passages


def _block_passages(text: str, lines: list[tuple[int, int]], block: list[int]) -> list[Passage]:
    if not block:
        return []
    texts = [text[lines[i][0]:lines[i][1]].strip() for i in block]
    if _hard_wrapped(texts):
        return [_make(text, lines[block[0]][0], lines[block[-1]][1], "content", None)]
    return [_make(text, lines[i][0], lines[i][1], "content", None) for i in block]


def _hard_wrapped(texts: list[str]) -> bool:
    """Lines of one paragraph broken by width, not one paragraph (or list item, heading) per line."""
    if len(texts) < 2 or any(_LIST_OR_HEADING.match(t) for t in texts):
        return False
    widest = max(len(t) for t in texts)
    if widest > 100:
        return False
    body = texts[:-1]
    open_ended = sum(1 for t in body if not t.endswith(_SENTENCE_END))
    wide = sum(1 for t in body if len(t) >= 0.6 * widest)
    return open_ended * 2 > len(body) and wide * 2 > len(body)


def _make(text: str, start: int, end: int, role: str, reason: str | None) -> Passage:
    """A passage trimmed of the whitespace around it."""
    chunk = text[start:end]
    start += len(chunk) - len(chunk.lstrip())
    end -= len(chunk) - len(chunk.rstrip())
    return Passage(start=start, end=end, role=role, role_reason=reason, sha1=passage_sha1(text[start:end]))
