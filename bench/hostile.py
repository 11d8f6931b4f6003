"""Build a generated hostile corpus and print time, peak memory and stored / failed / skipped / missing.

    .venv/bin/python bench/hostile.py --out /tmp/me/hostile            # 1,000 files, 850 valid texts
    .venv/bin/python bench/hostile.py --out /tmp/me/hostile --total 200 --valid 100

The corpus is what a new user's folder can hold (issue 16): short valid English texts made from
templates (places, people and dates from several centuries and continents, none from our corpora),
and, for the rest, one of each kind of bad entry, repeated: named pipes, a socket, a 2,000,000-
character single-line text, a 300,000-character book (annotated in chunks), .docx zip bombs written
by streaming (nothing large on disk), names that are not UTF-8, symbolic links to /etc/passwd and
out of the folder, link loops, dangling links, empty, blank, binary and random files, corrupt PDF and
DOCX, HTML without text and HTML with unclosed tags, latin-1 and cp1251 texts, double-decoded text,
sparse files over the size limit, unknown extensions, a README, an aliases.csv with `PERSON` and a bad
line. Every entry is expected to be stored, failed (with its code) or skipped: `missing` counts the
entries the build report does not name, and must be 0. Nothing outside the folder may be read: the
outside files hold a marker that must not appear in the store.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import socket
import sys
import time
import zipfile
from pathlib import Path

MARKER = "OUTSIDE-THE-CORPUS-7f3a"
CITIES = ["Lisbon", "Kano", "Cuzco", "Osaka", "Krakow", "Quebec", "Adelaide", "Hanoi", "Cairo", "Valparaiso", "Bergen",
          "Zanzibar", "Goa", "Antwerp", "Manila", "Timbuktu", "Samarkand", "Havana", "Dublin", "Smyrna"]
PEOPLE = ["Maria Alves", "Ibrahim Musa", "Li Wei", "Anna Nowak", "John Carter", "Amaru Quispe", "Sofia Lind",
          "Kofi Mensah", "Hiro Tanaka", "Elena Petrova", "Rahul Mehta", "Lucia Moreno"]
BODIES = ["council", "merchants' guild", "garrison", "governor", "harbour board", "bishop", "assembly", "dock workers"]
ACTS = [("signed a treaty with", "the treaty"), ("declared war on", "the war"), ("opened trade with", "the trade"),
        ("went on strike against", "the strike"), ("surrendered to", "the surrender"), ("sent envoys to", "the embassy")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def valid_text(i: int) -> str:
    """A short English text, different for every i, dated in some century between the 14th and the 20th."""
    rng = random.Random(i)
    city, other = rng.sample(CITIES, 2)
    person = rng.choice(PEOPLE)
    act, noun = rng.choice(ACTS)
    year = 1300 + (i * 7) % 650
    day, month = 1 + i % 28, MONTHS[i % 12]
    return (f"Report {i}\n\nOn {day} {month} {year} the {rng.choice(BODIES)} of {city} {act} {other}. "
            f"{person} wrote that {noun} was the talk of every market.\n\n"
            f"In {MONTHS[(i + 3) % 12]} {year + 1} the news reached {rng.choice(CITIES)}, and {noun} was remembered "
            f"for years.\n")


def stream_zip_bomb(path: Path, megabytes: int) -> None:
    """A .docx whose document.xml unpacks to `megabytes` of empty paragraphs; written by streaming."""
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("On 4 June 1905 the dock workers went on strike.")
    document.save(buffer)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with archive.open(info.filename, "w", force_zip64=True) as member:
                member.write(head + b"<w:body>")
                block = b"<w:p/>" * (1 << 17)
                for _ in range(megabytes * (1 << 20) // len(block)):
                    member.write(block)
                member.write(tail)


def make_hostile_corpus(root: Path, *, total: int = 1000, valid: int = 850, bomb_mb: int = 1024,
                        huge_chars: int = 2_000_000, book_chars: int = 300_000) -> dict[str, str]:
    """Write the corpus under `root` (a new folder); return {entry key: expected outcome}.

    An outcome is "stored", "skipped" or a failure code ("T017"). Keys are as the build reports them:
    the root folder's name, then the path below it. Outside files go to `root.parent / "outside"`.
    """
    from timeweave.ingest.files import safe_name

    root.mkdir(parents=True)
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text(f"{MARKER} " + valid_text(0))
    expected: dict[str, str] = {}
    name = root.name

    def key(rel: str | bytes) -> str:
        text = os.fsdecode(rel) if isinstance(rel, bytes) else rel
        return safe_name(Path(name) / text)

    def put(rel: str, data: bytes | str, outcome: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expected[key(rel)] = outcome

    for i in range(valid):
        put(f"valid/{i // 100:02d}/report-{i:04d}.txt", valid_text(i), "stored")
    hostile: list = []  # (kind, maker) repeated until `total` entries exist

    def fifo(n):
        rel = f"pipes/pipe-{n}.txt"
        (root / "pipes").mkdir(exist_ok=True)
        os.mkfifo(root / rel)
        expected[key(rel)] = "T017"

    def sock(n):
        (root / "pipes").mkdir(exist_ok=True)
        rel = f"pipes/s{n}.txt"
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(root / rel))
        server.close()
        expected[key(rel)] = "T017"

    def bad_name(n):
        raw = b"names/r\xe9sum\xe9-" + str(n).encode() + b"-\xff.txt"
        (root / "names").mkdir(exist_ok=True)
        with open(os.path.join(os.fsencode(root), raw), "wb") as handle:
            handle.write(valid_text(10_000 + n).encode())
        expected[key(raw)] = "stored"

    def link_out(n):
        (root / "links").mkdir(exist_ok=True)
        target = ["/etc/passwd", str(outside / "secret.txt"), str(outside)][n % 3]
        rel = f"links/out-{n}" + ("" if n % 3 == 2 else ".txt")
        os.symlink(target, root / rel)
        expected[key(rel)] = "T018"

    def loop(n):
        (root / "links").mkdir(exist_ok=True)
        rel = f"links/loop-{n}"
        os.symlink(root / "links", root / rel) if n % 2 else os.symlink(root / rel, root / rel)
        expected[key(rel)] = "T012"

    def dangling(n):
        (root / "links").mkdir(exist_ok=True)
        rel = f"links/gone-{n}.txt"
        os.symlink(root / f"nowhere-{n}.txt", root / rel)
        expected[key(rel)] = "T001"

    def bomb(n):
        rel = f"office/bomb-{n}.docx"
        (root / "office").mkdir(exist_ok=True)
        stream_zip_bomb(root / rel, bomb_mb if n == 0 else 64)
        expected[key(rel)] = "T019"

    def sparse(n):
        rel = f"big/sparse-{n}.txt"
        (root / "big").mkdir(exist_ok=True)
        with open(root / rel, "wb") as handle:
            handle.truncate(60 * 2**20)  # 60 MB of holes: over max_file_mb=50, nothing on disk
        expected[key(rel)] = "T003"

    broken = [
        ("broken/empty-{n}.txt", b"", "T004"),
        ("broken/blank-{n}.md", b"  \n\n \t\n", "T005"),
        ("broken/nul-{n}.txt", bytes(range(256)) * 8, "T006"),
        ("broken/random-{n}.txt", bytes((i * 37 + 11 * 7) % 128 + 128 for i in range(700)), "T007"),
        ("broken/scripts-{n}.html", b"<html><head><script>var a = 1;</script></head><body><script>go()</script></body></html>", "T008"),
        ("broken/corrupt-{n}.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 9 0 R >>\n%%EOF", "T010"),
        ("broken/notzip-{n}.docx", b"this is not a zip archive at all", "T011"),
        ("broken/png-{n}.html", b"\x89PNG\r\n\x1a\n" + bytes(200), "T006"),
        ("formats/unclosed-{n}.html", "<html><head><title>Strike {n}<body><div><p>On 4 June 1905 the dock workers of the harbour went on strike "
         "and the city was closed for three days.<div><p>The governor sent troops on 6 June 1905", "stored"),
        ("formats/latin1-{n}.txt", "The Café Odeon in Zürich opened on 1 July 1911, and the café was full of writers "
         "who argued about the war every night until the police closed it.\n".encode("latin-1"), "stored"),
        ("formats/russian-{n}.txt", ("Договор был подписан в Москве 23 августа 1939 года, и это вызвало удивление в мире. "
                                     "Он был опубликован на следующий день во всех газетах страны.\n").encode("cp1251"), "T016"),
        ("formats/mojibake-{n}.txt", ("The café’s owner said it’s the best in Zürich; the Odeon opened on 1 July 1911 "
                                      "and closed in 1972.\n").encode("utf-8").decode("cp1252").encode("utf-8"), "T022"),
        ("other/image-{n}.png", b"\x89PNG\r\n\x1a\n", "skipped"),
        ("other/table-{n}.csv", b"a,b\n1,2\n", "skipped"),
    ]

    def broken_file(n):
        pattern, data, outcome = broken[n % len(broken)]
        rel = pattern.format(n=n)
        put(rel, data.replace(b"{n}", str(n).encode()) if isinstance(data, bytes) else data.replace("{n}", str(n)), outcome)

    def once():
        put("huge-line.txt", ("The ship sailed from Genoa on 3 May 1492 and the crew cheered. " * (huge_chars // 63 + 1))[:huge_chars],
            "stored?")  # stored when annotated within the time limit, else T020
        book = "".join(f"Chapter {i}\n\n" + valid_text(20_000 + i) + "\n" for i in range(book_chars // 320 + 1))
        put("book.txt", book[:book_chars], "stored")
        put("README.md", "# A hostile corpus\n", "skipped")
        put("aliases.csv", "alias,canonical name,type\nBerger,Anna Berger,PERSON\nthis line is bad\n", "aliases")
        put("sources.json", "[{not json", "catalog")
        return 3  # documents among them: huge-line.txt, book.txt, README.md

    hostile = [fifo] * 5 + [sock] + [bad_name] * 10 + [link_out] * 9 + [loop] * 4 + [dangling] * 4 + [bomb] * 3 + [sparse] * 3
    made = valid + once()
    counters: dict = {}
    for maker in hostile:
        if made >= total:
            break
        n = counters[maker] = counters.get(maker, -1) + 1
        maker(n)
        made += 1
    n = 0
    while made < total:
        broken_file(n)
        n += 1
        made += 1
    return expected


def account(report, expected: dict[str, str]) -> dict[str, object]:
    """Which expected entries the report names, as what; `missing` are those it never names."""
    from timeweave.ingest.errors import WARNINGS

    stored = set(report.read) | set(report.unchanged)
    failed = {f.path: f.code for f in report.failed if f.code not in WARNINGS}
    warned = {f.path: f.code for f in report.failed if f.code in WARNINGS}
    skipped = {path for path, _reason in report.skipped}
    entries = {k: v for k, v in expected.items() if v not in ("aliases", "catalog")}
    missing = [k for k in entries if k not in stored and k not in failed and k not in skipped]
    wrong = []
    for k, want in entries.items():
        got = "stored" if k in stored else failed.get(k) or ("skipped" if k in skipped else None)
        if want == "stored?":
            ok = got in ("stored", "T020")
        elif want in ("T016", "T022"):
            ok = got == "stored" and warned.get(k) == want
        else:
            ok = got == want
        if got is not None and not ok:
            wrong.append((k, want, got, warned.get(k)))
    return {"stored": len([k for k in entries if k in stored]), "failed": len([k for k in entries if k in failed]),
            "skipped": len([k for k in entries if k in skipped]), "missing": missing, "unexpected": wrong,
            "warnings": sorted(set(warned.values()))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="A folder to create (the corpus and the store go there).")
    parser.add_argument("--total", type=int, default=1000)
    parser.add_argument("--valid", type=int, default=850)
    parser.add_argument("--bomb-mb", type=int, default=1024, help="Unpacked size of the largest zip bomb (streamed).")
    parser.add_argument("--set", dest="sets", action="append", default=[], help="A build setting NAME=VALUE.")
    args = parser.parse_args()

    from timeweave.build import build
    from timeweave.config import parse_assignments
    from timeweave.store import open_store
    from timeweave.store import schema as t

    args.out.mkdir(parents=True, exist_ok=False)
    corpus = args.out / "hostile-corpus"
    started = time.monotonic()
    expected = make_hostile_corpus(corpus, total=args.total, valid=args.valid, bomb_mb=args.bomb_mb)
    generated = time.monotonic() - started
    disk = sum(os.lstat(os.path.join(d, f)).st_blocks * 512 for d, _, fs in os.walk(corpus) for f in fs)
    started = time.monotonic()
    report = build([corpus], db=args.out / "store.db", config=parse_assignments(args.sets), command="bench/hostile.py")
    seconds = time.monotonic() - started
    peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    result = account(report, expected)
    with open_store(args.out / "store.db", create=False).connect() as conn:
        leaked = sum(1 for row in conn.execute(t.texts.select()) if MARKER in row.text or "root:x:0:0" in row.text)
    summary = {
        "files": len([v for v in expected.values() if v not in ("aliases", "catalog")]), "valid_texts": args.valid,
        "corpus_on_disk_mb": round(disk / 2**20, 1), "generate_s": round(generated, 1), "build_s": round(seconds, 1),
        "peak_rss_mb": round(peak_mb), "stored": result["stored"], "failed": result["failed"], "skipped": result["skipped"],
        "missing": len(result["missing"]), "unexpected": len(result["unexpected"]), "outside_text_stored": leaked,
        "warnings_seen": result["warnings"], "codes": _codes(report), "exit_code": report.exit_code,
    }
    print(json.dumps(summary, indent=1))
    for entry in result["missing"]:
        print("missing:", entry, file=sys.stderr)
    for entry in result["unexpected"]:
        print("unexpected:", entry, file=sys.stderr)
    return 0 if not result["missing"] and not leaked else 1


def _codes(report) -> dict[str, int]:
    counts: dict[str, int] = {}
    for failure in report.failed:
        counts[failure.code] = counts.get(failure.code, 0) + 1
    return dict(sorted(counts.items()))


if __name__ == "__main__":
    sys.exit(main())
