"""The `runs` table's bookkeeping: starting a run, finding runs left running by a process that is gone,
and the row counts a run records. Kept apart from `build` because `overview` reads it without building."""

from __future__ import annotations

import logging
import os
import socket

from sqlalchemy import Engine, insert, text, update

from timeweave.store import schema as t
from timeweave.store.writer import now

log = logging.getLogger(__name__)


COUNTED = ("sources", "passages", "timexes", "mentions", "entities", "event_mentions", "events", "comparisons", "failures")
# One plain-SQL statement: a build opens a new engine, where nine Core counts were compiled again on every add.
_COUNTS = "SELECT " + ", ".join(f"(SELECT count(*) FROM {name})" for name in COUNTED)


def counts(engine: Engine) -> dict[str, int]:
    """Rows per main table: the summary a run records and `timeweave` overviews show."""
    with engine.connect() as conn:
        return dict(zip(COUNTED, (int(n) for n in conn.exec_driver_sql(_COUNTS).one())))


def mark_stale_runs(engine: Engine) -> list[int]:
    """Mark 'interrupted' the runs left 'running' by a process that is gone (killed, crashed, power cut).

    A run records its process id and host (migration 0006): one on this host whose process no
    longer exists is stale; one on another host (a shared PostgreSQL store) cannot be checked from
    here and is left alone; one from before 0006 (no pid) is stale, as before."""
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT id, pid, host FROM runs WHERE status = 'running'")).all()
        stale = [r.id for r in rows if not _alive(r.pid, r.host)]
        if stale:
            conn.execute(update(t.runs).where(t.runs.c.id.in_(stale)).values(status="interrupted"))
    for run_id in stale:
        log.warning("run %d was left running by a process that is gone: marked interrupted", run_id)
    return stale


def _alive(pid: int | None, host: str | None) -> bool:
    if pid is None:
        return False
    if host and host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def start_run(engine: Engine, info: dict, config: dict, command: str | None) -> int:
    """Insert a run row marked running, with this process's id and host (so a later build can tell it stale)."""
    mark_stale_runs(engine)
    with engine.begin() as conn:
        result = conn.execute(
            insert(t.runs).values(started_at=now(), status="running", command=command, versions=info, config=config)
        )
        run_id = result.inserted_primary_key[0]
        conn.execute(text("UPDATE runs SET pid = :pid, host = :host WHERE id = :id"),
                     {"pid": os.getpid(), "host": socket.gethostname(), "id": run_id})
        return run_id
