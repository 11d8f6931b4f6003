"""The `geojson` export: places as a Linked Places Format (LPF v1.1) FeatureCollection, for QGIS and Leaflet.

Each place entity is a Feature with its names (and the sources using each), its location from the
offline gazetteers (or `geometry: null` and the reason when it has none), and the events located
there, each with its date (EDTF and interval) and its quotes. GeoJSON readers ignore what they do not
know; LPF readers (World Historical Gazetteer) read `names`, `when`, `links` and `@id`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from timeweave.export.common import checked_chronicle, citation, locations, urn
from timeweave.export.registry import exporter

LPF_CONTEXT = "https://raw.githubusercontent.com/LinkedPasts/linked-places/master/linkedplaces-context-v1.1.jsonld"


def _timespan(events: list[dict]) -> dict | None:
    dated = [e["when"] for e in events if e["when"]]
    if not dated:
        return None
    return {"timespans": [{"start": {"earliest": min(w["earliest"] for w in dated)},
                           "end": {"latest": max(w["latest"] for w in dated)}}]}


def place_features(data: dict[str, Any], where: dict[int, Any]) -> list[dict[str, Any]]:
    """One LPF Feature per place entity of the chronicle (located or not)."""
    titles = {s["id"]: s["title"] or s["id"] for s in data["sources"]}
    at: dict[int, list[dict]] = defaultdict(list)
    for event in data["events"]:
        if event["place"] is not None:
            at[event["place"]].append(event)
    features = []
    for entity in data["entities"]:
        loc = where.get(entity["id"])
        if loc is None:
            continue
        events = at.get(entity["id"], [])
        geometry = None
        if loc.located:
            geometry = {"type": "Point", "coordinates": [round(loc.lon, 5), round(loc.lat, 5)], "certainty": loc.certainty}
        feature: dict[str, Any] = {
            "@id": urn("entity", entity["id"]), "type": "Feature",
            "properties": {"title": entity["name"], "entity": entity["id"], "entity_type": entity["type"],
                           "located": loc.located, "located_by": loc.how, "events": len(events)},
            "geometry": geometry,
            "names": [{"toponym": a["text"], "citations": [{"@id": urn("source", s), "label": titles.get(s, s)} for s in a["sources"]]}
                      for a in entity["aliases"]] or [{"toponym": entity["name"]}],
            "events": [{"@id": urn("event", e["id"]), "label": e["label"], "type": e["type"], "status": e["status"],
                        "when": e["when"] and {k: e["when"][k] for k in ("edtf", "earliest", "latest")},
                        "evidence": [citation(s) for s in e["evidence"]]} for e in events],
        }
        if loc.gazetteer_id and loc.gazetteer_id.startswith("http"):
            feature["links"] = [{"type": "closeMatch", "identifier": loc.gazetteer_id}]
        when = _timespan(events)
        if when:
            feature["when"] = when
        features.append(feature)
    return features


@exporter("geojson", suffix=".geojson", filename="places.geojson",
          help="Places as a Linked Places (GeoJSON) FeatureCollection with their events, dates and quotes; unlocated places have geometry null.")
def write_geojson(engine: Engine, out: Path) -> None:
    data, _ = checked_chronicle(engine)
    collection = {"type": "FeatureCollection", "@context": LPF_CONTEXT, "features": place_features(data, locations(engine))}
    out.write_text(json.dumps(collection, ensure_ascii=False, indent=1), encoding="utf-8")
