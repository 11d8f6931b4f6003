"""`serve --edit` in real headless Chromium on a real build: change a date in the page, rebuild, reload.

The server runs under uvicorn in a thread (as in tests/test_browser.py, whose offline Page and
Chromium fixture this reuses); every request leaving 127.0.0.1 fails the test.
"""

from __future__ import annotations

import shutil

import pytest

from test_browser import Page, Server, browser  # noqa: F401  (browser is a fixture)
from timeweave.build import build
from timeweave.chronicle.export import chronicle
from timeweave.store import open_store

pytestmark = pytest.mark.browser
TOKEN = "browser-test-token"
PURCHASE = "purchase agreement signed"


def _purchase(db) -> dict:
    found = [e for e in chronicle(open_store(db, create=False))["events"]
             if e["type"] == "agreement" and any(PURCHASE in q["quote"] for q in e["evidence"])]
    assert len(found) == 1, "the bundled corpus no longer yields the purchase agreement event"
    return found[0]


def test_a_date_changed_in_the_page_holds_after_a_rebuild(browser, tmp_path, corpus_dir):  # noqa: F811
    folder = tmp_path / "khalkhin-gol"
    shutil.copytree(corpus_dir, folder)
    db = tmp_path / "kg.db"
    assert build([folder], db=db).failed == []
    event = _purchase(db)
    with Server(db, edit=TOKEN) as server:
        p = Page(browser, server.url)
        try:
            p.goto(f"/events/{event['id']}")
            assert p.page.locator("form[action*='/-/edit/']").count() == 0  # no token yet: read-only
            p.goto(f"/-/edit/login?token={TOKEN}")
            p.goto(f"/events/{event['id']}")
            form = p.page.locator(f"form[action='/-/edit/events/{event['id']}/date']")
            form.locator("input[name=edtf]").fill("1935-03-23")
            form.locator("input[name=note]").fill("the agreement's text is dated 23 March")
            form.locator("input[name=by]").fill("A. Historian")
            form.locator("button").click()
            p.page.wait_for_load_state("networkidle")
            assert "date set by A. Historian: the agreement's text is dated 23 March" in p.page.inner_text("body")
            p.shot("curate-date-set")

            build([folder], db=db)  # a rebuild renumbers and rewrites every event; the log is applied again
            event = _purchase(db)
            assert event["when"]["edtf"] == "1935-03-23"
            p.goto(f"/events/{event['id']}")
            body = p.page.inner_text("body")
            assert "1935-03-23" in body and "date set by A. Historian" in body
            p.shot("curate-date-after-rebuild")

            outsider = browser.new_context()  # no token: the same POST is refused
            refused = outsider.request.post(f"{server.url}/-/edit/events/{event['id']}/reject",
                                            form={"by": "mallory"}, headers={"Origin": server.url})
            assert refused.status == 403
            outsider.close()
            cross = p.context.request.post(f"{server.url}/-/edit/events/{event['id']}/reject",
                                           form={"by": "mallory"}, headers={"Origin": "http://evil.example"})
            assert cross.status == 403
            assert _purchase(db)["id"] == event["id"]  # not rejected
        finally:
            p.close()
