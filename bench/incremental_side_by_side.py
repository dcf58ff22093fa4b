#!/usr/bin/env python3
"""Time one-article rebuilds of several copies of the code on one content tree, alternating.

    python bench/incremental_side_by_side.py CONTENT ROUNDS NAME:CODE_DIR:SITE_DIR [NAME:CODE_DIR:SITE_DIR ...] [--cold]

Each CODE_DIR is an exported copy of the repository (`git archive REV | tar -x -C DIR`), each
with its own SITE_DIR. Every site is first brought up to date by its own code; then each round
adds an article to the newest page (版) folder (a copy of its first article under another
title) and builds with every copy, deletes it and builds with every copy again, the order of
the copies reversed every other round. Prints per copy and step the build's own seconds (its
summary line), wall seconds and CPU seconds (user + system, children included), then the
`--timings` line of each copy's last build. Each copy's bytecode is compiled before it is timed.
With `--cold` (Linux, as root) the file cache is dropped before every timed build, as a rebuild
minutes after the last one finds it on this machine (see bench/nochange_split.py).
"""
from __future__ import annotations

import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_bench import compile_bytecode  # noqa: E402
from nochange_split import drop_file_cache  # noqa: E402


def build(code: str, content: Path, site: str) -> tuple[float, float, float, str, str]:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    run = subprocess.run([sys.executable, f"{code}/build.py", "--content", str(content), "--out", site, "--timings"],
                         capture_output=True, text=True, check=True, cwd=code)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
    seconds = float(re.search(r"in ([\d.]+) s", run.stdout).group(1))
    timings = next((line for line in run.stderr.splitlines() if line.startswith("timings")), "")
    return seconds, wall, cpu, run.stdout.strip(), timings


def main(argv: list[str]) -> int:
    cold = "--cold" in argv
    argv = [a for a in argv if a != "--cold"]
    content, rounds = Path(argv[0]), int(argv[1])
    copies = [a.split(":") for a in argv[2:]]
    page = max(p.parent for p in content.glob("*/*/*/*/page.yml"))
    first = min(page.glob("*.md"))
    added = page / "99-side-by-side-added.md"
    text = re.sub(r"(?m)^title: .*$", "title: 同一天新增的报道", first.read_text(encoding="utf-8"), count=1)
    for _, code, site in copies:
        compile_bytecode(Path(code))
        added.unlink(missing_ok=True)
        build(code, content, site)
    results = {(name, step): [] for name, _, _ in copies for step in ("add", "delete")}
    last = {}
    for r in range(rounds):
        for step in ("add", "delete"):
            if step == "add":
                added.write_text(text, encoding="utf-8")
            else:
                added.unlink()
            time.sleep(2.1)  # past the build's window for files changed within one clock tick
            for name, code, site in copies if r % 2 == 0 else copies[::-1]:
                if cold:
                    drop_file_cache()
                out = build(code, content, site)
                results[name, step].append(out[:3])
                last[name, step] = out[3:]
    for (name, step), values in results.items():
        b, w, c = (sorted(x[i] for x in values) for i in range(3))
        print(f"{name} {step}: build s median {statistics.median(b):.2f} (min {b[0]:.2f}, max {b[-1]:.2f}); "
              f"wall median {statistics.median(w):.2f}; CPU median {statistics.median(c):.2f}")
    for (name, step), (line, timings) in last.items():
        print(f"{name} {step}: {line}\n    {timings}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
