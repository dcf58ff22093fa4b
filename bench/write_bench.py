#!/usr/bin/env python3
"""Ways to replace N changed files of a built site, timed side by side in one run.

An incremental build stages the files it made, then replaces the changed ones in the output.
This compares, on the same disk and in the same run (repeated, interleaved):

- tree:    staged in a copy of the site's folder tree, moved in by rename, staged tree removed;
- flat:    staged flat in one folder, moved in by rename;
- inplace: staged flat, written over the old files (ycarchive/write.py's `Stage.commit`).

    python bench/write_bench.py [--files 1300] [--size 10000] [--repeat 3] [--work DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def run(work: Path, dests: list[str], data: bytes, how: str) -> tuple[float, float]:
    """(seconds to stage, seconds to commit) for one way."""
    out, stage = work / "out", work / f"stage-{how}"
    started = time.perf_counter()
    stage.mkdir()
    for i, dest in enumerate(dests):
        if how == "tree":
            path = stage / dest
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            path = stage / str(i)
        path.write_bytes(data)
    staged = time.perf_counter()
    for i, dest in enumerate(dests):
        source = stage / (dest if how == "tree" else str(i))
        if how == "inplace":
            with open(out / dest, "r+b") as handle:
                handle.write(source.read_bytes())
                handle.truncate()
        else:
            os.replace(source, out / dest)
    shutil.rmtree(stage)
    return staged - started, time.perf_counter() - staged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1300)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", help="folder to work in (default: a new one under /tmp)")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="write-bench-"))
    dests = [f"a{i // 2}/b/index{i % 2}.html" for i in range(args.files)]   # two files a folder
    for dest in dests:
        (work / "out" / dest).parent.mkdir(parents=True, exist_ok=True)
        (work / "out" / dest).write_bytes(b"0" * args.size)
    os.sync()
    times: dict[str, list] = {"tree": [], "flat": [], "inplace": []}
    for r in range(args.repeat):
        for how in times:
            data = bytes([65 + r]) * args.size
            times[how].append(run(work, dests, data, how))
    print(f"{args.files} files of {args.size} bytes, {args.repeat} rounds, median seconds (stage + commit)")
    for how, runs in times.items():
        stage = statistics.median(s for s, _ in runs)
        commit = statistics.median(c for _, c in runs)
        print(f"{how:8} stage {stage:.3f}  commit {commit:.3f}  total {stage + commit:.3f}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
