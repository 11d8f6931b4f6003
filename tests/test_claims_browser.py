"""The claims page in real headless Chromium, offline, on a real build of the bundled corpus: a historian
opens /claims, finds the question "Who started it?" and reads both sides of the Khalkhin Gol dispute side
by side, each with its quote and a link that opens the source at the quoted characters."""

from __future__ import annotations

import pytest

from test_browser import Page, Server, browser  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def corpus_server(tmp_path_factory):
    from serve_fixtures import build_corpus_store

    db = build_corpus_store(tmp_path_factory.mktemp("claims-browser") / "corpus.db")
    with Server(db) as server:
        yield server


def test_who_started_it_shows_both_sides_with_quotes(browser, corpus_server):
    p = Page(browser, corpus_server.url)
    try:
        p.goto("/claims")
        section = p.page.locator("section.question", has=p.page.locator("h2", has_text="Who started it?"))
        assert section.count() == 1, "no 'Who started it?' question on the claims page"
        contested = section.locator("li.cmp.k-contradict")
        assert contested.count() >= 1, "the question is shown, but no contradiction about who started it"
        group = contested.filter(has_text="opened fire").filter(has_text="decided to encircle")
        assert group.count() == 1, section.inner_text()
        text = group.inner_text()
        assert "russian-mfa-2024-khalkhin-gol-85" in text and "batbayar-2000-soviet-japanese-confrontation" in text
        assert "Japanese troops entered the area and opened fire" in text  # one side's quote
        assert "Stalin" in text and "decided to encircle Japanese army" in text  # the other side's quote
        links = group.locator("table.voices a")
        sources = {links.nth(i).inner_text() for i in range(links.count())}
        assert {"russian-mfa-2024-khalkhin-gol-85", "batbayar-2000-soviet-japanese-confrontation"} <= sources
        p.shot("claims-who-started-it")
        p.page.select_option("select[name='kind']", "agent")  # the filter keeps the question
        p.page.click("form.filters button[type='submit']")
        p.page.wait_for_load_state("networkidle")
        assert "kind=agent" in p.page.url and "Who started it?" in p.page.inner_text("main")
        href = p.page.locator("li.cmp.k-contradict table.voices a", has_text="russian-mfa-2024-khalkhin-gol-85").first \
            .get_attribute("href")
        assert href.startswith("/sources/russian-mfa-2024-khalkhin-gol-85#c-")
        p.goto(href)  # the quote's link opens the source at the quoted characters
        assert "opened fire at the Mongolian border guards" in p.page.inner_text("main")
    finally:
        p.close()
