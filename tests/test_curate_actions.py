"""Every kind of correction, and the rule the build relies on: applying the whole log to a fresh
reading gives the same store as applying each action as it was recorded.

The store is the hand-filled fixture over the bundled texts (fast); "a fresh reading" is the
corpus-level rows as they were before any correction, written back, as `link` and `reconcile` do.
Re-anchoring is tested on texts that are not from our corpora.
"""

from __future__ import annotations

import logging
from collections import Counter

import pytest
from sqlalchemy import delete, func, insert, select

from serve_fixtures import make_fixture_store
from timeweave import curate
from timeweave.curate.anchors import locate, span_anchor
from timeweave.curate.apply import undone
from timeweave.store import open_store
from timeweave.store import schema as t

CORPUS_LEVEL = (t.events, t.event_participants, t.comparisons, t.comparison_statements, t.entities, t.aliases)
LINKS = ((t.event_mentions, "event_id"), (t.mentions, "entity_id"))


def dump(engine) -> dict:
    with engine.connect() as conn:
        state = {table.name: sorted(map(tuple, conn.execute(select(table)))) for table in CORPUS_LEVEL + (t.alias_evidence,)}
        for table, column in LINKS:
            state[f"{table.name}.{column}"] = sorted(conn.execute(select(table.c.id, table.c[column])).all())
        state["curated_fields"] = sorted((r.object, r.object_id, r.field, r.action_id)
                                         for r in conn.execute(select(t.curated_fields)))
        state["results"] = sorted((r.action_id, r.state, r.detail) for r in conn.execute(select(t.curation_results)))
    return state


def restore(engine, snapshot: dict) -> None:
    """Write back the reading from before the corrections (what a rebuild's link and reconcile do)."""
    with engine.begin() as conn:
        for table in (t.comparison_statements, t.comparisons, t.event_participants, t.alias_evidence):
            conn.execute(delete(table))
        conn.execute(t.event_mentions.update().values(event_id=None))
        conn.execute(delete(t.events))
        conn.execute(delete(t.aliases))
        conn.execute(t.mentions.update().values(entity_id=None))
        conn.execute(delete(t.entities))
        for table in (t.entities, t.aliases, t.alias_evidence, t.events, t.event_participants, t.comparisons, t.comparison_statements):
            rows = [dict(zip(table.c.keys(), row)) for row in snapshot[table.name]]
            if rows:
                conn.execute(insert(table), rows)
        for table, column in LINKS:
            for row_id, owner in snapshot[f"{table.name}.{column}"]:
                conn.execute(table.update().where(table.c.id == row_id).values({column: owner}))


@pytest.fixture()
def engine(tmp_path):
    return open_store(make_fixture_store(tmp_path / "fixture.db"))


def _events_by_evidence(engine) -> list[tuple[int, list]]:
    em = t.event_mentions.c
    with engine.connect() as conn:
        rows = conn.execute(select(em.event_id, em.source_id, em.start, em.end).where(em.event_id.is_not(None))
                            .order_by(em.event_id, em.id)).all()
    out: dict[int, list] = {}
    for r in rows:
        out.setdefault(r.event_id, []).append(f"{r.source_id}:{r.start}-{r.end}")
    return sorted(out.items(), key=lambda item: -len(item[1]))


def _entities_with_aliases(engine) -> list[tuple[int, list[str]]]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.aliases.c.entity_id, t.aliases.c.text).order_by(t.aliases.c.id)).all()
    out: dict[int, list[str]] = {}
    for r in rows:
        out.setdefault(r.entity_id, []).append(r.text)
    return sorted(out.items(), key=lambda item: -len(item[1]))


def test_every_kind_applied_from_scratch_equals_applied_as_recorded(engine):
    before = dump(engine)
    events = _events_by_evidence(engine)
    entities = _entities_with_aliases(engine)
    who = {"by": "A. Historian", "note": "checked against the archive"}
    (big, big_evidence), (second, second_evidence) = events[0], events[1]
    (ent, ent_aliases), (other_ent, _) = entities[0], entities[1]
    small = [e for e, ev in events if len(ev) == 1]
    curate.set_label(engine, big, "Border talks", **who)
    curate.set_type(engine, big, "negotiation", **who)
    curate.set_date(engine, big, "1939-05-11/1939-09-16", **who)
    split = curate.split(engine, big, big_evidence[:1], label="A part told apart", **who)
    assert split["state"] == "applied" and len(split["applies_to"]["events"]) == 2
    curate.move(engine, second_evidence[0], big, **who)
    curate.participant(engine, big, ent, role="agent", **who)
    curate.place(engine, big, other_ent, **who)
    curate.merge(engine, [small[0], small[1]], **who)
    curate.alias(engine, ent, "a name no text uses", **who)
    curate.alias(engine, ent, ent_aliases[-1], remove=True, **who)
    curate.entity_type(engine, other_ent, "place", **who)
    curate.entity_split(engine, ent, ent_aliases[1:2], **who)
    curate.entity_merge(engine, [entities[2][0], entities[3][0]], **who)
    with engine.connect() as conn:
        comparison = conn.execute(select(t.comparisons.c.id).order_by(t.comparisons.c.id)).scalar()
    curate.comparison_wrong(engine, comparison, **who)
    added = curate.comparison_add(engine, big, big_evidence[1:3], kind="contradict", field="when",
                                  explanation="the two give different years", **who)
    assert added["state"] == "applied"
    curate.reject(engine, small[2], **who)
    as_recorded = dump(engine)
    states = Counter(r[1] for r in as_recorded["results"])
    assert set(states) <= {"applied", "unchanged"} and states["applied"] >= len(as_recorded["results"]) - 2, as_recorded["results"]
    restore(engine, before)
    report = curate.apply(engine)
    assert report.states == dict(states)
    assert dump(engine) == as_recorded
    with engine.connect() as conn:
        assert conn.execute(select(t.events.c.id).where(t.events.c.id == small[2])).first() is None  # rejected


def test_after_every_kind_the_indexes_are_those_a_full_reindex_writes(engine, caplog):
    """A correction updates the search and timeline indexes for what it touched only (not a full
    reindex of the store); after each kind, the rows equal those of a full reindex."""
    from test_timeline_index import _index_tables

    from timeweave.store.search import reindex

    events = _events_by_evidence(engine)
    entities = _entities_with_aliases(engine)
    who = {"by": "A. Historian", "note": "checked against the archive"}
    (big, big_evidence), (second, second_evidence) = events[0], events[1]
    (ent, ent_aliases), (other_ent, _) = entities[0], entities[1]
    small = [e for e, ev in events if len(ev) == 1]
    with engine.connect() as conn:
        comparison = conn.execute(select(t.comparisons.c.id).order_by(t.comparisons.c.id)).scalar()
    steps = [
        lambda: curate.set_label(engine, big, "Border talks at the river", **who),
        lambda: curate.set_type(engine, big, "negotiation", **who),
        lambda: curate.set_date(engine, big, "1939-05-11/1939-09-16", **who),
        lambda: curate.split(engine, big, big_evidence[:1], label="A part told apart", **who),
        lambda: curate.move(engine, second_evidence[0], big, **who),
        lambda: curate.participant(engine, big, ent, role="agent", **who),
        lambda: curate.place(engine, big, other_ent, **who),
        lambda: curate.merge(engine, [small[0], small[1]], **who),
        lambda: curate.alias(engine, ent, "a name no text uses", **who),
        lambda: curate.alias(engine, ent, ent_aliases[-1], remove=True, **who),
        lambda: curate.entity_type(engine, other_ent, "place", **who),
        lambda: curate.entity_split(engine, ent, ent_aliases[1:2], **who),
        lambda: curate.entity_merge(engine, [entities[2][0], entities[3][0]], **who),
        lambda: curate.comparison_wrong(engine, comparison, **who),
        lambda: curate.comparison_add(engine, big, big_evidence[1:3], kind="contradict", field="when",
                                      explanation="the two give different years", **who),
        lambda: curate.reject(engine, small[2], **who),
    ]
    wrote = 0
    for step in steps:
        before = _index_tables(engine)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="timeweave.store.search"):
            action = step()
        assert action["state"] in ("applied", "unchanged"), action
        assert "derived indexes updated" in caplog.text, action["kind"]  # the incremental path, not a full rebuild
        updated = _index_tables(engine)
        wrote += updated != before
        reindex(engine)
        assert _index_tables(engine) == updated, action["kind"]
    assert wrote >= 12  # most kinds change what is searched or drawn


def test_undo_of_an_undo_puts_the_action_back():
    class Row:
        def __init__(self, id, kind, uid, undoes=None):
            self.id, self.kind, self.uid, self.args = id, kind, uid, {"undoes": undoes} if undoes else {}

    log = [Row(1, "reject", "a"), Row(2, "undo", "b", "a"), Row(3, "undo", "c", "b")]
    assert undone(log) == {2}
    assert undone(log[:2]) == {1}
    assert undone([Row(1, "reject", "a"), Row(2, "restore", "b", "a")]) == {1}


def test_a_quote_is_found_again_by_its_context_when_the_text_moves():
    old = "On 3 March 1918 the treaty was signed. Fighting went on. In June the treaty was signed again."
    first, second = old.index("the treaty was signed"), old.rindex("the treaty was signed")
    quote = span_anchor(old, "s", second, second + len("the treaty was signed"))
    new = "A preface of some length.\n\n" + old
    assert locate(new, quote) == (second + 27, second + 27 + len("the treaty was signed"))  # the second, by context
    assert locate(old, quote) == (second, second + len("the treaty was signed"))
    assert locate(new.replace("In June the treaty was signed again.", ""), quote) == (first + 27, first + 27 + 21)
    assert locate("Nothing of it is left.", quote) is None


def test_bad_kinds_and_counts_are_refused(engine):
    with pytest.raises(curate.CurateError, match="Unknown correction 'annihilate'"):
        curate.record(engine, "annihilate")
    with pytest.raises(curate.CurateError, match="takes 2 or more event"):
        curate.record(engine, "merge", events=[1])
    with pytest.raises(curate.CurateError, match="Unknown role"):
        curate.participant(engine, 1, 1, role="villain")
    with pytest.raises(curate.CurateError, match="restore` takes back a reject"):
        label = curate.set_label(engine, 1, "x", by="a")
        curate.restore(engine, label["id"])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.curation_actions)).scalar() == 1
