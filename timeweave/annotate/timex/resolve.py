"""Narrative reference time: give every relative expression its anchor, and say why.

Historical prose moves through time on its own clock. "The same year", "that autumn" and "two
days later" resolve against the discourse: the most recent earlier date precise enough for them.
A month without a year ("by late August") takes its year from the narrative too: from the last
date if that was a month or finer, otherwise from the latest year the text has reached (a
narrative moving forward through 1936, 1937, 1938 back to its 1939 subject). Only deictic words
("yesterday", "last week", "this year", "now") use the document date, the time of writing; and
a month without a year uses the document date only when the narrative is itself near that date
(news), so a 2024 post about 1939 puts "late August" in 1939.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from timeweave.annotate.timex.calendar import (
    GRANS, When, base_interval, coarsen, shift, valid_day, weekday_near,
)
from timeweave.annotate.timex.lexicon import AT_WRITING
from timeweave.annotate.timex.memory import NEAR_DCT_YEARS, Memory, Mention  # noqa: F401 (imported from here too)
from timeweave.annotate.timex.raw import Raw
from timeweave.annotate.timex.complete import days_apart, fill, gran_word, unresolved_value, with_clock
from timeweave.annotate.timex.news_year import dct_year_for
from timeweave.annotate.timex.wording import SEASON_WORD, describe

# Spans longer than a quarter that results are reported for: "the first nine months", "the half", "the year".
_LONG_SPAN = re.compile(r"P(?:[6-9]|1[01])M|P1Y")


@dataclass
class Resolved:
    when: When | None
    anchor: str
    reason: str
    value: str | None = None  # set only when `when` cannot carry it (PAST_REF, XXXX-08 ...)
    at: When | None = None  # the day a vague value stands at ("now" in a text dated to the day)


class Discourse(Memory):
    """The state a left-to-right reading keeps (`Memory`), and the resolvers: one `_need_*` per anchor kind."""

    # --- resolution ----------------------------------------------------------------------
    def resolve(self, raw: Raw, sentence: int | None, sentence_text: str) -> Resolved:
        self.sentence = sentence
        handler = getattr(self, f"_need_{raw.need}")
        try:
            return handler(raw, sentence_text)
        finally:
            self.previous = (raw, sentence)

    def _need_none(self, raw: Raw, sentence_text: str) -> Resolved:
        if raw.when is not None and raw.note.startswith("the year comes from"):
            return Resolved(raw.when, "expression", f"'{raw.text}' → {describe(raw.when)}: {raw.note}")
        if raw.when is not None:
            reason = f"'{raw.text}' states its own date: {describe(raw.when)}"
            return Resolved(raw.when, "absolute", reason + (f" ({raw.note})" if raw.note else ""))
        kind = {"DURATION": "a length of time", "SET": "a recurring time"}.get(raw.type, "a time")
        return Resolved(None, "none", f"'{raw.text}' is {kind} ({raw.value}), not a point on the calendar",
                        raw.value)

    def _need_present(self, raw: Raw, sentence_text: str) -> Resolved:
        where = {"PAST_REF": "before", "PRESENT_REF": "at", "FUTURE_REF": "after"}[raw.value]
        if self.dct and raw.value == "PRESENT_REF" and self.dct.gran in ("day", "time") \
                and " ".join(raw.text.lower().split()) in AT_WRITING:
            return Resolved(None, "document_date", f"'{raw.text}' is the time of writing, the document date "
                                                   f"{self.dct_text}", raw.value, at=coarsen(self.dct, "day"))
        if self.dct:
            return Resolved(None, "document_date",
                            f"'{raw.text}' refers vaguely to a time {where} the document date {self.dct_text}", raw.value)
        return Resolved(None, "none", f"'{raw.text}' refers vaguely to a time {where} the time of writing, "
                                      "which is unknown", raw.value)

    def _need_year(self, raw: Raw, sentence_text: str) -> Resolved:
        narrative = self.narrative_year()
        if raw.note != "narr" and self.use_dct_for_year(narrative):
            year, why = dct_year_for(self, raw)
            anchor = "document_date"
        elif narrative:
            year, why = narrative
            anchor = "narrative"
            last = self.last()
            if raw.direction > 0 and last and raw.month and last.when.month and raw.month <= last.when.month:
                year, why = year + 1, why + "; 'following' moves to the next year"
        elif self.dct:
            year, why = dct_year_for(self, raw)
            anchor = "document_date"
        else:
            return Resolved(None, "none", f"'{raw.text}' names no year and nothing before it gives one",
                            unresolved_value(raw))
        when, note = fill(raw, year)
        if when is None:
            return Resolved(None, "none", f"'{raw.text}': {note}", unresolved_value(raw))
        return Resolved(when, anchor, f"'{raw.text}' → {describe(when)}: it names no year; {why}" + (f" ({note})" if note else ""))

    def _need_weekday(self, raw: Raw, sentence_text: str) -> Resolved:
        last = self.last("day")
        # News that recalls an old year ("since 1978") still counts its weekdays from its own date
        # when the last day it named is in the document's own year.
        use_dct = raw.note != "narr" and self.dct is not None and self.dct.gran in ("day", "time") and (
            self.use_dct_for_year(story=False) or (last is not None and abs(last.when.year - self.dct.year) <= 1))
        if use_dct:
            base, why, anchor = self.dct, f"the document date {self.dct_text}", "document_date"
        elif last is not None and last.when.gran in ("day", "time"):
            base, why, anchor = last.when, f"the last day mentioned, {last.cite()}", "narrative"
        else:
            return Resolved(None, "none", f"'{raw.text}' names a weekday but no date before it fixes the week",
                            f"XXXX-WXX-{raw.weekday}")
        direction = raw.direction or (1 if (anchor == "narrative" or raw.tense == "future") else -1)
        inclusive = raw.direction == 0
        day = When("day", base.year, base.month, base.day)
        when = weekday_near(day, raw.weekday, direction, inclusive=inclusive)
        if not raw.direction and anchor == "document_date" and raw.tense == "present" and when is not None:
            # "talks resume Monday": the present tense of news names the nearer one, either side.
            other = weekday_near(day, raw.weekday, -direction, inclusive=True)
            if other is not None and days_apart(other, day) < days_apart(when, day):
                when, direction = other, -direction
        if when is None:
            return Resolved(None, "none", f"'{raw.text}': the calendar cannot place it", f"XXXX-WXX-{raw.weekday}")
        when = with_clock(raw, when)
        side = "on or before" if direction < 0 else "on or after"
        return Resolved(when, anchor, f"'{raw.text}' → {describe(when)}: the weekday {side} {why}")

    def _longer_period(self) -> Raw | None:
        """The span of months just named ("the first nine months"), when it is the period compared."""
        if self.previous is None:
            return None
        raw, sentence = self.previous
        if raw.type != "DURATION" or not _LONG_SPAN.fullmatch(raw.value or ""):
            return None
        if sentence is not None and self.sentence is not None and self.sentence - sentence > 1:
            return None
        return raw

    def _reporting_period(self, raw: Raw) -> Resolved | None:
        """'a year earlier' in a report on a quarter means that quarter a year before.

        Right after a longer span ("for the nine months, net was ... compared with ... a year
        earlier") it means the year before instead: the comparison is at the year's granularity.
        """
        if raw.rule != "num_rel" or raw.gran != "year" or raw.vague:
            return None
        q = self.last_quarter()
        if q is None or (self.dct is not None and abs(q.when.year - self.dct.year) > 1):
            return None
        span = self._longer_period()
        if span is not None:
            when = When("year", q.when.year + raw.shift)
            return Resolved(when, "narrative", f"'{raw.text}' → {describe(when)}: compared with '{span.text}', "
                                               f"so counted in years from the reporting year {q.when.year}")
        per = 4 if q.when.gran == "quarter" else 2
        when = shift(q.when, raw.shift * per)
        if when is None:
            return None
        return Resolved(when, "narrative", f"'{raw.text}' → {describe(when)}: counted from the reporting period "
                                           f"under discussion, {q.cite()} ({describe(q.when)})")

    def _need_offset(self, raw: Raw, sentence_text: str) -> Resolved:
        """'in five years': a date that far after the document date when the verb looks ahead
        ("will be redeemed in five years"); otherwise a length ("the first letter in two weeks")."""
        if raw.tense != "future" or self.dct is None:
            return self._need_none(raw, sentence_text)
        moved = self._move(replace(raw, type="DATE"), self.dct, "document_date",
                           f"the document date {self.dct_text}, since the sentence looks ahead")
        if moved.when is not None:
            raw.type = "DATE"
        return moved

    def _need_dct(self, raw: Raw, sentence_text: str) -> Resolved:
        period = self._reporting_period(raw)
        if period is not None:
            return period
        if self.dct is None:
            last = self.last(raw.gran if raw.gran in GRANS else None)
            if last is not None and (raw.rule == "num_rel" or raw.gran in ("year", "decade", "century")):
                # "60 years ago", "this year" count from the time of writing; the last date of a history is
                # its subject's time, and 60 years before it (or its year) is wrong in every text that looks back.
                return Resolved(None, "none", f"'{raw.text}' counts from the time of writing, which is unknown "
                                              f"(the last date mentioned, {last.cite()}, is the story's time, not the writer's)",
                                unresolved_value(raw))
            if last is None:
                if raw.type == "TIME" and (raw.hour is not None or raw.tod):  # "5 p.m." with no date to hang it on
                    value = _unplaced_time(raw)
                else:
                    value = "PRESENT_REF" if raw.shift == 0 and raw.gran in ("day", "year") else unresolved_value(raw)
                return Resolved(None, "none", f"'{raw.text}' is relative to the time of writing, which is unknown", value)
            return self._move(raw, last.when, "narrative",
                              f"the document has no date, so the last date mentioned, {last.cite()}, stands in")
        return self._move(raw, self.dct, "document_date", f"the document date {self.dct_text}")

    def _need_anniversary(self, raw: Raw, sentence_text: str) -> Resolved:
        year = int(raw.sub)
        if self.dct is not None and self.dct.gran in ("day", "time") and valid_day(year, self.dct.month, self.dct.day):
            when = When("day", year, self.dct.month, self.dct.day)
            return Resolved(when, "document_date", f"'{raw.text}' → {describe(when)}: the day and month of the "
                                                   f"document date {self.dct_text}, in {year}")
        when = When("month", year, self.dct.month) if self.dct is not None and self.dct.month else When("year", year)
        return Resolved(when, "absolute", f"'{raw.text}' → {describe(when)}: the day of writing, in {year}; "
                                          "the document's own day is not known")

    def _need_clock(self, raw: Raw, sentence_text: str) -> Resolved:
        """'At 9:52', 'since midmorning' with no day of their own: a time of the day being told.

        News tells its own day, so the document date gives the day there; history tells the day
        its narrative has reached ("almost midnight on Aug. 4, 1964 ... At 9:52"), even in a text
        written decades later."""
        last = self.last("day")
        if self.dct is not None and self.dct.gran not in ("day", "time"):
            if last is None:  # "At 11:20 p.m." in a text known only to be of 1992: no day to hang it on
                return Resolved(None, "none", f"'{raw.text}' is a time of day, and neither the text nor its date "
                                              f"({self.dct_text}) gives the day", _unplaced_time(raw))
        elif last is None or (self.dct is not None and self.use_dct_for_year()):
            return self._need_dct(raw, sentence_text)
        return self._move(raw, last.when, "narrative", f"the day being told, the last date mentioned before it, "
                                                        f"{last.cite()} ({describe(last.when)})")

    def _need_narr(self, raw: Raw, sentence_text: str) -> Resolved:
        if raw.note == "unnamed week":
            last = self.last("day") if self.dct is None else None
            base = last.when if last is not None else self.dct
            if base is not None:
                return Resolved(None, "document_date" if last is None else "narrative",
                                f"'{raw.text}' is a week of {base.year}, but the text does not say which", f"{base.year:04d}-WXX")
        gran = raw.gran if raw.gran in GRANS else None
        if raw.note == "quarter" or gran in ("weekend", "season"):
            gran = "day" if gran == "weekend" else "year"
        period = self._reporting_period(raw)
        if period is not None:
            return period
        if raw.rule == "num_rel" and gran == "year" and self.use_dct_for_year():
            return self._move(raw, self.dct, "document_date", f"the document date {self.dct_text} (news counts years from its own date)")
        last = self.last(gran)
        if last is not None:
            of = "" if gran in (None, "season") or raw.note == "quarter" else f"the {gran_word(gran)} of "
            return self._move(raw, last.when, "narrative", f"{of}the last date mentioned before it, {last.cite()} ({describe(last.when)})")
        if self.dct is not None:
            return self._move(raw, self.dct, "document_date",
                              f"nothing before it gives a {gran_word(gran)}, so the document date {self.dct_text}")
        return Resolved(None, "none", f"'{raw.text}' refers back to a time the text has not given", unresolved_value(raw))

    def _need_qref(self, raw: Raw, sentence_text: str) -> Resolved:
        last = self.last_quarter() or self.last()
        span = self._longer_period() if raw.shift == -4 or raw.note == "year" else None
        if span is not None and last is not None:
            year = int(raw.sub) if raw.note == "year" else last.when.year - 1
            return Resolved(When("year", year), "narrative", f"'{raw.text}' → {year}: compared with '{span.text}', "
                                                              "so the year, not a quarter")
        if raw.note == "year":  # "the 1988 period": the period under discussion, in that year
            year = int(raw.sub)
            if last is not None and last.when.gran in ("quarter", "half"):
                when = replace(last.when, year=year)
                return Resolved(when, "narrative", f"'{raw.text}' → {describe(when)}: the period under discussion, "
                                                   f"{last.cite()}, in {year}")
            return Resolved(When("year", year), "absolute", f"'{raw.text}' → {year}: no quarter is under discussion")
        if last is not None and last.when.gran in ("quarter", "half"):
            return self._move(raw, last.when, "narrative", f"the last period mentioned, {last.cite()}")
        if raw.note == "period":
            if last is None:
                return Resolved(None, "none", f"'{raw.text}' refers back to a period the text has not given", None)
            return Resolved(last.when, "narrative", f"'{raw.text}' → {describe(last.when)}: the last period mentioned, {last.cite()}")
        if self.dct is None:
            return Resolved(None, "none", f"'{raw.text}' needs a reporting period or a document date", "XXXX-QX")
        current = coarsen(self.dct, "quarter")
        latest = shift(current, -1)
        raw2 = replace(raw, need="narr")
        return self._move(raw2, latest, "document_date",
                          f"the latest complete quarter before the document date {self.dct_text}")

    # --- moving from an anchor -------------------------------------------------------------
    def _move(self, raw: Raw, base: When, anchor: str, why: str) -> Resolved:
        gran = raw.gran
        if raw.note in ("quarter", "month") and raw.gran == "year":
            target = coarsen(base, "year")
            target = shift(target, raw.shift) if target else None
            if target is None:
                return Resolved(None, "none", f"'{raw.text}': no year to count from", unresolved_value(raw))
            if raw.note == "quarter":
                when = When("quarter", target.year, sub=raw.sub)
            else:
                when = When("month", target.year, raw.month)
            return Resolved(when, anchor, f"'{raw.text}' → {describe(when)}: counted from {why}")
        if gran is None:  # "by then": the anchor itself
            return Resolved(base, anchor, f"'{raw.text}' → {describe(base)}: {why}")
        if gran == "season":
            return self._season(raw, base, anchor, why)
        if gran == "weekend" and base.gran in ("day", "time") and 1 <= base.year <= 9998:
            sat = weekday_near(When("day", base.year, base.month, base.day), 6, raw.direction or -1)
            when = coarsen(sat, "weekend") if sat else None
        else:
            if GRANS.index(base.gran) < GRANS.index(gran) and not (gran == "week" and base.gran == "day"):
                if raw.vague or GRANS.index(base.gran) < GRANS.index("year"):
                    return Resolved(None, "none", f"'{raw.text}' is finer than {why}, which only gives {describe(base)}",
                                    unresolved_value(raw))
                # "two days later" after "May 1939": only the anchor's own precision is known.
                return Resolved(base, anchor, f"'{raw.text}' → {describe(base)}: counted from {why}, "
                                              f"which gives only {describe(base)}")
            if raw.vague:
                coarser = {"day": "month", "week": "month", "month": "year", "year": "decade", "quarter": "year"}.get(gran, "year")
                when = coarsen(base, coarser)
                if when is None:
                    return Resolved(None, "none", f"'{raw.text}': no date to count from", unresolved_value(raw))
                return Resolved(when, anchor, f"'{raw.text}' → about {describe(when)}: an unstated number of {gran}s from {why}")
            when = coarsen(base, gran if gran != "weekend" else "week")
            when = shift(when, raw.shift) if when else None
        if when is None:
            return Resolved(None, "none", f"'{raw.text}': the calendar cannot count from {why}", unresolved_value(raw))
        when = with_clock(raw, when)
        unit = gran if abs(raw.shift) == 1 else f"{gran}s"
        moved = "" if raw.shift == 0 else f"{abs(raw.shift)} {unit} {'after' if raw.shift > 0 else 'before'} "
        return Resolved(when, anchor, f"'{raw.text}' → {describe(when)}: {moved}{why}")

    def _season(self, raw: Raw, base: When, anchor: str, why: str) -> Resolved:
        when = When("season", base.year, sub=raw.sub)
        base_start, base_end = base_interval(base)
        start, end = base_interval(when)
        if raw.direction > 0 and start <= base_end:
            when = replace(when, year=when.year + 1)
        elif raw.direction < 0 and end >= base_start:
            when = replace(when, year=when.year - 1)
        return Resolved(when, anchor, f"'{raw.text}' → {describe(when)}: the {SEASON_WORD[str(raw.sub)]} "
                                      f"{'after' if raw.direction > 0 else 'before' if raw.direction < 0 else 'of'} {why}")


def _unplaced_time(raw: Raw) -> str:
    """'5 p.m.' -> XXXX-XX-XXT17:00, 'midmorning' -> XXXX-XX-XXTMO: the time of an unknown day."""
    if raw.hour is not None:
        return f"XXXX-XX-XXT{raw.hour:02d}:{raw.minute or 0:02d}"
    return f"XXXX-XX-XXT{raw.tod}" if raw.tod else unresolved_value(raw)
