"""Staging and committing output files (ycarchive/write.py)."""
from __future__ import annotations

import marshal

import pytest

from ycarchive.write import MANIFEST, OLD_MANIFEST, OutputError, Stage, read_manifest


def files(folder) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST}


@pytest.mark.parametrize("hold_bytes", [0, 1 << 20], ids=["on disk", "held in memory"])
def test_commit_makes_the_output_hold_exactly_the_new_files(tmp_path, monkeypatch, hold_bytes):
    out = tmp_path / "site"
    first = Stage(out)
    assert not first.flat
    for dest, data in {"index.html": b"home", "a/index.html": b"a-one", "b/index.html": b"b1",
                       "gone/index.html": b"old"}.items():
        first.put(dest, data)
    stats = first.commit({"index.html": "k", "a/index.html": "k", "b/index.html": "k", "gone/index.html": "k"}, {})
    first.discard()
    assert (stats.written, stats.touched) == (4, None)
    assert files(out) == {"index.html": b"home", "a/index.html": b"a-one", "b/index.html": b"b1",
                          "gone/index.html": b"old"}

    monkeypatch.setattr(Stage, "HOLD_BYTES", hold_bytes)
    second = Stage(out)
    assert second.flat
    second.put("a/index.html", b"x")             # changed, shorter
    second.put("b/index.html", b"b1")            # same bytes
    second.put("new/deep/index.html", b"new")    # a new file in new folders
    assert bool(second.held) == (hold_bytes > 0)
    keys = {"index.html": "k", "a/index.html": "k2", "b/index.html": "k2", "new/deep/index.html": "k"}
    previous = read_manifest(out)
    stats = second.commit(keys, previous)
    second.discard()
    assert files(out) == {"index.html": b"home", "a/index.html": b"x", "b/index.html": b"b1",
                          "new/deep/index.html": b"new"}
    assert (stats.written, stats.unchanged, stats.removed) == (2, 2, 1)
    assert not (out / "gone").exists()
    assert read_manifest(out) == keys
    assert (out / MANIFEST).read_bytes() == marshal.dumps(dict(sorted(keys.items())), 2)
    assert not second.dir.exists()


def test_files_the_builder_holds_anyway_are_not_staged_on_disk(tmp_path, monkeypatch):
    out = tmp_path / "site"
    first = Stage(out)
    first.put("index.html", b"home")
    first.commit({"index.html": "k"}, {})
    first.discard()
    monkeypatch.setattr(Stage, "HOLD_BYTES", 0)
    second = Stage(out)
    second.hold("search/a.json", b"a" * 100)    # past HOLD_BYTES, but already in memory
    second.put("index.html", b"new home")       # past HOLD_BYTES: staged on disk
    assert list(second.held) == ["search/a.json"]
    assert len(list(second.dir.iterdir())) == 1
    stats = second.commit({"index.html": "k2", "search/a.json": "k"}, read_manifest(out))
    second.discard()
    assert files(out) == {"index.html": b"new home", "search/a.json": b"a" * 100}
    assert (stats.written, stats.unchanged, stats.removed) == (2, 0, 0)


def test_a_file_staged_again_with_the_key_it_had_is_written_too(tmp_path, monkeypatch):
    # commit looks for staged files among those whose key changed first (--force renders all)
    out = tmp_path / "site"
    first = Stage(out)
    first.put("index.html", b"home")
    first.put("a/index.html", b"a")
    first.commit({"index.html": "k", "a/index.html": "k"}, {})
    first.discard()
    monkeypatch.setattr(Stage, "HOLD_BYTES", 0)
    second = Stage(out)
    second.put("index.html", b"home, made again")   # staged on disk, its key unchanged
    second.put("a/index.html", b"a2")               # staged on disk, its key changed
    stats = second.commit({"index.html": "k", "a/index.html": "k2"}, read_manifest(out))
    second.discard()
    assert files(out) == {"index.html": b"home, made again", "a/index.html": b"a2"}
    assert (stats.written, stats.unchanged, stats.removed) == (2, 0, 0)


def test_manifest_of_an_older_version_is_read_as_files_without_keys(tmp_path):
    out = tmp_path / "site"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_bytes(b"a")
    (out / OLD_MANIFEST).write_text('["a/index.html", "gone/index.html"]', encoding="utf-8")
    assert read_manifest(out) == {"a/index.html": ""}


def test_a_json_manifest_is_read_and_replaced_by_the_next_commit(tmp_path):
    """Builds before 2026-12-04 wrote the manifest as JSON: the next build reads it, so that an
    existing site is still its own, and its commit leaves the new manifest alone."""
    out = tmp_path / "site"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_bytes(b"a")
    (out / OLD_MANIFEST).write_text('{\n"a/index.html": "k1"\n}', encoding="utf-8")
    previous = read_manifest(out)
    assert previous == {"a/index.html": "k1"}
    stage = Stage(out)
    assert stage.flat
    stage.put("b/index.html", b"b")
    stage.commit({"a/index.html": "k1", "b/index.html": "k2"}, previous)
    stage.discard()
    assert not (out / OLD_MANIFEST).exists()
    assert read_manifest(out) == {"a/index.html": "k1", "b/index.html": "k2"}


def test_a_manifest_of_something_else_is_an_error_that_says_what_to_do(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / MANIFEST).write_bytes(marshal.dumps(42, 2))
    with pytest.raises(OutputError, match=r"\.build-manifest cannot be read \(not a build's manifest\); delete it"):
        read_manifest(out)


def test_unreadable_manifest_is_an_error_that_says_what_to_do(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / MANIFEST).write_text("{", encoding="utf-8")
    with pytest.raises(OutputError, match=r"\.build-manifest cannot be read .*; delete it to rebuild"):
        read_manifest(out)


def test_a_file_the_manifest_lists_but_that_is_gone_is_not_an_error_when_it_is_dropped(tmp_path):
    """A file removed by hand that this build drops anyway, when the manifest is trusted
    without looking for each file (the output's folders looked untouched)."""
    out = tmp_path / "site"
    first = Stage(out)
    for dest in ("keep/index.html", "gone/index.html", "also/index.html"):
        first.put(dest, dest.encode())
    first.commit({"keep/index.html": "k", "gone/index.html": "k", "also/index.html": "k"}, {})
    first.discard()
    (out / "gone" / "index.html").unlink()
    previous = read_manifest(out, check=False)
    assert "gone/index.html" in previous
    second = Stage(out)
    stats = second.commit({"keep/index.html": "k"}, previous)
    second.discard()
    assert files(out) == {"keep/index.html": b"keep/index.html"}
    assert (stats.removed, stats.unchanged) == (1, 1)
    assert read_manifest(out) == {"keep/index.html": "k"}
