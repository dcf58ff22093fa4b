"""Related articles: the picks an incremental build keeps or makes again equal a fresh pick."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings, strategies as st

from ycarchive import render
from ycarchive.model import Article, County, Library, Page, Term

COUNTIES = ("01", "02", "03", "04")
TAGS = ("甲", "乙", "丙")
SECTION = Term("section", "党建", "dangjian")


def library(specs: dict) -> Library:
    """A Library of articles {(day, page, order): (counties, tags, version)}, assembled as
    library.build_library does (lists sorted oldest first)."""
    counties = [County(code, f"县{code}", code, f"c{code}") for code in COUNTIES]
    tags = {name: Term("tag", name, name) for name in TAGS}
    pages: dict = {}
    articles = []
    for (day, number, order), (county_codes, tag_names, version) in specs.items():
        date = dt.date(2025, 1, 1) + dt.timedelta(days=day)
        page = pages.setdefault((date, number), Page(date, number, SECTION, {}))
        path = f"{date:%Y/%m/%d}/{number:02d}/{order:02d}-a.md"
        # As a file's hash would: another file, or the same file with other counties or tags.
        fingerprint = f"{path}:{sorted(county_codes)}:{sorted(tag_names)}:{version}"
        article = Article(path, page, order, "a", title=path, kind="消息", fingerprint=fingerprint)
        article.counties = [c for c in counties if c.code in county_codes]
        article.tags = [tags[t] for t in sorted(tag_names)]
        articles.append(article)
    articles.sort(key=lambda a: a.sort_key)
    for article in articles:
        for term in (*article.counties, *article.tags):
            term.articles.append(article)
    return Library({}, articles, [], counties, [], [SECTION], [], [t for t in tags.values() if t.articles], [])


def paths(related: dict, lib: Library) -> dict:
    return {a.src_path: [b.src_path for b in related[id(a)]] for a in lib.articles}


SPEC = st.tuples(st.frozensets(st.sampled_from(COUNTIES)), st.frozensets(st.sampled_from(TAGS)), st.integers(0, 2))
KEY = st.tuples(st.integers(0, 40), st.integers(1, 2), st.integers(1, 4))
ARCHIVE = st.dictionaries(KEY, SPEC, max_size=70)


@settings(max_examples=150, deadline=None)
@given(ARCHIVE, st.lists(st.tuples(st.sampled_from(["add", "delete", "edit"]), KEY, SPEC), max_size=6),
       st.lists(st.tuples(st.sampled_from(["add", "delete", "edit"]), KEY, SPEC), max_size=6))
def test_picks_kept_and_made_again_equal_a_fresh_pick(archive, first, second):
    _, kept = render.related_articles(library(archive))
    for changes in (first, second):
        for op, key, spec in changes:
            if op == "delete":
                archive.pop(key, None)
            elif op == "edit" and key in archive:   # other counties or tags, or only another file
                archive[key] = (spec[0], spec[1], archive[key][2] + 1)
            else:
                archive[key] = spec
        lib = library(archive)
        related, kept = render.related_articles(lib, kept)
        fresh = library(archive)
        fresh_related, fresh_kept = render.related_articles(fresh)
        assert paths(related, lib) == paths(fresh_related, fresh)
        assert kept == fresh_kept
        again_related, again_kept = render.related_articles(lib, kept)   # nothing changed since
        assert again_kept is kept and paths(again_related, lib) == paths(related, lib)


def test_an_added_article_picks_again_only_near_itself(monkeypatch):
    archive = {(day, 1, order): (frozenset({COUNTIES[(day + order) % 4]}), frozenset({TAGS[day % 3]}), 0)
               for day in range(200) for order in (1, 2, 3)}
    _, kept = render.related_articles(library(archive))
    picked = []
    real = render._pick_again
    monkeypatch.setattr(render, "_pick_again", lambda article: picked.append(article) or real(article))
    archive[100, 2, 1] = (frozenset({"01"}), frozenset({"甲"}), 0)
    lib = library(archive)
    related, _ = render.related_articles(lib, kept)
    # The new article, and the articles within WINDOW places of it in its county's and its tag's list.
    assert 1 < len(picked) <= 1 + 4 * render.WINDOW
    fresh = library(archive)
    assert paths(related, lib) == paths(render.related_articles(fresh)[0], fresh)
    assert render.related_articles(lib, {"lists": None})[1] == render.related_articles(lib)[1]   # unusable: all again
