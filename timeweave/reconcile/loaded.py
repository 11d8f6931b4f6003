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
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import fields

from sqlalchemy import Connection, select

from timeweave.reconcile.dates import Interval
from timeweave.reconcile.incremental import referenced
from timeweave.reconcile.kept import _chunks, _read, _write
from timeweave.reconcile.load import Corpus, Mention
from timeweave.store import schema as t

PREFIX = "reconcile.l:"
_FIELDS = tuple(f.name for f in fields(Mention) if f.name not in ("index", "rarity"))
_SETS = {"agents", "patients", "entities"}


def encode(m: Mention) -> list:
    """A Mention as a JSON-ready list, in `_FIELDS` order (index and rarity left out)."""
    row = []
    for name in _FIELDS:
        value = getattr(m, name)
        if name in _SETS:
            value = sorted(value)
        elif name == "interval" and value is not None:
            value = [value.earliest, value.latest, value.approximate, value.edtf]
        row.append(value)
    return row


def decode(row: list, weights: dict[int, float]) -> Mention:
    """The Mention `encode` kept (index 0: the caller places it), with the corpus-wide `weights`."""
    values = dict(zip(_FIELDS, row))
    for name in _SETS:
        values[name] = frozenset(values[name])
    if values["interval"] is not None:
        values["interval"] = Interval(*values["interval"])
    values["named"] = [tuple(n) for n in values["named"]]
    return Mention(index=0, rarity=weights, **values)


def keep(conn: Connection, by_source: dict[str, list[Mention]], sources: Iterable[str] = ()) -> None:
    """Write the rows of `by_source` (source -> its mentions, in load order), a few hundred sources at a time
    (a full run keeps every source's); the rows of `sources` without mentions there are deleted."""
    names = sorted(set(by_source) | set(sources))
    for chunk in _chunks(names):
        _write(conn, {PREFIX + sid: ([encode(m) for m in by_source[sid]] if by_source.get(sid) else None)
                      for sid in chunk})


def part(conn: Connection, ids: Collection[int], sources: Collection[str], weights: dict[int, float],
         touched: Collection[str], load_some: Callable[[list[str], set[int]], Corpus]) -> Corpus:
    """A Corpus of the mentions `ids` (of `sources`), each as a load gives it: kept rows for sources outside
    `touched`, `load_some(sources, ids)` for the others. Its mentions are in no particular order, indexes 0."""
    rows = _read(conn, [PREFIX + s for s in sources if s not in touched])
    wanted = set(ids)
    mentions = [decode(row, weights) for value in rows.values() for row in value if row[0] in wanted]
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

