"""Browser tests: type into the real search page in headless Chromium, under a sub-path."""

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.search.fixture import DOCS, doc
from tests.search.site import CHROMIUM, SUBPATH, serve, write_site

if not Path(CHROMIUM).exists() and os.environ.get("CI") != "true":
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)

pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-site")
    write_site(DOCS, out)
    server, url = serve(out)
    yield url + SUBPATH
    server.shutdown()


@pytest.fixture
def page(browser):
    pg = browser.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    pg.close()
    assert errors == []


def titles(page):
    return page.locator("#search-results .search-result-title").all_inner_texts()


def wait_done(page, text):
    page.wait_for_function(
        "t => document.querySelector('#search-status').textContent.includes(t)", arg=text, timeout=10000)


def test_typing_shows_results_with_highlights_and_url(page, base_url):
    page.goto(base_url + "search/")
    page.locator("#search-q").press_sequentially("志愿服务", delay=30)
    wait_done(page, "找到 1 篇")
    assert titles(page) == ["志愿服务进社区"]
    marks = page.locator("#search-results mark").all_inner_texts()
    assert marks and set(marks) == {"志愿服务"}
    assert parse_qs(urlparse(page.url).query) == {"q": ["志愿服务"]}
    href = page.locator("#search-results a").first.get_attribute("href")
    page.locator("#search-results a").first.click()
    assert page.url == base_url + "2025/06/24/03/a1/"
    assert href.endswith("2025/06/24/03/a1/")


def test_shared_url_runs_the_query_and_filters_narrow(page, base_url):
    page.goto(base_url + "search/?q=" + "社区")
    wait_done(page, "找到")
    everything = titles(page)
    assert len(everything) == 3
    page.select_option("#search-county", "河津市")
    wait_done(page, "找到 1 篇")
    assert titles(page) == ["河津市莲池社区“家”味浓"]
    assert parse_qs(urlparse(page.url).query) == {"q": ["社区"], "county": ["河津市"]}
    page.select_option("#search-county", "")
    page.select_option("#search-year", "2025")
    wait_done(page, "找到 3 篇")
    page.select_option("#search-person", "刘凯华")
    wait_done(page, "找到 2 篇")
    assert sorted(titles(page)) == ["党建引领基层治理", "河津市莲池社区“家”味浓"]


def test_no_match_and_keyboard_only(page, base_url):
    page.goto(base_url + "search/")
    page.keyboard.press("Tab")  # focus reaches the page controls by keyboard
    page.locator("#search-q").focus()
    page.keyboard.type("服务 志愿先行")
    wait_done(page, "找到 1 篇")
    page.keyboard.press("Control+A")
    page.keyboard.type("不存在的词")
    wait_done(page, "没有找到")
    assert titles(page) == []
    assert page.locator("#search-status").get_attribute("aria-live") == "polite"


def test_header_box_on_any_page_shows_live_results(page, base_url):
    page.goto(base_url + "2025/06/24/03/a1/")
    page.locator("#site-search-q").press_sequentially("健步走", delay=30)
    page.wait_for_selector(".search-popup .search-result-title a", timeout=10000)
    assert page.locator(".search-popup .search-result-title").all_inner_texts() == ["健步走"]
    page.locator(".search-popup-all").click()
    page.wait_for_url("**/search/?q=*")
    wait_done(page, "找到 1 篇")


@pytest.fixture(scope="module")
def many_url(tmp_path_factory):
    """Fourteen articles that all have 调研 (more than a page of ten, and than the four results
    sent first), each with a different count of it so that the ranking is clear."""
    docs = [doc(n, f"第{n}次走访", "调研" * (15 - n) + "，走访群众。", date=f"2025-05-{n:02d}")
            for n in range(1, 15)]
    out = tmp_path_factory.mktemp("browser-many")
    write_site(docs, out)
    server, url = serve(out)
    yield url + SUBPATH
    server.shutdown()


def test_a_full_page_then_more_results(page, many_url):
    """The worker sends the first four results, then the rest of the page, then later pages on
    request: each step's results are on screen, in rank order, none twice."""
    page.goto(many_url + "search/")
    page.locator("#search-q").press_sequentially("调研", delay=30)
    wait_done(page, "找到 14 篇")
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 10", timeout=10000)
    assert titles(page) == [f"第{n}次走访" for n in range(1, 11)]
    more = page.locator("#search-more")
    assert more.is_visible()
    more.click()
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 14", timeout=10000)
    assert titles(page) == [f"第{n}次走访" for n in range(1, 15)]
    assert more.is_hidden()
