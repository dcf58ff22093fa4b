"""The preview server rebuilds on change, reloads the open page and shows a failed build's error."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

import pytest

from conftest import FIXTURE, ROOT

ARTICLE = "2025/07/01/03/02-shizhi.md"


@pytest.fixture
def server(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    proc = subprocess.Popen([sys.executable, "build.py", "serve", "--content", str(content),
                             "--out", str(tmp_path / "site"), "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [proc.stdout.readline() for _ in range(2)]  # the build's summary, then the address
    match = re.search(r"at (http://127\.0\.0\.1:\d+/)", lines[1])
    assert match, f"no address in {lines!r}"
    yield content, match.group(1)
    proc.terminate()
    proc.wait(10)


def test_serve_reloads_and_shows_errors(server, browser):
    content, base = server
    page = browser.new_page()
    page.goto(f"{base}2025/07/01/03/shizhi/")
    assert page.inner_text("h1.headline") == "“文艺轻骑兵”服务到基层"
    source = content / ARTICLE
    text = source.read_text(encoding="utf-8")

    source.write_text(text.replace("“文艺轻骑兵”服务到基层", "文艺轻骑兵进社区"), encoding="utf-8")
    page.wait_for_function("document.querySelector('h1.headline').textContent === '文艺轻骑兵进社区'",
                           timeout=15000)

    source.write_text(text.replace("kind: 消息", "kind: [消息"), encoding="utf-8")
    error = page.wait_for_selector("#build-error", timeout=15000)
    assert "构建失败" in error.inner_text()
    assert f"{content}/{ARTICLE}:4: front matter: malformed YAML: while parsing a flow sequence" \
        in error.inner_text()
    # The last good page is still served.
    assert page.inner_text("h1.headline") == "文艺轻骑兵进社区"

    source.write_text(text, encoding="utf-8")
    page.wait_for_function("document.querySelector('h1.headline').textContent === '“文艺轻骑兵”服务到基层'",
                           timeout=15000)
    assert page.query_selector("#build-error") is None
    page.close()


def test_served_files_carry_no_reload_script(server):
    content, base = server
    site = content.parent / "site"
    for _ in range(50):
        if (site / "index.html").exists():
            break
        time.sleep(0.1)
    assert b"__reload" not in (site / "index.html").read_bytes()


def test_a_dropped_connection_is_not_reported(tmp_path, capfd):
    """A browser that closes a connection mid-download (a superseded search, a closed tab) is no
    error; the server goes on serving."""
    import socket
    import urllib.request

    from ycarchive.serve import serve_static

    (tmp_path / "big.json").write_bytes(b"0" * (32 << 20))
    (tmp_path / "small.txt").write_text("ok")
    server, url = serve_static(tmp_path)
    try:
        host, port = server.server_address[:2]
        for _ in range(3):
            with socket.create_connection((host, port)) as sock:
                sock.sendall(b"GET /big.json HTTP/1.0\r\n\r\n")
                sock.recv(1024)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        time.sleep(0.5)
        assert urllib.request.urlopen(url + "small.txt", timeout=5).read() == b"ok"
    finally:
        server.shutdown()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err


def test_watcher_sees_added_changed_and_removed_files_but_not_dot_files(tmp_path):
    from ycarchive.serve import snapshot

    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    watched = [content, tmp_path / "missing"]
    seen = snapshot(watched)
    (content / ".2025.swp").write_text("x", encoding="utf-8")
    (content / "2025" / ".hidden").mkdir()
    (content / "2025" / ".hidden" / "a.md").write_text("x", encoding="utf-8")
    assert snapshot(watched) == seen
    article = content / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "补充。\n", encoding="utf-8")
    changed = snapshot(watched)
    assert changed != seen
    (content / "2025/07/01/03/09-new.md").write_text("x", encoding="utf-8")
    added = snapshot(watched)
    assert added != changed and len(added) == len(changed) + 1
    (content / "2025/07/01/03/09-new.md").unlink()
    assert snapshot(watched) == changed


def test_watcher_skips_a_file_removed_while_its_folder_is_read(tmp_path, monkeypatch):
    """Vim writes and removes a file named 4913 to test a folder: gone between the folder's
    listing and its stat, it is left out instead of stopping the server (or a build)."""
    import os

    from ycarchive.serve import snapshot

    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "kept.md").write_text("x", encoding="utf-8")
    brief = folder / "4913"
    brief.write_text("", encoding="utf-8")
    listed = os.scandir

    def scandir(path):
        entries = list(listed(path))
        brief.unlink(missing_ok=True)
        return iter(entries)

    monkeypatch.setattr(os, "scandir", scandir)
    assert [entry[0] for entry in snapshot([folder])] == [str(folder / "kept.md")]


def test_a_broken_template_is_shown_and_the_server_keeps_serving(tmp_path):
    """A template error raised while rendering (not a content problem) is published like any
    failed rebuild; the server had stopped on it."""
    import json
    import urllib.request

    content, templates = tmp_path / "content", tmp_path / "templates"
    shutil.copytree(FIXTURE, content)
    shutil.copytree(ROOT / "templates", templates)
    proc = subprocess.Popen([sys.executable, "build.py", "serve", "--content", str(content), "--templates",
                             str(templates), "--out", str(tmp_path / "site"), "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(2)]
        base = re.search(r"at (http://127\.0\.0\.1:\d+/)", lines[1]).group(1)

        def state(seen: str = "") -> dict:
            with urllib.request.urlopen(f"{base}__reload?v={seen}", timeout=30) as response:
                return json.load(response)

        first = state()
        assert first["error"] == ""
        source = templates / "person.html"
        good = source.read_text(encoding="utf-8")
        source.write_text(good + "{% if %}\n", encoding="utf-8")
        broken = state(str(first["version"]))
        assert f"{source}:" in broken["error"] and ": template: Expected an expression" in broken["error"]
        assert proc.poll() is None
        with urllib.request.urlopen(base, timeout=10) as response:   # the last good site
            assert response.status == 200
        source.write_text(good, encoding="utf-8")
        assert state(str(broken["version"]))["error"] == ""
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_port_in_use_is_named_with_what_to_do(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "build.py", "serve", "--content", str(FIXTURE), "--out",
                              str(tmp_path / "site"), "--port", str(port)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use; pass another --port, or --port 0 for any free one" in run.stderr
