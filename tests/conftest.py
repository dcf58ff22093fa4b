"""Shared fixtures: a built fixture archive, and a headless Chromium when the machine has one."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ycarchive.cli import main as build_main
from ycarchive.serve import serve_static

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "archive"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def build(content: Path, out: Path, *extra: str) -> int:
    """Run `build.py` in-process."""
    return build_main(["build", "--content", str(content), "--out", str(out), *extra])


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    """The fixture archive, built once per test session."""
    out = tmp_path_factory.mktemp("fixture") / "site"
    assert build(FIXTURE, out, "--strict") == 0
    return out


@pytest.fixture(scope="session")
def content_site(tmp_path_factory) -> Path:
    """The real archive in content/, built once per test session."""
    out = tmp_path_factory.mktemp("content") / "site"
    assert build(ROOT / "content", out, "--strict") == 0
    return out


def serve_folder(folder: Path):
    """Serve a folder on 127.0.0.1 in a thread; return (server, base URL)."""
    return serve_static(folder)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through Playwright; skipped without Chromium, except on CI where it is required."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required on CI but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
