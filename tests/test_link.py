"""Corpus-level linking on a real SQLite store built from the bundled corpus's mentions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import JSON, Integer, insert, select

from timeweave.annotate.pipeline import load_nlp
from timeweave.link import link_entities, read_authority
from timeweave.store import open_store, schema

AUTHORITY = """alias,canonical name,type
MNR,Mongolian People's Republic,state
Mongolia,Mongolian People's Republic,state
"""


def _source_row(source_id: str, path: str, text: str) -> dict:
    """A minimal `sources` row; columns this test does not care about get neutral values."""
    row = {"id": source_id, "path": path, "sha256": "0" * 64, "format": "txt", "size": len(text), "authors": [],
           "kind": "article", "kind_reason": "test", "metadata_origin": "extracted", "updated_at": "now"}
    for col in schema.sources.columns:
        if col.name not in row and not col.nullable and col.default is None and col.server_default is None:
            row[col.name] = [] if isinstance(col.type, JSON) else 0 if isinstance(col.type, Integer) else "test"
    return row


@pytest.fixture(scope="module")
def built(corpus_dir, tmp_path_factory):
    """A store with every corpus document's sources/texts/mentions rows, and the docs' events."""
    nlp = load_nlp()
    engine = open_store(tmp_path_factory.mktemp("link") / "store.db")
    events = {}
    with engine.begin() as conn:
        for path in sorted(corpus_dir.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            doc = nlp(text)
            conn.execute(insert(schema.sources).values(**_source_row(path.stem, str(path), text)))
            conn.execute(insert(schema.texts).values(source_id=path.stem, text=text))
            ids = []
            for m in doc._.entity_mentions:
                result = conn.execute(insert(schema.mentions).values(
                    source_id=path.stem, start=m.start, end=m.end, text=m.text, type=m.type, key=m.key,
                    component=m.component))
                ids.append(result.inserted_primary_key[0])
            events[path.stem] = (doc._.event_mentions, ids)
    authority = tmp_path_factory.mktemp("authority") / "aliases.csv"
    authority.write_text(AUTHORITY, encoding="utf-8")
    report = link_entities(engine, authority=[authority])
    return engine, events, report


def entity_of(engine, text: str) -> set[int]:
    with engine.connect() as conn:
        rows = conn.execute(select(schema.mentions.c.entity_id).where(schema.mentions.c.text == text)).all()
    return {row.entity_id for row in rows}


def one_entity(engine, *texts: str) -> int:
    ids = set().union(*(entity_of(engine, t) for t in texts))
    assert len(ids) == 1 and None not in ids, {t: entity_of(engine, t) for t in texts}
    return ids.pop()


def test_mpr_mnr_and_expansion_are_one_state(built):
    engine, _, _ = built
    eid = one_entity(engine, "MPR", "MNR", "Mongolian People's Republic", "Mongolian People’s Republic")
    with engine.connect() as conn:
        entity = conn.execute(select(schema.entities).where(schema.entities.c.id == eid)).one()
        how = dict(conn.execute(select(schema.aliases.c.text, schema.aliases.c.how)
                                .where(schema.aliases.c.entity_id == eid)).all())
    assert (entity.name, entity.type) == ("Mongolian People's Republic", "state")
    assert how["MPR"].startswith("acronym")
    assert how["MNR"].startswith("authority file")


def test_ussr_and_soviet_union_are_one_state(built):
    one_entity(built[0], "USSR", "Soviet Union", "Soviet")


def test_khalkhin_gol_spellings_and_nomonhan_are_one_place(built):
    eid = one_entity(built[0], "Khalkhin-Gol", "Khalkhin Gol", "Nomonhan")
    with built[0].connect() as conn:
        assert conn.execute(select(schema.entities.c.type).where(schema.entities.c.id == eid)).scalar() == "place"


def test_genden_variants_are_one_person(built):
    one_entity(built[0], "Genden", "P. Genden", "Peljidiin Genden")
    one_entity(built[0], "Stalin", "I. V. Stalin")


def test_alias_sources_record_who_uses_which_name(built):
    engine = built[0]
    with engine.connect() as conn:
        rows = conn.execute(
            select(schema.alias_sources.c.source_id, schema.alias_sources.c.count)
            .join(schema.aliases, schema.aliases.c.id == schema.alias_sources.c.alias_id)
            .where(schema.aliases.c.text == "Nomonhan")
        ).all()
    assert [(r.source_id, r.count) for r in rows] == [("batbayar-2000-soviet-japanese-confrontation", 1)]


def test_link_is_idempotent(built):
    engine = built[0]

    def snapshot():
        with engine.connect() as conn:
            return [conn.execute(select(t).order_by(*t.primary_key.columns)).all()
                    for t in (schema.entities, schema.aliases, schema.alias_sources, schema.mentions)]

    before = snapshot()
    authority = [p for p in Path(engine.url.database).parent.parent.glob("authority*/aliases.csv")]
    link_entities(engine, authority=authority)
    assert snapshot() == before


def test_protocol_of_1936_has_both_states_as_participants(built):
    engine, events, _ = built
    ussr = one_entity(engine, "USSR")
    mpr = one_entity(engine, "MPR")
    with engine.connect() as conn:
        entity_by_mention = dict(conn.execute(select(schema.mentions.c.id, schema.mentions.c.entity_id)).all())
    for source in ("zhabaeva-2020-military-cooperation", "russian-mfa-2024-khalkhin-gol-85",
                   "batbayar-2000-soviet-japanese-confrontation", "batunaev-2019-khalkhin-gol"):
        event_list, ids = events[source]
        protocols = [e for e in event_list if e.type == "treaty" and e.lemma == "protocol"]
        assert protocols, source
        parties = [{entity_by_mention[ids[p.mention]] for p in e.participants} for e in protocols]
        assert any({ussr, mpr} <= found for found in parties), (source, parties)
        assert all(e.factuality == "asserted" for e in protocols), source


def test_without_authority_file_general_rules_still_merge(built, tmp_path):
    engine = open_store(tmp_path / "copy.db")
    with built[0].connect() as src, engine.begin() as dst:
        for table in (schema.sources, schema.texts, schema.mentions):
            rows = [dict(r._mapping) for r in src.execute(select(table))]
            dst.execute(insert(table), rows)
    link_entities(engine)
    one_entity(engine, "Khalkhin-Gol", "Khalkhin Gol", "Nomonhan")
    one_entity(engine, "MPR", "Mongolian People's Republic")
    assert entity_of(engine, "MNR") != entity_of(engine, "MPR")


def test_authority_file_errors_name_the_line(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("alias,canonical name,type\nMNR,Mongolian People's Republic,country\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"aliases.csv:2"):
        read_authority([path])
