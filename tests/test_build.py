"""`build` end to end on the bundled corpus and on a hostile folder: stored, skipped, failed, resumed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from timeweave.build import EXIT_FAILURES, build
from timeweave.chronicle import chronicle, validate
from timeweave.cli import app
from timeweave.store import open_store
from timeweave.store import schema as t


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory, corpus_dir) -> Path:
    target = tmp_path_factory.mktemp("corpus") / "khalkhin-gol"
    shutil.copytree(corpus_dir, target)
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory, corpus_copy):
    db = tmp_path_factory.mktemp("store") / "kg.db"
    report = build([corpus_copy], db=db)
    return db, report


def copy_store(db: Path, target: Path) -> Path:
    """Copy a SQLite store with the backup API: a plain file copy would miss the WAL's pages."""
    import sqlite3

    with sqlite3.connect(db) as source, sqlite3.connect(target) as dest:
        source.backup(dest)
    return target


def rows(db, table, *where):
    with open_store(db, create=False).connect() as conn:
        return conn.execute(select(table).where(*where)).all()


def passage_texts(db, source_id, **flags):
    text = rows(db, t.texts, t.texts.c.source_id == source_id)[0].text
    found = rows(db, t.passages, t.passages.c.source_id == source_id)
    return [(text[p.start : p.end], p) for p in found if all(getattr(p, k) == v for k, v in flags.items())]


def test_bundled_corpus_stores_five_sources_with_metadata_and_kinds(built):
    db, report = built
    assert report.failed == [] and len(report.read) == 5
    sources = {r.id: r for r in rows(db, t.sources)}
    assert set(sources) == {
        "batunaev-2019-khalkhin-gol", "zhabaeva-2020-military-cooperation", "batbayar-2000-soviet-japanese-confrontation",
        "zhabaeva-2021-stalin-genden", "russian-mfa-2024-khalkhin-gol-85",
    }
    assert sources["batunaev-2019-khalkhin-gol"].doi == "10.21684/2411-197X-2019-5-3-173-184"
    assert sources["batunaev-2019-khalkhin-gol"].authors == ["Eduard V. Batunaev"]
    assert sources["batbayar-2000-soviet-japanese-confrontation"].issued == "2000-09"
    assert sources["zhabaeva-2021-stalin-genden"].volume == "14"
    assert {r.metadata_origin for r in sources.values()} == {"csl-json"}
    assert sources["russian-mfa-2024-khalkhin-gol-85"].kind == "government_statement"
    assert sources["batbayar-2000-soviet-japanese-confrontation"].kind == "book_chapter"
    assert sources["zhabaeva-2020-military-cooperation"].kind == "abstract"
    assert all(r.kind_reason for r in sources.values())


def test_texts_are_stored_exactly_as_read(built, corpus_copy):
    db, _ = built
    for row in rows(db, t.sources):
        stored = rows(db, t.texts, t.texts.c.source_id == row.id)[0].text
        assert stored == (corpus_copy / Path(row.path).name).read_text(encoding="utf-8")


def test_batbayar_menu_and_footer_are_boilerplate(built):
    db, _ = built
    boiler = [text for text, _ in passage_texts(db, "batbayar-2000-soviet-japanese-confrontation", role="boilerplate")]
    content = " ".join(text for text, _ in passage_texts(db, "batbayar-2000-soviet-japanese-confrontation", role="content"))
    for line in ("Home", "About the Author", "How to contact Us", "Hosted by www.Geocities.ws"):
        assert line in boiler
    assert any("All rights reserved" in b for b in boiler)
    assert "Home" not in content.split() and "Geocities" not in content
    assert "Soviet-Japanese relations, officially established in 1925" in content


def test_mfa_second_copy_is_a_duplicate_within_the_post(built):
    db, _ = built
    dups = passage_texts(db, "russian-mfa-2024-khalkhin-gol-85", duplicate_scope="within")
    assert any("signed a Protocol of Mutual Assistance on March 12, 1936" in text for text, _ in dups)
    firsts = {p.duplicate_of for _, p in dups}
    originals = {p.id: text for text, p in passage_texts(db, "russian-mfa-2024-khalkhin-gol-85", duplicate_of=None)}
    assert firsts <= set(originals)
    text = rows(db, t.texts, t.texts.c.source_id == "russian-mfa-2024-khalkhin-gol-85")[0].text
    protocol = "signed a Protocol of Mutual Assistance on March 12, 1936"
    first_copy = text.index(protocol)
    for dup_text, p in dups:  # every duplicate lies in the second half and repeats an earlier passage
        assert p.start > first_copy and dup_text.strip() in text[: p.start]


def test_nothing_is_annotated_in_boilerplate_or_copies(built):
    db, _ = built
    skipped = {(p.source_id, p.id) for p in rows(db, t.passages) if p.role == "boilerplate" or p.duplicate_scope == "within"}
    for table in (t.timexes, t.mentions, t.event_mentions):
        for row in rows(db, table):
            assert (row.source_id, row.passage_id) not in skipped, f"{table.name} row {row.id} lies in a skipped passage"


def test_export_validates_with_faithful_quotes(built):
    db, _ = built
    engine = open_store(db, create=False)
    with engine.connect() as conn:
        texts = {r.source_id: r.text for r in conn.execute(select(t.texts))}
    validate(chronicle(engine), texts=texts)


def test_second_build_skips_unchanged_and_reports_changes_and_removals(tmp_path, corpus_copy, built):
    db, _ = built
    work_db = copy_store(db, tmp_path / "kg.db")
    again = build([corpus_copy], db=work_db)
    assert again.read == [] and len(again.unchanged) == 5
    folder = tmp_path / "changed"
    shutil.copytree(corpus_copy, folder)
    changed_db = tmp_path / "changed.db"
    build([folder], db=changed_db)
    with (folder / "batunaev-2019-khalkhin-gol.txt").open("a", encoding="utf-8") as handle:
        handle.write("\nA new closing paragraph about the Yalta Conference of 1945.\n")
    (folder / "zhabaeva-2021-stalin-genden.txt").unlink()
    report = build([folder], db=changed_db)
    assert [Path(p).name for p in report.read] == ["batunaev-2019-khalkhin-gol.txt"]
    assert [Path(p).name for p in report.removed] == ["zhabaeva-2021-stalin-genden.txt"]
    assert len(rows(changed_db, t.sources)) == 5  # kept until --prune
    pruned = build([folder], db=changed_db, prune=True)
    assert pruned.pruned and len(rows(changed_db, t.sources)) == 4
    # what the build around the corpus stages cost, and each stage's CPU, are in the report (bench/incremental.py)
    assert {"discovery and catalog", "unchanged files (hash, compare)", "read, annotate, write",
            "counts and the run row"} <= set(report.phase_seconds)
    assert all(cpu >= 0 and wall >= 0 for wall, cpu in report.phase_seconds.values())
    assert set(report.stage_cpu_seconds) == set(report.stage_seconds)


def test_a_source_stored_under_an_older_path_takes_the_key_of_its_file(tmp_path, corpus_copy, built):
    """A store made when sources were known by their path as typed: a new build finds the same file under its
    key and renames the source, reading nothing again; a stored path of no file here is left as it is."""
    from sqlalchemy import update

    db, _ = built
    work_db = copy_store(db, tmp_path / "old-paths.db")
    engine = open_store(work_db, create=False)
    name = "batunaev-2019-khalkhin-gol.txt"
    key = f"{corpus_copy.name}/{name}"
    with engine.begin() as conn:
        conn.execute(update(t.sources).where(t.sources.c.path == key).values(path=str(corpus_copy / name)))
        conn.execute(update(t.sources).where(t.sources.c.path == f"{corpus_copy.name}/zhabaeva-2021-stalin-genden.txt")
                     .values(path="/nowhere/gone.txt"))
    report = build([corpus_copy], db=work_db)
    paths = {r.path for r in rows(work_db, t.sources)}
    assert key in paths and str(corpus_copy / name) not in paths and "/nowhere/gone.txt" in paths
    assert name not in {Path(p).name for p in report.read}


def test_a_reader_with_a_new_version_re_reads_unchanged_files(tmp_path, corpus_copy, built, monkeypatch):
    """A bumped COMPONENT (the events reader's output changed) re-annotates; the factory names alone would not."""
    import timeweave.annotate.events.component as events_component

    db, _ = built
    work_db = copy_store(db, tmp_path / "kg.db")
    monkeypatch.setattr(events_component, "COMPONENT", events_component.COMPONENT + "-next")
    again = build([corpus_copy], db=work_db)
    assert again.unchanged == [] and len(again.changed) == 5


def test_batch_sizes_change_no_fingerprint_but_a_reading_setting_does():
    """Batching is how the work is done, not what is read: a new batch size must not re-annotate a store."""
    from timeweave import config as settings
    from timeweave.build import fingerprint

    base = settings.resolve(None)
    info = {"timeweave": "x", "components": ["a"]}
    assert fingerprint(info, {**base, "nlp_batch_size": 3, "write_batch_size": 5}) == fingerprint(info, base)
    assert fingerprint(info, {**base, "embeddings": not base["embeddings"]}) != fingerprint(info, base)
    assert fingerprint({**info, "components": ["b"]}, base) != fingerprint(info, base)


def test_a_build_killed_mid_way_leaves_whole_documents_and_resumes(tmp_path, corpus_copy, monkeypatch):
    import timeweave.annotate.run as run

    real = run.Annotations.from_doc
    calls = {"n": 0}

    def dies_on_the_third(doc):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("simulated kill")
        return real(doc)

    db = tmp_path / "kg.db"
    one_at_a_time = {"nlp_batch_size": 1, "write_batch_size": 1}  # so that two documents are stored when the third dies
    monkeypatch.setattr(run.Annotations, "from_doc", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        build([corpus_copy], db=db, config=one_at_a_time)
    stored = rows(db, t.sources)
    assert len(stored) == 2
    for source in stored:  # each stored document is whole: its text and passages are there
        assert rows(db, t.texts, t.texts.c.source_id == source.id)
        assert rows(db, t.passages, t.passages.c.source_id == source.id)
    assert rows(db, t.runs)[-1].status == "failed"
    monkeypatch.setattr(run.Annotations, "from_doc", real)
    resumed = build([corpus_copy], db=db, config=one_at_a_time)
    assert len(resumed.unchanged) == 2 and len(resumed.read) == 3
    assert resumed.changed == [] and len(resumed.new) == 3


def make_hostile_folder(root: Path) -> dict[str, str]:
    """One file per kind of bad input, plus a valid one; returns name → expected reason fragment."""
    root.mkdir()
    (root / "valid.txt").write_text("On 12 March 1936 the two governments signed a protocol of mutual assistance.\n")
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.md").write_text("   \n\n  \n")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (root / "huge.txt").write_bytes(b"word " * (2 * 2**20 // 5 + 10))  # just over 2 MB with max_file_mb=1
    # a UTF-16 byte-order mark, then a lone surrogate: no encoding reads it as the file claims
    (root / "undecodable.txt").write_bytes(b"\xff\xfe" + "Some text ".encode("utf-16-le") * 20 + b"\x00\xd8\x41\x00" * 5)
    (root / "broken.html").write_text("<html><head><script>var x = 1;</script></head><body><div></div></body")
    (root / "scan.pdf").write_bytes(_pdf_without_text())
    (root / "corrupt.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "notes.xyz").write_text("unknown format")
    loop = root / "loop"
    loop.mkdir()
    (loop / "again").symlink_to(loop, target_is_directory=True)
    return {
        "empty.txt": "empty", "blank.md": "whitespace", "binary.txt": "binary", "huge.txt": "limit",
        "undecodable.txt": "invalid", "broken.html": "text", "scan.pdf": "text layer", "corrupt.docx": "word document",
    }


def _pdf_without_text() -> bytes:
    from reportlab.pdfgen import canvas
    import io

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.rect(100, 100, 200, 200, fill=1)  # a drawing, no text: like a scanned image
    page.save()
    return buffer.getvalue()


def test_hostile_folder_reports_every_bad_file_and_stores_the_valid_one(tmp_path):
    expected = make_hostile_folder(tmp_path / "hostile")
    db = tmp_path / "h.db"
    result = CliRunner().invoke(app, ["build", str(tmp_path / "hostile"), "--db", str(db), "--set", "max_file_mb=1"])
    assert result.exit_code == EXIT_FAILURES, result.output
    failures = {Path(r.path).name: r for r in rows(db, t.failures)}
    for name, fragment in expected.items():
        assert name in failures, f"{name} was not reported: {sorted(failures)}"
        assert fragment in failures[name].reason.lower(), (name, failures[name].reason)
        assert failures[name].hint and failures[name].code
        assert name in result.output  # printed by name too
    assert any("loop" in name or "again" in name for name in failures), "the symlink loop was not reported"
    assert [Path(r.path).name for r in rows(db, t.sources)] == ["valid.txt"]
    assert "notes.xyz" in result.output  # skipped with a reason, not a failure
    status = CliRunner().invoke(app, ["status", "--db", str(db)])
    assert status.exit_code == 0 and "scan.pdf" in status.output


def test_cli_wiring(built, tmp_path):
    db, _ = built
    runner = CliRunner()
    sources = runner.invoke(app, ["sources", "--db", str(db), "--json"])
    assert sources.exit_code == 0 and len(json.loads(sources.output)) == 5
    assert runner.invoke(app, ["timeline", "--db", str(db)]).exit_code == 0
    out = tmp_path / "chronicle.json"
    exported = runner.invoke(app, ["export", "json", "--db", str(db), "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text())["schema"] == 3
    missing = runner.invoke(app, ["status", "--db", str(tmp_path / "nope.db")])
    assert missing.exit_code == 2 and "timeweave build" in missing.output


def test_a_dask_cluster_builds_the_same_store(tmp_path, corpus_copy, built):
    from timeweave.build import counts

    db = tmp_path / "dask.db"
    report = build([corpus_copy], db=db, workers=2)
    assert report.failed == [] and len(report.read) == 5
    serial_db, _ = built
    assert counts(open_store(db, create=False)) == counts(open_store(serial_db, create=False))
    with open_store(db, create=False).connect() as conn:
        parallel = sorted((r.source_id, r.start, r.end, r.type) for r in conn.execute(select(t.event_mentions)))
    with open_store(serial_db, create=False).connect() as conn:
        serial = sorted((r.source_id, r.start, r.end, r.type) for r in conn.execute(select(t.event_mentions)))
    assert parallel == serial


def test_a_passage_syndicated_into_another_document_is_marked_as_its_copy(tmp_path):
    paragraph = ("The Soviet and Mongolian governments signed a Protocol of Mutual Assistance on March 12, 1936, "
                 "which provided for mutual military help in case of an attack on either country.")
    folder = tmp_path / "syndicated"
    folder.mkdir()
    (folder / "original.txt").write_text(f"Original report\n\n{paragraph}\n", encoding="utf-8")
    (folder / "copy.txt").write_text(f"Reprint\n\nA new opening line about the 1930s alliance and its treaties.\n\n{paragraph}\n",
                                     encoding="utf-8")
    db = tmp_path / "s.db"
    build([folder], db=db)
    texts = {r.source_id: r.text for r in rows(db, t.texts)}
    by_id = {p.id: p for p in rows(db, t.passages)}
    copies = [p for p in by_id.values() if p.duplicate_scope == "across"]
    assert len(copies) == 1
    copy, first = copies[0], by_id[copies[0].duplicate_of]
    assert copy.duplicate_kind == "exact" and copy.source_id != first.source_id
    assert texts[copy.source_id][copy.start : copy.end] == texts[first.source_id][first.start : first.end] == paragraph
