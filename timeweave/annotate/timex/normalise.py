"""Turn a match of an absolute pattern (a date that names its own year, or needs only a year)
into a `Raw`. Relative and deictic patterns live in `relative.py`.

A handler returns None to reject a match the pattern could not rule out by itself ("1500
troops", "the 99th century"): rejecting is how absurd input stays undated.
"""

from __future__ import annotations

import re

from timeweave.annotate.timex.calendar import When, valid_day
from timeweave.annotate.timex.lexicon import MONTH_NAMES, MONTHS, ORDINALS, SEASONS, WEEKDAYS, ordinal_value, spelled_year
from timeweave.annotate.timex.raw import Raw, mod_of

# A year followed by one of these is a count ("1500 troops"), not a date.
_COUNT_NOUNS = re.compile(
    r"\s{1,2}(?i:troops|soldiers|men|women|people|persons|tons|tonnes|km|kilomet\w*|miles|met(?:er|re)s|feet|ft|"
    r"dollars|yuan|rubles|roubles|tugriks?|pounds|euros|yen|marks|francs|shares|workers|employees|copies|pages|units|"
    r"cases|votes|seats|tanks|aircraft|planes|guns|horses|head|casualties|dead|killed|members|students|families|"
    r"households|acres|hectares|barrels|cars|vehicles|points|percent|per\scent|cattle|sheep|prisoners|refugees|"
    r"strong|rpm|mph|kg|mm|cm|m|hp|ft|sq|square|lbs?|%)(?![\w])"
)
_NOT_BEFORE_YEAR = re.compile(r"(?i:(?:no|nos|vol|pp?|page|pages|number|#|\$|€|£|code|route|art|article|section|item|flight|room|tel|fax)\.?\s{0,2})$")


def month_of(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")]


def year_of(word: str) -> int | None:
    if word is None:
        return None
    word = word.strip()
    if word.isdigit():
        return int(word)
    return spelled_year(word)


def era_year(year: int, era: str | None) -> int:
    """Astronomical year: 331 BC -> -330 (year 0 is 1 BC)."""
    if era and era.upper().replace(".", "").startswith("B"):
        return 1 - year
    return year


def _day_when(raw: Raw, year: int, month: int, day: int | None) -> Raw:
    """Fill `raw` with a day (or, for an impossible day, only its month, saying why)."""
    if day is None:
        raw.when = When("month", year, month)
    elif valid_day(year, month, day):
        raw.when = When("day", year, month, day)
    else:
        raw.when = When("month", year, month)
        raw.note = f"there is no day {day} in {MONTH_NAMES[month]} {year}; kept the month only"
    return raw


def full_date(m: re.Match, text: str, rule: str) -> Raw | None:
    year = year_of(m["year"])
    if year is None:
        return None
    year = era_year(year, m["era"])
    day = ordinal_value(m["day"])
    raw = Raw(m.start(), m.end(), m.group(), rule)
    return _day_when(raw, year, month_of(m["mon"]), day)


_ROMAN_MONTHS = {r: i for i, r in enumerate(("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"), 1)}


def iso(m: re.Match, text: str, rule: str) -> Raw | None:
    raw = Raw(m.start(), m.end(), m.group(), rule)
    if m["usm"]:
        return _day_when(raw, int(m["usy"]), int(m["usm"]), int(m["usd"]))
    if m["eud"]:
        month = int(m["eum"]) if m["eum"].isdigit() else _ROMAN_MONTHS[m["eum"]]
        return _day_when(raw, int(m["euy"]), month, int(m["eud"]))
    if m["sld"]:
        return _day_when(raw, int(m["sly"]), int(m["slm"]), int(m["sld"]))
    raw = _day_when(raw, int(m["year"]), int(m["mon"]), int(m["day"]))
    if m["h24"] and raw.when.gran == "day":
        raw.type = "TIME"
        raw.when = When("time", raw.when.year, raw.when.month, raw.when.day, hour=int(m["h24"]), minute=int(m["mi24"]))
    return raw


def iso_month(m: re.Match, text: str, rule: str) -> Raw | None:
    return Raw(m.start(), m.end(), m.group(), rule, when=When("month", int(m["year"]), int(m["mon"])))


def month_day(m: re.Match, text: str, rule: str) -> Raw | None:
    day = ordinal_value(m["day"])
    month = month_of(m["mon"])
    if day is None or not 1 <= day <= 31 or (month == 5 and m["mon"].startswith("May") and not m["wd"] and _modal_may(text, m)):
        return None
    if rule == "dm" and m["day"].isdigit() and len(m["day"]) <= 2 and _looks_like_count(text, m.start()):
        return None
    raw = Raw(m.start(), m.end(), m.group(), rule, need="year", gran="day", month=month, day=day)
    if m["wd"]:
        raw.weekday = WEEKDAYS[m["wd"].lower()]  # "Saturday, April 25": the weekday picks the year
    det = (m.groupdict().get("det") or "").lower()
    raw.direction = {"last": -1, "next": 1, "this coming": 1, "the following": 1, "the previous": -1}.get(det, 0)
    if det in ("that", "the following", "the previous"):
        raw.need = "year"
    return raw


def _modal_may(text: str, m: re.Match) -> bool:
    """'May' followed by a pronoun is the modal verb ('May I ...'), not the month."""
    return bool(re.match(r"\s(?:I|we|you|he|she|it|they|God)\b", text[m.end("mon"):m.end("mon") + 6]))


def _looks_like_count(text: str, start: int) -> bool:
    return bool(re.search(r"[\d$]\s?$", text[max(0, start - 3):start]))


def month_year(m: re.Match, text: str, rule: str) -> Raw | None:
    year = year_of(m["year"])
    if year is None:
        return None
    raw = Raw(m.start(), m.end(), m.group(), rule, when=When("month", era_year(year, m["era"]), month_of(m["mon"])))
    raw.mod = mod_of(m["mod"]) or ("APPROX" if m["approx"] else None)
    return raw


def bare_year(m: re.Match, text: str, rule: str) -> Raw | None:
    year = year_of(m["year"])
    if year is None:
        return None
    if m["year"].isdigit():
        before = text[max(0, m.start("year") - 12):m.start("year")]
        if _NOT_BEFORE_YEAR.search(before) or _COUNT_NOUNS.match(text, m.end()):
            return None
        if re.match(r"[:.]\d|\s?(?:-|\u2013)\s?\d", text[m.end("year"):m.end("year") + 3]):
            return None
    raw = Raw(m.start(), m.end(), m.group(), rule, when=When("year", era_year(year, m["era"])))
    mod = mod_of(m["mod"])
    if mod in ("FIRST_HALF", "SECOND_HALF"):
        raw.when = When("half", raw.when.year, sub=1 if mod == "FIRST_HALF" else 2)
    else:
        raw.mod = mod or ("APPROX" if m["approx"] else None)
    return raw


def era_year_rule(m: re.Match, text: str, rule: str) -> Raw | None:
    digits = m["year0"] or m["year"]
    year = int(digits)
    if year < 1:
        return None
    raw = Raw(m.start(), m.end(), m.group(), rule, when=When("year", era_year(year, m["era"])))
    raw.mod = mod_of(m["mod"]) or ("APPROX" if m["approx"] else None)
    return raw


def year_range(m: re.Match, text: str, rule: str) -> Raw | None:
    g1, g2 = ("y1", "y2") if m["y1"] else ("y1b", "y2b")
    y1, y2s = int(m[g1]), m[g2]
    y2 = int(y2s) if len(y2s) == 4 else (y1 // 100) * 100 + int(y2s)
    if not y1 < y2 <= y1 + 300:
        return None
    parts = [Raw(m.start(g1), m.end(g1), m[g1], "year", when=When("year", y1)),
             Raw(m.start(g2), m.end(g2), m[g2], "year", when=When("year", y2))]
    if len(y2s) == 2:
        parts[1].note = f"'{y2s}' read as {y2}, in the century of {y1}"
    return Raw(m.start(), m.end(), m.group(), rule, parts=parts)


def day_range(m: re.Match, text: str, rule: str) -> Raw | None:
    b = "" if m["mon"] else "b"
    d1, d2 = ordinal_value(m["d1" + b]), ordinal_value(m["d2" + b])
    month = month_of(m["mon" + b])
    if d1 is None or d2 is None or not 1 <= d1 < d2 <= 31:
        return None
    year = year_of(m["year" + b]) if m["year" + b] else None
    parts = []
    for g, d in (("d1" + b, d1), ("d2" + b, d2)):
        part = Raw(m.start(g), m.end(g), m[g], "md", need="year", gran="day", month=month, day=d)
        if year is not None:
            part = _day_when(Raw(part.start, part.end, part.text, "md"), year, month, d)
        parts.append(part)
    return Raw(m.start(), m.end(), m.group(), rule, parts=parts)


def bare_month(m: re.Match, text: str, rule: str) -> Raw | None:
    month = month_of(m["mon"])
    det = (m["det"] or "").lower()
    if m["mon"] in ("May", "March", "MAY", "MARCH") and not (m["mod"] or m["approx"] or det):
        # "May" and "March" are also a verb and a modal: accept them only after a preposition.
        if not re.search(r"(?i:\b(?:in|of|since|until|till|by|from|to|through|during|before|after|between|and|or|early|late|mid|around))\s{1,2}$",
                         text[max(0, m.start() - 12):m.start()]):
            return None
    raw = Raw(m.start(), m.end(), m.group(), rule, need="year", gran="month", month=month)
    raw.mod = mod_of(m["mod"]) or ("APPROX" if m["approx"] else None)
    if det in ("each", "every"):
        raw.need, raw.type, raw.value = "none", "SET", f"XXXX-{month:02d}"
        return raw
    raw.direction = {"last": -1, "this past": -1, "next": 1, "this coming": 1, "the following": 1, "the previous": -1}.get(det, 0)
    if det in ("that", "the same", "the following", "the previous"):
        raw.note = "narr"
    elif det == "this":
        raw.note = "this"  # "this September": the document's own year
    if m["after"]:
        raw.need, raw.shift = "dct", {"this": 0, "last": -1, "next": 1}[m["after"].split()[0].lower()]
        raw.gran = "year"
        raw.note = "month"
    return raw


def decade(m: re.Match, text: str, rule: str) -> Raw | None:
    if m["dec"]:
        start = int(m["dec"])
    elif m["dec2"]:
        start = 1900 + int(m["dec2"])
    else:
        word = m["decw"].lower()
        start = 1900 + {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
                        "seventies": 70, "eighties": 80, "nineties": 90}[word]
    raw = Raw(m.start(), m.end(), m.group(), rule, when=When("decade", start))
    if m["dec2"] or m["decw"]:
        raw.note = f"a decade named without its century is read as the {start}s"
    raw.mod = mod_of(m["mod"]) or ("APPROX" if m["approx"] else None)
    return raw


def century(m: re.Match, text: str, rule: str) -> Raw | None:
    if m["det"]:
        det = m["det"].lower()
        shift = -1 if det in ("last", "the past", "the last") else (1 if "next" in det else 0)
        if det in ("the past", "the last", "the next"):
            return Raw(m.start(), m.end(), m.group(), rule, type="DURATION", value="P100Y")
        return Raw(m.start(), m.end(), m.group(), rule, need="dct", gran="century", shift=shift)
    word = m["c"].lower().replace(" ", "-")
    n = ordinal_value(word) if word[0].isdigit() else ORDINALS.get(word, 21 if word == "twenty-first" else None)
    if n is None or word in ("last", "final") or not 1 <= n <= 21:
        return None  # "the 99th century" is not a date anyone means: leave it undated
    bc = bool(m["era"]) and m["era"].upper().replace(".", "").startswith("B")
    first = (n - 1) * 100 if not bc else 1 - n * 100  # 5th c. BC: 500..401 BC -> -499..-400
    raw = Raw(m.start(), m.end(), m.group(), rule, when=When("century", first))
    raw.mod = mod_of(m["mod"])
    if raw.mod in ("FIRST_HALF", "SECOND_HALF"):
        raw.mod = "EARLY" if raw.mod == "FIRST_HALF" else "LATE"
    if (m["the"] or "").lower() in ("this", "last", "next", "that"):
        return None
    if bc:
        raw.note = f"the {m['c']} century BC is read as the years {n * 100}–{n * 100 - 99} BC"
    else:
        raw.note = f"the {m['c']} century is read as the years {first}–{first + 99}"
    return raw


def season(m: re.Match, text: str, rule: str) -> Raw | None:
    word = m["season"].lower()
    det = (m["det"] or "").lower()
    year_word = m["year"] or m["year2"]
    el = m["el"] or m["el2"]
    if word == "fall" and not (det or year_word or el):
        return None
    if re.match(r"\s(?i:of)\s(?!\d|(?i:nineteen|eighteen|two\sthousand))", text[m.end():m.end() + 6]):
        return None  # "the fall of Berlin"
    if not (det or year_word or el) and not re.search(
            r"(?i:\b(?:in|during|since|until|by|through|throughout|before|after|each|every|all|last|this|next))\s$",
            text[max(0, m.start() - 12):m.start()]):
        return None
    code = SEASONS[word]
    raw = Raw(m.start(), m.end(), m.group(), rule, gran="season", sub=code)
    raw.mod = mod_of(el)
    if det.startswith("the ") and det != "the" and not year_word:
        det = det[4:]
    if year_word:
        year = year_of(year_word)
        if year is None:
            return None
        raw.when = When("season", year, sub=code)
        return raw
    if det in ("this", "this coming", "this past", "current", "present", "last", "past", "next", "coming"):
        raw.need = "dct"
        raw.direction = {"last": -1, "past": -1, "this past": -1, "next": 1, "coming": 1, "this coming": 1}.get(det, 0)
    elif det in ("that", "same", "that same", "following", "next", "previous", "preceding", "prior"):
        raw.need = "narr"
        raw.direction = {"following": 1, "next": 1, "previous": -1, "preceding": -1, "prior": -1}.get(det, 0)
    else:
        raw.need = "year"
    return raw


def holiday(m: re.Match, text: str, rule: str) -> Raw | None:
    raw = Raw(m.start(), m.end(), m.group(), rule, need="year", gran="day", sub=m["hol"])
    if m["year"]:
        raw.when = holiday_date(m["hol"], int(m["year"]))
        raw.need = "none"
    det = (m["det"] or "").lower()
    raw.direction = {"last": -1, "next": 1}.get(det, 0)
    return raw


def holiday_date(name: str, year: int) -> When:
    """The day of a named holiday in `year` (Western churches' Easter; US Thanksgiving)."""
    import datetime as dt
    name = name.lower()
    fixed = {"christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
             "new year's": (1, 1), "new year's day": (1, 1), "new year's eve": (12, 31),
             "independence day": (7, 4), "halloween": (10, 31), "valentine's day": (2, 14),
             "boxing day": (12, 26), "may day": (5, 1), "bastille day": (7, 14)}
    if name in fixed:
        return When("day", year, *fixed[name])
    if name.startswith("easter") and 1583 <= year <= 9998:
        a, b, c = year % 19, year // 100, year % 100
        d, e = b // 4, b % 4
        g = (b - (b + 8) // 25 + 1) // 3
        h = (19 * a + b - d - g + 15) % 30
        i, k = c // 4, c % 4
        l_ = (32 + 2 * e + 2 * i - h - k) % 7
        mm = (a + 11 * h + 22 * l_) // 451
        month, day = (h + l_ - 7 * mm + 114) // 31, (h + l_ - 7 * mm + 114) % 31 + 1
        date = dt.date(year, month, day) + dt.timedelta(days=1 if name.endswith("monday") else 0)
        return When("day", year, date.month, date.day)
    if 1 <= year <= 9998:
        first = {"thanksgiving": (11, 4, 4), "thanksgiving day": (11, 4, 4), "labor day": (9, 1, 1),
                 "memorial day": (5, 1, -1), "election day": (11, 2, 1)}.get(name)
        if first:
            month, weekday, nth = first
            if nth > 0:
                date = dt.date(year, month, 1)
                date += dt.timedelta(days=(weekday - date.isoweekday()) % 7 + 7 * (nth - 1))
                if name == "election day":  # the Tuesday after the first Monday
                    monday = dt.date(year, 11, 1) + dt.timedelta(days=(1 - dt.date(year, 11, 1).isoweekday()) % 7)
                    date = monday + dt.timedelta(days=1)
            else:
                date = dt.date(year, month, 31)
                date -= dt.timedelta(days=(date.isoweekday() - weekday) % 7)
            return When("day", year, date.month, date.day)
    return When("year", year)

