"""Each export read back by a real consumer or checked against a published schema, every quote exact.

geojson: the geojson.org FeatureCollection schema (tests/data/geojson-schema) and the Linked Places
parts; gexf/graphml: networkx's readers; jsonld: pyld expands it offline; webannotation: the W3C
model's required parts and both selectors against the source text; csl-json: citeproc-py formats a
bibliography from it; tei: lxml parses it and the TEI-all RELAX NG schema (TEI P5 4.3.0) accepts it.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from itertools import combinations
from pathlib import Path

import jsonschema
import networkx as nx
import pytest
from sqlalchemy import select

from serve_fixtures import make_fixture_store
from timeweave.chronicle import chronicle
from timeweave.export import export
from timeweave.store import open_store
from timeweave.store import schema as t

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = make_fixture_store(tmp_path_factory.mktemp("exports") / "fixture.db")
    engine = open_store(db, create=False)
    with engine.connect() as conn:
        texts = {r.source_id: r.text for r in conn.execute(select(t.texts))}
    return {"db": db, "dir": db.parent, "chronicle": chronicle(engine), "texts": texts}


def _export(store, fmt: str) -> Path:
    return export(fmt, db=store["db"], out=store["dir"] / f"out.{fmt}")


def _exact(texts, source: str, start: int, end: int, quote: str) -> None:
    assert texts[source][start:end] == quote, (source, start, end, quote)


def test_geojson_is_a_valid_feature_collection_of_linked_places(store):
    data = json.loads(_export(store, "geojson").read_text("utf-8"))
    jsonschema.validate(data, json.loads((DATA / "geojson-schema" / "FeatureCollection.json").read_text("utf-8")))
    features = {f["properties"]["title"]: f for f in data["features"]}
    for f in features.values():  # Linked Places: an @id, names with toponyms, a located_by reason
        assert f["@id"].startswith("urn:timeweave:entity:") and all(n["toponym"] for n in f["names"])
        assert (f["geometry"] is None) == (not f["properties"]["located"]) and f["properties"]["located_by"]
        for span in f.get("when", {}).get("timespans", []):
            assert span["start"]["earliest"] <= span["end"]["latest"]
    japan = features["Japan"]  # a country: drawn at its capital, and says so
    assert japan["geometry"]["type"] == "Point" and japan["geometry"]["certainty"] == "less-certain"
    assert japan["links"][0]["identifier"].startswith("https://sws.geonames.org/")
    river = features["Khalkhin Gol"]  # a river (its alias says 'Gol'): never guessed
    assert river["geometry"] is None and "not a settlement" in river["properties"]["located_by"]
    battle = river["events"][0]
    assert battle["when"]["edtf"] == "1939-05-11/1939-09-16" and len(battle["evidence"]) == 3
    for f in features.values():
        for event in f["events"]:
            for span in event["evidence"]:
                _exact(store["texts"], span["source"], span["start"], span["end"], span["quote"])


@pytest.mark.parametrize("fmt, read", [("gexf", nx.read_gexf), ("graphml", nx.read_graphml)])
def test_network_files_load_in_networkx_with_the_shared_events(store, fmt, read):
    graph = read(_export(store, fmt))
    shared: Counter = Counter()
    for event in store["chronicle"]["events"]:
        for a, b in combinations(sorted({p["entity"] for p in event["participants"]}), 2):
            shared[(a, b)] += 1
    assert graph.number_of_edges() == len(shared) > 0
    for (a, b), n in shared.items():
        edge = graph.edges[f"e{a}", f"e{b}"]
        assert int(edge["weight"]) == n and len(edge["events"].split()) == n
    soviet = graph.nodes["e1"]
    assert soviet["label"] == "Soviet Union" and soviet["type"] == "state" and "USSR" in soviet["aliases"]
    protocol = graph.edges["e1", "e2"]
    assert "1" in protocol["events"].split() and protocol["first"] <= "1936-03-12" <= protocol["last"]


def test_jsonld_expands_with_pyld_offline(store):
    from pyld import jsonld

    def no_network(url, options=None):
        raise AssertionError(f"the JSON-LD context must be inline, but {url} was fetched")

    doc = json.loads(_export(store, "jsonld").read_text("utf-8"))
    expanded = jsonld.expand(doc, {"documentLoader": no_network})
    nodes = {n["@id"]: n for n in expanded}
    events = [n for n in expanded if "https://schema.org/Event" in n.get("@type", [])]
    assert len(events) == len(store["chronicle"]["events"])
    battle = nodes["urn:timeweave:event:2"]
    begin = battle["http://www.cidoc-crm.org/cidoc-crm/P82a_begin_of_the_begin"][0]
    assert begin == {"@value": "1939-05-11", "@type": "http://www.w3.org/2001/XMLSchema#date"}
    assert battle["http://www.cidoc-crm.org/cidoc-crm/P7_took_place_at"][0]["@id"] == "urn:timeweave:entity:6"
    assert {"@id": "urn:timeweave:entity:3"} in battle["http://www.cidoc-crm.org/cidoc-crm/P11_had_participant"]
    quotes = [q for n in expanded for q in n.get("https://schema.org/citation", [])]
    assert len(quotes) == sum(len(e["evidence"]) for e in store["chronicle"]["events"])
    for q in quotes:
        source = q["https://schema.org/isPartOf"][0]["@id"].removeprefix("urn:timeweave:source:")
        _exact(store["texts"], source, q["urn:timeweave:vocab:start"][0]["@value"], q["urn:timeweave:vocab:end"][0]["@value"],
               q["https://schema.org/text"][0]["@value"])


def test_webannotation_collection_has_both_selectors_on_the_exact_text(store):
    data = json.loads(_export(store, "webannotation").read_text("utf-8"))
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld" and data["type"] == "AnnotationCollection"
    items = data["first"]["items"]
    expected = sum(len(e["evidence"]) for e in store["chronicle"]["events"])
    expected += sum(len(c["statements"]) for c in store["chronicle"]["comparisons"])
    assert data["total"] == len(items) == expected
    ids = set()
    for item in items:
        assert item["type"] == "Annotation" and item["id"] not in ids and item["body"] and item["motivation"]
        ids.add(item["id"])
        quote, position = item["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
        source = next(s["id"] for s in store["chronicle"]["sources"]
                      if item["target"]["source"] in (s["url"], f"urn:timeweave:source:{s['id']}"))
        text = store["texts"][source]
        _exact(store["texts"], source, position["start"], position["end"], quote["exact"])
        assert text[:position["start"]].endswith(quote["prefix"]) and text[position["end"]:].startswith(quote["suffix"])
    # A javascript: URL is never a target: the hostile document is addressed by its URN.
    assert not any(i["target"]["source"].startswith("javascript:") for i in items)


def test_csl_json_formats_in_citeproc(store):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    import citeproc

    items = json.loads(_export(store, "csl-json").read_text("utf-8"))
    assert {i["id"] for i in items} == {s["id"] for s in store["chronicle"]["sources"]}
    styles = Path(citeproc.__file__).parent / "data" / "styles"
    style = CitationStylesStyle(str(next(styles.glob("*.csl"))), validate=True)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = "\n".join(str(entry) for entry in bibliography.bibliography())
    assert "Batbayar, T. (2000)" in rendered and "Zhabaeva, L.B. (2021)" in rendered


@pytest.fixture(scope="module")
def tei_schema():
    from lxml import etree

    return etree.RelaxNG(etree.fromstring(gzip.decompress((DATA / "tei" / "tei_all.rng.gz").read_bytes())))


def test_tei_is_well_formed_valid_tei_all_and_keeps_the_text(store, tei_schema):
    from lxml import etree

    doc = etree.parse(str(_export(store, "tei")))
    assert tei_schema.validate(doc), [e.message for e in tei_schema.error_log][:5]
    ns = {"tei": "http://www.tei-c.org/ns/1.0"}
    sources = store["chronicle"]["sources"]
    engine = open_store(store["db"], create=False)
    for n, source in enumerate(sources, start=1):
        tei = doc.find(f"tei:TEI[@{{http://www.w3.org/XML/1998/namespace}}id='s{n}']", ns)
        paragraphs = tei.findall("tei:text/tei:body/*", ns)
        text = store["texts"][source["id"]]
        with engine.connect() as conn:
            passages = conn.execute(select(t.passages).where(t.passages.c.source_id == source["id"]).order_by(t.passages.c.seq)).all()
        assert ["".join(p.itertext()) for p in paragraphs] == [text[p.start:p.end] for p in passages]
        for quote in tei.iterfind(".//tei:event/tei:desc/tei:quote", ns):
            start, end = map(int, quote.get("n").split("-"))
            _exact(store["texts"], source["id"], start, end, quote.text)
    names = {el.text for el in doc.iterfind(".//tei:body//tei:placeName", ns)}
    assert {"Khalkhin Gol", "Japan"} <= names
    assert doc.find(".//tei:body//tei:date", ns) is not None
    assert doc.find(".//tei:body//tei:rs[@type='event']", ns) is not None

