"""Passage segmentation: offsets that later stages cite must hold for any text, not only tidy ones."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from timeweave.ingest.passages import passage_sha1, segment, split_lines

PIECES = st.sampled_from([
    "Home", "About the Author", "Contact", "Hosted by example.org", "#Tag", "🇷🇺 🤝", "12", "Read online",
    "THE WAR OF", "1939 AND AFTER", "by Jane Doe", "In May 1939 the armies met on the river and fought.",
    "short line", "  indented text  ", "\t", "", " ", "« quoted »", "\u00a0", "Forwarded from Channel",
])
SEPARATORS = st.sampled_from(["\n", "\n\n", "\r\n", "\r\n\r\n", "\n\n\n", "\u2028", "\x0c", "\r"])


@st.composite
def texts(draw) -> str:
    parts = draw(st.lists(st.tuples(PIECES | st.text(max_size=30), SEPARATORS), max_size=25))
    return "".join(piece + sep for piece, sep in parts)


@settings(max_examples=300, deadline=None)
@given(texts())
def test_passages_cover_text_without_overlap(text):
    passages = segment(text)
    covered = set()
    last_end = 0
    for passage in passages:
        chunk = text[passage.start:passage.end]
        assert chunk and chunk == chunk.strip()
        assert passage.start >= last_end
        last_end = passage.end
        assert passage.sha1 == passage_sha1(chunk)
        assert (passage.role == "boilerplate") == (passage.role_reason is not None)
        if passage.role == "boilerplate":  # a boilerplate passage is exactly one line
            assert not any(text[s:e].strip() != chunk and passage.start <= s < passage.end for s, e in split_lines(text))
        covered.update(range(passage.start, passage.end))
    assert all(i in covered or ch.isspace() for i, ch in enumerate(text))


def test_hard_wrapped_block_is_one_passage_and_lines_otherwise():
    wrapped = "The Soviet Union's position of strict neutrality taken during the\nmonths while the Kwantung army's influence\nwas extended to northern Manchuria.\n"
    assert len(segment(wrapped)) == 1
    posts = "First full paragraph of a post, ending with a sentence.\nSecond paragraph, also complete.\n"
    assert len(segment(posts)) == 2
    listing = "- first item of a list\n- second item of a list\n- third item here\n"
    assert len(segment(listing)) == 3


def test_split_lines_offsets():
    text = "a\r\nb\rc\nd\u2028e"
    assert [text[s:e] for s, e in split_lines(text)] == ["a", "b", "c", "d", "e"]
