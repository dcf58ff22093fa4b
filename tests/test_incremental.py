"""Incremental builds: after any sequence of changes the output equals a clean full build."""
from __future__ import annotations

import marshal
import os
import re
import shutil
import time
from collections import namedtuple
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import FIXTURE, ROOT, build
from ycarchive import stamp
from ycarchive import write as write_module

COUNTIES = ["盐湖区", "临猗县", "万荣县", "市直", "垣曲县"]
PEOPLE = ["曹欣怡", "邢智轩", "薛哲", "茹雅"]
PAGES = ["2025/06/24/03", "2025/06/24/04", "2025/07/01/03", "2025/08/05/02"]


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def article(title: str, county: str, person: str, body: str) -> str:
    return (f"---\ntitle: {title}\nkind: 消息\ncounties: [{county}]\nreporters: [{person}]\n"
            f"tags: [基层治理]\n---\n\n{body}\n")


def articles_of(content: Path) -> list[Path]:
    return sorted(p for p in content.rglob("*.md"))


def apply(op: tuple, content: Path, templates: Path) -> None:
    kind = op[0]
    existing = articles_of(content)
    if kind == "add":
        _, page, n, county, person = op
        folder = content / page
        if not (folder / "page.yml").exists():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "page.yml").write_text("section: 党建\neditor: 曹欣怡\n", encoding="utf-8")
        (folder / f"{n:02d}-new{n}.md").write_text(article(f"新增报道{n}", county, person, f"正文{n}。"),
                                                 encoding="utf-8")
    elif kind == "edit" and existing:
        path = existing[op[1] % len(existing)]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("title: ", "title: 改", 1) + "\n补充一段。\n", encoding="utf-8")
    elif kind == "delete" and len(existing) > 1:
        existing[op[1] % len(existing)].unlink()
    elif kind == "rename" and existing:
        path = existing[op[1] % len(existing)]
        path.rename(path.with_name(path.name[:3] + "renamed" + path.name[3:]))
    elif kind == "staff":
        pages = sorted(content.rglob("page.yml"))
        path = pages[op[1] % len(pages)]
        path.write_text(path.read_text(encoding="utf-8").replace("曹欣怡", "邢智轩"), encoding="utf-8")
    elif kind == "template":
        path = templates / "person.html"
        path.write_text(path.read_text(encoding="utf-8").replace("<h1>", "<h1 class=\"person\">", 1),
                        encoding="utf-8")


OPS = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(PAGES), st.integers(5, 9), st.sampled_from(COUNTIES),
              st.sampled_from(PEOPLE)),
    st.tuples(st.sampled_from(["edit", "delete", "rename", "staff"]), st.integers(0, 20)),
    st.tuples(st.just("template")),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(OPS, min_size=1, max_size=4))
def test_incremental_build_equals_full_build(tmp_path_factory, monkeypatch, ops):
    from ycarchive import render

    # Numbered pages two to a group (render.plan_groups), so that listings have several groups.
    monkeypatch.setattr(render, "NUMBERED_GROUP", 2)
    work = tmp_path_factory.mktemp("inc")
    content, templates = work / "content", work / "templates"
    shutil.copytree(FIXTURE, content)
    shutil.copytree(ROOT / "templates", templates)
    # Two articles a listing page, so that counties, people and terms have numbered pages.
    site_yml = content / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8").replace("per_page: 20", "per_page: 2"),
                        encoding="utf-8")
    incremental = work / "site"
    assert build(content, incremental, "--templates", str(templates)) == 0
    for n, op in enumerate(ops):
        apply(op, content, templates)
        assert build(content, incremental, "--templates", str(templates)) == 0
        full = work / f"full{n}"
        assert build(content, full, "--templates", str(templates)) == 0
        assert tree(incremental) == tree(full), f"after {ops[:n + 1]}"
        # The output's stamp, recorded from the folders the build touched, is the one every folder gives.
        state = stamp.last_state(incremental)
        assert state["output"] == stamp._output_stamp(incremental, state["folders"]), f"after {ops[:n + 1]}"


def summary(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def age(folder: Path, seconds: int = 3600) -> None:
    """Date every file back, as files edited before the build started would be."""
    stamp = time.time_ns() - seconds * 1_000_000_000
    for path in folder.rglob("*"):
        os.utime(path, ns=(stamp, stamp))


def test_a_first_build_counts_every_file_it_wrote(tmp_path, capsys):
    """A first build counts its files from the keys, not from the folder: they must agree."""
    out = tmp_path / "site"
    assert build(FIXTURE, out) == 0
    written = int(re.search(r" (\d+) files written", summary(capsys)).group(1))
    assert written == len([p for p in out.rglob("*") if p.is_file() and p.name != write_module.MANIFEST])
    assert written == len(write_module.read_manifest(out))


def test_no_change_renders_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "site"
    build(FIXTURE, out)
    capsys.readouterr()
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    assert build(FIXTURE, out) == 0
    line = summary(capsys)
    assert re.fullmatch(r"built 5 articles: 0 files written, \d+ unchanged, 0 removed, 0 pages rendered "
                        r"\(no input changed\) in [\d.]+ s", line), line
    # Nothing is written: not the site, not the cache or the record beside it.
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before


def test_no_change_skips_only_when_inputs_and_output_are_as_left(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    age(content)
    out = tmp_path / "site"
    assert build(content, out) == 0
    assert build(content, out) == 0
    assert "(no input changed)" in summary(capsys)
    # A file of the site deleted by hand is made again.
    (out / "archive" / "index.html").unlink()
    assert build(content, out) == 0
    assert " 1 files written" in summary(capsys)
    assert (out / "archive" / "index.html").is_file()
    assert build(content, out) == 0
    assert "(no input changed)" in summary(capsys)
    # So is a folder of the site removed whole, and a file renamed.
    article = next(p.parent for p in out.glob("20*/*/*/*/*/index.html"))
    shutil.rmtree(article)
    (out / "feed.xml").rename(out / "feed.old")
    assert build(content, out) == 0
    assert "(no input changed)" not in summary(capsys)
    assert (article / "index.html").is_file() and (out / "feed.xml").is_file()
    # Another option is another build.
    assert build(content, out, "--base-url", "https://example.org/archive/") == 0
    assert "(no input changed)" not in summary(capsys)
    # A touched file is looked at again, though its bytes are the same.
    page = next(content.rglob("page.yml"))
    os.utime(page)
    assert build(content, out, "--base-url", "https://example.org/archive/") == 0
    assert re.search(r" 0 files written, .* 0 pages rendered in ", summary(capsys))
    assert build(content, out, "--base-url", "https://example.org/archive/", "--force") == 0
    assert re.search(r" 0 files written, .* [1-9]\d* pages rendered in ", summary(capsys))


def test_manifest_is_checked_file_by_file_only_when_a_file_was_removed(tmp_path, monkeypatch, capsys):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = tmp_path / "site"
    assert build(content, out) == 0
    checks = []
    real = write_module.read_manifest
    monkeypatch.setattr(write_module, "read_manifest", lambda out, check=True: checks.append(check) or real(out, check))
    md = articles_of(content)[0]
    md.write_text(md.read_text(encoding="utf-8") + "\n补一句。\n", encoding="utf-8")
    assert build(content, out) == 0
    assert checks == [False]   # the output was as the last build left it
    # A file of the site deleted by hand while content changed too is made again.
    (out / "archive" / "index.html").unlink()
    md.write_text(md.read_text(encoding="utf-8") + "\n再补一句。\n", encoding="utf-8")
    assert build(content, out) == 0
    assert checks == [False, True]
    assert (out / "archive" / "index.html").is_file()
    assert build(content, out, "--force") == 0
    assert checks == [False, True, True]   # no record is trusted
    assert build(content, tmp_path / "clean") == 0
    assert tree(out) == tree(tmp_path / "clean")


def test_record_stats_only_the_folders_the_build_touched_and_sees_a_file_removed_meanwhile(
        tmp_path, monkeypatch, capsys):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    age(content)
    out = tmp_path / "site"
    assert build(content, out) == 0
    folders = len(stamp.last_state(out)["folders"])
    statted, real_times, parent = [], stamp._folder_times, os.getpid()

    def folder_times(prefix, names):
        if os.getpid() == parent:   # the check's parts run in forked children
            statted.append(len(names))
        return real_times(prefix, names)

    monkeypatch.setattr(stamp, "_folder_times", folder_times)
    real_commit = write_module.Stage.commit

    def commit(self, keys, previous):   # the search page, which an edit does not change, removed mid-build
        (out / "search" / "index.html").unlink()
        return real_commit(self, keys, previous)

    monkeypatch.setattr(write_module.Stage, "commit", commit)
    md = articles_of(content)[0]
    md.write_text(md.read_text(encoding="utf-8") + "\n补一句。\n", encoding="utf-8")
    assert build(content, out) == 0
    assert not (out / "search" / "index.html").exists()
    monkeypatch.setattr(write_module.Stage, "commit", real_commit)
    # The record statted a few folders here, not all of them again (the check did that, in children).
    assert 0 < sum(statted) < folders / 4, (statted, folders)
    # The next build sees that the search page's folder changed after the check, and makes it again.
    assert build(content, out) == 0
    assert "(no input changed)" not in summary(capsys)
    assert (out / "search" / "index.html").is_file()
    assert build(content, tmp_path / "clean") == 0
    assert tree(out) == tree(tmp_path / "clean")
    state = stamp.last_state(out)
    assert state["output"] == stamp._output_stamp(out, state["folders"])


@pytest.mark.parametrize("how", ["child", "no fork", "fork fails", "child dies"])
def test_output_check_sees_a_removed_file_in_a_child_or_without_one(tmp_path, monkeypatch, how):
    out = tmp_path / "site"
    assert build(FIXTURE, out) == 0
    state = stamp.last_state(out)
    assert stamp._output_stamp(out, state["folders"]) == state["output"]   # in this process, as the build records it
    parent, callers = os.getpid(), tmp_path / "callers"
    real = stamp._folder_times

    def folder_times(*args):
        with open(callers, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        if how == "child dies" and os.getpid() != parent:
            os._exit(1)
        return real(*args)

    monkeypatch.setattr(stamp, "_folder_times", folder_times)
    if how == "no fork":
        monkeypatch.delattr(os, "fork")
    elif how == "fork fails":
        monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(OSError("no more processes")))
    fds = Path("/proc/self/fd")  # Linux: the process's open files
    open_fds = len(os.listdir(fds)) if fds.is_dir() else 0
    assert stamp.check_output(out, state)() == state["output"]
    assert (len(os.listdir(fds)) if fds.is_dir() else 0) == open_fds   # the pipes are closed, whichever way it went
    (out / "feed.xml").unlink()
    assert stamp.check_output(out, state)() not in (None, state["output"])
    shutil.rmtree(next(p.parent for p in out.glob("20*/*/*/*/*/index.html")))
    assert stamp.check_output(out, state)() is None
    assert stamp.check_output(out, None)() is None   # no record: nothing to check
    pids = [int(line) for line in callers.read_text().split()]
    folders = len(state["folders"])
    parts = 3 * len(range(0, folders, -(-folders // stamp.CHECK_PROCESSES)))   # three checks, each in parts
    assert parts > 3
    here = pids.count(parent)
    if how == "child":   # the check ran beside, never here
        assert len(pids) == parts and here == 0 and len(set(pids)) == parts
    elif how == "child dies":   # each child died, and each part was checked here after it
        assert len(pids) == 2 * parts and here == parts
    else:
        assert pids == [parent] * parts


def test_walk_apart_gives_the_walk_of_one_process(tmp_path, monkeypatch):
    """The content's months walked in forked children, in the order of a walk in this process;
    a month removed between the listing and its walk, and a child that dies, change nothing."""
    root = tmp_path / "content"
    for year in ("2024", "2025"):
        for month in range(1, 13):
            folder = root / year / f"{month:02d}" / "01" / "01"
            folder.mkdir(parents=True)
            (folder / "page.yml").write_text("section: x\n")
            (folder / f"01-a{month}.md").write_text("x" * month)
        (root / year / "notes.txt").write_text("a file beside the months")
    (root / "site.yml").write_text("title: x\n")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.md").write_text("x")
    one: list = []
    stamp.walk(str(root), one)
    assert len(one) == 2 * 12 * 2 + 3
    apart: list = []
    stamp.walk_apart(str(root), apart)
    assert apart == one
    parent = os.getpid()
    real = stamp._walk_each

    def walk_each(folders):
        if os.getpid() != parent and str(root / "2025" / "03") in folders:
            os._exit(1)
        return real(folders)
    monkeypatch.setattr(stamp, "_walk_each", walk_each)
    apart = []
    stamp.walk_apart(str(root), apart)
    assert apart == one
    assert stamp.walk_apart(str(tmp_path / "nowhere"), apart) is None and apart[-1] == (str(tmp_path / "nowhere"),
                                                                                       "missing")


def test_same_size_edit_within_one_clock_tick_is_seen(tmp_path, capsys):
    # The file system may give two writes in one tick the same mtime: a file changed just
    # before a build is also recorded by its bytes.
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = tmp_path / "site"
    path = next(p for p in sorted(content.rglob("*.md")))
    os.utime(path)   # edited just now
    assert build(content, out) == 0
    stat = path.stat()
    before = stamp.input_stamp([str(content)], ())["stamp"]
    text = path.read_text(encoding="utf-8")
    edited = text.replace("。", "！", 1)   # both three bytes in UTF-8
    assert edited != text and len(edited.encode("utf-8")) == stat.st_size
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert stamp.input_stamp([str(content)], ())["stamp"] == before   # mtime and size alone miss it
    assert build(content, out) == 0
    assert "(no input changed)" not in summary(capsys)
    full = tmp_path / "full"
    assert build(content, full) == 0
    assert tree(out) == tree(full)


def test_template_edit_renders_only_its_pages(tmp_path, capsys):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    out = tmp_path / "site"
    build(FIXTURE, out, "--templates", str(templates))
    capsys.readouterr()
    path = templates / "person.html"
    path.write_text(path.read_text(encoding="utf-8").replace("<h1>", "<h1 class=\"person\">", 1), encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    assert build(FIXTURE, out, "--templates", str(templates)) == 0
    people = sorted(p.name for p in (out / "people").iterdir() if p.is_dir())
    rendered = int(re.search(r"(\d+) pages rendered", summary(capsys)).group(1))
    assert rendered == len(people) == 7
    changed = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html") if p.read_bytes() != before[p])
    assert changed == sorted(f"people/{name}/index.html" for name in people)


Planned = namedtuple("Planned", "name keyed templates")


def test_groups_of_pages_are_planned_and_keyed_again_only_when_their_inputs_changed(tmp_path, monkeypatch):
    from ycarchive import render

    planned: list = []
    plan_groups = render.plan_groups

    def recording(*args, **kwargs):
        groups = plan_groups(*args, **kwargs)
        for group in groups:   # what it was when planned: render_site drops a group's inputs once keyed
            seen = Planned(group.name, group.inputs is not None, group.templates)
            group.plan = (lambda plan, seen: lambda: planned.append(seen) or plan())(group.plan, seen)
        return groups

    monkeypatch.setattr(render, "plan_groups", recording)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    out = tmp_path / "site"
    assert build(FIXTURE, out, "--templates", str(templates)) == 0
    groups = [g for g in planned if g.keyed]
    assert {g.name[:2] for g in groups} == {"a:", "i:", "c:", "p:", "t:", "y:", "ar"}   # every kind, the first time
    path = templates / "person.html"
    path.write_text(path.read_text(encoding="utf-8").replace("<h1>", "<h1 class=\"person\">", 1), encoding="utf-8")
    planned.clear()
    assert build(FIXTURE, out, "--templates", str(templates)) == 0
    # Only the people's groups use person.html; the pages of their own are planned in every build.
    assert sorted(g.name for g in planned if g.keyed) == sorted(g.name for g in groups
                                                                              if g.name.startswith("p:"))
    assert all(not g.templates for g in planned if not g.keyed)
    planned.clear()
    assert build(FIXTURE, out, "--templates", str(templates), "--force") == 0
    assert len([g for g in planned if g.keyed]) == len(groups)


def test_adding_an_article_leaves_older_numbered_pages_alone(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    site_yml = content / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8").replace("per_page: 20", "per_page: 1"),
                        encoding="utf-8")
    out = tmp_path / "site"
    assert build(content, out) == 0
    before = tree(out)
    (content / "2025/07/01/03/03-new.md").write_text(article("新增报道", "临猗县", "曹欣怡", "正文。"),
                                                      encoding="utf-8")
    assert build(content, out) == 0
    after = tree(out)
    numbered = sorted(d for d in after if "/page/" in d and after[d] != before.get(d))
    # 临猗县 had 2 articles, so pages 1 and 2; the new one makes page 3 and links page 2 to it.
    # Every other listing the article is in (曹欣怡 as reporter, the section) grows the same way.
    # In each listing the article joins, the numbered pages are filled from the oldest article:
    # the new one makes a new last page, and the page before it gains a link to it. 曹欣怡 had
    # one article as reporter, which needs no numbered pages; now there are two.
    assert numbered == [
        "county/linyi/page/2/index.html", "county/linyi/page/3/index.html",
        "people/冯潇楠/art-editor/page/5/index.html", "people/冯潇楠/art-editor/page/6/index.html",
        "people/孙勇/proofreader/page/3/index.html", "people/孙勇/proofreader/page/4/index.html",
        "people/曹欣怡/editor/page/4/index.html", "people/曹欣怡/editor/page/5/index.html",
        "people/曹欣怡/reporter/page/1/index.html", "people/曹欣怡/reporter/page/2/index.html",
        "section/dangjian/page/5/index.html", "section/dangjian/page/6/index.html",
    ]


def test_people_index_follows_a_person_moving_between_articles(tmp_path):
    # 薛哲 keeps one article as reporter and one as author, but in two articles instead of
    # one: the people index's count of articles changes though no role count does.
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    a, b = content / "2025/07/01/03/03-a.md", content / "2025/07/01/03/04-b.md"
    a.write_text("---\ntitle: 甲\nkind: 消息\nreporters: [薛哲]\nauthors: [薛哲]\n---\n\n甲。\n", encoding="utf-8")
    b.write_text("---\ntitle: 乙\nkind: 消息\n---\n\n乙。\n", encoding="utf-8")
    out, full = tmp_path / "site", tmp_path / "full"
    assert build(content, out) == 0
    a.write_text("---\ntitle: 甲\nkind: 消息\nreporters: [薛哲]\n---\n\n甲。\n", encoding="utf-8")
    b.write_text("---\ntitle: 乙\nkind: 消息\nauthors: [薛哲]\n---\n\n乙。\n", encoding="utf-8")
    assert build(content, out) == 0
    assert build(content, full) == 0
    assert tree(out) == tree(full)


def test_search_files_written_by_the_search_process_give_the_same_site(tmp_path, monkeypatch, capsys):
    """Past cli.SPILL_BYTES the search process writes the changed search files to the stage
    itself: a first build and an incremental one must give the sites the pipe gives."""
    from ycarchive import cli

    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    sites = {}
    for name, spill in (("pipe", cli.SPILL_BYTES), ("stage", 0)):
        monkeypatch.setattr(cli, "SPILL_BYTES", spill)
        out = tmp_path / name
        assert build(content, out) == 0   # a first build: the stage is the site's tree
        sites[name] = [tree(out)]
        # of June, before the newest month (July): so the older articles' chunks change too
        new = content / "2025/06/24/03/03-new.md"
        new.write_text(article("新增报道", "临猗县", "曹欣怡", "社区治理新探索。"), encoding="utf-8")
        assert build(content, out) == 0   # an incremental build: files staged flat
        sites[name].append(tree(out))
        new.unlink()
    assert sites["stage"] == sites["pipe"]
    assert any(d.startswith("search/t/") and sites["pipe"][1][d] != sites["pipe"][0].get(d) for d in sites["pipe"][1])


def test_search_chunks_come_from_the_output_where_its_manifest_vouches_for_them(tmp_path, monkeypatch):
    """The search index's cache keeps its chunks' keys, not their bytes: a build reads the
    chunks it changes from the output, once the manifest says the output holds what the cache
    expects; otherwise (a build that failed after saving the cache, a chunk removed by hand)
    everything is indexed again."""
    import pickle

    from ycarchive import cli
    from ycarchive import search as search_module

    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = tmp_path / "site"
    assert build(content, out) == 0
    with open(cli.cache_dir(out) / "search.pickle", "rb") as handle:
        _, (_, search_cache, digests) = pickle.load(handle)
    chunk_files = {p.relative_to(out).as_posix() for p in (out / "search" / "t").iterdir()}
    assert search_cache["state"]["chunks"] is None and set(search_cache["state"]["chunk keys"]) == chunk_files
    assert not any(dest.startswith("search/t/") for dest in digests)
    log = tmp_path / "indexed"
    real = search_module.index_chunks

    def index_chunks(*args, **kwargs):  # runs in the search process: tell the test through a file
        with open(log, "a") as handle:
            handle.write("all\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(search_module, "index_chunks", index_chunks)
    md = articles_of(content)[len(articles_of(content)) // 2]

    def edit_and_build(note: str) -> int:
        md.write_text(md.read_text(encoding="utf-8") + f"\n{note}\n", encoding="utf-8")
        log.write_text("")
        assert build(content, out) == 0
        indexed = len(log.read_text().split())
        assert build(content, tmp_path / note) == 0
        assert tree(out) == tree(tmp_path / note), note
        return indexed

    assert edit_and_build("社区议事") == 0   # spliced into the chunks read from the output
    manifest = write_module.read_manifest(out)
    chunk = sorted(chunk_files)[0]
    manifest[chunk] = "written by a build that then failed"
    (out / write_module.MANIFEST).write_bytes(marshal.dumps(manifest, 2))
    assert edit_and_build("志愿服务") == 1
    assert edit_and_build("健步走") == 0
    (out / chunk).unlink()
    assert edit_and_build("红色物业") == 1


def noting(log: Path, name: str, real):
    """`real`, noting `name` in the file `log` at every call: calls made in the search process
    (a forked child) reach the test this way."""
    def run(*args, **kwargs):
        with open(log, "a") as handle:
            handle.write(f"{name}\n")
        return real(*args, **kwargs)
    return run


def appending(md: Path, note: str):
    """A change that adds a line to an article's body."""
    return lambda: md.write_text(md.read_text(encoding="utf-8") + f"\n{note}\n", encoding="utf-8")


def noted_build(content: Path, out: Path, log: Path, clean: Path) -> list[str]:
    """Build `out`, then `clean` from nothing, which must give the same files; return the calls
    noted in `log` by the first build, sorted."""
    log.write_text("")
    assert build(content, out) == 0
    noted = sorted(log.read_text().split())
    assert build(content, clean) == 0
    assert tree(out) == tree(clean), clean.name
    return noted


def test_search_records_come_from_the_output_where_its_manifest_vouches_for_them(tmp_path, monkeypatch):
    """The search index's cache keeps each article's number and its record's key, not the
    record's bytes: a build makes only the records of articles added or changed, and reads an
    article's old record from the output to take it out of the index. If the manifest does
    not vouch for the records (a build that failed after saving the cache), all are made again,
    and an article changed then is indexed again with all the others."""
    from ycarchive import cli
    from ycarchive import search as search_module

    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = tmp_path / "site"
    assert build(content, out) == 0
    _, search_cache, digests = cli._load_part(cli.cache_dir(out) / "search.pickle")
    record_files = {p.relative_to(out).as_posix() for p in (out / "search" / "d").iterdir()}
    assert search_cache["record files"] is None and set(search_cache["record keys"]) == record_files
    assert not any(dest.startswith("search/d/") for dest in digests)
    log = tmp_path / "made"
    monkeypatch.setattr(search_module, "render_record", noting(log, "record", search_module.render_record))
    monkeypatch.setattr(search_module, "index_chunks", noting(log, "index", search_module.index_chunks))
    mds = articles_of(content)

    def change_and_build(change, note: str) -> list[str]:
        change()
        return noted_build(content, out, log, tmp_path / note)

    assert change_and_build(appending(mds[1], "社区议事"), "edit") == ["record"]
    assert change_and_build(mds[2].unlink, "delete") == []  # its record read from the output, and spliced out
    manifest = write_module.read_manifest(out)
    record = next(path for path in sorted(record_files) if (out / path).is_file())
    manifest[record] = "written by a build that then failed"
    (out / write_module.MANIFEST).write_bytes(marshal.dumps(manifest, 2))
    # every record made again, and the edited article's old record not to be had: all indexed again
    # (an article of June, before the newest month: July's are indexed afresh in every build anyway)
    assert change_and_build(appending(mds[0], "健步走"), "untrusted") == ["index"] + ["record"] * (len(mds) - 1)
    assert change_and_build(appending(mds[0], "志愿服务"), "trusted again") == ["record"]


def test_search_state_parts_are_read_and_saved_only_for_changes_before_the_newest_month(tmp_path, monkeypatch):
    """The parts of the search index's state that only a change to an article before the
    newest month needs (search.STATE_PARTS) are kept in a file of their own: a build that
    changes only the newest month neither loads nor saves them; one that changes an older
    article loads them, splices, and saves them under a new token; and when the file is
    missing, or is not the one saved with the rest of the cache, everything is indexed again.
    Every build gives the bytes of a clean build."""
    from ycarchive import cli
    from ycarchive import search as search_module

    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = tmp_path / "site"
    assert build(content, out) == 0
    parts = cli.cache_dir(out) / cli.STATE_FILE
    first = parts.read_bytes()
    log = tmp_path / "log"
    monkeypatch.setattr(cli, "_load_state_parts", noting(log, "load", cli._load_state_parts))
    monkeypatch.setattr(search_module, "index_chunks", noting(log, "index", search_module.index_chunks))

    def change_and_build(change, note: str) -> list[str]:
        change()
        return noted_build(content, out, log, tmp_path / note)

    older = sorted((content / "2025" / "06").rglob("*.md"))

    newest_page = content / "2025" / "07" / "01" / "03"
    stat = parts.stat()
    assert change_and_build(lambda: (newest_page / "03-new.md").write_text(
        article("七月新增", "临猗县", "薛哲", "社区议事会。"), encoding="utf-8"), "add July") == []
    assert change_and_build(appending(newest_page / "03-new.md", "志愿服务"), "edit July") == []
    assert (parts.stat().st_ino, parts.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    assert change_and_build(appending(older[0], "健步走"), "edit June") == ["load"]   # spliced
    assert parts.read_bytes() != first
    second = parts.read_bytes()
    assert change_and_build(appending(older[1], "红色物业"), "edit June again") == ["load"]
    parts.write_bytes(second)   # the parts of an earlier state: not to be used
    assert change_and_build(appending(older[0], "网格员"), "stale parts") == ["index", "load"]
    parts.unlink()
    assert change_and_build(appending(older[1], "议事厅"), "no parts") == ["index", "load"]
    assert change_and_build(appending(older[0], "小板凳"), "parts again") == ["load"]


def test_saving_the_cache_leaves_no_utf8_copy_in_the_strings_it_saved(tmp_path):
    """CPython keeps the UTF-8 that pickling a str asks for in the str itself; the cache's
    pickler writes long non-ASCII strings as bytes of their own, and reads them back as they were."""
    import pickle
    import sys

    from ycarchive import cli

    body, short, ascii_text = "运城市党建引领基层治理。" * 40, "盐湖区", "x" * 500
    payload = {"body": body, "items": [short, ascii_text, "\udc80" + body], "bytes": b"\xe8"}
    sizes = [sys.getsizeof(s) for s in (body, ascii_text)]
    cli._save_part(tmp_path / "part.pickle", payload)
    assert [sys.getsizeof(s) for s in (body, ascii_text)] == sizes  # short strings are pickled as usual
    assert cli._load_part(tmp_path / "part.pickle") == payload
    pickle.dumps(body)  # what the plain pickler does
    assert sys.getsizeof(body) > sizes[0]


def test_cached_files_keep_no_markdown_and_a_missing_rendering_reads_the_file_again(tmp_path):
    """Bodies are let go of once rendered, and the cache holds each article's front matter,
    not its Markdown: a body whose rendering is not in the cache is read from its file again,
    and a file that no longer has that body is an error, not a wrong page."""
    from ycarchive import cli
    from ycarchive.errors import Problems
    from ycarchive.library import build_library
    from ycarchive.load import load_content, read_body

    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(FIXTURE, content)
    raw = load_content(content, Problems())
    assert len(raw.bodies) == len(raw.articles) == 5
    build_library(raw, Problems())
    assert raw.bodies == {}   # each let go of once rendered
    assert build(content, out) == 0
    lines = {line for path in articles_of(content)
             for line in path.read_text(encoding="utf-8").split("---", 2)[2].splitlines() if len(line) > 20}
    shards = b"".join(p.read_bytes() for p in cli.cache_dir(out).glob("docs.*.pickle"))
    assert len(lines) >= 5 and [line for line in lines if line.encode("utf-8") in shards] == []
    assert len(cli.load_cache(out, with_search=False)["docs"]) == 5 + len(list(content.rglob("page.yml")))

    for part in cli.cache_dir(out).glob("markdown.*.pickle"):
        part.unlink()
    first = articles_of(content)[0]
    (first.parent / "09-added.md").write_text(article("新增报道", "盐湖区", "薛哲", "新增的正文。"), encoding="utf-8")
    assert build(content, out) == 0
    clean = tmp_path / "clean"
    assert build(content, clean, "--force") == 0
    assert tree(out) == tree(clean)

    # A file whose stamp is as cached but whose body is not (changed again within one clock tick)
    age(content)
    cache: dict = {}
    load_content(content, Problems(), cache)
    stat = first.stat()
    text = first.read_text(encoding="utf-8")
    first.write_text(text[::-1].replace("。", "！", 1)[::-1], encoding="utf-8")   # as many bytes
    os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    problems = Problems()
    build_library(load_content(content, problems, cache), problems, renderings=cli.Renderings(tmp_path / "none"))
    assert [(p.line, p.message) for p in problems.errors if first.name in p.path] == [
        (cache[next(k for k in cache if k.endswith(first.name))][1].body_line,
         "file changed while it was being built; build again")]
    first.unlink()   # or gone since the folder was walked
    problems = Problems()
    assert read_body(str(content), cache[next(k for k in cache if k.endswith(first.name))][1], problems) is None
    assert [(p.line, p.message) for p in problems.errors] == [
        (1, "cannot read the file again (No such file or directory); build again")]


def test_rendered_bodies_are_kept_by_month_and_read_only_when_shown(tmp_path):
    """Each month's rendered bodies are cached in a file of their own, and a build reads none
    of them until a page shows a body: then only that body's month. A change rewrites its
    month's file alone, and a month left without articles loses its file."""
    import argparse

    from ycarchive import cli

    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(FIXTURE, content)
    age(content)
    assert build(content, out) == 0
    folder = cli.cache_dir(out)

    def months() -> dict:
        return {p.name: p.stat().st_mtime_ns for p in folder.glob("markdown.*.pickle")}

    assert sorted(months()) == ["markdown.2025-06.pickle", "markdown.2025-07.pickle"]
    cache = cli.load_cache(out, with_search=False)
    library, problems = cli.read_library(argparse.Namespace(content=str(content), drafts=False), cache)
    renderings = cache["markdown"]
    assert not problems.errors and renderings.read == {} and renderings.new == {}
    shown = next(a for a in library.articles if a.src_path.startswith("2025/07/"))
    assert "<p>" in shown.html and shown.text and list(renderings.read) == ["2025-07"]
    assert renderings.new == {}   # read, not rendered again

    before = months()
    time.sleep(0.01)
    june = sorted((content / "2025/06/24/03").glob("*.md"))[0]
    june.write_text(june.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    assert build(content, out) == 0
    after = months()
    assert after["markdown.2025-07.pickle"] == before["markdown.2025-07.pickle"]
    assert after["markdown.2025-06.pickle"] != before["markdown.2025-06.pickle"]

    for path in (content / "2025/07").rglob("*.md"):
        path.unlink()
    assert build(content, out) == 0
    assert sorted(months()) == ["markdown.2025-06.pickle"]
    clean = tmp_path / "clean"
    assert build(content, clean) == 0
    assert tree(out) == tree(clean)


def test_checked_fields_are_kept_with_unchanged_files_and_their_names_looked_up_in_every_build(
        tmp_path, monkeypatch, capsys):
    """An article's front matter is checked when its file is read, and the checked fields are
    kept with it in the cache: a later build checks only the files that changed. The names in
    them are looked up in the registries in every build, so a person renamed in people.yml is
    reported against an unchanged article, as a build without a cache reports it."""
    from ycarchive import library as library_module

    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(FIXTURE, content)
    age(content)
    assert build(content, out) == 0
    checked = []
    real = library_module._article_fields

    def counted(check):
        checked.append(check.doc.src_path)
        return real(check)

    monkeypatch.setattr(library_module, "_article_fields", counted)
    edited = content / "2025/06/24/03/01-huludao.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    past = time.time_ns() - 3600 * 1_000_000_000   # not changed just now, or the next build would read it again
    os.utime(edited, ns=(past, past))
    assert build(content, out) == 0
    assert checked == ["2025/06/24/03/01-huludao.md"]
    clean = tmp_path / "clean"
    assert build(content, clean) == 0
    assert tree(out) == tree(clean)

    people = content / "people.yml"
    people.write_text(people.read_text(encoding="utf-8").replace("- name: 薛哲\n", "- name: 薛哲明\n"),
                      encoding="utf-8")
    checked.clear()
    capsys.readouterr()
    assert build(content, out) == 1
    assert checked == []
    errors = sorted(line for line in capsys.readouterr().err.splitlines() if "unknown person" in line)
    assert errors and all("'薛哲'" in line for line in errors)
    assert build(content, tmp_path / "new") == 1
    assert sorted(line for line in capsys.readouterr().err.splitlines() if "unknown person" in line) == errors


def test_a_person_renamed_in_people_yml_is_renamed_in_the_search_files_of_unchanged_articles(tmp_path):
    """The search process reuses an unchanged article's key (search.doc_key) by its fingerprint,
    which does not cover the registries: a person renamed in people.yml, the old name kept as an
    alias, changes the search records and facets of articles whose files did not change."""
    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(FIXTURE, content)
    age(content)
    assert build(content, out) == 0
    people = content / "people.yml"
    renamed = people.read_text(encoding="utf-8").replace("- name: 薛哲\n", "- name: 薛哲明\n  aliases: [薛哲]\n")
    people.write_text(renamed, encoding="utf-8")
    assert build(content, out) == 0
    clean = tmp_path / "clean"
    assert build(content, clean) == 0
    assert any(path.startswith("search/d/") and "薛哲明".encode() in data for path, data in tree(out).items())
    assert tree(out) == tree(clean)


def test_turning_drafts_on_renders_a_draft_whose_file_was_cached_without_its_body(tmp_path):
    """A draft left out of a build is parsed and cached, but its body is never rendered; the
    next build with --drafts reads the body from the file again."""
    content, out, clean = tmp_path / "content", tmp_path / "site", tmp_path / "clean"
    shutil.copytree(FIXTURE, content)
    draft = articles_of(content)[-1]
    draft.write_text(draft.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1), encoding="utf-8")
    age(content)
    assert build(content, out) == 0
    assert build(content, out, "--drafts") == 0
    assert build(content, clean, "--drafts", "--force") == 0
    assert tree(out) == tree(clean)
    body = draft.read_text(encoding="utf-8").split("---", 2)[2].strip().splitlines()[0]
    assert body and any(body in p.read_text(encoding="utf-8") for p in out.rglob("index.html"))


def test_templates_compiled_for_render_workers_are_kept_for_the_next_build(tmp_path, monkeypatch):
    # Pages rendered in forked workers: the templates are compiled before they fork, so that
    # the cache keeps them, as it does when the build's own process renders the pages.
    from ycarchive import cli, render

    def bytecode(out: Path) -> set:
        return set(cli._load_part(cli.cache_dir(out) / "templates.pickle")["bytecode"])

    assert build(FIXTURE, tmp_path / "alone") == 0   # 60 pages: rendered in the build's own process
    monkeypatch.setattr(render, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert build(FIXTURE, tmp_path / "forked") == 0
    assert bytecode(tmp_path / "forked") == bytecode(tmp_path / "alone")
    assert len(bytecode(tmp_path / "alone")) >= 10
    assert tree(tmp_path / "forked") == tree(tmp_path / "alone")


def test_related_articles_are_picked_again_only_near_an_edit(tmp_path, monkeypatch):
    """A build keeps the last build's related articles (render.related_articles): an edit picks
    again only the edited article and its neighbours, not every article with numpy, and a build
    that changes no article does not save them again; --force and a build without a cache pick
    them all."""
    from ycarchive import render

    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(FIXTURE, content)
    age(content)
    calls = {"all": 0, "again": []}
    pick_all, pick_again = render._pick_all, render._pick_again
    monkeypatch.setattr(render, "_pick_all", lambda library: calls.__setitem__("all", calls["all"] + 1) or
                        pick_all(library))
    monkeypatch.setattr(render, "_pick_again", lambda article: calls["again"].append(article.src_path) or
                        pick_again(article))
    assert build(content, out) == 0
    assert calls["all"] == 1
    edited = content / "2025/06/24/03/01-huludao.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    age(content)
    assert build(content, out) == 0
    assert calls["all"] == 1 and "2025/06/24/03/01-huludao.md" in calls["again"]
    saved = (tmp_path / ".site-cache" / "related.pickle").stat().st_mtime_ns
    assert build(content, out, "--base-url", "https://example.org/archive/") == 0   # every page, no article
    assert calls["all"] == 1 and (tmp_path / ".site-cache" / "related.pickle").stat().st_mtime_ns == saved
    assert build(content, out, "--force") == 0
    assert calls["all"] == 2
    clean = tmp_path / "clean"
    assert build(content, clean) == 0
    assert calls["all"] == 3
    assert tree(out) == tree(clean)
