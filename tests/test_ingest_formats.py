"""Every supported format read from real files made in tmp_path, and every hostile file failing clearly."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes
from timeweave.ingest.read import read_document

RU = (
    "Битва на Халхин-Голе — вооружённый конфликт, продолжавшийся с весны по осень 1939 года у реки "
    "Халхин-Гол на территории Монголии.\n\nВ мае 1939 года японские войска перешли границу.\n"
)
FR = "Le café déjà célèbre à Genève: une façade naïve, où l'on mangeait des crêpes.\nÜber München und Köln, 1939.\n"
EN = "The Battle of Khalkhin Gol\n\nIn May 1939 Soviet and Mongolian troops fought the Kwantung Army on the Khalkha river.\n"


def read(path: Path, **kwargs):
    return read_document(path, display_path=path.name, **kwargs)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def fails(path: Path, code: str, **kwargs) -> IngestError:
    with pytest.raises(IngestError) as info:
        read(path, **kwargs)
    error = info.value
    assert error.code == code, str(error)
    assert path.name in str(error) and error.reason and error.hint
    assert str(error).startswith(f"[{code}] {path.name}: ")
    return error


@pytest.mark.parametrize(
    ("name", "data", "text", "encodings"),
    [
        ("utf8.txt", EN.encode("utf-8"), EN, {"utf-8"}),
        ("bom.txt", b"\xef\xbb\xbf" + EN.encode("utf-8"), EN, {"utf-8-sig"}),
        ("utf16.txt", EN.encode("utf-16"), EN, {"utf-16-le", "utf-16-be"}),
        ("utf16be.txt", b"\xfe\xff" + RU.encode("utf-16-be"), RU, {"utf-16-be"}),
        ("utf16-nobom.txt", EN.encode("utf-16-le"), EN, {"utf-16-le"}),
        ("russian.txt", RU.encode("cp1251"), RU, {"cp1251"}),
        ("french.md", FR.encode("latin-1"), FR, {"cp1252", "latin-1", "iso8859-1", "iso8859-15"}),
        ("crlf.txt", EN.replace("\n", "\r\n").encode(), EN.replace("\n", "\r\n"), {"utf-8"}),
    ],
)
def test_text_encodings(tmp_path, name, data, text, encodings):
    doc = read(write(tmp_path, name, data))
    assert doc.text == text  # exactly the decoded text; only a leading BOM is dropped
    assert doc.encoding in encodings
    assert doc.size == len(data) and len(doc.sha256) == 64
    assert doc.format == name.rsplit(".", 1)[1]
    assert_offsets(doc)


def test_html_main_text_without_menus_and_footer(tmp_path):
    html = """<!doctype html><html><head><title>Nomonhan 1939 | War History Site</title>
    <meta name="author" content="Jane Doe"><meta property="article:published_time" content="2021-06-03"></head>
    <body><nav><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li><li><a href="/contact">Contact</a></li></ul></nav>
    <article><h1>Nomonhan 1939</h1>
    <p>In May 1939 Japanese and Mongolian forces clashed on the Khalkha river, and the fighting escalated through the summer.</p>
    <p>Zhukov arrived in June and planned the August offensive that encircled the Japanese 23rd Division.</p></article>
    <footer><p>Copyright 2021 War History Site. All rights reserved. Privacy policy.</p></footer></body></html>"""
    doc = read(write(tmp_path, "page.html", html.encode()))
    assert "Zhukov arrived in June" in doc.text
    assert "Privacy policy" not in doc.text and "Contact" not in doc.text
    assert doc.meta.authors == ["Jane Doe"] and doc.meta.issued == "2021-06-03"
    assert "Nomonhan 1939" in doc.meta.title
    assert doc.format == "html" and doc.meta.kind == "web_page"
    assert_offsets(doc)


def test_html_legacy_encoding_from_meta_charset(tmp_path):
    body = "<p>" + RU.replace("\n", " ") * 2 + "</p>"
    html = f'<html><head><meta charset="windows-1251"><title>Бой на Халхин-Голе</title></head><body><article>{body}</article></body></html>'
    doc = read(write(tmp_path, "ru.htm", html.encode("cp1251")))
    assert doc.encoding == "cp1251" and "японские войска" in doc.text and doc.meta.title == "Бой на Халхин-Голе"


def test_pdf_text_layer(tmp_path):
    from reportlab.pdfgen import canvas  # pinned in the test extra: a missing one must fail, not skip
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setTitle("Khalkhin Gol Report")
    pdf.drawString(72, 760, "The Battle of Khalkhin Gol")
    pdf.drawString(72, 730, "Soviet and Mongolian forces defeated the Kwantung Army in August 1939.")
    pdf.showPage()
    pdf.drawString(72, 760, "A ceasefire was agreed on 16 September 1939.")
    pdf.save()
    doc = read(write(tmp_path, "report.pdf", buffer.getvalue()))
    assert "Kwantung Army in August 1939" in doc.text and "16 September 1939" in doc.text
    assert doc.meta.title == "Khalkhin Gol Report" and doc.format == "pdf" and doc.encoding is None
    assert_offsets(doc)


def test_pdf_without_text_layer(tmp_path):
    from reportlab.pdfgen import canvas  # pinned in the test extra: a missing one must fail, not skip
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(72, 600, 200, 100, fill=1)  # a drawing, like a scanned page: no text
    pdf.showPage()
    pdf.save()
    error = fails(write(tmp_path, "scan.pdf", buffer.getvalue()), codes.NO_TEXT_LAYER)
    assert "no text layer" in error.reason and "OCR" in error.hint


def test_docx_paragraphs_and_properties(tmp_path):
    import docx  # python-docx is a pinned dependency
    document = docx.Document()
    document.core_properties.title = "Talks in the Kremlin"
    document.core_properties.author = "Larisa B. Zhabaeva"
    document.add_heading("Talks in the Kremlin", level=1)
    document.add_paragraph("On 24 November 1934 Stalin received the Mongolian delegation led by Genden.")
    document.add_paragraph("The mutual assistance protocol was signed on 12 March 1936.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "1936", "Protocol signed"
    path = tmp_path / "talks.docx"
    document.save(path)
    doc = read(path)
    assert "Stalin received the Mongolian delegation" in doc.text and "1936 | Protocol signed" in doc.text
    assert doc.meta.title == "Talks in the Kremlin" and doc.meta.authors == ["Larisa B. Zhabaeva"]
    assert len([p for p in doc.passages if p.role == "content"]) == 4
    assert_offsets(doc)


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.txt", b"", codes.EMPTY),
        ("blank.md", b"  \n\t\r\n  \n", codes.NO_TEXT),
        ("nul.txt", b"abc\x00\x01\x02\xff\xfe\x00\x00binary" * 10, codes.BINARY),
        ("control.txt", bytes(range(1, 9)) * 50, codes.BINARY),
        ("disguised.txt", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", codes.BINARY),
        ("random.txt", bytes((i * 37 + 11) % 128 + 128 for i in range(600)), codes.UNDECODABLE),
        ("broken.html", b"<<<<>>>> %%% <div", codes.NO_MAIN_TEXT),
        ("scripts.html", b"<html><head><script>var a=1;</script></head><body><nav></nav></body></html>", codes.NO_MAIN_TEXT),
        ("corrupt.pdf", b"%PDF-1.4\nthis is not really a pdf\n%%EOF", codes.CORRUPT_PDF),
        ("corrupt.docx", b"PK\x03\x04 not a zip at all", codes.CORRUPT_DOCX),
        ("text.docx", b"I am plain text pretending to be a Word file.", codes.CORRUPT_DOCX),
        ("notes.rtf", b"{\\rtf1 hello}", codes.UNSUPPORTED),
    ],
)
def test_hostile_files(tmp_path, name, data, code):
    fails(write(tmp_path, name, data), code)


def test_docx_zip_without_document(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    fails(write(tmp_path, "zip.docx", buffer.getvalue()), codes.CORRUPT_DOCX)


def test_size_limit_checked_before_reading(tmp_path, monkeypatch):
    path = write(tmp_path, "big.txt", b"x" * (3 * 2**20 + 100_000))
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before the size check"))
    error = fails(path, codes.TOO_LARGE, max_bytes=2 * 2**20)
    assert str(error) == (
        "[T003] big.txt: the file is 3.1 MB, over the 2 MB limit. Raise it with --set max_file_mb=5 or split the file."
    )


def test_unreadable_and_missing(tmp_path):
    (tmp_path / "folder.txt").mkdir()  # root can read any file: a folder named like a file is unreadable
    error = fails(tmp_path / "folder.txt", codes.UNREADABLE)
    assert "folder" in error.reason
    fails(tmp_path / "gone.txt", codes.NOT_FOUND)
    os.mkfifo(tmp_path / "pipe.txt")  # would block forever if read
    assert "named pipe (FIFO), not a regular file" in fails(tmp_path / "pipe.txt", codes.NOT_REGULAR).reason


def assert_offsets(doc) -> None:
    """Passages are sorted, disjoint, trimmed, and cover every non-whitespace character exactly once."""
    covered = [0] * len(doc.text)
    last_end = 0
    for passage in doc.passages:
        chunk = doc.text[passage.start:passage.end]
        assert chunk and chunk == chunk.strip(), (passage, chunk)
        assert passage.start >= last_end
        last_end = passage.end
        for i in range(passage.start, passage.end):
            covered[i] += 1
    for i, ch in enumerate(doc.text):
        assert covered[i] == 1 or ch.isspace(), (i, ch)


def test_error_table_documents_every_code():
    for name, code in codes.ALL_CODES.items():
        assert re.search(rf"^\| {code} \| {name} +\|", codes.__doc__, re.M), code
    assert len(set(codes.ALL_CODES.values())) == len(codes.ALL_CODES) == 24
