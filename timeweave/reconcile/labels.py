"""Event labels that read like a historian's index entry, built from the evidence, never invented.

"Protocol of Mutual Assistance signed — Soviet Union, Mongolian People's Republic", "Kremlin talks —
I. V. Stalin, Peljidiin Genden", "Victory at Khalkhin-Gol — Soviet Union, Japan". The head is the
named work an accord's trigger refers to ("Protocol" in "a Protocol of Mutual Assistance"), or a
noun the sources use for the event ("summit" → talks, "clashes", "invasion"), or a noun for its type
when they only use verbs ("fended off" → "Fighting"). The names are who took part: persons when
any are named, else states, organisations and units; never a place, which goes into the head.
"""

from __future__ import annotations

from collections import Counter

from timeweave.reconcile.blocking import family
from timeweave.reconcile.load import Corpus, Mention

MAX_NAMES = 3
ACTOR_TYPES = ("person", "state", "organization", "military_unit")
# Nouns for a type when the sources only use verbs for the event.
TYPE_NOUNS = {
    "treaty": "Treaty", "agreement": "Agreement", "ceasefire": "Ceasefire", "meeting": "Talks", "negotiation": "Talks",
    "battle": "Fighting", "incident": "Incident", "invasion": "Invasion", "offensive": "Offensive",
    "deployment": "Deployment of troops", "purge": "Purge", "declaration": "Declaration", "founding": "Founding",
    "election": "Election", "referendum": "Referendum",
}
# What happens to a named work or an accord noun, by type family.
ACCORD_VERB = {"accord": "signed"}


def _verbal(m: Mention) -> bool:
    """Is the trigger a verb form ("fended", "signed", "to cease") rather than a noun?"""
    word = m.trigger.strip().lower()
    if word.endswith(("ed", "ing")) and word != m.lemma:
        return True
    before = m.sentence[max(0, m.trigger_start - m.start - 3):m.trigger_start - m.start].lower()
    return before.endswith("to ")


def _work(members: list[Mention], corpus: Corpus, *, any_work: bool) -> str | None:
    """The named work the triggers refer to ("Pact" → "Anti-Comintern Pact"), or with `any_work`
    the work named in the evidence of an accord told only with verbs ("signed the ... Protocol")."""
    found: Counter = Counter()
    for m in members:
        word = m.trigger.strip().lower()
        for _start, _end, text, entity, kind in m.named:
            if kind == "work" and ((word and word in text.lower()) or any_work):
                found[corpus.entity_names.get(entity, text) if entity is not None else text] += 1
    return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if found else None


def _most(words: Counter) -> str:
    return sorted(words.items(), key=lambda kv: (-kv[1], kv[0].lower()))[0][0]


def _head(members: list[Mention], corpus: Corpus, event_type: str, place: str | None) -> str:
    claims = [m for m in members if m.is_claim] or members
    typed = [m for m in claims if m.type == event_type] or claims
    kind = family(event_type)
    verb = ACCORD_VERB.get(kind)
    nouns = Counter(_word(m.trigger) for m in typed if not _verbal(m))
    work = _work(typed, corpus, any_work=bool(verb) and not nouns)
    if work:
        verb = verb or next((m.trigger.strip().lower() for m in typed if _verbal(m)), None)
        return f"{work} {verb}" if verb else work
    if kind == "talks":
        return f"{place} talks" if place else "Talks"
    if nouns:
        head = _most(nouns) + (f" {verb}" if verb else "")  # "Pact signed"; a verb alone ("agreed") is no signing
    else:
        head = TYPE_NOUNS.get(event_type) or _most(Counter(_word(m.trigger) for m in typed))
    head = head[:1].upper() + head[1:]
    return f"{head} at {place}" if place else head


def _word(trigger: str) -> str:
    """A trigger as written, unless the source shouts it (a title in capitals)."""
    word = trigger.strip()
    return word.lower() if word.isupper() and len(word) > 1 else word


def names(participants: list[tuple[int, str]], corpus: Corpus, place: int | None) -> list[str]:
    """Who took part, for a label: agents and patients before bystanders, persons when any are named,
    else other actors; each once."""
    def actors(roles: tuple[str, ...]) -> list[int]:
        out: list[int] = []
        for entity, role in participants:
            if role in roles and entity != place and entity not in out and corpus.entity_types.get(entity) in ACTOR_TYPES:
                out.append(entity)
        return out

    chosen = actors(("agent", "patient")) or actors(("other",))
    people = [e for e in chosen if corpus.entity_types.get(e) == "person"]
    return [corpus.entity_names[e] for e in (people or chosen)[:MAX_NAMES]]


def label(members: list[Mention], corpus: Corpus, event_type: str, place: int | None,
          participants: list[tuple[int, str]], *, inherited_place: int | None = None) -> str:
    """An index entry: head (work or noun, and the place), then who took part.

    `inherited_place` is the place of the whole an event is part of, used when it names none.
    """
    where = place if place is not None else inherited_place
    head = _head(members, corpus, event_type, corpus.entity_names.get(where) if where is not None else None)
    who = names(participants, corpus, where)
    return f"{head} — {', '.join(who)}" if who else head
