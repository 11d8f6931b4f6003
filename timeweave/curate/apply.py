"""Applying the log: after every build's corpus stages, each correction in order, on what stands now.

`link` and `reconcile` rewrite entities, events and comparisons from the documents at every build,
so the corrections are applied again after them, oldest first, each to the rows its anchors name
*now*. An action whose anchors no longer find anything (the quoted text left the sources) is
`stale`: reported by `timeweave curate log` and `timeweave status`, never applied to something else.
An action already true of the new reading (two events the build now merges itself) is `unchanged`.
What each action applies to, and which fields it set, is rewritten into `curation_results` and
`curated_fields`, so the chronicle JSON and the UI can say "date set by NAME: reason".
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update

from timeweave.curate import comparisons, entities, events
from timeweave.curate.anchors import Resolver
from timeweave.curate.kinds import UNDOING
from timeweave.store import schema as t
from timeweave.store.changes import Changes
from timeweave.store.writer import now

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    state: str  # applied | unchanged | stale | undone
    detail: str
    applies_to: dict[str, list[int]] = field(default_factory=dict)
    fields: list[tuple[str, int, str]] = field(default_factory=list)  # (object, id, field) the action set


@dataclass
class ApplyReport:
    actions: int = 0
    states: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


APPLIERS = {  # kind (kinds.KINDS) -> function; `date` and `type` have a trailing underscore in Python
    "reject": events.reject, "date": events.date_, "label": events.label, "type": events.type_, "merge": events.merge,
    "split": events.split, "move": events.move, "participant": events.participant, "place": events.place,
    "entity_merge": entities.entity_merge, "entity_split": entities.entity_split, "alias": entities.alias,
    "entity_type": entities.entity_type, "comparison_wrong": comparisons.comparison_wrong,
    "comparison_add": comparisons.comparison_add,
}
BATCHED = ("date", "label", "type", "place", "participant", "alias", "entity_type")  # leave events' other fields alone


class Context:
    """What an applier needs: the connection, the resolver (kept current), the next free ids, and
    the events' field values set but not yet written (written in batches: a long log of relabels
    and re-datings costs a few statements, not one each)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.resolver = Resolver(conn)
        self.pending: dict[int, dict[str, Any]] = {}
        self.inserts: dict[str, list[dict[str, Any]]] = {}  # table name -> rows to insert at the next flush
        self._participants: set[tuple[int, int, str]] | None = None
        self._aliases: dict[tuple[int, str], list[int]] | None = None
        self.next_id = {
            table.name: (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            for table in (t.events, t.entities, t.aliases, t.comparisons)
        }

    def participants(self) -> set[tuple[int, int, str]]:
        """(event, entity, role) rows as they stand, read once per run of batched actions."""
        if self._participants is None:
            self._participants = {tuple(r) for r in self.conn.execute(select(
                t.event_participants.c.event_id, t.event_participants.c.entity_id, t.event_participants.c.role))}
        return self._participants

    def aliases(self) -> dict[tuple[int, str], list[int]]:
        """(entity, alias text) -> alias ids, read once per run of batched actions."""
        if self._aliases is None:
            self._aliases = {}
            for r in self.conn.execute(select(t.aliases.c.id, t.aliases.c.entity_id, t.aliases.c.text)):
                self._aliases.setdefault((r.entity_id, r.text), []).append(r.id)
        return self._aliases

    def insert_later(self, table, row: dict[str, Any]) -> None:
        self.inserts.setdefault(table.name, []).append(row)

    def set_event(self, event_id: int, **values: Any) -> None:
        self.pending.setdefault(event_id, {}).update(values)

    def flush(self) -> None:
        """Write the pending event fields, one executemany per set of columns."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for event_id, values in self.pending.items():
            groups.setdefault(tuple(sorted(values)), []).append({"eid": event_id, **{f"v_{k}": v for k, v in values.items()}})
        for columns, rows in groups.items():
            self.conn.execute(update(t.events).where(t.events.c.id == bindparam("eid"))
                              .values({c: bindparam(f"v_{c}") for c in columns}), rows)
        self.pending.clear()
        for name, rows in self.inserts.items():
            self.conn.execute(insert(t.metadata.tables[name]), rows)
        self.inserts.clear()

    def forget(self) -> None:
        """Before an action that may change any row: write what is pending and drop the caches."""
        self.flush()
        self._participants = self._aliases = None

    def new_id(self, table) -> int:
        value = self.next_id[table.name]
        self.next_id[table.name] = value + 1
        return value


def undone(actions: list) -> set[int]:
    """Ids of the actions taken back by an undo or restore that is itself in effect (an undo can be undone)."""
    by_uid = {a.uid: a for a in actions}
    effective: dict[int, bool] = {}
    for action in reversed(actions):  # a later undo decides about an earlier one
        if action.kind in UNDOING and effective.get(action.id, True):
            target = by_uid.get(action.args.get("undoes"))
            if target is not None and target.id < action.id:
                effective[target.id] = False
    return {action_id for action_id, on in effective.items() if not on}


def apply(engine: Engine, *, changes: Changes | None = None) -> ApplyReport:
    """Apply the whole log to a fresh reading: call it right after `link` and `reconcile` (the build does),
    never twice on the same reading (what an action removed is gone, so it would be reported stale).

    `changes` is accepted like every corpus stage's, but the whole log is applied either way: `link`
    and `reconcile` rewrote the rows the actions corrected (an incremental link puts back any entity a
    correction changed), and the cost is the log's length, not the corpus's."""
    began = time.perf_counter()
    with engine.begin() as conn:
        report = apply_all(conn)
    report.seconds = round(time.perf_counter() - began, 3)
    if report.actions:
        log.info("curate: %d actions %s, %.2fs", report.actions, report.states, report.seconds)
    return report


def apply_all(conn: Connection) -> ApplyReport:
    """Apply every action in order inside the caller's transaction; rewrites the derived tables."""
    actions = conn.execute(select(t.curation_actions).order_by(t.curation_actions.c.id)).all()
    conn.execute(delete(t.curated_fields))
    conn.execute(delete(t.curation_results))
    report = ApplyReport(actions=len(actions))
    if not actions:
        return report
    ctx = Context(conn)
    off = undone(actions)
    results, fields = [], []
    for action in actions:
        if action.kind not in BATCHED:
            ctx.forget()
        outcome = apply_one(ctx, action, off)
        report.states[outcome.state] = report.states.get(outcome.state, 0) + 1
        results.append(_result_row(action, outcome))
        fields += _field_rows(action, outcome)
    ctx.flush()
    conn.execute(insert(t.curation_results), results)
    if fields:
        conn.execute(insert(t.curated_fields), fields)
    _drop_dangling_fields(conn)
    return report


def apply_new(conn: Connection, action) -> Outcome:
    """Apply one action just appended to the log, on a store where the earlier ones already hold."""
    ctx = Context(conn)
    outcome = apply_one(ctx, action, set())
    ctx.flush()
    conn.execute(insert(t.curation_results), [_result_row(action, outcome)])
    rows = _field_rows(action, outcome)
    if rows:
        conn.execute(insert(t.curated_fields), rows)
    _drop_dangling_fields(conn)
    return outcome


def apply_one(ctx: Context, action, off: set[int]) -> Outcome:
    if action.id in off:
        return Outcome("undone", "taken back by a later undo or restore; kept in the log")
    if action.kind in UNDOING:
        target = ctx.conn.execute(select(t.curation_actions.c.id, t.curation_actions.c.kind)
                                  .where(t.curation_actions.c.uid == action.args.get("undoes"))).first()
        if target is None:
            return Outcome("stale", f"the action it takes back ({action.args.get('undoes')}) is not in this log")
        return Outcome("applied", f"takes back action {target.id} ({target.kind})")
    applier = APPLIERS.get(action.kind)
    if applier is None:
        return Outcome("stale", f"unknown kind {action.kind!r} (made by a newer timeweave?); not applied")
    result = applier(ctx, action)
    return result if isinstance(result, Outcome) else Outcome(*result)


def _result_row(action, outcome: Outcome) -> dict[str, Any]:
    return {"action_id": action.id, "state": outcome.state, "detail": outcome.detail,
            "applies_to": outcome.applies_to, "checked_at": now()}


def _field_rows(action, outcome: Outcome) -> list[dict[str, Any]]:
    if outcome.state != "applied":
        return []
    return [{"object": obj, "object_id": obj_id, "field": name, "action_id": action.id, "author": action.author,
             "note": action.note, "created_at": action.created_at} for obj, obj_id, name in outcome.fields]


def _drop_dangling_fields(conn: Connection) -> None:
    """Marks on an event or entity a later action removed (merged away, rejected) go with it."""
    cf = t.curated_fields.c
    conn.execute(delete(t.curated_fields).where(cf.object == "event", cf.object_id.not_in(select(t.events.c.id))))
    conn.execute(delete(t.curated_fields).where(cf.object == "entity", cf.object_id.not_in(select(t.entities.c.id))))
    conn.execute(delete(t.curated_fields).where(cf.object == "comparison", cf.object_id.not_in(select(t.comparisons.c.id))))
