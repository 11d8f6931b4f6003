"""The claim rows an incremental write leaves are a full run's, whichever id ranges it skips.

`write` keeps, per id range, a signature of what the range's rows are made of (each claim's id, the event and the
comparison this run gave it, its source's cache entry digest and its position there) and does not make or digest
the rows of a range whose signature is the last run's. These tests change what a claim's row holds without its
source being extracted again: a comparison of another voice's source now covers it. Hand-built stores, sentences
of 1571 and 1759 (Lepanto, Quebec), from no corpus of ours.
"""

from __future__ import annotations

import importlib

from sqlalchemy import select
from test_claims_incremental import rows, same_as_full
from test_reconcile_helpers import HandStore, bag_of_words, day

from timeweave.claims import claims
from timeweave.reconcile import reconcile
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.changes import Changes

CONFIG = {"embeddings": True}
SOURCES = {
    "lepanto-cervantes": ("On 7 October 1571 the Holy League attacked the Ottoman fleet at Lepanto with 206 galleys.",
                          ["Cervantes"], "attacked", ["Holy League"], ["Ottoman fleet"]),
    "lepanto-venier": ("The Holy League attacked the Ottoman fleet at Lepanto on 7 October 1571 with some 300 galleys.",
                       ["Venier"], "attacked", ["Holy League"], ["Ottoman fleet"]),
    "quebec-knox": ("On 13 September 1759 the British attacked the French army at Quebec with 4,800 men.",
                    ["Knox"], "attacked", ["British"], ["French army"]),
}
WHEN = {"lepanto-cervantes": "1571-10-07", "lepanto-venier": "1571-10-07", "quebec-knox": "1759-09-13"}


def _add(store: HandStore, name: str) -> None:
    text, authors, trigger, agents, patients = SOURCES[name]
    store.source(name, text, authors=authors)
    store.event(name, text, trigger, "attack", when=day(WHEN[name]), agents=agents, patients=patients,
                factuality="asserted")


def _run(store: HandStore, changes: Changes):
    reconcile(store.engine, config=CONFIG, encoder=bag_of_words, changes=changes)
    return claims(store.engine, config=CONFIG, encoder=bag_of_words, changes=changes)


def _comparison_of(store: HandStore, source: str) -> dict[tuple, int | None]:
    with store.engine.connect() as conn:
        return {(r.kind, r.facet, r.value): r.comparison_id for r in conn.execute(
            select(t.claims).where(t.claims.c.source_id == source))}


def test_a_claim_whose_comparison_changed_is_written_again_though_its_source_was_not_extracted(tmp_path, monkeypatch,
                                                                                               store_db):
    """On SQLite and PostgreSQL (the reference store, built in full, is an SQLite file)."""
    w = importlib.import_module("timeweave.claims.write")  # the package exports the function `write`
    made: list[int] = []
    real = w._rows
    monkeypatch.setattr(w, "_rows", lambda *a: made.append(len(found := real(*a))) or found)
    store = HandStore(open_store(store_db))
    for name in ("lepanto-cervantes", "quebec-knox"):
        _add(store, name)
    first = _run(store, Changes(full=True))
    before = _comparison_of(store, "lepanto-cervantes")
    made.clear()

    _add(store, "lepanto-venier")  # another voice telling the attack
    report = _run(store, Changes(added=frozenset({"lepanto-venier"})))
    assert report.extracted == 1, "only the added source: the others' mentions hold the events they held"
    after = _comparison_of(store, "lepanto-cervantes")
    # two voices now tell that it happened and who acted: Cervantes's claims stand under those agreements
    assert before[("occurrence", "", "happened")] is None and after[("occurrence", "", "happened")] is not None
    assert before[("agent", "", "Holy League")] is None and after[("agent", "", "Holy League")] is not None
    assert sum(made) < report.claims, "the ranges whose claims are the last run's are not made again"
    assert first.claims < report.claims
    full = HandStore(open_store(tmp_path / "sig-full.db"))
    for name in ("lepanto-cervantes", "quebec-knox", "lepanto-venier"):
        _add(full, name)
    _run(full, Changes(full=True))
    assert rows(store) == rows(full), "the incremental claims differ from a full run's"


def test_a_store_written_before_the_signatures_were_kept_gives_a_full_runs_rows(tmp_path):
    store = HandStore(open_store(tmp_path / "old.db"))
    for name in ("lepanto-cervantes", "quebec-knox"):
        _add(store, name)
    _run(store, Changes(full=True))
    w = importlib.import_module("timeweave.claims.write")
    with store.engine.begin() as conn:  # the digests as the code before signatures kept them
        kept = w.kept_value(conn, w.WRITTEN)
        del kept["signatures"]
        w.keep_value(conn, w.WRITTEN, kept)
    _add(store, "lepanto-venier")
    _run(store, Changes(added=frozenset({"lepanto-venier"})))
    same_as_full(store, tmp_path, "old-full")
    assert rows(store)["claims"]
