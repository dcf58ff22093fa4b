"""Reading the archive in Chromium: county map, calendar, citations, copy and share, print,
keyboard and focus, text size, and page weight."""
from __future__ import annotations

import datetime as dt
import gzip
import re
import shutil
from urllib.parse import quote

import pytest

from conftest import FIXTURE, ROOT, build, serve_folder
from ycarchive.errors import Problems
from ycarchive.library import build_library
from ycarchive.load import load_content

ARTICLE = "2025/06/24/03/huludao/"                 # fixture: reporter 曹欣怡, with related articles
CREDITED = "2025/06/24/04/wenwu/"                  # fixture: a reporter and a correspondent
PAGE_WEIGHT_LIMIT = 50 * 1024                      # gzip bytes of HTML, CSS and JS, before images


def library_of(content):
    problems = Problems()
    library = build_library(load_content(content, problems), problems)
    assert not problems.errors, problems.errors
    return library


@pytest.fixture(scope="module")
def served(fixture_site, content_site):
    """Base URLs of the built fixture and real archives, served on 127.0.0.1."""
    servers, urls = [], {}
    for name, folder in (("fixture", fixture_site), ("content", content_site)):
        server, urls[name] = serve_folder(folder)
        servers.append(server)
    yield urls
    for server in servers:
        server.shutdown()


@pytest.fixture
def context(browser, served):
    """A fresh context that may use the clipboard of the fixture and content servers."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    for base in served.values():
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
    yield ctx
    ctx.close()


def open_page(context, served, site, url):
    page = context.new_page()
    response = page.goto(served[site] + quote(url))
    assert response.status == 200
    return page


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


# ---------------------------------------------------------------- county map

@pytest.mark.parametrize("site, content", [("fixture", FIXTURE), ("content", ROOT / "content")])
def test_map_links_every_county_to_its_page_and_titles_it_with_its_count(context, served, site, content):
    counties = [c for c in library_of(content).counties if not c.city_level]
    page = open_page(context, served, site, "")
    drawn = page.eval_on_selector_all(".countymap a", """links => links.map(a => [
        new URL(a.getAttribute('href'), document.baseURI).href, a.querySelector('title').textContent])""")
    expected = [[served[site] + quote(c.url), f"{c.name}：{len(c.articles)}篇"] for c in counties]
    assert sorted(drawn) == sorted(expected)
    assert len(drawn) == 13
    page.close()


def test_county_pages_highlight_their_county_and_list_every_county_in_text(context, served):
    library = library_of(FIXTURE)
    page = context.new_page()
    for county in library.counties:
        page.goto(served["fixture"] + quote(county.url))
        current = page.eval_on_selector_all(".countymap a[aria-current=page]", "els => els.map(a => a.textContent)")
        assert current == ([] if county.city_level else [f"{county.name}：{len(county.articles)}篇"])
        listed = page.eval_on_selector_all(".county-counts li", "els => els.map(li => li.textContent.trim())")
        assert listed == [f"{c.name} {len(c.articles)}篇" for c in library.counties]
        assert page.eval_on_selector(".county-counts a[aria-current=page]", "a => a.textContent") == county.name
    page.close()


# ---------------------------------------------------------------- calendar

def test_calendar_links_exactly_the_issue_dates(context, served):
    issues = library_of(FIXTURE).issues
    base = served["fixture"]
    page = open_page(context, served, "fixture", "archive/")
    years = page.eval_on_selector_all(".cal-year h2 a", "links => links.map(a => a.href)")
    assert years == [f"{base}archive/{y}/" for y in sorted({i.date.year for i in issues}, reverse=True)]
    months = page.eval_on_selector_all(".month-index a", "links => links.map(a => a.href)")
    assert sorted(months) == sorted({f"{base}archive/{i.date.year}/#m{i.date.year}-{i.date.month}" for i in issues})
    linked, anchors = [], []
    for url in years:
        page.goto(url)
        linked += page.eval_on_selector_all(".cal-grid a", """links => links.map(a => [
            a.dataset.date, a.href, a.textContent])""")
        anchors += page.eval_on_selector_all(".cal-month h2", "hs => hs.map(h => location.href + '#' + h.id)")
    assert sorted(linked) == sorted([i.date.isoformat(), base + i.url, str(i.date.day)] for i in issues)
    assert sorted(anchors) == sorted(months)   # every month the overview links to is on its year's page
    page.close()


def test_jump_to_an_issue_date_goes_to_that_issue(context, served):
    issue = library_of(FIXTURE).issues[-1]
    page = open_page(context, served, "fixture", "archive/")
    page.fill("#jump-date", issue.date.isoformat())
    page.press("#jump-date", "Enter")
    page.wait_for_url(served["fixture"] + issue.url)
    page.close()


def test_jump_to_a_day_without_an_issue_says_so_and_goes_to_the_nearest(context, served):
    issues = library_of(FIXTURE).issues
    first = issues[0].date
    wanted = next(first + dt.timedelta(days=n) for n in range(1, 4)
                  if first + dt.timedelta(days=n) not in {i.date for i in issues})
    nearest = min(issues, key=lambda i: (abs((i.date - wanted).days), i.date))
    page = open_page(context, served, "fixture", f"archive/{wanted.year}/")
    page.fill("#jump-date", wanted.isoformat())
    page.click(".jump-date button")
    status = page.locator("#jump-status")
    status.wait_for(state="attached")
    page.wait_for_function("document.getElementById('jump-status').textContent !== ''")
    assert status.text_content() == f"{wanted.isoformat()} 没有报道，正在前往最近的一期：{nearest.date.isoformat()}"
    page.wait_for_url(served["fixture"] + nearest.url)
    page.close()


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """The fixture archive with its first issue also on 2024-12-31, built and served."""
    work = tmp_path_factory.mktemp("two-years")
    content = work / "content"
    shutil.copytree(FIXTURE, content)
    first = library_of(FIXTURE).issues[0].url
    shutil.copytree(content / first, content / "2024" / "12" / "31")
    assert build(content, work / "site") == 0
    server, base = serve_folder(work / "site")
    yield base
    server.shutdown()


def test_jump_from_a_year_page_goes_to_the_nearest_issue_of_another_year(context, two_years):
    page = context.new_page()
    page.goto(two_years + "archive/2025/")
    assert page.eval_on_selector(".prev-next a[rel=prev]", "a => a.href") == two_years + "archive/2024/"
    assert page.eval_on_selector("#jump-date", "i => [i.min, i.max]") == ["2025-01-01", "2025-12-31"]
    page.fill("#jump-date", "2025-01-02")
    page.click(".jump-date button")
    page.wait_for_function("document.getElementById('jump-status').textContent !== ''")
    assert page.locator("#jump-status").text_content() == "2025-01-02 没有报道，正在前往最近的一期：2024-12-31"
    page.wait_for_url(two_years + "2024/12/31/")
    page.close()


# ---------------------------------------------------------------- citation, copy, share

@pytest.mark.parametrize("site, url, citation", [
    ("content", "2025/06/24/03/linyi-tongxun/", "曹欣怡. “五多”社区如何焕新生？[N]. 运城日报, 2025-06-24(3)."),
    ("content", "2025/03/25/03/wenxi-tongxun/", "邢智轩, 薛哲. 巡察监督让文物“活”起来[N]. 运城日报, 2025-03-25(3)."),
    ("content", "2025/11/26/03/wanrong-tupian/", "茹雅. 黄河滩涂稻浪香[N]. 运城日报, 2025-11-26(3)."),
    ("fixture", CREDITED, "邢智轩, 薛哲. 巡察监督让文物“活”起来[N]. 运城日报, 2025-06-24(4)."),
])
def test_citation_follows_gb_t_7714_for_newspaper_articles(context, served, site, url, citation):
    page = open_page(context, served, site, url)
    assert page.text_content(".cite-text") == citation
    assert page.get_attribute(".permalink a", "href") == "https://archive.example.org/" + url
    page.close()


def test_copy_buttons_copy_the_citation_and_the_permalink(context, served):
    page = open_page(context, served, "fixture", ARTICLE)
    for selector, expected in (("#cite-text", page.text_content("#cite-text")),
                               ("#permalink", "https://archive.example.org/" + ARTICLE)):
        page.click(f"button[data-copy='{selector}']")
        page.wait_for_function("document.getElementById('cite-status').textContent.startsWith('已复制')")
        assert clipboard(page) == expected
    page.close()


def test_share_copies_the_link_where_the_browser_cannot_share(context, served):
    context.add_init_script("Object.defineProperty(Navigator.prototype, 'share', {value: undefined, configurable: true})")
    page = open_page(context, served, "fixture", ARTICLE)
    assert page.evaluate("navigator.share") is None
    page.click("button[data-share]")
    page.wait_for_function("document.getElementById('cite-status').textContent === '链接已复制'")
    assert clipboard(page) == "https://archive.example.org/" + ARTICLE
    page.close()


def test_share_uses_the_system_share_sheet_where_there_is_one(context, served):
    context.add_init_script("""Object.defineProperty(Navigator.prototype, 'share', {configurable: true,
        value: function (data) { window.shared = data; return Promise.resolve(); }})""")
    page = open_page(context, served, "fixture", ARTICLE)
    page.click("button[data-share]")
    shared = page.wait_for_function("window.shared").json_value()
    assert shared["url"] == "https://archive.example.org/" + ARTICLE
    assert shared["title"].startswith(page.text_content("h1"))
    page.close()


# ---------------------------------------------------------------- print

def test_print_shows_the_article_with_its_source_and_permalink_only(context, served):
    page = open_page(context, served, "fixture", ARTICLE)
    page.emulate_media(media="print")
    for selector in (".headline", ".article-body", ".article-meta", ".byline", ".cite-text", ".permalink a"):
        assert page.is_visible(selector), selector
    meta = page.text_content(".article-meta")
    assert "运城日报" in meta and "2025年6月24日" in meta and "第3版" in meta
    assert page.text_content(".permalink a") == "https://archive.example.org/" + ARTICLE
    for selector in (".masthead", ".site-nav", ".site-search", ".breadcrumb", ".prev-next", ".related",
                     ".site-footer", ".reader-actions"):
        assert page.locator(selector).count() == 1, selector
        assert not page.is_visible(selector), selector
    assert page.eval_on_selector_all("button", "bs => bs.filter(b => b.checkVisibility()).length") == 0
    page.emulate_media(media="screen")
    assert page.is_visible(".site-nav") and page.is_visible("button[data-share]")
    page.close()


# ---------------------------------------------------------------- keyboard, focus, text size

FOCUSED = "() => { const e = document.activeElement; return e.tagName + (e.dataset.copy ? '[' + e.dataset.copy + ']' : ''); }"


def test_tab_reaches_the_copy_button_and_enter_copies(context, served):
    page = open_page(context, served, "fixture", ARTICLE)
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == "BUTTON[#cite-text]":
            break
    else:
        pytest.fail("Tab never reached the copy button")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('cite-status').textContent.startsWith('已复制')")
    assert clipboard(page) == page.text_content("#cite-text")
    assert page.evaluate(FOCUSED) == "BUTTON[#cite-text]"   # focus stays on the button
    page.close()


@pytest.mark.parametrize("url", ["", ARTICLE, "archive/", "county/linyi/"])
def test_every_control_shows_a_focus_ring_when_reached_by_keyboard(context, served, url):
    page = open_page(context, served, "fixture", url)
    seen = []
    for _ in range(400):
        page.keyboard.press("Tab")
        ring = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            const again = e.hasAttribute('data-seen'); e.setAttribute('data-seen', '');
            return [e.tagName, e.outerHTML.slice(0, 80), s.outlineStyle, parseFloat(s.outlineWidth), again]; }""")
        if ring[0] == "BODY" or ring[4]:   # past the last control, or round again
            break
        seen.append(ring)
    assert len(seen) > 10
    assert {r[0] for r in seen} >= {"A", "INPUT", "BUTTON"}
    assert [r for r in seen if r[2] == "none" or r[3] < 2] == []
    page.close()


def test_text_follows_the_browsers_default_font_size(context, served):
    sizes = """() => ['.article-body p', '.headline', '.site-nav a', '.cite-text', '.item-title a', 'button']
        .map(s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"""
    page = open_page(context, served, "fixture", ARTICLE)
    normal = page.evaluate(sizes)
    # The reader's setting (chrome://settings/fonts), not an author style: CDP sets the
    # browser's default font size, as the settings page does.
    session = context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}})
    page.reload()
    large = page.evaluate(sizes)
    assert [round(b / a, 2) for a, b in zip(normal, large)] == [1.5] * len(normal), (normal, large)
    page.close()


def test_style_sheet_sizes_text_in_rem_and_em_only():
    css = (ROOT / "assets" / "style.css").read_text(encoding="utf-8")
    screen = css[:css.index("@media print")]
    assert re.findall(r"font(?:-size)?:[^;}]*\d(?:px|pt)", screen) == []


# ---------------------------------------------------------------- weight

def test_article_page_weighs_under_50_kb_gzipped_and_blocks_on_nothing_external(context, served):
    library = library_of(ROOT / "content")
    article = max(library.articles, key=lambda a: len(a.html))    # the heaviest article page
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(served["content"] + quote(article.url))
    page.wait_for_load_state("networkidle")
    sizes = {r.url: len(gzip.compress(r.body(), compresslevel=6)) for r in responses
             if r.request.resource_type in ("document", "stylesheet", "script")}
    kinds = sorted(r.request.resource_type for r in responses if r.url in sizes)
    # site.js and search.js; the search worker and lunr.js load only when the reader searches.
    assert kinds == ["document", "script", "script", "stylesheet"]
    assert sum(sizes.values()) <= PAGE_WEIGHT_LIMIT, sizes
    blocking = page.evaluate("""() => [...document.querySelectorAll('link[rel=stylesheet], script[src]')]
        .filter(e => e.tagName === 'LINK' || !(e.defer || e.async)).map(e => e.href || e.src)""")
    assert [u for u in blocking if not u.startswith(served["content"])] == []
    assert all(re.search(r"/assets/[\w-]+\.[0-9a-f]{10}\.(css|js)$", u) for u in sizes if u.endswith(("css", "js")))
    page.close()
