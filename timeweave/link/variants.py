"""Names the corpus writes in several forms: generic words, word order, ship prefixes, parts written otherwise.

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
from collections import Counter, defaultdict

import networkx as nx
from rapidfuzz.distance import DamerauLevenshtein

from timeweave.annotate.entities import gazetteer
from timeweave.annotate.entities.keys import squashed
from timeweave.link import local
from timeweave.link.blocking import OneEdit
from timeweave.link.resolve import Resolver

_TYPO_MIN = 7  # shortest word a single-edit typo is trusted in
_TYPO_RARE, _TYPO_COMMON = 1, 3  # a typo is used this often at most, its correction this often at least


def _names(res: Resolver) -> list[str]:
    return sorted(set(res.by_key) | set(res.found))


def generic_words(res: Resolver) -> None:
    """"Hubei province" = "Hubei", "the City of Washington" = "Washington", "Operation Sea Lion" = "Sealion"."""
    by_squashed: dict[str, list[str]] = defaultdict(list)
    names = _names(res)
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
    fresh = None
    if res.dirty is not None and res.found_kept is not None:
        touched = res.dirty | set(res.found) | res.found_kept  # found names hang on other sources' findings
        words = {squashed(w) for w in suffixes | prefixes | org_suffixes}
        shapes = {shape for s in map(squashed, touched) for w in words for shape in (s + w, w + s)}
        fresh = lambda key: key in touched or squashed(key) in shapes  # noqa: E731
    local.run(res, "generic", names, calls_of, fresh)


def of_forms(res: Resolver) -> None:
    """"Gulf of Tonkin" = "Tonkin Gulf", "Sea of Japan" = "Japan Sea": the generic word may move."""
    names = set(_names(res))
    for key in sorted(names):
        m = re.fullmatch(r"(\w+) of (.+)", key)
        if m and m.group(1) in res.lexicon.of("of_form"):
            other = f"{m.group(2)} {m.group(1)}"
            if other in names:
                res.edge(key, other, f"same name in the other word order ('{other}')", rule="word order",
                         evidence=res.first_use(key) + res.first_use(other))


def ship_prefixes(res: Resolver) -> None:
    """"HMS Hood" = "the Hood" = "Hood", unless "Hood" is also a person's surname in the corpus."""
    names = _names(res)
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


class _Rewriter:
    """A key with its parts that are known to be one thing written as that thing ("u s navy" -> "<united states> navy")."""

    def __init__(self, res: Resolver) -> None:
        self.res = res
        self.rep: dict[str, str] = {}
        for component in nx.connected_components(res.graph):
            if len(component) > 1:
                rep = min(component)
                self.rep.update(dict.fromkeys(component, rep))
        words: Counter = Counter()
        for key, rows in res.by_key.items():
            for word in key.split():
                words[word] += len(rows)
        self.words = words
        self.common = [w for w, n in words.items() if n >= _TYPO_COMMON and len(w) >= _TYPO_MIN - 1]
        self._near: OneEdit | None = None  # the common words indexed by their one-letter deletions, when a typo is asked

    def part(self, span: str) -> str | None:
        if span in self.rep:
            return self.rep[span]
        letters = span.replace(" ", "") if all(len(w) == 1 for w in span.split()) else span
        found = self.res.lookup(letters.upper() if len(letters) <= 5 else span)
        if found and found[1] in ("name", "alias", "demonym"):
            key = gazetteer.state_key(found[0])
            return self.rep.get(key, key)
        return None

    def typo(self, word: str) -> str:
        if len(word) < _TYPO_MIN or self.words[word] > _TYPO_RARE or self.res.lookup(word):
            return word
        if self._near is None:
            self._near = OneEdit(self.common)
        fixes = [w for w in self._near.candidates(word) if w != word and DamerauLevenshtein.distance(w, word) == 1]
        return fixes[0] if len(fixes) == 1 else word

    def __call__(self, key: str) -> tuple[tuple[str, ...], bool]:
        words, out, i, changed = key.split(), [], 0, False
        while i < len(words):
            for j in range(len(words), i, -1):
                if j - i == len(words):
                    continue  # the whole key: already linked or not, nothing to rewrite
                rep = self.part(" ".join(words[i:j]))
                if rep is not None:
                    out.append(f"<{rep}>")
                    changed, i = True, j
                    break
            else:
                fixed = self.typo(words[i])
                changed |= fixed != words[i]
                out.append(fixed)
                i += 1
        return tuple(out), changed


def rewritten_parts(res: Resolver) -> None:
    """"U.S. Navy" = "United States Navy", "Gulf of Tonkin Resolution" = "Tonkin Gulf Resolution", "U.S. Congess"."""
    rewrite = _Rewriter(res)
    forms: dict[tuple[str, ...], list[tuple[str, bool]]] = defaultdict(list)
    for key in _names(res):
        if len(key.split()) >= 2 and res.key_type(key) != "person":
            form, changed = rewrite(key)
            forms[form].append((key, changed))
    heads: dict[str, set[str]] = defaultdict(set)  # bare head key -> modifiers (state placeholders or plain words)
    examples: dict[tuple[str, str], str] = {}
    for form, keys in sorted(forms.items()):
        if any(changed for _, changed in keys):
            for (a, _), (b, _) in zip(keys, keys[1:], strict=False):
                res.edge(a, b, "same name with a part written another way", rule="part written another way",
                         evidence=res.first_use(a) + res.first_use(b))
        for n in range(1, len(form)):
            head = " ".join(form[n:])
            if head in res.by_key and not any(w.startswith("<") for w in form[n:]):
                modifier = form[0] if n == 1 and form[0].startswith("<") else " ".join(form[:n])
                heads[head].add(modifier)
                examples.setdefault((head, modifier), keys[0][0])
    for head, modifiers in sorted(heads.items()):
        (modifier,) = modifiers if len(modifiers) == 1 else (None,)
        if modifier is None or not _is_state(res, modifier[1:-1]) or res.key_type(head) == "person" \
                or res.lookup(head):
            continue
        full = examples[(head, modifier)]
        res.edge(full, head, f"short form of '{full}' (no other '… {head}' in the corpus)", rule="short form",
                 evidence=res.first_use(full) + res.first_use(head))


def _is_state(res: Resolver, rep: str) -> bool:
    """A part that names a state: the gazetteer knows one of its names, or the corpus types it a state."""
    if not rep or rep not in res.graph:
        return bool(rep) and res.lookup(rep) is not None
    component = nx.node_connected_component(res.graph, rep)
    return any(res.lookup(k) for k in component) or any(res.key_type(k) == "state" for k in component if k in res.by_key)


def _mostly_a_place_elsewhere(res: Resolver, key: str, rest: str) -> bool:
    """The bare name is mostly typed a place or state and never shares a document with the ship's full name."""
    rows = res.by_key.get(rest, [])
    if not rows or sum(r.type in ("place", "state") for r in rows) * 2 <= len(rows):
        return False
    ship_sources = {r.source_id for r in res.by_key.get(key, [])} | {f.source_id for f in res.found.get(key, [])}
    return not ship_sources & {r.source_id for r in rows}
