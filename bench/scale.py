"""Scale of a build: Dask workers against one process, annotation batching (the growth curve: bench/growth.py).

Run on demand, not in tests (each build runs in a fresh child process, as a user's would):

    .venv/bin/python bench/scale.py --sizes 64,400 --workers 2 --out /tmp/me/scale
    .venv/bin/python bench/growth.py --sizes 100,1000,10000 --postgres --workers 2 --out /tmp/me/growth
    .venv/bin/python bench/scale.py --annotate --out /tmp/me/annotate

Documents are the TBAQ-cleaned training texts (TimeBank + AQUAINT, 256 files, read as bench/timex.py
reads them: the TEXT element without tags), written as .txt files; a size above 256 repeats them
(copy N of a text sits in folder rN/, same words: the repeats are found as copies, and their
sentences hit the embedding cache, which a real archive's would not).

Each measurement prints wall seconds, the seconds of each stage (ingest = read + annotate + write;
then the corpus stages), the CPU seconds of the whole process tree (Dask workers included) divided
by the wall time, the peak resident memory of every process, and `os.getloadavg()` before and after:
on a machine shared with other jobs the ratio is bounded by the cores they leave free, and the
load says how many that was.

`--annotate` times bare en_core_web_sm against timeweave's pipeline on the same texts, one
`nlp(doc)` per document against `nlp.pipe` in batches, and `n_process=2` (which spaCy cannot do
with our pipeline: it sends each Doc back through msgpack, and our Doc extensions hold dataclasses;
the Dask workers are the process-level parallelism), all in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DATA = ROOT.parent / "shared" / "benchmarks" / "tempeval3" / "train"

from sampler import Sampler  # noqa: E402


def corpus(folder: Path, n: int) -> Path:
    """`n` TBAQ-cleaned texts as .txt files in `folder` (repeated in r1/, r2/, ... beyond 256)."""
    from timex import CORPORA, texts

    items = [item for name in CORPORA for item in texts(DATA / name)]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name, text, _dct = items[i % len(items)]
        target = folder / (f"r{i // len(items)}" if i >= len(items) else "") / (Path(name).stem + ".txt")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


def child(args) -> None:
    """One build in this process, with per-stage timers; prints one JSON line."""
    import logging
    import resource

    logging.basicConfig(level=logging.WARNING)
    import timeweave.build as building
    import timeweave.embeddings as embeddings
    import timeweave.reconcile.embed as embed_module

    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}  # CPU seconds of the main process in the stage (a loaded machine inflates wall time)

    sampler = Sampler()

    def timed(name, function, *, wall=True):
        def wrapper(*a, **k):
            began, began_cpu = time.perf_counter(), time.process_time()
            previous = sampler.enter(name)  # the main process's RSS is kept per stage
            try:
                return function(*a, **k)
            finally:
                sampler.enter(previous if previous != Sampler.START else "between stages (removed, prune, run rows)")
                if wall:
                    seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - began
                cpu[name] = cpu.get(name, 0.0) + time.process_time() - began_cpu
        return wrapper

    building._adopt_old_paths = timed("adopting old paths", building._adopt_old_paths, wall=False)
    building._removed_sources = timed("finding removed sources", building._removed_sources, wall=False)
    building.corpus_stages = timed("corpus stages, outside the stages", building.corpus_stages, wall=False)
    building.counts = timed("counts (end of the build)", building.counts, wall=False)
    building._ingest_all = timed("ingest (read, annotate, write)", building._ingest_all)
    embed_module.embed = timed("embedding in the main process", embed_module.embed)
    building.write_documents = timed("writing documents (main process)", building.write_documents)
    for module, name in (("timeweave.store.copies", "mark_cross_document_duplicates"), ("timeweave.link", "link_entities"),
                         ("timeweave.reconcile", "reconcile"), ("timeweave.claims", "claims"),
                         ("timeweave.store.search", "reindex")):  # corpus stages import these at call time
        imported = __import__(module, fromlist=[name])
        setattr(imported, name, timed(name, getattr(imported, name), wall=False))  # wall: report.stage_seconds
    done = {"n": 0}
    began = time.perf_counter()
    log_every = max(1, args.progress_every)

    def progress(path, n, total):
        done["n"] = n
        if n % log_every == 0 or n == total:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(json.dumps({"progress": n, "total": total, "seconds": round(time.perf_counter() - began, 1),
                              "main_peak_mb": round(rss), "load": os.getloadavg()[0]}), flush=True)

    load_before = os.getloadavg()
    with sampler:
        report = building.build([args.docs], db=args.db, workers=args.workers, progress=progress,
                                config=json.loads(args.config) if args.config else None)
    wall = time.perf_counter() - began
    from timeweave.work import last_accounts

    by_process: dict[str, float] = {}
    for pid, seconds_ in sampler.cpu.items():
        by_process[sampler.names.get(pid, "other")] = round(by_process.get(sampler.names.get(pid, "other"), 0) + seconds_, 2)
    stages = {k: round(v, 2) for k, v in seconds.items()}
    stages.update({k: round(v, 2) for k, v in report.stage_seconds.items()})
    building_cpu = {k: round(v, 2) for k, v in cpu.items()}
    workers_rss = [v for pid, v in sampler.rss.items() if sampler.names.get(pid) != "main"]
    print(json.dumps({
        "docs": len(report.read), "failed": len(report.failed), "workers": args.workers, "wall_s": round(wall, 2),
        "cpu_s": round(sum(sampler.cpu.values()), 1), "cpu_pct": round(100 * sum(sampler.cpu.values()) / wall),
        "main_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "worker_peak_mb": round(max(workers_rss) / 2**20) if workers_rss else None,
        "processes": len(sampler.cpu), "model_loads_in_main": embeddings.loads,
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()],
        "stages": stages, "main_cpu_s": building_cpu, "counts": report.counts,
        "process_cpu_s": by_process, "main_threads_cpu_s": sampler.thread_cpu(), "worker_accounts": last_accounts,
        "main_stage_mb": {k: [round(a / 2**20), round(b / 2**20)] for k, (a, b) in sampler.stage_rss.items()},
        "main_imports": {name: name in sys.modules for name in ("spacy", "torch", "transformers")},
        "idle_by_stage": sampler.idle_by_stage(os.cpu_count() or 1), "timeline": sampler.timeline,
    }), flush=True)


def run_child(docs: Path, db: str, workers: int, *, progress_every: int = 10**9, log: Path | None = None) -> dict:
    """One build in a fresh process (the model loads, the cluster starts, as for a user); its JSON."""
    command = [sys.executable, __file__, "--child", "--docs", str(docs), "--db", db, "--workers", str(workers),
               "--progress-every", str(progress_every)]
    lines = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT) as proc:
        for line in proc.stdout:
            lines.append(line)
            if log is not None:
                with log.open("a") as out:
                    out.write(line)
            if line.startswith('{"progress"'):
                print("   ", line.strip(), flush=True)
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"the build of {docs} failed (exit {proc.returncode}); run it alone: {' '.join(command)}")
    return json.loads(lines[-1])


def show(label: str, result: dict) -> None:
    stages = ", ".join(f"{k.split(' (')[0]} {v}" for k, v in result["stages"].items())
    cpu = ", ".join(f"{k.split(' (')[0]} {v}" for k, v in result.get("main_cpu_s", {}).items())
    print(f"  {label}: {result['docs']} stored, {result['failed']} failed, {result['wall_s']} s wall, CPU {result['cpu_pct']}% ({result['cpu_s']} s in "
          f"{result['processes']} processes), peak MB main {result['main_peak_mb']} worker {result['worker_peak_mb']}, "
          f"load {result['load_before'][0]} -> {result['load_after'][0]}, model loads in main "
          f"{result['model_loads_in_main']}\n    stages, wall s: {stages}\n    main process CPU s: {cpu}", flush=True)
    if "process_cpu_s" not in result:
        return
    print(f"    CPU s by process: {result['process_cpu_s']}; imported in main: {result['main_imports']}", flush=True)
    print(f"    main process CPU s by thread: {result['main_threads_cpu_s']}", flush=True)
    for account in result["worker_accounts"]:
        print(f"    worker {account['pid']} CPU s: " + ", ".join(f"{k} {v}" for k, v in account.items() if k != "pid"),
              flush=True)
    if "idle_by_stage" in result:  # an idle core-second is one a core could have worked and did not
        idle = ", ".join(f"{k.split(' (')[0]} {v[2]} in {v[0]} s (others {v[3]})" for k, v in result["idle_by_stage"].items())
        print(f"    idle core-seconds by stage ({os.cpu_count()} cores; in the stage's wall; other jobs' CPU): {idle}",
              flush=True)
    memory = ", ".join(f"{k.split(' (')[0]} {a}->{b}" for k, (a, b) in result["main_stage_mb"].items())
    print(f"    main process RSS MB by stage (at entry -> peak during): {memory}", flush=True)


def compare(args) -> None:
    """--workers N against one process on each size, serial first then parallel, `rounds` times."""
    for n in args.sizes:
        docs = corpus(args.out / f"docs-{n}", n)
        ratios, extra = [], []  # wall serial / parallel; CPU parallel / serial (all processes)
        for r in range(args.rounds):
            print(f"{n} documents, round {r + 1}:", flush=True)
            serial_db, parallel_db = args.out / f"serial-{n}-{r}.db", args.out / f"workers-{n}-{r}.db"
            for db in (serial_db, parallel_db, args.out / f"serial-{n}-{r}.jsonl", args.out / f"workers-{n}-{r}.jsonl"):
                db.unlink(missing_ok=True)  # each JSON line (per-interval CPU: "timeline") is kept beside its store
            serial = run_child(docs, str(serial_db), 1, log=args.out / f"serial-{n}-{r}.jsonl")
            show("serial", serial)
            parallel = run_child(docs, str(parallel_db), args.workers, log=args.out / f"workers-{n}-{r}.jsonl")
            show(f"--workers {args.workers}", parallel)
            ratio = serial["wall_s"] / parallel["wall_s"]
            ingest = serial["stages"]["ingest (read, annotate, write)"] / parallel["stages"]["ingest (read, annotate, write)"]
            ratios.append(ratio)
            extra.append(parallel["cpu_s"] / serial["cpu_s"])
            same = serial["counts"] == parallel["counts"]
            startup = sum(a.get("start-up (before its first work)", 0) + a.get("loading spaCy (once per process)", 0)
                          + a.get("loading the sentence model", 0) for a in parallel.get("worker_accounts", []))
            startup += sum(v for k, v in parallel.get("process_cpu_s", {}).items() if k.startswith("forkserver"))
            print(f"  serial / --workers {args.workers}: {ratio:.2f}x wall, {ingest:.2f}x ingest stage; "
                  f"same counts: {same}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
            print(f"  CPU: --workers {args.workers} {parallel['cpu_s']} s / serial {serial['cpu_s']} s = {extra[-1]:.2f}x; "
                  f"the workers' start-up (Dask, imports, spaCy, sentence model; forkserver included) {startup:.1f} s of it", flush=True)
        print(f"{n} documents: ratio min {min(ratios):.2f} median {statistics.median(ratios):.2f} "
              f"max {max(ratios):.2f} over {len(ratios)} rounds; CPU parallel / serial min {min(extra):.2f} "
              f"median {statistics.median(extra):.2f}", flush=True)


def annotate(args) -> None:
    """Bare en_core_web_sm against timeweave's pipeline: per document, nlp.pipe batches, n_process=2."""
    from timex import texts

    import spacy

    from timeweave import config as settings
    from timeweave.annotate.pipeline import load_nlp

    items = [text for _name, text, _dct in texts(DATA / "TimeBank")][:args.annotate_docs]
    words = sum(len(t.split()) for t in items)
    model = settings.resolve({})["spacy_model"]
    batch = settings.resolve({})["nlp_batch_size"]
    bare, ours = spacy.load(model), load_nlp(model)
    for nlp in (bare, ours):
        list(nlp.pipe(items[:4]))  # warm up
    print(f"{len(items)} TimeBank texts, {words} words; load {os.getloadavg()[0]:.1f}; nlp_batch_size {batch}", flush=True)
    results: dict[str, list[float]] = {}
    ways = {
        "bare, nlp(doc) each": lambda: [bare(t) for t in items],
        "bare, nlp.pipe": lambda: list(bare.pipe(items, batch_size=batch)),
        "timeweave, nlp(doc) each": lambda: [ours(t) for t in items],
        "timeweave, nlp.pipe": lambda: list(ours.pipe(items, batch_size=batch)),
        "timeweave, nlp.pipe n_process=2": lambda: list(ours.pipe(items, batch_size=batch, n_process=2)),
    }
    refused: dict[str, str] = {}
    for _round in range(args.rounds):
        for name, way in ways.items():
            if name in refused:
                continue
            began = time.perf_counter()
            try:
                way()
            except Exception as error:  # n_process sends Docs back through msgpack: our extensions are dataclasses
                refused[name] = f"{type(error).__name__}: {error}"
                continue
            results.setdefault(name, []).append(time.perf_counter() - began)
    base = statistics.median(results["bare, nlp(doc) each"])
    for name, times in results.items():
        print(f"  {name:34} median {statistics.median(times):6.2f} s  min {min(times):6.2f} s  "
              f"{words / statistics.median(times):7.0f} words/s  {statistics.median(times) / base:.2f}x bare per document",
              flush=True)
    for name, why in refused.items():
        print(f"  {name:34} could not run: {why}", flush=True)
    print(f"  load after: {os.getloadavg()[0]:.1f}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "timeweave-scale")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[64, 400])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--growth", type=lambda s: [int(x) for x in s.split(",")],
                        help="the sizes of bench/growth.py's curve (kept so older notes' commands run)")
    parser.add_argument("--postgres", action="store_true", help="with --growth: on a throwaway PostgreSQL")
    parser.add_argument("--annotate", action="store_true", help="bare model vs pipeline, per document vs batches")
    parser.add_argument("--annotate-docs", type=int, default=100)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--docs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--progress-every", type=int, default=10**9, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores; load {', '.join(f'{x:.1f}' for x in os.getloadavg())} (1, 5, 15 min)", flush=True)
    if args.annotate:
        annotate(args)
    elif args.growth:
        from growth import growth

        args.sizes = args.growth
        growth(args)
    else:
        compare(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
