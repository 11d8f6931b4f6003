"""How alike two event mentions are: type family, dates as intervals, trigger words, entities, sentence vectors.

`score` is the one pairwise measure the clusterer uses; it says whether a pair may merge, may only
be part and whole, or conflicts on the date (kept and reported by `compare`, never averaged).
"""

from __future__ import annotations

import math
import re

import numpy as np
from rapidfuzz import fuzz

from timeweave.reconcile import dates, lexicon, rarity
from timeweave.reconcile.blocking import family
from timeweave.reconcile.load import Mention
from timeweave.reconcile.params import Params

CONTAIN_ONLY = 0.2
MAX_GENERIC_WHOLE_DAYS = 366  # a generic mention is the whole of finer events only within a year
CONFLICT, PART_ONLY = "conflict", "part"
SIMILARITY_BATCH = 2048  # pairs whose sentence vectors are gathered at once (3 MB each side); no effect on scores

# Parent family -> child families that can be its parts (a ceasefire ends a war; a deployment can
# be a phase of it; an agreement can be signed during talks).
CONTAINS = {
    "conflict": {"conflict", "accord", "deployment", "other"},
    "talks": {"talks", "accord", "declaration", "other"},
}


def type_compat(a: str, b: str) -> float:
    """1 same type, 0.75 same family, 0.4 against (or between) generic types, 0.2 when one can contain the other
    (a ceasefire inside a war: never merged, only linked as a part), 0 otherwise."""
    if a == b:
        return 0.4 if a == "other" else 1.0  # two generic mentions share no type, only its absence
    fa, fb = family(a), family(b)
    if fa == fb:
        return 0.75
    if "other" in (fa, fb):
        return 0.4
    if fb in CONTAINS.get(fa, ()) or fa in CONTAINS.get(fb, ()):
        return CONTAIN_ONLY
    return 0.0


def lemma_sim(a: Mention, b: Mention, fuzzy: float = Params.lemma_fuzzy) -> float:
    """1 for one lemma, their rapidfuzz ratio when at least `fuzzy` ("attack"/"attacks"), else 0."""
    if a.lemma == b.lemma:
        return 1.0
    ratio = fuzz.ratio(a.lemma, b.lemma) / 100.0
    return ratio if ratio >= fuzzy else 0.0


def entity_sim(a: Mention, b: Mention) -> float:
    """How far the participants agree: the shared ones, each weighted by its rarity in the corpus (a
    participant of nearly every event says little), over the smaller set; 0.5 when neither names any."""
    if a.entities and b.entities:
        return rarity.shared(a.entities, b.entities, a.rarity or b.rarity)
    return 0.5 if not (a.entities or b.entities) else 0.15


def score(a: Mention, b: Mention, sim: float | None, params: Params | None = None) -> tuple[float, str | None] | None:
    """(score, flag) for two mentions, or None when they cannot even be related (see `judge`)."""
    return judge(a, b, sim, params)[0]


def judge(a: Mention, b: Mention, sim: float | None,
          params: Params | None = None) -> tuple[tuple[float, str | None] | None, str]:
    """`score`'s answer and the reason for it, in words (for diagnostics such as bench/grouping.py).

    The flag is CONFLICT when their dates are disjoint (then the score leaves time out, so that
    `strong` measures how clearly the rest says "same event"), PART_ONLY when they can only be whole
    and part (their types say so, or they share only participants while one's dates contain the
    other's), else None. Across documents a date carried over from earlier sentences counts as no
    date: it says where the narrative is, not when this event happened.
    """
    p = params or Params()
    tc = type_compat(a.type, b.type)
    if tc == 0.0:
        return None, f"types {a.type}/{b.type} are unrelated"
    flag = PART_ONLY if tc == CONTAIN_ONLY else None
    ai, bi = a.interval, b.interval
    if a.source_id != b.source_id:
        ai = None if a.carried_date else ai
        bi = None if b.carried_date else bi
    if ai and bi:
        if dates.contradicts(ai, bi):
            if flag is None and (another_occasion(a) or another_occasion(b)):
                # "another raid" on other days than a raid told before: the writer says it is a second one
                return None, f"dates disjoint and '{a.trigger}'/'{b.trigger}' told as another occasion"
            flag, ts = flag or CONFLICT, 0.0
        else:
            ts = 1.0 if (ai.earliest, ai.latest) == (bi.earliest, bi.latest) else 0.8
    else:
        ts = 0.5 if (ai or bi) else 0.4
    if not names_agree(a, b):
        return None, "named works differ"
    ls, es = lemma_sim(a, b, p.lemma_fuzzy), entity_sim(a, b)
    if a.source_id == b.source_id and (a.start, a.end) == (b.start, b.end):
        sim = 0.0  # one sentence: its embedding cannot tell its events apart
    if flag != PART_ONLY and ls == 0.0 and tc < 0.75 and (sim is None or sim < p.alike_sentences):
        if not (ai and bi and _nested(ai, bi) and a.entities & b.entities):
            # shared participants alone make no identity ...
            return None, f"different words ({a.lemma}/{b.lemma}), types {a.type}/{b.type}, sentences unlike (sim {sim})"
        flag = PART_ONLY  # ... but within a coarser event's dates they can make a part of it
    if flag != PART_ONLY and not (ai and bi) and es < 0.5 and (sim is None or sim < p.alike_undated):
        # without dates on both sides, a shared word alone is no identity either
        return None, f"a side undated, participants apart (entities {es:.2f}), sentences unlike (sim {sim})"
    if sim is None:  # without embeddings the sentence's weight goes half to the word, half to the participants
        s = (p.weight_type * tc + (p.weight_lemma + p.weight_sentence / 2) * ls
             + (p.weight_entities + p.weight_sentence / 2) * es + p.weight_time * ts)
    else:
        s = (p.weight_type * tc + p.weight_lemma * ls + p.weight_entities * es + p.weight_sentence * max(sim, 0.0)
             + p.weight_time * ts)
    if flag == CONFLICT:
        s /= 1.0 - p.weight_time  # time is left out: the rest is scaled back to 0..1
    if a.entities and b.entities and not a.entities & b.entities:
        s *= p.no_shared_participant  # both name who took part, and nobody in common: evidence of two events
    parts = f"type {tc:.2f} lemma {ls:.2f} entities {es:.2f} time {ts:.2f} sim {sim if sim is None else round(sim, 2)}"
    return (s, flag), f"score {s:.2f} ({parts}){' ' + flag if flag else ''}"


OCCASION_WINDOW = 3  # words before the trigger searched for a cue: its noun phrase ("another coastal raid")


def another_occasion(m: Mention) -> bool:
    """Does the writer tell this mention as a further occasion of its kind ("another coastal raid", "a
    second attack")? Then a date disjoint from another mention's is a second happening, not a date the
    two sources disagree on. The cue words are data (reconcile/data/other_occasion.tsv)."""
    before = m.sentence[:max(m.trigger_start - m.start, 0)]
    words = re.findall(r"[\w'’]+", before.lower())[-OCCASION_WINDOW:]
    for at in range(len(words) - 1, -1, -1):
        if words[at] in _PHRASE_BREAK:  # "the second day of the battle": the cue is another noun's
            words = words[at + 1:]
            break
    cues = lexicon.other_occasion()
    return any(w in cues for w in words)


_PHRASE_BREAK = {"of", "on", "in", "at", "by", "for", "with", "from", "to", "after", "before", "and", "or"}


_NAME_FILLER = {"of", "the", "on", "and", "a", "an", "between", "for", "to", "in",
                # the kind of document, which writers interchange ("the pact of mutual assistance")
                "pact", "treaty", "protocol", "agreement", "accord", "convention", "alliance", "declaration"}


def own_name(m: Mention) -> tuple[str, int | None] | None:
    """The named work the trigger is part of ("Pact" in "the Anti-Comintern Pact"): (text, entity)."""
    for start, end, text, entity, kind in m.named:
        if kind == "work" and start <= m.trigger_start and m.trigger_end <= end:
            return text, entity
    return None


def names_agree(a: Mention, b: Mention) -> bool:
    """A treaty named by its name is not another one named by another name or described otherwise:
    "the Anti-Comintern Pact" is not "a neutrality pact", while "a protocol of mutual assistance"
    can be "the Protocol of Mutual Assistance" (every distinctive word of the name is there)."""
    na, nb = own_name(a), own_name(b)
    if na is None and nb is None:
        return True
    if na is not None and nb is not None:
        return (na[1] is not None and na[1] == nb[1]) or na[0].lower() == nb[0].lower()
    (name, _entity), other = (na, b) if na is not None else (nb, a)
    trigger = (a if na is not None else b).trigger.lower()
    # "Soviet-German Pact" is told as "a pact ... with Nazi Germany": each part of a compound counts
    words = [w for w in re.split(r"[\s\-–‐]+", name.lower()) if w and w not in _NAME_FILLER and w != trigger]
    sentence = other.sentence.lower()
    return all(w in sentence for w in words)


def _nested(a: dates.Interval, b: dates.Interval) -> bool:
    """Does one interval strictly contain the other (a whole and a possible part)?"""
    return (dates.contains(a, b) and a.width > b.width) or (dates.contains(b, a) and b.width > a.width)


def relatable(a: Mention, b: Mention, params: Params | None = None) -> bool:
    """Can the pair score at all, whatever its sentences' similarity? `judge` refuses a pair only on
    facts of the two mentions or on a similarity *below* a threshold, so a pair it refuses at the
    highest similarity it refuses at every one: such a pair needs no sentence vector (an add's new
    sentences are embedded only when a pair of theirs can score)."""
    return judge(a, b, math.inf, params)[0] is not None


def score_pairs(mentions: list[Mention], pairs: set[tuple[int, int]], vectors: np.ndarray | None,
                params: Params | None = None, row_of: np.ndarray | None = None) -> dict[int, dict[int, tuple[float, str | None]]]:
    """Adjacency: i -> {j: (score, conflict)} for candidate pairs that can be one event. `row_of` (mention
    index -> row of `vectors`; default the index itself) lets `vectors` hold only the mentions in a pair."""
    ordered = sorted(pairs)
    sims: list[float | None]
    if vectors is not None and ordered:
        left = np.fromiter((p[0] for p in ordered), dtype=np.int64, count=len(ordered))
        right = np.fromiter((p[1] for p in ordered), dtype=np.int64, count=len(ordered))
        if row_of is not None:
            left, right = row_of[left], row_of[right]
        sims = []
        # In batches: gathering both sides of every pair at once takes pairs x 2 x 384 floats (1.2 GB for
        # the 400,000 pairs of one 2,000,000-character text); a batch bounds it whatever the corpus.
        for at in range(0, len(ordered), SIMILARITY_BATCH):
            batch = slice(at, at + SIMILARITY_BATCH)
            sims += np.einsum("ij,ij->i", vectors[left[batch]], vectors[right[batch]]).tolist()
    else:
        sims = [None] * len(ordered)
    adjacency: dict[int, dict[int, tuple[float, str | None]]] = {m.index: {} for m in mentions}
    for (i, j), sim in zip(ordered, sims):
        result = score(mentions[i], mentions[j], sim, params)
        if result is not None:
            adjacency[i][j] = result
            adjacency[j][i] = result
    return adjacency
