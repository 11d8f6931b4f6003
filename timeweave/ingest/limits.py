"""Per-document limits of a build, from the settings: bytes, archives, and time.

The time limit (`max_seconds_per_file`) works two ways. Between the chunks of a long text the
annotate stage checks the document's deadline (cooperative, works anywhere, also on Dask workers).
In the main thread of a POSIX process (a serial build), an interval timer also interrupts a stage
that never reaches a check (a parser stuck in one huge input): the interruption is a BaseException,
so a library's `except Exception` cannot swallow it, and it becomes failure T020 for that document.
A stage stuck inside C code that never returns to Python is beyond both; such a document is bounded
by the size limits instead.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes

MB = 2**20


class _OutOfTime(BaseException):
    """Raised by the timer inside the stage being timed; turned into T020 by `time_limit`."""


def read_options(config: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `read_document` that come from the settings."""
    return {
        "max_bytes": int(config["max_file_mb"] * MB),
        "min_duplicate_chars": config["min_duplicate_chars"],
        "near_duplicate_threshold": config["near_duplicate_threshold"],
        "max_unzipped_bytes": int(config.get("max_unzipped_mb", 200) * MB),
        "max_zip_ratio": float(config.get("max_zip_ratio", 100.0)),
    }


def deadline(config: dict[str, Any], *, documents: int = 1) -> float | None:
    """The monotonic time by which `documents` documents must be done, or None without a limit."""
    seconds = float(config.get("max_seconds_per_file") or 0)
    return time.monotonic() + seconds * max(1, documents) if seconds > 0 else None


def timeout_error(path: str, seconds: float, what: str = "reading and annotating it") -> IngestError:
    return IngestError(codes.TIMEOUT, path, f"{what} took longer than the limit of {seconds:g} seconds per file",
                       "Split the document into smaller files, or raise --set max_seconds_per_file=N (0: no limit).")


@contextmanager
def time_limit(config: dict[str, Any], path: str, *, documents: int = 1, what: str = "reading and annotating it") -> Iterator[None]:
    """Interrupt the block after `max_seconds_per_file` x `documents` seconds with T020 (main thread, POSIX only)."""
    seconds = float(config.get("max_seconds_per_file") or 0) * max(1, documents)
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    state = {"active": True}

    def expire(_signum, _frame):
        if state["active"]:
            raise _OutOfTime()

    previous = signal.signal(signal.SIGALRM, expire)
    # The timer repeats every second after the limit: an interruption that lands in a finalizer is
    # ignored by Python ("Exception ignored in ..."), so one shot could be lost.
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    except _OutOfTime:
        state["active"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        raise timeout_error(path, seconds, what) from None
    finally:
        state["active"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
