"""A throwaway PostgreSQL cluster started from the machine's binaries, for the tests and the benches.

One copy of how it is done, used by tests/conftest.py (`postgres_url`) and bench/scale.py
(`--postgres`): initdb and pg_ctl in a temporary folder, the socket in that folder and no TCP, fsync
off. PostgreSQL refuses to run as root, so as root the cluster is owned by the `postgres` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path


class Unavailable(RuntimeError):
    """The machine cannot run a cluster (no binaries; root without a `postgres` user): the reason says which."""


class StartFailed(RuntimeError):
    """The binaries are there but the cluster did not start; the message holds PostgreSQL's own words."""


def pg_bin() -> Path | None:
    """The folder of initdb and pg_ctl: the newest /usr/lib/postgresql/*/bin, else the one on PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(found)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(base: Path) -> tuple[str, Callable[..., None]]:
    """Start a cluster in the folder `base` (made if missing): its URL, and `stop(mode="fast")` to end it.

    Raises Unavailable when this machine cannot run one, StartFailed when a PostgreSQL program failed.
    """
    bindir = pg_bin()
    if bindir is None:
        raise Unavailable("PostgreSQL binaries (initdb, pg_ctl) not found: install Debian's postgresql "
                          "(make test does as root)")
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    data, port = base / "data", _free_port()
    run_as: dict = {}
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("running as root and there is no `postgres` user to own the cluster") from None
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = {"user": user.pw_uid, "group": user.pw_gid}
    env = {**os.environ, "LC_ALL": "C.UTF-8"}

    def pg(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, env=env, cwd=base, **run_as)

    try:
        pg(str(bindir / "initdb"), "-D", str(data), "-U", "timeweave", "--auth=trust", "-E", "UTF8")
        pg(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"), "-o",
           f"-k {base} -p {port} -c listen_addresses='' -c fsync=off", "start")
        pg(str(bindir / "createdb"), "-h", str(base), "-p", str(port), "-U", "timeweave", "timeweave")
    except subprocess.CalledProcessError as exc:
        raise StartFailed(f"could not start PostgreSQL in {base}: {exc.stderr.decode(errors='replace')}") from None

    def stop(mode: str = "fast") -> None:
        """Stop the cluster (`immediate` skips the shutdown checkpoint: for a cluster about to be deleted)."""
        subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", mode, "stop"], capture_output=True, cwd=base,
                       **run_as)

    return f"postgresql://timeweave@/timeweave?host={base}&port={port}", stop


def empty(url: str) -> str:
    """Drop and recreate the public schema: the caller owns the database from here on; returns `url`."""
    from sqlalchemy import create_engine, text

    from timeweave.store import engine_url

    engine = create_engine(engine_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url
