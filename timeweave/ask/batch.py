"""Reading a file of questions (`timeweave ask --questions FILE.jsonl`): one `{"q": ...}` object a line."""

from __future__ import annotations

import json
from pathlib import Path

from timeweave.errors import TimeweaveError


def read_questions(path: str | Path) -> list[str]:
    """The questions of a JSONL file, in order; a bad line names the file and line and says what is expected."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TimeweaveError(f"Cannot read the questions file {path}: {exc}. Give a UTF-8 JSONL file, one {{\"q\": ...}} a line.") from exc
    questions = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TimeweaveError(f"{path}:{n}: not JSON ({exc.msg}). Each line must be an object like {{\"q\": \"When ...?\"}}.") from exc
        if not isinstance(row, dict) or not isinstance(row.get("q"), str):
            raise TimeweaveError(f"{path}:{n}: no \"q\" string. Each line must be an object like {{\"q\": \"When ...?\"}}.")
        questions.append(row["q"])
    return questions
