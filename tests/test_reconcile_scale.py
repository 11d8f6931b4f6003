"""Reconcile stays linear on one long repetitive document (issue 16: huge texts are stored, so reconciled).

A long line repeating one sentence yields thousands of event mentions of the same lemma, date and
place in one source. Every stage must do bounded work per mention there: the test counts the Python
lines reconcile executes on the same document at two lengths (a count of work that is the same on a
loaded machine and an idle one, unlike a time) and compares the ratio, and checks that the result does
not grow with the copies (one voice repeating one dated sentence is still a bounded number of events).
The CPU time of the same runs, at larger sizes, is measured by bench/reconcile_scale.py.
"""

from __future__ import annotations

import hashlib
import sys

from sqlalchemy import insert

from timeweave.reconcile import reconcile
from timeweave.store import open_store
from timeweave.store import schema as t

# Not from our corpora: a voyage of another century and continent.
SENTENCE = "The fleet of Zheng He sailed from Nanjing on 11 July 1405 and the crowds cheered. "


def long_document(path, copies: int):
    """A store holding one source of `copies` repetitions of SENTENCE, written as the build writes it:
    one passage, a place mention and two event mentions (sailed, dated and placed; cheered) per copy."""
    engine = open_store(path)
    text = SENTENCE * copies
    with engine.begin() as conn:
        conn.execute(insert(t.sources).values(
            id="voyage", path="/corpus/voyage.txt", sha256="0" * 64, format="txt", size=len(text), title="voyage",
            authors=[], kind="other", kind_reason="test", metadata_origin="extracted", pipeline="test",
            updated_at="2024-01-01T00:00:00"))
        conn.execute(insert(t.texts).values(source_id="voyage", text=text))
        pid = conn.execute(insert(t.passages).values(
            source_id="voyage", seq=0, start=0, end=len(text), role="content",
            sha1=hashlib.sha1(text.encode()).hexdigest())).inserted_primary_key[0]
        conn.execute(insert(t.entities).values(id=1, name="Nanjing", type="place", component="test"))
        conn.execute(insert(t.entities).values(id=2, name="Zheng He", type="person", component="test"))
        names, events = [], []
        for n in range(copies):
            at = n * len(SENTENCE)
            place, person = SENTENCE.index("Nanjing"), SENTENCE.index("Zheng He")
            names.append(dict(id=2 * n + 1, source_id="voyage", passage_id=pid, start=at + place, end=at + place + 7,
                              text="Nanjing", type="place", entity_id=1, component="test"))
            names.append(dict(id=2 * n + 2, source_id="voyage", passage_id=pid, start=at + person, end=at + person + 8,
                              text="Zheng He", type="person", entity_id=2, component="test"))
            end = at + len(SENTENCE) - 1
            for trigger, lemma, kind, dated in (("sailed", "sail", "deployment", True), ("cheered", "cheer", "other", False)):
                t_at = at + SENTENCE.index(trigger)
                events.append(dict(
                    source_id="voyage", passage_id=pid, start=at, end=end, trigger_start=t_at,
                    trigger_end=t_at + len(trigger), trigger=trigger, lemma=lemma, type=kind, factuality="asserted",
                    context="narrative", when_text="11 July 1405", edtf="1405-07-11", earliest="1405-07-11",
                    latest="1405-07-11", when_reason="test", when_kind="governed" if dated else "sentence",
                    participants=[{"mention": 2 * n + 2, "role": "agent"}] if dated else [],
                    place_mention=2 * n + 1 if dated else None, sentence=n, component="test"))
        conn.execute(insert(t.mentions), names)
        conn.execute(insert(t.event_mentions), events)
    return engine


def counted(path, copies: int):
    """Reconcile a long document of `copies` sentences; (Python lines executed, report).

    Lines of every module count (timeweave's, SQLAlchemy's, a lambda's), so a scan moved into a helper
    still shows; work done inside C (a sort) does not, and is at most n log n here.
    """
    engine = long_document(path, copies)
    lines = 0

    def line(frame, event, arg):
        nonlocal lines
        if event == "line":
            lines += 1
        return line

    outer = sys.gettrace()  # a debugger's or coverage's tracer, put back afterwards
    sys.settrace(lambda frame, event, arg: line)
    try:
        report = reconcile(engine, config={"embeddings": False})
    finally:
        sys.settrace(outer)
    return lines, report


def test_a_long_repetitive_document_reconciles_in_linear_work(tmp_path):
    small_lines, small = counted(tmp_path / "small.db", 200)
    large_lines, large = counted(tmp_path / "large.db", 1600)
    assert small.mentions == 400 and large.mentions == 3200
    # Eight times the text: linear work executes about 6x the lines (fixed costs amortised; 6.0x measured).
    # The per-mention scan of the whole source this guards against (reconcile/load.py before 840d234)
    # executed 14.8x, and grows with the square of the copies.
    ratio = large_lines / small_lines
    assert ratio < 10.0, f"reconcile ran {small_lines:,} lines on 200 copies, {large_lines:,} on 1,600 (x{ratio:.1f})"
    # Repeating a sentence adds evidence, not a number of events that grows with the square of it.
    assert large.events <= 8 * small.events + 8
    assert large.candidate_pairs <= 9 * small.candidate_pairs


def test_sentence_similarities_in_small_batches_score_as_in_one(tmp_path, monkeypatch):
    """Pair similarities are computed in batches to bound memory; a batch boundary changes no score."""
    import numpy as np

    from timeweave.reconcile import similarity
    from timeweave.reconcile.blocking import candidate_pairs
    from timeweave.reconcile.load import load

    engine = long_document(tmp_path / "s.db", 40)
    with engine.connect() as conn:
        mentions = load(conn).mentions
    pairs = candidate_pairs(mentions)
    vectors = np.random.default_rng(7).standard_normal((len(mentions), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    whole = similarity.score_pairs(mentions, pairs, vectors)
    monkeypatch.setattr(similarity, "SIMILARITY_BATCH", 7)
    assert len(pairs) > 7 * 3
    assert similarity.score_pairs(mentions, pairs, vectors) == whole
