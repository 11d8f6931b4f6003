"""Annotating a text too long for one spaCy call: paragraph-aligned chunks, offsets shifted back.

spaCy refuses a text over `nlp.max_length` (E088: about 1 GB of memory per 100,000 characters for
the parser), and a plain-text book easily passes it. Such a text is cut into chunks of at most
`annotate_chunk_chars` characters, at a paragraph break where there is one (else a line break, a
sentence end, a space: a 10 MB single line still gets cut), annotated chunk by chunk, and the
results are put back in the coordinates of the whole text: every offset is the chunk's start plus
the offset inside the chunk, and every index (an event's time expression, place and participants)
is shifted by what the earlier chunks found. So every quote still equals the source at its offsets.

Between chunks the document's deadline (`max_seconds_per_file`) is checked, so a runaway document
stops with T020 after at most one more chunk instead of holding the build. What a chunk cannot see
is the text of the chunks before it: a deictic "that year" at the start of a chunk is anchored by
the document date only, a price paid only by texts far over the chunk size.
"""

from __future__ import annotations

import re
import time

from spacy.language import Language

from timeweave.annotate.view import TextView, content_view
from timeweave.errors import IngestError
from timeweave.ingest import errors as codes
from timeweave.ingest.types import Document

# Where to cut, best first: a blank line (a paragraph), a line break, the end of a sentence, a space.
_BREAKS = (re.compile(r"\n[ \t]*\n"), re.compile(r"\n"), re.compile(r"[.!?][\"')\]]*\s"), re.compile(r"\s"))


def chunk_spans(text: str, limit: int) -> list[tuple[int, int]]:
    """`[start, end)` spans covering `text` in order, each at most `limit` characters, cut at the best break."""
    limit = max(1, int(limit))
    spans: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        window_end = start + limit
        cut = None
        for pattern in _BREAKS:
            last = None
            for match in pattern.finditer(text, start + limit // 2, window_end):
                last = match
            if last is not None:
                cut = last.end()
                break
        if cut is None or cut <= start:
            cut = window_end  # no break in the second half of the window: a hard cut
        spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    return spans


def needs_chunks(nlp: Language, view: TextView, chunk_chars: int | None) -> bool:
    """Whether the view is longer than one spaCy call should take (the setting, and always below max_length)."""
    return len(view.text) > chunk_limit(nlp, chunk_chars)


def chunk_limit(nlp: Language, chunk_chars: int | None) -> int:
    return max(1000, min(int(chunk_chars or nlp.max_length), nlp.max_length - 1))


def annotate_in_chunks(nlp: Language, document: Document, *, chunk_chars: int | None = None,
                       deadline: float | None = None):
    """`(Annotations, TextView)` for a long document, chunk by chunk; T020 once `deadline` (monotonic) passes."""
    from timeweave.annotate.run import Annotations, document_date

    view = content_view(document)
    merged = Annotations()
    sentences = 0
    for start, end in chunk_spans(view.text, chunk_limit(nlp, chunk_chars)):
        if deadline is not None and time.monotonic() > deadline:
            raise timeout_error(document.path, done=start, total=len(view.text))
        doc = nlp.make_doc(view.text[start:end])
        doc._.dct = document_date(document)
        doc = nlp(doc)
        part = Annotations.from_doc(doc)
        _shift(part, start, timexes=len(merged.timexes), mentions=len(merged.entity_mentions), sentences=sentences)
        merged.timexes += part.timexes
        merged.entity_mentions += part.entity_mentions
        merged.event_mentions += part.event_mentions
        sentences += sum(1 for _ in doc.sents) if doc.has_annotation("SENT_START") else 0
    return merged, view


def timeout_error(path: str, *, done: int | None = None, total: int | None = None) -> IngestError:
    where = f" ({done:,} of {total:,} characters annotated)" if done is not None and total else ""
    return IngestError(codes.TIMEOUT, path, f"it took longer than the per-file time limit{where}",
                       "Split the document into smaller files, or raise --set max_seconds_per_file=N.")


def _shift(part, offset: int, *, timexes: int, mentions: int, sentences: int) -> None:
    """Move one chunk's annotations into the coordinates and index space of the whole text."""
    for timex in part.timexes:
        timex.start += offset
        timex.end += offset
        if timex.sentence is not None:
            timex.sentence += sentences
    for mention in part.entity_mentions:
        mention.start += offset
        mention.end += offset
    for event in part.event_mentions:
        event.start += offset
        event.end += offset
        event.trigger_start += offset
        event.trigger_end += offset
        if event.sentence is not None:
            event.sentence += sentences
        if event.place is not None:
            event.place += mentions
        if event.timex is not None:
            event.timex += timexes
        for participant in event.participants:
            participant.mention += mentions
