"""`timeweave curate ...`: thin shells over the functions of `timeweave.curate`, one per correction.

Ids are those shown in the chronicle JSON and the web UI at the time of the command; the action
itself is stored by quotes, so it holds after the next build renumbers everything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from timeweave.errors import TimeweaveError

curate_app = typer.Typer(help="Correct the chronicle; every correction is logged and survives rebuilds.",
                         no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[str, typer.Option("--db", help="SQLite file path (default) or postgresql:// URL.")]
NoteOption = Annotated[Optional[str], typer.Option("--note", help="Why (for a date: the reason shown beside it).")]
ByOption = Annotated[Optional[str], typer.Option("--by", help="Who makes the correction (default: the login name).")]


def _run(fn, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except TimeweaveError as error:
        err.print(f"[red]Error:[/red] {error}", markup=True, highlight=False)
        raise typer.Exit(2) from None


def _done(result: dict[str, Any]) -> None:
    out.print(f"Action {result['id']} ({result['kind']}): {result['state']}. {result['detail']}", highlight=False, markup=False)


def _act(name: str, *args: Any, db: str, note: str | None, by: str | None, **kwargs: Any) -> None:
    from timeweave import curate

    _done(_run(getattr(curate, name), db, *args, note=note, by=by, origin="cli", **kwargs))


@curate_app.command("reject")
def reject_cli(event: Annotated[int, typer.Argument(help="Event id.")], db: DbOption = "timeweave.db",
               note: NoteOption = None, by: ByOption = None) -> None:
    """It is not an event of this chronicle: it leaves the timeline, comparisons and exports (the log keeps it)."""
    _act("reject", event, db=db, note=note, by=by)


@curate_app.command("restore")
def restore_cli(action: Annotated[str, typer.Argument(help="Id of the reject action (see `curate log`).")],
                db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Take back a reject: the event returns (the chronicle is recomputed)."""
    _act("restore", action, db=db, note=note, by=by)


@curate_app.command("date")
def date_cli(event: Annotated[int, typer.Argument(help="Event id.")],
             edtf: Annotated[str, typer.Argument(help="EDTF date or interval: 1935-03-23, 1935-03, 1935~, 1935-03-01/1935-03-23.")],
             db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Set an event's date; --note gives the reason, shown as 'date set by NAME: reason'."""
    _act("set_date", event, edtf, db=db, note=note, by=by)


@curate_app.command("label")
def label_cli(event: Annotated[int, typer.Argument(help="Event id.")], text: Annotated[str, typer.Argument(help="The new label.")],
              db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Set an event's label."""
    _act("set_label", event, text, db=db, note=note, by=by)


@curate_app.command("type")
def type_cli(event: Annotated[int, typer.Argument(help="Event id.")], type_: Annotated[str, typer.Argument(metavar="TYPE", help="Event type (treaty, battle ...).")],
             db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Set an event's type."""
    _act("set_type", event, type_, db=db, note=note, by=by)


@curate_app.command("merge")
def merge_cli(events: Annotated[list[int], typer.Argument(help="Two or more event ids; the first is kept.")],
              db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """The events are one: the first keeps its id, label and date and takes the others' evidence."""
    _act("merge", events, db=db, note=note, by=by)


@curate_app.command("split")
def split_cli(event: Annotated[int, typer.Argument(help="Event id.")],
              evidence: Annotated[list[str], typer.Option("--evidence", help="Evidence to move, as SOURCE:START-END (repeat).")],
              label: Annotated[Optional[str], typer.Option("--label", help="Label of the new event (default: the old one's).")] = None,
              db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Move the chosen evidence of an event to a new event."""
    _act("split", event, evidence, label=label, db=db, note=note, by=by)


@curate_app.command("move")
def move_cli(evidence: Annotated[str, typer.Argument(help="Evidence as SOURCE:START-END.")],
             event: Annotated[int, typer.Argument(help="The event it belongs to.")],
             db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Move one piece of evidence to another event."""
    _act("move", evidence, event, db=db, note=note, by=by)


@curate_app.command("participant")
def participant_cli(event: Annotated[int, typer.Argument(help="Event id.")], entity: Annotated[int, typer.Argument(help="Entity id.")],
                    role: Annotated[str, typer.Option(help="agent, patient or other.")] = "other",
                    remove: Annotated[bool, typer.Option("--remove", help="Remove it instead.")] = False,
                    db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Set (or remove) a participant of an event."""
    _act("participant", event, entity, role=role, remove=remove, db=db, note=note, by=by)


@curate_app.command("place")
def place_cli(event: Annotated[int, typer.Argument(help="Event id.")],
              entity: Annotated[Optional[int], typer.Argument(help="Entity id of the place (omit with --remove).")] = None,
              remove: Annotated[bool, typer.Option("--remove", help="Remove the event's place.")] = False,
              db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Set (or remove) the place of an event."""
    if (entity is None) != remove:
        _run(_raise, "Give the place's entity id, or --remove (not both).")
    _act("place", event, entity, db=db, note=note, by=by)


def _raise(message: str) -> None:
    from timeweave.curate import CurateError

    raise CurateError(message)


@curate_app.command("alias")
def alias_cli(entity: Annotated[int, typer.Argument(help="Entity id.")], text: Annotated[str, typer.Argument(help="The alias.")],
              remove: Annotated[bool, typer.Option("--remove", help="Remove it instead.")] = False,
              db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Add (or remove) an alias of an entity."""
    _act("alias", entity, text, remove=remove, db=db, note=note, by=by)


@curate_app.command("entity-merge")
def entity_merge_cli(entities: Annotated[list[int], typer.Argument(help="Two or more entity ids; the first is kept.")],
                     db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """The entities are one: the first keeps its id and name and takes the others' aliases and mentions."""
    _act("entity_merge", entities, db=db, note=note, by=by)


@curate_app.command("entity-split")
def entity_split_cli(entity: Annotated[int, typer.Argument(help="Entity id.")],
                     aliases: Annotated[list[str], typer.Option("--alias", help="An alias to move to the new entity (repeat).")],
                     db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Move the chosen aliases of an entity, and the mentions written so, to a new entity."""
    _act("entity_split", entity, aliases, db=db, note=note, by=by)


@curate_app.command("entity-type")
def entity_type_cli(entity: Annotated[int, typer.Argument(help="Entity id.")], type_: Annotated[str, typer.Argument(metavar="TYPE", help="person, state, organization ...")],
                    db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Set an entity's type."""
    _act("entity_type", entity, type_, db=db, note=note, by=by)


@curate_app.command("comparison-wrong")
def comparison_wrong_cli(comparison: Annotated[int, typer.Argument(help="Comparison id.")],
                         db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """The comparison is wrong: it leaves the chronicle (the log keeps it)."""
    _act("comparison_wrong", comparison, db=db, note=note, by=by)


@curate_app.command("comparison-add")
def comparison_add_cli(event: Annotated[int, typer.Argument(help="Event id.")],
                       evidence: Annotated[list[str], typer.Option("--evidence", help="A quote compared, as SOURCE:START-END of the event's evidence (repeat).")],
                       kind: Annotated[str, typer.Option(help="agree, contradict, differ_in_framing or single_source.")],
                       field: Annotated[str, typer.Option(help="What is compared (when, agent, outcome ...).")],
                       explanation: Annotated[Optional[str], typer.Option(help="One sentence a historian can check.")] = None,
                       db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Add a comparison of an event from chosen quotes."""
    _act("comparison_add", event, evidence, kind=kind, field=field, explanation=explanation, db=db, note=note, by=by)


@curate_app.command("undo")
def undo_cli(action: Annotated[str, typer.Argument(help="Id of the action (see `curate log`).")],
             db: DbOption = "timeweave.db", note: NoteOption = None, by: ByOption = None) -> None:
    """Take back an earlier action (it stays in the log, marked undone); the chronicle is recomputed."""
    _act("undo", action, db=db, note=note, by=by)


@curate_app.command("log")
def log_cli(db: DbOption = "timeweave.db", as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The actions, oldest first, with what each still applies to (or why it no longer applies)."""
    from timeweave import curate

    rows = _run(curate.log, db)
    if as_json:
        out.print_json(json.dumps(rows, default=str))
        return
    for r in rows:
        out.print(f"{r['id']:>4} {r['created_at']} {r['author']}: {r['kind']} {'; '.join(map(str, r['names']))} "
                  f"{json.dumps(r['args']) if r['args'] else ''} [{r['state']}] {r['detail']}", highlight=False, markup=False)
    if not rows:
        out.print("No corrections in this store yet.")


@curate_app.command("apply")
def apply_cli(db: DbOption = "timeweave.db") -> None:
    """Recompute the chronicle from the stored documents and apply the whole log (a build does this by itself)."""
    from timeweave import curate
    from timeweave.curate.record import recompute

    _run(recompute, _run(curate.engine_of, db))
    rows = curate.log(db)
    states: dict[str, int] = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    out.print(f"{len(rows)} actions: {json.dumps(states)}", highlight=False, markup=False)


@curate_app.command("export")
def export_cli(db: DbOption = "timeweave.db",
               output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")] = Path("curation.jsonld")) -> None:
    """Write the log as W3C Web Annotations (JSON-LD), to share, review or apply to another store."""
    from timeweave.curate.webanno import export_log

    _run(export_log, db, output)
    out.print(f"Wrote {output}", highlight=False)


@curate_app.command("import")
def import_cli(path: Annotated[Path, typer.Argument(help="A Web Annotation collection written by `curate export`.")],
               db: DbOption = "timeweave.db") -> None:
    """Append the actions of a Web Annotation file to this store's log (ones already there are skipped) and apply the log."""
    from timeweave.curate.webanno import import_log

    added, skipped = _run(import_log, db, path)
    out.print(f"Imported {added} actions ({skipped} already in the log)", highlight=False)
