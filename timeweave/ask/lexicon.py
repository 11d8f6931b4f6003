"""The words the ask stage reads questions with, loaded once from data/question_words.tsv.

Why data: which opening asks for a date, which word denies a statement and which endings mark the
same word are facts of English, not of the engine; a user asking in another register (or extending
the noun list of "which senator" questions) adds rows to a question_words.tsv in their knowledge
folder instead of editing code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from timeweave.knowledge.load import read_table

FILE = "question_words.tsv"
BUNDLED = Path(__file__).parent / "data" / FILE


@dataclass(frozen=True)
class Lexicon:
    kinds: dict[str, str]  # opening phrase -> kind
    stop: frozenset[str]
    negation: frozenset[str]
    suffixes: tuple[str, ...]  # longest first
    granularity: dict[str, str]
    numbers: dict[str, float]  # spelled-out numeral -> value
    months: dict[str, int]
    locative: frozenset[str]
    scope: frozenset[str]
    voice: frozenset[str]
    negative_prefixes: tuple[str, ...]
    synonyms: dict[str, frozenset[str]]  # stem -> stems of its near-synonyms
    forms: dict[str, str]  # irregular form -> base ("met" -> "meet")


@lru_cache(maxsize=8)
def lexicon(folder: str = "") -> Lexicon:
    """The bundled question words, then a user's `folder/question_words.tsv` rows if it has one."""
    rows = read_table(BUNDLED, ("word", "list"))
    user = Path(folder) / FILE if folder else None
    if user is not None and user.is_file():
        rows += read_table(user, ("word", "list"))
    kinds: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    granularity: dict[str, str] = {}
    numbers: dict[str, float] = {}
    forms: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for row in rows:
        word, name = row["word"].lower(), row["list"]
        if name.startswith("kind:"):
            kinds[word] = name.split(":", 1)[1]
        elif name.startswith("granularity:"):
            granularity[word] = name.split(":", 1)[1]
        elif name.startswith("synonym:"):
            groups.setdefault(name, []).append(word)
        elif name == "form":
            forms[word] = row.get("value", "").lower() or word
        elif name == "number":
            numbers[word] = float(row.get("value") or 0)
        else:
            lists.setdefault(name, []).append(word)
    months = {m: i + 1 for i, m in enumerate(lists.get("month", []))}
    months.update({m[:3]: n for m, n in list(months.items())})
    partial = Lexicon(kinds=kinds, stop=frozenset(), negation=frozenset(),
                      suffixes=tuple(sorted(set(lists.get("suffix", ())), key=len, reverse=True)), granularity={}, numbers={},
                      months={}, locative=frozenset(), scope=frozenset(), voice=frozenset(), negative_prefixes=(), synonyms={}, forms=forms)
    synonyms: dict[str, set[str]] = {}
    for members in groups.values():
        stems = {stem(w, partial) for w in members}
        for s in stems:
            synonyms.setdefault(s, set()).update(stems - {s})
    return Lexicon(kinds=kinds, stop=frozenset(lists.get("stop", ())), negation=frozenset(lists.get("negation", ())),
                   suffixes=tuple(sorted(set(lists.get("suffix", ())), key=len, reverse=True)),
                   granularity=granularity, numbers=numbers, months=months, forms=forms,
                   locative=frozenset(lists.get("locative", ())),
                   scope=frozenset(lists.get("scope", ())), voice=frozenset(lists.get("voice", ())),
                   negative_prefixes=tuple(lists.get("negative_prefix", ())),
                   synonyms={k: frozenset(v) for k, v in synonyms.items()})


_STEMS: dict[tuple[int, str], str] = {}


def stem(word: str, lex: Lexicon) -> str:
    """`_stem`, remembered: the same words recur in every question's candidate sentences."""
    key = (id(lex), word)
    found = _STEMS.get(key)
    if found is None:
        if len(_STEMS) > 200_000:
            _STEMS.clear()
        found = _STEMS[key] = _stem(word, lex)
    return found


def _stem(word: str, lex: Lexicon) -> str:
    """A crude common form of a word (lower case, one ending off, at least four letters kept).

    FTS5's tokenizer does not stem; "retaliatory" must still find "retaliation".
    """
    word = word.lower().replace(".", "")
    word = lex.forms.get(word, word)
    changed = True
    while changed:  # to a fixed point, so "repealed" and "repeal" meet
        changed = False
        for suffix in lex.suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word, changed = word[: -len(suffix)], True
                break
    return word
