"""Why the event grouping differs from gold: over-split events and wrong merges, with reasons and counts.

    .venv/bin/python bench/chronicle.py --out /tmp/me/tonkin          # build and score first
    .venv/bin/python bench/grouping.py /tmp/me/tonkin                  # then explain the grouping

Reads the store and chronicle that bench/chronicle.py left in its `--out` folder and the gold
(default: the Tonkin dev set). Each gold mention is matched to a chronicle event the way the scorer
does it (the event whose evidence overlaps the gold quote, best dated first, as the scorer ranks them). Then:

* for every gold event whose mentions ended in several chronicle events, each pair of those events
  is explained by the best pair of their mentions that touch the gold quotes: `similarity.judge`
  refused them (and why), their score was under the threshold, their dates conflict, the pair scored
  enough but the clusters did not fit, or (only when nothing else would have) blocking never
  compared them;
* for every chronicle event that holds mentions of several gold events (outside part_of), the
  strongest link between mentions of different gold events says why they merged;
* the B-cubed loss of each gold event (precision: its mentions share events with other gold events';
  recall: its mentions are spread over several events), worst first.

Reasons are counted by category so the mechanism to fix first is the most frequent one.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TONKIN = ROOT.parent / "shared" / "corpora" / "tonkin-1964"

from sqlalchemy import select  # noqa: E402

from timeweave import config as settings  # noqa: E402
from timeweave.reconcile import dates  # noqa: E402
from timeweave.reconcile.blocking import candidate_pairs  # noqa: E402
from timeweave.reconcile.cluster import Params  # noqa: E402
from timeweave.reconcile.embed import embed  # noqa: E402
from timeweave.reconcile.load import load  # noqa: E402
from timeweave.reconcile.similarity import judge  # noqa: E402
from timeweave.store import open_store  # noqa: E402
from timeweave.store import schema as t  # noqa: E402


def _interval(edtf: str) -> tuple[date, date]:
    sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))
    from score_chronicle import edtf_interval

    return edtf_interval(edtf)


def _tight(predicted: tuple[date, date], gold: tuple[date, date]) -> bool:
    sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))
    from score_chronicle import tight

    return tight(predicted, gold)


def gold_mentions(gold: Path, texts: dict[str, str]) -> list[dict]:
    out = []
    for line in (gold / "events.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        for m in event["mentions"]:
            text = texts.get(m["doc"])
            at = text.find(m["quote"]) if text is not None else -1
            if at >= 0:
                out.append({"event": event["id"], "part_of": event.get("part_of"), "doc": m["doc"],
                            "span": (at, at + len(m["quote"])), "date": _interval(event["date"]),
                            "quote": m["quote"]})
    return out


def category(reason: str) -> str:
    for key, name in (("not compared", "blocking never compared them"), ("unrelated", "types unrelated"),
                      ("named works", "named works differ"), ("different words", "different words, unlike sentences"),
                      ("a side undated", "undated side, participants apart"), (" conflict", "dates conflict"),
                      (" part", "part-only (whole and part)"), ("below", "score under threshold"),
                      ("role none", "salience: not a chronicle event"), ("fits", "pair fits, clusters did not")):
        if key in reason:
            return name
    return reason


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the --out folder of bench/chronicle.py (store.db, chronicle.json)")
    parser.add_argument("--gold", type=Path, default=TONKIN / "gold")
    parser.add_argument("--docs", type=Path, default=TONKIN / "docs")
    parser.add_argument("--verbose", action="store_true", help="list every split and merge, not only the counts")
    args = parser.parse_args()

    chron = json.loads((args.out / "chronicle.json").read_text(encoding="utf-8"))
    engine = open_store(args.out / "store.db")
    doc_of = {s["id"]: Path(s["path"]).name for s in chron["sources"]}
    texts = {p.name: p.read_text(encoding="utf-8") for p in args.docs.glob("*.txt")}
    golds = gold_mentions(args.gold, texts)
    params = Params.from_config(settings.resolve())
    with engine.connect() as conn:
        corpus = load(conn, undated_events=params.undated_events, common_participant=params.common_participant)
        vectors = embed(conn, [m.sentence for m in corpus.mentions])
        event_of = {r.id: r.event_id for r in conn.execute(select(t.event_mentions.c.id, t.event_mentions.c.event_id))}
    mentions = corpus.mentions
    pairs = candidate_pairs(mentions)
    events = {e["id"]: e for e in chron["events"]}

    def interval(e):
        w = e.get("when") or {}
        return (date.fromisoformat(w["earliest"][:10]), date.fromisoformat(w["latest"][:10])) if w.get("earliest") else None

    # the scorer's matching: each gold mention to the best overlapping event
    chosen: dict[int, int] = {}
    for k, g in enumerate(golds):
        best = None
        for e in chron["events"]:
            iv = interval(e)
            for ev in e["evidence"]:
                if doc_of.get(ev["source"]) != g["doc"]:
                    continue
                overlap = max(0, min(g["span"][1], ev["end"]) - max(g["span"][0], ev["start"]))
                if overlap:
                    ok = iv is not None and iv[0] <= g["date"][1] and g["date"][0] <= iv[1]
                    rank = (ok and _tight(iv, g["date"]), ok, overlap)
                    if best is None or rank > best[0]:
                        best = (rank, e["id"])
        if best:
            chosen[k] = best[1]

    def touching(k: int, event_id: int) -> list[int]:
        g = golds[k]
        return [m.index for m in mentions if event_of.get(m.id) == event_id and doc_of.get(m.source_id, m.source_id) == g["doc"]
                and min(g["span"][1], m.end) > max(g["span"][0], m.start)]

    sims = {}

    def explain(i: int, j: int) -> tuple[float, str]:
        a, b = mentions[min(i, j)], mentions[max(i, j)]
        key = (a.index, b.index)
        if a.role == "none" or b.role == "none":
            return -1.0, "role none"
        sim = float(vectors[a.index] @ vectors[b.index]) if vectors is not None else None
        result, why = judge(a, b, sim, params)
        unseen = "" if key in pairs else " [blocking never compared them]"
        if result is None:
            return -0.5, why + unseen
        s, flag = result
        need = params.strong if flag == "conflict" else (params.undated if a.interval is None or b.interval is None else params.join)
        if flag == "part":
            return s, why + unseen
        if s < need:
            return s, f"{why}: below {need}{unseen}"
        if unseen:  # the only thing that kept them apart
            return s, f"not compared by blocking; {why}: would fit ({need})"
        return s, f"{why}: pair fits ({need})"

    print(f"gold mentions matched: {len(chosen)}/{len(golds)}")
    split_reasons: Counter = Counter()
    by_gold: dict[str, list[int]] = defaultdict(list)
    for k in chosen:
        by_gold[golds[k]["event"]].append(k)
    for gid, ks in sorted(by_gold.items()):
        groups = defaultdict(list)
        for k in ks:
            groups[chosen[k]].append(k)
        if len(groups) < 2:
            continue
        ids = sorted(groups)
        if args.verbose:
            print(f"\nSPLIT {gid}: " + "; ".join(f"#{e} {events[e]['label']!r} ({len(groups[e])})" for e in ids))
        # explain each event against the biggest group
        main_id = max(ids, key=lambda e: (len(groups[e]), -e))
        for other in ids:
            if other == main_id:
                continue
            best = None
            for ka in groups[main_id]:
                for kb in groups[other]:
                    for i in touching(ka, main_id):
                        for j in touching(kb, other):
                            found = explain(i, j)
                            if best is None or found[0] > best[0]:
                                best = (found[0], found[1], i, j)
            if best is None:
                split_reasons["no mention found"] += 1
                continue
            split_reasons[category(best[1])] += 1
            if args.verbose:
                a, b = mentions[best[2]], mentions[best[3]]
                print(f"  #{other} vs #{main_id}: {a.trigger!r}({a.type},{a.interval and a.interval.edtf or a.when_text}) / "
                      f"{b.trigger!r}({b.type},{b.interval and b.interval.edtf or b.when_text}): {best[1]}")
    merge_reasons: Counter = Counter()
    by_pred: dict[int, list[int]] = defaultdict(list)
    for k, e in chosen.items():
        by_pred[e].append(k)
    parents = {g["event"]: g["part_of"] for g in golds}
    for eid, ks in sorted(by_pred.items()):
        gids = sorted({golds[k]["event"] for k in ks})
        if len(gids) < 2:
            continue
        if args.verbose:
            print(f"\nMERGED #{eid} {events[eid]['label']!r}: {gids}")
        members = [m.index for m in mentions if event_of.get(m.id) == eid]
        for x, ga in enumerate(gids):
            for gb in gids[x + 1:]:
                related = parents.get(ga) == gb or parents.get(gb) == ga
                if related:
                    merge_reasons["whole and part merged"] += 1
                    continue
                shared = {golds[k]["span"] + (golds[k]["doc"],) for k in ks if golds[k]["event"] == ga} & \
                         {golds[k]["span"] + (golds[k]["doc"],) for k in ks if golds[k]["event"] == gb}
                if shared:
                    merge_reasons["one gold quote for both (shared sentence)"] += 1
                    continue
                ia = [i for k in ks if golds[k]["event"] == ga for i in touching(k, eid)]
                ib = [i for k in ks if golds[k]["event"] == gb for i in touching(k, eid)]
                best = max(((explain(i, j), i, j) for i in ia for j in ib if i != j), default=None, key=lambda x: x[0][0])
                if best is None:
                    merge_reasons["same mention for both"] += 1
                    continue
                (s, why), i, j = best
                merge_reasons["direct pair scored" if s >= params.join else "joined through others (chain)"] += 1
                if args.verbose:
                    a, b = mentions[i], mentions[j]
                    print(f"  {ga} / {gb}: {a.trigger!r}({a.type}) / {b.trigger!r}({b.type}): {why}")
    print("\nover-split, by reason:")
    for reason, n in split_reasons.most_common():
        print(f"  {n:3d}  {reason}")
    print("wrong merges, by reason:")
    for reason, n in merge_reasons.most_common():
        print(f"  {n:3d}  {reason}")
    # Where B-cubed loses, by gold event: precision lost by its mentions sharing an event with other gold
    # events' mentions, recall lost by its mentions spread over several events (the scorer's B-cubed is
    # one minus the means of these over all matched mentions).
    keys = list(chosen)
    lost_p: Counter = Counter()
    lost_r: Counter = Counter()
    for k in keys:
        same_gold = {j for j in keys if golds[j]["event"] == golds[k]["event"]}
        same_pred = {j for j in keys if chosen[j] == chosen[k]}
        lost_p[golds[k]["event"]] += 1 - len(same_gold & same_pred) / len(same_pred)
        lost_r[golds[k]["event"]] += 1 - len(same_gold & same_pred) / len(same_gold)
    if keys:
        print(f"\nB-cubed over {len(keys)} matched mentions: P {1 - sum(lost_p.values()) / len(keys):.3f} "
              f"R {1 - sum(lost_r.values()) / len(keys):.3f}; where it is lost (mentions' worth):")
        worst = sorted(set(lost_p) | set(lost_r), key=lambda g: (-(lost_p[g] + lost_r[g]), g))
        for gid in [g for g in worst if lost_p[g] + lost_r[g] > 0][:10]:
            events_of = sorted({chosen[k] for k in keys if golds[k]["event"] == gid}, key=str)
            print(f"  {gid:44s} precision {lost_p[gid]:5.2f}  recall {lost_r[gid]:5.2f}  events {events_of}")
    pred_count = len(chron["events"])
    touched = {e for e in chosen.values()}
    print(f"\nchronicle events: {pred_count}; touching a gold mention: {len(touched)}; "
          f"touching none (noise or ungolded): {pred_count - len(touched)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
