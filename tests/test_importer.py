"""The importer against the reviewed seed pages in content/, and re-importing a page."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import pytest
import yaml

sys.path.insert(0, os.path.dirname(__file__))
from importer.helpers import CONTENT, ROOT, SEED_DIR, SEEDS, read_folder, seed_text, split_article  # noqa: E402

from ycarchive import importer  # noqa: E402
from ycarchive.importer.pipeline import Options  # noqa: E402


def _result(seed: str):
    date, _ = SEEDS[seed]
    opts = Options(date=date, page=3, source=f"seeds/{seed}", date_approximate=True,
                   number_approximate=True)
    return importer.run_import(seed_text(seed), str(CONTENT), opts, str(ROOT / "data" /
                                                                         "yuncheng_gazetteer.csv"))


def _cases():
    for seed, (_, folder) in SEEDS.items():
        for name in sorted(os.listdir(CONTENT / folder)):
            if name != ".import.json":
                yield pytest.param(seed, name, id=f"{seed[:3]}/{name}")


@pytest.fixture(scope="module")
def results():
    return {seed: _result(seed) for seed in SEEDS}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_page_has_exactly_the_reviewed_files(results, seed):
    _, folder = SEEDS[seed]
    assert sorted(results[seed].files) == sorted(read_folder(CONTENT / folder))


@pytest.mark.parametrize("seed, name", list(_cases()))
def test_seed_file_matches_reviewed_content(results, seed, name):
    _, folder = SEEDS[seed]
    reviewed = read_folder(CONTENT / folder)[name]
    produced = results[seed].files[name]
    if name.endswith(".md"):
        want_front, want_body = split_article(reviewed)
        got_front, got_body = split_article(produced)
        for key in sorted(set(want_front) | set(got_front)):
            assert got_front.get(key) == want_front.get(key), key
        assert got_body == want_body
    elif name.endswith(".yml"):
        assert yaml.safe_load(produced) == yaml.safe_load(reviewed)
    assert produced == reviewed


def test_seed_articles_count_and_kinds(results):
    kinds = [f["kind"] for seed in sorted(SEEDS) for f in results[seed].fronts]
    assert len(kinds) == 23
    assert kinds.count("图片新闻") == 4
    assert kinds.count("记者手记") == 1


def test_seed_001_layout_repeat_goes_to_leftovers(results):
    files = results["001_a75a3d1441bf0364.txt"].files
    body = split_article(files["01-yanhu-tongxun.md"])[1]
    assert body.count("2022年，段太珍在西安了解到健步走这项运动") == 1
    assert "不少居民自发聚在广场上排练曲目" in body
    assert "党课党音声声入耳，文化活动也格外丰富。" in body
    assert files["leftovers.txt"].count("2022年，段太珍在西安了解到健步走这项运动") == 1


# --- re-import -------------------------------------------------------------------------------

SEED = "002_e13bbc1ca5954cd9.txt"


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    for name in ("counties.yml", "people.yml", "site.yml"):
        shutil.copy(CONTENT / name, root / name)
    return root


def _run(content, *extra) -> int:
    parser = argparse.ArgumentParser()
    importer.add_arguments(parser)
    args = parser.parse_args([str(SEED_DIR / SEED), "--date", "2025-06-24", "--page", "3",
                              "--content", str(content), "--source", f"seeds/{SEED}",
                              "--date-approximate", "--number-approximate", *extra])
    return importer.run(args)


def test_reimport_writes_nothing_new(content, capsys):
    assert _run(content) == 0
    first = read_folder(content / "2025/06/24/03")
    capsys.readouterr()
    assert _run(content) == 0
    out = capsys.readouterr().out
    assert read_folder(content / "2025/06/24/03") == first
    assert sorted(first) == ["01-pinglu-xiaoxi.md", "02-hejin-xiaoxi.md", "03-ruicheng-xiaoxi.md",
                             "04-linyi-tongxun.md", "05-linyi-shouji.md", "06-wanrong-xiaoxi.md",
                             "07-yanhu-tupian.md", "page.yml"]
    assert out.count("unchanged") == 8
    assert "wrote" not in out


def test_reimport_keeps_hand_edits_and_force_overwrites(content, capsys):
    _run(content)
    folder = content / "2025/06/24/03"
    path = folder / "02-hejin-xiaoxi.md"
    original = path.read_text(encoding="utf-8")
    edited = original.replace("kind: 消息", "kind: 消息\ntags: [警示教育]")
    path.write_text(edited, encoding="utf-8")
    capsys.readouterr()
    assert _run(content) == 0
    out = capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == edited
    assert f"kept       {path} (edited by hand; --force overwrites it)" in out
    assert _run(content, "--force") == 0
    out = capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == original
    assert f"overwrote  {path} (edited by hand)" in out


def test_reimport_follows_a_renamed_file(content, capsys):
    _run(content)
    folder = content / "2025/06/24/03"
    os.rename(folder / "05-linyi-shouji.md", folder / "05-sanji-liangfang.md")
    capsys.readouterr()
    _run(content)
    names = sorted(os.listdir(folder))
    assert "05-linyi-shouji.md" not in names
    assert "05-sanji-liangfang.md" in names
    assert len([n for n in names if n.endswith(".md")]) == 7


def test_sidecar_records_what_was_written(content):
    import hashlib
    _run(content)
    folder = content / "2025/06/24/03"
    with open(folder / ".import.json", encoding="utf-8") as f:
        recorded = json.load(f)["files"]
    for name, digest in recorded.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert len(recorded) == 8


def test_new_person_is_appended_to_people_yml(content, tmp_path, capsys):
    page = tmp_path / "page.txt"
    page.write_text("某某县\n\n新闻标题在这里\n\n本报讯(记者 王小明)近日,夏县举办活动。\n",
                    encoding="utf-8")
    parser = argparse.ArgumentParser()
    importer.add_arguments(parser)
    args = parser.parse_args([str(page), "--date", "2025-01-02", "--content", str(content)])
    assert importer.run(args) == 0
    people = (content / "people.yml").read_text(encoding="utf-8")
    assert people.endswith(f"- name: 王小明\n  note: 导入 {page} 时新增，待核实。\n")
    front, body = split_article((content / "2025/01/02/01/01-xiaxian-xiaoxi.md")
                                .read_text(encoding="utf-8"))
    assert front["reporters"] == ["王小明"]
    assert front["review"] == ["person: 王小明 is not in people.yml; added there as a new "
                               "person, check"]
    assert body == "近日，夏县举办活动。\n"
    assert "added to" in capsys.readouterr().out


def test_unknown_author_under_a_box_headline():
    opts = Options(date="2025-01-01")
    result = importer.run_import("◆记者手记\n\n治理要用心\n\n王小明\n\n社区治理，贵在用心。\n",
                                 str(CONTENT), opts, str(ROOT / "data" / "yuncheng_gazetteer.csv"))
    front, body = split_article(result.files["01-article-shouji.md"])
    assert front == {
        "title": "治理要用心", "kind": "记者手记", "counties": [], "authors": ["王小明"],
        "review": ["bylines: “王小明” under the headline read as the author",
                   "counties: no county, town or village named; add the county by hand",
                   "person: 王小明 is not in people.yml; added there as a new person, check"]}
    assert body == "社区治理，贵在用心。\n"
    assert result.new_people == ["王小明"]


def test_a_dateline_with_place_and_date_is_kept_for_review():
    """本报运城6月18日讯 is read as the lead and taken out of the text: its place and date are
    kept in a review note, not lost."""
    opts = Options(date="2025-06-18")
    result = importer.run_import("运城稻花香\n\n本报运城6月18日讯（记者 曹欣怡）近日，万荣县黄河滩涂的水稻开镰收割。\n",
                                 str(CONTENT), opts, str(ROOT / "data" / "yuncheng_gazetteer.csv"))
    front, body = split_article(result.files["01-wanrong-xiaoxi.md"])
    assert front["reporters"] == ["曹欣怡"] and body == "近日，万荣县黄河滩涂的水稻开镰收割。\n"
    assert front["review"] == ["lead: the dateline “本报运城6月18日讯” is not kept in the article; add its place "
                               "or date to the text by hand if they matter"]


def test_a_new_person_stays_flagged_on_reimport(content, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("新闻标题在这里\n\n本报讯(记者 王小明)近日,夏县举办活动。\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    importer.add_arguments(parser)
    args = parser.parse_args([str(page), "--date", "2025-01-02", "--content", str(content)])
    importer.run(args)
    importer.run(args)
    people = (content / "people.yml").read_text(encoding="utf-8")
    assert people.count("- name: 王小明") == 1
    front, _ = split_article((content / "2025/01/02/01/01-xiaxian-xiaoxi.md")
                             .read_text(encoding="utf-8"))
    assert front["review"] == ["person: 王小明 was added to people.yml by an import and is not "
                               "checked yet"]


def test_lines_wrapped_inside_a_paragraph_are_joined():
    text = "标题一则\n\n本报讯(记者 曹欣怡)近日,夏县城西社区\n组织开展\n活动,居民踊跃参加。\n"
    result = importer.run_import(text, str(CONTENT), Options(date="2025-01-01"),
                                 str(ROOT / "data" / "yuncheng_gazetteer.csv"))
    assert sorted(result.files) == ["01-xiaxian-xiaoxi.md", "page.yml"]
    front, body = split_article(result.files["01-xiaxian-xiaoxi.md"])
    assert front == {"title": "标题一则", "kind": "消息", "counties": ["夏县"],
                     "reporters": ["曹欣怡"]}
    assert body == "近日，夏县城西社区组织开展活动，居民踊跃参加。\n"
