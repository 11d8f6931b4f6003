"""The timeline's index and the search index: counts checked against brute force, never stale, incremental = full.

The timeline answers from columns held in memory per store generation (store/timeline_index.py,
serve/timeline.py); these tests recount every bin by brute force from the `events` table, check
that a reindex (what every build ends with) is seen by a server already running, and that an
incremental reindex writes the same index rows as a full one. The texts are made up for the
tests (Waterloo 1815, Westphalia 1648, the Qing abdication 1912, Berlin 1989), not our corpora.
"""

from __future__ import annotations

import logging
import random
import shutil
from datetime import date
from pathlib import Path

import pytest

from fastapi.testclient import TestClient
from sqlalchemy import delete, insert, text, update

from serve_fixtures import NOW, make_synthetic_store
from timeweave.ingest.passages import segment
from timeweave.serve import create_app
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.changes import Changes
from timeweave.store.search import reindex, search

TEXTS = {
    "gazette-1815": "The allied armies met the French near Waterloo on 18 June 1815.\n\n"
                    "Wellington held the ridge until the Prussians arrived in the evening.\n\n"
                    "The emperor abdicated four days later.\n",
    "letters-1648": "The Peace of Westphalia was signed at Osnabrueck and Muenster in October 1648.\n\n"
                    "The envoys had argued over the terms since 1643.\n",
    "chronicle-1912": "The Qing court issued the edict of abdication on 12 February 1912.\n\n"
                      "Yuan Shikai became provisional president of the republic.\n",
}
ENTITIES = {1: ("Arthur Wellesley", "person", ["Wellington", "Duke of Wellington"]), 2: ("France", "state", ["the French"]),
            3: ("Prussia", "state", ["the Prussians"]), 4: ("Qing dynasty", "state", ["Qing court"]),
            5: ("Yuan Shikai", "person", []), 6: ("Waterloo", "place", [])}
EVENTS = [  # id, label, type, earliest, latest, status, place, participants, (source, quote)
    (1, "Battle of Waterloo", "battle", "1815-06-18", "1815-06-18", "corroborated", 6, [1, 2, 3],
     ("gazette-1815", "The allied armies met the French near Waterloo on 18 June 1815.")),
    (2, "Abdication of the emperor", "other", "1815-06-22", "1815-06-22", "single_source", None, [2],
     ("gazette-1815", "The emperor abdicated four days later.")),
    (3, "Peace of Westphalia signed", "treaty", "1648-10-01", "1648-10-31", "single_source", None, [],
     ("letters-1648", "The Peace of Westphalia was signed at Osnabrueck and Muenster in October 1648.")),
    (4, "Edict of abdication", "other", "1912-02-12", "1912-02-12", "single_source", None, [4],
     ("chronicle-1912", "The Qing court issued the edict of abdication on 12 February 1912.")),
    (5, "Negotiations of the envoys", "meeting", "1643-01-01", "1648-10-31", "contested", None, [],
     ("letters-1648", "The envoys had argued over the terms since 1643.")),
    (6, "Yuan Shikai became president", "other", None, None, "single_source", None, [5],
     ("chronicle-1912", "Yuan Shikai became provisional president of the republic.")),
    (8, "Republic proclaimed", "other", "1912-01-01", "1912-01-01", "single_source", None, [],
     ("chronicle-1912", "Yuan Shikai became provisional president of the republic.")),
]


def _add_source(conn, source_id: str, body: str) -> None:
    conn.execute(insert(t.sources).values(
        id=source_id, path=f"{source_id}.txt", sha256="0" * 64, format="txt", size=len(body), title=source_id, authors=[],
        issued="2000", kind="news", kind_reason="test", metadata_origin="extracted", pipeline="x", updated_at=NOW))
    conn.execute(insert(t.texts).values(source_id=source_id, text=body))
    conn.execute(insert(t.passages), [{"source_id": source_id, "seq": i, "start": p.start, "end": p.end, "role": p.role,
                                       "sha1": p.sha1} for i, p in enumerate(segment(body))])


def _add_event(conn, event_id, label, type_, earliest, latest, status, place, participants, evidence) -> None:
    conn.execute(insert(t.events).values(id=event_id, label=label, type=type_, edtf=earliest, earliest=earliest, latest=latest,
                                         when_reason="test", place=place, status=status, component="test"))
    for entity in participants:
        conn.execute(insert(t.event_participants).values(event_id=event_id, entity_id=entity, role="agent"))
    source_id, quote = evidence
    body = conn.execute(text("SELECT text FROM texts WHERE source_id = :s"), {"s": source_id}).scalar()
    start = body.index(quote)
    conn.execute(insert(t.event_mentions).values(
        source_id=source_id, start=start, end=start + len(quote), trigger_start=start, trigger_end=start + 3, trigger=quote[:3],
        type=type_, factuality="asserted", context="narrative", earliest=earliest, latest=latest, participants=[],
        event_id=event_id, component="test"))


def _history_store(db) -> object:
    engine = open_store(db)
    with engine.begin() as conn:
        for source_id, body in TEXTS.items():
            _add_source(conn, source_id, body)
        for entity_id, (name, type_, aliases) in ENTITIES.items():
            conn.execute(insert(t.entities).values(id=entity_id, name=name, type=type_, component="test"))
            for alias in aliases:
                conn.execute(insert(t.aliases).values(entity_id=entity_id, text=alias, how="test"))
        for event in EVENTS:
            _add_event(conn, *event)
    reindex(engine)
    return engine


def _index_tables(engine) -> dict[str, list]:
    """Every derived index row (the generation aside: it differs by design after each reindex)."""
    postgres = engine.dialect.name == "postgresql"
    key = "doc" if postgres else "rowid"
    with engine.connect() as conn:
        return {
            "search": [tuple(r) for r in conn.execute(text(
                f'SELECT {key}, kind, ref, source_id, start, "end", title, body FROM search_index ORDER BY {key}'))],
            "timeline": [tuple(r) for r in conn.execute(text("SELECT * FROM timeline_index ORDER BY id"))],
            "arrays": [tuple(bytes(v) if isinstance(v, (bytes, memoryview)) else v for v in r)
                       for r in conn.execute(text("SELECT * FROM timeline_arrays"))],
            "format": [tuple(r) for r in conn.execute(text("SELECT format FROM read_index_state"))],
        }


def _generation(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT generation FROM read_index_state")).scalar()


def test_incremental_reindex_writes_the_same_rows_as_a_full_one(store_db, caplog):
    engine = _history_store(store_db)
    before = _generation(engine)
    assert {h["ref"] for h in search(engine, "Westphalia")} == {"3"} | set(_passage_ids(engine, "letters-1648", 0))
    with engine.begin() as conn:
        # a changed source: new words, so new passages (new ids) and a new quote for its event
        conn.execute(delete(t.passages).where(t.passages.c.source_id == "gazette-1815"))
        new_text = TEXTS["gazette-1815"].replace("in the evening", "at dusk, as the rain stopped")
        conn.execute(update(t.texts).where(t.texts.c.source_id == "gazette-1815").values(text=new_text))
        conn.execute(insert(t.passages), [{"source_id": "gazette-1815", "seq": i, "start": p.start, "end": p.end,
                                           "role": p.role, "sha1": p.sha1} for i, p in enumerate(segment(new_text))])
        # a removed source, and the events only it attested
        conn.execute(delete(t.event_mentions).where(t.event_mentions.c.source_id == "letters-1648"))
        conn.execute(delete(t.events).where(t.events.c.id.in_([3, 5])))
        conn.execute(delete(t.sources).where(t.sources.c.id == "letters-1648"))
        # an added source with a new event and a new entity
        _add_source(conn, "news-1989", "Crowds crossed the Berlin Wall on the night of 9 November 1989.\n")
        conn.execute(insert(t.entities).values(id=7, name="East Germany", type="state", component="test"))
        _add_event(conn, 7, "The Berlin Wall opened", "other", "1989-11-09", "1989-11-10", "single_source", None, [7],
                   ("news-1989", "Crowds crossed the Berlin Wall on the night of 9 November 1989."))
        # an event redated, relabelled and now contested
        conn.execute(update(t.events).where(t.events.c.id == 4).values(
            label="Abdication edict of the Qing court", earliest="1912-02-12", latest="1912-02-13", status="contested"))
        # an entity with a new alias: its events' search documents change though the events do not
        conn.execute(insert(t.aliases).values(entity_id=1, text="the Iron Duke", how="test"))
        # a historian's correction, which curate applies in every build without listing its event
        action = conn.execute(insert(t.curation_actions).values(
            uid="u1", kind="label", target={}, args={}, author="test", created_at=NOW, origin="library")).inserted_primary_key[0]
        conn.execute(insert(t.curated_fields).values(object="event", object_id=6, field="date", action_id=action,
                                                     author="test", created_at=NOW))
        conn.execute(update(t.events).where(t.events.c.id == 6).values(
            label="Yuan Shikai sworn in at Peking", earliest="1912-03-10", latest="1912-03-10"))
        # changes no stage lists: a status raised (as claims does), a place merged (as a correction of entities does)
        conn.execute(update(t.events).where(t.events.c.id == 1).values(status="contested"))
        conn.execute(update(t.events).where(t.events.c.id == 8).values(place=6))
    changes = Changes(added=frozenset({"news-1989"}), changed=frozenset({"gazette-1815"}), removed=frozenset({"letters-1648"}),
                      events={3, 4, 5, 7}, entities={1, 7})
    with caplog.at_level(logging.INFO, logger="timeweave.store.search"):
        reindex(engine, changes)
    assert "derived indexes updated" in caplog.text  # the incremental path ran, not a full one
    incremental, after = _index_tables(engine), _generation(engine)
    assert after != before
    assert [h["ref"] for h in search(engine, "Iron Duke")] == ["1"]  # found through the alias added to entity 1
    assert search(engine, "Westphalia") == []
    assert [h["ref"] for h in search(engine, "Peking")] == ["6"]
    assert {h["ref"] for h in search(engine, "Waterloo") if h["kind"] == "event"} == {"1", "8"}
    assert [h["ref"] for h in search(engine, "rain stopped")] == _passage_ids(engine, "gazette-1815", 1)
    reindex(engine)
    assert _index_tables(engine) == incremental
    assert _generation(engine) != after


def _passage_ids(engine, source_id: str, seq: int) -> list[str]:
    with engine.connect() as conn:
        return [str(r[0]) for r in conn.execute(text("SELECT id FROM passages WHERE source_id = :s AND seq = :q"),
                                                {"s": source_id, "q": seq})]


def test_a_reindex_with_nothing_changed_keeps_the_generation(tmp_path):
    engine = _history_store(tmp_path / "h.db")
    before = _generation(engine)
    reindex(engine, Changes())
    assert _generation(engine) == before
    reindex(engine, Changes(events={2}))
    assert _generation(engine) != before


def test_an_incremental_reindex_changes_no_table_definition(tmp_path):
    """An add's reindex replaces rows only: dropping and creating `timeline_arrays` changed SQLite's schema on every
    build (a third of an add's timeline write, and every open connection parses the schema again)."""
    engine = _history_store(tmp_path / "h.db")
    with engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    with engine.begin() as conn:
        conn.execute(update(t.events).where(t.events.c.id == 2).values(earliest="1815-06-19", latest="1815-06-19"))
    reindex(engine, Changes(events={2}))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA schema_version").scalar() == before
    incremental = _index_tables(engine)
    reindex(engine)
    assert _index_tables(engine) == incremental


def test_a_running_server_sees_every_reindex(tmp_path):
    """The server keeps the timeline's columns and each filter's events per generation: a build must never leave it stale."""
    engine = _history_store(tmp_path / "h.db")
    client = TestClient(create_app(tmp_path / "h.db"))  # its own engine, as `timeweave serve` beside a build
    first = client.get("/timeline.json?start=1600&end=1999").json()
    assert {e["id"] for e in first["events"]} == {1, 2, 3, 4, 5, 8} and first["undated"] == 1
    assert {e["id"] for e in client.get("/timeline.json?entity=2").json()["events"]} == {1, 2}
    with engine.begin() as conn:  # what a build does to the store: events redated, joined, removed
        conn.execute(update(t.events).where(t.events.c.id == 6).values(earliest="1912-03-10", latest="1912-03-10"))
        conn.execute(update(t.events).where(t.events.c.id == 1).values(earliest="1815-06-17", latest="1815-06-19"))
        conn.execute(insert(t.event_participants).values(event_id=4, entity_id=2, role="patient"))
        conn.execute(delete(t.events).where(t.events.c.id == 2))
    reindex(engine, Changes(changed=frozenset({"gazette-1815"}), events={1, 2, 4, 6}))
    second = client.get("/timeline.json?start=1600&end=1999").json()
    assert {e["id"] for e in second["events"]} == {1, 3, 4, 5, 6, 8} and second["undated"] == 0
    assert next(e for e in second["events"] if e["id"] == 1)["earliest"] == "1815-06-17"
    assert {e["id"] for e in client.get("/timeline.json?entity=2").json()["events"]} == {1, 4}
    with engine.begin() as conn:
        conn.execute(update(t.events).where(t.events.c.id == 4).values(status="corroborated"))
    reindex(engine)  # a full reindex (curation, `--full`) too
    assert {e["id"] for e in client.get("/timeline.json?status=contested").json()["events"]} == {5}


def _brute_force(rows, participants, mentions, *, a, b, bins, status=None, type_=None, entity=None, source=None):
    """Per-bin counts by status, recomputed event by event: (starting in the bin, overlapping it)."""
    days = b - a + 1
    bins = min(bins, days)
    starts, spread = {}, {}
    for eid, earliest, latest, st, ty, place in rows:
        if earliest is None or (status and st != status) or (type_ and ty != type_):
            continue
        if entity is not None and (eid, entity) not in participants and place != entity:
            continue
        if source is not None and (eid, source) not in mentions:
            continue
        d0, d1 = date.fromisoformat(earliest).toordinal(), date.fromisoformat(latest).toordinal()
        if d0 > b or d1 < a:
            continue
        first, last = (max(d0, a) - a) * bins // days, (min(d1, b) - a) * bins // days
        starts[(first, st)] = starts.get((first, st), 0) + 1
        for i in range(first, last + 1):
            spread[(i, st)] = spread.get((i, st), 0) + 1
    return starts, spread


def test_pages_of_a_search_are_slices_of_one_ranking(tmp_path):
    """Pages come from a ranking kept per generation: together they are the one long answer, in its order."""
    engine = _history_store(tmp_path / "h.db")
    whole = search(engine, "the", limit=500)
    assert len(whole) > 6
    pages = [hit for page in range(0, len(whole), 3) for hit in search(engine, "the", limit=3, offset=page)]
    assert pages == whole
    assert search(engine, "the", limit=3, offset=len(whole)) == []


def test_bins_count_what_a_brute_force_pass_counts(store_db):
    make_synthetic_store(store_db, 2500, seed=11)
    engine = open_store(store_db, create=False)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, earliest, latest, status, type, place FROM events")).all()
        participants = set(conn.execute(text("SELECT event_id, entity_id FROM event_participants")).all())
        mentions = set(conn.execute(text("SELECT event_id, source_id FROM event_mentions")).all())
    client = TestClient(create_app(engine))
    rng = random.Random(3)
    cases = [dict(), dict(status="contested"), dict(type_="treaty"), dict(entity=7), dict(source="s3"),
             dict(status="corroborated", entity=12)]
    for case in cases:
        for _ in range(4):
            a = date(1900, 1, 1).toordinal() + rng.randrange(30000)
            b = a + rng.choice([40, 400, 4000, 20000])
            bins = rng.choice([7, 50, 150])
            query = {"start": date.fromordinal(a).isoformat(), "end": date.fromordinal(b).isoformat(), "bins": bins, "max": 1}
            query |= {{"type_": "type"}.get(k, k): v for k, v in case.items()}
            data = client.get("/timeline.json", params=query).json()
            starts, spread = _brute_force(rows, participants, mentions, a=a, b=b, bins=bins, **case)
            assert data["total"] == sum(starts.values())
            if data["mode"] == "events":  # max=1: only an empty or one-event window
                assert data["total"] <= 1
                continue
            width = min(bins, b - a + 1)
            got_starts = {}
            got_spread = {}
            for row in data["bins"]:
                i = (date.fromisoformat(row["start"]).toordinal() - a) * width // (b - a + 1)
                assert (date.fromisoformat(row["end"]).toordinal() - a) * width // (b - a + 1) == i  # a bin's days are its own
                for st in ("corroborated", "single_source", "contested"):
                    if row[st]:
                        got_starts[(i, st)] = row[st]
                    if row["spread"][st]:
                        got_spread[(i, st)] = row["spread"][st]
            assert got_starts == starts, (case, query)
            assert got_spread == spread, (case, query)


@pytest.mark.slow
def test_a_real_incremental_build_leaves_the_index_a_full_reindex_writes(built_incremental):
    """Through `build`: adding, changing and removing a document (other centuries) updates the indexes incrementally."""
    from timeweave.build import build

    data = Path(__file__).parent / "data"
    folder, db, engine = built_incremental
    for step in ("add", "change", "remove"):
        if step == "add":
            shutil.copy(data / "incremental-steps" / "annals.txt", folder / "annals.txt")
        elif step == "change":
            shutil.copy(data / "incremental-steps" / "apollo.txt", folder / "apollo.txt")
        else:
            (folder / "hastings-wire.txt").unlink()
        report = build([folder], db=db, prune=step == "remove")
        assert report.corpus.startswith("incremental") and not report.stage_failures, (step, report.corpus)
        incremental = _index_tables(engine)
        reindex(engine)
        assert _index_tables(engine) == incremental, f"after {step}: the incremental index differs from a full reindex"


def test_days_pair_by_pair_equal_numpys_parse(monkeypatch):
    """A few thousand events are parsed pair by pair (memoised), more by numpy: the same days either way, odd dates too."""
    from timeweave.store import timeline_index as ti

    earliest = [None, "1939-08-20", "1939-02-30", "0000-01-01", "1939-08", "-0500-01-01", "1939-08-20", "1939-8-20x",
                "2000-01-01", "1939-08-20"]
    latest = ["1939-08-21", None, "1939-03-01", "0000-01-02", "1939-08", "-0500-01-02", "1939-08-31", "1939-8-20x",
              "2000-01-01", "1939-08-21"]
    for n in range(1, len(earliest) + 1):
        small = ti._days(earliest[:n], latest[:n])
        monkeypatch.setattr(ti, "SMALL", -1)
        parsed = ti._days(earliest[:n], latest[:n])
        monkeypatch.undo()
        for a, b in zip(small, parsed):
            assert a.dtype == b.dtype and a.tolist() == b.tolist()
    assert ti._days(["1939-08-20"], ["1939-08-31"])[1].tolist() == [date(1939, 8, 31).toordinal()]
