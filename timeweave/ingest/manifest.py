"""A corpus manifest: one JSON object per document (`manifest.jsonl`), read as a bibliographic record.

People who collect texts by hand keep a list beside them: the file, its title, where it came from and
when it was published ("published": "1964-08-05", "date": "August 1964"). That date is what words such
as "today", "this week" or "On Friday" in the text count from, and nothing else in the text may give
it. A manifest record is mapped onto CSL-JSON (`catalog`), so it is used like a Zotero export:
`title` and `url` as they stand, the first of `issued` / `published` / `date` / `publication_date`
that reads as a date as `issued` ("unknown" or "n.d." gives none). Other fields are kept in the
record, unused. Each line is a record on its own: a broken line is reported with its number (T015)
and the other lines are used.
"""

from __future__ import annotations

import json

from timeweave.ingest.metadata import parse_date

MANIFEST_NAMES = ("manifest.jsonl", "sources.jsonl")
DATE_KEYS = ("issued", "published", "date", "publication_date", "pubdate", "date_published")


MANIFEST_HINT = ('Write one JSON object per line, e.g. {"file": "report.txt", "title": "...", "published": "1964-08-05"}; '
                 "until that line is fixed its document uses metadata extracted from its text.")


def read_lines(text: str) -> tuple[list[tuple[int, object]], list[tuple[int, str]]]:
    """The records of a JSON-lines manifest: ([(line number, value)], [(line number, why it is unreadable)]).

    Lines are independent records, so a broken one is reported with its number and skipped while the
    others are used (one typo must not strip a whole corpus of its dates). Blank lines are skipped.
    """
    items, broken = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            broken.append((number, f"is not a JSON object on one line ({exc.msg} at column {exc.colno}; "
                                   "a record may not run over several lines)"))
            continue
        if not isinstance(value, dict):
            broken.append((number, f"holds a JSON {_kind(value)}, not an object with a 'file' field"))
            continue
        items.append((number, value))
    return items, broken


def _kind(value: object) -> str:
    return {list: "list", str: "string", bool: "true/false", type(None): "null"}.get(type(value), "number")


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
