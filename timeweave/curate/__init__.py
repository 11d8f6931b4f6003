"""Curate: a historian corrects the chronicle, and every correction survives rebuilds.

Corrections are actions in an append-only log in the store (`curation_actions`, migration 0010):
reject or restore an event, set its date, label, type, place or participants, merge events, split
one, move a piece of evidence; merge or split entities, add or remove an alias, set an entity's
type; mark a comparison wrong or add one; undo any of them. Each names what it corrects by quotes
with context (`anchors.py`), not by ids, because every build rewrites the corpus-level rows; the
build applies the whole log after `link` and `reconcile` (`apply`), so a correction holds after a
rebuild, after new documents and after a document changed, and one that no longer finds what it
named is reported stale, never applied to something else. `webanno.py` writes and reads the log as
W3C Web Annotations. The CLI (`timeweave curate ...`) and the web UI (`serve --edit`) call these
functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from timeweave.curate.apply import ApplyReport, apply
from timeweave.curate.kinds import KINDS, CurateError
from timeweave.curate.record import engine_of, record
from timeweave.store import schema as t

__all__ = ["ApplyReport", "CurateError", "KINDS", "apply", "record", "log", "stale", "reject", "restore", "set_date",
           "set_label", "set_type", "merge", "split", "move", "participant", "place", "entity_merge", "entity_split",
           "alias", "entity_type", "comparison_wrong", "comparison_add", "undo"]

Db = str | Path | Engine


def reject(db: Db, event: int, **who: Any) -> dict[str, Any]:
    """The event is not an event of this chronicle: it leaves the timeline, comparisons and exports."""
    return record(db, "reject", events=[event], **who)


def restore(db: Db, action: int | str, **who: Any) -> dict[str, Any]:
    """Take back a reject (named by its action id in `curate log`): the event returns at the next reading."""
    return record(db, "restore", args={"undoes": action}, **who)


def set_date(db: Db, event: int, edtf: str, **who: Any) -> dict[str, Any]:
    """Set an event's date (EDTF); the note is the reason, shown as 'date set by NAME: reason'."""
    return record(db, "date", events=[event], args={"edtf": edtf.strip()}, **who)


def set_label(db: Db, event: int, label: str, **who: Any) -> dict[str, Any]:
    """Set an event's label."""
    return record(db, "label", events=[event], args={"label": label}, **who)


def set_type(db: Db, event: int, type_: str, **who: Any) -> dict[str, Any]:
    """Set an event's type."""
    return record(db, "type", events=[event], args={"type": type_}, **who)


def merge(db: Db, events: list[int], **who: Any) -> dict[str, Any]:
    """The events are one: the first keeps its id, label and date and takes the others' evidence."""
    return record(db, "merge", events=list(events), **who)


def split(db: Db, event: int, evidence: list[str | int], *, label: str | None = None, **who: Any) -> dict[str, Any]:
    """Move the chosen evidence (SOURCE:START-END) of an event to a new event."""
    return record(db, "split", events=[event], evidence=list(evidence), args={"label": label} if label else {}, **who)


def move(db: Db, evidence: str | int, event: int, **who: Any) -> dict[str, Any]:
    """Move one piece of evidence to another event (an event left without evidence leaves the chronicle)."""
    return record(db, "move", events=[event], evidence=[evidence], **who)


def participant(db: Db, event: int, entity: int, *, role: str = "other", remove: bool = False, **who: Any) -> dict[str, Any]:
    """Set (or remove) a participant of an event, with its role."""
    return record(db, "participant", events=[event], entities=[entity], args={"role": role, "remove": remove}, **who)


def place(db: Db, event: int, entity: int | None, **who: Any) -> dict[str, Any]:
    """Set the place of an event (None removes it)."""
    return record(db, "place", events=[event], entities=[] if entity is None else [entity], **who)


def entity_merge(db: Db, entities: list[int], **who: Any) -> dict[str, Any]:
    """The entities are one: the first keeps its id and name and takes the others' aliases and mentions."""
    return record(db, "entity_merge", entities=list(entities), **who)


def entity_split(db: Db, entity: int, aliases: list[str], **who: Any) -> dict[str, Any]:
    """Move the chosen aliases of an entity, and the mentions written so, to a new entity."""
    return record(db, "entity_split", entities=[entity], args={"aliases": list(aliases)}, **who)


def alias(db: Db, entity: int, text: str, *, remove: bool = False, **who: Any) -> dict[str, Any]:
    """Add (or remove) an alias of an entity."""
    return record(db, "alias", entities=[entity], args={"text": text, "remove": remove}, **who)


def entity_type(db: Db, entity: int, type_: str, **who: Any) -> dict[str, Any]:
    """Set an entity's type."""
    return record(db, "entity_type", entities=[entity], args={"type": type_}, **who)


def comparison_wrong(db: Db, comparison: int, **who: Any) -> dict[str, Any]:
    """The comparison is wrong: it leaves the chronicle (the log keeps it)."""
    return record(db, "comparison_wrong", comparisons=[comparison], **who)


def comparison_add(db: Db, event: int, evidence: list[str | int], *, kind: str, field: str,
                   explanation: str | None = None, **who: Any) -> dict[str, Any]:
    """Add a comparison of an event from chosen quotes (SOURCE:START-END of its evidence)."""
    return record(db, "comparison_add", events=[event], evidence=list(evidence),
                  args={"kind": kind, "field": field, "explanation": explanation}, **who)


def undo(db: Db, action: int | str, **who: Any) -> dict[str, Any]:
    """Take back an earlier action (it stays in the log, marked undone)."""
    return record(db, "undo", args={"undoes": action}, **who)


def log(db: Db) -> list[dict[str, Any]]:
    """The actions, oldest first, each with what it names and what it applies to now (or why not)."""
    engine = engine_of(db)
    ca, cr = t.curation_actions.c, t.curation_results.c
    with engine.connect() as conn:
        rows = conn.execute(select(t.curation_actions, cr.state, cr.detail, cr.applies_to, cr.checked_at)
                            .outerjoin(t.curation_results, cr.action_id == ca.id).order_by(ca.id)).all()
    out = []
    for r in rows:
        named = [a.get("label") or a.get("name") for key in ("events", "entities") for a in r.target.get(key, [])]
        named += [f"{c['kind']} ({c['field']}) of {c['event'].get('label')}" for c in r.target.get("comparisons", [])]
        out.append({"id": r.id, "uid": r.uid, "kind": r.kind, "author": r.author, "created_at": r.created_at,
                    "note": r.note, "origin": r.origin, "args": r.args, "names": named,
                    "state": r.state or "pending", "detail": r.detail or "not applied yet: the next build applies it",
                    "applies_to": r.applies_to or {}})
    return out


def stale(db: Db) -> list[dict[str, Any]]:
    """The actions that no longer apply (what they named left the sources), for `timeweave status`."""
    return [a for a in log(db) if a["state"] == "stale"]
