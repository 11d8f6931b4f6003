"""Which event mentions become chronicle events, which only support one, and which stay evidence rows.

The event annotator marks every eventive verb and noun, including the sentences an abstract uses
to talk about itself ("the work examines collected documents"), states of affairs ("the early 1930s
were characterized by ...") and attitudes ("Stalin suspected the worst"). A historian's chronicle
lists what happened. The rules are general English, never about a corpus:

* Reporting, mental, aspectual, intentional, light, causal-stative and scholarly verbs, nouns for
  states of affairs ("cooperation", "situation") and the section words of articles ("Results",
  "Conclusions") are no chronicle events: role `none`. The words are data, `data/non_events.tsv`,
  read by `lexicon` and extendable from the build's `knowledge` folder. A word of kind
  `communication` ("announce", "report") is the exception when its own clause dates it and it names
  who spoke (`spoken_act`): "on 2 December Louis-Napoleon *announced* the dissolution" is an act.
* A generic (`other`) mention is an event only when it carries its own date, no wider than a
  year, and either names who took part (a participant resolved to an entity, not just a place)
  with that date in its clause or sentence, or has a date no wider than a month governed by its own
  clause ("on 5 May two pilots were *killed*": who took part may be a pronoun or a name the entity
  tables do not know, but the clause says when it happened; "the situation grew tense in 1933" is
  a state of affairs). A date carried over from earlier sentences, or a decade,
  is context, not a date of this happening. Otherwise: role `none`.
* A typed mention (treaty, meeting, battle ...) founds an event when it has its own date or names
  a participant or place; otherwise it may only join an event another mention founded
  (role `evidence`), so that "the meeting" in a later sentence supports the dated summit.
* A mention with no date of its own, none at all or only one carried over from earlier sentences
  (which says where the narrative is, not when this happened), only joins (role `evidence`): a
  chronicle lists happenings in time, and such a mention has no place in it unless a mention dated
  by its own clause or sentence gives it one. The setting `reconcile_undated_events` lets such
  mentions found events anyway.

* A generic mention in a sentence that also holds a typed mention founding an event ("in March 1848
  the crowds *gathered* and *stormed* the arsenal", "the press *praised* the *treaty* of 1871") is a
  circumstance of what the sentence reports, not a second happening: it may only join an event
  (role `evidence`), never found one (`beside_typed`).

* A date belongs to the clause it governs. Where one mention of a sentence is governed by a date and
  another has the same date only because it stands in that sentence ("On 5 May the rebels *launched*
  an *assault* on the fort"; "On 9 June parliament *passed* a bill to *end* the *strikes*"), the second
  is judged as undated by the rules above: a typed one with participants or a place still founds an
  event, a bare one only joins, a generic one is none (`borrowed_dates`).

Mentions with role `none` keep `event_mentions.event_id` NULL: they remain evidence rows in the
store, never canonical events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from timeweave.reconcile import dates, lexicon

if TYPE_CHECKING:
    from timeweave.reconcile.load import Mention

EVENT, EVIDENCE, NONE = "event", "evidence", "none"

MAX_GENERIC_DAYS = 366  # a generic happening dated only to a decade is context, not an event
# Without a named participant, a generic mention needs its clause to date it to a month at most: "the
# situation grew tense in 1933" is a state of affairs, "on 5 May two pilots were killed" a happening.
MAX_UNNAMED_DAYS = 31


def _lemma(mention: Mention) -> str:
    return (mention.lemma or mention.trigger).strip().lower()


def own_date(mention: Mention) -> bool:
    """Is the mention dated by an expression of its own clause or sentence (not carried over)?"""
    if mention.interval is None:
        return False
    return mention.when_kind in (None, "governed", "sentence")


def spoken_act(mention: Mention, own_dated: bool | None = None) -> bool:
    """Is a word of communication ("announced", "reported") told as a happening: its own clause dates it
    and it names who spoke ("On 2 December 1851 Louis-Napoleon *announced* ...")? Then it is an act in
    time, not the frame of a report ("the paper reported that ..."), and the rules for events judge it."""
    if own_dated is False or mention.interval is None or mention.when_kind != "governed":
        return False
    return bool(mention.agents - ({mention.place} if mention.place else set()))


def role(mention: Mention, *, own_dated: bool | None = None, undated_events: bool = False) -> str:
    """`event`, `evidence` or `none` for one mention (see the module docstring); `own_dated=False`
    judges it as if it had no date of its own (`borrowed_dates`); `undated_events` lets a mention
    without a date of its own found an event."""
    lemma, non_events = _lemma(mention), lexicon.non_events()
    words = {lemma, mention.trigger.strip().lower()}
    if words & non_events and not (words & lexicon.communication() and spoken_act(mention, own_dated)):
        return NONE
    actors = (mention.agents | mention.patients | mention.entities) - ({mention.place} if mention.place else set())
    dated = own_date(mention) if own_dated is None else own_dated
    if mention.type == "other":
        if not dated or mention.interval.width > MAX_GENERIC_DAYS:
            return NONE
        # its own clause dates it ("on 5 May two pilots were killed"): a happening even when who took
        # part is a pronoun or a name the entity tables do not know
        unnamed = own_dated is None and mention.when_kind == "governed" and mention.interval.width <= MAX_UNNAMED_DAYS
        return EVENT if actors or unnamed else NONE
    if (mention.interval is None or mention.carried_date) and not undated_events:
        return EVIDENCE
    if dated or actors or mention.place is not None:
        return EVENT
    return EVIDENCE


def beside_typed(mentions: list[Mention]) -> None:
    """Demote generic (`other`) event mentions to `evidence` where their sentence holds a typed mention
    with role `event` and a compatible date (see the module docstring). A generic verb whose own
    clause dates it, beside a typed mention dated only by the sentence, stays an event ("on 3 May the
    council condemned the riots": the condemnation is what the date governs). Run after `role` has been
    set on every mention."""
    typed: dict[tuple[str, int], list[Mention]] = {}
    for m in mentions:
        if m.role == EVENT and m.type != "other":
            typed.setdefault((m.source_id, m.start), []).append(m)
    for mention in mentions:
        if mention.role != EVENT or mention.type != "other":
            continue
        for other in typed.get((mention.source_id, mention.start), []):
            if mention.when_kind == "governed" and other.when_kind != "governed":
                continue
            # within one sentence, dates that touch ("a pact in December 1931" beside "in 1932") are one
            # moment of the narrative, though as dates of two events they would be two
            if mention.interval is None or (other.interval is not None
                                            and (dates.compatible(mention.interval, other.interval)
                                                 or dates.gap(mention.interval, other.interval) == 0)):
                mention.role = EVIDENCE
                break


def borrowed_dates(mentions: list[Mention]) -> None:
    """Judge again, as undated, the mentions dated only by their sentence where another mention of the
    sentence is the one its date governs (see the module docstring). Run after `beside_typed`."""
    governing: dict[tuple[str, int], list[Mention]] = {}
    for m in mentions:
        if m.role == EVENT and m.when_kind == "governed" and m.interval is not None:
            governing.setdefault((m.source_id, m.start), []).append(m)
    for mention in mentions:
        if mention.role != EVENT or mention.when_kind != "sentence" or mention.interval is None:
            continue
        if any(g is not mention and g.interval == mention.interval
               for g in governing.get((mention.source_id, mention.start), [])):
            mention.role = role(mention, own_dated=False)
