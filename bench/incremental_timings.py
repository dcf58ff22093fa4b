#!/usr/bin/env python3
"""Where an incremental build's seconds go: a sequence of one-article changes, each built with
`--timings`, on a content tree that has been built once already.

    python bench/synth.py 10000 /tmp/syn --seed 1
    python build.py --content /tmp/syn/content --out /tmp/syn/site
    python bench/incremental_timings.py /tmp/syn/content /tmp/syn/site

Steps, in order: no change; add an article to the newest page (版) folder (a copy of its first
article under a new name); edit that article; delete it; add an article on a new, later day;
delete that day again. The content tree ends as it began. Each build runs 2.1 s after its change,
past the window in which a just-changed file is also checked by its bytes (ycarchive/stamp.py).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(content: Path, out: Path) -> str:
    time.sleep(2.1)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out),
                          "--timings"], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    timings = next((line for line in run.stderr.splitlines() if line.startswith("timings: ")), "")
    return f"{run.stdout.strip()} (wall {wall:.2f} s)\n    {timings}"


def main() -> None:
    content, out = Path(sys.argv[1]), Path(sys.argv[2])
    page = max(p.parent for p in content.glob("*/*/*/*/page.yml"))
    first = min(page.glob("*.md"))
    added = page / "99-timings-added.md"
    text = first.read_text(encoding="utf-8")
    y, m, d = (int(part) for part in page.parts[-4:-1])
    next_day = date(y, m, d) + timedelta(days=1)
    new_page = content / f"{next_day:%Y/%m/%d}" / "01"
    steps = [
        ("no change", lambda: None),
        ("add an article to the newest page", lambda: added.write_text(
            re.sub(r"(?m)^title: .*$", "title: 同一天新增的报道", text, count=1), encoding="utf-8")),
        ("edit it", lambda: added.write_text(added.read_text(encoding="utf-8") + "\n补充一句。\n",
                                               encoding="utf-8")),
        ("delete it", added.unlink),
        ("add an article on a new day", lambda: (new_page.mkdir(parents=True),
                                                 shutil.copy(page / "page.yml", new_page / "page.yml"),
                                                 (new_page / "01-next.md").write_text(text, encoding="utf-8"))),
        ("delete that day", lambda: shutil.rmtree(content / f"{next_day:%Y/%m/%d}")),
    ]
    for name, change in steps:
        change()
        print(f"{name}: {build(content, out)}", flush=True)


if __name__ == "__main__":
    main()
