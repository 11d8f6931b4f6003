"""Which lines of a captured document are page furniture rather than what its author wrote.

Captures of web pages and social posts carry menus, hosting notices, copyright footers, share links,
emoji and hashtags. Later stages must not read them as history ("Home" is no event), yet the text
must keep them so offsets stay true. So each line gets a reason when it is boilerplate, and the
passage built from it is marked. The rules are general patterns of page furniture; none of them
names a particular document or site.
"""

from __future__ import annotations

import re
import unicodedata

_ACTIONS = {
    "read online", "read more", "download pdf", "download", "print", "share", "share this", "back to top",
    "skip to content", "skip to main content", "click here", "subscribe", "log in", "login", "sign in",
    "sign up", "register", "search", "menu", "next", "previous", "next page", "previous page", "top",
    "full text", "pdf", "html", "view full text", "open access", "cite this article", "cite", "tweet",
    "like", "reply", "retweet", "comments", "leave a comment", "accept cookies",
}
_NAV_WORDS = re.compile(
    r"^(home|about|about us|about the author|contact|contact us|how to contact us|publications|links|news|"
    r"blog|search|sitemap|site map|faq|index|main page|services|products|gallery|archive|archives|"
    r"guestbook|guest book|login|events|resources)$",
    re.I,
)
# (pattern, reason, longest line it may judge): furniture is short; a prose sentence that happens to
# start with "Designed by" must stay content.
_PATTERNS = (
    (re.compile(r"^(hosted|powered|designed|maintained) by\b", re.I), "hosting or site-credit notice", 80),
    (re.compile(r"^(created|last (updated|modified)|updated|page (created|updated))\s*:", re.I), "page timestamp footer", 100),
    (re.compile(r"all rights reserved|^(copyright\s*)?(©|\(c\))|^copyright\s+\d{4}", re.I), "copyright notice", 150),
    (re.compile(r"\[email\W*protected\]|contact (the )?webmaster|^webmaster\b", re.I), "contact/webmaster line", 100),
    (re.compile(r"^forwarded from\b", re.I), "forwarding header of a social-media post", 100),
    # 1-3 digits only: a line holding a year ("1939") is a heading in a chronology, not a page number.
    (re.compile(r"^(page\s+)?\d{1,3}(\s+(of|/)\s+\d{1,4})?$|^[-–—]\s*\d{1,3}\s*[-–—]$", re.I), "lone page number", 20),
    (re.compile(r"^(#[^\s#]+\s*)+$"), "hashtag-only line", 200),
)
_MAX_MENU_ITEM = 50


def boilerplate_reasons(lines: list[str]) -> list[str | None]:
    """A reason for each boilerplate line, None for lines that are (or may be) the author's text."""
    reasons: list[str | None] = [line_reason(line) for line in lines]
    for index in _top_menu(lines, reasons):
        reasons[index] = "site navigation menu"
    return reasons


def line_reason(line: str) -> str | None:
    """Rules that judge a line on its own."""
    text = line.strip()
    if not text:
        return None
    if text.casefold().rstrip(" .:»>›→") in _ACTIONS:
        return "site action link"
    for pattern, reason, longest in _PATTERNS:
        if len(text) <= longest and pattern.search(text):
            return reason
    if _is_symbols_only(text):
        return "emoji-only line"
    parts = re.split(r"\s+[|/·•»>]\s+", text)
    if len(parts) >= 3 and all(_menu_item(p) for p in parts):
        return "navigation menu"
    return None


def _top_menu(lines: list[str], reasons: list[str | None]) -> list[int]:
    """A run of short title-case lines at the top of the page, with a typical navigation word in it.

    Menu items are separated by at most two blank lines; a wider gap or a line of prose ends the run.
    Three items with a navigation word (Home, About, Contact...) or six without one make a menu: a
    title, an author and a date at the top of an article must not be taken for one.
    """
    run: list[int] = []
    gap = 0
    for index, line in enumerate(lines):
        text = line.strip()
        if not text:
            gap += 1
            if run and gap > 2:
                break
            continue
        if reasons[index] is not None and not run:
            gap = 0
            continue  # boilerplate before the menu (a skip link) does not end it
        if not _menu_item(text):
            break
        gap = 0
        run.append(index)
    has_nav = any(_NAV_WORDS.match(lines[i].strip()) for i in run)
    if len(run) >= 6 or (len(run) >= 3 and has_nav):
        return run
    return []


def _menu_item(text: str) -> bool:
    text = text.strip()
    if not text or len(text) > _MAX_MENU_ITEM or text[-1] in ".,;:!?\"”»)" or not text[0].isalpha():
        return False
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    if not words or len(words) > 6 or not words[0][0].isupper():
        return False
    capital = sum(1 for w in words if w[0].isupper())
    return capital / len(words) >= 0.5


def _is_symbols_only(text: str) -> bool:
    """Emoji, pictographs and their joiners/variation selectors, nothing a reader would quote."""
    seen = False
    for ch in text:
        if ch.isspace():
            continue
        category = unicodedata.category(ch)
        if category in ("So", "Sk", "Mn", "Cf") or 0x1F1E6 <= ord(ch) <= 0x1F1FF:
            seen = seen or category == "So" or 0x1F1E6 <= ord(ch) <= 0x1F1FF
            continue
        return False
    return seen
