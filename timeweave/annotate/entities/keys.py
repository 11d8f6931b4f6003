"""Alias keys: the normalised form under which mentions are compared across documents.

Case, diacritics, transliteration of non-Latin scripts, typographic apostrophes, hyphens versus
spaces and a leading article do not make a different name: "the Khalkhin-Gol" and "Khalkhin Gol"
share the key "khalkhin gol". Spelling variants that survive this ("Manchouli"/"Manzhouli") are the
linker's job (`timeweave.link.variants`).
"""

from __future__ import annotations

import re

from unidecode import unidecode

_ARTICLE = re.compile(r"^(the|a|an)\s+")
_POSSESSIVE = re.compile(r"'s$")
_NON_WORD = re.compile(r"[^a-z0-9' ]+")
_SPACES = re.compile(r"\s+")


def alias_key(text: str) -> str:
    """The comparison key of a name: ASCII, lower case, no article, hyphens as spaces."""
    s = unidecode(text).lower().replace("`", "'")
    s = _SPACES.sub(" ", s.replace("-", " ").replace("_", " ")).strip()
    s = _ARTICLE.sub("", s)
    s = _POSSESSIVE.sub("", s)
    s = _NON_WORD.sub(" ", s).replace("'", "")
    return _SPACES.sub(" ", s).strip()


def squashed(key: str) -> str:
    """The key without spaces, so "khalkhin gol" meets "khalkhingol" (#KhalkhinGol85)."""
    return key.replace(" ", "")


def initials(key: str) -> str:
    """Initial letters of a key's words, for acronym matching ("mongolian peoples republic" -> "mpr")."""
    return "".join(word[0] for word in key.split() if word not in _ACRONYM_SKIP)


_ACRONYM_SKIP = {"of", "the", "and", "for", "in", "on", "de"}
