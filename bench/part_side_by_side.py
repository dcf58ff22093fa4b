#!/usr/bin/env python3
"""The index build's two steps, one run and one part at a time, by an older search.py and this
checkout's, alternating, on one core.

    python bench/part_side_by_side.py CONTENT OLD_SEARCH_PY [--rounds 9] [--run 625]

Indexing: `_index_arrays` of three runs of 625 articles (the first, one from the middle and
the last whole one of the content's, as numbered), for the merge. Merging: `_join_runs` and `_merge_runs`
of the first of the eight parts of chunk numbers (the parts of 10,000 articles) of every run.
Both run in this process, one after the other and then the other way round, timed in CPU
seconds of this process; the arrays and chunks of the two are compared first.

search_bench.py --side-by-side times whole index builds, with their forked processes on both
cores, where the pool's scheduling and the disk add their own noise: a change of a few per
cent in one step is lost there, and shows here.
"""
from __future__ import annotations

import argparse
import copy
import gc
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_bench import load_old, site_docs  # noqa: E402
from ycarchive import search  # noqa: E402

PARTS = 8


def same(a, b) -> bool:
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    return a == b


def timed(step, rounds: int, modules) -> dict[str, list[float]]:
    """CPU seconds of step(module) for each module, `rounds` times, the order turned each round."""
    seconds = {name: [] for name, _ in modules}
    for r in range(rounds):
        for name, module in modules if r % 2 == 0 else modules[::-1]:
            started = time.process_time()
            step(module)
            seconds[name].append(time.process_time() - started)
    return seconds


def report(title: str, seconds: dict[str, list[float]]) -> None:
    print(title)
    for name, values in seconds.items():
        print(f"  {name}: median {statistics.median(values):.3f} s  ({' '.join(f'{v:.3f}' for v in values)})")
    print(f"  new / old: {statistics.median(seconds['new']) / statistics.median(seconds['old']):.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("content", type=Path)
    ap.add_argument("old", type=Path, help="an older ycarchive/search.py")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--run", type=int, default=625, help="articles per run (the build's at 10,000 articles and more)")
    args = ap.parse_args(argv)
    old = load_old(args.old)
    docs = site_docs(args.content)
    for d in docs:   # read every text once, before any timing
        d.text = search.doc_text(d)
    numbered = search.number_docs(docs)
    run = args.run
    if len(numbered) < 2 * run:
        raise SystemExit(f"{args.content} has {len(numbered)} articles; at least {2 * run} are needed")
    n_buckets = search.bucket_count(len(numbered))
    bounds = [n_buckets * j // PARTS for j in range(PARTS + 1)]
    starts = sorted({0, (len(numbered) // 2) // run * run, (len(numbered) // run - 1) * run})
    runs = [numbered[i : i + run] for i in starts]
    modules = [("old", old), ("new", search)]
    gc.disable()   # as the build runs them (search._collector_off)
    print(f"{len(numbered)} articles; {n_buckets} chunks; runs of {run} from articles {starts}")

    for items in runs:
        if not same(old._index_arrays(items, n_buckets, bounds), search._index_arrays(items, n_buckets, bounds)):
            raise SystemExit("the two give different runs")
    report(f"indexing {len(runs)} runs, CPU seconds", timed(
        lambda m: [m._index_arrays(items, n_buckets, bounds) for items in runs], args.rounds, modules))

    first_parts = [search._index_arrays(numbered[i : i + run], n_buckets, bounds)[0][0]
                   for i in range(0, len(numbered), run)]

    def merge(module):
        parts = copy.deepcopy(first_parts)   # _join_runs and _merge_runs take them apart
        src = module._join_runs(parts)
        return module._merge_runs(parts, src, n_buckets)[0]

    if merge(old) != merge(search):
        raise SystemExit("the two give different chunks")
    report(f"merging part 1 of {PARTS} of {len(first_parts)} runs, CPU seconds (a copy of the runs included)",
           timed(merge, args.rounds, modules))
    return 0


if __name__ == "__main__":
    sys.exit(main())
