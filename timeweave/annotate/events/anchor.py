"""When an event happened (which time expression governs it) and where in the document it is said.

Anchoring order, each recorded in `when_reason`:
1. a time expression attached to the event in its own clause or phrase ("signed ... on March 12, 1936",
   "The 1936 Protocol", "the protocol concluded in March 1936"), or opening the event's clause ("In 2004,
   X did A and B", "... and by late August, expelled them", "When X happened on May 5, Y did Z");
2. else a time expression in the same sentence;
3. else the narrative reference time: the last dated expression before it in the same zone, but not
   for a noun that is the object of another event ("confronted by the completion of the protocol"):
   the narrative's date is that event's setting, and a wrong date merges worse than none; where that
   expression is the date line of a chronology entry ("Storming of the Bastille / 14 July 1789") and
   the event stands in the entry, it is dated as by its sentence (`sentence:`), its own date;
4. else undated.
Durations and sets ("for 18 months", "every year") never date an event. A date that is another noun's
("a 2001 study"), what something was set for ("set for 11 a.m.") or what a cause led to's cause
("the ambush of 3 May led to a mutiny") does not date it.

Dates made from other dates (counted from an event, "within", anniversaries, "until" an end) are in
`derived.py`; where a thing is said (title, heading, citation, date lines, sentences) in `zones.py`.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from timeweave.annotate.events.derived import DerivedDates, anniversary_of, end_of
from timeweave.annotate.events.lexicon import CONSEQUENCE_VERBS, END_WORDS, RESPONSE_WORDS, TARGET_WORDS
from timeweave.annotate.events.sense import event_type
from timeweave.annotate.events.zones import Sentences, Zone, context_at, date_line, line_at, neighbour_line
from timeweave.annotate.types import Timex

_DATING_TYPES = {"DATE", "TIME"}
# "two days before", "three years earlier": a look back from the story's time, which does not move it.
_FLASHBACK = re.compile(r"\b(before|earlier|previously|prior|ago)$", re.IGNORECASE)


class TimexIndex(DerivedDates):
    """Dating time expressions of a Doc, with the token that heads each."""

    def __init__(self, doc: Doc, timexes: list[Timex], sentences: Sentences | None = None) -> None:
        self.sentences = sentences or Sentences(doc)
        self.text = doc.text
        self.timexes = timexes
        self.derived: dict[int, int | None] = {}  # length timex -> the date timex counted from the narrative
        self.lengths: list[tuple[int, Timex, Token, int]] = []  # (index, timex, head, +1 after / -1 before)
        self.items: list[tuple[int, Timex, Token]] = []
        self.date_lines: dict[int, tuple[int, int] | None] = {}  # timex index -> (start, end) of the heading above it
        self.until: dict[tuple[int, int], int] = {}  # (start timex, end timex) -> the interval made from them
        for i, timex in enumerate(timexes or []):
            self._note_length(doc, i, timex)
            if timex.type not in _DATING_TYPES:
                continue
            span = doc.char_span(timex.start, timex.end, alignment_mode="expand")
            if span is not None:
                self.items.append((i, timex, _head(span)))
                if timex.earliest and timex.latest and date_line(self.text, timex):
                    self.date_lines[i] = neighbour_line(self.text, *line_at(self.text, timex.start), -1)
        self.items.sort(key=lambda item: item[1].start)

    def _heading_date(self, token: Token) -> tuple[int, Timex] | None:
        """The date line right under the heading line that holds `token` ("Operation Overlord / 6 June 1944")."""
        for i, heading in self.date_lines.items():
            if heading is not None and heading[0] <= token.idx < heading[1]:
                return i, next(timex for j, timex, _ in self.items if j == i)
        return None

    def _dates_below(self, i: int, events: set[int], doc: Doc) -> bool:
        """Does the date line `i` date the entry under it: its heading names an event of a known type, or its
        key says 'date'? A byline's date under an article title dates nothing below it."""
        heading = self.date_lines[i]
        if heading is not None and any(heading[0] <= doc[e].idx < heading[1] and event_type(doc[e]) != "other"
                                       for e in events):
            return True  # "Operation Overlord", "Storming of the Bastille"; not "Notes on the Harbour"
        timex = next(t for j, t, _ in self.items if j == i)
        line = self.text[line_at(self.text, timex.start)[0]:timex.start]
        return "date" in line.lower()

    def _in_entry(self, i: int, char: int) -> bool:
        """Is `char` in the entry the date line `i` heads: below it, before the next entry's heading and date?

        A chronology's entry ("Operation Overlord / 6 June 1944 / Allied troops land ...") is dated by its
        date line as a sentence is by its date."""
        start = self.timexes[i].end
        ends = [self.date_lines[j][0] if self.date_lines[j] is not None else self.timexes[j].start
                for j in self.date_lines if self.timexes[j].start >= start]
        return start <= char < min(ends, default=len(self.text))

    def anchor(self, tokens: list[Token], events: set[int], zone_list: list[Zone]) -> tuple[int | None, str]:
        """(index into doc._.timexes, reason) for an event whose trigger tokens are `tokens` (see the module
        docstring; an end it lasted until makes an interval: `DerivedDates._until`)."""
        i, reason = self._anchor(tokens, events, zone_list)
        return self._until(i, reason, tokens, events, zone_list)


    def _anchor(self, tokens: list[Token], events: set[int], zone_list: list[Zone], *,
                ends: bool = True) -> tuple[int | None, str]:
        own = {t.i for t in tokens}
        sentence = self.sentences.of(tokens[0])
        in_sentence = [item for item in self.items if sentence.start <= item[2].i < sentence.end]
        # "held prisoner until 1973", "set for 11 a.m.": when its state ended or what it set was to happen,
        # not when it happened; such a date may still date the sentence's other events.
        words = (END_WORDS if ends else frozenset()) | TARGET_WORDS
        in_sentence = [item for item in in_sentence if end_of(item[2], words) not in own]
        governing = [item for item in in_sentence if _governs(item[2], own, events, sentence.start)]
        if governing:  # the nearest of several ("In 1936, ... signed ... on March 12, 1936")
            i, timex, _ = min(governing, key=lambda item: (min(abs(item[2].i - t) for t in own), item[2].i))
            return _unless_open(i, timex, f"governed: '{timex.text}' attaches to the event in its clause")
        heading = self._heading_date(tokens[0])
        if heading is not None:
            i, timex = heading
            return _unless_open(i, timex, f"governed: '{timex.text}' is the date line under the heading that names it")
        counted = self._counted(tokens, sentence, zone_list)
        if counted is not None:
            return counted
        # A date inside another event's own phrase ("the August 4 incident") is that event's, not the sentence's.
        in_sentence = [item for item in in_sentence if not _of_another_event(item[2], own, events)]
        years = anniversary_of(tokens[0])
        if years is not None:
            return self._years_before(years, tokens[0], in_sentence)
        answer = _answered_by(tokens[0])
        if answer is not None:
            inside = {t.i for t in tokens[0].subtree}
            in_sentence = [item for item in in_sentence if item[2].i in inside]
            if not in_sentence:
                return None, (f"undated: '{answer.text}' answers it, so it happened before the time of the sentence, "
                              "which is the answer's")
        cause = _cause_of(tokens[0])
        if cause:
            kept = [item for item in in_sentence if item[2].i not in cause]
            if not kept and in_sentence:
                return None, (f"undated: '{in_sentence[0][1].text}' dates what led to it, which happened before it")
            in_sentence = kept
        if in_sentence:
            trigger = tokens[0].i  # the nearest placed expression: an unplaced one ("August 1", no year) tells nothing
            # A date counted back from the story ("near the islands shelled two nights before") is the time of
            # the clause it governs, a flashback; the sentence's other events stay at the story's own date.
            i, timex, _ = min(in_sentence, key=lambda item: (not (item[1].earliest and item[1].latest),
                                                             bool(_FLASHBACK.search(item[1].text)),
                                                             abs(item[2].i - trigger), item[2].i))
            return _unless_open(i, timex, f"sentence: '{timex.text}' is the time expression of the same sentence")
        here = tokens[0].idx
        context = context_at(zone_list, here)
        doc = tokens[0].doc
        before = [item for item in self.items if item[1].end <= here and item[1].value and not _FLASHBACK.search(item[1].text)
                  and not _of_another_event(item[2], own, events)
                  and (context_at(zone_list, item[1].start) == context
                       or (item[0] in self.date_lines and self._dates_below(item[0], events, doc)))]
        if before:
            i, timex, _ = before[-1]
            if _nested_nominal(tokens[0], events):
                return None, (f"undated: a noun inside another event's clause; the narrative date '{timex.text}' "
                              "is not carried over onto it")
            if i in self.date_lines and self._in_entry(i, here) and self._dates_below(i, events, doc):
                return i, f"sentence: '{timex.text}' is the date line of the entry it stands in"
            return i, f"narrative: '{timex.text}' is the last date before it in the text"
        return None, "undated: no time expression governs it, in its sentence or before it"


def _head(span: Span) -> Token:
    """The token a time expression hangs on its clause by.

    A long formal date ("on Tuesday, the seventh day of January, one thousand nine hundred and
    sixty-four") is often parsed in pieces, each hung on the clause; spaCy's root is then the piece
    nearest the sentence root, which can be a stray number. The expression is read from its left, so
    its first piece ("on Tuesday") is the one that attaches it.
    """
    outside = [t for t in span if not span.start <= t.head.i < span.end and not t.is_punct]
    return outside[0] if len(outside) > 1 else span.root


def _unless_open(i: int, timex: Timex, reason: str) -> tuple[int | None, str]:
    """An expression known by one end only ("before 1936": on or before 1935-12-31) cannot date an
    event: placed at its one end, the event would merge with what happened then."""
    if bool(timex.earliest) != bool(timex.latest):
        side = f"after {timex.earliest}" if timex.earliest else f"before {timex.latest}"
        return None, f"undated: '{timex.text}' ({timex.modifier}) gives only one end of its time: {side}"
    return i, reason


def _of_another_event(head: Token, own: set[int], events: set[int]) -> bool:
    """Is the time expression a modifier of another noun: another nominal event ("the August 4 incident",
    "the 1936 protocol") or a thing ("a 2001 study of the incident", "his 1995 memoir")? It dates that noun,
    not the sentence."""
    # Only a modifier inside the noun phrase: a date in a prepositional phrase ("the negotiations of
    # November 27", "with the signing of the pact on November 25") often dates the event around it too.
    # A thing's date stands before it ("a 2001 study"); after a noun ("Date: 14 July 1789") it is a value.
    # A name the parser split ("the 1916 Dublin Dock incident": 1916 on "Dublin") still dates its event.
    governor = head.head
    return (head.dep_ in ("compound", "nmod", "amod", "nummod", "npadvmod") and governor.i not in own
            and governor.pos_ in ("NOUN", "PROPN") and governor.i != head.i
            and (governor.i in events or head.i < governor.i and head.dep_ != "npadvmod"
                 and not any("\n" in t.text_with_ws for t in head.doc[head.i:governor.i])
                 and not (governor.pos_ == "PROPN" and any(t.i in own for t in governor.subtree))))



TEMPORAL_CLAUSE_WORDS = {"when", "while", "as"}  # "When X happened on May 5, Y did Z": same time


def _answered_by(token: Token) -> Token | None:
    """The response word ("retaliation", "reprisal": `cues.tsv`) whose "for"/"to"/"against" phrase holds the
    event ("struck the port today in retaliation for the raids"), or None."""
    node = token
    while node.dep_ == "conj" and node.head is not node:
        node = node.head
    if node.dep_ == "pobj" and node.head.dep_ == "prep" and node.head.lower_ in ("for", "to", "against"):
        governor = node.head.head
        if governor.lemma_.lower() in RESPONSE_WORDS or governor.lower_ in RESPONSE_WORDS:
            return governor
    return None


def _cause_of(token: Token) -> set[int]:
    """The tokens of what led to the event, when the event is what a consequence verb (`cues.tsv`) says
    followed ("the ambush of 3 May *led to* a mutiny", "the arrest on 9 March *triggered* a strike", "an attack
    two days later *that led to* the raid"); empty otherwise."""
    node = token
    while node.dep_ in ("conj", "compound") and node.head is not node:
        node = node.head  # "the first bombing raid": the raid's
    verb = None
    if node.dep_ == "pobj" and node.head.dep_ == "prep" and node.head.lower_ in ("to", "in"):
        verb = node.head.head
    elif node.dep_ in ("dobj", "nsubjpass"):
        verb = node.head
    if verb is None or verb.pos_ != "VERB" or verb.lemma_.lower() not in CONSEQUENCE_VERBS:
        return set()
    causes = [c for c in verb.children if c.dep_ in ("nsubj", "csubj", "agent")]
    if verb.dep_ in ("relcl", "ccomp") and causes and all(
            c.tag_ in ("WDT", "WP") or c.lower_ in ("that", "which", "who") for c in causes):
        # "an attack two days later that led to the raid", "it was an attack two days later that led to the
        # raid": what the relative clause hangs on, less the clause itself
        own = {t.i for t in verb.subtree}
        return {t.i for t in verb.head.subtree if t.i not in own}
    out: set[int] = set()
    for cause in causes:
        out.update(t.i for t in cause.subtree)
    return out


def _nested_nominal(token: Token, events: set[int]) -> bool:
    """Is a nominal event the object of another event, directly or through a preposition ("were
    confronted by the completion of the protocol")? The narrative's date is that event's setting, not
    this one's date. A subject carries the narrative on ("Later the invasion stopped"), and a noun
    under a noun that is no event ("recordings of conversations") is not inside an event."""
    if token.pos_ not in ("NOUN", "PROPN"):
        return False
    node = token
    for _ in range(6):
        if node.dep_ == "conj":
            node = node.head
            continue
        if node.dep_ == "dobj":
            governor = node.head
        elif node.dep_ == "pobj" and node.head.dep_ in ("prep", "agent"):
            governor = node.head.head
        else:
            return False
        if governor.i in events:
            return True
        if governor.pos_ not in ("NOUN", "PROPN") or governor.i not in events:
            return False
        node = governor
    return False


def _governs(head: Token, own: set[int], events: set[int], sent_start: int) -> bool:
    """Does the time expression's head attach to the event, without crossing another event or verb?

    A time adverbial at the head of its clause ("In 2004, X did A and B"; "... and by late August,
    expelled them"; "When X happened on May 5, Y did Z") governs the clause's verb and the verbs
    conjoined to it after the adverbial, whichever of them the parser hung it on.
    """
    node, phrase = head, head
    for _ in range(8):
        if node.i in own:
            return not _opens_later_conjunct(phrase, node)
        if node.head is node:
            return False
        if node is not head and (node.i in events or node.pos_ in ("VERB", "AUX")
                                 or node.pos_ == "ADJ" and node.dep_ in ("advcl", "acomp", "conj", "amod")):
            break
        phrase, node = node, node.head
    else:
        return False
    if node.pos_ not in ("VERB", "AUX"):
        return False  # another (nominal) event's own time, or a state's ("the struggle, now finally successful")
    verb = node
    if (verb.dep_ == "advcl" and verb.i < verb.head.i and verb.head.pos_ in ("VERB", "AUX")
            and any(c.lower_ in TEMPORAL_CLAUSE_WORDS and c.dep_ in ("advmod", "mark") for c in verb.children)):
        phrase, verb = verb, verb.head  # the fronted when-clause dates its main clause
    if not _clause_initial(phrase, sent_start):
        return False
    return any(i in own for i in _clause_verbs(verb, after=phrase.left_edge.i))


def _clause_initial(phrase: Token, sent_start: int) -> bool:
    """Does `phrase` open a clause: first in its sentence, or right after a conjunction or semicolon?"""
    start = phrase.left_edge.i
    if start == sent_start:
        return True
    before = phrase.doc[start - 1]
    return before.dep_ == "cc" or before.text in (";", ":")


def _opens_later_conjunct(phrase: Token, verb: Token) -> bool:
    """Is `phrase`, hung on `verb`, rather the opening of a verb conjoined after it ("X repelled them
    and by late August, expelled them": the date is the expulsion's)?"""
    start = phrase.left_edge.i
    if verb.pos_ not in ("VERB", "AUX") or start <= verb.i or phrase.doc[start - 1].dep_ != "cc":
        return False
    return any(c.dep_ == "conj" and c.i > phrase.i and c.pos_ in ("VERB", "AUX") for c in verb.children)


def _clause_verbs(verb: Token, *, after: int) -> list[int]:
    """The verb and the verbs conjoined to it, those after token `after`."""
    found, stack = [], [verb]
    while stack:
        node = stack.pop()
        if node.i > after:
            found.append(node.i)
        stack.extend(c for c in node.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"))
    return found
