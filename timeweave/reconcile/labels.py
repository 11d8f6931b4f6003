"""Event labels that read like a historian's index entry, built from the evidence, never invented.

"Protocol of Mutual Assistance signed — Soviet Union, Mongolian People's Republic", "Kremlin talks —
I. V. Stalin, Horatio Nelson", "Yalta Conference", "Attack on Pearl Harbor — Japan". The head is,
in this order: the named work an accord's trigger refers to ("Protocol" in "a Protocol of Mutual
Assistance"); the proper name the sources give the event ("the Yalta Conference", "Operation
Overlord", "the Storming of the Bastille", "the Khalkhin Gol incident"); a noun the sources use for
it with what it was aimed at ("the attack on Pearl Harbor", "the invasion of Poland"); a bare noun
("clashes", "summit" → talks); or a noun for its type when they only use verbs ("fended off" →
"Fighting"). The names are who took part: persons when any are named, else states, organisations
and units; never a place, which goes into the head (unless the head names it already).
"""

from __future__ import annotations

import re
from collections import Counter

from timeweave.annotate.events.lexicon import EVENT_TYPE_OF

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
    """Is the trigger a verb form ("fended", "signed", "sent", "to cease") rather than a noun?"""
    word = m.trigger.strip().lower()
    if word != m.lemma and (word.endswith(("ed", "ing")) or not word.endswith("s")):
        return True  # "talks" and "clashes" are plural nouns; "sent" and "fought" are verbs
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
    named = Counter(n for n in (proper_name(m) for m in typed) if n)
    if named:
        return _most(named)
    if kind == "talks":
        return f"{place} talks" if place else "Talks"
    aimed = Counter(n for n in (noun_entry(m) for m in typed if not _verbal(m)) if n)
    # A name only a mention of another type gives ("the Pacific War" beside "the attack on Pearl Harbor",
    # "the Nomonhan incident" beside the victories) heads the event only when its own mentions name no target.
    other_named = Counter(n for n in (proper_name(m) for m in claims if m.type != event_type) if n)
    if aimed:
        head = _most(aimed)
    elif other_named:
        return _most(other_named)
    elif nouns:
        head = _most(nouns) + (f" {verb}" if verb else "")  # "Pact signed"; a verb alone ("agreed") is no signing
    else:
        head = TYPE_NOUNS.get(event_type) or _most(Counter(verb_entry(m) for m in typed))
    head = head[:1].upper() + head[1:]
    return f"{head} at {place}" if place and place not in head else head


_CONNECTORS = {"of", "the", "de", "du", "la", "von", "van", "der"}  # inside names: "Battle of the Nile"


def _capital(word: str) -> bool:
    return word[:1].isupper()


def proper_name(m: Mention) -> str | None:
    """The name a sentence gives the event, from capitalisation around a noun trigger: a capitalised
    phrase holding the trigger ("the Yalta Conference", "the Storming of the Bastille", "Operation
    Overlord", "Operation PIERCE ARROW"), or a name right before a noun trigger ("the Khalkhin Gol
    incident", "the Dogger Bank incident"). A capital the sentence's first word owes to its place
    is no name; neither is a lone capitalised trigger ("Talks began")."""
    if _verbal(m) or not any(c.islower() for c in m.sentence):
        return None  # a verb has no name; in a title set in capitals every word looks like one
    words = [(w.start(), w.end(), w.group()) for w in re.finditer(r"[^\s,;:()\"“”]+", m.sentence)]
    at = next((n for n, (a, b, _) in enumerate(words) if a <= m.trigger_start - m.start < b), None)
    if at is None:
        return None

    def named(n: int) -> bool:  # a capital that is not only the sentence's first letter
        return _capital(words[n][2]) and n > 0

    def apart(i: int, j: int) -> bool:  # punctuation between two words ends a name ("Conflict: Gulf ...")
        a, b = sorted((i, j))
        return bool(m.sentence[words[a][1]:words[b][0]].strip())

    def joins(n: int, step: int) -> int | None:
        """The index of the capitalised word that continues the name from words[n] (itself, or the one
        after "of (the)"), or None."""
        k, bridge = n, []
        if apart(n - step, n):
            return None
        while 0 < k < len(words) - 1 and words[k][2].lower() in _CONNECTORS and len(bridge) < 2:
            bridge.append(words[k][2].lower())
            k += step
            if apart(k - step, k):
                return None
        if bridge and set(bridge) <= {"the"}:
            return None  # "In May the Japanese invasion": an article alone joins no name
        return k if 0 <= k < len(words) and named(k) else None

    lo = at
    while lo > 0 and joins(lo - 1, -1) is not None:
        lo = joins(lo - 1, -1)
    hi = at
    while _capital(words[at][2]) and hi + 1 < len(words) and joins(hi + 1, 1) is not None:
        hi = joins(hi + 1, 1)  # a name before a lower-case trigger ends at it ("the Dogger Bank incident of 1904")
    while lo < at and words[lo][2].lower() in _CONNECTORS:
        lo += 1
    while hi > at and words[hi][2].lower() in _CONNECTORS:
        hi -= 1
    capitals = sum(1 for n in range(lo, hi + 1) if named(n) or n == at and _capital(words[n][2]))
    if lo == hi or capitals < 2 and _capital(words[at][2]):
        return None
    if not _capital(words[at][2]) and any(kind == "person" and start - m.start <= words[hi - 1][0] and
                                          words[lo][0] <= end - m.start for start, end, _t, _e, kind in m.named):
        return None  # "McNamara's visits": a person before a noun is who acted, not the event's name
    text = m.sentence[words[lo][0]:words[hi][1]].rstrip(".")
    return text[:1].upper() + text[1:]


def noun_entry(m: Mention) -> str | None:
    """A noun trigger with the named thing it is aimed at ("the attack on Pearl Harbor" → "Attack on
    Pearl Harbor", "the invasion of Poland"), from the entity mentions of its sentence; else None."""
    offset = m.trigger_end - m.start
    for start, _end, text, _entity, kind in m.named:
        if start < m.trigger_end or kind not in ("state", "person", "organization", "military_unit", "place", "work"):
            continue
        gap = m.sentence[offset:start - m.start].strip().lower().split()
        if gap and gap[0] in _AIMED and all(w in _DETERMINERS for w in gap[1:]):
            word = _word(m.trigger)
            return f"{word[:1].upper()}{word[1:]} {gap[0]} {text}"
        break
    return None


_AIMED = {"on", "upon", "against", "of", "into", "over"}  # not "in", "at": a place goes after the head


def verb_entry(m: Mention) -> str:
    """A verb as an index entry: its object and participle ("solidifying their alliance" → "Alliance
    solidified", "adopted the Fundamental Principles" → "Fundamental Principles adopted", "initiated a
    full-scale war" → "Full-scale war initiated"), never a bare gerund; else the verb as written."""
    word = _word(m.trigger)
    if not _verbal(m):
        return word
    gerund = word.lower().endswith("ing")
    obj, work, prep = _object(m)
    if obj and not prep and (gerund or work or obj.split()[-1].lower().rstrip("s") in EVENT_TYPE_OF):
        return f"{obj[:1].upper()}{obj[1:]} {participle(m.lemma)}"
    if gerund:
        return participle(m.lemma).capitalize() + (f" {prep} {obj}" if obj and prep else "")
    return word


_WORD = re.compile(r"[\w'’-]+|[^\w\s]")
_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "this", "these", "those", "some", "any"}
_PREPOSITIONS = {"on", "upon", "into", "to", "against", "at", "with", "from", "over", "in", "across", "towards"}
_STOP = _PREPOSITIONS | {"of", "for", "by", "as", "that", "which", "who", "whom", "whose", "while", "when",
                         "after", "before", "during", "until", "through", "under", "between", "among", "than",
                         "or", "but", "so", "because", "if", "since", "to", "be", "was", "were", "is", "are"}
MAX_OBJECT_WORDS = 6


def _object(m: Mention) -> tuple[str | None, bool, str]:
    """(the noun phrase after a verb trigger, whether it is a named work, the preposition before it
    if any: "encroaching on the borders" → ("borders", False, "on")), from the evidence sentence."""
    offset = m.trigger_end - m.start
    rest = m.sentence[offset:]
    for start, end, text, _entity, kind in m.named:  # a named thing right after the verb ("adopted the X")
        gap = m.sentence[offset:start - m.start].strip().lower().split()
        if start >= m.trigger_end and all(w in _DETERMINERS for w in gap) and kind in ("work", "state", "person",
                                                                                       "organization"):
            return text, kind == "work", ""
    words = _WORD.findall(rest)[:MAX_OBJECT_WORDS * 2]
    lead = ""
    if words and words[0].lower() in _PREPOSITIONS:
        lead, words = words[0].lower(), words[1:]
    phrase: list[str] = []
    for i, word in enumerate(words):
        lower = word.lower()
        if not phrase and lower in _DETERMINERS:
            continue
        if not (word[0].isalnum()) or lower in _STOP or len(phrase) == MAX_OBJECT_WORDS:
            break
        if lower == "and" and (not phrase or i + 1 >= len(words) or words[i + 1].lower().endswith(("ed", "ing"))):
            break  # "the invasion and expelled them": the next clause
        phrase.append(word)
    while phrase and phrase[-1].lower() == "and":
        phrase.pop()
    return (" ".join(phrase) if phrase else None), False, lead


_IRREGULAR = dict(pair.split(":") for pair in (
    "begin:begun break:broken bring:brought build:built choose:chosen come:come cut:cut draw:drawn "
    "fall:fallen fight:fought find:found forbid:forbidden give:given go:gone hold:held keep:kept lead:led "
    "leave:left lose:lost make:made meet:met overthrow:overthrown put:put rise:risen arise:arisen run:run "
    "say:said see:seen seek:sought sell:sold send:sent set:set shoot:shot speak:spoken spread:spread "
    "strike:struck take:taken tell:told think:thought throw:thrown undertake:undertaken uphold:upheld "
    "win:won withdraw:withdrawn write:written shed:shed drive:driven beat:beaten bind:bound"
).split())


def participle(lemma: str) -> str:
    """The past participle of an English verb lemma ("solidify" → "solidified", "send" → "sent")."""
    lemma = lemma.lower()
    if lemma in _IRREGULAR:
        return _IRREGULAR[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if len(lemma) > 1 and lemma.endswith("y") and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ied"
    short = len(lemma) == 3 or (len(lemma) == 4 and lemma[0] not in "aeiou")  # "ban", "stop"; not "open"
    if short and lemma[-1] not in "aeiouwxy" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
        return lemma + lemma[-1] + "ed"  # "stop" → "stopped", "ban" → "banned"
    return lemma + "ed"


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
    who = [name for name in names(participants, corpus, where) if name not in head]  # "Japan appeased — Japan"
    return f"{head} — {', '.join(who)}" if who else head
