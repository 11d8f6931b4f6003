"""A text not in English is recorded with its language, stored and searchable, but not annotated (T016)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from timeweave.build import EXIT_FAILURES, build
from timeweave.chronicle import chronicle, validate
from timeweave.ingest.language import detect, normalise_code
from timeweave.serve import create_app
from timeweave.store import open_store
from timeweave.store import schema as t
from timeweave.store.search import search

RUSSIAN = ("Бои на Халхин-Голе — вооружённый конфликт, продолжавшийся с весны по осень 1939 года у реки "
           "Халхин-Гол на территории Монголии близ границы с Маньчжоу-го между СССР, Монголией и Японской "
           "империей. Заключительное сражение произошло в конце августа.")
MONGOLIAN = ("Халхын голын байлдаан нь 1939 оны тавдугаар сараас есдүгээр сар хүртэл Монгол Улсын нутаг дэвсгэр "
             "дээр Зөвлөлт Холбоот Улс, Монгол Улс ба Японы эзэнт гүрний хооронд болсон зэвсэгт мөргөлдөөн юм.")
GERMAN = ("Die Schlacht am Chalchin Gol war ein militärischer Konflikt zwischen der Sowjetunion und der Mongolei "
          "auf der einen und Japan auf der anderen Seite. Sie fand im Jahr 1939 statt und endete mit einer "
          "Niederlage der japanischen Truppen.")
JAPANESE = "ノモンハン事件は、1939年5月から同年9月にかけて、満洲国とモンゴル人民共和国の間の国境線をめぐって発生した紛争である。" * 2


@pytest.mark.parametrize("text, code", [(RUSSIAN, "ru"), (MONGOLIAN, "mn"), (GERMAN, "de"), (JAPANESE, "ja")])
def test_language_by_script_and_common_words(text, code):
    found = detect(text)
    assert found.code == code and found.reason


def test_the_bundled_corpus_is_english_and_a_short_text_undetermined(corpus_dir):
    for path in corpus_dir.glob("*.txt"):
        assert detect(path.read_text(encoding="utf-8")).code == "en", path.name
    assert detect("Khalkhin Gol, 1939.").code is None
    assert (normalise_code("en-US"), normalise_code("Russian"), normalise_code("??")) == ("en", "ru", None)


def test_a_russian_text_is_stored_and_searchable_but_not_annotated(tmp_path, corpus_dir):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "halhin-gol-ru.txt").write_text(RUSSIAN, encoding="utf-8")
    (folder / "note-de.txt").write_text(GERMAN, encoding="utf-8")
    (folder / "stalin.txt").write_text((corpus_dir / "zhabaeva-2021-stalin-genden.txt").read_text(encoding="utf-8"), encoding="utf-8")
    # a catalog record can overrule detection
    (folder / "sources.json").write_text(json.dumps([{"id": "note", "type": "article", "title": "Note",
                                                      "file": "note-de.txt", "language": "en-GB"}]), encoding="utf-8")
    db = tmp_path / "s.db"
    report = build([folder], db=db)
    assert report.exit_code == EXIT_FAILURES
    (warning,) = report.failed
    assert warning.code == "T016" and warning.path.endswith("halhin-gol-ru.txt")
    assert "Russian" in warning.reason and "translation" in warning.hint
    engine = open_store(db, create=False)
    with engine.connect() as conn:
        languages = {r.id: r.language for r in conn.execute(select(t.sources))}
        per_source = {table.name: dict(conn.execute(select(table.c.source_id, func.count()).group_by(table.c.source_id)).all())
                      for table in (t.timexes, t.mentions, t.event_mentions)}
        texts = {r.source_id: r.text for r in conn.execute(select(t.texts))}
    assert languages == {"halhin-gol-ru": "ru", "note": "en", "stalin": "en"}
    for counts in per_source.values():
        assert "halhin-gol-ru" not in counts and counts.get("stalin")
    assert any(hit.get("source_id") == "halhin-gol-ru" for hit in search(engine, "Халхин"))
    document = chronicle(engine)
    validate(document, texts=texts)
    assert {s["id"]: s["language"] for s in document["sources"]}["halhin-gol-ru"] == "ru"
    page = TestClient(create_app(db)).get("/sources/halhin-gol-ru")
    assert page.status_code == 200 and "not annotated" in page.text and "Халхин-Гол" in page.text
    assert build([folder], db=db).failed == []  # unchanged on the next build: nothing new to warn about


def test_text_with_no_telling_words_is_read_as_english_and_says_why():
    found = detect("Ð‘Ð¾Ð¸ Ð½Ð° Ð¥Ð°Ð»Ñ…Ð¸Ð½-Ð“Ð¾Ð»Ðµ " * 50)  # UTF-8 Russian read as cp1252
    assert found.code == "en" and "no language's common words stand out" in found.reason
    assert detect("1" * 1_000_000).code is None
