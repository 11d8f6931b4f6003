"""rejoin's kept answers (claims/searched.py): a block searched with the same claims answers as at the last run; a
block that changed is searched again. Claims about the relief of Vienna (1683), told by three chroniclers."""

from __future__ import annotations

import copy
import hashlib
import importlib

import numpy as np
import pytest

from timeweave.claims.align import rejoin
from timeweave.claims.extract import Claim
from timeweave.claims.searched import Searches, identities

align_module = importlib.import_module("timeweave.claims.align")  # the package exports the function align


def _claim(n: int, source: str, event: int | None, start: int) -> Claim:
    return Claim(source_id=source, start=start, end=start + 40, quote=f"sentence {n}", kind="cause",
                 value="the Ottoman advance", polarity="+", modality="asserted", voice=source, voice_name=source,
                 event_id=event, mention_id=n, id=n)


def _vectors(rows: list[list[float]]) -> np.ndarray:
    out = np.zeros((len(rows), 8), dtype=np.float32)
    for i, row in enumerate(rows):
        out[i, :len(row)] = row
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def _corpus(with_sobieski: bool) -> tuple[dict, np.ndarray, dict[str, str]]:
    """Kara Mustafa's chronicler alone in event 1; the papal nuncio and the Venetian envoy in event 2 (the envoy's
    sentence a little like the chronicler's); added later, Lorraine's dispatch and Sobieski's secretary in event 3
    (the secretary's much like it). Claims are numbered in source order."""
    told = [("kara-mustafa-chronicle", 1, [1.0]), ("papal-nuncio", 2, [0.1, 0, 0, 0.995]),
            ("venetian-envoy", 2, [0.7, 0.714])]
    if with_sobieski:
        told += [("lorraine-dispatch", 3, [0.05, 0, 0, 0, 1.0]), ("z-sobieski-secretary", 3, [0.9, 0, 0.436])]
    told.sort()
    claims = [_claim(n, source, event, 0) for n, (source, event, _) in enumerate(told, start=1)]
    entries = {source: hashlib.sha1(source.encode()).hexdigest() for source, _, _ in told}
    groups: dict[tuple, list[Claim]] = {}
    for claim in claims:
        groups.setdefault((claim.event_id, "cause", ""), []).append(claim)
    groups = dict(sorted(groups.items()))
    return groups, _vectors([row for _, _, row in told]), entries


def _run(groups, vectors, searches):
    out = rejoin(copy.deepcopy(groups), [], vectors, min_similarity=0.6, searches=searches)
    return sorted((key, sorted(c.source_id for c in claims)) for key, claims in out.items())


def _searches(groups, entries, kept=None) -> Searches:
    claims = sorted((c for group in groups.values() for c in group), key=lambda c: c.id)
    return Searches(kept, identities(claims, entries), "basis")


def test_kept_answers_give_what_the_search_gives_without_searching_again():
    groups, vectors, entries = _corpus(with_sobieski=True)
    first = _searches(groups, entries)
    truth = _run(groups, vectors, first)
    assert first.searched > 0 and first.kept == 0
    again = _searches(groups, entries, first.value())
    assert _run(groups, vectors, again) == truth == _run(groups, vectors, None)
    assert again.searched == 0 and again.kept == first.searched
    assert not again.changed()
    other = _searches(groups, entries, first.value() | {"basis": "other code"})  # other code or model: nothing kept
    assert _run(groups, vectors, other) == truth and other.kept == 0


@pytest.mark.parametrize("broken", [False, True])
def test_a_block_that_gained_a_claim_is_searched_again(monkeypatch, broken):
    """The secretary's account, added, is the chronicler's nearest: the block is searched again and the lone claim
    joins it. Keyed by the block's first claim alone (broken on purpose), the answer kept from before the add
    (the envoy's) is taken and the groups differ from a search's."""
    if broken:
        real = Searches.fingerprint
        monkeypatch.setattr(Searches, "fingerprint", lambda self, block: real(self, block[:1]))
    before, vectors_before, entries_before = _corpus(with_sobieski=False)
    kept = _searches(before, entries_before)
    _run(before, vectors_before, kept)
    groups, vectors, entries = _corpus(with_sobieski=True)
    truth = _run(groups, vectors, None)
    assert ["kara-mustafa-chronicle", "lorraine-dispatch", "z-sobieski-secretary"] in [s for _, s in truth]
    after = _searches(groups, entries, kept.value())
    assert (_run(groups, vectors, after) == truth) != broken


def test_a_claim_of_a_source_not_cached_is_searched_every_run(monkeypatch):
    groups, vectors, entries = _corpus(with_sobieski=True)
    del entries["venetian-envoy"]  # its claims could not be cached: no entry digest
    first = _searches(groups, entries)
    truth = _run(groups, vectors, first)
    assert first.value()["blocks"] == {}
    calls = []
    real = align_module._nearest_in_block
    monkeypatch.setattr(align_module, "_nearest_in_block", lambda *a: calls.append(1) or real(*a))
    assert _run(groups, vectors, _searches(groups, entries, first.value())) == truth and calls


def test_each_claim_searching_a_block_keeps_its_own_answer():
    """Three chroniclers alone in three events, one block: the Polish and the Habsburg accounts are alike, the
    Ottoman one like neither. Two join, the third stays alone, with kept answers as with none: an answer kept for
    the block and not for the claim that searched it (H6's review) would join the third to the others."""
    told = [("habsburg-court", 1, [0.8, 0.6]), ("ottoman-annals", 2, [0.3, 0, 0.954]), ("polish-chronicle", 3, [1.0])]
    claims = [_claim(n, source, event, 0) for n, (source, event, _) in enumerate(told, start=1)]
    groups = {(c.event_id, "cause", ""): [c] for c in claims}
    vectors = _vectors([row for _, _, row in told])
    entries = {source: hashlib.sha1(source.encode()).hexdigest() for source, _, _ in told}
    truth = _run(groups, vectors, None)
    assert sorted(sources for _, sources in truth) == [["habsburg-court", "polish-chronicle"], ["ottoman-annals"]]
    first = _searches(groups, entries)
    assert _run(groups, vectors, first) == truth and first.searched == 3
    again = _searches(groups, entries, first.value())
    assert _run(groups, vectors, again) == truth and again.kept == 3
