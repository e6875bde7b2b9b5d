"""The dashboard's news page in the system Chromium: paste an article, see the proposals
highlighted, reject one, download the overlay, and check it is the registry schema."""

from __future__ import annotations

import csv
import io
import zipfile
from urllib.parse import urlparse

import pytest
from conftest import REPO

pytest.importorskip("playwright.sync_api")

ARTICLE = (REPO / "docs" / "examples" / "aesc-navalmoral.md").read_text("utf-8")


@pytest.fixture(scope="module")
def page(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
        pg = context.new_page()
        pg.requests = []
        pg.on("request", lambda r: pg.requests.append(r.url))
        yield pg
        browser.close()


def test_paste_review_and_download_overlay(page, live_server, tmp_path):
    page.goto(f"{live_server}/news")
    page.fill("#article", ARTICLE)
    page.click("#extract")
    page.wait_for_selector("#news-result:not([hidden])")
    rows = page.locator("#proposals tbody tr")
    assert rows.count() == 5
    marks = page.locator("#article-text mark")
    assert marks.count() == 3  # three sentences carry the five proposals
    text = page.locator("#article-text").inner_text()
    assert marks.first.inner_text() in text and "Navalmoral de la Mata" in marks.first.inner_text()
    assert page.input_value("#source").startswith("https://just-auto.com/")
    # reject the jobs proposal: its sentence stays highlighted for the capex one
    jobs = page.locator("#proposals tbody tr", has_text="jobs")
    jobs.locator("input[type=checkbox]").uncheck()
    assert "rejected" in (jobs.get_attribute("class") or "")
    with page.expect_download() as info:
        page.click("#download")
    path = tmp_path / "overlay.zip"
    info.value.save_as(path)
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
        facilities = list(csv.DictReader(io.StringIO(zf.read("facilities.csv").decode())))
    assert names == ["capacity.csv", "facilities.csv", "status.csv"]
    assert facilities[0]["id"] == "aesc-navalmoral-de-la-mata"
    assert facilities[0]["jobs"] == "" and facilities[0]["capex_musd"] == "1100"
    assert facilities[0]["confidence"] == "medium"
    for url in page.requests:
        parsed = urlparse(url)
        assert parsed.scheme in ("blob", "data") or parsed.hostname == "127.0.0.1", url


def test_pasted_spam_gives_no_proposals(page, live_server):
    page.goto(f"{live_server}/news")
    page.fill("#article", "I earned $7,500 last month working from home! See www.x.test")
    page.click("#extract")
    page.wait_for_selector("#news-result:not([hidden])")
    assert page.locator("#proposal-count").inner_text() == "0"
    assert page.locator("#article-text mark").count() == 0
