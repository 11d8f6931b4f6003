"""timeweave.bert gives transformers' token ids and last_hidden_state bit for bit, without importing transformers.

The reference runs here (transformers' AutoTokenizer and AutoModel on the packaged model); timeweave.bert runs in
a fresh process that must not import transformers, so nothing transformers sets on import (a torch flag, a
thread count) can make the two agree here and differ in a build. The sentences are not from our corpora: many
lengths, languages and scripts, one past 256 tokens, and batches with padding, cut as `embeddings.passes` cuts
them; compared with `np.array_equal` on the float32 bits, on two torch threads and on one (a Dask worker's, and
`embeddings.SMALL_BATCH`'s).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from timeweave import bert, embeddings

ROOT = Path(__file__).resolve().parents[1]

SENTENCES = [
    "",
    "x",
    "OK.",
    "   leading and trailing spaces   ",
    "The quick brown fox jumps over the lazy dog.",
    "Pack my box with five dozen liquor jugs!",
    "She sells sea-shells on the sea-shore; the shells she sells are sea-shells, I'm sure.",
    "In 1969, Apollo 11's lunar module Eagle landed at 20:17 UTC on 20 July.",
    "Prices rose 3.5% (from $1,200.00 to $1,242.00) in Q3 FY2023.",
    "e-mail me at someone@example.org or visit https://example.org/a/b?c=d&e=f#g",
    "Don't, won't, can't, shan't: contractions aren't hard—are they?",
    "ALL CAPS SHOUTING AND MiXeD cAsE tExT",
    "Le cœur a ses raisons que la raison ne connaît point.",
    "Ça a été très « difficile » — naïve façade, déjà vu.",
    "Über den Wolken muss die Freiheit wohl grenzenlos sein.",
    "Straße, Maß, Fußgängerübergänge und Äpfel.",
    "¿Dónde está la biblioteca? ¡Está aquí, señor!",
    "A água do mar é salgada, não é?",
    "Москва — столица России, основанная в 1147 году.",
    "Ἐν ἀρχῇ ἦν ὁ λόγος, καὶ ὁ λόγος ἦν πρὸς τὸν θεόν.",
    "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.",
    "مرحبا بالعالم، كيف حالك اليوم؟",
    "שלום עולם, מה שלומך?",
    "東京は日本の首都です。人口は約千四百万人。",
    "北京是中华人民共和国的首都。",
    "서울은 대한민국의 수도입니다.",
    "नमस्ते दुनिया, आप कैसे हैं?",
    "สวัสดีชาวโลก วันนี้อากาศดีมาก",
    "Tiếng Việt có dấu: Hà Nội, Thành phố Hồ Chí Minh.",
    "Zażółć gęślą jaźń; Příliš žluťoučký kůň úpěl ďábelské ódy.",
    "Emoji 🙂🚀🏳️‍🌈 and symbols ©®™ ±×÷ ∑∫√∞ ≠≤≥",
    "zero\u200bwidth\u200cjoiners\u200d and a soft\u00adhyphen",
    "tabs\tand\nnewlines\r\nand\x0bodd\x0cwhitespace",
    "ｆｕｌｌｗｉｄｔｈ ＬＥＴＴＥＲＳ and ｶﾀｶﾅ",
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "a" * 150,
    "[CLS] [SEP] [PAD] [MASK] [UNK] look like special tokens but are text",
    "def f(x):\n    return x ** 2  # code, too",
    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
    " ".join(f"word{n}" for n in range(60)),
    "A sentence of ordinary length that talks about rivers, mountains and the weather in the valley below.",
    "Short one.",
    "Another short one, with a comma.",
    ("A long passage about the history of navigation: sailors read the stars, the currents and the winds, and "
     "later the compass and the chronometer; every instrument changed the maps they drew. ") * 2,
    "A text far longer than the model's 256 tokens, so it is truncated: " + "lighthouse beacon harbour " * 150,
    "Mixed scripts: Paris Париж 巴黎 パリ باريس Παρίσι פריז 파리 पेरिस.",
]

THREADS = (2, 1)  # set in both processes alike (a test run before may have changed this one's count)

SCRIPT = f"THREADS = {THREADS!r}\n" + """
import json, sys
import numpy as np, torch
from timeweave import bert, embeddings
texts = json.load(open(sys.argv[1], encoding="utf-8"))
tokenizer, model = bert.Tokenizer(), bert.Bert()
out = {}
for threads in THREADS:
    torch.set_num_threads(threads)
    for size in (embeddings.BATCH_SIZE, 5):
        for n, part in enumerate(embeddings.passes(texts, size)):
            features = tokenizer([texts[i] for i in part])
            out[f"ids-{size}-{n}"] = features["input_ids"].numpy()
            out[f"mask-{size}-{n}"] = features["attention_mask"].numpy()
            out[f"types-{size}-{n}"] = features["token_type_ids"].numpy()
            out[f"hidden-{threads}-{size}-{n}"] = model(**features).numpy()
np.savez(sys.argv[2], **out)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("transformers", "sentence_transformers"))))
"""


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    """timeweave.bert's token ids and hidden states, computed in a fresh process; and the modules it imported."""
    folder = tmp_path_factory.mktemp("bert")
    (folder / "texts.json").write_text(json.dumps(SENTENCES), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(folder / "texts.json"), str(folder / "out.npz")],
                          capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(np.load(folder / "out.npz")), json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def reference():
    """transformers' tokenizer and BERT on the packaged model, as embeddings.MiniLM loaded them before bert.py."""
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    folder = str(bert.model_dir())
    tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    assert model.config._attn_implementation == "sdpa"  # what bert.py implements; eager would be other bits
    before, out = torch.get_num_threads(), {}
    try:
        for threads in THREADS:
            torch.set_num_threads(threads)
            for size in (embeddings.BATCH_SIZE, 5):
                for n, part in enumerate(embeddings.passes(SENTENCES, size)):
                    features = tokenizer([SENTENCES[i] for i in part], padding=True, truncation="longest_first",
                                         max_length=bert.MAX_TOKENS, return_tensors="pt")
                    out[f"ids-{size}-{n}"] = features["input_ids"].numpy()
                    out[f"mask-{size}-{n}"] = features["attention_mask"].numpy()
                    out[f"types-{size}-{n}"] = features["token_type_ids"].numpy()
                    with torch.inference_mode():
                        hidden = model(**features, return_dict=True).last_hidden_state
                    out[f"hidden-{threads}-{size}-{n}"] = hidden.numpy()
    finally:
        torch.set_num_threads(before)
    return out


def test_the_cases_cover_padding_truncation_and_unpadded_passes(reference):
    masks = [v for k, v in reference.items() if k.startswith("mask-")]
    assert any(m.shape[1] == bert.MAX_TOKENS for m in masks)  # one text is truncated to 256 tokens
    assert any((m == 0).any() for m in masks)  # padded batches (a boolean mask in SDPA)
    assert any(m.all() for m in masks)  # and passes with no padding (no mask: another kernel path)
    assert any(m.shape[0] == 1 for m in masks)
    assert max(len(ids) for ids in bert.Tokenizer()(SENTENCES[-2:])["input_ids"]) == bert.MAX_TOKENS


def test_token_ids_are_transformers_own(ours, reference):
    tokens = {k: v for k, v in reference.items() if not k.startswith("hidden")}
    assert sorted(tokens) == sorted(k for k in ours[0] if not k.startswith("hidden"))
    for key, expected in tokens.items():
        assert ours[0][key].dtype == expected.dtype == np.int64, key
        assert np.array_equal(ours[0][key], expected), key


def test_hidden_states_are_transformers_bits_on_two_threads_and_one(ours, reference):
    hidden = {k: v for k, v in reference.items() if k.startswith("hidden")}
    assert sorted(hidden) == sorted(k for k in ours[0] if k.startswith("hidden"))
    for key, expected in hidden.items():
        got = ours[0][key]
        assert got.dtype == expected.dtype == np.float32 and got.shape == expected.shape, key
        assert np.array_equal(got.view(np.uint32), expected.view(np.uint32)), \
            f"{key}: max difference {np.abs(got - expected).max()}"


def test_bert_does_not_import_transformers(ours):
    assert ours[1] == []


def test_a_config_this_code_does_not_implement_is_refused_by_name(tmp_path):
    config = json.loads((bert.model_dir() / "config.json").read_text(encoding="utf-8"))
    (tmp_path / "config.json").write_text(json.dumps({**config, "hidden_act": "gelu_new"}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"config\.json.*gelu_new.*transformers instead"):
        bert.Bert(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"tokenizer\.json.*reinstall"):
        bert.Tokenizer(tmp_path)
