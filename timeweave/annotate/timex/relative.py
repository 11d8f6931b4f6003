"""Turn a match of a relative, deictic, duration, set or clock pattern into a `Raw`.

These expressions carry no year of their own: they say which anchor they need (the document
date for "yesterday", the narrative reference time for "the same year") and how far to move
from it; `resolve.py` does the moving.
"""

from __future__ import annotations

import re

from timeweave.annotate.timex.calendar import When
from timeweave.annotate.timex.lexicon import DAY_COUNTED_UNITS, PARTS_OF_DAY, WEEKDAYS
from timeweave.annotate.timex.durations import count, duration_value, is_rate, unit_of
from timeweave.annotate.timex.raw import Raw, mod_of

_UNIT_GRAN = {"Y": "year", "M": "month", "W": "week", "D": "day", "Q": "quarter", "DE": "decade",
              "CE": "century", "H": "day", "S": "day"}
_QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "final": 4}
_ENDED = re.compile(r"\s{1,2}(?:ended|ending)\b")
# "shelled two days before in the bay", "two years after and again": a preposition, conjunction or
# adverb after "before"/"after" shows it is an adverb counting from the narrative, not a preposition
# whose object is an event ("two days before the attack").
_ADVERBIAL_AFTER = re.compile(
    r"\s{1,2}(?i:in|on|at|near|off|during|with|by|to|from|into|onto|over|under|across|along|and|or|but|then|when|"
    r"while|as|that|which|who|where|so|yet|already|too|again|also)\b")


def _adverbial(m: re.Match, text: str) -> bool:
    """Is the 'before'/'after' ending the match an adverb ("shelled two days before.") rather than a
    preposition with an event for object ("two days before the attack")?"""
    return not re.match(r"\s{0,2}[\w(\"'“]", text[m.end():m.end() + 3]) or bool(_ADVERBIAL_AFTER.match(text, m.end()))


def num_relative(m: re.Match, text: str, rule: str) -> Raw | None:
    rel = m["rel"].lower()
    word, code = unit_of(m["unit"])
    if word in DAY_COUNTED_UNITS:  # "two nights before": counted in calendar days
        word, code = "day", DAY_COUNTED_UNITS[word]
    n = count(m["n"])
    if rel in ("before", "after") and not _adverbial(m, text):
        # "two days before the attack": the duration is the timex, the anchor is an event.
        end = m.start("rel") - 1
        return Raw(m.start(), end, text[m.start():end], "duration", type="DURATION",
                   value=duration_value(n, word))
    gran = _UNIT_GRAN.get(code, "year")
    sign = 1 if rel in ("later", "after", "hence", "from now") else -1
    need = "dct" if rel in ("ago", "hence", "from now", "back") else "narr"
    raw = Raw(m.start(), m.end(), m.group(), rule, need=need, gran=gran)
    if n is None and need == "dct":
        raw.need, raw.value = "present", "PAST_REF" if sign < 0 else "FUTURE_REF"
        return raw
    if n is None or n != int(n):
        raw.vague = True
        raw.shift = sign
    else:
        raw.shift = sign * int(n) * (10 if code == "DE" else 100 if code == "CE" else 1)
        if code in ("DE", "CE"):
            raw.gran = "year"
    if m["quant"]:
        raw.mod = "APPROX"
    return raw


_DET_SHIFT = {
    "this": ("dct", 0), "current": ("dct", 0), "the current": ("dct", 0), "the present": ("dct", 0),
    "last": ("dct", -1), "past": ("dct", -1), "the past": ("dct", -1), "this past": ("dct", -1),
    "next": ("dct", 1), "coming": ("dct", 1), "the coming": ("dct", 1), "this coming": ("dct", 1),
    "the last": ("dct", -1), "the latest": ("narr", 0), "the recent": ("dct", -1),
    "that": ("narr", 0), "same": ("narr", 0), "that same": ("narr", 0), "the same": ("narr", 0),
    "the following": ("narr", 1), "following": ("narr", 1), "the next": ("narr", 1),
    "the previous": ("narr", -1), "previous": ("narr", -1), "the preceding": ("narr", -1),
    "the prior": ("narr", -1), "the": ("narr", 0),
}


def relative_unit(m: re.Match, text: str, rule: str) -> Raw | None:
    det = " ".join(m["det"].lower().split())
    unit = " ".join(m["unit"].lower().split())
    if unit in ("time", "period", "season", "half") or (det == "the" and unit in ("day", "morning", "afternoon", "evening", "night", "decade", "century")
                                                        and not (m["before"] and unit in PARTS_OF_DAY and _adverbial(m, text))):
        return None  # but "the night before", "the morning after" (no object after it) count one day from the story
    need, shift = _DET_SHIFT.get(det, ("narr", 0))
    if det == "the" and unit in ("year", "fiscal year") and _ENDED.match(text, m.end()):
        # "the year ended March 31": a twelve-month reporting span named by its end, not a calendar year
        return Raw(m.start(), m.end(), m.group(), rule, type="DURATION", value="P1Y")
    if m["unit"][0].isupper() and m["det"][0].isupper():
        return None  # "ABC's \"This Week\"": a title, not a time
    end = m.end()
    if m["before"]:
        if det in ("the", "that"):
            shift = -1 if m["before"].lower() in ("before", "earlier") else 1
            need = "narr"
        else:
            end = m.end("unit")  # "issued a warning this week after ...": the word after starts a clause
    el = (m["el"] or "").lower()
    raw = Raw(m.start(), end, text[m.start():end], rule, need=need, shift=shift)
    raw.mod = mod_of(el)
    if unit in PARTS_OF_DAY:
        raw.type, raw.gran, raw.tod = "TIME", "day", PARTS_OF_DAY[unit]
        if det in ("last",) and unit == "night":
            raw.shift = -1
        elif det in ("this", "that", "the", "the same", "that same") and not (m["before"] and det in ("the", "that")):
            raw.shift = 0
        return raw
    raw.gran = {"fiscal year": "year", "calendar year": "year"}.get(unit, unit)
    if det == "the" and unit == "week" and not m["before"] and not el:
        # "stocks rose for the week": which week is left to the reader (TimeML writes YYYY-WXX)
        raw.note = "unnamed week"
    if det in ("the past", "the last", "the next", "the coming") and unit != "weekend":
        # "the past year" is a DATE in TimeML news usage; "the past week" likewise.
        raw.need = "dct"
    if raw.gran == "weekend":
        raw.direction = -1 if det in ("the", "last", "the past", "this past", "past") else 1
        raw.need = "dct" if det in ("the", "this", "last", "the past", "this past", "past", "next", "coming") else raw.need
    return raw


# "today's world", "today's youth": the present age in general, which TimeML leaves untagged
_GENERIC_TODAY = re.compile(r"[\u2019']s\s{1,2}(?:[a-z-]+\s{1,2})?(?i:world|society|youth|young|generation|children|kids"
                            r"|standards|economy|culture|technology|computers|consumers|families|workplace|environment)\b")
# "USA Today", "VOA Today": a capitalised name ending in Today
_NAME_BEFORE = re.compile(r"(?:[A-Z][A-Za-z]*|[A-Z]{2,})\s$")


def deixis(m: re.Match, text: str, rule: str) -> Raw | None:
    word = " ".join(m["word"].lower().split())
    if word == "today" and not m["el"] and not m["tod"]:
        if _GENERIC_TODAY.match(text, m.end()):
            return None
        before = text[max(0, m.start() - 30):m.start()]
        if m["word"] == "Today" and _NAME_BEFORE.search(before) and not re.search(r"[.!?]['\"’”]?\s$|^\s*$", before):
            return None
    shift = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1,
             "the day before yesterday": -2, "the day after tomorrow": 2}[word]
    raw = Raw(m.start(), m.end(), m.group(), rule, need="dct", gran="day", shift=shift)
    el = (m["el"] or "").lower().rstrip("-")
    raw.mod = mod_of(el)
    if m["tod"]:
        raw.type, raw.tod = "TIME", PARTS_OF_DAY[m["tod"].lower()]
    return raw


_SHARED_PLURAL = re.compile(r"\s(?:and|or|&)\s(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days(?:\s(?P<tod>(?i:morning|afternoon|evening|night))s)?\b"
                            r"|\s(?:and|or|&)\s(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\s(?P<tod2>(?i:morning|afternoon|evening|night))s\b")


def weekday(m: re.Match, text: str, rule: str) -> Raw | None:
    wd = WEEKDAYS[m["wd"].lower().removesuffix("s")]
    det = " ".join((m["det"] or "").lower().split())
    tod = PARTS_OF_DAY[m["tod"].lower()] if m["tod"] else None
    shared = None if m["plural"] or m["tods"] or tod else _SHARED_PLURAL.match(text, m.end())
    if m["plural"] or m["tods"] or shared:
        # "Monday and Tuesday nights": the plural after "and" makes both weekdays recurring
        if shared and (shared["tod"] or shared["tod2"]):
            tod = PARTS_OF_DAY[(shared["tod"] or shared["tod2"]).lower()]
        value = f"XXXX-WXX-{wd}" + (f"T{tod}" if tod else "")
        return Raw(m.start(), m.end(), m.group(), rule, type="SET", value=value)
    if det and det not in ("this", "last", "next", "this coming", "this past", "past", "coming", "the following",
                           "the previous", "that", "the next", "following", "previous", "the same", "the"):
        start = m.start("wd")
        return Raw(start, m.end(), text[start:m.end()], rule, need="weekday", weekday=wd, tod=tod,
                   type="TIME" if tod else "DATE")
    raw = Raw(m.start(), m.end(), m.group(), rule, need="weekday", weekday=wd, tod=tod,
              type="TIME" if tod else "DATE")
    if det == "the":
        raw.start = m.start("wd") if not m["el"] else raw.start
        raw.text = text[raw.start:raw.end]
    raw.direction = {"last": -1, "this past": -1, "past": -1, "the previous": -1, "previous": -1,
                     "next": 1, "this coming": 1, "coming": 1, "the following": 1, "the next": 1,
                     "following": 1}.get(det, 0)
    if det in ("the following", "the previous", "the next", "following", "previous", "that", "the same"):
        raw.note = "narr"
    raw.mod = mod_of((m["el"] or "").lower())
    return raw


def quarter(m: re.Match, text: str, rule: str) -> Raw | None:
    q = _QUARTERS[m["q"].lower()]
    raw = Raw(m.start(), m.end(), m.group(), rule, gran="quarter", sub=q)
    det = " ".join((m["det"] or "").lower().split())
    if det == "its":  # "its third quarter": the possessive is not part of the time
        raw.start = m.end("det") + 1
        raw.text = text[raw.start:raw.end]
    if det == "a":
        raw.start = m.start("q") if not re.match(r"(?i:a\s(?:fiscal|calendar))", m.group()) else raw.start
        raw.text = text[raw.start:raw.end]
    year = (m["year"] or "").lower()
    if year.isdigit():
        raw.when = When("quarter", int(year), sub=q)
    elif det[-4:].isdigit():
        raw.when = When("quarter", int(det[-4:]), sub=q)
    elif year.endswith("year") or det.endswith("year's"):
        key = year.split()[0] if year else det.split()[0]
        raw.need, raw.gran, raw.shift = "dct", "year", {"this": 0, "last": -1, "next": 1}.get(key, 0)
        raw.note = "quarter"
        if "previous" in year or "same" in year or year == "the year":
            raw.need, raw.shift = "narr", -1 if "previous" in year else 0
    elif det in ("the year-earlier", "the year-ago"):
        raw.need, raw.gran, raw.shift, raw.note = "narr", "year", -1, "quarter"
    else:
        raw.need = "year"
    return raw


def quarter_reference(m: re.Match, text: str, rule: str) -> Raw | None:
    t = " ".join(m.group().lower().split())
    raw = Raw(m.start(), m.end(), m.group(), rule, need="qref", gran="quarter")
    if "year-earlier" in t or "year-ago" in t or "last year" in t or "a year" in t:
        raw.shift = -4
        if re.search(r"(first|second|third|fourth) quarter", t):
            q = _QUARTERS[re.search(r"(first|second|third|fourth)", t).group(1)]
            raw.need, raw.gran, raw.shift, raw.sub, raw.note = "narr", "year", -1, q, "quarter"
    elif t in ("this quarter", "the current quarter", "the latest quarter", "the latest period", "the recent quarter"):
        raw.need, raw.shift = "dct", 0 if "latest" not in t and "recent" not in t else -1
        raw.note = "latest" if raw.shift else ""
    elif t == "last quarter":
        raw.need, raw.shift = "dct", -1
    elif t == "next quarter":
        raw.need, raw.shift = "dct", 1
    elif t in ("the previous quarter", "the prior quarter", "the previous period", "the prior period"):
        raw.shift = -1
    elif t == "the full year":
        raw.need, raw.gran = "dct", "year"
    elif re.fullmatch(r"the \d{4} (?:quarter|period)", t):
        raw.need, raw.gran, raw.shift, raw.sub = "qref", "quarter", 0, int(t.split()[1])
        raw.note = "year"
    elif t in ("the first quarter", "the second quarter"):
        return None
    elif "period" in t and t not in ("the latest period", "the comparable period", "the same period"):
        raw.note = "period"
    return raw


_SET_ADVERBS = {"daily": "P1D", "weekly": "P1W", "monthly": "P1M", "annually": "P1Y", "yearly": "P1Y",
                "quarterly": "P3M", "hourly": "PT1H", "nightly": "TNI", "biweekly": "P2W",
                "semiannually": "P6M", "semi-annually": "P6M", "bimonthly": "P2M", "fortnightly": "P2W"}


def set_rule(m: re.Match, text: str, rule: str) -> Raw | None:
    raw = Raw(m.start(), m.end(), m.group(), rule, type="SET")
    if (m["adv"] or (m["every"] or "").lower() == "per") and is_rate(text, m.start()):
        return None
    if m["adv"]:
        raw.value = _SET_ADVERBS[m["adv"].lower()]
        if raw.value == "TNI":
            raw.value = "XXXX-XX-XXTNI"
        return raw
    if m["times"]:
        raw.value = duration_value(1, m["unit2"])
        return raw
    unit = m["unit"]
    low = unit.lower()
    if m["settod"] and low not in WEEKDAYS:  # "every day morning": only a weekday takes a part of day
        raw.end = m.end("plural") if m["plural"] else m.end("unit")
        raw.text = text[raw.start:raw.end]
    if low in WEEKDAYS:
        raw.value = f"XXXX-WXX-{WEEKDAYS[low]}" + (f"T{PARTS_OF_DAY[m['settod'].lower()]}" if m["settod"] else "")
    elif low in ("morning", "evening", "night"):
        raw.value = f"XXXX-XX-XXT{PARTS_OF_DAY[low]}"
    elif low == "weekend":
        raw.value = "XXXX-WXX-WE"
    elif low in ("spring", "summer", "autumn", "fall", "winter"):
        raw.value = "XXXX-" + {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}[low]
    elif unit[0].isupper() and low.rstrip(".") in ("january", "february", "march", "april", "may", "june", "july",
                                                    "august", "september", "october", "november", "december"):
        from timeweave.annotate.timex.normalise import month_of
        raw.value = f"XXXX-{month_of(low):02d}"
    else:
        n = count(m["n"]) if m["n"] else 1
        raw.value = duration_value(n, unit)
    return raw


_REF_VALUES = {
    "now": "PRESENT_REF", "right now": "PRESENT_REF", "just now": "PRESENT_REF", "currently": "PRESENT_REF",
    "nowadays": "PRESENT_REF", "these days": "PRESENT_REF", "at present": "PRESENT_REF",
    "presently": "PRESENT_REF", "the time being": "PRESENT_REF",
    "recently": "PAST_REF", "lately": "PAST_REF", "more recently": "PAST_REF", "until recently": "PAST_REF",
    "the past": "PAST_REF", "previously": "PAST_REF", "formerly": "PAST_REF", "current": "PRESENT_REF",
}


_SPAN_OF_UNITS = re.compile(r"(?:the\s)?(?:recent|coming)\s(?P<u>years|months|weeks|days)|the\s(?P<u2>years|months|weeks|days)\sahead")


def reference(m: re.Match, text: str, rule: str) -> Raw | None:
    t = " ".join(m.group().lower().split())
    value = _REF_VALUES.get(t)
    if value is None:
        value = "PAST_REF" if t.startswith("recent") else "FUTURE_REF"
    if t == "now" and re.match(r"\s?(?:that|,)", text[m.end():m.end() + 6]) and text[m.start() - 1:m.start()] in ("", "\n"):
        return None  # discourse "Now, ..." opening a paragraph
    if m.group() == "Now" and text[m.end():m.end() + 1] == ",":
        return None  # "Now, he says, ...": a discourse marker opening the sentence, not a time
    if t.startswith("year") and t.endswith("end"):
        # "by year-end", "since year end": the end of this year, or of the last one after "since"
        since = re.search(r"(?i:since)\s$", text[max(0, m.start() - 7):m.start()])
        return Raw(m.start(), m.end(), m.group(), rule, need="dct", gran="year", shift=-1 if since else 0, mod="END")
    unit = _SPAN_OF_UNITS.fullmatch(t)
    if unit:
        # "in recent months", "in coming weeks": an unstated number of months up to (from) now
        return Raw(m.start(), m.end(), m.group(), rule, type="DURATION", value=duration_value(None, unit["u"] or unit["u2"]))
    if t == "current" and re.search(r"(?i:\bthen[\s-])$", text[max(0, m.start() - 5):m.start()]):
        # "the then-current market price": current as of a past moment
        start = m.start() - 5
        return Raw(start, m.end(), text[start:m.end()], rule, value="PAST_REF", need="present")
    raw = Raw(m.start(), m.end(), m.group(), rule, value=value, need="present")
    return raw


def then(m: re.Match, text: str, rule: str) -> Raw | None:
    g = "then" if m["then"] else "thattime"
    raw = Raw(m.start(g), m.end(g), m[g], rule, need="narr", gran=None)
    return raw


def nth_day_of(m: re.Match, text: str, rule: str) -> Raw | None:
    """'Today is the eighth day of the operation', 'It's the second day of an offensive': the day of
    writing, counted within an event (the copula's present tense is the cue)."""
    return Raw(m.start(), m.end(), m.group(), rule, need="dct", gran="day", shift=0)


def anniversary(m: re.Match, text: str, rule: str) -> Raw | None:
    """'today was the day in 1964', 'on this day in 1812': the day and month of writing, in the year named
    (a blog's anniversary post, a newspaper's "this day in history")."""
    return Raw(m.start(), m.end(), m.group(), rule, need="anniversary", gran="day", sub=int(m["year"]))


def clock_in_part_of_day(m: re.Match, text: str, rule: str) -> Raw | None:
    """'4 in the morning' -> 04:00, '8 in the evening' -> 20:00, '11 at night' is not matched."""
    h, part = int(m["h"]), m["part"].lower()
    if part == "morning":
        h = 0 if h == 12 else h
    elif part in ("afternoon", "evening") or (part == "night" and 6 <= h < 12):
        h = h + 12 if h < 12 else h
    elif part == "night" and h == 12:
        h = 24
    raw = Raw(m.start(), m.end(), m.group(), rule, type="TIME", need="dct", gran="day")
    raw.hour, raw.minute = h, int(m["mi"] or 0)
    return raw


def clock(m: re.Match, text: str, rule: str) -> Raw | None:
    raw = Raw(m.start(), m.end(), m.group(), rule, type="TIME", need="dct", gran="day")
    if m["approx"]:
        raw.mod = "APPROX"
    if m["clock"]:
        if m["named"]:
            name = m["named"].lower()
            raw.hour, raw.minute = (24, 0) if name == "midnight" else (12, 0)
        elif m["h24"] is not None:
            raw.hour, raw.minute = int(m["h24"]), int(m["mi24"])
        else:
            h = int(m["h"]) % 12 + (12 if m["ap"].lower().startswith("p") else 0)
            raw.hour, raw.minute = h, int(m["mi"] or 0)
        if m["wd"]:
            raw.need, raw.weekday = "weekday", WEEKDAYS[m["wd"].lower()]
        elif not m["word"] and not m["mon"]:
            raw.need = "clock"  # "at 9:52", "midnight": the day being told, or the document's in news
        elif m["word"]:
            raw.shift = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[m["word"].lower()]
        elif m["mon"]:
            from timeweave.annotate.timex.normalise import month_of
            from timeweave.annotate.timex.lexicon import ordinal_value
            raw.need, raw.month, raw.day = "year", month_of(m["mon"]), ordinal_value(m["day"])
        return raw
    if m["overnight"]:
        word = m["overnight"].lower().replace("-", " ")
        raw.tod = {"overnight": "NI", "mid afternoon": "AF", "midafternoon": "AF", "mid morning": "MO",
                   "midmorning": "MO", "late afternoon": "AF", "early morning": "MO"}.get(word, "NI")
        if word.startswith("mid"):
            raw.mod = "MID"
        if m["oword"]:
            raw.shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[m["oword"].lower()]
        elif word != "overnight":
            raw.need = "clock"  # "since midmorning": a time of the day being told
        elif word == "overnight":
            # "depressed by overnight losses in New York": the night before the day being told
            raw.need, raw.shift = "narr", -1
        return raw
    det = " ".join(m["det"].lower().split())
    raw.tod = PARTS_OF_DAY[m["tod"].lower()]
    raw.shift = {"last": -1 if raw.tod == "NI" else 0, "yesterday": -1, "tomorrow": 1}.get(det, 0)
    if det in ("that", "the", "one"):
        raw.need = "narr"
    if det.startswith(("early", "late", "later", "earlier")):
        raw.mod = mod_of(det.split()[0])
    return raw
