"""Benchmark the build on a synthetic archive, side by side with Hugo and Pelican.

    python bench/build_bench.py [--articles 10000] [--work DIR] [--skip-hugo] [--skip-pelican]
                                [--big] [--check] [--seeds DIR]

In one run, in a work folder outside the repository (a new folder under /tmp by default):

1. bench/synth.py writes N synthetic articles as content/ (from the seed pages, or from the
   plain text in --seeds DIR, e.g. real news made by bench/news_seeds.py).
2. Full builds, each a separate process with a clean output folder, timed by wall clock, with
   peak memory (ru_maxrss from os.wait4): ours (`build.py`, search index included), Hugo
   (`hugo --quiet`, Debian's package; twice: with its related content and without, see
   HUGO_RELATED) and Pelican (`python -m pelican`), the last two on the same articles converted
   to their formats with equivalent page types (see docs/performance.md for what each one
   builds). Prints a table with our time over theirs.
3. Incremental builds of ours on the built archive: no change, add one article, edit one
   article's body, delete one article, edit one template (person.html, in a copy of templates/
   passed with --templates). Each reports seconds and files written; the output tree is compared
   before and after (inode, mtime_ns, size, and a hash of the bytes) to say which kinds of files
   were rewritten and whether any was rewritten with the same bytes.
4. With --big, a full build of ours at 100,000 articles (slow).
5. PASS/FAIL for each target. Exit status 0 unless --check is given and a target failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402

sys.path.insert(0, str(ROOT))
from ycarchive.stamp import RACY_SECONDS  # noqa: E402
from ycarchive.write import MANIFEST  # noqa: E402

SUMMARY = re.compile(r"^built (\d+) articles: (\d+) files written, (\d+) unchanged, (\d+) removed\b.* in ([\d.]+) s$",
                     re.MULTILINE)
ROLE_KEYS = ("reporters", "correspondents", "photographers", "authors", "editor", "art_editor", "proofreader")
ROLE_LABELS = {"reporters": "记者", "correspondents": "通讯员", "photographers": "摄影", "authors": "作者",
               "editor": "责编", "art_editor": "美编", "proofreader": "校对"}
BIG_ARTICLES = 100_000
TEMPLATE_MARK = "<!-- bench: harmless template edit -->\n"

# Targets from the issue.
RATIO_MAX = 1.0
BIG_SECONDS_MAX = 600.0
BIG_MB_MAX = 2048.0
ADD_SECONDS_MAX = 1.0
NOCHANGE_SECONDS_MAX = 0.5


@dataclass
class Run:
    """One finished build process."""

    tool: str
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str
    system: float = 0.0   # CPU seconds in the kernel, the process's and its children's


@dataclass
class FullBuild:
    tool: str
    run: Run
    html_files: int
    all_files: int


@dataclass
class Step:
    """One incremental build of ours and what it did to the output tree."""

    name: str
    run: Run
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    build_seconds: float = 0.0                       # as the build's summary line says
    changed: list = field(default_factory=list)      # paths whose inode/mtime/size changed
    same_bytes: list = field(default_factory=list)   # of those, rewritten with identical bytes
    added: list = field(default_factory=list)
    deleted: list = field(default_factory=list)


# ---------------------------------------------------------------- running builds

def run_process(tool: str, cmd: list, cwd: Path, log: Path) -> Run:
    """Run one build as a child process; wall-clock seconds, its own peak RSS, system CPU time."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log.with_suffix(".out"), log.with_suffix(".err")
    with open(out_path, "w", encoding="utf-8") as out, open(err_path, "w", encoding="utf-8") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(tool, seconds, usage.ru_maxrss / 1024, proc.returncode,
               out_path.read_text(encoding="utf-8", errors="replace"),
               err_path.read_text(encoding="utf-8", errors="replace"), usage.ru_stime)


def count_files(folder: Path) -> tuple[int, int]:
    """(HTML files, all files) under folder, not counting our build manifest."""
    html = total = 0
    for _, _, names in os.walk(folder):
        for name in names:
            if name == MANIFEST:
                continue
            total += 1
            html += name.endswith(".html")
    return html, total


def ours_cmd(content: Path, out: Path, templates: Path) -> list:
    """Our build, with --timings: each build's steps are in its log (logs/ours-*.err)."""
    return [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out),
            "--templates", str(templates), "--timings"]


def clean_output(out: Path) -> None:
    """Remove an output folder and what our build keeps beside it (`.NAME-cache.pickle`…).

    On a file system like this machine's (ext4 without a journal), making files soon after
    tens of thousands were removed costs much more system time: for some minutes the kernel
    skips each recently freed inode, reading its inode block to find that out. So a full build
    that follows the removal of an earlier output is slower, for any tool; in a new --work
    folder nothing is removed before the full builds."""
    for path in [out, *out.parent.glob(f".{out.name}-*")]:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def check_ok(run: Run) -> None:
    if run.returncode != 0:
        sys.stderr.write(run.stdout[-3000:] + run.stderr[-3000:])
        raise SystemExit(f"{run.tool}: build failed with exit status {run.returncode}")


# ---------------------------------------------------------------- Hugo

HUGO_CONFIG = """\
baseURL = "https://archive.example.org/"
languageCode = "zh-CN"
title = "党建引领基层治理 · 报道档案"
timeZone = "Asia/Shanghai"
hasCJKLanguage = true
paginate = {per_page}
enableRobotsTXT = true
disableKinds = []
rssLimit = 20

[outputs]
home = ["HTML", "RSS", "JSON"]
section = ["HTML"]
taxonomy = ["HTML"]
term = ["HTML"]

[taxonomies]
county = "counties"
person = "people"
reporter = "reporters"
correspondent = "correspondents"
photographer = "photographers"
author = "authors"
editor = "editor"
art_editor = "art_editor"
proofreader = "proofreader"
section = "sections"
column = "columns"
tag = "tags"

[related]
threshold = 0
includeNewer = true
toLower = false
[[related.indices]]
name = "counties"
weight = 100
[[related.indices]]
name = "tags"
weight = 80
[[related.indices]]
name = "date"
weight = 10
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """\
<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title><link rel="canonical" href="{{ .Permalink }}"></head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav><a href="{{ "/counties/" | relURL }}">县区</a> <a href="{{ "/people/" | relURL }}">人物</a>
<a href="{{ "/sections/" | relURL }}">版面</a> <a href="{{ "/tags/" | relURL }}">标签</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "partials/item.html": """\
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006年1月2日" }}</time> ·
<a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a> · {{ .Params.kind }}
{{ range .GetTerms "counties" }} <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</li>
""",
    "_default/single.html": """\
{{ define "main" }}<article>
{{ with .Params.kicker }}<p class="kicker">{{ . }}</p>{{ end }}
<h1>{{ .Title }}</h1>
{{ with .Params.subtitle }}<p class="subtitle">{{ . }}</p>{{ end }}
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006年1月2日" }}</time> ·
<a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a> · {{ .Params.kind }}
{{ range .GetTerms "sections" }} · <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
{{ range .GetTerms "columns" }} · <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
<p class="counties">{{ range .GetTerms "counties" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
<p class="byline">{{ $labels := .Site.Params.roles }}{{ range $key := slice "reporters" "correspondents" "photographers" "authors" }}{{ with $.GetTerms $key }}{{ index $labels $key }}
{{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}{{ end }}{{ end }}</p>
{{ .Content }}
<p class="staff">{{ range $key := slice "editor" "art_editor" "proofreader" }}{{ with $.GetTerms $key }}{{ index $labels $key }}
{{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}{{ end }}{{ end }}</p>
<p class="tags">{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
<nav>{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
{{ partial "related.html" . }}
</article>{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ with .Sections }}<ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
<ol>{{ range .RegularPagesRecursive }}{{ partial "item.html" . }}{{ end }}</ol>
{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ end }}
""",
    "_default/term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ len .Pages }} 篇</p>
{{ $pager := .Paginate .Pages.ByDate.Reverse }}
<ol>{{ range $pager.Pages }}{{ partial "item.html" . }}{{ end }}</ol>
{{ template "_internal/pagination.html" . }}
{{ end }}
""",
    "_default/taxonomy.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}<h1>{{ .Site.Title }}</h1><p>{{ len .Site.RegularPages }} 篇</p>
<ol>{{ range first 10 .Site.RegularPages.ByDate.Reverse }}{{ partial "item.html" . }}{{ end }}</ol>
{{ end }}
""",
    "index.json": """\
{{- $docs := slice -}}
{{- range .Site.RegularPages -}}
{{- $docs = $docs | append (dict "url" .RelPermalink "title" .Title "date" (.Date.Format "2006-01-02") "counties" .Params.counties "people" .Params.people "tags" .Params.tags "text" .Plain) -}}
{{- end -}}
{{- $docs | jsonify -}}
""",
}


# Hugo's related content scores every page that shares a keyword with the article (a county, a
# tag, or the year: its date index), so its cost grows with the square of the archive: it is most
# of Hugo's time at 10,000 articles (docs/performance.md, 2026-12-03). Ours looks only at near
# neighbours in each county's and tag's list. So that the comparison does not rest on that, the
# benchmark builds Hugo's site a second time with this partial empty ("hugo-norel"), and judges
# the target against the faster of the two builds.
HUGO_RELATED = """\
{{ with first 5 (.Site.RegularPages.Related .) }}<h2>相关报道</h2>
<ol>{{ range . }}{{ partial "item.html" . }}{{ end }}</ol>{{ end }}
"""


def front_matter(meta: dict) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"


def write_hugo_site(articles: list, site: Path, per_page: int) -> None:
    """The synthetic articles as a Hugo site: one section per issue and page (版), taxonomies,
    related articles (see hugo_related)."""
    if site.exists():
        shutil.rmtree(site)
    content = site / "content"
    content.mkdir(parents=True)
    (site / "config.toml").write_text(
        HUGO_CONFIG.format(per_page=per_page)
        + "\n[params.roles]\n" + "".join(f'{k} = "{v}"\n' for k, v in ROLE_LABELS.items()),
        encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        path = site / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    hugo_related(site, True)
    folders: dict = {}
    for a in articles:
        y, m, d = a.date.split("-")
        folders.setdefault((y, m, d, a.page), []).append(a)
    made = set()
    for (y, m, d, page), arts in sorted(folders.items()):
        # Years and months are folders only; issues (days) and pages (版) are list pages, as ours.
        for rel, meta in ((f"{y}", {"title": y, "_build": {"render": "never"}}),
                          (f"{y}/{m}", {"title": f"{y}-{m}", "_build": {"render": "never"}}),
                          (f"{y}/{m}/{d}", {"title": f"{int(y)}年{int(m)}月{int(d)}日", "date": a_date(y, m, d)}),
                          (f"{y}/{m}/{d}/{page:02d}", {"title": f"第{page}版", "date": a_date(y, m, d),
                                                       "weight": page})):
            if rel not in made:
                made.add(rel)
                folder = content / rel
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "_index.md").write_text(front_matter(meta), encoding="utf-8")
        for a in arts:
            meta = {"title": a.title, "date": a_date(y, m, d), "url": "/" + a.url, "weight": a.place,
                    "kind": a.kind, "counties": a.counties, "people": a.people,
                    "reporters": a.reporters, "correspondents": a.correspondents,
                    "photographers": a.photographers, "authors": a.authors,
                    "editor": [a.editor] if a.editor else [], "sections": ["党建"], "tags": a.tags}
            if a.column:
                meta["columns"] = [a.column]
            if a.kicker:
                meta["kicker"] = a.kicker
            if a.subtitle:
                meta["subtitle"] = a.subtitle
            body = a.body + "".join(f"\n\n{c}" for c in a.captions)
            (content / f"{y}/{m}/{d}/{page:02d}" / f"{a.place:02d}-{a.slug}.md").write_text(
                front_matter(meta) + "\n" + body + "\n", encoding="utf-8")


def hugo_related(site: Path, on: bool) -> None:
    """Show related articles on the Hugo site's article pages, or not (see HUGO_RELATED)."""
    (site / "layouts" / "partials" / "related.html").write_text(HUGO_RELATED if on else "", encoding="utf-8")


def a_date(y: str, m: str, d: str) -> str:
    return f"{y}-{m}-{d}T00:00:00+08:00"


def hugo_version() -> str:
    try:
        out = subprocess.run(["hugo", "version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""
    return out.strip()


# ---------------------------------------------------------------- Pelican

PELICAN_CONF = """\
SITENAME = "党建引领基层治理 · 报道档案"
SITEURL = ""
RELATIVE_URLS = True
PATH = "content"
ARTICLE_PATHS = [""]
PAGE_PATHS = []
STATIC_PATHS = []
THEME = {theme!r}
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
DEFAULT_DATE_FORMAT = "%Y年%m月%d日"
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
SLUGIFY_USE_UNICODE = True
SLUGIFY_PRESERVE_CASE = True
DEFAULT_PAGINATION = {per_page}
PAGINATED_TEMPLATES = {{"tag": None, "category": None, "author": None}}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)
DIRECT_TEMPLATES = ["index", "tags", "categories", "authors", "archives"]
ARTICLE_URL = "{{pagedir}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{pagedir}}/{{slug}}/index.html"
CATEGORY_URL = "section/{{slug}}/"
CATEGORY_SAVE_AS = "section/{{slug}}/index.html"
CATEGORIES_SAVE_AS = "section/index.html"
TAG_URL = "tag/{{slug}}/"
TAG_SAVE_AS = "tag/{{slug}}/index.html"
TAGS_SAVE_AS = "tag/index.html"
AUTHOR_URL = "people/{{slug}}/"
AUTHOR_SAVE_AS = "people/{{slug}}/index.html"
AUTHORS_SAVE_AS = "people/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/"
DAY_ARCHIVE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/index.html"
FEED_ALL_ATOM = "feed.xml"
FEED_MAX_ITEMS = 20
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""

PELICAN_TEMPLATES = {
    "base.html": """\
<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title></head>
<body>
<header><a href="{{ SITEURL }}/">{{ SITENAME }}</a>
<nav><a href="{{ SITEURL }}/tag/">县区与标签</a> <a href="{{ SITEURL }}/people/">人物</a>
<a href="{{ SITEURL }}/section/">版面</a> <a href="{{ SITEURL }}/archive/">日历</a></nav></header>
<main>{% block content %}{% endblock %}</main>
</body>
</html>
""",
    "item.html": """\
{% macro item(a) %}<li><a href="{{ SITEURL }}/{{ a.url }}">{{ a.title }}</a>
<time datetime="{{ a.date.isoformat() }}">{{ a.locale_date }}</time> · 第{{ a.pageno }}版 · {{ a.kind }}
{% for c in a.counties.split(", ") %} <a href="{{ SITEURL }}/tag/{{ c }}/">{{ c }}</a>{% endfor %}</li>
{% endmacro %}
""",
    "article.html": """\
{% extends "base.html" %}{% from "item.html" import item %}
{% block title %}{{ article.title }} · {{ SITENAME }}{% endblock %}
{% block content %}<article>
{% if article.kicker %}<p class="kicker">{{ article.kicker }}</p>{% endif %}
<h1>{{ article.title }}</h1>
{% if article.subtitle %}<p class="subtitle">{{ article.subtitle }}</p>{% endif %}
<p class="meta"><time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time> ·
<a href="{{ SITEURL }}/{{ article.pagedir[:10] }}/">当日</a> · 第{{ article.pageno }}版 · {{ article.kind }} ·
<a href="{{ SITEURL }}/{{ article.category.url }}">{{ article.category }}</a></p>
<p class="byline">{{ article.byline }}：{% for a in article.authors %}<a href="{{ SITEURL }}/{{ a.url }}">{{ a }}</a> {% endfor %}</p>
{{ article.content }}
<p class="tags">{% for tag in article.tags %}<a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a> {% endfor %}</p>
</article>{% endblock %}
""",
    "list.html": """\
{% extends "base.html" %}{% from "item.html" import item %}
{% block title %}{{ heading }} · {{ SITENAME }}{% endblock %}
{% block content %}<h1>{{ heading }}</h1>
<ol>{% for a in articles_page.object_list %}{{ item(a) }}{% endfor %}</ol>
<nav>{% if articles_page.has_previous() %}<a href="{{ SITEURL }}/{{ articles_previous_page.url }}">上一页</a>{% endif %}
第{{ articles_page.number }}页，共{{ articles_paginator.num_pages }}页
{% if articles_page.has_next() %}<a href="{{ SITEURL }}/{{ articles_next_page.url }}">下一页</a>{% endif %}</nav>
{% endblock %}
""",
    "tag.html": '{% set heading = tag %}{% extends "list.html" %}',
    "category.html": '{% set heading = category %}{% extends "list.html" %}',
    "author.html": '{% set heading = author %}{% extends "list.html" %}',
    "terms.html": """\
{% extends "base.html" %}
{% block content %}<ul>{% for term, arts in terms %}<li><a href="{{ SITEURL }}/{{ term.url }}">{{ term }}</a> {{ arts|length }}</li>{% endfor %}</ul>
{% endblock %}
""",
    "tags.html": '{% set terms = tags %}{% extends "terms.html" %}',
    "categories.html": '{% set terms = categories %}{% extends "terms.html" %}',
    "authors.html": '{% set terms = authors %}{% extends "terms.html" %}',
    "index.html": """\
{% extends "base.html" %}{% from "item.html" import item %}
{% block content %}<p>{{ articles|length }} 篇</p>
<ol>{% for a in articles[:10] %}{{ item(a) }}{% endfor %}</ol>{% endblock %}
""",
    "archives.html": """\
{% extends "base.html" %}
{% block content %}<ul>{% for a in dates %}{% if loop.first or a.date.date() != loop.previtem.date.date() %}<li><a href="{{ SITEURL }}/{{ a.date.strftime('%Y/%m/%d') }}/">{{ a.locale_date }}</a></li>{% endif %}{% endfor %}</ul>{% endblock %}
""",
    "period_archives.html": """\
{% extends "base.html" %}{% from "item.html" import item %}
{% block content %}<h1>{{ period|join(' ') }}</h1>
<ol>{% for a in dates %}{{ item(a) }}{% endfor %}</ol>{% endblock %}
""",
    "page.html": '{% extends "base.html" %}{% block content %}{{ page.content }}{% endblock %}',
}


def pelican_byline(a) -> str:
    parts = []
    for key in ("reporters", "correspondents", "photographers", "authors"):
        names = getattr(a, key)
        if names:
            parts.append(ROLE_LABELS[key] + " " + "、".join(names))
    if a.editor:
        parts.append(f"责编 {a.editor}")
    return "  ".join(parts)


def write_pelican_site(articles: list, site: Path, per_page: int) -> None:
    """The synthetic articles as a Pelican project with a minimal theme of its own.

    Pelican has three taxonomies: category is the section, tags are the tags and the counties,
    authors are everyone credited in any role (one page per person, as ours).
    """
    if site.exists():
        shutil.rmtree(site)
    content = site / "content"
    content.mkdir(parents=True)
    theme = site / "theme"
    (site / "pelicanconf.py").write_text(PELICAN_CONF.format(theme=str(theme), per_page=per_page),
                                         encoding="utf-8")
    for name, text in PELICAN_TEMPLATES.items():
        path = theme / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (theme / "static").mkdir()
    for a in articles:
        pagedir = a.url.rsplit("/", 2)[0]
        meta = {"Title": a.title, "Date": a.date, "Slug": a.slug, "Pagedir": pagedir, "Pageno": str(a.page),
                "Category": "党建", "Tags": ", ".join(dict.fromkeys(a.tags + a.counties)),
                "Authors": ", ".join(a.people), "Counties": ", ".join(a.counties), "Kind": a.kind,
                "Byline": pelican_byline(a)}
        if a.kicker:
            meta["Kicker"] = a.kicker
        if a.subtitle:
            meta["Subtitle"] = a.subtitle
        head = "".join(f"{k}: {v}\n" for k, v in meta.items())
        body = a.body + "".join(f"\n\n{c}" for c in a.captions)
        folder = content / pagedir
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{a.place:02d}-{a.slug}.md").write_text(head + "\n" + body + "\n", encoding="utf-8")


def pelican_version() -> str:
    try:
        from importlib.metadata import version
        return version("pelican")
    except Exception:  # noqa: BLE001 - any failure means "not installed" here
        return ""


# ---------------------------------------------------------------- output tree snapshots

def snapshot(out: Path) -> dict:
    """{dest_path: (inode, mtime_ns, size, digest)} for every file under out."""
    files = {}
    for folder, _, names in os.walk(out):
        for name in names:
            path = os.path.join(folder, name)
            st = os.stat(path)
            with open(path, "rb") as handle:
                digest = hashlib.blake2b(handle.read(), digest_size=16).digest()
            files[os.path.relpath(path, out)] = (st.st_ino, st.st_mtime_ns, st.st_size, digest)
    return files


def compare(before: dict, after: dict, step: Step) -> None:
    for path, new in after.items():
        old = before.get(path)
        if old is None:
            step.added.append(path)
        elif old[:3] != new[:3]:
            step.changed.append(path)
            if old[3] == new[3]:
                step.same_bytes.append(path)
    step.deleted = sorted(set(before) - set(after))
    step.changed.sort()
    step.added.sort()


DATE_PATH = re.compile(r"^\d{4}/\d{2}/\d{2}/")


def classify(path: str, article_url: str | None) -> str:
    """The kind of an output file, from its path."""
    if path == MANIFEST:
        return "build manifest"
    if path.startswith("search/"):
        if path.startswith("search/t/"):
            return "search chunks"
        if path.startswith("search/r/"):
            return "search chunks, newest month"
        if path.startswith("search/d/"):
            return "search records"
        if path.startswith("search/f/"):
            return "search facets"
        return "search page/meta"
    if path.startswith("assets/"):
        return "assets"
    if path.endswith(".xml") or path.endswith(".txt"):
        return "feeds/sitemap/robots"
    parts = path.split("/")
    if DATE_PATH.match(path):
        if len(parts) == 6:
            return "the article" if article_url and path == f"{article_url}index.html" else "neighbour articles"
        if len(parts) == 5:
            return "page (版) pages"
        if len(parts) == 4:
            return "issue pages"
    if "/page/" in path:
        return "listings, numbered pages"
    if path.startswith("people/") and len(parts) == 3:
        return "person pages"
    if len(parts) == 3:
        return "listings, first pages"
    if path.startswith("people/") and len(parts) == 4:
        return "listings, first pages"
    if len(parts) == 2:
        return "index pages (home, terms, calendar…)"
    if path in ("index.html", "404.html"):
        return "index pages (home, terms, calendar…)"
    return "other"


def listing_spread(step: Step, after: dict) -> tuple[int, int, list]:
    """Numbered listing pages rewritten: (listings touched, most pages rewritten in one, worst)."""
    rewritten: dict = Counter()
    for path in step.changed + step.added:
        if "/page/" in path:
            rewritten[path.split("/page/")[0]] += 1
    if not rewritten:
        return 0, 0, []
    totals: dict = Counter(p.split("/page/")[0] for p in after if "/page/" in p)
    worst = sorted(rewritten, key=lambda k: -rewritten[k])[:3]
    return len(rewritten), max(rewritten.values()), [(k, rewritten[k], totals[k]) for k in worst]


# ---------------------------------------------------------------- incremental steps

def article_files(content: Path) -> list:
    return sorted(p for p in content.glob("[0-9]*/*/*/*/*.md"))


def url_of(content: Path, md: Path) -> str:
    rel = md.relative_to(content).parent.as_posix()
    return f"{rel}/{md.stem.split('-', 1)[1]}/"


def add_article(content: Path) -> str:
    """Write a new article into the newest page folder; return its URL."""
    folder = article_files(content)[-1].parent
    existing = sorted(folder.glob("*.md"))
    text = existing[0].read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    meta["title"] = "新增稿件：" + meta["title"]
    place = 1 + max(int(p.name.split("-", 1)[0]) for p in existing)
    md = folder / f"{place:02d}-bench-added.md"
    md.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body,
                  encoding="utf-8")
    return url_of(content, md)


def edit_article(content: Path) -> str:
    """Add a sentence to the body of an article in the middle of the archive; return its URL."""
    files = article_files(content)
    md = files[len(files) // 2]
    with open(md, "a", encoding="utf-8") as handle:
        handle.write("\n本文有改动。\n")
    return url_of(content, md)


def delete_article(content: Path) -> str:
    """Delete an article a third of the way into the archive; return its URL."""
    files = article_files(content)
    md = files[len(files) // 3]
    url = url_of(content, md)
    md.unlink()
    return url


def edit_template(templates: Path) -> None:
    """A visible, harmless change to person.html: an HTML comment at the end of its main block."""
    path = templates / "person.html"
    text = path.read_text(encoding="utf-8")
    head, sep, tail = text.rpartition("{% endblock %}")
    if not sep:
        raise SystemExit(f"{path}: no '{{% endblock %}}' to put the edit before")
    path.write_text(head + TEMPLATE_MARK + sep + tail, encoding="utf-8")


def run_step(name: str, content: Path, out: Path, templates: Path, work: Path) -> Step:
    before = snapshot(out)
    run = run_process("ours", ours_cmd(content, out, templates), work, work / "logs" / f"ours-{slug(name)}")
    check_ok(run)
    step = Step(name, run)
    m = SUMMARY.search(run.stdout)
    if not m:
        raise SystemExit(f"ours: no summary line in the build's output:\n{run.stdout[-2000:]}")
    step.written, step.unchanged, step.removed, step.build_seconds = int(m[2]), int(m[3]), int(m[4]), float(m[5])
    compare(before, snapshot(out), step)
    return step


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------- report

def compile_bytecode(code: Path) -> str:
    """Write the bytecode cache of the generator in `code` (a checkout or an exported copy)
    before anything is timed, as installing a package does and as a user's first build would.
    This machine sets PYTHONDONTWRITEBYTECODE=1, under which every build had compiled its 5,000
    lines of Python again (bench/micro_timings.py times importing them either way). Also used
    by bench/incremental_side_by_side.py and bench/full_side_by_side.py."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "ycarchive"), str(code / "build.py")],
                   check=True)
    return "compiled beforehand" + (" (PYTHONDONTWRITEBYTECODE is set here)"
                                    if os.environ.get("PYTHONDONTWRITEBYTECODE") else "")


def machine_info() -> list:
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "build.py", "ycarchive",
                                "templates", "assets"], capture_output=True, text=True).stdout.split("\n")
        dirty = [line[3:] for line in dirty if line.strip()]
        if dirty:
            commit += " plus uncommitted changes to " + ", ".join(dirty)
    except OSError:
        commit = ""
    return [("date", dt.date.today().isoformat()), ("cpu", f"{cpu or platform.processor()} × {os.cpu_count()}"),
            ("python", platform.python_version()), ("commit", commit or "?"),
            ("hugo", hugo_version() or "-"), ("pelican", pelican_version() or "-"),
            ("bytecode", compile_bytecode(ROOT))]


def print_full_table(n: int, builds: list) -> None:
    print(f"\nfull build, {n} articles (clean output folder, wall clock, each a separate process)")
    print(f"{'tool':<10} {'seconds':>9} {'articles/s':>11} {'peak MB':>9} {'HTML files':>11} {'all files':>10}"
          f" {'ours ÷ theirs':>14} {'system s':>9}")
    ours = builds[0].run.seconds
    for b in builds:
        ratio = ours / b.run.seconds if b.run.seconds else float("nan")
        print(f"{b.tool:<10} {b.run.seconds:9.2f} {n / b.run.seconds:11.1f} {b.run.peak_mb:9.1f}"
              f" {b.html_files:11d} {b.all_files:10d} {ratio:14.2f} {b.run.system:9.2f}")
    print("(system s: CPU seconds in the kernel, the build's processes together; see clean_output)")


def print_steps(n: int, steps: list, urls: dict, after_trees: dict) -> None:
    print(f"\nincremental builds of ours on the built {n}-article archive (wall clock)")
    print(f"{'step':<26} {'seconds':>8} {'build s':>8} {'written':>8} {'unchanged':>10} {'removed':>8}"
          f" {'same bytes':>11}")
    for s in steps:
        print(f"{s.name:<26} {s.run.seconds:8.2f} {s.build_seconds:8.2f} {s.written:8d} {s.unchanged:10d}"
              f" {s.removed:8d} {len(s.same_bytes):11d}")
    print("(seconds: wall clock of the process; build s: what its summary line says; same bytes: files "
          "rewritten whose bytes did not change)")
    for s in steps:
        touched = s.changed + s.added
        if not touched and not s.deleted:
            continue
        kinds = Counter(classify(p, urls.get(s.name)) for p in touched)
        gone = Counter(classify(p, urls.get(s.name)) for p in s.deleted)
        print(f"\n{s.name}: files rewritten or added, by kind")
        for kind, count in sorted(kinds.items(), key=lambda kv: -kv[1]):
            print(f"  {kind:<40} {count:6d}")
        for kind, count in sorted(gone.items(), key=lambda kv: -kv[1]):
            print(f"  removed: {kind:<31} {count:6d}")
        listings, most, worst = listing_spread(s, after_trees[s.name])
        if listings:
            print(f"  numbered listing pages rewritten in {listings} listing(s), at most {most} in one: "
                  + ", ".join(f"{k}/ {r} of {t}" for k, r, t in worst))
        if s.same_bytes:
            print("  rewritten with the same bytes: " + ", ".join(s.same_bytes[:5])
                  + (" …" if len(s.same_bytes) > 5 else ""))


def verdict(ok: bool | None, text: str, results: list) -> None:
    label = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
    results.append(label)
    print(f"{label} {text}")


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000, help="synthetic articles (default 10000)")
    ap.add_argument("--work", type=Path, help="work folder (default: a new folder under /tmp)")
    ap.add_argument("--skip-hugo", action="store_true")
    ap.add_argument("--skip-pelican", action="store_true")
    ap.add_argument("--big", action="store_true", help=f"also build {BIG_ARTICLES} articles (ours only; slow)")
    ap.add_argument("--check", action="store_true", help="exit 1 if a target fails")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=Path, default=synth.DEFAULT_SEEDS, help="folder of seed text (.txt)")
    args = ap.parse_args(argv)

    work = (args.work or Path(tempfile.mkdtemp(prefix="build-bench-"))).resolve()
    if work == ROOT or ROOT in work.parents:
        ap.error(f"--work {work} is inside the repository; use a folder outside it")
    work.mkdir(parents=True, exist_ok=True)
    for key, value in machine_info():
        print(f"{key:<8} {value}")
    print(f"work     {work}")

    t0 = time.perf_counter()
    articles, people = synth.generate(args.articles, args.seed, args.seeds)
    synth.write_content(articles, people, work / "src")
    print(f"synth    {len(articles)} articles in {time.perf_counter() - t0:.1f} s")
    content = work / "src" / "content"
    per_page = yaml.safe_load((content / "site.yml").read_text(encoding="utf-8"))["per_page"]
    templates = work / "templates"
    if templates.exists():
        shutil.rmtree(templates)
    shutil.copytree(ROOT / "templates", templates)
    # A file changed less than RACY_SECONDS before a build is cached without its stamp, and the
    # next build reads it again (ycarchive/load.py). Without this wait, the archive written just
    # now would be "built" with the files of synth's last seconds unstamped, and the first
    # incremental step (adding one article) would read them again too: 2,090 files at 10,000
    # articles, and reading content took that step 1.12 s against 0.4-0.6 s once they are
    # stamped (docs/performance.md, 2026-12-02 09:30-10:20 UTC).
    time.sleep(RACY_SECONDS + 0.1)

    # Full builds.
    builds = []
    out = work / "ours"
    clean_output(out)
    run = run_process("ours", ours_cmd(content, out, templates), work, work / "logs" / "ours-full")
    check_ok(run)
    builds.append(FullBuild("ours", run, *count_files(out)))
    if not args.skip_hugo:
        if not shutil.which("hugo"):
            print("hugo: not found; skipped (apt-get install hugo)")
        else:
            hugo_site = work / "hugo"
            write_hugo_site(articles, hugo_site, per_page)
            # Each build writes into a folder of its own: removing the first one's 20,000 files
            # right before the second build would slow the second (see clean_output).
            for tool, related, public in (("hugo", True, "public"), ("hugo-norel", False, "public-norel")):
                hugo_related(hugo_site, related)
                clean_output(hugo_site / public)
                run = run_process(tool, ["hugo", "--quiet", "-s", str(hugo_site), "-d", str(hugo_site / public)],
                                  work, work / "logs" / f"{tool}-full")
                check_ok(run)
                builds.append(FullBuild(tool, run, *count_files(hugo_site / public)))
    if not args.skip_pelican:
        if not pelican_version():
            print("pelican: not installed; skipped (pip install 'pelican>=4.9')")
        else:
            pel = work / "pelican"
            write_pelican_site(articles, pel, per_page)
            run = run_process("pelican", [sys.executable, "-m", "pelican", str(pel / "content"), "-o",
                                          str(pel / "output"), "-s", str(pel / "pelicanconf.py"), "-q"],
                              pel, work / "logs" / "pelican-full")
            check_ok(run)
            builds.append(FullBuild("pelican", run, *count_files(pel / "output")))
    print_full_table(len(articles), builds)

    # Incremental builds of ours.
    steps, urls, trees = [], {}, {}
    plan = [("no change", lambda: None),
            ("add one article", lambda: add_article(content)),
            ("edit one article's body", lambda: edit_article(content)),
            ("delete one article", lambda: delete_article(content)),
            ("edit person.html", lambda: edit_template(templates))]
    for name, change in plan:
        urls[name] = change()
        step = run_step(name, content, out, templates, work)
        trees[name] = snapshot(out)
        steps.append(step)
    print_steps(len(articles), steps, urls, trees)
    by_name = {s.name: s for s in steps}
    timings = next((line for line in by_name["add one article"].run.stderr.splitlines()
                    if line.startswith("timings: ")), None)
    if timings:
        print(f"add one article, {timings}")

    big = None
    if args.big:
        t0 = time.perf_counter()
        big_articles, big_people = synth.generate(BIG_ARTICLES, args.seed, args.seeds)
        synth.write_content(big_articles, big_people, work / "big")
        del big_articles, big_people
        print(f"\nsynth    {BIG_ARTICLES} articles in {time.perf_counter() - t0:.1f} s")
        big_out = work / "big" / "site"
        clean_output(big_out)
        big = run_process("ours", ours_cmd(work / "big" / "content", big_out, templates), work,
                          work / "logs" / "ours-big")
        check_ok(big)
        print(f"full build, {BIG_ARTICLES} articles: {big.seconds:.1f} s, {BIG_ARTICLES / big.seconds:.1f} articles/s,"
              f" peak {big.peak_mb:.1f} MB, {count_files(big_out)[0]} HTML files")

    # Targets.
    print(f"\ntargets ({len(articles)} articles)")
    results: list = []
    ours = builds[0].run
    hugos = [b for b in builds if b.tool.startswith("hugo")]
    if hugos:
        fastest = min(hugos, key=lambda b: b.run.seconds)
        ratio = ours.seconds / fastest.run.seconds
        verdict(ratio <= RATIO_MAX, f"full build no slower than Hugo: ours {ours.seconds:.2f} s ÷ {fastest.tool} "
                f"{fastest.run.seconds:.2f} s = {ratio:.2f} (≤ {RATIO_MAX}; the faster of "
                + ", ".join(f"{b.tool} {b.run.seconds:.2f} s" for b in hugos) + ")", results)
    else:
        verdict(None, "full build no slower than Hugo: Hugo not run", results)
    if big:
        verdict(big.seconds <= BIG_SECONDS_MAX and big.peak_mb <= BIG_MB_MAX,
                f"{BIG_ARTICLES} articles: {big.seconds:.1f} s (≤ {BIG_SECONDS_MAX:.0f}), peak {big.peak_mb:.0f} MB"
                f" (≤ {BIG_MB_MAX:.0f})", results)
    else:
        verdict(None, f"{BIG_ARTICLES} articles in ≤ {BIG_SECONDS_MAX:.0f} s and ≤ {BIG_MB_MAX:.0f} MB: needs --big",
                results)
    s = by_name["add one article"]
    verdict(s.run.seconds <= ADD_SECONDS_MAX and not s.same_bytes,
            f"add one article: {s.run.seconds:.2f} s (≤ {ADD_SECONDS_MAX}), {s.written} files written, "
            f"{len(s.same_bytes)} rewritten with unchanged bytes (0)", results)
    s = by_name["edit person.html"]
    person_pages = {p for p in trees[s.name] if classify(p, None) == "person pages"}
    touched = set(s.changed + s.added) - {MANIFEST}
    verdict(touched == person_pages,
            f"edit person.html: {len(touched)} files written, {len(touched & person_pages)} of {len(person_pages)} "
            f"person pages, {len(touched - person_pages)} other files (only the person pages)", results)
    s = by_name["no change"]
    verdict(s.run.seconds <= NOCHANGE_SECONDS_MAX and s.written == 0 and not s.changed,
            f"no-change rebuild: {s.run.seconds:.2f} s (≤ {NOCHANGE_SECONDS_MAX}), {s.written} files written (0)",
            results)
    failed = results.count("FAIL")
    print(f"{results.count('PASS')} passed, {failed} failed, {results.count('SKIP')} skipped")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
