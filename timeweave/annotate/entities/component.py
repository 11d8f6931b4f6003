"""The `timeweave.entities.v2` spaCy component: sets `doc._.entity_mentions`.

Added as `nlp.add_pipe("timeweave_entities_v1")` (spaCy forbids "." in factory names, E853); every
stored mention records the dotted name. It needs the parser and NER of en_core_web_sm.
"""

from __future__ import annotations

import logging

from spacy.language import Language
from spacy.tokens import Doc

from timeweave.annotate.entities.rules import find_candidates
from timeweave.annotate.types import EntityMention

# v2: a middle initial stays inside a name ("John F. Kennedy"), a leading title is cut ("Admiral"); ships,
# standing bodies and named operations are typed (docs/knowledge.md, words.tsv).
COMPONENT = "timeweave.entities.v2"
log = logging.getLogger(__name__)

if not Doc.has_extension("entity_mentions"):
    Doc.set_extension("entity_mentions", default=None)


def entity_mentions(doc: Doc) -> list[EntityMention]:
    """Entity mentions of a parsed Doc, in text order, with character offsets into `doc.text`, each
    with the narrative year its name was resolved for and how that year was chosen."""
    out = []
    for cand in find_candidates(doc):
        span = doc[cand.start : cand.end]
        out.append(EntityMention(start=span.start_char, end=span.end_char, text=span.text,
                                 type=cand.type, key=cand.key, component=COMPONENT,
                                 year=cand.moment.year, year_from=cand.moment.source))
    return out


class EntitiesComponent:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.entity_mentions = entity_mentions(doc)
        return doc


@Language.factory(
    "timeweave_entities_v1",
    assigns=["doc._.entity_mentions"],
    requires=["doc.ents", "token.dep", "token.tag", "token.lemma"],
)
def make_entities(nlp: Language, name: str) -> EntitiesComponent:
    return EntitiesComponent(nlp, name)
