"""The ask stage's thresholds, with the reason for each default (calibrated on the Tonkin dev questions).

Kept beside the stage rather than among the build settings: they shape answers, not the store, so a
build's recorded config does not depend on them; `ask(..., params=AskParams(min_coverage=0.6))`
changes them per call.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AskParams:
    min_coverage: float = 0.35
    """Abstain (`not_found`) unless some sentence holds at least this idf-weighted share of the question's
    words: below it the corpus talks about something else."""
    min_focus: float = 0.3
    """A sentence is a voice only if it holds at least this share of what the question says of its names (its
    lower-case content words, "commanded" in "Who commanded HMS Hood?"): naming the same ship is not
    answering the question."""
    min_names: float = 0.5
    """A sentence is a voice only if it, its passage or its source's title holds at least this idf-weighted share
    of the names the question gives ("the Kremlin talks": a sentence on other talks is not a voice)."""
    key_share: float = 0.35
    """A yes/no question is answered only by sentences holding its rarest content word, its opposite, or at least
    this idf-weighted share of its content words."""
    need_key: bool = True
    """A value (date, number, name, yes/no) is read only from a sentence holding the question's rarest content
    word, its opposite or `key_share` of its content words: "Who commanded X?" is not answered by a sentence
    that names X and a person but says nothing of commanding."""
    relative: float = 0.5
    """A sentence speaks for an answer only if its score is at least this share of the best sentence's."""
    dispute_relative: float = 0.6
    """Positions make a dispute only when each has a voice scoring at least this share of the best sentence's
    score; weaker voices are listed as positions but do not turn an answer into a disagreement."""
    voices: int = 8
    """At most this many sentences (one value each) make the positions."""
    per_source: int = 2
    """At most this many sentences of one source are voices, so one long text cannot crowd out the others."""
    embed_weight: float = 0.2
    """Weight of the question-to-evidence cosine added to the word coverage when ranking sentences."""
    candidates: int = 40
    """Passages and events read from the search index per question."""
