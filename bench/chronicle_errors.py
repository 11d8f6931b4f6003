"""List the gold event mentions a chronicle misses, leaves undated or dates wrongly, and say why.

    .venv/bin/python bench/chronicle.py --out /tmp/me/tonkin          # build and score first
    .venv/bin/python bench/chronicle_errors.py /tmp/me/tonkin          # then read the errors
    .venv/bin/python bench/chronicle_errors.py /tmp/me/tonkin --only missed --json

Why a script: the scorer (../shared/tools/score_chronicle.py) says how many gold mentions are found
and dated; fixing the reading needs to know *which* ones fail and at which stage. For each gold
mention (events.jsonl: {doc, quote, date_text}) this reads the exported chronicle and the store
beside it (`store.db`: every event mention, kept or not, and every time expression) and puts the
mention in one category:

  ok                      an event's evidence overlaps the quote and its interval overlaps the gold date
  missed/no-trigger       no event mention of the annotator overlaps the quote
  missed/factuality       mentions found, but all negated or hypothetical (no event founded on them)
  missed/context          mentions found, but in a title, heading or citation zone
  missed/salience         mentions found, but reconcile gave them no event (non-event lemma, generic
                          without participant or own date, typed with neither: evidence only)
  undated/no-timex        matched, undated, and no time expression overlaps the gold date_text
  undated/not-anchored    matched, undated, though a time expression overlaps the date_text
  wrong/normalised        dated wrongly, and the time expression at the date_text has a value
                          outside the gold date (the normaliser or a relative expression's anchor)
  wrong/anchored          dated wrongly, by another time expression than the one at the date_text
                          (or the event merged with another of a different date)

The categories are judged the way the scorer matches: a gold mention is "found" by the chronicle
event whose evidence overlaps the quote, best dated first.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TONKIN = ROOT.parent / "shared" / "corpora" / "tonkin-1964"


def edtf_interval(s: str) -> tuple[date, date]:
    """[start, end] of the simple EDTF forms the gold uses (as the scorer reads them)."""
    s = s.strip().rstrip("~?%")
    if "/" in s:
        a, b = s.split("/", 1)
        start = edtf_interval(a)[0] if a not in ("", "..") else date(1, 1, 1)
        end = edtf_interval(b)[1] if b not in ("", "..") else date(9999, 12, 31)
        return start, end
    parts = s.split("-")
    y = int(parts[0])
    if len(parts) == 1:
        return date(y, 1, 1), date(y, 12, 31)
    m = int(parts[1])
    if len(parts) == 2:
        return date(y, m, 1), date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
    return date(y, m, int(parts[2])), date(y, m, int(parts[2]))


def interval(earliest: str | None, latest: str | None, edtf: str | None) -> tuple[date, date] | None:
    try:
        if earliest and latest:
            return date.fromisoformat(earliest[:10]), date.fromisoformat(latest[:10])
        if edtf:
            return edtf_interval(edtf)
    except (ValueError, TypeError):
        return None
    return None


def overlaps(a, b) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def touch(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def analyse(out: Path, gold: Path, docs: Path) -> list[dict]:
    """One row per gold mention: category, the gold, and what timeweave produced in its span."""
    chron = json.loads((out / "chronicle.json").read_text(encoding="utf-8"))
    db = sqlite3.connect(out / "store.db")
    db.row_factory = sqlite3.Row
    texts = {p.name: p.read_text(encoding="utf-8") for p in docs.glob("*.txt")}
    src_doc = {s["id"]: os.path.basename(s.get("path") or "") for s in chron["sources"]}
    pred = []  # (event, doc, span, interval)
    for ev in chron["events"]:
        when = ev.get("when") or {}
        iv = interval(when.get("earliest"), when.get("latest"), when.get("edtf"))
        for e in ev.get("evidence", []):
            pred.append((ev, src_doc.get(e["source"]), (e["start"], e["end"]), iv))
    mentions: dict[str, list[sqlite3.Row]] = {}
    for row in db.execute("SELECT * FROM event_mentions"):
        mentions.setdefault(src_doc.get(row["source_id"]), []).append(row)
    timexes: dict[str, list[sqlite3.Row]] = {}
    for row in db.execute("SELECT * FROM timexes"):
        timexes.setdefault(src_doc.get(row["source_id"]), []).append(row)

    rows = []
    for gev in load_jsonl(gold / "events.jsonl"):
        gi = edtf_interval(gev["date"])
        for m in gev["mentions"]:
            text = texts.get(m["doc"])
            if text is None or m["quote"] not in text:
                continue
            q0 = text.find(m["quote"])
            span = (q0, q0 + len(m["quote"]))
            d0 = text.find(m["date_text"], q0) if m.get("date_text") else -1
            dspan = (d0, d0 + len(m["date_text"])) if d0 >= 0 else None
            best = None
            for ev, doc, psp, piv in pred:
                if doc == m["doc"] and touch(span, psp):
                    score = (piv is not None and overlaps(piv, gi), piv is not None, min(span[1], psp[1]) - max(span[0], psp[0]))
                    if best is None or score > best[0]:
                        best = (score, ev, piv)
            here = [r for r in mentions.get(m["doc"], []) if touch(span, (r["trigger_start"], r["trigger_end"]))]
            times = [r for r in timexes.get(m["doc"], []) if touch(span, (r["start"], r["end"]))]
            at_date = [r for r in times if dspan and touch(dspan, (r["start"], r["end"]))]
            category = _category(best, here, at_date, gi)
            rows.append({
                "category": category, "event": gev["id"], "gold_date": gev["date"], "doc": m["doc"],
                "quote": m["quote"], "date_text": m.get("date_text"),
                "matched": None if best is None else {"label": best[1].get("label"),
                                                      "when": (best[1].get("when") or {}).get("edtf")},
                "mentions": [f"{r['trigger']}[{r['factuality']},{r['context']},{r['when_kind']}:"
                             f"{r['when_text'] or '-'}={r['edtf'] or '-'} ev={r['event_id']}]" for r in here],
                "timexes": [f"{r['text']}={r['value'] or '-'}({r['type']})" for r in times],
            })
    return rows


def extra_events(out: Path, gold: Path, docs: Path) -> list[dict]:
    """Chronicle events whose evidence touches no gold mention: noise, fragments, or events the gold
    leaves out (publication dates, undated asides). The other half of events_per_gold_event."""
    chron = json.loads((out / "chronicle.json").read_text(encoding="utf-8"))
    texts = {p.name: p.read_text(encoding="utf-8") for p in docs.glob("*.txt")}
    src_doc = {s["id"]: os.path.basename(s.get("path") or "") for s in chron["sources"]}
    spans = []
    for gev in load_jsonl(gold / "events.jsonl"):
        for m in gev["mentions"]:
            text = texts.get(m["doc"], "")
            at = text.find(m["quote"])
            if at >= 0:
                spans.append((m["doc"], (at, at + len(m["quote"]))))
    out_rows = []
    for ev in chron["events"]:
        evidence = [(src_doc.get(e["source"]), (e["start"], e["end"]), e) for e in ev.get("evidence", [])]
        if any(doc == gdoc and touch(sp, gsp) for doc, sp, _ in evidence for gdoc, gsp in spans):
            continue
        out_rows.append({"label": ev.get("label"), "type": ev.get("type"), "when": (ev.get("when") or {}).get("edtf"),
                         "evidence": [f"{doc[:2]} {e.get('trigger')}: {e['quote'][:120]}" for doc, _, e in evidence]})
    return out_rows


def _category(best, here, at_date, gi) -> str:
    if best is not None:
        (right, dated, _), ev, piv = best
        if right:
            return "ok"
        if not dated:
            return "undated/not-anchored" if at_date else "undated/no-timex"
        values = [interval(r["earliest"], r["latest"], r["edtf"]) for r in at_date]
        if at_date and not any(v and overlaps(v, gi) for v in values):
            return "wrong/normalised"
        return "wrong/anchored"
    if not here:
        return "missed/no-trigger"
    if all(r["factuality"] in ("negated", "hypothetical") for r in here):
        return "missed/factuality"
    if all(r["context"] not in ("narrative",) for r in here):
        return "missed/context"
    return "missed/salience"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder written by bench/chronicle.py --out (chronicle.json, store.db)")
    parser.add_argument("--gold", type=Path, default=TONKIN / "gold")
    parser.add_argument("--docs", type=Path, default=TONKIN / "docs")
    parser.add_argument("--only", default=None, help="category prefix to list (missed, undated, wrong, ...)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--extra", action="store_true", help="list the chronicle events that touch no gold mention instead")
    args = parser.parse_args()
    if args.extra:
        extra = extra_events(args.out, args.gold, args.docs)
        for row in extra:
            print(f"{row['label']!r} {row['type']} {row['when']}")
            for line in row["evidence"]:
                print("    " + line.replace("\n", " / "))
        print(f"\n{len(extra)} events touch no gold mention")
        return 0
    rows = analyse(args.out, args.gold, args.docs)
    shown = [r for r in rows if r["category"] != "ok" and (args.only is None or r["category"].startswith(args.only))]
    if args.json:
        print(json.dumps(shown, indent=1, ensure_ascii=False))
        return 0
    for r in shown:
        quote = r["quote"].replace("\n", " / ")
        print(f"[{r['category']}] {r['doc'][:2]} {r['event']} gold={r['gold_date']} date_text={r['date_text']!r}")
        print(f"    {quote[:220]}")
        print(f"    matched: {r['matched']}")
        print(f"    mentions: {'; '.join(r['mentions']) or '-'}")
        print(f"    timexes: {'; '.join(r['timexes']) or '-'}")
    counts = Counter(r["category"] for r in rows)
    print(f"\n{len(rows)} gold mentions:")
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {key:24} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
