"""Aligning claims across voices: which claims answer the same question (how they relate is `relate`'s).

Blocking keeps it sub-quadratic: claims are grouped by (event, kind, facet): the event `reconcile`
made of their mentions, the question they answer. A claim whose mention joined no event is placed
in the group of the most similar claim (cosine of the cached sentence vectors, at least
`min_similarity`) among the claims of the same kind that share an entity with it (or, sharing none,
among all placed claims of its kind and facet); only those blocks are compared, and a block larger
than `max_block` is not searched. Claims about an entity (a stance, a distinction) are grouped by that
entity (`by_subject`). Each group gives at most one comparison (`relate`).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from timeweave.claims.echo import EchoIndex, echoed  # noqa: F401  (imported from here by the stage)
from timeweave.claims.extract import SUBJECT_KINDS, Claim
from timeweave.claims.searched import Searches
# the relation rules live in `relate`; callers (the stage, `write`, the benches) import them from here too
from timeweave.claims.relate import (  # noqa: F401
    NOTABLE_SINGLE,
    Relation,
    _disjoint,
    group_key,
    notable,
    relate,
    relate_all,
)

REJOIN_KINDS = ("quantity", "cause", "purpose", "evaluation")


def _same(claim: Claim) -> tuple:
    """What must be equal for two claims to be one claim said twice: the question and the value (a count: its number)."""
    return group_key(claim)[1:] + ((claim.number,) if claim.kind == "quantity" else (claim.value, claim.polarity))


def _nearest_in_block(i: int, claim: Claim, block: list[tuple[int, Claim]], vectors: np.ndarray
                      ) -> tuple[np.float32, int] | None:
    """(the best cosine, as the float32 the product gives; its place in the block) of the claims of `block` in another
    group than `i` and another voice than `claim`'s (a count: dated compatibly), the first of equals; None if none."""
    # a count is of one day's action (two days, two fights); a purpose, a cause or a judgement spans days
    others = [(at, other) for at, (j, other) in enumerate(block) if j != i and other.voice != claim.voice
              and not (claim.kind == "quantity" and _disjoint(claim, other))]
    if not others:
        return None
    scores = vectors[[other.id - 1 for _, other in others]] @ vectors[claim.id - 1]
    k = int(scores.argmax())  # the method: np.argmax's wrapper cost more than the search of a small block
    return scores[k], others[k][0]


def rejoin(groups: dict[tuple, list[Claim]], unplaced: list[Claim], vectors: np.ndarray | None, *,
           min_similarity: float = 0.6, max_block: int = 400, searches: Searches | None = None
           ) -> dict[tuple, list[Claim]]:
    """Join the claim groups only one voice speaks in to the group of the same claim made by another voice.

    `reconcile` may split one event in two (or place a mention in none), so the same count, cause,
    purpose or judgement said by two voices can sit in two groups, each one voice alone. A group that
    one voice speaks in (or a claim placed nowhere) joins the group of its most similar claim (cosine of the
    sentence vectors at least `min_similarity`) that says the same thing (kind, facet, value; a count: the
    same unit and number, dated compatibly) in another voice. Blocking by that value keeps it near-linear:
    a block larger than `max_block` is not searched. Groups are merged with union-find; the merged group
    keeps the event that most of its claims were placed in. `searches`: the answers kept from the last run
    (`searched`), taken for the blocks whose claims are the same, and this run's added to it.
    """
    if vectors is None:
        return groups
    keys = list(groups)
    members: list[list[Claim]] = [groups[key] for key in keys] + [[c] for c in unplaced]
    lone = [i for i, group in enumerate(members)
            if group[0].kind in REJOIN_KINDS and len({c.voice for c in group}) == 1]
    if not lone:
        return groups
    blocks: dict[tuple, list[tuple[int, Claim]]] = defaultdict(list)
    place: dict[int, tuple[tuple, str]] = {}  # id(claim) -> its block's key and its place there (as the answers name it)
    for i, group in enumerate(members):
        if group[0].kind in REJOIN_KINDS:
            for claim in group:
                same = _same(claim)
                block = blocks[same]
                place[id(claim)] = same, str(len(block))
                block.append((i, claim))
    kept: dict[tuple, dict | None] = {}  # block key -> its answers (`searched`), None: searched every run
    voices: dict[tuple, set[str]] = {}  # block key -> the voices of its claims
    parent = list(range(len(members)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in lone:
        best = None
        for claim in members[i]:
            same, at = place[id(claim)]
            block = blocks[same]
            if len(block) > max_block:
                continue
            if same not in voices:
                voices[same] = {other.voice for _, other in block}
            if len(voices[same]) == 1:
                continue  # its own voice alone: no claim of another voice, no candidate
            if searches is not None and same not in kept:
                kept[same] = searches.answers(block)
            answers = kept.get(same)
            if answers is not None and at in answers:
                answer = answers[at]
                found = None if answer is None else (np.float32(answer[1]), answer[0])
                searches.kept += 1
            else:
                found = _nearest_in_block(i, claim, block, vectors)
                if answers is not None:
                    answers[at] = None if found is None else [found[1], float(found[0])]
                    searches.searched += 1
            if found is None:
                continue
            top, k = found
            if top >= min_similarity and (best is None or top > best[0]):
                best = (float(top), block[k][0], block[k][1])
        if best is not None:
            parent[find(i)] = find(best[1])
            for claim in members[i]:
                claim.extra.setdefault("placed_by", f"says what a claim of another voice says, in a similar sentence "
                                                    f"(cosine {best[0]:.2f})")
    merged: dict[int, list[int]] = defaultdict(list)
    for i in range(len(members)):
        merged[find(i)].append(i)
    out: dict[tuple, list[Claim]] = {}
    for parts in merged.values():
        if len(parts) == 1 and parts[0] < len(keys) and keys[parts[0]][0] is not None \
                and all(c.event_id == keys[parts[0]][0] for c in members[parts[0]]):
            # a group nothing joined, its claims all of its key's event (`align` keys groups by `group_key`): the
            # majority event is theirs, so they stay under that key as they are
            out.setdefault(keys[parts[0]], []).extend(members[parts[0]])
            continue
        claims = [c for i in parts for c in members[i]]
        placed = [c.event_id for c in claims if c.event_id is not None]
        if not placed:
            continue  # about no event `reconcile` made: nothing to write it under
        event = max(sorted(set(placed)), key=placed.count)
        for claim in claims:
            claim.event_id = event
        for claim in claims:
            out.setdefault(group_key(claim), []).append(claim)
    return out


def align(claims: list[Claim], vectors: np.ndarray | None = None, *, min_similarity: float = 0.6,
          max_block: int = 400, roots: dict[int, int] | None = None,
          echo_similarity: float | None = None, whole_similarity: float = 0.5, searches: Searches | None = None
          ) -> dict[tuple, list[Claim]]:
    """Claims grouped by question: (event, kind, facet); unplaced claims join their nearest placed neighbour,
    then the groups one voice speaks in join the same claim of another voice (`rejoin`, at `echo_similarity`,
    by default `min_similarity`).

    `roots` maps an event to the whole it is part of: outcome and initiator claims are grouped under the whole
    (a conflict starts and ends once, whichever of its parts a sentence tells); such a claim placed nowhere
    joins the whole of the most similar claim of any kind sharing a participant with it, at `whole_similarity`.
    `vectors` has one row per claim, row `claim.id - 1`.
    """
    roots = roots or {}
    for claim in claims:
        if _whole(claim) and claim.event_id is not None:
            claim.extra.setdefault("own_event", claim.event_id)
            claim.event_id = roots.get(claim.event_id, claim.event_id)
    for claim in claims:
        if claim.kind == "evaluation" and claim.facet == "name" and claim.axis == "whole" and claim.event_id is not None \
                and roots.get(claim.event_id, claim.event_id) != claim.event_id:
            # "war" said at a mention of a part (an attack of the war) names the whole, not the part (framing.tsv)
            claim.extra["names_whole"] = True
    _same_sides(claims)
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    placed_by_entity: dict[tuple, list[int]] = defaultdict(list)
    placed_by_kind: dict[tuple, list[int]] = defaultdict(list)
    placed_any: dict[int, list[int]] = defaultdict(list)
    for i, claim in enumerate(claims):
        if claim.kind in SUBJECT_KINDS or about_entity(claim) or claim.extra.get("names_whole"):
            continue  # grouped by the entity they are said of (`by_subject`); a whole's name is no name of a part
        if claim.event_id is not None:
            groups[group_key(claim)].append(claim)
            placed_by_kind[(claim.kind, claim.facet)].append(i)
            for entity in claim.entities:
                placed_by_entity[(claim.kind, claim.facet, entity)].append(i)
                placed_any[entity].append(i)
    subject_groups = by_subject(claims)
    if vectors is None:
        return {**groups, **subject_groups}
    nearest = _nearest_of_kind(claims, vectors, placed_by_entity, placed_by_kind, max_block)
    for i, claim in enumerate(claims):
        if i not in nearest:
            continue
        found, threshold = nearest[i], min_similarity
        if (found is None or not found[0] >= threshold) and _whole(claim):
            # Who started or how ended a conflict is said of the whole: failing a claim of its own kind, the
            # claims of any kind that share a participant with it tell which conflict the sentence is about
            # (other sentences' claims: its own were placed by no more than the paragraph it stands in).
            near = [placed_any.get(entity, ()) for entity in claim.entities]
            candidates = sorted({j for block in near if len(block) <= max_block for j in block
                                 if (claims[j].source_id, claims[j].start) != (claim.source_id, claim.start)})
            found, threshold = _best(vectors, candidates, i), whole_similarity
        if found is not None and found[0] >= threshold:
            event = claims[found[1]].event_id
            claim.event_id = roots.get(event, event) if _whole(claim) else event
            claim.extra["placed_by"] = f"similar to a claim of event {claim.event_id} (cosine {found[0]:.2f})"
            groups[group_key(claim)].append(claim)
    unplaced = [c for c in claims if c.event_id is None and c.kind not in SUBJECT_KINDS and "group" not in c.extra]
    return {**rejoin(dict(groups), unplaced, vectors, max_block=max_block, searches=searches,
                     min_similarity=min_similarity if echo_similarity is None else echo_similarity), **subject_groups}


def _nearest_of_kind(claims: list[Claim], vectors: np.ndarray, placed_by_entity: dict[tuple, list[int]],
                     placed_by_kind: dict[tuple, list[int]], max_block: int) -> dict[int, tuple | None]:
    """For each claim `align` places by similarity (placed in no event, not grouped by subject): (best cosine, index
    of that placed claim) among its candidates (the placed claims of its kind and facet sharing an entity with it,
    or failing those its kind's block), None when it has none.

    The candidates are a function of (kind, facet, entities), and the placed claims do not change while the
    unplaced ones are searched, so the claims sharing that key are searched together: their candidate list and its
    matrix are made once (3,024 claims, 282 distinct lists at 1,600 documents; the matrix copy was most of the
    search). Each claim's scores are still its own matrix-vector product over the same rows in the same order, so
    they are the bits a search claim by claim gives."""
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for i, claim in enumerate(claims):
        if claim.event_id is None and claim.kind not in SUBJECT_KINDS and "group" not in claim.extra:
            by_key[(claim.kind, claim.facet, claim.entities)].append(i)
    out: dict[int, tuple | None] = {}
    for (kind, facet, entities), members in by_key.items():
        blocks = [placed_by_entity.get((kind, facet, entity), ()) for entity in entities]
        candidates = sorted({j for block in blocks if len(block) <= max_block for j in block})
        if not candidates and len(placed_by_kind.get((kind, facet), ())) <= max_block:
            candidates = placed_by_kind.get((kind, facet), [])  # no entity to block on: the kind's block
        matrix = vectors[candidates] if candidates else None
        for i in members:
            out[i] = _best(vectors, candidates, i, matrix)
    return out


def _best(vectors: np.ndarray, candidates: list[int], i: int, matrix: np.ndarray | None = None) -> tuple | None:
    """(the best cosine, as the float32 the product gives, and its candidate) of claim `i` among `candidates`,
    None when there is none; `matrix`: `vectors[candidates]`, when the caller made it for several claims."""
    if not candidates:
        return None
    scores = (vectors[candidates] if matrix is None else matrix) @ vectors[i]
    best = int(scores.argmax())
    return scores[best], candidates[best]


def about_entity(claim: Claim) -> bool:
    """Is the claim grouped by the entity it is said of? A stance or distinction always; the attribution of a
    sentence that tells no event `reconcile` made, to the named person it quotes ("X recalled ..."): that the
    account rests on X's word alone is worth saying even when no event holds it."""
    return bool(claim.subjects) and (claim.kind in SUBJECT_KINDS or (claim.kind == "attribution" and claim.event_id is None))


def by_subject(claims: list[Claim]) -> dict[tuple, list[Claim]]:
    """Stance and distinction claims grouped by the entity they are said of, whatever event (if any) their
    sentence tells: (event, kind, facet, entity), event None unless every claim of the group is placed in one.

    Claims of one kind sharing a subject are one group (union-find: "A and B opposed" and "B opposed" are one
    question); claims dated apart (beyond both dates' precision) are about two matters and stay apart. A
    distinction's facet is its value: "the first" and "the only" answer different questions."""
    chosen = [c for c in claims if about_entity(c)]
    parent = list(range(len(chosen)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[tuple, int] = {}
    for i, claim in enumerate(chosen):
        facet = claim.value if claim.kind == "distinction" else ""
        for entity in claim.subjects:
            j = seen.setdefault((claim.kind, facet, entity), i)
            if j != i and not _disjoint(claim, chosen[j]):
                parent[find(i)] = find(j)
    components: dict[int, list[Claim]] = defaultdict(list)
    for i, claim in enumerate(chosen):
        components[find(i)].append(claim)
    out: dict[tuple, list[Claim]] = {}
    for group in components.values():
        counts: dict[int, int] = defaultdict(int)
        for claim in group:
            for entity in claim.subjects:
                counts[entity] += 1
        entity = min(counts, key=lambda e: (-counts[e], e))
        events = {c.event_id for c in group}
        event = next(iter(events)) if len(events) == 1 else None
        key = (event, group[0].kind, group[0].value if group[0].kind == "distinction" else "", entity)
        for claim in group:
            claim.extra["group"] = key
        out[key] = group
    return out


def _whole(claim: Claim) -> bool:
    """Claims said of a conflict as a whole, grouped under the event its parts belong to: how it ended, who started it."""
    return claim.kind == "outcome" or (claim.kind == "agent" and claim.facet == "initiator")


def _same_sides(claims: list[Claim]) -> None:
    """Outcome claims naming the same two sides, dated compatibly, are about one outcome, whichever event
    `reconcile` put their sentences in: they join the event most of them are placed in."""
    blocks: dict[frozenset, list[list[Claim]]] = defaultdict(list)
    for claim in claims:
        if claim.kind != "outcome" or not (claim.winners and claim.losers):
            continue
        clusters = blocks[claim.winners | claim.losers]
        home = next((c for c in clusters if not any(_disjoint(claim, other) for other in c)), None)
        if home is None:
            clusters.append([claim])
        else:
            home.append(claim)
    for clusters in blocks.values():
        for cluster in clusters:
            placed = [c.event_id for c in cluster if c.event_id is not None]
            if len(cluster) < 2 or not placed:
                continue
            event = max(sorted(set(placed)), key=placed.count)
            for claim in cluster:
                if claim.event_id != event:
                    claim.extra["placed_by"] = f"names the same two sides as the outcome claims of event {event}"
                    claim.event_id = event
