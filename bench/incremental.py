"""Adding one document to a built store against building that document alone (issue 15).

    .venv/bin/python bench/incremental.py [--n 255] [--replicate 1600] [--runs 3] [--out DIR] [--start-from DIR] [--add FILE]

Builds a store of N TBAQ-cleaned texts (TempEval-3 train: TimeBank + AQUAINT, the text inside
<TEXT>, read as bench/timex.py reads it), then adds the next text and times that build against the
same text built alone into an empty store, in the same process (the spaCy pipeline and the sentence
model are loaded once and shared by both, so neither pays for them; the vectors of the added text's
sentences are deleted with it, so each add embeds them as the build alone does; a first uncounted
round, `--warmup`, takes the process's first-time costs, which would otherwise all fall on the add).
Each run removes the added text again (`prune`, itself an incremental build, timed and printed) and
adds it back; prints each run's ratio, min and median, and the split of the add: the wall and CPU
seconds of each part of the build around the corpus stages (`BuildReport.phase_seconds`: discovery,
hashing the unchanged files, annotating, the stages' bookkeeping, counts) and of each corpus stage,
beside the same part's CPU in the build alone; then min and median over the runs of each part's CPU.
Targets (issue 15): <= 1.2x at N = 255, <= 1.5x at 1,600.

`--replicate M` builds M documents from the texts instead: the k-th copy of a text has a share of
its words of 4+ letters (60%, seeded by k) swapped for other such words of the same text, so most
of its word 3-shingles are new: 47 of the 1,850 paragraphs of 80+ characters of a first replica keep
a Jaccard >= 0.5 with the original and are marked as copies (with 30%, 1,112 were; a 688-document
store had 1,665 of 5,356 passages marked). Names change too, so linking sees more distinct names.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from timex import texts as timeml_texts  # noqa: E402

from timeweave.build import build  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "tempeval3" / "train"


def corpus() -> list[tuple[str, str]]:
    """(file name, text) of every TBAQ-cleaned training text, TimeBank then AQUAINT, sorted by name."""
    out = []
    for name in ("TimeBank", "AQUAINT"):
        out += [(f"{name}-{file[:-4]}.txt", text) for file, text, _dct in timeml_texts(DATA / name)]
    return out


def vary(text: str, k: int, share: float = 0.6) -> str:
    """The k-th replica: a share of the words of 4+ letters swapped for other such words of the text (k = 0: the text)."""
    if k == 0:
        return text
    rng = random.Random(k)
    parts = text.split(" ")
    long = [p for p in parts if len(p) >= 4 and p.isalpha()]
    return " ".join(rng.choice(long) if long and len(p) >= 4 and p.isalpha() and rng.random() < share else p
                    for p in parts)


def documents(n: int, replicate: int | None) -> list[tuple[str, str]]:
    base = corpus()
    if not replicate:
        return base[: n + 1]
    out = []
    for i in range(replicate + 1):
        name, text = base[i % len(base)]
        k = i // len(base)
        out.append((f"r{k:02d}-{name}", vary(text, k)))
    return out


def timed(paths, db, **kwargs):
    """Wall seconds and the build's report; the CPU seconds of this process go to `timed.cpu` (read beside
    wall time: on a shared machine the load stretches wall time, much less the CPU a build spends)."""
    began, cpu = time.perf_counter(), time.process_time()
    report = build(paths, db=db, **kwargs)
    timed.cpu = time.process_time() - cpu
    return time.perf_counter() - began, report


ANNOTATE = "read, annotate, write"  # the part of BuildReport.phase_seconds that reads the new document
OUTSIDE, UNTIMED = "outside the stages (total less annotating and stages)", "  of it, in no timed part"


def _outside(report, cpu: float, *, untimed: bool = False) -> float:
    """What a build's CPU spent outside annotating its documents and the corpus stages, taken from its total (not
    summed from the timed parts, so nothing untimed hides); `untimed`: the share that no timed part covers."""
    rest = cpu - report.phase_seconds.get(ANNOTATE, (0.0, 0.0))[1] - sum(report.stage_cpu_seconds.values())
    if untimed:
        rest -= sum(c for name, (_w, c) in report.phase_seconds.items() if name != ANNOTATE)
    return rest


def _load() -> str:
    """The 1/5/15-minute load averages: ratios from a loaded machine are read beside them."""
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "(unknown)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=255, help="documents in the store before the one added")
    parser.add_argument("--replicate", type=int, help="build this many documents from replicated texts instead")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1, help="uncounted add/alone/remove rounds first")
    parser.add_argument("--out", type=Path, help="keep the folder and stores here (default: a temporary folder)")
    parser.add_argument("--add", type=Path, help="add this text file instead of the next TBAQ text or replica "
                        "(e.g. a text of another corpus that makes claims: a late replica of a TBAQ text makes few)")
    parser.add_argument("--start-from", type=Path, help="copy the store of an earlier --out with the same --n "
                        "instead of building it (the build then finds every document unchanged)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="tw-incremental-"))
    out.mkdir(parents=True, exist_ok=True)
    docs = documents(args.n, args.replicate)
    *first, last = docs
    if args.add:  # the store's documents stay; this file is the one added (a replica of a text may say little)
        last = (args.add.name, args.add.read_text(encoding="utf-8"))
    folder, alone_folder = out / "tbaq", out / "alone"
    for target in (folder, alone_folder):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
    for name, text in first:
        (folder / name).write_text(text, encoding="utf-8")
    (alone_folder / last[0]).write_text(last[1], encoding="utf-8")
    db = out / "store.db"
    db.unlink(missing_ok=True)
    if args.start_from:  # a store this bench built before (its folder named tbaq, the same texts): skip the build
        with sqlite3.connect(args.start_from / "store.db") as source, sqlite3.connect(db) as copy:
            source.backup(copy)
    seconds, report = timed([folder], db)
    print(f"store: {len(first)} documents built in {seconds:.1f}s ({report.corpus}); "
          f"corpus stages {sum(report.stage_seconds.values()):.1f}s; load average {_load()}")
    try:  # both sides run with the sentence model loaded, as both find spaCy loaded
        from timeweave.embeddings import load_model

        load_model()
    except Exception as error:  # noqa: BLE001 - no model: the stages say why; both sides alike
        print(f"(the sentence model does not load here: {type(error).__name__}: {error})")
    with sqlite3.connect(db) as conn:
        cached = conn.execute("SELECT coalesce(max(rowid), 0) FROM embeddings").fetchone()[0]
    ratios, cpu_ratios = [], []
    splits: dict[str, list[float]] = {}  # part of the add-one build -> its CPU seconds in each run
    for run in range(1 - args.warmup, args.runs + 1):
        if run < 1:  # first-time costs of this process (imports, lexicons, compiled patterns) would all fall on the add
            (folder / last[0]).write_text(last[1], encoding="utf-8")
            timed([folder], db)
            warm_db = out / "alone-warmup.db"
            warm_db.unlink(missing_ok=True)
            timed([alone_folder], warm_db)
            (folder / last[0]).unlink()
            timed([folder], db, prune=True)
            with sqlite3.connect(db) as conn:
                conn.execute("DELETE FROM embeddings WHERE rowid > ?", (cached,))
            print(f"warm-up round {run + args.warmup} (not counted): add, alone, remove")
            continue
        (folder / last[0]).write_text(last[1], encoding="utf-8")
        add_s, added = timed([folder], db)
        add_cpu = timed.cpu
        alone_db = out / f"alone-{run}.db"
        alone_db.unlink(missing_ok=True)
        alone_s, alone = timed([alone_folder], alone_db)
        alone_cpu = timed.cpu
        (folder / last[0]).unlink()
        remove_s, removed = timed([folder], db, prune=True)
        with sqlite3.connect(db) as conn:  # the vectors of its sentences go too: the next add embeds them, as alone does
            conn.execute("DELETE FROM embeddings WHERE rowid > ?", (cached,))
        ratios.append(add_s / alone_s)
        cpu_ratios.append(add_cpu / alone_cpu)
        print(f"run {run}: add one {add_s:.2f}s ({added.corpus}), alone {alone_s:.2f}s, ratio {add_s / alone_s:.2f}x; "
              f"remove it again {remove_s:.2f}s")
        print(f"  CPU of this process: add one {add_cpu:.2f}s, alone {alone_cpu:.2f}s, ratio {add_cpu / alone_cpu:.2f}x")
        print("  add-one split, wall/CPU s (alone's CPU): " + "; ".join(
            f"{name.split(' (')[0]} {wall:.3f}/{cpu:.3f} ({alone.phase_seconds.get(name, (0, 0))[1]:.3f})"
            for name, (wall, cpu) in added.phase_seconds.items()))
        print("  corpus stages, wall/CPU s (alone's CPU): " + "; ".join(
            f"{name.split(' (')[0]} {wall:.3f}/{added.stage_cpu_seconds.get(name, 0):.3f} "
            f"({alone.stage_cpu_seconds.get(name, 0):.3f})" for name, wall in added.stage_seconds.items()))
        for name, (_wall, cpu) in added.phase_seconds.items():
            splits.setdefault(name.split(" (")[0], []).append(cpu)
        for name, cpu in added.stage_cpu_seconds.items():
            splits.setdefault("stage " + name.split(" (")[0], []).append(cpu)
        outside, untimed = _outside(added, add_cpu), _outside(added, add_cpu, untimed=True)
        print(f"  outside the stages (the build's CPU less annotating and the corpus stages): add {outside:.3f}, "
              f"alone {_outside(alone, alone_cpu):.3f}; of the add's, in no timed part {untimed:.3f}")
        splits.setdefault(OUTSIDE, []).append(outside)
        splits.setdefault(UNTIMED, []).append(untimed)
        print(f"  load average {_load()}")
    target = 1.2 if not args.replicate or args.replicate <= 255 else 1.5
    print(f"add one / alone at {len(first)} documents: min {min(ratios):.2f}x, median {statistics.median(ratios):.2f}x "
          f"over {len(ratios)} runs (target <= {target}x); CPU ratio min {min(cpu_ratios):.2f}x, "
          f"median {statistics.median(cpu_ratios):.2f}x")
    print(f"add-one CPU seconds over {len(ratios)} runs, min / median:")
    for name, values in splits.items():
        print(f"  {name:60} {min(values):7.3f} {statistics.median(values):7.3f}")
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
