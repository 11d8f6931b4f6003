"""Finding, repairing and typing entity mentions in a parsed Doc.

Each rule is a general cue about historical prose, not a list of this corpus's names:
- place words ("River", "Lake", "Gol", "-sume") make a place, whatever NER said;
- a military noun after a capitalised modifier ("Kwantung army", "Japanese troops") makes a unit;
- treaty words ("Pact", "Protocol", "Principles") make a work;
- state words ("Republic", "Union", "Empire") make a state;
- initials and adjacent capitalised words extend person names ("P. Genden", "Peljidiin Genden");
- demonyms, capitals and seats of government in actor position stand for the state (gazetteer);
- hyphenated pairs of states ("Soviet-Mongolian", "Manchukuo-MPR") are two mentions;
- spans are cut at line breaks, colons and brackets, which NER happily runs across in titles.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from timeweave.annotate.entities import gazetteer
from timeweave.annotate.entities.keys import alias_key

PLACE_SUFFIXES = {
    "river", "lake", "gol", "sume", "nuur", "nur", "mountain", "mountains", "mount", "hill", "hills",
    "heights", "range", "valley", "bay", "sea", "strait", "pass", "island", "islands", "steppe",
    "desert", "province", "oblast", "aimag", "region", "plateau", "peninsula", "basin",
}
LOWERCASE_PLACE_SUFFIXES = {"region", "province", "river", "lake", "sume", "district", "valley"}
PLACE_PREFIXES = {"lake", "mount", "cape", "fort"}
MILITARY_NOUNS = {
    "army", "armies", "troops", "forces", "corps", "division", "divisions", "regiment", "brigade",
    "fleet", "navy", "military", "airforce", "contingent", "garrison", "guards",
}
WORK_WORDS = {
    "pact", "treaty", "protocol", "agreement", "convention", "accord", "charter", "principles",
    "declaration", "communique", "memorandum", "constitution",
}
EVENT_WORDS = {"conference", "war", "incident", "battle", "battles", "summit", "congress", "revolution"}
STATE_WORDS = {"republic", "union", "empire", "kingdom", "federation", "khanate", "reich", "confederation"}
ORG_WORDS = {"university", "institute", "academy", "archive", "party", "committee", "politburo",
             "comintern", "ministry", "department", "secretariat", "branch", "journal", "herald"}
TITLES = {"prime", "minister", "marshal", "general", "president", "comrade", "mr", "dr", "premier",
          "chairman", "secretary", "commissar", "professor", "prof", "lieutenant", "colonel", "major"}
LOCATIVE_PREPS = {"in", "at", "near", "into", "across", "along", "to", "from", "on", "toward", "towards"}
ACTOR_DEPS = {"nsubj", "nsubjpass", "poss", "agent"}
SKIP_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}
NOISE_ACRONYMS = {"DOI", "ORCID", "ISBN", "ISSN", "URL", "PP", "VOL", "RUSS", "EDS", "ED", "ET", "AL", "II", "III"}
NOT_NAMES = {"webmaster", "created", "vol", "abstract", "keywords", "introduction", "conclusion", "conclusions",
             "results", "references", "review", "home", "contact", "considering", "us", "publications"}
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


def _is_name_word(token: Token) -> bool:
    return _is_cap(token) and token.pos_ in ("PROPN", "ADJ", "NOUN") and not token.is_stop


def _has_alnum(token: Token) -> bool:
    return any(ch.isalnum() for ch in token.text)


def _is_cap(token: Token) -> bool:
    return token.text[:1].isupper() and token.is_alpha


def _is_initial(doc: Doc, i: int) -> bool:
    """"P." / "Kh." / "V" followed by "." (spaCy may split the period off)."""
    token = doc[i]
    if not _INITIAL.match(token.text):
        return False
    return token.text.endswith(".") or (i + 1 < len(doc) and doc[i + 1].text == ".")


def _pieces(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
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


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop leading determiners/punctuation and trailing possessives/punctuation."""
    while start < end and (doc[start].pos_ in ("DET", "PUNCT", "SYM", "X") or not _has_alnum(doc[start])
                           or doc[start].lower_ in ("the", "a", "an")):
        start += 1
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].pos_ in ("PUNCT", "SYM")
                           or doc[end - 1].lower_ in ("'s", "’s") or not _has_alnum(doc[end - 1])
                           or doc[end - 1].pos_ in ("ADP", "CCONJ")):
        end -= 1
    return start, end


def _person_bounds(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Extend a person leftwards over initials and capitalised names; cut words NER ran on with."""
    while start > 0 and (_is_initial(doc, start - 1) or (
            _is_cap(doc[start - 1]) and doc[start - 1].pos_ == "PROPN" and doc[start - 1].lower_ not in TITLES
            and doc[start - 1].ent_type_ in ("", "PERSON") and not doc[start - 1].is_sent_start)):
        start -= 1
    if start > 0 and doc[start - 1].text == "." and start > 1 and _INITIAL.match(doc[start - 2].text):
        start -= 2
    i = start
    while i < end and (_is_initial(doc, i) or doc[i].text == "."):
        i += 1
    if i > start:  # initials first ("I. V. Stalin Talking"): keep one surname
        return start, min(end, i + 1)
    j = start + 1
    while j < end and (_is_cap(doc[j]) and not _is_initial(doc, j)):
        j += 1
    k = j
    while k < end and (_is_initial(doc, k) or doc[k].text == "."):
        k += 1
    if k > j:  # surname first ("Roshchin S. K. Political History"): stop after the initials
        return start, k
    return start, end


def _place_cue_spans(doc: Doc) -> list[Candidate]:
    """Places marked by a generic word: "Khalkhin-Gol River", "Khalkhin-sume", "Lake Khasan"."""
    out = []
    for token in doc:
        low = token.lower_
        if low in PLACE_SUFFIXES and token.i > 0:
            start = token.i
            while start > 0 and (_is_cap(doc[start - 1]) or (doc[start - 1].text == "-" and start > 1
                                                             and _is_cap(doc[start - 2]))):
                start -= 1
            lower_ok = low in LOWERCASE_PLACE_SUFFIXES and doc[token.i - 1].pos_ == "PROPN"
            if start < token.i and (token.text[:1].isupper() or doc[token.i - 1].text == "-" or lower_ok):
                end = token.i + 1
                if end < len(doc) and doc[end].lower_ in ("river", "lake") and doc[end].text[:1].isupper():
                    end += 1
                out.append(Candidate(start, end, "place", rule=True))
        elif low in PLACE_PREFIXES and token.text[:1].isupper() and token.i + 1 < len(doc) and _is_cap(doc[token.i + 1]):
            out.append(Candidate(token.i, token.i + 2, "place", rule=True))
    return out


def _military_spans(doc: Doc) -> list[Candidate]:
    """Units: capitalised modifiers before a military noun ("Kwantung army", "the Red Army", "Japanese troops")."""
    out = []
    for token in doc:
        if token.lower_ not in MILITARY_NOUNS or token.i == 0 or token.pos_ not in ("NOUN", "PROPN"):
            continue
        if token.dep_ in ("compound", "amod", "nmod") and token.head.i > token.i:
            continue  # "Military Cooperation": a modifier, not a unit
        start = token.i
        while start > 0 and (_is_name_word(doc[start - 1]) or doc[start - 1].lower_ == "armed"):
            start -= 1
        while start < token.i and not _is_name_word(doc[start]):
            start += 1
        if start == token.i or any(t.text in ("-", "–") for t in doc[start : token.i]):
            continue  # "Soviet-Mongolian forces" are two states' forces: left to the demonyms
        key = None
        modifiers = [t for t in doc[start : token.i] if _is_cap(t)]
        found = gazetteer.lookup(modifiers[0].text) if len(modifiers) == 1 else None
        whole = gazetteer.lookup(doc[start : token.i].text)
        if whole and whole[1] == "military":
            key = gazetteer.military_key(whole[0])  # "Red Army troops"
        elif found and found[1] in ("demonym", "name", "alias"):
            key = gazetteer.military_key(found[0])  # "Japanese troops" -> Japan's army
        out.append(Candidate(start, token.i + 1, "military_unit", key=key, rule=True))
    return out


def _work_spans(doc: Doc) -> list[Candidate]:
    """Named agreements: "Anti-Comintern Pact", "Protocol of Mutual Assistance", "Fundamental Principles of ..."."""
    out = []
    for token in doc:
        if token.lower_ not in WORK_WORDS or not token.text[:1].isupper() or token.is_sent_start and token.i + 1 < len(doc) and doc[token.i + 1].lower_ != "of":
            continue
        start = token.i
        while start > 0 and (_is_name_word(doc[start - 1]) or (doc[start - 1].text == "-" and start > 1
                                                                and doc[start - 2].text[:1].isupper())):
            start -= 1
        end = token.i + 1
        if end + 1 < len(doc) and doc[end].lower_ == "of":
            j = end + 1
            while j < len(doc) and j < end + 6 and doc[j].pos_ in ("ADJ", "NOUN", "PROPN") and not doc[j].ent_type_ in ("DATE", "GPE"):
                j += 1
            if j > end + 1:
                end = j
        if end - start > 1 or doc[start].text[:1].isupper() and start != token.i:
            out.append(Candidate(start, end, "work", rule=True))
    return out


def _acronym_spans(doc: Doc) -> list[Candidate]:
    """All-capital words NER skipped (often inside titles): "USSR", "MNR", "CPSU"."""
    def in_caps_title(t: Token) -> bool:
        near = [doc[j] for j in (t.i - 1, t.i + 1, t.i - 2, t.i + 2) if 0 <= j < len(doc) and doc[j].is_alpha]
        return any(n.is_upper and len(n) > 2 for n in near[:2])

    return [Candidate(t.i, t.i + 1, "organization", rule=False) for t in doc
            if t.is_alpha and t.is_upper and 2 <= len(t) <= 6 and t.text not in NOISE_ACRONYMS
            and not t.is_stop and not in_caps_title(t)]


def _demonym_spans(doc: Doc) -> list[Candidate]:
    """Demonyms and seats of government of known states ("Soviet", "the Kremlin")."""
    out = []
    for t in doc:
        found = gazetteer.lookup(t.text)
        if found and found[1] in ("demonym", "seat") and t.text[:1].isupper():
            out.append(Candidate(t.i, t.i + 1, "state", rule=False))
    return out


def _split_pairs(doc: Doc, cand: Candidate) -> list[Candidate]:
    """"Soviet-Mongolian", "Manchukuo-MPR": a hyphenated pair of states is two mentions."""
    hyphens = [i for i in range(cand.start, cand.end) if doc[i].text in ("-", "–")]
    if not hyphens:
        return [cand]
    bounds = [cand.start, *[h for h in hyphens], cand.end]
    parts = [(bounds[0], bounds[1])] + [(h + 1, nxt) for h, nxt in zip(hyphens, bounds[2:], strict=True)]
    names = [doc[s:e].text for s, e in parts]
    if all(e - s >= 1 and (gazetteer.lookup(n) or n.isupper()) for (s, e), n in zip(parts, names, strict=True)):
        return [Candidate(s, e, "state", rule=cand.rule) for s, e in parts]
    return [cand]


def _type_of(doc: Doc, span: Span, label: str) -> str:
    """The timeweave type of a cleaned span from its words, the gazetteer, NER's label and syntax."""
    words = [t.lower_ for t in span]
    last, text = words[-1], span.text
    found = gazetteer.lookup(text)
    if last in PLACE_SUFFIXES or words[0] in PLACE_PREFIXES and len(words) > 1:
        return "place"
    if set(words) & WORK_WORDS and label != "PERSON":
        return "work"
    if last in MILITARY_NOUNS or (found and found[1] == "military"):
        return "military_unit"
    if found:
        if found[1] == "seat" and not _actor_position(span):
            return "place"
        return "state"
    if last in STATE_WORDS or "people's republic" in text.lower().replace("’", "'"):
        return "state"
    if set(words) & ORG_WORDS:
        return "organization"
    if label == "PERSON":
        head = span.root
        while head.dep_ == "conj" and head.head is not head:
            head = head.head
        if len(span) == 1 and head.dep_ == "pobj" and head.head.lower_ in LOCATIVE_PREPS:
            return "place"
        return "person"
    if label in ("LOC", "FAC"):
        return "place"
    if label == "GPE":
        return "state" if _actor_position(span) else "place"
    if label in ("LAW", "WORK_OF_ART"):
        return "work"
    if label == "NORP" or set(words) & EVENT_WORDS:
        return "other"
    if label == "EVENT":
        return "other"
    return "organization"


def _actor_position(span: Span) -> bool:
    """Subject, possessor, agent, or one side of "between X and Y": a place name acting as a state."""
    root = span.root
    if root.dep_ in ACTOR_DEPS:
        return True
    node = root
    while node.dep_ == "conj" and node.head is not node:
        node = node.head
    return node.dep_ == "pobj" and node.head.lower_ in ("between", "by", "with", "against")


def _key_of(span: Span, type_: str) -> str:
    """The alias key; demonyms, seats and states' army names resolve to the state's own key."""
    found = gazetteer.lookup(span.text)
    if found:
        state, how = found
        if how == "military":
            return gazetteer.military_key(state)
        if how in ("demonym", "seat") and type_ == "state":
            return gazetteer.state_key(state)
    return alias_key(span.text)


def find_candidates(doc: Doc) -> list[Candidate]:
    """All cleaned, typed, non-overlapping entity spans of a Doc, in text order."""
    raw = [Candidate(e.start, e.end, e.label_) for e in doc.ents if e.label_ not in SKIP_LABELS]
    raw += _place_cue_spans(doc) + _military_spans(doc) + _work_spans(doc)
    cleaned: list[Candidate] = []
    for cand in raw:
        for start, end in _pieces(doc, cand.start, cand.end):
            start, end = _trim(doc, start, end)
            if end <= start:
                continue
            if cand.type == "PERSON":
                start, end = _person_bounds(doc, start, end)
                start, end = _trim(doc, start, end)
            piece = Candidate(start, end, cand.type, cand.key, cand.rule)
            cleaned.extend(_split_pairs(doc, piece))
    extra = _acronym_spans(doc) + _demonym_spans(doc)
    cleaned += extra
    # Rule spans first, then longer spans: each token belongs to at most one mention.
    cleaned.sort(key=lambda c: (not c.rule, -(c.end - c.start), c.start))
    taken = set()
    chosen = []
    for cand in cleaned:
        tokens = set(range(cand.start, cand.end))
        if tokens & taken or not _plausible(doc, cand):
            continue
        taken |= tokens
        chosen.append(cand)
    for cand in chosen:
        span = doc[cand.start : cand.end]
        if cand.type not in ("place", "military_unit", "state", "work") or not cand.rule:
            cand.type = _type_of(doc, span, cand.type)
    # States named inside a work's name ("Soviet-German Pact") are still participants: nest them.
    works = [c for c in chosen if c.type == "work"]
    chosen += [c for c in extra if c.type == "state" and any(w.start <= c.start and c.end <= w.end for w in works)
               and _plausible(doc, c)]
    _harmonise_persons(doc, chosen)
    for cand in chosen:
        if cand.key is None:
            cand.key = _key_of(doc[cand.start : cand.end], cand.type)
    return sorted(chosen, key=lambda c: (c.start, -c.end))


def _harmonise_persons(doc: Doc, chosen: list[Candidate]) -> None:
    """A lone word that is the surname of a person named in full elsewhere in the Doc is that person."""
    surnames = set()
    for cand in chosen:
        if cand.type == "person" and cand.end - cand.start >= 2:
            words = [t for t in doc[cand.start : cand.end] if t.is_alpha and not _is_initial(doc, t.i)]
            if words:
                surnames.add(words[-1].lower_)
                surnames.add(words[0].lower_) if _is_initial(doc, cand.end - 1) else None
    votes: dict[str, Counter] = {}
    for cand in chosen:
        if cand.end - cand.start == 1:
            votes.setdefault(doc[cand.start].lower_, Counter())[cand.type] += 1
    surnames |= {word for word, count in votes.items() if count["person"] > sum(count.values()) / 2}
    for cand in chosen:
        if cand.end - cand.start == 1 and cand.type != "person" and doc[cand.start].lower_ in surnames \
                and not gazetteer.lookup(doc[cand.start].text):
            cand.type = "person"


def _plausible(doc: Doc, cand: Candidate) -> bool:
    """Drop spans with no capitalised word, URLs, bibliography abbreviations ("Russ.", "Vol.")."""
    span = doc[cand.start : cand.end]
    text = span.text
    if not any(t.text[:1].isupper() for t in span) or "http" in text or "@" in text or "/" in text:
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    if len(span) == 1:
        token = span[0]
        if token.lower_ in NOT_NAMES:
            return False
        follows_dot = token.i + 1 < len(doc) and doc[token.i + 1].text == "."
        if follows_dot and len(token) <= 4 and not token.is_upper and not gazetteer.lookup(token.text):
            return False
    return True
