"""End-to-end tests in real headless Chromium, offline: every non-127.0.0.1 request fails the test.

The app runs under uvicorn in a background thread on a free port. Screenshots of each page go to
test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import missing
from serve_fixtures import make_fixture_store

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn serving the UI over one store, in a daemon thread."""

    def __init__(self, db: Path, *, edit: str | None = None) -> None:
        import uvicorn

        from timeweave.serve import create_app

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(db, edit=edit) if edit else create_app(db)  # edit: the `serve --edit` token
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium")
    if not executable:
        missing("chromium not installed: run `make test` as root to install Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory):
    with Server(make_fixture_store(tmp_path_factory.mktemp("browser") / "fixture.db")) as server:
        yield server


class Page:
    """A page whose non-local requests are aborted and recorded, and whose JS errors are recorded."""

    def __init__(self, browser, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.base = base
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith("http://127.0.0.1:") or url.startswith(("data:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def goto(self, path: str):
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert self.outside == [], f"requests left 127.0.0.1: {self.outside}"
        assert self.errors == [], f"JavaScript errors: {self.errors}"


def wait_timeline(page) -> None:
    page.wait_for_selector("#timeline[data-ready='1']", timeout=10_000)


PAGES = ["/", "/timeline", "/events", "/events/1", "/events/2", "/entities", "/entities/6", "/sources",
         "/sources/batbayar-2000", "/sources/russian-mfa-2024", "/sources/hostile-doc", "/comparisons",
         "/search?q=Nomonhan", "/-/versions", "/events/9", "/entities/10", "/events/404"]


def test_every_page_offline_and_hostile_text_inert(browser, fixture_server):
    """Each page loads with nothing fetched from outside, and the hostile document never runs."""
    p = Page(browser, fixture_server.url)
    try:
        for path in PAGES:
            response = p.goto(path)
            assert response.status == (404 if path == "/events/404" else 200), path
            if path == "/timeline":
                wait_timeline(p.page)
            assert p.page.evaluate("window.__pwned === undefined"), f"hostile payload ran on {path}"
            assert p.page.locator("link[rel=alternate][type='application/json']").count() == (0 if path == "/events/404" else 1)
            p.shot("fixture-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "index"))
        p.goto("/sources/hostile-doc")
        body = p.page.inner_text("body")
        assert "<script>window.__pwned = 'script'</script>" in body
        assert p.page.locator("script:not([src])").count() == 0
        assert p.page.locator("img").count() == 0
    finally:
        p.close()


def _scenario(p: Page, shots: str, entity_name: str) -> None:
    """Timeline → 1936 Protocol → quotes from ≥2 sources → into a source → filter → search."""
    page = p.page
    p.goto("/timeline")
    wait_timeline(page)
    p.shot(f"{shots}-timeline")
    p.goto("/timeline?start=1934-01-01&end=1937-12-31")  # the 1930s, where the protocol is
    wait_timeline(page)
    p.shot(f"{shots}-timeline-1930s")
    protocol = page.locator("svg a.ev", has_text=re.compile(r"Protocol[^\n]*\n1936", re.I)).first
    protocol.click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/events/\d+$", page.url)
    sources = page.locator(".ev-source")
    assert sources.count() >= 2, "the 1936 Protocol should be quoted from at least two sources"
    p.shot(f"{shots}-event-protocol")
    link = page.locator("a.in-source").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_load_state("networkidle")
    assert "#c-" in page.url and href.split("#")[1] in page.url
    marked = page.locator(".seg.hl")
    assert marked.count() >= 1
    quote_start = int(href.rsplit("-", 2)[1])
    assert int(marked.first.get_attribute("data-e")) > quote_start
    p.shot(f"{shots}-source-quote")
    p.goto("/timeline")
    wait_timeline(page)
    option = page.locator("select[name=entity] option", has_text=entity_name).first
    page.select_option("select[name=entity]", value=option.get_attribute("value"))
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    wait_timeline(page)
    assert "entity=" in page.url
    assert page.locator("svg a.ev").count() >= 1
    p.shot(f"{shots}-timeline-entity")
    page.fill("header input[name=q]", "Nomonhan")
    page.press("header input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("ol.results li").count() >= 1
    p.shot(f"{shots}-search-nomonhan")
    page.locator("ol.results a", has_text=re.compile("Khalkhin", re.I)).first.click()
    page.wait_for_load_state("networkidle")
    assert "Khalkhin" in page.inner_text("body")


def test_historian_scenario_on_fixture(browser, fixture_server):
    p = Page(browser, fixture_server.url)
    try:
        _scenario(p, "fixture", "Mongolian People")
    finally:
        p.close()


def test_timeline_zoom_and_pan_refetches(browser, fixture_server):
    """Wheel zoom narrows the window (the URL records it) and the timeline asks the server again."""
    p = Page(browser, fixture_server.url)
    try:
        page = p.page
        p.goto("/timeline")
        wait_timeline(page)
        before = page.url
        calls: list[str] = []
        page.on("request", lambda r: calls.append(r.url) if "/timeline.json" in r.url else None)
        box = page.locator("#timeline").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + 120)
        for _ in range(6):
            page.mouse.wheel(0, -300)
        page.wait_for_timeout(600)
        assert calls, "zooming should ask the server for the new window"
        assert page.url != before and "start=" in page.url
        p.shot("fixture-timeline-zoomed")
    finally:
        p.close()


def test_timeline_bins_draw_the_events_spanning_each_bin(browser, tmp_path):
    """Zoomed out over many events, each bar also draws (lighter, below) the events whose span covers it.

    The heights below the baseline must follow the `spread` counts of /timeline.json, bin by bin: a
    year-long or vague date counts in every bar it covers, not only in the one where it begins.
    """
    from serve_fixtures import make_synthetic_store

    with Server(make_synthetic_store(tmp_path / "many.db", 3000)) as server:
        p = Page(browser, server.url)
        try:
            page = p.page
            with page.expect_response(lambda r: "/timeline.json" in r.url) as answer:
                p.goto("/timeline")
            wait_timeline(page)
            data = answer.value.json()
            assert data["mode"] == "bins"
            bins = {b["start"]: b for b in data["bins"]}
            assert any(b["spread"]["total"] > b["total"] for b in bins.values())  # long events cross bins
            # The band: one path per status, a rectangle 'M x y h w v h h -w z' per bin; heights summed by x.
            paths = page.evaluate("Array.from(document.querySelectorAll('#timeline path.spread')).map(p => p.getAttribute('d'))")
            heights: dict[float, float] = {}
            for d in paths:
                for x, h in re.findall(r"M(-?[\d.]+) -?[\d.]+h-?[\d.]+v([\d.]+)h", d):
                    heights[float(x)] = heights.get(float(x), 0.0) + float(h)
            drawn = page.evaluate("""() => Array.from(document.querySelectorAll('#timeline g.bin')).map(g => [
                g.dataset.start, g.querySelector('rect') ? +g.querySelector('rect').getAttribute('x') : null,
                g.querySelector('title').textContent])""")
            assert len(drawn) == len(bins)
            most = max(b["spread"]["total"] for b in bins.values())
            tallest = max(heights.values(), default=0)
            assert tallest > 20
            for start, x, tip in drawn:
                spread = bins[start]["spread"]["total"]
                at = [k for k in heights if x is not None and abs(k - x) < 0.01]  # x written with 2 decimals
                height = heights.pop(at[0]) if at else 0.0
                assert abs(height - spread / most * tallest) < 1.0, (start, height, spread)
                assert f"{spread} events span this period" in tip
            assert heights == {}  # no band drawn where no bin is
            assert "events whose dates span each bar" in page.inner_text("#timeline")
            assert "events whose dates span that bar" in page.inner_text(".legend")
            p.shot("synthetic-timeline-spread")
        finally:
            p.close()


def test_historian_scenario_on_bundled_corpus(browser, corpus_db):
    with Server(corpus_db) as server:
        p = Page(browser, server.url)
        try:
            _scenario(p, "corpus", "Mongolia")
        finally:
            p.close()


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    from serve_fixtures import build_corpus_store

    return build_corpus_store(tmp_path_factory.mktemp("corpus") / "corpus.db")  # a build that raises is a failure
