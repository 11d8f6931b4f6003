"""A document's own date where news and web pages print it: the dateline and the date line under the title.

Words such as "today", "this week" or "On Friday" can only be dated from the date of the text that
uses them. Wire copy states that date in its dateline ("HANOI, Vietnam (Nov 9, 1995 - 16:06 EST) --",
"LONDON, 3 March 1921 (Reuters) —"), and blogs and magazines under the headline, on a line that holds
nothing but the date ("| August 1, 2018", "Posted on Jan. 1, 2012"). These are conventions of the
press in general, not of one site. A dateline without a year ("WASHINGTON, Aug. 5 (AP) —") gives no
date here: a guessed year would date every "today" of the text wrongly.
"""

from __future__ import annotations

import re

from timeweave.annotate.timex.patterns import MON_WORD

HEADER_LINES = 6  # a date line belongs to the header: the title, a byline, the date
DATELINE_LINES = 15  # a dateline opens the first paragraph of the story, after the header
# Weekdays here include the abbreviations of newspaper headers ("Tues., Nov. 9"); the time-expression
# rules' WEEKDAY (annotate/timex/patterns.py) has full names only, so this one stays its own.
_WEEKDAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"
_MONTH = MON_WORD  # the time-expression rules' month names ("Nov", "Sept.", "November", "NOV."), one list for both
_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
# a full date with a year: "Nov 9, 1995", "9 November 1995", "1995-11-09", "November 1995"
_DATE = (rf"(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+{_YEAR}"
         rf"|{_YEAR}-\d\d-\d\d|{_MONTH},?\s+{_YEAR})")
_CLOCK = r"(?:\s*[-–,@]?\s*(?:at\s+)?\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"
# "| August 1, 2018", "Posted on Jan. 1, 2012", "Monday, 3 March 1921 10:15 GMT" and nothing else
_DATE_ONLY = re.compile(rf"^[\s|•·/—–-]*(?:(?:posted|published|updated|dated)(?:\s+on)?\s*:?\s*)?(?P<date>{_DATE}){_CLOCK}[\s|•·/—–-]*$", re.I)
# "HANOI, Vietnam (Nov 9, 1995 - 16:06 EST) --", "LONDON, March 3, 1921 (Reuters) —", "PARIS (AFP) 3 March 1921 -"
_PLACE = r"[A-Z][A-Z.'’ -]*[A-Z.](?:,\s*[A-Z][\w.'’ -]{1,30}?)?"
_AGENCY = r"\((?:AP|UPI|AFP|Reuters|[A-Z][A-Za-z]{1,10})\)"
_DASH = r"(?:--|—|–|-)"
_DATELINE = re.compile(
    rf"^\s*{_PLACE}\s*(?:\((?P<inner>{_DATE}){_CLOCK}\)|,\s*(?P<after>{_DATE})\s*(?:{_AGENCY})?|{_AGENCY}\s*(?P<agency>{_DATE}))\s*{_DASH}\s")


def header_date(lines: list[str]) -> tuple[str, str] | None:
    """The date the text prints for itself ("Nov 9, 1995") and where, from its dateline or a date line in its header.

    `lines` are the text's stripped non-empty lines in order; None when it prints no dated dateline
    and no line of the header is a date alone (then deictic words stay unresolved)."""
    for line in lines[:DATELINE_LINES]:
        match = _DATELINE.match(line)
        if match:
            date = match.group("inner") or match.group("after") or match.group("agency")
            return date, f"the dateline {line[:match.end()].strip()!r}"
    for line in lines[:HEADER_LINES]:
        match = _DATE_ONLY.match(line)
        if match:
            return match.group("date"), f"the date line {line.strip()!r} under the title"
    return None
