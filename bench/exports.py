"""Benchmark: time and size of every export format, for a real store and a 100,000-event synthetic one.

    .venv/bin/python bench/exports.py --db STORE.db            # e.g. the bundled corpus after `timeweave build`
    .venv/bin/python bench/exports.py --events 100000          # a synthetic store (as bench/web.py makes it)
    .venv/bin/python bench/exports.py --db STORE.db --formats geojson,tei

Each format is written once through `timeweave.export.export` (the CLI's path), into a temporary
folder. The first export of a run also pays for loading the gazetteer (about 1 s), so the formats
that locate places are run after one that does not. Times vary ~2x between runs on shared machines.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timeweave.export import export, load_exporters  # noqa: E402


def measure(db: Path, formats: list[str], out_dir: Path):
    """Yield (format, seconds, bytes) for each format exported from `db`."""
    from timeweave.geo.gazetteer import geonames

    geonames(100_000)  # loaded once, outside the timings (as a server would)
    for fmt in formats:
        spec = load_exporters()[fmt]
        t = time.perf_counter()
        path = export(fmt, db=db, out=out_dir / f"{fmt}{spec.suffix}")
        yield fmt, time.perf_counter() - t, path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing store (SQLite path)")
    parser.add_argument("--events", type=int, default=0, help="build a synthetic store of this many events instead")
    parser.add_argument("--formats", default="", help="comma-separated formats (default: all registered)")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f] or sorted(load_exporters())
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from serve_fixtures import make_synthetic_store
            from web import add_places_and_actors

            t = time.perf_counter()
            db = make_synthetic_store(Path(tmp) / "synthetic.db", args.events or 100_000)
            add_places_and_actors(db)
            print(f"synthetic store: {args.events or 100_000} events in {time.perf_counter() - t:.1f} s")
        print(f"{'format':<14} {'seconds':>8} {'size':>12}")
        for fmt, seconds, size in measure(Path(db), formats, Path(tmp)):
            print(f"{fmt:<14} {seconds:8.2f} {size / 1e3:12,.1f} kB", flush=True)


if __name__ == "__main__":
    main()
