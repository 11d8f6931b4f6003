"""Comparing what the voices behind one event say: agreements, contradictions, framings.

Each comparison quotes its statements (evidence sentences at real source offsets, one per voice
and value, copies left out) and explains itself in one sentence a historian can check. Voices are
counted as `load` defines them: copies collapse; sources sharing an author are one voice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from timeweave.reconcile import dates, framing
from timeweave.reconcile.blocking import family
from timeweave.reconcile.canonical import Event, source_list
from timeweave.reconcile.load import Corpus, Mention
from timeweave.reconcile.params import Params

MAX_STATEMENTS = 8


@dataclass
class Statement:
    source_id: str
    start: int
    end: int
    value: str


@dataclass
class Comparison:
    kind: str
    field: str
    explanation: str
    statements: list[Statement] = field(default_factory=list)


def _statement(m: Mention, value: str) -> Statement:
    return Statement(m.source_id, m.start, m.end, value)


def _one_per(items: list[tuple[Mention, str]]) -> list[Statement]:
    """One statement per (voice, value), the earliest in reading order, copies never chosen."""
    seen: set[tuple[str, str]] = set()
    out = []
    for m, value in sorted(items, key=lambda x: (x[0].is_copy, x[0].source_id, x[0].start)):
        if (m.voice, value) in seen:
            continue
        seen.add((m.voice, value))
        out.append(_statement(m, value))
    return out[:MAX_STATEMENTS]


def voices_text(mentions: list[Mention], corpus: Corpus) -> str:
    """Which voices were counted, naming sources that share an author and copies left out."""
    parts = []
    for voice in sorted({m.voice for m in mentions}):
        sources = sorted({m.source_id for m in mentions if m.voice == voice})
        parts.append(" and ".join(sources) + (" (one author, counted once)" if len(sources) > 1 else ""))
    copies = sorted({m.source_id for m in mentions if m.is_copy})
    text = "; ".join(parts)
    if copies:
        text += f"; repeated copies in {source_list(copies)} not counted again"
    return text


def compare_dates(event: Event, corpus: Corpus) -> list[Comparison]:
    dated = [m for m in event.members if m.interval and m.is_claim]
    copies = [m for m in event.members if m.interval and m.is_copy]
    if not dated:
        return []
    conflicting = [(a, b) for i, a in enumerate(dated) for b in dated[i + 1:] if dates.contradicts(a.interval, b.interval)]
    statements = _one_per([(m, dates.describe(m.interval)) for m in dated])
    if conflicting:
        a, b = conflicting[0]
        return [Comparison("contradict", "date", (
            f"{a.source_id} dates it to {dates.describe(a.interval)} but {b.source_id} to {dates.describe(b.interval)}; "
            "the two dates do not overlap, so both are kept and the event is dated by the larger group."), statements)]
    when = dates.describe(event.interval) if event.interval else "the same period"
    precise = precise_voices(event)
    voices = {m.voice for m in dated}
    coarser = [m for m in dated if m.voice not in precise]
    note = f" ({voices_text(coarser, corpus)} only less precisely)" if coarser else ""
    if len(precise) >= 2:
        return [Comparison("agree", "date", (
            f"{len(voices)} independent voices give compatible dates, {len(precise)} of them as precisely as {when}: "
            f"{voices_text(dated + copies, corpus)}."), statements)]
    only = [m for m in dated if m.voice in precise] or dated
    return [Comparison("single_source", "date", (
        f"Only {voices_text(only + [c for c in copies if c.voice in precise], corpus)} dates this event to {when}; "
        f"no other independent source in the corpus states that date{note}."), statements)]


def precise_voices(event: Event) -> set[str]:
    """Voices whose own date is as specific as the event's: only they corroborate that date."""
    if event.interval is None:
        return set()
    return {m.voice for m in event.members
            if m.is_claim and m.interval and dates.contains(
                dates.Interval(event.interval.earliest - m.interval.slack, event.interval.latest + m.interval.slack), m.interval)}


def compare_sessions(event: Event, children: list[Event], corpus: Corpus, gap_days: int = Params.session_gap_days) -> list[Comparison]:
    """Parts of one whole dated to nearby, different days (at most `gap_days` apart): two sessions, or one
    date in dispute."""
    points = sorted((c for c in children if c.interval and c.interval.width <= 3 and family(c.type) == family(event.type)),
                    key=lambda c: (c.interval.earliest, -len(c.claims), c.id))  # the best-attested part speaks for its day
    out = []
    seen: set[tuple[int, int, int, int]] = set()
    for i, a in enumerate(points):
        for b in points[i + 1:]:
            if not dates.contradicts(a.interval, b.interval) or dates.gap(a.interval, b.interval) > gap_days:
                continue
            pair = tuple(sorted([(a.interval.earliest, a.interval.latest), (b.interval.earliest, b.interval.latest)]))
            if pair in seen:
                continue  # two parts on one day against a third: one comparison per pair of dates
            seen.add(pair)
            ma, mb = (a.claims or a.members)[0], (b.claims or b.members)[0]
            first, second = sorted([(a, ma), (b, mb)], key=lambda x: x[0].interval.earliest)
            out.append(Comparison("contradict", "date", (
                f"{first[1].source_id} dates the {event.type} to {dates.describe(first[0].interval)} and "
                f"{second[1].source_id} to {dates.describe(second[0].interval)}: either two sessions of the "
                f"{dates.describe(event.interval) if event.interval else ''} {event.type} or a disputed date, so both are "
                "kept as dated parts of it."),
                [_statement(first[1], dates.describe(first[0].interval)), _statement(second[1], dates.describe(second[0].interval))]))
    return out


def compare_outcome(root: Event, tree: list[Mention]) -> list[Comparison]:
    """A conflict ends once: outcome claims dated apart beyond their precision contradict each other."""
    if family(root.type) != "conflict":
        return []
    claims = []
    for m in tree:
        word = framing.match(framing.outcome(), m.sentence) or ("ceasefire" if m.type == "ceasefire" else None)
        if m.interval and m.is_claim and word:
            claims.append((m, word))
    if len(claims) < 2:
        return []
    # The claim that ends first is the one every later-dated outcome contradicts (a vague "1939" contradicts none).
    claims.sort(key=lambda x: (x[0].interval.latest, x[0].interval.earliest, x[0].source_id, x[0].start))
    first, word = claims[0]
    later = [(m, w) for m, w in claims if dates.contradicts(first.interval, m.interval) and m.interval.earliest > first.interval.latest]
    if not later:
        return []
    said = "; ".join(f"'{w}' in {dates.describe(m.interval)} ({m.source_id})" for m, w in later[:3])
    return [Comparison("contradict", "outcome_date", (
        f"{first.source_id} places the outcome ('{word}') in {dates.describe(first.interval)}, yet the same conflict is said "
        f"to be decided later: {said}."),
        _one_per([(first, f"{word}: {dates.describe(first.interval)}")] + [(m, f"{w}: {dates.describe(m.interval)}") for m, w in later]))]


def compare_agents(event: Event) -> list[Comparison]:
    """Who acted against whom: one voice's agent is another's patient, and the other way round."""
    acts = [m for m in event.claims if m.agents and m.patients]
    for i, a in enumerate(acts):
        for b in acts[i + 1:]:
            if a.voice != b.voice and a.agents & b.patients and a.patients & b.agents:
                return [Comparison("contradict", "agent", (
                    f"{a.source_id} and {b.source_id} reverse who acted against whom in this {event.type}."),
                    [_statement(a, "agent: " + ",".join(map(str, sorted(a.agents)))),
                     _statement(b, "agent: " + ",".join(map(str, sorted(b.agents))))])]
    return []


def compare_numbers(event: Event, tolerance: float = Params.number_tolerance) -> list[Comparison]:
    """Counts of one unit given by several voices: they agree within `tolerance` (relative), else contradict."""
    by_unit: dict[str, list[tuple[Mention, float, str]]] = {}
    for m in event.claims:
        for unit, value, text in framing.numbers(m.sentence):
            by_unit.setdefault(unit, []).append((m, value, text))
    out = []
    for unit, items in sorted(by_unit.items()):
        if len({m.voice for m, _, _ in items}) < 2:
            continue
        lo, hi = min(items, key=lambda x: x[1]), max(items, key=lambda x: x[1])
        statements = _one_per([(m, text) for m, _, text in items])
        if hi[1] > lo[1] * (1 + tolerance) and lo[0].voice != hi[0].voice:
            out.append(Comparison("contradict", f"number:{unit}", (
                f"{lo[0].source_id} gives '{lo[2]}' but {hi[0].source_id} '{hi[2]}', more than "
                f"{tolerance:.0%} apart."), statements))
        elif hi[1] <= lo[1] * (1 + tolerance):
            out.append(Comparison("agree", f"number:{unit}", (
                f"Independent voices give the same figure for {unit} ('{lo[2]}')."), statements))
    return out


def _actor(m: Mention, corpus: Corpus) -> str | None:
    """Who a sentence makes responsible: its agent, else the first person/state/organisation named."""
    if m.agents:
        return ", ".join(sorted(corpus.entity_names.get(e, str(e)) for e in m.agents))
    for _start, _end, text, entity, kind in m.named:
        if kind in framing.ACTOR_TYPES:
            return corpus.entity_names.get(entity, text) if entity is not None else text
    return None


def _differ(field_name: str, items: list[tuple[Mention, str]], what: str) -> list[Comparison]:
    """A framing comparison when at least two voices use different values."""
    by_voice: dict[str, set[str]] = {}
    for m, value in items:
        by_voice.setdefault(m.voice, set()).add(value)
    if len(by_voice) < 2 or len({v for vs in by_voice.values() for v in vs}) < 2:
        return []
    if len({frozenset(vs) for vs in by_voice.values()}) < 2:
        return []
    statements = _one_per(items)
    said = "; ".join(f"{s.source_id}: {s.value}" for s in statements[:4])
    return [Comparison("differ_in_framing", field_name, f"The sources {what} differently ({said}).", statements)]


def compare_framing(root: Event, tree: list[Mention], corpus: Corpus) -> list[Comparison]:
    """Name, evaluation and initiative of one event (with its parts), voice by voice."""
    claims = [m for m in tree if m.is_claim or (m.factuality == "hypothetical" and not m.is_copy)]
    names = [(m, f"{framing.name_of(m.trigger)} ('{m.trigger}')") for m in claims if framing.name_of(m.trigger)]
    out = []
    if len({framing.name_of(m.trigger) for m, _ in names}) >= 2:
        out += _differ("name", names, "name this event")
    evaluations = []
    for m in claims:
        found = framing.evaluation_of(m.sentence)
        if found:
            evaluations.append((m, f"{found[0]} ('{found[1]}')"))
    # "victory" and "defeat" of the two sides of one outcome are the same outcome, not two framings of it
    if len({v.split(" ")[0] for _, v in evaluations}) >= 2 and not framing.same_outcome([m for m, _ in evaluations], corpus):
        out += _differ("evaluation", evaluations, "judge the outcome")
    initiative = []
    for m in claims:
        cue = framing.match(framing.initiative(), m.sentence)
        actor = _actor(m, corpus) if cue else None
        if actor:
            initiative.append((m, f"{actor} ('{cue}')"))
    actors: dict[str, set[str]] = {}
    for m, value in initiative:
        actors.setdefault(m.voice, set()).add(value.split(" ('")[0])
    if family(root.type) == "conflict" and len(actors) >= 2 and not set.intersection(*actors.values()):
        out += _differ("initiator", initiative, "say who started it or why")
    return out


def compare_event(event: Event, children: list[Event], tree: list[Mention], corpus: Corpus,
                  params: Params | None = None) -> list[Comparison]:
    """All comparisons of one event; `tree` holds its mentions and those of its parts, for roots."""
    p = params or Params()
    out = compare_dates(event, corpus) + compare_sessions(event, children, corpus, p.session_gap_days)
    out += compare_agents(event) + compare_numbers(event, p.number_tolerance)
    if event.parent is None:
        out += compare_outcome(event, tree) + compare_framing(event, tree, corpus)
    return out


def status(event: Event, comparisons: list[Comparison]) -> str:
    """Contested on any contradiction; corroborated when two voices give its date as precisely as
    it is known (or, undated, when two voices report it); else single-source."""
    if any(c.kind == "contradict" for c in comparisons):
        return "contested"
    backing = precise_voices(event) if event.interval else event.voices
    return "corroborated" if len(backing) >= 2 else "single_source"
