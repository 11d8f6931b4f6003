"""What kind of source a document is, and why: the chronicle weighs a ministry post differently from a
peer-reviewed abstract, and the user must be able to see (and dispute) the reason.

A CSL record, written by a person, decides first: its type, its genre and its author. Without one,
the text's own cues decide: a DOI with an "Abstract", a "Forwarded from" header with emoji and
hashtags, a ministry as author, a site menu with a "Hosted by" footer. Every rule is general.
"""

from __future__ import annotations

import re

from timeweave.ingest.types import Passage, SourceMeta

GOVERNMENT = re.compile(
    r"\b(ministry|ministère|ministerio|mfa|mofa|foreign office|state department|department of state|government|"
    r"embassy|consulate|kremlin|white house|presidential|president of|prime minister|council of ministers|"
    r"state council|parliament|duma|cabinet office|министерство|мид)\b",
    re.I,
)
_SOCIAL_TYPES = {"post", "post-weblog"}
_SCHOLARLY_TYPES = {"article-journal", "paper-conference", "article", "thesis", "report", "review"}
_NEWS_TYPES = {"article-newspaper", "broadcast", "interview"}
_DATELINE = re.compile(r"^[A-Z][A-Z .-]{2,30}, [A-Z][a-z]+\.? \d{1,2} \(?(?:[A-Z][A-Za-z]+)\)?\s*[-–—]|\((?:Reuters|AP|AFP|TASS|Xinhua|RIA Novosti)\)\s*[-–—]")


def classify(meta: SourceMeta, text: str, passages: list[Passage], *, fmt: str) -> tuple[str, str]:
    """`(kind, reason)`; a CSL record's type/genre/author override the text's cues."""
    if meta.csl:
        decided = _from_csl(meta.csl, meta)
        if decided:
            return decided
    kind, reason = _from_text(meta, text, passages, fmt=fmt)
    if meta.csl:
        reason += f" (CSL type {meta.csl.get('type')!r} did not decide)"
    return kind, reason


def _government(authors: list[str]) -> str | None:
    return next((a for a in authors if GOVERNMENT.search(a)), None)


def _from_csl(csl: dict, meta: SourceMeta) -> tuple[str, str] | None:
    kind_of = str(csl.get("type") or "").lower()
    genre = str(csl.get("genre") or "").lower()
    said = f"CSL type {kind_of!r}" + (f", genre {genre!r}" if genre else "")
    government = _government(meta.authors)
    if kind_of in _SOCIAL_TYPES or "social" in genre or "post" in genre:
        if government or "government" in genre:
            by = f"by a government body ({government})" if government else "from a government account"
            return "government_statement", f"{said}: a social-media post {by}"
        return "social_media_post", f"{said}: a social-media post"
    if "abstract" in genre:
        return "abstract", f"{said}: the text holds only the abstract of the publication"
    if kind_of == "chapter" or "chapter" in genre:
        captured = ", captured from a web page" if kind_of in ("webpage", "post-weblog") else ""
        return "book_chapter", f"{said}: a book chapter{captured}"
    if government or any(w in genre for w in ("government", "statement", "press release", "official")):
        who = f" by a government body ({government})" if government else ""
        return "government_statement", f"{said}: an official statement{who}"
    if kind_of in _SCHOLARLY_TYPES:
        return "scholarly_article", f"{said}: a scholarly publication"
    if kind_of in _NEWS_TYPES or "news" in genre:
        return "news", f"{said}: a news report"
    if kind_of == "book":
        return "book_chapter", f"{said}: a whole book, the closest kind is book_chapter"
    if kind_of in ("webpage", "entry-encyclopedia", "entry"):
        return "web_page", f"{said}: a web page"
    return None


def _from_text(meta: SourceMeta, text: str, passages: list[Passage], *, fmt: str) -> tuple[str, str]:
    reasons = [p.role_reason for p in passages if p.role == "boilerplate"]
    content_words = sum(len(text[p.start:p.end].split()) for p in passages if p.role == "content" and p.duplicate_of is None)
    social = []
    if any(r and r.startswith("forwarding header") for r in reasons):
        social.append("a 'Forwarded from' header")
    if reasons.count("hashtag-only line") or re.search(r"(^|\s)#[^\W\d_]\w{2,}", text):
        social.append("hashtags")
    emoji = len(re.findall(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]", text))
    if emoji >= 2:
        social.append(f"{emoji} emoji")
    government = _government(meta.authors)
    if len(social) >= 2 or (social and social[0].startswith("a 'Forwarded")):
        cues = ", ".join(social)
        if government:
            return "government_statement", f"a social-media post ({cues}) by a government body ({government})"
        return "social_media_post", f"a social-media post: {cues}"
    if government:
        return "government_statement", f"the author is a government body ({government})"
    lowered = [text[p.start:p.end].strip().lower().rstrip(":") for p in passages]
    has_abstract = "abstract" in lowered or bool(re.search(r"^\s*abstract[.:]", text, re.I | re.M))
    scholarly = [c for c, ok in (
        (f"DOI {meta.doi}", meta.doi), ("an 'Abstract' heading", has_abstract),
        ("a citation line", re.search(r"^(for citations?|cite as|how to cite)", text, re.I | re.M)),
        ("journal volume/pages", meta.volume or meta.page), ("a reference list", "references" in lowered),
    ) if ok]
    if len(scholarly) >= 2:
        cues = ", ".join(scholarly)
        if has_abstract or content_words < 1200:
            return "abstract", f"a scholarly record ({cues}) with only {content_words} words of text: an abstract"
        return "scholarly_article", f"a scholarly publication ({cues})"
    if re.search(r"^\s*chapter\s+([ivxlc]+|\d+)\b", text, re.I | re.M):
        return "book_chapter", "a 'Chapter N' heading"
    if any(_DATELINE.search(text[p.start:p.end]) for p in passages[:5]):
        return "news", "a news-agency dateline"
    web = sorted({r for r in reasons if r in ("site navigation menu", "navigation menu", "hosting or site-credit notice",
                                               "contact/webmaster line", "page timestamp footer")})
    if web:
        return "web_page", "captured from a web page: " + ", ".join(web)
    if fmt == "html":
        return "web_page", "an HTML page without cues for a more specific kind"
    if social:
        return "social_media_post", f"social-media cues: {social[0]}"
    return "other", "no evidence of a more specific kind"
