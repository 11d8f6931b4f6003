"""Stores for the web UI tests: a hand-filled one over the real corpus texts, and the real build.

`make_fixture_store` writes realistic rows (what ingest, annotate, link and reconcile would write)
over the bundled Khalkhin Gol texts, so the pages can be tested before every stage has landed.
It also holds one hostile document whose text, title, URL, entity name and event label try to run
script in the browser. `build_corpus_store` is the real build of the bundled corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import insert

from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.search import reindex

CORPUS = Path(__file__).resolve().parents[1] / "timeweave" / "data" / "khalkhin-gol"
NOW = "2025-01-01T00:00:00+00:00"
HOSTILE_TEXT = (
    "Minutes of a meeting.\n\n"
    "<script>window.__pwned = 'script'</script> The council met on 3 May 1937 "
    "<img src=x onerror=\"window.__pwned='img'\"> and agreed nothing.\n\n"
    "</textarea><svg onload=\"window.__pwned='svg'\"> Signed in 1937.\n"
)
SOURCES = [
    # id, file, kind, issued, title, authors, url
    ("batbayar-2000", "batbayar-2000-soviet-japanese-confrontation.txt", "web_page", "2000-09",
     "The Soviet-Japanese Confrontation and the Mongolian People's Republic (1932-1939)", ["Batbayar, Tsedendambyn"], "http://www.geocities.ws/batbayar"),
    ("batunaev-2019", "batunaev-2019-khalkhin-gol.txt", "abstract", "2019",
     "Khalkhin-Gol: Military and Political Cooperation of the USSR and the MNR (1939-1945)", ["Batunaev, Eduard V."], None),
    ("russian-mfa-2024", "russian-mfa-2024-khalkhin-gol-85.txt", "social_media_post", "2024-05-11",
     "Khalkhin Gol 85", ["Russian MFA"], None),
    ("zhabaeva-2020", "zhabaeva-2020-military-cooperation.txt", "abstract", "2020",
     "Russian-Mongolian Military Cooperation: 1930s", ["Zhabaeva, Larisa B."], None),
    ("zhabaeva-2021", "zhabaeva-2021-stalin-genden.txt", "abstract", "2021-06",
     "I. V. Stalin Talking to P. Genden on November 24, 1934", ["Zhabaeva, Larisa B."], None),
]
HOSTILE = ("hostile-doc", "<script>window.__pwned='title'</script>Hostile", "javascript:window.__pwned='url'")

ENTITIES = {
    # id: (name, type, [aliases as they appear in the texts])
    1: ("Soviet Union", "state", ["Soviet Union", "USSR", "Soviet"]),
    2: ("Mongolian People's Republic", "state", ["Mongolian People's Republic", "MPR", "Mongolia", "MNR"]),
    3: ("Japan", "state", ["Japan", "Japanese"]),
    4: ("Joseph Stalin", "person", ["Stalin", "I. V. Stalin"]),
    5: ("Peljidiin Genden", "person", ["Genden", "P. Genden"]),
    6: ("Khalkhin Gol", "place", ["Khalkhin Gol", "Khalkhin-Gol", "Nomonhan"]),
    7: ("Red Army", "military_unit", ["Red Army"]),
    8: ("Nazi Germany", "state", ["Nazi Germany", "nazi Germany"]),
    9: ("Lake Khasan", "place", ["Lake Khasan", "Changkufeng"]),
    10: ("<img src=x onerror=\"window.__pwned='entity'\">", "other", ["<img src=x onerror=\"window.__pwned='entity'\">"]),
}

# Events: id, label, type, edtf, earliest, latest, when_reason, status, place, part_of,
#   participants [(entity, role)], evidence [(source, quote, trigger, edtf, earliest, latest, when_text)],
#   comparisons [(kind, field, explanation, [(source, quote, value)])]
EVENTS = [
    (1, "Soviet-Mongolian Protocol of Mutual Assistance signed", "treaty", "1936-03-12", "1936-03-12", "1936-03-12",
     "two sources give 12 March 1936; a third only March 1936", "contested", None, None,
     [(1, "agent"), (2, "agent")],
     [("russian-mfa-2024", "the Soviet and Mongolian governments signed a Protocol of Mutual Assistance on March 12, 1936", "signed", "1936-03-12", "1936-03-12", "1936-03-12", "March 12, 1936"),
      ("zhabaeva-2020", "The Protocol of mutual assistance between the USSR and the MPR of 12 March 1936 set a new global trend", "Protocol", "1936-03-12", "1936-03-12", "1936-03-12", "12 March 1936"),
      ("batbayar-2000", "He was the initiator of the Soviet-Mongolian mutual assistance protocol concluded in March 1936", "concluded", "1936-03", "1936-03-01", "1936-03-31", "March 1936"),
      ("batunaev-2019", "The 1936 Protocol of Mutual Assistance between the USSR and the Mongolian People’s Republic", "Protocol", "1936", "1936-01-01", "1936-12-31", "1936")],
     [("agree", "date", "All four sources place the protocol in 1936; two give the day, 12 March.",
       [("russian-mfa-2024", "March 12, 1936", "1936-03-12"), ("zhabaeva-2020", "12 March 1936", "1936-03-12")]),
      ("differ_in_framing", "significance", "Batbayar presents the protocol as Stalin's initiative; Zhabaeva as a new global trend of partnership.",
       [("batbayar-2000", "He was the initiator of the Soviet-Mongolian mutual assistance protocol", None), ("zhabaeva-2020", "set a new global trend for intergovernmental cooperation", None)])]),
    (2, "Battles of Khalkhin Gol", "battle", "1939-05-11/1939-09-16", "1939-05-11", "1939-09-16",
     "from 11 May 1939 to the ceasefire of 16 September 1939", "corroborated", 6, None,
     [(1, "agent"), (2, "agent"), (3, "patient"), (7, "agent")],
     [("russian-mfa-2024", "On May 11, 1939, Soviet Union and Mongolia fended off militarist Japan invasion, securing victory at the Khalkhin Gol River", "fended off", "1939-05-11", "1939-05-11", "1939-05-11", "May 11, 1939"),
      ("batbayar-2000", "Then the Khalkhin-Gol or Nomonhan incident came in May 1939", "incident", "1939-05", "1939-05-01", "1939-05-31", "May 1939"),
      ("zhabaeva-2020", "Active joint military actions against imperialist Japan in 1939 at Khalkhin Gol", "actions", "1939", "1939-01-01", "1939-12-31", "1939")],
     [("contradict", "framing", "The MFA post says the Soviet Union and Mongolia fended off a Japanese invasion on 11 May; Batbayar calls it an incident that came in May 1939.",
       [("russian-mfa-2024", "On May 11, 1939, Soviet Union and Mongolia fended off militarist Japan invasion", "invasion"), ("batbayar-2000", "Then the Khalkhin-Gol or Nomonhan incident came in May 1939", "incident")])]),
    (3, "Japanese troops expelled from Mongolian territory", "offensive", "1939-08-21/1939-08-31", "1939-08-21", "1939-08-31",
     "'by late August' 1939: the last third of August", "single_source", 6, 2,
     [(7, "agent"), (3, "patient")],
     [("russian-mfa-2024", "the Red Army successfully repelled the Japanese invasion and by late August, expelled them from Mongolian territory", "expelled", "1939-08-21/1939-08-31", "1939-08-21", "1939-08-31", "by late August")],
     [("single_source", "event", "Only the Russian MFA post dates the expulsion to late August.",
       [("russian-mfa-2024", "by late August, expelled them from Mongolian territory", "1939-08-21/1939-08-31")])]),
    (4, "Soviet-Mongolian summit in the Kremlin", "meeting", "1934-11-24/1934-11-27", "1934-11-24", "1934-11-27",
     "the sources give 24 November and 27 November 1934", "contested", None, None,
     [(4, "agent"), (5, "agent")],
     [("zhabaeva-2021", "the Soviet-Mongolian summit that took place on November 24, 1934", "summit", "1934-11-24", "1934-11-24", "1934-11-24", "November 24, 1934"),
      ("zhabaeva-2020", "Records of the Soviet-Mongolian negotiations of November 27", "negotiations", "1934-11-27", "1934-11-27", "1934-11-27", "November 27")],
     [("contradict", "date", "Zhabaeva (2021) dates the summit to 24 November 1934; Zhabaeva (2020) cites records of the negotiations of 27 November.",
       [("zhabaeva-2021", "November 24, 1934", "1934-11-24"), ("zhabaeva-2020", "November 27", "1934-11-27")])]),
    (5, "Anti-Comintern Pact signed", "treaty", "1936-11-25", "1936-11-25", "1936-11-25", "exact day in the MFA post",
     "single_source", None, None, [(3, "agent"), (8, "agent")],
     [("russian-mfa-2024", "solidifying their alliance with the signing of the Anti-Comintern Pact on November 25, 1936", "signing", "1936-11-25", "1936-11-25", "1936-11-25", "November 25, 1936")],
     [("single_source", "event", "Only the MFA post gives the day of the Anti-Comintern Pact.",
       [("russian-mfa-2024", "the signing of the Anti-Comintern Pact on November 25, 1936", "1936-11-25")])]),
    (6, "Outbreak of the Sino-Japanese war", "invasion", "1937-07", "1937-07-01", "1937-07-31", "July 1937 (one source gives 7 July)",
     "corroborated", None, None, [(3, "agent")],
     [("russian-mfa-2024", "On July 7, 1937, Japan initiated a full-scale war against China", "initiated", "1937-07-07", "1937-07-07", "1937-07-07", "July 7, 1937"),
      ("batbayar-2000", "The outbreak of the Sino-Japanese war in July 1937", "outbreak", "1937-07", "1937-07-01", "1937-07-31", "July 1937")], []),
    (7, "Armed conflict near Lake Khasan", "battle", "1938~", "1938-01-01", "1938-12-31", "'in 1938' (Batbayar: July 1938)",
     "contested", 9, None, [(1, "agent"), (3, "agent")],
     [("russian-mfa-2024", "which boiled over in 1938 into an armed conflict along the Soviet-Manchurian border near Lake Khasan", "conflict", "1938", "1938-01-01", "1938-12-31", "in 1938"),
      ("batbayar-2000", "Changkufeng in July 1938 produced a brink-of-war situation", "situation", "1938-07", "1938-07-01", "1938-07-31", "July 1938")], []),
    (8, "Stalin became personally involved in Mongolian affairs", "other", None, None, None,
     "undated: no time expression governs it", "single_source", None, None, [(4, "agent")],
     [("batbayar-2000", "Stalin became personally involved in Mongolian affairs", "involved", None, None, None, None)], []),
    (9, "Council meeting <script>window.__pwned='label'</script>", "meeting", "1937-05-03", "1937-05-03", "1937-05-03",
     "3 May 1937", "single_source", None, None, [(10, "agent")],
     [("hostile-doc", "The council met on 3 May 1937", "met", "1937-05-03", "1937-05-03", "1937-05-03", "3 May 1937")], []),
]
TIMEX_RE = re.compile(r"\b(?:(?:January|March|May|July|August|September|November) \d{1,2}, \d{4}|\d{1,2} (?:March|May|November) \d{4}|(?:March|May|July|August|November|December|January) \d{4}|1[89]\d\d)\b")


def _passages(source_id: str, text: str) -> list[dict]:
    """Line passages; navigation and footer lines are boilerplate, repeated lines duplicates."""
    rows, seen, seq = [], {}, 0
    for match in re.finditer(r"[^\n]+", text):
        line = match.group().strip()
        if not line:
            continue
        boiler = len(line) < 40 and not re.search(r"\d{4}|[.!?]$", line) or line.startswith(("Created:", "Hosted by", "Contact Webmaster", "\ufffd"))
        row = {"source_id": source_id, "seq": seq, "start": match.start(), "end": match.end(),
               "role": "boilerplate" if boiler else "content", "role_reason": "navigation or footer line" if boiler else None,
               "sha1": f"{hash(line) & 0xFFFFFFFF:040x}", "duplicate_of": None, "duplicate_kind": None, "duplicate_scope": None}
        if line in seen and len(line) > 40:
            row.update(duplicate_of=seen[line], duplicate_kind="exact", duplicate_scope="within")
        seen.setdefault(line, seq)
        rows.append(row)
        seq += 1
    return rows


def _find(texts: dict[str, str], source_id: str, quote: str) -> tuple[int, int]:
    start = texts[source_id].find(quote)
    assert start >= 0, f"{quote!r} not in {source_id}"
    return start, start + len(quote)


def make_fixture_store(path: str | Path) -> Path:
    """Write the fixture store at `path` (a new SQLite file) and return the path."""
    path = Path(path)
    engine = open_store(path)
    texts = {sid: (CORPUS / name).read_text("utf-8") for sid, name, *_ in SOURCES}
    texts[HOSTILE[0]] = HOSTILE_TEXT
    with engine.begin() as conn:
        run = conn.execute(insert(t.runs).values(
            started_at=NOW, finished_at=NOW, status="ok", command="fixture",
            versions={"timeweave": "0.1.0", "python": "3.11", "spacy": "3.8.18", "model": "en_core_web_sm-3.8.0"},
            config={}, counts={})).inserted_primary_key[0]
        conn.execute(insert(t.failures), [
            {"run_id": run, "path": "corpus/scan.pdf", "code": "T012", "reason": "it has no text layer (scanned image?)", "hint": "Run OCR first.", "created_at": NOW},
            {"run_id": run, "path": "corpus/notes.docx", "code": "T020", "reason": "the file is not a valid .docx (zip) archive", "hint": "Open and save it again in Word.", "created_at": NOW},
        ])
        rows = [(sid, name, kind, issued, title, authors, url) for sid, name, kind, issued, title, authors, url in SOURCES]
        rows.append((HOSTILE[0], "hostile.txt", "other", "1937", HOSTILE[1], ["<b>Mallory</b>"], HOSTILE[2]))
        for sid, name, kind, issued, title, authors, url in rows:
            conn.execute(insert(t.sources).values(
                id=sid, path=f"corpus/{name}", sha256="0" * 64, format="txt", encoding="utf-8", size=len(texts[sid]),
                title=title, authors=authors, issued=issued, kind=kind, kind_reason=f"fixture: {kind}",
                doi=None, url=url, metadata_origin="csl-json", csl=None, pipeline="fixture", run_id=run, updated_at=NOW))
            conn.execute(insert(t.texts).values(source_id=sid, text=texts[sid]))
            passages = _passages(sid, texts[sid])
            ids = [conn.execute(insert(t.passages).values(**{**p, "duplicate_of": None})).inserted_primary_key[0] for p in passages]
            by_line = {}
            for pid, p in zip(ids, passages):
                line = texts[sid][p["start"]:p["end"]].strip()
                if p["duplicate_scope"] == "within":
                    conn.execute(t.passages.update().where(t.passages.c.id == pid).values(
                        duplicate_of=by_line[line], duplicate_kind="exact", duplicate_scope="within"))
                by_line.setdefault(line, pid)
            for m in TIMEX_RE.finditer(texts[sid]):
                conn.execute(insert(t.timexes).values(
                    source_id=sid, start=m.start(), end=m.end(), text=m.group(), type="DATE", value=m.group(),
                    edtf=None, earliest=None, latest=None, granularity=None, anchor="absolute", reason="fixture",
                    component="timeweave.timex.v1"))
        for eid, (name, etype, aliases) in ENTITIES.items():
            conn.execute(insert(t.entities).values(id=eid, name=name, type=etype, component="timeweave.link.v1"))
            for alias in aliases:
                aid = conn.execute(insert(t.aliases).values(entity_id=eid, text=alias, how="fixture")).inserted_primary_key[0]
                for sid, text in texts.items():
                    n = text.count(alias)
                    if n:
                        conn.execute(insert(t.alias_sources).values(alias_id=aid, source_id=sid, count=n))
                        for m in re.finditer(re.escape(alias), text):
                            conn.execute(insert(t.mentions).values(
                                source_id=sid, start=m.start(), end=m.end(), text=alias, type=etype, key=alias.lower(),
                                entity_id=eid, component="timeweave.entities.v1"))
        comparison_id = 0
        for (eid, label, etype, edtf, earliest, latest, reason, status, place, part_of, parts, evidence, comparisons) in EVENTS:
            conn.execute(insert(t.events).values(
                id=eid, label=label, type=etype, edtf=edtf, earliest=earliest, latest=latest, when_reason=reason,
                place=place, part_of=part_of, status=status, component="timeweave.reconcile.v1"))
            for entity, role in parts:
                conn.execute(insert(t.event_participants).values(event_id=eid, entity_id=entity, role=role))
            for sid, quote, trigger, q_edtf, q_earliest, q_latest, when_text in evidence:
                start, end = _find(texts, sid, quote)
                ts = texts[sid].find(trigger, start)
                conn.execute(insert(t.event_mentions).values(
                    source_id=sid, start=start, end=end, trigger_start=ts, trigger_end=ts + len(trigger), trigger=trigger,
                    lemma=trigger.lower(), type=etype, factuality="asserted", context="narrative", when_text=when_text,
                    edtf=q_edtf, earliest=q_earliest, latest=q_latest, when_reason=f"fixture: {when_text}",
                    participants=[], event_id=eid, component="timeweave.events.v1"))
            for kind, field, explanation, statements in comparisons:
                comparison_id += 1
                conn.execute(insert(t.comparisons).values(
                    id=comparison_id, event_id=eid, kind=kind, field=field, explanation=explanation, component="timeweave.reconcile.v1"))
                for sid, quote, value in statements:
                    start, end = _find(texts, sid, quote)
                    conn.execute(insert(t.comparison_statements).values(
                        comparison_id=comparison_id, source_id=sid, start=start, end=end, value=value))
    reindex(engine)
    engine.dispose()
    return path


def build_corpus_store(path: str | Path) -> Path:
    """The real build of the bundled corpus (needs every pipeline stage to work)."""
    from timeweave.build import build

    build([CORPUS], db=path)
    return Path(path)


def make_synthetic_store(path: str | Path, n_events: int, *, seed: int = 7) -> Path:
    """A store with `n_events` events spread over 1900–1999 (for zoom aggregation and the benchmark)."""
    import random
    from datetime import date, timedelta

    rng = random.Random(seed)
    engine = open_store(path)
    statuses = ["corroborated"] * 5 + ["single_source"] * 4 + ["contested"]
    with engine.begin() as conn:
        conn.execute(insert(t.runs).values(started_at=NOW, finished_at=NOW, status="ok", command="synthetic",
                                           versions={"timeweave": "0.1.0"}, config={}, counts={}))
        for i in range(1, 21):
            conn.execute(insert(t.sources).values(
                id=f"s{i}", path=f"s{i}.txt", sha256="0" * 64, format="txt", size=10, title=f"Source {i}", authors=[],
                issued="2000", kind=["abstract", "news"][i % 2], kind_reason="synthetic", metadata_origin="extracted",
                pipeline="x", updated_at=NOW))
            conn.execute(insert(t.texts).values(source_id=f"s{i}", text="Synthetic text about the battle of somewhere."))
        conn.execute(insert(t.entities), [{"id": i, "name": f"Entity {i}", "type": "state", "component": "x"} for i in range(1, 51)])
        rows, parts, mentions = [], [], []
        base = date(1900, 1, 1).toordinal()
        for eid in range(1, n_events + 1):
            start = date.fromordinal(base + rng.randrange(36500))
            kind = rng.random()
            if kind < 0.1:
                edtf, earliest, latest = None, None, None
            elif kind < 0.6:
                edtf, earliest, latest = start.isoformat(), start.isoformat(), start.isoformat()
            elif kind < 0.8:
                edtf, earliest, latest = f"{start.year}", f"{start.year}-01-01", f"{start.year}-12-31"
            else:
                end = start + timedelta(days=rng.randrange(1, 400))
                edtf, earliest, latest = f"{start.isoformat()}/{end.isoformat()}", start.isoformat(), end.isoformat()
            status = rng.choice(statuses)
            rows.append({"id": eid, "label": f"Event {eid}", "type": rng.choice(["battle", "treaty", "meeting"]), "edtf": edtf,
                         "earliest": earliest, "latest": latest, "when_reason": "synthetic", "status": status, "component": "x"})
            parts.append({"event_id": eid, "entity_id": 1 + eid % 50, "role": "agent"})
            for s in ({1 + eid % 20, 1 + (eid * 7) % 20} if status != "single_source" else {1 + eid % 20}):
                mentions.append({"source_id": f"s{s}", "start": 0, "end": 10, "trigger_start": 0, "trigger_end": 4,
                                 "trigger": "Synt", "type": "battle", "factuality": "asserted", "context": "narrative",
                                 "edtf": edtf, "earliest": earliest, "latest": latest, "participants": [], "event_id": eid,
                                 "component": "x"})
        conn.execute(insert(t.events), rows)
        conn.execute(insert(t.event_participants), parts)
        conn.execute(insert(t.event_mentions), mentions)
    reindex(engine)
    engine.dispose()
    return Path(path)
