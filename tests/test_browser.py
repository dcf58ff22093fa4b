"""The built site in headless Chromium: accessibility (axe-core), keyboard use, small screens, requests."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from conftest import FIXTURE, ROOT, serve_folder
from ycarchive.errors import Problems
from ycarchive.library import build_library
from ycarchive.load import load_content

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
# Browser set-ups the accessibility checks run in: each viewport, and the dark colour scheme.
SETUPS = {"phone": ("phone", "light"), "desktop": ("desktop", "light"), "dark": ("desktop", "dark")}


def sample_urls(content) -> dict[str, str]:
    """One page of each kind from an archive, by name; only the indexes while it has no articles."""
    problems = Problems()
    library = build_library(load_content(content, problems), problems)
    if problems.errors or not library.articles:   # content_site reports the errors
        return {"home": "", "calendar": "archive/", "people": "people/", "counties": "county/", "search": "search/"}
    article = max(library.articles, key=lambda a: (len(a.counties), len(a.credited), len(a.images)))
    county = max(library.counties, key=lambda c: len(c.articles))
    person = max(library.people, key=lambda p: len(p.roles))
    return {"home": "", "article": article.url, "issue": article.page.issue.url, "page": article.page.url,
            "county": county.url, "person": person.url, "calendar": "archive/", "people": "people/",
            "counties": "county/", "search": "search/"}


SITES = {"fixture": sample_urls(FIXTURE), "content": sample_urls(ROOT / "content")}
CASES = [(site, name) for site, pages in SITES.items() for name in pages]


@pytest.fixture(scope="module")
def served(request):
    """Base URLs of the built fixture and real archives, served on 127.0.0.1."""
    servers, urls = [], {}
    for site, fixture in (("fixture", "fixture_site"), ("content", "content_site")):
        server, urls[site] = serve_folder(request.getfixturevalue(fixture))
        servers.append(server)
    yield urls
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="module")
def context_for(browser):
    """One browser context per set-up (see SETUPS), recording every request it makes."""
    contexts = {}

    def get(setup: str):
        if setup not in contexts:
            viewport, scheme = SETUPS[setup]
            context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme, locale="zh-CN")
            context.requests, context.visited = [], set()
            context.on("request", lambda request, c=context: c.requests.append(request.url))
            contexts[setup] = context
        return contexts[setup]

    yield get
    for context in contexts.values():
        context.close()


def open_page(context_for, served, setup, site, name):
    context = context_for(setup)
    context.visited.add((site, name))
    page = context.new_page()
    response = page.goto(served[site] + quote(SITES[site][name]))
    assert response.status == 200
    return page


def describe(violations: list) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.mark.parametrize("site, name, setup", [
    (site, name, setup) for site, name in CASES for setup in SETUPS
    if setup != "dark" or site == "fixture"])   # both archives share the palette: one is enough
def test_axe_finds_no_violations(context_for, served, setup, site, name):
    page = open_page(context_for, served, setup, site, name)
    try:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("""axe.run({resultTypes: ['violations']}).then(r => ({
            passes: r.passes.length, violations: JSON.parse(JSON.stringify(r.violations))}))""")
    finally:
        page.close()
    assert result["passes"] > 10   # axe did check the page
    result = result["violations"]
    # Every impact fails, not only serious and critical: the pages are clean and should stay so.
    assert result == [], f"{site} {name} ({setup}):\n" + describe(result)


@pytest.mark.parametrize("site, name", CASES)
def test_no_horizontal_scrolling_on_a_phone(context_for, served, site, name):
    page = open_page(context_for, served, "phone", site, name)
    try:
        width = page.evaluate("document.scrollingElement.scrollWidth")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 360.5)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)""")
    finally:
        page.close()
    assert width <= 360, f"{name}: scrollWidth {width}; too wide: {wide}"


@pytest.mark.parametrize("site, name", CASES)
def test_lang_is_zh_cn(context_for, served, site, name):
    page = open_page(context_for, served, "desktop", site, name)
    try:
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
    finally:
        page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_tab_reaches_skip_link_then_search_and_skip_link_focuses_main(context_for, served, viewport):
    page = open_page(context_for, served, viewport, "fixture", "article")
    focused = "() => { const e = document.activeElement; return [e.tagName, e.id, e.className, e.textContent.trim()]; }"
    try:
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == ["A", "", "skip-link", "跳到正文"]
        assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0   # visible when focused
        page.keyboard.press("Tab")
        assert page.evaluate(focused)[:3] == ["A", "", "masthead-title"]   # the site title, then search
        page.keyboard.press("Tab")
        assert page.evaluate(focused)[:2] == ["INPUT", "site-search-q"]
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(focused)[2] == "skip-link"
        page.keyboard.press("Enter")
        assert page.evaluate(focused)[:2] == ["MAIN", "main"]
        assert page.url.endswith("#main")
    finally:
        page.close()


def test_no_request_leaves_the_local_server(context_for, served):
    # The contexts record the requests of every test in this module; open what they did not.
    for setup in ("phone", "desktop"):
        for site, name in CASES:
            if (site, name) not in context_for(setup).visited:
                open_page(context_for, served, setup, site, name).close()
    requests = [url for setup in SETUPS for url in context_for(setup).requests]
    assert len(requests) >= 2 * len(CASES)
    assert sorted({u for u in requests if urlsplit(u).hostname != "127.0.0.1"}) == []
