"""Reading TimeML gold data (TempEval-3 TimeBank + AQUAINT) for training and measuring the trigger model.

Shared by `scripts/train_events.py` and `bench/extract.py` so both use the same held-out split:
documents sorted by path, every 5th one (index % 5 == 4) held out. Within the rest, every 10th
(index % 10 == 3) is a development split used only to pick the decision threshold.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

# The TempEval-3 training data (TimeBank + AQUAINT) is not shipped: it lies in the `shared/` folder
# beside the checkout, or wherever the environment variable TIMEWEAVE_TEMPEVAL points.
TEMPEVAL_ENV = "TIMEWEAVE_TEMPEVAL"
_REPO = Path(__file__).resolve().parents[3]


def default_tempeval() -> Path:
    """Where the TempEval-3 `train` folder is: $TIMEWEAVE_TEMPEVAL, else ../shared/benchmarks/tempeval3/train
    next to the repository (a path, not a machine's absolute path, so a clone elsewhere finds it)."""
    configured = os.environ.get(TEMPEVAL_ENV)
    if configured:
        return Path(configured).expanduser()
    return _REPO.parent / "shared" / "benchmarks" / "tempeval3" / "train"


DEFAULT_TEMPEVAL = default_tempeval()


@dataclass
class GoldDoc:
    path: Path
    text: str
    events: list[tuple[int, int]]  # character spans of <EVENT> tags


def read_timeml(path: Path) -> GoldDoc:
    """The plain text inside <TEXT> and the character spans of its EVENT tags."""
    root = ET.parse(path).getroot()
    node = root.find("TEXT")
    if node is None:
        raise ValueError(f"{path}: no <TEXT> element; is this a TimeML file?")
    parts: list[str] = []
    events: list[tuple[int, int]] = []
    length = 0

    def walk(element: ET.Element) -> None:
        nonlocal length
        start = length
        if element.text:
            parts.append(element.text)
            length += len(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)
                length += len(child.tail)
        if element.tag == "EVENT":
            events.append((start, length))

    walk(node)
    return GoldDoc(path=path, text="".join(parts), events=events)


def split_files(root: Path = DEFAULT_TEMPEVAL) -> dict[str, list[Path]]:
    """Deterministic document-level split: {"train": ..., "dev": ..., "test": ...}."""
    files = sorted(root.rglob("*.tml")) if root.is_dir() else []
    if not files:
        raise FileNotFoundError(
            f"No TimeML files (*.tml) under {root}: the TempEval-3 training data (TimeBank + AQUAINT) "
            f"is not shipped with timeweave. Pass --data FOLDER, or set {TEMPEVAL_ENV} to the folder that "
            "holds TimeBank/ and AQUAINT/."
        )
    out: dict[str, list[Path]] = {"train": [], "dev": [], "test": []}
    for i, path in enumerate(files):
        if i % 5 == 4:
            out["test"].append(path)
        elif i % 10 == 3:
            out["dev"].append(path)
        else:
            out["train"].append(path)
    return out


def token_labels(doc: Doc, events: list[tuple[int, int]]) -> np.ndarray:
    """1 for the tokens that an EVENT span covers (TimeML events are single words, nearly always)."""
    labels = np.zeros(len(doc), dtype=np.int8)
    for start, end in events:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            labels[span.start : span.end] = 1
    return labels


def span_prf(gold: list[set[tuple[int, int]]], pred: list[set[tuple[int, int]]]) -> dict[str, float]:
    """Event-trigger P/R/F1 with TempEval-3's relaxed match: a prediction counts if it overlaps a gold event."""
    tp_p = tp_r = n_pred = n_gold = exact = 0
    for g, p in zip(gold, pred, strict=True):
        n_pred += len(p)
        n_gold += len(g)
        exact += len(g & p)
        tp_p += sum(1 for s, e in p if any(s < ge and gs < e for gs, ge in g))
        tp_r += sum(1 for s, e in g if any(s < pe and ps < e for ps, pe in p))
    precision = tp_p / n_pred if n_pred else 0.0
    recall = tp_r / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    strict_p = exact / n_pred if n_pred else 0.0
    strict_r = exact / n_gold if n_gold else 0.0
    strict_f1 = 2 * strict_p * strict_r / (strict_p + strict_r) if strict_p + strict_r else 0.0
    return {
        "precision": precision, "recall": recall, "f1": f1,
        "strict_precision": strict_p, "strict_recall": strict_r, "strict_f1": strict_f1,
        "gold": n_gold, "predicted": n_pred,
    }
