"""The `timeweave` command: each command is a thin shell over the library function of the same name.

Library functions raise `TimeweaveError`s; here they become one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from timeweave import __version__
from timeweave.curate.cli import curate_app
from timeweave.errors import TimeweaveError

app = typer.Typer(
    name="timeweave",
    help="Turn historical documents into a cited, cross-document chronicle.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help="Write the chronicle in a standard format.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(curate_app, name="curate")

out = Console(soft_wrap=True)  # file names and reasons stay on one line, greppable
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[str, typer.Option("--db", help="SQLite file path (default) or postgresql:// URL.")]


def _fail(error: Exception) -> None:
    err.print(f"[red]Error:[/red] {error}", markup=True, highlight=False)
    raise typer.Exit(2)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what each stage does.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if version:
        out.print(f"timeweave {__version__}")
        raise typer.Exit(0)


def _progress_bar() -> tuple[Progress, Callable[[str, int, int], None]]:
    bar = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[path]}"), console=err, transient=True,
    )
    task = bar.add_task("building", total=None, path="")

    def update(path: str, done: int, total: int) -> None:
        bar.update(task, completed=done - 1, total=total, path=path)

    return bar, update


def _kind(code: str) -> str:
    from timeweave.ingest.errors import WARNINGS

    return "warning" if code in WARNINGS else "failed"


def _print_report(report) -> None:
    warnings = sum(_kind(f.code) == "warning" for f in report.failed)
    summary = (
        f"{len(report.read)} read ({len(getattr(report, 'new', []))} new, {len(getattr(report, 'changed', []))} changed), "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped, "
        f"{len(report.failed) - warnings} failed, {warnings} warnings, {len(report.removed)} removed"
        f"{' (pruned)' if report.pruned else ''}"
    )
    out.print(f"[bold]Build run {report.run_id}:[/bold] {summary}", highlight=False)
    listed = [("new", p) for p in getattr(report, "new", [])] + [("changed", p) for p in getattr(report, "changed", [])]
    for verb, path in listed if len(listed) <= 100 else []:  # a first build of a big corpus: the counts say it
        out.print(f"  {verb} {path}", highlight=False, markup=False)
    for path, reason in report.skipped:
        out.print(f"  skipped {path}: {reason}", highlight=False, markup=False)
    for failure in report.failed:
        colour = "yellow" if _kind(failure.code) == "warning" else "red"
        err.print(f"  [{colour}]{_kind(failure.code)}[/{colour}] [{failure.code}] {escape(failure.path)}: {escape(failure.reason)}. "
                  f"{escape(failure.hint)}", highlight=False)
    for path in report.removed:
        verb = "deleted" if report.pruned else "gone from disk (kept; use --prune to delete)"
        out.print(f"  {verb}: {path}", highlight=False, markup=False)
    if getattr(report, "corpus", ""):
        out.print(f"  corpus stages: {report.corpus}", highlight=False, markup=False)
    c = report.counts
    if c:
        out.print(
            f"  store: {c['sources']} sources, {c['passages']} passages, {c['timexes']} time expressions, "
            f"{c['entities']} entities, {c['events']} events, {c['comparisons']} comparisons",
            highlight=False,
        )


@app.command("build")
def build_cli(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    db: DbOption = "timeweave.db",
    prune: Annotated[bool, typer.Option("--prune", help="Delete stored sources whose files are gone.")] = False,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a setting: NAME=VALUE (see `timeweave settings`).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Annotate documents in parallel on a local Dask cluster of this many processes.")] = 1,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of a running Dask scheduler (tcp://host:port) to annotate on instead.")] = None,
    full: Annotated[bool, typer.Option("--full", help="Recompute every corpus stage (copies, link, reconcile, claims, curation, search) over the whole store, not only what changed, and hash every file: without it a file whose size, mtime, ctime and inode are those recorded when it was last hashed is taken as unchanged unread (timeweave/ingest/unchanged.py says when that is unsafe: a clock set back, a file system restored with its times).")] = False,
) -> None:
    """Read documents into the store; the corpus stages then revisit only what new, changed or removed documents touch (--full: all). Exit code: 0 all stored, 1 some documents failed or were stored with a warning (recorded), 2 could not run."""
    from timeweave.build import build
    from timeweave.config import parse_assignments

    try:
        bar, update = _progress_bar()
        with bar:
            report = build(paths, db=db, config=parse_assignments(set_ or []), prune=prune, progress=update,
                           command=" ".join(["timeweave", *sys.argv[1:]]), workers=workers, scheduler=scheduler,
                           full=full)
    except TimeweaveError as error:
        _fail(error)
    _print_report(report)
    raise typer.Exit(report.exit_code)


@app.command("status")
def status_cli(db: DbOption = "timeweave.db", as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Counts, failures with reasons, and the versions and config of the last run."""
    from timeweave.overview import status

    try:
        result = status(db)
    except TimeweaveError as error:
        _fail(error)
    if as_json:
        out.print_json(json.dumps(result.__dict__, default=str))
        return
    table = Table("what", "count", title=f"timeweave store {result.db}")
    for name, value in result.counts.items():
        table.add_row(name, str(value))
    out.print(table)
    run = result.last_run
    if run:
        out.print(f"Last run {run['id']}: {run['status']}, started {run['started_at']}, finished {run['finished_at']}", highlight=False)
        out.print(f"  versions: {json.dumps(run['versions'])}", highlight=False, markup=False)
        out.print(f"  config: {json.dumps(run['config'])}", highlight=False, markup=False)
    out.print(f"  migrations: {', '.join(result.migrations)}", highlight=False)
    if result.curation.get("actions"):
        out.print(f"  corrections: {result.curation['actions']} ({json.dumps(result.curation['states'])})", highlight=False, markup=False)
    for action in result.curation.get("stale", []):
        out.print(f"  stale correction {action['id']} ({action['kind']}): {action['detail']}", highlight=False, markup=False)
    for failure in result.failures:
        out.print(f"  {_kind(failure['code'])} [{failure['code']}] {failure['path']}: {failure['reason']}. {failure['hint']}", highlight=False, markup=False)


@app.command("sources")
def sources_cli(db: DbOption = "timeweave.db", as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """A table of sources with their metadata and kind."""
    from timeweave.overview import sources

    try:
        rows = sources(db)
    except TimeweaveError as error:
        _fail(error)
    if as_json:
        out.print_json(json.dumps(rows, default=str))
        return
    table = Table(title="Sources", expand=True)
    table.add_column("id", no_wrap=True, overflow="fold", ratio=2)
    table.add_column("issued", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("title", overflow="ellipsis", no_wrap=True, ratio=3)
    table.add_column("authors", overflow="ellipsis", no_wrap=True, ratio=1)
    for r in rows:
        table.add_row(r["id"], r["issued"] or "", r["kind"], r["title"] or "", "; ".join(r["authors"]))
    out.print(table)


@app.command("timeline")
def timeline_cli(
    db: DbOption = "timeweave.db",
    limit: Annotated[Optional[int], typer.Option(help="Show at most this many events.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A terminal table of events in date order, with status, sources and comparisons."""
    from timeweave.overview import timeline

    try:
        rows = timeline(db, limit=limit)
    except TimeweaveError as error:
        _fail(error)
    if as_json:
        out.print_json(json.dumps(rows, default=str))
        return
    table = Table(title="Timeline", expand=True)
    table.add_column("when", no_wrap=True)
    table.add_column("event", ratio=3)
    table.add_column("type", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("sources", ratio=2, overflow="fold")
    table.add_column("comparisons", ratio=2)
    style = {"contested": "red", "corroborated": "green", "single_source": "yellow"}
    for r in rows:
        table.add_row(r["edtf"] or "undated", r["label"], r["type"], f"[{style.get(r['status'], '')}]{r['status']}",
                      ", ".join(r["sources"]), "; ".join(dict.fromkeys(r["comparisons"])))
    out.print(table)
    if not rows:
        out.print("No events in this store yet.")


@app.command("ask")
def ask_cli(
    question: Annotated[Optional[str], typer.Argument(help="The question, in words.")] = None,
    db: DbOption = "timeweave.db",
    questions: Annotated[Optional[Path], typer.Option("--questions", help="A JSONL file of {\"q\": ...} lines: one JSON answer a line, in order.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON (docs/ask.md).")] = False,
) -> None:
    """Answer a question from the store with cited quotes; disagreeing sources are shown apart, and an unsupported question says so."""
    from timeweave.ask import ask_many
    from timeweave.ask.batch import read_questions
    from timeweave.ask.render import render_text
    from timeweave.store import open_store

    try:
        if (question is None) == (questions is None):
            raise TimeweaveError("Give one question in quotes, or --questions FILE.jsonl (not both).")
        asked = read_questions(questions) if questions is not None else [question]
        engine = open_store(db, create=False, readonly=True)
        for answer in ask_many(engine, asked):
            if as_json or questions is not None:
                sys.stdout.write(answer.to_json() + "\n")
            else:
                out.print(render_text(answer), highlight=False, markup=False)
    except TimeweaveError as error:
        _fail(error)


def _export_command(fmt: str, filename: str, help_text: str) -> None:
    """One `timeweave export FORMAT` command per registered exporter (built-in or plugin)."""

    def command(db: DbOption = "timeweave.db", output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")] = Path(filename)) -> None:
        _export(fmt, db, output)

    command.__doc__ = help_text
    export_app.command(fmt)(command)


def _export_commands() -> None:
    from timeweave.export import load_exporters

    for name, spec in sorted(load_exporters().items()):
        _export_command(name, spec.filename, spec.help)


def _export(fmt: str, db: str, output: Path) -> None:
    from timeweave.export import export

    try:
        path = export(fmt, db=db, out=output)
    except TimeweaveError as error:
        _fail(error)
    out.print(f"Wrote {path}", highlight=False)


_export_commands()


@app.command("demo")
def demo_cli(
    db: DbOption = ".timeweave/demo.db",
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the web UI on the demo store afterwards.")] = True,
    port: Annotated[int, typer.Option(help="Port for the web UI.")] = 8000,
) -> None:
    """Build the bundled Khalkhin Gol corpus into a local store and show it."""
    from timeweave.demo import demo

    try:
        bar, update = _progress_bar()
        with bar:
            report = demo(db=db, progress=update)
    except TimeweaveError as error:
        _fail(error)
    _print_report(report)
    sources_cli(db=db, as_json=False)
    timeline_cli(db=db, limit=30, as_json=False)
    if report.counts.get("events", 0) > 30:
        out.print(f"… the first 30 of {report.counts['events']} events; all of them: `timeweave timeline --db {db}`.", highlight=False)
    out.print(f"Store: {db}. Explore it with `timeweave timeline --db {db}` or `timeweave export json --db {db}`.", highlight=False)
    if serve:
        serve_cli(db=db, host="127.0.0.1", port=port, public=None)


@app.command("serve")
def serve_cli(
    db: DbOption = "timeweave.db",
    host: Annotated[str, typer.Option(help="Address to bind. Anything but localhost needs --public.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    public: Annotated[Optional[list[str]], typer.Option("--public", metavar="HOST", help="Allow binding beyond localhost (the UI has no login) and answer requests for this host name (repeatable); any other Host header is refused (DNS rebinding).")] = None,
    edit: Annotated[bool, typer.Option("--edit", help="Turn on corrections in the pages, for whoever has the token printed at start.")] = False,
) -> None:
    """Serve the read-only web UI (timeline, events, entities, sources, comparisons, search); --edit adds corrections."""
    from timeweave.serve.app import check_host, serve
    from timeweave.serve.edit import new_token

    try:
        public = list(public or [])
        check_host(host, public=public)
        token = new_token() if edit else None
        mode = "editing needs the token below" if edit else "read-only"
        out.print(f"Serving {db} on [bold]http://{host}:{port}/[/bold] ({mode}; Ctrl-C stops it)", highlight=False)
        if token:
            out.print(f"To edit, open http://{host}:{port}/-/edit/login?token={token}", highlight=False, markup=False)
        serve(db, host=host, port=port, public=public, edit=token)
    except TimeweaveError as error:
        _fail(error)


@app.command("tag-timeml")
def tag_timeml_cli(
    in_dir: Annotated[Path, typer.Argument(help="Folder of TempEval-3 input files (NAME.tml or NAME.tml.TE3input).")],
    out_dir: Annotated[Path, typer.Argument(help="Folder to write NAME.tml with TIMEX3 tags.")],
) -> None:
    """Tag time expressions in TimeML files (TempEval-3 protocol), for scoring against gold data."""
    from timeweave.annotate.timex.timeml import tag_timeml

    try:
        written = tag_timeml(in_dir, out_dir)
    except TimeweaveError as error:
        _fail(error)
    out.print(f"Wrote {written} files to {out_dir}", highlight=False)


@app.command("settings")
def settings_cli() -> None:
    """List the settings `--set NAME=VALUE` accepts, with defaults."""
    from timeweave.config import SETTINGS

    table = Table("name", "default", "help", title="Settings")
    for s in SETTINGS:
        table.add_row(s.name, json.dumps(s.default), s.help)
    out.print(table)
