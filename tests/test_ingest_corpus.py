"""Ingestion of the bundled Khalkhin Gol corpus: CSL records honoured, metadata extracted without them,
kinds, boilerplate and repeated passages as a reader of the captures would mark them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import timeweave
from timeweave.ingest.catalog import load_catalog
from timeweave.ingest.discover import discover
from timeweave.ingest.read import read_document

CORPUS = Path(timeweave.__file__).parent / "data" / "khalkhin-gol"


def read_all(folder: Path, *, with_catalog: bool) -> dict:
    found = discover([folder])
    assert not found.failures
    catalog = load_catalog(found.files) if with_catalog else None
    if catalog is not None:
        assert not catalog.problems
    return {p.stem.split("-")[0] + "-" + p.stem.split("-")[1]: read_document(p, display_path=p.name, catalog=catalog)
            for p in found.files}


@pytest.fixture(scope="module")
def with_csl() -> dict:
    return read_all(CORPUS, with_catalog=True)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("no-catalog")
    for path in CORPUS.glob("*.txt"):
        shutil.copy(path, folder)
    return read_all(folder, with_catalog=False)


def test_discovery_skips_readme_and_catalog():
    found = discover([CORPUS])
    assert [p.name for p in found.files] == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert [(s.path.name, s.reason) for s in found.skipped] == [("README.md", "corpus documentation, not a source")]


def test_csl_record_wins(with_csl):
    doc = with_csl["batunaev-2019"]
    meta = doc.meta
    assert meta.origin == "csl-json" and meta.id == "batunaev-2019-khalkhin-gol"
    assert meta.authors == ["Eduard V. Batunaev"] and meta.issued == "2019"
    assert meta.doi == "10.21684/2411-197X-2019-5-3-173-184"
    assert (meta.container_title, meta.volume, meta.issue, meta.page) == (
        "Tyumen State University Herald. Humanities Research. Humanitates", "5", "3", "173-184")
    assert meta.csl["genre"] == "abstract"
    assert with_csl["batbayar-2000"].meta.issued == "2000-09"
    assert with_csl["russian-mfa"].meta.authors == ["Ministry of Foreign Affairs of the Russian Federation"]
    assert with_csl["zhabaeva-2021"].meta.title.startswith("«Japan is encroaching")


def test_kinds_from_csl(with_csl):
    kinds = {key: doc.meta.kind for key, doc in with_csl.items()}
    assert kinds == {
        "batunaev-2019": "abstract",
        "zhabaeva-2020": "abstract",
        "zhabaeva-2021": "abstract",
        "batbayar-2000": "book_chapter",
        "russian-mfa": "government_statement",
    }
    assert "web page" in with_csl["batbayar-2000"].meta.kind_reason
    assert "social-media post" in with_csl["russian-mfa"].meta.kind_reason
    assert "abstract" in with_csl["zhabaeva-2021"].meta.kind_reason


def test_metadata_extracted_without_catalog(extracted):
    batunaev = extracted["batunaev-2019"].meta
    assert batunaev.origin == "extracted" and batunaev.csl is None
    assert batunaev.id == "batunaev-2019-khalkhin-gol"
    assert batunaev.doi == "10.21684/2411-197X-2019-5-3-173-184"
    assert batunaev.title == "Khalkhin-Gol: Military and Political Cooperation of the USSR and the MNR (1939-1945)"
    assert batunaev.authors == ["Eduard V. Batunaev"] and batunaev.issued == "2019"
    assert (batunaev.volume, batunaev.issue, batunaev.page) == ("5", "3", "173-184")
    assert batunaev.container_title.startswith("Tyumen State University Herald")

    zh21 = extracted["zhabaeva-2021"].meta
    assert zh21.doi == "10.22162/2619-0990-2021-55-3-428-435"
    assert (zh21.volume, zh21.issue, zh21.page) == ("14", "3", "428-435")
    assert zh21.container_title == "Oriental Studies" and zh21.issued == "2021-06"
    assert zh21.authors == ["Larisa B. Zhabaeva"] and zh21.title.startswith("«Japan is encroaching")

    zh20 = extracted["zhabaeva-2020"].meta
    assert zh20.doi == "10.22162/2500-1523-2020-2-223-231"  # its own, not one from the reference list
    assert zh20.title == "Russian-Mongolian Military Cooperation: 1930s"
    assert zh20.authors == ["Larisa B. Zhabaeva"] and zh20.issued == "2020"
    assert (zh20.container_title, zh20.volume, zh20.issue, zh20.page) == ("Mongolian Studies", "12", "2", "223-231")

    batbayar = extracted["batbayar-2000"].meta
    assert "SOVIET-JAPANESE CONFRONTATION" in batbayar.title and "Home" not in batbayar.title
    assert batbayar.authors == ["Tsedendambyn Batbayar"] and batbayar.issued == "2000-09" and batbayar.doi is None

    mfa = extracted["russian-mfa"].meta
    assert mfa.title.startswith("On May 11, 1939, Soviet Union and Mongolia") and mfa.authors == ["Russian MFA"]
    assert mfa.issued is None  # event dates in the post are not its publication date


def test_kinds_from_text_cues(extracted):
    kinds = {key: doc.meta.kind for key, doc in extracted.items()}
    assert kinds["batunaev-2019"] == kinds["zhabaeva-2020"] == kinds["zhabaeva-2021"] == "abstract"
    assert kinds["russian-mfa"] == "government_statement"
    assert "Forwarded from" in extracted["russian-mfa"].meta.kind_reason
    assert kinds["batbayar-2000"] == "web_page" and "hosting" in extracted["batbayar-2000"].meta.kind_reason
    for doc in extracted.values():
        assert doc.meta.kind_reason


def passages_by_role(doc):
    content = [doc.text[p.start:p.end] for p in doc.passages if p.role == "content"]
    noise = [doc.text[p.start:p.end] for p in doc.passages if p.role == "boilerplate"]
    return content, noise


def test_batbayar_menu_and_footer_are_boilerplate(with_csl):
    doc = with_csl["batbayar-2000"]
    content, noise = passages_by_role(doc)
    menu = ["Home", "About the Author", "Modern Mongolia", "Stalin and Mongolia", "Publications",
            "Mongolian Journal of International Affairs", "Foreign Policy Blue Book", "Japan and Mongolia",
            "How to contact Us"]
    assert noise[:len(menu)] == menu
    assert noise[len(menu):] == ["Created: September, 2000. Speaker Group.", "\ufffd2000 All rights reserved.",
                                 "Contact Webmaster [email\xa0protected]", "Hosted by www.Geocities.ws", "1"]
    assert content[0].startswith("THE SOVIET-JAPANESE CONFRONTATION AND") and content[0].endswith("(1932-1939)")
    assert content[1:3] == ["by Tsedendambyn Batbayar", "Conclusion"]
    assert all(len(c) > 200 for c in content[3:])
    assert all(p.role_reason for p in doc.passages if p.role == "boilerplate")
    assert "Home\n\nAbout the Author" in doc.text  # the text keeps its noise


def test_mfa_post_noise_and_repeated_copy(with_csl):
    doc = with_csl["russian-mfa"]
    noise = [(doc.text[p.start:p.end], p.role_reason) for p in doc.passages if p.role == "boilerplate"]
    assert noise[0][0].startswith("Forwarded from")
    assert [n for n, _ in noise[1:]] == ["#KhalkhinGol85", "#KhalkhinGol85"]
    content = [(seq, p) for seq, p in enumerate(doc.passages) if p.role == "content"]
    copies = [(seq, p) for seq, p in content if p.duplicate_of]
    originals = [(seq, p) for seq, p in content if not p.duplicate_of]
    assert len(copies) == 8 and len(originals) == 9
    for seq, passage in copies:
        first_id, first_seq = passage.duplicate_of
        assert first_id == doc.meta.id and first_seq < seq and passage.duplicate_scope == "within"
        assert doc.passages[first_seq].sha1 == passage.sha1 and passage.duplicate_kind == "exact"
    assert len(doc.content_spans()) == 9


def test_scholarly_texts_have_no_boilerplate_but_read_online(with_csl):
    for key in ("batunaev-2019", "zhabaeva-2020"):
        assert passages_by_role(with_csl[key])[1] == []
    assert passages_by_role(with_csl["zhabaeva-2021"])[1] == ["Read online"]


def test_offsets_on_corpus(with_csl, extracted):
    for doc in [*with_csl.values(), *extracted.values()]:
        assert_offsets(doc)
        noise = [doc.text[p.start:p.end] for p in doc.passages if p.role == "boilerplate"]
        for passage in doc.passages:
            if passage.role == "content":
                chunk = doc.text[passage.start:passage.end]
                assert not any("\n" + n in chunk or chunk.startswith(n + "\n") for n in noise)


def test_text_is_exactly_the_file(with_csl):
    for doc in with_csl.values():
        raw = (CORPUS / doc.path).read_bytes()
        assert doc.text == raw.decode("utf-8") and doc.size == len(raw)


def assert_offsets(doc) -> None:
    """Passages are sorted, disjoint, trimmed, and cover every non-whitespace character exactly once."""
    last_end = 0
    for passage in doc.passages:
        chunk = doc.text[passage.start:passage.end]
        assert chunk and chunk == chunk.strip() and passage.start >= last_end, (passage, chunk)
        last_end = passage.end
    covered = set()
    for passage in doc.passages:
        covered.update(range(passage.start, passage.end))
    assert all(i in covered or ch.isspace() for i, ch in enumerate(doc.text))
