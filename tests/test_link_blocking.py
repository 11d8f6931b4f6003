"""Blocking finds the same links as comparing every pair of names, on generated names.

The naive all-pairs linker lives in bench/linking.py (the reference, not in the library); the
indexes of `timeweave.link.blocking` are checked against brute force on random strings, words and
initials, so a pair the rule would accept and the index misses fails here.
"""

from __future__ import annotations

import random
import string
import sys
from collections import Counter
from pathlib import Path

import pytest
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from timeweave.link.blocking import OneEdit, max_edits, near_spellings, prefix_initials
from timeweave.link.persons import given_compatible

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import linking  # noqa: E402


def _mutate(rng: random.Random, word: str, edits: int) -> str:
    for _ in range(edits):
        i = rng.randrange(len(word) + 1)
        op = rng.choice("isdt")
        if op == "i":
            word = word[:i] + rng.choice("aeiou" + string.ascii_lowercase) + word[i:]
        elif op == "s" and i < len(word):
            word = word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
        elif op == "d" and i < len(word) and len(word) > 1:
            word = word[:i] + word[i + 1 :]
        elif op == "t" and i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_blocked_linker_gives_the_naive_links(seed):
    rows, texts = linking.synthetic(1200, seed)
    blocked = linking.link_blocked(rows, texts)
    assert linking.signature(blocked) == linking.signature(linking.link_naive(rows, texts))
    rules = Counter(link.rule for entity in blocked for link in entity.alias_links.values())
    wanted = ["person name variant", "surname alone", "transliteration", "near-identical spelling", "ship prefix",
              "acronym", "word order", "generic word", "also called", "title and surname"]
    if seed == 1:
        wanted.append("part written another way")  # the typo rule: rarer, so asked of one seed
    for rule in wanted:
        assert rules[rule] > 0, f"the generated names exercise no {rule!r} link: the comparison proves nothing"


@pytest.mark.parametrize("cutoff", [92, 80, 97])
def test_near_spellings_finds_exactly_the_pairs_over_the_cutoff(cutoff):
    rng = random.Random(cutoff)
    words = []
    for _ in range(150):
        base = "".join(rng.choice("aeioubkhzsnrtlm") for _ in range(rng.randint(4, 22)))
        words += [base] + [_mutate(rng, base, rng.randint(1, 3)) for _ in range(rng.randint(0, 3))]
    words = [w for w in words if w]
    items = [(len(w) % 2, w) for w in words]  # two blocks: pairs across blocks are never asked for
    found = near_spellings(items, cutoff)
    wanted = {(i, j) for i in range(len(items)) for j in range(i + 1, len(items))
              if items[i][0] == items[j][0] and fuzz.ratio(items[i][1], items[j][1]) >= cutoff}
    assert wanted, "no pair reaches the cutoff: the test would prove nothing"
    assert found == wanted


def test_max_edits_bounds_the_distance_of_every_pair_over_the_cutoff():
    rng = random.Random(7)
    for _ in range(3000):
        a = "".join(rng.choice("abcde") for _ in range(rng.randint(1, 30)))
        b = _mutate(rng, a, rng.randint(0, 6))
        if b and fuzz.ratio(a, b) >= 92:
            assert DamerauLevenshtein.distance(a, b) <= min(max_edits(len(a), 92), max_edits(len(b), 92))


def test_one_edit_finds_every_word_one_edit_away_in_vocabulary_order():
    rng = random.Random(11)
    vocabulary = list(dict.fromkeys("".join(rng.choice("abcdef") for _ in range(rng.randint(3, 8))) for _ in range(400)))
    index = OneEdit(vocabulary)
    for _ in range(300):
        word = _mutate(rng, rng.choice(vocabulary), rng.randint(0, 2))
        near = [w for w in vocabulary if DamerauLevenshtein.distance(w, word) <= 1]
        candidates = index.candidates(word)
        assert [w for w in candidates if w in near] == near
        assert candidates == sorted(candidates, key=vocabulary.index)


def test_prefix_initials_pairs_every_compatible_given_names():
    rng = random.Random(5)
    given = [[rng.choice("abc") + ("" if rng.random() < 0.5 else rng.choice(["lex", "rt", "yrus"]))
              for _ in range(rng.randint(1, 3))] for _ in range(200)]
    found = prefix_initials(given)
    wanted = {(i, j) for i in range(len(given)) for j in range(i + 1, len(given)) if given_compatible(given[i], given[j])}
    assert wanted and wanted <= found
    assert len(found) < len(given) * (len(given) - 1) / 2


def test_ship_is_not_joined_to_a_bare_name_that_ends_a_persons_name_of_several_words():
    """The person-name guard of `ship_prefixes` reads an index of name ends, not every person per ship."""
    from timeweave.annotate.entities.keys import alias_key
    from timeweave.link.resolve import MentionRow, Resolver
    from timeweave.link.store import resolve

    texts = {"a": "In 1718 the sloop HMS Anne Bonny and HMS Resolute sailed from Nassau.",
             "b": "Off Jamaica the Anne Bonny fired first; the Resolute kept away.",
             "c": "Mary Anne Bonny was tried at Spanish Town in 1720."}
    marked = [("a", "HMS Anne Bonny", "military_unit"), ("a", "HMS Resolute", "military_unit"),
              ("b", "Anne Bonny", "military_unit"), ("b", "Resolute", "military_unit"), ("c", "Mary Anne Bonny", "person")]
    rows = []
    for n, (source, surface, type_) in enumerate(marked, start=1):
        start = texts[source].index(surface)
        rows.append(MentionRow(n, source, start, start + len(surface), surface, type_, alias_key(surface)))
    entities = resolve(Resolver(rows, texts), [])
    owner = {text: id(entity) for entity in entities for text in entity.aliases}
    assert owner["HMS Resolute"] == owner["Resolute"]  # the rule links ships
    assert owner["HMS Anne Bonny"] != owner["Anne Bonny"]  # but not a name that may be the woman's


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_components_walked_late_agree_with_the_graph_as_links_are_added(seed):
    """`Components` walks a component only when one of its nodes is first asked; asked in any order while a
    rule adds edges (each followed by `join`), two nodes share a root exactly when the graph connects them."""
    import networkx as nx

    from timeweave.link.blocking import Components

    rng = random.Random(seed)
    nodes = [f"n{i:02d}" for i in range(40)]
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(tuple(rng.sample(nodes, 2)) for _ in range(15))
    components = Components(graph)
    for _ in range(30):
        if rng.random() < 0.5:
            a, b = rng.sample(nodes, 2)
            graph.add_edge(a, b)
            components.join(a, b)
        x, y = rng.sample(nodes, 2)
        assert (components.find(x) == components.find(y)) == nx.has_path(graph, x, y)
    assert components.find("elsewhere") == "elsewhere"


def test_titles_are_stripped_only_when_a_title_starts_the_name():
    """`persons.strip_title` looks for a title only after a name whose first word starts one (the longest first)."""
    from timeweave.link.lexicon import default_lexicon
    from timeweave.link.persons import person_parts, strip_title

    titles = default_lexicon().of("title")
    assert strip_title("governor pedro de la gasca", titles) == "pedro de la gasca"
    assert strip_title("vice admiral blas de lezo", titles) == "blas de lezo"
    assert strip_title("gasca", titles) == "gasca" and strip_title("captain", titles) == "captain"
    assert person_parts("captain pizarro f", titles) == ("pizarro", ["f"])
    words = sorted({w for t in titles for w in t.split()})
    for word in words:  # a name starting with any word of a title is stripped as the full loop strips it
        key = f"{word} vaca de castro"
        full = next((" ".join(key.split()[n:]) for n in (3, 2, 1) if " ".join(key.split()[:n]) in titles), key)
        assert strip_title(key, titles) == full
