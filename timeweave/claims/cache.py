"""The cache codec: a source's claims as the JSON `incremental` keeps in `corpus_state`, and back.

A cache entry holds one row per claim, one value per field of `_FIELDS` (the ids are given per run); sets,
intervals and the tagged values of `extra` are written so that they read back equal (`dump` checks each claim).
Reading every kept source's entry is most of what an add's extraction costs on a large corpus, so the plain
fields are read as JSON gives them, with one reader per field only where a type needs one.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from timeweave.claims.extract import Claim
from timeweave.reconcile.dates import Interval

log = logging.getLogger(__name__)


def _encode(value: Any) -> Any:
    if isinstance(value, (frozenset, set)):
        return {"$set": sorted((_encode(v) for v in value), key=repr)}
    if isinstance(value, Interval):
        return {"$interval": [_encode(getattr(value, f.name)) for f in dataclasses.fields(Interval)]}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a claim's dict with keys other than strings cannot be cached")
        return {"$dict": {k: _encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"a claim field of type {type(value).__name__} cannot be cached")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        (tag, inner), = value.items()
        if tag == "$set":
            return frozenset(_decode(v) for v in inner)
        if tag == "$interval":
            return Interval(*(_decode(v) for v in inner))
        if tag == "$tuple":
            return tuple(_decode(v) for v in inner)
        return {k: _decode(v) for k, v in inner.items()}
    return value


_SKIP = ("id", "comparison_id")  # ids are given per run
_FIELDS = [f.name for f in dataclasses.fields(Claim) if f.name not in _SKIP]
_SETS = {"winners", "losers", "agents", "patients", "entities", "subjects"}
_INTERVAL = [f.name for f in dataclasses.fields(Interval)]


def _put(name: str, value: Any) -> Any:
    if name in _SETS and isinstance(value, frozenset):
        return sorted(value)
    if name == "interval" and isinstance(value, Interval):
        return [getattr(value, f) for f in _INTERVAL]
    if name == "extra" or not (value is None or isinstance(value, (str, int, float, bool))):
        return _encode(value)
    return value


_PLAIN = (str, int, float, bool, type(None))


def _decode_extra(value: Any) -> Any:
    """`_decode` of a claim's `extra` (a tagged dict of mostly plain values), with no call per plain value: it was
    a third of reading the cached claims of every source in an add. A list of plain values (a claim's `words`) is
    copied as it is, which is what `_decode` makes of it value by value."""
    inner = value.get("$dict") if isinstance(value, dict) and len(value) == 1 else None
    if not isinstance(inner, dict):
        return _decode(value)
    return {k: v if type(v) in _PLAIN else
            list(v) if type(v) is list and all(type(x) in _PLAIN for x in v) else _decode(v) for k, v in inner.items()}


def _decoders() -> list:
    """A reader per field, by position: the plain fields are read as JSON gives them (reading every value through
    `_decode` was most of an add's claims stage at 255 documents); `dump` checks that each claim reads back equal."""
    out: list = []
    for name in _FIELDS:
        if name in _SETS:
            out.append(frozenset)
        elif name == "interval":
            out.append(lambda v: None if v is None else Interval(*v))
        elif name == "extra":
            out.append(_decode_extra)
        else:
            out.append(None)
    return out


_READ = _decoders()
_ALL = [f.name for f in dataclasses.fields(Claim)]
_AT = [_ALL.index(name) for name in _FIELDS]  # where each cached field goes among Claim's positional arguments
_BLANK = [0 if name == "id" else None for name in _ALL]  # the ids (`_SKIP`) are given per run
_SETS_AT = [at for at, name in enumerate(_FIELDS) if name in _SETS]
_READERS = [(at, reader) for at, reader in enumerate(_READ) if reader is not None and at not in _SETS_AT]
_EMPTY: frozenset = frozenset()  # most of a claim's sets are empty: one shared, not one made per claim
# Claim's arguments are the cached fields with the two ids between them at _SPLIT: a row is read by slicing it there
# (a value at a time into a blank list was two thirds of making the claims of every source in an add)
_SPLIT = _ALL.index("id")
_SLICED = _ALL[_SPLIT:_SPLIT + 2] == ["id", "comparison_id"] and _FIELDS == _ALL[:_SPLIT] + _ALL[_SPLIT + 2:]


def dump(claims: list[Claim]) -> str | None:
    """A source's claims as JSON (a list of rows, one value per field of `_FIELDS`); None when one cannot be
    written and read back equal (a value of a type this module does not know: the source is then extracted in
    every run)."""
    try:
        text = json.dumps({"fields": _FIELDS, "rows": [[_put(name, getattr(c, name)) for name in _FIELDS]
                                                       for c in claims]}, separators=(",", ":"))
    except TypeError as error:
        log.warning("claims: not cached (%s)", error)
        return None
    if [dataclasses.replace(c, id=0, comparison_id=None) for c in claims] != load_claims(text):
        log.warning("claims: not cached (a field does not read back equal)")
        return None
    return text


def load_claims(text: str, sentences: dict[int, str] | None = None) -> list[Claim]:
    """Claims written by `dump`; a cache written before quotes were kept (a list of dicts) takes them from
    `sentences` (mention id -> its sentence)."""
    return _claims_of(json.loads(text), sentences)


def _claims_of(data: Any, sentences: dict[int, str] | None = None) -> list[Claim]:
    if isinstance(data, list):  # the older layout: one dict of tagged values per claim
        out = []
        for fields in data:
            values = {name: _decode(value) for name, value in fields.items()}
            if "quote" not in values:
                values["quote"] = (sentences or {}).get(values["mention_id"], "")
            out.append(Claim(**values))
        return out
    if data["fields"] != _FIELDS:
        raise ValueError("claims: the cache was written for other Claim fields; run `timeweave build --full`")
    out = []
    if _SLICED:
        for row in data["rows"]:
            values = list(row)
            for at in _SETS_AT:
                values[at] = frozenset(values[at]) if values[at] else _EMPTY
            for at, reader in _READERS:
                values[at] = reader(values[at])
            out.append(Claim(*values[:_SPLIT], 0, None, *values[_SPLIT:]))
        return out
    for row in data["rows"]:
        values = list(_BLANK)
        for at, reader, value in zip(_AT, _READ, row):
            values[at] = value if reader is None else reader(value)
        out.append(Claim(*values))
    return out
