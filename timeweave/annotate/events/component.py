"""The `timeweave.events.v4` spaCy component (factory `timeweave_events_v1`): sets `doc._.event_mentions`.

Triggers are the tokens the TimeML-trained model marks, plus nouns of the type lexicon (TimeML,
annotated on 1990s news, rarely marks "protocol" or "pact"). Auxiliaries and light verbs are dropped.
A sealing verb and its object are one event ("signed a Protocol", "protocol concluded in 1936"): the
noun is the trigger, the verb adds its subject as participants and its time expression.

Every TimeML-style event is kept; those of no historical type are typed "other", so the chronicle
can show typed events and still reach the rest (reporting verbs, states) when it wants them.
"""

from __future__ import annotations

import logging

from spacy.language import Language
from spacy.tokens import Doc, Token

from timeweave.annotate.events.anchor import TimexIndex
from timeweave.annotate.events.zones import Sentences, context_at, zones
from timeweave.annotate.events.fields import field_events
from timeweave.annotate.events.lexicon import EVENT_TYPE_OF, LIGHT_VERBS, NOMINAL_EVENTS, SEALING_VERBS, SUPPORT_VERBS
from timeweave.annotate.events.roles import MentionIndex, factuality, participants_and_place
from timeweave.annotate.events.sense import event_type
from timeweave.annotate.events.trigger import load_trigger_model
from timeweave.annotate.types import EventMention

COMPONENT = "timeweave.events.v4"  # v4: support verbs and event-noun modifiers join their event noun, no adjective triggers, "until"/"set for" dates, a noun's premodifying date is its own, causes' dates; v3: a chronology entry is dated by its date line; v2: word-sense typing, fronted adverbials
log = logging.getLogger(__name__)

if not Doc.has_extension("event_mentions"):
    Doc.set_extension("event_mentions", default=None)


def _triggers(doc: Doc, threshold: float | None = None) -> list[Token]:
    model = load_trigger_model()
    mask = model.scores(doc) >= (model.threshold if threshold is None else threshold)
    out = []
    for token in doc:
        lemma = token.lemma_.lower()
        nominal = token.pos_ in ("NOUN", "PROPN") and (lemma in NOMINAL_EVENTS or token.lower_ in NOMINAL_EVENTS)
        # A gerund used as a noun, "Storming of the Bastille", "the signing of the treaty": its "of"-phrase says so.
        nominal = nominal or (token.tag_ == "VBG" and lemma in NOMINAL_EVENTS
                              and any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children))
        if nominal and not mask[token.i] and event_type(token) == "other":
            continue  # a lexicon noun whose sense here is no event ("Congress passed", "defence establishments")
        if not (mask[token.i] or nominal) or not token.is_alpha:
            continue
        if token.pos_ == "AUX" or lemma in LIGHT_VERBS or token.pos_ in ("ADP", "DET", "PRON", "PROPN", "ADJ") and not nominal:
            continue  # an adjective names a state ("the mission was successful"), not a happening
        out.append(token)
    return out


def _sealed_object(verb: Token) -> Token | None:
    """The treaty/agreement noun a sealing verb acts on ("signed a Protocol", "entered into a pact")."""
    if verb.lemma_.lower() not in SEALING_VERBS and verb.lower_ not in ("signing", "conclusion", "ratification"):
        return None
    candidates = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]
    candidates += [g for c in verb.children if c.dep_ == "prep" and c.lower_ in ("into", "of")
                   for g in c.children if g.dep_ == "pobj"]
    node = verb
    while node.dep_ in ("acl", "pobj", "prep") and node.head is not node and len(candidates) < 8:
        node = node.head  # "the pact of mutual assistance signed in 1936"
        candidates.append(node)
    for noun in candidates:
        if event_type(noun) in ("treaty", "agreement"):
            return noun
    return None


def _supported_object(verb: Token) -> Token | None:
    """The typed event noun a support verb carries out ("launched an attack", "opened fire", "an offensive
    was started"): the verb adds its subject and its date to the noun's event, and is no event of its own."""
    particles = [c.lower_ for c in verb.children if c.dep_ == "prt"]
    phrasal = f"{verb.lemma_.lower()} {particles[0]}" if particles else None
    if verb.pos_ != "VERB" or not (verb.lemma_.lower() in SUPPORT_VERBS or phrasal in SUPPORT_VERBS):
        return None  # "carried out a raid" is one ("carry out" in cues.tsv), "carried the treaty" is not
    for noun in verb.children:
        if noun.dep_ in ("dobj", "nsubjpass") and noun.pos_ in ("NOUN", "PROPN") and event_type(noun) != "other":
            return noun
    return None


def _evidence(text: str, token: Token, sentences: Sentences) -> tuple[int, int]:
    """The sentence of the trigger, cut to the line it is on (titles and menus have no full stops).

    `text` is `doc.text` read once: spaCy rebuilds that string from the tokens on every access.
    """
    sent = sentences.of(token)
    start, end = sent.start_char, sent.end_char
    line_start = text.rfind("\n", start, token.idx) + 1
    line_end = text.find("\n", token.idx, end)
    start = max(start, line_start)
    end = end if line_end == -1 else line_end
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def event_mentions(doc: Doc, *, threshold: float | None = None) -> list[EventMention]:
    """Event mentions of a Doc whose entity mentions and time expressions are already set.

    `threshold` overrides the trigger model's tuned one (a lower one trades precision for recall,
    for a use that filters events afterwards, e.g. by participant).
    """
    triggers = _triggers(doc, threshold)
    trigger_ids = {t.i for t in triggers}
    groups: dict[int, list[Token]] = {t.i: [t] for t in triggers}
    for token in triggers:  # "a bombing raid", "the summit meeting": the modifier is the head noun's event
        head = token.head
        if token.dep_ == "compound" and token.pos_ == "NOUN" and head.i in groups and head.i > token.i \
                and head.pos_ == "NOUN" and len(groups.get(token.i, ())) == 1:
            groups.pop(token.i)
            groups[head.i].append(token)
    for verb in triggers:
        noun = _sealed_object(verb)
        if noun is None and verb.i in groups and len(groups[verb.i]) == 1:
            noun = _supported_object(verb)
        if noun is not None:
            groups.pop(verb.i, None)
            groups.setdefault(noun.i, [noun]).append(verb)
            trigger_ids.add(noun.i)
    index = MentionIndex(doc, doc._.entity_mentions or [])
    sentences = Sentences(doc)
    if doc._.timexes is None:
        doc._.timexes = []
    timexes = TimexIndex(doc, doc._.timexes, sentences)  # may add dates counted from events ("two days after X")
    text = doc.text
    zone_list = zones(text)
    out = []
    for head_i in sorted(groups):
        tokens = groups[head_i]
        trigger = tokens[0]
        type_ = event_type(trigger)
        work = index.by_token.get(trigger.i)
        role_tokens = list(tokens)
        if work is not None and index.mentions[work].type == "work":  # "Protocol of ... between X and Y"
            span = doc.char_span(index.mentions[work].start, index.mentions[work].end, alignment_mode="expand")
            role_tokens += [t for t in span if t.i != trigger.i]
        participants, place = participants_and_place(role_tokens, index, type_)
        timex, reason = timexes.anchor(tokens, trigger_ids, zone_list)
        start, end = _evidence(text, trigger, sentences)
        fact = factuality(trigger)
        if fact == "asserted" and len(tokens) > 1:
            fact = factuality(tokens[1])  # "offering ... to sign a pact": the verb's governors count too
        out.append(EventMention(
            start=start, end=end, trigger_start=trigger.idx, trigger_end=trigger.idx + len(trigger),
            trigger=trigger.text, lemma=trigger.lemma_.lower(), type=type_, factuality=fact,
            context=context_at(zone_list, trigger.idx), participants=participants, place=place,
            timex=timex, when_reason=reason, sentence=sentences.number(trigger), component=COMPONENT,
            when_kind=reason.split(":", 1)[0],
        ))
    out.extend(_field_mentions(doc, text, trigger_ids, sentences, zone_list))
    out.sort(key=lambda e: e.trigger_start)
    return out


def _field_mentions(doc: Doc, text: str, trigger_ids: set[int], sentences: Sentences, zone_list) -> list[EventMention]:
    """Events named by a dated field's key ("Signeddate: August 10, 1964"; see fields.py), where the
    trigger model found none in the key."""
    out = []
    for start, end, lemma, i in field_events(doc, doc._.timexes):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or any(t.i in trigger_ids for t in span):
            continue
        timex = doc._.timexes[i]
        ev_start, ev_end = _evidence(text, span[0], sentences)
        out.append(EventMention(
            start=min(ev_start, start), end=max(ev_end, timex.end), trigger_start=start, trigger_end=end,
            trigger=text[start:end], lemma=lemma, type=EVENT_TYPE_OF.get(lemma, "other"), factuality="asserted",
            context=context_at(zone_list, start), timex=i, sentence=sentences.number(span[0]), component=COMPONENT,
            when_reason=f"governed: '{timex.text}' is the value of the field whose key, '{text[start:end]}', names the event",
            when_kind="governed",
        ))
    return out


class EventsComponent:
    def __init__(self, nlp: Language, name: str, *, threshold: float | None = None) -> None:
        self.name = name
        self.threshold = threshold  # None: the trigger model's own
        load_trigger_model()  # fail at pipeline construction, not on the first document

    def __call__(self, doc: Doc) -> Doc:
        doc._.event_mentions = event_mentions(doc, threshold=self.threshold)
        return doc


@Language.factory(
    "timeweave_events_v1",
    assigns=["doc._.event_mentions", "doc._.timexes"],
    requires=["doc._.entity_mentions", "doc._.timexes", "token.dep", "token.lemma", "doc.sents"],
    default_config={"threshold": None},
)
def make_events(nlp: Language, name: str, threshold: float | None) -> EventsComponent:
    return EventsComponent(nlp, name, threshold=threshold)
