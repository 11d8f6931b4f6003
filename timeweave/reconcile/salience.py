"""Which event mentions become chronicle events, which only support one, and which stay evidence rows.

The event annotator marks every eventive verb and noun, including the sentences an abstract uses
to talk about itself ("the work examines collected documents"), states of affairs ("the early 1930s
were characterized by ...") and attitudes ("Stalin suspected the worst"). A historian's chronicle
lists what happened. The rules are general English, never about a corpus:

* Reporting, mental, aspectual, intentional, light, causal-stative and scholarly verbs, nouns for
  states of affairs ("cooperation", "situation") and the section words of articles ("Results",
  "Conclusions") are no chronicle events: role `none`.
* A generic (`other`) mention is an event only when it names who took part (a participant
  resolved to an entity, not just a place) and carries its own date, governed in its clause
  or sentence, no wider than a year. A date carried over from earlier sentences, or a decade,
  is context, not a date of this happening. Otherwise: role `none`.
* A typed mention (treaty, meeting, battle ...) founds an event when it has its own date or names
  a participant or place; otherwise it may only join an event another mention founded
  (role `evidence`), so that "the meeting" in a later sentence supports the dated summit.

Mentions with role `none` keep `event_mentions.event_id` NULL: they remain evidence rows in the
store, never canonical events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from timeweave.reconcile.load import Mention

EVENT, EVIDENCE, NONE = "event", "evidence", "none"

# Lemmas (lower case) that never denote a chronicle event, whatever type the annotator gave them.
NON_EVENT_LEMMAS = frozenset({
    # reporting and communication
    "say", "report", "state", "note", "write", "claim", "argue", "stress", "emphasize", "emphasise", "underline",
    "mention", "describe", "record", "suggest", "indicate", "show", "reveal", "tell", "announce", "explain",
    # mental states and attitudes
    "think", "believe", "consider", "understand", "know", "aware", "suspect", "calculate", "regard", "expect",
    "hope", "fear", "want", "wish", "desire", "interest", "interested", "concern", "concerned", "intend", "aim",
    "attach", "mean", "realize", "realise", "assume", "doubt", "recognize", "recognise",
    # intentions and attempts (what someone wanted, not what happened)
    "seek", "try", "attempt", "strive", "plan",
    # light verbs, whose event is their object ("carry out a terror": the terror is the event)
    "carry", "make", "take", "have", "do", "give", "bring", "put",
    # aspectual and existential
    "begin", "beginning", "start", "continue", "remain", "become", "turn", "rise", "lead", "result", "keep",
    "witness", "see", "happen", "occur", "exist", "come", "go", "get",
    # causal and stative relations between states of affairs
    "mark", "prove", "serve", "represent", "constitute", "influence", "contribute", "dictate", "characterize",
    "characterise", "allow", "enable", "threaten", "need", "require", "reflect", "complicate",
    "involve", "include", "contain", "define",
    # scholarship about the past rather than the past
    "examine", "investigate", "analyze", "analyse", "study", "interpret", "collect", "house", "draw", "review",
    "explore", "shed", "cite", "publish",
    # states of affairs named by nouns (a relation or a condition, not a happening)
    "development", "cooperation", "relations", "relationship", "situation", "policy", "interaction", "tension",
    "tensions", "rivalry", "aggravation", "importance", "strategy", "extension", "trend",
    # section words of articles
    "introduction", "results", "conclusion", "conclusions", "abstract", "keywords", "method", "methods",
    "material", "materials", "goal", "goals", "reference", "references", "summary",
})

MAX_GENERIC_DAYS = 366  # a generic happening dated only to a decade is context, not an event


def _lemma(mention: Mention) -> str:
    return (mention.lemma or mention.trigger).strip().lower()


def own_date(mention: Mention) -> bool:
    """Is the mention dated by an expression of its own clause or sentence (not carried over)?"""
    if mention.interval is None:
        return False
    return mention.when_kind in (None, "governed", "sentence")


def role(mention: Mention) -> str:
    """`event`, `evidence` or `none` for one mention (see the module docstring)."""
    lemma = _lemma(mention)
    if lemma in NON_EVENT_LEMMAS or mention.trigger.strip().lower() in NON_EVENT_LEMMAS:
        return NONE
    actors = (mention.agents | mention.patients | mention.entities) - ({mention.place} if mention.place else set())
    if mention.type == "other":
        dated = own_date(mention) and mention.interval.width <= MAX_GENERIC_DAYS
        return EVENT if actors and dated else NONE
    if own_date(mention) or actors or mention.place is not None:
        return EVENT
    return EVIDENCE
