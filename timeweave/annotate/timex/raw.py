"""`Raw`: what a pattern match says before the discourse is consulted.

A match either denotes a calendar position outright ("24 November 1934": `when` is set), or
lacks something only the context can give: the year ("late August"), the document date
("yesterday"), the narrative reference time ("the same year"). `need` names what is missing;
`resolve.py` supplies it and writes the reason users see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from timeweave.annotate.timex.calendar import When


@dataclass
class Raw:
    start: int
    end: int
    text: str
    rule: str
    type: str = "DATE"
    when: When | None = None
    # none | year | dct | clock | anniversary | narr | rel | weekday | qref | present
    need: str = "none"
    gran: str | None = None  # the granularity a relative expression lands on
    shift: int = 0  # units of `gran` to move from the anchor
    month: int | None = None  # partial fields, filled once the year is known
    day: int | None = None
    sub: int | str | None = None
    weekday: int | None = None
    direction: int = 0  # -1 before the anchor, +1 after, 0 by tense
    hour: int | None = None
    minute: int | None = None
    tod: str | None = None
    mod: str | None = None
    value: str | None = None  # preset TIMEX3 value (durations, sets, PAST_REF ...)
    interval: tuple[str, str, str] | None = None  # preset (earliest, latest, edtf): named periods
    note: str = ""  # why the value is what it is, for the reason
    parts: list[Raw] = field(default_factory=list)  # endpoints of a range
    vague: bool = False  # "a few days later": keep the coarser unit
    tense: str | None = None  # past | present | future: the governing verb's tense (tense.py)
    of_week: bool = False  # "the week of March 6": the week that holds the day
    day_shift: int = 0  # "the day before last Tuesday": days to move once the day is known
    covers_from: int | None = None  # "the night of" left outside the extent (TimeML) but not tagged alone


EL_MODS = {
    "early": "EARLY", "earlier": "START", "late": "LATE", "later": "END", "mid": "MID",
    "mid-": "MID", "middle": "MID", "the end of": "END", "the beginning of": "START",
    "the start of": "START", "the middle of": "MID", "the first half of": "FIRST_HALF",
    "the second half of": "SECOND_HALF", "the rest of": "END",
}


def mod_of(phrase: str | None) -> str | None:
    """'the early' / 'end of the' / 'mid-' -> EARLY / END / MID (None when absent or unknown)."""
    if not phrase:
        return None
    p = " ".join(phrase.lower().replace("-", " ").split())
    for word in ("very ", "the "):
        p = p.replace(word, "") if p.startswith(word) else p
    p = p.removesuffix(" the").removesuffix(" of").removesuffix(" in").strip()
    table = {
        "early": "EARLY", "mid": "MID", "middle": "MID", "late": "LATE", "end": "END",
        "close": "END", "turn": "END", "beginning": "START", "start": "START",
        "first half": "FIRST_HALF", "second half": "SECOND_HALF", "latter half": "SECOND_HALF",
        "last half": "SECOND_HALF", "first part": "EARLY", "early part": "EARLY",
        "latter part": "LATE", "last part": "LATE", "later part": "LATE", "height": "MID",
        "earlier": "START", "later": "END", "rest": "END",
    }
    return table.get(p)
