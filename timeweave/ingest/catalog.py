"""Bibliographic records that users keep beside their documents, as Zotero exports them (CSL-JSON).

A folder's `sources.json` (or any `*.csl.json`) holds a list of CSL-JSON items; each item's `file`
field names its document relative to the JSON's folder. A record beats anything extracted from the
text, because a person wrote it. A broken catalog must not stop a build: its problems are collected
in `Catalog.problems` (T014/T015) and the affected documents fall back to extracted metadata.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Sequence

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes
from timeweave.ingest.files import read_regular, safe_name
from timeweave.ingest.manifest import MANIFEST_HINT, MANIFEST_NAMES, as_csl, read_lines

MAX_CATALOG_BYTES = 50 * 2**20  # a catalog is a list of references; a larger file is not one
MAX_FIELD_CHARS = 20_000  # a title, an abstract or a note fits; a longer value is a paste gone wrong
MAX_RECORD_CHARS = 200_000  # a record of many authors fits; a larger one is not a reference

log = logging.getLogger(__name__)

CATALOG_NAMES = ("sources.json",) + MANIFEST_NAMES  # a manifest.jsonl: one record a line (`manifest`)
CATALOG_SUFFIX = ".csl.json"


class Catalog:
    """CSL-JSON records keyed by the resolved path of the document they describe."""

    def __init__(self) -> None:
        self.records: dict[Path, dict] = {}
        self.problems: list[IngestError] = []
        self.loaded: list[Path] = []
        self._by_stem: dict[tuple[Path, str], dict] = {}

    def lookup(self, path: Path) -> dict | None:
        """The record whose `file` names `path`; failing that, a file-less record whose `id` is its stem."""
        try:
            key = Path(path).resolve()
        except (OSError, RuntimeError):
            return None
        return self.records.get(key) or self._by_stem.get((key.parent, key.stem))

    def add_file(self, json_path: Path) -> None:
        """Load one catalog file; every problem is recorded, none is raised."""
        json_path = Path(json_path)
        self.loaded.append(json_path)
        manifest = json_path.suffix.lower() == ".jsonl"  # one record a line (`manifest`), each line on its own
        try:
            raw = read_regular(json_path, str(json_path), MAX_CATALOG_BYTES).decode("utf-8-sig")
            data = read_lines(raw) if manifest else json.loads(raw)
        except IngestError as exc:  # a pipe, a device, empty, or over the limit: checked before reading
            code = codes.CATALOG_INVALID if exc.code in (codes.EMPTY, codes.TOO_LARGE) else exc.code
            self._problem(code, json_path, exc.reason, "Fix or remove the catalog file; until then its documents use "
                          "metadata extracted from their text.")
            return
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
            what = "is not a UTF-8 manifest (one JSON object a line)" if manifest else "is not valid CSL-JSON"
            fix = "Save it as UTF-8" if isinstance(exc, UnicodeDecodeError) else "Fix the JSON"
            self._problem(codes.CATALOG_INVALID, json_path, f"{what}: {_short(exc)}{where}",
                          f"{fix}; until then its documents use metadata extracted from their text.")
            return
        if manifest:
            records, broken = data
            for line, reason in broken:
                self._problem(codes.CATALOG_RECORD, f"{json_path} line {line}", reason, MANIFEST_HINT)
            for line, item in records:
                self._add_record(json_path, line - 1, as_csl(item), where=f"{json_path} line {line}")
            return
        items = data.get("items") if isinstance(data, dict) and "items" in data else data
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            self._problem(codes.CATALOG_INVALID, json_path, "is not a list of CSL-JSON records",
                          "Export the collection from Zotero as CSL JSON.")
            return
        for index, item in enumerate(items):
            self._add_record(json_path, index, as_csl(item))

    def _add_record(self, json_path: Path, index: int, item: object, *, where: str | None = None) -> None:
        where = where or f"{json_path} record {index + 1}"
        if not isinstance(item, dict):
            self._problem(codes.CATALOG_RECORD, where, "is not a JSON object", "Remove it or make it a CSL-JSON item.")
            return
        item = self._bounded(item, where)
        if item is None:
            return
        folder = json_path.parent.resolve()
        name = item.get("file")
        if not name:
            if item.get("id"):
                self._by_stem.setdefault((folder, str(item["id"])), item)
            return
        target = (folder / str(name)).resolve()
        if not target.exists():
            self._problem(codes.CATALOG_RECORD, where, f"names the file {name!r}, which does not exist",
                          "Fix the 'file' field or add the document.")
            return
        if target in self.records:
            self._problem(codes.CATALOG_RECORD, where, f"names {name!r}, which an earlier record already describes",
                          "Keep one record per document; the first one is used.")
            return
        self.records[target] = item

    def _bounded(self, item: dict, where: str) -> dict | None:
        """The record without its over-long text fields, each reported; None (reported) when it is still too large.

        A record is stored with its source and shown in every citation: a 30 MB "title" (a document
        pasted into the wrong column) would be copied into the store, the exports and every page. The
        document itself is still read, with the metadata its text gives for what was dropped."""
        kept = {}
        for key, value in item.items():
            if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
                self._problem(codes.CATALOG_RECORD, where, f"its {str(key)[:40]!r} is {len(value):,} characters long "
                              f"(more than {MAX_FIELD_CHARS:,}); it was left out",
                              "Shorten the field (the document's text belongs in its file, not in the catalog).")
                continue
            kept[key] = value
        size = len(json.dumps(kept, ensure_ascii=False, default=str))
        if size > MAX_RECORD_CHARS:
            self._problem(codes.CATALOG_RECORD, where, f"is {size:,} characters of JSON (more than {MAX_RECORD_CHARS:,}); "
                          "it was not used", "Keep a record to the reference itself: title, authors, date, container, URL.")
            return None
        return kept

    def _problem(self, code: str, where: object, reason: str, hint: str) -> None:
        error = IngestError(code, str(where), reason, hint)
        log.warning("%s", error)
        self.problems.append(error)


def catalog_files(folder: Path, names: Sequence[str] | None = None) -> list[Path]:
    """The catalog files of one folder, in a stable order. The name is tested before the file is stat'ed:
    a folder of 1,600 documents holds one or two catalog files, and a stat each cost 13 ms an add.
    `names`: the folder's entries as discovery listed them, so the folder is not listed twice."""
    try:
        if names is None:
            names = os.listdir(folder)  # names only: a Path per entry cost more than the listing
        return sorted(folder / name for name in names
                      if (name.lower() in CATALOG_NAMES or name.lower().endswith(CATALOG_SUFFIX)) and (folder / name).is_file())
    except OSError:
        return []


def load_catalog(paths: Sequence[Path], *, roots: Sequence[Path] | None = None,
                 listings: dict[Path, list[str]] | None = None) -> Catalog:
    """Load the catalog files of every folder that holds one of the discovered documents.

    With `roots` (the resolved folders given to build), a catalog file that is a link leading out of
    them is reported (T018) and not read: nothing outside the corpus is read. `listings` (discovery's
    `Discovery.listings`: resolved folder -> the names in it) spares listing a folder discovery walked."""
    catalog = Catalog()
    folders: list[Path] = []
    parents = dict.fromkeys(os.path.dirname(os.fspath(path)) for path in paths)  # resolved once per folder, not per file
    for parent in parents:
        try:
            key = Path(parent).resolve()
        except (OSError, RuntimeError):
            continue
        if key not in folders:
            folders.append(key)
    for folder in folders:
        for json_path in catalog_files(folder, None if listings is None else listings.get(folder)):
            target = json_path.resolve()
            if roots and not any(target == root or root in target.parents for root in roots):
                catalog._problem(codes.OUTSIDE_CORPUS, json_path, f"it is a link to {safe_name(target)}, outside the folders "
                                 "given to build; it was not read", "Copy the catalog into the corpus folder.")
                continue
            catalog.add_file(json_path)
    return catalog


def _short(exc: Exception) -> str:
    text = getattr(exc, "msg", None) or getattr(exc, "strerror", None) or str(exc)
    return str(text)[:120].rstrip(".")
