"""The filters shared by the timeline, the event list and the comparisons: parsed once, validated.

They live in the URL (`?entity=6&status=contested&from=1936`) so any view can be shared. A value
that is not well-formed is a 400 with the valid forms, never a silent "no results".
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import exists, select

from timeweave.store import schema as t

SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}", re.ASCII)
WORD = re.compile(r"[a-z_]{1,40}")
DAY = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?", re.ASCII)
STATUSES = ("corroborated", "single_source", "contested")


class BadParameter(ValueError):
    """A query parameter is malformed; the message names it and the valid form."""


@dataclass(frozen=True)
class Filters:
    entity: int | None = None
    source: str | None = None
    kind: str | None = None
    type: str | None = None
    status: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def as_params(self) -> dict[str, Any]:
        """The filters as URL parameters (only those set)."""
        names = {"date_from": "from", "date_to": "to"}
        return {names.get(k, k): v for k, v in asdict(self).items() if v not in (None, "")}


def parse_filters(params) -> Filters:
    """Filters from a request's query parameters (raises BadParameter)."""

    def get(name: str, pattern: re.Pattern, form: str) -> str | None:
        value = (params.get(name) or "").strip()
        if not value:
            return None
        if not pattern.fullmatch(value):
            raise BadParameter(f"Invalid {name}={value!r}: expected {form}.")
        return value

    entity = get("entity", re.compile(r"\d{1,12}", re.ASCII), "an entity id (integer)")
    status = get("status", WORD, "one of " + ", ".join(STATUSES))
    if status and status not in STATUSES:
        raise BadParameter(f"Invalid status={status!r}: expected one of {', '.join(STATUSES)}.")
    return Filters(
        entity=int(entity) if entity else None,
        source=get("source", SLUG, "a source id"),
        kind=get("kind", WORD, "a source kind such as scholarly_article"),
        type=get("type", WORD, "an event type such as treaty"),
        status=status,
        date_from=_day(get("from", DAY, "YYYY, YYYY-MM or YYYY-MM-DD"), "from"),
        date_to=_day(get("to", DAY, "YYYY, YYYY-MM or YYYY-MM-DD"), "to"),
    )


def _day(value: str | None, name: str) -> str | None:
    """A well-formed date that also exists (not 1939-13, not 0000): a 400 here, never a 500 later."""
    from timeweave.serve.timeline import parse_day

    if value:
        try:
            parse_day(value)
            parse_day(value, end=True)
        except BadParameter as error:
            raise BadParameter(f"Invalid {name}={value!r}: {error}") from None
    return value


def event_conditions(filters: Filters) -> list:
    """SQL conditions on `events` for the filters (date range included)."""
    e, m = t.events.c, t.event_mentions.c
    conditions: list = []
    if filters.entity is not None:
        acts = exists().where(t.event_participants.c.event_id == e.id, t.event_participants.c.entity_id == filters.entity)
        conditions.append(acts | (e.place == filters.entity))
    if filters.source:
        conditions.append(exists().where(m.event_id == e.id, m.source_id == filters.source))
    if filters.kind:
        kinds = select(t.sources.c.id).where(t.sources.c.kind == filters.kind)
        conditions.append(exists().where(m.event_id == e.id, m.source_id.in_(kinds)))
    if filters.type:
        conditions.append(e.type == filters.type)
    if filters.status:
        conditions.append(e.status == filters.status)
    if filters.date_from:
        conditions.append(e.latest >= _pad(filters.date_from, end=False))
    if filters.date_to:
        conditions.append(e.earliest <= _pad(filters.date_to, end=True))
    return conditions


def _pad(value: str, *, end: bool) -> str:
    """`1936` → `1936-01-01` (or `1936-12-31` for an end): ISO strings compare as dates."""
    if len(value) == 4:
        return value + ("-12-31" if end else "-01-01")
    if len(value) == 7:
        return value + ("-31" if end else "-01")
    return value
