"""A small gazetteer of 20th-century states: names, abbreviations, demonyms, capitals, armies.

Why a list and not learning: that "Soviet" in "the Soviet side" is the USSR, that "the Kremlin" and
"Moscow" can stand for its government and that the Red Army is its military is world knowledge no
single text states. The list is deliberately short (states a historian of the era meets every day);
anything rarer belongs in a corpus's `aliases.csv` authority file.
"""

from __future__ import annotations

from dataclasses import dataclass

from timeweave.annotate.entities.keys import alias_key


@dataclass(frozen=True)
class State:
    name: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    seats: tuple[str, ...] = ()  # capitals and seats of government, used as metonyms
    military: str | None = None  # the name of its armed forces


STATES = (
    State("Soviet Union", ("USSR", "Union of Soviet Socialist Republics", "Soviet Russia", "SSSR"),
          ("Soviet", "Soviets"), ("Moscow", "Kremlin", "the Kremlin"), "Red Army"),
    State("Russia", ("Russian Federation", "Russian Empire", "RF"), ("Russian",), (), "Russian Armed Forces"),
    State("Japan", ("Empire of Japan", "Imperial Japan"), ("Japanese",), ("Tokyo",), "Imperial Japanese Army"),
    State("Mongolia", ("Outer Mongolia",), ("Mongolian", "Mongol"), ("Ulaanbaatar", "Ulan Bator", "Urga")),
    State("China", ("Republic of China", "People's Republic of China", "PRC"), ("Chinese", "Sino"),
          ("Nanjing", "Nanking", "Beijing", "Peking")),
    State("Manchukuo", ("Manchoukuo", "Manchou-kuo"), ("Manchukuoan",), ("Hsinking",)),
    State("Germany", ("Nazi Germany", "Third Reich", "German Reich"), ("German",), ("Berlin",), "Wehrmacht"),
    State("United States", ("USA", "US", "United States of America", "America"), ("American",),
          ("Washington", "White House")),
    State("United Kingdom", ("UK", "Britain", "Great Britain"), ("British",), ("London",)),
    State("France", (), ("French",), ("Paris",)),
    State("Italy", (), ("Italian",), ("Rome",)),
    State("Poland", (), ("Polish",), ("Warsaw",)),
    State("Korea", (), ("Korean",), ("Seoul",)),
    State("Finland", (), ("Finnish",), ("Helsinki",)),
)

# key -> (State, how the key names it)
_BY_KEY: dict[str, tuple[State, str]] = {}
for _state in STATES:
    _BY_KEY.setdefault(alias_key(_state.name), (_state, "name"))
    for _alias in _state.aliases:
        _BY_KEY.setdefault(alias_key(_alias), (_state, "alias"))
    for _dem in _state.demonyms:
        _BY_KEY.setdefault(alias_key(_dem), (_state, "demonym"))
    for _seat in _state.seats:
        _BY_KEY.setdefault(alias_key(_seat), (_state, "seat"))
    if _state.military:
        _BY_KEY.setdefault(alias_key(_state.military), (_state, "military"))


# Abbreviations only count in capitals: "US" is the United States, "us" and "Us" are not.
_CAPS_ONLY = {alias_key(a) for s in STATES for a in s.aliases if a.isupper()}


def lookup(text: str) -> tuple[State, str] | None:
    """The state a name, abbreviation, demonym, seat or army name refers to, and which of those it is."""
    key = alias_key(text)
    if key in _CAPS_ONLY and not text.strip().isupper():
        return None
    return _BY_KEY.get(key)


def state_key(state: State) -> str:
    return alias_key(state.name)


def military_key(state: State) -> str:
    """The key of a state's armed forces: its army's name, else "<state> armed forces"."""
    return alias_key(state.military) if state.military else f"{alias_key(state.name)} armed forces"
