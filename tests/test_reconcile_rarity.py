"""Shared participants count by how rare they are: the two sides of a war take part in nearly every
event, so sharing them says little about two mentions being one event. Invented sentences and
numbers (a war of 1812 between two invented states), not from a corpus."""

from __future__ import annotations

from datetime import date

from timeweave.reconcile import dates, rarity
from timeweave.reconcile.params import Params
from timeweave.reconcile.similarity import entity_sim, score
from test_reconcile_settings import mention

REPUBLIC, KINGDOM, FORT, BRIG = 1, 2, 3, 4


def iv(day: str) -> dates.Interval:
    return dates.Interval(date.fromisoformat(day).toordinal(), date.fromisoformat(day).toordinal())


def war_corpus(common: float):
    """60 mentions that all name both sides; two attacks a week apart, one on a fort, one on a brig."""
    filler = [mention(i + 2, lemma="march", kind="deployment", entities={REPUBLIC, KINGDOM}) for i in range(58)]
    first = mention(0, when=iv("1812-03-01"), entities={REPUBLIC, KINGDOM}, source="a",
                    sentence="The Republic attacked the Kingdom's border posts on 1 March 1812.")
    second = mention(1, when=iv("1812-03-08"), entities={REPUBLIC, KINGDOM}, source="b",
                     sentence="The Republic attacked the Kingdom's border posts again on 8 March 1812.")
    everyone = [first, second, *filler]
    weight = rarity.weights((m.entities for m in everyone), common)
    for m in everyone:
        m.rarity = weight
    return first, second, weight


def test_ubiquitous_sides_weigh_nothing_and_rare_names_count_fully():
    weight = rarity.weights([frozenset({REPUBLIC, KINGDOM})] * 58 + [frozenset({REPUBLIC, FORT})] * 2, 0.1)
    assert weight[REPUBLIC] == 0.0
    assert 0.0 < weight[KINGDOM] < 0.1  # in 58 of 60
    assert FORT not in weight  # in 2 of 60: counts 1
    assert rarity.weights([frozenset({REPUBLIC})] * 60, 1.0) == {}  # 1.0 turns weighting off


def test_two_attacks_sharing_only_the_two_sides_are_not_merged_on_them():
    p = Params.from_config({})
    first, second, _ = war_corpus(p.common_participant)
    assert entity_sim(first, second) < 0.1
    weighted = score(first, second, 0.7, p)
    first_off, second_off, _ = war_corpus(1.0)
    assert entity_sim(first_off, second_off) == 1.0
    unweighted = score(first_off, second_off, 0.7, p)
    assert weighted[0] < unweighted[0]
    assert weighted[0] < p.strong <= unweighted[0]  # disjoint dates merge only on strong evidence: the sides are none


def test_a_rare_shared_participant_still_counts():
    p = Params.from_config({})
    first, second, _ = war_corpus(p.common_participant)
    brig_a = mention(70, when=iv("1812-03-08"), entities={REPUBLIC, BRIG}, source="a")
    brig_b = mention(71, when=iv("1812-03-08"), entities={KINGDOM, BRIG}, source="b")
    brig_a.rarity = brig_b.rarity = first.rarity
    assert entity_sim(brig_a, brig_b) >= 0.5  # the brig, named by two mentions of 62, counts fully
