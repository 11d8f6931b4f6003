"""Linking a store source by source gives the rows of linking it in one go, after adds and removals.

`link_entities` resolves every stored name and writes only what differs from the stored entities
(ids are a hash of type and name). Here one store is linked after each step (sources added, then
some removed) and compared with a fresh store holding the same sources, linked once: entities,
aliases with their reasons, the sources using them, the evidence quotes and every mention's entity
must be equal. The names are generated (bench/linking.py: persons, places, ships, acronyms, naming
cues) or come from texts written for this test, where a second name is given only by the added
document ("Constantinople, known in Turkey as Istanbul") and joins two entities the store already
had, then parts them again when that document goes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import JSON, Integer, delete, insert, select

from timeweave.annotate.entities.keys import alias_key
from timeweave.link import link_entities
from timeweave.link.resolve import MentionRow
from timeweave.store import open_store, schema
from timeweave.store.changes import Changes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import linking  # noqa: E402


def _source_row(source_id: str, text: str) -> dict:
    row = {"id": source_id, "path": f"{source_id}.txt", "sha256": "0" * 64, "format": "txt", "size": len(text),
           "authors": [], "kind": "article", "kind_reason": "test", "metadata_origin": "extracted", "updated_at": "now"}
    for col in schema.sources.columns:
        if col.name not in row and not col.nullable and col.default is None and col.server_default is None:
            row[col.name] = [] if isinstance(col.type, JSON) else 0 if isinstance(col.type, Integer) else "test"
    return row


def add(engine, rows: list[MentionRow], texts: dict[str, str], sources: list[str]) -> None:
    with engine.begin() as conn:
        for source_id in sources:
            conn.execute(insert(schema.sources).values(**_source_row(source_id, texts[source_id])))
            conn.execute(insert(schema.texts).values(source_id=source_id, text=texts[source_id]))
        mentions = [{"id": r.id, "source_id": r.source_id, "start": r.start, "end": r.end, "text": r.text,
                     "type": r.type, "key": r.key, "component": "test"} for r in rows if r.source_id in sources]
        if mentions:
            conn.execute(insert(schema.mentions), mentions)


def remove(engine, sources: list[str]) -> None:
    with engine.begin() as conn:
        for table in (schema.mentions, schema.texts):
            conn.execute(delete(table).where(table.c.source_id.in_(sources)))
        conn.execute(delete(schema.sources).where(schema.sources.c.id.in_(sources)))


def snapshot(engine) -> dict:
    """What linking wrote, without the alias row ids (a row's id depends on when it was written)."""
    a, s, ev = schema.aliases.c, schema.alias_sources.c, schema.alias_evidence.c
    with engine.connect() as conn:
        key = {r.id: (r.entity_id, r.text) for r in conn.execute(select(a.id, a.entity_id, a.text))}
        return {
            "entities": sorted(tuple(r) for r in conn.execute(select(schema.entities))),
            "aliases": sorted(tuple(r) for r in conn.execute(select(a.entity_id, a.text, a.how, a.rule))),
            "sources": sorted((key[r.alias_id], r.source_id, r.count) for r in conn.execute(select(schema.alias_sources))),
            "evidence": sorted((key[r.alias_id], r.rule, r.source_id, r.start, r.end, r.quote)
                               for r in conn.execute(select(schema.alias_evidence))),
            "mentions": sorted(tuple(r) for r in conn.execute(select(schema.mentions.c.id, schema.mentions.c.entity_id))),
        }


def linked_at_once(tmp_path: Path, name: str, rows, texts, sources: list[str]) -> dict:
    engine = open_store(tmp_path / f"{name}.db")
    add(engine, rows, texts, sources)
    link_entities(engine)
    return snapshot(engine)


def step(engine, *, added=(), removed=()) -> set[int]:
    changes = Changes(added=frozenset(added), removed=frozenset(removed))
    link_entities(engine, changes=changes)
    return changes.entities


@pytest.mark.parametrize("seed", [4, 9])
def test_generated_names_linked_step_by_step_as_at_once(tmp_path, seed):
    rows, texts = linking.synthetic(300, seed)
    sources = sorted(texts)
    first, second = sources[: len(sources) * 2 // 3], sources[len(sources) * 2 // 3 :]
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, texts, first)
    step(engine, added=first)
    assert snapshot(engine) == linked_at_once(tmp_path, "first", rows, texts, first)
    add(engine, rows, texts, second)
    touched = step(engine, added=second)
    after_add = snapshot(engine)
    assert after_add == linked_at_once(tmp_path, "all", rows, texts, sources), "adding sources diverged from a full link"
    assert touched and len(touched) < len(after_add["entities"]), "only the entities the new sources touch change"
    gone = sources[::3]
    remove(engine, gone)
    step(engine, removed=gone)
    kept = [s for s in sources if s not in gone]
    assert snapshot(engine) == linked_at_once(tmp_path, "kept", rows, texts, kept), "removing sources diverged"


TEXTS = {
    "fall": "Constantinople fell to the army of Mehmed II in 1453 after a siege of fifty-three days.",
    "capital": "Istanbul remained the capital of the Ottoman state until 1923.",
    "walls": "Constantinople, known in Turkey as Istanbul, kept its land walls for centuries.",
}
NAMES = {"fall": [("Constantinople", "place"), ("Mehmed II", "person")], "capital": [("Istanbul", "place")],
         "walls": [("Constantinople", "place"), ("Istanbul", "place")]}


def _hand_rows() -> list[MentionRow]:
    rows, mid = [], 0
    for source_id, names in sorted(NAMES.items()):
        for name, type_ in names:
            mid += 1
            start = TEXTS[source_id].index(name)
            rows.append(MentionRow(mid, source_id, start, start + len(name), name, type_, alias_key(name)))
    return rows


def test_a_second_name_given_only_by_the_added_text_joins_and_parts_as_a_full_link(tmp_path):
    rows = _hand_rows()
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, TEXTS, ["fall", "capital"])
    step(engine, added=["fall", "capital"])
    before = snapshot(engine)
    owners = _owners(engine)
    assert owners["Constantinople"] != owners["Istanbul"], "nothing says yet that they are one city"

    add(engine, rows, TEXTS, ["walls"])
    step(engine, added=["walls"])
    assert snapshot(engine) == linked_at_once(tmp_path, "joined", rows, TEXTS, sorted(TEXTS))
    owners = _owners(engine)
    assert owners["Constantinople"] == owners["Istanbul"], "the added text's 'known in Turkey as' joins them"

    remove(engine, ["walls"])
    step(engine, removed=["walls"])
    assert snapshot(engine) == before, "without the text that joined them, the two names part again"


def _owners(engine) -> dict[str, int]:
    with engine.connect() as conn:
        found: dict[str, set] = {}
        for text, entity_id in conn.execute(select(schema.mentions.c.text, schema.mentions.c.entity_id)):
            found.setdefault(text, set()).add(entity_id)
    assert all(len(ids) == 1 for ids in found.values()), found
    return {text: ids.pop() for text, ids in found.items()}


PAREN_TEXTS = {
    "old-a": "Peking was the seat of the Qing court, and Admiral Hood sailed from Portsmouth.",
    "old-b": "Beijing hosted the Olympic Games in 2008.",
    "new": "Beijing (Peking) grew around the Forbidden City.",
}
PAREN_NAMES = {"old-a": [("Peking", "place"), ("Hood", "person"), ("Portsmouth", "place")],
               "old-b": [("Beijing", "place")], "new": [("Beijing", "place"), ("Peking", "place")]}


def _rows_of(texts: dict[str, str], names: dict[str, list[tuple[str, str]]], first_id: int = 0) -> list[MentionRow]:
    rows, mid = [], first_id
    for source_id, source_names in sorted(names.items()):
        for name, type_ in source_names:
            mid += 1
            start = texts[source_id].index(name)
            rows.append(MentionRow(mid, source_id, start, start + len(name), name, type_, alias_key(name)))
    return rows


def _reads(monkeypatch) -> list[str]:
    """The sources whose texts the in-text rules read (their findings were not kept from an earlier run)."""
    from timeweave.link import intext

    read: list[str] = []
    real = intext.read_findings

    def recording(res, source_id):
        read.append(source_id)
        return real(res, source_id)

    monkeypatch.setattr(intext, "read_findings", recording)
    return read


def test_an_added_parenthesis_joins_two_old_names_and_changing_its_text_parts_them(tmp_path, monkeypatch):
    """"Beijing (Peking)" in an added text joins two names of two older texts; only the added text is read;
    re-storing it without the parenthesis parts them again; each step equals a full link."""
    rows = _rows_of(PAREN_TEXTS, PAREN_NAMES)
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, PAREN_TEXTS, ["old-a", "old-b"])
    step(engine, added=["old-a", "old-b"])
    before = snapshot(engine)
    owners = _owners(engine)
    assert owners["Peking"] != owners["Beijing"]

    read = _reads(monkeypatch)
    add(engine, rows, PAREN_TEXTS, ["new"])
    step(engine, added=["new"])
    assert read == ["new"], "the texts of the sources linked before are not read again"
    assert snapshot(engine) == linked_at_once(tmp_path, "joined", rows, PAREN_TEXTS, sorted(PAREN_TEXTS))
    owners = _owners(engine)
    assert owners["Peking"] == owners["Beijing"], "the added text's parenthesis joins them"

    changed = dict(PAREN_TEXTS, new="Beijing grew around the Forbidden City; Peking is its older name.")
    remove(engine, ["new"])
    rows = [r for r in rows if r.source_id != "new"] + _rows_of(changed, {"new": PAREN_NAMES["new"]}, first_id=100)
    add(engine, rows, changed, ["new"])
    read.clear()
    link_entities(engine, changes=Changes(changed=frozenset({"new"})))
    assert read == ["new"]
    assert snapshot(engine) == linked_at_once(tmp_path, "parted", rows, changed, sorted(changed))
    owners = _owners(engine)
    assert owners["Peking"] != owners["Beijing"], "re-stored without the parenthesis, the two names part again"

    remove(engine, ["new"])
    step(engine, removed=["new"])
    assert snapshot(engine) == before


def test_findings_kept_by_other_code_or_words_are_read_again(tmp_path, monkeypatch):
    """A kept finding whose digest (link code, lexicon) differs from this run's is not trusted."""
    rows = _rows_of(PAREN_TEXTS, PAREN_NAMES)
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, PAREN_TEXTS, ["old-a", "old-b"])
    step(engine, added=["old-a", "old-b"])
    with engine.begin() as conn:
        conn.execute(schema.corpus_state.update().where(schema.corpus_state.c.key.startswith("link.source:"))
                     .values(value='{"digest": "older code", "findings": {"generic": ["peking"], "parens": [], '
                                   '"cues": [], "ors": [], "titles": []}}'))
    read = _reads(monkeypatch)
    add(engine, rows, PAREN_TEXTS, ["new"])
    step(engine, added=["new"])
    assert sorted(read) == sorted(PAREN_TEXTS)
    assert snapshot(engine) == linked_at_once(tmp_path, "all", rows, PAREN_TEXTS, sorted(PAREN_TEXTS))


SPELT = {
    "north": "Troops gathered at Manchouli station before the winter.",
    "rail": "The railway reached Harbin in 1898.",
    "later": "Manzhouli became a border crossing; Harbin grew.",
}
SPELT_NAMES = {"north": [("Manchouli", "place")], "rail": [("Harbin", "place")],
               "later": [("Manzhouli", "place"), ("Harbin", "place")]}


def test_an_added_spelling_variant_is_tested_against_its_block_only(tmp_path, monkeypatch):
    """"Manzhouli" in an added text joins "Manchouli" of an older one without rebuilding the spelling indexes
    over every name (only the changed names are tested); removing the text parts them; each step equals a full link."""
    from timeweave.link import spelling

    rows = _rows_of(SPELT, SPELT_NAMES)
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, SPELT, ["north", "rail"])
    step(engine, added=["north", "rail"])
    before = snapshot(engine)

    def every_name(*args, **kwargs):
        raise AssertionError("an incremental run compares the changed names, not every name")

    monkeypatch.setattr(spelling, "spelling_candidates", every_name)
    add(engine, rows, SPELT, ["later"])
    step(engine, added=["later"])
    owners = _owners(engine)
    assert owners["Manchouli"] == owners["Manzhouli"], "one name spelt twice"
    monkeypatch.undo()
    assert snapshot(engine) == linked_at_once(tmp_path, "joined", rows, SPELT, sorted(SPELT))

    monkeypatch.setattr(spelling, "spelling_candidates", every_name)
    remove(engine, ["later"])
    step(engine, removed=["later"])
    assert snapshot(engine) == before, "without the text that spelt it otherwise, the name stands alone again"


def _cuts(monkeypatch) -> list[str]:
    """The components `Resolver.entity_of` cuts into entities in a run (by smallest key)."""
    from timeweave.link.resolve import Resolver

    cut: list[str] = []
    real = Resolver.entity_of

    def recording(self, component):
        cut.append(min(component))
        return real(self, component)

    monkeypatch.setattr(Resolver, "entity_of", recording)
    return cut


def test_an_added_text_cuts_only_the_entities_it_touches_unless_a_correction_was_logged(tmp_path, monkeypatch):
    """Entities whose names, mentions, links and found names did not change are the last run's rows (not cut
    again); the store equals a full link; once a historian's correction is logged every entity is cut and diffed."""
    rows = _rows_of(PAREN_TEXTS, PAREN_NAMES)
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, PAREN_TEXTS, ["old-a", "old-b"])
    step(engine, added=["old-a", "old-b"])
    cut = _cuts(monkeypatch)
    add(engine, rows, PAREN_TEXTS, ["new"])
    touched = step(engine, added=["new"])
    assert sorted(cut) == ["beijing"], "only the entity the parenthesis joins is cut; Hood and Portsmouth are kept"
    assert snapshot(engine) == linked_at_once(tmp_path, "joined", rows, PAREN_TEXTS, sorted(PAREN_TEXTS))
    assert touched and len(touched) == 2, "the joined entity and the one it absorbed"

    with engine.begin() as conn:
        conn.execute(insert(schema.curation_actions).values(
            uid="u1", kind="label", target={}, args={}, author="test", created_at="now", origin="library"))
    cut.clear()
    remove(engine, ["new"])
    step(engine, removed=["new"])
    assert len(cut) == 4, "after a correction, every entity is cut (its rows may not be what link wrote)"


def test_a_name_beside_its_acronym_is_a_finding_of_its_text():
    """"the Mongolian People's Republic (MPR)" and "MPR (Mongolian People's Republic)" are found in the text
    alone (kept with the source's findings, so an unchanged text is not scanned again); two names in
    parentheses that are not one name and its acronym are not."""
    from timeweave.link import intext

    text = "The Mongolian People's Republic (MPR) signed. Later the NSA (National Security Agency) said Paris (France)."
    names = [("Mongolian People's Republic", "state"), ("MPR", "state"), ("NSA", "organization"),
             ("National Security Agency", "organization"), ("Paris", "place"), ("France", "state")]
    rows = sorted(_rows_of({"s": text}, {"s": names}), key=lambda r: (r.start, -r.end))
    by_text = {r.text: r for r in rows}
    pairs = intext.acronym_pairs(rows, text)
    assert [(by_text["Mongolian People's Republic"].id, by_text["MPR"].id),
            (by_text["National Security Agency"].id, by_text["NSA"].id)] == [p[:2] for p in pairs]
    assert text[pairs[0][2]:pairs[0][3]] == "Mongolian People's Republic (MPR)"
