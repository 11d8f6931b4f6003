"""The catalog reads the folder listings discovery kept instead of listing each folder again.

The corpus is from elsewhere (a 1620s Dutch trading post's letters); only the catalog files matter."""

from __future__ import annotations

import json
from pathlib import Path

from timeweave.ingest.catalog import load_catalog
from timeweave.ingest.discover import discover


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _corpus(tmp_path: Path) -> Path:
    root = tmp_path / "batavia-letters"
    _write(root / "coen-1621.txt", "Coen wrote from Batavia in March 1621 that the ships had sailed.\n")
    _write(root / "sub" / "specx-1623.txt", "Specx reached Hirado in August 1623 with two ships.\n")
    _write(root / "sources.json", json.dumps([{"id": "coen", "file": "coen-1621.txt", "type": "letter", "title": "Letter"}]))
    _write(root / "sub" / "letters.csl.json", json.dumps([{"id": "specx", "file": "specx-1623.txt", "type": "letter",
                                                           "title": "Report"}]))
    return root


def _ids(catalog, files):
    return [(catalog.lookup(path) or {}).get("id") for path in files]


def test_the_catalog_from_discoverys_listings_equals_a_fresh_listing(tmp_path):
    found = discover([_corpus(tmp_path)])
    with_listings = load_catalog(found.files, roots=found.roots, listings=found.listings)
    listed_again = load_catalog(found.files, roots=found.roots)
    assert _ids(with_listings, found.files) == _ids(listed_again, found.files) == ["coen", "specx"]
    assert with_listings.problems == listed_again.problems == []


def test_the_listings_are_what_the_catalog_reads(tmp_path):
    found = discover([_corpus(tmp_path)])
    # A listing without the catalog's name: the folder is not listed again, so its catalog is not read.
    listings = {folder: [n for n in names if n != "sources.json"] for folder, names in found.listings.items()}
    catalog = load_catalog(found.files, roots=found.roots, listings=listings)
    assert _ids(catalog, found.files) == [None, "specx"]
