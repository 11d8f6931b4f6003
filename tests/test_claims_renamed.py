"""A source whose events were only renumbered keeps its cached claims with the new ids (`claims.renamed`).

A hand-built store of three accounts of Leipzig, 16 October 1813 (from no corpus of ours): adding the account whose
mention founds the event gives the event a new id while the other two accounts' mentions still hold it together.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_claims_incremental import rows, run
from test_reconcile_helpers import HandStore, day

from timeweave.claims import incremental as claims_incremental
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.changes import Changes


LEIPZIG = {  # 1813, from no corpus of ours: three accounts of one battle, the first founds the event
    "leipzig-a-odeleben": ("On 16 October 1813 the Allies attacked the French army at Leipzig with 200,000 men. "
                           "The attack was a folly.", ["Odeleben"],
                           "On 16 October 1813 the Allies attacked the French army at Leipzig with 200,000 men."),
    "leipzig-b-marbot": ("The Allies attacked the French at Leipzig on 16 October 1813 with 300,000 men.", ["Marbot"],
                         "The Allies attacked the French at Leipzig on 16 October 1813 with 300,000 men."),
    "leipzig-c-gneisenau": ("The Allies attacked the French army at Leipzig on 16 October 1813, and the French "
                            "were beaten.", ["Gneisenau"],
                            "The Allies attacked the French army at Leipzig on 16 October 1813, and the French "
                            "were beaten."),
}


def add_leipzig(store: HandStore, name: str) -> None:
    text, authors, sentence = LEIPZIG[name]
    store.source(name, text, authors=authors)
    store.event(name, sentence, "attacked", "attack", when=day("1813-10-16"), agents=["Allies"],
                patients=["French army" if "French army" in sentence else "French"])


def _event_ids(store: HandStore) -> set[int]:
    with store.engine.connect() as conn:
        return {r[0] for r in conn.execute(select(t.events.c.id))}


@pytest.mark.parametrize("rename", [True, False])
def test_sources_whose_event_was_only_renumbered_keep_their_claims_with_the_new_id(tmp_path, monkeypatch, rename):
    """Adding the text whose mention now founds the Leipzig event gives the event a new id; the other two sources'
    mentions still hold it together, so their cached claims are kept with the new id instead of being extracted
    again, and the rows equal a full run's. `rename=False` breaks the argument on purpose (the old ids kept): the
    rows then differ from a full run's, which is what this test must catch."""
    if not rename:
        monkeypatch.setattr(claims_incremental, "renamed", lambda claims, new_id: claims)
    later = ["leipzig-b-marbot", "leipzig-c-gneisenau"]
    store = HandStore(open_store(tmp_path / "leipzig.db"))
    for name in later:
        add_leipzig(store, name)
    run(store, Changes(full=True))
    before = _event_ids(store)
    add_leipzig(store, "leipzig-a-odeleben")  # sorts first: its mention founds the event
    extracted: list = []
    real = claims_incremental.extract_sources
    monkeypatch.setattr(claims_incremental, "extract_sources",
                        lambda corpus, event_of, sources: extracted.append(sorted(sources)) or
                        real(corpus, event_of, sources))
    report = run(store, Changes(added=frozenset({"leipzig-a-odeleben"})))
    assert _event_ids(store) - before, "the test needs the add to renumber the event"
    assert extracted == [["leipzig-a-odeleben"]] and report.extracted == 1
    full = HandStore(open_store(tmp_path / "leipzig-full.db"))
    for name in ["leipzig-a-odeleben", *later]:
        add_leipzig(full, name)
    run(full, None)
    same = rows(store) == rows(full)
    assert same is rename, "renumbered event: the kept claims differ from a full run's" if rename else \
        "the old ids kept: this test no longer notices a broken renaming"
