"""The export registry drives the CLI: a format a plugin registers is a `timeweave export` command."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from timeweave.cli import app
from timeweave.export import load_exporters

PLUGIN = textwrap.dedent('''
    """A third-party exporter: one line per event label."""
    from timeweave.chronicle import chronicle
    from timeweave.export import exporter

    @exporter("labels-plugin", suffix=".txt", help="Event labels, one a line (a test plugin).")
    def write(engine, out):
        out.write_text("\\n".join(e["label"] for e in chronicle(engine)["events"]), encoding="utf-8")
''')


def _install_plugin(root: Path) -> dict[str, str]:
    """A distribution with a `timeweave_exporters` entry point, importable through PYTHONPATH."""
    (root / "labels_plugin.py").write_text(PLUGIN, encoding="utf-8")
    info = root / "labels_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: labels-plugin\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[timeweave_exporters]\nlabels = labels_plugin\n", encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}


def test_every_registered_format_is_a_command():
    result = CliRunner().invoke(app, ["export", "--help"])
    assert result.exit_code == 0
    for name in load_exporters():
        assert name in result.output


def test_a_plugin_format_appears_in_help_and_exports(tmp_path):
    from serve_fixtures import make_fixture_store

    env = _install_plugin(tmp_path)
    shown = subprocess.run([sys.executable, "-m", "timeweave", "export", "--help"], env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "labels-plugin" in shown.stdout and "a test plugin" in shown.stdout
    db = make_fixture_store(tmp_path / "f.db")
    out = tmp_path / "labels.txt"
    done = subprocess.run([sys.executable, "-m", "timeweave", "export", "labels-plugin", "--db", str(db), "-o", str(out)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Battles of Khalkhin Gol" in out.read_text(encoding="utf-8").splitlines()


def test_unknown_format_names_the_valid_ones(tmp_path):
    import pytest

    from timeweave.errors import TimeweaveError
    from timeweave.export import export

    with pytest.raises(TimeweaveError, match="Available: .*csv"):
        export("nope", db=tmp_path / "x.db", out=tmp_path / "x")


def test_the_readme_shows_each_format_in_one_line():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name, spec in load_exporters().items():
        assert f"`timeweave export {name} --db my.db -o {spec.filename}`" in readme, name
