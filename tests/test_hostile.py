"""A generated hostile corpus (bench/hostile.py, kept small) builds in bounded time: every bad entry named
with its reason, nothing outside the folder read, the good documents stored, a rebuild that says what changed.

Also the pieces one by one: chunked annotation keeps offsets, the zip check, the time limit, code
pages chosen by language evidence, aliases.csv rows, stale runs, source identity across working
directories, and a corpus stage that fails.
"""

from __future__ import annotations

import os
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

from timeweave.build import build, mark_stale_runs
from timeweave.errors import IngestError
from timeweave.ingest import errors as codes
from timeweave.store import open_store
from timeweave.store import schema as t

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import hostile  # noqa: E402

# The 2M-character line must hit the limit, not hold the suite; a small file must never hit it, even when a loaded
# machine stalls the build for seconds (at 8 s a 300-byte HTML file timed out once at load average 15-20).
FAST = {"max_seconds_per_file": 30, "embeddings": False}


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    corpus = base / "hostile-corpus"
    expected = hostile.make_hostile_corpus(corpus, total=70, valid=4, bomb_mb=64, book_chars=30_000)
    report = build([corpus], db=base / "store.db", config=FAST)
    return base, corpus, expected, report


def test_every_entry_is_stored_failed_or_skipped_with_its_guard(hostile_build):
    # Bounded time is held by the guards' codes below, not by a clock (the build's time is bench/hostile.py's):
    # the FIFO is refused unread (T017), the zip bomb unpacked no further than its limit (T019), the
    # 2M-character line stopped at max_seconds_per_file (T020).
    base, corpus, expected, report = hostile_build
    result = hostile.account(report, expected)
    assert result["missing"] == [] and result["unexpected"] == []
    assert result["stored"] >= 4 + 10  # the valid texts and the non-UTF-8 names
    for failure in report.failed:
        assert failure.reason and failure.hint and failure.path.startswith(("hostile-corpus", "(corpus stage", str(corpus)))
    got = {f.code for f in report.failed}
    assert {"T001", "T003", "T004", "T005", "T006", "T012", "T017", "T018", "T019", "T020", "T022", "T023"} <= got
    with open_store(base / "store.db", create=False).connect() as conn:
        paths = [r.path for r in conn.execute(select(t.sources.c.path))]
        texts = [r.text for r in conn.execute(select(t.texts.c.text))]
        runs = conn.execute(select(t.runs.c.status)).scalars().all()
    assert not any(hostile.MARKER in x or "root:x:0:0" in x for x in texts)  # nothing outside the folder was read
    assert all(p.startswith("hostile-corpus/") for p in paths)
    assert "hostile-corpus/names/r\\xe9sum\\xe9-0-\\xff.txt" in paths  # bytes of the name, shown as \xNN
    assert runs == ["ok"]


def test_quotes_equal_the_source_at_their_offsets(hostile_build):
    base = hostile_build[0]
    with open_store(base / "store.db", create=False).connect() as conn:
        source_text = dict(conn.execute(select(t.texts.c.source_id, t.texts.c.text)).all())
        for row in conn.execute(select(t.timexes.c.source_id, t.timexes.c.start, t.timexes.c.end, t.timexes.c.text)):
            assert source_text[row.source_id][row.start:row.end] == row.text


def test_rebuild_from_elsewhere_is_unchanged_and_says_what_changed(hostile_build, tmp_path, monkeypatch):
    base, corpus, expected, report = hostile_build
    monkeypatch.chdir(tmp_path)  # another working directory, and the folder named through ..
    (corpus / "valid" / "00" / "report-0001.txt").write_text(hostile.valid_text(5000))
    (corpus / "valid" / "00" / "report-0002.txt").unlink()
    (corpus / "new-report.txt").write_text(hostile.valid_text(6000))
    relative = Path(os.path.relpath(corpus, tmp_path))
    again = build([relative], db=base / "store.db", config=FAST)
    assert again.new == ["hostile-corpus/new-report.txt"]
    assert again.changed == ["hostile-corpus/valid/00/report-0001.txt"]
    assert again.removed == ["hostile-corpus/valid/00/report-0002.txt"]
    assert "hostile-corpus/valid/00/report-0000.txt" in again.unchanged
    with open_store(base / "store.db", create=False).connect() as conn:
        paths = [r.path for r in conn.execute(select(t.sources.c.path))]
    assert len(paths) == len(set(paths)) and all(p.startswith("hostile-corpus/") for p in paths)


def test_chunked_annotation_keeps_offsets_and_indexes():
    from timeweave.annotate.chunks import chunk_spans
    from timeweave.annotate.pipeline import load_nlp
    from timeweave.annotate.run import annotate_document
    from timeweave.ingest.read import read_document

    path = Path(__file__).parent / "_chunk_probe.txt"
    try:
        path.write_text("\n".join(hostile.valid_text(100 + i) for i in range(12)), encoding="utf-8")
        document = read_document(path, display_path="probe.txt")
    finally:
        path.unlink()
    nlp = load_nlp()
    whole, view = annotate_document(nlp, document)
    parts, chunked_view = annotate_document(nlp, document, chunk_chars=1000)
    assert len(chunk_spans(view.text, 1000)) >= 3
    assert [(x.start, x.end, x.value) for x in parts.timexes] == [(x.start, x.end, x.value) for x in whole.timexes]
    assert len(parts.event_mentions) == len(whole.event_mentions)
    for event in parts.event_mentions:  # indexes point at the annotation of the same chunk, shifted
        if event.timex is not None:
            timex = parts.timexes[event.timex]
            assert event.start <= timex.start < event.end or timex.sentence is not None
        for participant in event.participants:
            mention = parts.entity_mentions[participant.mention]
            assert chunked_view.text[mention.start:mention.end] == mention.text
    for timex in parts.timexes:
        start, end = chunked_view.span_to_source(timex.start, timex.end)
        assert document.text[start:end] == timex.text


def test_chunks_cut_at_paragraphs_then_lines_then_spaces():
    from timeweave.annotate.chunks import chunk_spans

    text = "a" * 50 + "\n\n" + "b" * 40 + "\n" + "c" * 30 + " " + "d" * 200
    spans = chunk_spans(text, 100)
    assert spans[0] == (0, 52) and all(b - a <= 100 for a, b in spans)
    assert "".join(text[a:b] for a, b in spans) == text and spans[-1][1] == len(text)
    assert chunk_spans("x" * 250, 100) == [(0, 100), (100, 200), (200, 250)]  # no break anywhere: hard cuts


def test_zip_check_before_extraction(tmp_path):
    from timeweave.ingest.archives import check_zip

    path = tmp_path / "bomb.docx"
    hostile.stream_zip_bomb(path, 8)
    data = path.read_bytes()
    with pytest.raises(IngestError) as ratio:
        check_zip(data, path="bomb.docx", max_unzipped_bytes=100 * 2**20, max_ratio=100)
    assert ratio.value.code == codes.ARCHIVE_BOMB and "times larger" in ratio.value.reason
    with pytest.raises(IngestError) as size:
        check_zip(data, path="bomb.docx", max_unzipped_bytes=2**20, max_ratio=10**6)
    assert "over the 1 MB limit" in size.value.reason
    check_zip(data, path="bomb.docx", max_unzipped_bytes=100 * 2**20, max_ratio=10**6)  # within both: no error
    check_zip(b"not a zip", path="x.docx", max_unzipped_bytes=1, max_ratio=1)  # the docx reader reports it (T011)


def test_time_limit_interrupts_a_stage_that_never_checks():
    from timeweave.ingest.limits import time_limit

    give_up = time.monotonic() + 120  # not a speed check: a limit that never fires ends the loop, and the test fails
    with pytest.raises(IngestError) as info:
        with time_limit({"max_seconds_per_file": 0.5}, "slow.txt"):
            try:
                while time.monotonic() < give_up:  # a library loop that swallows Exception cannot swallow the limit
                    try:
                        sum(range(10_000))
                    except Exception:
                        pass
            finally:
                pass
    assert info.value.code == codes.TIMEOUT


@pytest.mark.parametrize(("text", "encoding", "expected"), [
    ("Le traité fut signé à Versailles le 28 juin 1919, et la délégation allemande protesta contre les clauses.", "latin-1", "cp1252"),
    ("The Café Odeon in Zürich was opened on 1 July 1911 by the brothers who had come from the town.", "latin-1", "cp1252"),
    ("Договор был подписан в Москве 23 августа 1939 года, и это вызвало удивление в мире.", "cp1251", "cp1251"),
    ("Договор был подписан в Москве 23 августа 1939 года, и это вызвало удивление в мире.", "koi8-r", "koi8-r"),
    ("Traktat został podpisany w Rydze w 1921 roku i nie był zmieniony przez wiele lat, jak się okazało.", "cp1250", "cp1250"),
])
def test_code_page_chosen_by_language_evidence(text, encoding, expected):
    from timeweave.ingest.decode import decode_bytes

    assert decode_bytes(text.encode(encoding), path="x.txt") == (text, expected)


def test_double_decoded_text_is_a_warning_not_a_failure():
    from timeweave.ingest.decode import mojibake_warning

    broken = "The café’s owner said it’s the best in São Paulo.".encode("utf-8").decode("cp1252")
    warning = mojibake_warning(broken, "menu.txt")
    assert warning.code == codes.MOJIBAKE and "'Ã©' for 'é'" in warning.reason
    assert mojibake_warning("The café’s owner in São Paulo, Zürich and Kraków.", "fine.txt") is None


def test_unclosed_html_is_read_by_the_tolerant_parser():
    from timeweave.ingest.formats import extract_html

    page = ("<html><head><title>The strike<body><div><p>On 4 June 1905 the dock workers of the harbour went on strike and "
            "the city was closed for three days.<div><p>The governor sent troops on <b>6 June 1905")
    text, hints = extract_html(page, path="strike.html")
    assert text.startswith("On 4 June 1905 the dock workers") and text.endswith("sent troops on 6 June 1905")
    assert hints["title"] == "The strike"


def test_aliases_rows_any_case_and_bad_lines_named(tmp_path):
    from timeweave.ingest.aliases import read_aliases

    path = tmp_path / "aliases.csv"
    path.write_text("alias,canonical name,type\nBerger, Anna Berger ,PERSON\n# a comment\nOttomans,Ottoman Empire, State\n"
                    "only two,columns\nX,Y,planet\n", encoding="utf-8")
    rows, problems = read_aliases([path])
    assert rows == [("Berger", "Anna Berger", "person", "aliases.csv"), ("Ottomans", "Ottoman Empire", "state", "aliases.csv")]
    assert [(p.code, p.path.rsplit(":", 1)[1]) for p in problems] == [(codes.ALIASES_ROW, "5"), (codes.ALIASES_ROW, "6")]
    assert "unknown type 'planet'" in problems[1].reason


def test_a_killed_run_is_interrupted_a_running_one_is_not(tmp_path):
    engine = open_store(tmp_path / "s.db")
    with engine.begin() as conn:
        for pid in (os.getpid(), 2**22 + 12345, None):  # alive (this process), gone, from before migration 0006
            conn.execute(t.runs.insert().values(started_at="x", status="running", versions={}, config={}))
            conn.execute(text("UPDATE runs SET pid = :pid, host = :host WHERE id = (SELECT max(id) FROM runs)"),
                         {"pid": pid, "host": __import__("socket").gethostname() if pid else None})
    assert mark_stale_runs(engine) == [2, 3]
    with engine.connect() as conn:
        assert conn.execute(select(t.runs.c.status).order_by(t.runs.c.id)).scalars().all() == ["running", "interrupted", "interrupted"]


def test_a_failing_corpus_stage_is_recorded_and_rolled_back(tmp_path, monkeypatch):
    import timeweave.reconcile as reconcile

    corpus = tmp_path / "small"
    corpus.mkdir()
    (corpus / "a.txt").write_text(hostile.valid_text(1))

    def broken(engine, config=None):
        raise RuntimeError("simulated bug in reconcile")

    monkeypatch.setattr(reconcile, "reconcile", broken)
    report = build([corpus], db=tmp_path / "s.db", config=FAST)
    stage = [f for f in report.failed if f.code == codes.CORPUS_STAGE]
    assert len(stage) == 1 and "reconcile" in stage[0].path and "rolled back" in stage[0].reason
    assert report.read == ["small/a.txt"] and report.stage_failures == ["reconcile (events and comparisons)"]
    with open_store(tmp_path / "s.db", create=False).connect() as conn:
        assert conn.execute(select(t.runs.c.status)).scalars().all() == ["failed"]
        assert conn.execute(select(t.sources.c.id)).scalars().all() == ["a"]


def test_an_explicit_fifo_and_a_zip_in_disguise(tmp_path):
    from timeweave.ingest.discover import discover

    os.mkfifo(tmp_path / "pipe.txt")
    found = discover([tmp_path / "pipe.txt"])
    assert found.files == [] and [e.code for e in found.failures] == [codes.NOT_REGULAR]
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as archive:
        archive.writestr("a.txt", "text")
    assert discover([tmp_path]).failures[0].code == codes.NOT_REGULAR  # the pipe; the .zip is skipped by extension


def test_catalog_files_out_of_the_corpus_or_not_regular_are_not_read(tmp_path):
    from timeweave.ingest.catalog import load_catalog

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("text")
    (tmp_path / "elsewhere.json").write_text('[{"id": "a", "title": "' + hostile.MARKER + '"}]')
    os.symlink(tmp_path / "elsewhere.json", corpus / "sources.json")
    os.mkfifo(corpus / "more.csl.json")
    catalog = load_catalog([corpus / "a.txt"], roots=[corpus.resolve()])
    assert [p.code for p in catalog.problems] == [codes.OUTSIDE_CORPUS]  # the pipe is not a file: passed over unopened
    assert catalog.lookup(corpus / "a.txt") is None
