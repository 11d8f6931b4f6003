"""Sources whose events were only renamed: their cached claims are kept, with the new event ids, not extracted again.

`reconcile` gives an event an id made from its founding mention, so when an added text founds an event (or the
founder's source is removed), the event takes a new id although the other sources' mentions in it did not move:
at 1,600 documents, adding one text made three other sources extract again for this alone (a third of the
extraction the add paid on top of the text's own).

Why renaming suffices (`extract`): a source's claims read the events of its mentions only by whether a mention has
one, by whether two mentions have the same one (the sentence's nearest placed mention, the paragraph's last told
event, the report carried from a paragraph before, duplicates dropped per event), and by copying the id into
`Claim.event_id`. No event's id is ordered, compared with another's by size, or looked up. So when the mentions of a
source group into events exactly as before (the same sets of mention ids held, each set now under one new id), the
claims extracted now are the cached ones with each event id replaced by the id of the event that holds the same
mentions: `renamings` finds that map from the index rows the plan reads anyway (`claims.held:<source>`, the digest of
each event's mention ids in the source, against the same digests now). It is asked only for sources that nothing
but their events made dirty (no row, voice, copy mark or entity of theirs changed: `incremental.plan`), and a
source whose entities' digests differ from the stored ones, or whose cached claims hold an event outside the map,
is extracted as before. tests/test_claims_renamed.py checks the rows against a full run after an event is
renumbered, and that dropping the renaming fails it.
"""

from __future__ import annotations

from typing import Any

from timeweave.claims.extract import Claim


def renamings(sources: set[str], stored: dict[str, Any], held: dict[str, dict[str, dict[int, str]]],
              key: Any) -> dict[str, dict[int, int]]:
    """source -> {old event id: new event id} for the sources whose mentions hold the same sets of events as at the
    last run, only under other ids; `stored`: the sources' kept index rows (`key(source)` -> {"event": {id: digest},
    "entity": {id: digest}}), `held`: kind -> source -> {id: digest} now."""
    out: dict[str, dict[int, int]] = {}
    for source in sources:
        row = stored.get(key(source))
        if row is None:
            continue
        was, now = row.get("event", {}), held["event"].get(source, {})
        if row.get("entity", {}) != {str(k): v for k, v in held["entity"].get(source, {}).items()}:
            continue  # its entities moved too: extracted
        old_of = {digest: int(event) for event, digest in was.items()}
        if len(old_of) != len(was) or len(now) != len(was) or set(now.values()) != old_of.keys():
            continue  # a mention joined, left or moved between its events: extracted
        out[source] = {old_of[digest]: event for event, digest in now.items()}
    return out


def renamed(claims: list[Claim], new_id: dict[int, int]) -> list[Claim] | None:
    """The cached claims with their events renamed; None when one holds an event the map does not know (then the
    source is extracted)."""
    for claim in claims:
        if claim.event_id is not None:
            if claim.event_id not in new_id:
                return None
            claim.event_id = new_id[claim.event_id]
    return claims
