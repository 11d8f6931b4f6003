"""Answer assembly: from ranked sentences to positions, a status and one or two cited sentences.

Extractive and deterministic: a value is read from a quoted sentence, the answer sentence names it
with the source that says it, and the quote is text[start:end] of that source. Copies of another
document's passage are not voices. Below the abstention threshold, or when no sentence gives a
value of the kind asked, the answer is `not_found`: the corpus does not say, and nothing fills the gap.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select
from sqlalchemy import inspect as sa_inspect

from timeweave.ask.answer import Answer, Evidence, Position
from timeweave.ask.lexicon import Lexicon
from timeweave.ask.params import AskParams
from timeweave.ask.positions import Group, disputed, group
from timeweave.ask.question import Question
from timeweave.ask.retrieve import Sentence
from timeweave.ask.values import Value, annotations, extract
from timeweave.store import schema as t

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


def say_date(earliest: str, latest: str) -> str:
    """An interval as a reader says it: '24 November 1934', 'November 1934', '1934', or 'from ... to ...'."""
    try:
        a, b = date.fromisoformat(earliest), date.fromisoformat(latest)
    except ValueError:
        return f"{earliest} to {latest}"
    if a == b:
        return f"{a.day} {MONTH_NAMES[a.month - 1]} {a.year}"
    if (a.year, a.month, a.day) == (b.year, b.month, 1) or (a.day == 1 and a.year == b.year and a.month == b.month):
        return f"{MONTH_NAMES[a.month - 1]} {a.year}"
    if a.year == b.year and (a.month, a.day, b.month, b.day) == (1, 1, 12, 31):
        return str(a.year)
    return f"between {say_date(earliest, earliest)} and {say_date(latest, latest)}"


def _value_text(value: Value, kind: str) -> str:
    if kind == "date" and value.earliest and value.latest:
        return say_date(value.earliest, value.latest)
    return value.text


def _title(titles: dict[str, str], source_id: str) -> str:
    return titles.get(source_id) or source_id


def label(source_id: str, authors: list | None, issued: str | None) -> str:
    """How an answer names a source: "Zhabaeva (2021)" when the record has an author, else its id."""
    if authors and isinstance(authors[0], str) and authors[0].strip():
        words = authors[0].split()
        name = authors[0].split(",")[0].strip() if "," in authors[0] else words[-1] if len(words) <= 3 else authors[0].strip()
        return f"{name} ({issued[:4]})" if issued else name
    return source_id


def _position(g: Group, kind: str, paths: dict[str, str], text_value: str | None = None) -> Position:
    rep = g.representative()
    evidence, seen = [], set()
    for _, s in g.values:
        if (s.source_id, s.start) not in seen:
            seen.add((s.source_id, s.start))
            evidence.append(Evidence(s.source_id, paths.get(s.source_id, ""), s.start, s.end, s.quote))
    when = {"edtf": rep.edtf, "earliest": rep.earliest, "latest": rep.latest} if kind == "date" and rep.earliest and rep.latest else None
    return Position(text_value or _value_text(rep, kind), when, g.sources, evidence)


def _voices(question: Question, support: list[Sentence], notes: dict, lex: Lexicon, params: AskParams, *,
            chronicle_dates: bool) -> list[tuple[Value, Sentence]]:
    """One value per sentence, best sentences first, at most `per_source` sentences a source.

    A value much vaguer than the others ("the early 1930s" beside "24 November 1934") does not
    speak against them: dates wider than a year are dropped when some voice gives a month or finer.
    """
    found: list[tuple[Value, Sentence]] = []
    for s in support:
        if params.need_key and s.key == 0:
            continue  # the sentence does not say what the question asks about ("commanded"), only its names
        values = extract(question, s, notes[s.source_id], lex, chronicle_dates=chronicle_dates)
        if values:
            found.append((values[0], s))
    widths = [_width(v) for v, _ in found]
    if widths and min(widths) <= 31:
        found = [(v, s) for (v, s), w in zip(found, widths) if w <= 366]
    voices: list[tuple[Value, Sentence]] = []
    per_source: dict[str, int] = {}
    for v, s in found:
        if per_source.get(s.source_id, 0) < params.per_source and len(voices) < params.voices:
            voices.append((v, s))
            per_source[s.source_id] = per_source.get(s.source_id, 0) + 1
    return voices


def _width(value: Value) -> int:
    if not (value.earliest and value.latest):
        return 0
    try:
        return (date.fromisoformat(value.latest) - date.fromisoformat(value.earliest)).days + 1
    except ValueError:
        return 0


def not_found(question: str) -> Answer:
    return Answer(question=question, status="not_found", answer="")


def assemble(conn: Connection, question: Question, sentences: list[Sentence], lex: Lexicon, params: AskParams,
             original: str) -> Answer:
    """The Answer to `question` from its ranked candidate `sentences`."""
    voices_pool = [s for s in sentences if not s.copy]
    if not voices_pool or voices_pool[0].coverage < params.min_coverage:
        return not_found(original)
    best = voices_pool[0].score
    support = [s for s in voices_pool if s.score >= best * params.relative and s.coverage >= params.min_coverage
               and s.focus >= params.min_focus and s.named >= params.min_names]
    if not support:
        return not_found(original)
    src = t.sources.c
    ids = sorted({s.source_id for s in support})
    meta = {r.id: r for r in conn.execute(select(src.id, src.path, src.authors, src.issued).where(src.id.in_(ids)))}
    paths = {k: r.path for k, r in meta.items()}
    titles = {k: label(k, r.authors, r.issued) for k, r in meta.items()}
    notes = annotations(conn, support)
    if question.kind in ("date", "time", "number", "person", "place", "yesno"):
        voices = _voices(question, support, notes, lex, params, chronicle_dates=False)
        if not voices and question.kind == "date":  # no sentence says a date: the dates the build gave their events
            voices = _voices(question, support, notes, lex, params, chronicle_dates=True)
        if not voices:
            return not_found(original)
        groups = group(voices, question.kind)
        positions = [_position(g, question.kind, paths) for g in groups]
        if disputed(groups, question.kind, strong=best * params.dispute_relative):
            status = "disputed"
            parts = [f"{_title(titles, p.sources[0])} gives {p.value}" if i == 0 else f"{_title(titles, p.sources[0])} {p.value}"
                     for i, p in enumerate(positions[:3])]
            text = "The sources disagree: " + ", ".join(parts) + "."
        else:
            status = "answered"
            top = groups[0].values[0][1]
            if question.kind in ("person", "place"):  # every name the best sentence gives
                names = [p.value for p in positions if any(e.start == top.start and e.source == top.source_id for e in p.evidence)]
                lead = " and ".join(names[:4]) or positions[0].value
            else:
                lead = positions[0].value
            text = f"{lead}, according to {_title(titles, top.source_id)}: “{top.quote}”"
    else:  # what, which, why, lists: the sentence itself is the value
        top = support[: 2]
        positions = [Position(s.quote, None, [s.source_id], [Evidence(s.source_id, paths.get(s.source_id, ""), s.start, s.end, s.quote)])
                     for s in top]
        status = "answered"
        text = f"According to {_title(titles, top[0].source_id)}: “{top[0].quote}”"
    cited = [(e.source, e.start, e.end) for p in positions for e in p.evidence]
    events = []
    for source_id, a, b in cited:
        for e in notes.get(source_id, {}).get("events", []):
            if e.start >= a and e.end <= b and e.event_id is not None:
                events.append(e.event_id)
    return Answer(question=original, status=status, answer=text, positions=positions,
                  events=list(dict.fromkeys(events)), claims=claims_in(conn, cited))


def claims_in(conn, cited: list[tuple[str, int, int]]) -> list[int]:
    """Ids of the stored claims (the claims stage's `claims` table) whose quote lies inside a cited span.

    Why: the answer's `claims` field lets a reader go from an answer to the claims and comparisons
    that the same quotes make; a store built before the claims stage has none, so the list is empty.
    """
    if not cited or not sa_inspect(conn).has_table("claims"):
        return []
    found: list[int] = []
    for source_id, a, b in cited:
        rows = conn.execute(select(t.claims.c.id).where(
            t.claims.c.source_id == source_id, t.claims.c.start >= a, t.claims.c.end <= b).order_by(t.claims.c.start, t.claims.c.end, t.claims.c.id))
        found.extend(row.id for row in rows)
    return list(dict.fromkeys(found))


def combine(first: Answer, second: Answer) -> Answer:
    """A two-part question's answer: the first part's, then the second part's sentence and positions if found.

    The second part never turns an answer into a dispute: its positions are added, its status is not.
    """
    if second.status == "not_found":
        return first
    known = {(e.source, e.start) for p in first.positions for e in p.evidence}
    extra = [p for p in second.positions if not all((e.source, e.start) in known for e in p.evidence)]
    return Answer(question=first.question, status=first.status, answer=f"{first.answer} {second.answer}".strip(),
                  positions=first.positions + extra[:2],
                  events=list(dict.fromkeys(first.events + second.events)),
                  claims=list(dict.fromkeys(first.claims + second.claims)))
