"""Where in a document a thing is said: title, section heading, citation or narrative, its sentence, its line.

Zones: a title at the head of the document, section headings ("The war", "Aftermath") and citations
("References", "For citation:") are not narrative; an event named in a citation is what a cited author
says, and one named in a heading is a topic, not something this author asserts happened then. A line
that is only a date ("14 July 1789", "Date: 14 July 1789") is a chronology's or an infobox's date line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from timeweave.annotate.types import Timex

_REFERENCES = re.compile(
    r"^\s*(references|bibliography|works cited|literature|sources|notes|список литературы|for citations?:?)\s*$",
    re.IGNORECASE,
)
_CITATION_LINE = re.compile(r"^\s*(for citations?:|cite as:|\[\d+\]|\d+\.\s+\S+\s+[A-Z]\.)", re.IGNORECASE)
# A line that is only a date: list markers and separators before it, a key naming a date ("Date:",
# "Effective date:") and closing punctuation around it may stand on the line too.
_LINE_MARKERS = " \t-*•|·–—"
_DATE_KEY = re.compile(r"^[^\W\d_][\w .'-]{0,30}:\s*", re.UNICODE)


@dataclass
class Zone:
    start: int
    end: int
    context: str  # title | heading | citation


def zones(text: str) -> list[Zone]:
    """Title lines before the first paragraph of prose, section headings, and citation sections/lines."""
    out: list[Zone] = []
    offset = 0
    in_refs = False
    seen_prose = False
    lines = text.splitlines(keepends=True)
    for n, line in enumerate(lines):
        stripped = line.strip()
        start, end = offset, offset + len(line)
        offset = end
        if not stripped:
            continue
        words = len(stripped.split())
        is_prose = words >= 40 or (words >= 8 and stripped.endswith((".", "?", "!")))
        if _REFERENCES.match(stripped):
            in_refs = True
            continue
        if in_refs or _CITATION_LINE.match(stripped):
            out.append(Zone(start, end, "citation"))
        elif not seen_prose and not is_prose and words >= 3 and not stripped.endswith("."):
            out.append(Zone(start, end, "title"))
        elif seen_prose and _is_heading(stripped, lines[n - 1] if n else "", lines[n + 1] if n + 1 < len(lines) else ""):
            out.append(Zone(start, end, "heading"))
        if is_prose:
            seen_prose = True
    return out


def _is_heading(line: str, before: str, after: str) -> bool:
    """'The war', 'Background', 'Aftermath': a short line standing alone between blank lines, capitalised,
    with no closing punctuation and no digits (a chronology's "1936 — Protocol signed" is a claim)."""
    return (len(line.split()) <= 6 and line[0].isupper() and not line.endswith((".", "?", "!", ":", ";", ","))
            and not any(ch.isdigit() for ch in line) and not before.strip() and not after.strip())


def context_at(zone_list: list[Zone], char: int) -> str:
    for zone in zone_list:
        if zone.start <= char < zone.end:
            return zone.context
    return "narrative"


class Sentences:
    """The sentence of a token in O(log n): spaCy's `token.sent` walks the whole Doc on every call."""

    def __init__(self, doc: Doc) -> None:
        self.spans = list(doc.sents)
        self.starts = [span.start for span in self.spans]

    def number(self, token: Token) -> int:
        return bisect.bisect_right(self.starts, token.i) - 1

    def of(self, token: Token) -> Span:
        return self.spans[self.number(token)]


def line_at(text: str, char: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, char) + 1
    end = text.find("\n", char)
    return start, len(text) if end == -1 else end


def neighbour_line(text: str, start: int, end: int, direction: int) -> tuple[int, int] | None:
    """The next non-blank line above (direction -1) or below (+1) the line [start, end), with at most one
    blank line between (passages are joined by one; two or more end the unit of heading and date)."""
    for _ in range(2):
        if (direction < 0 and start == 0) or (direction > 0 and end >= len(text)):
            return None
        start, end = line_at(text, start - 1) if direction < 0 else line_at(text, end + 1)
        if text[start:end].strip():
            return start, end
    return None


def date_line(text: str, timex: Timex) -> bool:
    """Is the timex alone on its line ("August 5, 1964", "- Date: 14 July 1789", "14 July 1789.")?

    Chronologies, timelines and infoboxes date an entry by such a line under the entry's heading.
    """
    start, end = line_at(text, timex.start)
    before = text[start:timex.start].strip(_LINE_MARKERS)
    key = _DATE_KEY.match(before + " ") if before else None
    if before and not (key and "date" in before.lower()):
        return False
    return not text[timex.end:end].strip(" \t.,;)")
