"""Find the documents under the paths a user gives build, without ever crashing on a bad entry.

Folders are walked recursively; the result is sorted and deduplicated by resolved path so that the
same file reached twice (two arguments, a symlink) is read once. Hidden entries (.git, .DS_Store)
are ignored silently, as are catalog files (sources.json, *.csl.json, aliases.csv): they describe
documents, they are not documents. Files that are not sources (unknown extensions, README*/LICENSE*
inside a corpus folder) are skipped with a reason, so the build can say why they were not read.
Missing paths, unreadable folders and symlink loops become failures the build records.
"""

from __future__ import annotations

import errno
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes
from timeweave.ingest.formats import SUPPORTED

log = logging.getLogger(__name__)

METADATA_NAMES = {"sources.json", "aliases.csv"}
METADATA_SUFFIXES = (".csl.json",)
# README.md, README_ru.txt, LICENSE, LICENSE-MIT.txt; not "licensed-photos.txt".
DOC_NAMES = re.compile(r"^(readme|licen[cs]e)([._-].*)?$", re.I)


@dataclass
class Skip:
    """A file discovery saw and chose not to read, with the reason shown to the user."""

    path: Path
    reason: str


@dataclass
class Discovery:
    """What discovery found: files to read in corpus order, files skipped, and entries that failed."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    failures: list[IngestError] = field(default_factory=list)


def is_metadata_file(path: Path) -> bool:
    """Catalog files that sit beside documents: read by the catalog, never listed as documents."""
    name = path.name.lower()
    return name in METADATA_NAMES or name.endswith(METADATA_SUFFIXES)


def discover(paths: Sequence[str | Path]) -> Discovery:
    """Files (recursively) under `paths`, sorted and deduplicated, with skips and failures recorded."""
    result = Discovery()
    seen: set[Path] = set()
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        try:
            if path.is_symlink() and not path.exists():
                _fail_link(result, path)
                continue
            if not path.exists():
                result.failures.append(
                    IngestError(codes.NOT_FOUND, str(path), "no such file or folder", "Check the path and try again.")
                )
                continue
            if path.is_dir():
                _walk(path, result, found, ancestors=frozenset())
            else:
                _consider(path, result, found, explicit=True)
        except OSError as exc:
            _fail_os(result, path, exc)
    for path in found:
        try:
            key = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
                _fail_link(result, path)
            else:
                _fail_os(result, path, exc)
            continue
        if key not in seen:
            seen.add(key)
            result.files.append(path)
    result.files.sort(key=lambda p: str(p))
    result.skipped.sort(key=lambda s: str(s.path))
    return result


def _walk(folder: Path, result: Discovery, found: list[Path], *, ancestors: frozenset[Path]) -> None:
    """Recurse into `folder`, remembering resolved ancestors so a link back up is a loop, not a hang."""
    try:
        real = folder.resolve(strict=True)
    except (OSError, RuntimeError):
        _fail_link(result, folder)
        return
    if real in ancestors:
        _fail_link(result, folder)
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        _fail_os(result, folder, exc)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            if entry.is_symlink() and not path.exists():
                _fail_link(result, path)
            elif entry.is_dir():
                _walk(path, result, found, ancestors=ancestors | {real})
            else:
                _consider(path, result, found, explicit=False)
        except OSError as exc:
            _fail_os(result, path, exc)


def _consider(path: Path, result: Discovery, found: list[Path], *, explicit: bool) -> None:
    """Decide whether one file is a document; a file named on the command line is never 'documentation'."""
    if is_metadata_file(path):
        return
    if not explicit and DOC_NAMES.match(path.name):
        result.skipped.append(Skip(path, "corpus documentation, not a source"))
        return
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        shown = f"extension {suffix!r}" if suffix else "no extension"
        result.skipped.append(Skip(path, f"unknown {shown}; supported: {', '.join(sorted(SUPPORTED))}"))
        return
    found.append(path)


def _fail_link(result: Discovery, path: Path) -> None:
    """A link that cannot be followed: a loop (T012) or a link to nothing (T001)."""
    try:
        os.stat(path)
        looped = True  # resolvable, yet leads back into a folder being walked
    except OSError as exc:
        looped = exc.errno == errno.ELOOP
    if not looped:
        target = os.readlink(path) if path.is_symlink() else "?"
        result.failures.append(
            IngestError(codes.NOT_FOUND, str(path), f"the symbolic link points to {target}, which does not exist",
                        "Fix or remove the link.")
        )
        return
    log.warning("symlink loop at %s", path)
    result.failures.append(
        IngestError(codes.SYMLINK_LOOP, str(path), "following this symbolic link loops back on itself",
                    "Remove the looping link or point it elsewhere.")
    )


def _fail_os(result: Discovery, path: Path, exc: OSError) -> None:
    if exc.errno == errno.ELOOP:
        _fail_link(result, path)
        return
    reason = exc.strerror or exc.__class__.__name__
    result.failures.append(
        IngestError(codes.UNREADABLE, str(path), f"cannot be read ({reason.lower()})", "Check its permissions.")
    )
