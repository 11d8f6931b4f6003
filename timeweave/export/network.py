"""The `gexf` and `graphml` exports: actors and the events that link them, for Gephi and networkx.

A node is an entity that takes part in at least one event (type, name, aliases); an edge joins two
entities taking part in the same events, weighted by how many, with the first and last dates and the
event ids. Both files are written by networkx, whose readers the tests use.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
from sqlalchemy import Engine

from timeweave.export.common import checked_chronicle
from timeweave.export.registry import exporter


def actor_graph(data: dict[str, Any]) -> nx.Graph:
    """Actors (participants of events) joined by the events they share."""
    graph = nx.Graph()
    entities = {e["id"]: e for e in data["entities"]}
    links: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for event in data["events"]:
        actors = sorted({p["entity"] for p in event["participants"]})
        for actor in actors:
            e = entities[actor]
            graph.add_node(f"e{actor}", label=e["name"], type=e["type"], entity=actor,
                           aliases=" | ".join(a["text"] for a in e["aliases"]))
        for a, b in combinations(actors, 2):
            links[(a, b)].append(event)
    for (a, b), events in links.items():
        dated = [e["when"] for e in events if e["when"]]
        graph.add_edge(f"e{a}", f"e{b}", weight=len(events), events=" ".join(str(e["id"]) for e in events),
                       first=min((w["earliest"] for w in dated), default=""), last=max((w["latest"] for w in dated), default=""),
                       label="; ".join(e["label"] for e in events[:5]))
    return graph


@exporter("gexf", suffix=".gexf", filename="network.gexf",
          help="Actors and their shared events as a GEXF network (Gephi): node type and aliases; edge weight, first/last date, event ids.")
def write_gexf(engine: Engine, out: Path) -> None:
    data, _ = checked_chronicle(engine)
    nx.write_gexf(actor_graph(data), out)


@exporter("graphml", suffix=".graphml", filename="network.graphml",
          help="Actors and their shared events as GraphML (networkx, Gephi, Cytoscape): the same graph as gexf.")
def write_graphml(engine: Engine, out: Path) -> None:
    data, _ = checked_chronicle(engine)
    nx.write_graphml(actor_graph(data), out)
