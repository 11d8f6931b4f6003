"""rejoin's kept answers (claims/searched.py) through the whole claims stage: a store brought up to date by an add
and a removal, its runs taking the answers kept from the last run, leaves the rows of a full run that keeps none.

Hand-built stores: the relief of Vienna (12 September 1683) told by three chroniclers, each alone in an event of
its own, all giving 70,000 men (one rejoin block, three searching claims: the Polish and the Habsburg sentences
alike, the Ottoman one like neither), and the raid on Chatham (1667), added and then removed, which touches no
block of Vienna's; last, a janissary aga's account much like the Ottoman one is added inside the block (its place
moves two claims': a kept answer taken for the block's old places would join the wrong claims). The model is
bag-of-words behind `load_model` (kept answers are taken only without a test `encoder`); the reference runs pass
the same function as `encoder`, so they search every block afresh. Each test fails on a mutation of the kept
answers' keys or reading (the commit messages name them; checked in a `git archive` copy).
"""

from __future__ import annotations

import numpy
import pytest
from sqlalchemy import delete
from test_claims_incremental import rows
from test_reconcile_helpers import HandStore, bag_of_words, day

import timeweave.embeddings
from timeweave.claims import claims
from timeweave.reconcile import reconcile
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.changes import Changes

CONFIG = {"embeddings": True}

SOURCES = {  # sentence, trigger, event type, agents, date
    "habsburg-court": ("On 12 September 1683 Lorraine relieved the city of Vienna with 70,000 men.", "relieved",
                       "movement", ["Lorraine"], "1683-09-12"),
    "ottoman-annals": ("Kara Mustafa fled in haste on 12 September 1683, abandoning 70,000 men.", "fled", "retreat",
                       ["Kara Mustafa"], "1683-09-12"),
    "polish-chronicle": ("On 12 September 1683 Sobieski relieved the city of Vienna with 70,000 men.", "relieved",
                         "attack", ["Sobieski"], "1683-09-12"),
    "janissary-aga": ("The Turks fled in haste on 12 September 1683, abandoning 70,000 men.", "fled", "flight",
                       ["Turks"], "1683-09-12"),
    "polish-chronicle-retold": (
        "Sobieski's winged hussars broke the Turkish lines on 12 September 1683 with 70,000 men.", "broke", "attack",
        ["Sobieski"], "1683-09-12"),
    "chatham-pepys": ("The Dutch raided the English fleet at Chatham on 19 June 1667 with 60 ships.", "raided",
                      "attack", ["Dutch"], "1667-06-19"),
}
VIENNA = ["habsburg-court", "ottoman-annals", "polish-chronicle"]


class BagModel:
    """Stands for MiniLM: `encode` as `embeddings.encode` calls it."""

    def encode(self, batch, **_):
        return bag_of_words(list(batch))


def add(store: HandStore, name: str) -> None:
    """Store SOURCES[name] (a name ending in -retold: the source without it, told again)."""
    sentence, trigger, kind, agents, when = SOURCES[name]
    name = name.removesuffix("-retold")
    store.source(name, sentence, authors=[name])
    store.event(name, sentence, trigger, kind, when=day(when), agents=agents)


def hand(path, names) -> HandStore:
    store = HandStore(open_store(path))
    for name in names:
        add(store, name)
    return store


def run(store: HandStore, changes: Changes | None, *, keeping: bool):
    """reconcile, then claims; `keeping`: claims without an encoder (the model), so it reads and keeps answers."""
    reconcile(store.engine, config=CONFIG, encoder=bag_of_words, changes=changes)
    return claims(store.engine, config=CONFIG, encoder=None if keeping else bag_of_words, changes=changes)


def full(tmp_path, name: str, names: list[str]) -> dict:
    store = hand(tmp_path / f"{name}.db", names)
    run(store, None, keeping=False)
    return rows(store)


@pytest.fixture(autouse=True)
def bag_model(monkeypatch):
    monkeypatch.setattr(timeweave.embeddings, "load_model", lambda: BagModel())


def test_an_add_and_a_removal_that_take_kept_answers_leave_a_full_runs_rows(tmp_path):
    store = hand(tmp_path / "kept.db", VIENNA)
    report = run(store, Changes(full=True), keeping=True)
    first = rows(store)
    assert first == full(tmp_path, "full-vienna", VIENNA), "the first run, searching every block"
    assert report.searches == {"kept": 0, "searched": 3}, report.searches
    agree = [c for c in first["comparisons"] if c[2] == "agree" and c[3] == "claim:quantity:men"]
    assert len(agree) == 1 and "habsburg-court, polish-chronicle" in agree[0][4], \
        "the Polish and Habsburg counts join; the Ottoman one, like neither, stays alone"

    # Chatham added: the Vienna block's claims are the same, so its three answers are kept, none searched.
    add(store, "chatham-pepys")
    report = run(store, Changes(added=frozenset({"chatham-pepys"})), keeping=True)
    assert rows(store) == full(tmp_path, "full-add", VIENNA + ["chatham-pepys"]), \
        "adding a source with kept answers: the claims differ from a full run's"
    assert report.extracted == 1 and report.searches == {"kept": 3, "searched": 0}, report.searches

    # Chatham removed: the answers are kept again.
    with store.engine.begin() as conn:
        conn.execute(delete(t.sources).where(t.sources.c.id == "chatham-pepys"))
    report = run(store, Changes(removed=frozenset({"chatham-pepys"})), keeping=True)
    assert rows(store) == full(tmp_path, "full-remove", VIENNA), \
        "removing a source with kept answers: the claims differ from a full run's"
    assert report.searches == {"kept": 3, "searched": 0}, report.searches

    # The aga's account added: the block gained a claim, so it is searched again, and the Ottoman count, whose kept
    # answer was the Habsburg one (below the threshold), now joins the aga's.
    add(store, "janissary-aga")
    report = run(store, Changes(added=frozenset({"janissary-aga"})), keeping=True)
    last = rows(store)
    assert last == full(tmp_path, "full-aga", VIENNA + ["janissary-aga"]), \
        "a block that gained a claim: the claims differ from a full run's"
    assert report.searches == {"kept": 0, "searched": 4}, report.searches
    agree = sorted(c[4] for c in last["comparisons"] if c[2] == "agree" and c[3] == "claim:quantity:men")
    assert len(agree) == 2 and "janissary-aga, ottoman-annals" in agree[1], agree


def test_answers_kept_under_another_numpy_are_searched_again(tmp_path, monkeypatch):
    """A kept score is the float32 numpy's matrix product gave; another numpy (its BLAS) may sum in another order."""
    store = hand(tmp_path / "numpy.db", VIENNA)
    run(store, Changes(full=True), keeping=True)
    monkeypatch.setattr(numpy, "__version__", "0.0-another")
    add(store, "chatham-pepys")
    report = run(store, Changes(added=frozenset({"chatham-pepys"})), keeping=True)
    assert report.searches == {"kept": 0, "searched": 3}, report.searches
    assert rows(store) == full(tmp_path, "full-numpy", VIENNA + ["chatham-pepys"])


def test_a_source_told_again_has_its_blocks_searched_again(tmp_path):
    """The Polish chronicle rewritten (another sentence, the same count, in the same place of the block): its entry
    digest changed, so the block is searched again and the Polish count, no longer like the Habsburg one, stays
    alone. Kept answers keyed by the claims' places without their sources' entries would still join the two."""
    store = hand(tmp_path / "told.db", VIENNA)
    run(store, Changes(full=True), keeping=True)
    with store.engine.begin() as conn:
        conn.execute(delete(t.sources).where(t.sources.c.id == "polish-chronicle"))
    add(store, "polish-chronicle-retold")
    report = run(store, Changes(changed=frozenset({"polish-chronicle"})), keeping=True)
    assert rows(store) == full(tmp_path, "full-told", ["habsburg-court", "ottoman-annals", "polish-chronicle-retold"])
    assert report.searches == {"kept": 0, "searched": 3}, report.searches
    assert not any(c[2] == "agree" and c[3] == "claim:quantity:men" for c in rows(store)["comparisons"])


def test_a_full_run_reads_no_kept_answer(tmp_path):
    """A full run searches every block (it is what incremental runs are checked against), and writes the answers."""
    store = hand(tmp_path / "again.db", VIENNA)
    run(store, Changes(full=True), keeping=True)
    report = run(store, Changes(full=True), keeping=True)
    assert report.searches == {"kept": 0, "searched": 3}, report.searches
    report = run(store, Changes(changed=frozenset({"ottoman-annals"})), keeping=True)  # its rows are the same
    assert report.searches == {"kept": 3, "searched": 0}, report.searches
