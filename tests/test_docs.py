"""Docs are tested like code: every table, column, command, option and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from timeweave.config import SETTINGS
from timeweave.docs import cli_reference, commands
from timeweave.store.schema import metadata

DOCS = Path(__file__).resolve().parent.parent / "docs"
README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_table_and_column_is_in_schema_md():
    text = (DOCS / "schema.md").read_text()
    sections = dict(re.findall(r"^## `(\w+)`\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M))
    for table in metadata.sorted_tables:
        assert table.name in sections, f"docs/schema.md has no section for table {table.name}"
        documented = set(re.findall(r"`(\w+)`", sections[table.name]))
        missing = [c.name for c in table.columns if c.name not in documented]
        assert not missing, f"docs/schema.md: {table.name} lacks columns {missing}"


def test_cli_reference_is_current():
    committed = (DOCS / "cli.md").read_text()
    assert committed == cli_reference(), "docs/cli.md is stale: run `make docs`"


def test_every_command_and_setting_is_documented():
    committed = (DOCS / "cli.md").read_text()
    names = [name for name, _ in commands()]
    assert {"timeweave build", "timeweave status", "timeweave sources", "timeweave timeline",
            "timeweave export json", "timeweave demo", "timeweave serve", "timeweave tag-timeml"} <= set(names)
    for name, command in commands():
        assert f"## `{name}`" in committed
        assert (command.help or "").strip(), f"{name} has no help text"
        for param in command.params:
            assert (getattr(param, "help", None) or "").strip(), f"{name}: {param.name} has no help text"
    for setting in SETTINGS:
        assert f"`{setting.name}`" in committed


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = README.read_text()
    first_blocks = re.findall(r"```(?:\w+)?\n(.*?)```", readme, flags=re.S)[:2]
    assert any("make demo" in block for block in first_blocks)
    assert any("make test" in block for block in first_blocks)
    ci = (README.parent / ".ci" / "run").read_text()
    assert ci.strip().splitlines()[-1].strip() == "make test"
