"""The built site as a whole: links, cross-references, determinism, sub-paths, metadata, validity."""
from __future__ import annotations

import filecmp
import functools
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

import feedparser
import pytest

from conftest import FIXTURE, ROOT, build, serve_folder
from ycarchive.errors import Problems
from ycarchive.library import build_library
from ycarchive.load import load_content
from ycarchive.model import ROLES

SITES = ["fixture_site", "content_site", "paged_site"]
SUB_BASE = "https://example.org/archive/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Attributes that point at another file of the site.
LINK_ATTRS = {("a", "href"), ("area", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
              ("source", "src"), ("iframe", "src"), ("form", "action")}


# ---------------------------------------------------------------- helpers

@pytest.fixture(scope="session")
def paged_site(tmp_path_factory) -> Path:
    """The fixture archive with two articles per listing page, so numbered sub-pages exist."""
    content = tmp_path_factory.mktemp("paged") / "content"
    shutil.copytree(FIXTURE, content)
    site_yml = content / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    site_yml.write_text(re.sub(r"(?m)^per_page: \d+$", "per_page: 2", text), encoding="utf-8")
    out = content.parent / "site"
    assert build(content, out, "--strict") == 0
    return out


def content_of(site: Path) -> Path:
    """The content folder a test site was built from."""
    if site.parent.name.startswith("paged"):
        return site.parent / "content"
    return FIXTURE if site.parent.name.startswith("fixture") else ROOT / "content"


@functools.lru_cache(maxsize=None)
def library_for(content: Path):
    problems = Problems()
    library = build_library(load_content(content, problems), problems)
    assert not problems.errors, problems.errors
    return library


class PageParser(HTMLParser):
    """Collect the links, ids and meta data of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []     # (tag, raw URL)
        self.ids: set[str] = set()
        self.meta: dict[str, str] = {}
        self.canonical: list[str] = []
        self.lang: str | None = None
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        for attr in ("href", "src", "action", "xlink:href"):
            if attr in a and ((tag, attr) in LINK_ATTRS or attr == "xlink:href"):
                self.links.append((tag, a[attr]))
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a.get("href", ""))
        if tag == "meta" and "property" in a:
            self.meta[a["property"]] = a.get("content", "")
        if tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data


@functools.lru_cache(maxsize=None)
def parse_site(site: Path) -> dict[str, PageParser]:
    """Every HTML file of a built site, by path relative to the site."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        parser = PageParser()
        with open(path, encoding="utf-8") as handle:
            parser.feed(handle.read())
        parser.close()
        pages[path.relative_to(site).as_posix()] = parser
    return pages


@functools.lru_cache(maxsize=None)
def site_base(site: Path) -> str:
    """The absolute base URL a site was built for (from its robots.txt)."""
    with open(site / "robots.txt", encoding="utf-8") as handle:
        return re.search(r"^Sitemap: (.*)sitemap\.xml$", handle.read(), re.M).group(1)


def resolve(site: Path, page: str, url: str) -> tuple[str, str] | None:
    """Turn a link on `page` into (site-relative file path, fragment), or None if it leaves the site."""
    base = site_base(site)
    if url.startswith(base):
        url = url[len(base):]
        target = urljoin("http://site.invalid/", url)
    else:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            return None
        target = urljoin("http://site.invalid/" + quote(page), url)
    target, fragment = urldefrag(target)
    path = unquote(urlsplit(target).path)[1:]
    if path == "" or path.endswith("/"):
        path += "index.html"
    return path, unquote(fragment)


def page_url(dest: str) -> str:
    """The site URL of an HTML file, e.g. 'county/linyi/index.html' -> 'county/linyi/'."""
    return dest[: -len("index.html")] if dest.endswith("index.html") else dest


def links_from(site: Path, dest: str) -> set[str]:
    """Site-relative files that a page links to."""
    out = set()
    for _, url in parse_site(site)[dest].links:
        resolved = resolve(site, dest, url)
        if resolved:
            out.add(resolved[0])
    return out


# ---------------------------------------------------------------- links

@pytest.mark.parametrize("site_name", SITES)
def test_no_broken_internal_links(site_name, request):
    site = request.getfixturevalue(site_name)
    pages = parse_site(site)
    broken = []
    for dest, parser in pages.items():
        for tag, url in parser.links:
            resolved = resolve(site, dest, url)
            if resolved is None:
                continue
            path, fragment = resolved
            if not (site / path).is_file():
                broken.append(f"{dest}: <{tag}> {url}: no file {path}")
            elif fragment and fragment not in pages[path].ids:
                broken.append(f"{dest}: <{tag}> {url}: no id '{fragment}' in {path}")
    assert broken == []


@pytest.mark.parametrize("site_name", SITES)
def test_no_orphan_pages_or_feeds(site_name, request):
    site = request.getfixturevalue(site_name)
    linked = set()
    for dest in parse_site(site):
        linked |= links_from(site, dest) - {dest}
    pages = set(parse_site(site)) - {"index.html", "404.html"}   # 404.html is served for missing URLs
    feeds = {p.relative_to(site).as_posix() for p in site.rglob("*.xml") if p.name == "feed.xml"}
    assert sorted(pages - linked) == []
    assert sorted(feeds - linked) == []
    assert "feed.xml" in feeds


def test_internal_links_in_404_page_are_absolute(fixture_site):
    links = [url for tag, url in parse_site(fixture_site)["404.html"].links 
             if tag in ("a", "form", "link") and not url.startswith("#")]
    assert links and all(url.startswith("https://archive.example.org/") for url in links)


# ---------------------------------------------------------------- cross-references from content

@pytest.mark.parametrize("site_name", SITES)
def test_article_pages_link_to_counties_people_issue_and_page(site_name, request):
    site = request.getfixturevalue(site_name)
    library = library_for(content_of(site))
    missing = []
    for article in library.articles:
        expected = {f"{c.url}index.html" for c in article.counties}
        expected |= {f"{p.url}index.html" for people in article.people.values() for p in people}
        expected |= {f"{article.page.issue.url}index.html", f"{article.page.url}index.html"}
        lacking = expected - links_from(site, f"{article.url}index.html")
        if lacking:
            missing.append((article.url, sorted(lacking)))
    assert missing == []


def _links_under(site: Path, prefix: str) -> set[str]:
    """Everything linked from the page at `prefix` and from its sub-pages."""
    out = set()
    for dest in parse_site(site):
        if dest.startswith(prefix):
            out |= links_from(site, dest)
    return out


@pytest.mark.parametrize("site_name", SITES)
def test_county_and_person_pages_link_to_all_their_articles(site_name, request):
    site = request.getfixturevalue(site_name)
    library = library_for(content_of(site))
    missing = []
    for owner in library.counties + library.people:
        assert (site / owner.url / "index.html").is_file(), owner.url
        lacking = {f"{a.url}index.html" for a in owner.articles} - _links_under(site, owner.url)
        if lacking:
            missing.append((owner.url, sorted(lacking)))
    assert missing == []


def test_paged_site_has_numbered_sub_pages(paged_site):
    """With two articles a page, busy people and counties get numbered pages for the tests above."""
    library = library_for(content_of(paged_site))
    expected, found = set(), set()
    for person in library.people:
        for role, arts in person.roles.items():
            if len(arts) > 2:
                role_url = f"{person.url}{ROLES[role][1]}/"
                expected |= {f"{role_url}index.html"} | {f"{role_url}page/{n}/index.html"
                                                         for n in range(1, (len(arts) + 1) // 2 + 1)}
    for county in library.counties:
        if len(county.articles) > 2:
            expected |= {f"{county.url}page/{n}/index.html" for n in range(1, (len(county.articles) + 1) // 2 + 1)}
    found = {dest for dest in parse_site(paged_site) if dest.startswith(("people/", "county/"))
             and ("/page/" in dest or dest.count("/") == 3)}
    assert expected and sorted(found) == sorted(expected)


# ---------------------------------------------------------------- determinism

@pytest.mark.parametrize("content", [FIXTURE, ROOT / "content"], ids=["fixture", "content"])
def test_two_builds_are_byte_identical(content, tmp_path):
    assert build(content, tmp_path / "a") == 0
    assert build(content, tmp_path / "b") == 0
    files_a = sorted(p.relative_to(tmp_path / "a").as_posix() for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b").as_posix() for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", files_a, shallow=False)
    assert (mismatch, errors) == ([], [])


# ---------------------------------------------------------------- sub-path

@pytest.fixture(scope="module")
def sub_site(tmp_path_factory) -> Path:
    """The fixture archive built for https://example.org/archive/, placed at <parent>/archive/."""
    out = tmp_path_factory.mktemp("subpath") / "archive"
    assert build(FIXTURE, out, "--strict", "--base-url", SUB_BASE) == 0
    return out


def test_sub_path_canonical_feeds_sitemap_and_robots(sub_site):
    for dest, parser in parse_site(sub_site).items():
        if dest == "404.html":
            continue
        assert parser.canonical == [SUB_BASE + quote(page_url(dest))], dest
    for feed in sub_site.rglob("feed.xml"):
        root = ET.parse(feed).getroot()
        urls = [root.find(f"{ATOM}id").text] + [link.get("href") for link in root.iter(f"{ATOM}link")]
        urls += [e.text for e in root.iter(f"{ATOM}id")]
        assert all(u.startswith(SUB_BASE) for u in urls), feed
        self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
        assert self_link == SUB_BASE + quote(feed.relative_to(sub_site).as_posix())
    locs = [loc.text for loc in ET.parse(sub_site / "sitemap.xml").getroot().iter(f"{SITEMAP_NS}loc")]
    assert locs and all(loc.startswith(SUB_BASE) for loc in locs)
    assert SUB_BASE in locs
    with open(sub_site / "robots.txt", encoding="utf-8") as handle:
        assert f"Sitemap: {SUB_BASE}sitemap.xml" in handle.read().splitlines()
    with open(sub_site / "404.html", encoding="utf-8") as handle:
        assert 'href="https://example.org/archive/assets/site.' in handle.read()


def test_sub_path_site_works_in_a_browser(sub_site, browser):
    library = library_for(FIXTURE)
    accent = library.site["colours"]["accent"].lstrip("#")
    server, base = serve_folder(sub_site.parent)
    page = browser.new_page()
    try:
        page.goto(base + "archive/")
        assert page.title() == library.site["title"]
        first = library.issues[-1].pages[0].articles[0]
        page.locator(".latest-issue .item-title a", has_text=first.title).first.click()
        page.wait_for_load_state()
        assert page.url == base + "archive/" + quote(first.url)
        assert page.locator("h1.headline").inner_text() == first.title
        colour = page.eval_on_selector(".masthead", "e => getComputedStyle(e).borderTopColor")
        assert colour == "rgb({}, {}, {})".format(*(int(accent[i:i + 2], 16) for i in (0, 2, 4)))
    finally:
        page.close()
        server.shutdown()


# ---------------------------------------------------------------- metadata

@pytest.mark.parametrize("site_name", SITES[:2])
def test_article_json_ld_open_graph_and_canonical(site_name, request):
    site = request.getfixturevalue(site_name)
    library = library_for(content_of(site))
    base = site_base(site)
    for article in library.articles:
        parser = parse_site(site)[f"{article.url}index.html"]
        canonical = base + quote(article.url)
        assert parser.canonical == [canonical]
        assert len(parser.json_ld) == 1
        ld = json.loads(parser.json_ld[0])
        assert (ld["@type"], ld["headline"], ld["datePublished"]) == \
            ("NewsArticle", article.title, article.date.isoformat())
        assert ld["url"] == canonical
        assert parser.meta["og:type"] == "article"
        assert parser.meta["og:title"] == article.title
        assert parser.meta["og:url"] == canonical
        assert parser.meta["og:site_name"] == library.site["title"]
        assert parser.meta["og:description"]


@pytest.mark.parametrize("site_name", SITES[:2])
def test_every_page_is_zh_cn(site_name, request):
    site = request.getfixturevalue(site_name)
    assert {dest: p.lang for dest, p in parse_site(site).items() if p.lang != "zh-CN"} == {}


def test_search_box_in_the_header_of_every_page_but_the_search_page(fixture_site):
    pages = {p.relative_to(fixture_site).as_posix(): p.read_text(encoding="utf-8")
             for p in fixture_site.rglob("*.html")}
    without = sorted(dest for dest, html in pages.items() if 'class="site-search"' not in html)
    assert without == ["search/index.html"]
    assert re.findall(r'<input id="([^"]+)" type="search"', pages["search/index.html"]) == ["search-q"]


# ---------------------------------------------------------------- validity

# .htmlvalidate.json extends html-validate:recommended and changes one setting: doctype-style
# expects the lower-case `<!doctype html>` the templates use (both spellings are valid HTML).
HTML_VALIDATE = ROOT / "node_modules" / ".bin" / "html-validate"


@pytest.mark.parametrize("site_name", SITES[:2])
def test_html_validates(site_name, request):
    site = request.getfixturevalue(site_name)
    files = [str(site / dest) for dest in parse_site(site)]
    result = subprocess.run([str(HTML_VALIDATE), "--config", str(ROOT / ".htmlvalidate.json"), *files],
                            cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 0, result.stdout + result.stderr


def _feeds(site: Path) -> list[Path]:
    return sorted(site.rglob("feed.xml"))


@pytest.mark.parametrize("site_name", SITES[:2])
def test_feeds_match_rfc4287_schema(site_name, request):
    site = request.getfixturevalue(site_name)
    feeds = _feeds(site)
    result = subprocess.run(["jing", "-c", str(ROOT / "tests" / "schemas" / "atom.rnc"), *map(str, feeds)],
                            capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 0, result.stdout
    # The schema's Schematron rules, which jing does not run.
    for feed in feeds:
        root = ET.parse(feed).getroot()
        for entry in root.iter(f"{ATOM}entry"):
            assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
            assert entry.find(f"{ATOM}author") is not None or root.find(f"{ATOM}author") is not None


@pytest.mark.parametrize("site_name", SITES[:2])
def test_feeds_parse_with_their_articles(site_name, request):
    site = request.getfixturevalue(site_name)
    library = library_for(content_of(site))
    base = site_base(site)
    owners = [("feed.xml", "", library.articles)] + [(f"{c.url}feed.xml", c.url, c.articles)
                                                      for c in library.counties]
    assert sorted(f for f, _, _ in owners) == sorted(p.relative_to(site).as_posix() for p in _feeds(site))
    for feed_path, page, articles in owners:
        parsed = feedparser.parse((site / feed_path).read_bytes())
        assert not parsed.bozo, (feed_path, parsed.get("bozo_exception"))
        assert parsed.feed.link == base + quote(page)
        assert [link.href for link in parsed.feed.links if link.rel == "self"] == [base + quote(feed_path)]
        newest = sorted(articles, key=lambda a: a.sort_key, reverse=True)[:50]
        assert [e.link for e in parsed.entries] == [base + quote(a.url) for a in newest]
        assert [e.title for e in parsed.entries] == [a.title for a in newest]
        assert [e.published[:10] for e in parsed.entries] == [a.date.isoformat() for a in newest]


@pytest.mark.parametrize("site_name", SITES[:2])
def test_sitemap_lists_every_page_by_absolute_url(site_name, request):
    site = request.getfixturevalue(site_name)
    base = site_base(site)
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP_NS}urlset"
    locs = [loc.text for loc in root.iter(f"{SITEMAP_NS}loc")]
    assert all(loc.startswith(base) for loc in locs)
    files = sorted(resolve(site, "", loc)[0] for loc in locs)
    assert files == sorted(set(parse_site(site)) - {"404.html"})
    with open(site / "robots.txt", encoding="utf-8") as handle:
        assert f"Sitemap: {base}sitemap.xml" in handle.read().splitlines()
