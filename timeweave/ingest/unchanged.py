"""Which files a build need not hash: those whose stat is the one recorded when they were last hashed.

A build learns that a source did not change by its sha256; reading and hashing every file under the
given folders costs a corpus-sized read on every build (0.09 CPU-s of an add at 1,600 files). Like
make, git and rsync, a file whose stat did not move is taken as unchanged without being read: the
store keeps, per source, `file_stat` = "size:mtime_ns:ctime_ns:inode" as stat'ed before its bytes were
hashed, and a build that finds the same four numbers reuses the stored sha256.

Why that is safe, and when it is not:
- Any write to a file sets its ctime to the current time, and ctime cannot be set back by a user
  (`touch -d`, `rsync -t`, `tar x` and editors that keep mtime all leave a new ctime; a rename into
  place brings a new inode). So a file edited after the stat was taken has another stat, even when
  its size and mtime are kept.
- A file edited within the same clock tick as the stat (filesystems stamp times from a coarse clock,
  FAT and HFS+ to the second or two) could keep all four numbers: a stat whose mtime or ctime is
  within `RACY_NS` of the moment discovery began is therefore not recorded ("racily clean", as git
  calls it), and that file is hashed again by the next build.
- It is NOT safe where ctime can be forged or is not kept: the system clock set back, a filesystem
  restored from an image with its times, a network filesystem that reports the client's cached
  attributes. `timeweave build --full` hashes every file whatever its stat (and records the stats anew).
"""

from __future__ import annotations

import hashlib
import os
import stat as stat_module
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Engine, bindparam, case, update

from timeweave.ingest.files import read_regular
from timeweave.store import schema as t

RACY_NS = 3 * 10**9  # a stat this close to discovery's start may be followed by an edit it cannot see


class Stored(NamedTuple):
    """What the store knows of a source's file (the build reads `sha256` and `pipeline` of every file found)."""

    path: str
    sha256: str
    pipeline: str
    file_stat: str | None


def stat_key(info: os.stat_result) -> str:
    """The four numbers a file keeps until its bytes (or its place) change."""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def trusted(info: os.stat_result, since_ns: int) -> bool:
    """Whether `info` may stand for the file's bytes next time: a regular file whose times are older than
    the racy window before `since_ns` (the moment before any stat was taken)."""
    return stat_module.S_ISREG(info.st_mode) and max(info.st_mtime_ns, info.st_ctime_ns) < since_ns - RACY_NS


@dataclass
class Hashes:
    """The sha256 of each file a build finds, read from the store where the file's stat did not move.

    `known` holds the stored sources by path (path, sha256, pipeline, file_stat); `digest` answers for one
    file; `remember` records, after the documents are stored, the stats of the files hashed now."""

    known: dict[str, Stored]
    since_ns: int = field(default_factory=time.time_ns)  # discovery's start, or now
    stats: dict[Path, os.stat_result] = field(default_factory=dict)  # discovery's stats, by file
    rehash: bool = False
    hashed: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # key -> (sha256, stat to record)
    skipped: int = 0  # files taken as unchanged by their stat

    @classmethod
    def load(cls, engine: Engine, found: Any = None, *, rehash: bool = False) -> Hashes:
        """The stored sources, and what discovery stat'ed (`found.stats`, `found.began_ns`) when given."""
        with engine.connect() as conn:  # plain SQL and plain tuples: SQLAlchemy's Rows were 3/4 of this step at 1,600 files
            rows = conn.exec_driver_sql("SELECT path, sha256, pipeline, file_stat FROM sources").all()
        known = {row[0]: Stored(*row) for row in rows}
        return cls(known, since_ns=getattr(found, "began_ns", None) or time.time_ns(),
                   stats=getattr(found, "stats", None) or {}, rehash=rehash)

    def digest(self, path: Path, shown: str, max_bytes: int) -> str:
        """The file's sha256: the stored one when its stat is the recorded one, else read and hashed
        (IngestError from `read_regular` for a pipe, a device, a file too large or gone)."""
        info = self.stats.get(path)
        if info is None:
            try:
                info = os.stat(path)
            except OSError:
                info = None  # read_regular says why
        previous = self.known.get(shown)
        if (not self.rehash and info is not None and previous is not None and previous.file_stat
                and info.st_size <= max_bytes and stat_module.S_ISREG(info.st_mode)
                and previous.file_stat == stat_key(info)):
            self.skipped += 1
            return previous.sha256
        digest = hashlib.sha256(read_regular(path, shown, max_bytes)).hexdigest()
        record = stat_key(info) if info is not None and trusted(info, self.since_ns) else None
        if previous is None or previous.file_stat != record or previous.sha256 != digest:
            self.hashed[shown] = (digest, record)
        return digest

    def remember(self, engine: Engine) -> None:
        """Record the stats of the files hashed by this build on their sources, where the stored sha256 is
        the one hashed (a file that failed, or changed before its document was read, gets none: hashed again)."""
        if not self.hashed:
            return
        rows = [{"key": key, "digest": digest, "stat": record} for key, (digest, record) in self.hashed.items()]
        statement = (update(t.sources).where(t.sources.c.path == bindparam("key"))
                     .values(file_stat=case((t.sources.c.sha256 == bindparam("digest"), bindparam("stat")), else_=None)))
        with engine.begin() as conn:
            conn.execute(statement, rows)
        self.hashed = {}
