#!/usr/bin/env python3
"""Where a rebuild with no change spends its time, on a site built before:

    python bench/nochange_split.py CONTENT SITE [--templates DIR] [--rounds 3]

Times, each round: walking and stamping the inputs (ycarchive.stamp.input_stamp), checking the
output by its folders' times, both as the build does them (the output check in a forked child
beside the walk), and, side by side, looking for every file of the manifest (what the build did
before it checked folders).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ycarchive import stamp  # noqa: E402


def each_file(out: Path) -> bool:
    with open(out / ".build-manifest.json", encoding="utf-8") as handle:
        files = json.load(handle)
    prefix = f"{out}/"
    return all(os.path.isfile(prefix + dest) for dest in files)


def by_folders(out: Path) -> bool:
    state = stamp.last_state(out)
    return stamp._output_stamp(out, state["folders"]) == state["output"]


def together(roots: list[str], out: Path) -> bool:
    state = stamp.last_state(out)
    output = stamp.check_output(out, state)
    stamp.input_stamp(roots, ())
    return output() == state["output"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("--templates", type=Path, default=ROOT / "templates")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    roots = [str(args.content), str(args.templates), str(ROOT / "assets")]
    steps = [("input walk", lambda: stamp.input_stamp(roots, ()) and True),
             ("output by folders", lambda: by_folders(args.site)),
             ("output by files", lambda: each_file(args.site)),
             ("walk and output by folders in two processes", lambda: together(roots, args.site))]
    for round_ in range(1, args.rounds + 1):
        cells = []
        for name, step in steps:
            started = time.perf_counter()
            ok = step()
            cells.append(f"{name} {time.perf_counter() - started:.3f} s{'' if ok else ' (FALSE)'}")
        print(f"round {round_}: " + ", ".join(cells), flush=True)


if __name__ == "__main__":
    main()
