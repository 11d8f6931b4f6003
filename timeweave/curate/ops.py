"""What the corrections share: finding their targets now, the stale outcome, EDTF bounds.

The corrections themselves are in `events.py`, `entities.py` and `comparisons.py`, one function per
kind (`apply.APPLIERS`). Each takes the apply `Context` and the action row and returns
`(state, detail, applies_to, fields)` (see `apply.Outcome`). They change only corpus-level rows (events, participants, comparisons,
entities, aliases and the `event_id`/`entity_id` links of mentions), which every build recomputes
before the log is applied again; document-level rows (the quotes) are never touched, so every quote
still equals its source. Each keeps the resolver's view of who owns which mention current.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from timeweave.curate.kinds import CurateError

Result = tuple[str, str, dict[str, list[int]], list[tuple[str, int, str]]]


@lru_cache(maxsize=4096)
def edtf_bounds(value: str) -> tuple[str, str]:
    """The earliest and latest day of an EDTF date or interval, or CurateError saying why it is not one.

    Parsing EDTF is slow (a full grammar): the log stores the bounds with the action, and this is
    cached for logs imported without them."""
    import edtf

    text = (value or "").strip()
    try:
        parsed = edtf.parse_edtf(text)
        lo, hi = parsed.lower_strict(), parsed.upper_strict()
        earliest = date(lo.tm_year, lo.tm_mon, lo.tm_mday)
        latest = date(hi.tm_year, hi.tm_mon, hi.tm_mday)
    except Exception as exc:  # the edtf parser raises several kinds; none is a date we can store
        raise CurateError(
            f"{value!r} is not an EDTF date timeweave can store ({type(exc).__name__}). Use a day (1935-03-23), "
            "a month (1935-03), a year (1935), an interval (1935-03-01/1935-03-23) or an approximate date (1935~)."
        ) from None
    if latest < earliest or not 1 <= earliest.year <= 9999:
        raise CurateError(f"{value!r}: its end comes before its start; write the earlier date first.")
    return earliest.isoformat(), latest.isoformat()


def _event(ctx, anchor) -> int | None:
    return ctx.resolver.event(anchor)


def _entity(ctx, anchor) -> int | None:
    return ctx.resolver.entity(anchor, ctx.conn)


def merge_targets(ctx, anchors: list[dict], find, what: str) -> tuple[int, list[int], Result | None]:
    """What a merge names, found now: the one kept, the others (each once, the kept one left out) and
    None; or, when one is no longer found, the stale outcome of the first such as the third value."""
    found = [find(ctx, anchor) for anchor in anchors]
    for anchor, found_id in zip(anchors, found):
        if found_id is None:
            return 0, [], _stale(what, anchor)
    return found[0], list(dict.fromkeys(i for i in found[1:] if i != found[0])), None


def _stale(what: str, anchor: dict) -> Result:
    name = anchor.get("label") or anchor.get("name") or anchor.get("quote", "")[:60]
    return ("stale", f"{what} {name!r} (id {anchor.get('id')} when recorded) is no longer found: "
            "its quotes left the sources or belong to nothing now; not applied", {}, [])
