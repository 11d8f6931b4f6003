"""The `exporter` hook: a named function `(engine, out: Path) -> None`.

Built-in formats register themselves with the same decorator a plugin would use; a package can add
formats through the `timeweave_exporters` entry point group (a module that registers on import).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from sqlalchemy import Engine

from timeweave.errors import TimeweaveError
from timeweave.store import open_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Exporter:
    name: str
    suffix: str
    help: str
    write: Callable[[Engine, Path], None]


EXPORTERS: dict[str, Exporter] = {}


def exporter(name: str, *, suffix: str, help: str) -> Callable:
    def register(fn: Callable[[Engine, Path], None]) -> Callable[[Engine, Path], None]:
        EXPORTERS[name] = Exporter(name, suffix, help, fn)
        return fn

    return register


def _load_plugins() -> None:
    import timeweave.export.formats  # noqa: F401  (the built-in exporters)

    for entry in entry_points(group="timeweave_exporters"):
        try:
            entry.load()
        except Exception as exc:  # a broken plugin must not break the built-in formats
            log.warning("exporter plugin %s failed to load: %s", entry.name, exc)


def export(fmt: str, *, db: str | Path, out: str | Path) -> Path:
    """Write the store at `db` to `out` in format `fmt`."""
    _load_plugins()
    if fmt not in EXPORTERS:
        raise TimeweaveError(f"Unknown export format {fmt!r}. Available: {', '.join(sorted(EXPORTERS))}.")
    engine = open_store(db, create=False)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    EXPORTERS[fmt].write(engine, out)
    return out
