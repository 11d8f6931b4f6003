"""`reconcile.loaded` keeps each source's loaded Mentions and gives them back equal to a load's.

An incremental run reads the region's kept mentions from these rows instead of loading them again, so a row
must decode, from the text the store keeps, to the very Mention `load` gives (but for its index).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from timeweave.reconcile import loaded
from timeweave.reconcile.load import load
from timeweave.store import schema as t


@pytest.fixture(scope="module")
def engine(unembedded_store):
    return unembedded_store


def _full_load(conn):
    """A full load, its corpus-wide weights, and its mentions by source."""
    full = load(conn, common_participant=0.3)
    by_source: dict[str, list] = {}
    for m in full.mentions:
        by_source.setdefault(m.source_id, []).append(m)
    return full, full.mentions[0].rarity, by_source


def test_a_kept_mention_decodes_to_the_loaded_one(engine):
    with engine.connect() as conn:
        full, weights, by_source = _full_load(conn)
    kinds = {name: set() for name in ("interval", "named", "agents", "place")}
    shared = 0  # mentions whose sentence another mention of theirs kept
    for source_id, mentions in by_source.items():
        row = loaded.encode(mentions)  # the text the store keeps
        assert loaded.decode(row, source_id, weights) == [replace(m, index=0) for m in mentions], source_id
        some = {m.id for m in mentions[::2]}
        assert [m.id for m in loaded.decode(row, source_id, weights, some)] == [m.id for m in mentions if m.id in some]
        shared += len(mentions) - (row.count("\n") - len(mentions))  # lines: the ids, sentences, mentions
        for m in mentions:
            for name in kinds:
                kinds[name].add(bool(getattr(m, name)))
    assert all(seen == {True, False} for seen in kinds.values()), kinds  # both sides of each conversion met
    assert shared > 0


def test_part_reads_kept_rows_and_loads_touched_sources(engine):
    with engine.begin() as conn:
        full, weights, by_source = _full_load(conn)
        sources = sorted(by_source)
        kept, touched = sources[:-1], sources[-1:]
        loaded.keep(conn, {s: by_source[s] for s in kept})
        ids = {m.id for m in full.mentions[::3]}
        asked: list = []

        def load_some(some, wanted):
            asked.append(list(some))
            return load(conn, common_participant=0.3, sources=some, weights=weights, mention_ids=wanted)

        got = loaded.part(conn, ids, sources, weights, touched, load_some)
        conn.rollback()
    assert asked == [touched]
    want = {m.id: replace(m, index=0) for m in full.mentions if m.id in ids}
    assert {m.id: replace(m, index=0) for m in got.mentions} == want
    assert {i: got.links[i] for i in ids} == {i: full.links[i] for i in ids}  # (a load adds its sentence-mates)
    named = {e for m in want.values() for e in (set(m.entities) | {n[3] for n in m.named if n[3] is not None})}
    assert {e: got.entity_names[e] for e in named} == {e: full.entity_names[e] for e in named}


def test_a_row_kept_in_the_older_format_is_loaded_from_the_store(engine):
    """A row kept as one JSON object (before rows were lines of JSON) is not decoded: its source is loaded."""
    with engine.begin() as conn:
        full, weights, by_source = _full_load(conn)
        sources = sorted(by_source)
        loaded.keep(conn, by_source)
        old = sources[0]
        conn.execute(t.corpus_state.update().where(t.corpus_state.c.key == loaded.PREFIX + old)
                     .values(value=json.dumps({"s": [], "i": [m.id for m in by_source[old]], "m": []})))
        asked: list = []

        def load_some(some, wanted):
            asked.append(list(some))
            return load(conn, common_participant=0.3, sources=some, weights=weights, mention_ids=wanted)

        ids = {m.id for m in full.mentions}
        got = loaded.part(conn, ids, sources, weights, [], load_some)
        conn.rollback()
    assert asked == [[old]]
    assert {m.id: replace(m, index=0) for m in got.mentions} == {m.id: replace(m, index=0) for m in full.mentions}


def test_placed_is_replace_of_the_index(engine):
    """`load.placed` (the region's and `_compute`'s fast copy) gives what `dataclasses.replace` gives, a new object."""
    from timeweave.reconcile.load import placed

    with engine.connect() as conn:
        full, _weights, _by_source = _full_load(conn)
    for n, m in enumerate(full.mentions):
        copy = placed(m, n + 7)
        assert copy == replace(m, index=n + 7) and copy is not m
        assert all(getattr(copy, name) is getattr(m, name) for name in ("sentence", "named", "rarity", "entities"))


def test_only_the_wanted_mentions_of_a_row_are_decoded(engine):
    """A row keeps each mention and each sentence on its own line, so `decode` of some ids parses only their lines
    and their sentences' (an add wants a few mentions of each of a thousand rows): the other lines are never
    read, here made unreadable."""
    with engine.connect() as conn:
        _full, weights, by_source = _full_load(conn)
    source_id, mentions = max(by_source.items(), key=lambda kv: len(kv[1]))
    lines = loaded.encode(mentions).split("\n")
    ids = json.loads(lines[0])
    first = len(lines) - len(ids)
    wanted = {m.id for m in mentions[1::3]}
    used = {json.loads(lines[first + n])[-1] for n, mid in enumerate(ids) if mid in wanted}
    assert len(used) < first - 1, "some sentence is not a wanted mention's"
    lines[1:first] = [text if at in used else "not json" for at, text in enumerate(lines[1:first])]
    lines[first:] = [text if mid in wanted else "not json" for mid, text in zip(ids, lines[first:])]
    got = loaded.decode("\n".join(lines), source_id, weights, wanted)
    assert got == [replace(m, index=0) for m in mentions if m.id in wanted] and len(got) == len(wanted) > 1
