"""`timeweave_paragraphs_v1`: a blank line ends a sentence, before the parser decides the rest.

en_core_web_sm's parser runs a heading into the paragraph under it ("Background\\n\\nJapan had
occupied Manchuria ..." is one sentence to it), and then the heading becomes the place of an
event ("Invasion at Background") and dates spill from a paragraph onto the heading above. Web
pages, encyclopedias and chapters are full of headings, and passages are joined with a blank line
(`view.JOINER`), so the token after a blank line is marked as a sentence start; spaCy's parser
keeps boundaries set before it runs.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

FACTORY = "timeweave_paragraphs_v1"


@Language.component(FACTORY, assigns=["token.is_sent_start"])
def mark_paragraphs(doc: Doc) -> Doc:
    for token in doc[1:]:
        before = doc[token.i - 1]
        if not token.is_space and (before.is_space and "\n\n" in before.text or "\n\n" in before.whitespace_):
            token.is_sent_start = True
    return doc


def make_paragraphs(nlp: Language, name: str):
    """The factory function, for the `spacy_factories` entry point."""
    return mark_paragraphs
