"""Shared fixtures: the bundled corpus and real databases (a SQLite file; a throwaway PostgreSQL 15).

PostgreSQL is started by the tests themselves from the machine's binaries (postgres_cluster.py:
initdb + pg_ctl in a temporary directory, socket in that directory, no TCP; as root the cluster is
owned by the `postgres` user, as PostgreSQL refuses to run as root). Where the binaries are absent,
the tests that need it are skipped with a reason that says how to get them, except in CI (env CI=true), which installs them
(scripts/system-deps.sh): there a missing program fails, so a broken CI image cannot look green.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import postgres_cluster
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "timeweave" / "data" / "khalkhin-gol"


def in_ci() -> bool:
    """Is this a CI run (env CI=true, as GitHub Actions and most CI services set it)?"""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(reason: str) -> None:
    """A system program the tests drive is absent: skip with the reason locally, fail in CI, which installs it."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: scripts/system-deps.sh should have installed it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def unembedded_store(tmp_path_factory, corpus_dir):
    """The bundled corpus built once without sentence vectors, for tests that only read it (reconcile's loads):
    a test that writes to it must roll back."""
    from timeweave.build import build
    from timeweave.store import open_store

    db = tmp_path_factory.mktemp("unembedded") / "kg.db"
    build([corpus_dir], db=db, config={"embeddings": False})
    return open_store(db)


@pytest.fixture
def built_incremental(tmp_path):
    """tests/data/incremental (texts of other centuries) copied to `docs` and built into `b.db`: the start of the
    tests that add, change or remove one of its documents. Returns (folder, db, engine)."""
    from timeweave.build import build
    from timeweave.store import open_store

    folder = tmp_path / "docs"
    shutil.copytree(ROOT / "tests" / "data" / "incremental", folder)
    db = tmp_path / "b.db"
    build([folder], db=db)
    return folder, db, open_store(db, create=False)


@pytest.fixture(scope="session")
def postgres_url():
    """A URL to a fresh PostgreSQL database (a cluster of its own, see postgres_cluster.py), or a skip with the reason."""
    base = Path(tempfile.mkdtemp(prefix="timeweave-pg-"))
    try:
        url, stop = postgres_cluster.start(base)
    except postgres_cluster.Unavailable as exc:
        shutil.rmtree(base, ignore_errors=True)
        missing(str(exc))
    except postgres_cluster.StartFailed as exc:
        pytest.fail(str(exc))
    yield url
    stop("immediate")
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_db(request, tmp_path):
    """A `--db` value for each backend; PostgreSQL gets a fresh schema per test."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return empty_postgres(request.getfixturevalue("postgres_url"))


def empty_postgres(url: str) -> str:
    """Drop and recreate the public schema: the caller owns the database from here on; returns `url`."""
    return postgres_cluster.empty(url)
