"""Copies across documents (syndication) and inside one, plus the text-cue rules for noise and kinds."""

from __future__ import annotations

from timeweave.ingest.boilerplate import line_reason
from timeweave.ingest.duplicates import find_cross_document
from timeweave.ingest.metadata import clean_doi, parse_date
from timeweave.ingest.read import read_document

ORIGINAL = (
    "On 20 August 1939 Zhukov launched a massive offensive with tanks, artillery and aircraft, encircling the "
    "Japanese 23rd Infantry Division near the Khalkhin Gol river within ten days of heavy fighting."
)
SYNDICATED = ORIGINAL.replace("massive", "large").replace("heavy", "bitter")
OTHER = (
    "The Protocol of Mutual Assistance between the USSR and the Mongolian People's Republic was signed in "
    "Ulaanbaatar on 12 March 1936 and committed both sides to help each other if attacked."
)


def test_cross_document_exact_and_near():
    passages = [
        ("a", 0, ORIGINAL),
        ("a", 1, OTHER),
        ("b", 0, "  " + ORIGINAL.upper().replace(" ", "\n ")),  # same text, other case and spacing
        ("b", 1, "Short line."),
        ("c", 2, SYNDICATED),
        ("c", 3, ORIGINAL),  # copies a as well as b: the first occurrence is a's
        ("d", 0, "A passage about something else entirely, long enough to count but sharing no shingles at all."),
    ]
    found = find_cross_document(passages)
    assert found == [("b", 0, "a", 0, "exact"), ("c", 2, "a", 0, "near"), ("c", 3, "a", 0, "exact")]
    assert find_cross_document(passages) == found  # deterministic


def test_cross_document_ignores_own_document_and_short_passages():
    found = find_cross_document([("a", 0, ORIGINAL), ("a", 5, ORIGINAL), ("b", 0, "Conclusion"), ("c", 0, "Conclusion")])
    assert found == []
    assert find_cross_document([("a", 0, OTHER), ("b", 0, OTHER)], min_chars=1000) == []


def test_threshold_controls_near_copies():
    rewritten = ORIGINAL.replace("tanks", "armour").replace("ten", "eleven").replace("near", "by")
    assert find_cross_document([("a", 0, ORIGINAL), ("b", 0, rewritten)], threshold=0.9) == []
    assert find_cross_document([("a", 0, ORIGINAL), ("b", 0, rewritten)], threshold=0.3)[0][4] == "near"


def test_within_document_near_copy(tmp_path):
    first = tmp_path / "a.txt"
    first.write_text(f"Battle\n\n{ORIGINAL}\n\n{OTHER}\n\n{SYNDICATED}\n", encoding="utf-8")
    second = tmp_path / "b.txt"
    second.write_text(f"{OTHER}\n\nSomething new happened in 1945 when the Soviet Union declared war on Japan in Manchuria.\n",
                      encoding="utf-8")
    docs = [read_document(p, display_path=p.name) for p in (first, second)]
    copy = docs[0].passages[3]
    assert (copy.duplicate_of, copy.duplicate_kind, copy.duplicate_scope) == (("a", 1), "near", "within")
    # copies across documents are marked in the store by the build (tests/test_build.py)


def test_boilerplate_line_rules():
    noisy = {
        "Home | About | Contact": "navigation menu",
        "Powered by WordPress": "hosting or site-credit notice",
        "© 2021 Example Press": "copyright notice",
        "Last updated: 3 May 2020": "page timestamp footer",
        "🇷🇺 🤝": "emoji-only line",
        "#Victory #KhalkhinGol85": "hashtag-only line",
        "Page 3 of 10": "lone page number",
        "- 12 -": "lone page number",
        "Read online": "site action link",
        "Download PDF": "site action link",
    }
    for line, reason in noisy.items():
        assert line_reason(line) == reason, line
    for line in ("1939", "Conclusion", "Copyright law in the USSR changed in 1928.",
                 "Designed by the General Staff in July 1939, the offensive used three groups of tanks and infantry.", "# Introduction", "by Tsedendambyn Batbayar", "🗓 On May 11, 1939, troops fought."):
        assert line_reason(line) is None, line


def test_metadata_helpers():
    assert clean_doi("see https://doi.org/10.1000/xyz-123).") == "10.1000/xyz-123"
    assert clean_doi("DOI: 10.1002/(SICI)1097-4571(199806)49:8<693::AID>") == "10.1002/(SICI)1097-4571(199806)49:8"
    assert clean_doi("10.12/too-short-prefix") is None
    assert [parse_date(s) for s in ("September, 2000", "11 May 2021", "May 11, 2021", "2021-05-11", "in 1999", "none")] == [
        "2000-09", "2021-05-11", "2021-05-11", "2021-05-11", "1999", None]


def test_kinds_from_text_cues_without_csl(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Forwarded from Victory Channel 🎖\n🔥 Today we remember the heroes of 1939! 🙏\n#Victory\n", encoding="utf-8")
    statement = tmp_path / "statement.md"
    statement.write_text("# Statement on the anniversary\n\nby Ministry of Defence\n\nThe ministry honours the veterans.\n",
                         encoding="utf-8")
    kinds = {p.name: read_document(p, display_path=p.name).meta.kind for p in (post, statement)}
    assert kinds == {"post.txt": "social_media_post", "statement.md": "government_statement"}
    plain = tmp_path / "notes.txt"
    plain.write_text("Some notes about the war in 1939 and the treaty of 1936.\n", encoding="utf-8")
    meta = read_document(plain, display_path=plain.name).meta
    assert (meta.kind, meta.kind_reason) == ("other", "no evidence of a more specific kind")
