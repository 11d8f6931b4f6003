"""The type of an event trigger in its sentence: the lexicon's type, unless the word's sense there differs.

Why rules on the parse and not a bigger lexicon: the same lemma names different events by what it
governs. "executed thousands of civilians" is a purge, "to execute its strategies" carries out a
plan; "agreed on a truce" is an accord, "agreed to start negotiations" is consent to something else.
"""

from __future__ import annotations

from spacy.tokens import Token

from timeweave.annotate.events.lexicon import EVENT_TYPE_OF, TYPE_POS

# Verbs whose type holds only with a human patient ("executed the prisoners", "X was executed").
HUMAN_PATIENT_VERBS = {"execute"}
HUMAN_NOUNS = {
    "people", "person", "civilian", "prisoner", "man", "woman", "child", "officer", "soldier", "leader",
    "member", "official", "monk", "lama", "priest", "opponent", "dissident", "rebel", "hostage", "citizen",
    "commander", "general", "minister", "suspect", "spy", "enemy", "traitor", "worker", "peasant", "deserter",
    "captive", "inhabitant", "resident", "villager", "noble", "intellectual", "activist", "conspirator",
}
HUMAN_PRONOUNS = {"he", "she", "they", "him", "her", "them", "who", "whom"}
# Verbs that take a to-infinitive of consent or intention: the event is the infinitive's, not theirs.
CONSENT_VERBS = {"agree"}
# Nouns whose own event is of no type when they carry a plan or a thing ("execution of the plan").
NON_HUMAN_OBJECT_NOUNS = {"execution"}
# Nouns that name an event only with their "of"-complement (what was founded or formed), a thing without it.
OF_COMPLEMENT_NOUNS = {"establishment", "foundation", "formation", "creation"}
# Meeting words that, capitalised and bare, name a standing body: "Congress", "Conference" as an institution.
INSTITUTION_NAMES = {"congress"}


def _shooting(token: Token) -> bool:
    """'fire' as shooting: a noun that is the object of 'open' ("opened fire"), or a verb aimed with
    on/at/upon/into ("fired on the convoy"); not a blaze, nor a dismissal ("fired the minister")."""
    if token.pos_ == "NOUN":
        return token.dep_ == "dobj" and token.head.lemma_.lower() == "open"
    return token.pos_ == "VERB" and _has_of(token, ("on", "at", "upon", "into"))


def _has_of(token: Token, preps: tuple[str, ...] = ("of",)) -> bool:
    return any(c.dep_ == "prep" and c.lower_ in preps for c in token.children)


# Event nouns that name a state after a bare "in": "in operation", "in conflict", "in occupation".
STATE_IN_NOUNS = {"operation", "conflict", "occupation", "war", "session", "presence"}


def _is_human(token: Token) -> bool:
    """Does the noun phrase headed by `token` denote people ("thousands of civilians", "Nelson", "them")?"""
    if token.ent_type_ in ("PERSON", "NORP") or token.lower_ in HUMAN_PRONOUNS:
        return True
    if token.lemma_.lower() in HUMAN_NOUNS:
        return True
    if token.like_num or token.lemma_.lower() in ("thousand", "hundred", "dozen", "million", "number", "many"):
        return any(_is_human(g) for c in token.children if c.dep_ == "prep" and c.lower_ == "of"
                   for g in c.children if g.dep_ == "pobj")
    return any(_is_human(c) for c in token.children if c.dep_ == "conj")


def _human_patient(token: Token) -> bool:
    """Has the verb (or its nominalisation) a human patient: object, passive subject or "of"-object?"""
    deps = ("dobj", "nsubjpass") if token.pos_ == "VERB" else ()
    patients = [c for c in token.children if c.dep_ in deps]
    if token.pos_ in ("NOUN", "PROPN"):
        patients += [g for c in token.children if c.dep_ == "prep" and c.lower_ == "of"
                     for g in c.children if g.dep_ == "pobj"]
    return any(_is_human(p) for p in patients)


def _modifies_a_thing(token: Token) -> bool:
    """Is the noun a compound modifier of a common noun that names no event, on the same line ("combat
    troops", "patrol boats", "a protocol state")? A name's head ("Operation Overlord") and an event
    noun's modifier ("a bombing raid": one event, see component.py) are not."""
    head = token.head
    if token.dep_ != "compound" or token.pos_ != "NOUN" or head is token or head.pos_ != "NOUN" or head.i < token.i:
        return False
    if any("\n" in t.text_with_ws for t in token.doc[token.i:head.i]):
        return False  # an infobox's key and value, not one noun phrase
    return EVENT_TYPE_OF.get(head.lemma_.lower(), EVENT_TYPE_OF.get(head.lower_, "other")) == "other"


def event_type(token: Token) -> str:
    """The event type of a trigger token in its sentence (see the module docstring)."""
    if token.pos_ not in ("NOUN", "VERB", "PROPN") or token.dep_ == "prep":  # "According to": not an accord
        return "other"
    lemma = token.lemma_.lower()
    type_ = EVENT_TYPE_OF.get(lemma, EVENT_TYPE_OF.get(token.lower_, "other"))
    if lemma == "fire" and _shooting(token):
        return "battle"  # "opened fire on the destroyers", "the ships fired on radar targets"
    if type_ == "other":
        return type_
    if _modifies_a_thing(token):
        return "other"  # "combat troops", "patrol boats": a kind of thing, not a happening
    only = TYPE_POS.get(lemma)
    if only is not None and (token.pos_ == "VERB") != (only == "verb"):
        return "other"  # "a radar station" is a place; "stationed two divisions" a deployment (types.tsv, pos)
    if token.pos_ == "VERB" and lemma in HUMAN_PATIENT_VERBS and not _human_patient(token):
        return "other"  # "to execute its strategies": a plan carried out, not people killed
    if token.pos_ == "NOUN" and lemma in NON_HUMAN_OBJECT_NOUNS:
        owners = [c for c in token.children if c.dep_ == "poss"]
        if not _human_patient(token) and not any(_is_human(o) for o in owners):
            return "other"  # "the execution of the plan", "air action is now in execution"
    if lemma in STATE_IN_NOUNS and token.head.lower_ == "in" and token.dep_ == "pobj" and not any(
            c.dep_ in ("det", "poss", "amod", "compound") for c in token.children):
        return "other"  # "eight years in operation", "in conflict with the law": a state, not an event
    if lemma in CONSENT_VERBS and any(c.dep_ == "xcomp" for c in token.children):
        return "other"  # "agreed to start negotiations": consent; the negotiation is the event
    if lemma in CONSENT_VERBS and token.pos_ == "VERB" and any(c.dep_ == "ccomp" for c in token.children):
        return "other"  # "historians agree that the attack never happened": an opinion, not an accord
    if lemma in OF_COMPLEMENT_NOUNS and token.pos_ == "NOUN" and not _has_of(token):
        return "other"  # "defence establishments", "troop formations": things; "the establishment of a republic" is one
    if lemma == "understanding" and not (_has_of(token, ("between", "with")) or any(
            c.dep_ == "det" and c.lower_ in ("an", "a") for c in token.children)):
        return "other"  # "their understanding of events": knowledge; "an understanding with Britain" is an accord
    if token.text[:1].isupper() and lemma in INSTITUTION_NAMES and not _has_of(token) and not any(
            c.dep_ in ("amod", "nummod") and (c.like_num or c.lower_.endswith(("th", "st", "nd", "rd"))) for c in token.children):
        return "other"  # "Congress passed the resolution": the legislature; "the Congress of Vienna", "the 20th Congress" met
    return type_
