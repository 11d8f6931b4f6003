"""Built-in export formats: the chronicle JSON, an events CSV and a TimelineJS file."""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

from sqlalchemy import Engine, select

from timeweave.chronicle import chronicle, validate
from timeweave.export.registry import exporter
from timeweave.store import schema as t


def _texts(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {r.source_id: r.text for r in conn.execute(select(t.texts))}


@exporter("json", suffix=".json", filename="chronicle.json", help="The chronicle JSON (schema 1), validated before it is written.")
def write_json(engine: Engine, out: Path) -> None:
    data = chronicle(engine)
    validate(data, texts=_texts(engine))
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


@exporter("csv", suffix=".csv", filename="events.csv", help="One row per event: date interval, type, status, sources, first quote.")
def write_csv(engine: Engine, out: Path) -> None:
    data = chronicle(engine)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "label", "type", "edtf", "earliest", "latest", "status", "sources", "quote"])
        for event in data["events"]:
            when = event["when"] or {}
            sources = sorted({e["source"] for e in event["evidence"]})
            writer.writerow([
                event["id"], event["label"], event["type"], when.get("edtf", ""), when.get("earliest", ""),
                when.get("latest", ""), event["status"], ";".join(sources),
                event["evidence"][0]["quote"] if event["evidence"] else "",
            ])


@exporter("timelinejs", suffix=".json", filename="timeline.json", help="TimelineJS3 JSON: dated events with their first quote and sources.")
def write_timelinejs(engine: Engine, out: Path) -> None:
    data = chronicle(engine)
    titles = {s["id"]: s["title"] or s["id"] for s in data["sources"]}

    def date(iso: str) -> dict:
        year, month, day = iso.split("-")[-3:] if not iso.startswith("-") else iso[1:].split("-")
        return {"year": int(year) * (-1 if iso.startswith("-") else 1), "month": int(month), "day": int(day)}

    events = []
    for event in data["events"]:
        when = event["when"]
        if not when:
            continue
        quote = event["evidence"][0]["quote"] if event["evidence"] else ""
        cited = ", ".join(sorted({titles[e["source"]] for e in event["evidence"]}))
        events.append({
            "start_date": date(when["earliest"]),
            "end_date": date(when["latest"]),
            "display_date": when["edtf"],
            # TimelineJS renders these as HTML: escape them (source texts may be hostile).
            "text": {"headline": html.escape(event["label"]), "text": f"“{html.escape(quote)}” — {html.escape(cited)}"},
            "group": event["status"],
        })
    out.write_text(json.dumps({"events": events}, ensure_ascii=False, indent=1), encoding="utf-8")
