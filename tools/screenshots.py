#!/usr/bin/env python3
"""Take phone and desktop screenshots of a built site into docs/screenshots/.

    python3 build.py                    # builds content/ into site/
    python3 tools/screenshots.py        # or: --site site --content content --out docs/screenshots

Shots are viewport-sized PNGs (360×740 phone, 1280×800 desktop) of the home page, an article,
a county page and the county index, taken with headless Chromium through Playwright.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ycarchive.errors import Problems  # noqa: E402
from ycarchive.library import build_library  # noqa: E402
from ycarchive.load import load_content  # noqa: E402
from ycarchive.serve import serve_static  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def pick_pages(content: Path) -> dict[str, str]:
    """Site URLs to photograph, by name: the newest article and the county with most articles."""
    problems = Problems()
    library = build_library(load_content(content, problems), problems)
    pages = {"home": "", "counties": "county/"}
    if library.articles:
        article = library.articles[-1]
        pages["article"] = article.url
        pages["county"] = max(library.counties, key=lambda c: len(c.articles)).url
    return pages


def take_screenshots(site: Path, pages: dict[str, str], out: Path) -> list[Path]:
    """Serve `site` on 127.0.0.1 and write one PNG per page and viewport into `out`."""
    from playwright.sync_api import sync_playwright

    server, base = serve_static(site)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for viewport, size in VIEWPORTS.items():
                context = browser.new_context(viewport=size, locale="zh-CN")
                page = context.new_page()
                for name, url in pages.items():
                    page.goto(base + quote(url), wait_until="networkidle")
                    path = out / f"{name}-{viewport}.png"
                    page.screenshot(path=str(path), animations="disabled")
                    written.append(path)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default=str(ROOT / "site"), help="built site (default: site)")
    parser.add_argument("--content", default=str(ROOT / "content"), help="content it was built from")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="where the PNGs go")
    args = parser.parse_args(argv)
    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"error: {site}/index.html not found; build the site first (python3 build.py)", file=sys.stderr)
        return 1
    for path in take_screenshots(site, pick_pages(Path(args.content)), Path(args.out)):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
