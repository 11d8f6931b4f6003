"""Reconcile: one canonical event from many mentions, with its evidence graded across sources.

`reconcile(engine, config=...)` runs at the end of every build, after `link`. It reads the
document-level rows (event mentions, entity mentions, passages, sources) and rewrites the
corpus-level rows (events, event_participants, comparisons, comparison_statements and
`event_mentions.event_id`) in one transaction. It is deterministic and idempotent: the same store
reconciles to the same rows. Stages: `load` (voices, copies, and `salience`: which
mentions can be chronicle events) → `embed` (cached sentence vectors) → `blocking` (candidate pairs)
→ `cluster` (merge, sub-events) → `canonical` (dates; `labels`) → `compare` (agree / contradict /
differ_in_framing / single_source) → `write`.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from timeweave.reconcile import write as writer
from timeweave.reconcile.blocking import candidate_pairs
from timeweave.reconcile.canonical import build_events
from timeweave.reconcile.cluster import cluster
from timeweave.reconcile.params import Params
from timeweave.reconcile.similarity import score_pairs
from timeweave.reconcile.compare import compare_event, status
from timeweave.reconcile.load import load
from timeweave.store import schema as t

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


def reconcile(engine: Engine, *, config: dict[str, Any], encoder=None, params: Params | None = None) -> ReconcileReport:
    """Merge event mentions into events and compare their sources; rewrites the event tables.

    `config["embeddings"]` (default True) turns sentence embeddings on; the `reconcile_*` settings are
    its thresholds and weights (`params`, when given, replaces them); `encoder` (texts -> vectors)
    replaces the bundled model, for tests and benches.
    """
    params = params or Params.from_config(config)
    began = time.perf_counter()
    report = ReconcileReport()
    with engine.begin() as conn:
        corpus = load(conn, undated_events=params.undated_events, common_participant=params.common_participant)
        mentions = corpus.mentions
        report.mentions = len(mentions)
        vectors = None
        if mentions and (config.get("embeddings", True) or encoder is not None):
            from timeweave.reconcile.embed import embed

            vectors = embed(conn, [m.sentence for m in mentions], encoder=encoder)
            report.embedded = True
        pairs = candidate_pairs(mentions, max_block=params.max_block, window=params.window)
        report.candidate_pairs = len(pairs)
        clusters, clusterer = cluster(mentions, score_pairs(mentions, pairs, vectors, params), params)
        events = build_events(clusters, clusterer, corpus)
        by_cluster = {e.cluster: e for e in events}
        comparisons = {}
        for event in events:
            children = [by_cluster[c] for c in event.children if c in by_cluster]
            tree = list(event.members)
            stack = list(children)
            while stack:
                child = stack.pop()
                tree += child.members
                stack += [by_cluster[c] for c in child.children if c in by_cluster]
            comparisons[event.id] = compare_event(event, children, tree, corpus, params)
            event.status = status(event, comparisons[event.id])
        known = {row[0] for row in conn.execute(select(t.entities.c.id))}
        writer.write(conn, events, comparisons, known)
    report.events = len(events)
    report.unplaced = report.mentions - sum(len(e.members) for e in events)
    report.part_of = sum(1 for e in events if e.parent is not None)
    report.statuses = dict(Counter(e.status for e in events))
    report.comparisons = dict(Counter(c.kind for cs in comparisons.values() for c in cs))
    report.seconds = round(time.perf_counter() - began, 3)
    log.info("reconcile: %d mentions -> %d events (%d parts), comparisons %s, %.2fs",
             report.mentions, report.events, report.part_of, report.comparisons, report.seconds)
    return report
