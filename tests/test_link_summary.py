"""Per-key summaries (`timeweave.link.summary`): an add reads the rows of the names it touches, keeps the
other names' summaries, and links as a full run does.

The corpus is test_link_local's 16th-century Peru: the added text brings a second mention of "Apurimac"
(whose count, type vote and first use change) and new names; the removal takes back a text holding "Lima".
"""

from __future__ import annotations

import json

from sqlalchemy import func, select
from test_link_incremental import add, linked_at_once, remove, snapshot, step
from test_link_local import OLD, PERU, _rows

from timeweave.link import summary
from timeweave.store import open_store, schema


def _summaries(engine) -> dict:
    with engine.connect() as conn:
        value = conn.execute(select(schema.corpus_state.c.value)
                             .where(schema.corpus_state.c.key == summary.STATE)).scalar_one()
    stored = json.loads(value)
    return {"sources": stored["sources"], "keys": list(stored["keys"].items())}  # key order too: a full run's


def _at_once(tmp_path, name: str, sources: list[str]) -> tuple[dict, dict]:
    engine = open_store(tmp_path / f"{name}.db")
    add(engine, _rows(), PERU, sources)
    from timeweave.link import link_entities

    link_entities(engine)
    return snapshot(engine), _summaries(engine)


def _read_rows(monkeypatch) -> list[int]:
    """The ids of the rows an add reads through `summary.Rows`."""
    read: list[int] = []
    original = summary.Rows.read

    def recording(self, column, values):
        out = original(self, column, values)
        read.extend(r.id for r in out)
        return out

    monkeypatch.setattr(summary.Rows, "read", recording)
    return read


def test_an_add_keeps_untouched_summaries_and_reads_only_the_rows_it_touches(tmp_path, monkeypatch):
    engine = open_store(tmp_path / "steps.db")
    add(engine, _rows(), PERU, OLD)
    step(engine, added=OLD)
    read = _read_rows(monkeypatch)
    add(engine, _rows(), PERU, ["rival"])
    step(engine, added=["rival"])
    everything = sorted(PERU)
    full, full_summaries = _at_once(tmp_path, "all", everything)
    assert snapshot(engine) == full
    assert _summaries(engine) == full_summaries, "a kept or remade summary differs from a full run's"
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(schema.mentions)).scalar_one()
    assert read and len(set(read)) < stored, "an add reads only the rows of the names it touches"
    apurimac = dict(full_summaries["keys"])["apurimac"]
    assert apurimac[0] == 1 and apurimac[4] == "rival"  # the added text's mention: count 1, first use there
    gone = ["appeal"]
    remove(engine, gone)
    step(engine, removed=gone)
    kept = [s for s in everything if s not in gone]
    full, full_summaries = _at_once(tmp_path, "kept", kept)
    assert snapshot(engine) == full
    assert _summaries(engine) == full_summaries, "a removal's summaries differ from a full run's"
    assert linked_at_once(tmp_path, "again", _rows(), PERU, kept) == snapshot(engine)
