"""Finding, repairing and typing entity mentions in a parsed Doc.

Each rule is a general cue about historical prose, not a list of this corpus's names:
- place words ("River", "Lake", "Gol", "-sume") make a place, whatever NER said;
- a military noun after a capitalised modifier ("Kwantung army", "Japanese troops") makes a unit;
- treaty words ("Pact", "Protocol", "Principles") make a work;
- state words ("Republic", "Union", "Empire") make a state;
- initials and adjacent capitalised words extend person names ("H. Nelson", "Horatio Nelson");
- demonyms, capitals and seats of government in actor position stand for the state (gazetteer);
- hyphenated pairs of states ("Soviet-Mongolian", "Manchukuo-MPR") are two mentions;
- spans are cut at line breaks, colons and brackets, which NER happily runs across in titles.

The words are data (`timeweave/knowledge/words.tsv`, `place_words.tsv`, extendable by a user's
knowledge folder); names of states resolve for the narrative year of the sentence (`when.py`).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from timeweave.annotate.entities import gazetteer
from timeweave.annotate.entities.keys import alias_key
from timeweave.annotate.entities.shape import (
    Candidate, harmonise_persons, is_cap, is_initial, is_name_word, person_bounds, pieces, plausible, resolve_surnames, trim,
)
from timeweave.annotate.entities.when import NarrativeTime
from timeweave.annotate.entities.words import words

# Grammar of English and of spaCy's label scheme, not world knowledge: these stay in code.
LOCATIVE_PREPS = {"in", "at", "near", "into", "across", "along", "to", "from", "on", "toward", "towards"}
ACTOR_DEPS = {"nsubj", "nsubjpass", "poss", "agent"}
SKIP_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}


def _find(when: NarrativeTime, doc: Doc, i: int, text: str) -> tuple[gazetteer.State, str] | None:
    """The gazetteer's state for `text`, written at token `i`, in the year the narrative is in there."""
    return gazetteer.lookup(text, year=when.at(doc[i].idx).year)


def _place_cue_spans(doc: Doc) -> list[Candidate]:
    """Places marked by a generic word: "Khalkhin-Gol River", "Khalkhin-sume", "Lake Khasan"."""
    out = []
    for token in doc:
        low = token.lower_
        if low in words().place_suffixes and token.i > 0:
            start = token.i
            while start > 0 and (is_cap(doc[start - 1]) or (doc[start - 1].text == "-" and start > 1
                                                             and is_cap(doc[start - 2]))):
                start -= 1
            lower_ok = low in words().lowercase_place_suffixes and doc[token.i - 1].pos_ == "PROPN"
            if start < token.i and (token.text[:1].isupper() or doc[token.i - 1].text == "-" or lower_ok):
                end = token.i + 1
                if end < len(doc) and doc[end].lower_ in ("river", "lake") and doc[end].text[:1].isupper():
                    end += 1
                out.append(Candidate(start, end, "place", rule=True))
        elif low in words().place_prefixes and token.text[:1].isupper() and token.i + 1 < len(doc) and is_cap(doc[token.i + 1]):
            out.append(Candidate(token.i, token.i + 2, "place", rule=True))
    return out


def _military_spans(doc: Doc, when: NarrativeTime) -> list[Candidate]:
    """Units: capitalised modifiers before a military noun ("Kwantung army", "the Red Army", "Japanese troops")."""
    out = []
    for token in doc:
        if token.lower_ not in words().military_nouns or token.i == 0 or token.pos_ not in ("NOUN", "PROPN"):
            continue
        if token.dep_ in ("compound", "amod", "nmod") and token.head.i > token.i:
            continue  # "Military Cooperation": a modifier, not a unit
        start = token.i
        while start > 0 and (is_name_word(doc[start - 1]) or doc[start - 1].lower_ == "armed"):
            start -= 1
        while start < token.i and not is_name_word(doc[start]):
            start += 1
        if start == token.i or any(t.text in ("-", "–") for t in doc[start : token.i]):
            continue  # "Soviet-Mongolian forces" are two states' forces: left to the demonyms
        key = None
        year = when.at(token.idx).year
        modifiers = [t for t in doc[start : token.i] if is_cap(t)]
        found = gazetteer.lookup(modifiers[0].text, year=year) if len(modifiers) == 1 else None
        whole = gazetteer.lookup(doc[start : token.i].text, year=year)
        if whole and whole[1] in ("demonym", "name", "alias"):
            found = whole  # "North Vietnamese navy": a two-word demonym
        if whole and whole[1] == "military":
            key = gazetteer.military_key(whole[0])  # "Red Army troops"
        elif found and found[1] in ("demonym", "name", "alias") and token.lower_ in words().army_nouns:
            key = gazetteer.military_key(found[0], year=year)  # "Iraqi troops" -> Iraq's army of that year
        elif found and found[1] in ("demonym", "name", "alias") and token.lower_ in words().navy_nouns:
            key = gazetteer.navy_key(found[0], year=year)  # "British navy" in 1916 -> "royal navy"
        out.append(Candidate(start, token.i + 1, "military_unit", key=key, rule=True))
    return out


def _institution_spans(doc: Doc) -> list[Candidate]:
    """Standing bodies NER often misses or calls persons: "the Reichstag", "the Duma", "the General Staff",
    "the Council of Ministers". The body's noun, capitalised, with the name words before it and an
    "of ..." complement after it; NER's own longer name ("Naval History and Heritage Command") wins."""
    w = words()
    out = []
    for token in doc:
        if token.lower_ not in w.institutions or not token.text[:1].isupper() or token.pos_ not in ("NOUN", "PROPN"):
            continue
        start = token.i
        while start > 0 and is_name_word(doc[start - 1]):
            start -= 1
        if start == token.i and token.i > 0 and doc[token.i - 1].lower_ == "of":
            continue  # "Chief of Staff", "Minister of the Interior": a title's complement, not a body
        end = token.i + 1
        if end + 1 < len(doc) and doc[end].lower_ == "of":
            j = end + 1 + (doc[end + 1].lower_ == "the")
            k = j
            while k < len(doc) and (is_name_word(doc[k]) or doc[k].lower_ in ("'s", "’s") and k > j):
                k += 1
            end = k if k > j else end
        out.append(Candidate(start, end, "organization"))
    return out


def _assembly_of_place(doc: Doc, span: Span, when: NarrativeTime) -> bool:
    """"the Congress of Vienna", "the Congress of Berlin": a body's noun that also names a meeting (an
    event word) followed by "of" and a place that is not a state is that meeting, not the body
    ("the Congress of the United States" is the body)."""
    w = words()
    for token in span:
        if token.lower_ in w.institutions and token.lower_ in w.event_words and token.i + 2 <= span.end - 1 \
                and doc[token.i + 1].lower_ == "of":
            rest = [t for t in doc[token.i + 2 : span.end] if t.lower_ != "the"]
            if not rest:
                return False
            found = _find(when, doc, rest[0].i, " ".join(t.text for t in rest))
            if found and found[1] in ("name", "alias"):
                return False
            return (found is not None and found[1] == "seat") or all(t.ent_type_ in ("GPE", "LOC", "FAC") for t in rest)
    return False


def _vessel_spans(doc: Doc) -> list[Candidate]:
    """Ships: a prefix before a name ("USS Constitution", "HMS Dreadnought", "USS J. Douglas Blackwood") or a kind of
    vessel before it ("the battleship Bismarck", "the cruiser Aurora"): a vessel is a military unit."""
    w = words()
    out = []
    for token in doc:
        prefix = token.lower_ in w.ship_prefixes and token.text.isupper() and len(token) > 1
        noun = token.lower_ in w.vessel_nouns and token.is_lower
        if not (prefix or noun) or token.i + 1 >= len(doc):
            continue
        first = doc[token.i + 1]
        if not (prefix and is_initial(doc, first.i) or is_cap(first) and not first.is_stop and (prefix or first.pos_ == "PROPN")):
            continue
        end = token.i + 1
        while end < len(doc) and (is_name_word(doc[end]) or is_initial(doc, end)
                                  or doc[end].text == "." and is_initial(doc, end - 1)):
            end += 1
        names = [(token.i if prefix else token.i + 1, end)]
        while noun and token.tag_ == "NNS" and end + 1 < len(doc) and doc[end].lower_ in ("and", ",") \
                and is_name_word(doc[end + 1]) and doc[end + 1].pos_ == "PROPN":
            start, end = end + 1, end + 2  # "the carriers Ticonderoga and Constellation": one name each
            while end < len(doc) and is_name_word(doc[end]):
                end += 1
            names.append((start, end))
        for start, end in names:
            lows = {t.lower_ for t in doc[start:end]}
            if not lows & (w.military_nouns | w.org_words | w.institutions | w.place_suffixes):
                out.append(Candidate(start, end, "military_unit", rule=True))  # not "SS Panzer Division"
    return out


def _operation_spans(doc: Doc) -> list[Candidate]:
    """Code names of operations: "Operation Overlord", "Operation Sea Lion", "OPLAN 34A". An operation is
    something done, typed `other`, not an actor that takes part in events (NER calls them ORG or PERSON)."""
    w = words()
    out = []
    for token in doc:
        if token.lower_ not in w.operation_words or not token.text[:1].isupper():
            continue
        end = token.i + 1
        while end < len(doc) and (is_cap(doc[end]) and not doc[end].is_stop or _code(doc[end].text)):
            end += 1
        if end > token.i + 1:
            out.append(Candidate(token.i, end, "other", rule=True))
    return out


def _code(text: str) -> bool:
    """"34A", "5B": a number with capital letters, part of a code name."""
    return text[:1].isdigit() and text.isalnum() and text.isupper()


def _harmonise_named(doc: Doc, chosen: list[Candidate], type_: str, drop: frozenset[str]) -> None:
    """A name the text gives with a prefix ("Operation Overlord", "HMS Dreadnought") is the same thing
    where it stands alone ("Overlord", "the Dreadnought"), unless it is also the surname of a person
    the text names in full. `drop`: the prefixes, in lower case."""
    names = set()
    for cand in chosen:
        if cand.type == type_ and cand.rule:
            tokens = [t for t in doc[cand.start : cand.end] if t.lower_ not in drop]
            while tokens and (is_initial(doc, tokens[0].i) or tokens[0].text == "."):
                tokens = tokens[1:]
            if tokens:
                names.add(" ".join(t.lower_ for t in tokens))
    surnames = {doc[c.end - 1].lower_ for c in chosen if c.type == "person" and c.end - c.start >= 2}
    for cand in chosen:
        text = " ".join(t.lower_ for t in doc[cand.start : cand.end])
        if cand.type != type_ and text in names and text not in surnames:
            cand.type = type_


def _work_spans(doc: Doc) -> list[Candidate]:
    """Named agreements: "Anti-Comintern Pact", "Protocol of Mutual Assistance", "Fundamental Principles of ..."."""
    out = []
    for token in doc:
        if token.lower_ not in words().work_words or not token.text[:1].isupper() or token.is_sent_start and token.i + 1 < len(doc) and doc[token.i + 1].lower_ != "of":
            continue
        start = token.i
        while start > 0 and (is_name_word(doc[start - 1]) or (doc[start - 1].text == "-" and start > 1
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
    """All-capital words NER skipped (often inside titles): "USSR", "MNR", "CPSU".

    Identifiers ("DOI", "ISBN") and bibliographic abbreviations in capitals ("VOL.", "(IN RUSS.)")
    are not names."""
    def in_caps_title(t: Token) -> bool:
        near = [doc[j] for j in (t.i - 1, t.i + 1, t.i - 2, t.i + 2) if 0 <= j < len(doc) and doc[j].is_alpha]
        return any(n.is_upper and len(n) > 2 for n in near[:2])

    return [Candidate(t.i, t.i + 1, "organization", rule=False) for t in doc
            if t.is_alpha and t.is_upper and 2 <= len(t) <= 6 and t.text not in words().noise_acronyms
            and t.lower_ not in words().bibliographic
            and not t.is_stop and not in_caps_title(t)]


def _demonym_spans(doc: Doc, when: NarrativeTime) -> list[Candidate]:
    """Demonyms and seats of government of known states ("Soviet", "the Kremlin", "North Vietnamese")."""
    out = []
    for t in doc:
        if not t.text[:1].isupper():
            continue
        for size in (2, 1):  # two-word demonyms and seats first: "South African", "Downing Street"
            if t.i + size > len(doc) or any(not doc[j].text[:1].isupper() or doc[j].is_stop
                                            for j in range(t.i, t.i + size)):
                continue
            found = _find(when, doc, t.i, doc[t.i : t.i + size].text)
            if found and found[1] in ("demonym", "seat"):
                out.append(Candidate(t.i, t.i + size, "state", rule=False))
                break
    return out


def _split_pairs(doc: Doc, cand: Candidate, when: NarrativeTime) -> list[Candidate]:
    """"Soviet-Mongolian", "Manchukuo-MPR": a hyphenated pair of states is two mentions."""
    hyphens = [i for i in range(cand.start, cand.end) if doc[i].text in ("-", "–")]
    if not hyphens:
        return [cand]
    bounds = [cand.start, *[h for h in hyphens], cand.end]
    parts = [(bounds[0], bounds[1])] + [(h + 1, nxt) for h, nxt in zip(hyphens, bounds[2:], strict=True)]
    names = [doc[s:e].text for s, e in parts]
    if all(e - s >= 1 and (_find(when, doc, s, n) or n.isupper()) for (s, e), n in zip(parts, names, strict=True)):
        return [Candidate(s, e, "state", rule=cand.rule) for s, e in parts]
    return [cand]


def _type_of(doc: Doc, span: Span, label: str, when: NarrativeTime) -> str:
    """The timeweave type of a cleaned span from its words, the gazetteer, NER's label and syntax."""
    w = words()
    lows = [t.lower_ for t in span]
    last, text = lows[-1], span.text
    found = _find(when, doc, span.start, text)
    if last in w.place_suffixes or lows[0] in w.place_prefixes and len(lows) > 1:
        return "place"
    if set(lows) & w.work_words and label != "PERSON":
        return "work"
    if last in words().military_nouns or (found and found[1] == "military"):
        return "military_unit"
    if found:
        if found[1] == "seat" and not _actor_position(span):
            return "place"
        return "state"
    if last in words().state_words or "people's republic" in text.lower().replace("’", "'"):
        return "state"
    if set(lows) & w.institutions:
        return "other" if _assembly_of_place(doc, span, when) else "organization"
    if set(lows) & w.org_words:
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
    if label == "NORP" or set(lows) & w.event_words:
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


def _key_of(span: Span, type_: str, when: NarrativeTime) -> str:
    """The alias key; demonyms, seats and states' army names resolve to the state's own key."""
    found = _find(when, span.doc, span.start, span.text)
    if found:
        state, how = found
        if how == "military":
            return gazetteer.military_key(state)
        if how in ("demonym", "seat") and type_ == "state":
            return gazetteer.state_key(state)
    w = words()
    if type_ == "military_unit" and len(span) >= 2 and span[-1].lower_ in w.navy_nouns | w.army_nouns:
        # a unit NER found where the parse made it a modifier ("North Vietnamese Navy torpedo boats")
        owner = _find(when, span.doc, span.start, span[:-1].text)
        if owner and owner[1] in ("demonym", "name", "alias"):
            year = when.at(span[0].idx).year
            key = gazetteer.navy_key(owner[0], year=year) if span[-1].lower_ in w.navy_nouns \
                else gazetteer.military_key(owner[0], year=year)
            if key:
                return key
    return alias_key(span.text)


def find_candidates(doc: Doc) -> list[Candidate]:
    """All cleaned, typed, non-overlapping entity spans of a Doc, in text order.

    Names of states resolve for the narrative year at each mention (`when.NarrativeTime`: the
    sentence's time expressions, else the last earlier one, else the document date), so the same
    "Moscow" is the Soviet Union in a sentence about 1939 and Russia in one about 2008."""
    when = NarrativeTime(doc)
    raw = [Candidate(e.start, e.end, e.label_) for e in doc.ents if e.label_ not in SKIP_LABELS]
    raw += _place_cue_spans(doc) + _military_spans(doc, when) + _work_spans(doc) + _vessel_spans(doc)
    raw += _institution_spans(doc) + _operation_spans(doc)
    cleaned: list[Candidate] = []
    for cand in raw:
        for start, end in pieces(doc, cand.start, cand.end):
            start, end = trim(doc, start, end)
            if end <= start:
                continue
            if cand.type == "PERSON":
                start, end = person_bounds(doc, start, end)
                start, end = trim(doc, start, end)
            piece = Candidate(start, end, cand.type, cand.key, cand.rule)
            cleaned.extend(_split_pairs(doc, piece, when))
    extra = _acronym_spans(doc) + _demonym_spans(doc, when)
    cleaned += extra
    # Rule spans first, then longer spans: each token belongs to at most one mention.
    cleaned.sort(key=lambda c: (not c.rule, -(c.end - c.start), c.start))
    taken = set()
    chosen = []
    for cand in cleaned:
        tokens = set(range(cand.start, cand.end))
        if tokens & taken or not plausible(doc, cand):
            continue
        taken |= tokens
        chosen.append(cand)
    for cand in chosen:
        span = doc[cand.start : cand.end]
        if cand.type not in ("place", "military_unit", "state", "work", "other") or not cand.rule:
            cand.type = _type_of(doc, span, cand.type, when)
    # States named inside a work's name ("Soviet-German Pact") are still participants: nest them.
    works = [c for c in chosen if c.type == "work"]
    chosen += [c for c in extra if c.type == "state" and any(w.start <= c.start and c.end <= w.end for w in works)
               and plausible(doc, c)]
    harmonise_persons(doc, chosen)
    _harmonise_named(doc, chosen, "military_unit", words().ship_prefixes)
    _harmonise_named(doc, chosen, "other", words().operation_words)
    for cand in chosen:
        cand.moment = when.at(doc[cand.start].idx)
        if cand.key is None:
            cand.key = _key_of(doc[cand.start : cand.end], cand.type, when)
    resolve_surnames(doc, chosen)
    return sorted(chosen, key=lambda c: (c.start, -c.end))


