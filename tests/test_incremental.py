"""Incremental builds give the store a full build gives: the same chronicle after adding, changing and
removing a document.

One store is built step by step (the corpus stages revisit only what changed); after each step a
fresh store is built from the same folder with `full=True`, and the two chronicle exports must be
equal, ids included. Nothing is excluded: the export holds no run metadata, and entity ids are a
hash of type and name, so equal stores have equal ids. The folder mixes two bundled texts with
texts written for this test (tests/data/incremental: other centuries, with a paragraph one text
copies from another, so the copies stage has marks to move; the bundled texts make claims and claim
comparisons), so a stage whose incremental path diverges from its full one fails here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from timeweave.build import build
from timeweave.chronicle import chronicle
from timeweave.store import open_store
from timeweave.store import schema as t

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data"
BUNDLED = ("batunaev-2019-khalkhin-gol.txt", "zhabaeva-2021-stalin-genden.txt")


def export(db: Path) -> dict:
    return chronicle(open_store(db, create=False))


def copies(db: Path) -> list[tuple]:
    """(source, seq, first source, first seq, kind) of each passage marked as a copy of another document's."""
    with open_store(db, create=False).connect() as conn:
        rows = conn.execute(select(t.passages)).all()
    where = {r.id: (r.source_id, r.seq) for r in rows}
    return sorted((*where[r.id], *where[r.duplicate_of], r.duplicate_kind) for r in rows if r.duplicate_scope == "across")


def assert_same(incremental: Path, folder: Path, tmp_path: Path, step: str) -> dict:
    """The incremental store equals a full build of `folder` in a fresh store; returns its export."""
    reference = tmp_path / f"full-{step}.db"
    build([folder], db=reference, full=True)
    got, want = export(incremental), export(reference)
    for section in want:
        assert json.dumps(got[section], sort_keys=True, indent=1) == json.dumps(want[section], sort_keys=True, indent=1), \
            f"after {step}: the incremental store's {section} differ from a full build's"
    assert copies(incremental) == copies(reference), f"after {step}: copy marks differ"
    return got


def uses(chronicle: dict, source_id: str) -> list[str]:
    """The aliases that `source_id` uses, by entity name."""
    return [f"{e['name']}: {a['text']}" for e in chronicle["entities"] for a in e["aliases"] if source_id in a["sources"]]


@pytest.fixture()
def folder(tmp_path, corpus_dir) -> Path:
    target = tmp_path / "episodes"
    shutil.copytree(DATA / "incremental", target)
    for name in BUNDLED:
        shutil.copy(corpus_dir / name, target / name)
    return target


def test_add_change_remove_give_what_a_full_build_gives(folder, tmp_path):
    db = tmp_path / "incremental.db"
    first = build([folder], db=db)
    assert first.corpus == "full" and not first.stage_failures
    built = assert_same(db, folder, tmp_path, "the first build")
    assert copies(db), "the wire story copies the chronicle's paragraph: the copies stage must mark it"
    assert built["claims"] and any(c["field"].startswith("claim:") for c in built["comparisons"]), \
        "the texts must make claims and claim comparisons, for the claims stage's incremental path to be compared"
    where = [(c["source"], c["start"], c["end"]) for c in built["claims"]]
    assert where == sorted(where), "the export lists claims in reading order (their ids are hashes, not positions)"

    ids = {(e["type"], e["name"]): e["id"] for e in export(db)["entities"]}
    shutil.copy(DATA / "incremental-steps" / "annals.txt", folder / "annals.txt")
    added = build([folder], db=db)
    assert added.corpus.startswith("incremental (1 added, 0 changed, 0 removed)"), added.corpus
    after_add = assert_same(db, folder, tmp_path, "adding a document")
    assert uses(after_add, "annals"), "the added document's names must join entities"
    kept = {(e["type"], e["name"]): e["id"] for e in after_add["entities"]}.items() & ids.items()
    assert len(kept) >= len(ids) - 2, "an entity keeps its id while its name and type stay"

    shutil.copy(DATA / "incremental-steps" / "apollo.txt", folder / "apollo.txt")
    changed = build([folder], db=db)
    assert changed.corpus.startswith("incremental (0 added, 1 changed, 0 removed)"), changed.corpus
    after_change = assert_same(db, folder, tmp_path, "changing a document")
    assert "Michael Collins" in {e["name"] for e in after_change["entities"]}

    (folder / "annals.txt").unlink()
    removed = build([folder], db=db, prune=True)
    assert removed.pruned and removed.corpus.startswith("incremental (0 added, 0 changed, 1 removed)"), removed.corpus
    after_remove = assert_same(db, folder, tmp_path, "removing a document")
    assert not uses(after_remove, "annals")

    again = build([folder], db=db)
    assert again.corpus == "unchanged" and export(db) == after_remove


def test_an_interrupted_build_and_a_failed_stage_are_caught_up(folder, tmp_path, monkeypatch):
    """A build killed after storing a document but before its corpus stages: the next build, which finds
    the file unchanged, still hands that document to the stages (the store says what they saw). A stage
    rolled back by an error forgets the stages' record, so the next build recomputes them all."""
    import timeweave.build
    import timeweave.store.copies as copies_module

    db = tmp_path / "caught-up.db"
    build([folder], db=db)
    shutil.copy(DATA / "incremental-steps" / "annals.txt", folder / "annals.txt")
    monkeypatch.setattr(timeweave.build, "corpus_stages", lambda *args, **kwargs: [])  # as if killed here
    assert build([folder], db=db).new == ["episodes/annals.txt"]
    monkeypatch.undo()
    resumed = build([folder], db=db)
    assert resumed.new == [] and resumed.corpus.startswith("incremental (1 added, 0 changed, 0 removed)"), resumed.corpus
    assert uses(export(db), "annals")

    (folder / "apollo.txt").write_text((folder / "apollo.txt").read_text() + "\nNASA said the flight went well.\n")

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(copies_module, "mark_cross_document_duplicates", broken)
    assert build([folder], db=db).stage_failures == ["copies across documents"]
    monkeypatch.undo()
    assert build([folder], db=db).corpus == "full"
    assert_same(db, folder, tmp_path, "an interrupted build and a failed stage")


def test_full_flag_reaches_the_build_through_the_cli(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import timeweave.build
    from timeweave.build import BuildReport
    from timeweave.cli import app

    asked = []

    def fake_build(paths, **kwargs):
        asked.append(kwargs["full"])
        return BuildReport(run_id=1, corpus="full" if kwargs["full"] else "unchanged")

    monkeypatch.setattr(timeweave.build, "build", fake_build)
    for flags in (["--full"], []):
        result = CliRunner().invoke(app, ["build", str(tmp_path), "--db", str(tmp_path / "x.db"), *flags])
        assert result.exit_code == 0, result.output
    assert asked == [True, False]
    assert "corpus stages: unchanged" in result.output
