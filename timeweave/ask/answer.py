"""The answer object and its JSON contract (answer.schema.json, documented in docs/ask.md)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).parent / "answer.schema.json"
STATUSES = ("answered", "disputed", "not_found")


@dataclass
class Evidence:
    source: str
    path: str
    start: int
    end: int
    quote: str


@dataclass
class Position:
    value: str
    when: dict[str, str | None] | None
    sources: list[str]
    evidence: list[Evidence]


@dataclass
class Answer:
    question: str
    status: str
    answer: str
    positions: list[Position] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    claims: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the contract (keys in the documented order)."""
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def schema() -> dict[str, Any]:
    """The JSON Schema every answer validates against."""
    return json.loads(SCHEMA.read_text(encoding="utf-8"))
