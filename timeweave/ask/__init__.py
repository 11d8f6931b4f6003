"""Ask: cited answers from a store, that keep the sources' disagreement visible and abstain when it does not know.

`ask(engine, question) -> Answer`: the question is analysed (what kind of value it wants,
`question.py`), sentences are retrieved from the store's search index and ranked by rare-word
coverage plus the cosine with cached evidence embeddings (`retrieve.py`), values of the asked kind
are read from them (`values.py`), grouped into positions by compatibility (`positions.py`) and turned
into an answer with quotes (`assemble.py`). The JSON contract is `answer.schema.json` (docs/ask.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from sqlalchemy import Engine

from timeweave.ask.answer import Answer, Evidence, Position, schema
from timeweave.ask.assemble import assemble, combine, not_found
from timeweave.ask.lexicon import lexicon
from timeweave.ask.params import AskParams
from timeweave.ask.question import MAX_CHARS, analyse, follow_up
from timeweave.ask.retrieve import default_encoder, retrieve
from timeweave.errors import TimeweaveError

__all__ = ["Answer", "AskError", "AskParams", "Evidence", "Position", "ask", "ask_many", "schema", "MAX_CHARS"]

log = logging.getLogger(__name__)
_DEFAULT = object()


class AskError(TimeweaveError):
    """A question that cannot be asked (empty); the message says what to send instead."""


def ask(engine: Engine, question: str, *, params: AskParams | None = None, encoder=_DEFAULT, knowledge: str = "") -> Answer:
    """Answer `question` from the store behind `engine`, citing its sources, or say it is not found.

    `encoder` (a callable list[str] -> vectors) replaces the sentence model (tests pass None for
    words only); by default the build's model is loaded once per process. Raises AskError for a
    question with no words.
    """
    if not isinstance(question, str) or not any(ch.isalnum() for ch in question):
        raise AskError("The question is empty: ask something in words, e.g. \"When was the protocol signed?\".")
    params = params or AskParams()
    lex = lexicon(knowledge)
    q = analyse(question, lex)
    if not q.terms and not q.numbers:
        return not_found(question)
    if encoder is _DEFAULT:
        encoder = _default_encoder()
    sentences = retrieve(engine, q, lex, encoder=encoder, limit=params.candidates, embed_weight=params.embed_weight,
                         key_share=params.key_share)
    with engine.connect() as conn:
        answer = assemble(conn, q, sentences, lex, params, question)
        second = follow_up(q, lex)
        if second is None or answer.status == "not_found":
            return answer
        more = retrieve(engine, second, lex, encoder=encoder, limit=params.candidates, embed_weight=params.embed_weight,
                         key_share=params.key_share)
        return combine(answer, assemble(conn, second, more, lex, params, question))


_ENCODER: list = []


def _default_encoder():
    if not _ENCODER:
        _ENCODER.append(default_encoder())
    return _ENCODER[0]


def ask_many(engine: Engine, questions: Iterable[str], **options) -> Iterator[Answer]:
    """Answers to several questions in order, with the models loaded once."""
    for question in questions:
        yield ask(engine, question, **options)
