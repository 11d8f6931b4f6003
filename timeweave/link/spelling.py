"""One name spelt several ways: spacing or hyphenation ("Dien-Bien-Phu"/"Dienbienphu"), transliteration
("Toshkent"/"Tashkent") and a one-letter slip in a long name (`spelling_variants`, a rule of `Resolver`).

Only pairs of one type whose first words start alike can match; within those, pairs with the same
skeleton or near-identical skeletons come from indexes (`blocking`), not from all pairs, and each is
tested. An incremental run tests only the changed names, each against its whole block
(`pairs_touching`), and the spacing rule is name-local (`local`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from timeweave.annotate.entities.keys import squashed
from timeweave.link import local
from timeweave.link.blocking import spelling_candidates

if TYPE_CHECKING:
    from timeweave.link.resolve import Resolver

_SPELLING = {"t": ("spelling variant (transliteration)", "transliteration"),
             "n": ("spelling variant (near-identical spelling)", "near-identical spelling")}
NEAR_SPELLING = 92  # fuzz.ratio of two transliteration skeletons at least this: one name spelt twice
_TRANSLIT = [("kh", "h"), ("zh", "j"), ("ch", "j"), ("dzh", "j"), ("ou", "u"), ("oo", "u"), ("ts", "c"),
             ("tz", "c"), ("ie", "i"), ("y", "i"), ("w", "v"), ("ck", "k"), ("q", "k"), ("'", "")]
_SPELT_TYPES = ("place", "state", "organization")


def translit_skeleton(key: str) -> str:
    """A romanisation-insensitive form: "manchouli" and "manzhouli" both give "manjuli"."""
    s = squashed(key)
    for a, b in _TRANSLIT:
        s = s.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", s)


def same_words_but_one(a: str, b: str) -> bool:
    """Near-identical names differ in one word at most: "Hon Me"/"Hon Ne" pass here and fail on length."""
    wa, wb = a.split(), b.split()
    return len(wa) != len(wb) or sum(x != y for x, y in zip(wa, wb, strict=False)) <= 1


def spelling_variants(res: Resolver) -> None:
    """"Dien-Bien-Phu"/"Dienbienphu", "Toshkent"/"Tashkent", a one-letter slip in a long name."""
    spacing(res)
    if res.spelling_kept is not None and res.dirty is not None:
        pairs = pairs_touching(res, res.dirty)
    else:
        names = [k for k in res.sorted_keys if spelt_name(res, k)]
        skeletons = {k: skeleton(res, k) for k in names}
        blocks = [(res.key_type(k), k.split()[0][:2]) for k in names]
        pairs = set()
        for i, j in spelling_candidates(names, skeletons, blocks, NEAR_SPELLING):
            kind = spelling_pair(res, names[i], names[j])
            if kind is not None:
                pairs.add((names[i], names[j], kind))
    res.spelling_pairs = sorted(pairs)
    for a, b, kind in res.spelling_pairs:
        how, rule = _SPELLING[kind]
        res.edge(a, b, how, rule=rule, evidence=res.first_use(a) + res.first_use(b))


def spacing(res: Resolver) -> None:
    """Keys equal without their spaces join the first of them. Name-local (`local`): a key's block is every
    key squashed alike (which keys are in it, which are persons, and their first uses)."""
    near = None
    if res.dirty is not None and res.rules_kept is not None and "spacing" in res.rules_kept:
        near = {squashed(k) for k in res.dirty}
    first: dict[str, str] = {}
    callers: list[str] = []  # the fresh keys that may call: those squashed like a dirty key, not a person's
    for key in res.sorted_keys:
        if (near is None or squashed(key) in near) and res.key_type(key) != "person":
            first.setdefault(squashed(key), key)
            callers.append(key)

    def calls_of(key: str) -> list[local.Call]:
        head = first[squashed(key)] if res.key_type(key) != "person" else key
        return [] if head == key else [(head, key, "spelling variant (spacing or hyphenation)", "spacing variant",
                                         res.first_use(head) + res.first_use(key))]

    local.run(res, "spacing", res.sorted_keys, calls_of, None if near is None else lambda k: squashed(k) in near,
              callers=lambda: callers, within=res.by_key.__contains__)


def spelt_name(res: Resolver, key: str) -> bool:
    """A name the spelling rule compares: long enough, a place, state or body, never written as an acronym."""
    return len(squashed(key)) >= 6 and res.key_type(key) in _SPELT_TYPES and not res.written_as_acronym(key)


def skeleton(res: Resolver, key: str) -> str:
    found = res._skeletons.get(key)
    if found is None:
        found = res._skeletons[key] = translit_skeleton(key)
    return found


def spelling_pair(res: Resolver, a: str, b: str) -> str | None:
    """Whether two names (a before b) are one name spelt twice: "t" (transliteration), "n" (near-identical) or None."""
    if res.key_type(a) != res.key_type(b) or a.split()[0][:2] != b.split()[0][:2]:
        return None
    if len(a.split()) != len(b.split()) and squashed(a) != squashed(b):
        return None  # "hon me" and "hon me bay": a longer name is another thing, not a spelling
    sa, sb = skeleton(res, a), skeleton(res, b)
    if sa == sb:
        return "t"
    if min(len(sa), len(sb)) >= 8 and fuzz.ratio(sa, sb) >= NEAR_SPELLING and same_words_but_one(a, b):
        return "n"
    return None


def pairs_touching(res: Resolver, dirty: set[str]) -> set[tuple[str, str, str]]:
    """The spelling pairs of the last run between names whose mentions did not change, and each changed
    name tested against every name of its block (type, first letters), which holds every name it can pair with.

    Why this is a full run's set: whether two names pair depends only on their strings and their own
    mentions (type votes, acronym forms), so a pair of unchanged names pairs as it did; the indexes of
    `spelling_candidates` only skip pairs the test rejects, and here a changed name meets all of its block."""
    pairs = {tuple(p) for p in res.spelling_kept or () if p[0] not in dirty and p[1] not in dirty}
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    starts = {key.split()[0][:2] for key in dirty}  # the blocks of the changed names: no other block is read
    keys = res.sorted_keys  # a key of block (type, S) starts with S: only those ranges of the sorted keys are read
    for start in starts:
        for key in keys[bisect_left(keys, start):bisect_left(keys, start[:-1] + chr(ord(start[-1]) + 1))]:
            if key.split()[0][:2] == start and len(squashed(key)) >= 6 and res.key_type(key) in _SPELT_TYPES:
                members[(res.key_type(key), start)].append(key)
    for key in sorted(dirty):
        if key not in res.by_key or not spelt_name(res, key):
            continue
        for other in members[(res.key_type(key), key.split()[0][:2])]:
            if other != key and spelt_name(res, other):
                a, b = (key, other) if key < other else (other, key)
                kind = spelling_pair(res, a, b)
                if kind is not None:
                    pairs.add((a, b, kind))
    return pairs
