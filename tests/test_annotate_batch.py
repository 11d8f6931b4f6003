"""The annotate stage runs `nlp.pipe` in batches of `nlp_batch_size`, and a document that raises fails alone."""

from __future__ import annotations

import spacy
from spacy.language import Language

from timeweave import config as settings
from timeweave import work
from timeweave.ingest.catalog import load_catalog


@Language.component("test_raise_on_boom")
def _raise_on_boom(doc):
    if "BOOM" in doc.text:
        raise ValueError("a component failed on this text")
    return doc


class Spy:
    """A spaCy pipeline that records how it is called: (batch_size, documents) per `pipe`, (None, 1) per call."""

    def __init__(self, nlp):
        self.nlp, self.calls = nlp, []

    def __getattr__(self, name):
        return getattr(self.nlp, name)

    def pipe(self, docs, batch_size):
        docs = list(docs)
        self.calls.append((batch_size, len(docs)))
        return self.nlp.pipe(docs, batch_size=batch_size)

    def __call__(self, doc):
        self.calls.append((None, 1))
        return self.nlp(doc)


def _tasks(tmp_path, texts):
    paths = []
    for n, text in enumerate(texts):
        path = tmp_path / f"doc{n}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return [work.Task(p, p.name) for p in paths], load_catalog(paths)


TEXTS = [f"The harbour of Port Elin was blockaded in {1700 + n}. The merchants of the town protested to the governor."
         for n in range(5)]


def test_documents_are_annotated_in_batches_of_the_setting(tmp_path, monkeypatch):
    spy = Spy(spacy.blank("en"))
    monkeypatch.setattr("timeweave.annotate.pipeline.load_nlp", lambda model: spy)
    tasks, catalog = _tasks(tmp_path, TEXTS)
    for size, expected in ((2, [(2, 2), (2, 2), (2, 1)]), (16, [(16, 5)])):
        spy.calls.clear()
        outcomes = list(work.run_serial(tasks, catalog, settings.resolve({"nlp_batch_size": size})))
        assert spy.calls == expected
        assert [o.shown for o in outcomes] == [t.shown for t in tasks]
        assert all(o.error is None and o.annotations is not None and o.view is not None for o in outcomes)


def test_a_document_that_raises_inside_a_batch_fails_alone(tmp_path, monkeypatch):
    nlp = spacy.blank("en")
    nlp.add_pipe("test_raise_on_boom")
    spy = Spy(nlp)
    monkeypatch.setattr("timeweave.annotate.pipeline.load_nlp", lambda model: spy)
    texts = list(TEXTS[:3])
    texts[1] = "The powder store of Port Elin went BOOM in 1701, and the fire spread to the quay."
    tasks, catalog = _tasks(tmp_path, texts)
    outcomes = list(work.run_serial(tasks, catalog, settings.resolve({"nlp_batch_size": 8})))
    assert [o.error is None for o in outcomes] == [True, False, True]
    failed = outcomes[1].error
    assert failed.path == "doc1.txt" and "ValueError" in failed.reason and failed.code.startswith("T")
    assert spy.calls[0] == (8, 3) and spy.calls[1:] == [(None, 1)] * 3  # the batch, then one by one
    assert outcomes[0].annotations is not None and outcomes[2].annotations is not None
