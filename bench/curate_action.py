"""What one correction costs on a built store: a relabel (apply + reindex) and an undo (every corpus stage again).

    .venv/bin/python bench/curate_action.py --db STORE [--rounds 3] [--work /tmp/me/curate-action]

The store is copied first (a SQLite file; the original is not changed). Each round relabels one
event twice, once with the incremental reindex `record` now does and once with the full reindex it
did before (same store, same run, so the ratio holds on a loaded machine), then undoes the relabel,
which runs the corpus stages again over the sources the relabel touched (`record.recompute`; their
seconds are printed stage by stage), and times the full recompute an undo ran before.
The first round also loads the models and caches, so medians are over the rounds after it when there
are two or more.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import importlib  # noqa: E402

from sqlalchemy import select  # noqa: E402

from timeweave import curate  # noqa: E402
from timeweave.store import open_store  # noqa: E402
from timeweave.store import schema as t  # noqa: E402

recording = importlib.import_module("timeweave.curate.record")  # the module (the package exports its function `record`)


def full_reindex(engine, *, events, entities) -> None:
    """The reindex `record` did before it passed what an action touched: the whole store."""
    from timeweave.store.search import reindex

    reindex(engine)


def timed_stages(stage_seconds: dict):
    """`corpus_stages` with a report that keeps each stage's seconds (the build's own timing)."""
    import timeweave.corpus as corpus

    original = corpus.corpus_stages

    def run(engine, config, **kwargs):
        report = SimpleNamespace(corpus=None, stage_failures=[], stage_seconds=stage_seconds)
        return original(engine, config, report=report, **kwargs)
    return original, run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a built SQLite store (copied, not changed)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="folder for the copy (default: a temporary one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    work = args.work or Path(tempfile.mkdtemp(prefix="curate-action-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "store.db"
    with sqlite3.connect(args.db) as source, sqlite3.connect(db) as copy:
        source.backup(copy)  # what the write-ahead log holds too
    engine = open_store(db, create=False)
    with engine.connect() as conn:
        events = [r for r in conn.execute(select(t.events.c.id).order_by(t.events.c.id)).scalars()]
        counts = {name: conn.execute(select(t.metadata.tables[name].c.id)).all().__len__()
                  for name in ("sources", "events", "entities", "event_mentions")}
    print(f"{args.db}: {counts}")
    import timeweave.corpus as corpus

    rows = []
    incremental_reindex = recording._reindex
    for n in range(args.rounds):
        event = events[n % len(events)]
        began = time.perf_counter()
        done = curate.set_label(engine, event, f"relabelled, round {n}", by="bench")
        incremental = time.perf_counter() - began
        recording._reindex = full_reindex
        began = time.perf_counter()
        again = curate.set_label(engine, event, f"relabelled again, round {n}", by="bench")
        full = time.perf_counter() - began
        recording._reindex = incremental_reindex
        curate.undo(engine, again["id"], by="bench")  # back to one relabel (a full recompute too, untimed)
        stages: dict[str, float] = {}
        original, run = timed_stages(stages)
        corpus.corpus_stages = run
        try:
            began = time.perf_counter()
            curate.undo(engine, done["id"], by="bench")
            undo = time.perf_counter() - began
        finally:
            corpus.corpus_stages = original
        began = time.perf_counter()
        recording.recompute(engine)  # what an undo ran before it passed the sources it touched: every stage in full
        everything = time.perf_counter() - began
        rows.append((incremental, full, undo, everything))
        split = ", ".join(f"{name.split(' (')[0]} {s:.2f}" for name, s in stages.items())
        print(f"round {n + 1}: relabel {incremental:.3f} s (with a full reindex {full:.3f} s, x{full / incremental:.1f}); "
              f"undo {undo:.2f} s ({split}); a full recompute {everything:.2f} s (x{everything / undo:.1f})")
    kept = rows[1:] if len(rows) > 1 else rows
    inc, full, undo, everything = (statistics.median(r[i] for r in kept) for i in range(4))
    print(f"median over {len(kept)} round(s): relabel {inc:.3f} s, with a full reindex {full:.3f} s (x{full / inc:.1f}); "
          f"undo {undo:.2f} s, a full recompute {everything:.2f} s (x{everything / undo:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
