#!/usr/bin/env python3
"""Time clean builds of several copies of the code on one content tree, in rotating order.

    python bench/full_side_by_side.py CONTENT ROUNDS NAME:CODE_DIR [NAME:CODE_DIR ...]

Each CODE_DIR is an exported copy of the repository (`git archive REV | tar -x -C DIR`), whose
bytecode is compiled first. Every round builds CONTENT once with each copy into a new output
folder (`/tmp/full-side-by-side/NAME-ROUND`), the copies' order rotated by one each round.
Before each build the file system is synced: a build writes 500 MB at 10,000 articles, and the
kernel writing that back during the next build had made whichever copy ran second 5-10 s
slower. The outputs are removed at the end, not between builds: on a file system like this
machine's (ext4 without a journal), making files within minutes of removing many costs much
more system time (docs/performance.md, 2026-12-03). Prints each build's wall seconds and the
`--timings` of its main steps, then per copy the median, minimum and maximum.
"""
from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_bench import compile_bytecode  # noqa: E402
from search_cost import clear  # noqa: E402

WORK = Path("/tmp/full-side-by-side")
STEPS = ("read content", "render pages", "search index", "write")


def clean(name: str) -> Path:
    """The path of an output folder, removed if it is there, with what a build keeps beside it."""
    out = WORK / name
    clear(out)
    return out


def build(code: str, content: Path, out: Path) -> tuple[float, str]:
    subprocess.run(["sync"], check=True)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, f"{code}/build.py", "--content", str(content), "--out", str(out),
                          "--timings"], capture_output=True, text=True, check=True, cwd=code)
    wall = time.perf_counter() - started
    line = next((line for line in run.stderr.splitlines() if line.startswith("timings: ")), "")
    steps = ", ".join(f"{step} {m.group(1)} s" for step in STEPS
                      for m in [re.search(rf"{re.escape(step)}(?: \(built in)? ([\d.]+) s", line)] if m)
    return wall, steps


def main(argv: list[str]) -> int:
    content, rounds = Path(argv[0]), int(argv[1])
    copies = [a.split(":", 1) for a in argv[2:]]
    WORK.mkdir(exist_ok=True)
    for _, code in copies:
        compile_bytecode(Path(code))
    walls: dict = {name: [] for name, _ in copies}
    outputs = []
    for r in range(rounds):
        order = copies[r % len(copies):] + copies[:r % len(copies)]
        for name, code in order:
            outputs.append(f"{name}-{r + 1}")
            wall, steps = build(code, content, clean(outputs[-1]))
            walls[name].append(wall)
            print(f"round {r + 1} {name}: {wall:.2f} s ({steps})", flush=True)
    for name in outputs:
        clean(name)
    for name, values in walls.items():
        print(f"{name}: median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
