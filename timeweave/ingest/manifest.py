"""A corpus manifest: one JSON object per document (`manifest.jsonl`), read as a bibliographic record.

People who collect texts by hand keep a list beside them: the file, its title, where it came from and
when it was published ("published": "1964-08-05", "date": "August 1964"). That date is what words such
as "today", "this week" or "On Friday" in the text count from, and nothing else in the text may give
it. A manifest record is mapped onto CSL-JSON (`catalog`), so it is used like a Zotero export:
`title` and `url` as they stand, the first of `issued` / `published` / `date` / `publication_date`
that reads as a date as `issued` ("unknown" or "n.d." gives none). Other fields are kept in the
record, unused.
"""

from __future__ import annotations

import json

from timeweave.ingest.metadata import parse_date

MANIFEST_NAMES = ("manifest.jsonl", "sources.jsonl")
DATE_KEYS = ("issued", "published", "date", "publication_date", "pubdate", "date_published")


def read_lines(text: str) -> list:
    """The JSON values of a JSON-lines file, one per non-blank line; a bad line raises JSONDecodeError
    with its own line and column."""
    items, offset = [], 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            try:
                items.append(json.loads(line.rstrip("\r\n")))
            except json.JSONDecodeError as exc:
                raise json.JSONDecodeError(exc.msg, text, offset + exc.pos) from None
        offset += len(line)
    return items


def as_csl(item: object) -> object:
    """A manifest record as a CSL-JSON item: `url` -> `URL`, a stated date -> `issued`; CSL items pass unchanged."""
    if not isinstance(item, dict):
        return item
    record = dict(item)
    if "URL" not in record and isinstance(record.get("url"), str):
        record["URL"] = record["url"]
    if isinstance(record.get("issued"), dict):
        return record
    record.pop("issued", None)
    for key in DATE_KEYS:
        value = item.get(key)
        edtf = parse_date(str(value)) if isinstance(value, (str, int)) and str(value).strip() else None
        if edtf:
            record["issued"] = {"raw": str(value), "date-parts": [[int(p) for p in edtf.split("-")]]}
            break
    return record
