"""Recording a correction: check it, anchor it, append it to the log and apply it, or change nothing.

Everything is checked before a row is written (ids that exist, an EDTF date the store can hold, two
different events to merge, evidence of the event being split ...), and the row is written and
applied in one transaction, so bad input leaves the store as it was. An undo or a restore cannot be
applied on top of the current reading (what the undone action removed is gone), so it is appended
and the corpus stages are run again from the stored documents, which applies the log from scratch.
"""

from __future__ import annotations

import getpass
import logging
import re
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, desc, insert, select

from timeweave.annotate.types import ENTITY_TYPES, EVENT_TYPES
from timeweave.curate import anchors
from timeweave.curate.apply import apply_new
from timeweave.curate.kinds import COMPARISON_KINDS, KINDS, PARTICIPANT_ROLES, UNDOING, CurateError
from timeweave.curate.ops import edtf_bounds
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.writer import now

log = logging.getLogger(__name__)

EVIDENCE_ID = re.compile(r"^(?P<source>[^:\s]+):(?P<start>\d+)-(?P<end>\d+)$")  # SOURCE:START-END, as in the chronicle JSON
MAX_TEXT = 2000  # longest label, note or alias accepted


def engine_of(db: str | Path | Engine) -> Engine:
    return db if isinstance(db, Engine) else open_store(db, create=False)


def record(db: str | Path | Engine, kind: str, *, events: list[int] = (), entities: list[int] = (),
           evidence: list[str | int] = (), comparisons: list[int] = (), args: dict[str, Any] | None = None,
           note: str | None = None, by: str | None = None, origin: str = "library") -> dict[str, Any]:
    """Check, anchor, append and apply one correction; returns the action with what it applies to now.

    Raises CurateError, with nothing changed, when the action names unknown ids or bad values.
    """
    engine = engine_of(db)
    args = dict(args or {})
    author = (by or "").strip() or getpass.getuser()
    _check_text("note", note, required=False)
    _check_text("author", author, required=True, limit=200)
    if kind not in KINDS:
        raise CurateError(f"Unknown correction {kind!r}. Valid ones: {', '.join(KINDS)}.")
    spec = KINDS[kind]
    for name, given, (low, high) in (("event", events, spec.events), ("entity", entities, spec.entities),
                                     ("evidence", evidence, spec.evidence), ("comparison", comparisons, spec.comparisons)):
        if len(given) < low or (high is not None and len(given) > high):
            want = f"{low}" if low == high else f"{low} or more" if high is None else f"{low} to {high}"
            raise CurateError(f"`{kind}` takes {want} {name} id(s), got {len(given)}.")
    with engine.begin() as conn:
        target = _check(conn, kind, list(events), list(entities), list(evidence), list(comparisons), args, note)
        row = {"uid": str(uuid.uuid4()), "kind": kind, "target": target, "args": args, "note": note,
               "author": author, "created_at": now(), "origin": origin}
        action_id = conn.execute(insert(t.curation_actions).values(**row)).inserted_primary_key[0]
        action = conn.execute(select(t.curation_actions).where(t.curation_actions.c.id == action_id)).first()
        if kind in UNDOING:
            outcome, touched = None, _sources_of(conn, args["undoes"])
        else:
            named = _named_events(conn, list(events), list(comparisons))  # before the action removes any
            outcome = apply_new(conn, action)
            if outcome.state == "stale":  # just anchored: cannot happen unless the store changed under us
                raise CurateError(f"`{kind}` could not be applied: {outcome.detail}. Nothing was changed.")
    if kind in UNDOING:
        recompute(engine, sources=touched)
    else:
        _reindex(engine, events=named | set(outcome.applies_to.get("events", [])),
                 entities=set(entities) | set(outcome.applies_to.get("entities", [])))
    with engine.connect() as conn:
        result = conn.execute(select(t.curation_results).where(t.curation_results.c.action_id == action_id)).first()
    log.info("curate: action %d %s by %s: %s", action_id, kind, author, result.detail if result else "")
    return {"id": action_id, "uid": row["uid"], "kind": kind, "author": author, "note": note, "args": args,
            "state": result.state if result else "applied", "detail": result.detail if result else "",
            "applies_to": result.applies_to if result else {}}


def recompute(engine: Engine, *, sources: set[str] | None = None) -> None:
    """Run the corpus stages again with the last build's settings (which applies the whole log).

    With `sources` (those whose rows the taken-back action edited), the stages run as if those
    sources were stored again: link resolves every mention and writes what differs, reconcile
    recomputes the groups whose rows differ from what it last wrote, claims re-extracts the sources
    whose inputs changed; the rows are those of a full recompute (tests/test_curate.py), at a
    fraction of its cost on a large store. None, or no source, recomputes everything.
    """
    from timeweave import config as settings
    from timeweave import knowledge
    from timeweave.corpus import corpus_stages
    from timeweave.store.changes import Changes

    with engine.connect() as conn:
        stored = conn.execute(select(t.runs.c.config).order_by(desc(t.runs.c.id)).limit(1)).scalar() or {}
    known = {s.name for s in settings.SETTINGS}
    resolved = settings.resolve({k: v for k, v in stored.items() if k in known})
    knowledge.use(resolved["knowledge"])
    changes = Changes(changed=frozenset(sources)) if sources else None
    problems = corpus_stages(engine, resolved, changes=changes)
    if problems:
        raise CurateError(f"The action was recorded, but recomputing the chronicle failed: {problems[0]}")


def _sources_of(conn: Connection, undoes: str) -> set[str]:
    """The sources whose corpus-level rows an action edited: of the events and entities it applied
    to, and of the quotes it was anchored by (a rejected event's evidence belongs to no event now)."""
    ca, cr = t.curation_actions.c, t.curation_results.c
    row = conn.execute(select(ca.id, ca.target).where(ca.uid == undoes)).first()
    if row is None:
        return set()
    applied = conn.execute(select(cr.applies_to).where(cr.action_id == row.id)).scalar() or {}
    events = [int(i) for i in applied.get("events", [])]
    entities = [int(i) for i in applied.get("entities", [])]
    em, m = t.event_mentions.c, t.mentions.c
    found = set(conn.execute(select(em.source_id).where(em.event_id.in_(events)).distinct()).scalars()) if events else set()
    if entities:
        found.update(conn.execute(select(m.source_id).where(m.entity_id.in_(entities)).distinct()).scalars())

    def quotes(value) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("source"), str) and "quote" in value:
                found.add(value["source"])
            for item in value.values():
                quotes(item)
        elif isinstance(value, list):
            for item in value:
                quotes(item)

    quotes(row.target)
    if not found:
        return found
    return set(conn.execute(select(t.sources.c.id).where(t.sources.c.id.in_(sorted(found)))).scalars())  # still stored


def _named_events(conn: Connection, events: list, comparisons: list[int]) -> set[int]:
    """The events an action names, directly or through the comparisons it names (read before it applies)."""
    found = {int(e) for e in events}
    if comparisons:
        c = t.comparisons.c
        found.update(conn.execute(select(c.event_id).where(c.id.in_([int(i) for i in comparisons]))).scalars())
    return found


def _reindex(engine: Engine, *, events: set[int], entities: set[int]) -> None:
    """Update the search and timeline indexes for what one applied action touched, not the whole store.

    Why: a full reindex of a large store costs seconds per correction. The action's events (those it
    names, creates or removes) and entities are handed to the incremental reindex, which also rewrites
    every event whose timeline columns differ (a status a removed comparison changed); the rows are
    those a full reindex writes (tests/test_curate_actions.py compares them after every kind).
    """
    from timeweave.store.changes import Changes
    from timeweave.store.search import reindex

    reindex(engine, Changes(events={int(e) for e in events}, entities={int(e) for e in entities}))


def _check_text(name: str, value: str | None, *, required: bool, limit: int = MAX_TEXT) -> None:
    if value is None or not value.strip():
        if required:
            raise CurateError(f"The {name} is empty: give one.")
        return
    if len(value) > limit:
        raise CurateError(f"The {name} is {len(value)} characters long; at most {limit} are kept. Shorten it.")


def _existing(conn: Connection, table, ids: list[int], what: str, listing: str) -> list[int]:
    out = []
    for raw in ids:
        try:
            ident = int(raw)
        except (TypeError, ValueError):
            raise CurateError(f"{raw!r} is not {what} id: ids are whole numbers (see {listing}).") from None
        if conn.execute(select(table.c.id).where(table.c.id == ident)).first() is None:
            raise CurateError(f"No {what} {ident} in this store. Ids change with each build: see {listing}.")
        out.append(ident)
    return out


def _evidence_id(conn: Connection, spec: str | int, event_id: int | None) -> int:
    """An event mention from `SOURCE:START-END` (as in the chronicle JSON) or its number."""
    em = t.event_mentions.c
    text = str(spec).strip()
    match = EVIDENCE_ID.match(text)
    if match:
        query = select(em.id, em.event_id).where(em.source_id == match["source"], em.start == int(match["start"]),
                                                  em.end == int(match["end"]))
    elif text.isdigit():
        query = select(em.id, em.event_id).where(em.id == int(text))
    else:
        raise CurateError(f"Evidence {text!r}: give it as SOURCE:START-END, as in the chronicle JSON's evidence.")
    rows = conn.execute(query).all()
    if event_id is not None:
        rows = [r for r in rows if r.event_id == event_id] or rows
    if not rows:
        raise CurateError(f"No evidence {text!r} in this store: see the event's evidence in `timeweave export json`.")
    if event_id is not None and rows[0].event_id != event_id:
        raise CurateError(f"Evidence {text!r} belongs to event {rows[0].event_id}, not to event {event_id}.")
    return rows[0].id


def _check(conn: Connection, kind: str, events: list, entities: list, evidence: list, comparisons: list,
           args: dict[str, Any], note: str | None) -> dict[str, Any]:
    """Validate the action against the store and return its target as anchors (CurateError if bad)."""
    events = _existing(conn, t.events, events, "event", "`timeweave export json` or the event pages")
    entities = _existing(conn, t.entities, entities, "entity", "`timeweave export json` or the entity pages")
    comparisons = _existing(conn, t.comparisons, comparisons, "comparison", "the comparisons page")
    texts = anchors.Texts(conn)
    if kind in ("merge", "entity_merge"):
        ids = events or entities
        if len(set(ids)) < len(ids):
            raise CurateError(f"`{kind}` names {'an event' if events else 'an entity'} twice: "
                              "merging something with itself changes nothing. Name two different ones.")
    owner = events[0] if kind in ("split",) and events else None
    mention_ids = [_evidence_id(conn, spec, owner) for spec in evidence]
    if len(set(mention_ids)) < len(mention_ids):
        raise CurateError("The same evidence is named twice.")
    _check_args(conn, kind, events, entities, mention_ids, args, note)
    target: dict[str, Any] = {}
    if events:
        target["events"] = [anchors.event_anchor(conn, texts, e) for e in events]
    if entities:
        target["entities"] = [anchors.entity_anchor(conn, texts, e) for e in entities]
    if mention_ids:
        target["evidence"] = [anchors.evidence_anchor(conn, texts, m) for m in mention_ids]
    if comparisons:
        c = conn.execute(select(t.comparisons).where(t.comparisons.c.id == comparisons[0])).first()
        statements = conn.execute(select(t.comparison_statements).where(t.comparison_statements.c.comparison_id == c.id)).all()
        target["comparisons"] = [{"id": c.id, "kind": c.kind, "field": c.field,
                                  "event": anchors.event_anchor(conn, texts, c.event_id),
                                  "statements": [anchors.span_anchor(texts[s.source_id] or "", s.source_id, s.start, s.end)
                                                 for s in statements]}]
    if kind in UNDOING:
        undone = conn.execute(select(t.curation_actions).where(t.curation_actions.c.uid == args["undoes"])).first()
        target = undone.target
    return target


def _check_args(conn: Connection, kind: str, events: list[int], entities: list[int], mentions: list[int],
                args: dict[str, Any], note: str | None) -> None:
    em, a = t.event_mentions.c, t.aliases.c
    if kind == "date":
        args["earliest"], args["latest"] = edtf_bounds(args.get("edtf", ""))
        if not (note or "").strip():
            raise CurateError("A date needs its reason: give it with --note (it is shown as 'date set by NAME: reason').")
    elif kind == "label":
        _check_text("label", args.get("label"), required=True, limit=500)
        args["label"] = args["label"].strip()
    elif kind == "type":
        known = set(EVENT_TYPES) | {r[0] for r in conn.execute(select(t.events.c.type).distinct())}
        if args.get("type") not in known:
            raise CurateError(f"Unknown event type {args.get('type')!r}. Valid types: {', '.join(sorted(known))}.")
    elif kind == "split":
        total = conn.execute(select(em.id).where(em.event_id == events[0])).all()
        if len(mentions) >= len(total):
            raise CurateError(f"Splitting all the evidence of event {events[0]} leaves nothing behind: "
                              "choose some of it, or relabel the event instead.")
        if args.get("label") is not None:
            _check_text("label", args["label"], required=True, limit=500)
    elif kind == "participant":
        role = args.setdefault("role", "other")
        if role not in PARTICIPANT_ROLES:
            raise CurateError(f"Unknown role {role!r}. Valid roles: {', '.join(PARTICIPANT_ROLES)}.")
        args["remove"] = bool(args.get("remove"))
    elif kind == "place":
        args["remove"] = not entities
    elif kind == "entity_type":
        if args.get("type") not in ENTITY_TYPES:
            raise CurateError(f"Unknown entity type {args.get('type')!r}. Valid types: {', '.join(ENTITY_TYPES)}.")
    elif kind in ("alias", "entity_split"):
        have = [r.text for r in conn.execute(select(a.text).where(a.entity_id == entities[0]).order_by(a.id))]
        if kind == "alias":
            _check_text("alias", args.get("text"), required=True, limit=500)
            args["text"], args["remove"] = args["text"].strip(), bool(args.get("remove"))
            if args["remove"] and args["text"] not in have:
                raise CurateError(f"Entity {entities[0]} has no alias {args['text']!r}. Its aliases: {', '.join(have) or 'none'}.")
        else:
            chosen = [x.strip() for x in args.get("aliases") or [] if x and x.strip()]
            missing = [x for x in chosen if x not in have]
            if not chosen or missing:
                raise CurateError(f"Choose aliases of entity {entities[0]} to split off ({', '.join(missing) or 'none given'} "
                                  f"not among them). Its aliases: {', '.join(have) or 'none'}.")
            if set(chosen) >= set(have):
                raise CurateError(f"Splitting all aliases of entity {entities[0]} leaves nothing behind: choose some of them.")
            args["aliases"] = chosen
    elif kind == "comparison_add":
        if args.get("kind") not in COMPARISON_KINDS:
            raise CurateError(f"Unknown comparison kind {args.get('kind')!r}. Valid kinds: {', '.join(COMPARISON_KINDS)}.")
        _check_text("field", args.get("field"), required=True, limit=40)
    elif kind in UNDOING:
        _check_undo(conn, kind, args)


def _check_undo(conn: Connection, kind: str, args: dict[str, Any]) -> None:
    ca = t.curation_actions.c
    ref = str(args.get("undoes", "")).strip()
    query = select(t.curation_actions).where(ca.id == int(ref)) if ref.isdigit() else select(t.curation_actions).where(ca.uid == ref)
    undone = conn.execute(query).first()
    if undone is None:
        raise CurateError(f"No action {ref!r} in this store's log: see `timeweave curate log`.")
    if kind == "restore" and undone.kind != "reject":
        raise CurateError(f"Action {undone.id} is a {undone.kind}, not a reject: `restore` takes back a reject "
                          "(use `undo` for other actions).")
    state = conn.execute(select(t.curation_results.c.state).where(t.curation_results.c.action_id == undone.id)).scalar()
    if state == "undone":
        raise CurateError(f"Action {undone.id} is taken back already.")
    args["undoes"] = undone.uid
