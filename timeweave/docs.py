"""The CLI reference and the settings table, generated from the commands themselves.

`docs/cli.md` is this module's output (`make docs`); a test regenerates it and fails when the
committed file is stale, so a command or option can never go undocumented.
"""

from __future__ import annotations

from typing import Any

import typer

from timeweave.config import SETTINGS


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    # typer vendors its own click, so commands are inspected by shape, not by class.
    found: list[tuple[str, Any]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if command.hidden:
            continue
        full = f"{prefix} {name}"
        if hasattr(command, "commands"):
            found.extend(_commands(command, full))
        else:
            found.append((full, command))
    return found


def commands() -> list[tuple[str, Any]]:
    from timeweave.cli import app

    return _commands(typer.main.get_command(app), "timeweave")


def _param_line(param: Any) -> str:
    if param.param_type_name == "argument":
        name = f"`{param.name.upper()}`"
        kind = "argument" + (", several" if param.nargs == -1 else "")
    else:
        name = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        kind = "flag" if getattr(param, "is_flag", False) else "option"
    help_text = getattr(param, "help", None) or ""
    default = param.default
    shown = "" if default in (None, False, (), []) or param.param_type_name == "argument" else f" (default: `{default}`)"
    return f"| {name} | {kind} | {help_text}{shown} |"


def cli_reference() -> str:
    lines = [
        "# CLI reference",
        "",
        "Generated from the commands by `make docs` (`timeweave/docs.py`); a test fails when it is stale.",
        "Every command is a thin shell over the library function of the same name.",
        "",
    ]
    for name, command in commands():
        lines += [f"## `{name}`", "", (command.help or "").strip(), ""]
        params = [p for p in command.params if p.name not in ("help",)]
        if params:
            lines += ["| parameter | kind | meaning |", "| --- | --- | --- |"]
            lines += [_param_line(p) for p in params]
            lines.append("")
    lines += ["## Settings (`--set NAME=VALUE`)", "", "| name | default | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{s.name}` | `{s.default}` | {s.help} |" for s in SETTINGS]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - used by `make docs`
    import sys

    sys.stdout.write(cli_reference())
