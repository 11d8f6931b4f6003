"""The clusterer's passes skip what cannot change their outcome, and give the same clusters.

A large component holds thousands of undated mentions that found no event (while `reconcile_undated_events` is
off) and join none: the undated tier's merge of its loose mentions and the containment pass's walk over every
pair were paid for them on every add that touched it. These tests hold the passes to their contracts on
hand-made mentions of a Ming voyage (no corpus of this project): the pairs they must not read raise.
"""

from __future__ import annotations

from timeweave.reconcile import dates
from timeweave.reconcile.cluster import Clusterer, cluster
from timeweave.reconcile.load import Mention
from timeweave.reconcile.params import Params


def _mention(index: int, trigger: str, when: str | None, role: str = "event", voice: str = "a",
             kind: str = "other") -> Mention:
    lo, _, hi = (when or "").partition("/")
    interval = dates.parse(lo, hi or lo, when) if when else None  # ISO days: one, or first/last
    sentence = f"The fleet of Zheng He {trigger} at Calicut" + (f" in {when}." if when else ".")
    return Mention(index=index, id=100 + index, source_id=voice, passage_id=None, start=index * 80,
                   end=index * 80 + len(sentence), trigger=trigger, trigger_start=index * 80 + 20,
                   trigger_end=index * 80 + 20 + len(trigger), lemma=trigger, type=kind, factuality="asserted",
                   context="narrative", interval=interval, when_text=when, when_reason=None,
                   when_kind="governed" if when else "undated", agents=frozenset({1}), patients=frozenset(),
                   entities=frozenset({1}), place=None, sentence=sentence, sentence_no=index, voice=voice,
                   is_copy=False, role=role)


class Untouchable(dict):
    """A mention's pairs that a pass must not read."""

    def items(self):
        raise AssertionError("read the pairs of a mention that cannot change the outcome")


def test_a_tier_without_a_mention_that_may_found_is_not_merged():
    mentions = [_mention(0, "anchored", None, role="evidence"), _mention(1, "anchored", None, role="evidence", voice="b")]
    adjacency = {0: Untouchable({1: (0.9, None)}), 1: Untouchable({0: (0.9, None)})}
    clusterer = Clusterer(mentions, adjacency, Params())
    clusterer._merge_loose([0, 1], 5, {})  # raises if it walks their pairs
    assert clusterer.clusters == {}


def test_containment_reads_no_pair_of_a_mention_in_no_event():
    # the campaign of 1405 and a battle on 11 July 1405, related under `join` but over `part`: a whole and its part
    mentions = [_mention(0, "campaign", "1405-01-01/1405-12-31", kind="battle"), _mention(1, "battle", "1405-07-11", voice="b", kind="battle"),
                _mention(2, "traded", None, role="evidence", voice="c")]
    pairs = {0: {1: (0.5, None), 2: (0.5, None)}, 1: {0: (0.5, None), 2: (0.5, None)}, 2: {0: (0.5, None), 1: (0.5, None)}}
    clusters, clusterer = cluster(mentions, {k: dict(v) for k, v in pairs.items()}, Params())
    assert 2 not in clusterer.of  # the undated evidence joined nothing
    parents = {cid: c.parent for cid, c in clusters.items()}
    assert parents == {0: 1, 1: None}, "the battle (clustered first: a finer tier) became a part of the campaign"
    clusterer.adjacency = {**pairs, 2: Untouchable(pairs[2])}
    for c in clusters.values():
        c.parent, c.children = None, []
    clusterer._containment()  # raises if it walks the pairs of mention 2
    assert {cid: c.parent for cid, c in clusters.items()} == parents
