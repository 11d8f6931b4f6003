"""Opening a file a stranger handed us: its type checked before it is opened, its size before it is read.

A corpus folder may hold a named pipe (opening it for reading blocks until a writer comes, which is
forever), a device (`/dev/zero` never ends), a socket, or a file that grows while it is read. So a
file is stat'ed first and only a regular file is opened, without blocking (O_NONBLOCK, so a FIFO
swapped in after the check cannot hang us either), checked again on the open descriptor, and read
up to the size limit plus one byte, never more.

File names are bytes on POSIX; a name that is not valid UTF-8 reaches Python with surrogate
escapes ("caf\\udce9.txt"), which no database or terminal accepts. `safe_name` writes such bytes
as `\\xe9`, a stable, readable representation used to store and report the file.
"""

from __future__ import annotations

import math
import os
import stat as stat_module
from pathlib import Path

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes

MB = 2**20
_BLOCK = 1 << 20


def safe_name(name: str | os.PathLike) -> str:
    """`name` as text any database accepts: undecodable bytes of a file name become `\\xNN`."""
    text = os.fspath(name)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")


def kind_of(mode: int) -> str | None:
    """What a non-regular, non-folder entry is, in words; None for a regular file or a folder."""
    for test, name in ((stat_module.S_ISFIFO, "a named pipe (FIFO)"), (stat_module.S_ISSOCK, "a socket"),
                       (stat_module.S_ISCHR, "a character device"), (stat_module.S_ISBLK, "a block device")):
        if test(mode):
            return name
    if stat_module.S_ISREG(mode) or stat_module.S_ISDIR(mode):
        return None
    return "not a regular file"


def not_regular(shown: str, what: str) -> IngestError:
    """T017 for an entry that is not a regular file (reading it could block or never end)."""
    return IngestError(codes.NOT_REGULAR, shown, f"it is {what}, not a regular file: reading it could block or never end",
                       "Copy its content into a regular file if it is a document, or remove it from the folder.")


def read_regular(path: Path, shown: str, max_bytes: int) -> bytes:
    """The bytes of the regular file at `path`, at most `max_bytes`; IngestError (T001-T004, T017) otherwise."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise IngestError(codes.NOT_FOUND, shown, "the file does not exist (moved or deleted?)",
                          "Check the path and build again.") from None
    except OSError as exc:
        raise unreadable(shown, exc) from None
    if stat_module.S_ISDIR(info.st_mode):
        raise IngestError(codes.UNREADABLE, shown, "it is a folder, not a file", "Rename the folder or pass the files inside it.")
    what = kind_of(info.st_mode)
    if what:
        raise not_regular(shown, what)
    _check_size(info.st_size, shown, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise unreadable(shown, exc) from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        opened = os.fstat(handle.fileno())
        what = kind_of(opened.st_mode)
        if what:  # swapped for a pipe or device between stat and open
            raise not_regular(shown, what)
        chunks, total = [], 0
        while total <= max_bytes:
            try:
                block = handle.read(min(_BLOCK, max_bytes + 1 - total))
            except OSError as exc:
                raise unreadable(shown, exc) from None
            if not block:
                break
            chunks.append(block)
            total += len(block)
    if total > max_bytes:  # grew between stat and read
        raise IngestError(codes.TOO_LARGE, shown, f"the file is over the {max_bytes / MB:g} MB limit",
                          "Raise it with --set max_file_mb=N or split the file.")
    data = b"".join(chunks)
    if not data:
        raise IngestError(codes.EMPTY, shown, "the file is empty (0 bytes)", "Add its text or remove it.")
    return data


def _check_size(size: int, shown: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise IngestError(codes.TOO_LARGE, shown, f"the file is {size / MB:.1f} MB, over the {max_bytes / MB:g} MB limit",
                          f"Raise it with --set max_file_mb={nice_limit(size / MB)} or split the file.")
    if size == 0:
        raise IngestError(codes.EMPTY, shown, "the file is empty (0 bytes)", "Add its text or remove it.")


def nice_limit(size_mb: float) -> int:
    """The next round limit above `size_mb` (80.1 -> 100, 120 -> 200, 3.2 -> 5)."""
    magnitude = 10 ** max(0, math.floor(math.log10(max(size_mb, 1))))
    for step in (1, 2, 5, 10):
        if step * magnitude >= size_mb:
            return step * magnitude
    return 10 * magnitude


def unreadable(shown: str, exc: OSError) -> IngestError:
    reason = (exc.strerror or exc.__class__.__name__).lower()
    return IngestError(codes.UNREADABLE, shown, f"the file cannot be read ({reason})",
                       "Check its permissions, or that it is not a folder or device.")


def display_path(path: Path) -> str:
    """The path as a user would recognise it: relative to the working directory when below it."""
    try:
        return safe_name(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return safe_name(path.resolve())
