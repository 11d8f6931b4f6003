"""Events named by the key of a dated field: "- Signed: 4 July 1776", "Passeddate1: August 7, 1964".

Infoboxes, fact sheets and chronologies state when something happened as a field whose key is the
happening's participle ("Signed", "Ratified", "Enacted"), often glued to the word "date" by the
conversion that flattened them ("Signeddate", "Passed date", "Date ratified"), with a trailing
number when the field repeats ("Passeddate1", "Passeddate2"). The trigger model reads prose and
finds no event in such a key; this finds it, with the date on its line as the governing date.

Only a participle (a key word ending in "-ed") names an event: "Effective date", "Born" or
"Publisher" name no happening of their own and found nothing.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from timeweave.annotate.events.lexicon import EVENT_TYPE_OF
from timeweave.annotate.types import Timex

# A key at the start of a line, after list markers: words, spaces or underscores, an optional field number.
_FIELD = re.compile(r"^[ \t\-*•|·]*(?P<key>[A-Za-z][A-Za-z _]{0,40}?)(?P<n>\d{0,2}):[ \t]*", re.MULTILINE)
_PARTICIPLE = re.compile(r"[A-Za-z]{2,}ed")


def participle_lemma(word: str) -> str:
    """'Passed' -> 'pass', 'Ratified' -> 'ratify', 'Admitted' -> 'admit', 'Released' -> 'release'.

    A form the type lexicon knows wins ('founded' -> 'found'); otherwise '-ed' is cut and a doubled
    final consonant undone.
    """
    w = word.lower()
    stem = w[:-2]
    options = [w[:-1], stem]
    if w.endswith("ied"):
        options.insert(0, w[:-3] + "y")
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "sl":
        options.append(stem[:-1])
    for option in options:
        if option in EVENT_TYPE_OF:
            return option
    if w.endswith("ied"):
        return w[:-3] + "y"
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "sl":
        return stem[:-1]
    return stem


def key_participle(key: str) -> tuple[int, str] | None:
    """(offset in `key`, word) of the participle a field key names its event by, or None.

    The key is the participle alone, or the participle and the word 'date' in either order, glued
    or apart: 'Signed', 'Signeddate', 'Signed date', 'Date signed', 'signed_date'.
    """
    low = key.lower()
    if low.endswith("date"):
        head, at = key[:-4].rstrip(" _"), 0
    elif low.startswith("date") and len(key) > 4 and key[4] in " _":
        at = 5
        head = key[at:].strip(" _")
        at = key.index(head, at) if head else at
    else:
        head, at = key.strip(" _"), 0
    if not head or not _PARTICIPLE.fullmatch(head):
        return None
    return at, head


def field_events(doc: Doc, timexes: list[Timex]) -> list[tuple[int, int, str, int]]:
    """(start, end, lemma, timex index) of each event a dated field's key names."""
    text = doc.text
    placed = {t.start: i for i, t in enumerate(timexes) if t.earliest and t.latest and t.type in ("DATE", "TIME")}
    out = []
    for m in _FIELD.finditer(text):
        i = placed.get(m.end())
        if i is None:
            continue
        line_end = text.find("\n", timexes[i].end)
        if text[timexes[i].end:len(text) if line_end < 0 else line_end].strip(" \t.,;)"):
            continue  # the date opens a sentence ("Signed: on 4 July 1776 the king ..."): prose, not a field
        found = key_participle(m["key"])
        if found is None:
            continue
        at, word = found
        start = m.start("key") + at
        out.append((start, start + len(word), participle_lemma(word), i))
    return out
