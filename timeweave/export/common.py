"""What several exports share: stable identifiers, a source's texts, and the chronicle with places.

Identifiers are URNs (`urn:timeweave:event:12`): a chronicle has no web address of its own, and a
URN is still an IRI that JSON-LD, Web Annotation and Linked Places readers accept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from timeweave.chronicle import chronicle, validate
from timeweave.store import schema as t

URN = "urn:timeweave:"


def urn(kind: str, ident: Any) -> str:
    """A stable IRI for a stored thing (`urn:timeweave:source:batbayar-2000`)."""
    return f"{URN}{kind}:{ident}"


def texts_of(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {r.source_id: r.text for r in conn.execute(select(t.texts))}


def checked_chronicle(engine: Engine) -> tuple[dict[str, Any], dict[str, str]]:
    """The chronicle, validated (schema and every quote against its source), with the source texts."""
    data, texts = chronicle(engine), texts_of(engine)
    validate(data, texts=texts)
    return data, texts


def locations(engine: Engine) -> dict[int, Any]:
    """Place entity id → `timeweave.geo.Location`, with the gazetteer settings the last build recorded."""
    from timeweave.geo import place_locations

    with engine.connect() as conn:
        return place_locations(conn)


def citation(span: dict[str, Any]) -> dict[str, Any]:
    """An evidence span as exported everywhere: source, offsets and the exact quote."""
    return {"source": span["source"], "start": span["start"], "end": span["end"], "quote": span["quote"]}
