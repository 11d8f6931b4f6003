"""Ask in real headless Chromium, offline: a historian asks the bundled corpus when the Kremlin talks
took place, from the box on the overview page, and sees both dates with their sources and quote links."""

from __future__ import annotations


import pytest

from test_browser import Page, Server, browser  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def corpus_server(tmp_path_factory):
    import timeweave.serve.ask as web_ask
    from serve_fixtures import build_corpus_store

    web_ask.ENCODER = None  # words only: the page, not the model, is under test here
    db = build_corpus_store(tmp_path_factory.mktemp("ask-browser") / "corpus.db")
    with Server(db) as server:
        yield server
    web_ask.ENCODER = "default"


def test_ask_kremlin_talks_shows_both_dates_with_sources(browser, corpus_server):
    p = Page(browser, corpus_server.url)
    try:
        p.goto("/")
        box = p.page.locator("form[action='/ask'] input[name='q']")
        box.fill("When did the Kremlin talks take place?")
        box.press("Enter")
        p.page.wait_for_selector("section.answer")
        p.page.wait_for_load_state("networkidle")
        assert p.page.locator("section.answer").get_attribute("data-status") == "disputed"
        body = p.page.inner_text("main")
        assert "The sources disagree" in body
        assert "24 November 1934" in body and "27 November 1934" in body
        assert "zhabaeva-2021-stalin-genden" in body and "zhabaeva-2020-military-cooperation" in body
        quotes = p.page.locator("a.quote")
        assert quotes.count() >= 2
        p.shot("ask-kremlin-talks")
        href = p.page.locator("a.quote", has_text="November 27").first.get_attribute("href")
        assert href.startswith("/sources/zhabaeva-2020-military-cooperation#c-")
        p.goto(href)  # the quote's link opens the source at the quoted characters
        assert "November 27" in p.page.inner_text("main")
        p.goto("/ask?q=" + "x" * 2000)  # too long: the error page, not a crash
        assert "at most" in p.page.inner_text("main")
    finally:
        p.close()
