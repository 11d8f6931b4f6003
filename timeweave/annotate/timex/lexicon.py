"""Words the time patterns are built from: month, weekday, season, unit and number names.

Kept apart from the patterns so a reader can check the vocabulary at a glance and so the
normaliser and the patterns agree on one spelling table.
"""

from __future__ import annotations

import re

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}
MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")

WEEKDAYS = {"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5,
            "saturday": 6, "sunday": 7}

# TIMEX3 season codes; EDTF level-1 season numbers (21 spring .. 24 winter, northern hemisphere).
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
SEASON_EDTF = {"SP": 21, "SU": 22, "FA": 23, "WI": 24}
SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}  # 14 = Feb next year

PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI",
                "overnight": "NI", "tonight": "NI"}

UNITS = {
    "second": "S", "minute": "M", "hour": "H", "day": "D", "week": "W", "fortnight": "W",
    "month": "M", "quarter": "Q", "year": "Y", "decade": "DE", "century": "CE", "centurie": "CE",
    "yr": "Y", "min": "M", "hr": "H",
}
TIME_UNITS = {"second", "minute", "hour", "min", "hr"}
# Words for the moment of writing itself (PRESENT_REF): on a dated day they stand at that day. "Nowadays",
# "these days" are wider than a day and are left out.
AT_WRITING = {"now", "right now", "just now", "currently", "at present"}
# Words counted in days only when they count back or forward from a date ("shelled two nights
# before", "three nights later"): a night belongs to one calendar day. TimeML has no night unit for
# a length ("stayed three nights" stays untagged), so these are not in UNITS.
DAY_COUNTED_UNITS = {"night": "D"}

ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "twenty-first": 21,
    "twenty-second": 22, "twenty-third": 23, "twenty-fourth": 24, "twenty-fifth": 25,
    "twenty-sixth": 26, "twenty-seventh": 27, "twenty-eighth": 28, "twenty-ninth": 29,
    "thirty-first": 31, "last": 4, "final": 4,
}
VAGUE_COUNTS = {"a few", "few", "several", "some", "many", "a couple of", "couple of",
                "a number of", "numerous"}


def alt(words) -> str:
    """A regex alternation of `words`, longest first so that 'sept' wins over 'sep'."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def number_value(word: str) -> int | None:
    """'eighteen' -> 18, 'twenty-four' / 'twenty four' -> 24, '18' -> 18, 'a' -> 1; else None."""
    word = word.lower().strip()
    if word.isdigit():
        return int(word) if len(word) <= 6 else None
    if word in ("a", "an", "one"):
        return 1
    if word in ONES:
        return ONES[word]
    if word in TENS:
        return TENS[word]
    parts = re.split(r"[\s-]+", word)
    if len(parts) == 2 and parts[0] in TENS and parts[1] in ONES:
        return TENS[parts[0]] + ONES[parts[1]]
    if parts[-1] == "hundred" and len(parts) == 2:
        inner = number_value(parts[0])
        return inner * 100 if inner is not None else None
    return None


def ordinal_value(word: str) -> int | None:
    """'12th' -> 12, 'twelfth' -> 12, 'twenty-first' -> 21; else None."""
    word = word.lower().strip().replace(" ", "-")
    m = re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)?", word)
    if m:
        return int(m.group(1))
    if word in ORDINALS:
        return ORDINALS[word]
    return _composed_ordinal(word)


def _composed_ordinal(word: str) -> int | None:
    """'fiftieth' -> 50, 'seventy-fifth' -> 75, 'hundredth' -> 100, 'two-hundredth' -> 200,
    'one-hundred-and-fiftieth' -> 150: anniversaries count past the days of a month."""
    parts = [p for p in word.split("-") if p and p != "and"]
    if not parts:
        return None
    last = parts[-1]
    if last in ("hundredth", "thousandth"):
        unit = 100 if last == "hundredth" else 1000
        head = number_value("-".join(parts[:-1])) if parts[:-1] else 1
        return head * unit if head and head < 10 else None
    if last.endswith("ieth") and last[:-4] + "y" in TENS:
        value = TENS[last[:-4] + "y"]
    elif last in ORDINALS and ORDINALS[last] < 20 and last not in ("last", "final"):
        value = ORDINALS[last]
        if value < 10 and len(parts) >= 2 and parts[-2] in TENS:
            value += TENS[parts[-2]]
            parts = parts[:-1]
    else:
        return None
    rest = parts[:-1]
    if not rest:
        return value
    if len(rest) == 2 and rest[1] == "hundred" and rest[0] in ONES and 1 <= ONES[rest[0]] <= 9:
        return ONES[rest[0]] * 100 + value
    return None


def spelled_year(words: str) -> int | None:
    """'nineteen ninety-six' -> 1996, 'two thousand' -> 2000, 'nineteen thirty' -> 1930.

    The formal reading of deeds, acts and proclamations counts too: 'one thousand nine hundred and
    sixty-four' -> 1964, 'one thousand seven hundred and seventy-six' -> 1776.
    """
    words = words.lower().replace("-", " ").split()
    if words[:2] == ["one", "thousand"] and len(words) >= 4 and words[3] == "hundred" and words[2] in ONES \
            and 1 <= ONES[words[2]] <= 9:
        tail = " ".join(w for w in words[4:] if w != "and")
        low = number_value(tail) if tail else 0
        return 1000 + ONES[words[2]] * 100 + low if low is not None and 0 <= low <= 99 else None
    if words[:2] == ["two", "thousand"]:
        rest = " ".join(w for w in words[2:] if w != "and")
        return 2000 + (number_value(rest) or 0) if rest else 2000
    if len(words) >= 2 and words[0] in ONES and ONES[words[0]] >= 10:
        rest = " ".join(words[1:])
        if rest.startswith("hundred"):
            tail = " ".join(words[2:]).replace("and ", "")
            return ONES[words[0]] * 100 + (number_value(tail) or 0 if tail else 0)
        low = number_value(rest)
        if low is not None and 10 <= low <= 99:
            return ONES[words[0]] * 100 + low
    return None
