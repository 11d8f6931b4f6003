"""Reconcile CPU time on one long repetitive document at two lengths, and their ratio.

    .venv/bin/python bench/reconcile_scale.py [--copies 1000] [--factor 8] [--runs 3]

One source repeating one dated, placed sentence `copies` times, then `copies * factor` times (the
store tests/test_reconcile_scale.py writes: two event mentions and two named mentions per copy), each
reconciled without embeddings, in the same process. Linear work gives a CPU ratio near `factor`
(about 9x for 8x, sorting included, measured when the test still timed it); a scan of the whole source
per event mention (reconcile/load.py before 840d234) gave 20x. The machines are noisy (±2x under
load), so the ratio, not the seconds, is the figure; the unit test counts executed lines instead.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_reconcile_scale import long_document  # noqa: E402  (one writer of the store shape, the test's)

from timeweave.reconcile import reconcile  # noqa: E402


def cpu_seconds(path: Path, copies: int) -> tuple[float, object]:
    """CPU seconds of one reconcile of a fresh store of `copies` sentences, and its report."""
    engine = long_document(path, copies)
    began = time.process_time()
    report = reconcile(engine, config={"embeddings": False})
    return time.process_time() - began, report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1000, help="sentences in the small document (default 1000)")
    parser.add_argument("--factor", type=int, default=8, help="the large document is this many times longer (default 8)")
    parser.add_argument("--runs", type=int, default=3, help="pairs of runs; the median ratio is reported (default 3)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cpu_seconds(folder / "warm.db", 200)  # imports and first-call costs out of the measurement
        ratios = []
        for run in range(args.runs):
            small_s, small = cpu_seconds(folder / f"small{run}.db", args.copies)
            large_s, large = cpu_seconds(folder / f"large{run}.db", args.copies * args.factor)
            ratios.append(large_s / small_s)
            print(f"run {run + 1}: {args.copies:,} copies {small_s:.2f} s CPU ({small.mentions:,} mentions, "
                  f"{small.events} events, {small.candidate_pairs:,} pairs); {args.copies * args.factor:,} copies "
                  f"{large_s:.2f} s CPU ({large.mentions:,} mentions, {large.events} events, "
                  f"{large.candidate_pairs:,} pairs); ratio x{large_s / small_s:.1f}")
    ratios.sort()
    print(f"median CPU ratio for {args.factor}x the text: x{ratios[len(ratios) // 2]:.1f} "
          f"(linear: about x{args.factor}; quadratic: x{args.factor ** 2})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
