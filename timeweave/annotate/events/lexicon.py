"""Event types by trigger lemma, and the words that make an event negated, planned or reported.

Typing is a lexicon, not a model: the types are few and named by a small closed set of words, and a
historian can read and extend this file. Events the trigger model finds that fit no type are "other".
"""

from __future__ import annotations

_TYPES = {
    "treaty": "treaty pact protocol convention accord ratify ratification",
    "agreement": "agreement agree deal alliance sign signing compact understanding",
    "meeting": "meet meeting summit conversation visit conference congress audience reception",
    "negotiation": "negotiate negotiation talks talk discussion discuss consultation consult mediation",
    "battle": "battle fight fighting clash combat confrontation skirmish victory defeat repel fend "
              "expel expulsion engagement hostility hostilities conflict war warfare bombing bombardment siege",
    "incident": "incident raid provocation violation",
    "invasion": "invade invasion occupy occupation conquest conquer seize seizure annex annexation incursion",
    "offensive": "offensive attack assault advance encircle encirclement strike counterattack counteroffensive "
                 "aggression intervene intervention",
    "ceasefire": "ceasefire cease-fire truce armistice cease",
    "deployment": "deploy deployment send dispatch station stationing withdraw withdrawal redeploy presence "
                  "mobilize mobilization mobilise mobilisation",
    "purge": "purge repression repress terror execute execution arrest",
    "declaration": "declare declaration proclaim proclamation announce announcement recognize recognise recognition",
    "founding": "found establish establishment creation foundation formation",
    "election": "elect election",
    "referendum": "referendum plebiscite",
}
EVENT_TYPE_OF = {lemma: type_ for type_, words in _TYPES.items() for lemma in words.split()}

# Nouns that denote events even where TimeML's annotators (news, 1990s) had no occasion to mark them.
NOMINAL_EVENTS = {lemma for lemma, t in EVENT_TYPE_OF.items() if t != "other"} | {"uprising", "purchase"}

# "signed a protocol", "concluded a pact", "an agreement was reached": the verb and its object are one event.
SEALING_VERBS = {"sign", "conclude", "ratify", "ink", "reach", "adopt", "enter", "complete"}

# Words that make what they govern a plan, offer or possibility, not a fact.
HYPOTHETICAL_CUES = {
    "plan", "intend", "intention", "propose", "proposal", "offer", "threaten", "threat", "prepare", "seek",
    "aim", "want", "consider", "possibility", "possible", "need", "expediency", "desire", "hope", "try",
    "attempt", "would", "could", "might", "may", "should", "if", "unless", "ready", "start", "strategy",
    # purposes and dangers: "a launching pad for aggression", "the danger of war", "preparations for an attack"
    "pad", "springboard", "bridgehead", "pretext", "preparation", "danger", "risk", "prospect",
    # provisions of a text: what it allows or demands is not yet done ("stipulated the withdrawal")
    "stipulate", "envisage", "envision", "foresee", "authorize", "authorise", "permit", "demand", "require",
}
# Verbs that make a "for"-object a provision or demand: "provided for the presence of troops", "called for a truce".
PROVISION_FOR_VERBS = {"provide", "call", "allow", "press", "push", "plead", "ask"}
REPORTING_CUES = {"say", "report", "claim", "allege", "state", "according", "believe", "suggest", "underline",
                  "argue", "assert", "testify", "record"}
NEGATION_CUES = {"not", "never", "no", "n't", "without", "neither", "nor"}
# Light verbs whose "event" is the noun they carry; never kept as events on their own.
LIGHT_VERBS = {"be", "have", "do", "take", "make", "become", "get", "give"}
