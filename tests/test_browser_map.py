"""/map and /network in real headless Chromium, offline: the basemap and libraries come from the package.

Every request that leaves 127.0.0.1 fails the test (no tile server, no CDN); a click on a place and
a click on a link open their events with quotes. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest

from test_browser import Page, browser, fixture_server  # noqa: F401  (shared fixtures: one Chromium, one server)

pytestmark = pytest.mark.browser


def test_map_draws_offline_and_a_click_opens_the_place(browser, fixture_server):  # noqa: F811
    p = Page(browser, fixture_server.url)
    seen: list[str] = []
    p.page.on("request", lambda r: seen.append(r.url))
    try:
        response = p.goto("/map")
        assert response.status == 200
        p.page.wait_for_selector("#map[data-ready='1']", timeout=20_000)
        assert any(u.endswith("/-/static/vendor/world-atlas/countries-110m.json") for u in seen)
        assert p.page.locator("#map path.country").count() > 100  # the Natural Earth countries are drawn
        dots = p.page.locator("#map path.place-dot")
        assert dots.count() >= 1 and int(p.page.get_attribute("#map", "data-places")) == dots.count()
        p.shot("map")
        # Open a place by URL (what a click on a dot asks for) and by clicking a drawn dot.
        p.goto("/map?place=6")
        p.page.wait_for_selector("#map[data-ready='1']", timeout=20_000)
        assert "Battles of Khalkhin Gol" in p.page.inner_text("#map-detail")
        assert p.page.locator("#map-detail blockquote").count() >= 3
        p.goto("/map")
        p.page.wait_for_selector("#map[data-ready='1']", timeout=20_000)
        p.page.locator("#map path.place-dot").first.click(force=True)
        p.page.wait_for_selector("#map-detail h3 a", timeout=10_000)
        p.shot("map-place")
        assert p.page.evaluate("window.__pwned === undefined")
    finally:
        p.close()


def test_network_draws_offline_and_a_click_on_a_link_shows_the_shared_events(browser, fixture_server):  # noqa: F811
    p = Page(browser, fixture_server.url)
    try:
        p.goto("/network")
        p.page.wait_for_selector("#network[data-ready='1']", timeout=20_000)
        assert p.page.locator("#network .net-node").count() >= 4
        hits = p.page.locator("#network .net-link[data-a='1'][data-b='2'] .net-hit")
        assert hits.count() == 1
        hits.first.dispatch_event("click")  # its middle may lie under another line: the event itself, on this line
        p.page.wait_for_selector("#net-detail ol li", timeout=10_000)
        detail = p.page.inner_text("#net-detail")
        assert "Soviet Union" in detail and "Protocol of Mutual Assistance" in detail
        assert p.page.locator("#net-detail blockquote").count() >= 2
        p.shot("network-link")
        p.page.locator("a.link-row").first.click()  # a real click on the table of strongest links, same panel
        p.page.wait_for_selector("#net-detail ol li", timeout=10_000)
        assert p.page.locator("#network .net-edge.sel").count() == 1 and "/network" in p.page.url and "a=" not in p.page.url
        p.goto("/network?from=1936-03&to=1936-03")
        p.page.wait_for_selector("#network[data-ready='1']", timeout=20_000)
        assert p.page.locator("#network .net-link").count() == 1
        p.shot("network-1936-03")
        assert p.page.evaluate("window.__pwned === undefined")
    finally:
        p.close()
