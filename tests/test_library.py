"""Bad input: every problem is reported at once as path:line: field: message, and site/ is untouched."""
from __future__ import annotations

import functools
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import FIXTURE, build
from ycarchive import cli

ARTICLE = "2025/07/01/03/02-shizhi.md"
GOOD_FRONT = """---
title: “文艺轻骑兵”服务到基层
kind: 消息
counties: [市直, 盐湖区]
reporters: [邢智轩]
tags: [志愿服务]
---

正文。
"""


@pytest.fixture
def content(tmp_path) -> Path:
    """A private copy of the fixture archive to break."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    return target


def run(content: Path, tmp_path: Path, capsys, *extra: str) -> tuple[int, list[str]]:
    code = build(content, tmp_path / "site", *extra)
    err = capsys.readouterr().err
    return code, [line.replace(f"{content}/", "") for line in err.splitlines()]


def write(content: Path, rel: str, text: str | bytes) -> None:
    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


CASES = {
    "malformed yaml": (ARTICLE, "---\ntitle: 标题\nkind: [消息\n---\n正文\n",
                       f"{ARTICLE}:4: front matter: malformed YAML: while parsing a flow sequence, "
                       "did not find expected ',' or ']'"),
    "missing title": (ARTICLE, GOOD_FRONT.replace("title: “文艺轻骑兵”服务到基层\n", ""),
                      f"{ARTICLE}:1: title: missing required field 'title'"),
    "title is a number": (ARTICLE, GOOD_FRONT.replace("title: “文艺轻骑兵”服务到基层", "title: 2025"),
                          f"{ARTICLE}:2: title: expected text, got a number; put it in quotes"),
    "counties not a list of names": (ARTICLE, GOOD_FRONT.replace("counties: [市直, 盐湖区]", "counties: {a: 1}"),
                                     f"{ARTICLE}:4: counties: expected a name or a list of names, got a mapping"),
    "unknown county": (ARTICLE, GOOD_FRONT.replace("[市直, 盐湖区]", "[垣曲]"),
                       f"{ARTICLE}:4: counties: unknown county '垣曲'; did you mean '垣曲县'?"),
    "misspelt county": (ARTICLE, GOOD_FRONT.replace("[市直, 盐湖区]", "[盐湖县]"),
                        f"{ARTICLE}:4: counties: unknown county '盐湖县'; did you mean '盐湖区'?"),
    "unknown person": (ARTICLE, GOOD_FRONT.replace("[邢智轩]", "[邢智宣]"),
                       f"{ARTICLE}:5: reporters: unknown person '邢智宣'; did you mean '邢智轩'? "
                       "(a new person is added to people.yml)"),
    "unknown role": (ARTICLE, GOOD_FRONT.replace("reporters:", "reporter:"),
                     f"{ARTICLE}:5: reporter: unknown field 'reporter'; did you mean 'reporters'?"),
    "unknown kind": (ARTICLE, GOOD_FRONT.replace("kind: 消息", "kind: 新闻"),
                     f"{ARTICLE}:3: kind: unknown kind '新闻'; did you mean '图片新闻'? (one of 消息、通讯、图片新闻、记者手记、评论)"),
    "unknown section": ("2025/07/01/03/page.yml", "section: 党建版\neditor: 曹欣怡\n",
                        "2025/07/01/03/page.yml:1: section: unknown section '党建版'; did you mean '党建'? "
                        "(sections are listed in sections.yml)"),
    "impossible date": ("2025/02/30/03/page.yml", "section: 党建\n",
                        "2025/02/30/03/page.yml:1: date: impossible date 2025-02-30 in the folder name; "
                        "check the year/month/day folders"),
    "duplicate url": ("2025/07/01/03/03-shizhi.md", GOOD_FRONT,
                      "2025/07/01/03/03-shizhi.md:1: path: URL 2025/07/01/03/shizhi/ is already claimed by "
                      "2025/07/01/03/02-shizhi.md; rename one of the files"),
    "byte-order mark": (ARTICLE, b"\xef\xbb\xbf" + GOOD_FRONT.encode(),
                        f"{ARTICLE}:1: encoding: file starts with a byte-order mark (BOM); "
                        "save it as UTF-8 without BOM"),
    "crlf": (ARTICLE, GOOD_FRONT.replace("\n", "\r\n"),
             f"{ARTICLE}:1: encoding: file has Windows line ends (CRLF); save it with Unix line ends (LF)"),
    "empty file": (ARTICLE, "", f"{ARTICLE}:1: file: file is empty"),
    "no front matter": (ARTICLE, "正文\n", f"{ARTICLE}:1: front matter: expected the file to start with '---' "
                                          "and YAML front matter (title, kind, …); see docs/content-format.md"),
    "page without page.yml": ("2025/08/01/03/01-lost.md", GOOD_FRONT,
                              "2025/08/01/03/01-lost.md:1: page: no page.yml in 2025/08/01/03/; add one with "
                              "the page's section and staff"),
    "bad file name": ("2025/07/01/03/03-Shi Zhi.md", GOOD_FRONT,
                      "2025/07/01/03/03-Shi Zhi.md:1: path: file name '03-Shi Zhi.md' should be NN-slug.md: "
                      "its place on the page, then lower-case ASCII letters, digits and '-'"),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_reported_exactly(name, content, tmp_path, capsys):
    rel, text, expected = CASES[name]
    write(content, rel, text)
    code, lines = run(content, tmp_path, capsys)
    assert code == 1
    assert lines == [expected, "1 problem(s); nothing was written"]


def test_all_problems_are_reported_at_once_sorted(content, tmp_path, capsys):
    write(content, ARTICLE, GOOD_FRONT.replace("[邢智轩]", "[无名氏]").replace("kind: 消息", "kind: 通知"))
    write(content, "2025/06/24/03/02-shouji.md", "")
    code, lines = run(content, tmp_path, capsys)
    assert code == 1
    assert lines == [
        "2025/06/24/03/02-shouji.md:1: file: file is empty",
        f"{ARTICLE}:3: kind: unknown kind '通知'; did you mean '通讯'? (one of 消息、通讯、图片新闻、记者手记、评论)",
        f"{ARTICLE}:5: reporters: unknown person '无名氏' (a new person is added to people.yml)",
        "3 problem(s); nothing was written",
    ]


def test_an_unchanged_article_still_gets_its_own_line_in_a_message(content, tmp_path, capsys):
    """The cache keeps a checked article's keys' lines as one string (load.Doc.compact_lines):
    a problem found in it later, once a registry changed, still names the line of the field."""
    write(content, ARTICLE, GOOD_FRONT)
    hour_ago = time.time() - 3600   # past the window in which a just-changed file is read again
    os.utime(content / ARTICLE, (hour_ago, hour_ago))
    assert build(content, tmp_path / "site") == 0
    cached = cli.load_cache(tmp_path / "site", with_search=False)["docs"][f"{content}/{ARTICLE}"][1]
    assert type(cached.lines) is str and cached.line("reporters") == 5 and cached.line("tags") == 6
    people = content / "people.yml"
    people.write_text(people.read_text(encoding="utf-8").replace("- name: 邢智轩\n", ""), encoding="utf-8")
    code, lines = run(content, tmp_path, capsys)
    assert code == 1
    assert any(line.startswith(f"{ARTICLE}:5: reporters: unknown person '邢智轩'") for line in lines), lines


def test_failed_build_leaves_previous_site_intact(content, tmp_path, capsys):
    out = tmp_path / "site"
    assert build(content, out) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    write(content, ARTICLE, "---\ntitle: [\n---\n")
    assert build(content, out) == 1
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize("first", [True, False], ids=["first build", "rebuild"])
def test_broken_template_is_reported_by_file_and_line_and_nothing_is_written(content, tmp_path, capsys, first):
    """The template's own error, not the search process's end that it caused, and the site as it was."""
    from conftest import ROOT

    templates, out = tmp_path / "templates", tmp_path / "site"
    shutil.copytree(ROOT / "templates", templates)
    if not first:
        assert build(content, out, "--templates", str(templates)) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    source = templates / "person.html"
    lines = source.read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join([*lines[:3], "{% if %}", *lines[3:]]) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert build(content, out, "--templates", str(templates)) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [f"error: {source}:4: template: Expected an expression, got 'end of statement "
                                f"block'; nothing was written (fix the template and build again)"]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before   # nothing, at first
    # and no stage folder (.site-XXXXXXXX) left beside it
    assert {p.name for p in tmp_path.iterdir() if p.name.startswith(".site-")} <= {".site-cache", ".site-state.json"}


def test_a_search_process_stopped_while_making_a_bar_leaves_later_bars_free(content, tmp_path, monkeypatch):
    """A failed build stops its search process, which may be inside tqdm's lock at that moment:
    the next build in the same process (a preview server) must not wait for that lock."""
    import multiprocessing
    import threading
    import time

    from tqdm import tqdm
    from tqdm.std import TqdmDefaultWriteLock

    from ycarchive import cli, render

    # a lock of this test's own, so that a stuck one cannot hold up the tests after it
    monkeypatch.setattr(TqdmDefaultWriteLock, "mp_lock", multiprocessing.RLock(), raising=False)
    monkeypatch.setattr(tqdm, "_lock", TqdmDefaultWriteLock(), raising=False)
    held = tmp_path / "held"

    def search_holding_the_lock(library, cache=None, sink=None):
        with tqdm.get_lock():
            held.touch()
            time.sleep(60)

    def render_after_it_holds(*args, **kwargs):
        for _ in range(200):
            if held.exists():
                break
            time.sleep(0.05)
        raise OSError("stopped while the search process holds the lock")

    monkeypatch.setattr(cli, "search_files", search_holding_the_lock)
    monkeypatch.setattr(render, "render_site", render_after_it_holds)
    assert build(content, tmp_path / "site") == 1
    assert held.exists()
    made = threading.Thread(target=lambda: tqdm(disable=True).close(), daemon=True)
    made.start()
    made.join(10)
    assert not made.is_alive()


def test_template_error_while_rendering_names_the_template_line_and_page(content, tmp_path, capsys):
    from conftest import ROOT

    templates, out = tmp_path / "templates", tmp_path / "site"
    shutil.copytree(ROOT / "templates", templates)
    source = templates / "person.html"
    lines = source.read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join([*lines[:3], "{{ person.name.nosuch.deeper }}", *lines[3:]]) + "\n",
                      encoding="utf-8")
    assert build(content, out, "--templates", str(templates)) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"error: {source}:4: template: UndefinedError: 'str object' has no attribute 'nosuch' (rendering people/")
    assert err[0].endswith("/index.html); nothing was written (fix the template and build again)")
    assert not out.exists()


def test_missing_asset_is_named_with_the_template_line_that_asks_for_it(content, tmp_path, capsys):
    from conftest import ROOT

    assets = tmp_path / "assets"
    shutil.copytree(ROOT / "assets", assets)
    (assets / "search.js").unlink()
    assert build(content, tmp_path / "site", "--assets", str(assets)) == 1
    err = capsys.readouterr().err.splitlines()
    line = next(n for n, text in enumerate((ROOT / "templates" / "base.html").read_text(encoding="utf-8")
                                           .splitlines(), 1) if "asset('search.js')" in text)
    assert len(err) == 1 and err[0].startswith(
        f"error: {ROOT}/templates/base.html:{line}: template: LookupError: no asset 'search.js' in {assets}/; "
        f"did you mean 'search-worker.js'? (rendering ")


@pytest.mark.parametrize("workers", [1, 2])
def test_template_error_in_a_render_worker_crosses_with_its_template_line(tmp_path, workers):
    """Past 400 pages, pages are rendered in forked workers: the error that comes back names
    the template's line as the one raised in this process does."""
    import jinja2

    from ycarchive.render import Job, PageError, run_jobs

    (tmp_path / "page.html").write_text("<p>{{ n }}</p>\n{% if n == 401 %}{{ n.nosuch.deeper }}{% endif %}\n",
                                        encoding="utf-8")
    template = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path)).get_template("page.html")
    jobs = [Job(f"p{n}/index.html", (), functools.partial(lambda n: template.render(n=n).encode(), n))
            for n in range(450)]
    with pytest.raises(PageError) as caught:
        run_jobs(jobs, lambda dest, data: None, workers)
    assert str(caught.value) == (f"{tmp_path}/page.html:2: template: UndefinedError: 'int object' has no attribute "
                                 f"'nosuch' (rendering p401/index.html); nothing was written (fix the template "
                                 f"and build again)")


@pytest.mark.parametrize("inside", ["site", "."])
def test_output_inside_the_content_folder_is_refused(content, capsys, inside):
    out = content / inside
    assert build(content, out) == 1
    assert capsys.readouterr().err == (f"error: --out {out} is inside --content {content}: the site would be read "
                                       f"as content by the next build; choose a folder outside it, such as site/\n")
    assert not (content / "site").exists() and not (content / "index.html").exists()


@pytest.mark.parametrize("force", [(), ("--force",)])
def test_output_folder_of_other_files_is_refused_and_left_as_it_was(content, tmp_path, capsys, force):
    """Nothing is written into or beside it: no stage, cache or record of a build. (A forced
    build's search process does not read the manifest, and races the main process's check: it
    must not save any of the cache before it has handed its files over. Tried three times.)"""
    out = tmp_path / "outs" / "mine"
    out.mkdir(parents=True)
    (out / "notes.txt").write_text("我的笔记\n", encoding="utf-8")
    for _ in range(3):
        assert build(content, out, *force) == 1
        assert capsys.readouterr().err == (f"error: {out}/ holds files this build did not write; choose another "
                                           f"--out or empty it\n")
        assert sorted(p.name for p in out.parent.iterdir()) == ["mine"]
        assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_unreadable_manifest_is_reported_and_the_site_left_as_it_was(content, tmp_path, capsys):
    from ycarchive.write import MANIFEST

    out = tmp_path / "site"
    assert build(content, out) == 0
    write(content, ARTICLE, GOOD_FRONT.replace("正文。", "正文有改动。"))
    (out / MANIFEST).write_text("{", encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    beside = sorted(p.name for p in tmp_path.iterdir())
    capsys.readouterr()
    assert build(content, out) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out / MANIFEST} cannot be read (") and err.endswith(
        f"); delete it to rebuild {out}/ in full\n")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == beside   # no stage left behind


@pytest.mark.parametrize("option", ["--templates", "--assets"])
def test_missing_templates_or_assets_folder_is_named(content, tmp_path, capsys, option):
    missing = tmp_path / "nowhere"
    assert build(content, tmp_path / "site", option, str(missing)) == 1
    assert capsys.readouterr().err == (f"error: {option} {missing}: no such folder; run from the project folder "
                                       f"or pass {option} DIR\n")
    assert not (tmp_path / "site").exists()


def test_alias_resolves_to_one_person(fixture_site):
    # The fixture's page 2025/06/24/04 credits art editor 冯满楠, an alias of 冯潇楠.
    page = (fixture_site / "2025/06/24/04/index.html").read_text(encoding="utf-8")
    assert "冯满楠" not in page
    assert '<a href="../../../../people/%E5%86%AF%E6%BD%87%E6%A5%A0/">冯潇楠</a>' in page
    assert not (fixture_site / "people" / "冯满楠").exists()
    person = (fixture_site / "people" / "冯潇楠" / "index.html").read_text(encoding="utf-8")
    assert "又作：冯满楠" in person


def test_front_matter_is_data_and_raw_html_is_text(content, tmp_path):
    write(content, ARTICLE, GOOD_FRONT.replace("title: “文艺轻骑兵”服务到基层", "title: \"{{ 7*7 }}<b>x</b>\"")
          .replace("正文。", "正文<script>alert(1)</script>\n\n<iframe src=x></iframe>\n\n[链接](javascript:alert(1))"))
    out = tmp_path / "site"
    assert build(content, out) == 0
    html = (out / "2025/07/01/03/shizhi/index.html").read_text(encoding="utf-8")
    assert "<h1 class=\"headline\">{{ 7*7 }}&lt;b&gt;x&lt;/b&gt;</h1>" in html
    assert "正文&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<p>&lt;iframe src=x&gt;&lt;/iframe&gt;</p>" in html
    assert "<p><a>链接</a></p>" in html
    assert "<script>alert" not in html and "javascript:" not in html


def test_warnings_fail_only_with_strict(content, tmp_path, capsys):
    with open(content / "people.yml", "a", encoding="utf-8") as handle:
        handle.write("- name: 王五\n")
    code, lines = run(content, tmp_path, capsys)
    assert code == 0
    assert lines == ["people.yml:9: warning: person: 王五 is credited in no article; remove the entry or credit them"]
    code, lines = run(content, tmp_path, capsys, "--strict")
    assert code == 1
    assert lines[-1] == "1 problem(s); nothing was written"


def test_check_lists_articles_awaiting_review(capsys):
    from ycarchive.cli import main
    assert main(["check", "--content", str(FIXTURE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{FIXTURE}/2025/06/24/04/01-wenwu.md: awaiting review: counties: 闻喜县 inferred from 薛店镇",
                   "checked 5 articles: 0 error(s), 0 warning(s), 1 awaiting review"]


def test_missing_content_folder(tmp_path, capsys):
    code, lines = run(tmp_path / "nowhere", tmp_path, capsys)
    assert code == 1
    assert lines == [f"{tmp_path}/nowhere:1: content: no such folder; run from the project folder or pass "
                     "--content DIR", "1 problem(s); nothing was written"]
    assert not (tmp_path / "site").exists()


REGISTRY_CASES = {
    "people not a list": ("people.yml", "name: 曹欣怡\n", "people.yml:1: people: expected a list of people"),
    "person not a mapping": ("people.yml", "- 曹欣怡\n", "people.yml:1: person: expected a mapping such as "
                                                     "'name: 曹欣怡'"),
    "bad county slug": ("counties.yml", '- code: "140802"\n  name: 盐湖区\n  short: 盐湖\n  slug: Yan Hu\n',
                        "counties.yml:1: slug: 'Yan Hu' is not a slug; use lower-case ASCII letters, digits and '-'"),
    "section without slug": ("sections.yml", "- name: 党建\n", "sections.yml:1: slug: missing required field 'slug'"),
}


@pytest.mark.parametrize("name", REGISTRY_CASES)
def test_bad_registry_is_reported_exactly(name, content, tmp_path, capsys):
    rel, text, expected = REGISTRY_CASES[name]
    write(content, rel, text)
    code, lines = run(content, tmp_path, capsys)
    assert code == 1
    assert expected in lines


def test_builds_into_an_existing_empty_folder(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    assert build(FIXTURE, out) == 0
    assert (out / "index.html").is_file() and (out / ".build-manifest").is_file()


def test_files_read_by_parallel_workers_give_the_same_library_and_problems(content, monkeypatch):
    """A first build reads, parses and renders many files in forked workers: the articles,
    their bodies and every problem are what reading them one by one gives."""
    import os

    from ycarchive import load
    from ycarchive.errors import Problems
    from ycarchive.library import build_library

    (content / "2025/07/01/03/03-broken.md").write_text("---\ntitle: [未闭合\n---\n正文。\n", encoding="utf-8")
    (content / "2025/07/01/03/04-unknown.md").write_text(
        GOOD_FRONT.replace("邢智轩", "无此人"), encoding="utf-8")

    def read():
        problems = Problems()
        raw = load.load_content(content, problems, {})
        parallel = len(raw.rendered)
        library = build_library(raw, problems)
        return ([(a.src_path, a.title, a.html, a.text) for a in library.articles],
                [str(p) for p in problems.items], parallel)

    serial = read()
    monkeypatch.setattr(load, "PARALLEL_FILES", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    parallel = read()
    assert serial[2] == 0 and parallel[2] == len(serial[0]) == 6   # every article but the broken one
    assert parallel[:2] == serial[:2]
    assert any("03-broken.md:3: front matter: malformed YAML" in p for p in serial[1])
    assert any("04-unknown.md" in p and "unknown person '无此人'" in p for p in serial[1])


def test_more_articles_in_a_day_than_the_search_index_numbers_is_named(content, tmp_path, capsys, monkeypatch):
    """A day holds at most ARTICLES_PER_DAY articles (the search index's slots within a day);
    more, most likely pages filed under a wrong date, is a content error naming the day's
    folder, not a failure inside the search index."""
    from ycarchive import library, model, search

    assert model.ARTICLES_PER_DAY == search.SLOTS and model.FIRST_DATE.toordinal() == search.EPOCH
    monkeypatch.setattr(library, "ARTICLES_PER_DAY", 2)   # the fixture has 3 articles on 2025-06-24
    code, lines = run(content, tmp_path, capsys)
    assert code == 1 and not (tmp_path / "site").exists()
    assert lines == ["2025/06/24/:1: date: 3 articles dated 2025-06-24 in 2 page folders; a day can have at most 2. "
                     "Check that these pages belong to this date, and move the others to their own date's folder",
                     "1 problem(s); nothing was written"]


@pytest.mark.parametrize("year", ["1899", "0205"])
def test_a_date_before_the_archives_first_is_named(content, tmp_path, capsys, year):
    """Article numbers count days from 1900-01-01; an earlier folder (a mistyped year) had made
    a negative number, which the search index cannot encode (year 0205 had stopped the build
    inside the search process with an IndexError)."""
    (content / year / "07" / "01").mkdir(parents=True)
    (content / "2025" / "07" / "01" / "03").rename(content / year / "07" / "01" / "03")
    code, lines = run(content, tmp_path, capsys)
    assert code == 1 and not (tmp_path / "site").exists()
    said = f"date: date {year}-07-01 in the folder name is before 1900-01-01, where the archive's dates start; " \
           f"check the year folder"
    assert [line for line in lines if not line.startswith("people.yml:")] == [   # once, for the page folder
        f"{year}/07/01/03/page.yml:1: {said}", "1 problem(s); nothing was written"]


def test_search_docs_carry_each_articles_fields_and_credited_names(content):
    """cli.search_docs gathers an article's fields by position: each lands where the index
    reads it, and its people are Article.credited's names (role order, each once)."""
    import argparse

    from ycarchive import cli

    # A reporter who also took the photographs is credited once, in the first role.
    front = GOOD_FRONT.replace("reporters: [邢智轩]", "reporters: [邢智轩]\nphotographers: [茹雅, 邢智轩]")
    write(content, ARTICLE, front)
    library, problems = cli.read_library(argparse.Namespace(content=str(content), drafts=False))
    assert not problems.items
    docs = cli.search_docs(library)
    assert len(docs) == len(library.articles) == 5
    for doc, a in zip(docs, library.articles):
        assert (doc.id, doc.url, doc.title, doc.kicker, doc.subtitle, doc.date, doc.section, doc.key) == (
            a.id, a.url, a.title, a.kicker, a.subtitle, a.page.iso_date, a.page.section.name, a.fingerprint)
        assert doc.counties == tuple(c.name for c in a.counties) and doc.tags == tuple(t.name for t in a.tags)
        assert doc.column == (a.column.name if a.column else "")
        assert doc.people == tuple(p.name for p in a.credited)
        assert doc.text() == a.text
    shizhi = next(d for d in docs if d.url.endswith("/shizhi/"))
    assert shizhi.people[:2] == ("邢智轩", "茹雅") and shizhi.people.count("邢智轩") == 1
