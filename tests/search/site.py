"""A small static site around the search page, and a loopback server, for browser tests and benchmarks.

The site lives under a sub-path (`/archive/`) and uses fingerprinted asset names, as the real
generator does, so the scripts must find the root from their own URL.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import jinja2

from ycarchive.search import SearchDoc, build_search_files
from ycarchive.serve import serve_static

REPO = Path(__file__).resolve().parent.parent.parent
SUBPATH = "archive/"
BASE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{% block title %}{{ site.title }}{% endblock %}</title>
{% block head %}{% endblock %}</head><body>
<header><form class="site-search" role="search" action="{{ root }}search/">
<label for="site-search-q">搜索报道</label><input id="site-search-q" type="search" name="q" autocomplete="off">
<button type="submit">搜索</button></form></header>
<main id="main">{% block main %}{% endblock %}</main>
<script src="{{ asset('search.js') }}" data-worker="{{ asset('search-worker.js') }}"
 data-lunr="{{ asset('vendor/lunr.min.js') }}" defer></script>
{% block scripts %}{% endblock %}
</body></html>
"""
ARTICLE = """{% extends "base.html" %}{% block main %}<article data-pagefind-body>
{% if doc.kicker %}<p>{{ doc.kicker }}</p>{% endif %}<h1>{{ doc.title }}</h1>
{% if doc.subtitle %}<p>{{ doc.subtitle }}</p>{% endif %}
{% for p in doc.text.split("\\n") if p.strip() %}<p>{{ p }}</p>
{% endfor %}<footer>{% for v in [doc.column] + doc.counties|list + doc.people|list + doc.tags|list if v %}<p>{{ v }}</p>
{% endfor %}</footer></article>{% endblock %}"""


class Named:
    def __init__(self, name):
        self.name = name


def fingerprint_assets() -> tuple[dict[str, str], dict[str, bytes]]:
    """The search assets under fingerprinted names, as the generator copies them."""
    names, files = {}, {}
    for rel in ("search.js", "search-worker.js", "vendor/lunr.min.js"):
        data = (REPO / "assets" / rel).read_bytes()
        stem, _, suffix = rel.rpartition(".")
        dest = f"assets/{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"
        names[rel] = dest
        files[dest] = data
    return names, files


def render_pages(docs: list[SearchDoc], articles: bool = True) -> dict[str, bytes]:
    """The search page, one page per article (optional) and a home page, keyed by dest_path."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([
            jinja2.DictLoader({"base.html": BASE, "article.html": ARTICLE}),
            jinja2.FileSystemLoader(str(REPO / "templates")),
        ]),
        autoescape=True, undefined=jinja2.StrictUndefined,
    )
    names, files = fingerprint_assets()
    context = dict(
        site={"title": "报道档案"},
        counties=[Named(n) for n in sorted({c for d in docs for c in d.counties})],
        sections=[Named(n) for n in sorted({d.section for d in docs})],
        years=sorted({int(d.date[:4]) for d in docs}, reverse=True),
        people=[Named(n) for n in sorted({p for d in docs for p in d.people})],
    )

    def page(template, url, **extra):
        depth = url.count("/")
        root = "../" * depth if depth else "./"
        html = env.get_template(template).render(root=root, asset=lambda n: root + names[n], **context, **extra)
        return html.encode("utf-8")

    files["search/index.html"] = page("search.html", "search/")
    files["index.html"] = page("article.html", "", doc=SearchDoc(
        id="home", url="", title="首页", kicker="", subtitle="", date="2025-01-01", counties=(),
        section="", column="", people=(), tags=(), text="报道档案首页。"))
    if articles:
        for d in docs:
            files[d.url + "index.html"] = page("article.html", d.url, doc=d)
    return files


def write_site(docs: list[SearchDoc], out: Path, articles: bool = True, search_files=None) -> Path:
    """Write the site under out/SUBPATH and return the site root folder."""
    site = out / SUBPATH
    if site.exists():
        shutil.rmtree(site)
    files = render_pages(docs, articles)
    files.update(search_files if search_files is not None else build_search_files(docs))
    for dest, data in files.items():
        path = site / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return site


def serve(folder: Path):
    """Serve folder on 127.0.0.1 (a free port) in a thread; return (server, base URL)."""
    return serve_static(folder)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
