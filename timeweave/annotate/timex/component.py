"""The `timeweave.timex.v1` spaCy component (placeholder until the timex engine lands: finds nothing).

spaCy forbids "." in factory names (error E853), so it is added as `nlp.add_pipe("timeweave_timex_v1")`;
stored facts record the dotted name `timeweave.timex.v1`.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

COMPONENT = "timeweave.timex.v1"

if not Doc.has_extension("timexes"):
    Doc.set_extension("timexes", default=None)


class TimexComponent:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.timexes = []
        return doc


@Language.factory("timeweave_timex_v1", assigns=["doc._.timexes"], requires=["token.text"])
def make_timex(nlp: Language, name: str) -> TimexComponent:
    return TimexComponent(nlp, name)
