"""`demo`: build the bundled Khalkhin Gol corpus into a local store, ready to look at."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from timeweave.build import BuildReport, Progress, build

DEFAULT_DB = Path(".timeweave") / "demo.db"


def corpus_path() -> Path:
    """The bundled example corpus (five texts on the 1930s Soviet–Mongolian alliance, with CSL-JSON)."""
    return Path(str(resources.files("timeweave.data").joinpath("khalkhin-gol")))


def demo(*, db: str | Path = DEFAULT_DB, progress: Progress | None = None) -> BuildReport:
    """Build (or update) the demo store from the bundled corpus."""
    return build([corpus_path()], db=db, progress=progress, command="timeweave demo")
