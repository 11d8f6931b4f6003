"""The SemEval-2015 TimeLine bench: its file writer and how it finds a target's events, on tiny data."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import semeval2015  # noqa: E402
from semeval_targets import (  # noqa: E402
    index_document, learn_class_nouns, nearest_reference, parse_texts, particles, short_forms,
)


def test_timeline_file_orders_by_anchor_coarse_first_and_drops_undated(tmp_path):
    path = tmp_path / "airbus.txt"
    semeval2015.write_timeline(path, "Airbus", [
        ("2007-02-28", ["2-3-cut"]), (None, ["9-1-said"]), ("2007-XX-XX", ["1-2-cuts"]),
        ("2005-01-18", ["3-0-launches", "3-2-unveiled", "3-0-launches"]), ("2007-02-28", ["2-4-said"]),
    ])
    assert path.read_text().splitlines() == [
        "Airbus",
        "1\t2005-01-18\t3-0-launches\t3-2-unveiled",
        "2\t2007-XX-XX\t1-2-cuts",
        "3\t2007-02-28\t2-3-cut",
        "3\t2007-02-28\t2-4-said",
    ]


def test_anchor_granularity_follows_the_interval():
    assert semeval2015.anchor(("2008-02-29", "2008-02-29")) == "2008-02-29"
    assert semeval2015.anchor(("2008-02-01", "2008-02-29")) == "2008-02-XX"
    assert semeval2015.anchor(("2008-01-01", "2008-12-31")) == "2008-XX-XX"
    assert semeval2015.anchor(("2007-01-01", "2008-12-31")) is None


def test_short_forms_of_product_and_long_names():
    assert short_forms("Airbus A380") == {"A380"}
    assert short_forms("Boeing 787 Dreamliner") == {"787", "Dreamliner", "787 Dreamliner"}
    assert short_forms("United States Air Force") == {"Air Force", "USAF"}
    assert short_forms("iPhone 4") == set()  # "4" alone names nothing


def test_short_forms_keep_the_head_and_never_a_preposition_or_a_bare_legal_form():
    assert short_forms("Bank of America") == set()  # "the bank" is a class noun, "of America" names nothing
    assert short_forms("Ford Motor Company") == {"Ford Motor", "FMC"}  # not "Motor Company"
    assert short_forms("Apple Inc.") == {"Apple"}
    assert short_forms("Beatles Apple Corps") == {"Apple Corps", "BAC"}
    assert short_forms("Steve Jobs") == set()


@pytest.fixture(scope="module")
def docs():
    texts = {
        "1": "Acme launches new jet\n"
             "Acme , the aircraft maker , unveiled the Zephyr 9 on Monday .\n"
             "The company said it will deliver the plane to Beta in May .\n"
             "Beta rolled out its new livery .\n",
    }
    return parse_texts(texts)


def test_references_include_descriptions_and_pronouns(docs):
    doc = docs["1"]
    patterns = {name: re.compile(rf"(?<![\w-]){name}(?![\w-])", re.I) for name in ("Acme", "Beta")}
    classes = learn_class_nouns([doc], patterns)
    assert "maker" in classes["Acme"]
    index = index_document(doc, patterns, classes, organisations={"Acme", "Beta"}, persons=set())
    refs = {(doc[r.token].text, r.how) for r in index.by_target["Acme"]}
    assert {("Acme", "name"), ("company", "description"), ("it", "pronoun")} <= refs
    by_text = {token.text: token for token in doc}
    acme = index.by_target["Acme"]
    assert nearest_reference(by_text["unveiled"], acme, limit=2) is not None
    assert nearest_reference(by_text["deliver"], acme, limit=2) is not None  # "it will deliver"
    assert nearest_reference(by_text["rolled"], acme, limit=2) is None  # another sentence, Beta's event
    assert particles(by_text["rolled"]) == "_out"


def test_line_is_a_sentence(docs):
    doc = docs["1"]
    assert [s.text.strip().split()[0] for s in doc.sents] == ["Acme", "Acme", "The", "Beta"]
