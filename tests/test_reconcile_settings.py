"""Every `reconcile_*` setting is read: changing it changes what reconcile does (no setting that does nothing).

Each setting has a probe, a small situation where it decides the outcome, run with the default and
with another value; the two results must differ. One more test checks the wiring from a build's
config (`reconcile(engine, config=...)`) down to the stages. The sentences are invented, not from a
corpus.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from test_reconcile_helpers import HandStore, bag_of_words, day

from timeweave import config as settings
from timeweave.reconcile import dates, reconcile
from timeweave.reconcile.blocking import candidate_pairs
from timeweave.reconcile.cluster import cluster
from timeweave.reconcile.load import Mention
from timeweave.reconcile.params import PREFIX, Params
from timeweave.reconcile.similarity import score
from timeweave.store import open_store
from timeweave.store import schema as t


def iv(first: str, last: str | None = None) -> dates.Interval:
    return dates.Interval(date.fromisoformat(first).toordinal(), date.fromisoformat(last or first).toordinal())


def mention(index: int, *, lemma="attack", kind="battle", when=None, entities=(), source="s", voice=None,
            sentence=None) -> Mention:
    text = sentence or f"sentence {index} about {lemma}"
    return Mention(index=index, id=index + 1, source_id=source, passage_id=None, start=index * 100, end=index * 100 + len(text),
                   trigger=lemma, trigger_start=index * 100, trigger_end=index * 100 + len(lemma), lemma=lemma, type=kind,
                   factuality="asserted", context="narrative", interval=when, when_text=None, when_reason=None,
                   when_kind="governed" if when else None, agents=frozenset(), patients=frozenset(),
                   entities=frozenset(entities), place=None, sentence=text, sentence_no=index,
                   voice=voice or source, is_copy=False)


def scored(a: Mention, b: Mention, sim: float | None):
    return lambda p: score(a, b, sim, p)


def grouping(mentions: list[Mention], links: dict[tuple[int, int], tuple[float, str | None]]):
    adjacency = {m.index: {} for m in mentions}
    for (i, j), value in links.items():
        adjacency[i][j] = adjacency[j][i] = value

    def probe(p: Params):
        clusters, _ = cluster(mentions, adjacency, p)
        return sorted((tuple(c.members), c.parent) for c in clusters.values())
    return probe


def _weighted_pair(p: Params):
    """Two attacks a week apart naming only the two sides, which 58 of 60 mentions also name."""
    from timeweave.reconcile import rarity
    pair = [mention(0, when=iv("1848-03-18"), entities={1, 2}, source="a"),
            mention(1, when=iv("1848-03-25"), entities={1, 2}, source="b")]
    weight = rarity.weights([m.entities for m in pair] + [frozenset({1, 2})] * 58, p.common_participant)
    for m in pair:
        m.rarity = weight
    return score(*pair, 0.7, p)


DATED = (mention(0, when=iv("1848-03-18"), entities={1, 2}, source="a"),
         mention(1, lemma="attacks", when=iv("1848-03-01", "1848-03-31"), entities={1}, source="b"))
YEAR = iv("1848-01-01", "1848-12-31")

PROBES = {
    "reconcile_weight_type": (0.5, scored(*DATED, 0.7)),
    "reconcile_weight_lemma": (0.5, scored(*DATED, 0.7)),
    "reconcile_weight_entities": (0.5, scored(*DATED, 0.7)),
    "reconcile_weight_sentence": (0.5, scored(*DATED, 0.7)),
    "reconcile_weight_time": (0.5, scored(*DATED, 0.7)),
    "reconcile_lemma_fuzzy": (0.99, scored(*DATED, 0.7)),  # "attack"/"attacks" stop counting as one word
    "reconcile_no_shared_participant": (0.5, scored(mention(0, when=iv("1848-03-18"), entities={1}, source="a"),
                                                    mention(1, when=iv("1848-03-18"), entities={2}, source="b"), 0.7)),
    "reconcile_common_participant": (1.0, lambda p: _weighted_pair(p)),
    "reconcile_alike_sentences": (0.5, scored(mention(0, lemma="rising", kind="other", when=iv("1848-03-18"), source="a"),
                                              mention(1, lemma="fighting", kind="battle", when=iv("1848-03-18"), source="b"),
                                              0.58)),
    "reconcile_alike_undated": (0.6, scored(mention(0, when=iv("1848-03-18"), source="a"),
                                            mention(1, source="b", entities={3}), 0.57)),
    "reconcile_join": (0.65, grouping([mention(0, when=iv("1848-03-18"), source="a"),
                                       mention(1, when=iv("1848-03-18"), source="b")], {(0, 1): (0.6, None)})),
    "reconcile_undated": (0.7, grouping([mention(0, source="a"), mention(1, source="b")], {(0, 1): (0.65, None)})),
    "reconcile_strong": (0.85, grouping([mention(0, when=iv("1848-03-18"), source="a"),
                                         mention(1, when=iv("1848-06-18"), source="b")], {(0, 1): (0.8, "conflict")})),
    "reconcile_part": (0.55, grouping([mention(0, when=iv("1848-03-18"), source="a"),
                                       mention(1, when=YEAR, source="b")], {(0, 1): (0.5, None)})),
    "reconcile_sibling_margin": (0.05, grouping([mention(0, when=iv("1848-03-18"), source="a"),
                                                 mention(1, when=iv("1848-06-18"), source="b"),
                                                 mention(2, when=YEAR, source="c")],
                                                {(0, 2): (0.6, None), (1, 2): (0.5, None)})),
}


@pytest.mark.parametrize("name", sorted(PROBES))
def test_setting_changes_the_merge(name):
    value, probe = PROBES[name]
    default = probe(Params.from_config({}))
    changed = probe(Params.from_config({name: value}))
    assert default != changed, f"{name}={value} changed nothing: {default}"


def test_blocking_settings_change_the_pairs_compared():
    same = [mention(i, when=iv("1848-03-18"), source=f"s{i}") for i in range(20)]
    everything = candidate_pairs(same)
    assert len(everything) == 190
    p = Params.from_config({"reconcile_max_block": 5})
    windowed = candidate_pairs(same, max_block=p.max_block, window=p.window)
    assert len(windowed) < 190
    p = Params.from_config({"reconcile_max_block": 5, "reconcile_window": 2})
    assert len(candidate_pairs(same, max_block=p.max_block, window=p.window)) < len(windowed)


def _comparison_fields(tmp_path, config) -> set[tuple[str, str]]:
    store = HandStore(open_store(tmp_path / f"{len(list(tmp_path.iterdir()))}.db"))
    one = "On 3 May 1808 the garrison of Valdoria repelled the raid with 400 soldiers."
    two = "On 3 May 1808 the garrison of Valdoria repelled the raid with 420 soldiers."
    store.source("p", one, authors=["Perez, L."])
    store.source("q", two, authors=["Quist, H."])
    whole = "The Valdorian conference of May 1808 ended the dispute."
    store.source("w", whole, authors=["Weber, K."])
    store.source("x", "The Valdorian talks met on 2 May 1808.", authors=["Xu, Y."])
    store.source("y", "The Valdorian negotiations met on 12 May 1808.", authors=["Young, B."])
    for source, sentence in (("p", one), ("q", two)):
        store.event(source, sentence, "raid", "battle", when=day("1808-05-03"), others=["Valdoria"])
    store.event("w", whole, "conference", "negotiation", when=("1808-05-01", "1808-05-31", "1808-05", "May 1808"),
                others=["Valdoria"])
    store.event("x", "The Valdorian talks met on 2 May 1808.", "talks", "negotiation", when=day("1808-05-02"),
                others=["Valdoria"])
    store.event("y", "The Valdorian negotiations met on 12 May 1808.", "negotiations", "negotiation", when=day("1808-05-12"),
                others=["Valdoria"])
    reconcile(store.engine, config={"embeddings": False, **config}, encoder=bag_of_words)
    with store.engine.connect() as conn:
        return {(r.kind, "sessions" if "two sessions" in r.explanation else r.field)
                for r in conn.execute(select(t.comparisons))}


def test_number_tolerance_is_read(tmp_path):
    assert ("agree", "number:soldier") in _comparison_fields(tmp_path, {})  # 400 and 420: within 10 %
    assert ("contradict", "number:soldier") in _comparison_fields(tmp_path, {"reconcile_number_tolerance": 0.01})


def test_session_gap_is_read(tmp_path):
    assert ("contradict", "sessions") in _comparison_fields(tmp_path, {})  # 2 and 12 May: two sessions or a dispute
    assert ("contradict", "sessions") not in _comparison_fields(tmp_path, {"reconcile_session_gap_days": 5})


def test_every_reconcile_setting_has_a_probe():
    names = {s.name for s in settings.SETTINGS if s.name.startswith(PREFIX)}
    probed = set(PROBES) | {"reconcile_max_block", "reconcile_window", "reconcile_number_tolerance",
                            "reconcile_session_gap_days", "reconcile_undated_events"}
    assert names == probed


def test_a_build_config_reaches_reconcile(tmp_path):
    """`reconcile(engine, config=...)` merges by the config's thresholds, not by constants."""
    counts = []
    for n, config in enumerate(({}, {"reconcile_join": 0.99})):
        store = HandStore(open_store(tmp_path / f"c{n}.db"))
        for source, word in (("a", "siege"), ("b", "blockade")):
            store.source(source, f"The {word} of Corvina ended on 9 July 1702.", authors=[f"{source.upper()}, N."])
            store.event(source, f"The {word} of Corvina ended on 9 July 1702.", word, "battle", when=day("1702-07-09"),
                        others=["Corvina"])
        reconcile(store.engine, config={"embeddings": False, **config}, encoder=bag_of_words)
        with store.engine.connect() as conn:
            counts.append(len(conn.execute(select(t.events)).all()))
    assert counts == [1, 2]


def test_undated_events_is_read(tmp_path):
    """An undated mention founds no event by default; with the setting on it does."""
    counts = []
    for n, config in enumerate(({}, {"reconcile_undated_events": "true"})):
        store = HandStore(open_store(tmp_path / f"u{n}.db"))
        store.source("u", "The garrison of Corvina surrendered to the duke.", authors=["Ure, P."])
        store.event("u", "The garrison of Corvina surrendered to the duke.", "surrendered", "battle",
                    agents=["garrison"], patients=["duke"], place="Corvina")
        reconcile(store.engine, config={"embeddings": False, **config}, encoder=bag_of_words)
        with store.engine.connect() as conn:
            counts.append(len(conn.execute(select(t.events)).all()))
    assert counts == [0, 1]
