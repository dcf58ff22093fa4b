"""Lighthouse scores for the home page, an article and the search page of a local build.

    python3 tools/lighthouse.py [--site DIR] [--min 95] [--runs 1]

Builds content/ into a temporary folder (or uses --site), serves it on 127.0.0.1, runs
Lighthouse with Debian's Chromium (/usr/bin/chromium, or $CHROME_PATH) in its default mobile
set-up, prints the four category scores per page and exits non-zero if any is below --min.

Lighthouse is large, so it is not in package.json (CI installs that for every test run): the
first run installs it with npm into .lighthouse/ at the top of the repository.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ycarchive.cli import main as build_main  # noqa: E402
from ycarchive.serve import serve_static  # noqa: E402
from ycarchive.errors import Problems  # noqa: E402
from ycarchive.library import build_library  # noqa: E402
from ycarchive.load import load_content  # noqa: E402

PREFIX = ROOT / ".lighthouse"
BIN = PREFIX / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"


def lighthouse_major() -> int:
    """Lighthouse 13 needs Node 22.19 or later; Lighthouse 12 runs on Node 18.20 and later."""
    version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout
    major, minor = (int(x) for x in version.strip().lstrip("v").split(".")[:2])
    return 13 if (major, minor) >= (22, 19) else 12


def install_lighthouse() -> None:
    """Install Lighthouse into .lighthouse/ unless it is there already."""
    if BIN.exists():
        return
    package = f"lighthouse@{lighthouse_major()}"
    print(f"installing {package} into {PREFIX.relative_to(ROOT)}/ …", file=sys.stderr)
    subprocess.run(["npm", "install", "--prefix", str(PREFIX), "--no-save", "--no-audit", "--no-fund", package],
                   check=True)


def sample_pages(content: Path) -> dict[str, str]:
    """Home, the longest article (the heaviest page), and search, by name."""
    problems = Problems()
    library = build_library(load_content(content, problems), problems)
    if problems.errors:
        sys.exit(f"content has {len(problems.errors)} error(s); run python3 build.py check")
    article = max(library.articles, key=lambda a: len(a.html))
    return {"home": "", "article": article.url, "search": "search/"}


def run_lighthouse(url: str, chrome: str) -> dict[str, int]:
    """The four category scores (0–100) of one page."""
    env = dict(os.environ, CHROME_PATH=chrome)
    result = subprocess.run(
        [str(BIN), url, f"--chrome-flags={CHROME_FLAGS}", "--output=json", "--output-path=stdout", "--quiet",
         "--only-categories=" + ",".join(CATEGORIES)],
        capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        sys.exit(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    weighed = {ref["id"] for c in CATEGORIES for ref in report["categories"][c]["auditRefs"] if ref["weight"] > 0}
    failing = [f"    {a['id']}: {a['title']}" for a in report["audits"].values()
               if a["id"] in weighed and a.get("score") is not None and a["score"] < 0.9]
    if failing:
        print(f"  {url}: audits below 0.9:\n" + "\n".join(failing), file=sys.stderr)
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site to test (default: build content/ afresh)")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--min", type=int, default=95, help="lowest acceptable score (default 95)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median score is kept")
    args = parser.parse_args(argv)

    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    install_lighthouse()
    version = subprocess.run([str(BIN), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            if build_main(["build", "--content", str(args.content), "--out", str(site)]) != 0:
                return 1
        server, base = serve_static(site)
        try:
            print(f"Lighthouse {version}, Chromium {chrome}, mobile (default) settings")
            print(f"{'page':<10}" + "".join(f"{c:>16}" for c in CATEGORIES))
            low = []
            for name, url in sample_pages(args.content).items():
                runs = [run_lighthouse(base + quote(url), chrome) for _ in range(args.runs)]
                scores = {c: sorted(r[c] for r in runs)[len(runs) // 2] for c in CATEGORIES}
                print(f"{name:<10}" + "".join(f"{scores[c]:>16}" for c in CATEGORIES), flush=True)
                low += [f"{name} {c} {s}" for c, s in scores.items() if s < args.min]
        finally:
            server.shutdown()
    if low:
        print(f"below {args.min}: " + ", ".join(low), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
