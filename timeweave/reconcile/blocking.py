"""Candidate pairs for event merging without comparing every mention with every other.

Two mentions can only be the same event if they share something cheap to index: a trigger lemma
or an entity (participant or place), within the same year (or decade, for vague dates), or a type
family within the same month. An undated mention is matched only through its lemma or entities. A
generic and a typed mention of one sentence dated to the same days are paired too (`one_moment`).
A block larger than `max_block` is not expanded into all its pairs: its members are sorted by
date and source position and each is paired with its `window` nearest neighbours (the
sorted-neighbourhood method), which bounds the work at O(n · window) per key. Mentions that can be
no chronicle event (`salience` role `none`) are not indexed at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from timeweave.reconcile.load import Mention

FAMILY = {
    "treaty": "accord", "agreement": "accord", "ceasefire": "accord",
    "meeting": "talks", "negotiation": "talks",
    "battle": "conflict", "incident": "conflict", "invasion": "conflict", "offensive": "conflict",
    "deployment": "deployment", "purge": "purge", "declaration": "declaration", "founding": "founding",
    "election": "vote", "referendum": "vote", "other": "other",
}


def family(event_type: str) -> str:
    return FAMILY.get(event_type, "other")


def _periods(mention: Mention) -> list[str]:
    """Index periods of a mention: its years when it spans three or fewer, else its decades."""
    iv = mention.interval
    if iv is None:
        return ["*"]
    first, last = date.fromordinal(iv.earliest).year, date.fromordinal(iv.latest).year
    if last - first <= 2:
        return [str(y) for y in range(first, last + 1)]
    return [f"{d}s" for d in range(first // 10 * 10, last // 10 * 10 + 1, 10)][:5]


def _months(mention: Mention) -> list[str]:
    iv = mention.interval
    if iv is None or iv.width > 62:
        return []
    lo, hi = date.fromordinal(iv.earliest), date.fromordinal(iv.latest)
    months = {(lo.year, lo.month), (hi.year, hi.month)}
    return [f"{y}-{m:02d}" for y, m in sorted(months)]


def keys(mention: Mention) -> Iterable[tuple]:
    periods = _periods(mention)
    anchors = [("L", mention.lemma)] + [("E", e) for e in sorted(mention.entities)]
    for period in periods:
        for anchor in anchors:
            yield (*anchor, period)
    if mention.interval is not None:
        # A dated mention meets the mentions of its sentence dated to the same days (`one_moment`).
        yield ("S", mention.source_id, mention.start, mention.interval.earliest, mention.interval.latest)
        # Dated mentions also meet undated ones through the same lemma or entity.
        for anchor in anchors:
            yield (*anchor, "*")
        for month in _months(mention):
            yield ("F", family(mention.type), month)
            if family(mention.type) != "other":
                yield ("F", "other", month)


def one_moment(a: Mention, b: Mention) -> bool:
    """A generic and a typed mention of one sentence, dated to the same days: the generic one may be a
    detail of what the typed one reports (see `cluster.Clusterer._absorb_details`)."""
    return (a.source_id == b.source_id and a.start == b.start and (a.type == "other") != (b.type == "other")
            and a.interval is not None and b.interval is not None
            and (a.interval.earliest, a.interval.latest) == (b.interval.earliest, b.interval.latest))


def _sort_key(mention: Mention) -> tuple:
    iv = mention.interval
    return (iv.earliest if iv else 0, mention.source_id, mention.start)


def candidate_pairs(mentions: list[Mention], *, max_block: int = 60, window: int = 12) -> set[tuple[int, int]]:
    """Index pairs (i < j) worth scoring; `max_block` and `window` are the settings `reconcile_max_block`
    and `reconcile_window`."""
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for mention in mentions:
        if mention.role == "none":
            continue  # no chronicle event (see `salience`): nothing to pair
        for key in keys(mention):
            blocks[key].append(mention.index)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2:
            continue
        if key[0] == "S":  # one sentence: only its generic and typed mentions of one date are paired
            pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1:]
                         if one_moment(mentions[a], mentions[b]))
            continue
        if key[-1] == "*":
            undated = [i for i in members if mentions[i].interval is None]
            if not undated:
                continue
            if len(members) <= max_block:
                pairs.update((min(u, m), max(u, m)) for u in undated for m in members if u != m)
                continue
        if len(members) <= max_block:
            pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
            continue
        # Undated mentions are best found near where they are written; dated ones near their date.
        by = (lambda i: (mentions[i].source_id, mentions[i].start)) if key[-1] == "*" else (lambda i: _sort_key(mentions[i]))
        ordered = sorted(members, key=by)
        for n, a in enumerate(ordered):
            for b in ordered[n + 1:n + 1 + window]:
                pairs.add((min(a, b), max(a, b)))
    return pairs
