"""SemEval-2015 Task 4 (TimeLine, track A): timelines per target entity from raw text.

    .venv/bin/python bench/semeval2015.py --data ../shared/benchmarks/semeval2015-timeline/corpus_1 --out RUN_DIR

Runs the timeweave pipeline (annotate -> link -> reconcile) on `text/DOCID.txt`, with each
document's creation time from `documents.tsv` as its date (`meta.issued`, which the annotate
stage reads as the DCT). For every entity in `entities.txt` it writes `RUN_DIR/<entity>.txt`
(ordinal, anchor, `DOCID-SENTENCE-token` ids; mentions of one reconciled event on one line) and
prints the micro P/R/F1 of `../shared/tools/timeline_score.py`. Sentence = line number of
text/DOCID.txt (line 0 is the title).

An event is on a target's timeline when a reference to the target (its name, a short form, a
definite description or a pronoun: `semeval_targets.py`) is within two dependency steps of the
trigger in the same sentence; it is anchored to the time expression that governs it, else to the
DCT (measured against the sentence's time expression, the narrative date and the reconciled
event's date: `--explicit`, `--shared`). Ordinals follow the anchors.

In the same run it writes and scores a naive baseline (`RUN_DIR/naive/`): every event mention in
a sentence that contains the entity's name, anchored to the DCT, one mention per line, no
cross-document merging.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from semeval_targets import (  # noqa: E402
    index_document, learn_class_nouns, nearest_reference, parse_texts, particles, short_forms, target_types,
)
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
    sentence_text: str
    start: int = 0  # trigger's character offset in the document's text
    factuality: str = "asserted"

    @property
    def id(self) -> str:
        return f"{self.doc}-{self.sentence}-{self.token}"


def read_docs(data: Path) -> list[tuple[str, str]]:
    with open(data / "documents.tsv", encoding="utf-8") as handle:
        return [(row["doc_id"], row["dct"]) for row in csv.DictReader(handle, delimiter="\t")]


def run_pipeline(data: Path, db: Path, *, embeddings: bool, threshold: float | None = None) -> None:
    """Annotate every text with its DCT, then link and reconcile: the build's stages, called directly."""
    from timeweave.annotate.pipeline import load_nlp
    from timeweave.annotate.run import annotate
    from timeweave.ingest.types import Document, Passage, SourceMeta
    from timeweave.link import link_entities
    from timeweave.reconcile import reconcile
    from timeweave.store.writer import write_document

    engine = open_store(db)
    nlp = load_nlp()
    nlp.get_pipe("timeweave_events_v1").threshold = threshold  # this process only: load_nlp is cached
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


def read_items(db: Path, data: Path) -> tuple[list[Item], dict[int, set[str]], dict[str, str]]:
    """Event mentions with sentence numbers; each entity's alias keys; each document's text."""
    engine = open_store(db)
    dcts = dict(read_docs(data))
    with engine.connect() as conn:
        texts = {r.source_id: r.text for r in conn.execute(select(t.texts))}
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
            line_start = text.rfind("\n", 0, r.trigger_start) + 1
            line_end = text.find("\n", r.trigger_start)
            items.append(Item(
                doc=r.source_id, sentence=text.count("\n", 0, r.trigger_start),
                token="_".join(text[r.trigger_start:r.trigger_end].split()),
                own=(r.earliest, r.latest) if r.earliest else None, how=r.when_kind or "undated",
                event=r.event_id, event_when=events.get(r.event_id), dct=dcts[r.source_id],
                sentence_text=text[line_start:line_end if line_end >= 0 else len(text)],
                start=r.trigger_start, factuality=r.factuality or "asserted",
            ))
    return items, keys, texts


def target_pattern(target: str, keys: dict[int, set[str]], names: dict[int, tuple[str, str]]) -> re.Pattern:
    """Surface forms of the target: its name, the aliases of the entity `link` gave that name, and
    for a person the family name alone (how news refers to people after the first mention)."""
    want = alias_key(target)
    forms = {target} | short_forms(target)
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
    """Ordinals follow the anchors (same anchor, same ordinal); undated lines keep ordinal 0.

    A coarser anchor comes first in its period (2007-XX-XX before 2007-02-28), as the task's gold does.
    """
    dated = sorted(((a, ids) for a, ids in lines if a), key=lambda line: (anchor_order(line[0]), line[1]))
    order = {a: n for n, a in enumerate(sorted({a for a, _ in dated}, key=anchor_order), 1)}
    with open(path, "w", encoding="utf-8") as out:
        out.write(target + "\n")
        for a, ids in dated:
            out.write(f"{order[a]}\t{a}\t" + "\t".join(sorted(set(ids))) + "\n")


def anchor_order(value: str) -> tuple[str, str]:
    """Sort key of an anchor: unknown digits count as the start of their period."""
    return value.replace("X", "0"), value


def explicit(item: Item) -> str | None:
    """The item's own date when its dating kind is one of `EXPLICIT` (default: governed), else None.

    News narrates from its creation date: an event with no time expression of its own is anchored
    to the DCT rather than to the last date mentioned before it.
    """
    return anchor(item.own) if item.how in EXPLICIT else None


EXPLICIT = ("governed",)
NAMES: dict[int, tuple[str, str]] = {}
LIMIT = 2
SHARED = False
DROP_FACTUALITY = {"hypothetical", "negated"}


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


def timeweave_timelines(items: list[Item], keys, texts: dict[str, str], targets: list[str], out: Path) -> None:
    """Per target, the events that a reference to it takes part in (`semeval_targets`), anchored to
    the time expression that governs them, else to the DCT; hypothetical and negated events left out."""
    docs = parse_texts(texts)
    patterns = {target: target_pattern(target, keys, NAMES) for target in targets}
    classes = learn_class_nouns(list(docs.values()), patterns)
    types = target_types(docs, patterns)
    persons = {t for t, kind in types.items() if kind == "PERSON"}
    organisations = {t for t, kind in types.items() if kind == "ORG"}
    indexes = {source: index_document(doc, patterns, classes, organisations, persons) for source, doc in docs.items()}
    shared = event_dates(items)
    for target in targets:
        groups: dict[tuple, list[str]] = defaultdict(list)
        for item in items:
            doc = docs[item.doc]
            span = doc.char_span(item.start, item.start + 1, alignment_mode="expand")
            references = indexes[item.doc].by_target.get(target, [])
            if span is None or item.factuality in DROP_FACTUALITY:
                continue
            if nearest_reference(span[0], references, limit=LIMIT) is None:
                continue
            when = explicit(item) or (shared.get(item.event) if SHARED else None) or item.dct
            mention = f"{item.doc}-{item.sentence}-{item.token}{particles(span[0])}"
            key = ("event", item.event, when) if item.event is not None else ("mention", mention, when)
            groups[key].append(mention)
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
    parser.add_argument("--limit", type=int, default=2, help="dependency steps between an event and the target")
    parser.add_argument("--shared", action="store_true",
                        help="date an event from the other mentions of its reconciled event too")
    parser.add_argument("--threshold", type=float, default=None,
                        help="event-trigger threshold (default: the model's; events are filtered by target afterwards)")
    parser.add_argument("--no-embeddings", action="store_true", help="reconcile without sentence embeddings")
    args = parser.parse_args()
    global EXPLICIT, LIMIT, SHARED
    EXPLICIT, LIMIT, SHARED = tuple(args.explicit.split(",")), args.limit, args.shared
    logging.basicConfig(level=logging.WARNING)
    args.out.mkdir(parents=True, exist_ok=True)
    targets = [x.strip() for x in (args.data / "entities.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "semeval.db"
        began = time.perf_counter()
        if not (args.db and args.db.exists()):
            run_pipeline(args.data, db, embeddings=not args.no_embeddings, threshold=args.threshold)
        elapsed = time.perf_counter() - began
        items, keys, texts = read_items(db, args.data)
    timeweave_timelines(items, keys, texts, targets, args.out)
    naive_timelines(items, targets, args.out / "naive")
    print(f"{args.data}: {len(items)} event mentions, pipeline {elapsed:.1f} s")
    gold = args.data / "gold_timelines"
    if gold.is_dir():
        for name, run in (("naive baseline", args.out / "naive"), ("timeweave", args.out)):
            p, r, f = micro(score(gold, run))
            print(f"{name:15s} micro P {p:6.2f}  R {r:6.2f}  F1 {f:6.2f}")


if __name__ == "__main__":
    main()
