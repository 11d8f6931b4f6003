"""What is in a store, for `status`, `sources` and `timeline`: typed rows the CLI and the UI format."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import desc, select

from timeweave.runs import counts
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.migrations import applied


@dataclass
class Status:
    db: str
    counts: dict[str, int]
    migrations: list[str]
    last_run: dict[str, Any] | None
    failures: list[dict[str, Any]] = field(default_factory=list)
    curation: dict[str, Any] = field(default_factory=dict)  # the correction log: counts by state, the stale actions


def status(db: str | Path) -> Status:
    """Counts, the last run (versions, config, outcome) and the failures it recorded."""
    from timeweave.runs import mark_stale_runs

    engine = open_store(db, create=False)
    mark_stale_runs(engine)  # a build killed outright shows as interrupted here, not as running forever
    with engine.connect() as conn:
        run = conn.execute(select(t.runs).order_by(desc(t.runs.c.id)).limit(1)).first()
        failures = []
        if run is not None:
            failures = [
                {"path": r.path, "code": r.code, "reason": r.reason, "hint": r.hint}
                for r in conn.execute(select(t.failures).where(t.failures.c.run_id == run.id).order_by(t.failures.c.id))
            ]
    return Status(
        db=str(db),
        counts=counts(engine),
        migrations=applied(engine),
        last_run=dict(run._mapping) if run is not None else None,
        failures=failures,
        curation=_curation(engine),
    )


def _curation(engine) -> dict[str, Any]:
    """How many corrections the log holds by state, and those that no longer apply (what they named is gone)."""
    from timeweave.curate import log

    actions = log(engine)
    states: dict[str, int] = {}
    for action in actions:
        states[action["state"]] = states.get(action["state"], 0) + 1
    return {"actions": len(actions), "states": states, "stale": [a for a in actions if a["state"] == "stale"]}


def sources(db: str | Path) -> list[dict[str, Any]]:
    """Every source with its metadata and kind, oldest first."""
    engine = open_store(db, create=False)
    with engine.connect() as conn:
        rows = conn.execute(select(t.sources).order_by(t.sources.c.issued, t.sources.c.id)).all()
    return [dict(r._mapping) for r in rows]


def timeline(db: str | Path, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Events in date order (undated last) with their status, the sources that attest them and the
    comparisons made on them ("contradict (when)", "differ_in_framing (name)")."""
    engine = open_store(db, create=False)
    with engine.connect() as conn:
        events = conn.execute(select(t.events)).all()
        attest: dict[int, set[str]] = {}
        for r in conn.execute(select(t.event_mentions.c.event_id, t.event_mentions.c.source_id).where(t.event_mentions.c.event_id.is_not(None))):
            attest.setdefault(r.event_id, set()).add(r.source_id)
        compared: dict[int, list[str]] = {}
        for r in conn.execute(select(t.comparisons.c.event_id, t.comparisons.c.kind, t.comparisons.c.field).order_by(t.comparisons.c.id)):
            compared.setdefault(r.event_id, []).append(f"{r.kind} ({r.field})")
    rows = [
        dict(e._mapping) | {"sources": sorted(attest.get(e.id, ())), "comparisons": compared.get(e.id, [])}
        for e in events
    ]
    rows.sort(key=lambda r: (r["earliest"] is None, r["earliest"] or "", r["latest"] or "", r["id"]))
    return rows[:limit] if limit else rows
