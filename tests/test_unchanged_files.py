"""A build hashes only the files whose stat moved since they were last hashed (timeweave/ingest/unchanged.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import select, update

from timeweave.build import build
from timeweave.ingest import unchanged
from timeweave.ingest.discover import discover
from timeweave.ingest.unchanged import Hashes, stat_key
from timeweave.store import open_store
from timeweave.store import schema as t

MAX = 2**20
TEXTS = {"a.txt": "The treaty was signed in Paris on 3 September 1783.\n",
         "b.txt": "Fighting at Nomonhan began in May 1939 and ended in September.\n"}


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, body in TEXTS.items():
        (folder / name).write_text(body, encoding="utf-8")
    db = tmp_path / "s.db"
    build([folder], db=db)
    engine = open_store(db)
    with engine.begin() as conn:  # as in a store built before 0018: no stat recorded
        conn.execute(update(t.sources).values(file_stat=None))
    return folder, engine


@pytest.fixture
def reads(monkeypatch):
    """The files `Hashes.digest` reads (by key), counted instead of guessed."""
    seen: list[str] = []
    real = unchanged.read_regular

    def counting(path, shown, max_bytes):
        seen.append(shown)
        return real(path, shown, max_bytes)

    monkeypatch.setattr(unchanged, "read_regular", counting)
    return seen


def _pass(folder: Path, engine, *, rehash: bool = False) -> dict[str, str]:
    """What one build's hashing step gives: key -> sha256, and the stats recorded afterwards."""
    found = discover([folder])
    hashes = Hashes.load(engine, found, rehash=rehash)
    digests = {found.key(path): hashes.digest(path, found.key(path), MAX) for path in found.files}
    hashes.remember(engine)
    return digests


def _stats(engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        return dict(conn.execute(select(t.sources.c.path, t.sources.c.file_stat)).all())


def test_a_file_whose_stat_did_not_move_is_not_read(store, reads, monkeypatch):
    folder, engine = store
    monkeypatch.setattr(unchanged, "RACY_NS", 0)  # the files were written a moment ago: trust their stats here
    first = _pass(folder, engine)
    assert sorted(reads) == ["corpus/a.txt", "corpus/b.txt"]  # no stat recorded yet (a store built before 0018)
    assert _stats(engine) == {f"corpus/{name}": stat_key(os.stat(folder / name)) for name in TEXTS}
    reads.clear()
    assert _pass(folder, engine) == first
    assert reads == []
    assert _pass(folder, engine, rehash=True) == first  # --full hashes everything
    assert sorted(reads) == ["corpus/a.txt", "corpus/b.txt"]


def test_a_touched_file_with_the_same_bytes_is_read_and_still_unchanged(store, reads, monkeypatch):
    folder, engine = store
    monkeypatch.setattr(unchanged, "RACY_NS", 0)
    first = _pass(folder, engine)
    info = os.stat(folder / "a.txt")
    os.utime(folder / "a.txt", ns=(info.st_atime_ns, info.st_mtime_ns - 10 * 10**9))  # touch -d: another mtime
    reads.clear()
    assert _pass(folder, engine) == first
    assert reads == ["corpus/a.txt"]
    assert _stats(engine)["corpus/a.txt"] == stat_key(os.stat(folder / "a.txt"))  # the new stat, so the next is not read
    reads.clear()
    _pass(folder, engine)
    assert reads == []


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(store, reads, monkeypatch):
    """Same size, mtime put back (`touch -r`, an editor, an edit within one mtime tick): the kernel still sets a new
    ctime, which nobody can set back, so the file is read and its new bytes found."""
    folder, engine = store
    monkeypatch.setattr(unchanged, "RACY_NS", 0)
    _pass(folder, engine)
    path = folder / "a.txt"
    info = os.stat(path)
    edited = TEXTS["a.txt"].replace("1783", "1784")
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    now = os.stat(path)
    assert (now.st_size, now.st_mtime_ns) == (info.st_size, info.st_mtime_ns)
    reads.clear()
    digests = _pass(folder, engine)
    assert reads == ["corpus/a.txt"]
    assert digests["corpus/a.txt"] == hashlib.sha256(edited.encode()).hexdigest()
    # the stored sha256 is still the old one (no document was stored here): no stat is recorded for it
    assert _stats(engine)["corpus/a.txt"] is None


def test_a_stat_taken_within_the_racy_window_is_not_recorded(store, reads, monkeypatch):
    """A file written within RACY_NS of the build could be edited again in the same clock tick without its stat
    moving: its stat is not recorded, so the next build reads it again (and records it once it is old enough)."""
    folder, engine = store
    monkeypatch.setattr(unchanged, "RACY_NS", 10**15)  # every file here is "recent" (the default is 3 s)
    _pass(folder, engine)
    assert set(_stats(engine).values()) == {None}
    reads.clear()
    _pass(folder, engine)
    assert sorted(reads) == ["corpus/a.txt", "corpus/b.txt"]


def test_a_recorded_stat_is_dropped_when_the_stored_bytes_are_not_the_hashed_ones(store, reads, monkeypatch):
    """A file that changed between its hashing and its reading (or failed to store) keeps no stat: read again."""
    folder, engine = store
    monkeypatch.setattr(unchanged, "RACY_NS", 0)
    _pass(folder, engine)
    with engine.begin() as conn:
        conn.execute(update(t.sources).where(t.sources.c.path == "corpus/b.txt").values(sha256="0" * 64, file_stat=None))
    reads.clear()
    _pass(folder, engine)
    assert reads == ["corpus/b.txt"]
    assert _stats(engine)["corpus/b.txt"] is None


def test_a_build_reads_only_the_files_whose_stat_moved(tmp_path, reads, monkeypatch):
    """Through `build`: the second build records the stats, the third reads no file, `full` reads them all, and an
    edit that keeps the size and mtime is found (its ctime moved) and stored."""
    monkeypatch.setattr(unchanged, "RACY_NS", 0)
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, body in TEXTS.items():
        (folder / name).write_text(body, encoding="utf-8")
    db = tmp_path / "s.db"
    assert sorted(build([folder], db=db).new) == ["corpus/a.txt", "corpus/b.txt"]
    assert set(_stats(open_store(db)).values()) != {None}  # recorded on the sources the build stored
    reads.clear()
    report = build([folder], db=db)
    assert reads == [] and sorted(report.unchanged) == ["corpus/a.txt", "corpus/b.txt"]
    assert sorted(build([folder], db=db, full=True).unchanged) == ["corpus/a.txt", "corpus/b.txt"]
    assert sorted(reads) == ["corpus/a.txt", "corpus/b.txt"]
    path = folder / "b.txt"
    info = os.stat(path)
    path.write_text(TEXTS["b.txt"].replace("May", "Jun"), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    reads.clear()
    report = build([folder], db=db)
    assert reads == ["corpus/b.txt"] and report.changed == ["corpus/b.txt"] and report.unchanged == ["corpus/a.txt"]
    reads.clear()
    assert build([folder], db=db).unchanged == ["corpus/a.txt", "corpus/b.txt"] and reads == []
