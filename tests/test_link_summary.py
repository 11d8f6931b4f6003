"""Per-key summaries (`timeweave.link.summary`): an add reads the rows of the names it touches, keeps the
other names' summaries, and links as a full run does.

The corpus is test_link_local's 16th-century Peru: the added texts bring a second "Inca Empire" (its count
changes, its first use stays in the older text), "Pizarro" and new names; the removal takes away the only "Lima"
(a key gone) and "RAL". Summaries in a delta row after each add, or all written again (`DELTA_MAX` 0).
"""

from __future__ import annotations

import pytest
from conftest import empty_postgres
from sqlalchemy import func, select
from test_link_incremental import add, linked_at_once, remove, snapshot, step
from test_link_local import OLD, PERU, PERU_NAMES, _rows, _rows_of

from timeweave.link import link_entities, summary
from timeweave.link.lexicon import default_lexicon
from timeweave.link.store import findings_digest
from timeweave.store import open_store, schema
from timeweave.store.changes import Changes


def _summaries(engine) -> dict:
    """The stored summaries (base and delta merged, `summary.stored`), as a full run's can be compared with."""
    with engine.connect() as conn:
        sources, keys, _ = summary.stored(conn, findings_digest(default_lexicon()))
    return {"sources": sources, "keys": keys}


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


@pytest.mark.parametrize("delta_max", [summary.DELTA_MAX, 0])  # the changed keys in a delta row, or all rewritten
def test_an_add_keeps_untouched_summaries_and_reads_only_the_rows_it_touches(tmp_path, monkeypatch, delta_max):
    monkeypatch.setattr(summary, "DELTA_MAX", delta_max)
    _add_then_remove(open_store(tmp_path / "steps.db"), tmp_path, monkeypatch)


def test_the_same_on_postgresql(postgres_url, tmp_path, monkeypatch):
    """Rows and entities read through Core there (the SQLite driver's cursor here)."""
    _add_then_remove(open_store(empty_postgres(postgres_url)), tmp_path, monkeypatch)


def _add_then_remove(engine, tmp_path, monkeypatch) -> None:
    old = [s for s in OLD if s != "cuzco"]
    add(engine, _rows(), PERU, old)
    step(engine, added=old)
    read = _read_rows(monkeypatch)
    add(engine, _rows(), PERU, ["cuzco", "rival"])
    step(engine, added=["cuzco", "rival"])
    everything = sorted(PERU)
    full, full_summaries = _at_once(tmp_path, "all", everything)
    assert snapshot(engine) == full
    assert _summaries(engine) == full_summaries, "a kept or remade summary differs from a full run's"
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(schema.mentions)).scalar_one()
    assert read and len(set(read)) < stored, "an add reads only the rows of the names it touches"
    inca = full_summaries["keys"]["inca empire"]
    assert inca[0] == 2 and inca[4] == "crown"  # two mentions now, the first use still in the older text
    gone = ["appeal"]
    remove(engine, gone)
    step(engine, removed=gone)
    kept = [s for s in everything if s not in gone]
    full, full_summaries = _at_once(tmp_path, "kept", kept)
    assert snapshot(engine) == full
    assert _summaries(engine) == full_summaries, "a removal's summaries differ from a full run's"
    assert "lima" not in full_summaries["keys"]
    assert linked_at_once(tmp_path, "again", _rows(), PERU, kept) == snapshot(engine)


def test_an_add_whose_new_ids_collide_with_kept_ones_cuts_every_entity_as_a_full_run(tmp_path, monkeypatch):
    """Two entities' ids colliding: every entity is cut and ordered as a full run does, from every row."""
    from timeweave.link import store

    engine = open_store(tmp_path / "steps.db")
    old = [s for s in OLD if s != "cuzco"]
    add(engine, _rows(), PERU, old)
    step(engine, added=old)
    with engine.connect() as conn:
        taken = conn.execute(select(func.min(schema.entities.c.id))).scalar_one()
    real, calls = store.first_hashes, []

    def colliding(entities):
        calls.append(len(entities))
        return [taken] * len(entities) if len(calls) == 1 else real(entities)

    monkeypatch.setattr(store, "first_hashes", colliding)
    read = _read_rows(monkeypatch)
    add(engine, _rows(), PERU, ["cuzco", "rival"])
    step(engine, added=["cuzco", "rival"])
    assert len(calls) >= 2, "the collision was not seen"
    with engine.connect() as conn:
        keyed = conn.execute(select(func.count()).select_from(schema.mentions)).scalar_one()
    assert len(set(read)) == keyed  # every entity cut, from every row
    assert (snapshot(engine), _summaries(engine)) == _at_once(tmp_path, "all", sorted(PERU))


def test_an_add_reads_only_the_texts_it_quotes(tmp_path, monkeypatch):
    """The texts of the added sources, of the sources whose kept findings quote them ("X, also called Y", "X (Y)", a
    title) and of the first uses a new link quotes are read, not every text (`summary.Texts`); the links and their
    quotes are a full run's."""
    texts = {**PERU, "viceroy": "Blasco Nunez Vela, also called the Viceroy, reached Lima in 1544."}
    names = {**PERU_NAMES, "viceroy": [("Blasco Nunez Vela", "person"), ("Lima", "place")]}
    rows = _rows_of(texts, names)
    engine = open_store(tmp_path / "steps.db")
    old = ["audience", "crown", "river", "viceroy"]
    add(engine, rows, texts, old)
    step(engine, added=old)
    read: list[str] = []
    original = summary.Texts.want

    def recording(self, sources):
        read.extend(s for s in sources if s in self._sources and s not in self.loaded)
        return original(self, sources)

    monkeypatch.setattr(summary.Texts, "want", recording)
    add(engine, rows, texts, ["cuzco"])
    step(engine, added=["cuzco"])
    assert snapshot(engine) == linked_at_once(tmp_path, "all", rows, texts, [*old, "cuzco"])
    # "Inca Empire" (in "cuzco" too) is quoted from its first use in "crown"; "Francisco Pizarro", whom "Pizarro" joins,
    # from its kept summary; "audience" and "river" are not read.
    assert sorted(read) == ["crown", "cuzco", "viceroy"], "the added text, a kept finding's and a dirty name's first use"


def test_a_kept_name_is_quoted_from_its_text_as_a_full_run_quotes_it(tmp_path):
    """A name broken over a line ("Francisco\\nPizarro", its mention's text "Francisco Pizarro") is quoted as the text
    writes it: "Pizarro" added joins it with that quote, kept in its summary (no text read for it)."""
    texts = {**PERU, "crown": PERU["crown"].replace("Francisco Pizarro", "Francisco\nPizarro")}
    rows = _rows_of(PERU, PERU_NAMES)  # the same offsets: the two texts differ only in the space
    engine = open_store(tmp_path / "steps.db")
    old = [s for s in OLD if s != "cuzco"]
    add(engine, rows, texts, old)
    step(engine, added=old)
    add(engine, rows, texts, ["cuzco"])
    step(engine, added=["cuzco"])
    full = linked_at_once(tmp_path, "all", rows, texts, [*old, "cuzco"])
    assert snapshot(engine) == full
    assert any(e[-1] == "Francisco\nPizarro" for e in full["evidence"]), "the quote is the text's"


def test_an_add_changes_an_entitys_aliases_in_place(tmp_path):
    """A second use of "Inca Empire" changes one source count of its entity: its alias rows keep their ids (the
    entity's aliases by id stay in text order, as a full run writes them) and the rows equal a full run's."""
    engine = open_store(tmp_path / "steps.db")
    old = [s for s in OLD if s != "cuzco"]
    add(engine, _rows(), PERU, old)
    step(engine, added=old)
    a = schema.aliases.c

    def ids() -> dict[str, int]:
        with engine.connect() as conn:
            return {text: aid for aid, text in conn.execute(select(a.id, a.text))}

    before = ids()
    add(engine, _rows(), PERU, ["cuzco"])
    step(engine, added=["cuzco"])
    assert snapshot(engine) == linked_at_once(tmp_path, "all", _rows(), PERU, [*old, "cuzco"])
    assert ids()["Inca Empire"] == before["Inca Empire"], "the alias changed in place"
    with engine.connect() as conn:
        by_entity: dict[int, list[str]] = {}
        for _, entity_id, text in conn.execute(select(a.id, a.entity_id, a.text).order_by(a.id)):
            by_entity.setdefault(entity_id, []).append(text)
    assert all(texts == sorted(texts) for texts in by_entity.values())


def test_an_alias_changed_in_place_takes_its_new_quotes_and_counts(tmp_path):
    """An earlier text naming "Francisco Pizarro" moves the first use that "Pizarro"'s link quotes, and "cuzco"
    re-stored with a second "Inca Empire" changes a count: each equals a full run's rows."""
    texts = {**PERU, "archive": "Francisco Pizarro signed the Capitulation of Toledo in 1529.",
             "cuzco2": PERU["cuzco"] + " The Inca Empire fell."}
    names = {**PERU_NAMES, "archive": [("Francisco Pizarro", "person")],
             "cuzco2": [*PERU_NAMES["cuzco"], ("Inca Empire", "state")]}
    rows = _rows_of(texts, names)
    engine = open_store(tmp_path / "steps.db")
    old = ["crown", "cuzco"]
    add(engine, rows, texts, old)
    step(engine, added=old)
    add(engine, rows, texts, ["archive"])
    step(engine, added=["archive"])
    assert snapshot(engine) == linked_at_once(tmp_path, "all", rows, texts, [*old, "archive"])
    again = [r._replace(source_id="cuzco") for r in rows if r.source_id == "cuzco2"]
    with engine.begin() as conn:  # re-stored: its source row (and its alias counts) stay, its text and mentions change
        for table in (schema.mentions, schema.texts):
            conn.execute(table.delete().where(table.c.source_id == "cuzco"))
        conn.execute(schema.texts.insert().values(source_id="cuzco", text=texts["cuzco2"]))
        conn.execute(schema.mentions.insert(), [{**r._asdict(), "component": "test"} for r in again])
    link_entities(engine, changes=Changes(changed=frozenset(["cuzco"])))
    assert snapshot(engine) == linked_at_once(tmp_path, "again", [*(r for r in rows if r.source_id in ("crown", "archive")),
                                                                 *again], {**texts, "cuzco": texts["cuzco2"]},
                                              ["archive", "crown", "cuzco"])
