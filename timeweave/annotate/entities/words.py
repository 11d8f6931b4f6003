"""The cue words of the entity rules, read from `timeweave/knowledge` (`words.tsv`, `place_words.tsv`).

Why one module: the rules that find a name's bounds (`shape.py`) and those that type it (`rules.py`)
read the same lists, and a user's knowledge folder must extend both at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from timeweave import knowledge


@dataclass(frozen=True)
class Words:
    """The cue words of these rules, from `timeweave/knowledge/words.tsv` and `place_words.tsv`."""

    place_suffixes: frozenset[str]
    lowercase_place_suffixes: frozenset[str]
    place_prefixes: frozenset[str]
    military_nouns: frozenset[str]
    army_nouns: frozenset[str]  # the subset naming a whole army: "Iraqi troops" is Iraq's army, "Iraqi navy" is not
    work_words: frozenset[str]
    event_words: frozenset[str]
    state_words: frozenset[str]
    org_words: frozenset[str]
    titles: frozenset[str]
    noise_acronyms: frozenset[str]  # upper case
    boilerplate: frozenset[str]
    bibliographic: frozenset[str]
    ship_prefixes: frozenset[str]  # "USS", "HMS": lower case, counted only when written in capitals
    vessel_nouns: frozenset[str]  # "destroyer", "cruiser": before a ship's name
    institutions: frozenset[str]  # "parliament", "reichstag", "admiralty": a standing body, named by itself
    navy_nouns: frozenset[str]  # "navy": "<demonym> navy" is that state's navy of the year (names kind `navy`)
    operation_words: frozenset[str]  # "operation", "exercise": before a code name ("Operation Overlord")


@lru_cache(maxsize=8)
def _words_of(kn: knowledge.Knowledge) -> Words:
    w = kn.word_list
    return Words(w("place_suffix"), w("lowercase_place_suffix"), w("place_prefix"), w("military_noun"), w("army_noun"),
                 w("work_word"), w("event_word"), w("state_word"), w("org_word"), w("title"),
                 frozenset(x.upper() for x in w("noise_acronym")), w("boilerplate_word"), w("bibliographic_abbreviation"),
                 w("ship_prefix"), w("vessel_noun"), w("institution"),
                 w("navy_noun"), w("operation_word"))


def words() -> Words:
    """The word lists in force (bundled, plus a user's knowledge folder)."""
    return _words_of(knowledge.active())
