"""Name-local rules (`timeweave.link.local`): an add recomputes the calls of the names it touches and keeps the rest.

The texts are about the Spanish conquest of Peru (16th century, South America): the gazetteer knows
"Kingdom of Spain", "RAL" is the acronym of one name until an added text brings a second name with
those initials, and "Apurimac" added beside an older "Apurimac river" is the same name with a generic word.
"""

from __future__ import annotations

import json

import pytest

from sqlalchemy import select
from test_link_incremental import add, linked_at_once, remove, snapshot, step

from timeweave.annotate.entities.keys import alias_key
from timeweave.link.resolve import MentionRow
from timeweave.store import open_store, schema

PERU = {
    "crown": "The Kingdom of Spain sent Francisco Pizarro to the Inca Empire in 1531.",
    "cuzco": "Pizarro entered Cuzco in 1533, and the Inca Empire lost its capital.",
    "audience": "From Lima province the Royal Audience of Lima governed after 1542.",
    "appeal": "Appeals went to the RAL, which sat in Lima.",
    "river": "The Apurimac river lay on the road to Potosi and Machupicchu.",
    "rival": "The Royal Army of Lima marched to the Apurimac and Machu Picchu in 1548.",
}
PERU_NAMES = {
    "crown": [("Kingdom of Spain", "state"), ("Francisco Pizarro", "person"), ("Inca Empire", "state")],
    "cuzco": [("Pizarro", "person"), ("Cuzco", "place"), ("Inca Empire", "state")],
    "audience": [("Lima province", "place"), ("Royal Audience of Lima", "organization")],
    "appeal": [("RAL", "organization"), ("Lima", "place")],
    "river": [("Apurimac river", "place"), ("Potosi", "place"), ("Machupicchu", "place")],
    "rival": [("Royal Army of Lima", "organization"), ("Apurimac", "place"), ("Machu Picchu", "place")],
}
OLD = ["appeal", "audience", "crown", "cuzco", "river"]


def _rows_of(texts: dict[str, str], names: dict[str, list]) -> list[MentionRow]:
    """Mention rows of `names` (source -> [(name, type)]) at their place in `texts`, numbered in source order."""
    found = [(s, name, t) for s, pairs in sorted(names.items()) for name, t in pairs]
    return [MentionRow(n, s, texts[s].index(name), texts[s].index(name) + len(name), name, t, alias_key(name))
            for n, (s, name, t) in enumerate(found, 1)]


def _rows() -> list[MentionRow]:
    return _rows_of(PERU, PERU_NAMES)


def _owner(engine, text: str) -> int:
    with engine.connect() as conn:
        m = schema.mentions.c
        (owner,) = {e for (e,) in conn.execute(select(m.entity_id).where(m.text == text))}
    return owner


def _how(engine, alias: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(schema.aliases.c.how).where(schema.aliases.c.text == alias)).scalar_one()


def test_an_add_and_a_removal_on_another_corpus_equal_a_full_link(tmp_path):
    """A name the added text brings into a block (a second "RAL", a bare "Apurimac", a "Machu Picchu" before an
    older "Machupicchu") changes the links of old names in that block; every step equals a full link."""
    rows = _rows()
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, PERU, OLD)
    step(engine, added=OLD)
    before = snapshot(engine)
    assert before == linked_at_once(tmp_path, "old", rows, PERU, OLD)
    assert _owner(engine, "RAL") == _owner(engine, "Royal Audience of Lima"), "the only name with those initials"
    assert _owner(engine, "Lima") == _owner(engine, "Lima province")
    assert _how(engine, "Kingdom of Spain").startswith("known name of the state Spain")

    add(engine, rows, PERU, ["rival"])
    step(engine, added=["rival"])
    assert snapshot(engine) == linked_at_once(tmp_path, "all", rows, PERU, sorted(PERU))
    assert _owner(engine, "RAL") != _owner(engine, "Royal Audience of Lima"), "two names spell RAL now"
    assert _owner(engine, "Apurimac") == _owner(engine, "Apurimac river")
    assert _owner(engine, "Machu Picchu") == _owner(engine, "Machupicchu"), "an older name spaced otherwise"

    remove(engine, ["rival"])
    step(engine, removed=["rival"])
    assert snapshot(engine) == before


def test_an_add_keeps_the_calls_of_untouched_names_and_remakes_those_of_its_blocks(tmp_path):
    """The gazetteer's call for "kingdom of spain" (no added name touches it) is the kept one, and the acronym
    rule's call for "ral" (an added name has its initials) is made again: a kept call altered by hand shows in
    the first and is gone from the second."""
    rows = _rows()
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, PERU, OLD)
    step(engine, added=OLD)
    state = schema.corpus_state.c
    with engine.begin() as conn:
        kept = json.loads(conn.execute(select(state.value).where(state.key == "link.rules")).scalar_one())
        assert set(kept["rules"]["acronym"]) == {"ral"} and "kingdom of spain" in kept["rules"]["gazetteer"]
        kept["rules"]["gazetteer"]["kingdom of spain"][0][2] = "kept from the last run"
        kept["rules"]["acronym"]["ral"][0][2] = "kept from the last run"
        conn.execute(schema.corpus_state.update().where(state.key == "link.rules").values(value=json.dumps(kept)))

    add(engine, rows, PERU, ["rival"])
    step(engine, added=["rival"])
    assert _how(engine, "Kingdom of Spain") == "kept from the last run", "an untouched name's call is not made again"
    assert _owner(engine, "RAL") != _owner(engine, "Royal Audience of Lima"), "a touched block's calls are made again"
    with engine.connect() as conn:
        now = json.loads(conn.execute(select(state.value).where(state.key == "link.rules")).scalar_one())
    assert "ral" not in now["rules"]["acronym"] and "apurimac river" in now["rules"]["generic"]


# Parts written another way (`timeweave.link.parts`): "RAL judges" is "Royal Audience of Lima judges" while the
# corpus says RAL is the Royal Audience (an added name with those initials parts them, though neither text of the
# judges changes), and "Pachacamak temple" becomes a typo of "Pachacamac temple" once a third mention makes
# "Pachacamac" a common word (neither temple's text changes either). "Royal Mint" keeps "royal" common either way,
# so the judges' forms change only through the representative of their part.
PARTS = {
    **PERU,
    "judges": "The RAL judges and the Royal Audience of Lima judges heard the monks of Pachacamak temple.",
    "temple": "Pilgrims walked to Pachacamac and to the Pachacamac temple, far from the Royal Mint.",
    "pilgrim": "A pilgrim reached Pachacamac in 1550.",
}
PARTS_NAMES = {
    **PERU_NAMES,
    "judges": [("RAL judges", "organization"), ("Royal Audience of Lima judges", "organization"),
               ("Pachacamak temple", "organization")],
    "temple": [("Pachacamac", "place"), ("Pachacamac temple", "place"), ("Royal Mint", "organization")],
    "pilgrim": [("Pachacamac", "place")],
}
PARTS_OLD = [*OLD, "judges", "temple"]


def _parts_rows() -> list[MentionRow]:
    return _rows_of(PARTS, PARTS_NAMES)


def test_parts_rewritten_again_when_a_part_or_a_word_count_changes_elsewhere(tmp_path):
    """An add that parts "RAL" from the Royal Audience and makes "Pachacamac" common changes the forms of names its
    texts do not hold; each step equals a full link (a run that kept those forms would differ: checked by breaking
    `parts._stale` on purpose)."""
    rows = _parts_rows()
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, PARTS, PARTS_OLD)
    step(engine, added=PARTS_OLD)
    before = snapshot(engine)
    assert before == linked_at_once(tmp_path, "old", rows, PARTS, PARTS_OLD)
    assert _owner(engine, "RAL judges") == _owner(engine, "Royal Audience of Lima judges")
    assert _owner(engine, "Pachacamak temple") != _owner(engine, "Pachacamac temple"), "two uses: not yet common"

    add(engine, rows, PARTS, ["rival", "pilgrim"])
    step(engine, added=["rival", "pilgrim"])
    assert snapshot(engine) == linked_at_once(tmp_path, "all", rows, PARTS, sorted(PARTS))
    assert _owner(engine, "RAL judges") != _owner(engine, "Royal Audience of Lima judges"), "RAL is two names now"
    assert _owner(engine, "Pachacamak temple") == _owner(engine, "Pachacamac temple"), "a typo of a common word"

    remove(engine, ["rival", "pilgrim"])
    step(engine, removed=["rival", "pilgrim"])
    assert snapshot(engine) == before


# An acronym a text defines ("the Lima Council (LMC)") joins its name when its letters begin alike and no other name
# spells it; whether one does ("Lima Mint Company", or "De Lima Mint Company": initials skip "de") is read at those
# letters only on an add (`acronyms._by_initials`); an acronym used alone ("RAL") and a state's name ("Kingdom of
# Spain") brought by the add are visited though no kept call names them (`local.run`'s `callers`).
COUNCIL = {"council": "The Lima Council (LMC) met in 1545.", "mint": "The {mint} struck coins in 1568."}


@pytest.mark.parametrize("mint", ["Lima Mint Company", "De Lima Mint Company"])
def test_an_add_reads_the_initials_it_needs_as_a_full_run(tmp_path, mint):
    texts = {**PERU, "council": COUNCIL["council"], "mint": COUNCIL["mint"].format(mint=mint)}
    names = {**PERU_NAMES, "council": [("Lima Council", "organization"), ("LMC", "organization")],
             "mint": [(mint, "organization")]}
    rows = _rows_of(texts, names)
    old = ["audience", "council", "mint"]
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, texts, old)
    step(engine, added=old)
    assert _owner(engine, "LMC") != _owner(engine, "Lima Council"), "another name spells LMC"
    add(engine, rows, texts, ["appeal", "crown"])
    step(engine, added=["appeal", "crown"])
    assert snapshot(engine) == linked_at_once(tmp_path, "all", rows, texts, [*old, "appeal", "crown"])
    assert _owner(engine, "RAL") == _owner(engine, "Royal Audience of Lima"), "the added acronym is visited"
    assert _how(engine, "Kingdom of Spain").startswith("known name of the state Spain"), "the added name is visited"
    assert _owner(engine, "LMC") != _owner(engine, "Lima Council")


# A second name said of two men ("the Adelantado" of Almagro and of Alvarado) is left apart, so the men stay two
# (`Resolver.drop_conflicts`); whether the names it is said of are one thing is read without the said links.
ADELANTADO = {
    "almagro": "Diego de Almagro, also called the Adelantado, marched to Chile in 1535.",
    "alvarado": "Pedro de Alvarado, also called the Adelantado, sailed to Peru in 1534.",
}


def test_a_second_name_said_of_two_men_leaves_them_apart_on_an_add(tmp_path):
    texts = {**PERU, **ADELANTADO}
    names = {**PERU_NAMES, "almagro": [("Diego de Almagro", "person")], "alvarado": [("Pedro de Alvarado", "person")]}
    rows = _rows_of(texts, names)
    old = [*OLD, "almagro"]
    engine = open_store(tmp_path / "steps.db")
    add(engine, rows, texts, old)
    step(engine, added=old)
    add(engine, rows, texts, ["alvarado"])
    step(engine, added=["alvarado"])
    assert snapshot(engine) == linked_at_once(tmp_path, "all", rows, texts, [*old, "alvarado"])
    assert _owner(engine, "Diego de Almagro") != _owner(engine, "Pedro de Alvarado"), "two men"
