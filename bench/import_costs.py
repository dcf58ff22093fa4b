#!/usr/bin/env python3
"""What a build spends importing, for copies of the code side by side, in fresh interpreters.

    python bench/import_costs.py CODE_DIR [CODE_DIR ...] [--rounds 3] [--cold]

Each CODE_DIR is an exported copy of the repository (`git archive REV | tar -x -C DIR`). Every
round times each copy in turn:

- `python -X importtime -c "import markdown, ycarchive.markup"`: the cumulative import time of
  ycarchive.markup, Markdown itself imported first (what making the Markdown converter costs);
- the same for ycarchive.search, numpy and the build's other modules imported first (what the
  search process of every build spends on the module's tables);
- a rebuild of a copy of the test fixture under `python -X importtime build.py`, after one
  article changed: the cumulative import time of importlib.metadata and of tqdm, or "not
  imported".

With `--cold` (Linux, as root) the file cache is dropped before each, as a rebuild minutes
after the last one finds it on this machine. Also prints how long formatting an article id
takes with strftime and with date.isoformat() (timeit, best of 5).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from build_bench import compile_bytecode  # noqa: E402
from nochange_split import drop_file_cache  # noqa: E402


def cumulative_ms(importtime: str, module: str) -> str:
    """The cumulative time of `module` in -X importtime output, or "not imported"."""
    match = re.search(rf"^import time:\s+\d+ \|\s+(\d+) \|\s+{re.escape(module)}$", importtime, re.MULTILINE)
    return f"{int(match.group(1)) / 1000:.1f} ms" if match else "not imported"


def module_import(code: Path, before: str, module: str) -> str:
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {before}, {module}"],
                         cwd=code, capture_output=True, text=True, check=True)
    return cumulative_ms(run.stderr, module)


def build_imports(code: Path, content: Path, site: Path) -> tuple[str, str]:
    article = min(content.glob("*/*/*/*/*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-X", "importtime", "build.py", "--content", str(content),
                          "--out", str(site)], cwd=code, capture_output=True, text=True, check=True)
    return cumulative_ms(run.stderr, "importlib.metadata"), cumulative_ms(run.stderr, "tqdm")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("codes", nargs="+", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="drop the file cache before each timing (root)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n, code in enumerate(args.codes):
            compile_bytecode(code)
            shutil.copytree(ROOT / "tests" / "fixtures" / "archive", work / f"content-{n}")
            subprocess.run([sys.executable, "build.py", "--content", str(work / f"content-{n}"), "--out",
                            str(work / f"site-{n}")], cwd=code, capture_output=True, check=True)
        for r in range(args.rounds):
            for n, code in enumerate(args.codes):
                if args.cold:
                    drop_file_cache()
                markup = module_import(code, "markdown", "ycarchive.markup")
                if args.cold:
                    drop_file_cache()
                search = module_import(code, "numpy, ycarchive.cli, ycarchive.render", "ycarchive.search")
                if args.cold:
                    drop_file_cache()
                metadata, tqdm = build_imports(code, work / f"content-{n}", work / f"site-{n}")
                print(f"round {r + 1} {code}: ycarchive.markup {markup}, ycarchive.search {search}; in a rebuild: "
                      f"importlib.metadata {metadata}, tqdm {tqdm}", flush=True)
    setup = "import datetime as dt; d = dt.date(2025, 6, 24)"
    for label, statement in (("strftime", 'f"{d:%Y-%m-%d}-{3:02d}-slug"'),
                             ("isoformat", 'f"{d.isoformat()}-{3:02d}-slug"')):
        best = min(timeit.repeat(statement, setup, number=100_000, repeat=5)) / 100_000
        print(f"article id with {label}: {best * 1e6:.2f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
