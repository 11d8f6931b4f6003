"""timeweave.minhash gives datasketch's MinHash values and MinHashLSH candidates exactly, without importing scipy.

Compared with the installed datasketch (a test dependency here: the build's copies stage used it) on passages of
many lengths and scripts, near copies among them, and an empty one; in a fresh process that must import neither
datasketch nor scipy.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from timeweave import minhash

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("harbour lighthouse keeper storm dawn ship fog north river valley bridge market grain winter siege wall "
         "gate envoy treaty signed Москва столица 東京 首都 مرحبا العالم Ἀθῆναι déjà café naïve Straße").split()


def passages(seed: int = 7, n: int = 120) -> list[str]:
    """Texts of 0-400 words; every fifth a near copy of an earlier one (a few words changed)."""
    rng = random.Random(seed)
    texts: list[str] = [""]
    for i in range(n):
        if i % 5 == 4 and texts:
            words = rng.choice(texts).split() or ["x"]
            for _ in range(max(1, len(words) // 20)):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            texts.append(" ".join(words))
        else:
            texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.choice([1, 2, 3, 10, 40, 120, 400]))))
    return texts


def shingled(text: str) -> list[bytes]:
    from timeweave.ingest.duplicates import shingles

    return [g.encode("utf-8") for g in sorted(shingles(text))]


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 3), (7, 42)])
def test_signatures_and_permutations_are_datasketchs(num_perm, seed):
    from datasketch import MinHash

    prototype = MinHash(num_perm=num_perm, seed=seed)
    assert prototype.scheme == minhash.SCHEME
    assert np.array_equal(minhash.permutations(num_perm, seed), prototype.permutations)
    for text in passages():
        theirs = MinHash(num_perm=num_perm, seed=seed)
        theirs.update_batch(shingled(text))
        ours = minhash.signature(shingled(text), num_perm=num_perm, seed=seed)
        assert ours.dtype == theirs.hashvalues.dtype == np.uint32
        assert ours.tobytes() == theirs.hashvalues.tobytes(), text[:60]


@pytest.mark.parametrize("params", [(25, 5), (9, 13), (5, 25)])
def test_band_candidates_are_minhashlshs(params):
    from datasketch import MinHash, MinHashLSH

    lsh, bands = MinHashLSH(num_perm=128, params=params), minhash.Bands(*params)
    hits = 0
    for index, text in enumerate(passages(seed=11)):
        theirs = MinHash(num_perm=128, seed=1)
        theirs.update_batch(shingled(text))
        ours = minhash.signature(shingled(text))
        expected = set(lsh.query(theirs))  # a list of unique keys
        assert bands.query(ours) == expected
        hits += bool(expected)
        lsh.insert(str(index), theirs)
        bands.insert(str(index), ours)
    assert hits >= 5  # near copies were candidates (not only empty answers compared)
    with pytest.raises(ValueError, match="already in the index"):
        bands.insert("0", ours)


def test_it_imports_neither_datasketch_nor_scipy():
    script = ("import json, sys\nfrom timeweave import minhash\n"
              "minhash.Bands(25, 5).insert('a', minhash.signature([b'one two three']))\n"
              "print(json.dumps(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules)))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
