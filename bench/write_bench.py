#!/usr/bin/env python3
"""Ways to replace N changed files of a built site, timed side by side in one run.

An incremental build stages the files it made, then replaces the changed ones in the output.
This compares, on the same disk and in the same run (repeated, interleaved):

- tree:    staged in a copy of the site's folder tree, moved in by rename, staged tree removed;
- flat:    staged flat in one folder, moved in by rename;
- inplace: staged flat, written over the old files (ycarchive/write.py's `Stage.commit`).

    python bench/write_bench.py [--files 1300] [--size 10000] [--repeat 3] [--work DIR]

With `--stage`, instead, what a first build does: stage a new site's tree, laid out as the
build lays out 10,000 articles (a folder for each article's page, the search index's records
and chunks in two folders: 28,192 files), through pathlib (a mkdir and write_bytes for each
file, as `Stage.put` did) and through `Stage.put`, alternating, each round into new folders
(removed at the end, not between rounds). Prints each round's wall, user and system seconds.
`--files N` takes N of those paths, spread over the tree.

    python bench/write_bench.py --stage [--size 5000] [--repeat 3] [--work DIR] [--files N]
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


def site_tree() -> list[str]:
    """The paths of a first build of 10,000 articles, as far as staging them goes."""
    pages = [f"{2006 + i // 4000}/{i // 300 % 12 + 1:02d}/{i // 10 % 28 + 1:02d}/0{i % 8 + 1}/a{i}/index.html"
             for i in range(10_000)]
    return pages + [f"search/d/{i}.json" for i in range(10_000)] + [f"search/t/{i:04x}.json" for i in range(8192)]


def stage_tree(work: Path, size: int, repeat: int, files: int | None) -> None:
    """First builds' staging, the pathlib way and Stage.put's, alternating."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from ycarchive.write import Stage

    dests, data = site_tree(), b"x" * size
    if files:
        dests = dests[:: max(1, len(dests) // files)][:files]

    def by_pathlib(folder: Path) -> None:
        folder.mkdir()
        for dest in dests:
            path = folder / dest
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    def by_stage(folder: Path) -> None:
        stage = Stage(folder)   # an output folder not made yet, as in a first build: the tree is staged beside it
        for dest in dests:
            stage.put(dest, data)

    ways = [("pathlib", by_pathlib), ("Stage.put", by_stage)]
    seconds: dict[str, list] = {name: [] for name, _ in ways}
    print(f"{len(dests)} files of {size} bytes staged as a first build does, {repeat} rounds")
    for r in range(repeat):
        for name, way in ways if r % 2 == 0 else ways[::-1]:
            folder = work / f"{name.replace('.', '-')}-{r}"
            c0, t0 = os.times(), time.perf_counter()
            way(folder)
            c1, wall = os.times(), time.perf_counter() - t0
            seconds[name].append(wall)
            print(f"round {r + 1} {name:9} {wall:.2f} s, user {c1.user - c0.user:.2f} s, "
                  f"system {c1.system - c0.system:.2f} s", flush=True)
    for name, values in seconds.items():
        print(f"{name:9} median {statistics.median(values):.2f} s")
    shutil.rmtree(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, help="files to replace (default: 1,300; with --stage, all 28,192)")
    parser.add_argument("--size", type=int, help="bytes a file (default: 10,000; 5,000 with --stage)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", help="folder to work in (default: a new one under /tmp)")
    parser.add_argument("--stage", action="store_true", help="time staging a first build's tree instead")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="write-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.stage:
        stage_tree(work, args.size or 5000, args.repeat, args.files)
        return
    args.size, args.files = args.size or 10_000, args.files or 1300
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
