"""The steps both reconcile paths share (the full run and the region run, `reconcile/__init__.py`): scoring
candidate pairs, the pairs that join components, clustering and comparing the components recomputed, the
rows planned for them, and the report's totals read back from the store.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Connection, func, select

from timeweave.reconcile import write as writer
from timeweave.reconcile.blocking import one_moment
from timeweave.reconcile.canonical import build_events
from timeweave.reconcile.cluster import cluster
from timeweave.reconcile.compare import compare_event, status
from timeweave.reconcile.load import Corpus, placed
from timeweave.reconcile.params import Params
from timeweave.reconcile.similarity import relatable, score_pairs
from timeweave.store import schema as t

if TYPE_CHECKING:
    from timeweave.reconcile import ReconcileReport

COMPONENT = writer.COMPONENT


def _planned(computed: dict[int, list[tuple]], ids: dict, runs_at: dict) -> tuple[list, dict[int, list]]:
    """The rows to write for the recomputed components (full and region runs alike): each event with its
    id, the ids of its comparisons and its parent's id; and the planned events of each component."""
    planned: list[writer.Planned] = []
    by_event: dict[int, list[writer.Planned]] = defaultdict(list)  # component -> its planned events
    for k, found in sorted(computed.items()):
        own = {}
        for n, (event, comparisons, _parent) in enumerate(found):
            item = ("new", k, n)
            start = runs_at.get(item, 0)
            own[event.cluster] = writer.Planned(event, ids[item], None, comparisons,
                                                list(range(start, start + len(comparisons))))
        for n, (event, _comparisons, parent) in enumerate(found):
            own[event.cluster].part_of = own[parent].id if parent is not None and parent in own else None
        planned += own.values()
        by_event[k] = list(own.values())
    return planned, by_event


def _scores(conn: Connection, mentions: list, pairs: set[tuple[int, int]], params: Params, use_vectors: bool, encoder,
            report: ReconcileReport) -> dict[tuple[int, int], tuple[float, str | None]]:
    """(score, flag) of every candidate pair `similarity.judge` relates, by (i, j) with i < j; the sentence
    vectors come from the store's cache (the model runs only for sentences it has not seen)."""
    vectors = row_of = None
    # A pair `judge` refuses whatever the similarity scores None with or without vectors: it is dropped
    # before embedding, so a sentence is embedded only when one of its pairs can score.
    pairs = {(a, b) for a, b in pairs if relatable(mentions[a], mentions[b], params)}
    if use_vectors and pairs:
        from timeweave.reconcile.embed import embed

        paired = sorted({i for pair in pairs for i in pair})  # a mention in no pair needs no vector
        vectors = embed(conn, [mentions[i].sentence for i in paired], encoder=encoder)
        row_of = np.full(len(mentions), -1, dtype=np.int64)
        row_of[paired] = np.arange(len(paired))
        report.embedded = True
    adjacency = score_pairs(mentions, pairs, vectors, params, row_of)
    return {(i, j): result for i, row in adjacency.items() for j, result in row.items() if i < j}


def _joining(mentions: list, pairs: set[tuple[int, int]], scores: dict[tuple[int, int], tuple[float, str | None]],
             params: Params, undated_found: bool | None = None) -> set[tuple[int, int]]:
    """The scored pairs that join components, so that what a component gives depends on nothing outside it.

    A pair scoring under `floor` joins nothing: every clustering step acts only on pairs at or above its
    own threshold, the lowest of which is `floor` (a weaker pair only counts in the mean of `cluster`'s
    linkage, between a mention and an event it is already tied to by a stronger pair). A pair of two
    undated mentions joins nothing either while no undated mention may found an event (the setting
    `reconcile_undated_events` off): undated mentions join events one by one in the last tier, and a group
    of them without a founder is dropped, so their pair counts only when both joined, each through a
    pair of its own, the same event. The other pairs of a component still score and count in it. A generic
    and a typed mention of one sentence and one date (`blocking.one_moment`) join whatever their score: the
    generic one may be a detail of the other's event (`cluster`). `undated_found` (None: seen in `mentions`)
    says whether any mention of the corpus is an undated founder.
    """
    if undated_found is None:  # a corpus-wide fact: an incremental run passes the count it keeps (`region`)
        undated_found = any(undated_founder(m) for m in mentions)
    floor = params.floor  # a property: read once, not once per pair (50,000 in a large component)
    dated = [m.interval is not None for m in mentions]  # by position: read once per mention, not per pair
    joining = {(a, b) for (a, b), (s, _flag) in scores.items() if s >= floor and (undated_found or dated[a] or dated[b])}
    sentence = [(m.source_id, m.start) for m in mentions]  # `one_moment` asks for one sentence first
    return joining | {(a, b) for a, b in pairs if sentence[a] == sentence[b] and one_moment(mentions[a], mentions[b])}


def undated_founder(m) -> bool:
    """An undated mention that may found an event (none while `reconcile_undated_events` is off)."""
    return m.interval is None and m.role == "event" and m.may_found


def _compute(corpus: Corpus, groups: list[list[int]], pairs_of: dict[int, list[tuple[int, int]]], todo: list[int],
             params: Params, scores: dict[tuple[int, int], tuple[float, str | None]]) -> dict[int, list[tuple]]:
    """Events and comparisons of the components `todo`, clustered together as in a full run (components
    never interact, and their mentions keep their relative order): component -> [(event, comparisons,
    parent cluster or None)]."""
    if not todo:
        return {}
    chosen = sorted(i for k in todo for i in groups[k])
    position = {i: n for n, i in enumerate(chosen)}
    sub = Corpus([placed(corpus.mentions[i], n) for n, i in enumerate(chosen)], corpus.entity_names,
                 corpus.entity_types, corpus.source_titles, corpus.voices, corpus.texts, corpus.links)
    mentions = sub.mentions
    adjacency: dict[int, dict[int, tuple[float, str | None]]] = {m.index: {} for m in mentions}
    for a, b in sorted(pair for k in todo for pair in pairs_of.get(k, [])):  # in the order score_pairs fills it
        adjacency[position[a]][position[b]] = adjacency[position[b]][position[a]] = scores[(a, b)]
    clusters, clusterer = cluster(mentions, adjacency, params)
    events = build_events(clusters, clusterer, sub)
    by_cluster = {e.cluster: e for e in events}
    group_of = {position[i]: k for k in todo for i in groups[k]}
    out: dict[int, list[tuple]] = {k: [] for k in todo}
    for event in events:
        children = [by_cluster[c] for c in event.children if c in by_cluster]
        tree = list(event.members)
        stack = list(children)
        while stack:
            child = stack.pop()
            tree += child.members
            stack += [by_cluster[c] for c in child.children if c in by_cluster]
        comparisons = compare_event(event, children, tree, sub, params)
        event.status = status(event, comparisons)
        out[group_of[event.members[0].index]].append((event, comparisons, event.parent))
    return out


def _count(conn: Connection, report: ReconcileReport) -> None:
    """The report's totals, read from the rows as they now stand (most were kept, not recomputed)."""
    report.events = conn.execute(select(func.count()).select_from(t.events)).scalar() or 0
    linked = conn.execute(select(func.count()).select_from(t.event_mentions)
                          .where(t.event_mentions.c.event_id.is_not(None))).scalar() or 0
    report.unplaced = report.mentions - linked
    report.part_of = conn.execute(select(func.count()).select_from(t.events)
                                  .where(t.events.c.part_of.is_not(None))).scalar() or 0
    report.statuses = dict(conn.execute(select(t.events.c.status, func.count()).group_by(t.events.c.status)).all())
    report.comparisons = dict(conn.execute(select(t.comparisons.c.kind, func.count()).group_by(t.comparisons.c.kind)
                                           .where(t.comparisons.c.component == COMPONENT)).all())
