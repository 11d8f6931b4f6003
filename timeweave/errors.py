"""Exceptions the library raises; the CLI turns each into one line that names the file and says what to do."""

from __future__ import annotations


class TimeweaveError(Exception):
    """Base class: every message says what went wrong and what to do about it."""


class StoreError(TimeweaveError):
    """The store cannot be opened, migrated or written."""


class ConfigError(TimeweaveError):
    """A setting has an unknown name or an invalid value."""


class IngestError(TimeweaveError):
    """A document cannot be read. Carries a stable code, the path, the reason and a hint."""

    def __init__(self, code: str, path: str, reason: str, hint: str) -> None:
        self.code = code
        self.path = path
        self.reason = reason
        self.hint = hint
        super().__init__(f"[{code}] {path}: {reason}. {hint}")

    def __reduce__(self):  # picklable, so Dask workers can send failures back
        return (IngestError, (self.code, self.path, self.reason, self.hint))


class SchemaError(TimeweaveError):
    """A chronicle JSON does not validate against its schema."""
