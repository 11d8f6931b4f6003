"""Event grouping across documents: which mentions are one happening, on texts from other times and places.

Each test builds a small store by hand (see test_reconcile_helpers) with sentences that come from no
corpus of this project, so a rule that holds here holds for the mechanism, not for one text.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_reconcile_helpers import HandStore, day, reconcile_hand

from timeweave.reconcile import dates
from timeweave.store import open_store
from timeweave.store import schema as t

@pytest.fixture
def store(tmp_path) -> HandStore:
    return HandStore(open_store(tmp_path / "s.db"))


run = reconcile_hand


def event_of(store: HandStore, mention_id: int) -> int | None:
    with store.engine.connect() as conn:
        return conn.execute(select(t.event_mentions.c.event_id).where(t.event_mentions.c.id == mention_id)).scalar()


def iv(edtf: str) -> dates.Interval:
    lo, hi = edtf.split("/") if "/" in edtf else (edtf, edtf)
    return dates.parse(lo, hi, edtf)


def test_two_exact_days_that_touch_are_two_dates():
    # 4 and 5 May are different days: no precision makes them one
    assert not dates.compatible(iv("1871-05-04"), iv("1871-05-05"))
    assert dates.contradicts(iv("1871-05-04"), iv("1871-05-05"))
    assert dates.intersect([iv("1871-05-04"), iv("1871-05-05")]) is None
    # an exact day inside a range, or an approximate date within its slack, still agrees
    assert dates.compatible(iv("1871-05-04"), iv("1871-05-01/1871-05-31"))
    assert dates.compatible(dates.parse("1871-05-01", "1871-05-10", "1871-05-01/1871-05-10~"), iv("1871-05-12"))


def test_a_voice_telling_two_occasions_keeps_other_voices_from_joining_them(store):
    # Three chroniclers of a siege: one tells of two assaults two days apart, each of the others of one.
    # A date conflict between two voices is only read as "one assault, two dates" when no voice tells
    # both dates as two occasions.
    first = "Rebel cavalry attacked the garrison of Kanpur on 5 June 1857."
    second = "Rebel cavalry attacked the garrison of Kanpur again on 7 June 1857."
    store.source("diary", f"{first}\n{second}", authors=["Shepherd, J."])
    store.source("letter", first, authors=["Thomson, M."])
    store.source("report", second.replace(" again", ""), authors=["Wheeler, H."])
    a1 = store.event("diary", first, "attacked", "offensive", when=day("1857-06-05"), agents=["Rebel cavalry"],
                     patients=["Kanpur"])
    a2 = store.event("diary", second, "attacked", "offensive", when=day("1857-06-07"), agents=["Rebel cavalry"],
                     patients=["Kanpur"])
    b = store.event("letter", first, "attacked", "offensive", when=day("1857-06-05"), agents=["Rebel cavalry"],
                    patients=["Kanpur"])
    c = store.event("report", second.replace(" again", ""), "attacked", "offensive", when=day("1857-06-07"),
                    agents=["Rebel cavalry"], patients=["Kanpur"])
    run(store)
    assert event_of(store, a1) == event_of(store, b)
    assert event_of(store, a2) == event_of(store, c)
    assert event_of(store, a1) != event_of(store, a2)


def test_a_mention_of_the_day_between_does_not_chain_two_occasions(store):
    # Raids on the 2nd and the 4th, told by one voice; a second voice's night raid "on the 3rd" is at most
    # one of them (a conflict), never the bridge that makes the two raids one event.
    early = "Privateers raided the harbour of Cartagena on 2 March 1741."
    late = "Privateers raided the harbour of Cartagena by night on 4 March 1741."
    between = "Privateers raided the harbour of Cartagena by night on 3 March 1741."
    store.source("log", f"{early} {late}", authors=["Vernon, E."])
    store.source("gazette", between, authors=["Gazette"])
    r2 = store.event("log", early, "raided", "offensive", when=day("1741-03-02"), agents=["Privateers"], place="Cartagena")
    r4 = store.event("log", late, "raided", "offensive", when=day("1741-03-04"), agents=["Privateers"], place="Cartagena")
    store.event("gazette", between, "raided", "offensive", when=day("1741-03-03"), agents=["Privateers"],
                place="Cartagena")
    run(store)
    assert event_of(store, r2) != event_of(store, r4)


STORMING = "Crowds stormed the Bastille on 14 July 1789."


def storming_sources(store: HandStore, voices: int = 3) -> list[int]:
    ids = []
    for n, author in enumerate(["Michelet, J.", "Carlyle, T.", "Lefebvre, G."][:voices]):
        source = store.source(f"s{n}", STORMING, authors=[author])
        ids.append(store.event(source, STORMING, "stormed", "offensive", when=day("1789-07-14"), agents=["Crowds"],
                               place="Bastille", when_kind="governed"))
    return ids


def test_a_same_day_mention_of_the_same_kind_naming_nobody_joins_the_attested_event(store):
    main = storming_sources(store)
    sentence = "The incident of 14 July 1789 shocked the court."
    store.source("memoir", sentence, authors=["Campan, H."])
    incident = store.event("memoir", sentence, "incident", "incident", when=day("1789-07-14"), when_kind="governed")
    run(store)
    assert event_of(store, incident) == event_of(store, main[0]) == event_of(store, main[2])


def test_a_same_day_mention_naming_another_place_or_a_day_two_events_share_stays_apart(store):
    main = storming_sources(store, voices=2)
    riot = "A riot broke out at Lyon on 14 July 1789."
    store.source("lyon", riot, authors=["Roland, M."])
    elsewhere = store.event("lyon", riot, "riot", "incident", when=day("1789-07-14"), place="Lyon", when_kind="governed")
    sentence = "The incident of 14 July 1789 shocked the court."
    for n, author in enumerate(["Campan, H.", "Staël, G."]):  # two voices for the incident too: a tie
        store.source(f"m{n}", sentence, authors=[author])
    unnamed = store.event("m0", sentence, "incident", "incident", when=day("1789-07-14"), when_kind="governed")
    store.event("m1", sentence, "incident", "incident", when=day("1789-07-14"), when_kind="governed")
    run(store)
    assert event_of(store, elsewhere) != event_of(store, main[0])
    assert event_of(store, unnamed) != event_of(store, main[0])


def test_an_event_is_labelled_by_its_own_kind_not_by_a_name_another_kind_of_event_has(store):
    attack = "Japanese aircraft attacked Pearl Harbor on 7 December 1941."
    for source, author in (("a", "Prange, G."), ("b", "Lord, W.")):
        store.source(source, attack, authors=[author])
        store.event(source, attack, "attacked", "offensive", when=day("1941-12-07"), agents=["Japanese aircraft"],
                    place="Pearl Harbor", when_kind="governed")
    war = "The Pacific War began with the attack on Pearl Harbor on 7 December 1941."
    store.source("c", war, authors=["Toland, J."])
    store.event("c", war, "War", "battle", when=day("1941-12-07"), place="Pearl Harbor", when_kind="sentence")
    store.event("c", war, "attack", "offensive", when=day("1941-12-07"), place="Pearl Harbor", when_kind="governed")
    run(store)
    with store.engine.connect() as conn:
        labels = [r.label for r in conn.execute(select(t.events.c.label))]
    assert not any(label.startswith("Pacific War") for label in labels), labels


def test_a_name_another_kind_of_mention_gives_heads_an_event_whose_own_mentions_name_no_target(store):
    win = "On 19 September 1931 the Kwantung Army won a swift victory in Manchuria."
    for source, author in (("a", "Ferrell, R."), ("b", "Yoshihashi, T.")):
        store.source(source, win, authors=[author])
        store.event(source, win, "victory", "battle", when=day("1931-09-19"), agents=["Kwantung Army"],
                    when_kind="governed")
    named = "On 19 September 1931 the Mukden incident gave the Kwantung Army its pretext."
    store.source("c", named, authors=["Matsusaka, Y."])
    store.event("c", named, "incident", "incident", when=day("1931-09-19"), others=["Kwantung Army"],
                when_kind="governed")
    run(store)
    with store.engine.connect() as conn:
        labels = [r.label for r in conn.execute(select(t.events.c.label))]
    assert len(labels) == 1 and labels[0].startswith("Mukden incident"), labels


def test_a_generic_verb_beside_a_typed_event_of_a_touching_date_in_its_sentence_founds_none(store):
    # "1848" and "December 1847" are two dates, but within one sentence one moment of the narrative
    sentence = ("While reforming the tariff in 1848, the government sought to calm Vienna by signing a trade "
                "treaty (December 1847).")
    store.source("h", sentence, authors=["Sked, A."])
    reforming = store.event("h", sentence, "reforming", "other", when=("1848-01-01", "1848-12-31", "1848", "1848"),
                            agents=["government"], when_kind="sentence")
    treaty = store.event("h", sentence, "treaty", "treaty", when=("1847-12-01", "1847-12-31", "1847-12", "December 1847"),
                         agents=["government"], when_kind="governed")
    run(store)
    assert event_of(store, treaty) is not None and event_of(store, reforming) is None


def test_undated_mentions_alike_do_not_make_one_component_of_events_centuries_apart(store):
    # An undated "attacked" beside each of two dated attacks (1857, 1941), the two undated sentences alike.
    # Each undated mention joins the attack its sentence tells; their pair (two mentions that can found no
    # event) brings nothing together, so the two attacks stay two components: a new source touching one
    # does not make reconcile recompute the other.
    kanpur = "Rebel cavalry attacked the garrison of Kanpur on 5 June 1857."
    pearl = "Japanese aircraft attacked the fleet at Pearl Harbor on 7 December 1941."
    kanpur_undated = "Rebel cavalry attacked the garrison of Kanpur at dawn."
    pearl_undated = "Japanese aircraft attacked the fleet at Pearl Harbor at dawn."
    store.source("a", kanpur, authors=["Ward, A."])
    store.source("b", pearl, authors=["Prange, G."])
    store.source("c", kanpur_undated, authors=["Russell, W."])
    store.source("d", pearl_undated, authors=["Lord, W."])
    a = store.event("a", kanpur, "attacked", "offensive", when=day("1857-06-05"), agents=["Rebel cavalry"],
                    patients=["Kanpur"], when_kind="governed")
    b = store.event("b", pearl, "attacked", "offensive", when=day("1941-12-07"), agents=["Japanese aircraft"],
                    place="Pearl Harbor", when_kind="governed")
    c = store.event("c", kanpur_undated, "attacked", "offensive")
    d = store.event("d", pearl_undated, "attacked", "offensive")
    report = run(store)
    assert event_of(store, c) == event_of(store, a) != event_of(store, b) == event_of(store, d)
    assert report.components == 2


def test_a_pair_scoring_under_every_threshold_joins_no_component(store):
    # Two raids of one month by different forces on different places share a word and a year: a candidate
    # pair, scored, but under every threshold of the clusterer, so the raids are two components.
    first = "Mohawk warriors raided the settlement of Schenectady on 9 February 1690."
    second = "French privateers raided the fishing station at Ferryland on 20 February 1690."
    store.source("a", first, authors=["Colden, C."])
    store.source("b", second, authors=["Prowse, D."])
    a = store.event("a", first, "raided", "offensive", when=day("1690-02-09"), agents=["Mohawk warriors"],
                    place="Schenectady", when_kind="governed")
    b = store.event("b", second, "raided", "offensive", when=day("1690-02-20"), agents=["French privateers"],
                    place="Ferryland", when_kind="governed")
    report = run(store)
    assert report.candidate_pairs == 1 and event_of(store, a) != event_of(store, b)
    assert report.components == 2


LEPANTO = "On 7 October 1571 the Holy League attacked the Ottoman fleet at Lepanto."


def lepanto_sources(store: HandStore) -> list[int]:
    ids = []
    for n, author in enumerate(["Braudel, F.", "Capponi, N."]):
        source = store.source(f"l{n}", LEPANTO, authors=[author])
        ids.append(store.event(source, LEPANTO, "attacked", "offensive", when=day("1571-10-07"), agents=["Holy League"],
                               place="Lepanto", when_kind="governed"))
    return ids


def test_a_generic_verb_the_date_governs_beside_an_attested_event_of_its_sentence_is_a_detail_of_it(store):
    # "driven" is what "On 7 October 1571" governs in its clause, and its words share nothing with the
    # battle's; told in the sentence that reports the battle two other voices attest, it is the battle.
    main = lepanto_sources(store)
    sentence = "On 7 October 1571 the Ottoman galleys were attacked by the Holy League at Lepanto and driven ashore."
    store.source("memoir", sentence, authors=["Contarini, G."])
    attacked = store.event("memoir", sentence, "attacked", "offensive", when=day("1571-10-07"), agents=["Holy League"],
                           place="Lepanto", when_kind="sentence")
    driven = store.event("memoir", sentence, "driven", "other", when=day("1571-10-07"), when_kind="governed")
    report = run(store)
    assert event_of(store, driven) == event_of(store, attacked) == event_of(store, main[0]) == event_of(store, main[1])
    assert report.events == 1


def test_a_generic_verb_naming_someone_new_or_beside_an_unattested_event_stays_its_own_event(store):
    main = lepanto_sources(store)
    wounded = "On 7 October 1571 the Holy League attacked at Lepanto and Cervantes was wounded."
    store.source("memoir", wounded, authors=["Sliwa, K."])
    store.event("memoir", wounded, "attacked", "offensive", when=day("1571-10-07"), agents=["Holy League"],
                place="Lepanto", when_kind="sentence")
    cervantes = store.event("memoir", wounded, "wounded", "other", when=day("1571-10-07"), patients=["Cervantes"],
                            when_kind="governed")
    # one voice alone tells this siege: nothing says the sack is a detail rather than a happening of its own
    siege = "On 3 August 1571 the Ottomans besieged Famagusta and sacked it."
    store.source("chronicle", siege, authors=["Hill, G."])
    besieged = store.event("chronicle", siege, "besieged", "battle", when=day("1571-08-03"), agents=["Ottomans"],
                           place="Famagusta", when_kind="sentence")
    sacked = store.event("chronicle", siege, "sacked", "other", when=day("1571-08-03"), when_kind="governed")
    run(store)
    assert event_of(store, cervantes) not in (None, event_of(store, main[0]))
    assert event_of(store, sacked) not in (None, event_of(store, besieged))


def test_a_detail_arriving_in_a_later_source_joins_its_event_incrementally_as_in_a_full_run(store):
    from test_reconcile_helpers import bag_of_words

    from timeweave.reconcile import reconcile
    from timeweave.store.changes import Changes

    main = lepanto_sources(store)
    siege = "On 3 August 1571 the Ottomans besieged Famagusta."
    for n, author in enumerate(["Hill, G.", "Setton, K."]):
        store.source(f"f{n}", siege, authors=[author])
        store.event(f"f{n}", siege, "besieged", "battle", when=day("1571-08-03"), agents=["Ottomans"],
                    place="Famagusta", when_kind="governed")
    run(store)
    # worded unlike the other voices: only its sentence ties "driven" to the battle
    sentence = "That Sunday, 7 October 1571, Sultan Selim's galleys were beaten near Lepanto by Holy League ships, " \
               "scattered and driven ashore."
    store.source("memoir", sentence, authors=["Contarini, G."])
    beaten = store.event("memoir", sentence, "beaten", "offensive", when=day("1571-10-07"), agents=["Holy League"],
                         place="Lepanto", when_kind="sentence")
    driven = store.event("memoir", sentence, "driven", "other", when=day("1571-10-07"), when_kind="governed")
    added = reconcile(store.engine, config={"embeddings": False}, encoder=bag_of_words,
                      changes=Changes(added=frozenset({"memoir"})))
    assert event_of(store, driven) == event_of(store, beaten) == event_of(store, main[0])
    assert added.recomputed == 1 < added.components == 2  # the siege is not recomputed
    full = reconcile(store.engine, config={"embeddings": False}, encoder=bag_of_words)
    assert full.changed_events == 0  # a full run writes nothing else


def test_another_raid_on_other_days_is_a_second_raid_not_a_date_conflict(store):
    # Two voices tell raids on the same harbour four days apart; the second says "another raid": that is a
    # second occasion, not one raid the sources date differently (their words alone would merge them).
    first = "Privateers made a raid on the harbour of Cartagena on 2 March 1741."
    again = "On 6 March 1741 the Privateers made another raid on the harbour of Cartagena."
    store.source("log", first, authors=["Vernon, E."])
    store.source("gazette", again, authors=["Gazette"])
    r2 = store.event("log", first, "raid", "offensive", when=day("1741-03-02"), agents=["Privateers"], place="Cartagena")
    r6 = store.event("gazette", again, "raid", "offensive", when=day("1741-03-06"), agents=["Privateers"],
                     place="Cartagena")
    run(store)
    assert event_of(store, r2) is not None and event_of(store, r6) is not None
    assert event_of(store, r2) != event_of(store, r6)


def test_without_a_cue_two_voices_dating_one_raid_differently_stay_one_event(store):
    # The same two sentences without "another": one raid that the sources date differently (a reported
    # conflict), and an ordinal that belongs to another noun ("the second day of") is no cue either.
    first = "Privateers made a raid on the harbour of Cartagena on 2 March 1741."
    other = "On the second day of March 1741 the Privateers made a raid on the harbour of Cartagena, a gazette wrote on 6 March."
    store.source("log", first, authors=["Vernon, E."])
    store.source("gazette", other, authors=["Gazette"])
    r2 = store.event("log", first, "raid", "offensive", when=day("1741-03-02"), agents=["Privateers"], place="Cartagena")
    r6 = store.event("gazette", other, "raid", "offensive", when=day("1741-03-06"), agents=["Privateers"],
                     place="Cartagena")
    run(store)
    assert event_of(store, r2) == event_of(store, r6)


def test_a_dated_announcement_by_a_named_speaker_is_an_event_a_report_frame_is_not(store):
    # "On 2 December 1851 Louis-Napoleon announced ..." is an act in time (its clause dates it, it names
    # who spoke); "the Moniteur announced that ..." with no date of its own frames what is reported.
    act = "On 2 December 1851 Louis-Napoleon announced the dissolution of the Assembly."
    frame = "The Moniteur announced that the troops had occupied the Assembly."
    store.source("gazette", f"{act}\n{frame}", authors=["Gazette"])
    spoken = store.event("gazette", act, "announce", "other", agents=["Louis-Napoleon"], when_kind="governed",
                         when=day("1851-12-02"))
    framed = store.event("gazette", frame, "announce", "other", agents=["Moniteur"], when_kind="sentence",
                         when=day("1851-12-02"))
    run(store)
    assert event_of(store, spoken) is not None
    assert event_of(store, framed) is None
