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
from dataclasses import dataclass, field
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


@dataclass(slots=True)
class Findings:
    """What one source's text says about its names, read from that text and its mentions alone.

    Why it can be kept from one build to the next (`link/store.py` keeps it in `corpus_state`): every
    test here reads one source's text, its mention rows, the lexicon and pure functions of a name
    (`alias_key`, `gazetteer.lookup`), never another source nor what the corpus says of a key; the
    tests that read the corpus (`Resolver.key_type`, names called a province anywhere, containers,
    found names met before) run on these findings in every build, in the same order as reading the
    texts did. Mentions are referred to by id: a source's rows keep their ids until it is re-stored,
    and a re-stored source is read again.
    """

    generic: list[str] = field(default_factory=list)  # keys the text calls a province, a region ...
    parens: list[tuple] = field(default_factory=list)  # (row, inner row or -1, inner text, inner start, designation, key, quote end)
    cues: list[tuple] = field(default_factory=list)  # (row, rule, second name's key, text, start, end)
    ors: list[tuple] = field(default_factory=list)  # (row before "or", row after, quote end)
    titles: list[tuple] = field(default_factory=list)  # (row, start of the title before it)
    odd: list[int] = field(default_factory=list)  # rows whose text's `alias_key` is not their key (a demonym, a seat)
    keys: list[str] = field(default_factory=list)  # the keys of its mentions: what changes when the source goes (kept apart)
    acronyms: list[tuple] = field(default_factory=list)  # (long row, acronym row, quote start, quote end): "X (XY)"

    def to_json(self) -> dict:
        """Everything but `keys`: a build reads every source's findings but only the changed sources' keys (four
        fifths of the bytes), so `link.store` keeps those in a row of their own."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "keys"}

    @classmethod
    def from_json(cls, value: dict, keys: list[str] | None = None) -> Findings:
        """The entries stay lists (the rules unpack them as they unpack `read_findings`'s tuples): an add reads
        every source's findings, and making tuples of them cost as much as parsing them."""
        return cls(value["generic"], value["parens"], value["cues"], value["ors"], value["titles"],
                   odd=value["odd"], keys=keys or [], acronyms=value["acronyms"])


def findings(res: Resolver, source_id: str) -> Findings:
    """The findings of a source: kept from an earlier build (`res.findings`) or read from its text now."""
    found = res.findings.get(source_id)
    if found is None:
        found = res.findings[source_id] = read_findings(res, source_id)
        res.fresh_findings.add(source_id)
    return found


def read_findings(res: Resolver, source_id: str) -> Findings:
    """Read one source's text for every in-text rule (see `Findings` for why nothing else is read)."""
    rows, text = res.by_source.get(source_id, []), res.texts.get(source_id, "")
    out = Findings(generic=sorted(_generic_in(res, text)), odd=[r.id for r in rows if res.key_of(r.text) != r.key],
                   keys=sorted({r.key for r in rows}))
    if not text:
        return out
    starts = [r.start for r in rows]
    by_start = {r.start: r for r in rows}
    title_words = res.lexicon.of("title")
    out.acronyms = acronym_pairs(rows, text)
    for i, row in enumerate(rows):
        nxt = _next_row(rows, i, starts)
        paren = _parenthesis(res, row, text, by_start)
        if paren is not None:
            out.parens.append(paren)
        cue = _cue(res, row, nxt, text, source_id)
        if cue is not None:
            out.cues.append(cue)
        quote_end = _or_pair(res, row, nxt, text) if nxt is not None else None
        if quote_end is not None:
            out.ors.append((row.id, nxt.id, quote_end))
        if len(row.key.split()) == 1:
            start = _title_start(res, row, text, title_words)
            if start is not None:
                out.titles.append((row.id, start))
    return out


def acronym_pairs(rows: list[MentionRow], text: str) -> list[tuple[int, int, int, int]]:
    """(long row, acronym row, quote start, quote end) of each name followed by its acronym in parentheses, or an
    acronym followed by its name: "the Organisation of African Unity (OAU)". Reads one text and its rows (in
    order of start); whether the letters fit is asked by `Resolver.acronyms`, which weighs the corpus."""
    out = []
    for prev, row in zip(rows, rows[1:], strict=False):
        if text[prev.end : row.start].strip() != "(" or not text[row.end : row.end + 2].lstrip().startswith(")"):
            continue
        long_, short = (prev, row) if is_acronym(row) and not is_acronym(prev) else (row, prev) \
            if is_acronym(prev) and not is_acronym(row) else (None, None)
        if long_ is not None:
            out.append((long_.id, short.id, prev.start, text.index(")", row.end) + 1))
    return out


def _generic_in(res: Resolver, text: str) -> set[str]:
    words_re = "|".join(sorted(re.escape(w) for w in _generic_words(res) if w != "operation"))
    patterns = _generic_patterns(words_re)
    keys: set[str] = set()
    for m in (m for pattern in patterns for m in pattern.finditer(text)):
        name_words = res.key_of(m.group(1)).split()
        keys.update(" ".join(name_words[i:]) for i in range(len(name_words)))  # "Hunan and Hubei province"
        keys.update(" ".join(name_words[:i]) for i in range(1, len(name_words) + 1))
    return keys


@lru_cache(maxsize=8)
def _generic_patterns(words_re: str) -> tuple[re.Pattern, ...]:
    return (re.compile(rf"\b(?:{words_re})\s+of\s+(?:the\s+)?((?-i:{_NAME}))", re.IGNORECASE),
            re.compile(rf"((?-i:{_NAME}))\s+(?:{words_re})\b", re.IGNORECASE))


def generic_named(res: Resolver) -> set[str]:
    """Keys of the names the texts call a province, a region, a district ... (each source's findings)."""
    return {key for source_id in sorted(set(res.by_source) | set(res.text_only)) for key in findings(res, source_id).generic}


def _parenthesis(res: Resolver, row: MentionRow, text: str, by_start: dict[int, MentionRow]) -> tuple | None:
    """The parenthesis right after a mention, when the text alone does not rule it out as a second name."""
    m = re.match(r"\s*\(\s*([^()]{1,60}?)\s*\)", text[row.end : row.end + 64])
    if not m or is_acronym(row):
        return None
    inner_start = row.end + m.start(1)
    inner = by_start.get(inner_start)
    if inner is not None and inner.end != row.end + m.end(1):
        inner = None
    if inner is not None and is_acronym(inner):
        return None  # an acronym: `Resolver.acronyms` checks its letters
    inner_text = inner.text if inner is not None else m.group(1)
    designation = DESIGNATION.fullmatch(inner_text) is not None
    if inner is None and not designation and (not _NAME_RE.fullmatch(inner_text) or inner_text.isupper()):
        return None  # "(1939)", "(see below)", "(D-AK)"
    key = inner.key if inner is not None else res.key_of(inner_text)
    if key == row.key or _different_states(res, row.text, inner_text):
        return None
    return (row.id, inner.id if inner is not None else -1, inner_text, inner_start, designation, key, row.end + m.end())


def parentheses(res: Resolver) -> None:
    """"Beijing (Peking)", "USS Constitution (IX-21)", "the Democratic Republic of Vietnam (North Vietnam)"."""
    containers: dict[str, set[str]] = defaultdict(set)  # parenthesised key -> keys it stood after
    pairs = []
    qualified = generic_named(res)
    for source_id in sorted(res.by_source):
        for row_id, inner_id, inner_text, inner_start, designation, key, quote_end in findings(res, source_id).parens:
            row, inner = res.by_id[row_id], res.by_id.get(inner_id)
            if inner is None and not designation and res.key_type(row.key) in ("person", "organization"):
                continue  # after a person or a body, a party, a place or a role
            if not designation and res.key_type(row.key) == "organization":
                continue  # "the Russian Academy of Sciences (Ulan-Ude)": a body and its seat, not two names
            if not designation and _qualifier(res, key, qualified):
                continue
            if inner is not None and _persons_mixed(res, row.key, inner.key):
                continue
            quote = res.span(source_id, row.start, quote_end)
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


def _cue(res: Resolver, row: MentionRow, nxt: MentionRow | None, text: str, source_id: str) -> tuple | None:
    """The first naming cue after a mention that gives a second name (rule, the name's key, text, start, end)."""
    after = text[row.end : row.end + _WINDOW]
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
        return (row.id, rule, second.key, second.text, second.start, second.end)
    return None


def naming_cues(res: Resolver) -> None:
    """"Francisco Franco, also called the Caudillo", "Constantinople, known in Turkey as Istanbul"."""
    for source_id in sorted(res.by_source):
        for row_id, rule, key, name, start, end in findings(res, source_id).cues:
            row = res.by_id[row_id]
            quote = res.span(source_id, row.start, end)
            res.add_found(FoundName(key, name, source_id, start, end), row.key, f"{rule} ({source_id})", rule=rule,
                          evidence=(quote,))


@lru_cache(maxsize=256)
def _cue_then_name(cue: str) -> re.Pattern:
    """A naming cue followed by a name, compiled once per cue (tried after every mention of the corpus)."""
    return re.compile(cue.rstrip("$") + f"((?-i:{_NAME}))", re.IGNORECASE)


def _or_pair(res: Resolver, prev: MentionRow, row: MentionRow, text: str) -> int | None:
    """Where the quote of "X or Y" ends, when the text says the two names name one thing; else None."""
    if not re.fullmatch(r"\s+or\s+(?:the\s+)?", text[prev.end : row.start]):
        return None
    if _different_states(res, prev.text, row.text) or _state_named(res, prev.text) or _state_named(res, row.text):
        return None  # "Japan or China" offers two states
    after = text[row.end : row.end + 120]
    before = text[max(0, prev.start - 6) : prev.start]
    next_word = (after.split(None, 1) or [""])[0]
    shared_noun = prev.type == row.type and prev.type in ("place", "state", "other") and next_word[:1].islower() \
        and next_word not in _NOT_NOUNS
    defining = re.search(r"(?:^|[.\n]\s*)(?:The\s+|the\s+)?$", before) is not None and _DEFINES.match(after)
    if not (shared_noun or defining):
        return None
    noun = re.match(r"\s*\w+", after) if shared_noun else None
    return row.end + (noun.end() if noun else 0)


def or_names(res: Resolver) -> None:
    """"the Khalkhin-Gol or Nomonhan incident", "The Gulf of Tonkin Resolution or the Southeast Asia Resolution, ... was".

    "X or Y" usually offers two things ("Japan or China"), so it names one thing only in two shapes:
    both names modify one common noun that follows, or they are the subject of a defining sentence
    ("X or Y, ..., was a ...") that starts with X.
    """
    for source_id in sorted(res.by_source):
        for prev_id, row_id, quote_end in findings(res, source_id).ors:
            prev, row = res.by_id[prev_id], res.by_id[row_id]
            if _persons_mixed(res, prev.key, row.key):
                continue
            res.edge(prev.key, row.key, f"apposition 'X or Y' ({source_id})", rule="X or Y",
                     evidence=(res.span(source_id, prev.start, quote_end),), said=True)


def _title_start(res: Resolver, row: MentionRow, text: str, title_words: frozenset[str]) -> int | None:
    """Where a title right before a one-word name starts ("President" of "President Johnson"), or None."""
    m = _TITLE_BEFORE.search(text[max(0, row.start - 30) : row.start])
    if not m:
        return None
    words = m.group(1).split()
    for n in (len(words), 1):
        title = " ".join(words[-n:])
        if res.key_of(title) in title_words:
            return row.start - len(m.group(0)) + m.group(0).index(title)
    return None


_TITLE_BEFORE = re.compile(r"\b([A-Z][A-Za-z]*(?:\s+[A-Z][A-Za-z]*)?)\.?\s+$")


def titles(res: Resolver) -> None:
    """"President Johnson", "Secretary McNamara": a title before a surname is a name the text uses for that person."""
    for source_id in sorted(res.by_source):
        found = findings(res, source_id).titles
        text = res.texts.get(source_id, "") if found else ""  # read only when a title is found
        for row_id, start in found:
            row = res.by_id[row_id]
            if res.key_type(row.key) != "person":
                continue
            name = text[start : row.end]
            found = FoundName(res.key_of(name), name, source_id, start, row.end)
            res.add_found(found, row.key, f"title and surname ({source_id})", rule="title and surname",
                          evidence=(res.span(source_id, start, row.end),))
