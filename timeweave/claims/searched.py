"""Kept answers of `rejoin`'s searches: a block searched with the same claims as at the last run answers the same.

Why a kept answer is the one a search gives now. `rejoin` searches, for each claim of a group one voice speaks in, the
claims of its block (those saying the same thing, `align._same`, in the order `rejoin` lists them) in another voice
(a count: dated compatibly) for the most similar sentence vector, and takes the first best in block order. That
answer (the best claim's place in the block and its float32 score) is a function of the block's claims in order
(their voices, dates and quotes) and of the searching claim's place in it; `rejoin`'s other condition, another group,
adds nothing, since every claim of a group one voice speaks in has that voice. A claim's fields are a function of its
source's cache entry and its place there (`incremental`: the entry's digest), and a quote's vector is the store's
cached vector of that text under the model (cached vectors are never rewritten). So a block whose claims have the same
(entry digest, place) in the same order as a block searched at the last run (`fingerprint`), under the same code,
model, Python and numpy, gives each claim searching it the answer kept for its place. numpy: the kept score is the
float32 its matrix product gave, and another numpy (its bundled BLAS) may sum in another order, so a score at a tie
or at the threshold could differ from a fresh search's. A BLAS swapped under the same numpy version (a system
library numpy links to) is not seen: the score would then be kept from the old library. Which group that best claim
is in now is read from the block as it is now, and the similarity threshold is applied after, as before.

What is not kept: a block holding a claim whose source has no entry digest (not cached) is searched every run; a run
with another encoder than the model, or a full run, reads no kept answer (it writes the ones it found). The row
(`claims.searched`) holds the answers of the blocks searched this run only, so it follows the corpus, not its history.

At 1,600 replicated documents plus a bundled text that makes claims (`bench/incremental.py --replicate 1600 --add
FILE`) a run makes 2,321 searches in 476 blocks; that add's own claims changed the blocks of 89 of them, and it keeps
the other 2,232 (counted from `report.searches` and the kept row on that add's claims stage, replayed alone with
`bench/claims.py --replay`).
"""

from __future__ import annotations

import hashlib
from array import array
from typing import Any

from timeweave.claims.extract import Claim

KEY = "claims.searched"  # corpus_state key: {"basis": ..., "blocks": {fingerprint: {place: [best place, score] | None}}}


def identities(claims: list[Claim], entries: dict[str, str]) -> list[tuple[int, int] | None]:
    """(its source's entry digest as a number, its place among its source's claims) for each claim, in order (claims
    come grouped by source); None for a claim whose source has no entry digest."""
    out: list[tuple[int, int] | None] = []
    last, place, entry = None, 0, None
    for claim in claims:
        if claim.source_id == last:
            place += 1
        else:
            last, place = claim.source_id, 0
            digest = entries.get(last)
            entry = int(digest[:15], 16) if digest else None
        out.append(None if entry is None else (entry, place))
    return out


class Searches:
    """The answers kept from the last run (`kept`, when its `basis` is this one's) and those of this run."""

    def __init__(self, kept: dict[str, Any] | None, identity: list[tuple[int, int] | None], basis: str):
        self.identity = identity
        self.basis = basis
        self.old: dict[str, dict] = (kept or {}).get("blocks", {}) if (kept or {}).get("basis") == basis else {}
        self.new: dict[str, dict] = {}
        self.kept = self.searched = 0  # answers taken from the last run, searches made

    def fingerprint(self, block: list[tuple[int, Claim]]) -> str | None:
        """A digest of the block's claims in order (their identities); None when one has none."""
        values: list[int] = []
        for _, claim in block:
            identity = self.identity[claim.id - 1]
            if identity is None:
                return None
            values += identity
        return hashlib.blake2b(array("q", values).tobytes(), digest_size=16).hexdigest()

    def answers(self, block: list[tuple[int, Claim]]) -> dict[str, list | None] | None:
        """The answers of this block by the searching claim's place (kept ones, and those this run adds), None when
        the block has no fingerprint."""
        found = self.fingerprint(block)
        if found is None:
            return None
        if found not in self.new:
            self.new[found] = dict(self.old.get(found, {}))
        return self.new[found]

    def changed(self) -> bool:
        """Whether this run's answers differ from the kept ones (else the row is not written again)."""
        return self.new != self.old

    def value(self) -> dict[str, Any]:
        """The `claims.searched` row to keep: the basis it holds under, and this run's answers per block."""
        return {"basis": self.basis, "blocks": self.new}
