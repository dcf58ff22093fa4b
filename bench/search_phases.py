"""Where a clean build of the search index spends its time: indexing the runs, then merging them.

    python bench/search_phases.py [--articles 10000] [--seeds DIR] [--content DIR] [--run N] [--part N]
    python bench/search_phases.py --content DIR --lengths 625,1250,2500 [--rounds 3]
    python bench/search_phases.py --content DIR --unpacked-merge

Builds the index of N synthetic articles (bench/synth.py, from the seed pages or the text in
--seeds DIR) or of the articles in a content folder, with the build's own settings (two
processes on two cores; `--run` sets the articles per run of index_chunks, `--part` the articles
per part of the merge), and prints the wall-clock seconds of the two phases of
search.index_chunks, the number of distinct terms and of (run, field, term) segments the merge
joins, the whole build_search_files in ms per article and its CPU seconds (user and system, its
forked processes included), and what the first run's postings, as saved for the merge, are made
of.

It also prints the text's distinct Han characters and how many the merge's packed sort holds at
this archive size; `--unpacked-merge` times the merge as text of more characters has it
(np.unique instead of the packed sort).

With `--lengths`, it times instead `index_chunks` of the same articles with runs of each length,
the lengths in an order rotated by one each round (`--rounds`), and prints each build's wall
and CPU seconds (its forked processes' included).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import search_bench  # noqa: E402
import synth  # noqa: E402
from ycarchive import search  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=Path, default=synth.DEFAULT_SEEDS, help="folder of seed text (.txt)")
    ap.add_argument("--content", type=Path, help="index this content folder instead of synthetic articles")
    ap.add_argument("--run", type=int, help="articles per run in index_chunks (default: the build's own choice)")
    ap.add_argument("--part", type=int, help="articles per part of the merge (default: search._PART_ARTICLES)")
    ap.add_argument("--lengths", help="comma-separated run lengths to time against each other")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of --lengths")
    ap.add_argument("--unpacked-merge", action="store_true",
                    help="merge as past the packed sort's limit of distinct characters (np.unique)")
    args = ap.parse_args(argv)
    docs = (search_bench.site_docs(args.content) if args.content
            else search_bench.synthetic_docs(args.articles, args.seed, args.seeds))
    if args.lengths:
        return run_lengths(docs, [int(n) for n in args.lengths.split(",")], args.rounds)
    seen: dict = {}
    real_merge, real_bar = search._merge_runs, search.bar
    segments = tempfile.TemporaryFile()  # each merge, in whichever process, appends its count

    def merge(parts, *rest):
        os.write(segments.fileno(), f"{sum(len(p[2]) for fields in parts for p in fields)}\n".encode())
        return real_merge(parts, *rest)

    def progress(*args):  # indexing the runs ends when its progress bar closes
        shown = real_bar(*args)
        close = shown.close

        def closing():
            seen.setdefault("merge from", time.perf_counter())
            close()
        shown.close = closing
        return shown

    search._merge_runs, search.bar = merge, progress
    if args.part:
        search._PART_ARTICLES = args.part
    holds = search.packed_merge_characters(len(docs))
    if args.unpacked_merge:
        search._MERGE_PACKED_LIMIT = 0
    try:
        t0 = time.perf_counter()
        numbered = search.number_docs(docs)
        newest = search._day_start(numbered[-1][0])
        chunks, last, *_ = search.index_chunks(numbered, search.bucket_count(len(numbered)), newest=newest,
                                               run=args.run)
        t1 = time.perf_counter()
    finally:
        search._merge_runs, search.bar = real_merge, real_bar
    segments.seek(0)
    merges = list(map(int, segments.read().split()))
    t2, c2 = time.perf_counter(), os.times()
    search.build_search_files(docs)
    whole, c3 = time.perf_counter() - t2, os.times()
    user = c3.user - c2.user + c3.children_user - c2.children_user
    system = c3.system - c2.system + c3.children_system - c2.children_system
    print(f"{len(docs)} articles; {len(last):,} distinct terms, {sum(merges):,} (run, field, term) segments, "
          f"{len(chunks):,} chunks, merged in {len(merges)} parts")
    print(f"index_chunks {t1 - t0:.2f} s: indexing the runs {seen.get('merge from', t1) - t0:.2f} s, "
          f"merging {t1 - seen.get('merge from', t1):.2f} s")
    print(f"build_search_files {whole:.2f} s, {whole * 1000 / len(docs):.2f} ms per article; CPU, its processes "
          f"included: user {user:.2f} s, system {system:.2f} s")
    print(f"{distinct_han(docs):,} distinct Han characters; the merge's packed sort holds about {holds:,} "
          f"at {len(docs)} articles" + (" (not used: --unpacked-merge)" if args.unpacked_merge else ""))
    print(run_bytes(numbered[: args.run or search.default_run(len(numbered))], search.bucket_count(len(numbered))))
    return 0


def distinct_han(docs: list) -> int:
    """The number of distinct Han characters in the articles' indexed fields."""
    seen = np.zeros(0x110000, dtype=bool)
    for doc in docs:
        text = search.normalize("".join(search.field_texts(doc)))
        seen[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)] = True
    return int(np.count_nonzero(seen & (search._CLASS == 2)))


def run_lengths(docs: list, lengths: list[int], rounds: int) -> int:
    """index_chunks of `docs` with runs of each length, the order rotated by one each round."""
    numbered = search.number_docs(docs)
    n_buckets = search.bucket_count(len(numbered))
    for r in range(rounds):
        for length in lengths[r % len(lengths):] + lengths[: r % len(lengths)]:
            with search._collector_off():   # as the build runs it
                t0, c0 = time.perf_counter(), search_bench._cpu_seconds()
                search.index_chunks(numbered, n_buckets, run=length)
                wall, cpu = time.perf_counter() - t0, search_bench._cpu_seconds() - c0
            print(f"round {r + 1}, runs of {length}: {wall:.2f} s, CPU {cpu:.2f} s", flush=True)
    return 0


def run_bytes(items: list, n_buckets: int) -> str:
    """What one run's postings, as the indexing processes save them for the merge, are made of:
    the arrays that name and place each (field, term) segment, and the postings' text; then the
    segments and text by kind of term (Han terms by their length in characters, and words)."""
    fields = search._index_arrays(items, n_buckets)[0][0]   # as saved: one part of all chunks
    segments = sum(len(f[2]) for f in fields)
    arrays = sum(a.nbytes for cps, _, first, last, _, offsets, buckets in fields
                 for a in (cps, first, last, offsets, buckets))
    text = sum(f[4].nbytes for f in fields)
    kinds: dict = {}
    for cps, words, _, _, _, offsets, _ in fields:
        # a segment's kind: its Han term's length (rows of code points padded with 0), or a word
        kind = np.concatenate((np.count_nonzero(cps, axis=1), np.zeros(len(words), dtype=np.int64)))
        sizes = np.diff(offsets)
        for k in range(5):
            count, size = kinds.get(k, (0, 0))
            kinds[k] = (count + int((kind == k).sum()), size + int(sizes[kind == k].sum()))
    names = {0: "words", 1: "characters", 2: "bigrams", 3: "trigrams", 4: "4-grams"}
    by_kind = "; ".join(f"{names[k]} {count:,} ({count * 100 / max(segments, 1):.0f} %), {size / 1e6:.1f} MB"
                        for k, (count, size) in sorted(kinds.items(), key=lambda kv: (kv[0] == 0, kv[0])))
    return (f"a run of {len(items)} articles: {segments:,} segments, {arrays / 1e6:.1f} MB of arrays "
            f"({arrays / max(segments, 1):.1f} bytes a segment), {text / 1e6:.1f} MB of postings text\n"
            f"  by kind of term, segments and postings text: {by_kind}")


if __name__ == "__main__":
    raise SystemExit(main())
