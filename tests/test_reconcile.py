"""Reconcile on hand-built stores: merging, blocking, dates, voices, comparisons, sub-events."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from test_reconcile_helpers import HandStore, bag_of_words, day, month, year

from timeweave.chronicle import chronicle, validate
from timeweave.reconcile import reconcile
from timeweave.store import open_store
from timeweave.store import schema as t

CONFIG = {"embeddings": False}


@pytest.fixture
def store(tmp_path) -> HandStore:
    return HandStore(open_store(tmp_path / "s.db"))


def run(store: HandStore):
    return reconcile(store.engine, config=CONFIG, encoder=bag_of_words)


def events(store: HandStore) -> list:
    with store.engine.connect() as conn:
        return conn.execute(select(t.events).order_by(t.events.c.id)).all()


def comparisons(store: HandStore, event_id: int | None = None) -> list[dict]:
    with store.engine.connect() as conn:
        query = select(t.comparisons).order_by(t.comparisons.c.id)
        if event_id is not None:
            query = query.where(t.comparisons.c.event_id == event_id)
        out = []
        for c in conn.execute(query):
            statements = conn.execute(select(t.comparison_statements).where(t.comparison_statements.c.comparison_id == c.id)).all()
            out.append({"event": c.event_id, "kind": c.kind, "field": c.field, "explanation": c.explanation,
                        "statements": [(s.source_id, store.texts[s.source_id][s.start:s.end], s.value) for s in statements]})
        return out


def event_of(store: HandStore, mention_id: int) -> int | None:
    with store.engine.connect() as conn:
        return conn.execute(select(t.event_mentions.c.event_id).where(t.event_mentions.c.id == mention_id)).scalar()


def treaty_sources(store: HandStore) -> list[int]:
    a = store.source("a", "The two governments signed a Protocol of Mutual Assistance on March 12, 1936.", authors=["Ivanova, A."])
    b = store.source("b", "The Protocol of Mutual Assistance of 12 March 1936 bound the two governments.", authors=["Smith, J."])
    c = store.source("c", "In 1936 the Protocol of Mutual Assistance was signed by the two governments.", authors=["Tanaka, K."])
    return [
        store.event(a, "The two governments signed a Protocol of Mutual Assistance on March 12, 1936.", "Protocol", "treaty",
                    when=day("1936-03-12")),
        store.event(b, "The Protocol of Mutual Assistance of 12 March 1936 bound the two governments.", "Protocol", "treaty",
                    when=day("1936-03-12")),
        store.event(c, "In 1936 the Protocol of Mutual Assistance was signed by the two governments.", "Protocol", "treaty",
                    when=year("1936")),
    ]


def test_mentions_across_documents_merge_into_one_dated_event(store):
    ids = treaty_sources(store)
    report = run(store)
    assert report.events == 1 and report.mentions == 3
    (event,) = events(store)
    assert {event_of(store, i) for i in ids} == {event.id}
    assert (event.earliest, event.latest, event.edtf) == ("1936-03-12", "1936-03-12", "1936-03-12")
    assert event.status == "corroborated" and event.component == "timeweave.reconcile.v3"
    (agree,) = [c for c in comparisons(store) if c["kind"] == "agree"]
    assert agree["field"] == "date" and "3 independent voices give compatible dates, 2 of them as precisely" in agree["explanation"]
    assert {s[0] for s in agree["statements"]} == {"a", "b", "c"}


def test_a_date_only_one_voice_gives_precisely_is_single_source(store):
    a = store.source("a", "Troops were sent to the republic in June 1936 for the first time.", authors=["Ivanova, A."])
    b = store.source("b", "In 1936 troops were sent to the republic.", authors=["Smith, J."])
    store.event(a, "Troops were sent to the republic in June 1936 for the first time.", "sent", "deployment", when=month("1936-06", 30))
    store.event(b, "In 1936 troops were sent to the republic.", "sent", "deployment", when=year("1936"))
    run(store)
    (event,) = events(store)
    assert event.status == "single_source" and event.edtf == "1936-06"
    (single,) = comparisons(store)
    assert single["kind"] == "single_source" and "Only a dates this event to June 1936" in single["explanation"]
    assert "b only less precisely" in single["explanation"]


def test_reconcile_is_idempotent_and_deterministic(store):
    treaty_sources(store)
    run(store)
    first = (events(store), comparisons(store))
    run(store)
    assert (events(store), comparisons(store)) == first


def test_sources_by_one_author_are_one_voice(store):
    ids = treaty_sources(store)[:2]
    store.source("a2", "Again: the Protocol of Mutual Assistance was signed on 12 March 1936.", authors=["Ivanova, Anna"])
    store.event("a2", "Again: the Protocol of Mutual Assistance was signed on 12 March 1936.", "Protocol", "treaty",
                when=day("1936-03-12"))
    run(store)
    (event,) = events(store)
    assert event_of(store, ids[0]) == event.id
    (agree,) = [c for c in comparisons(store) if c["kind"] == "agree"]
    assert "3 independent voices" in agree["explanation"]  # four sources, two by one author
    assert "a and a2 (one author, counted once)" in agree["explanation"]


def test_copies_count_once(store):
    sentence = "Troops were sent to the republic in June 1936 for the first time."
    store.source("orig", "Intro line.\n" + sentence)
    store.source("repost", "Shared post:\n" + sentence, copies={1: ("orig", 1)})
    store.event("orig", sentence, "sent", "deployment", when=month("1936-06", 30))
    store.event("repost", sentence, "sent", "deployment", when=month("1936-06", 30))
    run(store)
    (event,) = events(store)
    assert event.status == "single_source"
    (single,) = comparisons(store)
    assert single["kind"] == "single_source" and "repeated copies in repost not counted again" in single["explanation"]
    assert [s[0] for s in single["statements"]] == ["orig"]


def test_conflicting_dates_are_kept_and_reported(store):
    s1 = "The two governments signed a Protocol of Mutual Assistance on March 12, 1936."
    s2 = "The two governments signed a Protocol of Mutual Assistance on March 14, 1936."
    store.source("x", s1, authors=["X"])
    store.source("y", s2, authors=["Y"])
    store.source("z", s1, authors=["Z"])
    store.event("x", s1, "signed", "treaty", when=day("1936-03-12"))
    store.event("y", s2, "signed", "treaty", when=day("1936-03-14"))
    store.event("z", s1, "signed", "treaty", when=day("1936-03-12"))
    run(store)
    (event,) = events(store)
    assert event.status == "contested"
    assert event.earliest == "1936-03-12"  # two voices against one: the larger group dates it
    assert "conflicting dates kept" in event.when_reason and "14 March 1936 (y)" in event.when_reason
    (contra,) = [c for c in comparisons(store) if c["kind"] == "contradict"]
    assert contra["field"] == "date"
    assert {s[2] for s in contra["statements"]} == {"12 March 1936", "14 March 1936"}


def test_one_voice_with_two_dates_gives_two_events(store):
    text = "Delegates signed the trade protocol on 3 May 1950. Delegates signed the trade protocol on 9 May 1950."
    store.source("d", text)
    store.event("d", "Delegates signed the trade protocol on 3 May 1950.", "signed", "treaty", when=day("1950-05-03"))
    store.event("d", "Delegates signed the trade protocol on 9 May 1950.", "signed", "treaty", when=day("1950-05-09"))
    run(store)
    assert len(events(store)) == 2


def test_different_events_in_one_period_stay_apart(store):
    store.source("p", "Japan and Germany signed the Anti-Comintern Pact on November 25, 1936.")
    store.source("q", "The USSR and Mongolia signed a Protocol of Mutual Assistance in 1936.")
    store.event("p", "Japan and Germany signed the Anti-Comintern Pact on November 25, 1936.", "signed", "treaty",
                when=day("1936-11-25"), agents=["Japan", "Germany"])
    store.event("q", "The USSR and Mongolia signed a Protocol of Mutual Assistance in 1936.", "signed", "treaty",
                when=year("1936"), agents=["USSR", "Mongolia"])
    run(store)
    assert len(events(store)) == 2


def test_coarse_mention_of_several_sessions_becomes_their_parent(store):
    store.source("m1", "The Kremlin negotiations of November 1934 between the USSR and Mongolia were decisive. "
                       "Records of the Soviet-Mongolian negotiations of November 27 survive.", authors=["Lee, A."])
    store.source("m2", "Stalin met Genden for Soviet-Mongolian negotiations in the Kremlin on November 24, 1934.", authors=["Lee, A."])
    parent = store.event("m1", "The Kremlin negotiations of November 1934 between the USSR and Mongolia were decisive.",
                         "negotiations", "negotiation", when=month("1934-11", 30), others=["USSR", "Mongolia"], place="Kremlin")
    s27 = store.event("m1", "Records of the Soviet-Mongolian negotiations of November 27 survive.", "negotiations",
                      "negotiation", when=day("1934-11-27"))
    s24 = store.event("m2", "Stalin met Genden for Soviet-Mongolian negotiations in the Kremlin on November 24, 1934.",
                      "negotiations", "negotiation", when=day("1934-11-24"), others=["Stalin", "Genden"], place="Kremlin")
    run(store)
    rows = {e.id: e for e in events(store)}
    assert len(rows) == 3
    whole = rows[event_of(store, parent)]
    assert (whole.earliest, whole.latest) == ("1934-11-01", "1934-11-30") and whole.part_of is None
    assert rows[event_of(store, s24)].part_of == whole.id and rows[event_of(store, s27)].part_of == whole.id
    (session,) = [c for c in comparisons(store, whole.id) if c["kind"] == "contradict"]
    assert "two sessions" in session["explanation"]
    assert [s[2] for s in session["statements"]] == ["24 November 1934", "27 November 1934"]


def test_finer_event_inside_a_coarser_related_one_is_its_part(store):
    store.source("w", "In 1939 the war at Khalkhin Gol pitted the USSR against Japan.", authors=["W"])
    store.source("v", "At Khalkhin Gol the USSR and Japan agreed to a ceasefire on September 16, 1939.", authors=["V"])
    war = store.event("w", "In 1939 the war at Khalkhin Gol pitted the USSR against Japan.", "war", "battle",
                      when=year("1939"), agents=["USSR"], patients=["Japan"], place="Khalkhin Gol")
    truce = store.event("v", "At Khalkhin Gol the USSR and Japan agreed to a ceasefire on September 16, 1939.", "ceasefire",
                        "ceasefire", when=day("1939-09-16"), others=["USSR", "Japan"], place="Khalkhin Gol")
    run(store)
    rows = {e.id: e for e in events(store)}
    assert rows[event_of(store, truce)].part_of == event_of(store, war)


def test_framing_outcome_and_parts_of_a_war(store):
    post = ("On May 11, 1939, the USSR and Mongolia fended off the Japanese invasion at Khalkhin Gol, securing victory.\n"
            "By late August 1939 the Red Army expelled the Japanese troops from Khalkhin Gol.\n"
            "The war at Khalkhin Gol erupted when Japanese troops entered the area and opened fire.")
    book = ("The Khalkhin Gol incident came in May 1939.\n"
            "In 1939 Stalin decided to encircle the Japanese army at Khalkhin Gol to bring Mongolia under Soviet control.")
    store.source("post", post, authors=["Ministry of Foreign Affairs"])
    store.source("book", book, authors=["Batbayar, T."])
    clash = store.event("post", post.split("\n")[0], "invasion", "invasion", when=day("1939-05-11"),
                        agents=["USSR", "Mongolia"], place="Khalkhin Gol")
    store.event("post", post.split("\n")[1], "expelled", "offensive",
                when=("1939-08-21", "1939-08-31", "1939-08-21/1939-08-31", "late August 1939"), agents=["Red Army"],
                place="Khalkhin Gol")
    store.event("post", post.split("\n")[2], "war", "battle", agents=["Japanese troops"], place="Khalkhin Gol")
    store.event("book", book.split("\n")[0], "incident", "incident", when=month("1939-05", 31), place="Khalkhin Gol")
    war = store.event("book", book.split("\n")[1], "encircle", "offensive", when=year("1939"), agents=["Stalin"],
                      others=["Mongolia"], place="Khalkhin Gol")
    run(store)
    rows = {e.id: e for e in events(store)}
    assert rows[event_of(store, clash)].part_of == event_of(store, war)  # the May clash is part of the 1939 war
    found = comparisons(store)
    kinds = {(c["kind"], c["field"]) for c in found}
    assert ("contradict", "outcome_date") in kinds
    outcome = next(c for c in found if c["field"] == "outcome_date")
    assert any("securing victory" in s[1] for s in outcome["statements"])
    assert any("expelled" in s[1] for s in outcome["statements"])
    framing = [c for c in found if c["kind"] == "differ_in_framing"]
    assert {c["field"] for c in framing} >= {"name", "initiator"}
    initiator = next(c for c in framing if c["field"] == "initiator")
    assert {s[0] for s in initiator["statements"]} == {"post", "book"}


def test_reversed_agents_and_numbers_contradict(store):
    store.source("r1", "On 2 June 1920 Ruritania attacked Freedonia with 4,000 soldiers.", authors=["Rossi, M."])
    store.source("r2", "On 2 June 1920 Freedonia attacked Ruritania with 9,000 soldiers.", authors=["Novak, P."])
    store.event("r1", "On 2 June 1920 Ruritania attacked Freedonia with 4,000 soldiers.", "attacked", "battle",
                when=day("1920-06-02"), agents=["Ruritania"], patients=["Freedonia"])
    store.event("r2", "On 2 June 1920 Freedonia attacked Ruritania with 9,000 soldiers.", "attacked", "battle",
                when=day("1920-06-02"), agents=["Freedonia"], patients=["Ruritania"])
    run(store)
    (event,) = events(store)
    assert event.status == "contested"
    fields = {c["field"]: c for c in comparisons(store) if c["kind"] == "contradict"}
    assert "agent" in fields and "number:soldier" in fields
    assert {s[2] for s in fields["number:soldier"]["statements"]} == {"4,000 soldiers", "9,000 soldiers"}


def test_hypothetical_mentions_found_no_event(store):
    store.source("h", "A war on two fronts might have followed in 1940.")
    mid = store.event("h", "A war on two fronts might have followed in 1940.", "war", "battle", when=year("1940"),
                      factuality="hypothetical")
    report = run(store)
    assert report.events == 0 and report.unplaced == 1 and event_of(store, mid) is None


def test_chronicle_of_reconciled_store_validates(store):
    treaty_sources(store)
    run(store)
    document = chronicle(store.engine)
    validate(document, texts=store.texts)
    assert document["events"] and all(e["evidence"] for e in document["events"])


def test_embeddings_are_cached_in_the_store(store):
    treaty_sources(store)
    seen: list[int] = []

    def encoder(texts):
        seen.append(len(texts))
        return bag_of_words(texts)

    reconcile(store.engine, config={"embeddings": True}, encoder=encoder)
    reconcile(store.engine, config={"embeddings": True}, encoder=encoder)
    assert seen == [3]
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.embeddings)).scalar_one() == 3


def test_methodology_and_undated_generic_mentions_are_no_chronicle_events(store):
    text = ("The work examines collected documents on the 1930s. "
            "In March 1933 the Kwantung army extended its control to Jehol. "
            "The situation grew tense in 1933.")
    store.source("abs", text)
    examines = store.event("abs", "The work examines collected documents on the 1930s.", "examines", "other",
                           when=("1930-01-01", "1939-12-31", "193X", "the 1930s"), when_kind="governed")
    extended = store.event("abs", "In March 1933 the Kwantung army extended its control to Jehol.", "extended", "other",
                           when=month("1933-03", 31), agents=["Kwantung army"], place="Jehol", when_kind="governed")
    tense = store.event("abs", "The situation grew tense in 1933.", "grew", "other", when=year("1933"), when_kind="governed")
    report = run(store)
    assert event_of(store, examines) is None  # a scholarly verb: evidence row, no event
    assert event_of(store, tense) is None  # generic, and nobody named
    assert event_of(store, extended) is not None and report.events == 1
    (event,) = events(store)
    assert event.label == "Extended at Jehol — Kwantung army"


def test_a_carried_over_date_alone_merges_nothing_across_documents(store):
    first = "Stalin and Genden held a meeting in the Kremlin on 24 November 1934."
    store.source("a", first, authors=["A"])
    store.source("b", "Its course is described below. That meeting changed everything.", authors=["B"])
    store.source("c", "Genden left Moscow. The meeting of 24 November 1934 proved decisive.", authors=["C"])
    held = store.event("a", first, "meeting", "meeting", when=day("1934-11-24"), others=["Stalin", "Genden"],
                       place="Kremlin", when_kind="governed")
    carried = store.event("b", "That meeting changed everything.", "meeting", "meeting", when=day("1934-11-24"),
                          when_kind="narrative")
    own = store.event("c", "The meeting of 24 November 1934 proved decisive.", "meeting", "meeting", when=day("1934-11-24"),
                      when_kind="sentence")
    run(store)
    assert event_of(store, carried) is None  # no date of its own, no participant: it cannot stand alone either
    assert event_of(store, own) == event_of(store, held)
    (event,) = events(store)
    assert event.label == "Kremlin talks — Stalin, Genden"


def _pact(trigger: str, sentence: str, name: str | None = None):
    from timeweave.reconcile.load import Mention

    start = sentence.index(trigger)
    named = []
    if name:
        s = sentence.index(name)
        named = [(s, s + len(name), name, None, "work")]
    return Mention(index=0, id=0, source_id="x", passage_id=None, start=0, end=len(sentence), trigger=trigger,
                   trigger_start=start, trigger_end=start + len(trigger), lemma=trigger.lower(), type="treaty",
                   factuality="asserted", context="narrative", interval=None, when_text=None, when_reason=None,
                   when_kind=None, agents=frozenset(), patients=frozenset(), entities=frozenset(), place=None,
                   sentence=sentence, sentence_no=0, voice="x", is_copy=False, named=named)


@pytest.mark.parametrize("a, b, agree", [
    (("Pact", "Japan signed the Anti-Comintern Pact with Germany.", "Anti-Comintern Pact"),
     ("pact", "In April 1941 the Soviet Union and Japan signed a neutrality pact."), False),
    (("Protocol", "The Protocol of Mutual Assistance was signed.", "Protocol of Mutual Assistance"),
     ("pact", "The pact of mutual assistance signed in 1936 provided for Soviet troops."), True),
    (("Pact", "The conclusion of the Soviet-German Pact of 1939 followed.", "Soviet-German Pact"),
     ("pact", "The Soviet Union entered into a non-aggression pact with Nazi Germany."), True),
    (("Pact", "The Anti-Comintern Pact was signed.", "Anti-Comintern Pact"),
     ("Pact", "The Soviet-German Pact was signed.", "Soviet-German Pact"), False),
    (("treaty", "A treaty was signed."), ("agreement", "An agreement was reached."), True),
])
def test_a_named_treaty_is_not_another_one(a, b, agree):
    from timeweave.reconcile.similarity import names_agree

    assert names_agree(_pact(*a), _pact(*b)) is agree
    assert names_agree(_pact(*b), _pact(*a)) is agree


def test_a_generic_verb_beside_a_typed_event_of_its_sentence_founds_none(store):
    text = "In March 1848 the crowds gathered and stormed the arsenal of Milan."
    store.source("h", text, authors=["Hale, R."])
    march = ("1848-03-01", "1848-03-31", "1848-03", "In March 1848")
    gathered = store.event("h", text, "gathered", "other", when=march, agents=["crowds"], when_kind="sentence")
    stormed = store.event("h", text, "stormed", "battle", when=march, agents=["crowds"], place="Milan",
                          when_kind="governed")
    run(store)
    (event,) = events(store)
    assert event_of(store, stormed) == event.id
    assert event_of(store, gathered) in (None, event.id)


def test_the_mention_a_date_governs_founds_the_event_and_a_bare_neighbour_borrows_it(store):
    text = "On 3 May 1808 the council condemned the riots."
    store.source("c", text, authors=["Cole, D."])
    condemned = store.event("c", text, "condemned", "other", when=day("1808-05-03"), agents=["council"],
                            when_kind="governed")
    riots = store.event("c", text, "riots", "incident", when=day("1808-05-03"), when_kind="sentence")
    run(store)
    (event,) = events(store)
    assert event_of(store, condemned) == event.id and event.edtf == "1808-05-03"
    assert event_of(store, riots) in (None, event.id)


def test_a_borrowed_date_leaves_a_typed_event_with_participants_standing(store):
    text = "On 9 June 1720 the assembly voted to end the siege of Tarvo by the duke."
    store.source("v", text, authors=["Vane, E."])
    store.event("v", text, "voted", "election", when=day("1720-06-09"), agents=["assembly"], when_kind="governed")
    siege = store.event("v", text, "siege", "battle", when=day("1720-06-09"), agents=["duke"], place="Tarvo",
                        when_kind="sentence")
    run(store)
    assert len(events(store)) == 2 and event_of(store, siege) is not None


def _noun(sentence: str, trigger: str, named=()):
    from timeweave.reconcile.load import Mention

    start = sentence.index(trigger)
    return Mention(index=0, id=0, source_id="x", passage_id=None, start=0, end=len(sentence), trigger=trigger,
                   trigger_start=start, trigger_end=start + len(trigger), lemma=trigger.lower(), type="battle",
                   factuality="asserted", context="narrative", interval=None, when_text=None, when_reason=None,
                   when_kind=None, agents=frozenset(), patients=frozenset(), entities=frozenset(), place=None,
                   sentence=sentence, sentence_no=0, voice="x", is_copy=False, named=list(named))


@pytest.mark.parametrize("sentence, trigger, name", [
    ("The delegates met at the Yalta Conference in February 1945.", "Conference", "Yalta Conference"),
    ("Operation Overlord began on 6 June 1944.", "Operation", "Operation Overlord"),
    ("The Storming of the Bastille took place on 14 July 1789.", "Storming", "Storming of the Bastille"),
    ("After the Battle of the Nile the fleet sailed home.", "Battle", "Battle of the Nile"),
    ("The Dogger Bank incident of October 1904 nearly caused a war.", "incident", "Dogger Bank incident"),
    ("Talks began in Geneva in 1954.", "Talks", None),  # a capital the first word owes to its place
    ("In May the Japanese invasion began.", "invasion", "Japanese invasion"),  # "May the" is no name
    ("- Conflict: Dogger Bank incident", "Conflict", None),  # punctuation ends a name
    ("In 1962 Khrushchev visits were frequent.", "visits", None),  # a person is who acted, not a name
    ("The fleet was attacked in 1904.", "attacked", None),  # verbs have no name
    ("ANGLO-DUTCH RIVALRY AND WAR IN 1665", "WAR", None),  # a title in capitals names nothing by its capitals
])
def test_proper_name_of_an_event_from_its_sentence(sentence, trigger, name):
    from timeweave.reconcile.labels import proper_name

    named = [(8, 18, "Khrushchev", 1, "person")] if "Khrushchev" in sentence else []
    assert proper_name(_noun(sentence, trigger, named)) == name


def test_a_label_names_the_event_or_what_it_was_aimed_at(store):
    yalta = "Roosevelt and Stalin met at the Yalta Conference, which opened on 4 February 1945."
    text = "The attack on Pearl Harbor came on 7 December 1941. " + yalta
    store.source("p", text, authors=["Page, L."])
    store.event("p", "The attack on Pearl Harbor came on 7 December 1941.", "attack", "offensive",
                when=day("1941-12-07"), place="Pearl Harbor", when_kind="governed")
    store.event("p", yalta, "Conference", "meeting",
                when=day("1945-02-04"), others=["Roosevelt", "Stalin"], when_kind="governed")
    run(store)
    assert [e.label for e in events(store)] == ["Attack on Pearl Harbor", "Yalta Conference — Roosevelt, Stalin"]


def test_a_date_carried_over_from_earlier_sentences_founds_no_event(store):
    text = "The fleet sailed on 2 March 1588. The admiral blockaded the port of Cadiz."
    store.source("f", text, authors=["Fenn, O."])
    store.event("f", "The fleet sailed on 2 March 1588.", "sailed", "deployment", when=day("1588-03-02"),
                agents=["fleet"], when_kind="governed")
    carried = store.event("f", "The admiral blockaded the port of Cadiz.", "blockaded", "battle", when=day("1588-03-02"),
                          agents=["admiral"], place="Cadiz", when_kind="narrative")
    run(store)
    assert len(events(store)) == 1 and event_of(store, carried) is None


def test_non_event_words_are_data_a_project_can_extend(store, tmp_path):
    from timeweave import knowledge
    from timeweave.errors import ConfigError
    from timeweave.reconcile import lexicon

    folder = tmp_path / "my-knowledge"
    folder.mkdir()
    (folder / "non_events.tsv").write_text("# my reading of parade reports\nword\tkind\tsource\n"
                                           "parade\tstate_noun\tceremonies are no happenings here\n"
                                           "plan\tevent\tthe plans of this corpus were carried out\n", encoding="utf-8")
    bundled = lexicon.non_events_for(None)
    assert {"say", "believe", "cooperation", "plan"} <= bundled and "parade" not in bundled
    mine = lexicon.non_events_for(str(folder))
    assert "parade" in mine and "plan" not in mine and "say" in mine

    sentence = "The garrison held a parade in the capital on 7 November 1941."
    store.source("g", sentence, authors=["Reed, A."])
    store.event("g", sentence, "parade", "other", when=day("1941-11-07"), agents=["garrison"], when_kind="governed")
    run(store)
    assert len(events(store)) == 1  # with the bundled list, a dated parade with a participant is an event
    try:
        knowledge.use(str(folder))
        run(store)
        assert len(events(store)) == 0
    finally:
        knowledge.use(None)

    (folder / "non_events.tsv").write_text("word\tkind\tsource\nparade\tceremony\tmine\n", encoding="utf-8")
    lexicon.non_events_for.cache_clear()
    with pytest.raises(ConfigError, match="non_events.tsv.*unknown kind 'ceremony'"):
        lexicon.non_events_for(str(folder))
    lexicon.non_events_for.cache_clear()


def test_framing_words_are_data_a_project_can_extend(tmp_path):
    from timeweave.errors import ConfigError
    from timeweave.reconcile import framing, lexicon

    assert framing.name_of("incursion") == "invasion" and framing.name_of("skirmishes") == "incident"
    assert framing.name_of("razzia") is None
    folder = tmp_path / "my-knowledge"
    folder.mkdir()
    (folder / "framing_words.tsv").write_text(
        "list\tcategory\tpattern\tsource\nname\tinvasion\trazzia\\w*\tFrench colonial usage for a raid\n", encoding="utf-8")
    mine = lexicon.framing_for(str(folder))
    assert mine["name"]["invasion"].search("the razzias of 1841") and mine["name"]["invasion"].search("an incursion")
    (folder / "framing_words.tsv").write_text("list\tcategory\tpattern\tsource\nname\tinvasion\traid(\tbad\n",
                                              encoding="utf-8")
    lexicon.framing_for.cache_clear()
    with pytest.raises(ConfigError, match="framing_words.tsv.*not a valid regular expression"):
        lexicon.framing_for(str(folder))
    lexicon.framing_for.cache_clear()


def test_a_pair_no_similarity_can_relate_embeds_no_sentence(store):
    """An 'election' shares the treaties' word and date (one block) but no type with them: `judge` refuses
    the pair at any similarity, so its sentence is not embedded (an add embeds only what can score)."""
    treaty_sources(store)
    d = store.source("d", "The Protocol vote of March 12, 1936 elected a new assembly.", authors=["Dumas, P."])
    store.event(d, "The Protocol vote of March 12, 1936 elected a new assembly.", "Protocol", "election",
                when=day("1936-03-12"))
    seen: list[str] = []

    def encoder(texts):
        seen.extend(texts)
        return bag_of_words(texts)

    report = reconcile(store.engine, config={"embeddings": True}, encoder=encoder)
    assert report.candidate_pairs >= 5  # the election is paired with the treaties by its block ...
    assert len(seen) == 3 and not any("elected" in s for s in seen)  # ... but never embedded
    assert report.events == 2


def test_relatable_is_judge_at_the_highest_similarity():
    """`relatable` may drop a pair before its vectors exist only because `judge` refuses it at every
    similarity: checked over mentions that differ in type, dates, words and sentence."""
    from itertools import combinations, product

    from timeweave.reconcile.dates import Interval
    from timeweave.reconcile.load import Mention
    from timeweave.reconcile.similarity import judge, relatable

    def mention(i, kind, lemma, interval, source, entities):
        return Mention(index=i, id=i, source_id=source, passage_id=None, start=0, end=40, trigger=lemma,
                       trigger_start=0, trigger_end=len(lemma), lemma=lemma, type=kind, factuality="asserted",
                       context="narrative", interval=interval, when_text=None, when_reason=None, when_kind=None,
                       agents=frozenset(), patients=frozenset(), entities=frozenset(entities), place=None,
                       sentence=f"{lemma} happened then.", sentence_no=0, voice=source, is_copy=False, named=[])

    spans = [None, Interval(19360312, 19360312), Interval(19360101, 19361231), Interval(19400101, 19401231)]
    kinds = ["treaty", "agreement", "battle", "election", "other"]
    made = [mention(n, kind, lemma, when, source, ents) for n, (kind, lemma, when, source, ents) in enumerate(product(
        kinds, ["protocol", "vote"], spans, ["a", "b"], [(), (1,), (2,)]))]
    refused = 0
    for a, b in combinations(made[::3], 2):
        if not relatable(a, b):
            refused += 1
            assert all(judge(a, b, sim)[0] is None for sim in (None, -1.0, 0.0, 0.3, 0.6, 0.9, 1.0))
    assert 0 < refused < len(made[::3]) * (len(made[::3]) - 1) // 2
