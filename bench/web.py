"""Benchmark: `/timeline.json` over a synthetic store of 100,000 events (goal: p95 ≤ 100 ms).

Runs a real uvicorn on 127.0.0.1 and asks for the windows a user visits while zooming from the
whole century down to a month, with httpx, in a bounded loop. `/-/versions` is measured in the
same run as the baseline, because absolute times vary ~2x between runs on shared machines.

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
        print(f"synthetic store: {args.events} events in {time.perf_counter() - t0:.1f} s")
        server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        timeline, versions, modes, per_window = [], [], {}, {}
        with httpx.Client(base_url=base, timeout=30) as client:
            for url in ["/timeline.json", "/-/versions.json"]:
                client.get(url).raise_for_status()  # warm up
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
        server.should_exit = True
        thread.join(timeout=5)
    for url, values in per_window.items():
        print(f"  {url:<75} p50={statistics.median(values):6.1f} ms  max={max(values):6.1f} ms")
    p50, p95 = statistics.median(timeline), percentile(timeline, 0.95)
    b50 = statistics.median(versions)
    print(f"/timeline.json  n={len(timeline)}  p50={p50:.1f} ms  p95={p95:.1f} ms  max={max(timeline):.1f} ms  modes={modes}")
    print(f"/-/versions     n={len(versions)}  p50={b50:.1f} ms  p95={percentile(versions, 0.95):.1f} ms")
    print(f"ratio timeline/versions (p50): {p50 / b50:.1f}x   goal p95 <= 100 ms: {'met' if p95 <= 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
