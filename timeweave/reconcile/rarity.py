"""How much sharing a participant says about two mentions being one event: the rarer, the more.

In a corpus about one conflict its two sides take part in nearly every event ("the state X", "the
state Y"). Two attacks a week apart both name them, so counting every shared participant as 1
would make any two events of the conflict look alike. A participant's weight is therefore its
inverse mention frequency, scaled so that one named by at most `common` of the mentions weighs 1
and one named by every mention that names participants weighs 0 (the idea of IDF in information retrieval).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable

# Shares are measured over at least this many mentions: in a handful of mentions every participant
# looks common, and a small corpus says nothing about which participants are everywhere.
MIN_MENTIONS = 50


def weights(entity_sets: Iterable[frozenset[int]], common: float) -> dict[int, float]:
    """Entity -> weight 0..1 from how many of the mentions (`entity_sets`) name it.

    Entities absent from the result weigh 1. `common` (the setting `reconcile_common_participant`)
    is the share of mentions up to which a participant counts fully; 1.0 turns weighting off.
    """
    sets = [s for s in entity_sets if s]  # the share among mentions that name anyone
    return from_counts(Counter(e for s in sets for e in s), len(sets), common)


def from_counts(counts: dict[int, int], named: int, common: float) -> dict[int, float]:
    """The weights of `weights` from its counts: entity -> mentions naming it, and `named`, the mentions
    naming anyone (an incremental reconcile keeps these counts instead of reading every mention)."""
    total = max(named, MIN_MENTIONS)
    if not 0.0 < common < 1.0:
        return {}
    out = {}
    for entity, n in sorted(counts.items()):
        share = n / total
        if share > common:
            out[entity] = max(0.0, math.log(share) / math.log(common))
    return out


def shared(a: frozenset[int], b: frozenset[int], weight: dict[int, float]) -> float:
    """The weighted share of the smaller set that the other also names (1 when all of it, with rare names)."""
    return sum(weight.get(e, 1.0) for e in a & b) / min(len(a), len(b))
