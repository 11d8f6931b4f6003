"""`aliases.csv`, a corpus's own naming decisions (alias, canonical name, type), checked row by row.

Written by people in spreadsheets: a type typed `PERSON` or ` State`, a missing column, a stray
line. A bad row must not abort a build whose documents are already stored, nor be silently
dropped: each malformed row becomes warning T023 with its file and line number, and the good rows
are used. Types are matched without regard to case or surrounding spaces. A header row
(`alias,...`) and lines starting with `#` are skipped.
"""

from __future__ import annotations

import csv
from pathlib import Path

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes
from timeweave.ingest.files import safe_name

MAX_BYTES = 10 * 2**20  # an authority file is a list of names; anything larger is not one


def entity_types() -> tuple[str, ...]:
    from timeweave.annotate.types import ENTITY_TYPES

    return tuple(ENTITY_TYPES)


def read_aliases(paths: list[Path], *, shown: dict[Path, str] | None = None
                 ) -> tuple[list[tuple[str, str, str, str]], list[IngestError]]:
    """Rows `(alias, canonical name, type, file name)` of the files, and a T023 warning per bad row or file.

    `shown` names the files in the warnings (the build passes each file's key under its corpus root)."""
    types = entity_types()
    rows: list[tuple[str, str, str, str]] = []
    problems: list[IngestError] = []
    for path in paths:
        name = (shown or {}).get(path) or safe_name(path)
        try:
            if not path.is_file() or path.stat().st_size > MAX_BYTES:
                raise OSError("not a regular file under 10 MB")
            with open(path, newline="", encoding="utf-8-sig") as handle:
                lines = list(csv.reader(handle))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            problems.append(IngestError(codes.ALIASES_ROW, name, f"the file cannot be read as UTF-8 CSV ({exc}); it was ignored",
                                        "Save it as UTF-8 CSV with the columns alias,canonical name,type."))
            continue
        for n, record in enumerate(lines, start=1):
            if not record or not "".join(record).strip() or record[0].lstrip().startswith("#"):
                continue
            if n == 1 and record[0].strip().lower() == "alias":
                continue
            cells = [cell.strip() for cell in record]
            type_ = cells[2].lower() if len(cells) >= 3 else ""
            if len(cells) < 3 or not cells[0] or not cells[1] or type_ not in types:
                why = ("expected 3 columns" if len(cells) < 3 else "an empty alias or name" if not cells[0] or not cells[1]
                       else f"unknown type {cells[2]!r}")
                problems.append(IngestError(
                    codes.ALIASES_ROW, f"{name}:{n}",
                    f"line {n} is not 'alias,canonical name,type' ({why}; got {record!r}); the line was ignored",
                    f"Fix or remove that line; the type is one of {', '.join(types)}."))
                continue
            rows.append((cells[0], cells[1], type_, path.name))
    return rows, problems


def check_aliases(paths: list[Path], *, shown: dict[Path, str] | None = None) -> list[IngestError]:
    """The T023 warnings of `read_aliases` alone, for the build to record (and log)."""
    return read_aliases(paths, shown=shown)[1]
