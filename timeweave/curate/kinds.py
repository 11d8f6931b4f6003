"""The kinds of correction, as data: what each names (events, entities, evidence, comparisons) and takes.

An action in the log is a row: its kind (a name below), its target (anchors, see `anchors.py`)
and its arguments. This table says, for each kind, how many of each target it needs and what it
means; `record.py` checks an action against it before anything is written and `apply.py` has one
function per kind. The CLI and the web forms are made from the same names.
"""

from __future__ import annotations

from dataclasses import dataclass

from timeweave.errors import TimeweaveError


class CurateError(TimeweaveError):
    """A correction cannot be recorded: an unknown id, an invalid date, a merge of an event with itself ..."""


@dataclass(frozen=True)
class Kind:
    name: str
    events: tuple[int, int | None] = (0, 0)  # (at least, at most; None = no limit)
    entities: tuple[int, int | None] = (0, 0)
    evidence: tuple[int, int | None] = (0, 0)
    comparisons: tuple[int, int | None] = (0, 0)
    help: str = ""


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("reject", events=(1, 1), help="it is not an event of this chronicle: it leaves the timeline, comparisons and exports"),
    Kind("restore", help="undo a reject (names the reject action)"),
    Kind("date", events=(1, 1), help="set the event's date (EDTF) with the reason in the note"),
    Kind("label", events=(1, 1), help="set the event's label"),
    Kind("type", events=(1, 1), help="set the event's type"),
    Kind("merge", events=(2, None), help="the events are one: the first keeps its id, label and date and takes the others' evidence"),
    Kind("split", events=(1, 1), evidence=(1, None), help="move the chosen evidence of an event to a new event"),
    Kind("move", events=(1, 1), evidence=(1, 1), help="move one piece of evidence to another event"),
    Kind("participant", events=(1, 1), entities=(1, 1), help="set (or remove) a participant of the event, with a role"),
    Kind("place", events=(1, 1), entities=(0, 1), help="set (or remove) the place of the event"),
    Kind("entity_merge", entities=(2, None), help="the entities are one: the first keeps its id and name and takes the others' aliases and mentions"),
    Kind("entity_split", entities=(1, 1), help="move the chosen aliases (and their mentions) of an entity to a new entity"),
    Kind("alias", entities=(1, 1), help="add (or remove) an alias of the entity"),
    Kind("entity_type", entities=(1, 1), help="set the entity's type"),
    Kind("comparison_wrong", comparisons=(1, 1), help="the comparison is wrong: it leaves the chronicle"),
    Kind("comparison_add", events=(1, 1), evidence=(1, None), help="add a comparison of the event from chosen quotes"),
    Kind("undo", help="undo an earlier action (names it)"),
)}

UNDOING = ("undo", "restore")  # kinds whose effect is to take another action back
COMPONENT = "timeweave.curate.v1"  # the producer recorded on rows a correction creates
COMPARISON_KINDS = ("agree", "contradict", "differ_in_framing", "single_source")
PARTICIPANT_ROLES = ("agent", "patient", "other")
