"""A missing system program skips a test with its reason locally, and fails it in CI, which installs it."""

from __future__ import annotations

import pytest
from conftest import missing


def test_a_missing_program_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium not installed"):
        missing("chromium not installed")


def test_a_missing_program_skips_elsewhere(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium not installed"):
        missing("chromium not installed")
