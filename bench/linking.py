"""Entity linking speed on synthetic names: growth per doubling, against the naive all-pairs linker.

    .venv/bin/python bench/linking.py [--sizes 1000,2000,4000,...,50000] [--naive-max 4000] [--runs 1] [--crowded]

Writes seeded synthetic documents whose mentions use realistic name shapes: persons with given
names, initials, titles and surname-first forms ("I. V. Stalin", "Roshchin S. K.", "General
Roshchin"), places with generic words and moved "of" forms ("Beltar river", "Gulf of Beltar" /
"Beltar Gulf"), transliteration variants ("Khalozhou" / "Halojou") and one-letter spelling slips,
organisations with acronyms defined in a text ("National Defence Council (NDC)") and used alone
elsewhere, ships with and without their prefix, names given by naming cues and titles. Each size
is linked through the real entry point (`timeweave.link.store.resolve(Resolver(rows, texts), [])`,
what `link_entities` runs) and its CPU time per size (this process only: the machine is shared) and
the growth ratio per doubling are printed
(n log n is x2.0-2.2 per doubling, all pairs x4). In the same run the naive linker (the all-pairs
loops the library had before blocking, kept here only as the reference) links the sizes up to
--naive-max; its time is extrapolated quadratically to the largest size, and its links are checked
to be the same as the blocked linker's. `--crowded` puts every name into one block (the worst case
for blocking by surname and first letters).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402
from rapidfuzz.distance import DamerauLevenshtein  # noqa: E402

from timeweave.annotate.entities import gazetteer  # noqa: E402
from timeweave.annotate.entities.keys import alias_key, squashed  # noqa: E402
from timeweave.link import parts, persons, variants  # noqa: E402
from timeweave.link.persons import given_compatible, persons_by_surname  # noqa: E402
from timeweave.link.resolve import MentionRow, Resolver  # noqa: E402
from timeweave.link.resolve import is_acronym  # noqa: E402
from timeweave.link.spelling import same_words_but_one, translit_skeleton  # noqa: E402
from timeweave.link.store import resolve  # noqa: E402

# Syllables from several romanisations (Mongolian, Chinese, Vietnamese, Russian, Arabic, Swahili ...),
# so transliteration rules have something to do; words are drawn from them, not from any corpus.
SYLLABLES = ["ba", "ka", "ri", "to", "mon", "gol", "khal", "khin", "zhu", "chou", "nan", "tse", "lin", "wu", "yen",
             "shi", "tam", "dor", "vel", "qua", "tho", "hai", "pho", "ber", "gen", "den", "sha", "rov", "ko", "vich",
             "ski", "ma", "la", "nu", "ik", "es", "an", "or", "ul", "dzh", "ou", "tsa", "mi", "ro", "sa", "ti", "ha",
             "bu", "ye", "zo", "kwa", "mbe", "ndu", "fa", "gu", "pa", "re", "do", "sel", "var", "qin", "xi", "ji"]
ORG_WORDS = ["national", "defence", "council", "ministry", "bureau", "front", "party", "committee", "union",
             "security", "agency", "workers", "federal", "central", "trade", "foreign", "affairs",
             "revolutionary", "liberation", "commission", "office", "institute", "bank", "railway", "press",
             "supreme", "state", "people", "army", "youth", "league", "research", "academy", "mining"]
PLACE_SUFFIXES = ["river", "province", "region", "district", "valley", "island", "basin"]
OF_FORMS = ["gulf", "bay", "lake", "sea", "mount", "cape"]
TITLES = ["General", "President", "Admiral", "Colonel", "Minister", "Senator", "Marshal", "Captain"]
SHIP_PREFIXES = ["USS", "HMS", "SMS"]
TRANSLIT = [("kh", "h"), ("zh", "j"), ("ch", "j"), ("ou", "u"), ("ts", "c"), ("y", "i"), ("w", "v"), ("q", "k")]


class Corpus:
    """Documents written sentence by sentence, each mention recorded with its offsets and type."""

    def __init__(self, rng: random.Random, docs_hint: int) -> None:
        self.rng = rng
        self.docs: list[list[str]] = [[] for _ in range(max(1, docs_hint))]
        self.lengths = [0] * len(self.docs)
        self.rows: list[MentionRow] = []

    def say(self, parts: list[str | tuple[str, str]], doc: int | None = None) -> None:
        """One sentence: plain strings and (surface, type) mentions, in order."""
        doc = self.rng.randrange(len(self.docs)) if doc is None else doc
        pos = self.lengths[doc]
        out = []
        for part in parts:
            if isinstance(part, tuple):
                surface, type_ = part
                self.rows.append(MentionRow(len(self.rows) + 1, f"doc{doc:05d}", pos, pos + len(surface), surface, type_,
                                            alias_key(surface)))
                out.append(surface)
                pos += len(surface)
            else:
                out.append(part)
                pos += len(part)
        text = "".join(out) + " "
        self.docs[doc].append(text)
        self.lengths[doc] += len(text)

    def texts(self) -> dict[str, str]:
        return {f"doc{i:05d}": "".join(parts) for i, parts in enumerate(self.docs)}


def _word(rng: random.Random, lo: int = 2, hi: int = 3) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(lo, hi)))


def _variant(rng: random.Random, word: str) -> str:
    """A transliteration variant (one rule of TRANSLIT applied) or a one-letter slip, else the word."""
    rules = [(a, b) for a, b in TRANSLIT if a in word]
    if rules and rng.random() < 0.7:
        a, b = rng.choice(rules)
        return word.replace(a, b, 1)
    if len(word) >= 9:
        i = rng.randrange(2, len(word) - 1)
        return word[:i] + word[i] + word[i:]  # a doubled letter
    return word


def synthetic(n_keys: int, seed: int = 15) -> tuple[list[MentionRow], dict[str, str]]:
    """Mentions and texts using about `n_keys` distinct alias keys (deterministic for a seed)."""
    rng = random.Random(seed)
    corpus = Corpus(rng, n_keys // 12)
    surnames = [_word(rng).capitalize() for _ in range(max(4, n_keys // 10))]
    keys: set[str] = set()
    seen = 0
    while len(keys) < n_keys:
        kind = rng.random()
        if kind < 0.35:  # a person
            surname, given = rng.choice(surnames), _word(rng, 2, 2).capitalize()
            middle = rng.choice("ABCDEFGHIKLMNOPRSTV")
            forms = [f"{given} {surname}", f"{given[0]}. {surname}", f"{given[0]}. {middle}. {surname}",
                     f"{surname} {given[0]}. {middle}.", f"{given} {middle}. {surname}"]
            for form in rng.sample(forms, rng.randint(1, 3)):
                corpus.say([(form, "person"), " met the delegation."])
            if rng.random() < 0.3:
                corpus.say([rng.choice(TITLES) + " ", (surname, "person"), " arrived."])
            if rng.random() < 0.1:
                corpus.say([(surname, "person"), " said nothing."])
        elif kind < 0.7:  # a place
            base = _word(rng, 2, 4).capitalize()
            type_ = rng.choice(["place", "place", "place", "state"])
            corpus.say(["They crossed ", (base, type_), " at dawn."])
            r = rng.random()
            if r < 0.3:
                corpus.say(["The ", (f"{base} {rng.choice(PLACE_SUFFIXES)}", "place"), " was quiet."])
            elif r < 0.45:
                word = rng.choice(OF_FORMS)
                corpus.say(["Ships in the ", (f"{word.capitalize()} of {base}", "place"), " turned."])
                corpus.say(["The ", (f"{base} {word.capitalize()}", "place"), " was calm."])
            elif r < 0.55:
                corpus.say(["The ", (f"City of {base}", "place"), " fell."])
            if rng.random() < 0.35:
                corpus.say(["Troops reached ", (_variant(rng, base.lower()).capitalize(), type_), "."])
        elif kind < 0.9:  # an organisation, with its acronym
            words = [w.capitalize() for w in rng.sample(ORG_WORDS, rng.randint(2, 4))]
            words.insert(rng.randrange(len(words) + 1), _word(rng, 2, 2).capitalize())
            name = " ".join(words)
            acronym = "".join(w[0] for w in words).upper()
            if rng.random() < 0.5:
                doc = rng.randrange(len(corpus.docs))
                corpus.say(["The ", (name, "organization"), " (", (acronym, "organization"), ") met."], doc)
            else:
                corpus.say(["The ", (name, "organization"), " met."])
            if rng.random() < 0.6:
                corpus.say(["The ", (acronym, "organization"), " replied."])
            if rng.random() < 0.2:
                corpus.say(["The ", (name + " Company", "organization"), " paid."])
            long_words = [n for n, w in enumerate(words) if len(w) >= 8]
            if long_words and rng.random() < 0.1:  # a slip in one long word, written once
                n = rng.choice(long_words)
                w, i = words[n], rng.randrange(1, len(words[n]) - 2)  # two letters swapped
                slipped = words[:n] + [w[:i] + w[i + 1] + w[i] + w[i + 2 :]] + words[n + 1 :]
                corpus.say(["The ", (" ".join(slipped), "organization"), " was named."])
        else:  # a ship, sometimes under a second name, sometimes named after a man
            name = rng.choice(surnames) if rng.random() < 0.2 else _word(rng, 2, 3).capitalize()
            corpus.say([(f"{rng.choice(SHIP_PREFIXES)} {name}", "military_unit"), " sailed."])
            if rng.random() < 0.6:
                corpus.say(["The ", (name, "military_unit"), " fired."])
            if rng.random() < 0.2:
                other = _word(rng, 2, 2).capitalize()
                corpus.say([(name, "military_unit"), ", also called the ", (other, "military_unit"), ", sank."])
        keys.update(row.key for row in corpus.rows[seen:])
        seen = len(corpus.rows)
    return corpus.rows, corpus.texts()


def crowded(n_mentions: int, seed: int = 15) -> tuple[list[MentionRow], dict[str, str]]:
    """The worst case for blocking by surname and first letters: every person is a Kim, every place starts "Ma"."""
    rng = random.Random(seed)
    corpus = Corpus(rng, n_mentions // 10)
    for n in range(n_mentions):
        if n % 2:
            given = [_word(rng, 1, 2).capitalize() for _ in range(2)]
            form = rng.choice([f"Kim {given[0]} {given[1]}", f"{given[0]} {given[1]} Kim", f"{given[0][0]}. {given[1][0]}. Kim"])
            corpus.say([(form, "person"), " spoke."])
        else:
            corpus.say(["Near ", ("Ma" + _word(rng, 2, 4), "place"), " they stopped."])
    return corpus.rows, corpus.texts()


# --- the naive reference: the all-pairs loops the library had before blocking (not in the library) ---------

class NaiveResolver(Resolver):
    """`Resolver` with its rules comparing every pair of keys, as before blocking; the reference for sameness."""

    def spelling_variants(self) -> None:
        groups: dict[str, list[str]] = defaultdict(list)
        for key in sorted(self.by_key):
            if self.key_type(key) != "person":
                groups[squashed(key)].append(key)
        for keys in groups.values():
            for other in keys[1:]:
                self.edge(keys[0], other, "spelling variant (spacing or hyphenation)", rule="spacing variant",
                          evidence=self.first_use(keys[0]) + self.first_use(other))
        names = [k for k in sorted(self.by_key) if len(squashed(k)) >= 6 and self.key_type(k) in ("place", "state", "organization")
                 and not any(is_acronym(r) for r in self.by_key[k])]
        skeletons = {k: translit_skeleton(k) for k in names}
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if self.key_type(a) != self.key_type(b) or a.split()[0][:2] != b.split()[0][:2]:
                    continue
                if len(a.split()) != len(b.split()) and squashed(a) != squashed(b):
                    continue
                if skeletons[a] == skeletons[b]:
                    self.edge(a, b, "spelling variant (transliteration)", rule="transliteration",
                              evidence=self.first_use(a) + self.first_use(b))
                elif min(len(skeletons[a]), len(skeletons[b])) >= 8 and fuzz.ratio(skeletons[a], skeletons[b]) >= 92 \
                        and same_words_but_one(a, b):
                    self.edge(a, b, "spelling variant (near-identical spelling)", rule="near-identical spelling",
                              evidence=self.first_use(a) + self.first_use(b))


def _naive_persons(res: Resolver) -> None:
    by_surname = persons_by_surname(res)
    for surname, names in sorted(by_surname.items()):
        full = [(k, g) for k, g in names if g]
        for i, (a, ga) in enumerate(full):
            for b, gb in full[i + 1 :]:
                if given_compatible(ga, gb):
                    res.edge(a, b, f"person name variant (surname '{surname}', compatible given names)",
                              rule="person name variant", evidence=res.first_use(a) + res.first_use(b))
        bare = [k for k, g in names if not g]
        clusters = {min(nx.node_connected_component(res.graph, k)) for k, _ in full}
        for key in bare:
            if len(clusters) == 1 and full:
                res.edge(full[0][0], key, f"surname alone ('{surname}'), one person of that name in the corpus",
                          rule="surname alone", evidence=res.first_use(full[0][0]) + res.first_use(key))
        titled = {k: k[: -len(surname)].strip() for k in bare if k != surname}
        if not full and surname in bare and len(set(titled.values())) == 1:
            for key in sorted(titled):
                res.edge(surname, key, f"surname with a title ('{surname}'), no other person of that name",
                          rule="title and surname", evidence=res.first_use(surname) + res.first_use(key))


def _naive_ship_prefixes(res: Resolver) -> None:
    names = sorted(set(res.by_key) | set(res.found))
    prefixes = res.lexicon.of("ship_prefix")
    person_keys = [k for k in res.by_key if res.key_type(k) == "person" and len(k.split()) >= 2
                   and k.split()[0] not in prefixes]
    for key in names:
        first, _, rest = key.partition(" ")
        if first not in prefixes or len(squashed(rest)) < 3 or rest not in names:
            continue
        if any(p.endswith(" " + rest) and p != rest for p in person_keys):
            continue
        if gazetteer.lookup(rest) or variants._mostly_a_place_elsewhere(res, key, rest):
            continue
        res.edge(key, rest, f"ship name with and without its prefix '{first.upper()}'", rule="ship prefix",
                 evidence=res.first_use(key) + res.first_use(rest))


def _naive_typo(self, word: str) -> str:
    if len(word) < parts._TYPO_MIN or self.words[word] > parts._TYPO_RARE or gazetteer.lookup(word):
        return word
    fixes = [w for w in self.common if w != word and DamerauLevenshtein.distance(w, word) == 1]
    return fixes[0] if len(fixes) == 1 else word


@contextlib.contextmanager
def naive_rules():
    """While active, the corpus-wide rules of `variants` and `persons` compare every pair, as before blocking."""
    with mock.patch.object(variants, "ship_prefixes", _naive_ship_prefixes), \
            mock.patch.object(persons, "persons", _naive_persons), \
            mock.patch.object(parts.Rewriter, "typo", _naive_typo):
        yield


def link_naive(rows: list[MentionRow], texts: dict[str, str]) -> list:
    with naive_rules():
        return resolve(NaiveResolver(rows, texts), [])


def link_blocked(rows: list[MentionRow], texts: dict[str, str]) -> list:
    return resolve(Resolver(rows, texts), [])


def signature(entities: list) -> list:
    """Everything a link run decides: entities, names, types, mentions, each alias with its reason and evidence."""
    return sorted((e.type, e.name, tuple(e.mentions), tuple(sorted((t, e.alias_links[t]) for t in e.aliases)),
                   tuple(sorted((t, tuple(sorted(c.items()))) for t, c in e.alias_sources.items())))
                  for e in entities)


def _timed(fn, *args) -> tuple[float, list]:
    """CPU seconds of this process (the machine is shared, so wall time measures the neighbours too) and the result."""
    start = time.process_time()
    out = fn(*args)
    return time.process_time() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,2000,4000,8000,16000,32000,50000")
    parser.add_argument("--naive-max", type=int, default=4000, help="largest size the naive linker also runs")
    parser.add_argument("--runs", type=int, default=1, help="timed runs per size (min and median are printed)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--crowded", action="store_true",
                        help="names crowded into one block (every person a Kim, every place Ma-...): sizes are mentions")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("CPU seconds of resolve(Resolver(rows, texts), []); growth = (t(n) / t(previous n)) ** (1 / doublings)")
    print(f"{'keys':>7} {'mentions':>9} {'entities':>9} {'blocked min/med':>16} {'x/doubling':>11} "
          f"{'naive':>8} {'naive/blocked':>14} {'same links':>10}", flush=True)
    link_blocked(*synthetic(50, args.seed))  # the word lists and gazetteer load once, outside the timings
    best: dict[int, float] = {}
    naive_time: dict[int, float] = {}
    for n in sizes:
        rows, texts = crowded(n, args.seed) if args.crowded else synthetic(n, args.seed)
        times, entities = [], []
        for _ in range(args.runs):
            t, entities = _timed(link_blocked, rows, texts)
            times.append(t)
        best[n] = min(times)
        earlier = [m for m in best if m < n]
        growth = f"x{(best[n] / best[max(earlier)]) ** (1 / math.log2(n / max(earlier))):.2f}" if earlier else ""
        naive = ratio = same = ""
        if n <= args.naive_max:
            t, naive_entities = _timed(link_naive, rows, texts)
            naive_time[n] = t
            naive, ratio = f"{t:.2f}", f"{t / best[n]:.2f}"
            same = str(signature(naive_entities) == signature(entities))
        print(f"{len({r.key for r in rows}):>7} {len(rows):>9} {len(entities):>9} "
              f"{f'{best[n]:.2f}/{statistics.median(times):.2f}':>16} {growth:>11} {naive:>8} {ratio:>14} {same:>10}",
              flush=True)
    if naive_time and max(sizes) > max(naive_time):
        m, largest = max(naive_time), max(sizes)
        estimate = naive_time[m] * (largest / m) ** 2
        print(f"naive at {largest} keys, extrapolated quadratically from {m}: {estimate:.0f} s; blocked measured "
              f"{best[largest]:.1f} s (x{estimate / best[largest]:.0f})")


if __name__ == "__main__":
    main()
