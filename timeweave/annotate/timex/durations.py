"""Durations: "eighteen months", "2 1/2 years", "a minute and a half", "several weeks" into TIMEX3 values.

Also what is *not* a duration though it looks like one: ages ("52 years old"), rates ("$2 million a
year") and fractions ("three-quarters of its food").
"""

from __future__ import annotations

import re

from timeweave.annotate.timex.calendar import When
from timeweave.annotate.timex.lexicon import UNITS, number_value
from timeweave.annotate.timex.raw import Raw

_QUANT_MOD = {"about": "APPROX", "around": "APPROX", "approximately": "APPROX", "roughly": "APPROX",
              "some": "APPROX", "nearly": "LESS_THAN", "almost": "LESS_THAN", "more than": "MORE_THAN",
              "over": "MORE_THAN", "less than": "LESS_THAN", "fewer than": "LESS_THAN", "under": "LESS_THAN",
              "at least": "EQUAL_OR_MORE", "at most": "EQUAL_OR_LESS", "up to": "EQUAL_OR_LESS",
              "within": "EQUAL_OR_LESS", "no more than": "EQUAL_OR_LESS", "no less than": "EQUAL_OR_MORE"}


def unit_of(word: str) -> tuple[str, str]:
    """'months' -> ('month', 'M'); 'fiscal year' -> ('year', 'Y')."""
    w = word.lower().split()[-1].rstrip("s")
    w = "century" if w.startswith("centur") else w
    return w, UNITS.get(w, "Y")


_FRACTION_STEP = {"Y": ("M", 12), "D": ("H", 24), "H": ("M", 60), "MIN": ("S", 60)}


def count(word: str) -> float | None:
    """A number, or None for vague counts ('several', 'a few'); 'a couple of' is two."""
    w = " ".join(word.lower().replace(",", "").split())
    if w in ("a couple", "a couple of", "couple of"):
        return 2.0
    if " 1/2" in w:
        base = count(w.replace(" 1/2", ""))
        return base + 0.5 if base is not None else None
    if re.fullmatch(r"\d{1,7}(?:\.\d{1,2})?", w):
        return float(w)
    if w.endswith((" hundred", " thousand")):
        head = number_value(w.rsplit(" ", 1)[0])
        return head * (100 if w.endswith("hundred") else 1000) if head else None
    n = number_value(w)
    return float(n) if n is not None else None


def duration_value(n: float | None, unit: str) -> str:
    """P3Y, P18M, PT2H, P2.5Y, P20Y for two decades; PXM when the count is vague."""
    word, code = unit_of(unit)
    if word == "fortnight":
        n, code = (n * 2 if n is not None else None), "W"
    if code in ("DE", "CE"):
        mult = 10 if code == "DE" else 100
        code, n = "Y", (n * mult if n is not None else None)
        if n is None:
            return "PXDE" if mult == 10 else "PXC"  # TIMEX3's century unit is C
    clock = word in ("hour", "minute", "second", "hr", "min")
    if clock:
        code = {"hour": "H", "hr": "H", "minute": "M", "min": "M", "second": "S"}[word]
    step = _FRACTION_STEP.get("MIN" if clock and code == "M" else code)
    if n is not None and n != int(n) and step and (n - int(n)) * step[1] == int((n - int(n)) * step[1]):
        # "2 1/2 years" is P2Y6M, "5 1/2 hours" PT5H30M: the fraction goes to the next smaller unit
        whole, part = int(n), int((n - int(n)) * step[1])
        head = f"{whole}{code}" if whole else ""
        if clock:
            return f"PT{head}{part}{step[0]}"
        return f"P{head}T{part}H" if step[0] == "H" else f"P{head}{part}{step[0]}"
    num = "X" if n is None else (str(int(n)) if n == int(n) else f"{n:g}")
    return f"PT{num}{code}" if clock else f"P{num}{code}"


# A quantity just before "a year" / "annually" / "per second" makes it a rate ("$2 million a year",
# "rise 8.5% annually", "four flights a week"), which TimeML leaves untagged.
_AMOUNT_BEFORE = re.compile(r"(?i:\d[\d,.]*%?|\b(?:million|billion|trillion|thousand|hundred|percent|cents?|dollars?|"
                            r"one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|fifty))"
                            r"(?:\s{1,2}[A-Za-z-]+){0,2}\s{1,2}$")
# "52 years old", "a 136-year-old institution": an age, which TimeML does not tag.
_AGE_AFTER = re.compile(r"\s{1,2}(?i:old|of\sage)\b")


def is_rate(text: str, start: int) -> bool:
    """True when a quantity stands just before `start`: the time word is the denominator of a rate."""
    return bool(_AMOUNT_BEFORE.search(text, max(0, start - 40), start))


def duration(m: re.Match, text: str, rule: str) -> Raw | None:
    n_word = m["n"]
    word, code = unit_of(m["unit"])
    if word == "second" and n_word.lower() in ("a", "an", "the"):
        return None  # "a second time" is an ordinal, not a duration
    if word in ("year", "yr") and ((m["old"] or "").lower() == "old" or _AGE_AFTER.match(text, m.end())):
        return None
    if n_word.lower() in ("a", "an") and not (m["quant"] or m["det"]) and is_rate(text, m.start()):
        return None
    if word == "quarter" and m["plural"] and m.group("n").lower() in ("one", "two", "three") \
            and text[m.end("n"):m.start("unit")] == "-":
        return None  # "about three-quarters of its food": a fraction, not a span of quarters
    if word == "quarter" and n_word.lower() in ("a", "an", "one") and not m["plural"] \
            and _FRACTION_OF.match(text, m.end()):
        return None  # "more than a quarter of the market": a fraction again
    if n_word.lower() == "one" and word == "day" and not (m["plural"] or m["quant"] or m["det"]) \
            and _MODAL_BEFORE.search(text, max(0, m.start() - 12), m.start()):
        # "Islam will one day be ...": some future day, not a length of one day
        return Raw(m.start(), m.end(), m.group(), rule, value="FUTURE_REF", need="present")
    n = None if m["n2"] else count(n_word)
    if n is not None and n > 100000:
        return None
    if n is not None and m["half"]:
        n += 0.5  # "a minute and a half" is PT1M30S, "a year and a half" P1Y6M
    end = m.end()
    if m["ofyear"]:
        half = _half_of_year(m["det"], n, code)
        if half:
            # "the first two quarters of 1990": a named part of that year, a DATE
            start = m.start("det")  # "at least" qualifies a length, not a named half
            return Raw(start, end, text[start:end], rule, when=When("half", int(m["ofyear"]), sub=half),
                       note=f"the {'first' if half == 1 else 'second'} half of {m['ofyear']}")
        end = m.start("ofyear") - 4  # " of 1990" is the year's own expression
    start, quant = m.start(), " ".join((m["quant"] or "").lower().split())
    if quant == "within" or (quant == "over" and m["det"]):
        # "within a week", "over the next two years": prepositions, outside TimeML's extent
        start = m.start("det") if m["det"] else m.start("n")
    elif (m["det"] or "").lower() == "the" and text[m.end("n"):m.start("unit")] == "-" and not m["plural"]:
        start = m.start("n")  # "the eight-year war": the article belongs to the war
    raw = Raw(start, end, text[start:end], rule, type="DURATION", value=duration_value(n, m["unit"]))
    if _IN_BEFORE.search(text, max(0, m.start() - 4), m.start()) and not (m["quant"] or m["det"] or m["n2"]) \
            and n is not None and n == int(n) and code in _OFFSET_GRAN:
        # "would be redeemed in five years": a date that far after now, if the verb looks ahead
        raw.need, raw.gran, raw.shift = "offset", _OFFSET_GRAN[code], int(n)
    if quant and not (quant == "over" and m["det"]):
        raw.mod = _QUANT_MOD.get(quant)
    return raw


_IN_BEFORE = re.compile(r"\b(?i:in)\s$")
_OFFSET_GRAN = {"Y": "year", "M": "month", "W": "week", "D": "day"}
_MODAL_BEFORE = re.compile(r"(?i:\b(?:will|would|could|may|might|can|shall|must)|'ll)\s{1,2}$")
_FRACTION_OF = re.compile(r"\s{1,2}(?i:of)\s{1,2}(?!(?i:an?\s{1,2}(?:hour|century)|the\s{1,2}(?:year|century|hour)\b))")


def _half_of_year(det: str | None, n: float | None, code: str) -> int | None:
    """'first two quarters' / 'first six months' -> 1 (H1), 'last two quarters' -> 2; else None."""
    det = (det or "").lower().split()[-1] if det else ""
    if (code, n) not in (("Q", 2.0), ("M", 6.0)) or det not in ("first", "last", "final"):
        return None
    return 1 if det == "first" else 2


# "for a while", "for some time": an unstated length, TIMEX3's PXX
def indefinite(m: re.Match, text: str, rule: str) -> Raw | None:
    return Raw(m.start(), m.end(), m.group(), rule, type="DURATION", value="PXX")


def vague_duration(m: re.Match, text: str, rule: str) -> Raw | None:
    pre = m["pre"].lower()
    if pre == "the" and re.match(r"\s{1,2}(?:of\s{1,2})?(?:1[0-9]|20)\d\d", text[m.end():m.end() + 12]):
        return None  # "the years 1937-1939": the years are named right after
    start = m.start("unit") if pre in ("for", "over", "in", "within", "for many", "for some") else m.start()
    word, code = unit_of(m["unit"])
    return Raw(start, m.end(), text[start:m.end()], rule, type="DURATION", value=duration_value(None, word))
