"""Participants, place and factuality of an event, read off the dependency parse.

Why the parse and not proximity: in "the Soviet and Mongolian governments signed a Protocol" the
parties are the subject's modifiers, and in "plans for ... military offensives into Mongolia" the
offensive is governed by "plans"; word distance tells neither.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from timeweave.annotate.events.lexicon import (
    ALLEGED_MODIFIERS, HYPOTHETICAL_CUES, MODALS, NEGATION_CUES, OCCURRENCE_VERBS, PROVISION_FOR_VERBS, REPORTING_CUES,
    UNREAL_MODIFIERS,
)
from timeweave.annotate.types import EntityMention, Participant

ACTOR_TYPES = {"state", "person", "organization", "military_unit"}
NP_DEPS = {"compound", "amod", "nmod", "poss", "conj", "appos", "nummod", "npadvmod", "case"}
LOCATIVE = {"in", "at", "near", "on", "along", "over", "inside", "around"}
TOWARD = {"into", "to", "against", "on", "upon"}
AGENT_OF_TYPES = {"battle", "meeting", "negotiation", "agreement", "treaty", "ceasefire", "declaration", "election"}
PARTY_PREPS = {"between", "by", "with", "among"}


class MentionIndex:
    """Which entity mention a token belongs to (the innermost one, so nested demonyms win)."""

    def __init__(self, doc: Doc, mentions: list[EntityMention]) -> None:
        self.by_token: dict[int, int] = {}
        order = sorted(range(len(mentions)), key=lambda i: mentions[i].end - mentions[i].start, reverse=True)
        for index in order:
            mention = mentions[index]
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    self.by_token[token.i] = index
        self.mentions = mentions

    def of_phrase(self, token: Token, skip: set[int]) -> list[int]:
        """Mentions in the noun phrase headed by `token` (modifiers and conjuncts, not its PPs/clauses)."""
        found: list[int] = []
        stack = [token]
        seen = set()
        while stack:
            node = stack.pop()
            if node.i in seen:
                continue
            seen.add(node.i)
            index = self.by_token.get(node.i)
            if index is not None and index not in skip and index not in found:
                found.append(index)
            stack.extend(child for child in node.children if child.dep_ in NP_DEPS or child.dep_ == "cc")
        return sorted(found)


def participants_and_place(
    tokens: list[Token], index: MentionIndex, event_type: str
) -> tuple[list[Participant], int | None]:
    """Participants with roles and the place of an event whose trigger (and sealing verb) are `tokens`."""
    skip = {index.by_token[t.i] for t in tokens if t.i in index.by_token and
            index.mentions[index.by_token[t.i]].type == "work"}
    roles: dict[int, str] = {}
    place: int | None = None

    def add(found: list[int], role: str) -> None:
        nonlocal place
        for i in found:
            mention = index.mentions[i]
            if mention.type == "place" and role != "patient":
                if place is None:
                    place = i
                continue
            if mention.type in ACTOR_TYPES or mention.type == "place":
                roles.setdefault(i, role)

    for token in tokens:
        # Modifiers of a nominal trigger: "Soviet-Mongolian protocol", "Japan's invasion", "Soviet-German Pact".
        if token.pos_ in ("NOUN", "PROPN"):
            add([i for i in index.of_phrase(token, skip) if index.by_token.get(token.i) != i or i not in skip], "agent")
        subject = [c for c in token.children if c.dep_ in ("nsubj", "csubj")]
        if not subject and token.dep_ in ("conj", "xcomp", "advcl") and token.head.pos_ == "VERB":
            subject = [c for c in token.head.children if c.dep_ == "nsubj"]
        for child in subject:
            add(index.of_phrase(child, skip), "agent")
        for child in token.children:
            if child.dep_ in ("dobj", "nsubjpass", "attr"):
                add(index.of_phrase(child, skip), "patient")
            elif child.dep_ == "agent":
                for pobj in (c for c in child.children if c.dep_ == "pobj"):
                    add(index.of_phrase(pobj, skip), "agent")
            elif child.dep_ == "prep":
                prep = child.lower_
                for pobj in (c for c in child.children if c.dep_ == "pobj"):
                    found = index.of_phrase(pobj, skip)
                    if prep in PARTY_PREPS:
                        add(found, "agent" if prep in ("between", "by", "among") else "other")
                    elif prep in LOCATIVE:
                        add(found, "other")
                    elif prep in TOWARD or (prep == "of" and event_type in ("invasion", "offensive", "purge")):
                        add(found, "patient")
                    elif prep == "of":
                        add(found, "agent" if event_type in AGENT_OF_TYPES else "other")
        if token.dep_ == "acl" and token.head.pos_ in ("NOUN", "PROPN"):
            add(index.of_phrase(token.head, skip), "patient")
    participants = [Participant(mention=i, role=r) for i, r in sorted(roles.items())]
    return participants, place


# Dependencies by which an event stands as what its governor is about (its object, complement, or the
# object of its preposition): only so does a cue govern it. A subject, an adverbial clause or a
# modifier is not governed: in "Having taken the city, they sought peace" the taking is real.
COMPLEMENT_DEPS = {"dobj", "xcomp", "ccomp", "pobj", "pcomp", "prep", "attr", "oprd", "acomp", "conj", "acl", "dative"}


def _is_modal(child: Token) -> bool:
    """A modal auxiliary ("could attack"), not a month the tagger took for one ("on 4 May never took place")."""
    return (child.dep_ == "aux" and child.tag_ == "MD" and child.lower_ in MODALS
            and (child.text[:1].islower() or child.is_sent_start))


def _own_status(token: Token) -> str | None:
    """Status from the trigger's own dependents: "did not attack", "no attack", "could attack",
    "if they attack", "a possible war", "the alleged attack", "To execute its strategies, ..."."""
    for child in token.children:
        if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
            return "negated"
        if _is_modal(child):
            return "hypothetical"
        if child.dep_ == "mark" and child.lower_ in MODALS:
            return "hypothetical"
        if child.dep_ in ("amod", "compound", "advmod") and child.lower_ in UNREAL_MODIFIERS:
            return "hypothetical"  # "a possible war on two fronts"
        if child.dep_ in ("amod", "compound", "advmod") and child.lower_ in ALLEGED_MODIFIERS:
            return "reported"  # "the alleged attack": an event in someone's voice, kept as a claim
        if token.dep_ == "advcl" and child.dep_ == "aux" and child.tag_ == "TO":
            return "hypothetical"  # an infinitive of purpose: "To execute its strategies, Japan sought ..."
    return None


def _occurrence(token: Token) -> str | None:
    """The status a verb of occurrence gives its subject: "the attack never took place", "no massacre
    occurred", "the offensive might happen". The event keeps its mention, with that status."""
    if token.dep_ not in ("nsubj", "nsubjpass"):
        return None
    verb = token.head
    occurs = verb.lemma_.lower() in OCCURRENCE_VERBS or (
        verb.lemma_.lower() == "take" and any(c.dep_ == "dobj" and c.lemma_.lower() in OCCURRENCE_VERBS
                                              for c in verb.children))
    if not occurs:
        return None
    if any(c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ in NEGATION_CUES) for c in verb.children):
        return "negated"
    if any(_is_modal(c) for c in verb.children):
        return "hypothetical"
    return None


def factuality(token: Token) -> str:
    """asserted | negated | hypothetical | reported, from the syntax around the trigger.

    A cue counts only when it governs the event: the event is its object or complement, directly or
    through a preposition and the nouns of that phrase ("planned to invade", "plans for an offensive",
    "the possibility of a Japanese attack and the use of its territory as a launching pad for
    aggression"). A cue word that merely stands near, or a noun of use ("launching pad", "base") on
    the way, makes nothing hypothetical: "a launching pad for the invasion of Normandy" is a real one.
    Negation and modality on the trigger itself, or on a verb of occurrence whose subject it is
    ("the attack that was reported on 4 May never took place"), give the event that status; it is
    still an event mention.
    """
    status = _own_status(token) or _occurrence(token)
    if status:
        return status
    node = token
    for _ in range(8):
        if node.dep_ in ("ROOT", "nsubj", "nsubjpass", "csubj", "advcl", "relcl") or node.head is node:
            break
        child, node = node, node.head
        lemma = node.lemma_.lower()
        governed = child.dep_ in COMPLEMENT_DEPS
        if governed and lemma in HYPOTHETICAL_CUES and not (node.pos_ == "ADP"):
            return "hypothetical"
        if node.dep_ == "prep" and node.lower_ == "for" and node.head.lemma_.lower() in PROVISION_FOR_VERBS:
            return "hypothetical"  # "provided for the presence of troops": a provision, not a deployment
        if governed and lemma in REPORTING_CUES and node.pos_ == "VERB":
            return "reported"
        if governed and node.pos_ == "VERB" and any(c.dep_ == "neg" for c in node.children):
            return "negated"
        if node.pos_ == "VERB" and node.dep_ not in ("xcomp", "ccomp", "acl", "pcomp", "conj"):
            break
    return "asserted"
