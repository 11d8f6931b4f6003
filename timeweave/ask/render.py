"""An answer as a person reads it in a terminal: the sentence, then each position with its sources and quotes."""

from __future__ import annotations

from timeweave.ask.answer import Answer

NOT_FOUND = "Not found: nothing in this corpus supports an answer to that question."


def render_text(answer: Answer) -> str:
    """Plain text (no markup): the answer or the not-found line, and every position's citations."""
    if answer.status == "not_found":
        return NOT_FOUND
    lines = [answer.answer, ""]
    for position in answer.positions:
        lines.append(f"• {position.value} ({', '.join(position.sources)})")
        for e in position.evidence:
            lines.append(f"    {e.path or e.source} [{e.start}-{e.end}]: “{e.quote}”")
    return "\n".join(lines)
