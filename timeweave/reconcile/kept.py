"""What a full reconcile keeps for the incremental run (`region`, whose docstring says what each row holds
and why the region it reads gives a full run's rows): the `corpus_state` rows under `reconcile.`, their keys,
the block rule on kept members, reads and writes by key, and `save_all`, which keeps them after a full run.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter, defaultdict

import numpy as np
from sqlalchemy import Connection, delete, insert, select

from timeweave.reconcile.blocking import keys as block_keys
from timeweave.reconcile.incremental import mention_digest
from timeweave.reconcile.load import Catalog, Corpus, sources_catalog
from timeweave.reconcile.similarity import CONFLICT, PART_ONLY
from timeweave.store import schema as t

PREFIX = "reconcile."
GLOBAL = "reconcile.g"
CHUNK = 500
_JSON = json.JSONEncoder(separators=(",", ":")).encode


# ---- keys and rows of the kept state -------------------------------------------------------------

def key_text(key: tuple) -> str:
    """A blocking key as a `corpus_state` key (long ones hashed); ends with '|*' for undated keys."""
    text = "|".join(str(part) for part in key)
    if len(text) > 80:
        text = "h:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest() + ("|*" if key[-1] == "*" else "")
    return "reconcile.b:" + text


def member(m) -> list:
    """A block member: what the block rule reads of a mention (id, earliest day, source, start, trigger start)."""
    return [m.id, m.interval.earliest if m.interval is not None else None, m.source_id, m.start, m.trigger_start]


def _order(entry: list) -> tuple:
    return (entry[2], entry[3], entry[4], entry[0])  # the order of a full load


def indexed_keys(m) -> list[str]:
    """The kept blocking keys of a mention (sentence keys stay within one source: derived, not kept)."""
    if m.role == "none":
        return []
    return sorted({key_text(k) for k in block_keys(m) if k[0] != "S"})


def block_pairs(key: str, members: list[list], max_block: int, window: int) -> set[tuple[int, int]]:
    """The pairs (mention ids, smaller first) a block gives, by `blocking.candidate_pairs`' rule;
    `members` in the order of a full load."""
    n = len(members)
    if n < 2:
        return set()
    ids = [e[0] for e in members]
    out: set[tuple[int, int]] = set()
    undated_key = key.endswith("|*")
    if undated_key:
        undated = [e[0] for e in members if e[1] is None]
        if not undated:
            return out
        if n <= max_block:
            return {(min(u, m), max(u, m)) for u in undated for m in ids if u != m}
    if n <= max_block:
        return {(min(a, b), max(a, b)) for x, a in enumerate(ids) for b in ids[x + 1:]}
    by = (lambda e: (e[2], e[3])) if undated_key else (lambda e: (e[1] or 0, e[2], e[3]))
    ordered = [e[0] for e in sorted(members, key=by)]
    for x, a in enumerate(ordered):
        for b in ordered[x + 1:x + 1 + window]:
            out.add((min(a, b), max(a, b)))
    return out


def _touching(key: str, members: list[list], ids: set[int]) -> set[tuple[int, int]]:
    """The pairs of a block of at most `max_block` members that have an end among `ids`: all pairs, or on an
    undated key those with an undated end (`block_pairs`' rule, which there reads only the two ends)."""
    if key.endswith("|*"):
        undated = {e[0] for e in members if e[1] is None}
        return {(min(a, b), max(a, b)) for a in ids & {e[0] for e in members} for b in (e[0] for e in members)
                if a != b and (a in undated or b in undated)}
    present = [e[0] for e in members]
    return {(min(a, b), max(a, b)) for a in ids & set(present) for b in present if a != b}


def block_change(key: str, before: list[list], after: list[list], max_block: int,
                 window: int) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(pairs gained, pairs lost) when a block's members go from `before` to `after`: `block_pairs(after) -
    block_pairs(before)` and the reverse. While both fit in `max_block`, whether a pair is in the block reads
    only its two entries, so only pairs with a changed entry (added, removed or moved) can differ: those are
    compared, where expanding both blocks whole cost O(n^2) per block on every add."""
    if len(before) > max_block or len(after) > max_block:
        old, new = block_pairs(key, before, max_block, window), block_pairs(key, after, max_block, window)
        return new - old, old - new
    was, now = {e[0]: e for e in before}, {e[0]: e for e in after}
    changed = {i for i in was.keys() | now.keys() if was.get(i) != now.get(i)}
    if not changed:
        return set(), set()
    old, new = _touching(key, before, changed), _touching(key, after, changed)
    return new - old, old - new


def pairs_among(key: str, members: list[list], inside, max_block: int, window: int) -> set[tuple[int, int]]:
    """`block_pairs` of a block restricted to pairs with both ends in `inside` (a set of mention ids). In a
    large block only the windows of the members inside are walked: a pair there is a member and one of the
    `window` next in the block's order, so its ends' places decide it (a region of 4,330 mentions walked every
    window of blocks of thousands, to keep a few)."""
    if len(members) > max_block:
        undated_key = key.endswith("|*")
        if undated_key and all(e[1] is not None for e in members):
            return set()  # as `block_pairs`: an undated key pairs nothing without an undated member
        by = (lambda e: (e[2], e[3])) if undated_key else (lambda e: (e[1] or 0, e[2], e[3]))
        ordered = [e[0] for e in sorted(members, key=by)]
        out: set[tuple[int, int]] = set()
        for x, a in enumerate(ordered):
            if a in inside:
                for b in ordered[x + 1:x + 1 + window]:
                    if b in inside:
                        out.add((a, b) if a < b else (b, a))
        return out
    kept = [e for e in members if e[0] in inside]
    return block_pairs(key, kept, max_block, window) if len(kept) > 1 else set()


_FLAGS = {None: "n", CONFLICT: "c", PART_ONLY: "p"}  # a pair's flag as one character; "-": no result
_UNFLAG = {v: k for k, v in _FLAGS.items()}


def pack_pairs(entries: list[tuple[int, int, tuple | None]]) -> dict:
    """A component's pairs (id, id, result or None) as its `c:` row keeps them: the ids and the scores of the
    pairs with a result as little-endian arrays in base64, the flags as one character each. Why: a large
    component's 50,000 pairs as JSON lists cost ~.03 CPU-s to write and as much to read on every add that
    touches it; the arrays are copied, not parsed, and a float64 keeps a score's every bit."""
    left, right, results = zip(*entries) if entries else ((), (), ())
    flags = _FLAGS
    return {"a": _b64(np.array(left, dtype="<i8")), "b": _b64(np.array(right, dtype="<i8")),
            "s": _b64(np.array([r[0] for r in results if r is not None], dtype="<f8")),
            "f": "".join(["-" if r is None else flags[r[1]] for r in results])}


def unpack_ids(packed) -> tuple[list[int], list[int]]:
    """The two ends of each pair `pack_pairs` kept, in its order."""
    if isinstance(packed, list):  # rows kept as lists (before `pack_pairs`)
        return [e[0] for e in packed], [e[1] for e in packed]
    return _unb64(packed["a"], "<i8"), _unb64(packed["b"], "<i8")


def unpack_pairs(packed) -> list[tuple[int, int, tuple | None]]:
    """What `pack_pairs` kept: (id, id, (score, flag) or None) in its order."""
    if isinstance(packed, list):
        return [(a, b, tuple(r) if r else None) for a, b, *r in packed]
    left, right = unpack_ids(packed)
    scores = iter(_unb64(packed["s"], "<f8"))
    unflag = _UNFLAG
    return [(a, b, None if f == "-" else (next(scores), unflag[f])) for a, b, f in zip(left, right, packed["f"])]


def _b64(values: np.ndarray) -> str:
    return base64.b64encode(values.tobytes()).decode("ascii")


def _unb64(text: str, dtype: str) -> list:
    return np.frombuffer(base64.b64decode(text), dtype=dtype).tolist()


def _read(conn: Connection, names, decode=json.loads) -> dict[str, object]:
    """These rows, each value through `decode` (`lambda v: v`: the text as kept)."""
    names = sorted(set(names))
    out = {}
    for at in range(0, len(names), CHUNK):
        for key, value in conn.execute(select(t.corpus_state.c.key, t.corpus_state.c.value)
                                       .where(t.corpus_state.c.key.in_(names[at:at + CHUNK]))):
            out[key] = decode(value)
    return out


def _write(conn: Connection, rows: dict[str, object], encode=_JSON) -> None:
    """Replace these rows (None: delete), each value through `encode` (`str`: a text written as it is)."""
    names = sorted(rows)
    for at in range(0, len(names), CHUNK):
        conn.execute(delete(t.corpus_state).where(t.corpus_state.c.key.in_(names[at:at + CHUNK])))
    names = [k for k in names if rows[k] is not None]
    for at in range(0, len(names), CHUNK):  # encoded a chunk at a time
        conn.execute(insert(t.corpus_state), [{"key": k, "value": encode(rows[k])} for k in names[at:at + CHUNK]])


def _voices(conn: Connection, catalog: Catalog | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(voice of every source, the voices that differ from the source's own id); `catalog` as `load` takes it."""
    voice_of = (catalog if catalog is not None else sources_catalog(conn)).voice_of
    return voice_of, {s: v for s, v in voice_of.items() if s != v}


def _copies(conn: Connection, voice_of: dict[str, str]) -> dict[str, str]:
    """Source -> a digest of its copied passages' origins and voices (sources with copies only)."""
    p = t.passages.c
    copied = conn.execute(select(p.id, p.source_id, p.duplicate_of).where(p.duplicate_of.is_not(None))).all()
    link = {pid: of for pid, _s, of in copied}
    ends = set()
    for pid in link:
        seen, current = set(), pid
        while current in link and current not in seen:
            seen.add(current)
            current = link[current]
        ends.add(current)
    source_of = {}
    for at in range(0, len(ends), CHUNK):
        chunk = sorted(ends)[at:at + CHUNK]
        source_of.update(conn.execute(select(p.id, p.source_id).where(p.id.in_(chunk))).all())
    out: dict[str, list] = defaultdict(list)
    for pid, sid, _of in sorted(copied):
        seen, current = set(), pid
        while current in link and current not in seen:
            seen.add(current)
            current = link[current]
        origin = source_of.get(current)
        out[sid].append((pid, origin, voice_of.get(origin or sid, sid)))
    return {sid: hashlib.blake2b(repr(v).encode(), digest_size=12).hexdigest() for sid, v in out.items()}


def _entities(conn: Connection, ids) -> dict[str, dict]:
    """`reconcile.e:` rows as the store holds them now: name, type and [mention id, source] of each entity."""
    out: dict[str, dict] = {}
    for chunk in _chunks(ids):
        for eid, name, type_ in conn.execute(select(t.entities.c.id, t.entities.c.name, t.entities.c.type)
                                             .where(t.entities.c.id.in_(chunk))):
            out[f"reconcile.e:{eid}"] = {"n": name, "t": type_, "m": []}
        for mid, sid, eid in conn.execute(select(t.mentions.c.id, t.mentions.c.source_id, t.mentions.c.entity_id)
                                          .where(t.mentions.c.entity_id.in_(chunk)).order_by(t.mentions.c.id)):
            out.setdefault(f"reconcile.e:{eid}", {"n": None, "t": None, "m": []})["m"].append([mid, sid])
    return out


def _source_state(mentions: list, roots: dict[int, int], named: set[int]) -> dict:
    """A source's kept row: its indexed mentions ([component root, block keys]), the entity sets of all its
    mentions (`r`, rarity counts), its undated founders (`u`) and the entities its named mentions link to (`n`)."""
    return {"n": sorted(named),
            "m": {str(m.id): [roots.get(m.id, m.id), indexed_keys(m)] for m in mentions if m.role != "none"},
            "r": [sorted(m.entities) for m in mentions if m.entities],
            "u": sum(1 for m in mentions if _undated_founder(m))}


def _undated_founder(m) -> bool:
    from timeweave.reconcile import undated_founder

    return undated_founder(m)


# ---- the full run keeps the state ------------------------------------------------------------------

def _component_rows(mentions: list, groups: list[list[int]], signatures: dict[int, str], final: dict[int, int | None],
                    pairs, scores: dict, digests: list[str | None]) -> tuple[dict[str, dict], dict[int, int]]:
    """`reconcile.c:` rows and mention id -> root. A row keeps the candidate pairs inside its component with
    their results (score and flag, or nothing where `similarity` relates them not): a pair's result reads
    only its two mentions, so a later run reuses it while neither changed. It keeps each mention's
    `incremental.mention_digest` (`d`, beside `m`; by index in `digests`, made where None) for the same reason."""
    group_of = [-1] * len(mentions)  # by position: a region's 50,000 pairs look both ends up
    for k, group in enumerate(groups):
        for i in group:
            group_of[i] = k
    ids = [m.id for m in mentions]
    inside: dict[int, list] = defaultdict(list)
    for a, b in sorted(pairs):
        k = group_of[a]
        if k == group_of[b]:
            inside[k].append((ids[a], ids[b], scores.get((a, b))))
    rows: dict[str, dict] = {}
    roots: dict[int, int] = {}
    for k, group in enumerate(groups):
        members = [ids[i] for i in group]
        if len(group) > 1 or k in signatures:
            root = min(members)
            roots.update((i, root) for i in members)
            for i in group:
                if digests[i] is None:
                    digests[i] = mention_digest(mentions[i])
            rows[f"reconcile.c:{root}"] = {"m": [[ids[i], mentions[i].source_id] for i in group],
                                           "d": [digests[i] for i in group],
                                           "sig": signatures.get(k), "ev": sorted({final.get(i) for i in members} - {None}),
                                           "p": pack_pairs(inside.get(k, []))}
            rows[f"reconcile.k:{root}"] = {"sig": signatures.get(k)}
    return rows, roots


def save_all(conn: Connection, corpus: Corpus, groups: list[list[int]], signatures: dict[int, str],
             final: dict[int, int | None], setting: str, common: float, probed: bool, pairs, scores: dict,
             digests: list[str | None]) -> None:
    """Keep the state of a full run (see the module docstring): `groups` are the components over every
    mention, `signatures` those of the fruitful ones, `final` each mention's event as written, `pairs` the
    candidate pairs, `scores` their results and `digests` the mentions' digests made so far (by index)."""
    mentions = corpus.mentions
    # by LIKE, not a key range: a PostgreSQL collation other than C may not order '.' and '/' by bytes
    conn.execute(delete(t.corpus_state).where(t.corpus_state.c.key.startswith(PREFIX)))
    components, roots = _component_rows(mentions, groups, signatures, final, pairs, scores, digests)
    _write(conn, components)  # each kind written, then dropped: the rows of all at once doubled the peak
    del components
    blocks: dict[str, list] = defaultdict(list)
    by_source: dict[str, list] = defaultdict(list)
    for m in mentions:  # in the order of a full load
        by_source[m.source_id].append(m)
        for key in indexed_keys(m):
            blocks[key].append(member(m))
    _write(conn, blocks)
    del blocks
    from timeweave.reconcile.loaded import keep  # here: loaded reads and writes through this module

    keep(conn, by_source)  # each source's loaded mentions (`loaded`)
    entities = {f"reconcile.e:{e}": {"n": name, "t": corpus.entity_types.get(e), "m": []}
                for e, name in corpus.entity_names.items()}
    named: dict[str, set[int]] = defaultdict(set)
    for mid, sid, eid in conn.execute(select(t.mentions.c.id, t.mentions.c.source_id, t.mentions.c.entity_id)
                                      .where(t.mentions.c.entity_id.is_not(None)).order_by(t.mentions.c.id)):
        entities.setdefault(f"reconcile.e:{eid}", {"n": None, "t": None, "m": []})["m"].append([mid, sid])
        named[sid].add(eid)
    _write(conn, entities)
    del entities
    rows: dict[str, object] = {f"reconcile.s:{sid}": _source_state(found, roots, named[sid])
                               for sid, found in by_source.items()}
    voice_of, voices = _voices(conn)
    counts = Counter(e for m in mentions for e in m.entities)
    rows[GLOBAL] = {"setting": setting, "counts": {str(e): n for e, n in sorted(counts.items())},
                    "named": sum(1 for m in mentions if m.entities),
                    "founders": sum(1 for m in mentions if _undated_founder(m)),
                    "voices": voices, "copies": _copies(conn, voice_of), "probed": probed, "common": common}
    _write(conn, rows)


def _chunks(values):
    values = sorted(values)
    for at in range(0, len(values), CHUNK):
        yield values[at:at + CHUNK]
