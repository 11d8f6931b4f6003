"""Reconcile on the bundled Khalkhin Gol corpus, built by the real pipeline (one build per session).

These check the issue's acceptance cases through general behaviour only: nothing in reconcile
names a document, a person or a date of this corpus. A build that yields no dated event mentions
is a regression of an upstream stage and fails here (it used to skip).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from timeweave.chronicle import chronicle, validate
from timeweave.store import schema as t


@pytest.fixture(scope="session")
def built(tmp_path_factory, corpus_dir):
    from timeweave.build import build

    db = tmp_path_factory.mktemp("kg") / "kg.db"
    report = build([corpus_dir], db=db)
    from timeweave.store import open_store

    engine = open_store(db)
    with engine.connect() as conn:
        dated = conn.execute(select(t.event_mentions.c.id).where(t.event_mentions.c.earliest.is_not(None))).first()
    assert report.counts.get("event_mentions", 0) > 0 and dated is not None, (
        f"the bundled corpus yields no dated event mentions: an upstream stage regressed (counts: {report.counts})")
    return engine


def _events(engine) -> list[dict]:
    with engine.connect() as conn:
        texts = {r.source_id: r.text for r in conn.execute(select(t.texts))}
        out = []
        for e in conn.execute(select(t.events)):
            members = conn.execute(select(t.event_mentions).where(t.event_mentions.c.event_id == e.id)).all()
            out.append({"row": e, "sources": {m.source_id for m in members},
                        "quotes": [texts[m.source_id][m.start:m.end] for m in members],
                        "comparisons": _comparisons(conn, e.id, texts)})
        return out


def _comparisons(conn, event_id: int, texts) -> list[dict]:
    out = []
    for c in conn.execute(select(t.comparisons).where(t.comparisons.c.event_id == event_id)):
        statements = conn.execute(select(t.comparison_statements).where(t.comparison_statements.c.comparison_id == c.id)).all()
        out.append({"kind": c.kind, "field": c.field, "explanation": c.explanation,
                    "statements": [(s.source_id, texts[s.source_id][s.start:s.end], s.value) for s in statements]})
    return out


def _tree(events: list[dict], root_id: int) -> list[dict]:
    ids, changed = {root_id}, True
    while changed:
        changed = False
        for e in events:
            if e["row"].part_of in ids and e["row"].id not in ids:
                ids.add(e["row"].id)
                changed = True
    return [e for e in events if e["row"].id in ids]


def test_chronicle_export_validates(built):
    with built.connect() as conn:
        texts = {r.source_id: r.text for r in conn.execute(select(t.texts))}
    validate(chronicle(built), texts=texts)


def test_protocol_of_march_1936_is_corroborated_by_three_voices(built):
    found = [e for e in _events(built) if e["row"].type == "treaty" and e["row"].edtf == "1936-03-12"]
    assert found, "no treaty event dated 12 March 1936"
    best = max(found, key=lambda e: len(e["sources"]))
    assert best["row"].status == "corroborated"
    (agree,) = [c for c in best["comparisons"] if c["kind"] == "agree" and c["field"] == "date"]
    authors = {s[0].split("-")[0] for s in agree["statements"]}  # one family name per voice in this corpus
    assert len(authors) >= 3, agree


def test_first_deployment_of_june_1936_is_single_source(built):
    found = [e for e in _events(built) if e["row"].type == "deployment" and e["row"].edtf == "1936-06"]
    assert found, "no deployment dated June 1936"
    for e in found:
        assert e["row"].status == "single_source"
        assert any(c["kind"] == "single_source" and c["field"] == "date" for c in e["comparisons"])


def test_kremlin_talks_show_24_and_27_november(built):
    events = _events(built)
    talks = [e for e in events if e["row"].type in ("meeting", "negotiation") and (e["row"].earliest or "").startswith("1934-11")]
    days = {e["row"].earliest for e in talks}
    assert {"1934-11-24", "1934-11-27"} <= days
    explained = [c for e in talks for c in e["comparisons"] if c["kind"] == "contradict" and c["field"] == "date"
                 and {"24 November 1934", "27 November 1934"} <= {s[2] for s in c["statements"]}]
    assert explained, "the 24 vs 27 November difference is not reported"


def test_victory_of_11_may_is_flagged_against_the_later_end_of_the_war(built):
    events = _events(built)
    flagged = [c for e in events for c in e["comparisons"] if c["kind"] == "contradict" and c["field"] == "outcome_date"]
    assert flagged, "no outcome-date contradiction"
    quotes = " ".join(s[1] for c in flagged for s in c["statements"])
    assert "securing victory" in quotes and ("expelled" in quotes or "cease hostilities" in quotes)


def test_may_clash_is_part_of_the_1939_war(built):
    events = _events(built)
    clash = [e for e in events if e["row"].edtf == "1939-05-11"]
    assert clash and any(e["row"].part_of is not None for e in clash)


def test_opposite_framings_of_the_1939_war_side_by_side(built):
    events = _events(built)
    framings = [c for e in events for c in e["comparisons"] if c["kind"] == "differ_in_framing"]
    sides = [c for c in framings if {"russian-mfa-2024-khalkhin-gol-85", "batbayar-2000-soviet-japanese-confrontation"}
             <= {s[0] for s in c["statements"]}]
    assert sides, framings
    quotes = " ".join(s[1] for c in sides for s in c["statements"])
    assert "invasion" in quotes.lower()
