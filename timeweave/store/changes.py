"""What a build changed since the corpus stages last ran, handed from stage to stage.

The corpus-level stages (copies, link, reconcile, claims, curate, search index) used to be
recomputed over the whole store on every build. A historian adds one source at a time, so each
stage takes a `Changes` and revisits only what the new, changed or removed sources touch; `full`
asks for the old recompute (first build, `timeweave build --full`, a changed setting or pipeline).
Every stage must give the same rows either way: tests/test_incremental.py compares an incremental
store with a full one built from the same files.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Changes:
    """Source ids stored, re-stored or deleted in this build, and what the stages found they touched.

    `added`, `changed` and `removed` are filled by the build before the corpus stages run; a stage
    adds what it changed for the stages after it (`entities`: ids of entities created, removed or
    whose mentions or aliases changed, filled by link; `events`: ids of events created, removed or
    changed, filled by reconcile).
    """

    added: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    full: bool = False
    entities: set[int] = field(default_factory=set)
    events: set[int] = field(default_factory=set)

    @property
    def sources(self) -> frozenset[str]:
        """Every source whose rows differ from the last run of the corpus stages."""
        return self.added | self.changed | self.removed

    @property
    def nothing(self) -> bool:
        """True when no source changed and no full recompute was asked: the stages can keep their rows."""
        return not self.full and not self.sources

    @classmethod
    def everything(cls) -> "Changes":
        """A full recompute (the behaviour of every stage before incremental builds)."""
        return cls(full=True)
