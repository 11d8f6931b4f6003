"""What a build logs about a broken catalog: each problem once (the catalog logs it when found; the build records
it, T014, without logging it again), and still as a failure row and in the report. A Venetian notary's papers,
not from our corpora."""

from __future__ import annotations

import logging

from sqlalchemy import select

from timeweave.build import build
from timeweave.store import open_store
from timeweave.store import schema as t


def test_a_broken_catalog_is_logged_once_and_recorded(tmp_path, caplog):
    folder = tmp_path / "notary"
    folder.mkdir()
    (folder / "deed.txt").write_text("A deed of sale\n\nOn 3 March 1502 the notary recorded the sale of a house "
                                     "in Cannaregio to the merchant Zorzi.\n", encoding="utf-8")
    (folder / "sources.json").write_text('[{"id": "deed", "title": "A deed"', encoding="utf-8")  # cut short
    db = tmp_path / "notary.db"
    with caplog.at_level(logging.WARNING):
        report = build([folder], db=db, config={"embeddings": False})
    logged = [r for r in caplog.records if "T014" in r.getMessage()]
    assert len(logged) == 1, [r.getMessage() for r in logged]
    assert [f.code for f in report.failed] == ["T014"]
    with open_store(db).connect() as conn:
        assert conn.execute(select(t.failures.c.code)).scalars().all() == ["T014"]
