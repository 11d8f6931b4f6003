"""Reconciling only what changed, and writing the rows a full run writes.

Why it is exact: the clusterer only joins mentions through scored candidate pairs, and every later
step (sub-events, containment, canonical dates, labels, comparisons) reads the mentions of one
cluster, its parent or its parts, which are joined by such pairs too. So an event lies inside one
connected component of the candidate-pair graph (`components`), and what a component gives depends on
nothing outside it but what its `signature` holds: its mentions as `load` resolved them (voices,
roles, participants' entity ids, sentence text), the candidate pairs inside it (a large block's
sorted-neighbourhood window depends on mentions elsewhere, so the pairs themselves are hashed, not
derived), the names, types and corpus-wide rarity weights of the entities it names, the settings,
and the code of this package. The clusterer numbers clusters in the order it creates them, tier by
tier and by first mention, so a component clustered alone or among others creates its clusters in
the same relative order and breaks ties the same way.

Two paths use this. An incremental build first tries `region`: it reads only the components the changed
sources can reach (found through kept blocking keys and components, see its docstring), recomputes
them, and declines when it cannot show the rest is unchanged. Otherwise every mention is read: a
component whose signature is stored from the last run, and whose rows still read as that run wrote
them (`output`: a correction or the claims stage may have edited them since), keeps its rows; the
others are recomputed and their rows rewritten where they differ. A full run recomputes every
component and writes through the same diff, so all give the same rows.

Ids do not depend on history: an event's id is a hash of its first mention (source, offsets), its
comparisons take a run of consecutive ids from a hash of the same key (so they keep the order
`compare` gave them), and hash collisions are settled in the order of the keys over the whole store
(`assign`). A store built in one go and one built source by source have the same ids, and an event
keeps its id while its first mention stays (new evidence from later in the corpus does not renumber
it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select

from timeweave.reconcile.load import Corpus, Mention
from timeweave.reconcile.params import Params
from timeweave.store import schema as t

ID_SPACE = 2**30  # event and comparison ids are in [1, ID_SPACE): a PostgreSQL INTEGER with room above
MAX_RUN = 256  # at most this many comparisons of one event take consecutive ids (more only probe further)
_SKIP = {"index", "rarity"}  # Mention fields that are positions or shared maps, hashed otherwise


def components(n: int, pairs: set[tuple[int, int]]) -> list[list[int]]:
    """Connected components of the candidate-pair graph over mention indexes 0..n-1, each sorted,
    listed by their first index."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return [groups[root] for root in sorted(groups)]


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of this package's files (code and data) and of the event lexicon labels read: results
    computed by other code are never kept as if this code had computed them."""
    import timeweave

    root = Path(__file__).resolve().parent
    h = hashlib.blake2b(timeweave.__version__.encode(), digest_size=16)
    files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    lexicon = root.parent / "annotate" / "events" / "lexicon.py"
    for path in files + ([lexicon] if lexicon.exists() else []):
        h.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def settings_key(params: Params, embeddings: bool, config: dict[str, Any], model: str) -> str:
    """What every component depends on alike: the settings, whether and which sentence vectors, the code."""
    blob = repr((sorted(vars(params).items()), embeddings, model if embeddings else None,
                 str(config.get("knowledge", "")), code_digest()))
    return hashlib.blake2b(blob.encode(), digest_size=16).hexdigest()


def _value(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(value))
    if isinstance(value, list):
        return tuple(_value(v) for v in value)
    return value


@lru_cache(maxsize=1)
def _names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Mention) if f.name not in _SKIP)


_GET = attrgetter(*_names())
_CONTAINERS = (set, frozenset, list)


def mention_key(m: Mention) -> str:
    """Every field of a loaded mention that reconcile may read (all but its position and the shared weights);
    a field added to `Mention` is hashed without a change here. (Fields read at once and only containers passed
    through `_value`: the same text, 15% sooner; a component of 4,330 mentions hashes each on every add.)"""
    return repr(tuple([_value(v) if isinstance(v, _CONTAINERS) else v for v in _GET(m)]))


def referenced(m: Mention) -> set[int]:
    """Entity ids a mention's merge, label or comparisons may look up."""
    found = set(m.entities) | set(m.agents) | set(m.patients)
    if m.place is not None:
        found.add(m.place)
    found.update(n[3] for n in m.named if n[3] is not None)
    return found


def mention_digest(m: Mention) -> str:
    """A hash of `mention_key(m)`: what a component's `signature` hashes of each of its mentions. It is kept
    beside the mention in its component's `c:` row (`kept`), so an add hashes only the mentions it loaded
    afresh: a kept mention outside the touched sources loads as before (`region`), so its kept digest is the
    one this function gives now (4,330 keys of one component were 0.065 of an add's 1.3 CPU-s)."""
    return hashlib.blake2b(mention_key(m).encode(), digest_size=16).hexdigest()


def signature(corpus: Corpus, group: list[int], pairs: list[tuple[int, int]], setting: str,
              digests: list[str | None] | None = None) -> str:
    """A hash of everything the rows of a component depend on (see the module docstring). `digests` (by
    mention index; None where not known) holds `mention_digest`s already made: those missing are made and
    filled in."""
    h = hashlib.blake2b(setting.encode(), digest_size=20)
    entities: set[int] = set()
    mentions = corpus.mentions
    weights = mentions[group[0]].rarity if group else {}
    for i in group:
        m = mentions[i]
        digest = digests[i] if digests is not None else None
        if digest is None:
            digest = mention_digest(m)
            if digests is not None:
                digests[i] = digest
        h.update(digest.encode() + b"\n")
        entities |= referenced(m)
    h.update(repr([(e, corpus.entity_names.get(e), corpus.entity_types.get(e), weights.get(e))
                   for e in sorted(entities)]).encode())
    if pairs:  # the pairs by mention id, sorted, as little-endian int64 (a repr of 35,000 tuples cost ~.02 CPU-s)
        ends = np.array([(mentions[a].id, mentions[b].id) for a, b in pairs], dtype="<i8")
        h.update(ends[np.lexsort((ends[:, 1], ends[:, 0]))].tobytes())
    return h.hexdigest()


def barren(corpus: Corpus, group: list[int]) -> bool:
    """Can no mention of the component found an event (so it gives none, whatever its pairs)?"""
    return not any(corpus.mentions[i].role == "event" and corpus.mentions[i].may_found for i in group)


def event_key(members: list[Mention]) -> tuple:
    """What an event's id is made from: its first mention in reading order, by source and offsets (not
    by row id, which depends on the order sources were stored in)."""
    return min((m.source_id, m.start, m.end, m.trigger_start, m.trigger_end) for m in members)


def _hash(key: tuple, attempt: int, space: int) -> int:
    blob = (repr(key) + "\x1f" + str(attempt)).encode("utf-8")
    return 1 + int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big") % (space - 1)


def first_choice(key: tuple, length: int = 1) -> int:
    """The id `assign` gives an item whose first hashed start is free (most items: ids are sparse)."""
    return _hash(key, 0, ID_SPACE - min(length, MAX_RUN)) if length > 0 else 0


def assign(keys: dict[Any, tuple], runs: dict[Any, int] | None = None) -> dict[Any, int]:
    """Ids for items (item -> key), each taking a run of `runs[item]` consecutive ids (default 1):
    items in the order of their keys take the first hashed start whose run is free, so the ids depend
    on the set of keys only, never on the order they were computed in."""
    taken: set[int] = set()
    out: dict[Any, int] = {}
    if sum(max((runs or {}).get(item, 1), 0) for item in keys) > (ID_SPACE - 1) // 2:
        raise ValueError(f"{len(keys)} events and their comparisons need more than half of the {ID_SPACE - 1} ids "
                         "reconcile hashes into; raise incremental.ID_SPACE (ids must stay below 2**31 for PostgreSQL)")
    for item in sorted(keys, key=lambda x: (keys[x], repr(x))):
        length = max((runs or {}).get(item, 1), 0)
        if length == 0:
            continue
        attempt = 0
        while True:
            start = _hash(keys[item], attempt, ID_SPACE - min(length, MAX_RUN))
            span = range(start, start + length)
            if start + length <= ID_SPACE and not any(i in taken for i in span):
                break
            attempt += 1
        taken.update(span)
        out[item] = start
    return out


@dataclass
class Stored:
    """The output rows of reconcile as they stand now, read once per run (small next to the mentions)."""

    events: dict[int, tuple] = field(default_factory=dict)  # id -> row without status
    status: dict[int, str] = field(default_factory=dict)
    participants: dict[int, list[tuple]] = field(default_factory=dict)
    comparisons: dict[int, list[int]] = field(default_factory=dict)  # event id -> own comparison ids, sorted
    foreign: bool = False  # comparisons written by later stages (claims, corrections) exist


EVENT_COLUMNS = ("label", "type", "edtf", "earliest", "latest", "when_reason", "place", "part_of", "factuality",
                 "component")


def read_stored(conn: Connection, component: str, events: set[int] | None = None) -> Stored:
    """The rows of every event, or of `events` only (by id: an incremental run reads what it replaces)."""
    stored = Stored()
    queries = [(select(t.events), select(t.event_participants),
                select(t.comparisons.c.id, t.comparisons.c.event_id, t.comparisons.c.component))]
    if events is not None:
        ids = sorted(events)
        queries = [(select(t.events).where(t.events.c.id.in_(chunk)),
                    select(t.event_participants).where(t.event_participants.c.event_id.in_(chunk)),
                    select(t.comparisons.c.id, t.comparisons.c.event_id, t.comparisons.c.component)
                    .where(t.comparisons.c.event_id.in_(chunk))) for chunk in (ids[at:at + 500] for at in range(0, len(ids), 500))]
    for q_events, q_participants, q_comparisons in queries:
        for r in conn.execute(q_events):
            stored.events[r.id] = tuple(getattr(r, c) for c in EVENT_COLUMNS)
            stored.status[r.id] = r.status
        for r in conn.execute(q_participants):
            stored.participants.setdefault(r.event_id, []).append((r.entity_id, r.role))
        for r in conn.execute(q_comparisons):
            if r.component == component:
                stored.comparisons.setdefault(r.event_id, []).append(r.id)
            else:
                stored.foreign = True
    for values in stored.participants.values():
        values.sort()
    for values in stored.comparisons.values():
        values.sort()
    return stored


def output_digest(links: list[tuple[int, int | None]], events: dict[int, tuple], participants: dict[int, list[tuple]],
                  comparisons: dict[int, list[int]]) -> str:
    """A hash of a component's rows as reconcile writes them (status aside: kept in `reconcile_components.statuses`):
    the event each mention joined, and those events' rows, participants and comparison ids."""
    ids = sorted({e for _m, e in links if e is not None})
    blob = repr((sorted(links), [(e, events.get(e), participants.get(e, []), comparisons.get(e, [])) for e in ids]))
    return hashlib.blake2b(blob.encode(), digest_size=20).hexdigest()


def read_state(conn: Connection) -> dict[str, tuple[str, dict[int, str]]]:
    """signature -> (output digest, event id -> the status reconcile gave it), as the last run left them."""
    out = {}
    for r in conn.execute(select(t.reconcile_components)):
        out[r.signature] = (r.output, {int(k): v for k, v in json.loads(r.statuses or "{}").items()})
    return out


def write_state(conn: Connection, old: dict[str, tuple[str, dict[int, str]]],
                new: dict[str, tuple[str, dict[int, str]]]) -> None:
    """Replace the stored component rows by `new`, touching only those that differ."""
    gone = [s for s in old if s not in new or old[s] != new[s]]
    for at in range(0, len(gone), 500):
        conn.execute(delete(t.reconcile_components).where(t.reconcile_components.c.signature.in_(gone[at:at + 500])))
    rows = [{"signature": s, "output": out, "statuses": json.dumps({str(k): v for k, v in sorted(st.items())})}
            for s, (out, st) in new.items() if old.get(s) != (out, st)]
    if rows:
        conn.execute(insert(t.reconcile_components), rows)
