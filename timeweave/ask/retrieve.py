"""Finding the sentences that may answer a question: full-text search, word weights, embeddings.

Hybrid on purpose: the store's search index (FTS5 on SQLite, tsvector on PostgreSQL) finds
passages and events that share any word form of the question; each passage is cut into sentences
scored by the share of the question's rare words they contain (idf-weighted, so "Bismarck" counts more
than "attack"), plus the cosine between the question and the cached embedding of the event evidence
the sentence holds. Only the question is embedded at ask time; nothing is written to the store.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from sqlalchemy import Connection, Engine, inspect, select, text

from timeweave.ask.lexicon import Lexicon, stem
from timeweave.ask.question import Question
from timeweave.ask.sentences import split
from timeweave.store import schema as t
from timeweave.store.search import TABLE

log = logging.getLogger(__name__)

_WORD = re.compile(r"(?:[A-Z]\.){2,}|\w+(?:['’]\w+)?", re.UNICODE)  # "U.S." is one word
_SAFE = re.compile(r"^\w+$", re.UNICODE)
DF_CAP = 5000  # a word in more rows than this is common whatever the exact count: counting stops there
COMMON = 0.05  # words in more than this share of the index rows do not select candidates (they still score)


@dataclass
class Sentence:
    source_id: str
    passage_id: int | None
    start: int
    end: int
    quote: str
    coverage: float = 0.0  # idf-weighted share of the question's terms found here (half weight: in its passage or title)
    focus: float = 1.0  # idf-weighted share of the question's lower-case content words in the sentence itself
    cosine: float = 0.0
    score: float = 0.0
    matched: list[tuple[int, int]] = field(default_factory=list)  # offsets of the words that matched
    copy: bool = False  # inside a passage that copies another document
    key: int = 0  # 1: it holds the question's rarest content word (or most of them); -1: its opposite ("provoked" for "unprovoked"); 0: neither
    named: float = 1.0  # idf-weighted share of the question's names in its source (text or title)


@lru_cache(maxsize=200_000)
def _prefix_match(term: str, word_stem: str) -> bool:
    if term == word_stem:
        return True
    short, long_ = sorted((term, word_stem), key=len)
    return len(short) >= 5 and long_.startswith(short)


def _matches(words_text: str, terms: list[str], lex: Lexicon) -> set[str]:
    stems = [stem(m.group(), lex) for m in _WORD.finditer(words_text)]
    return {term for term in terms if any(_prefix_match(f, w) for w in stems for f in (term, *lex.synonyms.get(term, ())))}


def _expanded(body: str, acronyms: dict[str, str], lex: Lexicon) -> set[str]:
    """The acronyms of the question whose expansion the text writes out ("NSA": "National Security Agency");
    short function words (the lexicon's stop words: "of", "and") may stand between the initials' words."""
    found = set()
    joiners = "|".join(sorted((re.escape(w) for w in lex.stop if len(w) <= 3 and w.isalpha()), key=len, reverse=True))
    for term, acronym in acronyms.items():
        pattern = r"\b" + rf"\s+(?:(?:{joiners})\s+)?".join(f"{letter}[\\w'’-]*" for letter in acronym) + r"\b"
        if re.search(pattern, body):
            found.add(term)
    return found


def _opposites(term: str, lex: Lexicon) -> set[str]:
    """Stems that say the opposite of `term` by a negative prefix: "unprovok" <-> "provok"."""
    out = set()
    for prefix in lex.negative_prefixes:
        if term.startswith(prefix) and len(term) - len(prefix) >= 4:
            out.add(term[len(prefix):])
        out.add(prefix + term)
    return out


def _fts_terms(terms: list[str]) -> list[str]:
    return [term for term in terms if _SAFE.match(term)][:24]


def _hits(conn: Connection, engine: Engine, terms: list[str], limit: int) -> list[dict]:
    """Rows of the search index sharing any of `terms` (as word prefixes), best first."""
    if not terms:
        return []
    if engine.dialect.name == "postgresql":
        sql = (f"SELECT kind, ref, source_id, start, \"end\" FROM {TABLE}, to_tsquery('simple', :q) AS query "
               "WHERE tsv @@ query ORDER BY ts_rank(tsv, query) DESC, kind, ref LIMIT :limit")
        q = " | ".join(f"{term}:*" for term in terms)
    else:
        sql = (f"SELECT kind, ref, source_id, start, \"end\" FROM {TABLE} WHERE {TABLE} MATCH :q "
               f"ORDER BY bm25({TABLE}, 0, 0, 0, 0, 0, 4.0, 1.0), kind, ref LIMIT :limit")
        q = " OR ".join(f'"{term}"*' for term in terms)
    return [dict(r) for r in conn.execute(text(sql), {"q": q, "limit": limit}).mappings()]


def _document_frequency(conn: Connection, engine: Engine, terms: list[str]) -> tuple[dict[str, int], int]:
    """How many indexed rows hold each term (as a prefix), and how many rows there are."""
    if engine.dialect.name == "postgresql":
        total = conn.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar() or 0
        df = {term: conn.execute(text(f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE tsv @@ to_tsquery('simple', :q) LIMIT {DF_CAP}) AS hits"),
                                 {"q": f"{term}:*"}).scalar() or 0 for term in terms}
    else:
        total = conn.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar() or 0
        df = {term: conn.execute(text(f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH :q LIMIT {DF_CAP})"),
                                 {"q": f'"{term}"*'}).scalar() or 0 for term in terms}
    return df, total


@lru_cache(maxsize=256)
def _question_vector(question: str, encoder_id: int) -> np.ndarray | None:
    encoder = _ENCODERS.get(encoder_id)
    if encoder is None:
        return None
    vector = np.asarray(encoder([question]), dtype=np.float32)[0]
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


_ENCODERS: dict[int, object] = {}


def default_encoder():
    """The build's sentence model (loaded once per process), or None when it cannot be loaded."""
    try:
        from timeweave.reconcile.embed import load_model

        model = load_model()
    except Exception as exc:  # noqa: BLE001 - a missing model degrades to words only, and says so
        log.warning("sentence embeddings unavailable (%s): answering from word matches only", exc)
        return None
    return lambda batch: _one_thread(lambda: model.encode(batch, batch_size=32, normalize_embeddings=True))


def _one_thread(run):
    """Run one small encode on one torch thread: a single question gains nothing from parallel kernels, and on a
    busy machine they cost ten times the time (measured 1.3 s against 0.1 s with the load at 12 on 2 cores)."""
    try:
        import torch
    except ImportError:
        return run()
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return run()
    finally:
        torch.set_num_threads(before)


def _cosines(conn: Connection, question: Question, sentences: list[Sentence], texts: dict[str, str], encoder) -> None:
    """Each sentence's best cosine with the question over the cached embeddings of the event evidence inside it."""
    if encoder is None or not sentences:
        return
    from timeweave.reconcile.embed import cache_key  # keyed by the build's model id (name and versions)

    _ENCODERS[id(encoder)] = encoder
    qvec = _question_vector(question.text, id(encoder))
    if qvec is None:
        return
    by_source: dict[str, list[Sentence]] = {}
    for s in sentences:
        by_source.setdefault(s.source_id, []).append(s)
    em = t.event_mentions.c
    spans: list[tuple[Sentence, str]] = []
    for source_id, group in by_source.items():
        lo, hi = min(s.start for s in group), max(s.end for s in group)
        rows = conn.execute(select(em.start, em.end).where(em.source_id == source_id, em.start < hi, em.end > lo)).all()
        for r in rows:
            for s in group:
                if r.start < s.end and r.end > s.start:
                    spans.append((s, cache_key(texts[source_id][r.start:r.end])))
    if not spans:
        return
    keys = list({key for _, key in spans})
    vectors = {}
    for i in range(0, len(keys), 500):
        for row in conn.execute(select(t.embeddings.c.key, t.embeddings.c.vector).where(t.embeddings.c.key.in_(keys[i:i + 500]))):
            vectors[row.key] = np.frombuffer(row.vector, dtype="<f4")
    for s, key in spans:
        vec = vectors.get(key)
        if vec is not None and vec.shape == qvec.shape:
            s.cosine = max(s.cosine, float(vec @ qvec))


def retrieve(engine: Engine, question: Question, lex: Lexicon, *, encoder=None, limit: int = 40,
             embed_weight: float = 0.2, key_share: float = 0.4) -> list[Sentence]:
    """Candidate sentences for `question`, best first (empty when the store has no search index)."""
    if not inspect(engine).has_table(TABLE):
        log.warning("no search index in this store: rebuild it with `timeweave build`")
        return []
    terms = _fts_terms(question.terms + sorted(question.numbers))
    with engine.connect() as conn:
        df, total = _document_frequency(conn, engine, terms)
        if total == 0:
            return []
        # Rare words pick the candidates (an OR over 100,000 rows holding "event" would be ranked in full).
        selective = [term for term in terms if df.get(term, 0) < DF_CAP and df.get(term, 0) <= max(50, COMMON * total)] or \
            [min(terms, key=lambda term: df.get(term, 0))]
        hits = _hits(conn, engine, _fts_terms(selective + sorted({s for term in selective for s in lex.synonyms.get(term, ())})), limit)
        if not hits:
            return []
        idf = {term: math.log(1 + total / (1 + df.get(term, 0))) * (0.5 if term in question.context else 1.0) for term in terms}
        passage_ids = {int(h["ref"]) for h in hits if h["kind"] == "passage"}
        event_ids = [int(h["ref"]) for h in hits if h["kind"] == "event"][:20]
        if event_ids:
            em = t.event_mentions.c
            passage_ids |= {r[0] for r in conn.execute(select(em.passage_id).where(em.event_id.in_(event_ids), em.passage_id.is_not(None)))}
        p = t.passages.c
        rows = conn.execute(select(p.id, p.source_id, p.start, p.end, p.duplicate_scope).where(p.id.in_(sorted(passage_ids)))).all()
        sources = sorted({r.source_id for r in rows})
        texts = dict(conn.execute(select(t.texts.c.source_id, t.texts.c.text).where(t.texts.c.source_id.in_(sources))).all())
        titles = dict(conn.execute(select(t.sources.c.id, t.sources.c.title).where(t.sources.c.id.in_(sources))).all())
        sentences: list[Sentence] = []
        weight = sum(idf.values()) or 1.0
        focus = [term for term in question.focus if term in idf]
        focus_weight = sum(idf[term] for term in focus)
        key = max(focus, key=lambda term: idf[term]) if focus else None
        opposites = _opposites(key, lex) if key else set()
        names = [term for term in question.names if term in idf]
        names_weight = sum(idf[term] for term in names)
        doc_names = {source_id: _matches(texts.get(source_id, "") + "\n" + (titles.get(source_id) or ""), names, lex)
                     | _expanded(texts.get(source_id, ""), question.acronyms, lex) for source_id in sources}
        for r in rows:
            body = texts.get(r.source_id, "")
            title_terms = _matches(titles.get(r.source_id) or "", terms, lex)
            found = []
            for a, b in split(body, r.start, r.end):
                words = [(m.start() + a, m.end() + a, stem(m.group(), lex)) for m in _WORD.finditer(body[a:b])]
                matched_terms, spans = set(), []
                for term in terms:
                    forms = (term, *lex.synonyms.get(term, ()))
                    hits = [(x, y) for x, y, w in words if any(_prefix_match(f, w) for f in forms)]
                    if hits:
                        matched_terms.add(term)
                        spans.extend(hits)
                for joined, parts in question.compounds.items():  # "codenamed" says "code name"
                    hits = [(x, y) for x, y, w in words if _prefix_match(joined, w)]
                    if hits:
                        matched_terms.update(p for p in parts if p in idf)
                        spans.extend(hits)
                found.append((a, b, matched_terms, spans))
            context = title_terms.union(*(m for _, _, m, _ in found)) if found else title_terms
            for a, b, matched_terms, spans in found:
                if not matched_terms:
                    continue
                near = context - matched_terms
                coverage = (sum(idf[m] for m in matched_terms) + 0.5 * sum(idf[m] for m in near)) / weight
                focus_share = sum(idf[m] for m in focus if m in matched_terms) / focus_weight if focus_weight else 1.0
                said = {stem(m.group(), lex) for m in _WORD.finditer(body[a:b])}
                key_hit = -1 if any(_prefix_match(o, w) for o in opposites for w in said) else 1 if key in matched_terms or focus_share >= key_share else 0
                if key_hit < 0:  # "provoked" answers "unprovoked?" as much as "unprovoked" does
                    focus_share = min(1.0, focus_share + idf[key] / focus_weight)
                named = sum(idf[n] for n in names if n in doc_names[r.source_id]) / names_weight if names_weight else 1.0
                sentences.append(Sentence(r.source_id, r.id, a, b, body[a:b], coverage=coverage, focus=focus_share,
                                          matched=sorted(spans), copy=r.duplicate_scope == "across", named=named, key=key_hit))
        sentences.sort(key=lambda s: -s.coverage)
        sentences = sentences[: limit * 3]
        _cosines(conn, question, sentences, texts, encoder)
    for s in sentences:
        s.score = s.coverage + embed_weight * max(0.0, s.cosine)
    sentences.sort(key=lambda s: (-s.score, s.source_id, s.start))
    return sentences
