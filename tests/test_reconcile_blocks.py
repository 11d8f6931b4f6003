"""`kept.block_change` and `kept.pairs_among` give what expanding whole blocks (`block_pairs`) gives.

The incremental run (`region.plan`) finds the pairs an add gains or loses, and the pairs inside its region,
through them; a wrong shortcut would change which components it recomputes, so they are checked against
the whole-block rule on random blocks: dated and undated keys, members added, removed or moved (a new
date), blocks on both sides of `max_block`. The pairs a component's `c:` row keeps (`pack_pairs`) read back
bit for bit.
"""

from __future__ import annotations

import json
import random

from timeweave.reconcile.kept import _order, block_change, block_pairs, pack_pairs, pairs_among, unpack_ids, unpack_pairs

MAX_BLOCK, WINDOW = 6, 2


def _entry(rng: random.Random, mid: int) -> list:
    day = None if rng.random() < 0.4 else 709_000 + rng.randint(0, 40)  # a proleptic ordinal, as `Interval` keeps
    return [mid, day, f"s{rng.randint(0, 3)}", rng.randint(0, 500), rng.randint(0, 500)]


def _block(rng: random.Random, ids) -> list[list]:
    return sorted((_entry(rng, mid) for mid in ids), key=_order)


def test_block_change_is_the_difference_of_whole_blocks():
    rng = random.Random(15)
    for trial in range(3000):
        key = "reconcile.b:attack|x" + ("|*" if trial % 2 else "")
        before = _block(rng, rng.sample(range(40), rng.randint(0, 9)))
        after = [e for e in before if rng.random() < 0.8]  # some removed
        for e in after:
            if rng.random() < 0.15:  # moved: a new date or position
                after[after.index(e)] = _entry(rng, e[0])
        present = {e[0] for e in after}
        after += [_entry(rng, mid) for mid in rng.sample(range(40, 60), rng.randint(0, 3)) if mid not in present]
        after.sort(key=_order)
        old, new = block_pairs(key, before, MAX_BLOCK, WINDOW), block_pairs(key, after, MAX_BLOCK, WINDOW)
        assert block_change(key, before, after, MAX_BLOCK, WINDOW) == (new - old, old - new), (key, before, after)


def test_pairs_among_restricts_whole_block_pairs():
    rng = random.Random(16)
    for trial in range(3000):
        key = "reconcile.b:battle|y" + ("|*" if trial % 3 == 0 else "")
        members = _block(rng, rng.sample(range(30), rng.randint(0, 10)))
        inside = set(rng.sample(range(30), rng.randint(0, 30)))
        whole = {(a, b) for a, b in block_pairs(key, members, MAX_BLOCK, WINDOW) if a in inside and b in inside}
        assert pairs_among(key, members, inside, MAX_BLOCK, WINDOW) == whole, (key, members, inside)


def test_packed_pairs_give_back_every_result_bit_for_bit():
    """A component's pairs are kept as arrays (`pack_pairs`): through JSON and back, every id, score (all 64 bits)
    and flag is the same, pairs without a result stay without; rows kept as lists read the same."""
    rng = random.Random(17)
    for n in (0, 1, 7, 300):
        entries = []
        for _ in range(n):
            a = rng.randint(1, 2**40)
            result = None if rng.random() < 0.3 else (rng.random() * 1.3, rng.choice([None, "conflict", "part"]))
            entries.append((a, a + rng.randint(1, 2**20), result))
        packed = json.loads(json.dumps(pack_pairs(entries)))
        assert unpack_pairs(packed) == entries
        assert unpack_ids(packed) == ([e[0] for e in entries], [e[1] for e in entries])
        as_lists = json.loads(json.dumps([[a, b, *r] if r else [a, b] for a, b, r in entries]))
        assert unpack_pairs(as_lists) == entries
