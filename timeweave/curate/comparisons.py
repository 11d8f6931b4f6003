"""Corrections of comparisons: mark one wrong, add one from chosen quotes."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from timeweave.curate.kinds import COMPONENT
from timeweave.curate.ops import Result, _event, _stale
from timeweave.store import schema as t


def _comparison(ctx, anchor: dict) -> int | None:
    event_id = _event(ctx, anchor["event"])
    if event_id is None:
        return None
    c, s = t.comparisons.c, t.comparison_statements.c
    candidates = [r.id for r in ctx.conn.execute(select(c.id).where(c.event_id == event_id, c.kind == anchor["kind"],
                                                                    c.field == anchor["field"]))]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    spans = {(q["source"], q["start"], q["end"]) for q in anchor.get("statements", [])}
    scored = []
    for cid in candidates:
        have = {(r.source_id, r.start, r.end) for r in ctx.conn.execute(select(s.source_id, s.start, s.end).where(s.comparison_id == cid))}
        scored.append((len(have & spans), -cid, cid))
    return max(scored)[2]


def comparison_wrong(ctx, action) -> Result:
    anchor = action.target["comparisons"][0]
    comparison_id = _comparison(ctx, anchor)
    if comparison_id is None:
        return ("stale", f"the {anchor['kind']} ({anchor['field']}) comparison of {anchor['event'].get('label')!r} "
                "is no longer made; not applied", {}, [])
    ctx.conn.execute(delete(t.comparison_statements).where(t.comparison_statements.c.comparison_id == comparison_id))
    ctx.conn.execute(delete(t.comparisons).where(t.comparisons.c.id == comparison_id))
    return "applied", f"comparison {comparison_id} marked wrong: left the chronicle", {"comparisons": [comparison_id]}, []


def comparison_add(ctx, action) -> Result:
    anchor = action.target["events"][0]
    event_id = _event(ctx, anchor)
    if event_id is None:
        return _stale("the event", anchor)
    from timeweave.curate.anchors import locate

    spans = []
    for quote in action.target["evidence"]:
        where = locate(ctx.resolver.texts[quote["source"]], quote)
        if where is None:
            return _stale("the quote", quote)
        spans.append((quote["source"], *where))
    comparison_id = ctx.new_id(t.comparisons)
    explanation = action.args.get("explanation") or action.note or f"added by {action.author}"
    ctx.conn.execute(insert(t.comparisons).values(id=comparison_id, event_id=event_id, kind=action.args["kind"],
                                                  field=action.args["field"], explanation=explanation, component=COMPONENT))
    ctx.conn.execute(insert(t.comparison_statements), [
        {"comparison_id": comparison_id, "source_id": s, "start": a, "end": b, "value": None} for s, a, b in spans])
    return ("applied", f"comparison {comparison_id} added to event {event_id}", {"events": [event_id], "comparisons": [comparison_id]},
            [("comparison", comparison_id, "added")])
