"""Claims: what each sentence that tells an event asserts about it, by whom, with its exact quote.

A claim is read from the evidence sentence of an event mention (so it is linked to the event that
`reconcile` made of the mention): its kind (occurrence, agent, cause, purpose, evaluation, outcome,
quantity, attribution), its value, its polarity (+ asserted, - denied, ? in doubt), its modality
(the mention's factuality) and its voice: the document's own voice (sources sharing an author are
one), or, when the sentence quotes someone ("according to X", "X said"), the quoted person or body,
so two documents quoting one report are one voice, not two. Cue words are data (`vocab`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from timeweave.claims.vocab import Vocabulary, vocabulary
from timeweave.reconcile.dates import Interval, overlaps
from timeweave.reconcile.load import Corpus, Mention

ACTORS = ("person", "state", "organization", "military_unit")
# Characters between a cue word and the nearest event trigger of its sentence: about two clauses of English
# prose (30-40 words); a cue farther from every trigger belongs to no event the sentence tells. Not a setting:
# it bounds the grammar of one sentence, not a corpus trade-off.
MAX_CUE_DISTANCE = 200
# Characters around an occurrence cue ("did not happen") within which it governs an event trigger: the
# six or so words between a negation and its verb or noun ("did not actually attack", "no second North
# Vietnamese attack"); farther, the cue is about another event of a long sentence.
NEAR = 40
# Event-telling paragraphs back that a paragraph telling no placed event may continue the report of (a
# count or a toll in the next paragraph or the one after: a news item's subhead does not count, it tells no
# event). Not a setting: it bounds how far a report runs on in prose, not a corpus trade-off.
CARRY_PASSAGES = 2
QUESTIONS = {
    "occurrence": "Did it happen?",
    "agent": "Who acted against whom?",
    "initiator": "Who started it?",
    "cause": "Why did it happen?",
    "purpose": "What was it for?",
    "evaluation": "How is it named and judged?",
    "outcome": "Who won?",
    "quantity": "How many? ({unit})",
    "attribution": "On whose word?",
    "position": "Where was it?",
    "stance": "Who stood for or against it?",
    "distinction": "Who was the {unit}?",
    "time": "At what time of day?",
}
# Hours either side of a clock time within which two voices' clocks agree: reports of one moment differ by minutes
# (a watch, a log, a rounded "about"). Not a setting: it is the precision of a clock time as prose gives it.
CLOCK_SLACK = 0.25
BOUND = re.compile(r"\b(?:by|since|until|till|from)\s+(?:the\s+)?$", re.I)
CLOCK = re.compile(r"(?<![\w:.])(\d{1,2})(?:[:.](\d{2}))?\s*(a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b)|(?<![\w:.])([01]?\d|2[0-3]):(\d{2})(?![\d:])",
                   re.I)
# Kinds said of an entity (who opposed, who was the first), grouped by that entity, with or without an event.
SUBJECT_KINDS = ("stance", "distinction")
# Characters between a stance or distinction cue and the names it is said of: the names of its own clause
# ("opposed ... only by Senators A (D-OR) and B", "A becomes the first"); farther, a name belongs to another
# clause. Not settings: they bound the grammar of one clause.
SUBJECT_WINDOW = {"stance": 60, "distinction": 30}


@dataclass
class Claim:
    source_id: str
    start: int
    end: int
    quote: str
    kind: str
    value: str
    polarity: str  # + | - | ?
    modality: str  # asserted | reported | hypothetical | negated (the mention's factuality)
    voice: str  # the independent voice: the document's (load.assign_voices) or "quoted:<name>"
    voice_name: str  # how the voice is shown
    event_id: int | None
    mention_id: int
    facet: str = ""  # evaluation: name | judgement ...; quantity: the unit
    axis: str = ""  # a judgement: the question it answers (framing.tsv `axis`: intent, conduct, ...)
    number: float | None = None
    winners: frozenset[str] = frozenset()
    losers: frozenset[str] = frozenset()
    agents: frozenset[int] = frozenset()
    patients: frozenset[int] = frozenset()
    entities: frozenset[int] = frozenset()
    subjects: frozenset[int] = frozenset()  # stance, distinction: the entities it is said of
    interval: Interval | None = None  # the mention's date, when it has one
    id: int = 0
    comparison_id: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def question(self) -> str:
        if self.kind == "agent" and self.facet == "initiator":
            return QUESTIONS["initiator"]
        if self.kind == "evaluation":
            return "How is it named?" if self.facet == "name" else f"How is it judged? ({self.axis or self.value})"
        if self.kind == "distinction":
            return QUESTIONS["distinction"].format(unit=self.value)
        return QUESTIONS[self.kind].format(unit=self.facet or "")


def quoted_voice(m: Mention, vocab: Vocabulary) -> tuple[str, str] | None:
    """(key, name) of the person or body a sentence quotes, when it names one.

    A voice counts only if it is a named actor of the sentence (`link` gave it an entity) or a name of
    at least two capitalised words, so "He said" does not make a new voice.
    """
    for pattern in vocab.attribution:
        found = pattern.search(m.sentence)
        if not found:
            continue
        name = found.group("voice").strip(" ,.'’")
        name = re.sub(r"^(?:the|The) ", "", name)
        at = m.start + found.start("voice")
        for start, end, text, entity, kind in m.named:
            if kind in ACTORS and start < at + len(found.group("voice")) and at < end:
                return (f"quoted:e{entity}" if entity is not None else "quoted:" + text.lower()), text
        if sum(1 for word in name.split() if word[:1].isupper()) >= 2:
            return "quoted:" + re.sub(r"'s?$|’s?$", "", name.lower()), name
    return None


def _sides(m: Mention, at: int, end: int, corpus: Corpus) -> tuple[str | None, str | None]:
    """The subject before a word (the first actor of the sentence before it) and the nearest actor after it.

    The first actor, not the nearest: in "X fended off Y's invasion, securing victory" the victory is X's.
    """
    before = after = None
    for start, stop, text, entity, kind in m.named:
        if kind not in ACTORS:
            continue
        name = corpus.entity_names.get(entity, text) if entity is not None else text
        if stop <= at and before is None:
            before = name
        elif start >= end and after is None:
            after = name
    return before, after


def outcome_roles(m: Mention, corpus: Corpus, vocab: Vocabulary | None = None
                  ) -> tuple[re.Match, frozenset[str], frozenset[str]] | None:
    """(outcome word, winners, losers) of a sentence: the first (most specific) outcome pattern of `outcomes.tsv`
    it holds decides, and the actors named before and after the word take the roles that row gives them, so "Y
    was defeated by X" and "X won against Y" make the same winner. None when no side could be named.

    `reconcile` asks it too, so that its own framing comparison does not call one outcome told from the two
    sides ("defeated" / "securing victory") a difference of framing."""
    vocab = vocab or vocabulary()
    for pattern, before_role, after_role in vocab.outcomes:
        found = _search(pattern, m.sentence)
        if not found:
            continue
        before, after = _sides(m, m.start + found.start(), m.start + found.end(), corpus)
        roles: dict[str, set[str]] = {"winner": set(), "loser": set()}
        for side, role in ((before, before_role), (after, after_role)):
            if side and role in roles:
                roles[role].add(side)
        if roles["winner"] or roles["loser"]:
            return found, frozenset(roles["winner"]), frozenset(roles["loser"])
        return None
    return None


def initiators(m: Mention, found: re.Match, corpus: Corpus) -> tuple[frozenset, str] | None:
    """(agents, names) that an initiative cue ("opened fire", "launched an attack", "decided to invade") makes
    the side that started it: the agents of the mention whose trigger the cue contains. None when the cue does
    not contain this mention's trigger, or the parse gave the trigger no agent (the nearest name before a verb
    is too often a place or the object of another clause to be made responsible)."""
    trigger = m.trigger_start - m.start
    if not found.start() <= trigger < found.end() or not m.agents:
        return None
    return m.agents, ", ".join(sorted(corpus.entity_names.get(e, str(e)) for e in m.agents))


def subjects(m: Mention, found: re.Match, kind: str, corpus: Corpus) -> tuple[frozenset[int], str]:
    """(entities, names) a stance or distinction cue is said of: the persons named within its clause (a few words
    before or after it, no sentence stop between), else, for a stance, the bodies and states so named. A
    distinction ("the first ...") is of the one nearest person: "A becomes the first prisoner",
    "the first pilot B"."""
    window = SUBJECT_WINDOW[kind]
    near = []
    for start, end, text, entity, type_ in m.named:
        if entity is None or type_ not in ACTORS:
            continue
        at, stop = start - m.start, end - m.start
        if stop <= found.start():
            gap, between = found.start() - stop, m.sentence[stop:found.start()]
        elif at >= found.end():
            gap, between = at - found.end(), m.sentence[found.end():at]
        else:
            continue
        if gap <= window and not re.search(r"[;.!?]\s", between):
            near.append((gap, type_, entity))
    persons = [n for n in near if n[1] == "person"]
    chosen = persons or ([] if kind == "distinction" else near)
    if kind == "distinction":
        chosen = sorted(chosen)[:1]
    entities = frozenset(e for _, _, e in chosen)
    return entities, ", ".join(sorted(corpus.entity_names.get(e, str(e)) for e in entities))


@functools.lru_cache(maxsize=1 << 16)
def _search(pattern: re.Pattern, text: str) -> re.Match | None:
    """`pattern.search(text)`, once per sentence: every event mention of a sentence asks the same cues of it."""
    return pattern.search(text)


def claims_of(m: Mention, corpus: Corpus, event_id: int | None, vocab: Vocabulary | None = None) -> list[Claim]:
    """Every claim one event mention's sentence makes (none for copies, citations and titles)."""
    vocab = vocab or vocabulary()
    if m.is_copy or m.context != "narrative":
        return []
    text = m.sentence
    quoted = quoted_voice(m, vocab)
    voice, voice_name = quoted or (m.voice, m.voice)
    base = dict(source_id=m.source_id, start=m.start, end=m.end, quote=text, modality=m.factuality, voice=voice,
                voice_name=voice_name, event_id=event_id, mention_id=m.id, entities=m.entities,
                interval=m.interval)
    out: list[Claim] = []
    if quoted:  # said once per sentence, of the event nearest to the quoted name
        at = m.start + max(0, text.find(voice_name))
        quoted_entity = frozenset({int(voice[len("quoted:e"):])}) if re.fullmatch(r"quoted:e\d+", voice) else frozenset()
        out.append(Claim(kind="attribution", value=voice_name, polarity="+", extra={"at": at}, subjects=quoted_entity,
                         **base))
    occurrence = None
    questioned = False  # the sentence denies or doubts something
    cued_at = None
    cue_words: list[str] = []  # the words of an occurrence cue ("fabricated the second attack"): what it denies
    for cue in vocab.cues:
        found = _search(cue.pattern, text)
        if not found:
            continue
        if cue.kind == "occurrence":
            # A denial or a doubt is said of the event whose word it governs or stands beside, not of every
            # event of a long sentence ("historians believed X fabricated the second attack to win support").
            questioned = True
            trigger = m.trigger_start - m.start
            if occurrence is None and found.start() - NEAR <= trigger <= found.end() + NEAR:
                occurrence, cued_at = (cue.value, cue.polarity), m.start + found.start()
                cue_words = found.group(0).lower().split()
        elif cue.kind in SUBJECT_KINDS:
            for each in cue.pattern.finditer(text):  # said of the names beside it: any of its places in the sentence
                who, names = subjects(m, each, cue.kind, corpus)
                if who:
                    out.append(Claim(kind=cue.kind, value=cue.value, polarity=cue.polarity, subjects=who,
                                     extra={"cue": each.group(0), "at": m.start + each.start(), "names": names,
                                            "phrase": " ".join(text[each.start():].split()[:5]).strip(",.;:")}, **base))
                    break
        elif cue.kind == "initiator":
            side = initiators(m, found, corpus)
            if side is not None:
                named = frozenset(e for *_, e, _ in m.named if e is not None)  # which conflict: every participant named
                out.append(Claim(kind="agent", facet="initiator", value=side[1], polarity=cue.polarity, agents=side[0],
                                 extra={"cue": found.group(0), "at": m.start + found.start()},
                                 **{**base, "entities": base["entities"] | named}))
        else:
            out.append(Claim(kind=cue.kind, value=cue.value, polarity=cue.polarity, facet=cue.kind,
                             extra={"cue": found.group(0), "at": m.start + found.start()}, **base))
    if occurrence is None:
        if m.factuality == "negated":
            occurrence = ("did not happen", "-")
        elif m.factuality in ("asserted", "reported") and not questioned:
            # a sentence that denies or doubts one event is not read as telling that its other events happened
            occurrence = ("happened", "+")
    # A sentence tells that something happened when it dates it itself; one that only names it ("the
    # incident", a headline's "attack") under a date carried from earlier sentences does not.
    dated = m.when_kind == "governed" if m.when_kind else m.interval is not None
    if occurrence:
        # a cued denial is said once, of the event whose trigger is nearest its cue
        out.append(Claim(kind="occurrence", value=occurrence[0], polarity=occurrence[1],
                         extra={"dated": dated, "lemma": m.lemma, "words": [m.lemma, *cue_words],
                                **({"at": cued_at} if cued_at is not None else {})},
                         **base))
    if m.agents:
        names = ", ".join(sorted(corpus.entity_names.get(e, str(e)) for e in m.agents))
        # who did something a sentence denies or doubts ("X did not attack") is not asserted
        out.append(Claim(kind="agent", value=names, polarity=occurrence[1] if occurrence else "+", agents=m.agents,
                         patients=m.patients, extra={"dated": dated}, **base))
    window = text[max(0, m.trigger_start - m.start - 40):m.trigger_end - m.start]  # a name is said of the trigger
    for facet, value, pattern in vocab.framing:
        found = _search(pattern, window if facet == "name" else text)
        if found and facet == "name" and not found.end() >= len(window) - len(m.trigger):
            continue
        if found:
            at = m.start + found.start() + (max(0, m.trigger_start - m.start - 40) if facet == "name" else 0)
            out.append(Claim(kind="evaluation", value=value, polarity="+", facet=facet, axis=vocab.axes.get(value, ""),
                             extra={"cue": found.group(0), "at": at}, **base))
    told = outcome_roles(m, corpus, vocab)
    if told is not None:
        found, winners, losers = told
        value = "; ".join(f"{r}: {', '.join(sorted(v))}" for r, v in (("winner", winners), ("loser", losers)) if v)
        out.append(Claim(kind="outcome", value=value, polarity="+", winners=winners, losers=losers,
                         extra={"cue": found.group(0), "at": m.start + found.start()}, **base))
    # when in its day something happened is said by a sentence telling it happened, not one denying or doubting it
    hours = time_of_day(text, vocab) if m.factuality in ("asserted", "reported") and not questioned else None
    if hours is not None:
        low, high, said, at = hours
        out.append(Claim(kind="time", value=said, polarity="+", extra={"hours": (low, high), "at": m.start + at,
                                                                        "cue": said}, **base))
    for unit, number, said in quantities(text, vocab):
        out.append(Claim(kind="quantity", value=said, polarity="+", facet=unit, number=number,
                         extra={"duration": unit in vocab.durations, "at": m.start + text.find(said)}, **base))
    return out


def time_of_day(text: str, vocab: Vocabulary) -> tuple[float, float, str, int] | None:
    """(first hour, last hour, words, where) of the times of day a sentence names, or None: the span from the
    earliest to the latest of its clock times ("11:36 p.m.", "9 a.m.", "21:40") and time words (`times.tsv`:
    "shortly before midnight", "night"), a word inside a longer one of them not counted again. A clock time
    without a.m. or p.m. before 13:00 says neither and is left out."""
    found: list[tuple[float, float, int, int]] = []
    for each in CLOCK.finditer(text):
        if each.group(4) is not None:  # a 24-hour clock
            hour, minute = int(each.group(4)), int(each.group(5))
            if hour < 13:
                continue
        else:
            hour, minute = int(each.group(1)), int(each.group(2) or 0)
            if not 1 <= hour <= 12 or minute > 59:
                continue
            hour = hour % 12 + (12 if each.group(3).lower().startswith("p") else 0)
        moment = hour + minute / 60
        found.append((moment - CLOCK_SLACK, moment + CLOCK_SLACK, each.start(), each.end()))
    for pattern, start, end in vocab.times:
        for each in pattern.finditer(text):
            if not any(a < each.end() and each.start() < b for _, _, a, b in found):
                found.append((start, end, each.start(), each.end()))
    # "by midnight", "since midmorning", "until noon" bound another act in time; they do not say when this one was
    found = [f for f in found if not BOUND.search(text[max(0, f[2] - 7):f[2]])]
    if not found:
        return None
    found.sort(key=lambda f: f[2])
    said = "; ".join(text[a:b] for _, _, a, b in found[:4])
    return min(f[0] for f in found), max(f[1] for f in found), said, found[0][2]


@functools.lru_cache(maxsize=8)
def _number_pattern(numbers: tuple[tuple[str, float], ...]) -> tuple[dict[str, float], re.Pattern]:
    """The number words (with "sixty-four" compounds) and the pattern finding counts, built once per vocabulary.

    Building them for every sentence was most of the claims stage on a large corpus (a million re.escape calls
    for 255 documents)."""
    table = dict(numbers)
    tens = [w for w, v in table.items() if 20 <= v <= 90 and v % 10 == 0]
    units = [w for w, v in table.items() if 1 <= v <= 9]
    compounds = {f"{t}-{u}": table[t] + table[u] for t in tens for u in units}  # "sixty-four"
    known = {**table, **compounds}
    words = "|".join(sorted(map(re.escape, known), key=len, reverse=True)) or "(?!)"
    pattern = re.compile(r"(?<![\w.:,/-])(\d{1,3}(?:,\d{3})+|\d+|" + words + r")(?![\w:/]|-\w|[.,]\d)", re.I)
    return known, pattern


def quantities(text: str, vocab: Vocabulary) -> list[tuple[str, float, str]]:
    """(unit, value, words) of the counts in a sentence: a number, at most four words, a plural noun.

    Clock times ("9:52"), years, ordinals and numbers glued to letters are left aside; the unit is the
    counted noun without its plural -s ("boat"), or one of the invariant nouns of `quantities.tsv`.
    """
    known, pattern = _number_pattern(tuple(sorted(vocab.numbers.items())))
    out = []
    for found in pattern.finditer(text):
        raw = found.group(1).lower()
        value = known.get(raw) or float(raw.replace(",", ""))
        if raw.isdigit() and len(raw) == 4 and 1000 <= value <= 2100:
            continue  # a year
        if re.match(r"\s+of\b", text[found.end():], re.I):
            continue  # "one of the islands", "two of his ships": a part of something, not a count
        following = re.match(r"(?:\s+[\w’'-]+){1,5}", text[found.end():])
        for k, word in enumerate((following.group(0).split() if following else [])):
            low = word.lower()
            if low in vocab.numbers or low.isdigit():
                break
            if low in vocab.units or (low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 3
                                      and low.isalpha()):
                noun = (low if low in vocab.units else vocab.plurals.get(low)
                        or (low[:-3] + "y" if low.endswith("ies") else low[:-1]))
                after = text[found.end() + len(following.group(0).split(word, 1)[0]) + len(word):].split()[:1]
                if noun in vocab.durations and after and after[0].strip(",.;").lower() in vocab.relative:
                    break  # "two days later" dates another event; it counts nothing
                out.append((noun, value, found.group(0) + " " + " ".join(following.group(0).split()[:k + 1])))
                break
    return out


def sentence_event(m: Mention, same_span: dict[tuple, list[Mention]], event_of: dict[int, int | None],
                   at: int | None = None) -> int | None:
    """The event of the nearest placed mention of the same sentence, for a mention that joined none.

    A sentence's cause, purpose or judgement is said of the event it tells, even when the word
    `reconcile` kept as that event's trigger is another one of the sentence. With `at` (where a cue word
    stands), None when the cue is nearer this mention's own trigger than any placed one: "the incident
    provided the rationale for retaliatory air attacks" gives the air attacks, not the incident, a cause.
    """
    best = None
    for other in same_span.get((m.source_id, m.start, m.end), ()):
        if other.id != m.id and event_of.get(other.id) is not None:
            distance = abs(other.trigger_start - m.trigger_start)
            if best is None or distance < best[0]:
                best = (distance, event_of[other.id], other.trigger_start)
    if best is None:
        return None
    if at is not None and abs(at - m.trigger_start) < abs(at - best[2]):
        return None
    return best[1]


def previous_accounts(corpus: Corpus, event_of: dict[int, int | None]) -> dict[int, int]:
    """mention id -> the event the same source told last before the mention's paragraph, for the mentions
    of paragraphs that tell no placed event (their sentences report on it: its toll, its counts, its cause).

    Only from one of the CARRY_PASSAGES paragraphs before it that tell events, and only when both the
    mention and that account are dated and the dates overlap: a paragraph on another day, or one whose
    date nobody knows, is not read as going on about the event.
    """
    by_source: dict[str, list[Mention]] = {}
    for m in corpus.mentions:
        if m.passage_id is not None:
            by_source.setdefault(m.source_id, []).append(m)
    out: dict[int, int] = {}
    for mentions in by_source.values():
        mentions.sort(key=lambda m: (m.start, m.trigger_start))
        passages: list[int] = []  # event-telling paragraphs in reading order
        position: dict[int, int] = {}
        last: dict[int, Mention] = {}  # paragraph -> its last placed, dated mention
        for m in mentions:
            if m.passage_id not in position:
                position[m.passage_id] = len(passages)
                passages.append(m.passage_id)
            if event_of.get(m.id) is not None and m.interval is not None:
                last[m.passage_id] = m
        # paragraph -> (date, event) it tells or goes on about: a report runs on over several paragraphs
        carrier = {passage: (m.interval, event_of[m.id]) for passage, m in last.items()}
        for m in mentions:
            if m.interval is None or m.passage_id in last:
                continue
            at = position[m.passage_id]
            for passage in reversed(passages[max(0, at - CARRY_PASSAGES):at]):
                told = carrier.get(passage)
                if told is not None:
                    if overlaps(told[0], m.interval):
                        out[m.id] = told[1]
                        carrier[m.passage_id] = (m.interval, told[1])
                    break
    return out


def extract(corpus: Corpus, event_of: dict[int, int | None], vocab: Vocabulary | None = None) -> list[Claim]:
    """The claims of a corpus, one per (sentence, event, kind, facet, value), in reading order."""
    found: list[tuple[Claim, int]] = []
    same_span: dict[tuple, list[Mention]] = {}
    for m in corpus.mentions:
        same_span.setdefault((m.source_id, m.start, m.end), []).append(m)
    placed_before: dict[int, list[tuple[int, int]]] = {}  # passage -> (sentence start, event) of its placed mentions
    for m in corpus.mentions:
        if m.passage_id is not None and event_of.get(m.id) is not None:
            placed_before.setdefault(m.passage_id, []).append((m.start, event_of[m.id]))
    previous = previous_accounts(corpus, event_of)
    for m in corpus.mentions:
        event_id = event_of.get(m.id)
        inherited = event_id is None
        if event_id is None:
            event_id = sentence_event(m, same_span, event_of)
        carried = crossed = False
        if event_id is None and m.passage_id is not None:
            # A sentence that tells no placed event goes on about the one its paragraph was telling just before
            # ("Later investigation revealed the attack did not happen. Shortly after, the agency skewed ...").
            earlier = [e for start, e in placed_before.get(m.passage_id, ()) if start < m.start]
            event_id, carried = (earlier[-1], True) if earlier else (None, False)
            if event_id is None and not placed_before.get(m.passage_id):
                # a paragraph that tells no placed event at all goes on with the report of the paragraphs just
                # before it ("X struck the bases today. / Four bases were damaged, 25 boats destroyed.")
                event_id = previous.get(m.id)
                if event_id is None and m.interval is None:
                    # an undated mention ("in 64 sorties") is of the report its dated sentence goes on with
                    event_id = next((previous[o.id] for o in same_span.get((m.source_id, m.start, m.end), ())
                                     if o.id in previous), None)
                carried = crossed = event_id is not None
        for claim in claims_of(m, corpus, event_id, vocab):
            if crossed and claim.kind != "quantity":
                # from another paragraph only the report's counts and tolls are carried (a cause, a purpose or a
                # judgement there may be of the paragraph's own subject): the rest stays placed nowhere, as
                # without the carry (align may place it)
                claim.event_id = None
            elif carried and claim.kind in ("occurrence", "agent", "attribution", "outcome"):
                continue  # what such a sentence says happened, or who did it, is about its own events
            if inherited and claim.kind in ("occurrence", "agent") and claim.polarity == "+" and claim.facet != "initiator":
                continue  # that a mention `reconcile` left out happened, or who did it, says nothing of the sentence's event
            if inherited and claim.kind == "evaluation" and claim.facet == "name":
                continue  # a word naming a mention `reconcile` left out ("war") does not name the sentence's event
            at = claim.extra.get("at")
            if inherited and not carried and at is not None and claim.kind == "cause" \
                    and sentence_event(m, same_span, event_of, at) is None:
                # the cue stands at this mention's own word: it is about the event reconcile left out, so
                # it wins the cue (nearest trigger, below) and is then dropped, for no other event to take it
                claim.extra["left_out"] = True
            found.append((claim, abs(at - m.trigger_start) if at is not None else 0))
    # A word of the sentence (a cue, a count) is said of the event whose trigger is nearest to it, not of every
    # event the sentence mentions; one said too far from any trigger is dropped.
    best: dict[tuple, tuple[Claim, int]] = {}
    for claim, distance in found:
        cued = "at" in claim.extra
        key = (claim.source_id, claim.start, claim.end, claim.kind, claim.facet, claim.value) + (() if cued else (claim.event_id,))
        if cued and distance > MAX_CUE_DISTANCE:
            continue
        if key not in best or distance < best[key][1]:
            best[key] = (claim, distance)
    out = [claim for claim, _ in sorted(best.values(), key=lambda x: (x[0].source_id, x[0].start, x[0].mention_id))
           if not claim.extra.get("left_out")]
    for number, claim in enumerate(out, start=1):
        claim.id = number
    _search.cache_clear()  # its sentences are this corpus's: kept, they held 10 MB of matches over 255 documents
    return out
