"""The text the NLP stages read: a document's content passages, without boilerplate or in-document copies.

Menus, footers and the second copy of a repeated post would otherwise yield entities and events
that no author asserted, or count one voice twice. The view joins the passages that remain with
blank lines (so sentences never run across a removed passage) and keeps a map back to source
offsets: every offset stored is an offset into the document as read.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from timeweave.ingest.types import Document

JOINER = "\n\n"


@dataclass
class TextView:
    text: str
    view_starts: list[int]  # start of each piece in the view
    source_starts: list[int]  # start of the same piece in the source text
    lengths: list[int]

    def to_source(self, offset: int, *, is_end: bool = False) -> int:
        """Map a view offset to the source; an end offset maps from the character before it."""
        probe = offset - 1 if is_end and offset > 0 else offset
        i = max(bisect.bisect_right(self.view_starts, probe) - 1, 0)
        inside = min(max(probe - self.view_starts[i], 0), self.lengths[i] - (1 if is_end else 0))
        mapped = self.source_starts[i] + inside
        return mapped + 1 if is_end and offset > 0 else mapped

    def span_to_source(self, start: int, end: int) -> tuple[int, int]:
        return self.to_source(start), self.to_source(end, is_end=True)


def content_view(document: Document) -> TextView:
    """Join the content, non-duplicate passages of `document` into one text for spaCy."""
    parts: list[str] = []
    view_starts: list[int] = []
    source_starts: list[int] = []
    lengths: list[int] = []
    cursor = 0
    for start, end in document.content_spans():
        if parts:
            parts.append(JOINER)
            cursor += len(JOINER)
        piece = document.text[start:end]
        parts.append(piece)
        view_starts.append(cursor)
        source_starts.append(start)
        lengths.append(len(piece))
        cursor += len(piece)
    if not parts:
        return TextView("", [0], [0], [0])
    return TextView("".join(parts), view_starts, source_starts, lengths)
