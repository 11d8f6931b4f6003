"""Echoes: whether a claim only one voice makes under an event is made by another voice elsewhere.

`reconcile` may split one event in two, so a lone claim is checked against every other claim of the corpus
(the same value, the same count, the same actor, the same denial, the same persons) before it is called
single-source; `EchoIndex` finds those candidates by what is compared instead of by a scan of every claim.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from timeweave.claims.extract import Claim
from timeweave.claims.relate import Relation, _disjoint, group_key

ROWS = 16  # candidate rows per product in `echoed`: small enough that the BLAS computes it on the calling thread


class EchoIndex:
    """The claims `echoed` compares a relation's claims with, found by what it compares instead of by a scan of
    every claim for every single-source relation (422 scans of 2,040 claims were 0.19 s of an add at 255 documents)."""

    def __init__(self, claims: list[Claim]):
        self.said: dict[tuple, list[Claim]] = defaultdict(list)  # (kind, facet, value)
        self.counted: dict[float | None, list[Claim]] = defaultdict(list)  # a count's number
        self.acting: dict[int, list[Claim]] = defaultdict(list)  # an asserted agent claim's agents
        self.denied: dict[str, list[Claim]] = defaultdict(list)  # a denial's event word
        self.about: dict[int, list[Claim]] = defaultdict(list)  # the entities a claim is said of
        self.at: dict[tuple, list[Claim]] = defaultdict(list)  # (source, sentence start) of a claim said of someone
        for c in claims:
            self.said[(c.kind, c.facet, c.value)].append(c)
            if c.kind == "quantity":
                self.counted[c.number].append(c)
            if c.kind == "agent" and c.polarity == "+":
                for agent in c.agents:
                    self.acting[agent].append(c)
            if c.kind == "occurrence" and c.polarity == "-":
                self.denied[c.extra.get("lemma")].append(c)
            if c.subjects:
                self.at[(c.source_id, c.start)].append(c)
                for entity in c.subjects:
                    self.about[entity].append(c)


def echoed(relation: Relation, claims: list[Claim], vectors: np.ndarray | None, *, min_similarity: float = 0.5,
           index: EchoIndex | None = None) -> bool:
    """Does another voice make the same claim (kind, facet, value; a count: the same number) in a similar
    sentence, under another event?

    `reconcile` may split one event in two; a claim is single-source only if no other voice says it anywhere.
    Claims are numbered from 1 in the order of `claims` and of the rows of `vectors`; `index` is
    `EchoIndex(claims)`, built once for the many relations of a run.
    """
    index = index or EchoIndex(claims)
    mine = relation.claims
    voices = {c.voice for c in mine}
    if relation.field == "claim:agent:initiator":  # another voice makes the same side the actor of the event
        agents = {a for c in mine for a in c.agents}
        events = {relation.event_id, *(m.extra.get("own_event") for m in mine)}
        return any(c.voice not in voices and c.agents & agents and c.event_id is not None and c.event_id in events
                   for agent in agents for c in index.acting.get(agent, ()))
    if mine[0].kind == "occurrence" and all(c.polarity == "-" for c in mine):
        # a denial of "the second attack" is not alone when another voice denies an attack at a compatible date that
        # `reconcile` kept under another event: the same word denied, the same time
        lemmas = {w for c in mine for w in c.extra.get("words", ())} - {None, ""}  # its event word and its cue's
        if any(c.voice not in voices and not any(_disjoint(c, m) for m in mine)
               for lemma in lemmas for c in index.denied.get(lemma, ())):
            return True
    counts = mine[0].kind == "quantity"  # a count is echoed by the same number, whatever noun counts it (boats, vessels)
    if counts and mine[0].number and mine[0].number >= 2:
        # "two Senators (A and B) dissented": a count of the persons its sentence names is told again by any other
        # voice naming the same persons in a claim about them (a stance, a distinction)
        named = {e for c in index.at.get((mine[0].source_id, mine[0].start), ()) for e in c.subjects}
        if len(named) == mine[0].number and any(c.voice not in voices and c.subjects >= named
                                                for c in index.about.get(min(named), ())):
            return True
    if mine[0].kind in ("cause", "purpose"):
        # a voice that gives the same reason together with another voice under another event (which `reconcile`
        # kept apart: the order and the strikes) is not alone in giving it
        alike = index.said.get((mine[0].kind, mine[0].facet, mine[0].value), [])
        own = {group_key(c) for c in alike if c.voice in voices and c.event_id != relation.event_id}
        if any(group_key(c) in own and c.voice not in voices for c in alike):
            return True
    candidates = index.counted.get(mine[0].number, ()) if counts else \
        index.said.get((mine[0].kind, mine[0].facet, mine[0].value), ())
    same = [c for c in candidates if c.voice not in voices]
    if not same:
        return False
    if counts and any(c.facet == m.facet and not _disjoint(c, m) for c in same for m in mine):
        return True  # "only X gives this figure" is false once another voice gives it of the same thing, any sentence
    if vectors is None:
        return False
    rows = [c.id - 1 for c in same]
    theirs = vectors[[c.id - 1 for c in mine]].T
    # a few rows at a time, stopping at the first similar one: a denial's candidates are every claim of its value
    # (1,233 at 1,600 documents), and one product that large is split by the BLAS across threads, whose start and
    # wait cost more CPU than the multiplications (13 such relations were most of the phase on a busy machine).
    # A score may differ in its last bit from that of one large product (as one large product's already did between
    # thread counts); the rows and their order are a function of the claims, so a full and an incremental run agree.
    for at in range(0, len(rows), ROWS):
        if (vectors[rows[at:at + ROWS]] @ theirs >= min_similarity).any():
            return True
    return False
