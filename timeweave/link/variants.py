"""Names the corpus writes in several forms: generic words, word order, ship prefixes (parts written otherwise: `parts.py`).

These rules compare keys across the whole corpus, so each carries a guard against the classic wrong
merge: a generic word is only dropped when what remains is a name the corpus uses; a ship prefix is
not dropped when the bare name is a person's surname in the corpus; a part is only rewritten when
the corpus (or the gazetteer) already says the two parts are one; a typo is a word used once, one
edit from a word used often, long enough that one edit is not another word ("Iran"/"Iraq",
"Niger"/"Nigeria" never meet it); a bare head ("Congress") joins "United States Congress" only when
no other modifier of that head occurs anywhere in the corpus ("Navy" beside "US Navy" and "North
Vietnamese Navy" stays alone, and "House" is never "White House": "White" is not a state).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict

from timeweave.annotate.entities.keys import squashed
from timeweave.link import local
from timeweave.link.resolve import Resolver



def generic_words(res: Resolver) -> None:
    """"Hubei province" = "Hubei", "the City of Washington" = "Washington", "Operation Sea Lion" = "Sealion"."""
    by_squashed: dict[str, list[str]] = defaultdict(list)
    names = res.names()
    for key in names:
        by_squashed[squashed(key)].append(key)
    suffixes, prefixes = res.lexicon.of("generic_suffix"), res.lexicon.of("generic_prefix")
    org_suffixes = res.lexicon.of("org_suffix")

    def calls_of(key: str) -> list[tuple]:
        if res.key_type(key) == "person":
            return []
        rests = [(key[: -len(w) - 1], w) for w in suffixes if key.endswith(" " + w)]
        rests += [(key[len(w) + 1 :], w) for w in prefixes if key.startswith(w + " ")]
        organization = res.key_type(key) == "organization"
        rests += [(key[: -len(w) - 1], w) for w in org_suffixes if organization and key.endswith(" " + w)]
        calls = []
        for rest, word in rests:
            if len(squashed(rest)) < 3:
                continue
            for other in by_squashed.get(squashed(rest), []):
                if other != key and (word not in org_suffixes or res.key_type(other) == "organization"):
                    calls.append((other, key, f"same name with the generic word '{word}'", "generic word",
                                  res.first_use(other) + res.first_use(key)))
        return calls

    # Name-local (`local`): a key's calls read the names whose squashed form is its own minus a generic word.
    fresh = callers = None
    if res.dirty is not None and res.found_kept is not None:
        touched = res.dirty | set(res.found) | res.found_kept  # found names hang on other sources' findings
        words = {squashed(w) for w in suffixes | prefixes | org_suffixes}
        shapes = {shape for s in map(squashed, touched) for w in words for shape in (s + w, w + s)}
        fresh = lambda key: key in touched or squashed(key) in shapes  # noqa: E731
        # The fresh keys, each one of `names`: those touched, and those squashed into a shape (through the index).
        callers = lambda: [*filter(res.is_name, touched), *(k for s, ks in by_squashed.items() if s in shapes for k in ks)]  # noqa: E731
    local.run(res, "generic", names, calls_of, fresh, callers=callers, within=res.is_name)


def of_forms(res: Resolver) -> None:
    """"Gulf of Tonkin" = "Tonkin Gulf", "Sea of Japan" = "Japan Sea": the generic word may move."""
    names = res.names()  # sorted: a key "W of ..." lies in the range of keys starting so, for each word W of the rule
    words = res.lexicon.of("of_form")
    ranges = sorted((bisect_left(names, w + " of "), bisect_left(names, w + " of!")) for w in words)
    for key in sorted({k for lo, hi in ranges for k in names[lo:hi]}):
        m = re.fullmatch(r"(\w+) of (.+)", key)
        if m and m.group(1) in words:
            other = f"{m.group(2)} {m.group(1)}"
            if other in res.by_key or other in res.found:  # one of `names`
                res.edge(key, other, f"same name in the other word order ('{other}')", rule="word order",
                         evidence=res.first_use(key) + res.first_use(other))


def ship_prefixes(res: Resolver) -> None:
    """"HMS Hood" = "the Hood" = "Hood", unless "Hood" is also a person's surname in the corpus."""
    names = res.names()
    known = set(names)
    prefixes = res.lexicon.of("ship_prefix")
    persons = [k for k in res.by_key if res.key_type(k) == "person" and len(k.split()) >= 2
               and k.split()[0] not in prefixes]
    # the ends of those names after a space ("johnson", "l johnson"): "USS X" is left alone when X is one
    person_ends = {p[i + 1 :] for p in persons for i, c in enumerate(p) if c == " "}
    for key in names:
        first, _, rest = key.partition(" ")
        if first in prefixes and rest not in known:
            bare = re.sub(r"^(?:[a-z] )+", "", rest)  # "USS J. Douglas Blackwood" is also "the Douglas Blackwood"
            rest = bare if bare in known else rest
        if first not in prefixes or len(squashed(rest)) < 3 or rest not in known:
            continue
        if rest in person_ends:
            continue  # "USS Johnson" beside "Roy L. Johnson": the bare name may be the man
        if res.lookup(rest) or _mostly_a_place_elsewhere(res, key, rest):
            continue  # "USS America" is not America; "Belfast" in a text without "HMS Belfast" is the city
        res.edge(key, rest, f"ship name with and without its prefix '{first.upper()}'", rule="ship prefix",
                 evidence=res.first_use(key) + res.first_use(rest))


def _mostly_a_place_elsewhere(res: Resolver, key: str, rest: str) -> bool:
    """The bare name is mostly typed a place or state and never shares a document with the ship's full name."""
    rows = res.by_key.get(rest, [])
    if not rows or sum(r.type in ("place", "state") for r in rows) * 2 <= len(rows):
        return False
    ship_sources = {r.source_id for r in res.by_key.get(key, [])} | {f.source_id for f in res.found.get(key, [])}
    return not ship_sources & {r.source_id for r in rows}
