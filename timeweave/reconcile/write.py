"""Writing the corpus-level event rows: events, participants, comparisons, and which event each mention joined.

Called inside the transaction that read the mentions, so readers see either the old events or
the new ones, never a mix. Only rows that differ from what the store holds are written (a full run
and an incremental one go through the same diff, see `incremental`), so an event whose evidence,
date, label, participants and comparisons did not change keeps its rows, and the ids of what did
change are returned for the stages after this one (claims, the search index).

A historian's comparisons (added by `curate`) are removed first, as a rewrite of the event tables always
did: `curate` adds them again after this one. The claims stage's comparisons are left alone: it writes its
own as a diff (claims/write.py), and those of an event removed here go with the event (the foreign key
cascades), so an incremental claims run need not rewrite them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from timeweave.reconcile import dates
from timeweave.reconcile.canonical import Event
from timeweave.reconcile.compare import Comparison
from timeweave.store import schema as t

COMPONENT = "timeweave.reconcile.v3"  # v2: salience gate, carried-over dates, generic wholes, index labels; v3: factuality, rare participants
CHUNK = 500  # ids per IN (...) list


@dataclass
class Planned:
    """A computed event with the ids it will have: its own, its parent's, its comparisons'."""

    event: Event
    id: int
    part_of: int | None
    comparisons: list[Comparison]
    comparison_ids: list[int] = field(default_factory=list)

    def row(self, known_entities: set[int]) -> tuple:
        """The `events` row without id and status, in the order of `incremental.EVENT_COLUMNS`."""
        e, iv = self.event, self.event.interval
        return (e.label, e.type, dates.to_edtf(iv) if iv else None, iv.start_iso if iv else None,
                iv.end_iso if iv else None, e.when_reason, e.place if e.place in known_entities else None,
                self.part_of, e.factuality, COMPONENT)

    def participants(self, known_entities: set[int]) -> list[tuple]:
        return sorted({(entity, role) for entity, role in self.event.participants if entity in known_entities})

    def comparison_rows(self) -> list[tuple]:
        return [(cid, c.kind, c.field, c.explanation, tuple((s.source_id, s.start, s.end, s.value) for s in c.statements))
                for cid, c in zip(self.comparison_ids, self.comparisons)]


def _chunks(ids):
    ids = sorted(ids)
    for at in range(0, len(ids), CHUNK):
        yield ids[at:at + CHUNK]


def _old_comparisons(conn: Connection, event_ids: set[int]) -> dict[int, list[tuple]]:
    """Own comparisons of these events as stored: event id -> [(id, kind, field, explanation, statements)]."""
    found: dict[int, list[tuple]] = {}
    by_id: dict[int, list] = {}
    for chunk in _chunks(event_ids):
        for r in conn.execute(select(t.comparisons).where(t.comparisons.c.event_id.in_(chunk),
                                                          t.comparisons.c.component == COMPONENT)):
            row = [r.id, r.kind, r.field, r.explanation, []]
            by_id[r.id] = row
            found.setdefault(r.event_id, []).append(row)
    for chunk in _chunks(by_id):
        for s in conn.execute(select(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(chunk))
                              .order_by(t.comparison_statements.c.id)):
            by_id[s.comparison_id][4].append((s.source_id, s.start, s.end, s.value))
    return {e: sorted((c[0], c[1], c[2], c[3], tuple(c[4])) for c in rows) for e, rows in found.items()}


def _delete_comparisons(conn: Connection, ids: list[int]) -> None:
    for chunk in _chunks(ids):
        conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(chunk)))
        conn.execute(delete(t.comparisons).where(t.comparisons.c.id.in_(chunk)))


def write(conn: Connection, planned: list[Planned], replaced: set[int], stored, known_entities: set[int],
          links: dict[int, int | None], links_now: dict[int, int | None]) -> set[int]:
    """Make the store hold `planned` in place of the events `replaced`; returns the ids of events created,
    removed or changed.

    `stored` is `incremental.Stored` (rows as they stand); `links` the event (or None) each recomputed
    mention joins, `links_now` the one it is joined to in the store.
    """
    if stored.foreign:
        from timeweave.claims.write import COMPONENT as CLAIMS  # here: claims imports reconcile's modules

        kept = (COMPONENT, CLAIMS)
        foreign = select(t.comparisons.c.id).where(t.comparisons.c.component.not_in(kept))
        conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.comparison_id.in_(foreign)))
        conn.execute(delete(t.comparisons).where(t.comparisons.c.component.not_in(kept)))
    changed: set[int] = set()
    wanted = {p.id for p in planned}
    gone = sorted(e for e in replaced if e not in wanted and e in stored.events)
    kept = {p.id for p in planned if p.id in stored.events}
    old_comparisons = _old_comparisons(conn, kept)
    drop_comparisons = [c for e in gone for c in stored.comparisons.get(e, [])]
    drop_participants = list(gone)
    event_rows, new_events, new_participants, new_comparisons = [], [], [], []
    for p in planned:
        row, parts = p.row(known_entities), p.participants(known_entities)
        comparisons = p.comparison_rows()
        if p.id in stored.events:
            same_row = stored.events[p.id] == row and stored.status.get(p.id) == p.event.status
            same_parts = stored.participants.get(p.id, []) == parts
            same_comparisons = old_comparisons.get(p.id, []) == sorted(comparisons)
            if not (same_row and same_parts and same_comparisons):
                changed.add(p.id)
            if not same_row:
                event_rows.append(p)
            if not same_parts:
                drop_participants.append(p.id)
                new_participants += [(p.id, e, r) for e, r in parts]
            if not same_comparisons:
                drop_comparisons += [c[0] for c in old_comparisons.get(p.id, [])]
                new_comparisons += [(p.id, c) for c in comparisons]
        else:
            changed.add(p.id)
            new_events.append(p)
            new_participants += [(p.id, e, r) for e, r in parts]
            new_comparisons += [(p.id, c) for c in comparisons]
    changed.update(gone)
    _delete_comparisons(conn, drop_comparisons)
    for chunk in _chunks(drop_participants):
        conn.execute(delete(t.event_participants).where(t.event_participants.c.event_id.in_(chunk)))
    for chunk in _chunks(gone):
        conn.execute(update(t.event_mentions).where(t.event_mentions.c.event_id.in_(chunk)).values(event_id=None))
        conn.execute(delete(t.events).where(t.events.c.id.in_(chunk)))

    def values(p: Planned) -> dict:
        return dict(zip(("label", "type", "edtf", "earliest", "latest", "when_reason", "place", "part_of", "factuality",
                         "component"), p.row(known_entities))) | {"status": p.event.status}

    if event_rows:
        conn.execute(update(t.events).where(t.events.c.id == bindparam("eid")),
                     [values(p) | {"eid": p.id} for p in event_rows])
    if new_events:
        conn.execute(insert(t.events), [values(p) | {"id": p.id} for p in new_events])
    if new_participants:
        conn.execute(insert(t.event_participants),
                     [{"event_id": e, "entity_id": entity, "role": role} for e, entity, role in new_participants])
    if new_comparisons:
        conn.execute(insert(t.comparisons), [
            {"id": cid, "event_id": e, "kind": kind, "field": fld, "explanation": text, "component": COMPONENT}
            for e, (cid, kind, fld, text, _s) in new_comparisons])
        statements = [{"comparison_id": cid, "source_id": s, "start": a, "end": b, "value": v}
                      for _e, (cid, _k, _f, _x, spans) in new_comparisons for s, a, b, v in spans]
        if statements:
            conn.execute(insert(t.comparison_statements), statements)
    moved = [{"mid": m, "eid": e} for m, e in sorted(links.items()) if links_now.get(m) != e]
    if moved:
        conn.execute(update(t.event_mentions).where(t.event_mentions.c.id == bindparam("mid"))
                     .values(event_id=bindparam("eid")), moved)
        changed.update(e for e in (links_now.get(m["mid"]) for m in moved) if e is not None and e in stored.events)
        changed.update(m["eid"] for m in moved if m["eid"] is not None)
    return changed


def restore_status(conn: Connection, statuses: dict[int, str]) -> None:
    """Give events back the status reconcile gave them (a later stage may have raised it)."""
    if statuses:
        conn.execute(update(t.events).where(t.events.c.id == bindparam("eid")).values(status=bindparam("st")),
                     [{"eid": e, "st": s} for e, s in sorted(statuses.items())])
