"""Names a text itself says are one: "X (Y)", "X, also called Y", "known in Japan as", "X or Y", a title.

Each rule reads the words between or around mentions of one source and, when they say two names
name one thing, adds an edge whose evidence is the quote that says so. A second name that the
annotate stage did not mark (the "Caudillo" of "Franco, also called the Caudillo") is taken from
the text as a `FoundName`, so it can still meet the same name used alone in another document.
Guards: a person is never renamed as a non-person or the reverse, and two different states of the
gazetteer are never made one ("Springfield (Illinois)"-style qualifiers are left alone when the
qualifier is a state or a generic place name).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from functools import lru_cache

from timeweave.link.resolve import FoundName, MentionRow, Resolver, is_acronym

# A capitalised name as English prose writes it: "Caudillo", "Saint Petersburg", "Bank of England".
_WORD = r"(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z][a-z]{0,2}\.|[A-Z\u00C0-\u00DE][\w'\u2019\-]*)"  # "U.S.", "St.", "Saint-Denis"
_NAME = rf"{_WORD}(?:\s+(?:(?:of|the|de|du|da|del|von|van|der|al|el|and)\s+)*{_WORD})*"
_NAME_RE = re.compile(_NAME)
# A designation: hull numbers and the like ("DD-731", "CV 14", "U-47", "B-29").
DESIGNATION = re.compile(r"[A-Z]{1,4}[- ]?\d{1,5}[A-Z]?")
_WINDOW = 80  # characters after a mention in which a second name may be given
_NOT_NOUNS = {"and", "or", "to", "in", "of", "on", "at", "by", "for", "from", "with", "was", "is", "were", "are", "had",
              "has", "which", "who", "that", "where", "when"}
_DEFINES = re.compile(r"^\s*(?:\([^()]{0,80}\)\s*)?(?:,[^.;]{0,80}?,\s*)?(?:,\s*)?(?:is|was|are|were)\b")


def _persons_mixed(res: Resolver, a: str, b: str) -> bool:
    return (res.key_type(a) == "person") != (res.key_type(b) == "person") if a in res.by_key and b in res.by_key else False


def _different_states(res: Resolver, a_text: str, b_text: str) -> bool:
    """"Paris (France)": one side is a state of the gazetteer and the other is not that state."""
    fa, fb = _state_named(res, a_text), _state_named(res, b_text)
    return (fa is not None or fb is not None) and fa != fb


def _state_named(res: Resolver, text: str):
    """The gazetteer state a text names by its name or an alias (a capital or a demonym is not the state)."""
    found = res.lookup(text)
    return found[0] if found and found[1] in ("name", "alias") else None


def _qualifier(res: Resolver, key: str, generic_named: set[str]) -> bool:
    """A parenthesis that places or classifies rather than renames: "Wuhan (Hubei)".

    It does when it holds a generic place word or a number, or when the corpus calls the same name a
    province, a region ... anywhere ("the central province of Hubei", "Hubei province").
    """
    words = key.split()
    if not words or any(w in _generic_words(res) for w in words) or key.replace(" ", "").isdigit():
        return True
    return key in generic_named


def _generic_words(res: Resolver) -> set[str]:
    return set(res.lexicon.of("generic_suffix")) | {w.split()[0] for w in res.lexicon.of("generic_prefix")}


def generic_named(res: Resolver) -> set[str]:
    """Keys of the names the texts call a province, a region, a district ... (one pass over the texts)."""
    words_re = "|".join(sorted(re.escape(w) for w in _generic_words(res) if w != "operation"))
    patterns = [re.compile(rf"\b(?:{words_re})\s+of\s+(?:the\s+)?((?-i:{_NAME}))", re.IGNORECASE),
                re.compile(rf"((?-i:{_NAME}))\s+(?:{words_re})\b", re.IGNORECASE)]
    keys: set[str] = set()
    for text in res.texts.values():
        for m in (m for pattern in patterns for m in pattern.finditer(text)):
            name_words = res.key_of(m.group(1)).split()
            keys.update(" ".join(name_words[i:]) for i in range(len(name_words)))  # "Hunan and Hubei province"
            keys.update(" ".join(name_words[:i]) for i in range(1, len(name_words) + 1))
    return keys


def parentheses(res: Resolver) -> None:
    """"Beijing (Peking)", "USS Constitution (IX-21)", "the Democratic Republic of Vietnam (North Vietnam)"."""
    containers: dict[str, set[str]] = defaultdict(set)  # parenthesised key -> keys it stood after
    pairs = []
    qualified = generic_named(res)
    for source_id, rows in sorted(res.by_source.items()):
        text = res.texts.get(source_id, "")
        if not text:
            continue
        starts = {r.start: r for r in rows}
        for row in rows:
            m = re.match(r"\s*\(\s*([^()]{1,60}?)\s*\)", text[row.end : row.end + 64])
            if not m or is_acronym(row):
                continue
            inner_start = row.end + m.start(1)
            inner = starts.get(inner_start)
            if inner is not None and inner.end != row.end + m.end(1):
                inner = None
            if inner is not None and is_acronym(inner):
                continue  # an acronym: `Resolver.acronyms` checks its letters
            inner_text = inner.text if inner is not None else m.group(1)
            designation = DESIGNATION.fullmatch(inner_text) is not None
            if inner is None and not designation and (not _NAME_RE.fullmatch(inner_text) or inner_text.isupper()
                                                      or res.key_type(row.key) in ("person", "organization")):
                continue  # "(1939)", "(see below)", "(D-AK)"; after a person or a body, a party, a place or a role
            key = inner.key if inner is not None else res.key_of(inner_text)
            if not designation and res.key_type(row.key) == "organization":
                continue  # "the Russian Academy of Sciences (Ulan-Ude)": a body and its seat, not two names
            if key == row.key or not designation and _qualifier(res, key, qualified):
                continue
            if _different_states(res, row.text, inner_text) or (inner is not None and _persons_mixed(res, row.key, inner.key)):
                continue
            quote = res.span(source_id, row.start, row.end + m.end())
            containers[key].add(row.key)
            pairs.append((row, key, inner_text, inner_start, designation, quote))
    for row, key, inner_text, inner_start, designation, quote in pairs:
        if not designation and len(containers[key]) > 1:
            continue  # one parenthesis after several names places them ("Vinh (Nghe An)", "Cua Lo (Nghe An)")
        how = "designation in parentheses" if designation else "second name in parentheses"
        found = FoundName(key, inner_text, row.source_id, inner_start, inner_start + len(inner_text))
        res.add_found(found, row.key, f"{how} ({row.source_id})", rule=how, evidence=(quote,))


def _next_row(rows: list[MentionRow], index: int, starts: list[int]) -> MentionRow | None:
    """The first mention after `rows[index]` that starts at or after its end (`starts`: the rows' starts, sorted)."""
    nxt = bisect_left(starts, rows[index].end, index + 1)
    return rows[nxt] if nxt < len(rows) else None


def naming_cues(res: Resolver) -> None:
    """"Francisco Franco, also called the Caudillo", "Constantinople, known in Turkey as Istanbul"."""
    for source_id, rows in sorted(res.by_source.items()):
        text = res.texts.get(source_id, "")
        starts = [r.start for r in rows]
        for i, row in enumerate(rows):
            after = text[row.end : row.end + _WINDOW]
            nxt = _next_row(rows, i, starts)
            for rule, pattern in res.lexicon.cues:
                second = None
                if nxt is not None and nxt.start - row.end <= _WINDOW and pattern.fullmatch(text[row.end : nxt.start]):
                    # the cue words say it is a second name, whatever type the annotator guessed for it
                    # ("Mannerheim, also called the White General" with "White General" marked an organization)
                    second = FoundName(nxt.key, nxt.text, source_id, nxt.start, nxt.end)
                else:
                    m = _cue_then_name(pattern.pattern).match(after)
                    if m and m.group(1)[:1].isupper():
                        name = m.group(1).rstrip(".")
                        start = row.end + m.start(1)
                        second = FoundName(res.key_of(name), name, source_id, start, start + len(name))
                if second is None or not second.key or _different_states(res, row.text, second.text):
                    continue
                quote = res.span(source_id, row.start, second.end)
                res.add_found(second, row.key, f"{rule} ({source_id})", rule=rule, evidence=(quote,))
                break


@lru_cache(maxsize=256)
def _cue_then_name(cue: str) -> re.Pattern:
    """A naming cue followed by a name, compiled once per cue (tried after every mention of the corpus)."""
    return re.compile(cue.rstrip("$") + f"((?-i:{_NAME}))", re.IGNORECASE)


def or_names(res: Resolver) -> None:
    """"the Khalkhin-Gol or Nomonhan incident", "The Gulf of Tonkin Resolution or the Southeast Asia Resolution, ... was".

    "X or Y" usually offers two things ("Japan or China"), so it names one thing only in two shapes:
    both names modify one common noun that follows, or they are the subject of a defining sentence
    ("X or Y, ..., was a ...") that starts with X.
    """
    for source_id, rows in sorted(res.by_source.items()):
        text = res.texts.get(source_id, "")
        starts = [r.start for r in rows]
        for i, prev in enumerate(rows):
            row = _next_row(rows, i, starts)
            if row is None or not re.fullmatch(r"\s+or\s+(?:the\s+)?", text[prev.end : row.start]):
                continue
            if _persons_mixed(res, prev.key, row.key) or _different_states(res, prev.text, row.text):
                continue
            if _state_named(res, prev.text) or _state_named(res, row.text):
                continue  # "Japan or China" offers two states
            after = text[row.end : row.end + 120]
            before = text[max(0, prev.start - 6) : prev.start]
            next_word = (after.split(None, 1) or [""])[0]
            shared_noun = prev.type == row.type and prev.type in ("place", "state", "other") and next_word[:1].islower() \
                and next_word not in _NOT_NOUNS
            defining = re.search(r"(?:^|[.\n]\s*)(?:The\s+|the\s+)?$", before) is not None and _DEFINES.match(after)
            if shared_noun or defining:
                noun = re.match(r"\s*\w+", after) if shared_noun else None
                quote = res.span(source_id, prev.start, row.end + (noun.end() if noun else 0))
                res.edge(prev.key, row.key, f"apposition 'X or Y' ({source_id})", rule="X or Y", evidence=(quote,),
                         said=True)


def titles(res: Resolver) -> None:
    """"President Johnson", "Secretary McNamara": a title before a surname is a name the text uses for that person."""
    title_words = res.lexicon.of("title")
    pattern = re.compile(r"\b([A-Z][A-Za-z]*(?:\s+[A-Z][A-Za-z]*)?)\.?\s+$")
    for source_id, rows in sorted(res.by_source.items()):
        text = res.texts.get(source_id, "")
        for row in rows:
            if res.key_type(row.key) != "person" or len(row.key.split()) != 1:
                continue
            m = pattern.search(text[max(0, row.start - 30) : row.start])
            if not m:
                continue
            words = m.group(1).split()
            for n in (len(words), 1):
                title = " ".join(words[-n:])
                if res.key_of(title) in title_words:
                    start = row.start - len(m.group(0)) + m.group(0).index(title)
                    name = text[start : row.end]
                    found = FoundName(res.key_of(name), name, source_id, start, row.end)
                    res.add_found(found, row.key, f"title and surname ({source_id})", rule="title and surname",
                                  evidence=(res.span(source_id, start, row.end),))
                    break
