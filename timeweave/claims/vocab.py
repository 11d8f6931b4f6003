"""The claims stage's knowledge, read from the TSV files in `timeweave/claims/data/` (one loader).

Cue words (occurrence, cause, purpose), framing and evaluation words, outcome words with the side
they make the winner, attribution patterns, number words and invariant units, times of day are data, so a user can read and extend them; each
file's header says where its rows come from. A caller can add rows of its own: `vocabulary(extra)`
also reads the files of the same names found in the folder `extra`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from timeweave.errors import TimeweaveError

FILES = ("cues.tsv", "framing.tsv", "outcomes.tsv", "attribution.tsv", "quantities.tsv", "times.tsv")


@dataclass(frozen=True)
class Cue:
    kind: str
    value: str
    polarity: str
    pattern: re.Pattern


@dataclass(frozen=True)
class Vocabulary:
    cues: tuple[Cue, ...]
    framing: tuple[tuple[str, str, re.Pattern], ...]  # (facet, value, pattern)
    axes: dict[str, str]  # judgement value -> the question it answers (values of one axis are compared)
    generic: frozenset[str]  # cause / purpose values that only say there was one, naming none
    outcomes: tuple[tuple[re.Pattern, str, str], ...]  # (pattern, role of the side before, role of the side after)
    attribution: tuple[re.Pattern, ...]
    numbers: dict[str, float]  # number word -> value
    units: frozenset[str]  # nouns counted without a plural -s
    durations: frozenset[str]  # units of time: a duration one voice gives is not a notable claim
    relative: frozenset[str]  # "two days later": a duration before these words is no count
    plurals: dict[str, str]  # irregular plurals and their singular ("sorties": "sortie")
    ordinary: frozenset[str]  # counted nouns whose count alone is no notable claim ("two events")
    times: tuple[tuple[re.Pattern, float, float], ...] = ()  # time-of-day words and their span of hours


def _rows(text: str, where: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for number, row in enumerate(rows, start=2):
        if None in row or any(value is None for value in row.values()):
            raise TimeweaveError(f"[T060] {where}, data row {number}: wrong number of tab-separated columns. "
                                 "Fix the row so it has exactly the columns of the header line.")
    return rows


def _compile(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(pattern, re.I)
    except re.error as error:
        raise TimeweaveError(f"[T060] {where}: the pattern {pattern!r} is not a valid regular expression ({error}). "
                             "Fix or remove the row.") from error


def _texts(extra: str | None) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {name: [] for name in FILES}
    for name in FILES:
        found[name].append((f"timeweave/claims/data/{name}",
                            resources.files("timeweave.claims").joinpath("data", name).read_text("utf-8")))
        if extra and (Path(extra) / name).is_file():
            found[name].append((str(Path(extra) / name), (Path(extra) / name).read_text("utf-8")))
    return found


@lru_cache(maxsize=8)
def vocabulary(extra: str | None = None) -> Vocabulary:
    """The bundled vocabulary, plus the rows of the files in `extra` ."""
    cues, framing, outcomes, attribution = [], [], [], []
    axes: dict[str, str] = {}
    generic: set[str] = set()
    numbers: dict[str, float] = {}
    units: set[str] = set()
    durations: set[str] = set()
    relative: set[str] = set()
    plurals: dict[str, str] = {}
    ordinary: set[str] = set()
    times: list[tuple[re.Pattern, float, float]] = []
    for name, texts in _texts(extra).items():
        for where, text in texts:
            for row in _rows(text, where):
                if name == "cues.tsv":
                    cues.append(Cue(row["kind"], row["value"], row["polarity"], _compile(row["pattern"], where)))
                    if (row.get("generic") or "").strip().lower() == "yes":  # optional column
                        generic.add(row["value"])
                elif name == "framing.tsv":
                    framing.append((row["facet"], row["value"], _compile(row["pattern"], where)))
                    axes[row["value"]] = row.get("axis") or axes.get(row["value"]) or row["value"]  # optional column
                elif name == "outcomes.tsv":
                    outcomes.append((_compile(row["pattern"], where), row["before"], row["after"]))
                elif name == "times.tsv":
                    try:
                        times.append((_compile(row["pattern"], where), float(row["start"]), float(row["end"])))
                    except ValueError as error:
                        raise TimeweaveError(f"[T060] {where}: the hours of {row['pattern']!r} are not numbers ({error}). "
                                             "Give start and end as hours after midnight (18, 30 for a night).") from error
                elif name == "quantities.tsv":
                    if row["kind"] == "number":
                        numbers[row["word"].lower()] = float(row["value"])
                    elif row["kind"] == "duration":
                        durations.add(row["word"].lower())
                    elif row["kind"] == "relative":
                        relative.add(row["word"].lower())
                    elif row["kind"] == "plural":
                        plurals[row["word"].lower()] = row["value"].lower()
                    elif row["kind"] == "ordinary":
                        ordinary.add(row["word"].lower())
                    else:
                        units.add(row["word"].lower())
                else:
                    attribution.append(re.compile(row["pattern"]))  # case matters: voices are names
    return Vocabulary(tuple(cues), tuple(framing), axes, frozenset(generic), tuple(outcomes), tuple(attribution), numbers, frozenset(units),
                      frozenset(durations), frozenset(relative), plurals, frozenset(ordinary), tuple(times))
