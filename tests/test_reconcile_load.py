"""`reconcile.load` over some sources reads the Mention values a full load gives for them.

Claims and an incremental reconcile read only the sources a build touched; a mention's voice (shared
authors), copy flag (a passage chain into another source) and entities are decided outside its
source, so the partial load must still resolve them as a full load does.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from timeweave.reconcile.load import load


@pytest.fixture(scope="module")
def engine(unembedded_store):
    return unembedded_store


def test_a_partial_load_gives_the_mentions_of_a_full_load(engine):
    with engine.connect() as conn:
        full = load(conn, common_participant=0.3)
        weights = full.mentions[0].rarity
        by_source: dict[str, list] = {}
        for m in full.mentions:
            by_source.setdefault(m.source_id, []).append(m)
        # the sources whose voice or copies are decided elsewhere, and one plain source
        copied = {m.source_id for m in full.mentions if m.is_copy or m.voice != m.source_id}
        plain = sorted(set(by_source) - copied)[:1]
        chosen = sorted(copied)[:3] + plain
        assert copied, "the bundled corpus has no copied passage or shared author: pick another fixture"
        part = load(conn, common_participant=0.3, sources=chosen, weights=weights)
    want = [replace(m, index=0) for s in sorted(chosen) for m in by_source[s]]
    assert [replace(m, index=0) for m in part.mentions] == want
    assert [m.index for m in part.mentions] == list(range(len(part.mentions)))
    referenced = {e for m in part.mentions for e in m.entities | {n[3] for n in m.named if n[3] is not None}}
    assert {e: part.entity_names[e] for e in referenced} == {e: full.entity_names[e] for e in referenced}
    assert part.voices == full.voices and set(part.texts) == set(chosen)
    assert part.links == {m.id: full.links[m.id] for m in want}


def test_a_partial_load_needs_the_corpus_wide_weights(engine):
    with engine.connect() as conn, pytest.raises(ValueError, match="weights"):
        load(conn, common_participant=0.3, sources=["anything"])


def test_a_load_of_some_mentions_builds_their_sentences_as_a_full_load(engine):
    with engine.connect() as conn:
        full = load(conn, common_participant=0.3)
        weights = full.mentions[0].rarity
        picked = full.mentions[::7]
        sources = sorted({m.source_id for m in picked})
        part = load(conn, common_participant=0.3, sources=sources, weights=weights, mention_ids={m.id for m in picked})
    sentences = {(m.source_id, m.start) for m in picked}
    want = [replace(m, index=0) for m in full.mentions if (m.source_id, m.start) in sentences]
    assert [replace(m, index=0) for m in part.mentions] == want
    assert any(m.named for m in want) and any(m.entities for m in want)
