"""Benchmark: `/timeline.json`, `/map.json` and `/network.json` over 100,000 synthetic events (goal: p95 ≤ 100 ms).

Runs a real uvicorn on 127.0.0.1 and asks for the windows a user visits while zooming from the
whole century down to a month, with httpx, in a bounded loop. `/-/versions` is measured in the
same run as the baseline, because absolute times vary ~2x between runs on shared machines.
For the map and the network the synthetic store gets places and a second actor per event
(`add_places_and_actors`): 20 entities named after the largest GeoNames cities, where 80% of the
events happen, and 30 actors of which each event has two.

    .venv/bin/python bench/web.py [--events 100000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from serve_fixtures import make_synthetic_store  # noqa: E402  (the same generator the tests use)

from timeweave.serve import create_app  # noqa: E402

WINDOWS = [  # (start, end): century, decade, year, quarter, month, plus a filtered decade
    ("", ""), ("1930-01-01", "1939-12-31"), ("1936-01-01", "1936-12-31"),
    ("1936-01-01", "1936-03-31"), ("1936-03-01", "1936-03-31"), ("1900-01-01", "1999-12-31"),
]
FILTERED = "&status=contested&entity=7"


def add_places_and_actors(db: Path) -> None:
    """Give the synthetic store located places and two actors per event (for /map and /network)."""
    from sqlalchemy import insert, text

    from timeweave.geo.gazetteer import geonames
    from timeweave.store import open_store
    from timeweave.store import schema as t

    cities = sorted({c.name: c for entries in geonames(100_000).cities.values() for c in entries}.values(),
                    key=lambda c: -c.population)[:20]
    engine = open_store(db, create=False)
    with engine.begin() as conn:
        for n, city in enumerate(cities):
            conn.execute(text("UPDATE entities SET name = :name, type = 'place' WHERE id = :id"), {"name": city.name, "id": 31 + n})
        conn.execute(text("UPDATE events SET place = 31 + (id % 20) WHERE id % 5 != 0"))
        ids = [r[0] for r in conn.execute(text("SELECT id FROM events"))]
        rows = [{"event_id": eid, "entity_id": 1 + (eid * 7 + 3) % 30, "role": "patient"} for eid in ids
                if 1 + (eid * 7 + 3) % 30 != 1 + eid % 50]
        conn.execute(insert(t.event_participants), rows)
    engine.dispose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        db = make_synthetic_store(Path(tmp) / "bench.db", args.events)
        add_places_and_actors(db)
        print(f"synthetic store: {args.events} events in {time.perf_counter() - t0:.1f} s")
        server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        timeline, versions, modes, per_window = [], [], {}, {}
        views: dict[str, list[float]] = {"/map.json": [], "/network.json": []}
        with httpx.Client(base_url=base, timeout=30) as client:
            for url in ["/timeline.json", "/-/versions.json", "/map.json"]:
                t = time.perf_counter()
                client.get(url).raise_for_status()  # warm up (the map's first call loads the gazetteer, builds the index)
                print(f"first {url}: {(time.perf_counter() - t) * 1000:.0f} ms")
            for _ in range(args.rounds):
                for i, (start, end) in enumerate(WINDOWS):
                    url = f"/timeline.json?start={start}&end={end}&bins=150" + (FILTERED if i == len(WINDOWS) - 1 else "")
                    t = time.perf_counter()
                    response = client.get(url)
                    timeline.append((time.perf_counter() - t) * 1000)
                    per_window.setdefault(url, []).append(timeline[-1])
                    response.raise_for_status()
                    modes[response.json()["mode"]] = modes.get(response.json()["mode"], 0) + 1
                    t = time.perf_counter()
                    client.get("/-/versions.json").raise_for_status()
                    versions.append((time.perf_counter() - t) * 1000)
                    for view in views:  # the same window as the timeline's from/to filter
                        url = f"{view}?from={start}&to={end}" + (FILTERED if i == len(WINDOWS) - 1 else "")
                        t = time.perf_counter()
                        client.get(url).raise_for_status()
                        views[view].append((time.perf_counter() - t) * 1000)
                        per_window.setdefault(url, []).append(views[view][-1])
        server.should_exit = True
        thread.join(timeout=5)
    for url, values in per_window.items():
        print(f"  {url:<75} p50={statistics.median(values):6.1f} ms  max={max(values):6.1f} ms")
    p50, p95 = statistics.median(timeline), percentile(timeline, 0.95)
    b50 = statistics.median(versions)
    print(f"/timeline.json  n={len(timeline)}  p50={p50:.1f} ms  p95={p95:.1f} ms  max={max(timeline):.1f} ms  modes={modes}")
    print(f"/-/versions     n={len(versions)}  p50={b50:.1f} ms  p95={percentile(versions, 0.95):.1f} ms")
    print(f"ratio timeline/versions (p50): {p50 / b50:.1f}x   goal p95 <= 100 ms: {'met' if p95 <= 100 else 'NOT met'}")
    for view, values in views.items():
        v95 = percentile(values, 0.95)
        print(f"{view:<15} n={len(values)}  p50={statistics.median(values):.1f} ms  p95={v95:.1f} ms  max={max(values):.1f} ms  "
              f"goal p95 <= 100 ms: {'met' if v95 <= 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
