"""Building small stores by hand for the reconcile tests: sources, passages, entities, mentions.

Rows are inserted the way the build writes them (source offsets, mentions linked to entities), so
reconcile is tested on the contract, not on whatever the upstream stages produce today.
(The file name starts with test_ only so it stays inside the tests this engineer owns; it holds no
tests.)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine, insert

from timeweave.store import schema as t


def bag_of_words(texts: list[str]) -> np.ndarray:
    """A cheap, deterministic stand-in for the sentence model: hashed word counts, 384 dims."""
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"[a-z]+", text.lower()):
            if len(word) > 2:
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 384] += 1.0
    return out


@dataclass
class HandStore:
    engine: Engine
    texts: dict[str, str] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    passages: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)  # (id, start, end)

    def source(self, source_id: str, text: str, *, authors=(), issued=None, copies: dict[int, tuple[str, int]] | None = None) -> str:
        """A source whose passages are its lines; `copies` maps a line number to (source, line) it repeats."""
        with self.engine.begin() as conn:
            conn.execute(insert(t.sources).values(
                id=source_id, path=f"/corpus/{source_id}.txt", sha256="0" * 64, format="txt", size=len(text),
                title=source_id, authors=list(authors), issued=issued, kind="other", kind_reason="test",
                metadata_origin="extracted", pipeline="test", updated_at="2024-01-01T00:00:00"))
            conn.execute(insert(t.texts).values(source_id=source_id, text=text))
            rows, offset = [], 0
            for seq, line in enumerate(text.split("\n")):
                copy = (copies or {}).get(seq)
                duplicate_of = self.passages[copy[0]][copy[1]][0] if copy else None
                scope = None if copy is None else ("within" if copy[0] == source_id else "across")
                pid = conn.execute(insert(t.passages).values(
                    source_id=source_id, seq=seq, start=offset, end=offset + len(line), role="content",
                    sha1=hashlib.sha1(line.encode()).hexdigest(), duplicate_of=duplicate_of,
                    duplicate_kind="exact" if copy else None, duplicate_scope=scope)).inserted_primary_key[0]
                rows.append((pid, offset, offset + len(line)))
                offset += len(line) + 1
            self.passages[source_id] = rows
        self.texts[source_id] = text
        return source_id

    def entity(self, conn, name: str, kind: str = "state") -> int:
        if name not in self.entities:
            eid = len(self.entities) + 1
            conn.execute(insert(t.entities).values(id=eid, name=name, type=kind, component="test"))
            self.entities[name] = eid
        return self.entities[name]

    def _mention(self, conn, source_id: str, sentence_start: int, sentence: str, name: str, kind: str) -> int:
        at = sentence.find(name)
        assert at >= 0, f"{name!r} not in {sentence!r}"
        start = sentence_start + at
        return conn.execute(insert(t.mentions).values(
            source_id=source_id, start=start, end=start + len(name), text=name, type=kind,
            entity_id=self.entity(conn, name, kind), component="test")).inserted_primary_key[0]

    def event(self, source_id: str, sentence: str, trigger: str, kind: str, *, when=None, agents=(), patients=(),
              others=(), place=None, factuality="asserted", context="narrative", occurrence: int = 0,
              when_kind: str | None = None) -> int:
        """An event mention on `sentence` (found in the source's text); `when` = (earliest, latest, edtf, text)."""
        text = self.texts[source_id]
        start = -1
        for _ in range(occurrence + 1):
            start = text.find(sentence, start + 1)
        assert start >= 0, f"{sentence!r} not in {source_id}"
        t_at = sentence.find(trigger)
        assert t_at >= 0
        passage = next(pid for pid, s, e in self.passages[source_id] if s <= start < max(e, s + 1))
        with self.engine.begin() as conn:
            parts = [{"mention": self._mention(conn, source_id, start, sentence, n, "state"), "role": role}
                     for role, names in (("agent", agents), ("patient", patients), ("other", others)) for n in names]
            place_id = self._mention(conn, source_id, start, sentence, place, "place") if place else None
            earliest, latest, edtf, when_text = when or (None, None, None, None)
            return conn.execute(insert(t.event_mentions).values(
                source_id=source_id, passage_id=passage, start=start, end=start + len(sentence),
                trigger_start=start + t_at, trigger_end=start + t_at + len(trigger), trigger=trigger,
                lemma=trigger.lower(), type=kind, factuality=factuality, context=context, when_text=when_text,
                edtf=edtf, earliest=earliest, latest=latest, when_reason="test" if earliest else None, when_kind=when_kind,
                participants=parts, place_mention=place_id, component="test")).inserted_primary_key[0]


def day(iso: str) -> tuple[str, str, str, str]:
    return (iso, iso, iso, iso)


def month(ym: str, last: int) -> tuple[str, str, str, str]:
    return (f"{ym}-01", f"{ym}-{last:02d}", ym, ym)


def year(y: str) -> tuple[str, str, str, str]:
    return (f"{y}-01-01", f"{y}-12-31", y, y)


def reconcile_hand(store: HandStore, **config):
    """Reconcile a hand-made store without the neural model: sentences compared as bags of words."""
    from timeweave.reconcile import reconcile

    return reconcile(store.engine, config={"embeddings": False, **config}, encoder=bag_of_words)
