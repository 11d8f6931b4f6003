"""The time-expression patterns: general English rules, compiled once at import.

Each rule is a name and a regex with named groups; `normalise.py` turns a match into a value.
Matching is case-sensitive for month and weekday names (so the verb "march" and the modal
"may" stay out) and case-insensitive, through scoped `(?i:...)` groups, for everything else.
Every quantifier is bounded so a hostile line (a megabyte of digits) stays linear.
Extents follow TimeML: determiners and vague modifiers ("the", "early", "about") are part of
the expression, prepositions ("in", "by", "since") are not.
"""

from __future__ import annotations

import re

from timeweave.annotate.timex.lexicon import DAY_COUNTED_UNITS, MONTHS, ONES, ORDINALS, TENS, UNITS, WEEKDAYS, alt

_MON_FULL = [m for m in MONTHS if len(m) > 4 or m in ("may", "june", "july")]
_MON_ABBR = [m for m in MONTHS if m not in _MON_FULL]


def _cap(words):
    return [w.capitalize() for w in words] + [w.upper() for w in words]


MON_WORD = "(?:" + alt(_cap(_MON_FULL)) + "|(?:" + alt(_cap(_MON_ABBR)) + r")\.?)(?![A-Za-z])"
MONTH_FULL = "(?:" + alt(_cap(_MON_FULL)) + ")(?![A-Za-z])"
WEEKDAY = "(?:" + alt(_cap(WEEKDAYS)) + r")(?![A-Za-z])"
_WEEKDAY_OR_PLURAL = "(?:" + alt(_cap(WEEKDAYS)) + r")(?P<plural>s)?(?![A-Za-z])"
_NUMW = "(?:" + alt(list(TENS)) + ")(?:[ -](?:" + alt([k for k, v in ONES.items() if 0 < v < 10]) + "))?|" + alt(list(ONES))
NUM = (r"(?:(?<![\d.,])\d{1,3}(?:,\d{3})?(?:\.\d{1,2})?(?:\s1/2)?|(?i:" + _NUMW + r")(?:\s(?i:hundred|thousand))?"
       r"|(?i:an?\s(?:hundred|thousand)|an?(?:\s(?:few|couple(?:\sof)?))?|several|a\snumber\sof|some|many|few|couple\sof|dozens\sof|hundreds\sof|a\sdozen))")
UNIT = r"(?i:" + alt(list(UNITS) + ["fiscal year", "calendar year", "trading day", "business day"]) + ")"
DAY = r"(?:(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)|(?i:" + alt([w for w in ORDINALS if w not in ("last", "final")]) + "))"
YEAR4 = r"(?<![\d$£€#])(?:1[0-9]|20)[0-9]{2}(?![\d%])"
SPELLED_YEAR = (r"(?i:(?:nineteen|eighteen|seventeen|sixteen)[ -](?:hundred|"
                + "(?:" + alt(list(TENS)) + ")(?:[ -](?:" + alt([k for k, v in ONES.items() if 0 < v < 10]) + "))?|"
                + alt([k for k, v in ONES.items() if v >= 10]) + r")|two\sthousand(?:\s(?:and\s)?(?:"
                + alt([k for k in ONES if k != "zero"]) + "))?)")
YEAR = f"(?:{YEAR4}|{SPELLED_YEAR})"
# The formal year of deeds, acts and proclamations ("one thousand nine hundred and sixty-four"),
# optionally after "in the year (of our Lord)": accepted only after a month and day, where it cannot be a count.
_ONES19 = alt([k for k, v in ONES.items() if 0 < v < 10])
YEAR_INTRO = r"(?:(?i:in\s)?(?i:the\syear\s)(?:(?i:of\sour\slord)\s)?)?"
FORMAL_YEAR = (r"(?i:one\sthousand\s(?:" + _ONES19 + r")\shundred"
               r"(?:\s(?:and\s)?(?:(?:" + alt(list(TENS)) + r")(?:[ -](?:" + _ONES19 + r"))?|"
               + alt([k for k, v in ONES.items() if 0 < v < 20]) + r"))?)(?![\w-])")
DATE_YEAR = f"(?:{YEAR}|{FORMAL_YEAR})"
ERA = r"(?:B\.?C\.?E?\.?|BCE|A\.?D\.?|C\.?E\.?)(?![A-Za-z])"
DASH = r"\s?[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]\s?"
S = r"\s{1,3}"
MOD = (r"(?P<mod>(?i:(?:the\s)?(?:very\s)?(?:beginning|start|end|middle|close|turn|first\shalf|second\shalf"
       r"|latter\shalf|last\shalf|first\spart|latter\spart|last\spart|early\spart|later\spart|height)\sof(?:\sthe)?"
       r"|(?:early|late)\sin|(?:the\s)?(?:early|mid|middle|late)|mid|end))(?:\s{1,2}|-)")
APPROX = r"(?P<approx>(?i:around|about|circa|approximately|roughly|c\.|ca\.|some|nearly|almost|until\sabout))\s{1,2}"
QUANT = (r"(?P<quant>(?i:about|around|approximately|roughly|nearly|almost|some|more\sthan|less\sthan|fewer\sthan"
         r"|at\sleast|at\smost|up\sto|over|under|within|no\smore\sthan|no\sless\sthan|just\sover|just\sunder"
         r"|barely|only|just|well\sover|upwards\sof|as\smany\sas|as\slong\sas|a\sfull|the\sfull))\s{1,2}")
DET_REL = (r"(?P<det>(?i:this\scoming|this\spast|this|last|next|past|coming|previous|following|that|same|that\ssame"
           r"|the\s(?:same|following|next|previous|preceding|prior|past|last|coming|current|present|latest|recent)|the))\s{1,2}")
TIMEOFDAY = r"(?P<tod>(?i:morning|afternoon|evening|night))"
TZ = r"(?:\s(?:EST|EDT|CST|CDT|MST|MDT|PST|PDT|GMT|UTC|BST|CET))?"
CLOCK = (r"(?P<h>1[0-2]|0?[1-9])(?::(?P<mi>[0-5]\d))?\s?(?P<ap>(?i:a\.m\.?|p\.m\.?|am|pm)(?![A-Za-z]))" + TZ
         + r"|(?P<h24>[01]?\d|2[0-3]):(?P<mi24>[0-5]\d)(?!\d)(?:\s(?i:GMT|UTC|local\stime))?"
         + r"|(?P<named>(?i:noon|midnight|midday))")
_MDY = rf"(?:(?P<wd>{WEEKDAY}),?{S})?(?P<mon>{MON_WORD}){S}(?P<day>{DAY}),?{S}{YEAR_INTRO}(?P<year>{DATE_YEAR})(?:\s?(?P<era>{ERA}))?"
# "the seventh day of January": a formal day names its month after "day of"
_DMY = rf"(?:(?P<wd>{WEEKDAY}),?{S})?(?:(?i:the)\s)?(?P<day>{DAY})(?:\s(?i:day))?(?:\s(?i:of))?{S}(?P<mon>{MON_WORD}),?{S}{YEAR_INTRO}(?P<year>{DATE_YEAR})(?:\s?(?P<era>{ERA}))?"
_MD = rf"(?:(?P<det>(?i:this\scoming|this|last|next|the\sfollowing|the\sprevious|that))\s)?(?:(?P<wd>{WEEKDAY}),?{S})?(?P<mon>{MON_WORD}){S}(?P<day>{DAY})(?![\d:,.]\d)"
_DM = rf"(?:(?P<wd>{WEEKDAY}),?{S})?(?:(?i:the)\s)?(?P<day>{DAY})(?:\s(?i:day))?(?:\s(?i:of))?{S}(?P<mon>{MON_WORD})"
_MY = rf"(?:{MOD}|{APPROX})?(?P<mon>{MON_WORD}),?{S}(?:(?i:of)\s)?(?P<year>{YEAR})(?:\s?(?P<era>{ERA}))?"
_Y = (rf"(?:{MOD}|{APPROX})?(?:(?P<fiscal>(?i:fiscal|calendar|the\syear|the\sfiscal\syear|fiscal\syear|the\syears?|year))\s)?"
      rf"(?:(?<=[a-z]-)|(?<![\w./-]))(?P<year>{YEAR})(?![\w/]|-\d|[.,]\d)(?:\s?(?P<era>{ERA}))?")
_ERA_Y = rf"(?:{MOD}|{APPROX})?(?:(?P<era0>A\.?D\.?)\s?(?P<year0>\d{{1,4}})(?!\d)|(?<![\w.,/-])(?P<year>\d{{1,4}})\s?(?P<era>{ERA}))"
_Y_RANGE = (rf"(?<![\w./-])(?P<y1>{YEAR4}){DASH}(?P<y2>{YEAR4}|\d{{2}})(?![\w/-]|[.,]\d)"
            rf"|(?P<pre>(?i:from|between))\s(?P<y1b>{YEAR4})\s(?i:to|until|till|through|and)\s(?P<y2b>{YEAR4})(?![\w/-]|[.,]\d)")
_DAY_JOIN = rf"(?:{DASH}|\s(?i:to|and|or|until|till|through)\s)"
_D_RANGE = (rf"(?:(?i:from|between)\s)?(?P<mon>{MON_WORD}){S}(?P<d1>{DAY}){_DAY_JOIN}(?P<d2>{DAY})(?![\d:])(?:,?{S}(?P<year>{YEAR}))?"
            rf"|(?:(?i:from|between)\s)?(?P<d1b>{DAY}){_DAY_JOIN}(?P<d2b>{DAY}){S}(?P<monb>{MON_WORD})(?:,?{S}(?P<yearb>{YEAR}))?")
_MONTH = rf"(?:{MOD}|{APPROX}|(?P<det>(?i:this\spast|this\scoming|this|last|next|that|each|every|the\sfollowing|the\sprevious|the\ssame))\s)?(?P<mon>{MONTH_FULL})(?:\s(?P<after>(?i:this|last|next)\syear))?"
_WD = (rf"(?:(?P<el>(?i:early|earlier|late|later|mid))\s)?(?:{DET_REL})?(?P<wd>{_WEEKDAY_OR_PLURAL})"
       rf"(?:\s{TIMEOFDAY}(?P<tods>s)?)?")
_CLOCK_PART = (r"(?P<h>1[0-2]|0?[1-9])(?::(?P<mi>[0-5]\d))?\s(?:(?i:o'clock)\s)?(?i:in)\s(?i:the)\s"
               r"(?P<part>(?i:morning|afternoon|evening|night))(?![\w-])")
_NTH_DAY = (r"(?<=(?:\bis|'s)\s)(?P<nth>(?i:the\s(?:" + alt([w for w in ORDINALS if w not in ("last", "final")])
            + r"|\d{1,3}(?:st|nd|rd|th))\sday))(?=\s(?i:of)\s)")
# "today was the day in 1964", "on this day in 1812", "this day in 1944": the writer's day and month, in that year
_ANNIVERSARY = (r"(?P<anniv>(?i:today|this\sday|on\sthis\sday)(?:\s(?i:was|is|marks)\s(?i:the\s(?:day|date)))?\s(?i:in)\s)"
                rf"(?P<year>{YEAR4})(?![\w-])")
_DEIXIS = (r"(?:(?P<el>(?i:early|earlier|late|later|mid|mid-))\s?)?(?P<word>(?i:today|tonight|yesterday|tomorrow"
           r"|the\sday\sbefore\syesterday|the\sday\safter\stomorrow))(?:\s" + TIMEOFDAY + ")?")
_RELUNIT = (rf"(?:(?P<el>(?i:early|earlier|late|later|mid|the\send\sof|the\sbeginning\sof|the\sstart\sof|the\smiddle\sof|the\srest\sof|the\sfirst\shalf\sof|the\ssecond\shalf\sof))\s)?"
            rf"{DET_REL}(?P<unit>(?i:fiscal\syear|calendar\syear|year|month|week|weekend|day|decade|century|quarter|half|morning|afternoon|evening|night|time|period|season))(?![\w-])"
            rf"(?:\s(?P<before>(?i:before|earlier|after|later)))?")
_EL_SEASON = (rf"(?:(?P<el>(?i:early|late|mid|the\send\sof|the\sbeginning\sof|the\smiddle\sof))\s)?(?:{DET_REL})?"
              rf"(?:(?P<el2>(?i:early|late|mid))[\s-])?(?P<season>(?i:spring|summer|autumn|winter|fall))(?![\w-])(?:\s(?i:of)\s(?P<year>{YEAR})|\s(?P<year2>{YEAR4}))?")
_NUM_REL = (rf"(?:{QUANT})?(?P<n>{NUM})[\s-](?P<unit>{UNIT}|(?i:{alt(DAY_COUNTED_UNITS)}))s?(?:\s(?i:or\sso))?\s(?P<rel>(?i:ago|earlier|later|before|after|hence|from\snow|back|previously|prior))(?![\w-])")
_DURATION = (rf"(?:{QUANT})?(?:(?P<det>(?i:the|another|each\sof\sthe\s(?:past|last|next)|(?:the\s)?(?:past|last|next|first|final|previous|coming|following|latest|remaining|initial|same|other|last\sfew|past\sfew|next\sfew)))\s)?"
             rf"(?P<n>{NUM})(?:\s(?i:to|or)\s(?P<n2>{NUM}))?[\s-](?:(?P<adj>(?i:more|additional|straight|consecutive|full|long|trading|business|calendar|working|fiscal))\s)?"
             rf"(?P<unit>{UNIT})(?P<plural>s)?(?![\w])(?:-(?P<old>(?i:old|long)))?(?:\s(?P<half>(?i:and\sa\shalf))(?![\w-]))?(?:\s(?i:of)\s(?P<ofyear>{YEAR4})(?![\w-]))?")
_VAGUE_DUR = (r"(?P<pre>(?i:for|over|in|within|recent|the\spast|the\slast|past|the\scoming|the\snext|coming|the\searly|the\sfirst|the|for\smany|for\ssome))\s"
              r"(?P<unit>(?i:years|months|weeks|days|hours|minutes|decades|centuries))(?![\w-])")
_WHILE = r"(?<=(?i:for)\s)(?P<while>(?i:a\s(?:long\s|short\s|little\s|good\s)?while|quite\sa\swhile|some\stime|a\s(?:long|short)\stime))(?![\w-])"
_QUARTER = (rf"(?:(?P<det>(?i:the|its|a|this|last|next|(?:this|last|next)\syear's|the\syear-earlier|the\syear-ago|the\s(?:{YEAR4})))\s)?"
            rf"(?:(?i:fiscal|calendar)[\s-])?(?P<q>(?i:first|second|third|fourth|1st|2nd|3rd|4th|final))[\s-](?:(?i:fiscal)[\s-])?(?i:quarter|period)(?!s)(?![\w-]|-(?:end|ended))"
            rf"(?:\s(?i:of)\s(?:(?i:fiscal)\s)?(?P<year>{YEAR4}|(?i:this|last|next)\syear|the\s(?:year|previous\syear|same\syear)))?")
_QREF = (r"(?P<text>(?i:the\scorresponding\s(?:quarter|period)\s(?:of\s)?last\syear|last\syear's\s(?:quarter|period)"
         r"|the\s(?:quarter|period)\sa\syear\s(?:ago|earlier)|the\s(?:latest|current|comparable|same|recent|previous|prior|year-earlier|year-ago|comparable\syear-ago|comparable\syear-earlier|corresponding|first|second)\s(?:quarter|period)"
         r"|the\s(?:quarter|period)|that\s(?:quarter|period)|this\squarter|last\squarter|next\squarter|year-earlier|year-ago|the\sfull\syear"
         r"|the\s(?:year-earlier|year-ago)\s(?:third|second|first|fourth)\squarter|the\s(?:1[89]|20)\d\d\s(?:quarter|period)))(?![\w-])")
_DECADE = (rf"(?:{APPROX})?(?:(?P<the>(?i:the))\s)?(?:{MOD})?(?:(?P<dec>(?:1[0-9]|20)[0-9]0)['’]?s|['’](?P<dec2>[0-9]0)['’]?s"
           r"|(?P<decw>(?i:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)))(?![\w])")
_CENTURY = (rf"(?:(?P<the>(?i:the|this|last|next|that))\s)?(?:{MOD})?(?P<c>\d{{1,3}}(?:st|nd|rd|th)|(?i:{alt(ORDINALS)}|twenty-first|twenty\sfirst))"
            rf"[\s-](?i:century)(?:\s(?P<era>{ERA}))?|(?P<det>(?i:this|last|next|the\spast|the\snext|the\slast))\s(?i:century)")
_TIME = (rf"(?:{APPROX})?(?:(?P<el>(?i:mid|early|late|mid-))\s?)?(?:(?P<clock>{CLOCK})"
         rf"(?:,?\s(?:(?i:on)\s)?(?:(?P<wd>{WEEKDAY})|(?P<word>(?i:today|yesterday|tomorrow|tonight))|(?P<mon>{MON_WORD})\s(?P<day>{DAY})))?"
         rf"|(?:(?P<det>(?i:this|last|tomorrow|yesterday|that|the|one|early\sthis|late\sthis|later\sthis|earlier\sthis))\s)(?P<tod>(?i:morning|afternoon|evening|night))(?![\w-])"
         r"|(?P<overnight>(?i:overnight|mid[\s-]afternoon|midafternoon|mid[\s-]morning|midmorning|late\safternoon|early\smorning))(?:\s(?P<oword>(?i:today|yesterday|tomorrow)))?)")
_SET = (rf"(?P<every>(?i:every|each|per))\s(?:(?i:other)\s)?(?:(?P<n>{NUM})\s)?(?P<unit>{UNIT}|{WEEKDAY}|{MONTH_FULL}|(?i:morning|evening|night|weekend|spring|summer|autumn|fall|winter))(?P<plural>s)?(?![\w-])(?:\s(?P<settod>(?i:morning|afternoon|evening|night))(?![\w-]))?"
        r"|(?P<adv>(?i:daily|weekly|monthly|annually|yearly|hourly|nightly|biweekly|semiannually|semi-annually|bimonthly|fortnightly))(?![\w-])"
        r"|(?P<times>(?i:once|twice|thrice|\d{1,2}\stimes|(?:two|three|four|five|six|several|many)\stimes))\s(?:(?i:a|per|each|every))\s(?P<unit2>" + UNIT + ")")
_REF = (r"(?P<ref>(?i:right\snow|just\snow|now|currently|nowadays|these\sdays|at\spresent|presently|recently|lately|more\srecently|until\srecently"
        r"|recent\s(?:years|months|weeks|days|decades|times)|the\spast|formerly|the\snear\sfuture|the\sfuture|the\snear\sterm|the\sshort\sterm|the\slong\sterm"
        r"|the\scoming\s(?:years|months|weeks|days|decades)|coming\s(?:years|months|weeks|days|quarters)|the\syears\sahead|the\smonths\sahead|the\sweeks\sahead|the\sdays\sahead|as\ssoon\sas\spossible|a\slater\sdate|the\stime\sbeing|year[-\s]end|year's\send"
        r"|current(?=\s(?!account|assets|liabilities|affairs|events)[a-z])))(?![\w-])")
_THEN = r"(?i:(?:by|until|till|since|back|before|from|even|just)\s)(?P<then>(?i:then))(?![\w-])|(?i:at\s)(?P<thattime>(?i:that\stime|the\stime))(?![\w-])"
_HOLIDAY = (rf"(?:(?P<det>(?i:this|last|next|that))\s)?(?P<hol>Christmas(?:\s(?:Day|Eve))?|New\sYear's(?:\s(?:Day|Eve))?|Thanksgiving(?:\sDay)?|Easter(?:\s(?:Sunday|Monday))?"
            rf"|Independence\sDay|Halloween|Valentine's\sDay|Labor\sDay|Memorial\sDay|Election\sDay|Boxing\sDay|May\sDay|Bastille\sDay)(?![\w])(?:,?\s(?P<year>{YEAR4}))?")
_ISO = (r"(?<![\w./-])(?P<year>(?:1[0-9]|20)[0-9]{2})(?P<sep>[-/.])(?P<mon>0[1-9]|1[0-2])(?P=sep)(?P<day>0[1-9]|[12][0-9]|3[01])(?![\w/-]|[.,]\d)(?:T(?P<h24>[01]\d|2[0-3]):(?P<mi24>[0-5]\d))?"
        r"|(?<![\w./-])(?P<usm>1[0-2]|0?[1-9])/(?P<usd>3[01]|[12][0-9]|0?[1-9])/(?P<usy>(?:1[0-9]|20)[0-9]{2})(?![\w/-]|[.,]\d)"
        # European day first: "11.05.1939" (dots), "20/08/1939" (a slash and a day past 12), "12.III.1936"
        r"|(?<![\w./-])(?P<eud>3[01]|[12][0-9]|0?[1-9])\.(?P<eum>1[0-2]|0?[1-9]|XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\."
        r"(?P<euy>(?:1[0-9]|20)[0-9]{2})(?![\w/-]|[.,]\d)"
        r"|(?<![\w./-])(?P<sld>3[01]|2[0-9]|1[3-9])/(?P<slm>1[0-2]|0?[1-9])/(?P<sly>(?:1[0-9]|20)[0-9]{2})(?![\w/-]|[.,]\d)")
_ISO_MONTH = r"(?<![\w./-])(?P<year>(?:1[0-9]|20)[0-9]{2})-(?P<mon>0[1-9]|1[0-2])(?![\w/-]|[.,]\d)"

# (name, source); order is the tie-break when two rules match the same extent.
_SOURCES = [
    ("d_range", _D_RANGE), ("mdy", _MDY), ("dmy", _DMY), ("iso", _ISO), ("iso_month", _ISO_MONTH),
    ("time", _TIME), ("clock_part", _CLOCK_PART), ("nth_day", _NTH_DAY), ("anniversary", _ANNIVERSARY), ("holiday", _HOLIDAY), ("my", _MY), ("md", _MD), ("dm", _DM), ("y_range", _Y_RANGE),
    ("quarter", _QUARTER), ("qref", _QREF), ("decade", _DECADE), ("century", _CENTURY),
    ("era_year", _ERA_Y), ("num_rel", _NUM_REL), ("relunit", _RELUNIT), ("season", _EL_SEASON),
    ("deixis", _DEIXIS), ("weekday", _WD), ("set", _SET), ("duration", _DURATION), ("year", _Y),
    ("month", _MONTH), ("ref", _REF), ("then", _THEN), ("vague_dur", _VAGUE_DUR), ("while", _WHILE),
]
# Every rule starts at a word boundary (or at the apostrophe of "'80s"): positions inside
# words fail at once, which makes each scan about three times faster.
RULES: list[tuple[str, re.Pattern]] = [(name, re.compile(r"(?:\b|(?='))(?:" + src + ")")) for name, src in _SOURCES]
PRIORITY = {name: i for i, (name, _) in enumerate(_SOURCES)}

# The cheap prefilter: every expression the rules find contains a trigger word or number shape.
# Rules run only in windows around triggers (about a quarter of news text), and only the rules
# whose trigger class occurs in the window: "last year" never wakes the month rules.
_CLASS_WORDS = {
    "mon": list(MONTHS),
    "wd": list(WEEKDAYS) + [w + "s" for w in WEEKDAYS],
    "cent": ["century", "centuries"],
    "qtr": ["quarter", "quarters", "period"],
    "unit": ["year", "years", "month", "months", "week", "weeks", "weekend", "weekends", "day", "days",
             "decade", "decades", "hour", "hours", "minute",
             "minutes", "second", "seconds", "hr", "hrs", "min", "mins", "yr", "yrs", "fortnight", "fortnights",
             "term", "time", "fiscal"],
    "deict": ["now", "current", "currently", "recent", "recently", "lately", "past", "future", "futures", "today",
              "tonight", "yesterday", "tomorrow", "ago", "then", "formerly", "nowadays", "presently", "ahead", "end"],
    "season": ["spring", "summer", "autumn", "fall", "winter"],
    "tod": ["night", "nights", "morning", "mornings", "evening", "evenings", "afternoon", "afternoons", "noon",
            "midnight", "midday", "overnight", "mid-afternoon", "midafternoon", "mid-morning", "midmorning"],
    "setadv": ["annually", "daily", "weekly", "monthly", "yearly", "hourly", "nightly", "biweekly", "fortnightly",
               "semiannually", "semi-annually", "bimonthly", "once", "twice", "thrice"],
    "hol": ["christmas", "easter", "thanksgiving", "halloween", "eve", "new"],
    "dec": ["twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties"],
    "spelled": ["nineteen", "eighteen", "seventeen", "sixteen", "thousand"],
    "era": ["bc", "bce", "ad", "ce", "b.c", "a.d"],
    "while": ["while"],
}
TRIGGER_CLASS = {word: cls for cls, words in _CLASS_WORDS.items() for word in words}
TOKEN = re.compile(r"[A-Z]\.[A-Z]|[A-Z]{2,}|[A-Za-z][a-z]*|\d[\d:,.]{0,12}(?:s|st|nd|rd|th|am|pm)?(?:\s?[ap]\.m)?|'\d0s")
_NUMBER_CLASSES = [
    ("year4", re.compile(r"(?:1\d|20)\d\d(?!\d)")), ("year4", re.compile(r"\d{1,2}\.\d{1,2}\.(?:1\d|20)\d\d(?!\d)")), ("clock", re.compile(r"\d{1,2}(?::\d\d|\s?[ap]\.?m)")),
    ("ord", re.compile(r"\d{1,3}(?:st|nd|rd|th)$")), ("dec", re.compile(r"'?\d{1,3}0s$")),
]
# Which trigger classes wake which rule.
RULE_CLASSES = {
    "d_range": {"mon"}, "mdy": {"mon"}, "dmy": {"mon"}, "my": {"mon"}, "md": {"mon"}, "dm": {"mon"},
    "month": {"mon"}, "iso": {"year4"}, "iso_month": {"year4"}, "y_range": {"year4"},
    "time": {"clock", "tod"}, "clock_part": {"tod"}, "nth_day": {"unit"}, "anniversary": {"deict", "unit"}, "holiday": {"hol", "unit"}, "quarter": {"qtr"}, "qref": {"qtr", "unit"},
    "decade": {"dec", "year4"}, "century": {"cent"}, "era_year": {"era"}, "num_rel": {"unit", "qtr", "cent", "tod"},
    "relunit": {"unit", "tod", "qtr", "cent"}, "season": {"season"}, "deixis": {"deict"}, "weekday": {"wd"},
    "set": {"setadv", "unit", "wd", "tod", "season", "mon", "qtr"}, "duration": {"unit", "qtr", "cent"}, "year": {"year4", "spelled"},
    "ref": {"deict", "unit"}, "then": {"deict", "unit"}, "vague_dur": {"unit", "cent"}, "while": {"unit", "while"},
}
WINDOW = 48  # characters searched on each side of a trigger: longer than any prefix or suffix
