"""States by name, demonym, seat of government or army, resolved for the year the text speaks of.

Why a gazetteer and not learning: that "Soviet" in "the Soviet side" is the USSR, that "the Kremlin"
spoke for the Soviet Union in 1939 and for Russia in 2019, and that the Red Army was the Soviet
army is world knowledge no single text states. The facts are data (`timeweave.knowledge`: the
bundled tables and a user's folder); this module only indexes them and picks, for a name and a
year, the state that held the name then. Anything rarer belongs in a user's knowledge folder or a
corpus's `aliases.csv` authority file.

`lookup(text, year=...)`, `state_key` and `military_key` are the API the linker and the benches use.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from timeweave import knowledge
from timeweave.annotate.entities.keys import alias_key
from timeweave.knowledge import Knowledge, NameFact

# When several holders share a name in the same year, the more specific kind of name wins.
_KIND_ORDER = ("name", "alias", "military", "navy", "demonym", "seat")


@dataclass(frozen=True)
class State:
    """A state and all the names the knowledge tables give it, whatever their years."""

    name: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    seats: tuple[str, ...] = ()  # capitals and seats of government, used as metonyms
    military: str | None = None  # its army's name when no year says otherwise ("Red Army")
    start: int | None = None  # years the state existed (None: open)
    end: int | None = None


@dataclass(frozen=True)
class _Index:
    states: dict[str, State]
    caps_only: frozenset[str]  # keys of abbreviations that count only in capitals ("US", not "us")
    armies: dict[str, list[NameFact]]  # state name -> its armies' names, with their years
    navies: dict[str, list[NameFact]]  # state name -> its navies' names, with their years


@lru_cache(maxsize=8)
def _index(kn: Knowledge) -> _Index:
    by_state: dict[str, dict[str, list[str]]] = {name: {k: [] for k in _KIND_ORDER} for name in kn.states}
    caps = set()
    armies: dict[str, list[NameFact]] = {}
    navies: dict[str, list[NameFact]] = {}
    for key, facts in kn.names.items():
        for fact in facts:
            by_state[fact.state][fact.kind].append(fact.name)
            if fact.kind == "military":
                armies.setdefault(fact.state, []).append(fact)
            if fact.kind == "navy":
                navies.setdefault(fact.state, []).append(fact)
            if fact.kind == "alias" and fact.name.replace(".", "").isupper():
                caps.add(key)
    states = {}
    for name, info in kn.states.items():
        kinds = by_state[name]
        states[name] = State(name, tuple(kinds["alias"]), tuple(kinds["demonym"]), tuple(kinds["seat"]),
                             info.military or None, info.start, info.end)
    return _Index(states, frozenset(caps), armies, navies)


def _choose(facts: list[NameFact], year: int | None) -> NameFact | None:
    """The fact that holds in `year`; with no year: the `default` one, else today's, else the latest.

    A year no holder covers gives None: "Moscow" in 1812 is a city, not a seat of a state we know."""
    if year is not None:
        holding = [f for f in facts if f.holds(year)]
    else:
        holding = [f for f in facts if f.default] or [f for f in facts if f.holds(knowledge.this_year())] \
            or sorted(facts, key=lambda f: f.end if f.end is not None else 10**6)[-1:]
    if not holding:
        return None
    return min(holding, key=lambda f: _KIND_ORDER.index(f.kind))


def lookup(text: str, *, year: int | None = None) -> tuple[State, str] | None:
    """The state a name, abbreviation, demonym, seat or army name refers to in `year`, and which of those it is.

    Without `year` the rule of `_choose` applies (documented in docs/knowledge.md). For an army's
    name the State carries that army as its `military`, so a caller naming the army shows the
    name that matched ("Bundeswehr", not the state's default army)."""
    kn = knowledge.active()
    key = alias_key(text)
    facts = kn.names.get(key)
    if not facts:
        return None
    index = _index(kn)
    if key in index.caps_only and not text.strip().replace(".", "").isupper():
        return None
    fact = _choose(facts, year)
    if fact is None:
        return None
    state = index.states[fact.state]
    if fact.kind == "military":
        state = replace(state, military=fact.name)
    return state, fact.kind


def holders(text: str) -> list[tuple[State, str]]:
    """Every state `text` has named in any year, with how: to explain a mention already resolved
    ("Moscow" keyed to the Soviet Union) without knowing the year it was resolved for."""
    kn = knowledge.active()
    index = _index(kn)
    return [(index.states[f.state], f.kind) for f in kn.facts(text)]


def known(text: str) -> bool:
    """Whether the tables know `text` as a name of some state in some year (a word not to retype)."""
    return bool(knowledge.active().facts(text))


def state_key(state: State) -> str:
    """The alias key every name of a state resolves to: that of its table name."""
    return alias_key(state.name)


def military_key(state: State, *, year: int | None = None) -> str:
    """The key of a state's armed forces in `year`: the army named for that year, else its default
    army (without a year, or when no row dates it), else "<state> armed forces"."""
    kn = knowledge.active()
    if year is not None:
        armies = [f for f in _index(kn).armies.get(state.name, []) if f.holds(year)]
        if armies:
            return alias_key(armies[0].name)
        info = kn.states.get(state.name)
        army = info.military if info else ""
        if army and not kn.facts(army):  # a default army no names row dates: it holds whenever asked
            return alias_key(army)
        return f"{alias_key(state.name)} armed forces"
    return alias_key(state.military) if state.military else f"{alias_key(state.name)} armed forces"


def navy_key(state: State, *, year: int | None = None) -> str | None:
    """The key of a state's navy in `year` ("North Vietnamese Navy" in 1964 -> "vietnam peoples navy"),
    so "<demonym> navy" and the navy's own name are one; None when the tables name none for that year."""
    facts = _index(knowledge.active()).navies.get(state.name, [])
    holding = [f for f in facts if year is None or f.holds(year)]
    if year is None and len(holding) > 1:
        holding = [f for f in holding if f.end is None] or holding[-1:]
    return alias_key(holding[0].name) if holding else None
