"""Which language a document is written in: by script, then by its most common words. Offline, no model.

timeweave's annotators read English. A historian's pile also holds Russian, Mongolian, Japanese or
German texts; run through an English model they would fill the chronicle with nonsense entities and
events. So each document's language is recorded (a CSL-JSON `language` field wins over detection),
and a document not in English is stored, searchable and shown, but not annotated, with a warning
that says so (T016). Detection needs some prose: a text of fewer than `MIN_WORDS` words (or, in
Chinese or Japanese, five times as many characters) is left undetermined and read as English.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

MIN_WORDS = 20
SAMPLE = 20000  # characters looked at: the opening of a long text decides
NAMES = {"en": "English", "ru": "Russian", "mn": "Mongolian", "uk": "Ukrainian", "de": "German", "fr": "French",
         "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "zh": "Chinese",
         "ja": "Japanese", "ko": "Korean", "ar": "Arabic", "el": "Greek", "he": "Hebrew"}
# Frequent short words that are each language's own (none is an English word).
_STOPWORDS = {
    "en": "the and of to in is was that for with as by on are were from which this have has had not".split(),
    "de": "der die das und ist nicht mit den von zu sich auf für des eine dem ein wurde auch".split(),
    "fr": "le la les et des est une dans pour qui sur pas du par au avec sont été cette".split(),
    "es": "el los las y del que en una por con para es fue se su al lo como más".split(),
    "it": "il di che è la per una sono della nel con del gli le non alla anche".split(),
    "pt": "o os da do que em um uma para com não são foi das dos pela pelo".split(),
    "nl": "de het een van en is dat op te zijn niet met voor aan er werd".split(),
    "pl": "i w na się z do nie jest że to o jak przez od ale".split(),
}
# Common words of languages written in Cyrillic: detection goes by script, but choosing between
# Cyrillic code pages (cp1251, KOI8-R) needs words (see decode.py).
_CYRILLIC_STOPWORDS = {
    "ru": "и в не на что с по как это из к у за от он она они был была было также или при".split(),
    "uk": "і в не на що з по як це із до у за від він вона та також або при".split(),
}
_WORD = re.compile(r"[^\W\d_]+")
_SCRIPT_NAMES = {"CJK": "Chinese characters (CJK)", "HANGUL": "Hangul"}


@dataclass
class Language:
    code: str | None  # ISO 639-1, or None when the text is too short to tell
    reason: str

    @property
    def name(self) -> str:
        return NAMES.get(self.code or "", self.code or "undetermined")


def common_words() -> frozenset[str]:
    """Every language's frequent short words, as evidence that a decoding reads as some language."""
    return frozenset(w for vocab in (*_STOPWORDS.values(), *_CYRILLIC_STOPWORDS.values()) for w in vocab)


def reads_as_english(code: str | None) -> bool:
    """English, or too short to tell (then read as English): what the annotators can read."""
    return code in (None, "en")


def normalise_code(value: str | None) -> str | None:
    """A CSL `language` ('en-US', 'ru', 'English') as an ISO 639-1 code, or None if unreadable."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    by_name = {name.lower(): code for code, name in NAMES.items()}
    if value.lower() in by_name:
        return by_name[value.lower()]
    code = re.split(r"[-_]", value)[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _script(ch: str) -> str | None:
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    for script in ("LATIN", "CYRILLIC", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "ARABIC", "GREEK", "HEBREW", "MONGOLIAN"):
        if name.startswith(script):
            return script
    return None


def detect(text: str) -> Language:
    """The language of `text`, with the evidence in words."""
    sample = text[:SAMPLE]
    words = _WORD.findall(sample)
    scripts = Counter(s for s in map(_script, (ch for ch in sample if ch.isalpha())) if s)
    letters = sum(scripts.values()) or 1
    unspaced = scripts["CJK"] + scripts["HIRAGANA"] + scripts["KATAKANA"]  # no spaces between words
    if len(words) < MIN_WORDS and unspaced < 5 * MIN_WORDS:
        return Language(None, f"only {len(words)} words: too little to tell")
    script, count = scripts.most_common(1)[0] if scripts else ("LATIN", 0)
    share = f"{100 * count // letters}% of its letters are {_SCRIPT_NAMES.get(script, script.title())}"
    if script == "CYRILLIC":
        lower = sample.lower()
        if sum(lower.count(ch) for ch in "өү") > 0.002 * count:
            return Language("mn", f"{share}, with the Mongolian letters ө and ү")
        if sum(lower.count(ch) for ch in "іїєґ") > 0.002 * count:
            return Language("uk", f"{share}, with the Ukrainian letters і, ї, є, ґ")
        return Language("ru", share)
    if script in ("HIRAGANA", "KATAKANA") or (script == "CJK" and scripts["HIRAGANA"] + scripts["KATAKANA"] > 0.05 * letters):
        return Language("ja", share)
    single = {"CJK": "zh", "HANGUL": "ko", "ARABIC": "ar", "GREEK": "el", "HEBREW": "he", "MONGOLIAN": "mn"}
    if script in single:
        return Language(single[script], share)
    lowered = [w.lower() for w in words]
    counts = Counter(lowered)
    hits = {lang: sum(counts[w] for w in vocab) for lang, vocab in _STOPWORDS.items()}
    best = max(hits, key=lambda lang: (hits[lang], lang == "en"))
    if hits[best] < 0.05 * len(words):
        # mojibake, lists of names, tables: nothing says which language, so the default reading
        return Language("en", f"{share}; no language's common words stand out ({hits['en']} English of "
                              f"{len(words)} words), so it is read as English")
    if hits["en"] >= hits[best] * 0.8:
        return Language("en", f"{share}; its common words are English ({hits['en']} of {len(words)})")
    return Language(best, f"{share}; {hits[best]} of its {len(words)} words are common {NAMES[best]} words "
                          f"(English ones: {hits['en']})")
