"""Acronyms (a rule of `resolve.Resolver`): "the North Atlantic Treaty Organization (NATO)" in one text joins its acronym, and
"NATO" used alone joins the only name of two or more words with those initials.

An acronym used alone is name-local (`local`): its block is every key of two or more words with its letters. An add
visits only the keys with kept calls and the fresh keys written as acronyms (`local.run`'s callers), and reads the
initials of the sorted keys only at the letters asked: those callers' and those of the acronyms texts define.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from typing import TYPE_CHECKING

from timeweave.annotate.entities.keys import _ACRONYM_SKIP, initials
from timeweave.link import intext, local

if TYPE_CHECKING:
    from timeweave.link.resolve import Resolver


def acronyms(res: Resolver) -> None:
    """"the North Atlantic Treaty Organization (NATO)" in one text; then "NATO" alone wherever it is the only expansion."""
    defined = []  # (source, long row, acronym row, quote start, quote end) of the pairs the texts write
    for source_id in sorted(res.by_source):  # the pairs a text writes are its findings (`intext.acronym_pairs`)
        kept = res.findings.get(source_id)
        if (kept is None or kept.acronyms) and res.texts.get(source_id):  # kept without pairs: no text to read
            defined += [(source_id, res.by_id[a], res.by_id[b], start, end)
                        for a, b, start, end in intext.findings(res, source_id).acronyms]
    # An acronym used alone: name-local (`local`), its block is every key of two or more words with its letters.
    fresh = callers = None
    wanted: set[str] | None = None  # the letters `by_initials` is read at; None: all
    if res.dirty is not None:
        letters = {k.replace(" ", "") for k in res.dirty} | {initials(k) for k in res.dirty if _worded(k)}
        fresh = lambda key: key.replace(" ", "") in letters  # noqa: E731
        if res.rules_kept is not None and "acronym" in res.rules_kept:
            # A fresh key calls only when written as an acronym (2 to 6 letters): its squashed form is in `letters`.
            spelt = {x for x in letters if 2 <= len(x) <= 6}
            calling = [k for k in _spaced(spelt) if k in res.by_key and res.written_as_acronym(k)]
            callers = lambda: calling  # noqa: E731
            # `_acronym_calls` reads the letters of these keys only (a fresh key not written as one reads none)
            wanted = {k.replace(" ", "") for k in calling} | {short.key.replace(" ", "") for _, _, short, _, _ in defined}
    by_initials = _by_initials(res.sorted_keys, wanted)
    for source_id, long_, short, start, end in defined:
        acronym, spells = short.key.replace(" ", ""), initials(long_.key)
        exact_elsewhere = any(k != long_.key for k in by_initials.get(acronym, []))
        if spells == acronym or (spells[:1] == acronym[:1] and not exact_elsewhere):
            res.edge(long_.key, short.key, f"acronym defined in text ({source_id})", rule="acronym defined",
                      evidence=(res.span(source_id, start, end),), said=True)
    local.run(res, "acronym", res.sorted_keys, lambda key: _acronym_calls(res, key, by_initials), fresh,
              callers=callers, within=res.by_key.__contains__)


def _acronym_calls(res: Resolver, key: str, by_initials: dict[str, list[str]]) -> list[local.Call]:
    if not res.written_as_acronym(key):
        return []
    matches = [k for k in by_initials.get(key.replace(" ", ""), []) if res.key_type(k) != "person"]
    if len(matches) != 1:
        return []
    return [(matches[0], key, f"acronym of '{matches[0]}'", "acronym",
             res.first_use(matches[0]) + res.first_use(key))]


def _by_initials(keys: list[str], wanted: set[str] | None) -> dict[str, list[str]]:
    """Initials -> the keys of two or more words (`_worded`) with those initials, in `keys`' (sorted) order; when
    `wanted` is given, only at those letters (the rest is never read): a key spelling letters L starts with L's first
    letter or with a word that initials skip ("de ..."), so only those ranges of the sorted keys are read."""
    out: dict[str, list[str]] = defaultdict(list)
    spans = [(0, len(keys))]
    if wanted is not None:
        starts = {w[:1] for w in wanted if w} | {w + " " for w in _ACRONYM_SKIP}
        spans = []
        for lo, hi in sorted((bisect_left(keys, s), bisect_left(keys, s[:-1] + chr(ord(s[-1]) + 1))) for s in starts):
            if spans and lo <= spans[-1][1]:  # "de " lies within "d": one range, each key read once and in order
                spans[-1] = (spans[-1][0], max(hi, spans[-1][1]))
            else:
                spans.append((lo, hi))
    pairs = {w[:2] for w in wanted} if wanted is not None else set()
    for lo, hi in spans:
        for key in keys[lo:hi]:  # `_worded`, inline: asked of every key in a full run
            words = key.split()
            if len(words) >= 2 and max(map(len, words)) > 1:
                if wanted is not None and words[0] not in _ACRONYM_SKIP and words[1] not in _ACRONYM_SKIP \
                        and words[0][0] + words[1][0] not in pairs:
                    continue  # neither first word skipped: they give the first two letters, which no wanted letters start with
                letters = initials(key)
                if wanted is None or letters in wanted:
                    out[letters].append(key)
    return out


def _spaced(letters: set[str]) -> list[str]:
    """Every key whose squashed form is one of `letters` could be: the letters with spaces put between them."""
    out = []
    for word in letters:
        for mask in range(1 << (len(word) - 1)):
            out.append("".join(c + (" " if mask >> i & 1 else "") for i, c in enumerate(word[:-1])) + word[-1])
    return out


def _worded(key: str) -> bool:
    """A key of two or more words, not all single letters: one whose initials an acronym may spell."""
    words = key.split()
    return len(words) >= 2 and max(map(len, words)) > 1  # asked of every key each run: no generator
