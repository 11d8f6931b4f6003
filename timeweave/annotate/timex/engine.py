"""`find_timexes`: plain text in, `Timex` list out, without spaCy.

Three passes: every rule proposes matches; the longest non-overlapping ones are kept (ties go to
the rule listed first in `patterns.RULES`); a left-to-right reading (`resolve.Discourse`) gives
each its anchor, value, interval and reason. The spaCy component and tag-timeml are thin shells
over this function.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
from collections.abc import Sequence

from timeweave.annotate.timex import normalise as n
from timeweave.annotate.timex import durations
from timeweave.annotate.timex import relative as r
from timeweave.annotate.timex.calendar import When, coarsen, interval, timex_value, valid_day
from timeweave.annotate.timex.complete import fill
from timeweave.annotate.timex.lexicon import PARTS_OF_DAY
from timeweave.annotate.timex.patterns import _NUMBER_CLASSES, PRIORITY, RULE_CLASSES, RULES, TOKEN, TRIGGER_CLASS, WINDOW
from timeweave.annotate.timex.periods import Periods, load_periods
from timeweave.annotate.timex.raw import Raw
from timeweave.annotate.timex.resolve import Discourse, Resolved, describe
from timeweave.annotate.timex.signals import signal_before, with_signal
from timeweave.annotate.timex.tense import TenseOf, text_tense
from timeweave.annotate.types import Timex

log = logging.getLogger(__name__)

COMPONENT = "timeweave.timex.v2"  # v2: bare clock times and a text's own date line read against the story

_HANDLERS = {
    "mdy": lambda m, t: n.full_date(m, t, "mdy"), "dmy": lambda m, t: n.full_date(m, t, "dmy"),
    "iso": lambda m, t: n.iso(m, t, "iso"), "iso_month": lambda m, t: n.iso_month(m, t, "iso_month"),
    "my": lambda m, t: n.month_year(m, t, "my"), "md": lambda m, t: n.month_day(m, t, "md"),
    "dm": lambda m, t: n.month_day(m, t, "dm"), "y_range": lambda m, t: n.year_range(m, t, "y_range"),
    "d_range": lambda m, t: n.day_range(m, t, "d_range"), "year": lambda m, t: n.bare_year(m, t, "year"),
    "era_year": lambda m, t: n.era_year_rule(m, t, "era_year"), "month": lambda m, t: n.bare_month(m, t, "month"),
    "decade": lambda m, t: n.decade(m, t, "decade"), "century": lambda m, t: n.century(m, t, "century"),
    "season": lambda m, t: n.season(m, t, "season"), "holiday": lambda m, t: n.holiday(m, t, "holiday"),
    "time": lambda m, t: r.clock(m, t, "time"), "clock_part": lambda m, t: r.clock_in_part_of_day(m, t, "clock_part"),
    "nth_day": lambda m, t: r.nth_day_of(m, t, "nth_day"), "anniversary": lambda m, t: r.anniversary(m, t, "anniversary"),
    "quarter": lambda m, t: r.quarter(m, t, "quarter"),
    "qref": lambda m, t: r.quarter_reference(m, t, "qref"), "num_rel": lambda m, t: r.num_relative(m, t, "num_rel"),
    "relunit": lambda m, t: r.relative_unit(m, t, "relunit"), "deixis": lambda m, t: r.deixis(m, t, "deixis"),
    "weekday": lambda m, t: r.weekday(m, t, "weekday"), "set": lambda m, t: r.set_rule(m, t, "set"),
    "duration": lambda m, t: durations.duration(m, t, "duration"), "ref": lambda m, t: r.reference(m, t, "ref"),
    "then": lambda m, t: r.then(m, t, "then"), "vague_dur": lambda m, t: durations.vague_duration(m, t, "vague_dur"),
    "while": lambda m, t: durations.indefinite(m, t, "while"),
}
_RANGE_JOIN = re.compile(r"\s?(?:[-\u2010-\u2015\u2212]|(?i:to|until|till|through|and))\s?")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]?\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")
_DATE_RE = re.compile(r"(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def parse_dct(dct: str | None) -> When | None:
    """'1998-01-08', '1998-01-08T14:11:00', '1998-01' or '1998' -> a When; None if absent or unreadable."""
    if not dct:
        return None
    m = _DATE_RE.match(str(dct).strip())
    if not m:
        log.warning("ignoring a document date that is not YYYY[-MM[-DD]]: %r", dct)
        return None
    y, mo, d = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    if mo and not 1 <= mo <= 12 or (d and not valid_day(y, mo, d)):
        log.warning("ignoring an impossible document date: %r", dct)
        return None
    if d:
        return When("day", y, mo, d)
    return When("month", y, mo) if mo else When("year", y)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Cheap sentence spans for when no parser ran: break after . ! ? before a capital, or at a blank line."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


_SPACE = re.compile(r"\s")


def windows(text: str) -> list[tuple[int, int, set[str]]]:
    """Stretches of text around trigger words, merged, each with the trigger classes it holds."""
    spans: list[list] = []
    get = TRIGGER_CLASS.get
    for m in TOKEN.finditer(text):
        word = m.group()
        if word[0].isalpha() or word[0] == "'" and not word[1:2].isdigit():
            cls = get(word.lower())
            if cls is None:
                continue
            classes = (cls,)
        else:
            classes = tuple(c for c, rx in _NUMBER_CLASSES if rx.match(word))
            if not classes:
                continue
        start, end = max(0, m.start() - WINDOW), m.end() + WINDOW
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
            spans[-1][2].update(classes)
        else:
            spans.append([start, end, set(classes)])
    out = []
    for start, end, classes in spans:
        if end < len(text):
            space = _SPACE.search(text, end)
            end = space.start() if space else len(text)
        out.append((start, end, classes))
    return out


def candidates(text: str, periods: Periods | None = None) -> list[Raw]:
    """Every rule's accepted matches, overlapping ones included."""
    found: list[Raw] = []
    if not text:
        return found
    for start, end, classes in windows(text):
        for name, regex in RULES:
            if classes.isdisjoint(RULE_CLASSES[name]):
                continue
            handler = _HANDLERS[name]
            for m in regex.finditer(text, start, end):
                if m.end() == m.start():
                    continue
                raw = handler(m, text)
                if raw is not None and raw.end > raw.start:
                    found.append(raw)
    for start, end, period in (periods or load_periods()).find(text):
        found.append(Raw(start, end, text[start:end], "period", need="none", interval=period.interval(),
                         note=f"{period.name}, {period.start} to {period.end}" + (f" ({period.note})" if period.note else "")))
    return found


def select(found: list[Raw], length: int) -> list[Raw]:
    """The longest matches that do not overlap; ties go to the rule listed first."""
    found.sort(key=lambda raw: (-(raw.end - raw.start), PRIORITY.get(raw.rule, 99), raw.start))
    taken = bytearray(length + 1)
    chosen = []
    for raw in found:
        if taken.find(1, raw.start, raw.end) == -1:
            taken[raw.start:raw.end] = b"\x01" * (raw.end - raw.start)
            chosen.append(raw)
    chosen.sort(key=lambda raw: raw.start)
    return chosen


_DATE_RULES = {"mdy", "dmy", "md", "dm", "my", "month", "year", "iso", "iso_month", "era_year"}
_GAP = re.compile(r"\s?[-\u2010-\u2015\u2212]\s?|\s(?i:to|until|till|through|and)\s")
_PRE = re.compile(r"(?i:from|between)\s$")


def merge_ranges(chosen: list[Raw], text: str) -> list[Raw]:
    """Join 'May 11 ‒ September 16, 1939' and 'from May to August 1939' into one range."""
    out: list[Raw] = []
    i = 0
    while i < len(chosen):
        a = chosen[i]
        b = chosen[i + 1] if i + 1 < len(chosen) else None
        if b is not None and a.rule in _DATE_RULES and b.rule in _DATE_RULES and a.type == b.type == "DATE":
            gap = text[a.end:b.start]
            pre = _PRE.search(text, max(0, a.start - 9), a.start)
            word_gap = gap.strip().lower() in ("to", "until", "till", "through", "and")
            if _GAP.fullmatch(gap) and (not word_gap or (pre and (gap.strip().lower() == "and") == (pre.group().lower().startswith("between")))):
                start = pre.start() if pre else a.start
                out.append(Raw(start, b.end, text[start:b.end], "range", parts=[a, b]))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def find_timexes(text: str, *, dct: str | None = None, sentences: Sequence[tuple[int, int]] | None = None,
                 periods: Periods | None = None, split_ranges: bool = False,
                 tense: TenseOf | None = None, part_of_day: bool = True) -> list[Timex]:
    """Find and normalise the time expressions of `text`, resolving relative ones in reading order.

    `dct` is the document date ("YYYY-MM-DD", "YYYY-MM" or "YYYY"); `sentences` are character
    spans (from a parser) used for sentence numbers and tense cues, found by a cheap splitter
    when absent. With `split_ranges`, "1932-1939" gives its two ends as two timexes (TimeML's
    convention) instead of one interval. `tense` maps a character span to the tense of the verb
    governing it (`tense.doc_tense` over a parsed Doc); without it, only a future auxiliary just
    before the expression is looked for. With `part_of_day` False, "the night of Oct. 23" stays
    "Oct. 23", a DATE (TimeML's extent) instead of a night.
    """
    if not text:
        return []
    spans = list(sentences) if sentences is not None else split_sentences(text)
    starts = [s for s, _ in spans]
    chosen = borrow_years(_drop_covered([_day_relations(raw, text, part_of_day)
                                         for raw in merge_ranges(select(candidates(text, periods), len(text)), text)]), text)
    dct_when = parse_dct(dct)
    if dct_when is None:
        chosen = borrow_following_year(chosen, text)
    discourse = Discourse(dct_when, describe(dct_when) if dct_when else None)
    out: list[Timex] = []
    for raw in chosen:
        i = max(bisect.bisect_right(starts, raw.start) - 1, 0) if spans else None
        # The words just before the expression, within its sentence: the tense cue for "Friday".
        s_text = text[max(spans[i][0], raw.start - 50):raw.start] if i is not None else text[max(0, raw.start - 50):raw.start]
        for part in raw.parts or (raw,):
            if part.need in ("year", "weekday", "offset"):
                part.tense = (tense(raw.start, raw.end) if tense is not None else None) or text_tense(s_text)
        if raw.parts:
            timexes = _range(raw, discourse, i, s_text)
            out.extend(timexes[1:] if split_ranges else timexes[:1])
        else:
            timex = _one(raw, discourse, i, s_text)
            signal = signal_before(text, raw.start)
            out.append(with_signal(timex, signal) if signal else timex)
    return out


_DAY_RULES = {"mdy", "dmy", "md", "dm", "iso", "weekday", "deixis", "holiday"}
_WEEK_OF = re.compile(r"(?i:(?:the\s)?week\s(?:of|beginning|starting))\s$")
_PART_OF = re.compile(r"(?i:(?:the\s)?(?:(?:early|late)\s)?(?P<tod>night|morning|afternoon|evening)\s(?:of|on))\s$")
_EVE_OF = re.compile(r"(?i:(?:the\s)?eve\sof)\s$")
_DAY_BEFORE = re.compile(r"(?i:(?:the\s)?day\s(?P<side>before|after))\s$")


def _day_relations(raw: Raw, text: str, part_of_day: bool = True) -> Raw:
    """'the week of March 6' and 'the day before last Tuesday': a day named inside a longer phrase."""
    if raw.rule not in _DAY_RULES or raw.type != "DATE":
        return raw
    before = text[max(0, raw.start - 30):raw.start]
    m = _WEEK_OF.search(before) or _DAY_BEFORE.search(before) or _EVE_OF.search(before) or _PART_OF.search(before)
    if m is None:
        return raw
    if m.re is _PART_OF and (raw.tod or raw.rule in ("weekday", "deixis")):
        return raw  # "the morning of Friday night" or "the night of today": leave as found
    start = raw.start - (len(before) - m.start())
    if m.re is _PART_OF and not part_of_day:
        raw.covers_from = start  # TimeML: "the night of [Oct. 23]", and "the night" is no expression of its own
        return raw
    raw.start, raw.text = start, text[start:raw.end]
    if m.re is _DAY_BEFORE:
        raw.day_shift = -1 if m["side"].lower() == "before" else 1
    elif m.re is _EVE_OF:
        raw.day_shift = -1  # "on the eve of 20 August": the day before
    elif m.re is _PART_OF:
        raw.type, raw.tod = "TIME", PARTS_OF_DAY[m["tod"].lower()]  # "the night of 20 August"
    else:
        raw.of_week = True
    return raw


_COORDINATION = re.compile(r"\s?(?:,\s?(?:and\s|or\s)?|\sand\s|\sor\s|\s?&\s)")


def borrow_years(chosen: list[Raw], text: str) -> list[Raw]:
    """'the spring and summer of 1939', 'May, June and July 1939': a yearless expression
    coordinated with a dated one takes its year."""
    for a, b in zip(chosen[::-1][1:], chosen[::-1]):  # right to left, so a chain passes the year along
        if a.need != "year" or a.when is not None or a.rule == "holiday" or not _COORDINATION.fullmatch(text[a.end:b.start]):
            continue
        year = b.when.year if b.when is not None else None
        if year is None or b.parts:
            continue
        when, _note = fill(a, year)
        if when is not None:
            a.when, a.need = when, "none"
            a.note = f"the year comes from '{b.text}', coordinated with it"
    return chosen


_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)")
LIST_YEAR_CHARS = 200  # how far ahead, within one sentence or list, the year of a yearless date is looked for


def borrow_following_year(chosen: list[Raw], text: str) -> list[Raw]:
    """'Proposed on January 7 / Passed on August 7 / Signed on August 10, 1964': in a list or a sentence
    whose last date states the year, yearless dates before it share that year, when nothing earlier in
    the text gives one and there is no document date (which would otherwise supply it)."""
    seen_year = False
    for n, a in enumerate(chosen):
        if a.when is not None and a.when.year is not None:
            seen_year = True
        if seen_year or a.need != "year" or a.when is not None or a.rule == "holiday":
            continue
        for b in chosen[n + 1:]:
            gap = text[a.end:b.start]
            if b.start - a.end > LIST_YEAR_CHARS or _SENTENCE_END.search(gap):
                break
            if b.when is None or b.when.year is None or b.parts or b.need != "none":
                continue
            when, _note = fill(a, b.when.year)
            if when is not None and (when.month or 0) <= (b.when.month or 12):
                a.when, a.need = when, "none"
                a.note = f"the year comes from '{b.text}', the first date after it in the same list or sentence"
            break
    return chosen


def _drop_covered(chosen: list[Raw]) -> list[Raw]:
    """After a day took in its phrase ('the week of ...'), what that phrase held alone goes."""
    out: list[Raw] = []
    for raw in chosen:
        start = raw.start if raw.covers_from is None else raw.covers_from
        while out and out[-1].end > start and out[-1].start >= start:
            out.pop()
        out.append(raw)
    return out


def _one(raw: Raw, discourse: Discourse, sentence: int | None, s_text: str) -> Timex:
    if raw.rule == "period":
        earliest, latest, edtf = raw.interval
        return Timex(raw.start, raw.end, raw.text, "DATE", f"{edtf}", edtf=edtf, earliest=earliest, latest=latest,
                     granularity="period", anchor="absolute", sentence=sentence, component=COMPONENT,
                     reason=f"'{raw.text}' is a named period: {raw.note}")
    res = discourse.resolve(raw, sentence, s_text)
    if res.when is not None and (raw.of_week or raw.day_shift) and res.when.gran == "day":
        res = _relate_day(raw, res)
    if res.when is not None and raw.type == "TIME" and raw.tod and res.when.gran == "day":
        w = res.when
        res = Resolved(When("time", w.year, w.month, w.day, tod=raw.tod), res.anchor, res.reason)
    if res.when is not None:
        discourse.remember(raw, res.when, sentence)
    return _timex(raw, res, sentence)


def _relate_day(raw: Raw, res: Resolved) -> Resolved:
    day = dt.date(res.when.year, res.when.month, res.when.day)
    if raw.of_week:
        when = coarsen(res.when, "week")
        return Resolved(when, res.anchor, f"{res.reason}; '{raw.text}' is the week that holds that day") if when else res
    day += dt.timedelta(days=raw.day_shift)
    when = When("day", day.year, day.month, day.day)
    side = "before" if raw.day_shift < 0 else "after"
    return Resolved(when, res.anchor, f"{res.reason}; '{raw.text}' is the day {side} it: {day.isoformat()}")


def _timex(raw: Raw, res: Resolved, sentence: int | None) -> Timex:
    mod = raw.mod
    if res.when is None:
        earliest, latest, edtf = interval(res.at, None) if res.at is not None else (None, None, None)
        return Timex(raw.start, raw.end, raw.text, raw.type, res.value, edtf=edtf, earliest=earliest, latest=latest,
                     anchor=res.anchor, reason=res.reason, modifier=mod, sentence=sentence, component=COMPONENT,
                     granularity=_value_gran(res.value))
    when = res.when
    part_mod = mod if mod in ("EARLY", "MID", "LATE", "START", "END", "FIRST_HALF", "SECOND_HALF", "APPROX") else None
    if when.gran in ("week", "weekend") and not 1 <= when.year <= 9998:
        earliest = latest = edtf = None
    else:
        earliest, latest, edtf = interval(when, part_mod)
    ttype = raw.type if raw.type in ("DATE", "TIME") else "DATE"
    if ttype == "TIME" and when.gran != "time":
        ttype = "DATE"
    value = timex_value(when)
    reason = res.reason
    if part_mod and part_mod != "APPROX":
        reason += f"; '{raw.text}' keeps only the {part_mod.lower().replace('_', ' ')} part: {earliest} to {latest}"
    elif part_mod == "APPROX":
        reason += f"; approximate, so widened to {earliest} to {latest}"
    return Timex(raw.start, raw.end, raw.text, ttype, value, edtf=edtf, earliest=earliest, latest=latest,
                 granularity=when.gran, modifier=mod, anchor=res.anchor, reason=reason, sentence=sentence,
                 component=COMPONENT)


def _value_gran(value: str | None) -> str | None:
    if not value:
        return None
    if value.startswith("P"):
        return "duration"
    if value.endswith("_REF"):
        return "reference"
    return None


def _range(raw: Raw, discourse: Discourse, sentence: int | None, s_text: str) -> list[Timex]:
    """[the whole range, its first end, its last end]; a yearless first end borrows the last end's year."""
    first, last = raw.parts
    if first.when is None and last.when is not None and first.need == "year":
        year = last.when.year - (1 if (first.month or 0) > (last.when.month or 12) else 0)
        if first.day is not None and valid_day(year, first.month, first.day):
            first.when = When("day", year, first.month, first.day)
        else:
            first.when = When("month", year, first.month)
        first.need = "none"
        first.note = f"the year comes from the end of the range, '{last.text}'"
    t1 = _one(first, discourse, sentence, s_text)
    t2 = _one(last, discourse, sentence, s_text)
    if t1.earliest and t2.latest and t1.earliest <= t2.latest:
        e1 = t1.edtf if t1.edtf and "/" not in t1.edtf else t1.earliest
        e2 = t2.edtf if t2.edtf and "/" not in t2.edtf else t2.latest
        whole = Timex(raw.start, raw.end, raw.text, "DATE", f"{t1.value}/{t2.value}", edtf=f"{e1}/{e2}",
                      earliest=t1.earliest, latest=t2.latest, granularity=t1.granularity, anchor=t2.anchor,
                      reason=f"'{raw.text}' is a range from {t1.earliest} to {t2.latest}: {t1.reason}; {t2.reason}",
                      sentence=sentence, component=COMPONENT)
    else:
        whole = Timex(raw.start, raw.end, raw.text, "DATE", None, anchor="none", sentence=sentence,
                      component=COMPONENT, reason=f"'{raw.text}' looks like a range but its ends cannot be ordered")
    return [whole, t1, t2]
