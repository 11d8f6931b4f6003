"""Curate on PostgreSQL as on SQLite, and the log carried to another store as W3C Web Annotations.

The cluster is real (started by `postgres_url` in conftest.py). The three corrections of the issue
are made on a PostgreSQL store, hold after a rebuild with a new document, and are then exported as
Web Annotations and imported into a separate SQLite build of the same sources, where they hold too.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import empty_postgres

from test_curate import NEW_DOCUMENT, check_three_hold, three_corrections
from timeweave import curate
from timeweave.build import build
from timeweave.curate.webanno import export_log, import_log


@pytest.fixture(scope="module")
def folder(tmp_path_factory, corpus_dir):
    path = tmp_path_factory.mktemp("curate-pg") / "khalkhin-gol"
    shutil.copytree(corpus_dir, path)
    return path


@pytest.fixture(scope="module")
def pg_store(postgres_url, folder):
    empty_postgres(postgres_url)  # a fresh schema: this module owns the database while it runs
    report = build([folder], db=postgres_url)
    assert report.failed == [] and len(report.read) == 5
    return postgres_url


def test_the_round_trip_on_postgresql(pg_store, folder):
    three_corrections(pg_store)
    (folder / "utrecht-1713.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    report = build([folder], db=pg_store)
    assert report.new == ["khalkhin-gol/utrecht-1713.txt"]
    check_three_hold(pg_store)
    assert [(a["kind"], a["state"]) for a in curate.log(pg_store)] == [("reject", "applied"), ("date", "applied"), ("merge", "applied")]


def test_web_annotations_carry_the_log_to_another_store(pg_store, folder, tmp_path):
    out = export_log(pg_store, tmp_path / "corrections.jsonld")
    document = json.loads(out.read_text(encoding="utf-8"))
    items = document["first"]["items"]
    assert document["type"] == "AnnotationCollection" and len(items) == 3
    for item in items:
        assert item["creator"]["name"] == "A. Historian"
        for target in item["target"]:
            kinds = [s["type"] for s in target["selector"]]
            assert kinds == ["TextQuoteSelector", "TextPositionSelector"]
    other = tmp_path / "other.db"
    build([folder], db=other)
    assert import_log(other, out) == (3, 0)
    check_three_hold(other, merged_in=pg_store)
    assert import_log(other, out) == (0, 3)  # the same file twice adds nothing
    assert len(curate.log(other)) == 3
