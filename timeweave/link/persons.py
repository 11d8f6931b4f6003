"""Person names across the corpus: "H. Nelson" = "Horatio Nelson", "Nelson" alone when one person bears it.

A rule over every person key of the store, run after the other rules (it reads the entities they
made): full names are compared within a surname when their initials agree, and a bare surname (or a
title and a surname) joins only when the corpus has one person of that name.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from timeweave.link.blocking import Components, prefix_initials
from timeweave.link.resolve import Resolver


@lru_cache(maxsize=8)
def _title_starts(titles: frozenset[str]) -> frozenset[str]:
    return frozenset(title.split()[0] for title in titles if title)


def strip_title(key: str, titles: frozenset[str]) -> str:
    """"admiral sharp" -> "sharp"; "vice admiral roy l johnson" -> "roy l johnson"; the longest title first."""
    words = key.split()
    if not words or words[0] not in _title_starts(titles):
        return key  # no title starts with its first word (most names: asked of every person key each run)
    for n in (3, 2, 1):
        if len(words) > n and " ".join(words[:n]) in titles:
            return " ".join(words[n:])
    return key


def person_parts(key: str, titles: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """(surname, given names or initials) for "i v stalin", "stalin", "dumas a", "horatio nelson"."""
    words = strip_title(key, titles).split()
    if len(words) > 1 and len(words[-1]) <= 2:  # "Roshchin S. K.": surname first
        return words[0], words[1:]
    return words[-1], words[:-1]


def given_compatible(a: list[str], b: list[str]) -> bool:
    """"p" fits "peljidiin"; "i v" fits "iosif vissarionovich"; no given names fits anything."""
    return all(x[0] == y[0] and (len(x) <= 2 or len(y) <= 2 or x == y) for x, y in zip(a, b, strict=False))


def persons_by_surname(res: Resolver) -> dict[str, list[tuple[str, list[str]]]]:
    """The person keys of the corpus under their surname, with their given names or initials: the blocks
    within which `persons` compares full names (and the naive reference in bench/linking.py too)."""
    titles = res.lexicon.of("title")
    by_surname: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    known, key_type = res._key_types, res.key_type  # the kept keys' types, read without a call each
    for key in res.sorted_keys:
        if (known.get(key) or key_type(key)) == "person":
            surname, given = person_parts(key, titles)
            by_surname[surname].append((key, given))
    return by_surname


def persons(res: Resolver) -> None:
    """"H. Nelson" = "Horatio Nelson"; "Nelson" alone joins them when the corpus has one person of that name.

    Full names are compared only within a surname, and only when their initials agree
    (`blocking.prefix_initials`); whether a surname's full names are one person is read from the
    graph's components, kept as a union-find while this rule adds its own links."""
    by_surname = persons_by_surname(res)
    components = Components(res.graph)

    def link(a: str, b: str, how: str, rule: str) -> None:
        res.edge(a, b, how, rule=rule, evidence=res.first_use(a) + res.first_use(b))
        components.join(a, b)

    for surname, names in sorted(by_surname.items()):
        full = [(k, g) for k, g in names if g]
        for i, j in sorted(prefix_initials([g for _, g in full])) if len(full) > 1 else ():  # one name: no pair
            (a, ga), (b, gb) = full[i], full[j]
            if given_compatible(ga, gb):
                link(a, b, f"person name variant (surname '{surname}', compatible given names)", "person name variant")
        bare = [k for k, g in names if not g]
        # One person of that name: asked for a bare surname only, read from the graph for two full names or more.
        one = bool(bare) and (len(full) == 1 or (len(full) > 1 and len({components.find(k) for k, _ in full}) == 1))
        for key in bare:
            if one:
                link(full[0][0], key, f"surname alone ('{surname}'), one person of that name in the corpus",
                     "surname alone")
        titled = {k: k[: -len(surname)].strip() for k in bare if k != surname}
        if not full and surname in bare and len(set(titled.values())) == 1:  # "Sharp" and "Admiral Sharp"
            for key in sorted(titled):
                link(surname, key, f"surname with a title ('{surname}'), no other person of that name",
                     "title and surname")
