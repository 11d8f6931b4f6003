"""Candidate pairs for the linker's corpus-wide rules, found through indexes instead of all pairs.

A rule that compares names across the corpus would compare every pair of distinct keys (quadratic:
4,000 names took 30 s). Each index here returns a superset of the pairs its rule can accept, and
the rule still checks every candidate with its own test, so the links are the same as comparing
all pairs, only without visiting pairs that cannot pass:

- `near_spellings`: two skeletons with fuzz.ratio >= a cutoff are a few edits apart, so they
  share most of their q-grams, and so one of their rarest (q-gram lemma and prefix filtering);
- `one_edit`: two words one Damerau-Levenshtein edit apart share a form with at most one letter
  deleted (a deletion neighbourhood);
- `prefix_initials`: given names are compatible only when one list of initials starts the other;
- `Components`: which names are one entity so far, kept as links are added, instead of walking the
  graph once per name asked.

`tests/test_link_blocking.py` checks on generated names that each index misses no pair the rule
accepts (the naive all-pairs loops are kept there and in `bench/linking.py`, not here).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence

import networkx as nx
from rapidfuzz import fuzz


def max_edits(length: int, cutoff: float) -> int:
    """The most edits between a string of `length` and any string with fuzz.ratio >= `cutoff` to it.

    fuzz.ratio is 100 * (1 - d / (la + lb)) with d the insert/delete distance, and d >= |la - lb|,
    so d <= r * (2 * la + d) with r = 1 - cutoff / 100, i.e. d <= 2r * la / (1 - r); the edit
    distance (insertions, deletions, substitutions) is at most d. A hair is added for float rounding.
    """
    r = 1 - cutoff / 100
    return math.floor(2 * r * length / (1 - r) + 1e-6)


def _grams(text: str, size: int) -> list[tuple[str, int]]:
    """The q-grams of `text`, each numbered by its occurrence ("aaaa" -> (aaa, 1), (aaa, 2)): a multiset as a set."""
    seen: Counter = Counter()
    out = []
    for start in range(len(text) - size + 1):
        gram = text[start : start + size]
        seen[gram] += 1
        out.append((gram, seen[gram]))
    return out


def near_spellings(items: Sequence[tuple[Hashable, str]], cutoff: float, *, q: int = 3) -> set[tuple[int, int]]:
    """Index pairs (i < j) of items in one block whose strings have fuzz.ratio >= `cutoff`.

    `items` are (block, string); only items of the same block are paired, and only pairs the
    index proposes are scored (in C, by rapidfuzz). Two strings `k` edits apart share at
    least max(la, lb) - q + 1 - k*q of their q-grams (Ukkonen's q-gram lemma), at least `t` for a
    string's own length and largest `k` (`max_edits`); two sets sharing `t` elements share one
    among the first |set| - t + 1 of each, in any one order of all q-grams (prefix filtering). The
    order puts the q-grams rare in the block first, so strings sharing only its common parts
    ("city of ...") never meet.
    """
    grams = [_grams(text, q) for _, text in items]
    frequency: Counter = Counter((block, gram) for (block, _), item in zip(items, grams, strict=True) for gram in item)
    index: dict[tuple[Hashable, tuple[str, int]], list[int]] = defaultdict(list)
    every: dict[Hashable, list[int]] = defaultdict(list)  # all items of a block, for strings too short to filter
    loose: dict[Hashable, list[int]] = defaultdict(list)  # the items of a block that meet everything
    pairs: set[tuple[int, int]] = set()
    slack = 1 - cutoff / 100

    def meet(i: int, others: Iterable[int]) -> None:
        text = items[i][1]
        for j in others:  # the insert/delete distance is at least the difference in length
            other = items[j][1]
            if abs(len(text) - len(other)) <= slack * (len(text) + len(other)) + 1e-6 \
                    and fuzz.ratio(text, other, score_cutoff=cutoff):
                pairs.add((j, i))

    for i, (block, text) in enumerate(items):
        shared = len(text) - q + 1 - q * max_edits(len(text), cutoff)
        if shared <= 0:  # a string this short may match one it shares no q-gram with
            meet(i, every[block])
            loose[block].append(i)
        else:
            ordered = sorted(grams[i], key=lambda gram: (frequency[(block, gram)], gram))
            for gram in ordered[: len(ordered) - shared + 1]:
                meet(i, index[(block, gram)])
                index[(block, gram)].append(i)
            meet(i, loose[block])
        every[block].append(i)
    return pairs


def spelling_candidates(names: Sequence[str], skeletons: dict[str, str], blocks: Sequence[Hashable],
                        cutoff: float) -> set[tuple[int, int]]:
    """Index pairs (i < j) of `names` that may be spelling variants: in one block (type, first letters),
    with the same skeleton, or with the same number of words and skeletons of 8 letters or more
    that may reach `cutoff` (`near_spellings`)."""
    same: dict[tuple[Hashable, str], list[int]] = defaultdict(list)
    for n, key in enumerate(names):
        same[(blocks[n], skeletons[key])].append(n)
    pairs = {(a, b) for group in same.values() for i, a in enumerate(group) for b in group[i + 1 :]}
    near = [n for n, key in enumerate(names) if len(skeletons[key]) >= 8]
    items = [((blocks[n], len(names[n].split())), skeletons[names[n]]) for n in near]
    pairs |= {(near[i], near[j]) for i, j in near_spellings(items, cutoff)}
    return pairs


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class OneEdit:
    """Words of a fixed vocabulary that are at most one edit (insert, delete, substitute, swap) from a word."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = list(vocabulary)
        self.index: dict[str, list[int]] = defaultdict(list)
        for n, word in enumerate(self.vocabulary):
            for form in _deletions(word):
                self.index[form].append(n)

    def candidates(self, word: str) -> list[str]:
        """A superset of the vocabulary words within one edit of `word`, in vocabulary order.

        One edit leaves the two words a common form with at most one letter deleted from each:
        a substitution or a swap of neighbours at i, i+1 deletes i (or i+1) from both, an insertion
        deletes the inserted letter."""
        found = {n for form in _deletions(word) for n in self.index.get(form, ())}
        return [self.vocabulary[n] for n in sorted(found)]


def prefix_initials(given: Sequence[Sequence[str]]) -> set[tuple[int, int]]:
    """Index pairs (i < j) whose given names' initials are equal or one list starts the other.

    Given names are compatible only if they agree letter by letter on their initials as far as the
    shorter list goes ("i" fits "i v", "j m" never fits "j h"), so other pairs need no test.
    """
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    letters = [tuple(word[:1] for word in names) for names in given]
    for n, initials in enumerate(letters):
        groups[initials].append(n)
    pairs: set[tuple[int, int]] = set()
    for i, initials in enumerate(letters):
        for size in range(1, len(initials) + 1):
            for j in groups.get(initials[:size], ()):
                if j != i:
                    pairs.add((i, j) if i < j else (j, i))
    return pairs


def _component(adj: dict, node) -> set:
    """The nodes connected to `node` (`nx.node_connected_component`, over the adjacency dicts without its wrappers)."""
    component, frontier = {node}, [node]
    while frontier:
        step = []
        for n in frontier:
            for m in adj[n]:
                if m not in component:
                    component.add(m)
                    step.append(m)
        frontier = step
    return component


def groups(graph: nx.Graph) -> list[set]:
    """The connected components of two nodes or more (a name alone is its own component).

    A breadth-first walk over the adjacency dicts from each linked node: most names of a corpus are
    linked to nothing (6,294 of 6,897 nodes at 1,600 documents), and `nx.connected_components`
    walks each of them too (1.4 against 6 ms there, and link asks three times per build)."""
    adj = graph._adj  # networkx's own component walks read this dict of dicts
    seen: set = set()
    out = []
    for node, neighbours in adj.items():
        if not neighbours or node in seen:
            continue
        component = _component(adj, node)
        seen |= component
        out.append(component)
    return out


class Components:
    """The connected components of a graph, kept up to date as a rule adds edges (a union-find).

    Asking networkx for a node's component walks the whole component, once per name asked: a
    corpus where many names join one entity made that quadratic. A component is walked once, the
    first time one of its nodes is asked, not the whole graph up front (a rule asks of few names).
    Why a late walk gives the same answer: the rule adds an edge only right before it `join`s its
    two ends; a walk labels the whole component as the graph then is, so every walked node's set is
    its component, and a walk that reaches nodes walked before relabels their whole set (the new
    edge joined it) with the smallest key of the union, which is what `join` would make its root."""

    def __init__(self, graph: nx.Graph) -> None:
        self.graph = graph
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        if node not in self.parent:
            nodes = _component(self.graph._adj, node) if node in self.graph else {node}
            self.parent.update(dict.fromkeys(nodes, min(nodes)))
        parent = self.parent[node]
        while parent != node:
            grand = self.parent[parent]
            self.parent[node] = grand
            node, parent = parent, grand
        return node

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
