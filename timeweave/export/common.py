"""What several exports share: stable identifiers, a source's texts, and the chronicle with places.

Identifiers are URNs (`urn:timeweave:event:12`): a chronicle has no web address of its own, and a
URN is still an IRI that JSON-LD, Web Annotation and Linked Places readers accept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from timeweave.chronicle import chronicle
from timeweave.errors import SchemaError
from timeweave.store import schema as t

URN = "urn:timeweave:"


def urn(kind: str, ident: Any) -> str:
    """A stable IRI for a stored thing (`urn:timeweave:source:batbayar-2000`)."""
    return f"{URN}{kind}:{ident}"


def texts_of(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {r.source_id: r.text for r in conn.execute(select(t.texts))}


def checked_chronicle(engine: Engine) -> tuple[dict[str, Any], dict[str, str]]:
    """The chronicle with the source texts, every quote checked equal to its source at its offsets.

    The full JSON-schema validation is the `json` export's (it takes minutes at 100,000 events);
    the faithfulness rule, which is what the other formats carry, is checked here for each export.
    """
    data, texts = chronicle(engine), texts_of(engine)
    spans = [(f"events/{e['id']}", s) for e in data["events"] for s in e["evidence"]]
    spans += [(f"comparisons/{c['id']}", s) for c in data["comparisons"] for s in c["statements"]]
    for where, span in spans:
        if texts.get(span["source"], "")[span["start"]:span["end"]] != span["quote"]:
            raise SchemaError(f"{where}: quote {span['quote'][:60]!r} does not equal the text of {span['source']} "
                              f"at {span['start']}:{span['end']}; rebuild the store (`timeweave build`) before exporting")
    return data, texts


def locations(engine: Engine) -> dict[int, Any]:
    """Place entity id → `timeweave.geo.Location`, with the gazetteer settings the last build recorded."""
    from timeweave.geo import place_locations

    with engine.connect() as conn:
        return place_locations(conn)


def citation(span: dict[str, Any]) -> dict[str, Any]:
    """An evidence span as exported everywhere: source, offsets and the exact quote."""
    return {"source": span["source"], "start": span["start"], "end": span["end"], "quote": span["quote"]}
