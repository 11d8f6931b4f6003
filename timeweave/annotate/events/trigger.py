"""The event-trigger model: which tokens denote events, learned from TimeML (TimeBank + AQUAINT).

Why a linear model over hashed en_core_web_sm features rather than a second neural network: the
base pipeline already computes lemma, tag, dependency and entity features for every token, so a
logistic regression over them costs a few microseconds per token (the pipeline's throughput budget
allows timeweave at most +50%), its weights fit in ~1 MB of float16, and it trains in a minute on
two CPU cores. `scripts/train_events.py` reproduces `timeweave/models/event_trigger.npz`.

Feature values are spaCy's deterministic 64-bit string hashes (never Python's salted `hash`), mixed
with a per-template constant and folded into `2**bits` buckets.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from spacy.attrs import DEP, ENT_TYPE, IS_TITLE, LEMMA, LOWER, POS, SHAPE, SUFFIX, TAG
from spacy.tokens import Doc

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "event_trigger.npz"
FEATURES_VERSION = 1

_ATTRS = [LOWER, LEMMA, TAG, POS, DEP, ENT_TYPE, SUFFIX, SHAPE, IS_TITLE]
_L, _LEM, _TAG, _POS, _DEP, _ENT, _SUF, _SHP, _TTL = range(len(_ATTRS))
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)


def _mix(template: int, *cols: np.ndarray) -> np.ndarray:
    """One hashed feature column: the template id mixed with one or more attribute hashes."""
    with np.errstate(over="ignore"):
        h = np.full(cols[0].shape, np.uint64(template) * _M2 + np.uint64(1), dtype=np.uint64)
        for col in cols:
            h = (h ^ col.astype(np.uint64)) * _M1
            h ^= h >> np.uint64(29)
    return h


def _shift(col: np.ndarray, by: int, pad: int) -> np.ndarray:
    """`col` moved by `by` positions (neighbour features), padded with a boundary marker."""
    out = np.full_like(col, pad)
    if by > 0:
        out[by:] = col[:-by]
    elif by < 0:
        out[:by] = col[-by:]
    return out


def featurize(doc: Doc) -> np.ndarray:
    """A (n_tokens, n_templates) uint64 matrix of hashed features for every token of a parsed Doc."""
    n = len(doc)
    if n == 0:
        return np.zeros((0, 0), dtype=np.uint64)
    arr = doc.to_array(_ATTRS).astype(np.uint64)
    heads = np.array([t.head.i for t in doc], dtype=np.int64)
    # Children's dependency labels that mark a predicate (subject/object/aux), as booleans.
    has_subj = np.zeros(n, dtype=np.uint64)
    has_obj = np.zeros(n, dtype=np.uint64)
    has_det = np.zeros(n, dtype=np.uint64)
    has_prep = np.zeros(n, dtype=np.uint64)
    for t in doc:
        dep = t.dep_
        h = t.head.i
        if h == t.i:
            continue
        if dep in ("nsubj", "nsubjpass", "csubj", "expl"):
            has_subj[h] = 1
        elif dep in ("dobj", "attr", "oprd", "ccomp", "xcomp"):
            has_obj[h] = 1
        elif dep in ("det", "poss"):
            has_det[h] = 1
        elif dep == "prep":
            has_prep[h] = 1
    lem, tag, pos, dep = arr[:, _LEM], arr[:, _TAG], arr[:, _POS], arr[:, _DEP]
    head_lem, head_pos, head_tag = lem[heads], pos[heads], tag[heads]
    pad = 0xB0B0
    cols = [
        _mix(1, lem),
        _mix(2, arr[:, _L]),
        _mix(3, tag),
        _mix(4, dep),
        _mix(5, arr[:, _ENT]),
        _mix(6, arr[:, _SUF]),
        _mix(7, arr[:, _SHP]),
        _mix(8, lem, tag),
        _mix(9, lem, dep),
        _mix(10, tag, dep),
        _mix(11, head_lem),
        _mix(12, head_pos, dep),
        _mix(13, lem, head_lem),
        _mix(14, _shift(lem, 1, pad)),
        _mix(15, _shift(lem, -1, pad)),
        _mix(16, _shift(tag, 1, pad), tag),
        _mix(17, tag, _shift(tag, -1, pad)),
        _mix(18, _shift(pos, 2, pad), _shift(pos, 1, pad), pos),
        _mix(19, pos, _shift(pos, -1, pad), _shift(pos, -2, pad)),
        _mix(20, has_subj, has_obj, has_det, has_prep, pos),
        _mix(21, lem, has_det, has_prep),
        _mix(22, arr[:, _SUF], pos),
        _mix(23, _shift(lem, 1, pad), lem),
        _mix(24, head_tag, tag, dep),
        _mix(25, arr[:, _TTL], pos),
        _mix(26, np.zeros(n, dtype=np.uint64)),  # bias
    ]
    return np.stack(cols, axis=1)


def bucket(features: np.ndarray, bits: int) -> np.ndarray:
    """Fold hashed features into `2**bits` weight indices."""
    return (features & np.uint64((1 << bits) - 1)).astype(np.int64)


@dataclass(frozen=True)
class TriggerModel:
    """Logistic-regression weights over hashed features, plus the tuned decision threshold."""

    weights: np.ndarray  # float32, shape (2**bits,)
    bits: int
    threshold: float

    def scores(self, doc: Doc) -> np.ndarray:
        """P(token is an event trigger) for every token of `doc`."""
        if len(doc) == 0:
            return np.zeros(0, dtype=np.float32)
        z = self.weights[bucket(featurize(doc), self.bits)].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-z))

    def predict(self, doc: Doc) -> np.ndarray:
        """Boolean mask of trigger tokens."""
        return self.scores(doc) >= self.threshold

    def save(self, path: Path, *, meta: dict | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float16),
            bits=np.int64(self.bits),
            threshold=np.float64(self.threshold),
            features_version=np.int64(FEATURES_VERSION),
            meta=np.array(repr(meta or {})),
        )


@lru_cache(maxsize=2)
def load_trigger_model(path: Path = MODEL_PATH) -> TriggerModel:
    """Load shipped weights; refuse weights trained on another feature layout."""
    with np.load(path) as data:
        version = int(data["features_version"])
        if version != FEATURES_VERSION:
            raise ValueError(
                f"{path} was trained with features v{version}, this code computes v{FEATURES_VERSION}: "
                "retrain with `python scripts/train_events.py`."
            )
        return TriggerModel(
            weights=data["weights"].astype(np.float32),
            bits=int(data["bits"]),
            threshold=float(data["threshold"]),
        )
