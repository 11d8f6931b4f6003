"""Reconcile: one canonical event from many mentions, with its evidence graded across sources.

`reconcile(engine, config=..., changes=...)` runs at the end of every build, after `link`. It reads the
document-level rows (event mentions, entity mentions, passages, sources) and writes the
corpus-level rows (events, event_participants, comparisons, comparison_statements and
`event_mentions.event_id`) in one transaction. It is deterministic and idempotent: the same store
reconciles to the same rows, whether in one run over everything (`changes=None` or `changes.full`)
or incrementally, recomputing only the connected components the changed sources reach (`region`, which
reads only those) or whose inputs or rows changed (`incremental`): components of the scored candidate pairs that can bring two mentions into one event
(`_joining`), so that mentions nothing relates are not one component. Stages: `load` (voices, copies,
and `salience`: which mentions can be chronicle events) → `blocking` (candidate pairs) → `embed` (cached
sentence vectors) and `similarity` (scores; components) → `cluster` (merge, sub-events) → `canonical` (dates; `labels`) → `compare` (agree /
contradict / differ_in_framing / single_source) → `write` (only the rows that differ).
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from timeweave import collector
from timeweave.reconcile import incremental, region
from timeweave.reconcile import write as writer
from timeweave.reconcile.blocking import candidate_pairs
from timeweave.reconcile.kept import save_all
from timeweave.reconcile.load import load
from timeweave.reconcile.params import Params
# the steps both paths share; `undated_founder` stays importable from the package (kept.py, tests)
from timeweave.reconcile.steps import _compute, _count, _joining, _planned, _scores, undated_founder  # noqa: F401
from timeweave.store import schema as t
from timeweave.store.changes import Changes

__all__ = ["ReconcileReport", "reconcile", "Params"]

log = logging.getLogger(__name__)
COMPONENT = writer.COMPONENT


@dataclass
class ReconcileReport:
    mentions: int = 0
    events: int = 0
    unplaced: int = 0  # mentions that joined no event (no chronicle event, or hypotheses, citations on their own)
    candidate_pairs: int = 0
    part_of: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    comparisons: dict[str, int] = field(default_factory=dict)
    embedded: bool = False
    seconds: float = 0.0
    components: int = 0  # connected components (of the pairs that can join mentions) that can give an event
    recomputed: int = 0  # of them, recomputed in this run (all in a full run)
    changed_events: int = 0  # events created, removed or changed (rows written)
    phases: dict[str, float] = field(default_factory=dict)  # seconds: load, plan (pairs, signatures), compute, write
    region: bool = False  # True when only the region the changed sources reach was read (`region`)



def reconcile(engine: Engine, *, config: dict[str, Any], encoder=None, params: Params | None = None,
              changes: Changes | None = None) -> ReconcileReport:
    """Merge event mentions into events and compare their sources; writes the event tables.

    `config["embeddings"]` (default True) turns sentence embeddings on; the `reconcile_*` settings are
    its thresholds and weights (`params`, when given, replaces them); `encoder` (texts -> vectors)
    replaces the bundled model, for tests and benches. `changes` (what the build changed, see
    `store/changes.py`) lets it recompute only the components whose inputs or rows changed; None or
    `changes.full` recomputes all. Either way the rows are the same, and the ids of the events created,
    removed or changed are added to `changes.events`.
    """
    from timeweave.reconcile.embed import MODEL_NAME

    params = params or Params.from_config(config)
    full = changes is None or changes.full
    began = time.perf_counter()
    report = ReconcileReport()
    if not full:
        try:
            with collector.paused(), engine.begin() as conn:
                changed = _region(conn, changes, params, config, encoder, report, began)
        except region.Declined as why:
            log.info("reconcile: the full path runs (%s)", why)
            report = ReconcileReport()
        else:
            changes.events |= changed
            report.seconds = round(time.perf_counter() - began, 3)
            log.info("reconcile: region of %d mentions, %d components recomputed of %d, %d events written, %.2fs",
                     report.mentions, report.recomputed, report.components, report.changed_events, report.seconds)
            return report
    with engine.begin() as conn:
        corpus = load(conn, undated_events=params.undated_events, common_participant=params.common_participant)
        mentions = corpus.mentions
        report.mentions = len(mentions)
        report.phases["load"] = round(time.perf_counter() - began, 3)
        use_vectors = bool(mentions) and (config.get("embeddings", True) or encoder is not None)
        pairs = candidate_pairs(mentions, max_block=params.max_block, window=params.window)
        report.candidate_pairs = len(pairs)
        # A component of candidate pairs where no mention can found an event gives none, whatever its scores
        # (`barren`): its pairs are not scored, and `region` keeps it whole. The others are cut into the
        # components of the pairs that can bring two mentions into one event (`_joining`): undated mentions
        # sharing a word across a whole corpus made one component of most of it.
        candidates = incremental.components(len(mentions), pairs)
        unscored = [group for group in candidates if incremental.barren(corpus, group)]
        dead = {i for group in unscored for i in group}
        live_pairs = {(a, b) for a, b in pairs if a not in dead}
        scores = _scores(conn, mentions, live_pairs, params, use_vectors, encoder, report)
        groups = incremental.components(len(mentions), _joining(mentions, live_pairs, scores, params))
        group_of = [0] * len(mentions)
        for k, group in enumerate(groups):
            for i in group:
                group_of[i] = k
        pairs_of: dict[int, list[tuple[int, int]]] = defaultdict(list)  # every scored pair inside a component
        for a, b in sorted(scores):
            if group_of[a] == group_of[b]:
                pairs_of[group_of[a]].append((a, b))
        setting = incremental.settings_key(params, use_vectors, config, MODEL_NAME)
        stored = incremental.read_stored(conn, COMPONENT)
        state = incremental.read_state(conn)
        links_now = corpus.links
        fruitful = [k for k, group in enumerate(groups) if not incremental.barren(corpus, group)]
        digests: list[str | None] = [None] * len(mentions)  # made once, kept in the `c:` rows
        signatures = {k: incremental.signature(corpus, groups[k], pairs_of[k], setting, digests) for k in fruitful}
        report.components = len(fruitful)

        # Which components to recompute: all in a full run; else those whose inputs (signature) or rows
        # (output) differ from the last run's, barren ones still joined to an event, and any sharing an event.
        dirty: set[int] = set()
        linked: dict[int, set[int]] = defaultdict(set)  # event id -> components whose mentions it holds
        for k, group in enumerate(groups):
            for i in group:
                event = links_now.get(mentions[i].id)
                if event is not None:
                    linked[event].add(k)
        for k, group in enumerate(groups):
            links = [(mentions[i].id, links_now.get(mentions[i].id)) for i in group]
            if k not in signatures:
                if full or any(e is not None for _m, e in links):
                    dirty.add(k)
                continue
            previous = state.get(signatures[k])
            if full or previous is None or previous[0] != incremental.output_digest(
                    links, stored.events, stored.participants, stored.comparisons):
                dirty.add(k)
        for event, ks in linked.items():
            if len(ks) > 1 or event not in stored.events:
                dirty |= ks
        orphans = set(stored.events) - set(linked)
        report.phases["plan"] = round(time.perf_counter() - began - report.phases["load"], 3)

        computed: dict[int, list[tuple]] = {}  # component -> [(event, comparisons, parent event or None)]
        while True:
            todo = sorted(k for k in dirty if k not in computed)
            computed.update({k: [] for k in todo if k not in signatures})  # barren: no event, whatever its pairs
            computed.update(_compute(corpus, groups, pairs_of, [k for k in todo if k in signatures], params, scores))
            kept = {e: k for e, ks in linked.items() for k in ks if k not in dirty}
            members: dict[int, list] = defaultdict(list)  # kept event -> its mentions, in one pass
            for k in set(kept.values()):
                for i in groups[k]:
                    event = links_now.get(mentions[i].id)
                    if event is not None:
                        members[event].append(mentions[i])
            keys, runs = {}, {}
            for event in kept:
                keys[("kept", event)] = incremental.event_key(members[event])
                runs[("kept", event)] = len(stored.comparisons.get(event, []))
            for k, found in computed.items():
                for n, (event, comparisons, _parent) in enumerate(found):
                    keys[("new", k, n)] = incremental.event_key(event.members)
                    runs[("new", k, n)] = len(comparisons)
            ids = incremental.assign(keys)
            runs_at = incremental.assign(keys, runs)
            moved = set()
            for item in keys:
                if item[0] == "kept":
                    own = stored.comparisons.get(item[1], [])
                    if ids[item] != item[1] or (own and own != list(range(runs_at[item], runs_at[item] + len(own)))):
                        moved.add(kept[item[1]])
            if not moved:
                break
            dirty |= moved  # a new event took the id of a kept one (a hash collision): recompute that one too

        report.phases["compute"] = round(time.perf_counter() - began - report.phases["load"] - report.phases["plan"], 3)
        planned, by_event = _planned(computed, ids, runs_at)
        want: dict[int, int | None] = {mentions[i].id: None for k in computed for i in groups[k]}
        for p in planned:
            for m in p.event.members:
                want[m.id] = p.id
        recomputed = set(computed)
        replaced = {e for e, ks in linked.items() if not ks.isdisjoint(recomputed)} | orphans
        known = {row[0] for row in conn.execute(select(t.entities.c.id))}
        changed = writer.write(conn, planned, replaced, stored, known, want, links_now)

        new_state = {}
        restore = {}
        for k in fruitful:
            signature = signatures[k]
            if k in computed:
                links = [(mentions[i].id, want[mentions[i].id]) for i in groups[k]]
                own = by_event[k]
                output = incremental.output_digest(links, {p.id: p.row(known) for p in own},
                                                   {p.id: p.participants(known) for p in own},
                                                   {p.id: p.comparison_ids for p in own})
                new_state[signature] = (output, {p.id: p.event.status for p in own})
            else:
                new_state[signature] = state[signature]
                restore.update({e: s for e, s in state[signature][1].items() if stored.status.get(e) != s})
        writer.restore_status(conn, restore)
        changed |= set(restore)
        incremental.write_state(conn, state, new_state)
        final = {m.id: want.get(m.id, links_now.get(m.id)) for m in mentions}
        probed = any(ids[item] != incremental.first_choice(keys[item]) for item in ids) or any(
            runs_at[item] != incremental.first_choice(keys[item], runs[item]) for item in runs_at)
        units = [group for group in groups if group[0] not in dead] + unscored
        save_all(conn, corpus, units, _signatures_of(units, groups, signatures), final, setting,
                        params.common_participant, probed, live_pairs, scores, digests)
        _count(conn, report)
    report.phases["write"] = round(time.perf_counter() - began - sum(report.phases.values()), 3)
    report.recomputed = len([k for k in computed if k in signatures])
    report.changed_events = len(changed)
    if changes is not None:
        changes.events |= changed
    report.seconds = round(time.perf_counter() - began, 3)
    log.info("reconcile: %d mentions -> %d events (%d parts), comparisons %s; %s: %d of %d components recomputed, "
             "%d events written, %.2fs", report.mentions, report.events, report.part_of, report.comparisons,
             "full" if full else "incremental", report.recomputed, report.components, report.changed_events,
             report.seconds)
    return report


def _signatures_of(units: list[list[int]], groups: list[list[int]], signatures: dict[int, str]) -> dict[int, str]:
    """The signatures of `groups` by their position in `units` (which hold the same lists, reordered)."""
    at = {id(group): k for k, group in enumerate(units)}
    return {at[id(groups[k])]: signature for k, signature in signatures.items() if id(groups[k]) in at}


def _region(conn: Connection, changes: Changes, params: Params, config: dict[str, Any], encoder, report: ReconcileReport,
            began: float) -> set[int]:
    """The incremental path: recompute the region the changed sources reach (`region`), write its rows and
    kept state; returns the ids of events written. Raises `region.Declined` before writing anything when
    the region cannot be shown to give a full run's rows."""
    from timeweave.reconcile.embed import MODEL_NAME

    use_vectors = bool(config.get("embeddings", True) or encoder is not None)
    setting = incremental.settings_key(params, use_vectors, config, MODEL_NAME)
    founders: list[bool] = []

    def score(some: list, some_pairs: set[tuple[int, int]]) -> dict:
        return _scores(conn, some, some_pairs, params, use_vectors, encoder, report)

    def joins(some: list, some_pairs: set[tuple[int, int]], results: dict) -> set[tuple[int, int]]:
        return _joining(some, some_pairs, results, params, founders[0])

    corpus, pairs, state = region.plan(conn, changes, params, setting, score, joins, founders)
    report.region = True
    mentions = corpus.mentions
    report.phases["load"] = round(time.perf_counter() - began, 3)
    report.candidate_pairs = len(pairs)
    # a pair of two unchanged mentions of one kept component keeps its result; the others are scored
    scores: dict[tuple[int, int], tuple[float, str | None]] = {}
    todo = set()
    mention_ids, cached, absent = [m.id for m in mentions], state["cached"], object()
    for a, b in pairs:
        result = cached.get((mention_ids[a], mention_ids[b]), absent)
        if result is absent:
            todo.add((a, b))
        elif result is not None:
            scores[(a, b)] = result
    scores.update(_scores(conn, mentions, todo, params, use_vectors and bool(todo), encoder, report))
    groups = incremental.components(len(mentions), _joining(mentions, pairs, scores, params, state["founders"]))
    group_of = [0] * len(mentions)
    for k, group in enumerate(groups):
        for i in group:
            group_of[i] = k
    pairs_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b in sorted(scores):
        if group_of[a] == group_of[b]:
            pairs_of[group_of[a]].append((a, b))
    fruitful = [k for k, group in enumerate(groups) if not incremental.barren(corpus, group)]
    # a kept mention's digest is read from its component's row (it loads as before: `region`); the others are made
    digests: list[str | None] = [state["digests"].get(m.id) for m in mentions]
    signatures = {k: incremental.signature(corpus, groups[k], pairs_of[k], setting, digests) for k in fruitful}
    report.phases["plan"] = round(time.perf_counter() - began - report.phases["load"], 3)
    computed = _compute(corpus, groups, pairs_of, fruitful, params, scores)
    keys, runs = {}, {}
    for k, found in computed.items():
        for n, (event, comparisons, _parent) in enumerate(found):
            keys[("new", k, n)] = incremental.event_key(event.members)
            runs[("new", k, n)] = len(comparisons)
    ids = incremental.assign(keys)
    runs_at = incremental.assign(keys, runs)
    if any(ids[item] != incremental.first_choice(keys[item]) for item in ids) or any(
            runs_at[item] != incremental.first_choice(keys[item], runs[item]) for item in runs_at):
        raise region.Declined("an id needs a second probe")
    old_events = state["old_events"]
    # Every new id probed in a few IN queries (one query per event cost 0.2 s for a component of 300 events).
    new_ids = sorted(set(ids.values()))
    run_ids = sorted({n for item, count in runs.items() if count for n in range(runs_at[item], runs_at[item] + count)})
    c = t.comparisons.c
    for at in range(0, len(new_ids), 500):
        taken = conn.execute(select(t.events.c.id).where(t.events.c.id.in_(new_ids[at:at + 500]))).scalars()
        if any(event_id not in old_events for event_id in taken):
            raise region.Declined("a new event's id is taken by a kept one")
    for at in range(0, len(run_ids), 500):
        taken = conn.execute(select(c.event_id).where(c.component == COMPONENT, c.id.in_(run_ids[at:at + 500]))).scalars()
        if any(event_id not in old_events for event_id in taken):
            raise region.Declined("a new comparison's id is taken by a kept one")
    report.phases["compute"] = round(time.perf_counter() - began - report.phases["load"] - report.phases["plan"], 3)
    planned, by_event = _planned(computed, ids, runs_at)
    want: dict[int, int | None] = {m.id: None for m in mentions}
    for p in planned:
        for m in p.event.members:
            want[m.id] = p.id
    stored = incremental.read_stored(conn, COMPONENT, events=old_events)
    referenced = sorted({e for m in mentions for e in incremental.referenced(m)})
    known = {r[0] for at in range(0, len(referenced), 500)
             for r in conn.execute(select(t.entities.c.id).where(t.entities.c.id.in_(referenced[at:at + 500])))}
    links_now = {m.id: corpus.links.get(m.id) for m in mentions}
    changed = writer.write(conn, planned, set(old_events), stored, known, want, links_now)
    old_state = {}
    sigs = sorted(state["old_signatures"])
    for at in range(0, len(sigs), 500):
        for r in conn.execute(select(t.reconcile_components).where(t.reconcile_components.c.signature.in_(sigs[at:at + 500]))):
            old_state[r.signature] = (r.output, {int(k): v for k, v in json.loads(r.statuses or "{}").items()})
    new_state = {}
    for k in fruitful:
        links = [(mentions[i].id, want[mentions[i].id]) for i in groups[k]]
        own = by_event[k]
        output = incremental.output_digest(links, {p.id: p.row(known) for p in own},
                                           {p.id: p.participants(known) for p in own},
                                           {p.id: p.comparison_ids for p in own})
        new_state[signatures[k]] = (output, {p.id: p.event.status for p in own})
    incremental.write_state(conn, old_state, new_state)
    writer.restore_status(conn, state["raised"])
    changed |= set(state["raised"])
    region.save_region(conn, corpus, groups, signatures, want, state, pairs, scores, digests)
    report.mentions = conn.execute(select(func.count()).select_from(t.event_mentions)).scalar() or 0
    _count(conn, report)
    report.components = conn.execute(select(func.count()).select_from(t.reconcile_components)).scalar() or 0
    report.recomputed = len(fruitful)
    report.changed_events = len(changed)
    report.phases["write"] = round(time.perf_counter() - began - sum(report.phases.values()), 3)
    return changed
