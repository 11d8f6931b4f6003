"""Whether an event happened, as its sources tell it: asserted, reported, negated or disputed.

Each mention carries the annotator's factuality (`asserted`, `reported` for an event in someone
else's voice or called "alleged", `negated`, `hypothetical` for a plan or an offer). An event keeps
the strongest status its telling sources give, so that "the attack that did not happen" stays in
the chronicle as an event with that status instead of disappearing, and an event some sources
affirm while others deny is shown as disputed rather than silently as a fact. Copies, citations
and hypotheses do not vote: a plan says nothing about whether the event took place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from timeweave.reconcile.load import CLAIM_CONTEXTS, Mention

VALUES = ("asserted", "reported", "negated", "disputed", "hypothetical")


def of_event(members: Iterable[Mention]) -> str:
    """The event's factuality: `disputed` when some telling mention affirms it (asserted or reported)
    and another denies it; else `asserted` if any asserts it, `reported` if it is only told in others'
    voices, `negated` if only denied; `hypothetical` when no mention tells it as past (it was founded
    by a title, say, and holds only plans)."""
    members = list(members)
    said = {m.factuality for m in members
            if not m.is_copy and m.context in CLAIM_CONTEXTS and m.factuality != "hypothetical"}
    if "negated" in said and said & {"asserted", "reported"}:
        return "disputed"
    for value in ("asserted", "reported", "negated"):
        if value in said:
            return value
    found = Counter(m.factuality for m in members if m.factuality in VALUES)
    return found.most_common(1)[0][0] if found else "asserted"
