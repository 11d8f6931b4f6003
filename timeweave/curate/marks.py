"""Marks on what a historian set: `curated` lists in the chronicle JSON and "date set by NAME" in the UI.

`curated_fields` is rewritten by every application of the log (`apply.py`); these helpers read it
for one object or for a whole chronicle.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, inspect, select

from timeweave.store import schema as t


def _rows(conn: Connection, *conditions) -> list:
    if not inspect(conn).has_table(t.curated_fields.name):  # a store opened read-only before migration 0010
        return []
    cf, ca = t.curated_fields.c, t.curation_actions.c
    return conn.execute(select(cf.object, cf.object_id, cf.field, cf.author, cf.note, cf.created_at, ca.uid)
                        .join(t.curation_actions, ca.id == cf.action_id).where(*conditions).order_by(cf.id)).all()


def _mark(r) -> dict[str, Any]:
    return {"field": r.field, "by": r.author, "note": r.note, "at": r.created_at, "action": r.uid}


def marks_of(conn: Connection, obj: str, object_id: int) -> list[dict[str, Any]]:
    """The fields a historian set on one event, entity or comparison (for its page)."""
    cf = t.curated_fields.c
    return [_mark(r) for r in _rows(conn, cf.object == obj, cf.object_id == object_id)]


def mark_curated(conn: Connection, *, entities: list[dict], events: list[dict], comparisons: list[dict]) -> None:
    """Add `curated` to each chronicle object a correction changed (absent elsewhere: schema 2 is additive)."""
    found: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in _rows(conn):
        found[(r.object, r.object_id)].append(_mark(r))
    if not found:
        return
    for obj, items in (("entity", entities), ("event", events), ("comparison", comparisons)):
        for item in items:
            marks = found.get((obj, item["id"]))
            if marks:
                item["curated"] = marks
