"""What a user pays to add one document with `python -m timeweave build`: a fresh process per add, imports included.

Run on demand, not in tests:

    .venv/bin/python bench/cli_add.py --start-from /tmp/s5/base255 --runs 3 [--trees A,B] [--out DIR]

bench/incremental.py times an add inside one warm process (the stages' own cost); a user's `timeweave build`
also pays the process: Python, torch, spaCy and its pipeline, the sentence model, the CLI. Here each add is
`python -m timeweave build FOLDER --db STORE` in a fresh process, FOLDER being a copy of --start-from's tbaq/
with alone/'s document added; after it the document is removed again (`--prune`, not timed) and the vectors
the add stored are deleted, so every add embeds its new sentences as the first one did.

--trees runs the same adds with other source trees on PYTHONPATH (e.g. `git archive` copies of two commits),
alternated run by run so the machine's load falls on each alike; the default is this checkout. One uncounted
add per tree comes first. Reconcile and claims keep a digest of their code in the store and re-read their
state when it changes (~5 CPU-s at 255): trees whose reconcile/ or claims/ differ would pay that on every
switch, so they run one after the other instead (each after its uncounted add), and the bench says so.
Prints CPU (user + system of the child) and wall per add, min/median per tree, the load average, and the
vectors each add stored; with --alone, also the same document built alone into an empty store by a fresh
process, and the add's CPU over it (bench/incremental.py's ratio, as a user meets it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(tree: Path, folder: Path, db: Path, *extra: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one `python -m timeweave build` in a fresh process running `tree`'s code."""
    env = {**os.environ, "PYTHONPATH": str(tree) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "timeweave", "build", str(folder), "--db", str(db), *extra],
                          env=env, cwd=tree, capture_output=True, text=True)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: some document stored with a warning; still a build
        raise SystemExit(f"bench/cli_add.py: the build with {tree} failed (exit {done.returncode}):\n"
                         f"{done.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def stage_code(tree: Path) -> str:
    """A digest of what reconcile's and claims' code digests cover (their packages, the event lexicon)."""
    h = hashlib.sha1()
    package = tree / "timeweave"
    files = [p for part in ("reconcile", "claims") for p in (package / part).rglob("*")]
    for path in sorted(p for p in files + [package / "annotate" / "events" / "lexicon.py", package / "__init__.py"]
                       if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--start-from", type=Path, required=True,
                        help="a folder holding store.db, tbaq/ (its documents) and alone/ (the one to add)")
    parser.add_argument("--runs", type=int, default=3, help="counted adds per tree")
    parser.add_argument("--trees", default=str(ROOT), help="comma-separated source trees to run (default: this one)")
    parser.add_argument("--alone", action="store_true",
                        help="after each add, build the same document alone into an empty store (fresh process) too")
    parser.add_argument("--out", type=Path, help="scratch folder for the copies (default: a new temporary one)")
    args = parser.parse_args()
    start = args.start_from
    alone = sorted((start / "alone").glob("*")) if (start / "alone").is_dir() else []
    if not (start / "store.db").is_file() or not (start / "tbaq").is_dir() or len(alone) != 1:
        raise SystemExit(f"bench/cli_add.py: {start} needs store.db, tbaq/ and alone/ with one document "
                         "(bench/incremental.py --out makes such a folder)")
    trees = [Path(t).resolve() for t in args.trees.split(",") if t]
    for tree in trees:
        if not (tree / "timeweave" / "__init__.py").is_file():
            raise SystemExit(f"bench/cli_add.py: {tree} holds no timeweave package; give source trees to --trees")
    out = args.out or Path(tempfile.mkdtemp(prefix="tw-cli-add-"))
    folder, db = out / "tbaq", out / "store.db"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(start / "tbaq", folder)
    db.unlink(missing_ok=True)
    with sqlite3.connect(start / "store.db") as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    with sqlite3.connect(db) as conn:
        cached = conn.execute("SELECT coalesce(max(rowid), 0) FROM embeddings").fetchone()[0]
    print(f"{len(list(folder.iterdir()))} documents, adding {alone[0].name}; load average {_load()}", flush=True)

    alone_ratios: dict[Path, list[float]] = {tree: [] for tree in trees}

    def add(tree: Path, counted: bool) -> tuple[float, float]:
        shutil.copy(alone[0], folder / alone[0].name)
        wall, cpu = build(tree, folder, db)
        if args.alone and counted:
            empty = out / "alone.db"
            empty.unlink(missing_ok=True)
            alone_wall, alone_cpu = build(tree, start / "alone", empty)
            alone_ratios[tree].append(cpu / alone_cpu)
            print(f"  alone into an empty store: wall {alone_wall:.2f} s, CPU {alone_cpu:.2f} s; "
                  f"add / alone CPU {cpu / alone_cpu:.2f}x", flush=True)
        (folder / alone[0].name).unlink()
        build(tree, folder, db, "--prune")
        with sqlite3.connect(db) as conn:
            vectors = conn.execute("SELECT count(*) FROM embeddings WHERE rowid > ?", (cached,)).fetchone()[0]
            conn.execute("DELETE FROM embeddings WHERE rowid > ?", (cached,))
        print(f"{'' if counted else '(not counted) '}{tree}: add wall {wall:.2f} s, CPU {cpu:.2f} s, "
              f"{vectors} new vectors, load {_load()}", flush=True)
        return wall, cpu

    results: dict[Path, list[tuple[float, float]]] = {tree: [] for tree in trees}
    if len({stage_code(tree) for tree in trees}) > 1:
        print("the trees' reconcile/claims code differs: each tree's adds run together (alternated, every switch "
              "would re-read the stages' state)", flush=True)
        for tree in trees:
            add(tree, False)
            results[tree] = [add(tree, True) for _ in range(args.runs)]
    else:
        for tree in trees:
            add(tree, False)
        for run in range(args.runs):
            for tree in (trees if run % 2 == 0 else trees[::-1]):
                results[tree].append(add(tree, True))
    for tree, adds in results.items():
        walls, cpus = [w for w, _ in adds], [c for _, c in adds]
        ratios = alone_ratios[tree]
        print(f"{tree}: CPU min/median {min(cpus):.2f}/{statistics.median(cpus):.2f} s, "
              f"wall min/median {min(walls):.2f}/{statistics.median(walls):.2f} s"
              + (f"; add / alone CPU min/median {min(ratios):.2f}x/{statistics.median(ratios):.2f}x" if ratios else ""))
    print(f"load average at the end {_load()} ({os.cpu_count()} cores)")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
