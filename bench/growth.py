"""Growth of a fresh build: 100 -> 1,000 -> 10,000 documents, on PostgreSQL and a Dask LocalCluster.

Run on demand, not in tests (each build runs in a fresh child process, as `bench/scale.py` runs it):

    .venv/bin/python bench/growth.py --sizes 100,1000,10000 --postgres --workers 2 --out /tmp/me/growth

Documents are `bench/scale.py`'s (TBAQ-cleaned texts, repeated in rN/ beyond 256). Each size prints what
scale.py prints for a build (wall, stages, CPU by process, peak memory, load), then the curve: seconds per
document and its ratio to the previous size's, and the peak memory of the main process and of a worker
(the issue's limit: 2 GB per process). Kept apart from scale.py, which compares --workers N with one process.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the throwaway PostgreSQL the tests start

import postgres_cluster  # noqa: E402
from scale import corpus, run_child, show  # noqa: E402


def growth(args) -> None:
    """Fresh builds of each size on --workers N (PostgreSQL with --postgres), and the growth curve."""
    stop = None
    if args.postgres:
        url, stop = postgres_cluster.start(Path(tempfile.mkdtemp(prefix="scale-pg-")))  # the tests' cluster
    try:
        rows = []
        for n in args.sizes:
            docs = corpus(args.out / f"docs-{n}", n)
            if args.postgres:
                postgres_cluster.empty(url)
                db = url
            else:
                db = str(args.out / f"growth-{n}.db")
                Path(db).unlink(missing_ok=True)
            print(f"{n} documents on {'PostgreSQL' if args.postgres else 'SQLite'}, --workers {args.workers}:", flush=True)
            result = run_child(docs, db, args.workers, progress_every=max(10, n // 20),
                               log=args.out / f"growth-{n}.jsonl")
            show("build", result)
            rows.append((n, result))
        print("growth curve:  docs   wall s   s/doc   x s/doc of previous   peak MB main / worker", flush=True)
        previous = None
        for n, result in rows:
            per = result["wall_s"] / n
            step = f"{per / previous:.2f}" if previous else "-"
            print(f"          {n:>7} {result['wall_s']:>8} {per:>7.3f} {step:>21}   {result['main_peak_mb']} / "
                  f"{result['worker_peak_mb']}", flush=True)
            previous = per
    finally:
        if stop:
            stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "timeweave-growth")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[100, 1000, 10000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL (else SQLite)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores; load {', '.join(f'{x:.1f}' for x in os.getloadavg())} (1, 5, 15 min)", flush=True)
    growth(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
