"""The `exporter` hook: a named function `(engine, out: Path) -> None`.

Built-in formats register themselves with the same decorator a plugin would use; a package can add
formats through the `timeweave_exporters` entry point group (a module that registers on import).
The CLI builds one `timeweave export FORMAT` command per registered format, so a plugin's format
appears in `timeweave export --help` like a built-in one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
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
    filename: str  # the default output file name, e.g. `chronicle.json`


EXPORTERS: dict[str, Exporter] = {}
BUILTIN = ("timeweave.export.formats", "timeweave.export.geo", "timeweave.export.network", "timeweave.export.linked",
           "timeweave.export.tei")  # modules whose import registers the built-in formats
_PLUGINS_LOADED = False


def exporter(name: str, *, suffix: str, help: str, filename: str | None = None) -> Callable:
    """Register `fn(engine, out)` as export format `name` (the decorator built-ins and plugins share)."""

    def register(fn: Callable[[Engine, Path], None]) -> Callable[[Engine, Path], None]:
        EXPORTERS[name] = Exporter(name, suffix, help, fn, filename or f"{name}{suffix}")
        return fn

    return register


def load_exporters() -> dict[str, Exporter]:
    """Every export format, built-in and from plugins, loaded once: the CLI lists exactly these."""
    global _PLUGINS_LOADED
    for module in BUILTIN:
        import_module(module)
    if not _PLUGINS_LOADED:
        _PLUGINS_LOADED = True
        for entry in entry_points(group="timeweave_exporters"):
            try:
                entry.load()
            except Exception as exc:  # a broken plugin must not break the built-in formats
                log.warning("exporter plugin %s failed to load: %s", entry.name, exc)
    return EXPORTERS


def export(fmt: str, *, db: str | Path, out: str | Path) -> Path:
    """Write the store at `db` to `out` in format `fmt`."""
    load_exporters()
    if fmt not in EXPORTERS:
        raise TimeweaveError(f"Unknown export format {fmt!r}. Available: {', '.join(sorted(EXPORTERS))}.")
    engine = open_store(db, create=False)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    EXPORTERS[fmt].write(engine, out)
    return out
