"""The ask page: `/ask?q=...` and its `/ask.json` twin, over `timeweave.ask.ask`.

Parameters are checked here, before any work: a missing or empty `q` on the JSON twin and a
question over `MAX_QUESTION` characters are 400s in the app's one error shape; the HTML page
without `q` shows the empty box. Every quote links to `/sources/ID#c-START-END`, the anchor the
source page highlights.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import Connection

from timeweave.ask import MAX_CHARS, AskError, ask
from timeweave.serve.app import App, wants_json
from timeweave.serve.filters import BadParameter

MAX_QUESTION = MAX_CHARS
ENCODER: Any = "default"  # tests set None (words only); "default" loads the build's sentence model once


def _question(request: Request) -> str:
    values = request.query_params.getlist("q")
    if len(values) > 1:
        raise BadParameter("Give one q= question, not several.")
    q = (values[0] if values else "").strip()
    if len(q) > MAX_QUESTION:
        raise BadParameter(f"The question is {len(q)} characters long: ask in at most {MAX_QUESTION} characters.")
    if not q and wants_json(request):
        raise BadParameter("Missing q: ask a question, e.g. /ask.json?q=When+was+the+protocol+signed%3F")
    return q


def add_ask(app: App) -> None:
    """Register `/ask` and `/ask.json` on `app`."""

    @app.page("/ask", "ask.html")
    def ask_page(request: Request, conn: Connection) -> dict[str, Any]:
        q = _question(request)
        if not q:
            return {"title": "Ask", "q": "", "status": None}
        options = {} if ENCODER == "default" else {"encoder": ENCODER}
        try:
            answer = ask(app.engine, q, **options).to_dict()
        except AskError as error:
            raise BadParameter(str(error)) from error
        if not wants_json(request):  # the JSON twin is the contract's object as it is (docs/ask.md)
            for position in answer["positions"]:
                for e in position["evidence"]:
                    e["href"] = f"/sources/{e['source']}#c-{e['start']}-{e['end']}"
        return {"title": f"Ask: {q[:80]}", **answer}
