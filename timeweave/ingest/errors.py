"""Stable error codes of the ingest stage, so users, logs and the failures table can refer to them.

Every code is raised as `timeweave.errors.IngestError(code, path, reason, hint)`, whose message reads
"[T003] data/big.txt: the file is 80.1 MB, over the 50 MB limit. Raise it with --set max_file_mb=100
or split the file." A code never changes meaning; new problems get new codes.

| Code | Name               | When                                                              | What to do                                   |
|------|--------------------|-------------------------------------------------------------------|----------------------------------------------|
| T001 | NOT_FOUND          | a path given to build does not exist                              | fix the path                                 |
| T002 | UNREADABLE         | a file or folder cannot be opened (permission, a folder named x.txt, I/O error) | fix permissions or remove the entry |
| T003 | TOO_LARGE          | a file is over `max_file_mb` (checked before reading)             | raise `--set max_file_mb=N` or split the file |
| T004 | EMPTY              | a file has 0 bytes                                                | remove it or add its text                    |
| T005 | NO_TEXT            | a file decodes/extracts to whitespace only                        | check the file; remove it                    |
| T006 | BINARY             | a text/HTML file holds binary data (NUL bytes, control characters, a PDF/ZIP/image signature) | rename it with its real extension or convert it to text |
| T007 | UNDECODABLE        | no text encoding decodes the bytes plausibly                      | re-save the file as UTF-8                    |
| T008 | NO_MAIN_TEXT       | an HTML page is broken or has no main text after removing menus and footers | save the page's text as .txt            |
| T009 | NO_TEXT_LAYER      | a PDF has no text layer (a scanned image?)                        | run OCR first                                |
| T010 | CORRUPT_PDF        | a PDF cannot be parsed, or is encrypted                           | re-export or decrypt the PDF                 |
| T011 | CORRUPT_DOCX       | a .docx cannot be opened as a Word document                       | re-save it from Word/LibreOffice as .docx    |
| T012 | SYMLINK_LOOP       | following a symbolic link leads back into itself                  | remove the looping link                      |
| T013 | UNSUPPORTED        | `read_document` is given a file type it cannot read               | convert it to .txt/.md/.html/.pdf/.docx      |
| T014 | CATALOG_INVALID    | a sources.json / *.csl.json file is not valid CSL-JSON            | fix the JSON; its documents fall back to extracted metadata |
| T015 | CATALOG_RECORD     | a catalog record is unusable (not an object, names a missing file, names a file twice, is too large) or one of its fields is too long (left out) | fix the record               |
| T016 | NOT_ENGLISH        | a document is written in another language (detected, or `language` in its catalog record): stored and searchable, not annotated | add an English translation beside it, or set `language` in sources.json if detection is wrong |
| T017 | NOT_REGULAR        | an entry is a named pipe (FIFO), socket or device: reading it could block forever or never end (checked with lstat/stat before opening) | copy its content into a regular file |
| T018 | OUTSIDE_CORPUS     | a symbolic link leads outside the folders given to build (e.g. to /etc/passwd): not followed | copy the file into the corpus, or `--set follow_outside_links=true` |
| T019 | ARCHIVE_BOMB       | a .docx (zip) would unpack to more than `max_unzipped_mb`, or compresses more than `max_zip_ratio` to 1 | check the file; raise the settings if it is genuine |
| T020 | TIMEOUT            | reading or annotating one document took longer than `max_seconds_per_file` | split the document, or raise the setting |
| T021 | INTERNAL           | an unexpected error while processing one document (a bug): the build records it and goes on | report it with the file if you can share it |
| T022 | MOJIBAKE           | the decoded text looks like text decoded twice ("CafÃ©", "â€™"): stored as it is, with this warning | re-save the file from its original encoding as UTF-8 |
| T023 | ALIASES_ROW        | a row of an `aliases.csv` is malformed (line number given): that row is ignored, the others are used | fix or remove that line |
| T024 | CORPUS_STAGE       | a corpus-level stage (copies, link, reconcile, search index) failed: the documents are stored, the stage's tables keep their previous content | report it; the next build recomputes the stage |

Discovery never raises: T001, T002, T012, T017 and T018 land in `Discovery.failures`. Catalog problems (T014,
T015) land in `Catalog.problems` and are warnings: the documents are still read. T016 is a warning
too: the build stores the document and records it. Everything else is raised by `read_document` for
the build to record in its failures table.
"""

from __future__ import annotations

NOT_FOUND = "T001"
UNREADABLE = "T002"
TOO_LARGE = "T003"
EMPTY = "T004"
NO_TEXT = "T005"
BINARY = "T006"
UNDECODABLE = "T007"
NO_MAIN_TEXT = "T008"
NO_TEXT_LAYER = "T009"
CORRUPT_PDF = "T010"
CORRUPT_DOCX = "T011"
SYMLINK_LOOP = "T012"
UNSUPPORTED = "T013"
CATALOG_INVALID = "T014"
CATALOG_RECORD = "T015"
NOT_ENGLISH = "T016"
NOT_REGULAR = "T017"
OUTSIDE_CORPUS = "T018"
ARCHIVE_BOMB = "T019"
TIMEOUT = "T020"
INTERNAL = "T021"
MOJIBAKE = "T022"
ALIASES_ROW = "T023"
CORPUS_STAGE = "T024"

# Codes after which the document is still read and stored: they ask for attention, not a fix.
WARNINGS = frozenset({"T014", "T015", "T016", "T022", "T023"})

ALL_CODES = {
    name: value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str) and value.startswith("T")
}
