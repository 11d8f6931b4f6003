"""The narrative year at each point of a Doc, so a name resolves to the state that held it then.

Why not the document date: a 2024 article about 1939 says "Moscow" for the Soviet Union. The year
is, in order: a time expression in the same sentence (the nearest one before the name, else the
first after it), else the most recent one earlier in the document (the narrative time), else the
document's own date (`doc._.dct`, set by the build from the source's metadata), else none. Only
time expressions the timex component resolved to a span of at most `MAX_SPAN_YEARS` count: "the
20th century" says too little to pick between the Russian Empire and the Soviet Union.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc

MAX_SPAN_YEARS = 10
_YEAR = re.compile(r"^(-?\d{4})")

# How the year of a mention was chosen (recorded on EntityMention.year_from).
SENTENCE, NARRATIVE, DOCUMENT_DATE, NONE = "sentence", "narrative", "document date", "none"


@dataclass(frozen=True)
class Moment:
    year: int | None
    source: str  # SENTENCE | NARRATIVE | DOCUMENT_DATE | NONE


def _year(iso: str | None) -> int | None:
    m = _YEAR.match(iso or "")
    return int(m[1]) if m else None


class NarrativeTime:
    """Years of a Doc's resolved time expressions, looked up by character offset."""

    def __init__(self, doc: Doc) -> None:
        timexes = (getattr(doc._, "timexes", None) if Doc.has_extension("timexes") else None) or []
        points = []
        for timex in timexes:
            first, last = _year(timex.earliest), _year(timex.latest)
            if timex.type in ("DATE", "TIME") and first is not None and last is not None \
                    and last - first <= MAX_SPAN_YEARS:
                points.append((timex.start, timex.end, first))
        points.sort()
        self.starts = [p[0] for p in points]
        self.points = points
        dct = getattr(doc._, "dct", None) if Doc.has_extension("dct") else None
        self.dct_year = _year(dct if isinstance(dct, str) else None)
        self.sentences = sorted((s.start_char, s.end_char) for s in doc.sents) \
            if doc.has_annotation("SENT_START") else [(0, len(doc.text))]
        self.sentence_starts = [s for s, _ in self.sentences]

    def at(self, offset: int) -> Moment:
        """The year in force at character `offset` and where it came from."""
        i = bisect.bisect_right(self.sentence_starts, offset) - 1
        s_start, s_end = self.sentences[max(i, 0)]
        inside = [p for p in self.points if s_start <= p[0] < s_end]
        before = [p for p in inside if p[1] <= offset]
        if before:
            return Moment(before[-1][2], SENTENCE)
        if inside:
            return Moment(inside[0][2], SENTENCE)
        j = bisect.bisect_left(self.starts, s_start) - 1
        if j >= 0:
            return Moment(self.points[j][2], NARRATIVE)
        if self.dct_year is not None:
            return Moment(self.dct_year, DOCUMENT_DATE)
        return Moment(None, NONE)
