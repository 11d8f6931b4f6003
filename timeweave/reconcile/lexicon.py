"""The word lists reconcile reads, from data files: which lemmas never denote a chronicle event.

Why a file: that "say", "believe" or "cooperation" names no happening is knowledge about English,
not about a corpus, and a project on other prose must be able to read and change it without touching
code. The bundled list is `data/non_events.tsv` (each row says where it comes from). A project's
`knowledge` folder (the setting `knowledge`, docs/knowledge.md) may hold a `non_events.tsv` with the
same columns: its rows add words, and a row of kind `event` takes a word off the list.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from timeweave.errors import ConfigError
from timeweave.knowledge.load import read_table

DATA = Path(__file__).parent / "data"
NON_EVENTS = "non_events.tsv"
COLUMNS = ("word", "kind", "source")
KINDS = ("reporting", "mental", "intention", "light", "aspectual", "relation", "scholarship", "state_noun", "section")
KEEP = "event"  # a user's row of this kind says the word does name events


def read_non_events(paths: list[Path]) -> frozenset[str]:
    """The lower-case lemmas the files list, read in order (a later `event` row removes a word)."""
    words: set[str] = set()
    for path in paths:
        for row in read_table(path, COLUMNS):
            word, kind = row["word"].strip().lower(), row["kind"].strip()
            if not word:
                continue
            if kind == KEEP:
                words.discard(word)
            elif kind in KINDS:
                words.add(word)
            else:
                raise ConfigError(f"{path}: {row['_where']}: unknown kind {kind!r} for {word!r}. Valid kinds: "
                                  f"{', '.join(KINDS)}, or {KEEP!r} to take a word off the list.")
    return frozenset(words)


@lru_cache(maxsize=4)
def non_events_for(folder: str | None) -> frozenset[str]:
    """The bundled list plus `folder`'s non_events.tsv when it has one (None: the bundled list alone)."""
    paths = [DATA / NON_EVENTS]
    if folder and (Path(folder) / NON_EVENTS).is_file():
        paths.append(Path(folder) / NON_EVENTS)
    return read_non_events(paths)


def non_events() -> frozenset[str]:
    """The list in force: the bundled file and the build's `knowledge` folder (see `timeweave.knowledge.use`)."""
    from timeweave import knowledge

    return non_events_for(knowledge.active().folder)
