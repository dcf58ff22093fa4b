#!/usr/bin/env python3
"""Where a rebuild with no change spends its time, on a site built before:

    python bench/nochange_split.py CONTENT SITE [--templates DIR] [--rounds 3] [--processes 1,4,8] [--cold]

Times, each round: walking and stamping the inputs (ycarchive.stamp.input_stamp) and checking the
output by its folders' times (stamp.check_output), each with the work split between 1, 4, 8…
processes (`--processes`; 1: the walk in this process, the check in one child); looking for
every file of the manifest instead (what the build did before it checked folders); and both, as
the build does them (the check beside the walk, in stamp.CHECK_PROCESSES and
stamp.WALK_PROCESSES processes).

With `--cold` (Linux, as root) the file cache is dropped before each step
(`echo 3 > /proc/sys/vm/drop_caches`): this machine drops file cache that nobody read for about
a minute, so a rebuild minutes after the last one finds it cold.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ycarchive import stamp  # noqa: E402
from ycarchive.write import read_manifest  # noqa: E402

BUILD = (stamp.WALK_PROCESSES, stamp.CHECK_PROCESSES)


def each_file(out: Path) -> bool:
    files = read_manifest(out, check=False)
    prefix = f"{out}/"
    return all(os.path.isfile(prefix + dest) for dest in files)


def by_folders(out: Path, processes: int) -> bool:
    stamp.CHECK_PROCESSES = processes
    state = stamp.last_state(out)
    return stamp.check_output(out, state)() == state["output"]


def walked(roots: list[str], processes: int) -> bool:
    stamp.WALK_PROCESSES = processes
    return bool(stamp.input_stamp(roots, ()))


def together(roots: list[str], out: Path) -> bool:
    stamp.WALK_PROCESSES, stamp.CHECK_PROCESSES = BUILD
    state = stamp.last_state(out)
    output = stamp.check_output(out, state)
    stamp.input_stamp(roots, ())
    return output() == state["output"]


def drop_file_cache() -> None:
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as handle:
            handle.write("3\n")
    except OSError as exc:
        sys.exit(f"--cold: cannot drop the file cache ({exc}); run as root on Linux, or without --cold")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("--templates", type=Path, default=ROOT / "templates")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", default="1,4,8", help="comma-separated process counts to time (default: 1,4,8)")
    parser.add_argument("--cold", action="store_true", help="drop the file cache before each step (root)")
    args = parser.parse_args()
    counts = [int(n) for n in args.processes.split(",")]
    roots = [str(args.content), str(args.templates), str(ROOT / "assets")]

    def plural(n: int) -> str:
        return f"{n} process{'es' if n > 1 else ''}"
    steps = [*((f"input walk in {plural(n)}", lambda n=n: walked(roots, n)) for n in counts),
             *((f"output by folders in {plural(n)}", lambda n=n: by_folders(args.site, n)) for n in counts),
             ("output by files", lambda: each_file(args.site)),
             ("both as the build does them", lambda: together(roots, args.site))]
    for round_ in range(1, args.rounds + 1):
        cells = []
        for name, step in steps:
            if args.cold:
                drop_file_cache()
            started = time.perf_counter()
            ok = step()
            cells.append(f"{name} {time.perf_counter() - started:.3f} s{'' if ok else ' (FALSE)'}")
        print(f"round {round_}: " + ", ".join(cells), flush=True)


if __name__ == "__main__":
    main()
