"""From a cluster of mentions to a canonical event: type, label, date, place and participants.

The date is the consensus interval of the claims (see `dates.consensus`): the most specific
interval consistent with the largest group of independent voices. Claims outside that group
stay attached as evidence and are reported by `compare`; the `when_reason` says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from timeweave.reconcile import dates, factuality, labels
from timeweave.reconcile.cluster import Cluster, Clusterer
from timeweave.reconcile.load import Corpus, Mention


@dataclass
class Event:
    id: int
    cluster: int
    type: str
    label: str
    members: list[Mention]
    interval: dates.Interval | None
    when_reason: str | None
    place: int | None
    participants: list[tuple[int, str]]  # (entity id, role)
    parent: int | None = None  # cluster id until write time
    children: list[int] = field(default_factory=list)
    status: str = "single_source"
    factuality: str = "asserted"  # asserted | reported | negated | disputed | hypothetical (see `factuality`)

    @property
    def claims(self) -> list[Mention]:
        return [m for m in self.members if m.is_claim]

    @property
    def voices(self) -> set[str]:
        return {m.voice for m in self.claims}


def source_list(ids: set[str] | list[str]) -> str:
    return ", ".join(sorted(ids))


def _date(members: list[Mention]) -> tuple[dates.Interval | None, str | None]:
    """Claims with their own dates decide; dates carried over from earlier sentences only when none has."""
    dated = ([m for m in members if m.interval and m.is_claim and not m.carried_date]
             or [m for m in members if m.interval and m.is_claim] or [m for m in members if m.interval])
    if not dated:
        return None, None
    interval, support = dates.consensus([(m.interval, m.voice) for m in dated])
    if interval is None:
        return None, None
    backing = {dated[k].source_id for k in support}
    reason = f"most specific date consistent with {source_list(backing)}"
    outside = [m for k, m in enumerate(dated) if k not in support]
    if outside:
        others = sorted({f"{dates.describe(m.interval)} ({m.source_id})" for m in outside})
        reason += f"; conflicting dates kept as evidence and reported: {'; '.join(others)}"
    texts = sorted({m.when_text for k, m in enumerate(dated) if k in support and m.when_text})
    if texts:
        reason += f" (from {', '.join(repr(x) for x in texts[:3])})"
    return interval, reason


def build_events(clusters: dict[int, Cluster], clusterer: Clusterer, corpus: Corpus) -> list[Event]:
    """Canonical events in a deterministic order (by date, then first evidence)."""
    events: list[Event] = []
    places: dict[int, int | None] = {}
    for cid in sorted(clusters):
        found = Counter(corpus.mentions[i].place for i in clusters[cid].members if corpus.mentions[i].place is not None)
        places[cid] = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if found else None
    for cid in sorted(clusters):
        cluster = clusters[cid]
        members = [corpus.mentions[i] for i in cluster.members]
        event_type = clusterer.event_type(cluster)
        interval, reason = _date(members)
        place = places[cid]
        roles: Counter = Counter()
        for m in members:
            for e in m.agents:
                roles[(e, "agent")] += 1
            for e in m.patients:
                roles[(e, "patient")] += 1
            for e in m.entities - m.agents - m.patients - ({place} if place is not None else set()):
                roles[(e, "other")] += 1
        participants = sorted(roles, key=lambda k: (-roles[k], k))
        named = participants or [p for child in cluster.children for p in _participants(clusters[child], corpus)]
        label = labels.label(members, corpus, event_type, place, named,
                             inherited_place=places.get(cluster.parent) if cluster.parent is not None else None)
        events.append(Event(
            id=0, cluster=cid, type=event_type, label=label,
            members=members, interval=interval, when_reason=reason, place=place, participants=participants,
            parent=cluster.parent, children=list(cluster.children), factuality=factuality.of_event(members),
        ))
    events.sort(key=lambda e: (e.interval.earliest if e.interval else 1 << 30, e.members[0].source_id, e.members[0].start, e.cluster))
    for n, event in enumerate(events, 1):
        event.id = n
    return events


def _participants(cluster: Cluster, corpus: Corpus) -> list[tuple[int, str]]:
    """Agents and patients of a cluster's claims: the names a whole without its own borrows from its parts."""
    out = []
    for i in cluster.members:
        m = corpus.mentions[i]
        if m.is_claim:
            out += [(e, "agent") for e in sorted(m.agents)] + [(e, "patient") for e in sorted(m.patients)]
    return out
