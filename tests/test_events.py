"""Event mentions: triggers, types, factuality, context and time anchoring, through the real pipeline."""

from __future__ import annotations

import pytest

from timeweave.annotate.events.trigger import load_trigger_model
from timeweave.annotate.pipeline import load_nlp
from timeweave.annotate.types import EVENT_TYPES, Timex


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.fixture(scope="module")
def corpus_docs(nlp, corpus_dir):
    return {path.stem: nlp(path.read_text(encoding="utf-8")) for path in sorted(corpus_dir.glob("*.txt"))}


def with_timexes(nlp, text, dates):
    """Run the pipeline, then re-run events with hand-built DATE timexes (until the timex engine lands)."""
    doc = nlp(text)
    doc._.timexes = [Timex(start=text.index(d), end=text.index(d) + len(d), text=d, type="DATE", value=v)
                     for d, v in dates]
    return nlp.get_pipe("timeweave_events_v1")(doc)


def test_shipped_trigger_model_is_small_and_loads():
    model = load_trigger_model()
    assert model.weights.nbytes <= 8_000_000 and 0 < model.threshold < 1


def test_verbal_and_nominal_events_are_typed(nlp):
    doc = nlp("Japan attacked China. The talks were broken off after the incident, and a ceasefire was signed.")
    types = {e.trigger: e.type for e in doc._.event_mentions}
    assert types["attacked"] == "offensive"
    assert types["talks"] == "negotiation"
    assert types["incident"] == "incident"
    assert all(e.type in EVENT_TYPES for e in doc._.event_mentions)


def test_sealing_verb_and_treaty_noun_are_one_event_with_the_parties(nlp):
    doc = nlp("The Soviet and Mongolian governments signed a Protocol of Mutual Assistance.")
    treaties = [e for e in doc._.event_mentions if e.type == "treaty"]
    assert len(treaties) == 1 and treaties[0].lemma == "protocol"
    parties = {doc._.entity_mentions[p.mention].text for p in treaties[0].participants}
    assert {"Soviet", "Mongolian"} <= parties
    assert not [e for e in doc._.event_mentions if e.trigger == "signed"]


def test_governing_time_expression_wins_over_the_sentence(nlp):
    text = "In 1936, the Soviet and Mongolian governments signed a Protocol of Mutual Assistance on March 12, 1936."
    doc = with_timexes(nlp, text, [("1936", "1936"), ("March 12, 1936", "1936-03-12")])
    (treaty,) = [e for e in doc._.event_mentions if e.type == "treaty"]
    assert doc._.timexes[treaty.timex].value == "1936-03-12"
    assert treaty.when_reason.startswith("governed")


def test_sentence_then_narrative_then_undated(nlp):
    text = "The war began in July 1937. Later the invasion stopped. Nothing else."
    doc = with_timexes(nlp, text, [("July 1937", "1937-07")])
    by_trigger = {e.trigger: e for e in doc._.event_mentions}
    assert by_trigger["war"].timex == 0
    assert by_trigger["invasion"].when_reason.startswith("narrative")
    undated = nlp("The invasion stopped.")._.event_mentions
    assert undated[0].timex is None and undated[0].when_reason.startswith("undated")


def test_planned_offensives_and_offered_pacts_are_not_asserted(corpus_docs, nlp):
    doc = corpus_docs["russian-mfa-2024-khalkhin-gol-85"]
    offensives = [e for e in doc._.event_mentions if e.trigger == "offensives"]
    assert offensives and all(e.factuality == "hypothetical" for e in offensives)
    doc = nlp("The Soviet Union thought to appease Japan by offering a non-aggression pact.")
    (pact,) = [e for e in doc._.event_mentions if e.lemma == "pact"]
    assert pact.factuality == "hypothetical"


def test_negation(nlp):
    doc = nlp("Japan did not attack Mongolia.")
    (attack,) = [e for e in doc._.event_mentions if e.trigger == "attack"]
    assert attack.factuality == "negated"


def test_references_and_titles_are_not_narrative(corpus_docs):
    refs = corpus_docs["zhabaeva-2020-military-cooperation"]
    battles = [e for e in refs._.event_mentions if e.trigger == "Battles"]
    assert battles and all(e.context == "citation" for e in battles)
    title = corpus_docs["zhabaeva-2021-stalin-genden"]
    first_line_end = title.text.index("\n", title.text.index("Talking"))
    in_title = [e for e in title._.event_mentions if e.trigger_start < first_line_end]
    assert in_title and all(e.context == "title" for e in in_title)
    assert any(e.context == "narrative" for e in title._.event_mentions)


def test_event_offsets_quote_the_evidence(corpus_docs):
    for doc in corpus_docs.values():
        for e in doc._.event_mentions:
            assert doc.text[e.trigger_start : e.trigger_end] == e.trigger
            assert e.start <= e.trigger_start < e.trigger_end <= e.end
            assert all(0 <= p.mention < len(doc._.entity_mentions) for p in e.participants)


def test_a_lower_trigger_threshold_only_adds_events(nlp):
    from timeweave.annotate.events.component import event_mentions

    doc = nlp("The airline took delivery of the plane after its maiden flight to Sydney.")
    default = {e.trigger_start for e in event_mentions(doc)}
    lower = {e.trigger_start for e in event_mentions(doc, threshold=0.01)}
    assert default <= lower and len(lower) > len(default)


def _by_trigger(doc):
    return {e.trigger: e for e in doc._.event_mentions}


def test_execute_is_a_purge_only_with_people_as_its_patient(nlp):
    events = _by_trigger(nlp("To execute its strategies, the country sought allies."))
    assert events["execute"].type == "other" and events["execute"].factuality == "hypothetical"
    assert _by_trigger(nlp("The regime executed thousands of civilians."))["executed"].type == "purge"
    assert _by_trigger(nlp("The general was executed in 1938."))["executed"].type == "purge"


def test_agree_to_do_something_is_consent_not_an_accord(nlp):
    events = _by_trigger(nlp("The minister agreed to start negotiations."))
    assert events["agreed"].type == "other"
    assert events["negotiations"].type == "negotiation"
    assert _by_trigger(nlp("Both sides agreed on a truce."))["agreed"].type == "agreement"


def test_events_in_purpose_and_provision_phrases_are_hypothetical(nlp):
    doc = nlp("The governments feared the use of the region as a launching pad for aggression against the republic.")
    assert _by_trigger(doc)["aggression"].factuality == "hypothetical"
    doc = nlp("The treaty provided for the presence of foreign troops in the country.")
    assert _by_trigger(doc)["presence"].factuality == "hypothetical"
    doc = nlp("The king hoped to avoid a possible war on two fronts.")
    assert _by_trigger(doc)["war"].factuality == "hypothetical"


def test_a_clause_initial_time_adverbial_governs_the_clause_verbs(nlp):
    text = "The army repelled the attack and by late August, expelled the invaders from the province."
    by_trigger = _by_trigger(with_timexes(nlp, text, [("late August", "XXXX-08")]))
    assert by_trigger["expelled"].when_reason.startswith("governed")
    assert by_trigger["repelled"].when_reason.startswith("sentence")
    text = "In 2004, the army left the city and returned to the coast."
    by_trigger = _by_trigger(with_timexes(nlp, text, [("2004", "2004")]))
    assert by_trigger["left"].when_kind == by_trigger["returned"].when_kind == "governed"
    text = "When the war broke out on February 29, the government fled and the army surrendered."
    by_trigger = _by_trigger(with_timexes(nlp, text, [("February 29", "XXXX-02-29")]))
    assert by_trigger["fled"].when_kind == by_trigger["surrendered"].when_kind == "governed"


def test_the_narrative_date_is_not_carried_onto_a_noun_inside_another_event(nlp):
    text = ("The border war began in January 1935. "
            "The conferences were confronted by the completion of the mutual assistance protocol. Later the invasion stopped.")
    by_trigger = _by_trigger(with_timexes(nlp, text, [("January 1935", "1935-01")]))
    assert by_trigger["protocol"].timex is None and "not carried over" in by_trigger["protocol"].when_reason
    assert by_trigger["invasion"].when_kind == "narrative"  # a subject carries the narrative on


def _verb_mention(sentence, trigger, lemma, named=()):
    from timeweave.reconcile.load import Mention

    at = sentence.index(trigger)
    return Mention(index=0, id=0, source_id="s", passage_id=None, start=0, end=len(sentence), trigger=trigger,
                   trigger_start=at, trigger_end=at + len(trigger), lemma=lemma, type="other",
                   factuality="asserted", context="narrative", interval=None, when_text=None, when_reason=None,
                   when_kind=None, agents=frozenset(), patients=frozenset(), entities=frozenset(), place=None,
                   sentence=sentence, sentence_no=0, voice="s", is_copy=False, named=list(named))


def test_verb_labels_read_like_index_entries_not_bare_gerunds():
    from timeweave.reconcile.labels import participle, verb_entry

    assert verb_entry(_verb_mention("Rome sought allies, solidifying their alliance with Carthage.",
                                    "solidifying", "solidify")) == "Alliance solidified"
    text = "The cabinet adopted the Basic Principles of Policy in 1936."
    work = (text.index("Basic"), text.index(" in"), "Basic Principles of Policy", None, "work")
    assert verb_entry(_verb_mention(text, "adopted", "adopt", [work])) == "Basic Principles of Policy adopted"
    assert verb_entry(_verb_mention("The state initiated a full-scale war against its neighbour.", "initiated",
                                    "initiate")) == "Full-scale war initiated"
    assert verb_entry(_verb_mention("The empire is encroaching on the borders of the kingdom.", "encroaching",
                                    "encroach")) == "Encroached on borders"
    assert verb_entry(_verb_mention("The army extended its control to the north.", "extended", "extend")) == "extended"
    assert [participle(v) for v in ("send", "stop", "solidify", "adopt", "seize")] == [
        "sent", "stopped", "solidified", "adopted", "seized"]


def test_a_blank_line_ends_a_sentence_so_a_heading_is_no_place(nlp):
    # en_core_web_sm alone reads "Background\n\nJapan had occupied ..." as one sentence and the heading
    # as the place of the occupation
    doc = nlp("Background\n\nJapan had occupied Manchuria in 1931 and set up Manchukuo in 1932.")
    assert [s.text.strip() for s in doc.sents] == ["Background", "Japan had occupied Manchuria in 1931 and set up Manchukuo in 1932."]
    occupied = next(e for e in doc._.event_mentions if doc.text[e.trigger_start:e.trigger_end] == "occupied")
    assert occupied.place is None or doc._.entity_mentions[occupied.place].text != "Background"
    assert occupied.when_kind == "governed"


def test_section_headings_are_not_narrative_but_chronology_lines_are(nlp):
    text = ("The Soviet Union and Mongolia signed a protocol of mutual assistance in March 1936 after long talks.\n\n"
            "The war\n\n"
            "Japan attacked the Mongolian border posts in May 1939 and the fighting spread quickly along the river.\n\n"
            "1939 — Japan attacked again\n")
    doc = nlp(text)
    heading = text.index("The war")
    by_part = {"before": [], "heading": [], "after": []}
    for e in doc._.event_mentions:
        part = "before" if e.start < heading else "heading" if e.start < heading + len("The war") else "after"
        by_part[part].append(e.context)
    assert by_part["heading"] == ["heading"]
    assert by_part["before"] and by_part["after"] and set(by_part["before"] + by_part["after"]) == {"narrative"}


# --- issue 10: events of other prose (sentences from other wars and centuries, none from our corpora) ---

def _dated(doc, event):
    """The EDTF date of an event mention (None when undated)."""
    return doc._.timexes[event.timex].edtf if event.timex is not None else None


def test_a_launching_pad_for_an_invasion_is_a_real_invasion(nlp):
    doc = nlp("The port served as a launching pad for the invasion of Normandy in June 1944.")
    invasion = _by_trigger(doc)["invasion"]
    assert invasion.type == "invasion" and invasion.factuality == "asserted"
    assert _dated(doc, invasion) == "1944-06"


def test_a_planned_invasion_is_hypothetical(nlp):
    doc = nlp("The Allies planned to invade Japan in November 1945.")
    invade = _by_trigger(doc)["invade"]
    assert invade.factuality == "hypothetical" and _dated(doc, invade) == "1945-11"


def test_an_attack_that_never_took_place_is_kept_negated_and_an_alleged_one_reported(nlp):
    doc = nlp("The attack that was reported on 4 May never took place.")
    attack = _by_trigger(doc)["attack"]  # still an event mention, with its status
    assert attack.factuality == "negated"
    doc = nlp("The newspaper described the alleged massacre of 1921.")
    assert _by_trigger(doc)["massacre"].factuality == "reported"
    assert _by_trigger(nlp("Japan could attack Mongolia."))["attack"].factuality == "hypothetical"


def test_a_relative_date_is_counted_from_the_previous_sentence(nlp):
    doc = nlp("The crowd gathered in Paris on 11 July 1789. Three days later, the rebels stormed the Bastille.")
    stormed = _by_trigger(doc)["stormed"]
    assert stormed.type == "offensive" and _dated(doc, stormed) == "1789-07-14"


def test_a_length_counted_from_an_event_dates_the_sentence_not_that_event(nlp):
    doc = nlp("The raiders struck the port on 30 July 1916. Two days after the first raid, "
              "there was another attack on the harbour.")
    by_trigger = _by_trigger(doc)
    assert _dated(doc, by_trigger["attack"]) == "1916-08-01"
    assert "counts" in by_trigger["attack"].when_reason
    assert _dated(doc, by_trigger["raid"]) == "1916-07-30"  # the event it counts from keeps the story's date
    made = doc._.timexes[by_trigger["attack"].timex]
    assert made.component.startswith("timeweave.events") and doc.text[made.start:made.end] == made.text
    doc = nlp("The gunboats attacked the destroyer on 2 August 1914. Within 48 hours, the attack was judged deliberate.")
    assert _dated(doc, _by_trigger(doc)["judged"]) == "1914-08-02/1914-08-04"


def test_a_heading_and_its_date_line_date_the_entry_below(nlp):
    doc = nlp("Storming of the Bastille\n\n14 July 1789\n\nThe crowd seized the fortress and freed seven prisoners.")
    by_trigger = _by_trigger(doc)
    assert by_trigger["Storming"].type == "offensive" and _dated(doc, by_trigger["Storming"]) == "1789-07-14"
    # the entry's date line dates its events as a sentence's date does: their own date, not the narrative's
    assert by_trigger["seized"].when_kind == "sentence" and _dated(doc, by_trigger["seized"]) == "1789-07-14"


def test_a_chronology_entry_ends_at_the_next_heading_and_date(nlp):
    doc = nlp("Storming of the Bastille\n\n14 July 1789\n\nThe crowd of Paris seized the old royal fortress in the east.\n\n"
              "Two of the guards were killed.\n\nBattle of Valmy\n\n20 September 1792\n\nThe Prussian army retreated.")
    by_trigger = _by_trigger(doc)
    assert (by_trigger["killed"].when_kind, _dated(doc, by_trigger["killed"])) == ("sentence", "1789-07-14")
    assert (by_trigger["retreated"].when_kind, _dated(doc, by_trigger["retreated"])) == ("sentence", "1792-09-20")
    # prose after a date line that heads no entry stays narrative
    doc = nlp("The Treaty of Paris was signed on 30 March 1856.\n\nThe fleet sailed home.")
    assert _by_trigger(doc)["sailed"].when_kind == "narrative"


def test_an_infobox_date_line_dates_the_entry(nlp):
    doc = nlp("Date: 14 July 1789\nLocation: Paris\n\nThe crowd seized the fortress.")
    assert _dated(doc, _by_trigger(doc)["seized"]) == "1789-07-14"


def test_a_publication_date_under_a_plain_title_dates_nothing_below(nlp):
    # the title names no event and the line has no "date" key: a byline date, not an entry's date
    doc = nlp("Notes on the Harbour\n\nMarch 3, 2011\n\nThe old fleet had sailed from the harbour at first light.")
    assert _by_trigger(doc)["sailed"].timex is None


def test_nominal_events_of_other_centuries(nlp):
    doc = nlp("The Treaty of Versailles was signed on 28 June 1919.")
    (treaty,) = [e for e in doc._.event_mentions if e.type == "treaty"]
    assert treaty.trigger == "Treaty" and _dated(doc, treaty) == "1919-06-28"
    doc = nlp("The Sepoy Mutiny of 1857 shook British rule.")
    mutiny = _by_trigger(doc)["Mutiny"]
    assert mutiny.type == "battle" and _dated(doc, mutiny) == "1857"


def test_a_date_modifying_another_event_does_not_date_the_sentence(nlp):
    doc = nlp("The council ordered a reprisal without waiting for a report on the May 4 riot.")
    by_trigger = _by_trigger(doc)
    assert by_trigger["riot"].type == "incident" and doc._.timexes[by_trigger["riot"].timex].text == "May 4"
    assert by_trigger["reprisal"].timex is None  # the riot's date, not the reprisal's


def test_cue_and_type_files_are_data_and_bad_rows_are_named(tmp_path):
    from timeweave.annotate.events.lexicon import CUES_FILE, TYPES_FILE, load_cues, load_types

    cues = load_cues(CUES_FILE)
    assert "plan" in cues["plan"] and "alleged" in cues["alleged"]
    assert not {"pad", "springboard", "bridgehead"} & set().union(*cues.values())
    assert load_types(TYPES_FILE)["mutiny"] == "battle"
    bad = tmp_path / "cues.tsv"
    bad.write_text("word\tcue\tnote\nplot\tscheme\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="scheme"):
        load_cues(bad)
    bad.write_text("word\tkind\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        load_cues(bad)


def test_a_state_after_a_bare_in_and_an_execution_of_no_one_are_no_typed_events(nlp):
    events = _by_trigger(nlp("Over eight years in operation, the unit sent missions north."))
    assert "operation" in {e.lemma for e in nlp("Operation Overlord began on 6 June 1944.")._.event_mentions}
    assert events.get("operation") is None or events["operation"].type == "other"
    assert _by_trigger(nlp("Operation Overlord began on 6 June 1944."))["Operation"].type == "offensive"
    execution = _by_trigger(nlp("Air action is now in execution against gunboats.")).get("execution")
    assert execution is None or execution.type == "other"
    assert _by_trigger(nlp("The regime ordered the execution of the prisoners."))["execution"].type == "purge"


def test_word_senses_that_are_no_typed_events(nlp):
    assert "Congress" not in _by_trigger(nlp("In 1919 the U.S. Congress passed the law."))
    assert _by_trigger(nlp("The Congress of Vienna met in 1815."))["Congress"].type == "meeting"
    assert _by_trigger(nlp("The regime destroyed economic establishments in 1940.")).get("establishments") is None
    assert _by_trigger(nlp("The establishment of the republic in 1912 ended the empire."))["establishment"].type == "founding"
    assert _by_trigger(nlp("Historians agree that the raid never happened."))["agree"].type == "other"
    assert _by_trigger(nlp("Britain reached an understanding with France in 1904."))["understanding"].type == "agreement"


def test_shooting_is_fighting_but_a_blaze_or_a_dismissal_is_not(nlp):
    assert _by_trigger(nlp("At dawn on 3 May 1915 they opened fire on the convoy."))["fire"].type == "battle"
    assert _by_trigger(nlp("The gunners fired on the fort in 1863."))["fired"].type == "battle"
    assert _by_trigger(nlp("The king fired the minister in 1790."))["fired"].type == "other"


def test_a_formal_date_parsed_in_pieces_still_governs_its_verb(nlp):
    # the parser hangs "the fifth day" and "one thousand ..." on the clause separately from "on Monday"
    doc = nlp("Begun and held at the City of Albany on Monday, the fifth day of January, one thousand eight hundred and twelve.")
    held = _by_trigger(doc)["held"]
    assert held.when_kind == "governed" and _dated(doc, held) == "1812-01-05"


def test_a_flashback_dates_its_own_clause_not_the_sentence(nlp):
    text = ("On 14 June 1815, the cavalry, on a patrol as part of the screening operations near the village "
            "that had been burned two nights before, was attacked by lancers.")
    doc = nlp(text)
    by_trigger = _by_trigger(doc)
    assert _dated(doc, by_trigger["burned"]) == "1815-06-12"
    assert _dated(doc, by_trigger["operations"]) == _dated(doc, by_trigger["attacked"]) == "1815-06-14"


def test_a_dated_field_whose_key_is_a_participle_names_an_event(nlp):
    text = ("Reform Act 1832\n\n- Introduced by: Lord John Russell\n- Passeddate1: 22 March 1832\n"
            "- Date ratified: 7 June 1832\n- Effective date: 7 June 1832\n- Born: 4 July 1776\n\nThe act changed the franchise.")
    doc = nlp(text)
    fields = {e.trigger: e for e in doc._.event_mentions}
    assert {"Passed", "ratified"} <= set(fields)  # the model may find "ratified" itself; "Passed" it cannot
    keyed = {e.trigger for e in doc._.event_mentions if "value of the field" in e.when_reason}
    assert "Passed" in keyed and not {"Effective", "Born"} & keyed  # they name no happening by a participle
    passed = fields["Passed"]
    assert (passed.lemma, _dated(doc, passed), passed.when_kind) == ("pass", "1832-03-22", "governed")
    assert text[passed.trigger_start:passed.trigger_end] == "Passed"
    assert text[passed.start:passed.end] == "- Passeddate1: 22 March 1832"
    assert (fields["ratified"].lemma, _dated(doc, fields["ratified"])) == ("ratify", "1832-06-07")
    # a date that opens prose after a colon is no field value
    doc = nlp("Signed: on 4 July 1776 the delegates approved the text and went home.")
    assert not [e for e in doc._.event_mentions if "field" in e.when_reason]


@pytest.mark.parametrize("word, lemma", [("Passed", "pass"), ("Ratified", "ratify"), ("Admitted", "admit"),
                                         ("Founded", "found"), ("Enacted", "enact")])
def test_participle_lemmas(word, lemma):
    from timeweave.annotate.events.fields import participle_lemma
    assert participle_lemma(word) == lemma


def test_what_a_reprisal_answers_does_not_take_the_reprisals_date(nlp):
    doc = nlp("The legion burned the port on 3 May 1871 in revenge for the raids on its camps.")
    by_trigger = _by_trigger(doc)
    assert _dated(doc, by_trigger["burned"]) == "1871-05-03"
    assert by_trigger["raids"].timex is None and "revenge" in by_trigger["raids"].when_reason
    # a date of its own still dates it
    doc = nlp("The legion burned the port on 3 May 1871 in revenge for the raids of 1 May.")
    assert doc._.timexes[_by_trigger(doc)["raids"].timex].text == "1 May"


def test_what_an_anniversary_is_of_happened_that_many_years_before(nlp):
    doc = nlp("On 6 June 1994 the veterans gathered on the beach to mark the 50th anniversary of the landings.")
    by_trigger = _by_trigger(doc)
    assert _dated(doc, by_trigger["gathered"]) == "1994-06-06"
    assert _dated(doc, by_trigger["landings"]) == "1944"  # the year only: a ceremony need not fall on the day
    made = doc._.timexes[by_trigger["landings"].timex]
    assert made.text == "the 50th anniversary" and doc.text[made.start:made.end] == made.text
    doc = nlp("On 11 November 1938 the town marked the twentieth anniversary of the armistice.")
    assert _dated(doc, _by_trigger(doc)["armistice"]) == "1918"
    # no date in the sentence: nothing to count from
    doc = nlp("The town marked the twentieth anniversary of the armistice.")
    assert _by_trigger(doc)["armistice"].timex is None


# --- issue 10, part 3: fewer fragments and borrowed dates (sentences of other wars and centuries) ---

def test_a_support_verb_and_its_event_noun_are_one_event(nlp):
    doc = nlp("The rebels launched an attack on the fort on 5 May 1848.")
    by_trigger = _by_trigger(doc)
    assert "launched" not in by_trigger  # no second event for the verb that carries the attack out
    attack = by_trigger["attack"]
    assert attack.type == "offensive" and attack.when_kind == "governed" and _dated(doc, attack) == "1848-05-05"
    doc = nlp("At dawn on 3 May 1915 the batteries opened fire on the convoy.")
    assert "opened" not in _by_trigger(doc) and _by_trigger(doc)["fire"].type == "battle"
    doc = nlp("On 2 December 1805 Napoleon won a decisive victory at Austerlitz.")
    assert "won" not in _by_trigger(doc) and _dated(doc, _by_trigger(doc)["victory"]) == "1805-12-02"
    # a support verb with no event noun for object stays an event of its own, and so does a phrasal
    # support verb without its particle ("carried out a raid" is one event, "carried the treaty" two)
    assert "opened" in _by_trigger(nlp("On 3 May 1915 the rebels opened the gates of the city."))
    assert "carried" not in _by_trigger(nlp("In 1915 the raiders carried out a raid on the port."))
    assert "carried" in _by_trigger(nlp("In 1815 the envoy carried the treaty to Paris."))


def test_an_adjective_names_a_state_not_an_event(nlp):
    doc = nlp("On 4 May 1899 the historian said the long search was finally successful.")
    assert "successful" not in _by_trigger(doc) and "said" in _by_trigger(doc)


def test_a_state_adjective_does_not_pass_its_date_to_the_clause(nlp):
    # "now" belongs to "successful" (a state, no event), not to the comment made on Thursday
    text = ("On Thursday, Jean Dupont of the National Library at Lyon commented on the letters and the long "
            "struggle, now finally successful, to have them printed.")
    doc, _ = next(nlp.pipe([(text, {"dct": "1899-05-05"})], as_tuples=True))
    commented = _by_trigger(doc)["commented"]
    assert doc._.timexes[commented.timex].text == "Thursday" and commented.when_kind == "governed"


def test_a_date_something_was_set_for_does_not_date_the_setting(nlp):
    doc = nlp("The vote was set for 5 May 1871.")
    assert _by_trigger(doc)["set"].timex is None


def test_a_state_held_until_a_date_runs_from_the_time_it_has_to_that_end(nlp):
    doc = nlp("On 5 August 1864 the pilot was captured. He was held captive for eight years, until February 1873.")
    held = _by_trigger(doc)["held"]
    assert _dated(doc, held) == "1864-08-05/1873-02-28"
    made = doc._.timexes[held.timex]
    assert made.text == "until February 1873" and doc.text[made.start:made.end] == made.text
    # no start known: the end is the one date its clause gives
    doc = nlp("The session was postponed until 5 May 1871.")
    assert _dated(doc, _by_trigger(doc)["postponed"]) == "1871-05-05"


def test_a_date_before_another_noun_is_that_nouns_not_the_sentences(nlp):
    doc = nlp("In March 1966 the archive released a 1916 study of the dock riots.")
    riots = _by_trigger(doc)["riots"]
    assert _dated(doc, riots) == "1966-03"  # the study's year is not the riots'
    # a name the parser split still carries its own year
    doc = nlp("In March 1966 the archive released papers on the 1916 Dublin Dock incident.")
    assert _dated(doc, _by_trigger(doc)["incident"]) == "1916"


def test_a_noun_whose_type_holds_for_the_verb_only(nlp):
    station = _by_trigger(nlp("In 1898 the commandos raided a radar station on the island.")).get("station")
    assert station is None or station.type == "other"  # a place, not a deployment
    assert _by_trigger(nlp("In 1898 the empire stationed two divisions on the island."))["stationed"].type == "deployment"


def test_an_anniversary_counted_past_thirty_dates_what_it_is_of(nlp):
    doc = nlp("On 4 July 1826 the nation marked the fiftieth anniversary of the declaration.")
    assert _dated(doc, _by_trigger(doc)["declaration"]) == "1776"


def test_what_an_event_led_to_does_not_take_the_date_of_its_cause(nlp):
    doc = nlp("The ambush of 3 May 1857 led to a mutiny of the garrison.")
    assert _by_trigger(doc)["mutiny"].timex is None and "led to it" in _by_trigger(doc)["mutiny"].when_reason
    doc = nlp("On 2 May 1857 the rebels attacked the fort. But it was a second ambush two days later "
              "that led to the first bombing raid on the city.")
    assert _by_trigger(doc)["raid"].timex is None  # "two days later" is the ambush's
    # a date outside the cause's phrase still dates what followed
    doc = nlp("The crisis led to war in September 1939.")
    assert _dated(doc, _by_trigger(doc)["war"]) == "1939-09"


def test_an_event_noun_modifying_another_is_one_event_and_one_modifying_a_thing_is_none(nlp):
    doc = nlp("On 3 May 1917 the first bombing raid on the city killed forty people.")
    assert "bombing" not in _by_trigger(doc) and _by_trigger(doc)["raid"].type == "incident"
    events = _by_trigger(nlp("In May 1805 the frigate sailed with two patrol boats and combat troops."))
    assert all(events[w].type == "other" for w in ("patrol", "combat") if w in events)


def test_a_noun_event_after_a_copula_is_read(nlp):
    doc = nlp("On July 31, 1805, the frigate was on the first leg of a routine patrol.")
    patrol = _by_trigger(doc)["patrol"]
    assert patrol.type == "deployment" and _dated(doc, patrol) == "1805-07-31"
