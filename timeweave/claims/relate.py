"""Relating the claims of one group across voices: agree, contradict, differ_in_framing, single_source.

A group holds the claims answering one question (`group_key`: one event, or one entity, a kind and a
facet). Each rule reads the voices' values and says how they relate in one sentence a historian can
check against the quotes: counts within tolerance, happened vs did not happen (dated apart: another
occurrence), reversed agents, winner vs loser (perspective-aware), exclusive values (inside / outside,
opposed / supported), shared or different framings. `echo.echoed` keeps a claim from being called single-source
when another voice makes it elsewhere. Grouping and blocking are `align`'s.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from timeweave.claims.extract import Claim
from timeweave.claims.vocab import vocabulary
from timeweave.reconcile import dates

NOTABLE_SINGLE = ("cause", "purpose", "evaluation", "quantity", "attribution", "occurrence", "outcome")


@dataclass
class Relation:
    kind: str  # agree | contradict | differ_in_framing | single_source
    field: str  # claim:<kind>[:<facet>]
    question: str
    explanation: str
    event_id: int | None  # None: about an entity alone (who opposed, who was the first), no event of reconcile's
    claims: list[Claim] = field(default_factory=list)
    entity_id: int | None = None  # the entity a stance or distinction is said of


def group_key(claim: Claim) -> tuple:
    """(event, kind, facet): the question a claim answers. A judgement's facet carries its axis
    (`framing.tsv`): "deliberate or an error?" is one question, "heroic?" another, so two voices answering
    different questions do not differ in framing. A claim about an entity (stance, distinction) carries the key
    of its entity's group (`by_subject`)."""
    if "group" in claim.extra:
        return claim.extra["group"]
    facet = claim.facet if claim.kind in ("evaluation", "quantity") or claim.facet == "initiator" else ""
    if claim.kind == "evaluation" and claim.axis and facet != "name":
        facet = f"{facet}:{claim.axis}"
    return (claim.event_id, claim.kind, facet)



def _voices(claims: list[Claim]) -> dict[str, list[Claim]]:
    by: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        by[claim.voice].append(claim)
    return by


def _who(claims: list[Claim]) -> str:
    names = []
    for claim in claims:
        name = claim.source_id if not claim.voice.startswith("quoted:") else f"{claim.voice_name} (quoted in {claim.source_id})"
        if name not in names:
            names.append(name)
    return ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def _statements(claims: list[Claim], limit: int = 12) -> list[Claim]:
    """At most `limit` claims, one per (voice, value), the earliest in reading order, taken in turn from each
    value (and polarity), so that every side of a contradiction is quoted however many voices the other side has."""
    seen: set[tuple] = set()
    sides: dict[tuple, list[Claim]] = {}
    # a stance or distinction: the sentence naming most of the entities it is said of speaks for its voice
    for claim in sorted(claims, key=lambda c: (-len(c.subjects), c.source_id, c.start)):
        if (claim.voice, claim.value) not in seen:
            seen.add((claim.voice, claim.value))
            sides.setdefault((claim.value, claim.polarity), []).append(claim)
    out: list[Claim] = []
    for turn in range(max((len(v) for v in sides.values()), default=0)):
        out += [side[turn] for side in sides.values() if turn < len(side)]
    return out[:limit]


def _disjoint(a: Claim, b: Claim) -> bool:
    return a.interval is not None and b.interval is not None and dates.contradicts(a.interval, b.interval)


def _one_occurrence(claims: list[Claim]) -> list[Claim]:
    """The accounts compatible with the date most voices give (undated ones are compatible with any)."""
    dated = [c for c in claims if c.interval is not None]
    if not dated:
        return claims
    best = max(dated, key=lambda c: (len({o.voice for o in dated if not _disjoint(c, o)}), -c.start))
    return [c for c in claims if not _disjoint(c, best)]


def _occurrence(claims: list[Claim]) -> tuple[str, str, list[Claim]] | None:
    said = {p: [c for c in claims if c.polarity == p] for p in "+-?"}
    said["+"] = [c for c in said["+"] if c.extra.get("dated", True)]  # told with its own date, not only named
    # A voice does not contradict its own dated account with an undated doubt or denial in one group: that
    # one is about another occurrence `reconcile` put here ("the second attack" beside "on 2 August").
    telling = {c.voice for c in said["+"]}  # accounts that date the event themselves (above)
    for p in "-?":
        said[p] = [c for c in said[p] if c.extra.get("dated", c.interval is not None) or c.voice not in telling]
    doubted = said["-"] + said["?"]
    dated = [d for d in doubted if d.interval is not None] or doubted
    if doubted:  # a denial speaks of the occurrence it dates: "the 4 August attack did not happen" is not about 2 August
        said["+"] = [c for c in said["+"] if any(not _disjoint(c, d) for d in dated)]
    else:  # accounts agree only on one occurrence: those dated apart from the best-attested date are left out
        said["+"] = _one_occurrence(said["+"])
    voices = {p: {c.voice for c in cs} for p, cs in said.items()}
    if said["-"] and said["+"] and voices["+"] - voices["-"]:
        return "contradict", (f"{_who(said['+'])} tell it as having happened, but {_who(said['-'])} "
                              f"say{'s' if len(voices['-']) == 1 else ''} it did not happen."), said["+"] + said["-"]
    if said["?"] and (said["+"] or said["-"]) and (voices["+"] | voices["-"]) - voices["?"]:
        told = said["+"] or said["-"]
        return "contradict", (f"{_who(told)} {'tell it as having happened' if said['+'] else 'say it did not happen'}, "
                              f"but {_who(said['?'])} call{'s' if len(voices['?']) == 1 else ''} that in doubt."), told + said["?"]
    for p, what in (("-", "did not happen"), ("+", "happened")):
        if len(voices[p]) >= 2:
            return "agree", f"{len(voices[p])} independent voices say it {what}: {_who(said[p])}.", said[p]
    if said["-"]:
        return "single_source", f"Only {_who(said['-'])} says it did not happen; no other independent voice says so.", said["-"]
    return None


def _quantity(claims: list[Claim], tolerance: float) -> tuple[str, str] | None:
    by = _voices(claims)
    lo = min(claims, key=lambda c: c.number)
    hi = max(claims, key=lambda c: c.number)
    unit = claims[0].facet
    if len(by) < 2:
        return "single_source", f"Only {_who(claims)} gives a figure for {unit} ('{claims[0].value}')."
    if hi.number > lo.number * (1 + tolerance) and hi.voice != lo.voice:
        return "contradict", (f"{_who([lo])} gives '{lo.value}' but {_who([hi])} '{hi.value}': more than "
                              f"{tolerance:.0%} apart.")
    if hi.number <= lo.number * (1 + tolerance):
        return "agree", f"{len(by)} independent voices give the same figure for {unit}: {_who(claims)}."
    return None


def _agent(claims: list[Claim]) -> tuple | None:
    claims = [c for c in claims if c.polarity == "+"]  # "X did not attack" names no actor of an attack
    by = _voices(claims)
    # agreement: on accounts that date the event, and date it alike (two raids on two days have the same raider,
    # but two voices telling one each do not agree on one actor of one raid)
    told = _voices(_one_occurrence([c for c in claims if c.extra.get("dated", True)]))
    if len(by) < 2:
        return None
    acts = [c for c in claims if c.agents]
    for i, a in enumerate(acts):
        for b in acts[i + 1:]:
            if a.voice != b.voice and a.agents & b.patients and a.patients & b.agents:
                return "contradict", (f"{_who([a])} and {_who([b])} reverse who acted against whom: "
                                      f"'{a.value}' against '{b.value}'.")
    agents = [frozenset(c.agents) for cs in told.values() for c in cs[:1]]
    shared = frozenset.intersection(*agents) if agents else frozenset()
    if shared and len(told) >= 2:
        named = [c for cs in told.values() for c in cs if c.agents & shared]
        return "agree", f"{len(told)} independent voices name the same actor ({named[0].value}): {_who(named)}.", named
    return None


def _initiator(claims: list[Claim]) -> tuple[str, str] | None:
    """Voices naming different sides as the one that started it contradict (a different responsible party)."""
    by = _voices(claims)
    if len(by) < 2:
        return "single_source", (f"Only {_who(claims)} says who started it: {claims[0].value} "
                                 f"('{claims[0].extra.get('cue', '')}').")
    sides = {voice: frozenset(a for c in cs for a in (c.agents or {c.value})) for voice, cs in by.items()}
    voices = list(by)
    for i, a in enumerate(voices):
        for b in voices[i + 1:]:
            if not sides[a] & sides[b]:
                ca, cb = by[a][0], by[b][0]
                return "contradict", (f"{_who([ca])} makes {ca.value} the side that started it ('{ca.extra.get('cue', '')}'), "
                                      f"but {_who([cb])} makes it {cb.value} ('{cb.extra.get('cue', '')}').")
    return "agree", f"{len(by)} independent voices name the same side as the one that started it ({claims[0].value}): {_who(claims)}."


def _outcome(claims: list[Claim]) -> tuple[str, str] | None:
    by = _voices(claims)
    if len(by) < 2:
        return "single_source", f"Only {_who(claims)} states the outcome ({claims[0].value})."
    for a in claims:
        for b in claims:
            if a.voice != b.voice and a.winners & b.losers:
                side = sorted(a.winners & b.losers)[0]
                return "contradict", f"{_who([a])} makes {side} the winner but {_who([b])} the loser."
    told = sorted({c.value for c in claims})
    how = " (told from different sides: " + "; ".join(told[:3]) + ")" if len(told) > 1 else f" ({told[0]})"
    return "agree", (f"{len(by)} independent voices tell a compatible outcome{how}; none makes a winner of the side "
                     f"another makes the loser: {_who(claims)}.")


def _framing(claims: list[Claim], what: str, generic: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    by = _voices(claims)
    values = {voice: {c.value for c in cs} for voice, cs in by.items()}
    specific = {voice: v - generic for voice, v in values.items() if v - generic}
    if len(by) >= 2 and len(specific) < len(by) and not set.intersection(*values.values()):
        # a voice that only says there was a reason ("in response to") differs from none that names it
        return None
    if len(by) < 2:
        named = next((c for c in claims if c.value not in generic), claims[0])  # the reason it names, not "because"
        return "single_source", f"Only {_who([named])} {what} as '{named.value}' ('{named.extra.get('cue', named.value)}')."
    shared = set.intersection(*values.values())
    if shared:
        return "agree", f"{len(by)} independent voices {what} alike ('{sorted(shared)[0]}'): {_who(claims)}."
    said = "; ".join(f"{_who(cs[:1])}: {'/'.join(sorted(values[v]))}" for v, cs in list(by.items())[:4])
    return "differ_in_framing", f"The voices {what} differently ({said})."


def _exclusive(claims: list[Claim], what: str) -> tuple[str, str] | None:
    """Values that exclude each other (a ship inside or outside territorial waters; a person for or against):
    voices giving different values contradict, voices giving the same one agree; one voice alone is no
    comparison."""
    by = _voices(claims)
    values = {voice: {c.value for c in cs} for voice, cs in by.items()}
    if len(by) < 2:
        return None
    voices = list(by)
    for i, a in enumerate(voices):
        for b in voices[i + 1:]:
            if not values[a] & values[b]:
                ca, cb = by[a][0], by[b][0]
                return "contradict", (f"{_who([ca])} {what} '{ca.value}' ('{ca.extra.get('cue', ca.value)}'), but "
                                      f"{_who([cb])} '{cb.value}' ('{cb.extra.get('cue', cb.value)}').")
    shared = sorted(set.intersection(*values.values()))[0]
    return "agree", f"{len(by)} independent voices {what} '{shared}': {_who(claims)}."


def _time(claims: list[Claim]) -> tuple[str, str, list[Claim]] | None:
    """Times of day of one event by voices that date it to the same day: spans of hours that do not meet (beyond a
    clock's quarter hour, a word's ordinary span) contradict; meeting spans of two or more voices agree. Accounts of
    other days, or undated, are left to the date comparisons."""
    days: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.interval is not None and claim.interval.earliest == claim.interval.latest and "hours" in claim.extra:
            days[claim.interval.earliest].append(claim)
    for told in days.values():
        for i, a in enumerate(told):
            for b in told[i + 1:]:
                (a_lo, a_hi), (b_lo, b_hi) = a.extra["hours"], b.extra["hours"]
                if a.voice != b.voice and (a_hi < b_lo or b_hi < a_lo):
                    day = dates.describe(a.interval)
                    return "contradict", (f"{_who([a])} puts it at '{a.value}' and {_who([b])} at '{b.value}' on {day}: "
                                          "times of day that do not meet."), [a, b]
    for told in sorted(days.values(), key=len, reverse=True):
        if len({c.voice for c in told}) >= 2:
            return "agree", (f"{len({c.voice for c in told})} independent voices give compatible times of day on "
                             f"{dates.describe(told[0].interval)} ({'; '.join(sorted({repr(c.value) for c in told})[:3])}): "
                             f"{_who(told)}."), told
    return None


def _subject_names(claims: list[Claim]) -> str:
    names: list[str] = []
    for claim in claims:
        for name in claim.extra.get("names", "").split(", "):
            if name and name not in names:
                names.append(name)
    return ", ".join(names[:4])


WHAT = {"cause": "explain why it happened", "purpose": "say what it was for", "attribution": "rest it on the word of"}


def notable(kind: str, facet: str, claims: list[Claim], generic: frozenset[str] = frozenset()) -> bool:
    """Is a claim only one voice makes worth a comparison? Not a name (one voice's word for an event is
    framing only against another's) nor a duration ("two hours"); a denial, a cause, a count, a judgement are."""
    if kind == "evaluation" and facet == "name":
        return False
    if kind in ("cause", "purpose") and generic and all(c.value in generic for c in claims):
        return False  # "because", "in order to" alone name no reason or purpose
    if kind == "quantity" and all(c.extra.get("duration") for c in claims):
        return False
    if kind == "quantity" and facet in vocabulary().ordinary:
        return False  # "two important events", "three parties": parts of a story, not forces, losses or votes
    return kind in NOTABLE_SINGLE  # who started it is worth a comparison when two voices answer (every attack has an attacker)


def relate_all(key: tuple, claims: list[Claim], *, tolerance: float = 0.1, limit: int = 12) -> list[Relation]:
    """Every comparison one group gives: its relation (`relate`) and, when voices contradict over whether
    something happened, also the agreement of the voices that deny it (two independent voices saying "it did
    not happen" is a finding of its own, beside the contradiction with those who tell it)."""
    found = relate(key, claims, tolerance=tolerance, limit=limit)
    out = [found] if found is not None else []
    if found is not None and found.kind == "differ_in_framing" and key[1] == "evaluation" and key[2] != "name":
        # voices judging one question differently: a judgement only one of them makes is also a lone claim
        # ("only X calls it deliberate deception"), as when no other voice judged it at all
        by_value: dict[str, list[Claim]] = defaultdict(list)
        for claim in claims:
            by_value[claim.value].append(claim)
        for value, said in sorted(by_value.items()):
            if len({c.voice for c in said}) == 1:
                out.append(Relation("single_source", found.field, found.question,
                                    f"Only {_who(said[:1])} judge{'s' if len(said) == 1 else ''} it as '{value}' "
                                    f"('{said[0].extra.get('cue', value)}'); the other voices judge it otherwise.",
                                    key[0], _statements(said, limit), found.entity_id))
    if found is not None and found.kind == "contradict" and key[1] == "occurrence":
        denied = [c for c in claims if c.polarity == "-"]
        voices = {c.voice for c in denied}
        if len(voices) >= 2:
            out.append(Relation("agree", found.field, found.question,
                                f"{len(voices)} independent voices say it did not happen: {_who(denied)}.",
                                key[0], _statements(denied, limit)))
    return out


def relate(key: tuple, claims: list[Claim], *, tolerance: float = 0.1, limit: int = 12,
           generic: frozenset[str] | None = None) -> Relation | None:
    """How the claims of one group relate, or None when they say nothing notable. `generic`: the cause and
    purpose values that only say there was one (`cues.tsv`, column generic)."""
    if generic is None:
        generic = vocabulary().generic
    event_id, kind, facet = key[:3]
    entity_id = key[3] if len(key) > 3 else None  # a stance or distinction: the entity it is said of
    if kind == "occurrence":
        found = _occurrence(claims)
        if found is not None:  # the statements are the accounts the relation was read from
            used = {id(c) for c in found[2]}
            found, claims = found[:2], [c for c in claims if id(c) in used] or claims
    elif kind == "quantity":
        found = _quantity(claims, tolerance)
    elif kind == "agent" and facet == "initiator":
        found = _initiator(claims)
    elif kind == "agent":
        claims = [c for c in claims if c.polarity == "+"]  # the statements are the claims it was read from
        found = _agent(claims) if claims else None
        if found is not None and len(found) == 3:
            found, claims = found[:2], found[2]
    elif kind == "outcome":
        found = _outcome(claims)
    elif kind == "evaluation":
        found = _framing(claims, "name it" if facet == "name" else "judge it")
    elif kind == "attribution":
        by = _voices(claims)
        found = None
        if len(by) == 1:
            found = ("single_source", f"This rests on one voice, {claims[0].voice_name}, however many documents quote it "
                                      f"({', '.join(sorted({c.source_id for c in claims}))}).")
    elif kind == "time":
        found = _time(claims)
        if found is not None:
            found, claims = found[:2], found[2]
    elif kind == "position":
        found = _exclusive(claims, "place it")
    elif kind == "stance":
        found = _exclusive(claims, f"say that {_subject_names(claims)} stood")
    elif kind == "distinction":
        by = _voices(claims)
        found = None if len(by) < 2 else (
            "agree", f"{len(by)} independent voices say {_subject_names(claims)} was the {facet} "
                     f"({'; '.join(sorted({repr(c.extra.get('phrase', c.value)) for c in claims})[:3])}): {_who(claims)}.")
    else:
        found = _framing(claims, WHAT[kind], generic)
    if found is None or (found[0] == "single_source" and not notable(kind, facet, claims, generic)):
        return None
    relation, explanation = found
    chosen = _statements(claims, limit)
    return Relation(relation, "claim:" + kind + (f":{facet}" if facet else ""), claims[0].question, explanation,
                    event_id, chosen, entity_id)
