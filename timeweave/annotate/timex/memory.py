"""Discourse memory: what a left-to-right reading of a text keeps, the dates seen so far and the document date.

The resolvers of `resolve.py` (one per anchor kind) ask it for the last date at a granularity, the
year a yearless month falls in by the narrative, whether the text reads as news about its own time,
and the reporting period under discussion; they tell it each date they resolve (`remember`).
"""

from __future__ import annotations

from dataclasses import dataclass

from timeweave.annotate.timex.calendar import GRANS, When, coarsen
from timeweave.annotate.timex.raw import Raw

# A month named without a year belongs to the narrative once the narrative is this many years
# away from the document date (a 2024 post about 1939); closer, it is news about its own time.
NEAR_DCT_YEARS = 10
_FINE = ("month", "week", "weekend", "day", "time")


@dataclass
class Mention:
    when: When
    text: str
    sentence: int | None
    explicit: bool = True  # stated in the text (or only its year supplied), not counted from another date

    def cite(self) -> str:
        where = f", sentence {self.sentence + 1}" if self.sentence is not None else ""
        return f"'{self.text}'{where}"


class Memory:
    """The state a left-to-right reading keeps: the document date, the dates seen so far."""

    def __init__(self, dct: When | None, dct_text: str | None = None) -> None:
        self.dct = dct
        self.dct_text = dct_text
        self.history: list[Mention] = []
        self.frontier: Mention | None = None  # the latest year explicitly reached
        self.sentence: int | None = None  # the sentence being read
        self.previous: tuple[Raw, int | None] | None = None  # the expression read just before, and its sentence

    # --- anchors -------------------------------------------------------------------------
    def last(self, gran: str | None = None) -> Mention | None:
        """The most recent mention at `gran` or finer (any granularity when None)."""
        for mention in reversed(self.history):
            if gran is None or GRANS.index(mention.when.gran) >= GRANS.index(gran) or (
                    gran in ("week", "weekend") and mention.when.gran == "day"):
                return mention
        return None

    def remember(self, raw: Raw, when: When, sentence: int | None) -> None:
        if raw.type not in ("DATE", "TIME") or when.year is None:
            return
        if raw.need == "narr" and raw.shift < 0 and (raw.rule == "num_rel" or (
                raw.rule == "relunit" and raw.text.lower().endswith(("before", "earlier")))):
            return  # a flashback ("shelled two days before", "the night before") looks back; the story's time stays
        mention = Mention(when, raw.text, sentence, raw.need in ("none", "year", "anniversary"))
        self.history.append(mention)
        if self.dct is not None and when.gran == self.dct.gran and when == self.dct:
            return  # the text's own date ("| August 1, 2018" under the title) is the time of writing, not of the story
        if raw.need in ("none", "anniversary") and GRANS.index(when.gran) >= GRANS.index("year"):
            if (self.dct is None or when.year <= self.dct.year) and (
                    self.frontier is None or when.year > self.frontier.when.year):
                self.frontier = mention

    def narrative_year(self) -> tuple[int, str] | None:
        """The year a yearless month falls in, by the narrative, with the reason."""
        last = self.last()
        if last and last.when.gran in _FINE:
            return last.when.year, f"the last date before it, {last.cite()}, is in {last.when.year}"
        if last and last.when.gran == "year" and (self.frontier is None or last.when.year >= self.frontier.when.year):
            return last.when.year, f"the last date before it, {last.cite()}, is in {last.when.year}"
        if self.frontier:
            f = self.frontier
            return f.when.year, f"the latest year the text has reached before it is {f.when.year} ({f.cite()})"
        if last and last.when.gran in ("year", "half", "quarter", "season"):
            return last.when.year, f"the last date before it, {last.cite()}, is in {last.when.year}"
        return None

    def use_dct_for_year(self, narrative: tuple[int, str] | None = None, *, story: bool = True) -> bool:
        """News reads undated months against its own date; history reads them in its narrative.

        The test is how far the narrative has reached (the latest year stated, not after the
        document date): a report from 1989 that mentions a 2011 maturity is still news. A day or
        month stated with its year, far from the document date, in this sentence or the one before,
        puts the reader in the story (`story`); a weekday ("On Thursday") is deictic in news even
        after a date of the story.
        """
        if self.dct is None:
            return False
        stated = next((m for m in reversed(self.history) if m.explicit and m.when.gran in _FINE), None)
        if story and stated is not None and abs(stated.when.year - self.dct.year) > NEAR_DCT_YEARS and (
                stated.sentence is not None and self.sentence is not None and 0 <= self.sentence - stated.sentence <= 1):
            return False  # a day of the story just stated ("on Aug. 4, 1964. ... the evening of August 4")
        return self.frontier is None or abs(self.frontier.when.year - self.dct.year) <= NEAR_DCT_YEARS

    def last_quarter(self) -> Mention | None:
        """The reporting period under discussion: the quarter or half the text states most often.

        Financial news names its reporting period in the lede and comes back to it; a quarter
        mentioned in passing ("after a flat second quarter"), a forecast ("a fourth-quarter
        charge", after the document date) or history ("the third quarter of 1984") does not
        displace it. A quarter stated earlier in the same sentence wins ("America West reported
        third-quarter profit ... a year earlier"); otherwise ties go to the first stated.
        """
        current = coarsen(self.dct, "quarter") if self.dct is not None and self.dct.month else None
        counts: dict[When, list] = {}
        for mention in self.history:
            when = mention.when
            if not mention.explicit or when.gran not in ("quarter", "half"):
                continue
            if current is not None and (abs(when.year - current.year) > 1 or (
                    when.gran == "quarter" and (when.year, when.sub) > (current.year, current.sub))):
                continue
            if mention.sentence is not None and mention.sentence == self.sentence:
                return mention
            counts.setdefault(when, [0, mention])[0] += 1
        if not counts:
            return None
        return max(counts.values(), key=lambda item: item[0])[1]
