"""The word lists reconcile reads, from data files: which lemmas never denote a chronicle event, and
the framing words by which sources name an event, judge its outcome or say who started it.

Why files: that "say", "believe" or "cooperation" names no happening, or that "incident" plays an
event down where "invasion" accuses, is knowledge about English, not about a corpus, and a project on
other prose must be able to read and change it without touching code. The bundled lists are
`data/non_events.tsv` and `data/framing_words.tsv` (each row says where it comes from). A project's
`knowledge` folder (the setting `knowledge`, docs/knowledge.md) may hold files of the same names and
columns: their rows are added (a `non_events.tsv` row of kind `event` takes a word off that list).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from timeweave.errors import ConfigError
from timeweave.knowledge.load import read_table

DATA = Path(__file__).parent / "data"
NON_EVENTS = "non_events.tsv"
COLUMNS = ("word", "kind", "source")
KINDS = ("reporting", "mental", "intention", "light", "aspectual", "relation", "scholarship", "state_noun", "section",
         "communication")
# A word of this kind names an act of communicating ("announce", "report"): a frame of what someone says,
# unless its own clause dates it and it names who spoke; then it is a happening (see reconcile/salience.py).
COMMUNICATION = "communication"
KEEP = "event"  # a user's row of this kind says the word does name events
FRAMING = "framing_words.tsv"
FRAMING_COLUMNS = ("list", "category", "pattern", "source")
FRAMING_LISTS = ("name", "evaluation", "outcome", "initiative")


def read_non_events(paths: list[Path]) -> frozenset[str]:
    """The lower-case lemmas the files list, read in order (a later `event` row removes a word)."""
    return frozenset(read_kinds(paths))


def read_kinds(paths: list[Path]) -> dict[str, str]:
    """Lemma -> kind for the files' rows, read in order (a later row sets the kind, an `event` row removes it)."""
    words: dict[str, str] = {}
    for path in paths:
        for row in read_table(path, COLUMNS):
            word, kind = row["word"].strip().lower(), row["kind"].strip()
            if not word:
                continue
            if kind == KEEP:
                words.pop(word, None)
            elif kind in KINDS:
                words[word] = kind
            else:
                raise ConfigError(f"{path}: {row['_where']}: unknown kind {kind!r} for {word!r}. Valid kinds: "
                                  f"{', '.join(KINDS)}, or {KEEP!r} to take a word off the list.")
    return words


def _non_event_files(folder: str | None) -> list[Path]:
    return [DATA / NON_EVENTS, *_user_files(folder, NON_EVENTS)]


@lru_cache(maxsize=4)
def non_events_for(folder: str | None) -> frozenset[str]:
    """The bundled list plus `folder`'s non_events.tsv when it has one (None: the bundled list alone)."""
    return read_non_events(_non_event_files(folder))


@lru_cache(maxsize=4)
def communication_for(folder: str | None) -> frozenset[str]:
    """The words of kind `communication` in the bundled list and `folder`'s non_events.tsv."""
    return frozenset(w for w, k in read_kinds(_non_event_files(folder)).items() if k == COMMUNICATION)


def communication() -> frozenset[str]:
    """The listed words of kind `communication` in force (bundled file and the build's `knowledge` folder)."""
    from timeweave import knowledge

    return communication_for(knowledge.active().folder)


def non_events() -> frozenset[str]:
    """The list in force: the bundled file and the build's `knowledge` folder (see `timeweave.knowledge.use`)."""
    from timeweave import knowledge

    return non_events_for(knowledge.active().folder)


def _user_files(folder: str | None, name: str) -> list[Path]:
    return [Path(folder) / name] if folder and (Path(folder) / name).is_file() else []


def read_framing(paths: list[Path]) -> dict[str, dict[str, re.Pattern]]:
    """list -> category -> one case-insensitive pattern of the category's rows, in file order."""
    parts: dict[str, dict[str, list[str]]] = {name: {} for name in FRAMING_LISTS}
    for path in paths:
        for row in read_table(path, FRAMING_COLUMNS):
            if row["list"] not in parts:
                raise ConfigError(f"{path}: {row['_where']}: unknown list {row['list']!r}. Valid lists: "
                                  f"{', '.join(FRAMING_LISTS)}.")
            try:
                re.compile(row["pattern"])
            except re.error as exc:
                raise ConfigError(f"{path}: {row['_where']}: the pattern {row['pattern']!r} is not a valid regular "
                                  f"expression ({exc}). Fix it or comment the line out with '#'.") from None
            parts[row["list"]].setdefault(row["category"], []).append(row["pattern"])
    return {name: {category: re.compile(r"\b(" + "|".join(patterns) + r")\b", re.I)
                   for category, patterns in categories.items()} for name, categories in parts.items()}


@lru_cache(maxsize=4)
def framing_for(folder: str | None) -> dict[str, dict[str, re.Pattern]]:
    """The bundled framing words plus `folder`'s framing_words.tsv when it has one."""
    return read_framing([DATA / FRAMING, *_user_files(folder, FRAMING)])


def framing() -> dict[str, dict[str, re.Pattern]]:
    """The framing words in force: the bundled file and the build's `knowledge` folder."""
    from timeweave import knowledge

    return framing_for(knowledge.active().folder)


OTHER_OCCASION = "other_occasion.tsv"
OTHER_OCCASION_COLUMNS = ("word", "source")


@lru_cache(maxsize=4)
def other_occasion_for(folder: str | None) -> frozenset[str]:
    """The bundled words marking a further occasion ("another raid") plus `folder`'s other_occasion.tsv."""
    words: set[str] = set()
    for path in [DATA / OTHER_OCCASION, *_user_files(folder, OTHER_OCCASION)]:
        words |= {row["word"].strip().lower() for row in read_table(path, OTHER_OCCASION_COLUMNS)
                  if row["word"].strip()}
    return frozenset(words)


def other_occasion() -> frozenset[str]:
    """The words in force marking a further occasion: the bundled file and the build's `knowledge` folder."""
    from timeweave import knowledge

    return other_occasion_for(knowledge.active().folder)
