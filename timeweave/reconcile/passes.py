"""The Clusterer's later passes (`cluster.Clusterer` inherits them): a detail joins the event its sentence
reports (`_absorb_details`), a same-day happening joins the event more voices attest (`_absorb_same_day`, run
per tier), and a finer event inside a coarser related one becomes its part (`_containment`).

Moved from cluster.py, which had passed 400 lines; they read the Clusterer's `mentions`, `adjacency`,
`params`, `clusters` and `of`, and its `_entities` and `event_type`.
"""

from __future__ import annotations

from timeweave.reconcile import dates
from timeweave.reconcile.blocking import family, one_moment
from timeweave.reconcile.load import Mention
from timeweave.reconcile.similarity import CONTAINS


class LaterPasses:
    """The passes after the core linkage, as methods of `cluster.Clusterer`."""

    def _absorb_details(self) -> None:
        """A generic happening one voice tells in the sentence where it reports a typed event that more
        voices attest, dated to the same days and naming nobody that event does not name, is a detail of
        that event, not a second one: "on 7 October 1571 the Ottoman galleys were attacked and *driven*
        ashore" is the battle (its own clause may govern the date, and its words share nothing with the
        battle's). Its mentions join that event. The event is the one of the sentence's typed mentions
        told by the most voices (two at least, and strictly more than any other there); a detail naming
        someone new ("... and Cervantes was *wounded*") stays an event of its own.
        """
        typed: dict[tuple, list[int]] = {}  # (source, sentence, days) -> typed mentions placed in an event
        for mention in self.mentions:
            if mention.type != "other" and mention.interval is not None and mention.index in self.of:
                typed.setdefault(self._moment(mention), []).append(mention.index)
        for cid in sorted(self.clusters):
            cluster = self.clusters[cid]
            if cluster.children or cluster.parent is not None or len(cluster.voices) != 1:
                continue
            members = [self.mentions[m] for m in cluster.members]
            if any(m.type != "other" or m.interval is None for m in members):
                continue
            targets: set[int] | None = None
            for m in members:
                found = {self.of[n] for n in typed.get(self._moment(m), []) if one_moment(m, self.mentions[n])}
                targets = found if targets is None else targets & found
            ranked = sorted(targets or (), key=lambda c: (-len(self.clusters[c].voices), c))
            if not ranked or len(self.clusters[ranked[0]].voices) < 2:
                continue
            if len(ranked) > 1 and len(self.clusters[ranked[1]].voices) == len(self.clusters[ranked[0]].voices):
                continue  # two attested events told in the sentence: whose detail it is, nothing says
            main = self.clusters[ranked[0]]
            if not self._entities(cluster) <= self._entities(main):
                continue
            main.members = sorted(main.members + cluster.members)
            main.voices |= cluster.voices
            for m in cluster.members:
                self.of[m] = main.id
            del self.clusters[cid]

    @staticmethod
    def _moment(mention: Mention) -> tuple:
        return mention.source_id, mention.start, mention.interval.earliest, mention.interval.latest

    def _absorb_same_day(self, groups: dict[int, list[int]], ivs: dict) -> dict[int, list[int]]:
        """A happening of the same kind on the same day as an event more voices attest, told without anybody
        that event does not name, is that event ("the incident of 14 July 1789" beside the storming several
        sources date to that day), even when its words alone score under `join`.

        Per exact day and type family (not `other`), among a group and the groups it has a scored pair with,
        the one told by the most voices (two at least, and strictly more than any other) absorbs the group
        if it names no participant or place, or if one voice tells it naming only participants of the main
        group, when their best pair scores at least `part` (a pair with no date conflict and no
        whole-and-part relation). A group naming someone or somewhere the
        main group does not (a riot at Lyon that day), or a day two groups attest equally, stays as it was.
        """
        buckets: dict[tuple[int, str], list[int]] = {}
        for root, found in groups.items():
            iv = ivs.get(root)
            kind = family(self._type_of(found))
            if all(self.mentions[m].carried_date for m in found):
                continue  # a date carried over from earlier sentences says where the narrative is, not when
            if iv is not None and iv.width == 1 and kind != "other":
                buckets.setdefault((iv.earliest, kind), []).append(root)
        group_of = {m: root for root, found in groups.items() for m in found}
        voices = {root: {self.mentions[m].voice for m in found} for root, found in groups.items()}
        into: dict[int, int] = {}
        for roots in buckets.values():
            if len(roots) < 2:
                continue
            in_bucket = set(roots)
            for root in sorted(roots):
                # the candidates are the groups of the bucket it has a pair scoring at least `floor` with: its own
                # component (see reconcile/__init__), so a reconcile of some components finds what a full one finds
                near = {group_of[n] for m in groups[root] for n, (s, _flag) in self.adjacency[m].items()
                        if s >= self.params.floor and group_of.get(n) in in_bucket}
                ranked = sorted(near | {root}, key=lambda r: (-len(voices[r]), r))
                main = ranked[0]
                if main == root or len(voices[main]) < 2 or len(voices[ranked[1]]) == len(voices[main]):
                    continue
                entities = {e for m in groups[root] for e in self.mentions[m].entities}
                main_entities = {e for m in groups[main] for e in self.mentions[m].entities}
                if entities and not (len(voices[root]) == 1 and entities <= main_entities):
                    continue
                best = max((s for m in groups[root] for n, (s, flag) in self.adjacency[m].items()
                            if n in groups[main] and flag is None), default=0.0)
                if best >= self.params.part:
                    into[root] = main  # main has more voices than root: chains of `into` end

        def final(root: int) -> int:
            while root in into:
                root = into[root]
            return root

        merged: dict[int, list[int]] = {}
        for root in sorted(groups):
            merged.setdefault(final(root), []).extend(groups[root])
        return {root: sorted(found) for root, found in merged.items()}

    def _type_of(self, members: list[int]) -> str:
        """The most frequent specific type of a group of mentions (claims count twice; `other` only if nothing else)."""
        counts: dict[str, int] = {}
        for m in members:
            mention = self.mentions[m]
            counts[mention.type] = counts.get(mention.type, 0) + (2 if mention.is_claim else 1)
        specific = {k: v for k, v in counts.items() if k != "other"} or counts
        return sorted(specific.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    def _containment(self) -> None:
        """A finer event whose dates lie inside a coarser related event's becomes its part."""
        links: dict[tuple[int, int], float] = {}
        part, of = self.params.part, self.of
        for i, neighbours in self.adjacency.items():
            a = of.get(i)
            if a is None:
                continue  # in no event (most undated mentions of a large component): none of its pairs links two
            for j, (s, _flag) in neighbours.items():
                b = of.get(j)
                if b is None or a == b or s < part:
                    continue
                links[(a, b)] = max(links.get((a, b), 0.0), s)
        for (outer_id, inner_id), s in sorted(links.items(), key=lambda x: (-x[1], x[0])):
            outer, inner = self.clusters[outer_id], self.clusters[inner_id]
            if inner.parent is not None or outer.interval is None or inner.interval is None:
                continue
            if not dates.contains(outer.interval, inner.interval) or outer.interval.width <= inner.interval.width:
                continue
            if all(self.mentions[m].carried_date for m in outer.members):
                continue  # a date carried over from earlier sentences makes no event the whole of another
            outer_family = family(self.event_type(outer))
            if outer_family == "other" or family(self.event_type(inner)) not in CONTAINS.get(outer_family, {outer_family}):
                continue
            if self._ancestor(outer_id, inner_id):
                continue
            inner.parent = outer_id
            outer.children.append(inner_id)

    def _ancestor(self, node: int, candidate: int) -> bool:
        """Is `candidate` node itself or one of its ancestors (so linking would make a cycle)?"""
        seen = set()
        while node is not None and node not in seen:
            if node == candidate:
                return True
            seen.add(node)
            node = self.clusters[node].parent
        return False
