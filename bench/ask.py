"""Benchmark: seconds per question for `timeweave.ask.ask` (goals: p95 ≤ 0.3 s on the bundled store after
warm-up, ≤ 1 s on a synthetic store of 100,000 events).

The bundled store is built from timeweave/data/khalkhin-gol (or given with --db); its questions are
tests/data/ask_khalkhin_gol.jsonl, asked `--rounds` times after one warm-up pass that loads the
sentence model. The synthetic store is the one bench/web.py and the tests use (tests/serve_fixtures.py).

    .venv/bin/python bench/ask.py [--db STORE] [--events 100000] [--rounds 5] [--no-embeddings]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from serve_fixtures import build_corpus_store, make_synthetic_store  # noqa: E402

from timeweave.ask import ask  # noqa: E402
from timeweave.store import open_store  # noqa: E402

SYNTHETIC_QUESTIONS = [
    "When did Event 4711 take place?", "Which battle happened in 1936?", "How many treaties were signed in 1950?",
    "Who took part in the meeting of Entity 7?", "Was the battle of somewhere synthetic?", "Where was Event 99999?",
    "When was the treaty signed?", "What happened at somewhere?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(engine, questions: list[str], rounds: int, options: dict) -> dict:
    """Seconds per question after a warm-up pass; the question's vector is embedded anew every time (the
    in-process cache is emptied), as for a question nobody asked before."""
    from timeweave.ask.retrieve import _question_vector

    for question in questions:  # warm-up: the model, the word caches, the database pages
        ask(engine, question, **options)
    times = []
    for _ in range(rounds):
        for question in questions:
            _question_vector.cache_clear()
            t0 = time.perf_counter()
            ask(engine, question, **options)
            times.append(time.perf_counter() - t0)
    return {"questions": len(questions), "asked": len(times), "median_s": round(statistics.median(times), 4),
            "p95_s": round(percentile(times, 0.95), 4), "max_s": round(max(times), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing store of the bundled corpus (default: build one in a temporary folder)")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--synthetic", help="keep the synthetic store at this path (made if missing) instead of a temporary one")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-embeddings", action="store_true", help="rank by words only (no sentence model)")
    args = parser.parse_args()
    options = {"encoder": None} if args.no_embeddings else {}
    questions = [json.loads(line)["q"] for line in (ROOT / "tests/data/ask_khalkhin_gol.jsonl").read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or build_corpus_store(Path(tmp) / "corpus.db")
        bundled = measure(open_store(db, create=False, readonly=True), questions, args.rounds, options)
        print(f"bundled store: {json.dumps(bundled)}  (goal p95 <= 0.3 s)")
        t0 = time.perf_counter()
        synthetic_db = Path(args.synthetic) if args.synthetic else Path(tmp) / "synthetic.db"
        if not synthetic_db.exists():
            make_synthetic_store(synthetic_db, args.events)
            print(f"synthetic store: {args.events} events in {time.perf_counter() - t0:.1f} s")
        synthetic = measure(open_store(synthetic_db, create=False, readonly=True), SYNTHETIC_QUESTIONS, args.rounds, options)
        print(f"synthetic store: {json.dumps(synthetic)}  (goal p95 <= 1 s)")


if __name__ == "__main__":
    main()
