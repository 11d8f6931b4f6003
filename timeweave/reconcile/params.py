"""The numbers that decide merging and comparing, read from the build's settings (timeweave/config.py).

Every threshold and weight of reconcile is a setting with a documented default, so a build records
the values it merged with (the `runs.config` row) and a user can change them with `--set`. This
module turns the resolved config into one frozen object the stages share.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from timeweave import config as settings

PREFIX = "reconcile_"


@dataclass(frozen=True)
class Params:
    """Thresholds (scores are 0..1) and weights of reconcile; each field is the setting `reconcile_<field>`."""

    join: float = settings.DEFAULTS_OF["reconcile_join"]
    undated: float = settings.DEFAULTS_OF["reconcile_undated"]
    strong: float = settings.DEFAULTS_OF["reconcile_strong"]
    part: float = settings.DEFAULTS_OF["reconcile_part"]
    sibling_margin: float = settings.DEFAULTS_OF["reconcile_sibling_margin"]
    weight_type: float = settings.DEFAULTS_OF["reconcile_weight_type"]
    weight_lemma: float = settings.DEFAULTS_OF["reconcile_weight_lemma"]
    weight_entities: float = settings.DEFAULTS_OF["reconcile_weight_entities"]
    weight_sentence: float = settings.DEFAULTS_OF["reconcile_weight_sentence"]
    weight_time: float = settings.DEFAULTS_OF["reconcile_weight_time"]
    no_shared_participant: float = settings.DEFAULTS_OF["reconcile_no_shared_participant"]
    common_participant: float = settings.DEFAULTS_OF["reconcile_common_participant"]
    lemma_fuzzy: float = settings.DEFAULTS_OF["reconcile_lemma_fuzzy"]
    alike_sentences: float = settings.DEFAULTS_OF["reconcile_alike_sentences"]
    alike_undated: float = settings.DEFAULTS_OF["reconcile_alike_undated"]
    max_block: int = settings.DEFAULTS_OF["reconcile_max_block"]
    window: int = settings.DEFAULTS_OF["reconcile_window"]
    number_tolerance: float = settings.DEFAULTS_OF["reconcile_number_tolerance"]
    session_gap_days: int = settings.DEFAULTS_OF["reconcile_session_gap_days"]
    undated_events: bool = settings.DEFAULTS_OF["reconcile_undated_events"]

    @property
    def floor(self) -> float:
        """The lowest score any step of the clusterer acts on (a merge, a conflict merge, a part): a pair
        scoring under it joins nothing, so it does not join the components reconcile recomputes."""
        return min(self.join, self.undated, self.strong, self.part)

    @classmethod
    def from_config(cls, config: dict[str, Any] | None) -> Params:
        """The resolved settings (defaults for any not given) as Params."""
        resolved = settings.resolve({k: v for k, v in (config or {}).items() if k.startswith(PREFIX)})
        return cls(**{f.name: resolved[PREFIX + f.name] for f in fields(cls)})
