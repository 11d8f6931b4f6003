"""How long applying 1,000 corrections adds to a rebuild of the bundled corpus (target: at most 1 s).

    .venv/bin/python bench/curate.py                 # builds into bench/out/curate/
    .venv/bin/python bench/curate.py --actions 5000 --out /tmp/me/curate

Why: the log is applied after every build's corpus stages, so its cost is paid on every build. The
bench builds the bundled corpus, records real actions through the library (labels, dates, types,
participants, aliases on every event and entity, then merges and rejects), tops the log up to
`--actions` with re-edits (copies of the recorded non-destructive actions under new uids, as a
historian revising a label again would add), rebuilds, and reports the time `curate.apply` took
inside that rebuild (the build's own log record) beside the whole rebuild's time.
"""
from __future__ import annotations

import argparse
import logging
import random
import shutil
import time
import uuid
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "timeweave" / "data" / "khalkhin-gol"


class Timing(logging.Handler):
    """Keeps the `curate: N actions {...}, S s` record the build logs when it applies the log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("curate:"):
            self.records.append(record.args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "curate")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    from timeweave import curate
    from timeweave.build import build
    from timeweave.store import open_store
    from timeweave.store import schema as t

    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    db = args.out / "kg.db"
    began = time.perf_counter()
    build([CORPUS], db=db)
    first_build = time.perf_counter() - began
    engine = open_store(db)
    rng = random.Random(args.seed)
    with engine.connect() as conn:
        events = [r.id for r in conn.execute(select(t.events.c.id).order_by(t.events.c.id))]
        entities = [r.id for r in conn.execute(select(t.entities.c.id).order_by(t.entities.c.id))]
    who = {"by": "bench", "note": "bench"}
    began = time.perf_counter()
    for n, event in enumerate(events):
        curate.set_label(engine, event, f"Event {n} as relabelled", **who)
        curate.set_date(engine, event, f"{1900 + n % 90}", **who)
        curate.set_type(engine, event, "other", **who)
        curate.participant(engine, event, rng.choice(entities), role="agent", **who)
    for n, entity in enumerate(entities):
        curate.alias(engine, entity, f"alias {n}", **who)
    pairs = rng.sample(events, 10)
    curate.merge(engine, pairs[:2], **who)
    curate.merge(engine, pairs[2:4], **who)
    for event in pairs[4:]:
        curate.reject(engine, event, **who)
    recorded = len(curate.log(engine))
    recording = time.perf_counter() - began
    with engine.begin() as conn:
        repeatable = [r for r in conn.execute(select(t.curation_actions)) if r.kind in ("label", "date", "type", "participant", "alias")]
        copies = []
        while recorded + len(copies) < args.actions:
            r = rng.choice(repeatable)
            copies.append({"uid": str(uuid.uuid4()), "kind": r.kind, "target": r.target, "args": r.args, "note": r.note,
                           "author": r.author, "created_at": r.created_at, "origin": "library"})
        if copies:
            conn.execute(insert(t.curation_actions), copies)
    timing = Timing()
    logging.getLogger("timeweave.curate.apply").addHandler(timing)
    logging.getLogger("timeweave.curate.apply").setLevel(logging.INFO)
    began = time.perf_counter()
    build([CORPUS], db=db)
    rebuild = time.perf_counter() - began
    actions, states, seconds = timing.records[-1]
    print(f"bundled corpus: {len(events)} events, {len(entities)} entities; first build {first_build:.1f}s")
    print(f"recorded {recorded} actions through the library in {recording:.1f}s; log topped up to {actions}")
    print(f"rebuild {rebuild:.1f}s, of which curate.apply {seconds:.3f}s for {actions} actions: {states}")
    print(f"target: at most 1 s -> {'ok' if seconds <= 1.0 else 'OVER'}")


if __name__ == "__main__":
    main()
