"""Tense cues: which way a bare weekday or a yearless month points from the document date.

"Tuesday" in "prices fell Tuesday" is the Tuesday before the document date; in "talks resume
Tuesday" or "will meet Tuesday" it is the one after. The cue is the tense of the verb that
governs the expression. With a parse (`doc_tense`) that verb is found through the dependency
tree and read from its Penn tag and auxiliaries; without one (`text_tense`) only a future
auxiliary just before the expression ("will", "is due to") is looked for.

A cue is "past", "future", "present" or None (nothing found); `resolve.py` decides what each
means for the date.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

TenseOf = Callable[[int, int], "str | None"]

FUTURE_CUE = re.compile(r"(?i:\b(?:will|shall|going\sto|scheduled|upcoming|(?:is|are)\s(?:due|expected|set|scheduled)\sto"
                        r"|plans?\sto)\b|'ll\b)")
_SINCE = re.compile(r"(?i:\bsince)\s{1,3}(?:(?:the|last|early|late|mid|mid-)\s{1,3})?$")
_HAD = re.compile(r"(?i:\bhad\s(?:been\s)?(?:\w+\s)?)$")
_FUTURE_MODALS = {"will", "wo", "shall", "'ll", "ll"}
_TIME_NOUNS = {"night", "morning", "afternoon", "evening", "day", "weekend", "week", "dawn", "noon", "midnight",
               "hours", "eve", "end", "beginning", "start", "middle"}
_WALK_UP = 6  # how many heads to climb from the expression to its verb
# Prepositions and words that make a date a deadline or a term ("extended to Nov. 20", "until
# mid-November", "effective Feb. 1"): the verb's past tense says nothing about the date's side.
_DEADLINE = {"to", "until", "till", "through", "thru", "by", "before", "effective", "as", "for"}


def text_tense(text_before: str) -> str | None:
    """The cue from the words just before the expression (no parse): 'past' after "since",
    'future' after a future auxiliary, else None."""
    if _SINCE.search(text_before):
        return "past"
    cue = FUTURE_CUE.search(text_before)
    if cue is None:
        return None
    # "had been scheduled to expire Friday": a plan seen from the past, so the day has gone by
    return "past" if _HAD.search(text_before, 0, cue.start()) else "future"


def _aux(token) -> tuple[set[str], set[str]]:
    aux = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
    return {c.lower_ for c in aux}, {c.tag_ for c in aux}


def verb_tense(verb) -> str | None:
    """The tense of a spaCy verb token, from its tag and its auxiliaries."""
    words, tags = _aux(verb)
    if words & _FUTURE_MODALS or "going" in words:
        return "past" if "have" in words else "future"
    if "MD" in tags:
        # would, may, must, should: plans and reported plans point ahead; "could" is often a past ability
        return None if "have" in words or words & {"could", "might"} else "future"
    if "had" in words:
        return "past"
    if "TO" in tags and verb.tag_ == "VB":
        head = verb.head
        if head.pos_ in ("NOUN", "PROPN"):
            return None  # "offers to acquire": the infinitive sets no time
        if "had" in _aux(head)[0] or (head.pos_ == "ADJ" and "had" in _aux(head.head)[0]):
            # "had been scheduled to expire Friday", "had been due to expire Friday": a plan seen
            # from the past (past perfect); not a future cue, and the date may lie either side
            return None
        return "future"
    if verb.tag_ == "VBD" or tags & {"VBD"}:
        return "past"
    if verb.tag_ == "VBN":
        if words & {"was", "were"}:
            return "past"  # "was shot on the night of Oct. 23"
        return "past" if not words else None  # "is expected", "has set": present, or a present state
    if verb.tag_ == "VBG":
        return "future" if words & {"is", "are", "'s", "'re", "am"} else ("past" if words & {"was", "were"} else None)
    if verb.tag_ in ("VBZ", "VBP"):
        return "present"
    if verb.tag_ == "VB":
        return "future" if not words else None
    return None


def _ancestors(token, limit: int = _WALK_UP):
    for _ in range(limit):
        if token.head is token:
            return
        token = token.head
        yield token


def doc_tense(doc) -> TenseOf:
    """A cue function over a tagged and parsed spaCy Doc: (start_char, end_char) -> tense or None.

    "since" makes any date past. A date that is a deadline or a term (after "to", "until", "by",
    "effective"), or that qualifies a noun ("the Jan. 14 deadline"), takes only a future cue
    from its verb, never a past one: "extended the offer to Nov. 20" says nothing about which Nov. 20.
    """
    if not (doc.has_annotation("TAG") and doc.has_annotation("DEP")):
        return lambda start, end: None
    starts: list[int] = []  # token offsets, built on the first call (most documents need none)

    def tense(start: int, end: int) -> str | None:
        if not starts:
            starts.extend(t.idx for t in doc)
        i = bisect.bisect_right(starts, start) - 1
        if i < 0:
            return None
        j = bisect.bisect_left(starts, end)
        token = doc[i:max(j, i + 1)].root
        weak = token.dep_ in ("dobj", "compound", "nsubj", "nsubjpass", "attr")
        through_noun = until = False
        if token.head.pos_ in ("NOUN", "PROPN") and token.head is not token and token.head.lower_ not in _TIME_NOUNS:
            # "the ruling Wednesday", "a June agreement": the date of a thing, not of the verb;
            # only "since" above it still tells ("searching since the Oct. 23 slaying")
            return "past" if any(t.lower_ == "since" for t in _ancestors(token)) else None
        for _ in range(_WALK_UP):
            head = token.head
            if head is token:
                return None
            token = head
            low = token.lower_
            if low == "since":
                return "past"
            noun = token.pos_ in ("NOUN", "PROPN") and low not in _TIME_NOUNS  # "on the night of Oct. 23" is the verb's
            if noun:
                through_noun = True
            if low in ("until", "till", "til"):
                until = True
            if low in _DEADLINE or noun or token.tag_ == "JJ":
                weak = True
            if token.tag_.startswith("VB") or token.pos_ in ("VERB", "AUX"):
                if through_noun and token.tag_ == "VB" and "TO" in _aux(token)[1]:
                    # "voted for a force to protect X, with its vanguard arriving Tuesday": the
                    # purpose infinitive is the noun phrase's host, not the date's own verb
                    return None
                if token.tag_ == "VB" and token.dep_ in ("advcl", "ccomp", "xcomp") and token.head.pos_ in ("VERB", "AUX"):
                    words, tags = _aux(token)
                    if (token.dep_ == "advcl" and "TO" in tags) or (token.dep_ != "advcl" and not words):
                        # "flew to Paris to meet him Friday" (purpose), "let the offensive begin
                        # Saturday night" (bare infinitive): the time is the main verb's
                        continue
                found = verb_tense(token)
                if found is None and token.tag_ == "VBG" and token.dep_ in ("advcl", "xcomp", "pcomp", "acl"):
                    continue  # "rising to a high in June": the clause it hangs from tells
                if until and found == "past" and "had" not in _aux(token)[0]:
                    # "postponed until Tuesday morning": a term set in the past runs into the future
                    return "future"
                return None if weak and found == "past" else found
        return None

    return tense


__all__ = ["FUTURE_CUE", "TenseOf", "doc_tense", "text_tense", "verb_tense"]
