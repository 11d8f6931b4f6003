"""Passages that repeat earlier ones, inside a document or across the corpus.

Captures repeat themselves (a post pasted twice, an article syndicated with a few words changed).
Counting each copy as separate evidence would inflate how well attested an event looks, so copies
point at their first occurrence and later stages read only originals (`Document.content_spans`).

Exact copies have the same text once whitespace and case are normalised (sha1 of that form). Near
copies are found with MinHash LSH over word 3-shingles and confirmed with the exact Jaccard of the
shingle sets, so an LSH false positive never counts. Results are deterministic: fixed MinHash seed,
candidates taken in corpus order, and the earliest matching passage is the first occurrence.
Passages under `min_chars` never count: short headings ("Conclusion") legitimately repeat.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Sequence

from timeweave.ingest.types import Passage

NUM_PERM = 128
SHINGLE_WORDS = 3

KNOWN_SHAPES = {(0.3, 128): (37, 3), (0.4, 128): (32, 4), (0.5, 128): (25, 5), (0.6, 128): (18, 7), (0.7, 128): (14, 9),
                (0.75, 128): (11, 11), (0.8, 128): (9, 13), (0.85, 128): (8, 16), (0.9, 128): (5, 25)}


@lru_cache(maxsize=8)
def lsh_shape(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's MinHashLSH picks for this threshold: the same candidates.

    MinHashLSH works them out by ~80,000 numerical integrations (16 ms) each time it is made; `_match` makes
    one per document, so without this that was three quarters of reading a document."""
    if (threshold, NUM_PERM) in KNOWN_SHAPES:
        return KNOWN_SHAPES[threshold, NUM_PERM]
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def find_cross_document(
    passages: Sequence[tuple[str, int, str]], *, threshold: float = 0.5, min_chars: int = 80
) -> list[tuple[str, int, str, int, str]]:
    """`(source_id, seq, first_source_id, first_seq, kind)` for each passage copying an earlier document's.

    `passages` are `(source_id, seq, text)` for the content passages of all documents in corpus order
    (seq: the index in `Document.passages`). Only passages of *other*, earlier documents count as the
    first occurrence; repeats inside one document are `read_document`'s business.
    """
    matches = _match([(sid, text) for sid, _, text in passages], threshold=threshold, min_chars=min_chars, across=True)
    return [
        (passages[i][0], passages[i][1], passages[j][0], passages[j][1], kind) for i, j, kind in matches
    ]


def mark_within(passages: list[Passage], text: str, source_id: str, *, threshold: float = 0.5, min_chars: int = 80) -> None:
    """Mark content passages that repeat an earlier passage of the same document (scope "within")."""
    content = [i for i, p in enumerate(passages) if p.role == "content"]
    items = [(source_id, text[passages[i].start:passages[i].end]) for i in content]
    for i, j, kind in _match(items, threshold=threshold, min_chars=min_chars, across=False):
        passage = passages[content[i]]
        passage.duplicate_of = (source_id, content[j])
        passage.duplicate_kind = kind
        passage.duplicate_scope = "within"


def exact_key(text: str) -> str:
    """sha1 of the whitespace- and case-normalised text: equal keys mean an exact copy."""
    return hashlib.sha1(" ".join(text.casefold().split()).encode("utf-8")).hexdigest()


def shingles(text: str) -> set[str]:
    """Word 3-shingles of the case-folded text (the words themselves for very short texts)."""
    words = re.findall(r"\w+", text.casefold())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _match(items: list[tuple[str, str]], *, threshold: float, min_chars: int, across: bool) -> list[tuple[int, int, str]]:
    """`(index, first_index, kind)` for items copying an earlier eligible item (another group if `across`)."""
    from timeweave.minhash import Bands, signature  # datasketch's numbers without its scipy imports

    lsh = Bands(*lsh_shape(threshold))
    firsts: dict[str, list[int]] = {}  # exact key -> first index of each group holding it
    sets: dict[int, set[str]] = {}
    found: list[tuple[int, int, str]] = []
    for index, (group, text) in enumerate(items):
        if len(" ".join(text.split())) < min_chars:
            continue
        key = exact_key(text)
        holders = firsts.setdefault(key, [])
        if across:
            exact = next((j for j in holders if items[j][0] != group), None)
        else:
            exact = holders[0] if holders else None
        if exact is not None:
            found.append((index, exact, "exact"))
        if not any(items[j][0] == group for j in holders):
            holders.append(index)
        grams = shingles(text)
        sets[index] = grams
        minhash = signature([g.encode("utf-8") for g in sorted(grams)], num_perm=NUM_PERM, seed=1)
        if exact is None:
            near = _best_near(lsh.query(minhash), index, group, items, sets, grams, threshold, across)
            if near is not None:
                found.append((index, near, "near"))
        lsh.insert(str(index), minhash)
    return found


def _best_near(candidates, index, group, items, sets, grams, threshold, across) -> int | None:
    """The earliest candidate whose exact Jaccard reaches the threshold (LSH only proposes)."""
    for j in sorted(int(c) for c in candidates):
        if j >= index or (across and items[j][0] == group):
            continue
        if jaccard(grams, sets[j]) >= threshold:
            return j
    return None
