"""The shape of a name: where a mention starts and ends, whatever it names.

Why apart from typing: NER runs across line breaks, colons and brackets in titles, keeps a leading
"the" or a trailing possessive, cuts "H. Nelson" after the initial; these repairs depend on how
names are written, not on what they name (`rules.py` decides that).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from timeweave.annotate.entities import gazetteer
from timeweave.annotate.entities.when import NONE, Moment
from timeweave.annotate.entities.words import words

_INITIAL = re.compile(r"^[A-Z][a-z]?\.?$")
_CUT = {"\n", ":", "(", ")", "«", "»", "“", "”", '"', ";", "|"}


@dataclass
class Candidate:
    """A token span with a provisional type and, when a rule knows it, its alias key."""

    start: int
    end: int
    type: str
    key: str | None = None
    rule: bool = False  # made by a rule, so it wins overlaps with raw NER spans
    moment: Moment = Moment(None, NONE)  # the narrative year its names were resolved for


def is_name_word(token: Token) -> bool:
    """A capitalised noun or adjective that is not a stop word: a word a multi-word name is made of."""
    return is_cap(token) and token.pos_ in ("PROPN", "ADJ", "NOUN") and not token.is_stop


def has_alnum(token: Token) -> bool:
    """Whether a token has a letter or digit: a span edge of only punctuation is trimmed."""
    return any(ch.isalnum() for ch in token.text)


def is_cap(token: Token) -> bool:
    """A capitalised alphabetic word, the shape of a name's word in English prose."""
    return token.text[:1].isupper() and token.is_alpha


def is_initial(doc: Doc, i: int) -> bool:
    """"P." / "Kh." / "V" followed by "." (spaCy may split the period off)."""
    token = doc[i]
    if not _INITIAL.match(token.text):
        return False
    return token.text.endswith(".") or (i + 1 < len(doc) and doc[i + 1].text == ".")


def pieces(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a span at line breaks, colons and brackets; NER runs across them in titles and menus."""
    out, begin = [], start
    for i in range(start, end):
        if doc[i].text in _CUT or "\n" in doc[i].text or doc[i].is_space:
            if i > begin:
                out.append((begin, i))
            begin = i + 1
    if end > begin:
        out.append((begin, end))
    return out


def trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop leading determiners/punctuation and trailing possessives/punctuation."""
    while start < end and (doc[start].pos_ in ("DET", "PUNCT", "SYM", "X") or not has_alnum(doc[start])
                           or doc[start].lower_ in ("the", "a", "an")):
        start += 1
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].pos_ in ("PUNCT", "SYM")
                           or doc[end - 1].lower_ in ("'s", "’s") or not has_alnum(doc[end - 1])
                           or doc[end - 1].pos_ in ("ADP", "CCONJ")):
        end -= 1
    return start, end


def person_bounds(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Extend a person leftwards over initials and capitalised names; cut titles and words NER ran on with.

    A title or rank before the name ("Admiral", "Senator", "Gen.") is not part of it: "Admiral
    Nelson" is the "Nelson" of "Horatio Nelson", and the linker records the titled form as an alias."""
    titles = words().titles
    while start > 0 and (is_initial(doc, start - 1) or (
            is_cap(doc[start - 1]) and doc[start - 1].pos_ == "PROPN" and not _is_title(doc, start - 1, titles)
            and doc[start - 1].ent_type_ in ("", "PERSON") and not doc[start - 1].is_sent_start)):
        start -= 1
    if start > 0 and doc[start - 1].text == "." and start > 1 and _INITIAL.match(doc[start - 2].text):
        start -= 2
    while end - start > 1 and _is_title(doc, start, titles):
        start += 2 if start + 1 < end and doc[start + 1].text == "." else 1
    i = start
    while i < end and (is_initial(doc, i) or doc[i].text == "."):
        i += 1
    if i > start:  # initials first ("I. V. Stalin Talking"): keep one surname
        return start, min(end, i + 1)
    j = start + 1
    while j < end and (is_cap(doc[j]) and not is_initial(doc, j)):
        j += 1
    k = j
    while k < end and (is_initial(doc, k) or doc[k].text == "."):
        k += 1
    if k > j and not (_one_initial(doc, j, k) and _one_surname_follows(doc, k, end)):
        return start, k  # surname first ("Roshchin S. K. Political History"): stop after the initials
    return start, end


def _is_title(doc: Doc, i: int, titles: frozenset[str]) -> bool:
    """"Admiral", "Gen." (spaCy may split the period off) at token `i`; a plural one too ("under
    Presidents Kennedy and Johnson")."""
    word = doc[i].lower_.rstrip(".")
    return word in titles or len(word) > 4 and word.endswith("s") and word[:-1] in titles


def _one_initial(doc: Doc, j: int, k: int) -> bool:
    """One initial between the given name and the surname ("John F. Kennedy"); two or more after the
    first word are a catalogue's "Ezhov O. V." followed by a title ("Battles at ...")."""
    return sum(1 for i in range(j, k) if is_initial(doc, i)) == 1


def _one_surname_follows(doc: Doc, k: int, end: int) -> bool:
    """"John F. Kennedy", "Lyndon B. Johnson Jr.": after the initials, one capitalised word ends the name.

    A bibliographic "Roshchin S. K. Political History" runs on with more words after the initials."""
    rest = [t for t in doc[k:end] if t.text != "."]
    while len(rest) > 1 and rest[-1].lower_.rstrip(".") in _GENERATIONS:
        rest.pop()
    return len(rest) == 1 and is_cap(rest[0]) and not is_initial(doc, rest[0].i)


_GENERATIONS = {"jr", "sr", "ii", "iii", "iv"}  # suffixes of English names, not knowledge of any corpus


def harmonise_persons(doc: Doc, chosen: list[Candidate]) -> None:
    """A lone word that is the surname of a person named in full elsewhere in the Doc is that person."""
    surnames = set()
    for cand in chosen:
        if cand.type == "person" and cand.end - cand.start >= 2:
            words = [t for t in doc[cand.start : cand.end] if t.is_alpha and not is_initial(doc, t.i)]
            if words:
                surnames.add(words[-1].lower_)
                surnames.add(words[0].lower_) if is_initial(doc, cand.end - 1) else None
    votes: dict[str, Counter] = {}
    for cand in chosen:
        if cand.end - cand.start == 1:
            votes.setdefault(doc[cand.start].lower_, Counter())[cand.type] += 1
    surnames |= {word for word, count in votes.items() if count["person"] > sum(count.values()) / 2}
    for cand in chosen:
        if cand.end - cand.start == 1 and cand.type != "person" and doc[cand.start].lower_ in surnames \
                and not gazetteer.known(doc[cand.start].text):
            cand.type = "person"


def resolve_surnames(doc: Doc, chosen: list[Candidate]) -> None:
    """A lone surname takes the key of the one person the same text names in full ("Horatio Nelson ...
    Nelson"), so a corpus naming two persons of that surname in different texts still links each.

    Full names of that surname whose first words start alike ("Lyndon B. Johnson", "Lyndon Johnson")
    are one person, the longest name giving the key; two that do not ("John Adams", "Samuel Adams")
    leave the surname as it is."""
    full: dict[str, list[str]] = {}
    for cand in chosen:
        if cand.type == "person" and cand.key and len(cand.key.split()) >= 2:
            full.setdefault(cand.key.split()[-1], []).append(cand.key)
    for cand in chosen:
        keys = sorted(set(full.get(cand.key or "", [])), key=len)
        if cand.type != "person" or cand.end - cand.start != 1 or not keys:
            continue
        if len({k[0] for k in keys}) == 1:
            cand.key = keys[-1]


def plausible(doc: Doc, cand: Candidate) -> bool:
    """Drop spans with no capitalised word, URLs, bibliographic abbreviations ("Russ.", "Vol.", "Ed."),
    and a lone section heading or menu word ("Abstract", "Contact")."""
    span = doc[cand.start : cand.end]
    text = span.text
    if not any(t.text[:1].isupper() for t in span) or "http" in text or "@" in text or "/" in text:
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    if len(span) == 1:
        token = span[0]
        known = gazetteer.known(token.text)
        if token.lower_ in words().boilerplate and not (token.is_upper and known):  # "Contact us", not "US"
            return False
        follows_dot = token.i + 1 < len(doc) and doc[token.i + 1].text == "."
        if follows_dot and token.lower_ in words().bibliographic:
            return False
        if follows_dot and len(token) <= 4 and not token.is_upper and not known:
            return False
    return True
