"""Participants, place and factuality of an event, read off the dependency parse.

Why the parse and not proximity: in "the Soviet and Mongolian governments signed a Protocol" the
parties are the subject's modifiers, and in "plans for ... military offensives into Mongolia" the
offensive is governed by "plans"; word distance tells neither.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from timeweave.annotate.events.lexicon import HYPOTHETICAL_CUES, PROVISION_FOR_VERBS, REPORTING_CUES
from timeweave.annotate.types import EntityMention, Participant

ACTOR_TYPES = {"state", "person", "organization", "military_unit"}
NP_DEPS = {"compound", "amod", "nmod", "poss", "conj", "appos", "nummod", "npadvmod", "case"}
LOCATIVE = {"in", "at", "near", "on", "along", "over", "inside", "around"}
TOWARD = {"into", "to", "against", "on", "upon"}
AGENT_OF_TYPES = {"battle", "meeting", "negotiation", "agreement", "treaty", "ceasefire", "declaration", "election"}
UNREAL_MODIFIERS = {"possible", "potential", "hypothetical", "eventual", "future", "planned", "prospective",
                    "projected", "proposed", "intended", "imminent", "threatened", "would-be"}
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


def factuality(token: Token) -> str:
    """asserted | negated | hypothetical | reported, from the trigger's governors (a few steps up)."""
    for child in token.children:
        if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
            return "negated"
        if child.dep_ == "aux" and child.tag_ == "MD" and child.lower_ not in ("will", "shall"):
            return "hypothetical"
        if child.dep_ == "mark" and child.lower_ in ("if", "unless"):
            return "hypothetical"
        if child.dep_ == "amod" and child.lower_ in UNREAL_MODIFIERS:
            return "hypothetical"  # "a possible war on two fronts"
        if token.dep_ == "advcl" and child.dep_ == "aux" and child.tag_ == "TO":
            return "hypothetical"  # an infinitive of purpose: "To execute its strategies, Japan sought ..."
    node = token
    for _ in range(5):
        if node.dep_ in ("ROOT", "nsubj", "nsubjpass", "advcl", "relcl") or node.head is node:
            break
        node = node.head
        lemma = node.lemma_.lower()
        if lemma in HYPOTHETICAL_CUES:
            return "hypothetical"
        if node.dep_ == "prep" and node.lower_ == "for" and node.head.lemma_.lower() in PROVISION_FOR_VERBS:
            return "hypothetical"  # "provided for the presence of troops": a provision, not a deployment
        if lemma in REPORTING_CUES and node.pos_ == "VERB":
            return "reported"
        if any(c.dep_ == "neg" for c in node.children) and node.pos_ == "VERB":
            return "negated"
        if node.pos_ == "VERB" and node.dep_ not in ("xcomp", "ccomp", "acl", "pcomp", "conj"):
            break
    return "asserted"
