"""Bibliographic metadata: from a CSL-JSON record when the user has one, else read off the text.

A chronicle cites its sources, so every document needs a title, authors and a date even when nobody
catalogued it. Captured texts usually carry them in recognisable places: a heading, a "by X" byline,
a "For citation:" line, a DOI, a "Vol. 14, no. 3" / "pp. 428 – 435" block, a "Created: September,
2000" footer, a "Journal (Jun 2021)" header. These are general patterns of scholarly and web
publishing (the press's datelines and date lines: `datelines`); reference lists are left out so the
works a text cites are not taken for the text itself.
"""

from __future__ import annotations

import re

from unidecode import unidecode

from timeweave.ingest.datelines import header_date
from timeweave.ingest.kinds import GOVERNMENT
from timeweave.ingest.passages import split_lines
from timeweave.ingest.types import Passage, SourceMeta

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
DOI_RE = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
_URL_RE = re.compile(r"https?://[^\s\"<>]+")
_REFERENCES = re.compile(r"^(references|bibliography|literature|works cited|sources|notes|список литературы)\s*:?$", re.I)
_CITATION = re.compile(r"^(?:for citations?|citation|cite as|how to cite(?: this article)?|to cite this article)\s*:\s*(.*)$", re.I)
_VENUE_DATE = re.compile(rf"^(?P<venue>[^\W\d_][^()]{{2,80}}?)\s*\((?P<month>{_MONTH})\s+(?P<year>{_YEAR})\)$")
_DATE_LABEL = re.compile(r"^(?:created|published|posted|date|first published|issued|last updated|updated)\s*:\s*(.+)$", re.I)
_LABELS = {"abstract", "keywords", "doi", "references", "introduction", "summary", "contents", "review",
           "about the author", "about the authors", "journal volume & issue", "conclusion", "conclusions"}
_NAME = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*\.?")
_PERSON = re.compile(r"[A-Z][a-z'’-]+(?:(?:\s+|(?<=\.)\s*)(?:[A-Z][a-z'’-]+|[A-Z]\.))+")
_INITIALS_NAME = re.compile(r"([A-Z][a-z'’-]+)\s+((?:[A-Z]\.\s?){1,3})")
_BULLET = re.compile(r"^[•·▪‣*-]\s*")


def slugify(text: str) -> str:
    """A stable ASCII id from a file stem: "Zhabaeva 2021 (Stalin)" -> "zhabaeva-2021-stalin"."""
    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
    return slug or "document"


def clean_doi(raw: str) -> str | None:
    """A syntactically valid DOI from a match or doi.org URL, trailing punctuation stripped."""
    match = DOI_RE.search(raw)
    if not match:
        return None
    doi = match.group(0)
    while doi and doi[-1] in ".,;:'\"»”’]}>)":
        if doi[-1] == ")" and doi.count("(") >= doi.count(")"):
            break
        doi = doi[:-1]
    return doi if re.fullmatch(r"10\.\d{4,9}/\S+", doi) else None


def csl_name(author: dict) -> str:
    """A CSL name object as "Given Family" (or its literal)."""
    if author.get("literal"):
        return str(author["literal"]).strip()
    parts = [author.get(k) for k in ("given", "dropping-particle", "non-dropping-particle", "family", "suffix")]
    return " ".join(str(p).strip() for p in parts if p)


def csl_issued(issued: object) -> str | None:
    """CSL `issued` as EDTF: [[2019]] -> "2019", [[2000, 9]] -> "2000-09", two parts -> an interval."""
    if not isinstance(issued, dict):
        return None
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        dates = [_edtf_parts(p) for p in parts[:2]]
        dates = [d for d in dates if d]
        edtf = "/".join(dates) if dates else None
    else:
        edtf = parse_date(str(issued.get("raw") or issued.get("literal") or ""))
    if edtf and issued.get("circa") and "/" not in edtf:
        edtf += "~"
    return edtf


def _edtf_parts(parts: list) -> str | None:
    try:
        numbers = [int(p) for p in parts[:3]]
    except (TypeError, ValueError):
        return None
    if not numbers:
        return None
    return "-".join([f"{numbers[0]:04d}"] + [f"{n:02d}" for n in numbers[1:]])


def meta_from_csl(record: dict, *, fallback_id: str) -> SourceMeta:
    """The record as SourceMeta; the raw record is kept so nothing the user wrote is lost."""
    def text(key: str) -> str | None:
        value = record.get(key)
        return str(value).strip() if value not in (None, "") else None

    authors = [csl_name(a) for a in record.get("author") or [] if isinstance(a, dict)]
    doi = text("DOI") or text("doi")
    return SourceMeta(
        id=text("id") or fallback_id,
        title=text("title"),
        authors=[a for a in authors if a],
        issued=csl_issued(record.get("issued")),
        doi=clean_doi(doi) or doi if doi else None,
        url=text("URL") or text("url"),
        container_title=text("container-title"),
        volume=text("volume"),
        issue=text("issue"),
        page=text("page"),
        origin="csl-json",
        csl=record,
    )


def parse_date(value: str) -> str | None:
    """EDTF for the common ways a page states its date: "September, 2000", "11 May 2021", "2021-05-11"."""
    value = value.strip()
    iso = re.search(rf"\b({_YEAR})-(\d\d)(?:-(\d\d))?\b", value)
    if iso:
        return "-".join(g for g in iso.groups() if g)
    dmy = re.search(rf"\b(\d{{1,2}})\s+({_MONTH}),?\s+({_YEAR})\b", value, re.I)
    if dmy:
        return f"{dmy.group(3)}-{_month(dmy.group(2)):02d}-{int(dmy.group(1)):02d}"
    mdy = re.search(rf"\b({_MONTH})\s+(\d{{1,2}}),?\s+({_YEAR})\b", value, re.I)
    if mdy:
        return f"{mdy.group(3)}-{_month(mdy.group(1)):02d}-{int(mdy.group(2)):02d}"
    my = re.search(rf"\b({_MONTH}),?\s+({_YEAR})\b", value, re.I)
    if my:
        return f"{my.group(2)}-{_month(my.group(1)):02d}"
    year = re.search(rf"\b({_YEAR})\b", value)
    return year.group(1) if year else None


def _month(name: str) -> int:
    return MONTHS[name[:3].lower()]


def extract_meta(text: str, passages: list[Passage], *, source_id: str, hints: dict | None = None) -> SourceMeta:
    """Metadata read off the text (and the file's own metadata `hints`), origin "extracted"."""
    hints = hints or {}
    lines = _scan_lines(text)
    citation = _citation(lines)
    meta = SourceMeta(id=source_id, origin="extracted")
    meta.doi = next((d for d in (clean_doi(line) for line in lines) if d), None)
    for line in lines:
        venue = _VENUE_DATE.match(line)
        if venue:
            meta.container_title = venue.group("venue").strip()
            meta.issued = f"{venue.group('year')}-{_month(venue.group('month')):02d}"
            break
    labelled = next((parse_date(m.group(1)) for m in map(_DATE_LABEL.match, lines) if m and parse_date(m.group(1))), None)
    printed = header_date(lines)
    dated = parse_date(printed[0]) if printed else None
    meta.issued = hints.get("issued") or labelled or dated or meta.issued or citation.get("year")
    meta.volume, meta.issue, meta.page = citation.get("volume"), citation.get("issue"), citation.get("page")
    _journal_block(lines, meta)
    meta.container_title = citation.get("container") or meta.container_title
    meta.url = hints.get("url") or _labelled_url(lines)
    meta.title = _clean_title(hints.get("title")) or _title(text, passages) or citation.get("title")
    authors = hints.get("authors") or _header_authors(lines) or citation.get("authors") or _about_author(lines)
    meta.authors = [_expand_initials(a, text) for a in authors]
    return meta


def refine_issued(meta: SourceMeta, text: str) -> None:
    """A catalogued date made as precise as the text's own dateline or date line, never contradicted.

    A record saying "2005-12" or nothing and a text printing "December 2, 2005" under its title give
    2005-12-02: "On Friday" in it can then be counted. A printed date outside the record's is left
    alone: a person wrote the record."""
    printed = header_date(_scan_lines(text))
    dated = parse_date(printed[0]) if printed else None
    if dated and "/" not in (meta.issued or "") and dated.startswith(meta.issued or "") and len(dated) > len(meta.issued or ""):
        meta.issued = dated


def _scan_lines(text: str) -> list[str]:
    """Stripped non-empty lines outside the reference list, where cited works would mislead."""
    out: list[str] = []
    in_refs = False
    for start, end in split_lines(text):
        line = text[start:end].strip()
        if not line:
            continue
        if _REFERENCES.match(line):
            in_refs = True
        elif in_refs and _CITATION.match(line):
            in_refs = False  # a "For citations:" block after the references describes this text
        if not in_refs:
            out.append(line)
    return out


def _citation(lines: list[str]) -> dict:
    """Authors, title, year, journal, volume, issue and pages of the text's own "For citation:" line."""
    for index, line in enumerate(lines):
        match = _CITATION.match(line)
        if not match:
            continue
        cite = match.group(1).strip() or (lines[index + 1] if index + 1 < len(lines) else "")
        return _parse_citation(cite)
    return {}


def _parse_citation(cite: str) -> dict:
    out: dict = {}
    authors, pos = [], 0
    while match := _INITIALS_NAME.match(cite, pos):
        initials = " ".join(re.findall(r"[A-Z]\.", match.group(2)))
        authors.append(f"{initials} {match.group(1)}")
        pos = match.end()
        sep = re.match(r"\s*(,|&|and)\s*", cite[pos:])
        if not sep:
            break
        pos += sep.end()
    out["authors"] = authors
    rest = cite[pos:]
    year = re.search(rf"\b({_YEAR})\b", rest)
    if year:
        out["year"] = year.group(1)
    quoted = re.search(r"[“\"«](.+?)[”\"»]", rest)
    if quoted:
        out["title"] = quoted.group(1).strip()
        after = rest[quoted.end():].lstrip(".,; ")
        venue = re.match(r"(.+?),\s*vol\b", after, re.I)
        if venue:
            out["container"] = venue.group(1).strip()
    vancouver = re.search(rf"({_YEAR});\s*(\w+)(?:\(([^)]+)\))?:\s*(\d+(?:\s*[-–‒—]\s*\d+)?)", rest)
    if vancouver:
        head = rest[:vancouver.start()].strip(" .")
        pieces = [p.strip() for p in re.split(r"\.\s+", head) if p.strip()]
        if len(pieces) >= 2:
            out.setdefault("container", pieces[-1])
            out.setdefault("title", ". ".join(pieces[:-1]))
        out["year"], out["volume"], out["issue"] = vancouver.group(1), vancouver.group(2), vancouver.group(3)
        out["page"] = _pages(vancouver.group(4))
    _volume_issue_pages(rest, out)
    return out


def _journal_block(lines: list[str], meta: SourceMeta) -> None:
    """Volume/issue/pages stated on their own lines ("Vol. 14, no. 3", "pp. 428 – 435")."""
    found: dict = {"volume": meta.volume, "issue": meta.issue, "page": meta.page}
    for line in lines[:40]:  # the header; "vol. 3 of his memoirs" in the body is no journal volume
        if len(line) <= 120:
            _volume_issue_pages(line, found)
    meta.volume, meta.issue, meta.page = found["volume"], found["issue"], found["page"]


def _volume_issue_pages(text: str, out: dict) -> None:
    vol = re.search(r"\bvol(?:ume)?\.?\s*(\d+[A-Za-z]?)(?:\s*,?\s*(?:no|issue|iss|№)\.?\s*(\d+))?", text, re.I)
    if vol:
        out["volume"] = out.get("volume") or vol.group(1)
        out["issue"] = out.get("issue") or vol.group(2)
    pages = re.search(r"\bpp?\.\s*(\d+\s*[-–‒—]\s*\d+)", text, re.I)
    if pages:
        out["page"] = out.get("page") or _pages(pages.group(1))


def _pages(value: str) -> str:
    return re.sub(r"\s*[-–‒—]\s*", "-", value.strip())


def _labelled_url(lines: list[str]) -> str | None:
    for line in lines:
        if re.match(r"^(url|source|available at|retrieved from|link)\b\s*:?", line, re.I):
            match = _URL_RE.search(line)
            if match:
                return match.group(0).rstrip(".,;)")
    return None


def _clean_title(value: str | None) -> str | None:
    if not value:
        return None
    value = re.sub(r"^Microsoft Word\s*-\s*", "", value.strip())
    return None if value.lower() in {"untitled", "document", ""} or len(value) > 250 else value


def _title(text: str, passages: list[Passage]) -> str | None:
    """The first substantial content passage of the header: not a label, link, byline or date line."""
    for passage in passages:
        if passage.role != "content":
            continue
        candidate = " ".join(text[passage.start:passage.end].split())
        if len(candidate) > 300:
            return None  # reached the body without meeting a title
        candidate = re.sub(r"^#+\s*", "", candidate)
        candidate = re.sub(r"^[^\w«\"“(\[]+", "", candidate).strip()  # leading emoji or bullets
        if _is_title(candidate):
            return candidate
    return None


def _is_title(line: str) -> bool:
    words = _NAME.findall(line)
    return not (
        len(line) < 10 or len(words) < 2 or line.lower().rstrip(":") in _LABELS or _VENUE_DATE.match(line)
        or _URL_RE.search(line) or DOI_RE.search(line) or re.match(r"^by\s", line, re.I)
        or _CITATION.match(line) or _DATE_LABEL.match(line) or re.fullmatch(r"[\d\s.,:;–-]+", line)
        or re.match(r"^(vol|pp?)\.?\s*\d", line, re.I)
    )


def _header_authors(lines: list[str]) -> list[str]:
    """Bylines near the top: "by X and Y", "Author: X", "• Given I. Family", "Forwarded from X"."""
    for line in lines[:25]:
        match = re.match(r"^(?:by|authors?\s*:|written by)\s+(.+)$", line, re.I)
        bullet = _BULLET.match(line)
        if match:
            names = [n.strip() for n in re.split(r",\s*|\s+and\s+|\s*&\s*", match.group(1)) if n.strip()]
            if names and all(_is_person(n) for n in names):
                return names
            if GOVERNMENT.search(match.group(1)) and len(match.group(1)) <= 100:
                return [match.group(1).strip()]  # an institution as author: "by Ministry of Defence"
        elif bullet and _is_person(line[bullet.end():].strip()):
            return [line[bullet.end():].strip()]
    for line in lines[:3]:
        match = re.match(r"^forwarded from\s+(.+)$", line, re.I)
        if match:
            channel = re.sub(r"[^\w\s.'’&-]", "", match.group(1)).strip()
            return [channel] if channel else []
    return []


def _about_author(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines[:-1]):
        if line.lower().rstrip(":") in ("about the author", "about the authors", "author", "authors"):
            match = _PERSON.match(lines[index + 1])
            return [match.group(0)] if match else []
    return []


def _is_person(name: str) -> bool:
    tokens = name.split()
    return 2 <= len(tokens) <= 5 and len(name) <= 60 and all(t[0].isupper() for t in tokens if t[0].isalpha()) \
        and all(_NAME.fullmatch(t) for t in tokens)


def _expand_initials(name: str, text: str) -> str:
    """"E. V. Batunaev" -> "Eduard V. Batunaev" when the text spells the given name out elsewhere."""
    match = re.fullmatch(r"((?:[A-Z]\.\s?)+)([A-Z][\w'’-]+)", name)
    if not match:
        return name
    initials, family = re.findall(r"[A-Z]", match.group(1)), re.escape(match.group(2))
    for pattern in (rf"\b{family},?\s+([A-Z][a-z]+)((?:\s+[A-Z]\.)*)", rf"\b([A-Z][a-z]+)((?:\s+[A-Z]\.)*)\s*{family}"):
        for found in re.finditer(pattern, text):
            given = [found.group(1)] + re.findall(r"[A-Z]\.", found.group(2))
            if [g[0] for g in given] == initials:
                return " ".join(given) + " " + match.group(2)
    return name
