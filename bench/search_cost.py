#!/usr/bin/env python3
"""What the search index adds to a clean build's wall clock: clean builds of one content folder
with and without the index, alternating, in one run.

    python bench/search_cost.py CONTENT [--rounds 2] [--work DIR]

Each build is `build.py --content CONTENT --out DIR/site-N-with|without` in its own process,
into a new output folder (0.6 GB at 10,000 articles). They are all removed at the end, not
between builds: on a file system like this machine's (ext4 without a journal), making files
within minutes of removing many costs much more system time (docs/performance.md, 2026-12-03),
and the builds with the index, which make 16,000 more files at 10,000 articles, would have paid
for it differently from the builds without. Without the index, the build's search process makes
no search files (cli.search_files returns none) but still loads and saves the cache as it does
with the index; everything else is the same code. The content's files are read once beforehand,
so that neither kind of build pays for the disk alone.

bench/search_phases.py times building the index on its own, on both cores; in a build it runs
in a process of its own beside the page rendering, so what it adds to the build is less than
that. This prints each build's seconds (wall clock, and CPU seconds of the build and the
processes it forked), the medians and their difference per article, the difference within each
round, and the CPU seconds the index adds, spread over the machine's cores. The file system is
synced before each build, so that none pays for writing back the one before.

Before the first build and after the last, it times making 2,000 empty files in the work
folder, the system call and its close. A build makes 45,000 files at 10,000 articles, 27,000 of
them the index's, so what each costs moves the figures. On this machine's file system (ext4
without a journal) making a file in the minutes after many were removed costs many times as
much: the kernel's inode allocator skips every recently freed inode, reading its inode block to
find that out (docs/performance.md; 484 and 331 µs a file 80 and 110 s after this script had
removed its outputs, 23-55 µs from 140 s on, 2026-12-05). A run that prints much more than
usual was made in such a stretch, which this script's own earlier run makes: `--keep` leaves
the output folders for the caller to remove later, so that runs one after another do not slow
each other.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _without_search(argv: list[str]) -> int:
    """Run a build whose search process makes no search files (in the process this script
    starts): the rest of that process, loading and saving the cache, is the build's own."""
    from ycarchive import cli

    cli.search_files = lambda library, cache=None, sink=None: {}
    return cli.main(argv)


def clear(out: Path) -> None:
    """Remove an output folder and what a build keeps beside it."""
    from ycarchive.cli import cache_dir
    from ycarchive.stamp import state_path

    for folder in (out, cache_dir(out)):
        shutil.rmtree(folder, ignore_errors=True)
    state_path(out).unlink(missing_ok=True)


def _children_cpu() -> float:
    """CPU seconds, user and system, of the processes this one has waited for, and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(content: Path, out: Path, search: bool) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds of the build and every process it forked, articles, summary)."""
    args = ["--content", str(content), "--out", str(out)]
    command = ([sys.executable, str(ROOT / "build.py"), *args] if search
               else [sys.executable, __file__, "--without-search", *args])
    started, cpu = time.perf_counter(), _children_cpu()
    run = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    summary = run.stdout.strip().splitlines()[-1]
    articles = int(re.match(r"built (\d+) articles", summary).group(1))
    search_files = sum(1 for p in (out / "search").rglob("*") if p.is_file() and p.name != "index.html")
    if search != (search_files > 0):
        raise SystemExit(f"a build {'with' if search else 'without'} the index wrote {search_files} search files")
    return wall, cpu, articles, summary


PROBE_FILES = 2000


def create_cost(folder: Path, n: int = PROBE_FILES) -> float:
    """Microseconds to make one empty file in a new subfolder of `folder` (open and close, of
    n files); the files are left there."""
    folder.mkdir()
    started = time.perf_counter()
    for i in range(n):
        os.close(os.open(folder / str(i), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    return (time.perf_counter() - started) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--without-search"]:
        return _without_search(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("content", type=Path)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--work", type=Path, help="folder for the output (default: a new one under /tmp)")
    ap.add_argument("--keep", action="store_true", help="leave the output folders (removing them slows making files for minutes)")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="search-cost-"))
    work.mkdir(parents=True, exist_ok=True)
    for path in args.content.rglob("*"):
        if path.is_file():
            path.read_bytes()
    seconds: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    articles = 0
    outputs = [work / "probe-before", work / "probe-after"]
    print(f"making a file before the builds: {create_cost(outputs[0]):.0f} µs", flush=True)
    for n in range(args.rounds):
        for search in ((True, False) if n % 2 == 0 else (False, True)):
            outputs.append(work / f"site-{n + 1}-{'with' if search else 'without'}")
            clear(outputs[-1])
            # The previous build's files are written back to the disk first, not during this one
            # (a build with the index writes 0.7 GB at 10,000 articles; see bench/full_side_by_side.py).
            os.sync()
            wall, used, articles, summary = build(args.content, outputs[-1], search)
            seconds[search].append(wall)
            cpu[search].append(used)
            print(f"round {n + 1}, {'with' if search else 'without'} the index: {wall:.2f} s, CPU {used:.2f} s "
                  f"({summary})", flush=True)
    print(f"making a file after the builds: {create_cost(outputs[1]):.0f} µs", flush=True)
    if args.keep:
        print("kept: " + " ".join(map(str, outputs)))
    else:
        for out in outputs:
            clear(out)
    ms = 1000 / max(articles, 1)   # seconds for the whole archive to ms per article
    with_, without = statistics.median(seconds[True]), statistics.median(seconds[False])
    print(f"medians: with the index {with_:.2f} s, without {without:.2f} s; the index adds {with_ - without:.2f} s, "
          f"{(with_ - without) * ms:.2f} ms per article ({articles} articles)")
    # Each round's two builds ran one after the other: their difference is what a slow stretch
    # that lasts a round moves least.
    rounds = [(w - wo) * ms for w, wo in zip(seconds[True], seconds[False])]
    print("each round's difference: " + ", ".join(f"{r:.2f}" for r in rounds) + " ms per article")
    # CPU seconds move less than wall-clock ones with what else the machine runs; spread over
    # the cores the build has, they are about what the index would add on an otherwise idle
    # machine, if the build keeps every core busy.
    cpu_with, cpu_without = statistics.median(cpu[True]), statistics.median(cpu[False])
    cores = os.cpu_count() or 1
    print(f"CPU medians: with the index {cpu_with:.2f} s, without {cpu_without:.2f} s; the index adds "
          f"{cpu_with - cpu_without:.2f} CPU seconds, {(cpu_with - cpu_without) * ms / cores:.2f} ms per article "
          f"over {cores} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
