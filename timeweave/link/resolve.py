"""Corpus-level alias resolution: which alias keys name the same entity, and why.

Works on plain rows (and the texts, for the words between names) so it can be tested without a
store. Each rule adds an edge between two alias keys labelled with the reason ("acronym defined in
text", "person name variant", ...), the rule's name and the evidence that made the link (quotes with
their offsets); entities are the connected components (networkx), and each alias's `how` is the
label of the edge by which a breadth-first walk from the entity's name key reached it. Rules that
read the words around names live in `intext.py`; rules that compare the names' forms across the
corpus in `variants.py` and `parts.py`; spellings in `spelling.py`; person names in `persons.py`; acronyms in
`acronyms.py`; what an incremental run keeps of the name-local rules in `local.py`; the plain values (rows, links,
entities) in `rows.py`. Everything is sorted, so the result is the same on every run.
"""

from __future__ import annotations

import hashlib
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from timeweave.annotate.entities import gazetteer
from timeweave.annotate.entities.keys import alias_key
from timeweave.link import local, spelling
from timeweave.link.blocking import groups
from timeweave.link.lexicon import Lexicon, default_lexicon
from timeweave.link.rows import NAME, Entity, Evidence, FoundName, Link, MentionRow, is_acronym

__all__ = ["NAME", "Entity", "Evidence", "FoundName", "Link", "MentionRow", "Resolver", "is_acronym"]

TYPE_PRIORITY = ("state", "military_unit", "person", "work", "place", "organization", "other")
_TYPES = frozenset(TYPE_PRIORITY)
_ID, _START, _END, _TEXT, _TYPE = map(operator.itemgetter, (0, 2, 3, 4, 5))  # MentionRow fields, read in C
_USE = operator.attrgetter("source_id", "start")  # a mention's place in the corpus: the first use is the smallest
_FOUND = operator.attrgetter("key", "text", "source_id", "start", "end")  # a FoundName as a plain tuple, made in C


class Resolver:
    """Collects labelled edges between alias keys, then cuts the graph into entities."""

    def __init__(self, rows: list[MentionRow], texts: dict[str, str] | None = None, *,
                 lexicon: Lexicon | None = None, findings: dict[str, Any] | None = None, lazy: Any = None) -> None:
        """`lazy` (`summary.Lazy`, an add): rows are read when asked and the kept keys' summaries answer
        `key_type`, `written_as_acronym`, `count` and `first_use`; else `rows` are every keyed mention."""
        self.texts = texts if texts is not None else {}  # or read when asked (`summary.Texts`, an add)
        self.old_counts: dict[str, int] | None = None  # an add: the dirty keys' mention counts in the last run
        self.lexicon = lexicon or default_lexicon()
        self.graph = nx.Graph()
        self._key_types: dict[str, str] = {}  # by_key is complete after this loop, so a key's type never changes
        self._counts: dict[str, int] = {}  # key -> its mentions, kept (`summary`) or counted when asked
        self._first: dict[str, tuple] = {}  # key -> its first mention's (source, start, end, quote), asked once per link
        self._acronym: dict[str, bool] = {}  # key -> whether a mention writes it as an acronym, asked by two rules
        if lazy is not None:
            self.by_key, self.by_source, self.by_id = lazy.by_key, lazy.by_source, lazy.by_id
            self.old_counts = lazy.old_counts
            from timeweave.link import summary  # summary builds on rows only; imported here to keep one import graph

            summary.prefill(self, lazy.kept)
        else:
            self.rows = sorted(rows)  # by id: ids are unique, so the first field decides (no key function per row)
            self.by_key = defaultdict(list)
            self.by_source = defaultdict(list)
            for row in self.rows:
                self.by_key[row.key].append(row)
                self.by_source[row.source_id].append(row)
            self.by_key, self.by_source = dict(self.by_key), dict(self.by_source)
            for source_rows in self.by_source.values():  # by (start, -end), ties in id order: two stable sorts in C
                source_rows.sort(key=_END, reverse=True)
                source_rows.sort(key=_START)
            self.by_id = dict(zip(map(_ID, self.rows), self.rows))
        # Sources with a text and no keyed mention (a Resolver made by hand); link reads only its sources' texts.
        self.text_only = [s for s in self.texts if s not in self.by_source] if isinstance(self.texts, dict) else []
        self.graph.add_nodes_from(self.by_key)  # in the order of first mention, as one add per mention gave
        # Every key, sorted once: a dozen rules visit them in this order (by_key gets no key after this loop).
        self.sorted_keys: list[str] = sorted(self.by_key)
        self._names: tuple[int, list[str]] = (-1, [])  # (len(found), its sorted keys and found names), for `names`
        self.findings: dict[str, Any] = dict(findings or {})  # source -> what its text says (`intext.Findings`)
        self.fresh_findings: set[str] = set()  # sources whose findings were read from their text in this run
        self._odd: dict[str, set[int]] = {}  # source -> its mentions whose text's key is not their key
        # The spelling pairs of the last run and the keys whose mentions changed since (set by `link.store`
        # for an incremental run): `spelling_variants` then tests only pairs with a changed key.
        self.spelling_kept: list[tuple[str, str, str]] | None = None
        self.dirty: set[str] | None = None
        self.spelling_pairs: list[tuple[str, str, str]] = []
        self._skeletons: dict[str, str] = {}
        self.canonical: dict[str, tuple[str, str]] = {}  # key -> (name, type) from an authority file
        self.found: dict[str, list[FoundName]] = defaultdict(list)  # key -> names the texts give beside mentions
        self.said: list[tuple[str, str]] = []  # (name, second name) links a text states, for `drop_conflicts`
        self._found_at: dict[str, set[tuple[str, int]]] = {}  # key -> (source, start) of its mentions and found names
        self._looked_up: dict[str, Any] = {}  # text -> gazetteer.lookup(text), asked by several rules of the same names
        self._keys: dict[str, str] = {}  # text -> alias_key(text), asked for every mention when entities are cut
        self._holders: dict[tuple[str, str], Any] = {}  # (text, key) -> `holder`
        # Name-local rules' calls (`local`): the last run's (set by `link.store` for an incremental run) and this run's.
        self.rules_kept: dict[str, dict[str, list]] | None = None
        self.found_kept: set[str] | None = None  # the keys `found` held in the last run
        self.rules_now: dict[str, dict[str, list]] = {}
        # Rewritten parts (`parts`): the last run's representatives, word counts and forms, and this run's.
        self.parts_kept: dict | None = None
        self.parts_now: dict = {}

    def names(self) -> list[str]:
        """The keys and the names found beside mentions, sorted; sorted again only after `found` got a name (the
        in-text rules add them, the rules after them only read)."""
        if self._names[0] != len(self.found):  # the sorted keys and the found names that are no key, merged by timsort
            extra = sorted(k for k in self.found if k not in self.by_key)
            self._names = (len(self.found), sorted(self.sorted_keys + extra) if extra else self.sorted_keys)
        return self._names[1]

    def is_name(self, key: str) -> bool:
        """Whether a key is one of `names` (a key with a mention or a name found beside one)."""
        return key in self.by_key or key in self.found

    def lookup(self, text: str) -> Any:
        """`gazetteer.lookup` (no year), asked once per text in a run: rules and naming ask it of the same names."""
        if text not in self._looked_up:
            self._looked_up[text] = gazetteer.lookup(text)
        return self._looked_up[text]

    def holder(self, text: str, key: str) -> Any:
        """What the gazetteer says a mention's text names when it is not its key (`_resolved_in_text`), asked once per
        (text, key) in a run: a corpus writes "Soviet" or "Moscow" for the Soviet Union thousands of times."""
        found = self._holders.get((text, key), self)
        if found is self:
            found = self._holders[(text, key)] = _holder(text, key)
        return found

    def key_of(self, text: str) -> str:
        """`alias_key`, computed once per text in a run (a corpus repeats its names thousands of times)."""
        key = self._keys.get(text)
        if key is None:
            key = self._keys[text] = alias_key(text)
        return key

    def text_is_key(self, row: MentionRow) -> bool:
        """Whether `alias_key` of a mention's text is its key ("Soviet" keyed as the Soviet Union is not), read
        from its source's findings (`intext.Findings.odd`): the names of sources linked before are not keyed again."""
        odd = self._odd.get(row.source_id)
        if odd is None:
            from timeweave.link import intext  # intext builds on this module

            odd = self._odd[row.source_id] = set(intext.findings(self, row.source_id).odd)
        return row.id not in odd

    def edge(self, a: str, b: str, how: str, *, rule: str = "", evidence: tuple[Evidence, ...] = (),
             said: bool = False) -> None:
        """Link two keys; `said` marks a second name `b` that a text gives for `a` ("X (Y)", "X, also called Y")."""
        if a != b and not self.graph.has_edge(a, b):
            self.graph.add_edge(a, b, link=Link(how, rule or how.split(" (")[0], tuple(evidence)))
            if said:
                self.said.append((a, b))

    def drop_conflicts(self) -> list[str]:
        """Unlink a second name that texts give for two things nothing else links ("NSA" defined two ways).

        Keys are corpus-wide, so "the Caudillo" said of Franco in one text and of another man in a
        second would join the two men; such a second name is left apart instead (a missed merge is
        cheaper than a wrong one). Returns the second names dropped.
        """
        said = {frozenset(pair) for pair in self.said}
        firsts: dict[str, set[str]] = defaultdict(set)
        for a, b in self.said:
            firsts[b].add(a)
        # A name's component in the graph less the said links, labelled by its smallest key (a name alone: itself),
        # walked only for the names of a second name said of two or more (a copy of the whole graph was made and cut
        # before). The loop below removes only said links, so the walks see the same graph before and after it.
        label: dict[str, str] = {}
        adj = self.graph._adj

        def component(a: str) -> str:
            if a not in label:
                nodes, frontier = {a}, [a]
                while frontier:
                    step = []
                    for n in frontier:
                        for m in adj[n]:
                            if m not in nodes and frozenset((n, m)) not in said:
                                nodes.add(m)
                                step.append(m)
                    frontier = step
                label.update(dict.fromkeys(nodes, min(nodes)))
            return label[a]

        dropped = []
        for second, names in sorted(firsts.items()):
            if len(names) > 1 and len(set(map(component, names))) > 1:
                for a in names:
                    if self.graph.has_edge(a, second):
                        self.graph.remove_edge(a, second)
                dropped.append(second)
        return dropped

    def span(self, source_id: str, start: int, end: int) -> Evidence:
        """Evidence for text[start:end] of a source (the quote is cut from the stored text)."""
        return Evidence(source_id, start, end, self.texts.get(source_id, "")[start:end])

    def first_use(self, key: str) -> tuple[Evidence, ...]:
        """The first mention (or found name) of a key, as evidence that the corpus uses it."""
        first = self._first.get(key)
        if first is None and self.by_key.get(key):
            first = self.quote_first([key])[key]
        if first is not None:
            return (Evidence(*first),)
        found = self.found.get(key)
        if found:
            f = found[0]
            return (self._quote(f.source_id, f.start, f.end, f.text),)
        return ()

    def quote_first(self, keys: Iterable[str]) -> dict[str, tuple]:
        """The first mentions of keys with mentions, by (source, start), as (source, start, end, quote), kept for
        `first_use`; their sources' texts are read at once (`summary.Texts.want`)."""
        rows = {key: min(self.by_key[key], key=_USE) for key in keys}
        if hasattr(self.texts, "want"):
            self.texts.want({row.source_id for row in rows.values()})
        for key, row in rows.items():
            self._first[key] = (row.source_id, row.start, row.end,
                                self._quote(row.source_id, row.start, row.end, row.text).quote)
        return self._first

    def _quote(self, source_id: str, start: int, end: int, text: str) -> Evidence:
        return self.span(source_id, start, end) if source_id in self.texts else Evidence(source_id, start, end, text)

    def add_found(self, name: FoundName, to_key: str, how: str, *, rule: str, evidence: tuple[Evidence, ...]) -> None:
        """A name the text gives beside a mention joins that mention's key, with the quote that says so."""
        if not name.key or name.key == to_key:
            return
        known = self._found_at.get(name.key)
        if known is None:
            known = self._found_at[name.key] = {(r.source_id, r.start) for r in self.by_key.get(name.key, [])}
            known |= {(f.source_id, f.start) for f in self.found.get(name.key, [])}
        if (name.source_id, name.start) not in known:  # a mention is counted once, as a mention
            self.found[name.key].append(name)
            known.add((name.source_id, name.start))
        self.graph.add_node(name.key)
        self.edge(to_key, name.key, how, rule=rule, evidence=evidence, said=True)

    def written_as_acronym(self, key: str) -> bool:
        """Whether any mention of the key is written as an acronym (`is_acronym`); counted once per key."""
        cached = self._acronym.get(key)
        if cached is None:
            rows = self.by_key.get(key, ())  # one row per distinct text: the test reads the text and the key only
            cached = self._acronym[key] = any(map(is_acronym, dict(zip(map(_TEXT, rows), rows)).values()))
        return cached

    def count(self, key: str) -> int:
        """How many mentions a key has (kept for the keys an add leaves alone: `summary`)."""
        cached = self._counts.get(key)
        if cached is None:
            cached = self._counts[key] = len(self.by_key.get(key, ()))
        return cached

    def key_type(self, key: str) -> str:
        """The type most of a key's mentions have; counted once per key (rules ask it once per mention,
        and a long document repeating one name made that quadratic)."""
        cached = self._key_types.get(key)
        if cached is None:
            rows = self.by_key.get(key, ())
            first = rows[0].type if rows else None
            if first in _TYPES and len(set(map(_TYPE, rows))) == 1:
                cached = first  # one type (most keys): the vote below would give it
            else:
                votes = Counter(r.type for r in rows)
                cached = max(votes, key=lambda t: (votes[t], -TYPE_PRIORITY.index(t))) if votes else "other"
            self._key_types[key] = cached
        return cached

    # --- rules -------------------------------------------------------------------------------
    def gazetteer_names(self) -> None:
        """A key the gazetteer knows as a state's name joins that state; name-local (`local`): the key alone."""
        dirty, has = self.dirty, self.by_key.__contains__
        local.run(self, "gazetteer", self.sorted_keys, self._gazetteer_calls, None if dirty is None else dirty.__contains__,
                  callers=None if dirty is None else lambda: filter(has, dirty), within=has)

    def _gazetteer_calls(self, key: str) -> list[local.Call]:
        letters = key.replace(" ", "") if all(len(w) == 1 for w in key.split()) else key  # "U.S."
        found = self.lookup(letters.upper() if len(letters) <= 5 else key)
        if found and found[1] in ("name", "alias") and self.key_type(key) in ("state", "place", "organization"):
            return [(gazetteer.state_key(found[0]), key, f"known name of the state {found[0].name} (gazetteer)",
                     "gazetteer", self.first_use(key))]
        return []

    def spelling_variants(self) -> None:
        """One name spelt several ways (`spelling.spelling_variants`)."""
        spelling.spelling_variants(self)

    def acronyms(self) -> None:
        """"the Mongolian People's Republic (MPR)" in one text; then "MPR" alone wherever it is the only expansion."""
        from timeweave.link import acronyms  # the rule builds on this module
        acronyms.acronyms(self)

    def authority(self, rows: list[tuple[str, str, str, str]]) -> None:
        for alias, canonical, type_, origin in rows:
            a, c = alias_key(alias), alias_key(canonical)
            self.graph.add_node(a)
            self.graph.add_node(c)
            self.canonical[c] = (canonical, type_)
            self.edge(c, a, f"authority file {origin}", rule="authority file")

    # --- result ------------------------------------------------------------------------------
    def entities(self) -> list[Entity]:
        return [self.entity_of(component) for component in self.components()]

    def components(self) -> list[set[str]]:
        """The connected components holding a mention, in the order entities are cut (by smallest key)."""
        has = self.by_key.__contains__  # a key is in `by_key` iff it has a mention (its rows are not read here)
        alone = [{key} for key, neighbours in self.graph._adj.items() if not neighbours and has(key)]
        return sorted([c for c in groups(self.graph) if any(map(has, c))] + alone, key=min)

    def signature(self, component: set[str]) -> str:
        """A hash of what cutting a component reads besides its keys' mentions: its keys, its labelled links
        (with their quotes), the names found beside its keys and authority names. Equal signatures and
        unchanged mentions give the same entity (`entity_of`)."""
        if len(component) == 1:
            (key,) = component
            if not self.found.get(key) and key not in self.canonical:
                return "-"  # a name alone (most of them): nothing but its own mentions
        keys = sorted(component)
        adj = self.graph._adj  # a component's edges are its keys' (what `graph.edges(keys)` walks)
        edges = sorted((a, b) for a in keys for b in adj[a] if a < b)
        # Plain tuples, whose repr is made in C (a dataclass's repr runs Python per field): ~6,300 components each run.
        links = [(a, b, adj[a][b]["link"].plain()) for a, b in edges]
        found = [list(map(_FOUND, self.found.get(k, ()))) for k in keys]  # a title's found names: thousands
        blob = repr((keys, links, found, [self.canonical.get(k) for k in keys]))
        return hashlib.blake2b(blob.encode("utf-8"), digest_size=12).hexdigest()

    def entity_of(self, component: set[str]) -> Entity:
        rows = [r for k in sorted(component) for r in self.by_key.get(k, [])]
        name_key, name, type_ = self._name(component, rows)
        entity = Entity(name=name, type=type_, mentions=sorted(r.id for r in rows))
        link_by_key = {name_key: NAME}
        for a, b in nx.bfs_edges(self.graph, name_key, sort_neighbors=sorted):
            link_by_key[b] = self.graph.edges[a, b]["link"]
        # Uses by (text, source, mention id; -1 for a found name), ties in list order: the position breaks them, so
        # the tuples sort in C without a key function and never compare their rows.
        found = [f for k in sorted(component) for f in self.found.get(k, [])]
        uses = [(r.text, r.source_id, r.id, n, r.key, r) for n, r in enumerate(rows)]
        uses += [(f.text, f.source_id, -1, n, f.key, None) for n, f in enumerate(found, len(rows))]
        uses.sort()
        sources = entity.alias_sources
        for text, source_id, _, _, key, row in uses:
            counts = sources.get(text)
            if counts is None:  # an alias's link is that of its first use
                link = link_by_key.get(key, NAME)
                if row is not None and not self.text_is_key(row):
                    link = _resolved_in_text(row, link, self.holder)
                entity.alias_links[text] = link
                entity.aliases[text] = link.how
                counts = sources[text] = Counter()
            counts[source_id] += 1
        return entity

    def _type_from_words(self, component: set[str]) -> str | None:
        """A type the names' own words say (a ship prefix, a generic place word), when they agree; else None."""
        hints = {self.lexicon.type_hint(key) for key in component} - {None}
        if len(hints) == 1 and not any(self.key_type(k) == "state" for k in component if k in self.by_key):
            return hints.pop()
        return None

    def _name(self, component: set[str], rows: list[MentionRow]) -> tuple[str, str, str]:
        for key in sorted(component):
            if key in self.canonical:
                return key, *self.canonical[key]
        votes = Counter(r.type for r in rows)
        type_ = self._type_from_words(component) or max(votes, key=lambda t: (votes[t], -TYPE_PRIORITY.index(t)))
        for key in sorted(component):
            found = self.lookup(key)
            if found and found[1] == "name" and type_ in ("state", "place"):
                return key, found[0].name, "state"
            if found and found[1] == "military" and found[0].military:
                return key, found[0].military, "military_unit"
        texts = Counter(r.text for r in rows if not r.text.isupper() and self.text_is_key(r)) \
            or Counter(r.text for r in rows)
        if type_ == "person":
            best = max(texts, key=lambda t: (len(t.split()), texts[t], t))
        else:
            best = max(texts, key=lambda t: (texts[t], len(t), t))
        return next(r.key for r in rows if r.text == best), best, type_


def _holder(text: str, key: str) -> Any:
    # The entities component resolved the name for the narrative year (not stored): the holder is
    # the one whose key the mention got ("Moscow" in 1939 -> Soviet Union, not today's Russia).
    return next(((s, k) for s, k in gazetteer.holders(text) if gazetteer.state_key(s) == key), None) \
        or gazetteer.lookup(text)


def _resolved_in_text(row: MentionRow, link: Link, holder: Callable[[str, str], Any] = _holder) -> Link:
    """Why a mention whose text is not its key (a demonym, a seat of government) belongs here."""
    found = holder(row.text, row.key)
    kinds = {"demonym": "demonym used as an actor", "seat": "seat of government used as an actor (metonym)",
             "military": "the state's armed forces"}
    evidence = (Evidence(row.source_id, row.start, row.end, row.text),)
    if found and found[1] in kinds:
        return Link(f"{kinds[found[1]]} ({found[0].name}, gazetteer)", "gazetteer", evidence)
    if row.type == "military_unit":
        return Link("armed forces named by the state's demonym", "demonym", evidence)
    return link
