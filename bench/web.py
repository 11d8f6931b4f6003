"""Benchmark: `/timeline.json` and `/search.json` over 100,000 synthetic events (goal: p95 <= 50 ms, <= 5x a bare read).

Runs a real uvicorn on 127.0.0.1 and asks, with httpx, for the windows a user visits while zooming
from the whole century down to a week (each round pans every window by a few weeks, so no two
rounds ask for the same window), with and without filters, and for searches on a store with
`--search-docs` replicated documents (the bundled corpus, cut into passages as ingest does).

The reference, measured in the same run because absolute times vary ~2x on shared machines, is a
**bare SQLite read of the same rows** with the standard library's sqlite3 and no web stack:
  - timeline: `SELECT id, d0, d1, status FROM timeline_index WHERE d0 <= end AND d1 >= start` with
    the same filters (the events the window shows or counts), fetched;
  - search: the same FTS5 query the server runs (MATCH, bm25 order, snippet, LIMIT/OFFSET), fetched.
The ratio is the endpoint's p95 over the bare read's p95, per window and per query. Cold requests
(the first after a reindex, the first with a new filter) are measured apart, because the server
keeps the timeline's columns and each filter's events per store generation. `/map.json` and
`/network.json` are measured as before (`add_places_and_actors`: 20 places, 30 actors).

    .venv/bin/python bench/web.py [--events 100000] [--rounds 20] [--search-docs 1600] [--runs 3]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from serve_fixtures import CORPUS, NOW, make_synthetic_store  # noqa: E402  (the same generator the tests use)

from timeweave.serve import create_app  # noqa: E402

LEVELS = [  # name, first day, length in days (None: the whole extent, no start/end)
    ("fit", None, None), ("century", "1900-01-01", 36524), ("decade", "1930-01-01", 3652), ("year", "1936-01-01", 366),
    ("quarter", "1936-01-01", 91), ("month", "1936-03-01", 31), ("week", "1936-03-01", 7),
]
FILTERS = [  # name, query string, the same filters as SQL on timeline_index (for the bare read)
    ("", "", ""),
    ("contested+entity", "&status=contested&entity=7",
     " AND status = 'contested' AND (id IN (SELECT event_id FROM event_participants WHERE entity_id = 7) OR place = 7)"),
    ("type", "&type=treaty", " AND type = 'treaty'"),
    ("source", "&source=s3", " AND id IN (SELECT event_id FROM event_mentions WHERE source_id = 's3')"),
]
FILTERED_LEVELS = ("century", "decade", "month")
QUERIES = [("q=the", 1), ("q=the", 5), ("q=the+war", 1), ("q=Soviet+Union", 2), ("q=Nomonhan", 1), ("q=Japanese+troops", 1)]


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


def add_documents(db: Path, n_docs: int) -> None:
    """`n_docs` sources replicating the bundled corpus texts, cut into passages by ingest's own segmenter."""
    from sqlalchemy import insert

    from timeweave.ingest.passages import segment
    from timeweave.store import open_store
    from timeweave.store import schema as t

    texts = [p.read_text("utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    cut = [segment(text) for text in texts]
    engine = open_store(db, create=False)
    with engine.begin() as conn:
        for n in range(n_docs):
            sid, k = f"doc{n}", n % len(texts)
            conn.execute(insert(t.sources).values(
                id=sid, path=f"{sid}.txt", sha256="0" * 64, format="txt", size=len(texts[k]), title=f"Document {n}",
                authors=[], issued="2000", kind="news", kind_reason="synthetic", metadata_origin="extracted",
                pipeline="x", updated_at=NOW))
            conn.execute(insert(t.texts).values(source_id=sid, text=texts[k]))
            conn.execute(insert(t.passages), [
                {"source_id": sid, "seq": i, "start": p.start, "end": p.end, "role": p.role, "role_reason": p.role_reason,
                 "sha1": p.sha1} for i, p in enumerate(cut[k])])
    engine.dispose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def windows(round_: int) -> list[tuple[str, str, str, str, int | None, int | None]]:
    """(name, url, bare SQL, filter name, first day, last day) of every timeline request of one round, panned."""
    out = []
    for level, first, length in LEVELS:
        for fname, query, sql in FILTERS:
            if fname and level not in FILTERED_LEVELS:
                continue
            if first is None:
                url, a, b = "/timeline.json?bins=150" + query, None, None
            else:
                pan = timedelta(days=(round_ * 23 * length // 365 + round_ * 3) % max(length, 7)) if level != "century" else timedelta(0)
                start = date.fromisoformat(first) + pan
                end = start + timedelta(days=length - 1)
                a, b = start.toordinal(), end.toordinal()
                url = f"/timeline.json?start={start}&end={end}&bins=150" + query
            out.append((f"{level}{' ' + fname if fname else ''}", url, sql, fname, a, b))
    return out


def bare_timeline(db: sqlite3.Connection, a: int | None, b: int | None, sql: str) -> float:
    """The bare read of the rows a window covers (see the module docstring), in ms."""
    t = time.perf_counter()
    if a is None:
        db.execute("SELECT id, d0, d1, status FROM timeline_index WHERE 1 = 1" + sql).fetchall()
    else:
        db.execute("SELECT id, d0, d1, status FROM timeline_index WHERE d0 <= ? AND d1 >= ?" + sql, (b, a)).fetchall()
    return (time.perf_counter() - t) * 1000


def bare_search(db: sqlite3.Connection, q: str, page: int) -> float:
    """The server's FTS5 query for one page of results, run bare, in ms."""
    from timeweave.store.search import HIT_END, HIT_START, TABLE, fts5_query

    t = time.perf_counter()
    db.execute(f"SELECT kind, ref, source_id, start, \"end\", title, snippet({TABLE}, 6, '{HIT_START}', '{HIT_END}', '…', 24) "
               f"FROM {TABLE} WHERE {TABLE} MATCH ? ORDER BY bm25({TABLE}, 0, 0, 0, 0, 0, 4.0, 1.0), kind, ref "
               "LIMIT ? OFFSET ?", (fts5_query(q), 51, (page - 1) * 50)).fetchall()
    return (time.perf_counter() - t) * 1000


def timed(client: httpx.Client, url: str) -> tuple[float, dict]:
    t = time.perf_counter()
    response = client.get(url)
    ms = (time.perf_counter() - t) * 1000
    response.raise_for_status()
    return ms, response.json()


def one_run(client: httpx.Client, db: sqlite3.Connection, rounds: int) -> dict[str, dict]:
    """Every timeline window and search query `rounds` times (panned), with the bare read of each."""
    from urllib.parse import parse_qs

    stats: dict[str, dict] = {}
    for r in range(rounds):
        for name, url, sql, _fname, a, b in windows(r):
            ms, data = timed(client, url)
            s = stats.setdefault("timeline " + name, {"http": [], "bare": [], "modes": set(), "rows": []})
            s["http"].append(ms)
            s["bare"].append(bare_timeline(db, a, b, sql))
            s["modes"].add(data["mode"])
            s["rows"].append(data["total"])
        for query, page in QUERIES:
            ms, data = timed(client, f"/search.json?{query}&page={page}")
            s = stats.setdefault(f"search {query}&page={page}", {"http": [], "bare": [], "modes": set(), "rows": []})
            s["http"].append(ms)
            s["bare"].append(bare_search(db, parse_qs(query)["q"][0], page))
            s["rows"].append(len(data["results"]))
    return stats


def cold(client: httpx.Client, engine, db: sqlite3.Connection, rounds: int) -> dict[str, dict]:
    """Requests that find no cache: the first after a reindex (columns reloaded, searches re-ranked), a new filter."""
    from urllib.parse import parse_qs

    from timeweave.store.timeline_index import new_generation

    stats: dict[str, dict] = {}

    def add(name: str, ms: float, bare_ms: float) -> None:
        s = stats.setdefault(name, {"http": [], "bare": []})
        s["http"].append(ms)
        s["bare"].append(bare_ms)

    for r in range(rounds):
        with engine.begin() as conn:
            new_generation(conn)  # what every reindex ends with: the server's caches are now stale
        a, b = date(1930, 1, 1).toordinal(), date(1939, 12, 31).toordinal()
        add("timeline decade, first after a reindex", timed(client, "/timeline.json?start=1930-01-01&end=1939-12-31&bins=150")[0],
            bare_timeline(db, a, b, ""))
        entity = 1 + r % 30
        add("timeline decade, a new entity filter",
            timed(client, f"/timeline.json?start=1930-01-01&end=1939-12-31&bins=150&entity={entity}&status=corroborated")[0],
            bare_timeline(db, a, b, f" AND status = 'corroborated' AND (id IN (SELECT event_id FROM event_participants "
                                    f"WHERE entity_id = {entity}) OR place = {entity})"))
        for query, page in QUERIES:
            with engine.begin() as conn:
                new_generation(conn)
            add(f"search {query}&page={page}, first after a reindex", timed(client, f"/search.json?{query}&page={page}")[0],
                bare_search(db, parse_qs(query)["q"][0], page))
    return stats


def incremental_cost(engine, runs: int = 3) -> tuple[float, float]:
    """Seconds of a full reindex and of an incremental one (one source and 20 events changed), medians of `runs`."""
    from timeweave.store.changes import Changes
    from timeweave.store.search import reindex

    full, incremental = [], []
    for _ in range(runs):
        t = time.perf_counter()
        reindex(engine)
        full.append(time.perf_counter() - t)
        t = time.perf_counter()
        reindex(engine, Changes(changed=frozenset({"doc5"}), events=set(range(1000, 1020))))
        incremental.append(time.perf_counter() - t)
    return statistics.median(full), statistics.median(incremental)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--search-docs", type=int, default=1600, help="replicated documents for the search index")
    parser.add_argument("--runs", type=int, default=3, help="measure this many times; min and median of the p95s are printed")
    parser.add_argument("--store", type=Path, help="keep the synthetic store here and reuse it when it exists (reindexed each time)")
    args = parser.parse_args()
    from timeweave.store import open_store
    from timeweave.store.search import reindex

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        db = args.store or Path(tmp) / "bench.db"
        if not db.exists():
            make_synthetic_store(db, args.events)
            add_places_and_actors(db)
            add_documents(db, args.search_docs)
        engine = open_store(db, create=False)
        t1 = time.perf_counter()
        reindex(engine)
        print(f"synthetic store: {args.events} events, {args.search_docs} documents in {time.perf_counter() - t0:.1f} s "
              f"(full reindex {time.perf_counter() - t1:.1f} s)")
        server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        bare = sqlite3.connect(db, check_same_thread=False)
        runs: list[dict[str, dict]] = []
        views: dict[str, list[float]] = {"/map.json": [], "/network.json": []}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for url in ["/timeline.json", "/search.json?q=the", "/map.json"]:
                print(f"first {url}: {timed(client, url)[0]:.0f} ms")  # the map's first call loads the gazetteer
            for _ in range(args.runs):
                runs.append(one_run(client, bare, args.rounds))
            for r in range(args.rounds):
                for _name, url, _sql, fname, _a, _b in windows(r):
                    if fname not in ("", "contested+entity"):
                        continue
                    for view in views:  # the same window as the timeline's from/to filter
                        q = url.split("?", 1)[1].replace("start=", "from=").replace("end=", "to=").replace("&bins=150", "")
                        views[view].append(timed(client, f"{view}?{q}")[0])
            uncached = cold(client, engine, bare, args.rounds)
        server.should_exit = True
        thread.join(timeout=5)
        full_s, incremental_s = incremental_cost(engine)
        engine.dispose()
    report(runs)
    print("requests that find no cache (n=%d each): p50 / p95 / bare p95 / ratio" % args.rounds)
    for name, s in uncached.items():
        p95, b95 = percentile(s["http"], 0.95), percentile(s["bare"], 0.95)
        print(f"  {name:<50} {statistics.median(s['http']):6.1f} / {p95:6.1f} / {b95:6.1f} / {p95 / b95:5.2f}x")
    for view, values in views.items():
        print(f"{view:<15} n={len(values)}  p50={statistics.median(values):.1f} ms  p95={percentile(values, 0.95):.1f} ms")
    print(f"reindex: full {full_s:.2f} s, incremental (1 source, 20 events) {incremental_s:.3f} s: {full_s / incremental_s:.0f}x less")


def report(runs: list[dict[str, dict]]) -> None:
    """Per window/query: p50 and p95 of the endpoint and of the bare read, and the ratio, for each run; then min/median."""
    names = list(runs[0])
    print(f"{'request':<38} {'rows':>6} {'mode':>7}  " + "  ".join(f"run{i + 1}: p50 / p95 / bare p95 / ratio" for i in range(len(runs))))
    for kind in ("timeline", "search"):
        worst_p95, worst_ratio = [], []
        for run in runs:
            chosen = {n: s for n, s in run.items() if n.startswith(kind)}
            every = [ms for s in chosen.values() for ms in s["http"]]
            worst_p95.append(percentile(every, 0.95))
            worst_ratio.append(max(percentile(s["http"], 0.95) / percentile(s["bare"], 0.95) for s in chosen.values()))
        for name in names:
            if not name.startswith(kind):
                continue
            first = runs[0][name]
            cells = []
            for run in runs:
                s = run[name]
                p95, b95 = percentile(s["http"], 0.95), percentile(s["bare"], 0.95)
                cells.append(f"{statistics.median(s['http']):5.1f} / {p95:5.1f} / {b95:6.1f} / {p95 / b95:5.2f}x")
            print(f"{name:<38} {int(statistics.median(first['rows'])):>6} {'/'.join(sorted(first['modes'])) or '-':>7}  " + "   ".join(cells))
        print(f"== {kind}: p95 over all requests per run: {', '.join(f'{v:.1f}' for v in worst_p95)} ms -> min {min(worst_p95):.1f}, "
              f"median {statistics.median(worst_p95):.1f} (goal <= 50: {'met' if statistics.median(worst_p95) <= 50 else 'NOT met'}); "
              f"worst ratio to the bare read per run: {', '.join(f'{v:.2f}' for v in worst_ratio)} -> min {min(worst_ratio):.2f}, "
              f"median {statistics.median(worst_ratio):.2f} (goal <= 5: {'met' if statistics.median(worst_ratio) <= 5 else 'NOT met'})")


if __name__ == "__main__":
    main()
