"""Sentence embeddings of event evidence, cached in the store's `embeddings` table.

Only the evidence sentences of event mentions are embedded (the model runs at ~100 sentences/s
on a CPU here), and each vector is stored under sha1(model id + text), the model id naming the
package versions too (`timeweave.embeddings`), so a rebuild embeds only sentences it has not seen
with this model. The model is loaded lazily, once per process, and only when a vector is missing;
on Dask the workers have usually embedded a build's new sentences already (`timeweave.work`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import Connection, insert, select

from timeweave.embeddings import DIM, MODEL_NAME, cache_key, encode, load_model, model_id  # noqa: F401 (the API)
from timeweave.store import schema as t

log = logging.getLogger(__name__)

CHUNK = 500  # keys per IN (...) query


def cached(conn: Connection, keys: Iterable[str], model: str | None = None) -> dict[str, np.ndarray]:
    """The stored vectors among `keys` (of `model`, default the current model id), by key."""
    model = model or model_id()
    wanted = sorted(set(keys))
    found: dict[str, np.ndarray] = {}
    for chunk in range(0, len(wanted), CHUNK):
        rows = conn.execute(select(t.embeddings.c.key, t.embeddings.c.vector)
                            .where(t.embeddings.c.key.in_(wanted[chunk:chunk + CHUNK]))
                            .where(t.embeddings.c.model == model))
        for row in rows:
            found[row.key] = np.frombuffer(row.vector, dtype="<f4")
    return found


def save(conn: Connection, rows: Sequence[dict]) -> int:
    """Insert the `embeddings` rows whose key is not stored yet (a worker may send a sentence another
    document already brought); returns how many were new."""
    if not rows:
        return 0
    by_key = {row["key"]: row for row in rows}
    present: set[str] = set()
    keys = sorted(by_key)
    for chunk in range(0, len(keys), CHUNK):
        present |= set(conn.execute(select(t.embeddings.c.key).where(t.embeddings.c.key.in_(keys[chunk:chunk + CHUNK]))).scalars())
    new = [by_key[key] for key in keys if key not in present]
    if new:
        conn.execute(insert(t.embeddings), new)
    return len(new)


def embed(conn: Connection, texts: Sequence[str], *, model: str | None = None, encoder=None) -> np.ndarray:
    """Unit vectors for `texts` (rows in input order), reading and filling the store's cache.

    `encoder` (a callable list[str] -> array) replaces the model in tests and benches; `model`
    (default: the bundled model at its installed versions) is the name the vectors are cached under.
    """
    model = model or model_id()
    unique = sorted(set(texts))
    keys = {text: cache_key(text, model) for text in unique}
    found = cached(conn, keys.values(), model)
    missing = [text for text in unique if keys[text] not in found]
    if missing:
        log.info("embedding %d new sentences (%d cached)", len(missing), len(unique) - len(missing))
        vectors = encode(missing, encoder=encoder)
        save(conn, [{"key": keys[text], "model": model, "dim": int(vec.shape[0]), "vector": vec.astype("<f4").tobytes()}
                    for text, vec in zip(missing, vectors)])
        for text, vec in zip(missing, vectors):
            found[keys[text]] = vec
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.stack([found[keys[text]] for text in texts]).astype(np.float32)
