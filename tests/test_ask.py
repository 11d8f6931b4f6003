"""Ask: question analysis, positions and disputes, the JSON contract, bad input, the CLI and the web twin.

The stores are real builds: a tiny corpus written here (the Battle of Hastings, 1066, told by two
voices and one copy: nothing from the bundled or dev corpora) and the bundled Khalkhin Gol corpus.
Sentence embeddings are left out (encoder=None) so the tests need no model; `test_ask_embeddings`
checks the model path once.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from serve_fixtures import build_corpus_store
from timeweave.ask import AskError, AskParams, ask, schema
from timeweave.ask.assemble import say_date
from timeweave.ask.lexicon import lexicon, stem
from timeweave.ask.positions import disputed, group
from timeweave.ask.question import analyse, follow_up
from timeweave.ask.retrieve import Sentence
from timeweave.ask.sentences import split
from timeweave.ask.values import Value
from timeweave.store import open_store

QUESTIONS = Path(__file__).parent / "data" / "ask_khalkhin_gol.jsonl"
HASTINGS = {
    "a_chronicle.txt": (
        "The Battle of Hastings was fought on 14 October 1066 between the Norman-French army of William, "
        "the Duke of Normandy, and an English army under King Harold Godwinson.\n\n"
        "Harold was killed in the battle. William was crowned king on 25 December 1066 in Westminster Abbey.\n"),
    "b_annals.txt": (
        "According to the abbey annals, the Battle of Hastings was fought on 13 October 1066, on the eve of "
        "the feast of Saint Calixtus.\n\nThe annals say that about 7,000 men fought on each side.\n"),
    "c_copy.txt": (  # a re-posting of the chronicle's first passage with its date changed: a copy, not a voice
        "The Battle of Hastings was fought on 15 October 1066 between the Norman-French army of William, "
        "the Duke of Normandy, and an English army under King Harold Godwinson.\n"),
}


def words_only(engine, question):
    return ask(engine, question, encoder=None)


@pytest.fixture(scope="module")
def hastings(tmp_path_factory):
    from timeweave.build import build

    folder = tmp_path_factory.mktemp("hastings")
    for name, text in HASTINGS.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = folder / "hastings.db"
    build([folder], db=db)
    return open_store(db, create=False, readonly=True), folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    db = build_corpus_store(tmp_path_factory.mktemp("ask-corpus") / "corpus.db")
    return open_store(db, create=False, readonly=True), db


def exact_quotes(engine, answer):
    """Every quote equals its source's text at its offsets."""
    from sqlalchemy import select

    from timeweave.store import schema as t

    with engine.connect() as conn:
        texts = dict(conn.execute(select(t.texts.c.source_id, t.texts.c.text)).all())
    for p in answer.positions:
        for e in p.evidence:
            assert texts[e.source][e.start:e.end] == e.quote


# --- question analysis (sentences not from any corpus of ours) ---------------------------------------

@pytest.mark.parametrize("question,kind", [
    ("When was the Treaty of Westphalia signed?", "date"),
    ("On which day did the Bastille fall?", "date"),
    ("At what time did the earthquake strike Lisbon?", "time"),
    ("Where did Cetshwayo's army camp before Isandlwana?", "place"),
    ("Who led the Zulu army at Isandlwana?", "person"),
    ("Which general surrendered at Saratoga?", "person"),
    ("How many ships did the Armada lose?", "number"),
    ("Why did the Long March begin?", "cause"),
    ("Was the Bastille stormed in 1789?", "yesno"),
    ("What was signed at Nerchinsk?", "other"),
])
def test_question_kind(question, kind):
    assert analyse(question, lexicon()).kind == kind


def test_question_parts_scope_counted_noun_and_voice():
    lex = lexicon()
    q = analyse("When did Magellan reach the Philippines, and who killed him?", lex)
    assert q.kind == "date" and follow_up(q, lex).kind == "person"
    assert analyse("When and where did the Estates-General meet?", lex).focus  # one part, not split at "and where"
    assert follow_up(analyse("When and where did the Estates-General meet?", lex), lex) is None
    assert analyse("On which day in July 1789 was the Bastille stormed?", lex).scope == [("1789-07-01", "1789-07-31")]
    assert analyse("How many cannons did the fort have?", lex).counted == "cannons"
    assert "wikipedia" not in analyse("Which river, according to Herodotus, did Xerxes bridge?", lex).names
    assert stem("repealed", lex) == stem("repeal", lex) and stem("met", lex) == stem("meet", lex)


def test_sentences_keep_initials_titles_and_acronyms():
    text = "Gen. U. S. Grant met Lt. Col. Parker at Appomattox. They talked.\nA heading\nThe U.S.A. signed. Done!"
    quotes = [text[a:b] for a, b in split(text, 0, len(text))]
    assert quotes == ["Gen. U. S. Grant met Lt. Col. Parker at Appomattox.", "They talked.", "A heading",
                      "The U.S.A. signed.", "Done!"]


# --- positions and disputes ----------------------------------------------------------------------------

def _voice(source, earliest, latest, score=1.0):
    s = Sentence(source, 1, 0, 5, "quote", score=score)
    return Value(earliest, f"{earliest}/{latest}", 0, 5, earliest=earliest, latest=latest), s


def test_compatible_dates_are_one_position_and_a_source_alone_is_no_dispute():
    groups = group([_voice("a", "1066-10-14", "1066-10-14"), _voice("b", "1066-10-01", "1066-10-31")], "date")
    assert len(groups) == 1 and set(groups[0].sources) == {"a", "b"}
    groups = group([_voice("a", "1066-10-14", "1066-10-14"), _voice("a", "1066-12-25", "1066-12-25")], "date")
    assert len(groups) == 2 and not disputed(groups, "date")  # one voice, two dates for two things
    groups = group([_voice("a", "1066-10-14", "1066-10-14"), _voice("b", "1066-10-13", "1066-10-13")], "date")
    assert disputed(groups, "date")
    assert not disputed(groups, "date", strong=2.0)  # weak voices are listed, they do not dispute
    assert not disputed(groups, "person")  # names are listed, never a dispute


def test_say_date():
    assert say_date("1066-10-14", "1066-10-14") == "14 October 1066"
    assert say_date("1066-10-01", "1066-10-31") == "October 1066"
    assert say_date("1066-01-01", "1066-12-31") == "1066"


# --- answers from a real build ---------------------------------------------------------------------------

def test_disagreeing_voices_are_kept_apart_and_a_copy_is_not_a_voice(hastings):
    engine, _ = hastings
    answer = words_only(engine, "When was the Battle of Hastings fought?")
    assert answer.status == "disputed", answer
    values = {p.value: p.sources for p in answer.positions}
    assert values.get("14 October 1066") == ["a-chronicle"] and values.get("13 October 1066") == ["b-annals"]
    assert all("c-copy" not in p.sources for p in answer.positions)
    assert answer.answer.startswith("The sources disagree:") and "14 October 1066" in answer.answer
    exact_quotes(engine, answer)
    jsonschema.validate(answer.to_dict(), schema())


def test_single_voice_answers_number_and_yes(hastings):
    engine, folder = hastings
    crowned = words_only(engine, "When was William crowned king?")
    assert crowned.status == "answered" and crowned.positions[0].value == "25 December 1066"
    assert crowned.positions[0].evidence[0].path.endswith("a_chronicle.txt")
    men = words_only(engine, "How many men fought on each side?")
    assert men.status == "answered" and men.positions[0].value == "7,000"
    killed = words_only(engine, "Was Harold killed in the battle?")
    assert killed.status == "answered" and killed.positions[0].value == "yes"
    for answer in (crowned, men, killed):
        exact_quotes(engine, answer)
        jsonschema.validate(answer.to_dict(), schema())


def test_not_found_never_fills_the_gap(hastings):
    engine, _ = hastings
    for question in ("Who commanded the Roman fleet at Actium?", "How many horses did William's army bring?",
                     "On which day in November 1066 was William crowned?"):
        answer = words_only(engine, question)
        assert answer.status == "not_found" and answer.answer == "" and answer.positions == [], question
        jsonschema.validate(answer.to_dict(), schema())


def test_abstention_threshold_is_read(hastings):
    engine, _ = hastings
    question = "When was William crowned king?"
    assert words_only(engine, question).status == "answered"
    assert ask(engine, question, encoder=None, params=AskParams(min_coverage=1.01)).status == "not_found"


def test_bad_input_is_an_answer_or_a_clear_error(hastings, tmp_path):
    engine, _ = hastings
    for empty in ("", "   ", "?!"):
        with pytest.raises(AskError, match="empty"):
            words_only(engine, empty)
    for question in ("When " * 2500, '"NEAR(battle fought" AND OR * ^ {col}:x', "Когда состоялась битва при Гастингсе?",
                     "\x00\x01 When?", "SELECT * FROM sources; --"):
        answer = words_only(engine, question)
        jsonschema.validate(answer.to_dict(), schema())
    empty_store = open_store(tmp_path / "empty.db")
    assert words_only(empty_store, "When was the Battle of Hastings fought?").status == "not_found"


def test_kremlin_talks_both_dates_with_their_sources(corpus):
    engine, _ = corpus
    answer = words_only(engine, "When did the Kremlin talks take place?")
    assert answer.status == "disputed"
    dates = {p.when["earliest"]: p.sources for p in answer.positions if p.when}
    assert "zhabaeva-2021-stalin-genden" in dates["1934-11-24"]
    assert "zhabaeva-2020-military-cooperation" in dates["1934-11-27"]
    assert answer.events  # the answer points at the chronicle's events
    exact_quotes(engine, answer)


def test_answer_claims_are_stored_claims_inside_the_cited_quotes(corpus):
    """`claims` lists ids of the claims stage's rows whose quotes the answer cites, nothing else."""
    from sqlalchemy import select

    from timeweave.store import schema as t

    engine, _ = corpus
    seen = 0
    for q in ("When did the Kremlin talks take place?", "Who defeated the Japanese troops at Khalkhin Gol?",
              "When was the Protocol of Mutual Assistance signed?"):
        answer = words_only(engine, q)
        cited = [(e.source, e.start, e.end) for p in answer.positions for e in p.evidence]
        with engine.connect() as conn:
            rows = {r.id: r for r in conn.execute(select(t.claims)).all()}
        for claim_id in answer.claims:
            row = rows[claim_id]  # a KeyError here: an id that is no stored claim
            assert any(row.source_id == s and a <= row.start and row.end <= b for s, a, b in cited)
        seen += len(answer.claims)
    assert seen  # the bundled corpus's answers do cite sentences that make claims


def test_bundled_corpus_questions_hold_their_floor(corpus):
    """The 15 questions of tests/data/ask_khalkhin_gol.jsonl, judged as score_ask.py judges status and sources."""
    engine, _ = corpus
    right = 0
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        answer = words_only(engine, gold["q"])
        jsonschema.validate(answer.to_dict(), schema())
        exact_quotes(engine, answer)
        cited = {Path(e.path).name for p in answer.positions for e in p.evidence}
        if gold["kind"] == "unanswerable":
            right += answer.status == "not_found"
        elif gold["kind"] == "disagree":
            right += answer.status == "disputed" and len(cited & set(gold["support"])) >= 2
        else:
            right += answer.status in ("answered", "disputed") and bool(cited & set(gold["support"]))
    assert right >= 13  # measured 14/15 when this floor was set


def test_ask_embeddings_rank_with_the_model(corpus):
    """The default path loads the build's sentence model and still answers (cached question vector)."""
    engine, _ = corpus
    answer = ask(engine, "When did the Kremlin talks take place?")
    assert answer.status == "disputed"


# --- CLI and web -------------------------------------------------------------------------------------------

def test_cli_json_questions_file_and_errors(corpus, tmp_path):
    from timeweave.cli import app

    _, db = corpus
    runner = CliRunner()
    result = runner.invoke(app, ["ask", "When did the Kremlin talks take place?", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    jsonschema.validate(json.loads(result.stdout), schema())
    text = runner.invoke(app, ["ask", "When did the Kremlin talks take place?", "--db", str(db)])
    assert text.exit_code == 0 and "The sources disagree" in text.stdout and "zhabaeva-2020" in text.stdout
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"q": "When was the Anti-Comintern Pact signed?"}\n\n{"q": "Who commanded the Roman fleet?"}\n')
    many = runner.invoke(app, ["ask", "--questions", str(questions), "--db", str(db)])
    lines = [json.loads(line) for line in many.stdout.splitlines()]
    assert many.exit_code == 0 and [a["question"] for a in lines] == ["When was the Anti-Comintern Pact signed?", "Who commanded the Roman fleet?"]
    assert lines[1]["status"] == "not_found"
    questions.write_text('{"q": "ok?"}\nnot json\n')
    bad = runner.invoke(app, ["ask", "--questions", str(questions), "--db", str(db)])
    assert bad.exit_code == 2 and "q.jsonl:2" in bad.output
    assert runner.invoke(app, ["ask", "", "--db", str(db)]).exit_code == 2
    assert runner.invoke(app, ["ask", "When?", "--db", str(tmp_path / "missing.db")]).exit_code == 2


@pytest.fixture(scope="module")
def client(corpus):
    import timeweave.serve.ask as web_ask
    from timeweave.serve import create_app

    web_ask.ENCODER = None
    _, db = corpus
    yield TestClient(create_app(db))
    web_ask.ENCODER = "default"


def test_web_ask_page_and_json_twin(client):
    data = client.get("/ask.json", params={"q": "When did the Kremlin talks take place?"})
    assert data.status_code == 200
    body = data.json()
    assert body.pop("ok") is True and body.pop("title")
    jsonschema.validate(body, schema())
    page = client.get("/ask", params={"q": "When did the Kremlin talks take place?"})
    assert page.status_code == 200 and 'rel="alternate"' in page.text
    assert 'href="/sources/zhabaeva-2020-military-cooperation#c-' in page.text and "27 November 1934" in page.text
    assert client.get("/ask").status_code == 200
    assert 'action="/ask"' in client.get("/").text  # the ask box is on every page


@pytest.mark.parametrize("params,status", [
    ({}, 400), ({"q": ""}, 400), ({"q": "x" * 10_000}, 400), ({"q": ["a", "b"]}, 400), ({"q": "?!"}, 400),
    ({"q": '"NEAR(" AND OR * ^'}, 200), ({"q": "Когда были переговоры в Кремле?"}, 200),
])
def test_web_bad_input_is_4xx_in_the_error_shape_never_500(client, params, status):
    response = client.get("/ask.json", params=params)
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["ok"] is False and response.json()["status"] == 400 and response.json()["error"]
    html = client.get("/ask", params=params)
    assert html.status_code in (200, 400) and html.status_code != 500
