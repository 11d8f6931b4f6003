"""Reconcile after adding one document: incremental against full, on the same store, in the same run.

    .venv/bin/python bench/reconcile_incremental.py --docs DIR --add FILE [--runs 3] [--out DIR] [--no-embeddings]

Builds the documents of DIR into a store with reconcile held back (ingest, link, claims ... run as in
a build), reconciles it fully once, then for each run: adds FILE with a build (reconcile held back
again), copies the store, reconciles the store incrementally and the copy fully, and prints both
times, their ratio, the phases (load, plan, compute, write), how many components were recomputed,
and whether the two stores hold the same event rows (they must). The sentence model is loaded before
timing (a build loads it once per process). With `--out` an existing store there is reused.
For TBAQ-cleaned texts, write them to a folder first (bench/timex.py reads them).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import timeweave.reconcile as reconcile_module  # noqa: E402
from sqlalchemy import select  # noqa: E402
from timeweave.build import build  # noqa: E402
from timeweave.store import open_store  # noqa: E402
from timeweave.store import schema as t  # noqa: E402
from timeweave.store.changes import Changes  # noqa: E402


def held_build(folder: Path, db: Path, config: dict) -> float:
    """A build whose reconcile stage does nothing (this bench runs reconcile itself); its seconds."""
    original = reconcile_module.reconcile
    reconcile_module.reconcile = lambda *a, **k: None
    try:
        began = time.perf_counter()
        build([folder], db=db, config=config)
        return time.perf_counter() - began
    finally:
        reconcile_module.reconcile = original


def copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as a, sqlite3.connect(target) as b:
        a.backup(b)


def rows(db: Path) -> list:
    engine = open_store(db, create=False)
    with engine.connect() as conn:
        out = [sorted(tuple(r) for r in conn.execute(select(table)))
               for table in (t.events, t.event_participants, t.comparisons)]
        out.append(sorted(tuple(r) for r in conn.execute(select(t.event_mentions.c.id, t.event_mentions.c.event_id))))
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--add", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="reconcile-incremental-"))
    out.mkdir(parents=True, exist_ok=True)
    config = {"embeddings": not args.no_embeddings}
    folder, store, base = out / "docs", out / "store.db", out / "base.db"
    if not base.exists():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(args.docs, folder)
        print(f"build of {len(list(folder.iterdir()))} documents (reconcile held): {held_build(folder, store, config):.1f}s")
        report = reconcile_module.reconcile(open_store(store, create=False), config=config, changes=Changes(full=True))
        print(f"first full reconcile: {report.seconds:.1f}s, {report.events} events, {report.components} components")
        copy(store, base)
    if config["embeddings"]:
        from timeweave.reconcile.embed import load_model

        load_model()
    ratios = []
    for run in range(1, args.runs + 1):
        copy(base, store)
        shutil.copy(args.add, folder / args.add.name)
        held = held_build(folder, store, config)
        copy(store, out / "full.db")
        began = time.perf_counter()
        inc = reconcile_module.reconcile(open_store(store, create=False), config=config,
                                         changes=Changes(added=frozenset({args.add.stem})))
        inc_s = time.perf_counter() - began
        began = time.perf_counter()
        full = reconcile_module.reconcile(open_store(out / "full.db", create=False), config=config)
        full_s = time.perf_counter() - began
        ratios.append(inc_s / full_s)
        print(f"run {run}: build of the added document {held:.1f}s; reconcile incremental {inc_s:.2f}s "
              f"({inc.recomputed}/{inc.components} components, {inc.changed_events} events written, {inc.phases}), "
              f"full {full_s:.2f}s ({full.phases}), incremental/full {inc_s / full_s:.2f}, "
              f"same rows {rows(store) == rows(out / 'full.db')}")
        (folder / args.add.name).unlink()
    print(f"incremental/full over {len(ratios)} runs: min {min(ratios):.2f}, median {statistics.median(ratios):.2f} "
          f"(store in {out})")


if __name__ == "__main__":
    main()
