"""Claims on hand-built stores whose sentences come from no corpus of ours (1066, 1812, 1898, 1914).

Each test builds a few sources, runs `reconcile` and then `claims`, and reads back the claim rows and
the comparisons they made: agreement of two voices, numbers beyond tolerance, happened vs did not
happen, reversed agents, framing, a quoted voice that is not independent, perspective-aware outcomes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_reconcile_helpers import HandStore, bag_of_words, day

from timeweave.chronicle import chronicle, validate
from timeweave.claims import claims
from timeweave.claims.extract import quantities
from timeweave.claims.vocab import vocabulary
from timeweave.reconcile import reconcile
from timeweave.store import open_store
from timeweave.store import schema as t

CONFIG = {"embeddings": False}


@pytest.fixture
def store(tmp_path) -> HandStore:
    return HandStore(open_store(tmp_path / "s.db"))


def run(store: HandStore) -> None:
    reconcile(store.engine, config=CONFIG, encoder=bag_of_words)
    claims(store.engine, config=CONFIG, encoder=bag_of_words)


def claim_comparisons(store: HandStore, field: str) -> list[dict]:
    with store.engine.connect() as conn:
        out = []
        for c in conn.execute(select(t.comparisons).where(t.comparisons.c.component == "timeweave.claims.v1")
                              .where(t.comparisons.c.field == field).order_by(t.comparisons.c.id)):
            rows = conn.execute(select(t.comparison_statements)
                                .where(t.comparison_statements.c.comparison_id == c.id)).all()
            out.append({"kind": c.kind, "explanation": c.explanation, "event": c.event_id,
                        "quotes": [(s.source_id, store.texts[s.source_id][s.start:s.end]) for s in rows]})
        return out


def test_two_voices_agree_on_a_count_and_a_denial_contradicts_the_occurrence(store):
    a = store.source("a", "On 14 October 1066 the Normans attacked the English army with 7,000 men.", authors=["Orderic"])
    b = store.source("b", "The Normans attacked the English on 14 October 1066 with some 7,000 men.", authors=["Wace"])
    c = store.source("c", "The Normans never attacked the English army on 14 October 1066.", authors=["Skeptic"])
    store.event(a, store.texts[a], "attacked", "attack", when=day("1066-10-14"), agents=["Normans"], patients=["English"])
    store.event(b, store.texts[b], "attacked", "attack", when=day("1066-10-14"), agents=["Normans"], patients=["English"])
    store.event(c, store.texts[c], "attacked", "attack", when=day("1066-10-14"), agents=["Normans"], patients=["English"],
                factuality="negated")
    run(store)
    men = claim_comparisons(store, "claim:quantity:men")
    assert [m["kind"] for m in men] == ["agree"]
    assert {q[0] for q in men[0]["quotes"]} == {"a", "b"}
    occurrence = claim_comparisons(store, "claim:occurrence")
    assert [o["kind"] for o in occurrence] == ["contradict"]
    assert "c says it did not happen" in occurrence[0]["explanation"]
    with store.engine.connect() as conn:
        assert conn.execute(select(t.events.c.status).where(t.events.c.id == occurrence[0]["event"])).scalar() == "contested"


def test_numbers_beyond_tolerance_contradict(store):
    a = store.source("a", "At Lundy's Lane on 25 July 1814 the Americans lost 860 men.", authors=["Lossing"])
    b = store.source("b", "At Lundy's Lane on 25 July 1814 the Americans lost 1,700 men.", authors=["Hitsman"])
    for s in (a, b):
        store.event(s, store.texts[s], "lost", "battle", when=day("1814-07-25"))
    run(store)
    found = claim_comparisons(store, "claim:quantity:men")
    assert [f["kind"] for f in found] == ["contradict"]
    assert "860 men" in found[0]["explanation"] and "1,700 men" in found[0]["explanation"]


def test_a_denial_of_another_day_does_not_contradict(store):
    a = store.source("a", "Spanish boats attacked the squadron on 3 July 1898.", authors=["Sampson"])
    b = store.source("b", "Spanish boats attacked the squadron on 3 July 1898.", authors=["Schley"])
    c = store.source("c", "The attack of 5 July 1898 never happened.", authors=["Later"])
    store.event(a, store.texts[a], "attacked", "attack", when=day("1898-07-03"))
    store.event(b, store.texts[b], "attacked", "attack", when=day("1898-07-03"))
    store.event(c, store.texts[c], "attack", "attack", when=day("1898-07-05"), factuality="negated")
    run(store)
    assert "contradict" not in {c["kind"] for c in claim_comparisons(store, "claim:occurrence")}


def test_reversed_agents_contradict(store):
    a = store.source("a", "On 12 August 1914 Serbia attacked Austria-Hungary at the Drina.", authors=["Vienna"])
    b = store.source("b", "On 12 August 1914 Austria-Hungary attacked Serbia at the Drina.", authors=["Belgrade"])
    store.event(a, store.texts[a], "attacked", "attack", when=day("1914-08-12"), agents=["Serbia"], patients=["Austria-Hungary"])
    store.event(b, store.texts[b], "attacked", "attack", when=day("1914-08-12"), agents=["Austria-Hungary"], patients=["Serbia"])
    run(store)
    found = claim_comparisons(store, "claim:agent")
    assert [f["kind"] for f in found] == ["contradict"]
    assert "reverse who acted against whom" in found[0]["explanation"]


def test_incident_and_invasion_differ_in_framing(store):
    a = store.source("a", "The border incident of 2 May 1898 cost no lives.", authors=["Madrid"])
    b = store.source("b", "The invasion of 2 May 1898 cost no lives.", authors=["Washington"])
    store.event(a, store.texts[a], "incident", "attack", when=day("1898-05-02"))
    store.event(b, store.texts[b], "invasion", "attack", when=day("1898-05-02"))
    run(store)
    found = claim_comparisons(store, "claim:evaluation:name")
    assert [f["kind"] for f in found] == ["differ_in_framing"]
    assert "incident" in found[0]["explanation"] and "invasion" in found[0]["explanation"]


def test_two_documents_quoting_one_report_are_one_voice(store):
    a = store.source("a", "According to the Admiralty Report, the frigate sank three privateers on 4 June 1812.", authors=["X"])
    b = store.source("b", "According to the Admiralty Report, the frigate sank three privateers on 4 June 1812.", authors=["Y"])
    for s in (a, b):
        store.event(s, store.texts[s], "sank", "attack", when=day("1812-06-04"))
    run(store)
    counts = claim_comparisons(store, "claim:quantity:privateer")
    assert [c["kind"] for c in counts] == ["single_source"], "one report quoted twice is not two voices"
    assert "Admiralty Report" in counts[0]["explanation"]
    with store.engine.connect() as conn:
        voices = {r.voice for r in conn.execute(select(t.claims.c.voice))}
    assert voices == {"quoted:admiralty report"}


def test_defeat_and_victory_told_from_the_two_sides_agree(store):
    a = store.source("a", "On 18 June 1815 Napoleon was defeated by Wellington at Waterloo.", authors=["Paris"])
    b = store.source("b", "On 18 June 1815 Wellington won at Waterloo against Napoleon.", authors=["London"])
    store.event(a, store.texts[a], "defeated", "battle", when=day("1815-06-18"), others=["Napoleon", "Wellington"])
    store.event(b, store.texts[b], "won", "battle", when=day("1815-06-18"), others=["Wellington", "Napoleon"])
    with store.engine.begin() as conn:  # the people are persons, not states
        conn.execute(t.mentions.update().values(type="person"))
    run(store)
    found = claim_comparisons(store, "claim:outcome")
    assert [f["kind"] for f in found] == ["agree"], found


def test_claims_reach_the_chronicle_json_with_exact_quotes(store):
    a = store.source("a", "In retaliation, the Prussians shelled the town on 2 September 1870.", authors=["A"])
    store.event(a, store.texts[a], "shelled", "battle", when=day("1870-09-02"))
    run(store)
    document = chronicle(store.engine)
    validate(document, texts=store.texts)
    kinds = {c["kind"] for c in document["claims"]}
    assert {"cause", "occurrence"} <= kinds
    cause = next(c for c in document["claims"] if c["kind"] == "cause")
    assert cause["value"] == "retaliation" and cause["event"] is not None
    assert store.texts["a"][cause["start"]:cause["end"]] == cause["quote"]


def test_quantities_read_counts_not_years_or_clock_times():
    vocab = vocabulary()
    assert quantities("At 10:15 in 1812 the garrison of 2,000 men and two aircraft held.", vocab) == [
        ("men", 2000.0, "2,000 men"), ("aircraft", 2.0, "two aircraft")]
    assert quantities("three small Danish gunboats", vocab) == [("gunboat", 3.0, "three small Danish gunboats")]
    assert quantities("Twenty-two galleys sailed; two days later the fleet was gone.", vocab) == [
        ("galley", 22.0, "Twenty-two galleys")], "a compound number word counts; 'two days later' dates, not counts"
    assert quantities("One of the two forts fell to three companies.", vocab) == [
        ("fort", 2.0, "two forts"), ("company", 3.0, "three companies")], "'one of' is a part, not a count"
    assert quantities("Forty sorties were flown.", vocab) == [("sortie", 40.0, "Forty sorties")]


def test_claims_page_groups_by_question_with_both_sides_quoted(store):
    from fastapi.testclient import TestClient

    from timeweave.serve.app import create_app

    a = store.source("a", "On 12 August 1914 Serbia attacked Austria-Hungary at the Drina.", authors=["Vienna"])
    b = store.source("b", "On 12 August 1914 Austria-Hungary attacked Serbia at the Drina.", authors=["Belgrade"])
    store.event(a, store.texts[a], "attacked", "battle", when=day("1914-08-12"), agents=["Serbia"], patients=["Austria-Hungary"])
    store.event(b, store.texts[b], "attacked", "battle", when=day("1914-08-12"), agents=["Austria-Hungary"], patients=["Serbia"])
    run(store)
    client = TestClient(create_app(store.engine))
    data = client.get("/claims.json?kind=agent").json()
    assert data["ok"] and [g["question"] for g in data["groups"]] == ["Who acted against whom?"]
    group = data["groups"][0]
    assert group["relation"] == "contradict" and {c["source"] for c in group["claims"]} == {"a", "b"}
    html = client.get("/claims?kind=agent").text
    assert "Who acted against whom?" in html and store.texts["a"] in html and store.texts["b"] in html
    assert client.get(f"/events/{group['event']}").text.count(f"/claims?event={group['event']}") == 1
    assert client.get("/claims.json?kind=nonsense").status_code == 400


def test_accounts_of_two_days_do_not_agree_that_one_thing_happened(store):
    a = store.source("a", "Rebels burned the mill on 3 May 1381.", authors=["Walsingham"])
    b = store.source("b", "Rebels burned the mill on 9 June 1381.", authors=["Knighton"])
    c = store.source("c", "Rebels burned the mill on 3 May 1381 at dawn.", authors=["Froissart"])
    for s, d in ((a, "1381-05-03"), (b, "1381-06-09"), (c, "1381-05-03")):
        store.event(s, store.texts[s], "burned", "battle", when=day(d))
    run(store)
    for found in claim_comparisons(store, "claim:occurrence"):
        if found["kind"] == "agree":
            assert "b" not in {q[0] for q in found["quotes"]}, "an account dated apart is another occurrence"


def test_two_sides_named_as_starting_the_war_contradict(store):
    a = store.source("a", "On 19 July 1870 France opened fire on the outposts of Prussia.", authors=["Berlin"])
    b = store.source("b", "On 19 July 1870 Prussia launched an attack on the outposts of France.", authors=["Paris"])
    store.event(a, store.texts[a], "opened", "attack", when=day("1870-07-19"), agents=["France"], patients=["Prussia"])
    store.event(b, store.texts[b], "launched", "attack", when=day("1870-07-19"), agents=["Prussia"], patients=["France"])
    run(store)
    found = claim_comparisons(store, "claim:agent:initiator")
    assert [f["kind"] for f in found] == ["contradict"], found
    assert "France" in found[0]["explanation"] and "Prussia" in found[0]["explanation"]
    assert {q[0] for q in found[0]["quotes"]} == {"a", "b"}
    with store.engine.connect() as conn:
        questions = {r.question for r in conn.execute(select(t.claims.c.question).where(t.claims.c.facet == "initiator"))}
    assert questions == {"Who started it?"}


def test_the_same_side_named_as_starting_it_agrees(store):
    a = store.source("a", "On 19 July 1870 Prussia launched an attack on the outposts of France.", authors=["Berlin"])
    b = store.source("b", "On 19 July 1870 Prussia opened fire on the outposts of France.", authors=["Paris"])
    store.event(a, store.texts[a], "launched", "attack", when=day("1870-07-19"), agents=["Prussia"], patients=["France"])
    store.event(b, store.texts[b], "opened", "attack", when=day("1870-07-19"), agents=["Prussia"], patients=["France"])
    run(store)
    assert [f["kind"] for f in claim_comparisons(store, "claim:agent:initiator")] == ["agree"]


def test_voices_that_deny_it_agree_besides_contradicting_those_who_tell_it(store):
    texts = {"a": ("The Spanish fleet attacked the harbour on 3 July 1898.", "asserted", "Sampson"),
             "b": ("The Spanish fleet never attacked the harbour on 3 July 1898.", "negated", "Cervera"),
             "c": ("The Spanish fleet did not attack the harbour on 3 July 1898.", "negated", "Later")}
    for sid, (text, factuality, author) in texts.items():
        s = store.source(sid, text, authors=[author])
        store.event(s, text, "attacked" if sid == "a" else "attack", "attack", when=day("1898-07-03"),
                    factuality=factuality)
    run(store)
    found = claim_comparisons(store, "claim:occurrence")
    assert sorted(f["kind"] for f in found) == ["agree", "contradict"], found
    agree = next(f for f in found if f["kind"] == "agree")
    assert {q[0] for q in agree["quotes"]} == {"b", "c"} and "did not happen" in agree["explanation"]


def _claim(i: int, event, voice: str, kind: str = "quantity", value: str = "three ships", **kw):
    from timeweave.claims.extract import Claim

    facet = kw.pop("facet", "ship" if kind == "quantity" else "")
    return Claim(source_id=voice, start=0, end=10, quote=f"q{i}", kind=kind, value=value, polarity=kw.pop("polarity", "+"),
                 modality="asserted", voice=voice, voice_name=voice, event_id=event, mention_id=i, facet=facet,
                 number=3.0 if kind == "quantity" else None, id=i, **kw)


def _vectors(*rows):
    import numpy as np

    v = np.asarray(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_a_count_one_voice_gives_under_another_event_joins_the_same_count_of_another_voice():
    from timeweave.claims.align import align, relate

    claims_ = [_claim(1, 1, "a"), _claim(2, 2, "b")]  # reconcile split one fight in two events
    groups = align(claims_, _vectors([1, 0, 0], [0.9, 0.3, 0]))
    assert len(groups) == 1
    (key, group), = groups.items()
    assert relate(key, group).kind == "agree"
    apart = [_claim(1, 1, "a"), _claim(2, 2, "b")]  # dissimilar sentences stay two questions
    assert len(align(apart, _vectors([1, 0, 0], [0, 1, 0]))) == 2
    other = [_claim(1, 1, "a"), _claim(2, 2, "b", value="five ships")]
    other[1].number = 5.0  # another number is not the same claim: it is not moved
    assert len(align(other, _vectors([1, 0, 0], [1, 0, 0]))) == 2


def test_judgements_of_different_axes_do_not_differ_in_framing():
    from timeweave.claims.align import align, relate

    heroic = _claim(1, 1, "a", kind="evaluation", value="heroic", facet="judgement", axis="valour")
    error = _claim(2, 1, "b", kind="evaluation", value="error", facet="judgement", axis="intent")
    lie = _claim(3, 1, "c", kind="evaluation", value="deception", facet="judgement", axis="intent")
    groups = align([heroic, error, lie])
    kinds = {key[2]: relate(key, group).kind for key, group in groups.items()}
    assert kinds == {"judgement:valour": "single_source", "judgement:intent": "differ_in_framing"}


def test_every_side_of_a_contradiction_is_quoted_however_many_voices_the_other_has():
    from timeweave.claims.align import relate

    told = [_claim(i, 1, f"v{i:02d}", kind="occurrence", value="happened") for i in range(1, 11)]
    denied = _claim(11, 1, "z", kind="occurrence", value="did not happen", polarity="-")
    found = relate((1, "occurrence", ""), told + [denied], limit=4)
    assert found.kind == "contradict" and len(found.claims) == 4 and denied in found.claims


def test_a_build_that_changed_no_source_keeps_the_claims_and_any_change_gives_a_full_runs_rows(store):
    from timeweave.store.changes import Changes

    a = store.source("a", "Prussia opened fire on the outposts of France on 19 July 1870.", authors=["Berlin"])
    b = store.source("b", "France opened fire on the outposts of Prussia on 19 July 1870.", authors=["Paris"])
    store.event(a, store.texts[a], "opened", "attack", when=day("1870-07-19"), agents=["Prussia"], patients=["France"])
    store.event(b, store.texts[b], "opened", "attack", when=day("1870-07-19"), agents=["France"], patients=["Prussia"])
    run(store)

    def rows():
        with store.engine.connect() as conn:
            return (conn.execute(select(t.claims).order_by(t.claims.c.id)).all(),
                    conn.execute(select(t.comparisons).order_by(t.comparisons.c.id)).all())

    full = rows()
    assert full[0] and any(c.field == "claim:agent:initiator" for c in full[1])
    with store.engine.begin() as conn:  # a mark the stage would erase if it ran
        conn.execute(t.claims.update().where(t.claims.c.id == full[0][0].id).values(voice_name="kept"))
    report = claims(store.engine, config=CONFIG, encoder=bag_of_words, changes=Changes())
    assert report.kept and rows()[0][0].voice_name == "kept"
    report = claims(store.engine, config=CONFIG, encoder=bag_of_words, changes=Changes(changed=frozenset({"a"})))
    assert not report.kept and rows() == full


def test_a_sentence_telling_no_placed_event_speaks_of_the_one_its_paragraph_told_just_before(store):
    first = "On 3 May 1808 French soldiers shot the prisoners at Madrid."
    second = "Afterwards the ministry falsified the reports of the shooting."
    a = store.source("a", first + " " + second + "\nA new paragraph: the ministry deceived nobody.", authors=["Goya"])
    store.event(a, first, "shot", "attack", when=day("1808-05-03"))
    store.event(a, second, "falsified", "other")  # undated: reconcile founds no event for it
    store.event(a, "A new paragraph: the ministry deceived nobody.", "deceived", "other")
    run(store)
    with store.engine.connect() as conn:
        shot = conn.execute(select(t.event_mentions.c.event_id).where(t.event_mentions.c.trigger == "shot")).scalar()
        rows = conn.execute(select(t.claims.c.kind, t.claims.c.value, t.claims.c.event_id, t.claims.c.start)).all()
    start = store.texts[a].find(second)
    carried = [r for r in rows if r.start == start]
    assert [(r.kind, r.value, r.event_id) for r in carried] == [("evaluation", "deception", shot)], rows
    later = [r for r in rows if r.start > start]
    assert all(r.event_id is None for r in later), "another paragraph does not go on about it"


def test_a_paragraph_telling_no_placed_event_goes_on_with_the_report_of_the_paragraphs_before(store):
    first = "On 21 October 1805 the British fleet attacked the combined fleet off Cape Trafalgar."
    toll = "In all, 18 ships were taken or destroyed."
    storm = "That night 2 more ships sank in the gale."
    later = "The prize crews counted 4 ships wrecked."
    dawn = "By dawn 3 ships had been burnt."
    a = store.source("a", "\n".join([first, "The Prizes", toll, storm, dawn, "Admiralty news, a week later.", later]),
                     authors=["Gazette"])
    store.event(a, first, "attacked", "attack", when=day("1805-10-21"))
    store.event(a, toll, "destroyed", "other", when=day("1805-10-21"), when_kind="narrative")
    store.event(a, toll, "taken", "other")  # undated, and the trigger nearest the count
    store.event(a, storm, "sank", "other", when=day("1805-10-21"), when_kind="narrative")
    store.event(a, dawn, "burnt", "other", when=day("1805-10-21"), when_kind="narrative")
    store.event(a, later, "wrecked", "other", when=day("1805-10-28"), when_kind="narrative")
    run(store)
    with store.engine.connect() as conn:
        attack = conn.execute(select(t.event_mentions.c.event_id).where(t.event_mentions.c.trigger == "attacked")).scalar()
        unplaced = conn.execute(select(t.event_mentions.c.event_id).where(t.event_mentions.c.trigger == "destroyed")).scalar()
        rows = conn.execute(select(t.claims.c.kind, t.claims.c.value, t.claims.c.event_id, t.claims.c.start)).all()
    assert attack is not None and unplaced is None, "the toll's own mention joined no event"
    counts = {r.value: r.event_id for r in rows if r.kind == "quantity"}
    assert counts.get("18 ships") == attack, rows  # the next paragraph (a subhead between) tells the attack's toll
    assert counts.get("2 more ships") == attack, rows  # and the report runs on in the paragraphs after it
    assert counts.get("3 ships") == attack, rows  # (more than two paragraphs after the attack's)
    assert "4 ships" in counts and counts["4 ships"] is None, "a paragraph dated another day is not carried"
    assert all(r.kind != "occurrence" for r in rows if r.start == store.texts[a].find(toll)), "nor that it happened"


def test_a_lone_count_of_parts_of_a_story_or_a_bare_because_is_not_a_notable_claim():
    from timeweave.claims.align import relate

    assert relate((1, "quantity", "ship"), [_claim(1, 1, "a")]).kind == "single_source"
    assert relate((1, "quantity", "event"), [_claim(1, 1, "a", value="two events", facet="event")]) is None
    because = _claim(2, 1, "a", kind="cause", value="reason", facet="cause")
    assert relate((1, "cause", ""), [because]) is None
    revenge = _claim(3, 1, "a", kind="cause", value="retaliation", facet="cause")
    found = relate((1, "cause", ""), [because, revenge])
    assert found.kind == "single_source" and "'retaliation'" in found.explanation


def test_a_purpose_rejoins_across_days_but_a_count_of_another_day_does_not():
    from timeweave.claims.align import align
    from timeweave.reconcile.dates import parse

    first, second = parse("1588-07-29", "1588-07-29", "1588-07-29"), parse("1588-08-02", "1588-08-02", "1588-08-02")
    spies = [_claim(1, 1, "a", kind="purpose", value="intelligence", facet="purpose", interval=first),
             _claim(2, 2, "b", kind="purpose", value="intelligence", facet="purpose", interval=second)]
    assert len(align(spies, _vectors([1, 0, 0], [0.9, 0.3, 0]))) == 1, "a mission's purpose spans its days"
    ships = [_claim(1, 1, "a", interval=first), _claim(2, 2, "b", interval=second)]
    assert len(align(ships, _vectors([1, 0, 0], [0.9, 0.3, 0]))) == 2, "three ships on two days are two counts"


def test_a_voice_does_not_contradict_its_own_dated_account_with_an_undated_doubt():
    from timeweave.claims.align import relate
    from timeweave.reconcile.dates import parse

    day1 = parse("1812-06-18", "1812-06-18", "1812-06-18")
    told_a = _claim(1, 1, "a", kind="occurrence", value="happened", interval=day1)
    doubt_a = _claim(2, 1, "a", kind="occurrence", value="disputed", polarity="?")  # "the second attack": another one
    told_b = _claim(3, 1, "b", kind="occurrence", value="happened", interval=day1)
    assert relate((1, "occurrence", ""), [told_a, doubt_a, told_b]).kind == "agree"
    doubt_c = _claim(4, 1, "c", kind="occurrence", value="disputed", polarity="?")  # another voice's doubt counts
    assert relate((1, "occurrence", ""), [told_a, doubt_a, told_b, doubt_c]).kind == "contradict"


def test_a_cause_word_at_a_left_out_event_is_not_given_to_the_sentences_placed_event(store):
    text = "The raid of 3 May 1808 was the start of the long war that brought retaliatory executions."
    a = store.source("a", text, authors=["Goya"])
    store.event(a, text, "raid", "attack", when=day("1808-05-03"))
    store.event(a, text, "executions", "other")  # undated: reconcile founds no event for it
    near = "In retaliation the raid of 3 May 1809 was launched, long before any of the executions."
    b = store.source("b", near, authors=["Ponz"])
    store.event(b, near, "raid", "attack", when=day("1809-05-03"))
    store.event(b, near, "executions", "other")
    run(store)
    with store.engine.connect() as conn:
        causes = {r.source_id for r in conn.execute(select(t.claims.c.source_id).where(t.claims.c.kind == "cause"))}
    assert causes == {"b"}, "the executions' cause is not the raid's; a cause said at the raid is"


def test_a_figure_another_voice_gives_of_the_same_thing_is_not_single_source():
    from timeweave.claims.align import Relation, echoed
    from timeweave.reconcile.dates import parse

    june = parse("1812-06-18", "1812-06-18", "1812-06-18")
    mine = _claim(1, 1, "a", interval=june)
    other = _claim(2, 2, "b")  # the same three ships, in a sentence of another event, undated
    alone = Relation("single_source", "claim:quantity:ship", "How many? (ship)", "", 1, [mine])
    assert echoed(alone, [mine, other], None)
    later = _claim(3, 2, "c", interval=parse("1814-08-24", "1814-08-24", "1814-08-24"))
    assert not echoed(alone, [mine, later], None), "three ships two years later are another count"


def _persons(store: HandStore) -> None:
    with store.engine.begin() as conn:  # the people named are persons, not states
        conn.execute(t.mentions.update().values(type="person"))
        conn.execute(t.entities.update().values(type="person"))


def test_a_ship_placed_in_international_waters_and_inside_territorial_waters_contradict(store):
    a = store.source("a", "On 23 January 1968 patrol boats seized the Pueblo in international waters.", authors=["Navy"])
    b = store.source("b", "On 23 January 1968 patrol boats seized the Pueblo inside the republic's territorial waters.",
                     authors=["Agency"])
    store.event(a, store.texts[a], "seized", "attack", when=day("1968-01-23"), others=["Pueblo"])
    store.event(b, store.texts[b], "seized", "attack", when=day("1968-01-23"), others=["Pueblo"])
    run(store)
    found = claim_comparisons(store, "claim:position")
    assert [f["kind"] for f in found] == ["contradict"], found
    assert {q[0] for q in found[0]["quotes"]} == {"a", "b"}
    assert "international waters" in found[0]["explanation"] and "territorial" in found[0]["explanation"]


def test_who_opposed_a_vote_is_compared_about_the_persons_alone_without_an_event(store, tmp_path):
    """Two voices say the same two senators opposed the treaty; their sentences tell no event `reconcile` made
    (undated), so the comparison is about the persons: its event is null and it names one of them."""
    a = store.source("a", "The treaty was opposed in the Senate only by Henry Lodge and William Borah.", authors=["A"])
    b = store.source("b", "It passed with only two senators, Henry Lodge and William Borah, dissenting.", authors=["B"])
    store.event(a, store.texts[a], "opposed", "vote", others=["Henry Lodge", "William Borah"])
    store.event(b, store.texts[b], "passed", "vote", others=["Henry Lodge", "William Borah"])
    _persons(store)
    run(store)
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.comparisons).where(t.comparisons.c.field == "claim:stance")).all()
    assert [(r.kind, r.event_id) for r in rows] == [("agree", None)], rows
    assert rows[0].entity_id in {store.entities["Henry Lodge"], store.entities["William Borah"]}
    assert "opposed" in rows[0].explanation
    # the lone count 'two senators' is no single-source figure: the other voice names the two
    assert claim_comparisons(store, "claim:quantity:senator") == []
    document = chronicle(store.engine)
    validate(document, texts=store.texts)
    stance = [c for c in document["comparisons"] if c["field"] == "claim:stance"]
    assert stance[0]["event"] is None and stance[0]["entity"] == rows[0].entity_id

    from fastapi.testclient import TestClient

    from timeweave.serve.app import create_app

    client = TestClient(create_app(store.engine))
    groups = client.get("/claims.json?kind=stance").json()["groups"]
    assert [(g["entity"], g["relation"]) for g in groups] == [(rows[0].entity_id, "agree")]
    assert f"/entities/{rows[0].entity_id}" in client.get("/claims?kind=stance").text
    assert client.get(f"/claims.json?entity={rows[0].entity_id}").json()["groups"]
    assert client.get("/comparisons?kind=agree").status_code == 200


def test_two_voices_calling_one_person_the_first_prisoner_agree(store):
    a = store.source("a", "On 12 May 1915 Ivan Petrov became the first soldier taken prisoner at the river.",
                     authors=["A"])
    b = store.source("b", "On 12 May 1915 the guards captured the first soldier Ivan Petrov at the river.",
                     authors=["B"])
    store.event(a, store.texts[a], "taken prisoner", "capture", when=day("1915-05-12"), others=["Ivan Petrov"])
    store.event(b, store.texts[b], "captured", "capture", when=day("1915-05-12"), others=["Ivan Petrov"])
    _persons(store)
    run(store)
    found = claim_comparisons(store, "claim:distinction:first")
    assert [f["kind"] for f in found] == ["agree"], found
    assert "Ivan Petrov" in found[0]["explanation"]


def test_a_belief_held_at_the_time_and_a_deception_differ_and_each_is_a_lone_judgement(store):
    a = store.source("a", "On 9 March 1898 the officers were convinced at the time that the mine had been laid.",
                     authors=["Board"])
    b = store.source("b", "On 9 March 1898 the press deliberately falsified the report that the mine had been laid.",
                     authors=["Critic"])
    store.event(a, store.texts[a], "laid", "attack", when=day("1898-03-09"))
    store.event(b, store.texts[b], "laid", "attack", when=day("1898-03-09"))
    run(store)
    found = claim_comparisons(store, "claim:evaluation:judgement:intent")
    assert sorted(f["kind"] for f in found) == ["differ_in_framing", "single_source", "single_source"], found


def test_migration_0015_makes_a_comparisons_event_optional_and_keeps_the_rows(store_db):
    """A store made before 0015 (comparisons.event_id NOT NULL, no entity_id) is upgraded in place on SQLite
    (tables made anew) and PostgreSQL (ALTER), its comparisons and their statements kept."""
    from sqlalchemy import inspect, insert, text

    from timeweave.store.migrations import migrate

    engine = open_store(store_db)
    with engine.begin() as conn:  # back to the shape of 0014
        conn.execute(text("DROP TABLE comparison_statements"))
        conn.execute(text("DROP TABLE comparisons"))
        conn.execute(text("CREATE TABLE comparisons (id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL REFERENCES events(id) "
                          "ON DELETE CASCADE, kind VARCHAR(20) NOT NULL, field VARCHAR(40) NOT NULL, explanation TEXT NOT NULL, "
                          "component VARCHAR(60) NOT NULL)"))
        t.comparison_statements.create(conn)
        conn.execute(t.migrations.delete().where(t.migrations.c.name == "0015_comparisons_entity"))
        conn.execute(insert(t.sources).values(id="s", path="/s.txt", sha256="0" * 64, format="txt", size=1, title="s",
                                              authors=[], kind="other", kind_reason="test", metadata_origin="extracted",
                                              pipeline="test", updated_at="2024-01-01T00:00:00"))
        conn.execute(insert(t.events).values(id=7, label="x", type="battle", status="single_source", component="test"))
        conn.execute(text("INSERT INTO comparisons VALUES (1, 7, 'agree', 'when', 'two agree', 'test')"))
        conn.execute(insert(t.comparison_statements).values(comparison_id=1, source_id="s", start=0, end=1, value="v"))
    assert migrate(engine) == ["0015_comparisons_entity"]
    columns = {c["name"]: c for c in inspect(engine).get_columns("comparisons")}
    assert columns["event_id"]["nullable"] and "entity_id" in columns
    with engine.begin() as conn:
        assert conn.execute(text("SELECT id, event_id, entity_id FROM comparisons")).all() == [(1, 7, None)]
        assert conn.execute(select(t.comparison_statements.c.comparison_id)).scalars().all() == [1]
        conn.execute(insert(t.comparisons).values(id=2, event_id=None, entity_id=3, kind="agree", field="claim:stance",
                                                  explanation="e", component="test"))
    assert migrate(engine) == []


def _reconcile_fields(store: HandStore) -> set[tuple[str, str]]:
    reconcile(store.engine, config=CONFIG, encoder=bag_of_words)
    with store.engine.connect() as conn:
        return {(r.kind, r.field) for r in conn.execute(select(t.comparisons))}


def test_reconcile_reads_victory_and_defeat_of_the_two_sides_as_one_outcome_not_a_framing(store):
    """Reconcile's own `evaluation` comparison agrees with the claims stage: "X was defeated by Y" and "Y won,
    securing victory" tell one outcome from the two sides; making one side both winner and loser still differs."""
    a = store.source("a", "On 18 June 1815 Napoleon was defeated by Wellington at Waterloo.", authors=["Paris"])
    b = store.source("b", "On 18 June 1815 Wellington fought Napoleon at Waterloo, securing victory.", authors=["London"])
    c = store.source("c", "On 18 June 1815 Napoleon fought at Waterloo: a victory that changed Europe.", authors=["Vienna"])
    store.event(a, store.texts[a], "defeated", "battle", when=day("1815-06-18"), others=["Napoleon", "Wellington"])
    store.event(b, store.texts[b], "fought", "battle", when=day("1815-06-18"), others=["Wellington", "Napoleon"])
    store.event(c, store.texts[c], "fought", "battle", when=day("1815-06-18"), others=["Napoleon"])
    _persons(store)
    # c names no side its victory is of: it neither makes nor breaks the agreement of a and b
    assert ("differ_in_framing", "evaluation") not in _reconcile_fields(store)


def test_reconcile_still_calls_one_side_winner_and_loser_a_difference(store):
    a = store.source("a", "On 18 June 1815 Napoleon was defeated by Wellington at Waterloo.", authors=["Paris"])
    b = store.source("b", "On 18 June 1815 Napoleon fought Wellington at Waterloo, securing victory.", authors=["Rome"])
    store.event(a, store.texts[a], "defeated", "battle", when=day("1815-06-18"), others=["Napoleon", "Wellington"])
    store.event(b, store.texts[b], "fought", "battle", when=day("1815-06-18"), others=["Napoleon", "Wellington"])
    _persons(store)
    assert ("differ_in_framing", "evaluation") in _reconcile_fields(store)


def test_an_account_placed_in_no_event_rests_on_the_word_of_the_person_it_quotes(store):
    a = store.source("a", "The fireships were secretly readied in the night off Calais, Admiral Charles Howard recalled.",
                     authors=["Chronicle"])
    store.event(a, store.texts[a], "readied", "operation", others=["Admiral Charles Howard"])
    _persons(store)
    run(store)
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.comparisons).where(t.comparisons.c.field == "claim:attribution")).all()
    assert [(r.kind, r.event_id, r.entity_id) for r in rows] == [("single_source", None, store.entities["Admiral Charles Howard"])]
    assert "Admiral Charles Howard" in rows[0].explanation


def test_voices_naming_one_raider_for_raids_on_two_days_do_not_agree_on_one_actor():
    """`reconcile` may put the raid of 30 June and that of 3 July 1779 in one event: one voice tells each, so
    they do not agree on the actor of one raid; told of the same day, they do."""
    from timeweave.claims.align import relate
    from timeweave.reconcile.dates import parse

    def raid(i, voice, iso):
        return _claim(i, 1, voice, kind="agent", value="Jones", agents=frozenset({9}),
                      interval=parse(iso, iso, iso), extra={"dated": True})

    assert relate((1, "agent", ""), [raid(1, "a", "1779-06-30"), raid(2, "b", "1779-07-03")]) is None
    assert relate((1, "agent", ""), [raid(1, "a", "1779-06-30"), raid(2, "b", "1779-06-30")]).kind == "agree"


def test_a_name_of_the_whole_war_said_at_a_part_is_not_compared_with_the_parts_names():
    """'war' said at a mention of an attack that is part of a war names the war (framing.tsv axis `whole`)."""
    from timeweave.claims.align import align

    vocab = vocabulary()
    assert vocab.axes["war"] == "whole"
    incident = _claim(1, 5, "a", kind="evaluation", value="incident", facet="name", axis="name")
    war = _claim(2, 5, "b", kind="evaluation", value="war", facet="name", axis="whole")
    groups = align([incident, war], roots={5: 1, 1: 1})  # event 5 is part of event 1
    assert [[c.value for c in g] for g in groups.values()] == [["incident"]]
    whole = align([_claim(1, 1, "a", kind="evaluation", value="incident", facet="name", axis="name"),
                   _claim(2, 1, "b", kind="evaluation", value="war", facet="name", axis="whole")], roots={1: 1})
    assert [sorted(c.value for c in g) for g in whole.values()] == [["incident", "war"]]


def test_a_lone_denial_of_the_attack_another_voice_denies_under_another_event_is_not_single_source():
    from timeweave.claims.align import Relation, echoed
    from timeweave.reconcile.dates import parse

    day_ = parse("1898-02-15", "1898-02-15", "1898-02-15")
    lone = _claim(1, 7, "a", kind="occurrence", value="did not happen", polarity="-", interval=day_,
                  extra={"words": ["fabricate", "fabricated", "the", "attack"]})
    other = _claim(2, 8, "b", kind="occurrence", value="did not happen", polarity="-", interval=day_,
                   extra={"lemma": "attack", "words": ["attack"]})
    relation = Relation("single_source", "claim:occurrence", "Did it happen?", "Only a says it did not happen.", 7, [lone])
    assert echoed(relation, [lone, other], None)
    later = parse("1898-06-01", "1898-06-01", "1898-06-01")  # a denial of another day is another matter
    other.interval = later
    assert not echoed(relation, [lone, other], None)


def test_times_of_day_that_do_not_meet_contradict_and_meeting_ones_agree(store):
    a = store.source("a", "At 11:40 p.m. on 14 April 1912 the liner struck the iceberg.", authors=["Inquiry"])
    b = store.source("b", "On 14 April 1912 the liner struck the iceberg early in the morning.", authors=["Rumour"])
    c = store.source("c", "On 14 April 1912, shortly before midnight, the liner struck the iceberg.", authors=["Lookout"])
    for source in (a, b, c):
        store.event(source, store.texts[source], "struck", "collision", when=day("1912-04-14"))
    run(store)
    found = claim_comparisons(store, "claim:time")
    assert [f["kind"] for f in found] == ["contradict"], found
    assert "b" in {q[0] for q in found[0]["quotes"]} and "early in the morning" in found[0]["explanation"]


def test_time_of_day_reads_clocks_and_words_but_not_bounds_or_bare_clocks():
    from timeweave.claims.extract import time_of_day

    vocab = vocabulary()
    assert time_of_day("At 11:40 p.m. the liner struck the iceberg.", vocab)[:2] == (11 + 12 + 40 / 60 - 0.25, 23 + 40 / 60 + 0.25)
    assert time_of_day("The guns fell silent at 21:40 that day.", vocab)[:2] == (21 + 40 / 60 - 0.25, 21 + 40 / 60 + 0.25)
    assert time_of_day("The fighting lasted between noon and 5 p.m.", vocab)[:2] == (11.5, 17.25)
    assert time_of_day("On the night of 30 July the commandos landed.", vocab)[:2] == (18, 30)
    assert time_of_day("At 9:52 they opened fire.", vocab) is None  # a.m. or p.m.? it does not say
    assert time_of_day("By midnight the news had reached the capital.", vocab) is None  # a bound, not the time of it


def test_a_person_said_to_oppose_and_to_vote_for_one_treaty_is_a_contradiction_and_support_by_guns_no_stance(store):
    a = store.source("a", "The treaty was opposed in the Senate by Henry Lodge.", authors=["A"])
    b = store.source("b", "Henry Lodge voted for the treaty in the Senate.", authors=["B"])
    store.event(a, store.texts[a], "opposed", "vote", others=["Henry Lodge"])
    store.event(b, store.texts[b], "voted", "vote", others=["Henry Lodge"])
    _persons(store)
    run(store)
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.comparisons).where(t.comparisons.c.field == "claim:stance")).all()
    assert [(r.kind, r.entity_id) for r in rows] == [("contradict", store.entities["Henry Lodge"])]
    stances = [c for c in vocabulary().cues if c.kind == "stance"]
    assert not any(c.pattern.search("The infantry of General Hill, supported by artillery, advanced.") for c in stances)
