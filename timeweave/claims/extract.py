"""Claims: what each sentence that tells an event asserts about it, by whom, with its exact quote.

A claim is read from the evidence sentence of an event mention (so it is linked to the event that
`reconcile` made of the mention): its kind (occurrence, agent, cause, purpose, evaluation, outcome,
quantity, attribution), its value, its polarity (+ asserted, - denied, ? in doubt), its modality
(the mention's factuality) and its voice: the document's own voice (sources sharing an author are
one), or, when the sentence quotes someone ("according to X", "X said"), the quoted person or body,
so two documents quoting one report are one voice, not two. Cue words are data (`vocab`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from timeweave.claims.readers import (  # noqa: F401  (the readers are imported from here too: reconcile, tests)
    ACTORS,
    _search,
    initiators,
    outcome_roles,
    quantities,
    subjects,
    time_of_day,
)
from timeweave.claims.vocab import Vocabulary, vocabulary
from timeweave.reconcile.dates import Interval, overlaps
from timeweave.reconcile.load import Corpus, Mention

# Characters between a cue word and the nearest event trigger of its sentence: about two clauses of English
# prose (30-40 words); a cue farther from every trigger belongs to no event the sentence tells. Not a setting:
# it bounds the grammar of one sentence, not a corpus trade-off.
MAX_CUE_DISTANCE = 200
# Characters around an occurrence cue ("did not happen") within which it governs an event trigger: the
# six or so words between a negation and its verb or noun ("did not actually attack", "no second North
# Vietnamese attack"); farther, the cue is about another event of a long sentence.
NEAR = 40
# Event-telling paragraphs back that a paragraph telling no placed event may continue the report of (a
# count or a toll in the next paragraph or the one after: a news item's subhead does not count, it tells no
# event). Not a setting: it bounds how far a report runs on in prose, not a corpus trade-off.
CARRY_PASSAGES = 2
QUESTIONS = {
    "occurrence": "Did it happen?",
    "agent": "Who acted against whom?",
    "initiator": "Who started it?",
    "cause": "Why did it happen?",
    "purpose": "What was it for?",
    "evaluation": "How is it named and judged?",
    "outcome": "Who won?",
    "quantity": "How many? ({unit})",
    "attribution": "On whose word?",
    "position": "Where was it?",
    "stance": "Who stood for or against it?",
    "distinction": "Who was the {unit}?",
    "time": "At what time of day?",
}
# Kinds said of an entity (who opposed, who was the first), grouped by that entity, with or without an event.
SUBJECT_KINDS = ("stance", "distinction")


@dataclass
class Claim:
    source_id: str
    start: int
    end: int
    quote: str
    kind: str
    value: str
    polarity: str  # + | - | ?
    modality: str  # asserted | reported | hypothetical | negated (the mention's factuality)
    voice: str  # the independent voice: the document's (load.assign_voices) or "quoted:<name>"
    voice_name: str  # how the voice is shown
    event_id: int | None
    mention_id: int
    facet: str = ""  # evaluation: name | judgement ...; quantity: the unit
    axis: str = ""  # a judgement: the question it answers (framing.tsv `axis`: intent, conduct, ...)
    number: float | None = None
    winners: frozenset[str] = frozenset()
    losers: frozenset[str] = frozenset()
    agents: frozenset[int] = frozenset()
    patients: frozenset[int] = frozenset()
    entities: frozenset[int] = frozenset()
    subjects: frozenset[int] = frozenset()  # stance, distinction: the entities it is said of
    interval: Interval | None = None  # the mention's date, when it has one
    id: int = 0
    comparison_id: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def question(self) -> str:
        if self.kind == "agent" and self.facet == "initiator":
            return QUESTIONS["initiator"]
        if self.kind == "evaluation":
            return "How is it named?" if self.facet == "name" else f"How is it judged? ({self.axis or self.value})"
        if self.kind == "distinction":
            return QUESTIONS["distinction"].format(unit=self.value)
        return QUESTIONS[self.kind].format(unit=self.facet or "")


def quoted_voice(m: Mention, vocab: Vocabulary) -> tuple[str, str] | None:
    """(key, name) of the person or body a sentence quotes, when it names one.

    A voice counts only if it is a named actor of the sentence (`link` gave it an entity) or a name of
    at least two capitalised words, so "He said" does not make a new voice.
    """
    for pattern in vocab.attribution:
        found = pattern.search(m.sentence)
        if not found:
            continue
        name = found.group("voice").strip(" ,.'’")
        name = re.sub(r"^(?:the|The) ", "", name)
        at = m.start + found.start("voice")
        for start, end, text, entity, kind in m.named:
            if kind in ACTORS and start < at + len(found.group("voice")) and at < end:
                return (f"quoted:e{entity}" if entity is not None else "quoted:" + text.lower()), text
        if sum(1 for word in name.split() if word[:1].isupper()) >= 2:
            return "quoted:" + re.sub(r"'s?$|’s?$", "", name.lower()), name
    return None



def claims_of(m: Mention, corpus: Corpus, event_id: int | None, vocab: Vocabulary | None = None) -> list[Claim]:
    """Every claim one event mention's sentence makes (none for copies, citations and titles)."""
    vocab = vocab or vocabulary()
    if m.is_copy or m.context != "narrative":
        return []
    text = m.sentence
    quoted = quoted_voice(m, vocab)
    voice, voice_name = quoted or (m.voice, m.voice)
    base = dict(source_id=m.source_id, start=m.start, end=m.end, quote=text, modality=m.factuality, voice=voice,
                voice_name=voice_name, event_id=event_id, mention_id=m.id, entities=m.entities,
                interval=m.interval)
    out: list[Claim] = []
    if quoted:  # said once per sentence, of the event nearest to the quoted name
        at = m.start + max(0, text.find(voice_name))
        quoted_entity = frozenset({int(voice[len("quoted:e"):])}) if re.fullmatch(r"quoted:e\d+", voice) else frozenset()
        out.append(Claim(kind="attribution", value=voice_name, polarity="+", extra={"at": at}, subjects=quoted_entity,
                         **base))
    occurrence = None
    questioned = False  # the sentence denies or doubts something
    cued_at = None
    cue_words: list[str] = []  # the words of an occurrence cue ("fabricated the second attack"): what it denies
    for cue in vocab.cues:
        found = _search(cue.pattern, text)
        if not found:
            continue
        if cue.kind == "occurrence":
            # A denial or a doubt is said of the event whose word it governs or stands beside, not of every
            # event of a long sentence ("historians believed X fabricated the second attack to win support").
            questioned = True
            trigger = m.trigger_start - m.start
            if occurrence is None and found.start() - NEAR <= trigger <= found.end() + NEAR:
                occurrence, cued_at = (cue.value, cue.polarity), m.start + found.start()
                cue_words = found.group(0).lower().split()
        elif cue.kind in SUBJECT_KINDS:
            for each in cue.pattern.finditer(text):  # said of the names beside it: any of its places in the sentence
                who, names = subjects(m, each, cue.kind, corpus)
                if who:
                    out.append(Claim(kind=cue.kind, value=cue.value, polarity=cue.polarity, subjects=who,
                                     extra={"cue": each.group(0), "at": m.start + each.start(), "names": names,
                                            "phrase": " ".join(text[each.start():].split()[:5]).strip(",.;:")}, **base))
                    break
        elif cue.kind == "initiator":
            side = initiators(m, found, corpus)
            if side is not None:
                named = frozenset(e for *_, e, _ in m.named if e is not None)  # which conflict: every participant named
                out.append(Claim(kind="agent", facet="initiator", value=side[1], polarity=cue.polarity, agents=side[0],
                                 extra={"cue": found.group(0), "at": m.start + found.start()},
                                 **{**base, "entities": base["entities"] | named}))
        else:
            out.append(Claim(kind=cue.kind, value=cue.value, polarity=cue.polarity, facet=cue.kind,
                             extra={"cue": found.group(0), "at": m.start + found.start()}, **base))
    if occurrence is None:
        if m.factuality == "negated":
            occurrence = ("did not happen", "-")
        elif m.factuality in ("asserted", "reported") and not questioned:
            # a sentence that denies or doubts one event is not read as telling that its other events happened
            occurrence = ("happened", "+")
    # A sentence tells that something happened when it dates it itself; one that only names it ("the
    # incident", a headline's "attack") under a date carried from earlier sentences does not.
    dated = m.when_kind == "governed" if m.when_kind else m.interval is not None
    if occurrence:
        # a cued denial is said once, of the event whose trigger is nearest its cue
        out.append(Claim(kind="occurrence", value=occurrence[0], polarity=occurrence[1],
                         extra={"dated": dated, "lemma": m.lemma, "words": [m.lemma, *cue_words],
                                **({"at": cued_at} if cued_at is not None else {})},
                         **base))
    if m.agents:
        names = ", ".join(sorted(corpus.entity_names.get(e, str(e)) for e in m.agents))
        # who did something a sentence denies or doubts ("X did not attack") is not asserted
        out.append(Claim(kind="agent", value=names, polarity=occurrence[1] if occurrence else "+", agents=m.agents,
                         patients=m.patients, extra={"dated": dated}, **base))
    window = text[max(0, m.trigger_start - m.start - 40):m.trigger_end - m.start]  # a name is said of the trigger
    for facet, value, pattern in vocab.framing:
        found = _search(pattern, window if facet == "name" else text)
        if found and facet == "name" and not found.end() >= len(window) - len(m.trigger):
            continue
        if found:
            at = m.start + found.start() + (max(0, m.trigger_start - m.start - 40) if facet == "name" else 0)
            out.append(Claim(kind="evaluation", value=value, polarity="+", facet=facet, axis=vocab.axes.get(value, ""),
                             extra={"cue": found.group(0), "at": at}, **base))
    told = outcome_roles(m, corpus, vocab)
    if told is not None:
        found, winners, losers = told
        value = "; ".join(f"{r}: {', '.join(sorted(v))}" for r, v in (("winner", winners), ("loser", losers)) if v)
        out.append(Claim(kind="outcome", value=value, polarity="+", winners=winners, losers=losers,
                         extra={"cue": found.group(0), "at": m.start + found.start()}, **base))
    # when in its day something happened is said by a sentence telling it happened, not one denying or doubting it
    hours = time_of_day(text, vocab) if m.factuality in ("asserted", "reported") and not questioned else None
    if hours is not None:
        low, high, said, at = hours
        out.append(Claim(kind="time", value=said, polarity="+", extra={"hours": (low, high), "at": m.start + at,
                                                                        "cue": said}, **base))
    for unit, number, said in quantities(text, vocab):
        out.append(Claim(kind="quantity", value=said, polarity="+", facet=unit, number=number,
                         extra={"duration": unit in vocab.durations, "at": m.start + text.find(said)}, **base))
    return out



def sentence_event(m: Mention, same_span: dict[tuple, list[Mention]], event_of: dict[int, int | None],
                   at: int | None = None) -> int | None:
    """The event of the nearest placed mention of the same sentence, for a mention that joined none.

    A sentence's cause, purpose or judgement is said of the event it tells, even when the word
    `reconcile` kept as that event's trigger is another one of the sentence. With `at` (where a cue word
    stands), None when the cue is nearer this mention's own trigger than any placed one: "the incident
    provided the rationale for retaliatory air attacks" gives the air attacks, not the incident, a cause.
    """
    best = None
    for other in same_span.get((m.source_id, m.start, m.end), ()):
        if other.id != m.id and event_of.get(other.id) is not None:
            distance = abs(other.trigger_start - m.trigger_start)
            if best is None or distance < best[0]:
                best = (distance, event_of[other.id], other.trigger_start)
    if best is None:
        return None
    if at is not None and abs(at - m.trigger_start) < abs(at - best[2]):
        return None
    return best[1]


def previous_accounts(corpus: Corpus, event_of: dict[int, int | None]) -> dict[int, int]:
    """mention id -> the event the same source told last before the mention's paragraph, for the mentions
    of paragraphs that tell no placed event (their sentences report on it: its toll, its counts, its cause).

    Only from one of the CARRY_PASSAGES paragraphs before it that tell events, and only when both the
    mention and that account are dated and the dates overlap: a paragraph on another day, or one whose
    date nobody knows, is not read as going on about the event.
    """
    by_source: dict[str, list[Mention]] = {}
    for m in corpus.mentions:
        if m.passage_id is not None:
            by_source.setdefault(m.source_id, []).append(m)
    out: dict[int, int] = {}
    for mentions in by_source.values():
        mentions.sort(key=lambda m: (m.start, m.trigger_start))
        passages: list[int] = []  # event-telling paragraphs in reading order
        position: dict[int, int] = {}
        last: dict[int, Mention] = {}  # paragraph -> its last placed, dated mention
        for m in mentions:
            if m.passage_id not in position:
                position[m.passage_id] = len(passages)
                passages.append(m.passage_id)
            if event_of.get(m.id) is not None and m.interval is not None:
                last[m.passage_id] = m
        # paragraph -> (date, event) it tells or goes on about: a report runs on over several paragraphs
        carrier = {passage: (m.interval, event_of[m.id]) for passage, m in last.items()}
        for m in mentions:
            if m.interval is None or m.passage_id in last:
                continue
            at = position[m.passage_id]
            for passage in reversed(passages[max(0, at - CARRY_PASSAGES):at]):
                told = carrier.get(passage)
                if told is not None:
                    if overlaps(told[0], m.interval):
                        out[m.id] = told[1]
                        carrier[m.passage_id] = (m.interval, told[1])
                    break
    return out


def extract(corpus: Corpus, event_of: dict[int, int | None], vocab: Vocabulary | None = None) -> list[Claim]:
    """The claims of a corpus, one per (sentence, event, kind, facet, value), in reading order."""
    found: list[tuple[Claim, int]] = []
    same_span: dict[tuple, list[Mention]] = {}
    for m in corpus.mentions:
        same_span.setdefault((m.source_id, m.start, m.end), []).append(m)
    placed_before: dict[int, list[tuple[int, int]]] = {}  # passage -> (sentence start, event) of its placed mentions
    for m in corpus.mentions:
        if m.passage_id is not None and event_of.get(m.id) is not None:
            placed_before.setdefault(m.passage_id, []).append((m.start, event_of[m.id]))
    previous = previous_accounts(corpus, event_of)
    for m in corpus.mentions:
        event_id = event_of.get(m.id)
        inherited = event_id is None
        if event_id is None:
            event_id = sentence_event(m, same_span, event_of)
        carried = crossed = False
        if event_id is None and m.passage_id is not None:
            # A sentence that tells no placed event goes on about the one its paragraph was telling just before
            # ("Later investigation revealed the attack did not happen. Shortly after, the agency skewed ...").
            earlier = [e for start, e in placed_before.get(m.passage_id, ()) if start < m.start]
            event_id, carried = (earlier[-1], True) if earlier else (None, False)
            if event_id is None and not placed_before.get(m.passage_id):
                # a paragraph that tells no placed event at all goes on with the report of the paragraphs just
                # before it ("X struck the bases today. / Four bases were damaged, 25 boats destroyed.")
                event_id = previous.get(m.id)
                if event_id is None and m.interval is None:
                    # an undated mention ("in 64 sorties") is of the report its dated sentence goes on with
                    event_id = next((previous[o.id] for o in same_span.get((m.source_id, m.start, m.end), ())
                                     if o.id in previous), None)
                carried = crossed = event_id is not None
        for claim in claims_of(m, corpus, event_id, vocab):
            if crossed and claim.kind != "quantity":
                # from another paragraph only the report's counts and tolls are carried (a cause, a purpose or a
                # judgement there may be of the paragraph's own subject): the rest stays placed nowhere, as
                # without the carry (align may place it)
                claim.event_id = None
            elif carried and claim.kind in ("occurrence", "agent", "attribution", "outcome"):
                continue  # what such a sentence says happened, or who did it, is about its own events
            if inherited and claim.kind in ("occurrence", "agent") and claim.polarity == "+" and claim.facet != "initiator":
                continue  # that a mention `reconcile` left out happened, or who did it, says nothing of the sentence's event
            if inherited and claim.kind == "evaluation" and claim.facet == "name":
                continue  # a word naming a mention `reconcile` left out ("war") does not name the sentence's event
            at = claim.extra.get("at")
            if inherited and not carried and at is not None and claim.kind == "cause" \
                    and sentence_event(m, same_span, event_of, at) is None:
                # the cue stands at this mention's own word: it is about the event reconcile left out, so
                # it wins the cue (nearest trigger, below) and is then dropped, for no other event to take it
                claim.extra["left_out"] = True
            found.append((claim, abs(at - m.trigger_start) if at is not None else 0))
    # A word of the sentence (a cue, a count) is said of the event whose trigger is nearest to it, not of every
    # event the sentence mentions; one said too far from any trigger is dropped.
    best: dict[tuple, tuple[Claim, int]] = {}
    for claim, distance in found:
        cued = "at" in claim.extra
        key = (claim.source_id, claim.start, claim.end, claim.kind, claim.facet, claim.value) + (() if cued else (claim.event_id,))
        if cued and distance > MAX_CUE_DISTANCE:
            continue
        if key not in best or distance < best[key][1]:
            best[key] = (claim, distance)
    out = [claim for claim, _ in sorted(best.values(), key=lambda x: (x[0].source_id, x[0].start, x[0].mention_id))
           if not claim.extra.get("left_out")]
    for number, claim in enumerate(out, start=1):
        claim.id = number
    _search.cache_clear()  # its sentences are this corpus's: kept, they held 10 MB of matches over 255 documents
    return out
