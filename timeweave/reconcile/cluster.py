"""Merging event mentions into canonical events, finest date first, and finding sub-events.

Why finest-first: a mention dated to a day is the most discriminating evidence there is, so
day-level mentions are grouped first, then week-, month-, year-level and finally undated mentions
join the groups they fit. A coarse mention that fits two or more *disjoint* finer events of the
same kind ("the Kremlin negotiations of November 1934" against talks on the 24th and on the
27th; "the fighting of 1939" against a May clash and an August offensive) denotes the whole that
contains them: it becomes a parent event and the finer ones become its parts (`part_of`). A generic
mention dated by its own clause to a year at most ("military actions against Japan in 1939") can be
such a whole too, of parts of one family that share a participant or place with it, and it takes
their type. Only mentions whose `salience` role is `event` found events; `evidence` ones only join.
A generic happening one voice tells in the sentence where it reports an event more voices attest, on
the same days and naming nobody new, is a detail of that event and joins it (`_absorb_details`).

Mentions merge only when their dates are compatible as intervals. The one exception is the
conflict a reconciler exists to show: two *different* voices describing what is clearly the same
event (score ≥ `strong`) with disjoint dates. They are merged and the conflict is reported by
`compare`, not averaged. One voice giving two dates describes two occasions, never one, so a
conflict is judged only after the mentions that agree on dates have grouped: between whole groups,
where a voice telling both dates is seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field


from timeweave.reconcile import dates
from timeweave.reconcile.blocking import family
from timeweave.reconcile.load import Mention
from timeweave.reconcile.params import Params
from timeweave.reconcile.passes import LaterPasses
from timeweave.reconcile.similarity import CONFLICT, CONTAINS, MAX_GENERIC_WHOLE_DAYS, PART_ONLY

__all__ = ["Cluster", "Clusterer", "Params", "cluster"]

@dataclass
class Cluster:
    id: int
    members: list[int]
    interval: dates.Interval | None
    tier: int
    children: list[int] = field(default_factory=list)
    parent: int | None = None
    voices: set[str] = field(default_factory=set)


class Clusterer(LaterPasses):
    """Greedy, deterministic agglomeration over scored candidate pairs (see the module docstring); the passes after
    the linkage are in `passes`."""

    def __init__(self, mentions: list[Mention], adjacency, params: Params):
        self.mentions, self.adjacency, self.params = mentions, adjacency, params
        self.clusters: dict[int, Cluster] = {}
        self.of: dict[int, int] = {}

    def _new(self, members: list[int], tier: int) -> Cluster:
        cid = len(self.clusters)
        ivs = [self.mentions[m].interval for m in members if self.mentions[m].interval]
        cluster = Cluster(cid, sorted(members), dates.intersect(ivs) if ivs else None, tier)
        cluster.voices = {self.mentions[m].voice for m in members}
        self.clusters[cid] = cluster
        for m in members:
            self.of[m] = cid
        return cluster

    def _fits(self, cluster: Cluster, m: int, pair_conflict: bool) -> bool:
        mention = self.mentions[m]
        if mention.interval is None or cluster.interval is None:
            return True
        return dates.compatible(cluster.interval, mention.interval) or (
            pair_conflict and mention.voice not in cluster.voices)

    def _add(self, cluster: Cluster, m: int) -> None:
        mention = self.mentions[m]
        cluster.members.append(m)
        cluster.members.sort()
        cluster.voices.add(mention.voice)
        self.of[m] = cluster.id
        if mention.interval is not None:
            merged = dates.intersect([cluster.interval, mention.interval]) if cluster.interval else mention.interval
            cluster.interval = merged or cluster.interval  # a reported conflict keeps the first date

    def _matches(self, m: int, threshold: float) -> list[tuple[float, int]]:
        """Existing clusters m could join, best first: (best pair score, cluster id)."""
        best: dict[int, tuple[float, bool]] = {}
        for n, (s, flag) in self.adjacency[m].items():
            cid = self.of.get(n)
            if cid is None or flag == PART_ONLY:
                continue
            conflict = flag == CONFLICT
            need = self.params.strong if conflict else threshold
            if s >= need and (cid not in best or s > best[cid][0]):
                best[cid] = (s, conflict)
        found = []
        for cid, (s, c) in best.items():
            linked = self._linkage([m], self.clusters[cid].members, s)
            if linked >= (self.params.strong if c else threshold) and self._fits(self.clusters[cid], m, c):
                found.append((linked, cid))
        return sorted(found, key=lambda x: (-x[0], x[1]))

    def _linkage(self, a: list[int], b: list[int], best: float) -> float:
        """Half the best pair score, half the mean over all cross pairs (unscored pairs count 0).

        Pure best-pair (single) linkage chains unrelated mentions through shared participants;
        the mean term makes a mention earn its place against the whole event.
        """
        if len(a) * len(b) == 1:
            return best
        total = 0.0
        for i in a:
            row = self.adjacency[i]
            total += sum(row[j][0] for j in b if j in row and row[j][1] != PART_ONLY)
        return 0.5 * best + 0.5 * total / (len(a) * len(b))

    def run(self) -> dict[int, Cluster]:
        tiers: dict[int, list[int]] = {}
        for mention in self.mentions:
            tiers.setdefault(dates.tier(mention.interval), []).append(mention.index)
        for level in sorted(tiers):
            self._tier(tiers[level], level)
        self._absorb_details()
        self._containment()
        return self.clusters

    def _tier(self, members: list[int], level: int) -> None:
        threshold = self.params.undated if level == 5 else self.params.join
        pending: dict[int, list[int]] = {}  # mention -> clusters it would be the whole of
        loose: list[int] = []
        for m in members:
            parts = self._whole_of(m) if level < 5 else []
            if len(parts) >= 2:
                pending[m] = parts
                loose.append(m)
                continue
            matches = self._matches(m, threshold)
            if matches:
                self._add(self.clusters[matches[0][1]], m)
            else:
                loose.append(m)
        self._merge_loose(loose, level, pending)

    def _whole_of(self, m: int) -> list[int]:
        """Finer clusters that m denotes the whole of: related (score >= `part`), inside m's dates,
        of one family that m's can contain, disjoint from each other, and about as related as the
        best of them (within `sibling_margin`, so "in 1936 the Protocol" stays the Protocol).
        The mention's own clause or sentence must date it: a carried-over date contains nothing.

        A typed mention gathers parts of its own family ("the negotiations of November 1934" over
        sessions on the 24th and 27th). A generic one ("military actions in 1939") gathers parts of
        one family that contains others, dated to a year at most and sharing a participant or
        place with each, and the whole takes their type (see `event_type`).
        """
        mention = self.mentions[m]
        iv = mention.interval
        if iv is None or not mention.is_claim or mention.role != "event" or mention.carried_date:
            return []
        kind = family(mention.type)
        generic = kind == "other"
        if generic and (iv.width > MAX_GENERIC_WHOLE_DAYS or mention.when_kind not in (None, "governed")):
            return []  # a generic word is a whole only when its own clause dates it, to a year at most
        related: dict[int, float] = {}
        for n, (s, _flag) in self.adjacency[m].items():
            cid = self.of.get(n)
            if cid is not None and s >= self.params.part and s > related.get(cid, 0.0):
                related[cid] = s
        if not related:
            return []
        best = max(related.values())
        parts: list[int] = []
        part_family = None if generic else kind
        for cid, s in sorted(related.items(), key=lambda x: (-x[1], x[0])):
            cluster = self.clusters[cid]
            if s < best - self.params.sibling_margin or cluster.interval is None:
                continue
            fam = family(self.event_type(cluster))
            if part_family is None and fam in CONTAINS:
                part_family = fam
            if fam != part_family:
                continue
            if generic and not mention.entities & self._entities(cluster):
                continue
            if not dates.contains(iv, cluster.interval) or cluster.interval.width >= iv.width:
                continue
            if all(not dates.overlaps(cluster.interval, self.clusters[p].interval) for p in parts):
                parts.append(cid)
        return parts

    def _entities(self, cluster: Cluster) -> set[int]:
        return {e for m in cluster.members for e in self.mentions[m].entities}

    def _merge_loose(self, loose: list[int], level: int, pending: dict[int, list[int]]) -> None:
        """Greedy merge of this tier's unplaced mentions, best pair first; then create clusters.

        Its only effect is the clusters it creates, each holding a mention that may found one: when none of
        `loose` may, it returns at once (the undated tier, while undated mentions found no event: ~3,000
        loose mentions and their pairs walked for nothing in a large component)."""
        if not any(self.mentions[m].role == "event" and self.mentions[m].may_found for m in loose):
            return
        threshold = self.params.undated if level == 5 else self.params.join
        group = {m: m for m in loose}
        ivs = {m: self.mentions[m].interval for m in loose}
        voices = {m: {self.mentions[m].voice} for m in loose}
        members = {m: [m] for m in loose}

        def find(x: int) -> int:
            while group[x] != x:
                group[x] = group[group[x]]
                x = group[x]
            return x

        # Mentions agreeing on dates group first; a conflict is then judged between whole groups, so a
        # voice that tells both dates (two occasions) is seen before two singletons merge across them.
        edges = sorted(
            ((s, i, j, flag == CONFLICT) for i in loose for j, (s, flag) in self.adjacency[i].items()
             if j in group and i < j and flag != PART_ONLY),
            key=lambda e: (e[3], -e[0], e[1], e[2]),
        )
        for s, i, j, conflict in edges:
            a, b = find(i), find(j)
            need = self.params.strong if conflict else threshold
            if a == b or s < need or self._linkage(members[a], members[b], s) < need:
                continue
            if ivs[a] and ivs[b]:
                merged = dates.intersect([ivs[a], ivs[b]])
                if merged is None and not (conflict and not voices[a] & voices[b]):
                    continue
            else:
                merged = ivs[a] or ivs[b]
            root, other = min(a, b), max(a, b)
            group[other] = root
            ivs[root] = merged or ivs[root] or ivs[other]
            voices[root] |= voices[other]
            members[root] += members.pop(other)
        groups: dict[int, list[int]] = {}
        for m in loose:
            groups.setdefault(find(m), []).append(m)
        if level == 0:
            groups = self._absorb_same_day(groups, ivs)
        for root in sorted(groups):
            found = groups[root]
            if not any(self.mentions[m].role == "event" and self.mentions[m].may_found for m in found):
                continue  # hypotheses, citations and undated asides never found an event on their own
            cluster = self._new(found, level)
            for m in found:
                for cid in pending.get(m, []):
                    child = self.clusters[cid]
                    if child.parent is None and cid not in cluster.children:
                        child.parent = cluster.id
                        cluster.children.append(cid)

    def event_type(self, cluster: Cluster) -> str:
        """The most frequent specific type among its claims (a generic `other` only if nothing else)."""
        counts: dict[str, int] = {}
        for m in cluster.members:
            mention = self.mentions[m]
            weight = 2 if mention.is_claim else 1
            counts[mention.type] = counts.get(mention.type, 0) + weight
        specific = {k: v for k, v in counts.items() if k != "other"}
        if not specific and cluster.children:
            # A generic whole ("the actions of 1939") is of the type of its parts.
            for cid in cluster.children:
                kind = self.event_type(self.clusters[cid])
                if kind != "other":
                    specific[kind] = specific.get(kind, 0) + 1
        specific = specific or counts
        return sorted(specific.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def cluster(mentions: list[Mention], adjacency, params: Params | None = None) -> tuple[dict[int, Cluster], Clusterer]:
    clusterer = Clusterer(mentions, adjacency, params or Params())
    return clusterer.run(), clusterer
