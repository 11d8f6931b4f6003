"""Parts written another way ("U.S. Navy" = "United States Navy", "U.S. Congess"), and what an add keeps of them.

`rewritten_parts` rewrites each name of two or more words (not a person's) into a *form*: a part
that the graph so far (or the gazetteer) says is one thing becomes that thing's representative
("u s navy" -> ("<united states>", "navy")), and a word used once that is one edit from a single
word used often becomes that word (a typo). Names with one form join when one of them was
rewritten; a bare head ("Congress") joins its only state-modified name.

Why an add may keep a name's form (the locality argument): `Rewriter(key)` reads only
- the key's own words and whether it is eligible (its type: its own mentions; a found name: other
  texts' findings);
- for each proper part (words i..j, not the whole key) its representative in the graph (`rep`, the
  smallest key of its component when that has two keys or more) or, when it has none, the gazetteer
  (pure) and the representative of the state found there;
- for each word: its mention count's class (used once or less, twice, three times or more) and,
  for a word of 7 letters or more, which words one edit from it are common (3 uses, 6 letters);
  the fix found among those is kept per word (`typos`) while none of them changed class.
An incremental run keeps the last run's `rep`, word counts and forms (corpus_state `link.parts`,
with the digest of code, words and knowledge) and computes the form again only for the keys whose
mentions changed (`dirty`) or that are found beside mentions (now or then), and for keys with a
part whose representative differs, a state read through the gazetteer whose representative differs,
a word whose class changed, or a long word one edit from a word whose class changed (a word's count
changes only through the keys holding it, so only the dirty keys' words are compared). Every other
key reads what it read last run, so its form is the last run's. Grouping the forms and the bare
heads then runs over every form as in a full run.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx
from rapidfuzz.distance import DamerauLevenshtein

from timeweave.annotate.entities import gazetteer
from timeweave.link.blocking import OneEdit, groups
from timeweave.link.resolve import Resolver

_TYPO_MIN = 7  # shortest word a single-edit typo is trusted in
_TYPO_RARE, _TYPO_COMMON = 1, 3  # a typo is used this often at most, its correction this often at least


def word_class(count: int) -> int:
    """What `Rewriter.typo` reads of a word's count: 0 rare enough to be a typo, 2 common enough to be a fix, 1 neither."""
    return 0 if count <= _TYPO_RARE else 2 if count >= _TYPO_COMMON else 1


class Rewriter:
    """A key with its parts that are known to be one thing written as that thing ("u s navy" -> "<united states> navy")."""

    def __init__(self, res: Resolver) -> None:
        self.res = res
        self.rep: dict[str, str] = {}
        for component in groups(res.graph):
            self.rep.update(dict.fromkeys(component, min(component)))
        kept = res.parts_kept
        if kept is not None and res.old_counts is not None and res.dirty is not None:
            # A word's count sums the counts of the keys holding it, and only the dirty keys' counts (or presence)
            # changed: the last run's counts plus each dirty key's change are a full count's.
            words = dict(kept["words"])
            touched = set()
            for key in res.dirty:
                change = res.count(key) - res.old_counts.get(key, 0)
                if change:
                    for word in key.split():
                        words[word] = words.get(word, 0) + change
                        touched.add(word)
            for word in touched:
                if not words[word]:
                    del words[word]  # no key holds it any more
        else:
            words = {}
            get = words.get
            for key, n in zip(res.by_key, map(res.count, res.by_key)):  # counts only: an add reads no kept key's rows
                for word in key.split():
                    words[word] = get(word, 0) + n
        self.words = Counter(words)
        self.common = [w for w, n in words.items() if n >= _TYPO_COMMON and len(w) >= _TYPO_MIN - 1]
        self._near: OneEdit | None = None  # the common words indexed by their one-letter deletions, when a typo is asked
        self.states: list[str] = []  # the state keys the last call read through the gazetteer
        self.typos: dict[str, str] = {}  # word -> its fix (or itself), for the words `typo` looked up among the common

    def part(self, span: str) -> str | None:
        if span in self.rep:
            return self.rep[span]
        letters = span.replace(" ", "") if all(len(w) == 1 for w in span.split()) else span
        found = self.res.lookup(letters.upper() if len(letters) <= 5 else span)
        if found and found[1] in ("name", "alias", "demonym"):
            key = gazetteer.state_key(found[0])
            self.states.append(key)
            return self.rep.get(key, key)
        return None

    def typo(self, word: str) -> str:
        if len(word) < _TYPO_MIN or self.words[word] > _TYPO_RARE or self.res.lookup(word):
            return word
        fixed = self.typos.get(word)
        if fixed is None:
            if self._near is None:
                self._near = OneEdit(self.common)
            fixes = [w for w in self._near.candidates(word) if w != word and DamerauLevenshtein.distance(w, word) == 1]
            fixed = self.typos[word] = fixes[0] if len(fixes) == 1 else word
        return fixed

    def __call__(self, key: str) -> tuple[tuple[str, ...], bool]:
        words, out, i, changed = key.split(), [], 0, False
        self.states = []
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


def _stale(res: Resolver, rewrite: Rewriter, kept: dict):
    """A test of whether a key's form must be computed again (module docstring); None when every key's must."""
    if res.dirty is None or res.found_kept is None or kept is None:
        return None
    touched = res.dirty | set(res.found) | res.found_kept
    old_rep, old_words = kept["rep"], kept["words"]
    moved = {k for k in old_rep.keys() | rewrite.rep.keys() if old_rep.get(k) != rewrite.rep.get(k)}
    classed = {w for k in res.dirty for w in k.split()
               if word_class(old_words.get(w, 0)) != word_class(rewrite.words.get(w, 0))}
    fixes = [w for w in classed if len(w) >= _TYPO_MIN - 1]
    near = OneEdit(fixes) if fixes else None
    forms = kept["forms"]
    # A kept typo lookup holds while no word one edit from it changed whether it is common.
    rewrite.typos = {w: f for w, f in kept["typos"].items() if near is None or not near.candidates(w)}

    def stale(key: str) -> bool:
        if key in touched:
            return True
        words = key.split()
        if any(w in classed or (near is not None and len(w) >= _TYPO_MIN and near.candidates(w)) for w in words):
            return True
        if moved:
            n = len(words)
            if any(" ".join(words[i:j]) in moved for i in range(n) for j in range(i + 1, n + 1) if j - i < n):
                return True
            if key in forms and any(s in moved for s in forms[key][1]):
                return True
        return False

    return stale


def rewritten_parts(res: Resolver) -> None:
    """"U.S. Navy" = "United States Navy", "Treaty of Versailles Conference" = "Versailles Treaty Conference", "U.S. Congess"."""
    rewrite = Rewriter(res)
    kept = res.parts_kept
    stale = _stale(res, rewrite, kept)
    now: dict[str, list] = {}  # key -> [form, states read] of the keys whose form is not their words
    forms: dict[tuple[str, ...], list[tuple[str, bool]]] = defaultdict(list)
    for key in res.names():
        if len(key.split()) >= 2 and res.key_type(key) != "person":
            if stale is None or stale(key):
                form, changed = rewrite(key)
                if changed:
                    now[key] = [list(form), sorted(set(rewrite.states))]
            else:
                last = kept["forms"].get(key)
                changed = last is not None
                form = tuple(last[0]) if changed else tuple(key.split())
                if changed:
                    now[key] = last
            forms[form].append((key, changed))
    res.parts_now = {"rep": rewrite.rep, "words": dict(rewrite.words), "forms": now, "typos": rewrite.typos}
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
