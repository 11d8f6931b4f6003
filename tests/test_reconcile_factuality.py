"""Events that did not happen keep their status: a denied event is an event marked `negated`, one
that sources affirm and deny is `disputed`, one told only in others' voices `reported`; a plan
founds nothing. Invented sentences (a 17th-century siege, a 1990s news item), not from a corpus."""

from __future__ import annotations

from sqlalchemy import select
from test_reconcile_helpers import HandStore, bag_of_words, day

from timeweave.chronicle.export import chronicle, validate
from timeweave.reconcile import reconcile
from timeweave.store import open_store
from timeweave.store import schema as t


def _events(store: HandStore) -> list:
    reconcile(store.engine, config={"embeddings": False}, encoder=bag_of_words)
    with store.engine.connect() as conn:
        return conn.execute(select(t.events)).all()


def test_a_denied_event_is_an_event_with_that_status(tmp_path):
    store = HandStore(open_store(tmp_path / "n.db"))
    text = "The ministry said on 14 June 1996 that no strike on the dam took place."
    store.source("n", text, authors=["Nolan, R."])
    store.event("n", text, "strike", "offensive", when=day("1996-06-14"), others=["ministry"], factuality="negated")
    events = _events(store)
    assert [(e.factuality, e.edtf) for e in events] == [("negated", "1996-06-14")]


def test_affirmed_and_denied_is_disputed_and_a_plan_founds_nothing(tmp_path):
    store = HandStore(open_store(tmp_path / "d.db"))
    said = "The garrison of Breda sallied against the besiegers on 3 May 1625."
    denied = "The garrison of Breda did not sally against the besiegers on 3 May 1625."
    planned = "The garrison of Breda planned to surrender on 20 May 1625."
    store.source("a", said, authors=["Aubrey, J."])
    store.source("b", denied, authors=["Bosch, H."])
    store.source("c", planned, authors=["Cruz, M."])
    store.event("a", said, "sallied", "battle", when=day("1625-05-03"), agents=["garrison"], place="Breda")
    store.event("b", denied, "sally", "battle", when=day("1625-05-03"), agents=["garrison"], place="Breda",
                factuality="negated")
    store.event("c", planned, "surrender", "battle", when=day("1625-05-20"), agents=["garrison"], place="Breda",
                factuality="hypothetical")
    events = _events(store)
    assert [(e.factuality, e.edtf) for e in events] == [("disputed", "1625-05-03")]


def test_only_reported_is_reported_and_exported(tmp_path):
    store = HandStore(open_store(tmp_path / "r.db"))
    text = "Rebels allegedly shelled the port of Kismayo on 2 March 1993."
    store.source("r", text, authors=["Roux, A."])
    store.event("r", text, "shelled", "offensive", when=day("1993-03-02"), agents=["Rebels"], place="Kismayo",
                factuality="reported")
    assert [e.factuality for e in _events(store)] == ["reported"]
    document = chronicle(store.engine)
    validate(document)  # the schema knows the field
    assert [e["factuality"] for e in document["events"]] == ["reported"]


def test_a_generic_happening_dated_by_its_own_clause_founds_an_event_without_named_participants(tmp_path):
    """"They were killed on 9 July 1701": the victims are a pronoun, but the clause dates the happening.
    A state of affairs dated only to a year ("grew tense in 1701") still founds nothing."""
    from test_reconcile_helpers import year

    store = HandStore(open_store(tmp_path / "g.db"))
    killed = "Two envoys were sent north; they were killed on 9 July 1701."
    tense = "The situation grew tense in 1701."
    store.source("k", f"{killed} {tense}", authors=["Kovac, P."])
    store.event("k", killed, "killed", "other", when=day("1701-07-09"), when_kind="governed")
    store.event("k", tense, "grew", "other", when=year("1701"), when_kind="governed")
    assert [(e.label.split()[0], e.edtf) for e in _events(store)] == [("Killed", "1701-07-09")]
