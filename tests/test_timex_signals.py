"""Signal words before a date: "before 1936" is known only by its end and dates no event."""

from __future__ import annotations

import edtf
from fastapi.testclient import TestClient
from sqlalchemy import select

from timeweave.annotate.timex import find_timexes
from timeweave.build import build
from timeweave.chronicle import chronicle, validate
from timeweave.serve import create_app
from timeweave.store import open_store
from timeweave.store import schema as t


def one(text: str):
    (timex,) = find_timexes(text)
    return timex


def test_before_and_after_open_the_interval_on_one_side():
    before = one("Before 1936 there was no treaty.")
    assert (before.value, before.modifier, before.earliest, before.latest, before.edtf) == (
        "1936", "BEFORE", None, "1935-12-31", "../1935-12-31")
    after = one("Shortly after 11 May 1939 they clashed again.")
    assert (after.modifier, after.earliest, after.latest, after.edtf) == ("AFTER", "1939-05-12", None, "1939-05-12/..")
    assert "only a beginning" in after.reason
    for timex in (before, after):
        edtf.parse_edtf(timex.edtf)


def test_by_and_since_keep_their_interval_and_say_so():
    by = one("By late August the Japanese had been expelled. ".replace("late August", "August 1939"))
    assert (by.modifier, by.earliest, by.latest) == ("ON_OR_BEFORE", "1939-08-01", "1939-08-31")
    since = one("Since mid 1932 the Politburo had decided everything.")
    assert since.modifier == "MID" and (since.earliest, since.latest) == ("1932-05-01", "1932-08-31")
    assert "on or after" in since.reason
    assert one("It ended in 1938.").modifier is None


def test_an_event_governed_by_an_open_date_stays_undated_through_the_store(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text(
        "Moscow and Ulaanbaatar talks.\n\nBefore 1936 Moscow refused to sign a treaty with Mongolia. "
        "The Soviet Union signed a protocol with Mongolia on 12 March 1936.\n", encoding="utf-8")
    db = tmp_path / "s.db"
    build([folder], db=db)
    engine = open_store(db, create=False)
    with engine.connect() as conn:
        timexes = {r.text: r for r in conn.execute(select(t.timexes))}
        mentions = list(conn.execute(select(t.event_mentions)))
        texts = {r.source_id: r.text for r in conn.execute(select(t.texts))}
    assert (timexes["1936"].earliest, timexes["1936"].latest, timexes["1936"].modifier) == (None, "1935-12-31", "BEFORE")
    opened = [m for m in mentions if "1936' (BEFORE)" in (m.when_reason or "")]
    assert opened and all(m.earliest is None and m.latest is None and m.when_kind == "undated" for m in opened)
    assert any(m.earliest == "1936-03-12" for m in mentions)  # the dated protocol is unaffected
    validate(chronicle(engine), texts=texts)
    client = TestClient(create_app(db))
    (source_id,) = texts
    page = client.get(f"/sources/{source_id}")
    assert page.status_code == 200 and "before 1935-12-31" in page.text
    assert client.get("/timeline.json").status_code == 200
