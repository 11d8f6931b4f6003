"""The linker's word lists, read from data files: which words surround a name, which words join two names.

Why files: that "province" after a name or "USS" before it does not change what is named, and that
"also called" or "known in Japan as" introduces a second name, is knowledge about a language, not
about a corpus. It lives in `data/name_words.tsv` and `data/naming_cues.tsv` (each row says where it
comes from) so a user can extend it without touching code: pass more files with the same columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from timeweave.annotate.entities.keys import alias_key
from timeweave.errors import ConfigError

WORD_KINDS = ("generic_suffix", "generic_prefix", "org_suffix", "of_form", "ship_prefix", "title")


@dataclass(frozen=True)
class Lexicon:
    """Name words by kind (as alias keys) and naming cues (rule name, compiled pattern)."""

    words: dict[str, frozenset[str]] = field(default_factory=dict)
    cues: tuple[tuple[str, re.Pattern], ...] = ()

    def of(self, kind: str) -> frozenset[str]:
        return self.words.get(kind, frozenset())

    def type_hint(self, key: str) -> str | None:
        """The type a name's own words give it: "USS Constitution" is a ship (a military unit), "Hubei province" a place."""
        words = key.split()
        if len(words) >= 2 and words[0] in self.of("ship_prefix"):
            return "military_unit"
        if len(words) >= 2 and (words[-1] in self.of("generic_suffix") or (words[0] in self.of("of_form") and words[1] == "of")):
            return "place"
        return None


def _rows(text: str, where: str, columns: int):
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < columns or not parts[0].strip():
            raise ConfigError(f"{where}:{n}: expected {columns} tab-separated columns, got {line!r}. "
                              "Fix the line or comment it out with '#'.")
        yield n, [p.strip() for p in parts]


def read_lexicon(word_files: list[Path] | None = None, cue_files: list[Path] | None = None) -> Lexicon:
    """The bundled word lists plus any user files with the same columns (rows are added, never replaced)."""
    data = resources.files("timeweave.link").joinpath("data")
    word_texts = [("name_words.tsv", data.joinpath("name_words.tsv").read_text("utf-8"))]
    word_texts += [(str(p), Path(p).read_text("utf-8")) for p in word_files or []]
    cue_texts = [("naming_cues.tsv", data.joinpath("naming_cues.tsv").read_text("utf-8"))]
    cue_texts += [(str(p), Path(p).read_text("utf-8")) for p in cue_files or []]
    words: dict[str, set[str]] = {kind: set() for kind in WORD_KINDS}
    for where, text in word_texts:
        for n, (word, kind, *_) in _rows(text, where, 2):
            if kind not in words:
                raise ConfigError(f"{where}:{n}: unknown kind {kind!r}; use one of {', '.join(WORD_KINDS)}.")
            words[kind].add(alias_key(word))
    cues = []
    for where, text in cue_texts:
        for n, (rule, pattern, *_) in _rows(text, where, 2):
            try:
                cues.append((rule, re.compile(pattern + r"$", re.IGNORECASE)))
            except re.error as exc:
                raise ConfigError(f"{where}:{n}: pattern for {rule!r} is not a valid regular expression ({exc}).") from None
    return Lexicon({k: frozenset(v) for k, v in words.items()}, tuple(cues))


USER_FILES = ("name_words.tsv", "naming_cues.tsv")


def default_lexicon() -> Lexicon:
    """The bundled lists plus, when the build's `knowledge` setting names a folder, that folder's
    `name_words.tsv` and `naming_cues.tsv` (same columns; rows are added): one place for a project's
    own knowledge, whichever stage reads it (docs/knowledge.md)."""
    from timeweave import knowledge

    return lexicon_for(knowledge.active().folder)


@lru_cache(maxsize=4)
def lexicon_for(folder: str | None) -> Lexicon:
    """The bundled lists plus the user files of `folder` (None: the bundled lists alone), read once per folder."""
    if not folder:
        return read_lexicon()
    base = Path(folder)
    words, cues = (base / name for name in USER_FILES)
    return read_lexicon([words] if words.is_file() else [], [cues] if cues.is_file() else [])
