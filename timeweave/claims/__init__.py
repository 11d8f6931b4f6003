"""Claims: what the sources assert about events, aligned across independent voices (docs/claims.md).

`claims(engine, config=...)` runs in every build right after `reconcile`: it reads the event
mentions (and the events `reconcile` put them in), extracts claims (`extract`), groups them by
question with blocking (`align`), relates each group (agree / contradict / differ_in_framing /
single_source, with a one-sentence explanation) and writes `claims` rows and the comparisons
(`comparisons` rows of component `timeweave.claims.v1`, so every export of comparisons carries
them). An event with a contradiction among its claims becomes `contested`.

Incremental builds extract again only the sources whose inputs changed (`incremental`: the others keep
the claims the last run extracted) and write only the rows that differ (`write`); a full run (first
build, `--full`, changed settings) extracts every source. Both give the same rows.

What follows extraction (alignment, relations, echoes, the rows) is a function of the claims as extracted,
the events and what each is part of, the settings, the sentence model and the code: when a digest of all of
them equals the one the last run kept (`claims.basis`), that run's rows are what this one would write, and
they are kept, unless another writer may have changed them (`write.as_written`: a correction logged, other
row counts) or a claim is of a source the build stored again (`store.writer` deleted its statements). Only
`contested` is set again on the events the last run found contradictions in. An added text that makes no
claim and moves none (most of those that tell no event another source tells) costs the extraction alone.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select

from timeweave import collector
from timeweave.claims.align import EchoIndex, align, echoed, relate_all
from timeweave.claims.incremental import claims_of_corpus, code_digest
from timeweave.claims.searched import KEY as SEARCHED
from timeweave.claims.searched import Searches, identities
from timeweave.claims.write import as_written, keep_value, kept_value, mark_contested, write
from timeweave.config import DEFAULTS_OF
from timeweave.store import schema as t
from timeweave.store.changes import Changes

__all__ = ["ClaimsReport", "claims"]

BASIS = "claims.basis"  # corpus_state key: the digest of what the last run aligned, its contested events and counts
SETTINGS = ("claims_place_similarity", "claims_max_block", "claims_rejoin_similarity", "claims_whole_similarity",
            "reconcile_number_tolerance", "claims_max_statements", "claims_echo_similarity")

log = logging.getLogger(__name__)


@dataclass
class ClaimsReport:
    claims: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    comparisons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    kept: bool = False  # nothing changed: the stored claims were kept
    reused: bool = False  # extracted again, but nothing alignment reads changed: the stored rows were kept
    extracted: int = 0  # sources whose claims were extracted (the others kept those of the last run)
    sources: int = 0
    written: dict[str, int] = field(default_factory=dict)  # rows inserted and deleted, by table
    phases: dict[str, float] = field(default_factory=dict)  # seconds of extract (reads included), embed, align, relate, echo, write
    searches: dict[str, int] = field(default_factory=dict)  # rejoin's answers kept from the last run, and searched


def _root(event: int, parent: dict[int, int | None]) -> int:
    seen = set()
    while parent.get(event) is not None and event not in seen:
        seen.add(event)
        event = parent[event]
    return event


def _basis(extracted: str, parent: dict[int, int | None], embeds: bool, settings: list) -> str:
    """A digest of what alignment, relations, echoes and the rows are computed from (module docstring)."""
    from timeweave.claims.write import COMPONENT

    model = None
    if embeds:
        from timeweave.embeddings import model_id

        model = model_id()
    text = repr((extracted, sorted(parent.items()), model, settings, COMPONENT, code_digest()))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _searched_basis() -> str:
    """What rejoin's kept answers hold for besides the blocks' claims (`searched`): the code, the model, Python, and
    numpy, whose matrix product gave the kept float32 scores."""
    import sys

    import numpy as np

    from timeweave.embeddings import model_id

    held = (code_digest(), model_id(), sys.version, np.__version__)
    return hashlib.blake2b(repr(held).encode("utf-8"), digest_size=16).hexdigest()


def claims(engine: Engine, *, config: dict[str, Any], encoder=None, changes: Changes | None = None) -> ClaimsReport:
    """Extract, align and compare the claims of the store; rewrites `claims` and the claim comparisons.

    `config["embeddings"]` (default True) lets a claim whose mention joined no event be placed by sentence
    similarity (the vectors `reconcile` cached); `encoder` replaces the model in tests and benches.
    `changes` (store/changes.py): when the build changed no source, event or entity, the stored claims are what
    a full run would write, so they are kept. Otherwise only the sources whose rows, voice, copy marks, events
    or named entities changed are extracted again, found by indexed reads (`incremental.plan`), unless
    `changes` is None or asks for a full run; alignment, relations and echoes run over every claim (cached
    ones included), and only the rows that differ are written, unless nothing they read changed (the module
    docstring: the rows are then kept, and the other sources' cached claims are not even read). `contested`
    is set again on every event with a contradiction in each run, so a reconcile that reset an event's
    status is undone whichever sources were extracted.
    """
    with collector.paused():
        return _claims(engine, config=config, encoder=encoder, changes=changes)


def _claims(engine: Engine, *, config: dict[str, Any], encoder, changes: Changes | None) -> ClaimsReport:
    began = time.perf_counter()
    report = ClaimsReport()
    if changes is not None and changes.nothing and not changes.events and not changes.entities:
        with engine.connect() as conn:
            report.claims = conn.execute(select(func.count()).select_from(t.claims)).scalar() or 0
        report.kept = True
        log.info("claims: no source changed, %d claims kept", report.claims)
        return report

    def setting(name: str):
        return config[name] if name in config else DEFAULTS_OF[name]

    tick = [time.perf_counter()]

    def phase(name: str) -> None:
        now = time.perf_counter()
        report.phases[name] = round(now - tick[0], 3)
        tick[0] = now

    with engine.begin() as conn:
        parent = dict(conn.exec_driver_sql("SELECT id, part_of FROM events").all())  # a Core select costs a Row each
        embeds = bool(config.get("embeddings", True) or encoder is not None)
        local = None if changes is None or changes.full else {*changes.added, *changes.changed, *changes.removed}
        last = kept_value(conn, BASIS)
        basis: list[str | None] = [None]

        def reuse(extracted: str | None, fresh: list) -> bool:
            basis[0] = None if extracted is None else _basis(extracted, parent, embeds,
                                                             [setting(n) for n in SETTINGS])
            return basis[0] is not None and local is not None and last.get("basis") == basis[0] and "claims" in last \
                and not any(c.source_id in local for c in fresh) and as_written(conn)

        found, report.extracted, report.sources, extracted, bases, entries = claims_of_corpus(
            conn, changes, undated_events=bool(config.get("reconcile_undated_events", False)), reuse=reuse)
        phase("extract")
        if found is None:
            mark_contested(conn, last["contested"])
            report.claims, report.by_kind, report.reused = last["claims"], last["by_kind"], True
            report.comparisons = last["comparisons"]
            report.seconds = round(time.perf_counter() - began, 3)
            log.info("claims: %d of %d sources extracted, nothing alignment reads changed: rows kept; %.2fs",
                     report.extracted, report.sources, report.seconds)
            return report
        if basis[0] is None and extracted is not None:  # reuse was not asked (no entry digests kept yet)
            basis[0] = _basis(extracted, parent, embeds, [setting(n) for n in SETTINGS])
        embeds = embeds and bool(found)
        vectors = None
        if embeds:
            from timeweave.claims.vectors import vectors as cached_vectors

            vectors = cached_vectors(conn, [c.quote for c in found], encoder=encoder)
        phase("embed")
        searches = None
        if vectors is not None and encoder is None:  # rejoin's kept answers (`searched`); a full run reads none
            searches = Searches(None if local is None else kept_value(conn, SEARCHED), identities(found, entries),
                                _searched_basis())
        groups = align(found, vectors, roots={event: _root(event, parent) for event in parent},
                       min_similarity=setting("claims_place_similarity"), max_block=setting("claims_max_block"),
                       echo_similarity=setting("claims_rejoin_similarity"),
                       whole_similarity=setting("claims_whole_similarity"), searches=searches)
        if searches is not None:
            report.searches = {"kept": searches.kept, "searched": searches.searched}
        phase("align")
        relations = [r for key, group in sorted(groups.items(), key=lambda kv: str(kv[0]))
                     for r in relate_all(key, group, tolerance=setting("reconcile_number_tolerance"),
                                         limit=setting("claims_max_statements"))]
        phase("relate")
        index = EchoIndex(found)
        relations = [r for r in relations if r.kind != "single_source"
                     or not echoed(r, found, vectors, min_similarity=setting("claims_echo_similarity"), index=index)]
        phase("echo")
        report.written = write(conn, found, relations, local=local, bases=bases, known=set(parent), entries=entries)
        contested = sorted({r.event_id for r in relations if r.kind == "contradict" and r.event_id in parent})
        if searches is not None and searches.changed():
            keep_value(conn, SEARCHED, searches.value(), compact=True)
        keep_value(conn, BASIS, None if basis[0] is None else {
            "basis": basis[0], "contested": contested, "comparisons": dict(Counter(r.kind for r in relations)),
            "claims": len(found), "by_kind": dict(Counter(c.kind for c in found))})
        phase("write")
    report.claims = len(found)
    report.by_kind = dict(Counter(c.kind for c in found))
    report.comparisons = dict(Counter(r.kind for r in relations))
    report.seconds = round(time.perf_counter() - began, 3)
    log.info("claims: %d claims %s -> comparisons %s; %d of %d sources extracted, rows written %s; %.2fs",
             report.claims, report.by_kind, report.comparisons, report.extracted, report.sources, report.written,
             report.seconds)
    return report
