"""datasketch 2.0's MinHash ("affine32" scheme) and MinHashLSH candidates, bit for bit, on numpy and hashlib alone.

Why: `import datasketch` imports its whole package, whose LSH modules import scipy.integrate, scipy.optimize
and scipy.special (0.66 + 0.08 CPU-s against numpy's 0.15, bench/model_load.py's machine): paid by every
`timeweave build` that reads or bands a passage, and by every Dask worker on its first document. What the
build uses of it is small: a MinHash signature of a passage's shingles, with seed-1 permutations, and the
candidates that share an LSH band with it. Here they are, the same numbers (tests/test_minhash.py compares
them with datasketch's on many texts), so the stored band keys (`passage_bands`) and the copies found stay
what they were.

What would break the equality: a datasketch release that changes its default scheme's hashing (sha1's first
4 bytes, little-endian), its MurmurHash3 finalizer, how it draws the permutations from
`np.random.RandomState(seed)`, or `a * h + b` in uint32; or a numpy that changes RandomState's draws (numpy
keeps them stable by policy). tests/test_minhash.py runs against the installed datasketch and fails then.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

SCHEME = "affine32"  # datasketch >= 2.0's default; the only one here
_EMPTY = np.uint32(0xFFFFFFFF)
# MurmurHash3's 32-bit finalizer (shift, multiplier, shift, multiplier, shift), as datasketch applies it
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@lru_cache(maxsize=8)
def permutations(num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """(2, num_perm) uint32: datasketch's affine permutations (odd a, any b) drawn from RandomState(seed).
    Shared and read-only: every signature here uses them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    drawn = np.array([a, b])
    drawn.flags.writeable = False
    return drawn


def _sha1_32(data: bytes) -> int:
    return struct.unpack("<I", hashlib.sha1(data).digest()[:4])[0]


def signature(values: Iterable[bytes], *, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """The uint32 hash values of datasketch's `MinHash(num_perm, seed)` after `update_batch(values)`."""
    out = np.full(num_perm, _EMPTY, dtype=np.uint32)
    hashed = [_sha1_32(value) for value in values]
    if not hashed:
        return out
    a, b = permutations(num_perm, seed)
    s1, m1, s2, m2, s3 = _FMIX
    hv = np.array(hashed, dtype=np.uint32).reshape(-1, 1)
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s3)
    return np.minimum(out, (hv * a + b).min(axis=0))


class Bands:
    """The candidates datasketch's `MinHashLSH(params=(bands, rows))` returns: the keys inserted before whose
    signature equals the query's on at least one band of `rows` values."""

    def __init__(self, bands: int, rows: int):
        self.ranges = [(i * rows, (i + 1) * rows) for i in range(bands)]
        self.tables: list[dict[bytes, list]] = [{} for _ in self.ranges]
        self.keys: set = set()

    def insert(self, key, hashvalues: Sequence[int] | np.ndarray) -> None:
        """Index `key` under each band of its signature (a key once, as MinHashLSH refuses a second)."""
        if key in self.keys:
            raise ValueError(f"Bands.insert: the key {key!r} is already in the index (as in MinHashLSH)")
        self.keys.add(key)
        for table, (start, end) in zip(self.tables, self.ranges):
            table.setdefault(np.asarray(hashvalues[start:end]).tobytes(), []).append(key)

    def query(self, hashvalues: Sequence[int] | np.ndarray) -> set:
        """The inserted keys sharing at least one band with this signature: MinHashLSH.query's candidates."""
        found: set = set()
        for table, (start, end) in zip(self.tables, self.ranges):
            found.update(table.get(np.asarray(hashvalues[start:end]).tobytes(), ()))
        return found
