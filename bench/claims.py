"""Align and relate N synthetic claims (default 10,000) and time it: the claims stage must stay sub-quadratic.

    .venv/bin/python bench/claims.py              # 10,000 claims
    .venv/bin/python bench/claims.py --n 50000 --json
    .venv/bin/python bench/claims.py --audit STORE.db [--sample 30 --seed 1]   # comparisons to judge by hand
    .venv/bin/python bench/claims.py --share timeweave/data/khalkhin-gol        # the stage's share of a full build
    .venv/bin/python bench/claims.py --profile STORE.db [--top 25]              # the stage's split on a copy of a store
    .venv/bin/python bench/claims.py --capture OUT --add FILE --to DIR          # an add's store, just before claims
    .venv/bin/python bench/claims.py --replay DIR [--runs 3] [--check]         # that add's claims stage alone, again
    .venv/bin/python bench/claims.py --phases -- --n 255 --runs 2 --start-from DIR --out DIR2
                                       # bench/incremental.py with the claims stage's phases, add beside alone

Why synthetic: no corpus of ours has 10,000 claims, and the cost that grows is alignment (the blocks
searched for claims whose mention joined no event) and relating each group. The claims are spread over
N/5 events and 40 entities, every kind, 1-5 voices per event, 20 % of them unplaced (placed by
cosine over random unit vectors of 384 dimensions, as the cached sentence vectors are).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timeweave.claims.align import align, relate_all  # noqa: E402
from timeweave.claims.extract import Claim  # noqa: E402

KINDS = ("occurrence", "agent", "cause", "purpose", "evaluation", "outcome", "quantity", "attribution")


def synthetic(n: int, seed: int = 7) -> tuple[list[Claim], np.ndarray]:
    """N claims with the shape the extractor gives, and a unit vector for each."""
    rng = random.Random(seed)
    events = max(1, n // 5)
    out = []
    for i in range(n):
        kind = rng.choice(KINDS)
        event = rng.randrange(1, events + 1)
        voice = f"v{rng.randrange(5)}"
        facet = {"evaluation": rng.choice(["name", "judgement"]), "quantity": rng.choice(["boat", "man", "aircraft"])}.get(kind, "")
        value = {"occurrence": rng.choice(["happened", "happened", "did not happen"]),
                 "quantity": f"{rng.choice([3, 3, 6])} {facet}s"}.get(kind, rng.choice(["a", "b", "c"]))
        number = float(value.split()[0]) if kind == "quantity" else None
        side = {"Alpha", "Beta"}
        winner = rng.choice(sorted(side))
        claim = Claim(source_id=f"s{voice}", start=i * 10, end=i * 10 + 9, quote=f"claim {i}", kind=kind, value=value,
                      polarity="-" if value == "did not happen" else "+", modality="asserted", voice=voice,
                      voice_name=voice, event_id=None if rng.random() < 0.2 else event, mention_id=i, facet=facet,
                      number=number, winners=frozenset({winner}) if kind == "outcome" else frozenset(),
                      losers=frozenset(side - {winner}) if kind == "outcome" else frozenset(),
                      agents=frozenset({rng.randrange(40)}) if kind == "agent" else frozenset(),
                      patients=frozenset({rng.randrange(40)}) if kind == "agent" else frozenset(),
                      entities=frozenset(rng.sample(range(40), 2)), id=i + 1)
        out.append(claim)
    vectors = np.random.default_rng(seed).standard_normal((n, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return out, vectors


def run(n: int) -> dict:
    claims, vectors = synthetic(n)
    began = time.perf_counter()
    groups = align(claims, vectors)
    aligned = time.perf_counter() - began
    relations = [r for key, group in groups.items() for r in relate_all(key, group)]
    total = time.perf_counter() - began
    kinds: dict[str, int] = {}
    for r in relations:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    return {"claims": n, "groups": len(groups), "comparisons": kinds, "align_seconds": round(aligned, 2),
            "total_seconds": round(total, 2), "budget_seconds": 30, "ok": total <= 30}


def audit(db: str, sample: int = 30, seed: int = 1) -> list[dict]:
    """`sample` claim comparisons of a built store drawn at random (seeded), with their quotes, for a person
    to judge sensible or wrong: the scorer sees only the comparisons its gold has, so precision is read by hand."""
    from sqlalchemy import select

    from timeweave.store import open_store
    from timeweave.store import schema as t

    engine = open_store(db)
    with engine.connect() as conn:
        texts = dict(conn.execute(select(t.texts.c.source_id, t.texts.c.text)).all())
        rows = conn.execute(select(t.comparisons).where(t.comparisons.c.component == "timeweave.claims.v1")
                            .order_by(t.comparisons.c.id)).all()
        picked = random.Random(seed).sample(rows, min(sample, len(rows)))
        out = []
        for row in sorted(picked, key=lambda r: r.id):
            quotes = [(s.source_id, texts[s.source_id][s.start:s.end], s.value) for s in conn.execute(
                select(t.comparison_statements).where(t.comparison_statements.c.comparison_id == row.id))]
            out.append({"id": row.id, "event": row.event_id, "kind": row.kind, "field": row.field,
                        "explanation": row.explanation, "quotes": quotes})
    return out


def share(corpus: str) -> dict:
    """Build `corpus` into a fresh store and time the claims stage against the whole build (same run, a ratio)."""
    import logging
    import re
    import tempfile

    from timeweave.build import build

    seconds: list[float] = []

    class Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found = re.search(r"claims: .* ([0-9.]+)s$", record.getMessage())
            if found:
                seconds.append(float(found.group(1)))

    handler = Grab(level=logging.INFO)
    logger = logging.getLogger("timeweave.claims")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        build([Path(corpus)], db=Path(tmp) / "store.db")
        total = time.perf_counter() - began
    logger.removeHandler(handler)
    stage = sum(seconds)
    return {"corpus": corpus, "build_seconds": round(total, 2), "claims_seconds": round(stage, 2),
            "claims_share": round(stage / total, 3) if total else None}


def profile(db: str, top: int = 25) -> dict:
    """Run the claims stage in full over a copy of a built store (bench/incremental.py --out DIR keeps one) under
    cProfile: its phases (load, extract, embed, align, relate, echo, write) and the costliest functions; then
    once more as an incremental run in which no source's inputs changed (no profiler), for the floor every
    incremental run pays.

    A copy, so the store keeps its rows; the vectors are cached in it, so embed is a cache read."""
    import cProfile
    import io
    import pstats
    import sqlite3
    import tempfile

    from timeweave.claims import claims
    from timeweave.store import open_store
    from timeweave.store.changes import Changes

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store.db"
        with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
            source.backup(target)  # with what its write-ahead log holds (a file copy would miss cached vectors)
        engine = open_store(copy, create=False)
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        report = claims(engine, config={})
        profiler.disable()
        total = time.perf_counter() - began
        # Again as an incremental build that changed nothing the claims read (a source said to change, with its
        # rows as they were): what every incremental run pays whatever it changed.
        began = time.perf_counter()
        again = claims(engine, config={}, changes=Changes(changed=frozenset({"(none)"})))
        floor = time.perf_counter() - began
        engine.dispose()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    return {"store": db, "claims": report.claims, "comparisons": report.comparisons, "seconds": round(total, 2),
            "phases": report.phases, "incremental_seconds": round(floor, 2), "incremental_phases": again.phases,
            "incremental_extracted": f"{again.extracted} of {again.sources} sources", "written": again.written,
            "profile": text.getvalue()}


def _restamp(db: Path) -> None:
    """Mark a store's cached claims as extracted by this code (and rejoin's kept answers as found by it). Measurement only: valid while extraction is unchanged
    since they were cached (a code move, a change after extraction); otherwise the numbers are of wrong claims."""
    import sqlite3

    from timeweave.claims.incremental import STATE, code_digest

    from timeweave.claims import _searched_basis
    from timeweave.claims.searched import KEY

    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT value FROM corpus_state WHERE key = ?", (STATE,)).fetchone()
        if row is not None:
            state = json.loads(row[0]) | {"code": code_digest()}
            conn.execute("UPDATE corpus_state SET value = ? WHERE key = ?",
                         (json.dumps(state, separators=(",", ":"), sort_keys=True), STATE))
        row = conn.execute("SELECT value FROM corpus_state WHERE key = ?", (KEY,)).fetchone()
        if row is not None:  # rejoin's kept answers (claims/searched.py): the same caveat, for the search code
            kept = json.loads(row[0]) | {"basis": _searched_basis()}
            conn.execute("UPDATE corpus_state SET value = ? WHERE key = ?", (json.dumps(kept, sort_keys=True), KEY))


def capture(out: str, add: str, to: str) -> dict:
    """Copy the store and texts of a `bench/incremental.py --out` folder, add and remove one bundled text (so the
    stage's kept state is this code's), then add FILE with a build that snapshots the store just before the claims
    stage (DIR/snap.db) with the stage's arguments (DIR/snap.pkl): `replay` then runs that stage alone, in one
    process, as often as an A/B needs (an add at 1,600 documents is ~10 s of other stages per run)."""
    import pickle
    import shutil
    import sqlite3

    import timeweave.claims as stage
    from timeweave.build import build

    source, work, text = Path(out), Path(to), Path(add)
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source / "tbaq", work / "tbaq")
    with sqlite3.connect(source / "store.db") as a, sqlite3.connect(work / "store.db") as b:
        a.backup(b)  # with what its write-ahead log holds
    _restamp(work / "store.db")
    stored = {r[0].rsplit("/", 1)[-1] for r in sqlite3.connect(work / "store.db").execute("SELECT path FROM sources")}
    for f in (work / "tbaq").iterdir():
        if f.name not in stored:
            f.unlink()  # a text the store does not hold would be added too
    shutil.copy(text, work / "tbaq" / text.name)  # the text itself, added and removed: any corpus's text serves
    build([work / "tbaq"], db=work / "store.db")
    (work / "tbaq" / text.name).unlink()
    build([work / "tbaq"], db=work / "store.db", prune=True)
    real = stage.claims

    def snapshot(engine, **kw):
        with sqlite3.connect(work / "store.db") as a, sqlite3.connect(work / "snap.db") as b:
            a.backup(b)
        (work / "snap.pkl").write_bytes(pickle.dumps(kw))
        return real(engine, **kw)

    stage.claims = snapshot
    try:
        shutil.copy(text, work / "tbaq" / text.name)
        build([work / "tbaq"], db=work / "store.db")
    finally:
        stage.claims = real
    return {"snapshot": str(work / "snap.db"), "warm": text.name}


def _rows(db: Path) -> dict:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return {"claims": conn.execute("SELECT * FROM claims ORDER BY id").fetchall(),
                "comparisons": conn.execute("SELECT * FROM comparisons WHERE component = 'timeweave.claims.v1' "
                                            "ORDER BY id").fetchall(),
                "statements": conn.execute("SELECT s.comparison_id, s.source_id, s.start, s.end, s.value FROM "
                                           "comparison_statements s JOIN comparisons c ON c.id = s.comparison_id "
                                           "WHERE c.component = 'timeweave.claims.v1' ORDER BY s.comparison_id, "
                                           "s.id").fetchall(),
                "statuses": conn.execute("SELECT id, status FROM events ORDER BY id").fetchall(),
                "written": conn.execute("SELECT value FROM corpus_state WHERE key = 'claims.written'").fetchall()}


def replay(to: str, runs: int = 3, check: bool = False) -> dict:
    """The captured add's claims stage, run alone on a fresh copy of the snapshot each time, its phases in CPU
    seconds; the first run (which loads the vocabulary and the model) is not counted. `check`: the last run's rows
    (and the digests the stage kept) against a full claims run over a copy of them."""
    import copy
    import pickle
    import shutil
    import types

    import timeweave.claims as stage
    from timeweave.store import open_store

    work = Path(to)
    arguments = pickle.loads((work / "snap.pkl").read_bytes())
    stage.time = types.SimpleNamespace(perf_counter=time.process_time)  # the report's phases, in CPU seconds
    counted = []
    for n in range(runs + 1):
        db = work / f"run-{n}.db"  # a new file each run: a connection the last run left open keeps its old one
        for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            stale.unlink(missing_ok=True)
        shutil.copyfile(work / "snap.db", db)
        _restamp(db)
        engine = open_store(db, create=False)
        began = time.process_time()
        report = stage.claims(engine, **copy.deepcopy(arguments))
        cpu = time.process_time() - began
        engine.dispose()
        if n:
            (work / f"run-{n - 1}.db").unlink(missing_ok=True)
            counted.append({"cpu": round(cpu, 3), "phases": report.phases, "written": report.written,
                            "claims": report.claims, "extracted": report.extracted, "reused": report.reused})
    out: dict = {"runs": counted, "extracted": f"{report.extracted} of {report.sources}", "claims": report.claims}
    if check:
        full = work / "full.db"
        shutil.copyfile(db, full)
        engine = open_store(full, create=False)
        stage.claims(engine, config=arguments["config"], changes=None)
        engine.dispose()
        a, b = _rows(db), _rows(full)
        out["equal_to_full"] = {k: a[k] == b[k] for k in a}
    return out


def phases(argv: list[str]) -> dict:
    """Run bench/incremental.py with `argv`, recording each call of the claims stage (CPU seconds, its phases in CPU
    seconds), and give each phase's minimum over the calls of each store size: the add (N + 1 sources) beside the
    text alone (1 source) and the removal (N). Written to find what the add's stage does that alone's does not:
    the phases outside extraction and embedding read every claim of the store, alone's read ten."""
    import types

    import timeweave.claims as stage

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import incremental

    stage.time = types.SimpleNamespace(perf_counter=time.process_time)
    real, calls = stage.claims, []

    def recorded(engine, **kw):
        began = time.process_time()
        report = real(engine, **kw)
        calls.append((report.sources, round(time.process_time() - began, 3), report.phases))
        return report

    stage.claims = recorded
    try:
        incremental.main(argv)
    finally:
        stage.claims = real
    out: dict = {}
    for sources, cpu, split in calls[1:]:  # the first call is the warm-up's add, which may re-extract every source
        row = out.setdefault(f"{sources} sources", {"calls": 0, "cpu": cpu})
        row["calls"] += 1
        row["cpu"] = min(row["cpu"], cpu)
        for name, seconds in split.items():
            row[name] = min(row.get(name, seconds), seconds)
    return out


def main() -> None:
    if sys.argv[1:2] == ["--phases"]:
        argv = sys.argv[2:]
        json.dump(phases(argv[1:] if argv[:1] == ["--"] else argv), sys.stdout)
        sys.stdout.write("\n")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--audit", metavar="STORE", help="print a seeded random sample of a store's claim comparisons")
    parser.add_argument("--share", metavar="CORPUS", help="build CORPUS and print the claims stage's share of it")
    parser.add_argument("--profile", metavar="STORE", help="run the stage over a copy of STORE and print its split")
    parser.add_argument("--top", type=int, default=25, help="functions --profile lists")
    parser.add_argument("--capture", metavar="OUT", help="a bench/incremental.py --out folder to add --add to (--to DIR)")
    parser.add_argument("--add", help="the text --capture adds")
    parser.add_argument("--to", help="where --capture keeps the snapshot")
    parser.add_argument("--replay", metavar="DIR", help="run the claims stage of a --capture'd add alone, --runs times")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="--replay: compare the rows with a full claims run")
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.capture or args.replay:
        found = capture(args.capture, args.add, args.to) if args.capture else replay(args.replay, args.runs, args.check)
        json.dump(found, sys.stdout)
        sys.stdout.write("\n")
        return
    if args.share:
        json.dump(share(args.share), sys.stdout)
        sys.stdout.write("\n")
        return
    if args.profile:
        found = profile(args.profile, args.top)
        sys.stdout.write(found.pop("profile") + "\n")
        json.dump(found, sys.stdout)
        sys.stdout.write("\n")
        return
    if args.audit:
        for n, c in enumerate(audit(args.audit, args.sample, args.seed), start=1):
            sys.stdout.write(f"{n:>2}. #{c['id']} {c['kind']} {c['field']} (event {c['event']}): {c['explanation']}\n")
            for source, quote, value in c["quotes"]:
                sys.stdout.write(f"      [{source}] {value}: {quote[:160]!r}\n")
        return
    result = run(args.n)
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
    else:
        for key, value in result.items():
            sys.stdout.write(f"{key:<16} {value}\n")
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
