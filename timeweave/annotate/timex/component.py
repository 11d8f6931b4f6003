"""The `timeweave.timex` spaCy component: sets `doc._.timexes` from `find_timexes`.

spaCy forbids "." in factory names (error E853), so it is added as `nlp.add_pipe("timeweave_timex_v1")`;
stored facts record the dotted name with the behaviour's version (`engine.COMPONENT`, `timeweave.timex.v2`).

The document date comes from `doc._.dct` (set by the build before the pipeline runs), else from
the `nlp.pipe(..., as_tuples=True)` context (a dict with "dct", or the date string itself), else
from the component setting `dct`. Sentence boundaries are used when an earlier component set
them (numbers in reasons); without them a cheap splitter stands in, so the component requires
nothing and runs in a blank pipeline too. When the tagger and parser ran, the tense of the verb
governing a bare "Tuesday" or "March" says which one is meant (`tense.doc_tense`, reading the
existing token tags, no extra model).
"""

from __future__ import annotations

import logging

from spacy.language import Language
from spacy.tokens import Doc

from timeweave.annotate.timex.engine import COMPONENT, find_timexes
from timeweave.annotate.timex.periods import load_periods
from timeweave.annotate.timex.tense import doc_tense

log = logging.getLogger(__name__)

if not Doc.has_extension("timexes"):
    Doc.set_extension("timexes", default=None)
if not Doc.has_extension("dct"):
    Doc.set_extension("dct", default=None)


class TimexComponent:
    """Finds time expressions and resolves them against the document date and the narrative."""

    def __init__(self, nlp: Language, name: str, *, dct: str | None = None, periods: str | None = None) -> None:
        self.name = name
        self.dct = dct
        self.periods_path = periods
        self.periods = load_periods(periods)

    def __call__(self, doc: Doc) -> Doc:
        dct = doc._.dct or _context_dct(doc) or self.dct
        sentences = [(s.start_char, s.end_char) for s in doc.sents] if doc.has_annotation("SENT_START") else None
        doc._.timexes = find_timexes(doc.text, dct=dct, sentences=sentences, periods=self.periods, tense=doc_tense(doc))
        return doc


def _context_dct(doc: Doc) -> str | None:
    context = getattr(doc, "_context", None)
    if isinstance(context, dict):
        return context.get("dct")
    if isinstance(context, str):
        return context
    return None


@Language.factory(
    "timeweave_timex_v1",
    assigns=["doc._.timexes"],
    requires=[],
    default_config={"dct": None, "periods": None},
)
def make_timex(nlp: Language, name: str, dct: str | None, periods: str | None) -> TimexComponent:
    """Factory for `timeweave.timex` (factory name `timeweave_timex_v1`). `dct`: fallback document date; `periods`: an extra periods TSV."""
    return TimexComponent(nlp, name, dct=dct, periods=periods)


__all__ = ["COMPONENT", "TimexComponent", "make_timex"]
