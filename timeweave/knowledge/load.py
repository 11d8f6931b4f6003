"""Reading the knowledge files: tab-separated tables with a provenance header, layered bundled → user.

Every file is UTF-8 TSV: lines starting with "#" say where the rows come from, the first other line
names the columns, each row after it is one fact. A user's folder (setting `knowledge`) may hold
files of the same names; their rows are read after the bundled ones (see `timeweave.knowledge`).
"""

from __future__ import annotations

import re
from pathlib import Path

from timeweave.errors import ConfigError

_YEAR = re.compile(r"-?\d{1,4}")


def read_table(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of one TSV file as dicts; a missing column or a bad year names the file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the knowledge file {path}: {exc}. Give a readable UTF-8 TSV file.") from exc
    rows: list[dict[str, str]] = []
    columns: list[str] | None = None
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if columns is None:
            columns = cells
            missing = [c for c in required if c not in columns]
            if missing:
                raise ConfigError(
                    f"{path}:{n}: the header line lacks the column(s) {', '.join(missing)}. "
                    f"Expected tab-separated columns: {', '.join(required)} (see docs/knowledge.md).")
            continue
        row = dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=False))
        for col in ("from", "to"):
            if row.get(col) and not _YEAR.fullmatch(row[col]):
                raise ConfigError(f"{path}:{n}: the column {col!r} must be a year such as 1922 or -44, "
                                  f"got {row[col]!r}. Leave it empty for an open end.")
        if row.get("from") and row.get("to") and int(row["from"]) > int(row["to"]):
            raise ConfigError(f"{path}:{n}: {row.get(columns[0])!r} ends ({row['to']}) before it starts ({row['from']}).")
        row["_where"] = f"{path.name}:{n}"
        rows.append(row)
    return rows


def year(text: str) -> int | None:
    """A year cell as an int; empty means an open end."""
    return int(text) if text else None
