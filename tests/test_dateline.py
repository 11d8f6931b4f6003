"""A text's own date read off its dateline or the date line under its title (`ingest.datelines`)."""

from __future__ import annotations

import json

import pytest

from timeweave.ingest.metadata import extract_meta
from timeweave.ingest.passages import segment


def issued(text: str) -> str | None:
    return extract_meta(text, segment(text), source_id="t").issued


@pytest.mark.parametrize("text, expected", [
    # wire datelines, with the date in parentheses, after the place, or after the agency
    ("Ferry sinks\n\nDHAKA, Bangladesh (Mar 14, 2013 - 09:12 GMT) -- A ferry capsized on the Meghna river.", "2013-03-14"),
    ("LONDON, 3 March 1921 (Reuters) — The conference on reparations opened in London.", "1921-03-03"),
    ("PARIS (AFP) 12 June 1998 - France beat South Africa three goals to nil.", "1998-06-12"),
    # wire copy set in capitals, the month abbreviated with a full stop
    ("MOSCOW, JAN. 12, 1992 (UPI) -- The parliament met in emergency session.", "1992-01-12"),
    # a line that is only a date, under the headline
    ("Harvest festival in Lagos\n\n| October 3, 2019\n\nThe market opened today with music.", "2019-10-03"),
    ("Letters from Calcutta\nPosted on Jan. 7, 1905\nThe monsoon came late this year.", "1905-01-07"),
    ("The bridge reopens\nTuesday, 2 May 2006 10:15 GMT\nTraffic crossed the river this morning.", "2006-05-02"),
])
def test_the_text_prints_its_date(text, expected):
    assert issued(text) == expected


@pytest.mark.parametrize("text", [
    # a yearless wire dateline gives no year to count "today" from
    "WASHINGTON, Aug. 5 (AP) — The Senate voted today on the canal treaty.",
    # a date inside a sentence is an event's date, not the text's
    "The Treaty of Westphalia\n\nOn 24 October 1648 the envoys signed the peace at Münster.",
    # a date line deep in the body is not the header
    "\n".join(["Chronicle of the siege"] + [f"Paragraph {i} of the account of the siege of the town." for i in range(8)]
              + ["May 29, 1453"]),
])
def test_no_date_is_guessed(text):
    assert issued(text) is None


def test_a_labelled_date_beats_a_date_line():
    text = "Report on the floods\nMarch 2, 1927\nPublished: 10 March 1927\nThe river rose for a week."
    assert issued(text) == "1927-03-10"


def test_a_manifest_dates_its_documents(tmp_path):
    """manifest.jsonl beside the texts: its date is the document's, made precise by the text's own date line."""
    import json

    from timeweave.ingest.catalog import load_catalog
    from timeweave.ingest.discover import is_metadata_file
    from timeweave.ingest.read import read_document

    texts = {
        "wire.txt": "The Senate voted today on the canal treaty.",  # no date in the text at all
        "digest.txt": "Canal news\n\nMarch 3, 1978\n\nThe digest reposts the story.",  # the month's day under the title
        "essay.txt": "Essay on the canal.\n\nThe treaty was signed in 1977.",
        "blog.txt": "Canal memories\n\nJune 9, 1999\n\nNothing else here.",  # a date line the record contradicts
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    rows = [{"file": "wire.txt", "title": "Senate votes", "url": "http://example.org/w", "published": "1978-03-16"},
            {"file": "digest.txt", "published": "1978-03"},
            {"file": "essay.txt", "published": "unknown"},
            {"file": "blog.txt", "date": "2001"}]
    (tmp_path / "manifest.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    paths = [tmp_path / name for name in texts]
    catalog = load_catalog(paths)
    assert catalog.problems == [] and is_metadata_file(tmp_path / "manifest.jsonl")
    meta = {p.name: read_document(p, display_path=p.name, catalog=catalog).meta for p in paths}
    assert (meta["wire.txt"].issued, meta["wire.txt"].title, meta["wire.txt"].url) == (
        "1978-03-16", "Senate votes", "http://example.org/w")
    assert meta["digest.txt"].issued == "1978-03-03"
    assert meta["essay.txt"].issued is None
    assert meta["blog.txt"].issued == "2001"


def test_a_broken_manifest_line_is_reported_with_its_line(tmp_path):
    """A manifest's lines are records on their own: a broken one is named by file and line, says what is
    wrong and what to do, and the other lines still date their documents."""
    from timeweave.ingest.catalog import load_catalog

    for name in ("a.txt", "c.txt", "d.txt"):
        (tmp_path / name).write_text("Text.", encoding="utf-8")
    (tmp_path / "manifest.jsonl").write_text(
        '{"file": "a.txt", "published": "1848-02-24"}\n'
        '{"file": "b.txt",\n'  # a record broken over two lines
        '  "published": "1848"}\n'
        '\n'
        '["c.txt", "1848-03-13"]\n'  # a list, not an object
        '{"file": "d.txt", "published": "1848-03-18"}\n', encoding="utf-8")
    catalog = load_catalog([tmp_path / name for name in ("a.txt", "c.txt", "d.txt")])
    assert catalog.lookup(tmp_path / "a.txt")["issued"]["date-parts"] == [[1848, 2, 24]]
    assert catalog.lookup(tmp_path / "d.txt")["issued"]["date-parts"] == [[1848, 3, 18]]
    assert catalog.lookup(tmp_path / "c.txt") is None
    problems = [(e.code, e.path.rsplit("manifest.jsonl", 1)[1], e.reason) for e in catalog.problems]
    assert [p[:2] for p in problems] == [("T015", " line 2"), ("T015", " line 3"), ("T015", " line 5")]
    assert "not a JSON object on one line" in problems[0][2] and "several lines" in problems[0][2]
    assert "holds a JSON list, not an object" in problems[2][2]
    message = str(catalog.problems[2])
    assert "CSL" not in message and "manifest.jsonl line 5" in message and "one JSON object per line" in message


def test_a_manifest_in_another_encoding_is_reported_with_what_to_do(tmp_path):
    """A manifest saved as Latin-1 is named, with the byte that failed and 'save it as UTF-8' (not 'fix the
    JSON', which is fine); its documents are still read, with what their text says."""
    from timeweave.ingest.catalog import load_catalog

    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "manifest.jsonl").write_bytes('{"file": "a.txt", "title": "Café de Paris"}\n'.encode("latin-1"))
    catalog = load_catalog([tmp_path / "a.txt"])
    assert catalog.lookup(tmp_path / "a.txt") is None
    assert [e.code for e in catalog.problems] == ["T014"]
    message = str(catalog.problems[0])
    assert "manifest.jsonl" in message and "UTF-8" in message and "Save it as UTF-8" in message


def test_an_overlong_catalog_field_is_left_out_and_reported(tmp_path):
    """A manifest line whose title is a whole document pasted into the wrong field (here 3 MB) is not
    copied into the store: the field is left out and named, the rest of the record is used, and the
    document is still read. A record too large even without such fields is not used, and said so."""
    from timeweave.ingest.catalog import MAX_FIELD_CHARS, MAX_RECORD_CHARS, load_catalog

    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("The treaty of Nerchinsk was signed in 1689.", encoding="utf-8")
    huge = "Nerchinsk " * 300_000
    many = [{"family": f"Author{i}", "given": "A." * 20} for i in range(MAX_RECORD_CHARS // 40)]
    (tmp_path / "manifest.jsonl").write_text(
        json.dumps({"file": "a.txt", "title": huge, "published": "1689-08-27"}) + "\n"
        + json.dumps({"file": "b.txt", "title": "Fine", "author": many}) + "\n", encoding="utf-8")
    catalog = load_catalog([tmp_path / "a.txt", tmp_path / "b.txt"])
    record = catalog.lookup(tmp_path / "a.txt")
    assert "title" not in record and record["issued"]["date-parts"] == [[1689, 8, 27]]
    assert catalog.lookup(tmp_path / "b.txt") is None
    assert [e.code for e in catalog.problems] == ["T015", "T015"]
    first, second = (str(e) for e in catalog.problems)
    assert "manifest.jsonl line 1" in first and "'title'" in first and f"{MAX_FIELD_CHARS:,}" in first
    assert "Shorten" in first and len(first) < 1_000
    assert "manifest.jsonl line 2" in second and "not used" in second
