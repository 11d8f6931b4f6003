"""Reconcile recomputes only the components whose inputs or rows changed, and writes what a full run writes.

Each step changes the corpus (adds, changes or removes a source) through a real build whose
reconcile stage is held back; the store is then copied, one copy reconciled incrementally, the
other fully, and every row reconcile owns must be equal, ids included. The texts are written for the
test (other centuries and continents) beside a bundled text, so some components span sources,
some events are compared across voices, and the claims stage of the build edits what reconcile wrote
(contested statuses, its own comparisons) before the next step, as in a real store.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, insert, select, update

import timeweave.reconcile as reconcile_module
from timeweave.build import build
from timeweave.reconcile import incremental, reconcile
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.changes import Changes

pytestmark = pytest.mark.slow

BUNDLED = ("batunaev-2019-khalkhin-gol.txt",)
TEXTS = {
    "meiji-annals.txt": (
        "The Restoration in Japan\n\n"
        "The shogun Tokugawa Yoshinobu resigned his powers on 9 November 1867. Imperial forces defeated the army "
        "of the shogunate at the Battle of Toba-Fushimi on 27 January 1868. The Charter Oath was proclaimed by "
        "the Emperor Meiji on 6 April 1868.\n"),
    "meiji-letters.txt": (
        "Letters from Kyoto\n\n"
        "A merchant wrote that the imperial army defeated the shogun's troops at Toba-Fushimi on 28 January 1868. "
        "He added that the Emperor Meiji proclaimed the Charter Oath on 6 April 1868 before the court.\n"),
    "tea-party.txt": (
        "Boston in 1773\n\n"
        "Colonists destroyed 342 chests of tea in Boston Harbor on 16 December 1773. Parliament closed the port "
        "of Boston on 1 June 1774 in reply.\n"),
}
CHANGED = ("Letters from Kyoto\n\n"
           "A merchant wrote that the imperial army defeated the shogun's troops at Toba-Fushimi on 27 January 1868. "
           "He added that the Emperor Meiji proclaimed the Charter Oath on 6 April 1868 before the court.\n")
ADDED = ("meiji-diary.txt", "A Diary of 1868\n\n"
         "Saigo Takamori led the imperial army at Toba-Fushimi on 27 January 1868. Edo Castle surrendered to the "
         "imperial army on 3 May 1868. Colonists in Boston had destroyed chests of tea on 16 December 1773, the "
         "diarist recalled.\n")
CONFIG = {"embeddings": True}


def bag_of_words(texts: list[str]) -> np.ndarray:
    """A deterministic stand-in for the sentence model: the vectors path runs, no model is loaded."""
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            out[row, int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % 384] += 1.0
    return out


def held_build(folder: Path, db: Path, monkeypatch, **kwargs) -> Changes:
    """A real build (ingest, link, claims ...) whose reconcile stage does nothing, so the test runs it; returns
    a copy of the `Changes` the build handed to reconcile (what link found it changed: `entities`)."""
    got = []
    with monkeypatch.context() as m:
        m.setattr(reconcile_module, "reconcile", lambda *a, changes=None, **k: got.append(changes))
        build([folder], db=db, config={"embeddings": False}, **kwargs)
    seen = got[0] if got and got[0] is not None else Changes()
    return Changes(added=seen.added, changed=seen.changed, removed=seen.removed, entities=set(seen.entities))


def copy(db: Path, to: Path) -> Path:
    with sqlite3.connect(db) as src, sqlite3.connect(to) as dst:
        src.backup(dst)
    return to


def rows(db: Path) -> dict[str, list]:
    """Every row reconcile owns (statement ids aside: their order within a comparison is kept). The claims
    stage's comparisons are its own: reconcile leaves them (tests/test_claims_incremental.py)."""
    engine = open_store(db, create=False)
    with engine.connect() as conn:
        own = select(t.comparisons.c.id).where(t.comparisons.c.component == reconcile_module.COMPONENT)
        out = {
            "events": sorted(tuple(r) for r in conn.execute(select(t.events))),
            "participants": sorted(tuple(r) for r in conn.execute(select(t.event_participants))),
            "comparisons": sorted(tuple(r) for r in conn.execute(
                select(t.comparisons).where(t.comparisons.c.component == reconcile_module.COMPONENT))),
            "statements": sorted((r.comparison_id, r.source_id, r.start, r.end, r.value, n) for n, r in enumerate(
                conn.execute(select(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(own))
                             .order_by(t.comparison_statements.c.id)))),
            "links": sorted(tuple(r) for r in conn.execute(select(t.event_mentions.c.id, t.event_mentions.c.event_id))),
            "state": sorted(tuple(r) for r in conn.execute(select(t.reconcile_components))),
        }
    engine.dispose()
    # statements: rank within each comparison, not the global autoincrement order
    ranked, seen = [], {}
    for comparison_id, source, start, end, value, n in sorted(out["statements"], key=lambda r: r[-1]):
        seen[comparison_id] = seen.get(comparison_id, -1) + 1
        ranked.append((comparison_id, seen[comparison_id], source, start, end, value))
    out["statements"] = sorted(ranked)
    return out


def both_ways(db: Path, tmp_path: Path, step: str, changes: Changes):
    """Reconcile a copy fully and the store incrementally; their rows must be equal."""
    full_db = copy(db, tmp_path / f"full-{step}.db")
    full = reconcile(open_store(full_db, create=False), config=CONFIG, encoder=bag_of_words)
    report = reconcile(open_store(db, create=False), config=CONFIG, encoder=bag_of_words, changes=changes)
    got, want = rows(db), rows(full_db)
    for table in want:
        assert got[table] == want[table], f"after {step}: {table} differ between incremental and full reconcile"
    kept, kept_full = kept_state(db), kept_state(full_db)
    differ = sorted(k for k in set(kept) | set(kept_full) if kept.get(k) != kept_full.get(k))
    assert not differ, f"after {step}: the kept state differs from a full run's in {differ[:5]}"
    return report, full, got


def kept_state(db: Path) -> dict[str, object]:
    """reconcile's `corpus_state` rows, decoded: what the next incremental run reads (`region`)."""
    with sqlite3.connect(db) as conn:  # `reconcile.l:` rows are lines of JSON (`loaded`): compared as kept
        return {key: value if key.startswith("reconcile.l:") else json.loads(value) for key, value in
                conn.execute("SELECT key, value FROM corpus_state WHERE key LIKE 'reconcile.%'")}


@pytest.fixture()
def folder(tmp_path, corpus_dir) -> Path:
    target = tmp_path / "corpus"
    target.mkdir()
    for name, text in TEXTS.items():
        (target / name).write_text(text, encoding="utf-8")
    for name in BUNDLED:
        shutil.copy(corpus_dir / name, target / name)
    return target


def test_add_change_remove_reconcile_as_a_full_run(folder, tmp_path, monkeypatch):
    db = tmp_path / "store.db"
    held_build(folder, db, monkeypatch)
    first = reconcile(open_store(db, create=False), config=CONFIG, encoder=bag_of_words, changes=Changes(full=True))
    assert first.events > 5 and first.recomputed == first.components
    before = rows(db)
    assert before["comparisons"] and before["state"]

    # Nothing changed: nothing recomputed, nothing written.
    changes = Changes()
    again = reconcile(open_store(db, create=False), config=CONFIG, encoder=bag_of_words, changes=changes)
    assert again.recomputed == 0 and not changes.events and rows(db) == before

    # The build's claims stage edits reconcile's rows (statuses, its own comparisons) before each step.
    (folder / ADDED[0]).write_text(ADDED[1], encoding="utf-8")
    changes = held_build(folder, db, monkeypatch)
    assert changes.added == {"meiji-diary"}
    report, full, after_add = both_ways(db, tmp_path, "adding a source", changes)
    assert report.region, "only the region the changed source reaches was read"
    assert 0 < report.recomputed < report.components, "adding one source recomputes its components only"
    assert changes.events and report.events == full.events
    untouched = {r[0] for r in before["events"]} & {r[0] for r in after_add["events"]}
    assert untouched, "events of components the new source does not touch keep their ids"

    # Inputs that change no component's mentions: link renames an entity (labels name it), and two sources
    # turn out to share an author (one voice: corroboration falls). Only the components reading them change.
    engine = open_store(db, create=False)
    with engine.begin() as conn:
        named = conn.execute(select(t.event_participants.c.entity_id).order_by(t.event_participants.c.entity_id)).first()
        conn.execute(update(t.entities).where(t.entities.c.id == named[0]).values(name="Renamed By Link"))
        conn.execute(update(t.sources).where(t.sources.c.id.in_(["meiji-annals", "meiji-letters"]))
                     .values(authors=["Ishii, Takashi"]))
    engine.dispose()
    # link reports the entities it renamed (`changes.entities`); the voices are compared with the kept ones
    report, _full, after_edit = both_ways(db, tmp_path, "renaming an entity and merging two voices",
                                          Changes(entities={named[0]}))
    assert 0 < report.recomputed < report.components and report.region
    assert any("Renamed By Link" in r[1] for r in after_edit["events"]), "the label follows the entity's new name"
    assert after_edit["events"] != after_add["events"]

    # Rows edited after reconcile wrote them (as a correction does: one is in the log) are written again.
    engine = open_store(db, create=False)
    with engine.begin() as conn:
        conn.execute(insert(t.curation_actions).values(uid="test-edit", kind="label", target={}, args={}, author="test",
                                                       created_at="2026-01-01T00:00:00Z", origin="library"))
        first, second = [r.id for r in conn.execute(select(t.events.c.id).order_by(t.events.c.id).limit(2))]
        conn.execute(update(t.events).where(t.events.c.id == first).values(label="Edited", status="contested"))
        doomed = conn.execute(select(t.comparisons.c.id).where(t.comparisons.c.event_id == second,
                                                               t.comparisons.c.component == reconcile_module.COMPONENT)).first()[0]
        conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.comparison_id == doomed))
        conn.execute(delete(t.comparisons).where(t.comparisons.c.id == doomed))
    engine.dispose()
    changes = Changes()
    report, _full, restored = both_ways(db, tmp_path, "editing reconcile's rows", changes)
    assert restored == after_edit and changes.events == {first, second} and report.recomputed >= 1
    assert not report.region, "a correction in the log: every component's rows are checked"
    engine = open_store(db, create=False)
    with engine.begin() as conn:
        conn.execute(delete(t.curation_actions))
    engine.dispose()

    (folder / "meiji-letters.txt").write_text(CHANGED, encoding="utf-8")
    changes = held_build(folder, db, monkeypatch)
    assert changes.changed == {"meiji-letters"} and changes.entities, "link renamed the entity back"
    report, _full, _rows = both_ways(db, tmp_path, "changing a source", changes)
    assert report.region, "only the region the changed source reaches was read"
    assert report.recomputed < report.components and changes.events

    (folder / "tea-party.txt").unlink()
    changes = held_build(folder, db, monkeypatch, prune=True)
    assert changes.removed == {"tea-party"}
    report, _full, after_remove = both_ways(db, tmp_path, "removing a source", changes)
    assert report.region, "only the region the changed source reaches was read"
    assert changes.events and not any("tea" in r[1].lower() for r in after_remove["events"])

    # Ids do not depend on history: the same files reconciled in one go give the same ids.
    one_go = tmp_path / "one-go.db"
    held_build(folder, one_go, monkeypatch)
    reconcile(open_store(one_go, create=False), config=CONFIG, encoder=bag_of_words)
    fresh = rows(one_go)
    for table in ("events", "participants", "comparisons", "statements"):
        assert fresh[table] == after_remove[table], f"{table} differ between a store built step by step and in one go"


WINDOWED = {
    "raids-a.txt": "Raids of 1868\n\nThe army attacked Osaka on 3 January 1868. The army attacked Kyoto on 5 January "
                   "1868. The navy attacked Hakodate on 9 January 1868. The army attacked Sendai on 2 April 1868.\n",
    "raids-b.txt": "Another Account\n\nRebels attacked Osaka on 3 January 1868. Rebels attacked Nagasaki on 20 February "
                   "1868. Rebels attacked Aizu on 8 October 1868.\n",
}
WINDOWED_ADDED = ("raids-c.txt", "A Third Account\n\nTroops attacked Kyoto on 5 January 1868. Troops attacked Edo on "
                                 "4 March 1868. Troops attacked Aizu on 8 October 1868.\n")


def test_windows_of_large_blocks_shift_as_a_full_run_shifts_them(tmp_path, monkeypatch):
    """With blocks of at most 2 mentions, the attacks of 1868 (one block by lemma and year) are cut into
    sorted-neighbourhood windows of 1: an added or removed source moves the windows of the other sources'
    mentions, which the region must find."""
    small = CONFIG | {"reconcile_max_block": 2, "reconcile_window": 1}
    folder = tmp_path / "raids"
    folder.mkdir()
    for name, text in WINDOWED.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "store.db"
    held_build(folder, db, monkeypatch)
    reconcile(open_store(db, create=False), config=small, encoder=bag_of_words, changes=Changes(full=True))
    (folder / WINDOWED_ADDED[0]).write_text(WINDOWED_ADDED[1], encoding="utf-8")
    for step, kwargs in (("adding a source", {}), ("removing it again", {"prune": True})):
        changes = held_build(folder, db, monkeypatch, **kwargs)
        full_db = copy(db, tmp_path / f"full-{len(step)}.db")
        reconcile(open_store(full_db, create=False), config=small, encoder=bag_of_words)
        report = reconcile(open_store(db, create=False), config=small, encoder=bag_of_words, changes=changes)
        assert report.region
        got, want = rows(db), rows(full_db)
        for table in want:
            assert got[table] == want[table], f"after {step} with small blocks: {table} differ"
        (folder / WINDOWED_ADDED[0]).unlink(missing_ok=True)


PLANS = {"plans.txt": "Plans of 1868\n\nThe army planned to attack Osaka on 3 January 1868. The generals planned to "
                      "attack Osaka on 3 January 1868. The council planned to attack Osaka on 3 January 1868.\n"}
PLANS_ADDED = ("attack.txt", "The Attack\n\nThe army attacked Osaka on 3 January 1868.\n")


def test_mentions_no_event_could_come_from_join_one_when_a_source_brings_it(tmp_path, monkeypatch):
    """Plans (hypothetical mentions) can found no event: a full run does not score their pairs and keeps them
    as one unit; a source that reports the attack brings a founder, and the region must take the whole unit."""
    folder = tmp_path / "plans"
    folder.mkdir()
    for name, text in PLANS.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "store.db"
    held_build(folder, db, monkeypatch)
    reconcile(open_store(db, create=False), config=CONFIG, encoder=bag_of_words, changes=Changes(full=True))
    (folder / PLANS_ADDED[0]).write_text(PLANS_ADDED[1], encoding="utf-8")
    for step, kwargs in (("adding a source", {}), ("removing it again", {"prune": True})):
        changes = held_build(folder, db, monkeypatch, **kwargs)
        full_db = copy(db, tmp_path / f"full-{len(step)}.db")
        reconcile(open_store(full_db, create=False), config=CONFIG, encoder=bag_of_words)
        report = reconcile(open_store(db, create=False), config=CONFIG, encoder=bag_of_words, changes=changes)
        assert report.region
        got, want = rows(db), rows(full_db)
        for table in want:
            assert got[table] == want[table], f"after {step}: {table} differ"
        (folder / PLANS_ADDED[0]).unlink(missing_ok=True)


def test_hash_collisions_are_settled_by_key_whatever_came_first(folder, tmp_path, monkeypatch):
    """With a tiny id space every event collides: a new event that sorts first takes the id a kept event
    held, and the kept one moves, exactly as a full run numbers them."""
    monkeypatch.setattr(incremental, "ID_SPACE", 401)
    db = tmp_path / "tiny.db"
    for name in BUNDLED:
        (folder / name).unlink()
    held_build(folder, db, monkeypatch)
    reconcile(open_store(db, create=False), config=CONFIG, encoder=bag_of_words)
    (folder / ADDED[0]).write_text(ADDED[1], encoding="utf-8")
    held_build(folder, db, monkeypatch)
    both_ways(db, tmp_path, "adding a source in a tiny id space", Changes(added=frozenset({"meiji-diary"})))


def test_assign_depends_on_the_keys_only():
    keys = {("a", n): (f"source-{n % 3}", n) for n in range(40)}
    runs = {item: (n % 4) for n, item in enumerate(keys)}
    forward = incremental.assign(keys, runs)
    backward = incremental.assign(dict(reversed(list(keys.items()))), runs)
    assert forward == backward
    taken = [i for item, start in forward.items() for i in range(start, start + runs[item])]
    assert len(taken) == len(set(taken)), "runs of ids never overlap"
    assert all(1 <= i < incremental.ID_SPACE for i in taken)


def test_on_postgresql_a_full_run_after_an_incremental_one_writes_nothing(folder, postgres_url, monkeypatch):
    """The same code on PostgreSQL: after adding a source incrementally, a full reconcile finds every row
    already as it would write it."""
    from conftest import empty_postgres

    empty_postgres(postgres_url)
    (folder / "tea-party.txt").unlink()
    held_build(folder, postgres_url, monkeypatch)
    reconcile(open_store(postgres_url), config=CONFIG, encoder=bag_of_words, changes=Changes(full=True))
    (folder / ADDED[0]).write_text(ADDED[1], encoding="utf-8")
    held_build(folder, postgres_url, monkeypatch)
    changes = Changes(added=frozenset({"meiji-diary"}))
    report = reconcile(open_store(postgres_url), config=CONFIG, encoder=bag_of_words, changes=changes)
    assert changes.events and report.recomputed < report.components and report.region
    after = Changes(full=True)
    reconcile(open_store(postgres_url), config=CONFIG, encoder=bag_of_words, changes=after)
    assert after.events == set(), "a full run rewrote rows the incremental one had left different"


def test_status_a_later_stage_raised_is_restored_from_the_kept_signature_alone(folder, tmp_path, monkeypatch):
    """An event outside the region that claims marked contested gets reconcile's status back, as in a full
    run, read from the component's `reconcile.k:` row: its `reconcile.c:` row (all its pairs, megabytes
    for a large component) is not read by the add."""
    import json

    from timeweave.reconcile import region

    db = tmp_path / "store.db"
    held_build(folder, db, monkeypatch)
    reconcile(open_store(db, create=False), config=CONFIG, encoder=bag_of_words, changes=Changes(full=True))
    engine = open_store(db, create=False)
    with engine.begin() as conn:
        kept = {k: json.loads(v) for k, v in conn.execute(select(t.corpus_state.c.key, t.corpus_state.c.value)
                                                             .where(t.corpus_state.c.key.like("reconcile.%")))
                if not k.startswith("reconcile.l:")}  # lines of JSON (`loaded`)
        comps = {k.split(":", 1)[1]: v for k, v in kept.items() if k.startswith("reconcile.c:")}
        assert {k.split(":", 1)[1]: v["sig"] for k, v in kept.items() if k.startswith("reconcile.k:")} \
            == {r: c["sig"] for r, c in comps.items()}, "a k: row beside every c: row, with its signature"
        root, comp = next((r, c) for r, c in sorted(comps.items())
                          if c["ev"] and c["sig"] and all(s.startswith("batunaev") for _m, s in c["m"]))
        conn.execute(update(t.events).where(t.events.c.id == comp["ev"][0]).values(status="contested"))
    engine.dispose()
    (folder / ADDED[0]).write_text(ADDED[1], encoding="utf-8")
    changes = held_build(folder, db, monkeypatch)
    with engine.begin() as conn:  # the build's claims stage ran: raise the status again, as it would have
        conn.execute(update(t.events).where(t.events.c.id == comp["ev"][0]).values(status="contested"))
    engine.dispose()
    read: list[str] = []
    real = region._read

    def spy(conn, names):
        names = list(names)
        read.extend(names)
        return real(conn, names)

    monkeypatch.setattr(region, "_read", spy)
    report, _full, got = both_ways(db, tmp_path, "adding a source", changes)
    assert report.region
    assert f"reconcile.k:{root}" in read and f"reconcile.c:{root}" not in read
    assert dict((r[0], r) for r in got["events"])[comp["ev"][0]] is not None


def test_an_add_reads_and_rewrites_only_the_source_rows_it_changes(folder, tmp_path, monkeypatch):
    """The region's kept mentions derive their block keys from the mentions loaded (they load as before), so
    the `reconcile.s:` rows of the sources a component spans are not read; only those whose component root
    moved are rewritten. The cycle collector is paused while the region runs and restored after."""
    import gc

    from timeweave.reconcile import region

    db = tmp_path / "store.db"
    held_build(folder, db, monkeypatch)
    reconcile(open_store(db, create=False), config=CONFIG, encoder=bag_of_words, changes=Changes(full=True))
    (folder / ADDED[0]).write_text(ADDED[1], encoding="utf-8")
    changes = held_build(folder, db, monkeypatch)
    read: list[str] = []
    written: dict[str, object] = {}
    collecting: list[bool] = []
    real_read, real_write, real_plan = region._read, region._write, region.plan

    def spy_read(conn, names):
        names = list(names)
        read.extend(names)
        return real_read(conn, names)

    def spy_write(conn, rows):
        written.update(rows)
        return real_write(conn, rows)

    def spy_plan(*args, **kwargs):  # the region path begins (both_ways' full run on a copy came first)
        collecting.append(gc.isenabled())
        written.clear()
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(region, "_read", spy_read)
    monkeypatch.setattr(region, "_write", spy_write)
    monkeypatch.setattr(region, "plan", spy_plan)
    before = kept_state(db)
    report, _full, _got = both_ways(db, tmp_path, "adding a source", changes)
    assert report.region and report.recomputed
    assert collecting == [False] and gc.isenabled(), "the collector paused for the region, then restored"
    after = kept_state(db)
    # every source row that changed was written, and no other (the added source's and moved roots' only)
    changed = {k for k in set(before) | set(after) if k.startswith("reconcile.s:") and before.get(k) != after.get(k)}
    assert changed and {k for k in written if k.startswith("reconcile.s:")} == changed
    # the components recomputed (their rows written) span sources whose rows stay as they were: not rewritten
    spanned = {f"reconcile.s:{s}" for k, v in written.items() if k.startswith("reconcile.c:") and v for _m, s in v["m"]}
    assert spanned - changed, "the region spans a source whose component roots did not move"


def test_an_add_hashes_only_the_mentions_it_loaded_afresh(folder, tmp_path, monkeypatch):
    """A component's signature hashes each mention's digest; a kept mention's digest is read from its
    component's `c:` row (it loads as before), so an add makes digests only for the touched sources'
    mentions and for mentions that were in no kept component, while the rows stay a full run's."""
    from timeweave.reconcile import region

    db = tmp_path / "store.db"
    held_build(folder, db, monkeypatch)
    reconcile(open_store(db, create=False), config=CONFIG, encoder=bag_of_words, changes=Changes(full=True))
    members = {mid: sid for k, v in kept_state(db).items() if k.startswith("reconcile.c:") for mid, sid in v["m"]}
    (folder / ADDED[0]).write_text(ADDED[1], encoding="utf-8")
    changes = held_build(folder, db, monkeypatch)
    hashed: list[int] = []
    recording: list[bool] = []
    real_key, real_plan = incremental.mention_key, region.plan

    def spy_key(m):
        if recording:
            hashed.append(m.id)
        return real_key(m)

    def spy_plan(*args, **kwargs):  # the region path begins (both_ways' full run on a copy came first)
        recording.append(True)
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(incremental, "mention_key", spy_key)
    monkeypatch.setattr(region, "plan", spy_plan)
    report, _full, _got = both_ways(db, tmp_path, "adding a source", changes)
    assert report.region and report.recomputed
    written = [v for k, v in kept_state(db).items() if k.startswith("reconcile.c:")]
    kept_in_region = {mid for v in written for mid, sid in v["m"] if members.get(mid) == sid and sid not in changes.added}
    assert kept_in_region, "a recomputed component holds kept mentions of other sources"
    assert not kept_in_region & set(hashed), "a kept mention's digest is read, not made again"
    assert all(len(v["d"]) == len(v["m"]) for v in written)
