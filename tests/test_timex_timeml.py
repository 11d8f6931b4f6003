"""tag-timeml: TempEval-3 in, TIMEX3-tagged TimeML out, with the text unchanged."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from timeweave.annotate.timex.timeml import TimeMLError, make_te3input, strip_tags, tag_document, tag_timeml
from timeweave.errors import TimeweaveError

DOC = """<?xml version="1.0" ?>
<TimeML>
<DOCID>X1</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="1989-10-26" temporalFunction="false" functionInDocument="CREATION_TIME">10/26/89</TIMEX3></DCT>
<TEXT>
AT&amp;T said <EVENT eid="e1">yesterday</EVENT> that profit rose in the third quarter, up from a year earlier.
Shares closed at 5 p.m. Tuesday; prices fell 1932-1939 &lt;sic&gt;.
</TEXT>
</TimeML>
"""


def _text(doc: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<TEXT>(.*)</TEXT>", doc, re.S).group(1))


def test_tag_document_keeps_text_and_parses():
    tagged, n = tag_document(DOC)
    assert _text(tagged) == _text(strip_tags(DOC))
    root = ET.fromstring(tagged.split("?>", 1)[1])
    timexes = root.find("TEXT").findall("TIMEX3")
    assert n == len(timexes) >= 5
    values = {t.text: (t.get("type"), t.get("value")) for t in timexes}
    assert values["yesterday"] == ("DATE", "1989-10-25")
    assert values["the third quarter"] == ("DATE", "1989-Q3")
    assert values["a year earlier"] == ("DATE", "1988-Q3")
    assert values["5 p.m. Tuesday"] == ("TIME", "1989-10-24T17:00")
    assert values["1932"] == ("DATE", "1932") and values["1939"] == ("DATE", "1939")  # a range: two ends
    assert "EVENT" not in tagged


def test_tag_timeml_folder(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "A.tml").write_text(DOC, encoding="utf-8")
    (src / "B.tml.TE3input").write_text(strip_tags(DOC), encoding="utf-8")
    assert tag_timeml(src, out) == 2
    assert sorted(p.name for p in out.iterdir()) == ["A.tml", "B.tml"]


def test_make_te3input(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "A.tml").write_text(DOC, encoding="utf-8")
    assert make_te3input(tmp_path / "gold", tmp_path / "te3") == 1
    made = (tmp_path / "te3" / "A.tml.TE3input").read_text(encoding="utf-8")
    assert "<EVENT" not in made and "<DCT><TIMEX3" in made


@pytest.mark.parametrize("setup, code", [
    (lambda p: None, "TML001"),
    (lambda p: p.mkdir(), "TML002"),
])
def test_bad_input_raises_clear_errors(tmp_path, setup, code):
    folder = tmp_path / "missing"
    setup(folder)
    with pytest.raises(TimeMLError, match=code) as info:
        tag_timeml(folder, tmp_path / "out")
    assert isinstance(info.value, TimeweaveError)


def test_file_without_text_element(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "A.tml").write_text("<TimeML><DCT/></TimeML>", encoding="utf-8")
    with pytest.raises(TimeMLError, match="no <TEXT>"):
        tag_timeml(tmp_path / "in", tmp_path / "out")
