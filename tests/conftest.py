"""Shared fixtures: the bundled corpus and real databases (a SQLite file; a throwaway PostgreSQL 15).

PostgreSQL is started by the tests themselves from the machine's binaries (initdb + pg_ctl in a
temporary directory, socket in that directory, no TCP). It refuses to run as root, so as root the
cluster is owned by the `postgres` user. Where the binaries are absent, the tests that need it are
skipped with a reason that says how to get them, except in CI (env CI=true), which installs them
(scripts/system-deps.sh): there a missing program fails, so a broken CI image cannot look green.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

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


def _pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(found)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A URL to a fresh PostgreSQL database, or a skip with the reason."""
    bindir = _pg_bin()
    if bindir is None:
        missing("PostgreSQL binaries (initdb, pg_ctl) not found: install Debian's postgresql (make test does as root)")
    base = Path(tempfile.mkdtemp(prefix="timeweave-pg-"))
    data, sock = base / "data", base
    port = _free_port()
    run_as: dict = {}
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            missing("running as root and there is no `postgres` user to own the test cluster")
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = {"user": user.pw_uid, "group": user.pw_gid}
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    def pg(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, env=env, cwd=base, **run_as)
    try:
        pg(str(bindir / "initdb"), "-D", str(data), "-U", "timeweave", "--auth=trust", "-E", "UTF8")
        pg(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"), "-o",
           f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off", "start")
        pg(str(bindir / "createdb"), "-h", str(sock), "-p", str(port), "-U", "timeweave", "timeweave")
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"could not start PostgreSQL: {exc.stderr.decode(errors='replace')}")
    yield f"postgresql://timeweave@/timeweave?host={sock}&port={port}"
    subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True, cwd=base, **run_as)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_db(request, tmp_path):
    """A `--db` value for each backend; PostgreSQL gets a fresh schema per test."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return empty_postgres(request.getfixturevalue("postgres_url"))


def empty_postgres(url: str) -> str:
    """Drop and recreate the public schema: the caller owns the database from here on; returns `url`."""
    from sqlalchemy import create_engine, text

    from timeweave.store import engine_url
    engine = create_engine(engine_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url
