"""Build a gold-annotated corpus and score its chronicle with ../shared/tools/score_chronicle.py.

    .venv/bin/python bench/chronicle.py                       # the Tonkin dev set
    .venv/bin/python bench/chronicle.py --corpus DOCS --gold GOLD --out DIR
    .venv/bin/python bench/chronicle.py --json                # the scorer's JSON, for scripts

Why a script: every change to the reading (entities, aliases, events, dates) is judged on a corpus
nobody tuned it for; this is the one command that measures it the same way each time. The store and
the exported chronicle stay in `--out` (default bench/out/chronicle/<corpus name>) so the errors can
be read afterwards. The Tonkin set is a *development* set: tune on it, and report the untouched
split (SemEval corpus_1, AQUAINT) beside it.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "tools" / "score_chronicle.py"
TONKIN = SHARED / "corpora" / "tonkin-1964"


def run(corpus: Path, gold: Path, out: Path, as_json: bool = False) -> dict:
    """Build `corpus` into a fresh store under `out`, export the chronicle, and return the scorer's figures."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    db, chron = out / "store.db", out / "chronicle.json"
    exe = Path(sys.executable).parent / "timeweave"
    began = time.perf_counter()
    build = subprocess.run([str(exe), "build", str(corpus), "--db", str(db)], capture_output=True, text=True)
    (out / "build.log").write_text(build.stdout + build.stderr, encoding="utf-8")
    if build.returncode not in (0, 1):
        raise SystemExit(f"build of {corpus} failed (exit {build.returncode}); see {out / 'build.log'}")
    seconds = time.perf_counter() - began
    subprocess.run([str(exe), "export", "json", "--db", str(db), "-o", str(chron)], check=True,
                   capture_output=True)
    scored = subprocess.run([sys.executable, str(SCORER), str(chron), str(gold), str(corpus), "--json"],
                            check=True, capture_output=True, text=True)
    result = json.loads(scored.stdout)
    result["build_seconds"] = round(seconds, 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=TONKIN / "docs")
    parser.add_argument("--gold", type=Path, default=TONKIN / "gold")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = args.out or ROOT / "bench" / "out" / "chronicle" / args.corpus.resolve().parent.name
    result = run(args.corpus, args.gold, out)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    for key, value in result.items():
        print(f"{key:28} {value}")
    print(f"(store and chronicle kept in {out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
