#!/usr/bin/env python3
"""What a change of the index's format would save and cost: 4-grams indexed only next to
trigrams of frequent characters. Measured on a variant of the indexing code, not built.

    python bench/frequent_rule.py CONTENT [--top 200] [--rounds 5] [--run 625] [--queries 40]

The rule, for F the `--top` most frequent Han characters of the content (a fixed list, in a
real format, so that the index of an article would not depend on the others):

- a 4-gram is indexed only where its first three or its last three characters are all in F;
- a trigram with a character outside F lists the positions of all its occurrences (now only
  those that start or end a Han run).

A query's Han run of four or more characters is then still covered by terms with positions:
any three characters in a row either hold one outside F (a trigram with positions) or are all
in F (and the 4-grams that begin or end with them are indexed). Most 4-grams of news text hold
a character outside F, and those are where most of the index's (run, field, term) segments
are (bench/search_phases.py).

The variant is this checkout's search.py with the two changes written into _field_arrays (the
script stops if they no longer apply). It is only timed and sized: nothing reads its postings,
and a real format would also have to mark which of a trigram's positions start or end a Han
run (a bit each, not counted here). Printed:

- CPU seconds, in this process, alternating: _index_arrays of three runs (as
  bench/part_side_by_side.py chooses them), and the merge of the first of eight parts of every run;
- the segments and postings text of those three runs;
- the size of the older articles' chunks (search/t/) of a clean index of both;
- for `--queries` 4-character queries (bench/search_bench.py's), the gzip bytes of the chunks
  (t/ and r/) that the query's terms are in: its 4-gram now; under the rule the 4-gram if it is
  indexed, else its two trigrams; and the same with twice as many chunks in t/.
"""
from __future__ import annotations

import argparse
import copy
import gc
import gzip
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_bench import four_char_queries, site_docs  # noqa: E402
from ycarchive import search  # noqa: E402

PARTS = 8
# (text of _field_arrays, what the variant has instead)
CHANGES = [
    ("    g4 = g3[han[g3 + 3]]  # 4-grams\n",
     "    g4 = g3[han[g3 + 3]]  # 4-grams\n"
     "    fr = FREQUENT[u]\n"
     "    g4 = g4[(fr[g4] & fr[g4 + 1] & fr[g4 + 2]) | (fr[g4 + 1] & fr[g4 + 2] & fr[g4 + 3])]\n"),
    ("        keep[bounds[n - 1] : bounds[n]] = ~han[at - 1] | ~han[at + n]\n",
     "        keep[bounds[n - 1] : bounds[n]] = ~han[at - 1] | ~han[at + n]\n"
     "        if n == 3:\n"
     "            keep[bounds[2] : bounds[3]] |= ~(fr[at] & fr[at + 1] & fr[at + 2])\n"),
]


def variant(frequent: np.ndarray, folder: Path):
    """This checkout's search.py with the rule written in, as a module, and F set."""
    source = (ROOT / "ycarchive" / "search.py").read_text(encoding="utf-8")
    for old, new in CHANGES:
        if source.count(old) != 1:
            raise SystemExit(f"search.py has changed: {old.strip()!r} is not there once; update CHANGES")
        source = source.replace(old, new)
    path = folder / "search_rule.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("ycarchive.search_rule", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["ycarchive.search_rule"] = module   # forked processes find its functions by name
    spec.loader.exec_module(module)
    module.FREQUENT = np.zeros(0x40000, dtype=bool)
    module.FREQUENT[frequent] = True
    return module


def frequent_chars(docs, top: int) -> tuple[np.ndarray, float]:
    """The `top` most frequent Han characters of the articles' fields (ties by code point), and
    the share of the Han text they make."""
    text = "".join(search.normalize(t) for d in docs for t in search.field_texts(d))
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    cps = cps[(cps < 0x40000) & (search._CLASS[np.minimum(cps, 0x10FFFF)] == 2)]
    counts = np.bincount(cps, minlength=0x40000)
    chosen = np.argsort(-counts, kind="stable")[:top]
    chosen = chosen[counts[chosen] > 0]
    return chosen, float(counts[chosen].sum() / max(len(cps), 1))


def cpu(step, rounds: int, modules: list) -> dict[str, list[float]]:
    """CPU seconds of step(module) for each module, `rounds` times, the order turned each round."""
    seconds = {name: [] for name, _ in modules}
    for r in range(rounds):
        for name, module in modules if r % 2 == 0 else modules[::-1]:
            started = time.process_time()
            step(module)
            seconds[name].append(time.process_time() - started)
    return seconds


def report(title: str, seconds: dict[str, list[float]]) -> None:
    now, rule = statistics.median(seconds["now"]), statistics.median(seconds["rule"])
    print(f"{title}, CPU seconds: now median {now:.3f}, rule median {rule:.3f}, rule / now {rule / now:.3f}")


def chunk_kb(files: dict, terms: list[str]) -> float:
    """gzip KB of the t/ and r/ chunks that `terms` fall in."""
    meta = json.loads(files["search/meta.json"])
    paths = set()
    for folder, n in (("t", meta["chunks"]), ("r", meta["recentChunks"])):
        if n:
            paths |= {search.chunk_path(t, n, folder) for t in terms}
    return sum(len(gzip.compress(files[p], 6)) for p in paths if p in files) / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("content", type=Path)
    ap.add_argument("--top", type=int, default=200, help="frequent characters (F)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--run", type=int, default=625, help="articles per run (the build's at 10,000 articles and more)")
    ap.add_argument("--queries", type=int, default=40)
    args = ap.parse_args(argv)
    docs = site_docs(args.content)
    for d in docs:   # read every text once, before any timing
        d.text = search.doc_text(d)
    numbered = search.number_docs(docs)
    if len(numbered) < 2 * args.run:
        raise SystemExit(f"{args.content} has {len(numbered)} articles; at least {2 * args.run} are needed")
    frequent, share = frequent_chars(docs, args.top)
    with tempfile.TemporaryDirectory() as folder:
        rule = variant(frequent, Path(folder))
    modules = [("now", search), ("rule", rule)]
    n_buckets = search.bucket_count(len(numbered))
    bounds = [n_buckets * j // PARTS for j in range(PARTS + 1)]
    run = args.run
    starts = sorted({0, (len(numbered) // 2) // run * run, (len(numbered) // run - 1) * run})
    runs = [numbered[i : i + run] for i in starts]
    gc.disable()   # as the build runs them (search._collector_off)
    print(f"{len(numbered)} articles; the {len(frequent)} most frequent Han characters make "
          f"{100 * share:.1f} % of the Han text; runs of {run} from articles {starts}")

    for name, module in modules:
        out = [module._index_arrays(items, n_buckets, bounds)[0] for items in runs]
        segments = sum(len(p[2]) for fields in out for part in fields for p in part)
        text = sum(len(p[4]) for fields in out for part in fields for p in part)
        print(f"{name}: {segments:,} segments, {text / 1e6:.1f} MB of postings text in those runs")
    report(f"indexing {len(runs)} runs", cpu(lambda m: [m._index_arrays(items, n_buckets, bounds) for items in runs],
                                             args.rounds, modules))
    first_parts = {name: [module._index_arrays(numbered[i : i + run], n_buckets, bounds)[0][0]
                          for i in range(0, len(numbered), run)] for name, module in modules}

    def merge(module):
        parts = copy.deepcopy(first_parts["now" if module is search else "rule"])   # taken apart by the merge
        return module._merge_runs(parts, module._join_runs(parts), n_buckets)

    report(f"merging part 1 of {PARTS} of {len(first_parts['now'])} runs (a copy of the runs included)",
           cpu(merge, args.rounds, modules))
    del first_parts
    gc.enable()

    built = {"now": search.build_search_files(docs), "rule": rule.build_search_files(docs)}
    one = rule.bucket_count
    rule.bucket_count = lambda n: 2 * one(n)
    built["rule, twice the chunks"] = rule.build_search_files(docs)
    for name, files in built.items():
        meta = json.loads(files["search/meta.json"])
        t = sum(len(v) for k, v in files.items() if k.startswith("search/t/"))
        print(f"{name}: search/t/ {t / 1e6:.1f} MB in {meta['chunks']} chunks")
    qs = four_char_queries(docs, args.queries)
    fr = set(map(chr, frequent.tolist()))
    covers = [[q] if set(q[:3]) <= fr or set(q[1:]) <= fr else [q[:3], q[1:]] for q in qs]
    print(f"{args.queries} 4-character queries, {sum(len(c) == 2 for c in covers)} of them two trigrams under the rule; "
          f"gzip KB of the chunks their terms are in:")
    for name, files in built.items():
        kb = [chunk_kb(files, [q] if name == "now" else c) for q, c in zip(qs, covers)]
        print(f"  {name}: median {statistics.median(kb):.1f}, max {max(kb):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
