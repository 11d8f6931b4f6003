"""Corpus-level alias resolution: which alias keys name the same entity, and why.

Works on plain rows so it can be tested without a store. Each rule adds an edge between two alias
keys labelled with the reason ("acronym defined in text", "person name variant", ...); entities are
the connected components (networkx), and each alias's `how` is the label of the edge by which a
breadth-first walk from the entity's name key reached it. Everything is sorted, so the result is
the same on every run.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx
from rapidfuzz import fuzz

from timeweave.annotate.entities import gazetteer
from timeweave.annotate.entities.keys import alias_key, initials, squashed

TYPE_PRIORITY = ("state", "military_unit", "person", "work", "place", "organization", "other")
STRIP_PLACE_WORDS = {"river", "region", "area", "district", "valley", "basin"}
_TRANSLIT = [("kh", "h"), ("zh", "j"), ("ch", "j"), ("dzh", "j"), ("ou", "u"), ("oo", "u"), ("ts", "c"),
             ("tz", "c"), ("ie", "i"), ("y", "i"), ("w", "v"), ("ck", "k"), ("q", "k"), ("'", "")]


@dataclass(frozen=True)
class MentionRow:
    id: int
    source_id: str
    start: int
    end: int
    text: str
    type: str
    key: str


@dataclass
class Entity:
    name: str
    type: str
    mentions: list[int] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # alias text -> how it joined
    alias_sources: dict[str, Counter] = field(default_factory=dict)  # alias text -> source -> count


def translit_skeleton(key: str) -> str:
    """A romanisation-insensitive form: "manchouli" and "manzhouli" both give "manjuli"."""
    s = squashed(key)
    for a, b in _TRANSLIT:
        s = s.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", s)


def _is_acronym(row: MentionRow) -> bool:
    return row.text.isupper() and " " not in row.key and 2 <= len(row.key) <= 6


def _person_parts(key: str) -> tuple[str, list[str]]:
    """(surname, given names or initials) for "i v stalin", "stalin", "roshchin s k", "peljidiin genden"."""
    words = key.split()
    if len(words) > 1 and len(words[-1]) <= 2:  # "Roshchin S. K.": surname first
        return words[0], words[1:]
    return words[-1], words[:-1]


def _given_compatible(a: list[str], b: list[str]) -> bool:
    """"p" fits "peljidiin"; "i v" fits "iosif vissarionovich"; no given names fits anything."""
    return all(x[0] == y[0] and (len(x) <= 2 or len(y) <= 2 or x == y) for x, y in zip(a, b, strict=False))


class Resolver:
    """Collects labelled edges between alias keys, then cuts the graph into entities."""

    def __init__(self, rows: list[MentionRow], gaps: dict[tuple[int, int], str] | None = None) -> None:
        self.rows = sorted(rows, key=lambda r: r.id)
        self.gaps = gaps or {}
        self.graph = nx.Graph()
        self.by_key: dict[str, list[MentionRow]] = defaultdict(list)
        for row in self.rows:
            self.by_key[row.key].append(row)
            self.graph.add_node(row.key)
        self.canonical: dict[str, tuple[str, str]] = {}  # key -> (name, type) from an authority file

    def edge(self, a: str, b: str, how: str) -> None:
        if a != b and not self.graph.has_edge(a, b):
            self.graph.add_edge(a, b, how=how)

    def key_type(self, key: str) -> str:
        votes = Counter(r.type for r in self.by_key.get(key, []))
        return max(votes, key=lambda t: (votes[t], -TYPE_PRIORITY.index(t))) if votes else "other"

    # --- rules -------------------------------------------------------------------------------
    def gazetteer_names(self) -> None:
        for key in sorted(self.by_key):
            found = gazetteer.lookup(key.upper() if len(key) <= 5 else key)
            if found and found[1] in ("name", "alias") and self.key_type(key) in ("state", "place", "organization"):
                self.edge(gazetteer.state_key(found[0]), key, f"known name of the state {found[0].name} (gazetteer)")

    def spelling_variants(self) -> None:
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for key in sorted(self.by_key):
            if self.key_type(key) != "person":
                groups[("squashed", squashed(key))].append(key)
                base = key.rsplit(" ", 1)
                if len(base) == 2 and base[1] in STRIP_PLACE_WORDS and base[0] in self.by_key:
                    self.edge(base[0], key, f"same name with the generic word '{base[1]}'")
        for (_, _), keys in sorted(groups.items()):
            for other in keys[1:]:
                self.edge(keys[0], other, "spelling variant (spacing or hyphenation)")
        names = [k for k in sorted(self.by_key) if len(squashed(k)) >= 6 and self.key_type(k) in ("place", "state", "organization")
                 and not any(_is_acronym(r) for r in self.by_key[k])]
        skeletons = {k: translit_skeleton(k) for k in names}
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if self.key_type(a) != self.key_type(b) or a.split()[0][:2] != b.split()[0][:2]:
                    continue
                if skeletons[a] == skeletons[b]:
                    self.edge(a, b, "spelling variant (transliteration)")
                elif min(len(skeletons[a]), len(skeletons[b])) >= 8 and fuzz.ratio(skeletons[a], skeletons[b]) >= 92:
                    self.edge(a, b, "spelling variant (near-identical spelling)")

    def acronyms(self) -> None:
        by_initials: dict[str, list[str]] = defaultdict(list)
        for key in sorted(self.by_key):
            if len(key.split()) >= 2:
                by_initials[initials(key)].append(key)
        rows_by_source: dict[str, list[MentionRow]] = defaultdict(list)
        for row in self.rows:
            rows_by_source[row.source_id].append(row)
        for source_rows in rows_by_source.values():  # "the Mongolian People's Republic (MPR)"
            source_rows.sort(key=lambda r: r.start)
            for prev, row in zip(source_rows, source_rows[1:], strict=False):
                if _is_acronym(row) and not _is_acronym(prev) and self.gaps.get((prev.id, row.id), "").strip() == "(":
                    acronym, letters = row.key.replace(" ", ""), initials(prev.key)
                    exact_elsewhere = [k for k in by_initials.get(acronym, []) if k != prev.key]
                    if letters == acronym or (letters[:1] == acronym[:1] and not exact_elsewhere):
                        self.edge(prev.key, row.key, f"acronym defined in text ({row.source_id})")
        for key in sorted(self.by_key):
            rows = self.by_key[key]
            if not any(_is_acronym(r) for r in rows):
                continue
            matches = [k for k in by_initials.get(key.replace(" ", ""), []) if self.key_type(k) != "person"]
            if len(matches) == 1:
                self.edge(matches[0], key, f"acronym of '{matches[0]}'")

    def persons(self) -> None:
        by_surname: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
        for key in sorted(self.by_key):
            if self.key_type(key) == "person":
                surname, given = _person_parts(key)
                by_surname[surname].append((key, given))
        for surname, names in sorted(by_surname.items()):
            full = [(k, g) for k, g in names if g]
            for i, (a, ga) in enumerate(full):
                for b, gb in full[i + 1 :]:
                    if _given_compatible(ga, gb):
                        self.edge(a, b, f"person name variant (surname '{surname}', compatible given names)")
            bare = [k for k, g in names if not g]
            clusters = {min(nx.node_connected_component(self.graph, k)) for k, _ in full}
            for key in bare:
                if len(clusters) == 1 and full:
                    self.edge(full[0][0], key, f"surname alone ('{surname}'), one person of that name in the corpus")

    def appositions(self) -> None:
        """"the Khalkhin-Gol or Nomonhan incident": two names of one thing joined by "or" before a noun."""
        rows_by_source: dict[str, list[MentionRow]] = defaultdict(list)
        for row in self.rows:
            rows_by_source[row.source_id].append(row)
        for source_rows in rows_by_source.values():
            source_rows.sort(key=lambda r: r.start)
            for prev, row in zip(source_rows, source_rows[1:], strict=False):
                gap = self.gaps.get((prev.id, row.id))
                if gap is None or prev.type != row.type or prev.type not in ("place", "state", "other"):
                    continue
                if gap.strip() == "or" and self.gaps.get((row.id, -1), "")[:1].islower():
                    self.edge(prev.key, row.key, f"apposition 'X or Y' ({row.source_id})")

    def authority(self, rows: list[tuple[str, str, str, str]]) -> None:
        for alias, canonical, type_, origin in rows:
            a, c = alias_key(alias), alias_key(canonical)
            self.graph.add_node(a)
            self.graph.add_node(c)
            self.canonical[c] = (canonical, type_)
            self.edge(c, a, f"authority file {origin}")

    # --- result ------------------------------------------------------------------------------
    def entities(self) -> list[Entity]:
        out = []
        for component in sorted(nx.connected_components(self.graph), key=lambda c: sorted(c)[0]):
            rows = [r for k in sorted(component) for r in self.by_key.get(k, [])]
            if not rows:
                continue  # an authority row no document uses
            name_key, name, type_ = self._name(component, rows)
            entity = Entity(name=name, type=type_, mentions=sorted(r.id for r in rows))
            how_by_key = {name_key: "name"}
            for a, b in nx.bfs_edges(self.graph, name_key, sort_neighbors=sorted):
                how_by_key[b] = self.graph.edges[a, b]["how"]
            for row in sorted(rows, key=lambda r: (r.text, r.id)):
                how = how_by_key.get(row.key, "name")
                if alias_key(row.text) != row.key:
                    how = _resolved_in_text(row, how)
                entity.aliases.setdefault(row.text, how)
                entity.alias_sources.setdefault(row.text, Counter())[row.source_id] += 1
            out.append(entity)
        return out

    def _name(self, component: set[str], rows: list[MentionRow]) -> tuple[str, str, str]:
        for key in sorted(component):
            if key in self.canonical:
                return key, *self.canonical[key]
        votes = Counter(r.type for r in rows)
        type_ = max(votes, key=lambda t: (votes[t], -TYPE_PRIORITY.index(t)))
        for key in sorted(component):
            found = gazetteer.lookup(key)
            if found and found[1] == "name" and type_ in ("state", "place"):
                return key, found[0].name, "state"
            if found and found[1] == "military" and found[0].military:
                return key, found[0].military, "military_unit"
        texts = Counter(r.text for r in rows if not r.text.isupper() and alias_key(r.text) == r.key) \
            or Counter(r.text for r in rows)
        if type_ == "person":
            best = max(texts, key=lambda t: (len(t.split()), texts[t], t))
        else:
            best = max(texts, key=lambda t: (texts[t], len(t), t))
        return next(r.key for r in rows if r.text == best), best, type_


def _resolved_in_text(row: MentionRow, how: str) -> str:
    """Why a mention whose text is not its key (a demonym, a seat of government) belongs here."""
    found = gazetteer.lookup(row.text)
    kinds = {"demonym": "demonym used as an actor", "seat": "seat of government used as an actor (metonym)",
             "military": "the state's armed forces"}
    if found and found[1] in kinds:
        return f"{kinds[found[1]]} ({found[0].name}, gazetteer)"
    if row.type == "military_unit":
        return "armed forces named by the state's demonym"
    return how
