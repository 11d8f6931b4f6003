"""The claims stage revisits only what changed and leaves the rows a full run leaves.

Hand-built stores (sentences of 1588, 1667, 1683 and 1812, from no corpus of ours): one store is brought
up to date step by step (a source added, then one removed), each step through reconcile and claims given
the `Changes`, and compared with a fresh store of the same sources reconciled and claimed in full: the
claims, the comparisons (ids included) and the events' statuses must be equal. The claims of a source
whose inputs did not change are kept, not extracted again; comparisons of questions nothing touched keep
their rows; a contradiction's `contested` survives a reconcile that keeps the event.
"""

from __future__ import annotations

import dataclasses
import importlib
import sqlite3

import pytest
from sqlalchemy import delete, select
from test_reconcile_helpers import HandStore, bag_of_words, day

from timeweave.claims import claims
from timeweave.claims import incremental as claims_incremental
from timeweave.claims.extract import Claim, extract
from timeweave.reconcile import reconcile
from timeweave.reconcile.load import load
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.changes import Changes

CONFIG = {"embeddings": True}

SOURCES = {
    "borodino-segur": ("On 7 September 1812 the French attacked the Russian army at Borodino with 130,000 men. "
                       "The battle ended in a costly French victory over the Russians.", ["Segur"]),
    "borodino-glinka": ("The French attacked the Russians at Borodino on 7 September 1812 with some 250,000 men, "
                        "according to Fyodor Glinka.", ["Glinka"]),
    "borodino-skeptic": ("The French never attacked the Russian army at Borodino on 7 September 1812.", ["Skeptic"]),
    "chatham-pepys": ("The Dutch raided the English fleet at Chatham on 19 June 1667 with 60 ships. "
                      "The raid was a disgrace to the English.", ["Pepys"]),
    "vienna-annals": ("The Ottomans besieged Vienna on 14 July 1683 with 90,000 men. The siege failed.", ["Annalist"]),
}
EVENTS = {
    "borodino-segur": [("On 7 September 1812 the French attacked the Russian army at Borodino with 130,000 men.",
                        "attacked", "1812-09-07", ["French"], ["Russian army"], "asserted")],
    "borodino-glinka": [("The French attacked the Russians at Borodino on 7 September 1812 with some 250,000 men, "
                         "according to Fyodor Glinka.", "attacked", "1812-09-07", ["French"], ["Russians"], "asserted")],
    "borodino-skeptic": [("The French never attacked the Russian army at Borodino on 7 September 1812.", "attacked",
                          "1812-09-07", ["French"], ["Russian army"], "negated")],
    "chatham-pepys": [("The Dutch raided the English fleet at Chatham on 19 June 1667 with 60 ships.", "raided",
                       "1667-06-19", ["Dutch"], ["English fleet"], "asserted")],
    "vienna-annals": [("The Ottomans besieged Vienna on 14 July 1683 with 90,000 men.", "besieged", "1683-07-14",
                       ["Ottomans"], ["Vienna"], "asserted")],
}


def add_source(store: HandStore, name: str) -> None:
    """Store the source `name` of SOURCES with its events of EVENTS."""
    text, authors = SOURCES[name]
    store.source(name, text, authors=authors)
    for sentence, trigger, when, agents, patients, factuality in EVENTS[name]:
        store.event(name, sentence, trigger, "attack", when=day(when), agents=agents, patients=patients,
                    factuality=factuality)


def hand(path, names) -> HandStore:
    store = HandStore(open_store(path))
    for name in names:
        add_source(store, name)
    return store


def run(store: HandStore, changes: Changes | None):
    reconcile(store.engine, config=CONFIG, encoder=bag_of_words, changes=changes)
    return claims(store.engine, config=CONFIG, encoder=bag_of_words, changes=changes)


def rows(store: HandStore) -> dict[str, list]:
    """The rows the claims stage writes or edits (mention ids aside: they depend on insertion order)."""
    with store.engine.connect() as conn:
        statements: dict[int, list] = {}
        for s in conn.execute(select(t.comparison_statements).order_by(t.comparison_statements.c.id)):
            statements.setdefault(s.comparison_id, []).append((s.source_id, s.start, s.end, s.value))
        return {
            "claims": [tuple(v for k, v in r._mapping.items() if k != "mention_id")
                       for r in conn.execute(select(t.claims).order_by(t.claims.c.id))],
            "comparisons": [(*r, tuple(statements.get(r.id, ()))) for r in conn.execute(
                select(t.comparisons).order_by(t.comparisons.c.id))],
            "statuses": sorted(conn.execute(select(t.events.c.id, t.events.c.status)).all()),
        }


def claim_comparisons(store: HandStore) -> dict[int, tuple]:
    with store.engine.connect() as conn:
        return {r.id: (r.event_id, r.kind, r.field) for r in conn.execute(
            select(t.comparisons).where(t.comparisons.c.component == "timeweave.claims.v1"))}


def test_adding_and_removing_a_source_give_the_rows_of_a_full_run(tmp_path, store_db):
    """On SQLite and PostgreSQL (the reference stores, built in full, are SQLite files)."""
    first = ["borodino-segur", "borodino-glinka", "borodino-skeptic", "vienna-annals"]
    store = hand(store_db, first)
    report = run(store, Changes(full=True))
    assert report.extracted == report.sources == 4
    before = claim_comparisons(store)
    kinds = {(kind, field) for _e, kind, field in before.values()}
    assert ("contradict", "claim:occurrence") in kinds and ("contradict", "claim:quantity:men") in kinds, kinds
    borodino = {e for e, kind, _f in before.values() if kind == "contradict"}
    assert rows(store)["statuses"] and all(
        status == "contested" for e, status in rows(store)["statuses"] if e in borodino)

    # Adding a source about another war: only it is extracted; the Borodino questions keep their rows.
    add_source(store, "chatham-pepys")
    report = run(store, Changes(added=frozenset({"chatham-pepys"})))
    assert (report.extracted, report.sources) == (1, 5)
    assert report.written["comparisons-"] == 0, report.written
    after = claim_comparisons(store)
    assert {i: c for i, c in after.items() if c[0] in borodino} == {i: c for i, c in before.items() if c[0] in borodino}
    full = hand(tmp_path / "full-add.db", first + ["chatham-pepys"])
    run(full, None)
    assert rows(store) == rows(full), "adding a source: the incremental claims differ from a full run's"
    assert all(status == "contested" for e, status in rows(store)["statuses"] if e in borodino), \
        "a contradiction's contested survives a reconcile that kept its event"

    # Removing the source whose mention founded the Borodino event (its id is a hash of that mention): the event
    # takes a new id; the other Borodino sources' mentions did not move, so their cached claims are kept with the
    # new id (`renamed`), not extracted again; the old event's comparisons went with it, nothing dangles, and the
    # rest equals a full run.
    with store.engine.begin() as conn:
        conn.execute(delete(t.sources).where(t.sources.c.id == "borodino-glinka"))
    report = run(store, Changes(removed=frozenset({"borodino-glinka"})))
    assert report.extracted == 0, "the two sources whose mentions joined the re-numbered event only renamed it"
    full = hand(tmp_path / "full-remove.db", ["borodino-segur", "borodino-skeptic", "vienna-annals", "chatham-pepys"])
    run(full, None)
    assert rows(store) == rows(full), "removing a source: the incremental claims differ from a full run's"
    with store.engine.connect() as conn:
        events = {r[0] for r in conn.execute(select(t.events.c.id))}
        assert all(r.event_id in events for r in conn.execute(select(t.comparisons)) if r.event_id is not None)
    left = {(k, f) for _e, k, f in claim_comparisons(store).values()}
    assert ("contradict", "claim:occurrence") in left and ("contradict", "claim:quantity:men") not in left, left


def test_a_reconcile_that_keeps_an_event_keeps_its_claim_comparisons(tmp_path):
    """reconcile used to delete every comparison of another component, so claims rewrote all of theirs."""
    store = hand(tmp_path / "kept.db", ["borodino-segur", "borodino-glinka", "vienna-annals"])
    run(store, Changes(full=True))
    before = rows(store)
    changes = Changes(changed=frozenset({"vienna-annals"}))  # said to change, but its rows are the same
    reconcile(store.engine, config=CONFIG, encoder=bag_of_words, changes=changes)
    assert claim_comparisons(store), "reconcile removed the claims' comparisons of events it kept"
    report = claims(store.engine, config=CONFIG, encoder=bag_of_words, changes=changes)
    assert {k: report.written[k] for k in ("comparisons+", "comparisons-", "claims+", "claims-")} == dict.fromkeys(
        ("comparisons+", "comparisons-", "claims+", "claims-"), 0)
    assert report.extracted == 1, "the source said to change, and no other: no event or entity of another changed"
    assert rows(store) == before


def test_extracting_source_by_source_gives_what_extracting_the_corpus_gives(tmp_path):
    store = hand(tmp_path / "all.db", list(SOURCES))
    reconcile(store.engine, config=CONFIG, encoder=bag_of_words)
    with store.engine.connect() as conn:
        corpus = load(conn)
        event_of = {r.id: r.event_id for r in conn.execute(select(t.event_mentions.c.id, t.event_mentions.c.event_id))}
    whole = [dataclasses.replace(c, id=0) for c in extract(corpus, event_of)]
    assert {c.kind for c in whole} >= {"occurrence", "quantity", "attribution"}
    alone = []
    for source in sorted(SOURCES):
        alone += [dataclasses.replace(c, id=0) for c in
                  claims_incremental.extract_sources(corpus, event_of, {source})[source]]
    assert alone == whole
    sentences = {c.mention_id: c.quote for c in whole}
    assert claims_incremental.load_claims(claims_incremental.dump(whole), sentences) == whole


def test_a_claim_that_cannot_be_written_as_json_is_extracted_again_not_cached():
    claim = Claim(source_id="s", start=0, end=10, quote="The siege failed.", kind="outcome", value="failed",
                  polarity="+", modality="asserted", voice="s", voice_name="s", event_id=None, mention_id=1,
                  extra={"cue": object()})
    assert claims_incremental.dump([claim]) is None
    claim.extra = {"cue": "failed", "at": 4, "dated": True}
    assert claims_incremental.load_claims(claims_incremental.dump([claim]), {1: claim.quote}) == [claim]


@pytest.mark.parametrize("changed_code", [False, True])
def test_claims_extracted_by_other_code_are_not_kept(tmp_path, monkeypatch, changed_code):
    store = hand(tmp_path / "code.db", ["borodino-segur", "vienna-annals"])
    run(store, Changes(full=True))
    if changed_code:
        monkeypatch.setattr(claims_incremental, "code_digest", lambda: "another version of the claims package")
    report = claims(store.engine, config=CONFIG, encoder=bag_of_words, changes=Changes(changed=frozenset({"x"})))
    assert report.extracted == (2 if changed_code else 0)


def same_as_full(store: HandStore, tmp_path, name: str) -> None:
    """The claims stage run in full over a copy of this store leaves the rows the store holds."""
    copy = tmp_path / f"{name}.db"
    source, target = sqlite3.connect(store.engine.url.database), sqlite3.connect(copy)
    source.backup(target)  # the rows still in the write-ahead log too
    source.close(), target.close()
    full = HandStore(open_store(copy))
    claims(full.engine, config=CONFIG, encoder=bag_of_words, changes=Changes(full=True))
    assert rows(store) == rows(full), f"{name}: the incremental claims differ from a full run's"


def test_claim_ids_do_not_depend_on_the_order_sources_came_in(tmp_path):
    """A source added before the others in reading order used to renumber every claim after it."""
    store = hand(tmp_path / "ids.db", ["borodino-segur", "vienna-annals"])
    run(store, Changes(full=True))

    def ids() -> dict[tuple, int]:
        with store.engine.connect() as conn:
            return {(r.source_id, r.start, r.kind, r.facet, r.value): r.id for r in conn.execute(select(t.claims))}

    before = ids()
    add_source(store, "borodino-glinka")  # "borodino-glinka" sorts before "borodino-segur"
    run(store, Changes(added=frozenset({"borodino-glinka"})))
    after = ids()
    assert {k: v for k, v in after.items() if k in before} == before
    same_as_full(store, tmp_path, "ids-full")


def test_an_add_reads_only_the_sources_it_extracts(tmp_path, monkeypatch):
    """The stage read every mention of the store (and hashed them) to find what changed; it asks the index now."""
    store = hand(tmp_path / "read.db", ["borodino-segur", "borodino-glinka", "vienna-annals"])
    run(store, Changes(full=True))
    asked: list = []
    real = claims_incremental.load
    monkeypatch.setattr(claims_incremental, "load", lambda conn, **kw: asked.append(kw.get("sources")) or real(conn, **kw))
    add_source(store, "chatham-pepys")
    report = run(store, Changes(added=frozenset({"chatham-pepys"})))
    assert asked == [["chatham-pepys"]] and report.extracted == 1


def test_a_full_run_reads_the_sources_in_batches(tmp_path, monkeypatch):
    store = hand(tmp_path / "batches.db", list(SOURCES))
    reconcile(store.engine, config=CONFIG, encoder=bag_of_words)
    asked: list = []
    real = claims_incremental.load
    monkeypatch.setattr(claims_incremental, "load", lambda conn, **kw: asked.append(kw.get("sources")) or real(conn, **kw))
    monkeypatch.setattr(claims_incremental, "BATCH", 2)
    claims(store.engine, config=CONFIG, encoder=bag_of_words, changes=Changes(full=True))
    assert [len(a) for a in asked] == [2, 2, 1] and sorted(s for a in asked for s in a) == sorted(SOURCES)
    same_as_full(store, tmp_path, "batches-full")  # the same rows as one batch of every source


def test_a_mention_that_left_its_event_is_noticed_through_the_stored_index(tmp_path):
    """Its source is untouched and its mention now holds no event: only the index of the last run knows it held one."""
    store = hand(tmp_path / "left.db", ["borodino-segur", "borodino-glinka", "vienna-annals"])
    run(store, Changes(full=True))
    with store.engine.begin() as conn:
        mention, event = conn.execute(select(t.event_mentions.c.id, t.event_mentions.c.event_id)
                                      .where(t.event_mentions.c.source_id == "borodino-glinka")).one()
        conn.execute(t.event_mentions.update().where(t.event_mentions.c.id == mention).values(event_id=None))
    report = claims(store.engine, config=CONFIG, encoder=bag_of_words, changes=Changes(events={event}))
    assert report.extracted == 1, "the source whose mention left, not the other one of the event nor Vienna's"
    same_as_full(store, tmp_path, "left-full")


def test_a_renamed_entity_and_a_shared_author_reach_the_sources_they_change(tmp_path):
    store = hand(tmp_path / "renamed.db", ["borodino-segur", "borodino-glinka", "vienna-annals"])
    run(store, Changes(full=True))
    french = store.entities["French"]
    with store.engine.begin() as conn:
        conn.execute(t.entities.update().where(t.entities.c.id == french).values(name="The French Empire"))
    report = claims(store.engine, config=CONFIG, encoder=bag_of_words, changes=Changes(entities={french}))
    assert report.extracted == 2, "the sources naming the French, not the one about Vienna"
    same_as_full(store, tmp_path, "renamed-full")
    # A source by the author of "vienna-annals" whose id sorts first: the older source takes its voice.
    store.source("a-annals", "Vienna held out in 1683.", authors=["Annalist"])
    report = claims(store.engine, config=CONFIG, encoder=bag_of_words, changes=Changes(added=frozenset({"a-annals"})))
    assert report.extracted == 2, "the new source and the older one whose voice it gives"
    same_as_full(store, tmp_path, "voice-full")


@pytest.mark.parametrize("span", [9, 10, 64, 2**31 - 2])  # 9, 10: two of the keys share a first hash
def test_hashed_ids_skip_the_sorted_pass_only_when_no_two_keys_share_a_first_hash(span):
    """Ids are those of the pass that settles collisions in the order of the keys, with or without collisions."""
    import hashlib

    from timeweave.claims.write import _hashed

    keys = [("s", n, "quantity", str(n % 3)) for n in range(4)]

    def reference() -> list[int]:
        taken, out = set(), {}
        for i in sorted(range(len(keys)), key=lambda i: repr(keys[i])):
            attempt = 0
            while True:
                blob = (repr(keys[i]) + "\x1f" + str(attempt)).encode("utf-8")
                found = 1 + int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big") % span
                if found not in taken:
                    break
                attempt += 1
            taken.add(found)
            out[i] = found
        return [out[i] for i in range(len(keys))]

    assert _hashed(keys, 1, span) == reference()
    assert len(set(_hashed(keys, 1, span))) == len(keys)


def _in_buckets(store: HandStore, source: str) -> tuple[int, int]:
    """How many stored claims and claim comparisons share an id range (`write.BUCKETS`) with a claim of `source`
    or with a comparison quoting it: what an incremental write that changed nothing may read."""
    w = importlib.import_module("timeweave.claims.write")  # the package exports the function `write`

    with store.engine.connect() as conn:
        claim_ids = [r.id for r in conn.execute(select(t.claims.c.id, t.claims.c.source_id))]
        own = {w._bucket(r.id, 1, w.CLAIM_SPAN) for r in conn.execute(
            select(t.claims.c.id).where(t.claims.c.source_id == source))}
        quoting = {w._bucket(r[0], w.FIRST_ID, w.SPAN) for r in conn.execute(
            select(t.comparison_statements.c.comparison_id).where(t.comparison_statements.c.source_id == source))}
        comparison_ids = list(claim_comparisons(store))
    return (sum(w._bucket(i, 1, w.CLAIM_SPAN) in own for i in claim_ids),
            sum(w._bucket(i, w.FIRST_ID, w.SPAN) in quoting for i in comparison_ids))


def test_an_incremental_write_reads_only_the_id_ranges_it_can_change(tmp_path, monkeypatch):
    """The write used to read every stored claim and claim comparison to diff them; now only the id ranges whose
    wanted rows differ from the digests it kept, or that hold a row of a touched source (which another writer
    may have edited: `store.writer` deletes a re-stored source's comparison statements)."""
    w = importlib.import_module("timeweave.claims.write")  # the package exports the function `write`

    monkeypatch.setattr(w, "BUCKETS", 4)  # few ranges, so that some hold no row of the touched source
    names = ["borodino-segur", "borodino-glinka", "borodino-skeptic", "vienna-annals", "chatham-pepys"]
    store = hand(tmp_path / "read.db", names)
    full = run(store, Changes(full=True))
    assert full.written["claims read"] == 0 and full.written["claims+"] == full.claims  # first run: all read
    before = rows(store)
    changes = Changes(changed=frozenset({"vienna-annals"}))  # said to change, its rows are the same
    with store.engine.begin() as conn:  # as `store.writer.delete_source` does when a source is stored again
        conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.source_id == "vienna-annals"))
    report = run(store, changes)
    claims_in, comparisons_in = _in_buckets(store, "vienna-annals")
    assert (report.written["claims read"], report.written["comparisons read"]) == (claims_in, comparisons_in)
    assert claims_in < full.claims, "with 4 ranges the test needs one holding no claim of vienna-annals"
    assert rows(store) == before, "the statements deleted behind the stage's back are written again"


def _bucket_of(cid: int) -> int:
    w = importlib.import_module("timeweave.claims.write")
    return w._bucket(cid, 1, w.CLAIM_SPAN)


def test_a_logged_correction_or_other_row_counts_make_the_write_read_every_row(tmp_path):
    """A historian's correction edits claim comparisons after this stage, and a row deleted by hand in a range the
    write would not read changes the count of those ranges: the kept digests no longer say what is stored there,
    so every row is read and the store equals a full run. A row lost in a range that is read anyway (one holding a
    claim of the changed source) is written again from that range alone."""
    names = ["borodino-segur", "borodino-glinka", "borodino-skeptic", "vienna-annals"]
    store = hand(tmp_path / "counts.db", names)
    run(store, Changes(full=True))
    before = rows(store)
    touched = {_bucket_of(r[0]) for r in before["claims"] if r[2] == "vienna-annals"}
    unread = [r[0] for r in before["claims"] if _bucket_of(r[0]) not in touched]
    assert unread and len(unread) < len(before["claims"])
    with store.engine.begin() as conn:  # a claim row lost behind the stage's back, in a range no change reaches
        conn.execute(delete(t.claims).where(t.claims.c.id == min(unread)))
    report = run(store, Changes(changed=frozenset({"vienna-annals"})))
    assert report.written["claims read"] == len(before["claims"]) - 1 and report.written["claims+"] == 1
    assert rows(store) == before
    with store.engine.begin() as conn:  # lost in a range holding a claim of the changed source: that range is read
        conn.execute(delete(t.claims).where(t.claims.c.id == min(r[0] for r in before["claims"]
                                                                 if _bucket_of(r[0]) in touched)))
    report = run(store, Changes(changed=frozenset({"vienna-annals"})))
    in_touched = sum(_bucket_of(r[0]) in touched for r in before["claims"])
    assert report.written["claims read"] == in_touched - 1 and report.written["claims+"] == 1
    assert rows(store) == before
    with store.engine.begin() as conn:
        conn.execute(t.curation_actions.insert().values(uid="u1", kind="reject", target={}, args={}, author="h",
                                                        created_at="2026-12-01", origin="cli"))
    report = run(store, Changes(changed=frozenset({"vienna-annals"})))
    assert report.written["claims read"] == len(before["claims"])
    assert report.written["comparisons read"] == len(claim_comparisons(store))
    assert rows(store) == before


def test_an_added_text_that_makes_no_claim_keeps_the_rows_without_aligning_again(tmp_path, monkeypatch):
    """What follows extraction used to run over every claim in every run; when the claims as extracted, the events,
    the settings and the code are those of the last run, its rows are kept (`claims.basis`), and equal a full run's."""
    names = ["borodino-segur", "borodino-glinka", "borodino-skeptic", "vienna-annals"]
    store = hand(tmp_path / "reuse.db", names)
    run(store, Changes(full=True))
    with store.engine.begin() as conn:  # reconcile resets statuses it recomputes: contested must come back
        assert conn.execute(t.events.update().where(t.events.c.status == "contested").values(status="reported")).rowcount
    store.source("letters", "Nothing happened in the village that week; the harvest was good.", authors=["Clerk"])
    aligned, read = [], []
    monkeypatch.setattr("timeweave.claims.align", lambda *a, **k: aligned.append(1) or {})
    monkeypatch.setattr(claims_incremental, "_kept", lambda *a, **k: read.append(1) or {})
    report = run(store, Changes(added=frozenset({"letters"})))
    assert report.reused and not aligned and not read, "neither aligned again nor the other sources' cache read"
    assert report.extracted == 1 and report.claims == 12
    monkeypatch.undo()
    full = hand(tmp_path / "reuse-full.db", names)
    full.source("letters", "Nothing happened in the village that week; the harvest was good.", authors=["Clerk"])
    run(full, None)
    assert rows(store) == rows(full)

    # a text that makes a claim is aligned with the others
    add_source(store, "chatham-pepys")
    report = run(store, Changes(added=frozenset({"chatham-pepys"})))
    assert not report.reused
    full = hand(tmp_path / "reuse-full2.db", names + ["chatham-pepys"])
    full.source("letters", "Nothing happened in the village that week; the harvest was good.", authors=["Clerk"])
    run(full, None)
    assert rows(store) == rows(full)

    # other settings: aligned again
    report = claims(store.engine, config={**CONFIG, "claims_max_block": 3}, encoder=bag_of_words,
                    changes=Changes(added=frozenset({"letters"})))
    assert not report.reused


def test_rows_a_cascade_deleted_make_the_write_read_only_their_ranges(tmp_path, store_db):
    """Removing a source deletes its claims (foreign key) and, through the event `reconcile` renumbers, the claim
    comparisons of that event: the whole tables' counts then differ from the kept ones, which used to make the
    write read every row (at 1,600 documents nearly every add removed such an event). Those rows fall in ranges
    the write reads anyway, so it reads those ranges only, and the store equals a full run's (SQLite and
    PostgreSQL; the reference store is SQLite)."""
    names = ["borodino-segur", "borodino-glinka", "borodino-skeptic", "vienna-annals", "chatham-pepys"]
    store = hand(store_db, names)
    run(store, Changes(full=True))
    with store.engine.begin() as conn:
        conn.execute(delete(t.sources).where(t.sources.c.id == "borodino-glinka"))
    stored_claims = len(rows(store)["claims"])
    stored_comparisons = len(claim_comparisons(store))
    report = run(store, Changes(removed=frozenset({"borodino-glinka"})))
    assert report.written["comparisons-"] + report.written["comparisons+"] > 0, "the renumbered event's comparisons"
    assert report.written["claims read"] < stored_claims, report.written
    assert report.written["comparisons read"] < stored_comparisons, report.written
    full = hand(tmp_path / "cascade-full.db", [n for n in names if n != "borodino-glinka"])
    run(full, None)
    assert rows(store) == rows(full)

