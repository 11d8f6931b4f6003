"""The sentence vectors of the claims' quotes, read from the store's embeddings cache in plain SQL.

Every claim is placed and echoed by the vector of its quote, and nearly every quote is an evidence sentence
`reconcile` embedded already: an add at 1,600 documents reads ~7,000 cached vectors. `reconcile.embed.embed`
reads them through SQLAlchemy Core, whose IN-list compilation and Row objects cost more than the reading
(0.08-0.11 CPU-s against 0.05-0.06 here, /tmp/s2/h6/mb_embed.py). On SQLite the cached vectors are read with
plain driver SQL; the quotes not cached, and every quote on another database, go through `embed` (which
embeds, stores and returns them), so the vectors are the same bytes either way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import Connection

from timeweave.embeddings import cache_key, model_id

CHUNK = 500  # keys per IN (...) query (SQLite's default limit on parameters is far above it)


def vectors(conn: Connection, texts: Sequence[str], *, encoder=None) -> np.ndarray:
    """Unit vectors of `texts` (rows in input order, float32), as `reconcile.embed.embed` returns them."""
    from timeweave.reconcile.embed import embed

    if conn.dialect.name != "sqlite" or not texts:
        return embed(conn, texts, encoder=encoder)
    model = model_id()
    keys = {text: cache_key(text, model) for text in set(texts)}
    found: dict[str, bytes] = {}
    wanted = sorted(keys.values())
    for at in range(0, len(wanted), CHUNK):
        chunk = wanted[at:at + CHUNK]
        query = f"SELECT key, vector FROM embeddings WHERE model = ? AND key IN ({','.join('?' * len(chunk))})"
        found.update(conn.exec_driver_sql(query, (model, *chunk)).all())
    missing = sorted(text for text, key in keys.items() if key not in found)
    if missing:
        for text, vector in zip(missing, embed(conn, missing, encoder=encoder)):
            found[keys[text]] = vector.astype("<f4").tobytes()
    if len({len(vector) for vector in found.values()}) != 1:  # vectors of another width: as embed stacks them
        return embed(conn, texts, encoder=encoder)
    blob = b"".join(found[keys[text]] for text in texts)
    # float32 as stored on a little-endian machine: no copy (the claims stage only reads the vectors)
    return np.frombuffer(blob, dtype="<f4").reshape(len(texts), -1).astype(np.float32, copy=False)
