"""SemEval-2015 Task 4 (TimeLine, track A): timelines per target entity from raw text.

    .venv/bin/python bench/semeval2015.py --data ../shared/benchmarks/semeval2015-timeline/corpus_1 --out RUN_DIR

Runs the timeweave pipeline (annotate -> link -> reconcile) on `text/DOCID.txt`, with each
document's creation time from `documents.tsv` as its date (`meta.issued`, which the annotate
stage reads as the DCT). For every entity in `entities.txt` it writes `RUN_DIR/<entity>.txt`
(ordinal, anchor, `DOCID-SENTENCE-token` ids; mentions of one reconciled event on one line) and
prints the micro P/R/F1 of `../shared/tools/timeline_score.py`. In the same run it writes and
scores a naive baseline (`RUN_DIR/naive/`): every event mention in a sentence that contains the
entity's name, anchored to the DCT, one mention per line, no cross-document merging. Sentence = line number of text/DOCID.txt (line 0 is the title).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timeweave.annotate.entities.keys import alias_key  # noqa: E402
from timeweave.store import open_store  # noqa: E402
from timeweave.store import schema as t  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "timeline_score.py"


@dataclass
class Item:
    """One event mention as the timeline needs it."""

    doc: str
    sentence: int
    token: str
    own: tuple[str, str] | None  # (earliest, latest) of its own time expression
    how: str  # how the annotate stage dated it: governed | sentence | narrative | undated
    event: int | None
    event_when: tuple[str, str] | None
    dct: str
    participants: set[int]  # entity ids
    participant_texts: list[str]
    sentence_entities: set[int]
    sentence_text: str

    @property
    def id(self) -> str:
        return f"{self.doc}-{self.sentence}-{self.token}"


def read_docs(data: Path) -> list[tuple[str, str]]:
    with open(data / "documents.tsv", encoding="utf-8") as handle:
        return [(row["doc_id"], row["dct"]) for row in csv.DictReader(handle, delimiter="\t")]


def run_pipeline(data: Path, db: Path, *, embeddings: bool) -> None:
    """Annotate every text with its DCT, then link and reconcile: the build's stages, called directly."""
    from timeweave.annotate.pipeline import load_nlp
    from timeweave.annotate.run import annotate
    from timeweave.ingest.types import Document, Passage, SourceMeta
    from timeweave.link import link_entities
    from timeweave.reconcile import reconcile
    from timeweave.store.writer import write_document

    engine = open_store(db)
    nlp = load_nlp()
    with engine.begin() as conn:
        run_id = conn.execute(insert(t.runs).values(started_at="bench", status="running", versions={}, config={})).inserted_primary_key[0]
    for doc_id, dct in read_docs(data):
        raw = (data / "text" / f"{doc_id}.txt").read_bytes()
        text = raw.decode("utf-8")
        passages, offset = [], 0
        for line in text.split("\n"):
            if line.strip():
                passages.append(Passage(offset, offset + len(line), "content", None, hashlib.sha1(line.encode()).hexdigest()))
            offset += len(line) + 1
        meta = SourceMeta(id=doc_id, title=text.split("\n", 1)[0], issued=dct, kind="news", kind_reason="SemEval document")
        document = Document(path=str(data / "text" / f"{doc_id}.txt"), text=text, sha256=hashlib.sha256(raw).hexdigest(),
                            format="txt", encoding="utf-8", size=len(raw), meta=meta, passages=passages)
        doc, view = annotate(nlp, document)
        with engine.begin() as conn:
            write_document(conn, document, run_id=run_id, pipeline="semeval2015", doc=doc, view=view)
    link_entities(engine)
    reconcile(engine, config={"embeddings": embeddings})


def read_items(db: Path, data: Path) -> tuple[list[Item], dict[int, set[str]]]:
    """Event mentions with sentence numbers and entities; and each entity's alias keys."""
    engine = open_store(db)
    dcts = dict(read_docs(data))
    with engine.connect() as conn:
        texts = {r.source_id: r.text for r in conn.execute(select(t.texts))}
        entity_of, text_of = {}, {}
        for r in conn.execute(select(t.mentions.c.id, t.mentions.c.entity_id, t.mentions.c.text)):
            entity_of[r.id], text_of[r.id] = r.entity_id, r.text
        by_sentence: dict[tuple[str, int], set[int]] = defaultdict(set)
        for r in conn.execute(select(t.mentions.c.source_id, t.mentions.c.start, t.mentions.c.entity_id)):
            if r.entity_id is not None:
                by_sentence[(r.source_id, texts[r.source_id].count("\n", 0, r.start))].add(r.entity_id)
        keys: dict[int, set[str]] = defaultdict(set)
        for r in conn.execute(select(t.entities.c.id, t.entities.c.name, t.entities.c.type)):
            keys[r.id].add(alias_key(r.name))
            NAMES[r.id] = (r.name, r.type)
        for r in conn.execute(select(t.aliases.c.entity_id, t.aliases.c.text)):
            keys[r.entity_id].add(alias_key(r.text))
        events = {r.id: (r.earliest, r.latest) for r in conn.execute(select(t.events)) if r.earliest}
        items = []
        for r in conn.execute(select(t.event_mentions).order_by(t.event_mentions.c.source_id, t.event_mentions.c.trigger_start)):
            text = texts[r.source_id]
            line = text.count("\n", 0, r.trigger_start)
            token = "_".join(text[r.trigger_start:r.trigger_end].split())
            parts = {entity_of.get(p["mention"]) for p in r.participants or []} - {None}
            part_texts = [text_of.get(p["mention"], "") for p in r.participants or []]
            line_start = text.rfind("\n", 0, r.trigger_start) + 1
            line_end = text.find("\n", r.trigger_start)
            how = (r.when_reason or "undated").split(":", 1)[0]
            items.append(Item(r.source_id, line, token, (r.earliest, r.latest) if r.earliest else None, how, r.event_id,
                              events.get(r.event_id), dcts[r.source_id], parts, part_texts, by_sentence[(r.source_id, line)],
                              text[line_start:line_end if line_end >= 0 else len(text)]))
    return items, keys


def target_pattern(target: str, keys: dict[int, set[str]], names: dict[int, tuple[str, str]]) -> re.Pattern:
    """Surface forms of the target: its name, the aliases of the entity `link` gave that name, and
    for a person the family name alone (how news refers to people after the first mention)."""
    want = alias_key(target)
    forms = {target}
    for entity, aliases in keys.items():
        if want in aliases:
            forms |= {a for a in aliases if a}
            if names.get(entity, ("", ""))[1] == "person":
                forms.add(target.split()[-1])
    alternatives = sorted((re.escape(f) for f in forms if len(f) > 2), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", re.I)


def anchor(when: tuple[str, str] | None) -> str | None:
    """A TIMEX3-style anchor at the interval's granularity, as the task writes it: 2008-02-29,
    2008-02-XX, 2008-XX-XX (the scorer matches anchors as strings)."""
    if not when:
        return None
    lo, hi = date.fromisoformat(when[0]), date.fromisoformat(when[1])
    if lo == hi:
        return lo.isoformat()
    if lo.year == hi.year and lo.month == hi.month:
        return f"{lo.year:04d}-{lo.month:02d}-XX"
    if lo.year == hi.year:
        return f"{lo.year:04d}-XX-XX"
    return None


def write_timeline(path: Path, target: str, lines: list[tuple[str, list[str]]]) -> None:
    """Ordinals follow the anchors (same anchor, same ordinal); undated lines keep ordinal 0."""
    dated = sorted((a, ids) for a, ids in lines if a)
    order = {a: n for n, a in enumerate(sorted({a for a, _ in dated}), 1)}
    with open(path, "w", encoding="utf-8") as out:
        out.write(target + "\n")
        for a, ids in dated:
            out.write(f"{order[a]}\t{a}\t" + "\t".join(sorted(set(ids))) + "\n")


def explicit(item: Item) -> str | None:
    """The item's own date when a time expression governs it (or shares its sentence), else None.

    News narrates from its creation date: an event with no time expression of its own is anchored
    to the DCT rather than to the last date mentioned before it.
    """
    return anchor(item.own) if item.how in EXPLICIT else None


EXPLICIT = ("governed",)
NAMES: dict[int, tuple[str, str]] = {}
SELECT = "participants"


def event_dates(items: list[Item]) -> dict[int, str]:
    """Per reconciled event, the most specific explicit date any of its mentions gives."""
    best: dict[int, tuple[int, str]] = {}
    for item in items:
        when = explicit(item)
        if item.event is None or when is None:
            continue
        rank = (-len(when), when)
        if item.event not in best or rank < best[item.event]:
            best[item.event] = rank
    return {e: r[1] for e, r in best.items()}


def selected(item: Item, pattern: re.Pattern, sentence_has_participant: bool) -> bool:
    """An event the target takes part in: named among its participants; when no event of the
    sentence has the target as a participant, every event of a sentence that names it."""
    if any(pattern.search(text) for text in item.participant_texts):
        return True
    if SELECT == "participants" and sentence_has_participant:
        return False
    return bool(pattern.search(item.sentence_text))


def timeweave_timelines(items: list[Item], keys, targets: list[str], out: Path) -> None:
    shared = event_dates(items)
    for target in targets:
        pattern = target_pattern(target, keys, NAMES)
        with_participant = {(i.doc, i.sentence) for i in items if any(pattern.search(x) for x in i.participant_texts)}
        groups: dict[tuple, list[str]] = defaultdict(list)
        for item in items:
            if not selected(item, pattern, (item.doc, item.sentence) in with_participant):
                continue
            when = explicit(item) or shared.get(item.event) or item.dct
            key = ("event", item.event, when) if item.event is not None else ("mention", item.id, when)
            groups[key].append(item.id)
        write_timeline(out / file_name(target), target, [(k[2], ids) for k, ids in groups.items()])


def naive_timelines(items: list[Item], targets: list[str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for target in targets:
        pattern = re.compile(r"\b" + re.escape(target) + r"\b", re.I)
        lines = [(i.dct, [i.id]) for i in items if pattern.search(i.sentence_text)]
        write_timeline(out / file_name(target), target, lines)


def file_name(target: str) -> str:
    return target.lower().replace(" ", "_") + ".txt"


def score(gold: Path, run: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        subprocess.run([sys.executable, str(SCORER), str(gold), str(run), "--quiet", "--json", tmp.name],
                       check=True, stdout=subprocess.DEVNULL)
        return json.loads(Path(tmp.name).read_text())


def micro(result: dict) -> tuple[float, float, float]:
    m = result.get("micro") or result.get("MICRO") or result
    return 100 * m["precision"], 100 * m["recall"], 100 * m["f1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with entities.txt, documents.tsv, text/")
    parser.add_argument("--out", type=Path, required=True, help="where to write one timeline per entity")
    parser.add_argument("--db", type=Path, help="reuse or keep the store here (default: a temporary file)")
    parser.add_argument("--explicit", default="governed", help="comma-separated dating kinds taken as explicit")
    parser.add_argument("--select", default="participants", choices=["participants", "sentence"])
    parser.add_argument("--no-embeddings", action="store_true", help="reconcile without sentence embeddings")
    args = parser.parse_args()
    global EXPLICIT, SELECT
    EXPLICIT, SELECT = tuple(args.explicit.split(",")), args.select
    logging.basicConfig(level=logging.WARNING)
    args.out.mkdir(parents=True, exist_ok=True)
    targets = [x.strip() for x in (args.data / "entities.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "semeval.db"
        began = time.perf_counter()
        if not (args.db and args.db.exists()):
            run_pipeline(args.data, db, embeddings=not args.no_embeddings)
        elapsed = time.perf_counter() - began
        items, keys = read_items(db, args.data)
    timeweave_timelines(items, keys, targets, args.out)
    naive_timelines(items, targets, args.out / "naive")
    print(f"{args.data}: {len(items)} event mentions, pipeline {elapsed:.1f} s")
    gold = args.data / "gold_timelines"
    if gold.is_dir():
        for name, run in (("naive baseline", args.out / "naive"), ("timeweave", args.out)):
            p, r, f = micro(score(gold, run))
            print(f"{name:15s} micro P {p:6.2f}  R {r:6.2f}  F1 {f:6.2f}")


if __name__ == "__main__":
    main()
