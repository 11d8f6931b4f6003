"""Find the documents under the paths a user gives build, without ever crashing on a bad entry.

Folders are walked recursively; the result is sorted and deduplicated by resolved path so that the
same file reached twice (two arguments, a symlink) is read once. Hidden entries (.git, .DS_Store)
are ignored silently, as are catalog files (sources.json, *.csl.json, manifest.jsonl, aliases.csv): they describe
documents, they are not documents. Files that are not sources (unknown extensions, README*/LICENSE*
inside a corpus folder) are skipped with a reason, so the build can say why they were not read.
Missing paths, unreadable folders and symlink loops become failures the build records.

Nothing outside the given paths is read: every entry is lstat'ed before anything else; a symbolic
link whose target lies outside every given folder (a link to /etc/passwd) is reported (T018) and
not followed unless `follow_outside_links` is set; named pipes, sockets and devices are reported
(T017) and never opened. Each file gets a *key*, its path relative to the root it was found under,
prefixed by the root's own name (`khalkhin-gol/notes/a.txt`): the same folder built from another
working directory, or as `../khalkhin-gol`, gives the same keys, so the store knows its sources.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat as stat_module
import time
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Sequence

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes
from timeweave.ingest.files import kind_of, not_regular, safe_name
from timeweave.ingest.formats import SUPPORTED

log = logging.getLogger(__name__)

METADATA_NAMES = {"sources.json", "aliases.csv", "manifest.jsonl", "sources.jsonl"}  # catalog.CATALOG_NAMES and aliases
METADATA_SUFFIXES = (".csl.json",)
# README.md, README_ru.txt, LICENSE, LICENSE-MIT.txt; not "licensed-photos.txt".
DOC_NAMES = re.compile(r"^(readme|licen[cs]e)([._-].*)?$", re.I)


@dataclass
class Skip:
    """A file discovery saw and chose not to read, with the reason shown to the user."""

    path: Path
    reason: str
    shown: str = ""  # how the build reports it: its key under the root, like a stored source


@dataclass
class Discovery:
    """What discovery found: files to read in corpus order, files skipped, and entries that failed."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    failures: list[IngestError] = field(default_factory=list)
    keys: dict[Path, str] = field(default_factory=dict)  # file -> root name / path below the root
    roots: list[Path] = field(default_factory=list)  # resolved folders the files were found under
    aliases: list[Path] = field(default_factory=list)  # aliases.csv files seen (read by the link stage)
    # The stat of each file found (taken before any byte of it is read) and the moment discovery began:
    # a build hashes only the files whose stat moved since they were last hashed (`ingest/unchanged.py`).
    stats: dict[Path, os.stat_result] = field(default_factory=dict)
    began_ns: int = 0
    # Each folder walked (resolved) -> the names in it that a catalog or aliases file may have (`is_metadata_file`,
    # hidden ones too), whatever they are: the catalog need not list the folder again (a Path per entry).
    listings: dict[Path, list[str]] = field(default_factory=dict)
    _file_keys: list[str] | None = None  # the key of each of `files`, in order, as discovery found them

    def key(self, path: Path) -> str:
        """How the store knows `path`: relative to its root, independent of the working directory."""
        return self.keys.get(path) or safe_name(path)

    def file_keys(self) -> list[str]:
        """`key` of each of `files`, in order: kept by discovery (a lookup per file cost 1 us, and a build asks
        for every file's key several times), or worked out when `files` is not the list discovery made."""
        if self._file_keys is not None and len(self._file_keys) == len(self.files):
            return self._file_keys
        return [self.key(path) for path in self.files]

    def name(self, path: Path) -> str:
        """How a report names `path`: its key under the root being walked, else the path as given (text-safe)."""
        if self._root is not None:
            return key_for(path, *self._root)
        return safe_name(path)

    _root: tuple[Path, str] | None = None  # (root as given, its name) while walking it


@dataclass
class _Walk:
    """What a walk needs to decide about links: the resolved roots, and whether leaving them is allowed."""

    result: Discovery
    roots: list[Path]
    follow_outside: bool
    # The files found, in the order found, and beside each (parallel lists, not dicts keyed by Path: hashing a
    # Path is a Python call, and a build of thousands of unchanged files paid several per file) what the walk
    # knows of it without another system call: its resolved path when it is no link (os.path.realpath walks
    # every component: most of discovery's time at 1,600 files), its path as text, to sort by, and its key.
    found: list[Path] = field(default_factory=list)
    real: list[str | None] = field(default_factory=list)
    text: list[str | None] = field(default_factory=list)
    key: list[str] = field(default_factory=list)

    def take(self, path: Path, info: os.stat_result, key: str, real: str | None = None, text: str | None = None) -> None:
        """A document found: its stat and key are the first ones found (a file given twice keeps its first)."""
        self.found.append(path)
        self.real.append(real)
        self.text.append(text)
        self.key.append(self.result.keys.setdefault(path, key))
        self.result.stats.setdefault(path, info)


def is_metadata_file(path: Path) -> bool:
    """Catalog files that sit beside documents: read by the catalog, never listed as documents."""
    name = path.name.lower()
    return name in METADATA_NAMES or name.endswith(METADATA_SUFFIXES)


def key_for(path: Path, root: Path, root_name: str) -> str:
    """`root_name/relative/path` for a file found under `root` (given, not resolved), text-safe."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return safe_name(path)
    return safe_name(Path(root_name) / rel) if str(rel) != "." else safe_name(root_name)


def _root_name(root: Path) -> str:
    resolved = root.resolve()
    return resolved.name or "root"


def discover(paths: Sequence[str | Path], *, follow_outside_links: bool = False) -> Discovery:
    """Files (recursively) under `paths`, sorted and deduplicated, with skips and failures recorded."""
    result = Discovery(began_ns=time.time_ns())
    folders = []
    for given in paths:
        try:
            if Path(given).is_dir():
                folders.append(Path(given).resolve())
        except (OSError, RuntimeError):
            pass
    result.roots = folders
    walk = _Walk(result, folders, follow_outside_links)
    for given in paths:
        path = Path(given)
        try:
            if path.is_symlink() and not path.exists():
                _fail_link(result, path)
                continue
            if not path.exists():
                result.failures.append(
                    IngestError(codes.NOT_FOUND, result.name(path), "no such file or folder", "Check the path and try again.")
                )
                continue
            if path.is_dir():
                name = _root_name(path)
                result._root = (path, name)
                try:
                    _walk(path, walk, ancestors=frozenset(), prefix=safe_name(name))
                finally:
                    result._root = None
            else:
                info = os.stat(path)
                what = kind_of(info.st_mode)
                if what:
                    result.failures.append(not_regular(result.name(path), what))
                    continue
                if _consider(path, result, explicit=True):
                    parent = path.parent
                    walk.take(path, info, key_for(path, parent, _root_name(parent)))
        except OSError as exc:
            _fail_os(result, path, exc)
    result.files, result._file_keys = _deduplicated(walk)
    result.skipped.sort(key=lambda s: str(s.path))
    return result


def _deduplicated(walk: _Walk) -> tuple[list[Path], list[str]]:
    """The files found, each file once (the first path found to it), sorted by their paths as text; and their keys."""
    result, seen, kept = walk.result, set(), []
    for path, real, text, key_of_path in zip(walk.found, walk.real, walk.text, walk.key):
        try:
            key = real or os.fspath(path.resolve(strict=True))
        except (OSError, RuntimeError) as exc:
            if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
                _fail_link(result, path)
            else:
                _fail_os(result, path, exc)
            continue
        if key not in seen:
            seen.add(key)
            kept.append((text or str(path), path, key_of_path))
    kept.sort(key=itemgetter(0))  # one text per file: a path found twice resolves to one key, kept once
    return [path for _text, path, _key in kept], [key for _text, _path, key in kept]


def _inside(target: Path, roots: list[Path]) -> bool:
    return any(target == root or root in target.parents for root in roots)


def _walk(folder: Path, walk: _Walk, *, ancestors: frozenset[Path], prefix: str) -> None:
    """Recurse into `folder`, remembering resolved ancestors so a link back up is a loop, not a hang.

    `prefix` is the folder's key (root name / path below the root): a file's key is the prefix and its
    name, and a file that is not a link resolves to the resolved folder and its name, with no system call."""
    result = walk.result
    try:
        real = folder.resolve(strict=True)
    except (OSError, RuntimeError):
        _fail_link(result, folder)
        return
    if real in ancestors:
        _fail_link(result, folder)
        return
    real_text = os.fspath(real)
    try:
        with os.scandir(folder) as listing:
            entries, texts = _in_byte_order(list(listing))
    except OSError as exc:
        _fail_os(result, folder, exc)
        return
    # A regular file (no link) with a supported extension that is no catalog file and no corpus documentation
    # is taken as `_consider` would take it, by its name and one stat (most entries of a corpus are such files;
    # discovery was a third of an add's fixed cost at 1,600 files, most of it Path objects and their hashes).
    folder_text = os.fspath(folder)
    joint, real_joint = ("" if folder_text.endswith("/") else "/"), ("" if real_text.endswith("/") else "/")
    listed = [] if real in walk.result.listings else walk.result.listings.setdefault(real, [])  # a folder walked again
    for entry in entries:
        name = entry.name
        lower = name.lower()
        metadata = lower in METADATA_NAMES or lower.endswith(METADATA_SUFFIXES)
        if metadata:
            listed.append(name)
        if name.startswith("."):
            continue
        dot = name.rfind(".")
        if not metadata and 0 < dot < len(name) - 1 and lower[dot:] in SUPPORTED and not DOC_NAMES.match(name) \
                and not entry.is_symlink():
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                info = None  # gone, or not ours to stat: the general path below says why
            if info is not None and stat_module.S_ISREG(info.st_mode):
                walk.take(_CHILD(folder, name) if _CHILD is not None else folder / name, info,
                          f"{prefix}/{name if texts else safe_name(name)}",
                          f"{real_text}{real_joint}{name}", f"{folder_text}{joint}{name}")
                continue
        path = folder / name
        try:
            link = entry.is_symlink()
            if link:
                if not path.exists():
                    _fail_link(result, path)
                    continue
                target = path.resolve(strict=True)
                if not walk.follow_outside and not _inside(target, walk.roots):
                    log.warning("symlink %s leaves the corpus (to %s): not followed", safe_name(path), safe_name(target))
                    result.failures.append(IngestError(
                        codes.OUTSIDE_CORPUS, result.name(path),
                        f"it is a symbolic link to {safe_name(target)}, outside the folders given to build; it was not read",
                        "Copy the file into the corpus folder, or pass --set follow_outside_links=true to follow such links."))
                    continue
            info = path.stat() if link else entry.stat(follow_symlinks=False)
            what = kind_of(info.st_mode)
            if what:
                result.failures.append(not_regular(result.name(path), what))
            elif entry.is_dir():
                _walk(path, walk, ancestors=ancestors | {real}, prefix=f"{prefix}/{safe_name(name)}")
            elif _consider(path, result, explicit=False):
                walk.take(path, info, f"{prefix}/{safe_name(name)}", None if link else os.path.join(real_text, name))
        except RuntimeError:
            _fail_link(result, path)
        except OSError as exc:
            _fail_os(result, path, exc)


def _in_byte_order(entries: list[os.DirEntry]) -> tuple[list[os.DirEntry], bool]:
    """Entries sorted by the bytes of their names, and whether every name is text (valid UTF-8). Such names,
    tested at once, sort the same by text, since UTF-8 keeps the order of code points; a name holding
    undecodable bytes (surrogate escapes, which sort elsewhere as text) makes the folder sort by bytes
    (encoding each name cost 2 us a file)."""
    try:
        "".join(entry.name for entry in entries).encode("utf-8")
    except UnicodeEncodeError:
        return sorted(entries, key=lambda e: os.fsencode(e.name)), False
    return sorted(entries, key=attrgetter("name")), True


# A child path without parsing its parts again (3.5 -> 0.8 us a file); a later Python's pathlib may lack it.
_CHILD = getattr(Path, "_make_child_relpath", None)


def _consider(path: Path, result: Discovery, *, explicit: bool) -> bool:
    """Whether one file is a document (else it is recorded as skipped, or as an aliases file); a file named on
    the command line is never 'documentation'."""
    if is_metadata_file(path):
        if path.name.lower() == "aliases.csv":
            result.aliases.append(path)
            result.keys[path] = result.name(path)
        return False
    if not explicit and DOC_NAMES.match(path.name):
        result.skipped.append(Skip(path, "corpus documentation, not a source", result.name(path)))
        return False
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        shown = f"extension {suffix!r}" if suffix else "no extension"
        result.skipped.append(Skip(path, f"unknown {shown}; supported: {', '.join(sorted(SUPPORTED))}", result.name(path)))
        return False
    return True


def _fail_link(result: Discovery, path: Path) -> None:
    """A link that cannot be followed: a loop (T012) or a link to nothing (T001)."""
    try:
        os.stat(path)
        looped = True  # resolvable, yet leads back into a folder being walked
    except OSError as exc:
        looped = exc.errno == errno.ELOOP
    if not looped:
        target = safe_name(os.readlink(path)) if path.is_symlink() else "?"
        result.failures.append(
            IngestError(codes.NOT_FOUND, result.name(path), f"the symbolic link points to {target}, which does not exist",
                        "Fix or remove the link.")
        )
        return
    log.warning("symlink loop at %s", safe_name(path))
    result.failures.append(
        IngestError(codes.SYMLINK_LOOP, result.name(path), "following this symbolic link loops back on itself",
                    "Remove the looping link or point it elsewhere.")
    )


def _fail_os(result: Discovery, path: Path, exc: OSError) -> None:
    if exc.errno == errno.ELOOP:
        _fail_link(result, path)
        return
    reason = exc.strerror or exc.__class__.__name__
    result.failures.append(
        IngestError(codes.UNREADABLE, result.name(path), f"cannot be read ({reason.lower()})", "Check its permissions.")
    )
