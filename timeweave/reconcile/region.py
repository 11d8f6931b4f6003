"""Reconciling an added, changed or removed source by reading only the region it can reach.

A full run (`reconcile` with `changes.full`, or whenever this module declines) reads every mention;
at its end `kept.save_all` keeps, in `corpus_state` rows under `reconcile.`, what an incremental run needs
to find its region with reads by key:

* `reconcile.b:<block key>`: the members of each blocking key (`blocking.keys`, sentence keys aside) with
  what the block rule sorts them by, so the pairs a block gives before and after a change are known;
* `reconcile.s:<source>`: per source, its indexed mentions (block keys, component), the entity sets of
  all its mentions (rarity counts) and its undated founders;
* `reconcile.c:<root>`: each component (of the pairs that can join mentions) with more than one mention
  or an event: its mentions, signature, events and its pairs' results. A component of candidate pairs
  where no mention can found an event is not scored by a full run: it is kept whole, as one component
  (no candidate pair leaves it, and any pair that can join lies inside it);
* `reconcile.k:<root>`: beside each `c:` row, written and deleted with it, its signature alone (what
  `_raised` reads for components outside the region);
* `reconcile.e:<entity>`: an entity's name, type and mentions (link reports the entities it changed: those
  renamed, or whose mentions moved, touch the sources of those mentions);
* `reconcile.l:<source>`: its mentions as loaded (`loaded`): the region's kept mentions are read back from
  them, not loaded again;
* `reconcile.g`: the settings key, the rarity counts, the undated-founder count, the voices and copy
  origins that differ from a source's own, and whether an id ever needed a second probe.

Why the region gives what a full run gives. The touched sources T are the sources changed, and those
whose loaded mentions may read differently: a voice or copy origin that moved (compared with the kept
maps), or an entity link changed (`changes.entities`). A mention outside T is loaded as before, with the
same rarity weights (else this module declines). Candidate pairs change only in the blocks of T's old
and new mentions: the endpoints of every pair those blocks gain or lose, with T's mentions, seed the
region, which is the union of the old components holding a seed. A pair with one end inside the region
and one outside is unchanged (no endpoint of a changed pair is outside) and joined no components
before, so it joins none now: the new components lie inside the region. Pairs inside it are derived
from the full membership of every block of its mentions (a kept mention's blocks are computed from it as
loaded: it loads as before, so they are the blocks its `s:` row keeps, which stays unread), so they are
the full run's pairs restricted to it, and each component is computed alone as in a full run
(`incremental` docstring). Outside, every component keeps its mentions, pairs, scores and rows; so does
every `s:` row but those of T and of sources where a mention's component root moved (rewritten). Events whose status a later stage raised
(claims: contested) get back the status reconcile gave them (kept with their component's signature), as
in a full run. Ids: the
region's new events and comparison runs take their first hashed ids; if one is taken by a kept row,
or any id was ever probed twice, the assignment depends on keys outside the region and this module
declines. It also declines when a correction exists (curation rewrites rows a full run restores), on a
changed setting, when the rarity weights or the undated-founder flag change: the full path runs then.

Why a component is recomputed whole, not the part an added mention reaches (measured on the 1,600-document
add of `bench/incremental.py --replicate 1600 --add FILE`, FILE a bundled text that makes claims: its 6
mentions join one component of 4,336, 3,151 undated). The clusterer is greedy
and ordered (tier by tier, mention by mention): a mention that joins a cluster changes its size and members
for every later mention's linkage (a mean over the cluster), its dates, type and voices, and the links
`_containment` reads, so no static cut of a component is exact unless no pair at or above `floor` crosses it.
The cuts that are exact are too coarse here: the dated mentions alone (their tiers run before any undated
one) form sub-components of up to 847; leaving out undated mentions with no pair at or above `undated` (they
join nothing, and with undated founders off nothing joins them) still leaves the add's part at 2,627
mentions. A local recompute needs a dynamic argument instead: the last run's decisions kept per mention and
replayed, recomputing only the decisions whose inputs (the clusters a mention's pairs reach, at its turn)
changed. It would pay: that add changes 2 of the component's 316 clusters (one new, one of 3 mentions joined by
2 new ones; no other membership or part-of link moves), and all 316 are clustered, built and compared to find
that out. Not built; what is proportional to the add is the bookkeeping around the recompute (kept digests,
packed pairs, rows read by line, the clusterer's passes skipping mentions that cannot act).
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict

from sqlalchemy import Connection, select

from timeweave.reconcile import loaded, rarity
from timeweave.reconcile.blocking import one_moment
from timeweave.reconcile.kept import (GLOBAL, _chunks, _component_rows, _copies, _entities, _order, _read,
                                      _source_state, _undated_founder, _voices, _write, block_change, indexed_keys,
                                      member, pairs_among, unpack_ids, unpack_pairs)
from timeweave.reconcile.load import Corpus, load, placed, sources_catalog
from timeweave.store import schema as t

log = logging.getLogger(__name__)


# ---- the incremental run ---------------------------------------------------------------------------

class Declined(Exception):
    """The region cannot be shown to give a full run's rows: the caller runs the full path."""


def plan(conn: Connection, changes, params, setting: str, score, joins, founders: list[bool]):
    """The region of an incremental run: (Corpus of its mentions, pairs by position, state to update), or
    raises `Declined` (see the module docstring). `score(mentions, pairs)` gives the results of pairs (by
    position), `joins(mentions, pairs, results)` those of them that join components; `founders` receives
    whether the corpus holds an undated founder (what `joins` reads)."""
    g = _read(conn, [GLOBAL]).get(GLOBAL)
    if g is None or g["setting"] != setting or g["probed"] or g["common"] != params.common_participant:
        raise Declined("no kept state for these settings")
    if conn.execute(select(t.curation_actions.c.id).limit(1)).first() is not None:
        raise Declined("corrections exist")
    touched = set(changes.sources)
    catalog = sources_catalog(conn)  # read once: the voices here and each partial load below
    voice_of, voices = _voices(conn, catalog)
    touched |= {s for s in set(voices) | set(g["voices"]) if voices.get(s) != g["voices"].get(s)}
    copies = _copies(conn, voice_of)
    touched |= {s for s in set(copies) | set(g["copies"]) if copies.get(s) != g["copies"].get(s)}
    if changes.entities:  # link changed these: sources whose mentions moved, or that name one renamed
        now = _entities(conn, changes.entities)
        kept = _read(conn, [f"reconcile.e:{e}" for e in changes.entities])
        for e in changes.entities:
            before, after = kept.get(f"reconcile.e:{e}"), now.get(f"reconcile.e:{e}")
            old_m = {tuple(x) for x in (before or {}).get("m", [])}
            new_m = {tuple(x) for x in (after or {}).get("m", [])}
            if (before or {}).get("n") != (after or {}).get("n") or (before or {}).get("t") != (after or {}).get("t"):
                touched.update(sid for _mid, sid in old_m | new_m)
            else:
                touched.update(sid for _mid, sid in old_m ^ new_m)
    present = {r[0] for chunk in _chunks(touched) for r in conn.execute(select(t.sources.c.id).where(t.sources.c.id.in_(chunk)))}
    weights = rarity.from_counts({int(e): n for e, n in g["counts"].items()}, g["named"], params.common_participant)
    fresh = load(conn, undated_events=params.undated_events, common_participant=params.common_participant,
                 sources=present, weights=weights, catalog=catalog)
    old_sources = _read(conn, [f"reconcile.s:{s}" for s in touched])
    counts = Counter({int(e): n for e, n in g["counts"].items()})
    named, undated = g["named"], g["founders"]
    for state in old_sources.values():
        for entities in state["r"]:
            counts.subtract(entities)
            named -= 1
        undated -= state["u"]
    for m in fresh.mentions:
        if m.entities:
            counts.update(m.entities)
            named += 1
        undated += _undated_founder(m)
    counts = +counts
    if rarity.from_counts(counts, named, params.common_participant) != weights:
        raise Declined("rarity weights changed")
    if (undated > 0) != (g["founders"] > 0):
        raise Declined("undated founders appeared or vanished")
    founders.append(undated > 0)

    # Blocks of the touched sources' old and new mentions: which pairs they gain or lose.
    old_t: dict[int, list] = {}  # old indexed mention of T -> [root, keys]
    for state in old_sources.values():
        old_t.update((int(mid), v) for mid, v in state["m"].items())
    new_t = [m for m in fresh.mentions if m.role != "none"]
    new_keys = {m.id: indexed_keys(m) for m in new_t}
    affected = {k for _root, ks in old_t.values() for k in ks} | {k for ks in new_keys.values() for k in ks}
    blocks_old = _read(conn, affected)
    blocks_new: dict[str, list] = {}
    for key in affected:
        kept = [e for e in blocks_old.get(key, []) if e[0] not in old_t]
        added = [member(m) for m in new_t if key in new_keys[m.id]]
        blocks_new[key] = sorted(kept + added, key=_order)
    new_pairs: set[tuple[int, int]] = set()
    removed_pairs: set[tuple[int, int]] = set()
    where: dict[int, str] = {}  # mention id -> source, of every member of an affected block
    for key in affected:
        gained, lost = block_change(key, blocks_old.get(key, []), blocks_new[key], params.max_block, params.window)
        new_pairs |= gained
        removed_pairs |= lost
        where.update((e[0], e[2]) for e in blocks_old.get(key, []) + blocks_new[key])
    new_ids = {m.id for m in new_t}
    outside = {x: where[x] for pair in new_pairs | removed_pairs for x in pair if x not in old_t and x not in new_ids}
    source_states = dict(old_sources)
    source_states.update(_read(conn, {f"reconcile.s:{s}" for s in outside.values()} - set(old_sources)))
    root_of: dict[int, int] = {}
    for mid, sid in outside.items():
        entry = source_states.get(f"reconcile.s:{sid}", {}).get("m", {}).get(str(mid))
        root_of[mid] = entry[0] if entry is not None else mid
    roots = {root for root, _keys in old_t.values()}
    # `held` is asked only of a pair whose two ends lie outside T in one kept component: only those
    # components are read here (a large one an added mention merely pairs with stays unread).
    inner = {root_of[a] for a, b in new_pairs | removed_pairs if a in root_of and b in root_of and root_of[a] == root_of[b]}
    components = _read(conn, [f"reconcile.c:{r}" for r in roots | inner])
    # pairs inside a component, of those asked about (a large component holds 50,000: not all made a set)
    asked = {(a, b) for a, b in new_pairs | removed_pairs if a in root_of and b in root_of and root_of[a] == root_of[b]}
    held = {(a, b) for comp in components.values() for a, b in zip(*unpack_ids(comp.get("p", []))) if (a, b) in asked} \
        if asked else set()
    # A pair a block lost, inside a kept component: that component changes.
    for a, b in removed_pairs:
        if a in root_of and b in root_of and root_of[a] == root_of[b] and (a, b) in held:
            roots.add(root_of[a])
    # A pair a block gained between two kept mentions of one component that did not hold it: it changes. Other
    # gained pairs change something only where they join: score them (with the touched sources' new mentions).
    to_score = []
    for a, b in new_pairs:
        if a in root_of and b in root_of and root_of[a] == root_of[b]:
            if (a, b) not in held:
                roots.add(root_of[a])
            continue
        to_score.append((a, b))
    known = {m.id: m for m in new_t}
    ends = {x for pair in to_score for x in pair if x not in known}

    def load_some(sources: list[str], ids: set[int]) -> Corpus:
        return load(conn, undated_events=params.undated_events, common_participant=params.common_participant,
                    sources=sources, weights=weights, mention_ids=ids, catalog=catalog)

    # the kept mentions are read back as they were loaded (`loaded`); touched sources are loaded again
    found = loaded.part(conn, ends, {where[x] for x in ends}, weights, touched, load_some) if ends else None
    if found is not None:
        known.update((m.id, m) for m in found.mentions if m.id in ends)
    mini = sorted(known.values(), key=lambda m: (m.source_id, m.start, m.trigger_start, m.id))
    mini = [placed(m, n) for n, m in enumerate(mini)]
    at = {m.id: m.index for m in mini}
    scored_pairs = {(min(at[a], at[b]), max(at[a], at[b])) for a, b in to_score}
    results = score(mini, scored_pairs) if scored_pairs else {}
    gained: dict[tuple[int, int], tuple | None] = {}
    for pa, pb in scored_pairs:
        if mini[pa].id not in new_ids and mini[pb].id not in new_ids:
            gained[(mini[pa].id, mini[pb].id)] = results.get((pa, pb))
    for pa, pb in joins(mini, scored_pairs, results):
        roots.update(root_of[mini[x].id] for x in (pa, pb) if mini[x].id in root_of)
    components.update(_read(conn, [f"reconcile.c:{r}" for r in roots if f"reconcile.c:{r}" not in components]))
    region: dict[int, str] = {}  # old mentions of the region outside T -> source
    old_root: dict[int, int] = {}  # each of them -> the root of its component before (what its `s:` row holds)
    old_events: set[int] = set()
    old_signatures: set[str] = set()
    cached: dict[tuple[int, int], tuple | None] = dict(gained)  # pair of unchanged mentions -> its result
    digests: dict[int, str] = {}  # kept mention outside T -> its `mention_digest` (as it loads now: as before)
    for root in roots:
        comp = components.get(f"reconcile.c:{root}")
        if comp is None:  # a mention in no component: one with no pair that can join it
            if root in outside:
                region[root] = outside[root]
                old_root[root] = root
            continue
        region.update((mid, sid) for mid, sid in comp["m"])
        old_root.update((mid, root) for mid, _sid in comp["m"])
        digests.update((mid, d) for (mid, sid), d in zip(comp["m"], comp.get("d", ())) if sid not in touched)
        for a, b, result in unpack_pairs(comp.get("p", [])):
            if a not in old_t and b not in old_t:
                cached[(a, b)] = result
        old_events.update(comp["ev"])
        if comp["sig"]:
            old_signatures.add(comp["sig"])
    for mid in list(region):
        if mid in old_t:
            del region[mid]
    reused = [m for m in found.mentions if m.id in region] if found else []  # loaded to score gained pairs
    rest = set(region) - {m.id for m in reused}
    others = sorted({region[x] for x in rest} - present)
    more = loaded.part(conn, rest, others, weights, touched, load_some) if others else None
    chosen = list(new_t) + reused + ([m for m in more.mentions if m.id in rest] if more else [])
    chosen.sort(key=lambda m: (m.source_id, m.start, m.trigger_start, m.id))
    mentions = [placed(m, n) for n, m in enumerate(chosen)]
    parts = [c for c in (fresh, found, more) if c is not None]
    corpus = Corpus(mentions, {k: v for c in parts for k, v in c.entity_names.items()},
                    {k: v for c in parts for k, v in c.entity_types.items()}, fresh.source_titles, fresh.voices,
                    {k: v for c in parts for k, v in c.texts.items()}, {k: v for c in parts for k, v in c.links.items()})
    missing = set(region) - {m.id for m in mentions}
    if missing:
        raise Declined(f"{len(missing)} kept mentions of the region are no longer in the store")

    # Pairs inside the region, from the full membership of every block of its mentions.
    position = {m.id: m.index for m in mentions}
    # A kept mention loads as it did (see the module docstring), so its keys are those its `s:` row keeps:
    # derived here, the `s:` rows of the region's sources (a large component spans most sources) stay unread.
    keys_of: dict[int, list[str]] = dict(new_keys)
    for m in mentions:
        if m.id not in keys_of:
            keys_of[m.id] = indexed_keys(m)
    wanted = {k for ks in keys_of.values() for k in ks}
    blocks = dict(blocks_new)
    blocks.update(_read(conn, wanted - set(blocks)))
    pairs: set[tuple[int, int]] = set()
    for key in wanted:
        members = blocks.get(key, [])
        if sum(1 for e in members if e[0] in position) < 2:
            continue
        for a, b in pairs_among(key, members, position, params.max_block, params.window):
            pa, pb = position[a], position[b]
            pairs.add((pa, pb) if pa < pb else (pb, pa))
    sentences: dict[tuple, list[int]] = defaultdict(list)
    for m in mentions:
        if m.interval is not None:
            sentences[(m.source_id, m.start, m.interval.earliest, m.interval.latest)].append(m.index)
    for members in sentences.values():
        pairs.update((a, b) for x, a in enumerate(members) for b in members[x + 1:] if one_moment(mentions[a], mentions[b]))

    state = {"global": dict(g, counts={str(e): n for e, n in sorted(counts.items())}, named=named, founders=undated,
                            voices=voices, copies=copies),
             "touched": touched, "present": present, "fresh": fresh.mentions, "old_t": old_t,
             "blocks": blocks_new, "sources": source_states, "old_roots": roots, "old_events": old_events,
             "old_root": old_root,
             "old_signatures": old_signatures, "founders": undated > 0, "entities": set(changes.entities),
             "raised": _raised(conn, source_states, roots), "cached": cached, "digests": digests}
    return corpus, pairs, state


def _raised(conn: Connection, source_states: dict, region_roots: set[int]) -> dict[int, str]:
    """Events outside the region whose status a later stage raised (claims: contested) -> the status reconcile
    gave them, read from their component's kept row: a full run gives it back (`restore_status`)."""
    raised = [r[0] for r in conn.execute(select(t.events.c.id).where(t.events.c.status == "contested"))]
    members: dict[int, tuple[int, str]] = {}
    for chunk in _chunks(raised):
        for mid, sid, eid in conn.execute(select(t.event_mentions.c.id, t.event_mentions.c.source_id,
                                                 t.event_mentions.c.event_id).where(t.event_mentions.c.event_id.in_(chunk))):
            members.setdefault(eid, (mid, sid))
    states = dict(source_states)
    states.update(_read(conn, {f"reconcile.s:{sid}" for _mid, sid in members.values()} - set(states)))
    roots = {}
    for eid, (mid, sid) in members.items():
        entry = states.get(f"reconcile.s:{sid}", {}).get("m", {}).get(str(mid))
        if entry is not None and entry[0] not in region_roots:
            roots[eid] = entry[0]
    # A component's signature is kept beside it in a small row (`reconcile.k:`): the `c:` row of a large
    # component holds all its pairs, and reading it on every add cost more than the rest of the add.
    kept = _read(conn, {f"reconcile.k:{r}" for r in roots.values()})
    unkept = {r for r in roots.values() if f"reconcile.k:{r}" not in kept}  # a store saved before `k:` rows
    comps = list(kept.values()) + list(_read(conn, {f"reconcile.c:{r}" for r in unkept}).values())
    sigs = sorted({c["sig"] for c in comps if c.get("sig")})
    own: dict[int, str] = {}
    for chunk in _chunks(sigs):
        for r in conn.execute(select(t.reconcile_components.c.statuses).where(t.reconcile_components.c.signature.in_(chunk))):
            own.update((int(k), v) for k, v in json.loads(r.statuses or "{}").items())
    return {eid: own[eid] for eid in roots if eid in own and own[eid] != "contested"}


def save_region(conn: Connection, corpus: Corpus, groups: list[list[int]], signatures: dict[int, str],
                final: dict[int, int | None], state: dict, pairs, scores: dict, digests: list[str | None]) -> None:
    """Update the kept state for the region just recomputed (see `plan`); `digests` by mention index."""
    mentions = corpus.mentions
    rows: dict[str, object] = {f"reconcile.{kind}:{r}": None for r in state["old_roots"] for kind in "ck"}
    components, roots = _component_rows(mentions, groups, signatures, final, pairs, scores, digests)
    rows.update(components)
    for key, members in state["blocks"].items():
        rows[key] = members or None
    fresh_by_source: dict[str, list] = defaultdict(list)
    for m in state["fresh"]:
        fresh_by_source[m.source_id].append(m)
    old_entities: dict[str, set[int]] = {}
    named: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(state["present"]):
        for sid, eid in conn.execute(select(t.mentions.c.source_id, t.mentions.c.entity_id).distinct()
                                     .where(t.mentions.c.source_id.in_(chunk), t.mentions.c.entity_id.is_not(None))):
            named[sid].add(eid)
    for sid in state["touched"]:
        old = state["sources"].get(f"reconcile.s:{sid}")
        old_entities[sid] = set((old or {}).get("n", [])) | named[sid]
        rows[f"reconcile.s:{sid}"] = _source_state(fresh_by_source[sid], roots, named[sid]) \
            if sid in state["present"] else None
    # The region's kept mentions outside T whose component root moved: only their sources' rows are rewritten.
    moved = [m for m in mentions if m.source_id not in state["touched"]
             and roots.get(m.id, m.id) != state["old_root"].get(m.id)]
    unread = {f"reconcile.s:{m.source_id}" for m in moved} - set(rows) - set(state["sources"])
    kept = _read(conn, unread)
    for m in moved:
        key = f"reconcile.s:{m.source_id}"
        if key not in rows:
            rows[key] = state["sources"][key] if key in state["sources"] else kept[key]
        rows[key]["m"][str(m.id)][0] = roots.get(m.id, m.id)
    loaded.keep(conn, {sid: fresh_by_source[sid] for sid in state["touched"] if sid in state["present"]}, state["touched"])
    # entities link changed, and those the touched sources named before or name now, as the store holds them
    entities = set(state["entities"]) | {e for sid in state["touched"] for e in old_entities[sid]}
    now = _entities(conn, entities)
    rows.update({f"reconcile.e:{e}": now.get(f"reconcile.e:{e}") for e in entities})
    rows[GLOBAL] = state["global"]
    _write(conn, rows)
