"""Curate on the bundled corpus: corrections hold after a rebuild, a new document and a changed document.

Events are found by what they are (their quotes, type and date), never by id: every build renumbers
them. The store is built once; the tests run in file order, each taking the corpus one step on.
"""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from timeweave import curate
from timeweave.build import build
from timeweave.chronicle.export import chronicle, validate
from timeweave.cli import app
from timeweave.overview import status
from timeweave.store import open_store
from timeweave.store import schema as t

RELATIONS = "relations, officially established in 1925"
PURCHASE = "purchase agreement signed"
PACT = "Anti-Comintern Pact"
MERGED: dict[str, tuple] = {}  # per store: a quote of the merged pair and how many events quoted it before

NEW_DOCUMENT = (  # another century and continent: nothing in it is about the bundled corpus
    "The Peace of Utrecht\n\n"
    "The Treaty of Utrecht was signed on 11 April 1713 by Great Britain and France. "
    "The war of the Spanish Succession ended with it in western Europe.\n"
)


def events(db) -> list[dict]:
    return chronicle(open_store(db, create=False))["events"]


def quoting(evs: list[dict], text: str) -> list[dict]:
    return [e for e in evs if any(text in q["quote"] for q in e["evidence"])]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, corpus_dir):
    folder = tmp_path_factory.mktemp("curate") / "khalkhin-gol"
    shutil.copytree(corpus_dir, folder)
    db = folder.parent / "kg.db"
    report = build([folder], db=db)
    assert report.failed == [] and len(report.read) == 5
    return folder, db


def _span(q: dict) -> tuple:
    return q["source"], q["start"], q["end"]


def _with_span(evs: list[dict], span: tuple) -> list[dict]:
    return [e for e in evs if span in {_span(q) for q in e["evidence"]}]


def _targets(db) -> tuple[dict, dict, list[dict]]:
    """The issue's three events. The two Anti-Comintern Pact events may be one already in the current
    reading; then the pair to merge is found by a general query: two events told by the same quote
    (each has that one piece of evidence), the same event read twice."""
    evs = events(db)
    relations = [e for e in quoting(evs, RELATIONS) if e["when"] and e["when"]["edtf"].startswith("1925")]
    purchase = [e for e in quoting(evs, PURCHASE) if e["type"] == "agreement"]
    assert len(relations) == 1 and len(purchase) == 1, "the bundled corpus no longer yields these events"
    pacts = [e for e in evs if PACT in e["label"]]
    if len(pacts) != 2:
        taken = {relations[0]["id"], purchase[0]["id"]}
        single = [e for e in evs if len(e["evidence"]) == 1 and e["id"] not in taken]
        pairs = [(a, b) for i, a in enumerate(single) for b in single[i + 1:]
                 if _span(a["evidence"][0]) == _span(b["evidence"][0])]
        assert pairs, "no two events share their one quote: pick another general pair"
        pacts = list(pairs[0])
    return relations[0], purchase[0], pacts


def test_three_corrections_apply_at_once(corpus):
    three_corrections(corpus[1])


def three_corrections(db) -> None:
    """The issue's three corrections (reject, date, merge), recorded through the library."""
    relations, purchase, pacts = _targets(db)
    curate.reject(db, relations["id"], note="relations are a state of affairs, not an event", by="A. Historian")
    curate.set_date(db, purchase["id"], "1935-03-23", note="the agreement's text is dated 23 March", by="A. Historian")
    span = _span(pacts[0]["evidence"][-1])
    MERGED[str(db)] = (span, len(_with_span(events(db), span)))
    curate.merge(db, [pacts[0]["id"], pacts[1]["id"]], note="one event", by="A. Historian")
    _check_three_hold(db)


def check_three_hold(db, merged_in=None) -> None:
    """The three corrections hold in the store at `db` (`merged_in`: the store they were first made in)."""
    _check_three_hold(db, merged_in)


def _check_three_hold(db, merged_in=None) -> None:
    evs = events(db)
    assert quoting(evs, RELATIONS) == [], "the rejected event is back"
    [purchase] = [e for e in quoting(evs, PURCHASE) if e["type"] == "agreement"]
    assert purchase["when"]["edtf"] == "1935-03-23" and purchase["when"]["earliest"] == "1935-03-23"
    assert purchase["when"]["reason"] == "date set by A. Historian: the agreement's text is dated 23 March"
    assert [m["field"] for m in purchase["curated"]] == ["date"] and purchase["curated"][0]["by"] == "A. Historian"
    span, before = MERGED[str(merged_in or db)]
    together = _with_span(evs, span)
    assert len(together) == before - 1, "the merged events are apart again"
    assert any("evidence" in [m["field"] for m in e.get("curated", [])] for e in together)
    engine = open_store(db, create=False)
    with engine.connect() as conn:
        compared = {r.event_id for r in conn.execute(t.comparisons.select())}
    assert compared <= {e["id"] for e in evs}
    document = chronicle(engine)
    with engine.connect() as conn:
        validate(document, texts={r.source_id: r.text for r in conn.execute(t.texts.select())})


def test_corrections_hold_after_a_new_document_and_a_rebuild(corpus):
    folder, db = corpus
    (folder / "utrecht-1713.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    report = build([folder], db=db)
    assert report.new == ["khalkhin-gol/utrecht-1713.txt"] and len(report.unchanged) == 5
    _check_three_hold(db)
    result = CliRunner().invoke(app, ["curate", "log", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    logged = json.loads(result.output)
    assert [a["kind"] for a in logged] == ["reject", "date", "merge"]
    assert [a["state"] for a in logged] == ["applied", "applied", "applied"]


def test_bad_input_is_refused_with_nothing_changed(corpus):
    _folder, db = corpus
    engine = open_store(db, create=False)

    def snapshot():
        with engine.connect() as conn:
            return (conn.execute(t.curation_actions.select()).all(), conn.execute(t.events.select()).all(),
                    conn.execute(t.event_mentions.select()).all())

    before = snapshot()
    evs = events(db)
    some = evs[0]["id"]
    bad = [
        (lambda: curate.reject(db, 10**6), "No event 1000000"),
        (lambda: curate.set_date(db, some, "1935-13-45", note="x"), "not an EDTF date"),
        (lambda: curate.set_date(db, some, "1935"), "needs its reason"),
        (lambda: curate.merge(db, [some, some]), "twice"),
        (lambda: curate.entity_type(db, 10**6, "person"), "No entity 1000000"),
        (lambda: curate.undo(db, 999), "No action '999'"),
        (lambda: curate.split(db, some, [f"{q['source']}:{q['start']}-{q['end']}" for q in evs[0]["evidence"]]),
         "leaves nothing behind"),
        (lambda: curate.set_type(db, some, "picnic"), "Unknown event type"),
    ]
    for call, words in bad:
        with pytest.raises(curate.CurateError, match=words):
            call()
    assert snapshot() == before
    result = CliRunner().invoke(app, ["curate", "merge", str(some), str(some), "--db", str(db)])
    assert result.exit_code == 2 and "twice" in result.output


def test_a_changed_document_re_anchors_and_a_vanished_quote_is_reported_stale(corpus):
    folder, db = corpus
    path = folder / "batbayar-2000-soviet-japanese-confrontation.txt"
    text = path.read_text(encoding="utf-8")
    evs = events(db)
    held = [_span(q) for e in evs for q in e["evidence"] if e.get("curated") or RELATIONS in q["quote"]]
    held.append(MERGED[str(db)][0])

    def apart(q: dict) -> bool:  # the victim's quote overlaps no quote a correction holds on
        return all(q["source"] != s or q["end"] <= a or b <= q["start"] for s, a, b in held)

    lone = [e for e in evs if len(e["evidence"]) == 1 and e["evidence"][0]["source"].startswith("batbayar")
            and apart(e["evidence"][0]) and text.count(e["evidence"][0]["quote"]) == 1]
    victim = lone[-1]
    curate.set_label(db, victim["id"], "A label that must not land elsewhere", note="test", by="A. Historian")
    changed = "An added opening paragraph shifts every offset below it.\n\n" + text.replace(victim["evidence"][0]["quote"], "")
    path.write_text(changed, encoding="utf-8")
    report = build([folder], db=db)
    assert "khalkhin-gol/batbayar-2000-soviet-japanese-confrontation.txt" in report.changed
    _check_three_hold(db)
    assert not [e for e in events(db) if e["label"] == "A label that must not land elsewhere"]
    logged = curate.log(db)
    assert [a["state"] for a in logged] == ["applied", "applied", "applied", "stale"]
    assert "no longer found" in logged[-1]["detail"]
    assert [a["kind"] for a in status(db).curation["stale"]] == ["label"]


def test_undo_recomputes_and_restores(corpus):
    _folder, db = corpus
    reject = curate.log(db)[0]
    assert reject["kind"] == "reject"
    curate.restore(db, reject["id"], note="on reflection it belongs", by="B. Reviewer")
    assert len(quoting(events(db), RELATIONS)) == 1
    states = [a["state"] for a in curate.log(db)]
    assert states[0] == "undone" and states[-1] == "applied"
    _purchase_dated(db)


def _purchase_dated(db) -> None:
    [purchase] = [e for e in quoting(events(db), PURCHASE) if e["type"] == "agreement"]
    assert purchase["when"]["edtf"] == "1935-03-23"


def test_an_undo_recomputes_what_its_action_touched_with_a_full_recompute_s_rows(corpus, tmp_path, caplog):
    """An undo runs the corpus stages over the sources its action edited (not the whole store), and
    the store it leaves is the one a full recompute writes, kind by kind."""
    import logging
    import sqlite3

    from sqlalchemy import select

    from test_curate_actions import _entities_with_aliases, _events_by_evidence, dump
    from test_timeline_index import _index_tables
    from timeweave.curate.record import recompute

    _folder, db = corpus
    who = {"by": "A. Historian", "note": "checked against the archive"}

    def state(engine) -> dict:
        """Every row the stages and the log write; statements by their rank in their comparison (their
        row ids are an autoincrement, which a full rewrite renews)."""
        statements: dict[int, list] = {}
        with engine.connect() as conn:
            claims = sorted(tuple(r) for r in conn.execute(select(t.claims)))
            for r in conn.execute(select(t.comparison_statements).order_by(t.comparison_statements.c.id)):
                statements.setdefault(r.comparison_id, []).append((r.source_id, r.start, r.end, r.value))
        return dump(engine) | _index_tables(engine) | {"claims": claims, "comparison_statements": sorted(statements.items())}

    def merge(engine):
        fewest = [e for e, _evidence in _events_by_evidence(engine)][-2:]
        return curate.merge(engine, fewest, **who)

    def split(engine):
        event, evidence = _events_by_evidence(engine)[0]
        return curate.split(engine, event, evidence[:1], label="A part told apart", **who)

    def entity_merge(engine):
        entities = _entities_with_aliases(engine)
        return curate.entity_merge(engine, [entities[0][0], entities[1][0]], **who)

    actions = {"merge": merge, "split": split, "entity_merge": entity_merge,
               "reject": lambda engine: curate.reject(engine, _events_by_evidence(engine)[0][0], **who),
               "date": lambda engine: curate.set_date(engine, _events_by_evidence(engine)[1][0], "1936-02", **who)}
    for kind, act in actions.items():
        with sqlite3.connect(db) as source, sqlite3.connect(tmp_path / f"{kind}.db") as copy:
            source.backup(copy)  # what the write-ahead log holds too
        engine = open_store(tmp_path / f"{kind}.db", create=False)
        action = act(engine)
        assert action["state"] == "applied", action
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="timeweave.corpus"):
            curate.undo(engine, action["id"], **who)
        assert "corpus stages: incremental (0 added" in caplog.text, kind  # not a full recompute
        undone = state(engine)
        recompute(engine)  # every stage over the whole store
        assert state(engine) == undone, kind
        engine.dispose()
