"""Python's cycle collector around the corpus stages: what a stage allocates is freed by reference counting,
yet the allocation sets off full collections that walk every object of the process.

A build's process holds the spaCy pipeline and what it made (hundreds of thousands of objects), and a stage
makes a row, tuple or claim per stored mention or claim. Measured: two full collections were 0.65 of
reconcile's 2.6 CPU-s for an add to a 1,600-document store; one was 0.055 of claims' 0.086 CPU-s of claim ids
over 9,350 claims; link's add at 1,600 went from 0.43 to 0.36 CPU-s without them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Run a block with the objects that exist before it left out of garbage collection (`gc.freeze`).

    Without it, a stage allocating rows for the whole store set off full collections that walked the
    pipeline's objects again: a fifth to a third of link's and reconcile.load's CPU on a 255-document
    store. Objects the block creates are collected as usual; the frozen ones go back to the oldest
    generation after. `corpus.corpus_stages` runs every stage inside it."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cycle collector while a stage runs, then restore it as it was.

    For stages whose objects hold no reference cycles and live until the stage returns (link's graph and
    rows, claims' Claim objects, reconcile's region): a collection during them frees next to nothing. The
    few cycles left are collected once the collector runs again. Reconcile's full run keeps the collector:
    its memory bound matters at 10,000 documents."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
