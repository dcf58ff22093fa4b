"""How long this machine takes to give a process new memory: a numpy array made and freed again.

    python bench/new_memory.py [--mib 1024] [--rounds 4] [--rest 5] [--no-huge-pages]

Each round makes an array of MIB MiB of ones and frees it, printing its seconds, the system CPU
seconds and the page faults it cost; before every other round the process sleeps REST seconds.
On a virtual machine that hands freed memory back to its host (or reclaims what goes unused),
memory that was freed seconds ago costs as much as new memory, and memory freed just now does
not. `--no-huge-pages` sets NUMPY_MADVISE_HUGEPAGE=0 before numpy is imported, so that numpy's
large arrays use ordinary 4 KB pages instead of transparent huge pages (docs/performance.md).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--rest", type=float, default=5.0, help="seconds of sleep before every other round")
    ap.add_argument("--no-huge-pages", action="store_true")
    args = ap.parse_args(argv)
    if args.no_huge_pages:
        if "numpy" in sys.modules:
            raise SystemExit("--no-huge-pages must be given before numpy is imported")
        os.environ["NUMPY_MADVISE_HUGEPAGE"] = "0"
    import numpy as np

    print(f"{args.mib} MiB a round, {'4 KB pages' if args.no_huge_pages else 'numpy default pages'}")
    for n in range(args.rounds):
        rested = n > 0 and n % 2 == 0
        if rested:
            time.sleep(args.rest)
        before = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        array = np.ones(args.mib << 17)   # float64: 2**17 of them a MiB
        seconds = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_SELF)
        del array
        print(f"round {n + 1}{f' (after {args.rest:g} s of sleep)' if rested else ''}: {seconds:.2f} s, "
              f"system {after.ru_stime - before.ru_stime:.2f} s, {after.ru_minflt - before.ru_minflt} page faults")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
