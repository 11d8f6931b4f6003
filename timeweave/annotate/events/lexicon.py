"""Event types by trigger lemma, and the cue words of factuality, read from data files beside this module.

Typing is a lexicon, not a model: the types are few and named by a small closed set of words, and a
historian can read and extend `types.tsv`. Events the trigger model finds that fit no type are "other".
The cue words that make an event negated, planned or reported are in `cues.tsv`, each with the role
it plays; *where* a cue must stand to count (governing the event, not just nearby) is syntax, in
`roles.factuality`. Both files take extra rows; `load_cues`/`load_types` read a user's file too.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from timeweave.annotate.types import EVENT_TYPES

HERE = Path(__file__).resolve().parent
TYPES_FILE = HERE / "types.tsv"
CUES_FILE = HERE / "cues.tsv"
CUE_KINDS = ("plan", "modal", "provision", "provision_for", "report", "alleged", "unreal", "occur", "negation", "response",
             "support", "end", "target", "consequence")


def _rows(path: Path, columns: tuple[str, str]) -> list[tuple[str, str]]:
    """(word, value) rows of a tab-separated file with a header naming `columns`; '#' lines are comments."""
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    except OSError as error:
        raise FileNotFoundError(f"{path}: cannot read the event lexicon ({error.strerror}); reinstall timeweave "
                                "or pass an existing file") from error
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    if reader.fieldnames is None or not set(columns) <= set(reader.fieldnames):
        raise ValueError(f"{path}: the header must name the columns {', '.join(columns)} (tab-separated); "
                         f"found {reader.fieldnames}")
    out = []
    for n, row in enumerate(reader, start=2):
        word, value = (row[columns[0]] or "").strip().lower(), (row[columns[1]] or "").strip()
        if not word or not value:
            raise ValueError(f"{path}: data row {n} has an empty {columns[0]} or {columns[1]}; fill it or delete the row")
        out.append((word, value))
    return out


@lru_cache(maxsize=4)
def load_types(path: Path = TYPES_FILE) -> dict[str, str]:
    """{lemma: event type} from a `word<TAB>type` file; unknown types are refused by name."""
    out: dict[str, str] = {}
    for word, type_ in _rows(path, ("word", "type")):
        if type_ not in EVENT_TYPES:
            raise ValueError(f"{path}: '{word}' has type '{type_}', which is not one of {', '.join(EVENT_TYPES)}")
        out[word] = type_
    return out


@lru_cache(maxsize=4)
def load_type_pos(path: Path = TYPES_FILE) -> dict[str, str]:
    """{lemma: 'verb' | 'noun'} for the rows of `types.tsv` whose type holds for one part of speech only
    (the noun "station" is a place, the verb a deployment); rows without a `pos` hold for both."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    out = {}
    for n, row in enumerate(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
        pos = (row.get("pos") or "").strip().lower()
        if pos and pos not in ("verb", "noun"):
            raise ValueError(f"{path}: data row {n} has pos '{pos}'; write 'verb', 'noun' or leave it empty")
        if pos:
            out[(row.get("word") or "").strip().lower()] = pos
    return out


@lru_cache(maxsize=4)
def load_cues(path: Path = CUES_FILE) -> dict[str, frozenset[str]]:
    """{cue kind: words} from a `word<TAB>cue` file (a word may have several kinds)."""
    out: dict[str, set[str]] = {kind: set() for kind in CUE_KINDS}
    for word, kind in _rows(path, ("word", "cue")):
        if kind not in out:
            raise ValueError(f"{path}: '{word}' has cue '{kind}', which is not one of {', '.join(CUE_KINDS)}")
        out[kind].add(word)
    return {kind: frozenset(words) for kind, words in out.items()}


EVENT_TYPE_OF = load_types()
TYPE_POS = load_type_pos()  # words whose type holds for one part of speech only

# Nouns that denote events even where TimeML's annotators (news, 1990s) had no occasion to mark them.
NOMINAL_EVENTS = {lemma for lemma, t in EVENT_TYPE_OF.items() if t != "other"} | {"uprising", "purchase"}

# "signed a protocol", "concluded a pact", "an agreement was reached": the verb and its object are one event.
SEALING_VERBS = {"sign", "conclude", "ratify", "ink", "reach", "adopt", "enter", "complete"}

_CUES = load_cues()
HYPOTHETICAL_CUES = _CUES["plan"] | _CUES["modal"] | _CUES["provision"]
PROVISION_FOR_VERBS = _CUES["provision_for"]
REPORTING_CUES = _CUES["report"]
ALLEGED_MODIFIERS = _CUES["alleged"]
UNREAL_MODIFIERS = _CUES["unreal"]
OCCURRENCE_VERBS = _CUES["occur"]
NEGATION_CUES = _CUES["negation"]
RESPONSE_WORDS = _CUES["response"]  # not factuality: what they answer happened before the sentence's date
MODALS = _CUES["modal"]
# "launched an attack", "opened fire": the verb carries out the event its object names; one event, the noun's.
SUPPORT_VERBS = _CUES["support"]
# "held until 1973": the date a state ended at; "set for 5 May": a thing was set for; neither is when the verb happened.
END_WORDS = _CUES["end"]
TARGET_WORDS = _CUES["target"]
# "the ambush of 3 May led to a mutiny": what followed does not take the date of the cause's own phrase.
CONSEQUENCE_VERBS = _CUES["consequence"]
# Light verbs whose "event" is the noun they carry; never kept as events on their own.
LIGHT_VERBS = {"be", "have", "do", "take", "make", "become", "get", "give"}
