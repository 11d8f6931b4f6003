"""Claim ids are hashed once per source: the cache keeps each source's `claim_bases` with its claims.

A claim's id is a hash of what it says where (`write.claim_ids`); an add used to hash every claim of the
corpus again. The bases depend on a source's own claims only, so the cache entry of a source keeps them and
an add hashes the claims of the sources it extracts. The rows stay those of a full run, also when an entry
was written before the bases were kept, and a collision among kept bases falls back to the probing pass.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import json
import types

from sqlalchemy import select, update
from test_claims_incremental import EVENTS, SOURCES, hand, run, same_as_full
from test_reconcile_helpers import HandStore, day

from timeweave.claims import incremental as claims_incremental
from timeweave.store import schema as t
from timeweave.store.changes import Changes

w = importlib.import_module("timeweave.claims.write")  # the package exports the function `write`


def _add(store: HandStore, name: str) -> None:
    text, authors = SOURCES[name]
    store.source(name, text, authors=authors)
    for sentence, trigger, when, agents, patients, factuality in EVENTS[name]:
        store.event(name, sentence, trigger, "attack", when=day(when), agents=agents, patients=patients,
                    factuality=factuality)


def _hashed_sources(monkeypatch) -> set[str]:
    """The sources whose claim keys the write module hashes from now on (a claim key starts with its source)."""
    seen: set[str] = set()

    def blake2b(blob: bytes, **kw):
        try:
            text = blob.decode("utf-8")
        except UnicodeDecodeError:  # a range's signature (`write._signatures`: packed integers), no claim key
            return hashlib.blake2b(blob, **kw)
        key = ast.literal_eval(text.rsplit("\x1f", 1)[0])
        if isinstance(key, tuple) and key and isinstance(key[0], str):
            seen.add(key[0])
        return hashlib.blake2b(blob, **kw)

    monkeypatch.setattr(w, "hashlib", types.SimpleNamespace(blake2b=blake2b))
    return seen


def _entries(store: HandStore) -> dict[str, dict]:
    key = t.corpus_state.c.key
    with store.engine.connect() as conn:
        return {r.key: json.loads(r.value) for r in conn.execute(select(key, t.corpus_state.c.value)
                                                                  .where(key.startswith(claims_incremental.PREFIX)))}


def test_an_add_hashes_only_the_claims_of_the_sources_it_extracts(tmp_path, monkeypatch):
    store = hand(tmp_path / "hash.db", ["borodino-segur", "borodino-glinka", "vienna-annals"])
    run(store, Changes(full=True))
    hashed = _hashed_sources(monkeypatch)
    _add(store, "chatham-pepys")
    report = run(store, Changes(added=frozenset({"chatham-pepys"})))
    assert report.extracted == 1 and report.claims > 3
    assert hashed == {"chatham-pepys"}
    monkeypatch.undo()
    same_as_full(store, tmp_path, "hash-full")


def test_each_cache_entry_keeps_the_bases_of_its_claims(tmp_path):
    store = hand(tmp_path / "kept.db", ["borodino-segur", "borodino-glinka", "vienna-annals"])
    run(store, Changes(full=True))
    entries = _entries(store)
    assert entries and all("ids" in entry for entry in entries.values())
    for entry in entries.values():
        claims = claims_incremental._claims_of(entry["claims"])
        assert entry["ids"] == w.claim_bases(claims)


def test_entries_written_before_the_bases_were_kept_give_the_rows_of_a_full_run(tmp_path):
    store = hand(tmp_path / "old.db", ["borodino-segur", "borodino-skeptic", "vienna-annals"])
    run(store, Changes(full=True))
    with store.engine.begin() as conn:
        for key, entry in _entries(store).items():
            entry.pop("ids")
            conn.execute(update(t.corpus_state).where(t.corpus_state.c.key == key)
                         .values(value=json.dumps(entry, separators=(",", ":"), sort_keys=True)))
    _add(store, "borodino-glinka")
    run(store, Changes(added=frozenset({"borodino-glinka"})))
    same_as_full(store, tmp_path, "old-full")


def test_colliding_kept_bases_fall_back_to_the_probing_pass(tmp_path):
    store = hand(tmp_path / "collide.db", ["borodino-segur", "borodino-glinka"])
    run(store, Changes(full=True))
    claims = [c for entry in _entries(store).values() for c in claims_incremental._claims_of(entry["claims"])]
    assert len(claims) >= 2
    assert w.claim_ids(claims, [7] * len(claims)) == w.claim_ids(claims)
    assert w.claim_ids(claims, w.claim_bases(claims)) == w.claim_ids(claims)


def test_the_quotes_vectors_read_in_plain_sql_are_those_embed_returns(tmp_path, monkeypatch):
    """The stage reads its quotes' cached vectors with driver SQL (Core's IN lists and Rows cost more than the
    reading at 1,600 documents); the uncached quotes are embedded and stored as `embed` does."""
    from test_reconcile_helpers import bag_of_words

    from timeweave.claims.vectors import vectors
    from timeweave.reconcile import embed as reconcile_embed

    store = hand(tmp_path / "vectors.db", ["borodino-segur", "borodino-glinka", "vienna-annals"])
    run(store, Changes(full=True))
    quotes = [c.quote for entry in _entries(store).values() for c in claims_incremental._claims_of(entry["claims"])]
    texts = quotes + ["A sentence no claim quotes.", quotes[0]]
    with store.engine.begin() as conn:
        expected = reconcile_embed.embed(conn, texts, encoder=bag_of_words)
    other = hand(tmp_path / "fresh.db", [])  # nothing cached: every text is embedded, then read back
    with other.engine.begin() as conn:
        assert (vectors(conn, texts, encoder=bag_of_words) == expected).all()
        assert vectors(conn, texts, encoder=bag_of_words).dtype == expected.dtype
    asked: list = []
    real = reconcile_embed.embed
    monkeypatch.setattr(reconcile_embed, "embed", lambda conn, texts, **kw: asked.append(len(texts)) or real(conn, texts, **kw))
    with store.engine.begin() as conn:
        assert (vectors(conn, texts, encoder=bag_of_words) == expected).all()
    assert asked == []  # every vector was cached: none went through embed
