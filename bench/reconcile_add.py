"""The reconcile stage of one add, alone and repeated: CPU seconds of the stage and of its parts, in one process.

    .venv/bin/python bench/reconcile_add.py --start-from DIR --work DIR [--n 255 | --replicate 1600]
        [--add FILE] [--runs 5] [--check]

Why: `bench/incremental.py` times every stage of a build, and one add's reconcile is 0.1-0.2 CPU-s at 255
documents, within the machine's noise; a change under `reconcile/` also makes that bench's warm-up
re-extract every claim (the claims code digest covers reconcile). Here the add is prepared once: DIR's
store (as `bench/incremental.py --out DIR` left it: store.db, texts in tbaq/) is copied to WORK,
reconciled fully by the current code, and the next document (or FILE) is built into it with reconcile
and claims held back, so WORK/pre.db is the store just before the add's reconcile stage. Then each run
reconciles a fresh copy of pre.db on a new engine (as a build does) and prints its CPU seconds and those
of the wrapped parts (inclusive: `plan` holds `load` and `_scores`); the first run is a warm-up. The code
digest is pinned, so pre.db serves the code being measured and an A/B against another checkout (run this
file from each, with the same --work) while both keep the same state; a checkout that changes what the state
holds or how a signature is made needs a WORK prepared by itself (else `--check` finds the kept state of the
components outside the region in the other checkout's form, and differs). `--check` compares the last run's
rows and kept state with a full run's on the same store (they must be equal).
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).absolute().parent))
sys.path.insert(0, str(Path(__file__).absolute().parents[1]))

import timeweave.reconcile as R  # noqa: E402
from timeweave.reconcile import embed, incremental, kept, region, steps, write  # noqa: E402
from timeweave.store import open_store  # noqa: E402
from timeweave.store.changes import Changes  # noqa: E402

PARTS = [(region, "plan", (R,)), (region, "load", ()), (region, "_read", ()), (region, "_entities", ()),
         (region, "_raised", ()), (region, "save_region", (R,)), (steps, "_scores", (R,)), (embed, "encode", ()),
         (embed, "cached", ()), (steps, "_compute", (R,)), (steps, "_joining", (R,)), (steps, "_count", (R,)),
         (incremental, "signature", ()), (incremental, "read_stored", ()), (write, "write", ()), (kept, "_write", (region,))]


def copy(src: Path, dst: Path) -> Path:
    dst.unlink(missing_ok=True)
    with sqlite3.connect(src) as s, sqlite3.connect(dst) as d:
        s.backup(d)
    return dst


def prepare(source: Path, work: Path, n: int, replicate: int | None, add: Path | None) -> None:
    """WORK/pre.db and WORK/changes.pkl: the store just before the add's reconcile stage."""
    import incremental as bench_incremental  # bench/incremental.py
    import timeweave.claims as claims_module
    from timeweave.build import build

    last = bench_incremental.documents(n, replicate)[-1]
    if add is not None:
        last = (add.name, add.read_text(encoding="utf-8"))
    work.mkdir(parents=True, exist_ok=True)
    pre = copy(source / "store.db", work / "pre.db")
    R.reconcile(open_store(pre, create=False), config={"embeddings": True}, changes=Changes(full=True))
    texts = work / "tbaq"  # the store's texts (copied: the build reads a folder) and the added one
    if not texts.exists():
        shutil.copytree(source / "tbaq", texts)
    got: dict = {}
    held = (R.reconcile, claims_module.claims)
    R.reconcile = lambda engine, *, config, changes=None, **k: got.update(changes=changes, config=config) or R.ReconcileReport()
    claims_module.claims = lambda engine, **k: None
    (texts / last[0]).write_text(last[1], encoding="utf-8")
    try:
        build([texts], db=pre)
    finally:
        R.reconcile, claims_module.claims = held
        (texts / last[0]).unlink()
    pickle.dump(got, open(work / "changes.pkl", "wb"))
    print(f"prepared: {got['changes']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--start-from", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--n", type=int, default=255)
    ap.add_argument("--replicate", type=int)
    ap.add_argument("--add", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    incremental.code_digest = lambda: "pinned"  # pre.db's kept state serves any checkout's code
    if not (args.work / "changes.pkl").exists():
        prepare(args.start_from, args.work, args.replicate or args.n, args.replicate, args.add)
    got = pickle.load(open(args.work / "changes.pkl", "rb"))
    c = got["changes"]
    spent: dict[str, float] = defaultdict(float)
    for module, name, also in PARTS:
        wrap(module, name, also, spent)
    from timeweave.embeddings import load_model
    load_model()
    totals, parts = [], defaultdict(list)
    for k in range(args.runs + 1):
        db = copy(args.work / "pre.db", args.work / "run.db")
        engine = open_store(db, create=False)
        spent.clear()
        began = time.process_time()
        report = R.reconcile(engine, config=got["config"], changes=Changes(
            added=c.added, changed=c.changed, removed=c.removed, full=False, entities=set(c.entities), copies=set(c.copies)))
        cpu = time.process_time() - began
        engine.dispose()
        print(f"run {k}{' (warm-up)' if k == 0 else ''}: CPU {cpu:.4f} s, region {report.region}, "
              f"{report.recomputed} components recomputed")
        if k:
            totals.append(cpu)
            for label, value in spent.items():
                parts[label].append(value)
    ordered = sorted(totals)
    print(f"stage CPU min {ordered[0]:.4f} median {ordered[len(ordered) // 2]:.4f} s ({len(totals)} runs)")
    for label, values in sorted(parts.items(), key=lambda kv: -min(kv[1])):
        values.sort()
        print(f"  {label:24s} min {values[0]:.4f} median {values[len(values) // 2]:.4f}")
    if args.check:
        return 0 if same_as_full(args.work, db, got["config"]) else 1
    return 0


def wrap(module, name: str, also, spent: dict) -> None:
    """Count the CPU seconds of `module.name` (and where `also` imported it) into `spent`."""
    original = getattr(module, name)
    label = f"{module.__name__.rsplit('.', 1)[-1]}.{name}"

    def timed(*args, **kwargs):
        began = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - began

    setattr(module, name, timed)
    for other in also:
        if getattr(other, name, None) is original:
            setattr(other, name, timed)


def same_as_full(work: Path, db: Path, config: dict) -> bool:
    """Do the incremental run's rows and `reconcile.` kept state equal a full run's on the same store?"""
    full = copy(work / "pre.db", work / "full.db")
    R.reconcile(open_store(full, create=False), config=config, changes=Changes(full=True))
    tables = ("events", "event_participants", "comparisons", "comparison_statements")

    def rows(path: Path) -> dict:
        with sqlite3.connect(path) as conn:
            out = {table: sorted(conn.execute(f"SELECT * FROM {table}")) for table in tables}
            out["links"] = sorted(conn.execute("SELECT id, event_id FROM event_mentions"))
            out["state"] = {k: v if k.startswith("reconcile.l:") else json.loads(v) for k, v in conn.execute(
                "SELECT key, value FROM corpus_state WHERE key LIKE 'reconcile.%'")}
            return out

    a, b = rows(db), rows(full)
    differ = [name for name in b if a[name] != b[name]]
    print("same as a full run" if not differ else f"DIFFERS from a full run: {differ}")
    return not differ


if __name__ == "__main__":
    raise SystemExit(main())
