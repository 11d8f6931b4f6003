"""Discovery of documents under user paths and loading of the CSL-JSON catalogs beside them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from timeweave.ingest import errors as codes
from timeweave.ingest.catalog import load_catalog
from timeweave.ingest.discover import discover
from timeweave.ingest.read import read_document


def touch(path: Path, text: str = "Some text about 1939.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_walks_sorts_dedups_and_skips(tmp_path):
    corpus = tmp_path / "corpus"
    b = touch(corpus / "b.txt")
    a = touch(corpus / "sub" / "a.md")
    touch(corpus / "page.HTML")
    touch(corpus / ".git" / "HEAD.txt")
    touch(corpus / ".hidden.txt")
    touch(corpus / "README.md")
    touch(corpus / "LICENSE")
    licensed = touch(corpus / "licensed-copy.txt")
    touch(corpus / "sources.json", "[]")
    touch(corpus / "extra.csl.json", "[]")
    touch(corpus / "aliases.csv", "a,b")
    touch(corpus / "image.png")
    found = discover([corpus, b, str(corpus / "sub")])  # b and sub/a.md reached twice
    assert found.files == sorted([b, a, corpus / "page.HTML", licensed], key=str)
    assert {s.path.name: s.reason for s in found.skipped} == {
        "README.md": "corpus documentation, not a source",
        "LICENSE": "corpus documentation, not a source",
        "image.png": "unknown extension '.png'; supported: .docx, .htm, .html, .md, .pdf, .txt",
    }
    assert found.failures == []
    assert found.file_keys() == [found.key(f) for f in found.files]  # kept by discovery, the first key of each file
    assert found.file_keys()[:2] == ["corpus/b.txt", "corpus/licensed-copy.txt"]
    # every name in a walked folder that may be a catalog or aliases file, for the catalog (hidden ones too)
    assert {folder: sorted(names) for folder, names in found.listings.items()} == {
        corpus.resolve(): ["aliases.csv", "extra.csl.json", "sources.json"], (corpus / "sub").resolve(): []}


def test_odd_names_are_decided_as_before_and_every_file_keeps_its_stat(tmp_path):
    """The fast path for plain files (a name test and one stat) decides like the general one, and each file found
    keeps the stat discovery took (followed through a link), which the build compares instead of hashing."""
    import time

    corpus = tmp_path / "corpus"
    kept = [touch(corpus / name) for name in ("UPPER.TXT", "two.dots.md", "x.htm")]
    for name in ("trailing.", "noext", "Sources.JSON", "Readme.TXT", "readme-notes.txt", "licence_old.md", "a.TXT.bak"):
        touch(corpus / name)
    (corpus / "dir.txt").mkdir()
    touch(corpus / "dir.txt" / "inner.txt")
    os.symlink(corpus / "x.htm", corpus / "link.txt")
    alone = touch(tmp_path / "alone.txt")
    before = time.time_ns()
    found = discover([corpus, alone])
    inner, link = corpus / "dir.txt" / "inner.txt", corpus / "link.txt"
    assert found.files == sorted([*kept[:2], link, inner, alone], key=str)  # x.htm is link.txt's target: read once
    assert sorted(s.path.name for s in found.skipped) == ["Readme.TXT", "a.TXT.bak", "licence_old.md", "noext",
                                                          "readme-notes.txt", "trailing."]
    assert before - 10**9 < found.began_ns <= before + 10**9
    for path in [*found.files, kept[2]]:
        assert found.stats[path] == os.stat(path), path
    assert found.file_keys() == [found.key(f) for f in found.files] == [
        f"{tmp_path.name}/alone.txt", "corpus/UPPER.TXT", "corpus/dir.txt/inner.txt", "corpus/link.txt", "corpus/two.dots.md"]


def test_named_readme_is_read(tmp_path):
    readme = touch(tmp_path / "README.md")
    assert discover([readme]).files == [readme]


def test_missing_path_and_symlink_loop_are_failures(tmp_path):
    corpus = tmp_path / "corpus"
    touch(corpus / "a.txt")
    os.symlink(corpus, corpus / "again")  # a link back to its own folder
    os.symlink(tmp_path / "self", tmp_path / "self")  # a link to itself
    os.symlink(tmp_path / "nowhere.txt", corpus / "dangling.txt")
    found = discover([corpus, tmp_path / "missing", tmp_path / "self"])
    assert found.files == [corpus / "a.txt"]
    by_path = {Path(e.path).name: e.code for e in found.failures}
    assert by_path == {"again": codes.SYMLINK_LOOP, "self": codes.SYMLINK_LOOP,
                       "dangling.txt": codes.NOT_FOUND, "missing": codes.NOT_FOUND}
    for error in found.failures:
        assert error.reason and error.hint and error.path in str(error)


def test_unreadable_folder_is_a_failure(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    touch(corpus / "locked" / "a.txt")
    real_scandir = os.scandir

    def scandir(path):  # root ignores chmod 000, so simulate the permission error
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover([corpus])
    assert found.files == [] and [e.code for e in found.failures] == [codes.UNREADABLE]
    assert "permission denied" in found.failures[0].reason


def record(file: str, **extra) -> dict:
    return {"id": file.split(".")[0], "file": file, "type": "article-journal", "title": f"Title of {file}", **extra}


def test_catalog_lookup_and_read(tmp_path):
    doc_path = touch(tmp_path / "a.txt", "Zhukov attacked on 20 August 1939 along the whole front line.\n")
    touch(tmp_path / "sources.json", json.dumps([record("a.txt", author=[{"family": "Coox", "given": "Alvin D."}],
                                                        issued={"date-parts": [[1985, 3, 2]]}, DOI="10.1234/abc.")]))
    catalog = load_catalog([doc_path])
    assert catalog.lookup(doc_path)["id"] == "a" and catalog.problems == []
    meta = read_document(doc_path, display_path="a.txt", catalog=catalog).meta
    assert (meta.id, meta.title, meta.authors, meta.issued, meta.doi, meta.origin) == (
        "a", "Title of a.txt", ["Alvin D. Coox"], "1985-03-02", "10.1234/abc", "csl-json")
    assert meta.kind == "scholarly_article"


def test_catalog_problems_never_crash(tmp_path):
    good = touch(tmp_path / "good" / "a.txt")
    touch(tmp_path / "good" / "sources.json", json.dumps([record("a.txt"), "junk", record("missing.txt"), record("a.txt")]))
    bad = touch(tmp_path / "bad" / "b.txt")
    touch(tmp_path / "bad" / "sources.json", "[{\"id\": \"b\", \"file\": \"b.txt\",}")
    catalog = load_catalog([good, bad])
    assert catalog.lookup(good)["id"] == "a" and catalog.lookup(bad) is None
    found = sorted((e.code, Path(e.path.split(" record")[0]).parent.name) for e in catalog.problems)
    assert found == [(codes.CATALOG_INVALID, "bad"), (codes.CATALOG_RECORD, "good"), (codes.CATALOG_RECORD, "good"),
                     (codes.CATALOG_RECORD, "good")]
    invalid = next(e for e in catalog.problems if e.code == codes.CATALOG_INVALID)
    assert "line 1" in invalid.reason and "sources.json" in str(invalid)
    assert read_document(bad, display_path="b.txt", catalog=catalog).meta.origin == "extracted"


def test_catalog_record_without_file_matches_by_id(tmp_path):
    doc_path = touch(tmp_path / "coox-1985.txt")
    touch(tmp_path / "refs.csl.json", json.dumps({"id": "coox-1985", "type": "book", "title": "Nomonhan",
                                                  "issued": {"date-parts": [[1985], [1990]]}}))
    meta = read_document(doc_path, display_path="coox-1985.txt", catalog=load_catalog([doc_path])).meta
    assert meta.title == "Nomonhan" and meta.issued == "1985/1990"
