"""Each source's loaded Mentions, kept in `corpus_state` (`reconcile.l:<source>`), so that an incremental run
reads the region's kept mentions back instead of loading them again.

Why: an add at 1,600 documents whose text joins a component of 4,330 mentions loaded them from five tables
(their rows, the named mentions of their sentences, passages, texts, entities) and built each Mention again:
~0.5 CPU-s, a quarter of the stage. Decoding the same Mentions from these rows costs ~0.06.

Why it is exact: `region` already rests on a mention outside the touched sources T loading as it did (its
docstring); such a mention's row was written by the run that last loaded its source (a full run, or a region
run where the source was in T), so it holds the Mention a load gives now, but for `index` (set by the
caller) and `rarity` (the corpus-wide weights, which `region` checks unchanged). What a Mention does not
hold is read from the store as before: its event (`links`, an output every run may change) and the names and
types of the entities it references. T's sources, and any source without a row (a store kept before these
rows), are loaded from the store.

Why a row is lines of JSON, one per mention and one per sentence: an add reads the rows of every source its
region touches (1,100 rows, 15 MB, for the 4,330 mentions of one component at 1,600 documents) but wants ~4 of
a source's ~42 mentions. Parsing whole rows into lists was 0.24 of the add's 1.4 CPU-s; a row of JSON strings
holding each mention's JSON (escaped twice) still cost .11 to parse; split into lines, only the first line (the
ids) and the wanted mentions' lines and their sentences' are parsed (`decode`). A row is not JSON as a whole:
only this module reads it (`kept._read(..., decode=str)`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import fields
from operator import itemgetter

from sqlalchemy import Connection, select

from timeweave.reconcile.dates import Interval
from timeweave.reconcile.incremental import referenced
from timeweave.reconcile.kept import _chunks, _read, _write
from timeweave.reconcile.load import Corpus, Mention
from timeweave.store import schema as t

PREFIX = "reconcile.l:"
_FIELDS = tuple(f.name for f in fields(Mention) if f.name not in ("index", "rarity"))
# A row keeps a source's sentences once (text and named mentions: its mentions of one sentence share them, and
# they were 16 of the 33 MB of rows at 1,600 documents); each mention keeps the other fields and its sentence's
# place in that list. The source is the row's key.
_SHARED = ("sentence", "named")
_OWN = tuple(name for name in _FIELDS if name not in _SHARED and name != "source_id")
_SETS = {"agents", "patients", "entities"}
_DECODE = json.JSONDecoder().raw_decode  # a kept string has no whitespace around it
# `decode` builds a Mention positionally from a kept row (own fields, the sentence number) followed by `_EXTRA`:
# `_ARGS` picks each field of Mention, in order, from there (keywords through a dict cost ~.02 CPU-s per 4,330)
_EXTRA = ("index", "source_id", "sentence", "named", "rarity")
_AT = {name: k for k, name in enumerate(_OWN)}
_ARGS = itemgetter(*(_AT[f.name] if f.name in _AT else len(_OWN) + 1 + _EXTRA.index(f.name) for f in fields(Mention)))
_SET_AT = tuple(_AT[name] for name in sorted(_SETS))
_INTERVAL_AT = _AT["interval"]
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # one encoder (json.dumps makes one per call with these)


def encode(mentions: list[Mention]) -> str:
    """A source's Mentions (in load order) as the text of its row, one JSON text a line: the list of their ids,
    then each sentence ([sentence, named], kept once), then each mention ([own fields in `_OWN` order...,
    sentence number]); index and rarity left out. (JSON escapes every newline inside a string.)"""
    sentences: dict[tuple, int] = {}
    rows = []
    for m in mentions:
        shared = (m.sentence, tuple(m.named))
        at = sentences.setdefault(shared, len(sentences))
        row = []
        for name in _OWN:
            value = getattr(m, name)
            if name in _SETS:
                value = sorted(value)
            elif name == "interval" and value is not None:
                value = [value.earliest, value.latest, value.approximate, value.edtf]
            row.append(value)
        row.append(at)
        rows.append(_ENCODE(row))
    lines = [_ENCODE([m.id for m in mentions])]
    lines += [_ENCODE([sentence, [list(n) for n in named]]) for sentence, named in sentences]
    return "\n".join(lines + rows)


def decode(value: str, source_id: str, weights: dict[int, float], ids: Collection[int] | None = None) -> list[Mention]:
    """The Mentions `encode` kept for `source_id` (those of `ids`, default all; index 0: the caller places
    them), with the corpus-wide `weights`. Only the lines of the wanted mentions and of their sentences are
    parsed."""
    lines = value.split("\n")
    head = _DECODE(lines[0])[0]
    first = len(lines) - len(head)  # the first mention's line
    sentences: dict[int, list] = {}
    out = []
    for mid, text in zip(head, lines[first:]):
        if ids is not None and mid not in ids:
            continue
        row = _DECODE(text)[0]
        for k in _SET_AT:
            row[k] = frozenset(row[k])
        if row[_INTERVAL_AT] is not None:
            row[_INTERVAL_AT] = Interval(*row[_INTERVAL_AT])
        at = row[-1]
        if at not in sentences:
            sentences[at] = _DECODE(lines[1 + at])[0]
        sentence, named = sentences[at]
        row += (0, source_id, sentence, [tuple(n) for n in named], weights)  # `_EXTRA`, after the sentence number
        out.append(Mention(*_ARGS(row)))
    return out


def keep(conn: Connection, by_source: dict[str, list[Mention]], sources: Iterable[str] = ()) -> None:
    """Write the rows of `by_source` (source -> its mentions, in load order), a few hundred sources at a time
    (a full run keeps every source's); the rows of `sources` without mentions there are deleted."""
    names = sorted(set(by_source) | set(sources))
    for chunk in _chunks(names):
        _write(conn, {PREFIX + sid: (encode(by_source[sid]) if by_source.get(sid) else None) for sid in chunk}, encode=str)


def part(conn: Connection, ids: Collection[int], sources: Collection[str], weights: dict[int, float],
         touched: Collection[str], load_some: Callable[[list[str], set[int]], Corpus]) -> Corpus:
    """A Corpus of the mentions `ids` (of `sources`), each as a load gives it: kept rows for sources outside
    `touched`, `load_some(sources, ids)` for the others. Its mentions are in no particular order, indexes 0."""
    rows = _read(conn, [PREFIX + s for s in sources if s not in touched], decode=str)
    # a row kept as one JSON object (before rows were lines) is not read: its source is loaded from the store
    rows = {key: value for key, value in rows.items() if not value.startswith("{")}
    wanted = set(ids)
    mentions = [m for key, value in rows.items() for m in decode(value, key[len(PREFIX):], weights, wanted)]
    rest = sorted(s for s in sources if PREFIX + s not in rows)
    found = load_some(rest, wanted) if rest else None
    names, types = {}, {}
    for chunk in _chunks({e for m in mentions for e in referenced(m)}):
        for eid, name, type_ in conn.execute(select(t.entities.c.id, t.entities.c.name, t.entities.c.type)
                                             .where(t.entities.c.id.in_(chunk))):
            names[eid], types[eid] = name, type_
    links = {}
    for chunk in _chunks({m.id for m in mentions}):
        links.update(conn.execute(select(t.event_mentions.c.id, t.event_mentions.c.event_id)
                                  .where(t.event_mentions.c.id.in_(chunk))).all())
    if found is not None:
        mentions += [m for m in found.mentions if m.id in wanted]
        names.update(found.entity_names)
        types.update(found.entity_types)
        links.update(found.links)
    return Corpus(mentions, names, types, {}, {}, {}, links)

