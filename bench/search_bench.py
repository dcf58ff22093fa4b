"""Benchmark the search index on a synthetic archive, side by side with Pagefind.

    python bench/search_bench.py [--articles 10000] [--queries 20] [--per-class 8] [--no-pagefind]
    python bench/search_bench.py --articles 1000 --seeds NEWS_SEEDS --verbatim   # real text, as much as there is

Steps: make N synthetic articles (bench/synth.py, in memory), time build_search_files, write a
small site (search page, one minimal HTML page per article, the search files) under
bench/out/, then measure a cold-cache 4-character query (gzip bytes of everything the browser
fetches: JS, meta, chunks, records of the first page) and, in headless Chromium against a
loopback server, the time from the last keystroke to the first results on screen. With
Pagefind installed (`pip install 'pagefind[extended]'`) it indexes the same article pages and
the evaluation (bench/eval_search.py) reports both engines on the same queries.

    python bench/search_bench.py --incremental CONTENT_DIR

times build_search_files on the articles the site build reads from CONTENT_DIR: a clean build,
then with the cache: one article added to the newest day (a copy of its last article under
another id and title), that article edited, deleted, an article of a new day; then, back to
the same articles, the article in the middle of the archive edited (one character and a
suffix), the edit undone, the article deleted, put back, and a copy backfilled into its day.
With `--old OLD_SEARCH_PY`, an older search.py builds the same steps with its own cache, each
just before the current one (same machine, same load). With `--batches 1,4,12,24`, it times
instead edits and backfills of that many random older articles at once, each from the cache
of a clean build, with no limit on how many are spliced in (to choose the limit).

    git show REV:ycarchive/search.py > /tmp/old_search.py
    python bench/search_bench.py --side-by-side CONTENT_DIR /tmp/old_search.py [--repeat 2]

times clean builds of the same articles by that older search.py and by the current one,
alternating (old, new, old, new, ...), and checks that both give the same bytes.

    git show REV:assets/search-worker.js > /tmp/old_worker.js
    python bench/search_bench.py --latency-side-by-side search-worker.js /tmp/old_worker.js [--articles N] [--repeat 2] [--seeds DIR]

times the Chromium latency of the same 4-character queries on the site a previous run left in
bench/out/search-N/, with that older version of the asset (search.js or search-worker.js) and
the current one, alternating.

    git worktree add /tmp/old REV   # or: mkdir /tmp/old && git archive REV | tar -x -C /tmp/old
    (cd /tmp/old && python bench/search_bench.py --articles N --no-pagefind)
    python bench/search_bench.py --articles N --no-pagefind
    python bench/search_bench.py --latency-against /tmp/old [--articles N] [--repeat 3]

times the same queries on the site the older checkout's full run left (its index format, its
assets) and on this one's, alternating, for a change to the index format itself.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eval_search  # noqa: E402
import synth  # noqa: E402
from tests.search.site import CHROMIUM, CHROMIUM_ARGS, SUBPATH, serve, write_site  # noqa: E402
from ycarchive.search import SearchDoc, build_search_files  # noqa: E402

HAN_RUN = re.compile("[\u4e00-\u9fff]{4,}")


def synthetic_docs(n: int, seed: int = 1, seeds_dir: Path | None = None, verbatim: bool = False) -> list[SearchDoc]:
    """SearchDocs for n synthetic articles (the same articles bench/synth.py writes as content/;
    with `verbatim`, as `synth.py --verbatim` writes them: the seed text itself)."""
    articles, _ = synth.generate(n, seed, seeds_dir or synth.DEFAULT_SEEDS, verbatim=verbatim)
    return [
        SearchDoc(id=a.id, url=a.url, title=a.title, kicker=a.kicker, subtitle=a.subtitle, date=a.date,
                  counties=tuple(a.counties), section="党建", column=a.column, people=tuple(a.people),
                  tags=tuple(a.tags), text="\n\n".join([a.body, *a.captions]))
        for a in articles
    ]


def build_site(docs: list[SearchDoc], out: Path, articles: bool = True, search_files=None) -> Path:
    """Write the benchmark site; return its root folder (served under /archive/)."""
    out.mkdir(parents=True, exist_ok=True)
    return write_site(docs, out, articles, search_files)


def time_build(docs: list[SearchDoc], repeat: int = 2) -> tuple[float, dict]:
    """Best of `repeat` runs of build_search_files, in ms per article, and the files built."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        files = build_search_files(docs)
        best = min(best, time.perf_counter() - t0)
    return best * 1000 / len(docs), files


def p90(sorted_values: list[float]) -> float:
    """The 90th percentile (nearest rank) of sorted values."""
    return sorted_values[max(0, math.ceil(0.9 * len(sorted_values)) - 1)]


def four_char_queries(docs: list[SearchDoc], n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        runs = HAN_RUN.findall(rng.choice(docs).text)
        if runs:
            r = rng.choice(runs)
            i = rng.randrange(len(r) - 3)
            out.append(r[i : i + 4])
    return out


LATENCY_JS = """q => {
  window.__final = q; window.__last = null; window.__t = null;
  const list = document.querySelector('#search-results');
  new MutationObserver(() => {
    if (window.__t === null && window.__last !== null && list.children.length &&
        new URLSearchParams(location.search).get('q') === window.__final) {
      window.__t = performance.now() - window.__last;
    }
  }).observe(list, {childList: true});
  document.querySelector('#search-q').addEventListener('input', () => { window.__last = performance.now(); }, true);
}"""


def browser_latency(base_url: str, queries: list[str], browser) -> list[float]:
    """Per query, in a fresh browser context (cold HTTP cache): ms from last keystroke to results."""
    times = []
    for q in queries:
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(base_url + "search/")
        # A reader types into a page that has loaded: wait until its worker has fetched lunr and
        # meta.json (no request for 500 ms), so that the time is the query's own, not that of the
        # page starting or of the previous context closing.
        page.wait_for_load_state("networkidle")
        page.evaluate(LATENCY_JS, q)
        page.locator("#search-q").press_sequentially(q, delay=60)
        page.wait_for_function("window.__t !== null", timeout=60000)
        times.append(page.evaluate("window.__t"))
        ctx.close()
    return times


def alternate_latency(sites: dict, qs: list[str], rounds: int, before=None) -> None:
    """Print Chromium latency per round for each named site root (a folder served with the site
    under SUBPATH), alternating; `before(name)` runs before each measurement. Every query gets a
    fresh browser context, so nothing is cached across."""
    from playwright.sync_api import sync_playwright

    servers = {name: serve(root) for name, root in sites.items()}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for r in range(1, rounds + 1):
                for name, (_, url) in servers.items():
                    if before:
                        before(name)
                    lat = sorted(browser_latency(url + SUBPATH, qs, browser))
                    print(f"round {r} {name}: median {statistics.median(lat):.0f}, 90th percentile {p90(lat):.0f}, "
                          f"max {lat[-1]:.0f} ms (load average {os.getloadavg()[0]:.2f})", flush=True)
            browser.close()
    finally:
        for server, _ in servers.values():
            server.shutdown()


def latency_side_by_side(asset: str, old_file: Path, articles: int, n_queries: int, seed: int, rounds: int,
                         seeds: Path | None = None) -> int:
    """Chromium latency of the same queries with an older version of an asset and the current one, on
    the site a full run left in bench/out/search-N/ (the file is swapped in place between
    rounds)."""
    root = ROOT / "bench" / "out" / f"search-{articles}"
    stem, ext = asset.rsplit(".", 1)
    (target,) = (p for p in (root / SUBPATH.strip("/") / "assets").glob(f"{stem}.*.{ext}") if p.name.count(".") == 2)
    versions = {"old": old_file.read_bytes(), "new": (ROOT / "assets" / asset).read_bytes()}
    kept = target.read_bytes()
    try:
        alternate_latency({"old": root, "new": root}, four_char_queries(synthetic_docs(articles, seed, seeds), n_queries),
                          rounds, lambda name: target.write_bytes(versions[name]))
    finally:
        target.write_bytes(kept)
    return 0


def latency_against(old_checkout: Path, articles: int, n_queries: int, seed: int, rounds: int,
                    seeds: Path | None = None) -> int:
    """Chromium latency of the same queries on the site a full run of an older checkout left in its
    bench/out/search-N/ (its own index format and assets) and on this checkout's, alternating."""
    sites = {"old": old_checkout / "bench" / "out" / f"search-{articles}",
             "new": ROOT / "bench" / "out" / f"search-{articles}"}
    alternate_latency(sites, four_char_queries(synthetic_docs(articles, seed, seeds), n_queries), rounds)
    return 0


def run_pagefind_index(site: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site)], check=True,
                   capture_output=True, text=True)
    return time.perf_counter() - t0


def site_docs(content: Path) -> list[SearchDoc]:
    """The articles the site build reads from `content`, as it passes them to the index."""
    from ycarchive import cli, search

    library, _ = cli.read_library(argparse.Namespace(content=str(content), drafts=False))
    captured = []
    real = search.build_search_files
    search.build_search_files = lambda docs, cache=None, sink=None: captured.append(docs) or {}
    try:
        cli.search_files(library, {})
    finally:
        search.build_search_files = real
    return captured[0]


def side_by_side(content: Path, old_file: Path, rounds: int) -> int:
    """Clean builds by an older search.py and the current one, alternating; same bytes? Both
    run with the cyclic garbage collector off, as build.py runs them (and build_search_files
    itself since 2026-12-02), so that an older search.py is not timed with a cost the build
    did not have."""
    import dataclasses
    import os

    from ycarchive import search

    old = load_old(old_file)
    docs = site_docs(content)
    # fields copied as they are: asdict() would deep-copy a text given as a function
    old_docs = [old.SearchDoc(**{f.name: getattr(d, f.name) for f in dataclasses.fields(d)}) for d in docs]
    print(f"nproc {os.cpu_count()}; {len(docs)} articles")
    reference = None
    for r in range(rounds):
        for name, module, ds in (("old", old, old_docs), ("new", search, docs)):
            load = os.getloadavg()[0]
            with search._collector_off():  # for the old module too
                t0, c0 = time.perf_counter(), _cpu_seconds()
                files = module.build_search_files(ds)
                seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
            if reference is None:
                reference, same = files, True
            else:
                same = files == reference
            print(f"round {r + 1} {name}: {seconds:.2f} s, {seconds * 1000 / len(docs):.2f} ms per article, "
                  f"CPU {cpu:.2f} s, same bytes: {same}, load average {load:.2f} -> {os.getloadavg()[0]:.2f}",
                  flush=True)
            del files
    return 0


def _cpu_seconds() -> float:
    """CPU seconds of this process and of the children it has waited for (the index build's
    forked processes): less moved than wall-clock time by what else the machine runs."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def edited_text(doc, text: str):
    """`doc` with another text, and without the key that stood for its old text (doc_key)."""
    import dataclasses

    return dataclasses.replace(doc, text=text, key="")


def load_old(old_file: Path):
    """An older ycarchive/search.py as the module ycarchive.search_old (its relative imports work)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("ycarchive.search_old", old_file)
    old = importlib.util.module_from_spec(spec)
    sys.modules["ycarchive.search_old"] = old  # worker processes find its functions by module name
    spec.loader.exec_module(old)
    return old


def batch_timings(docs, numbered, batches, modules) -> int:
    """Edit k, then backfill k, random articles of older days (k in `batches`), each from the
    cache of a clean build; the limit of older articles spliced in is lifted for this."""
    import dataclasses
    import random

    from ycarchive import search

    limit, search.SPLICE_LIMIT = search.SPLICE_LIMIT, 1 << 30
    older = [d for n, d in numbered if n < numbered[-1][0] >> 9 << 9]
    for name, module in modules:
        cache: dict = {}
        t0 = time.perf_counter()
        module.build_search_files(docs, cache)
        print(f"{name}: clean: {time.perf_counter() - t0:.2f} s", flush=True)
        saved = pickle.dumps(cache, pickle.HIGHEST_PROTOCOL)
        for k in batches:
            picks = {id(d) for d in random.Random(k).sample(older, k)}
            edited = [edited_text(d, search.doc_text(d) + "（更正）") if id(d) in picks else d for d in docs]
            backfilled = docs + [dataclasses.replace(d, id=d.id + "-b", url=d.url + "b/") for d in docs if id(d) in picks]
            for what, ds in (("edit", edited), ("backfill", backfilled)):
                cache = pickle.loads(saved)
                t0 = time.perf_counter()
                module.build_search_files(ds, cache)
                print(f"{name}: {what} {k} older articles: {time.perf_counter() - t0:.2f} s", flush=True)
    search.SPLICE_LIMIT = limit
    return 0


def incremental(content: Path, old_file: Path | None = None, batches: list[int] | None = None) -> int:
    """Time the builds listed in the module docstring; check each against a clean build. With
    `old_file`, the same builds by that older search.py, each just before the current one's."""
    import dataclasses
    import os

    from ycarchive import search

    docs = site_docs(content)
    modules = [("new", search)]
    if old_file:
        modules.insert(0, ("old", load_old(old_file)))
    numbered = search.number_docs(docs)
    last = max((d for n, d in numbered if n >> 9 == numbered[-1][0] >> 9), key=lambda d: d.url)
    added = dataclasses.replace(last, id=last.id + "-b", url=last.url.rstrip("/") + "-b/", title=last.title + "（新增）")
    edited = dataclasses.replace(added, title=added.title + "改")
    day = dataclasses.replace(last, id="next-day-1", date=str(date.fromisoformat(last.date) + timedelta(days=1)))
    top = max(n for n, d in numbered if n >> 9 == numbered[-1][0] >> 9) % 512
    slot = search.number_docs([added])[0][0] % 512
    middle = numbered[len(numbered) // 2][1]
    fixed = edited_text(middle, search.doc_text(middle).replace("的", "地", 1) + "（更正）")
    backfill = dataclasses.replace(middle, id=middle.id + "-b", url=middle.url.rstrip("/") + "-b/",
                                   title=middle.title + "（补录）")
    without = [d for d in docs if d is not middle]
    print(f"load average {os.getloadavg()[0]:.2f}, nproc {os.cpu_count()}; {len(docs)} articles; "
          f"added article's slot {slot}, newest day's highest {top}; older article {middle.id}")
    steps = [("add to the newest day", docs + [added]), ("edit it", docs + [edited]), ("delete it", docs),
             ("a new day", docs + [day]), ("back to the same articles", docs),
             ("edit an older article", [fixed if d is middle else d for d in docs]),
             ("undo the edit", docs), ("delete an older article", without), ("put it back", docs),
             ("backfill an article into an older day", docs + [backfill]), ("delete the backfilled one", docs)]
    if batches:
        return batch_timings(docs, numbered, batches, modules)
    caches = {}
    for name, module in modules:
        caches[name] = {}
        t0 = time.perf_counter()
        module.build_search_files(docs, caches[name])
        size = len(pickle.dumps(caches[name], pickle.HIGHEST_PROTOCOL))
        print(f"{name}: clean: {time.perf_counter() - t0:.2f} s, cache {size:,} bytes", flush=True)
    for step, ds in steps:
        for name, module in modules:
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            files = module.build_search_files(ds, caches[name])
            seconds = time.perf_counter() - t0
            same = files == search.build_search_files(ds)
            size = len(pickle.dumps(caches[name], pickle.HIGHEST_PROTOCOL))
            print(f"{step}, {name}: {seconds:.3f} s, same bytes as a clean build: {same}, "
                  f"cache {size:,} bytes, load average {load:.2f}", flush=True)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=20, help="number of 4-character queries")
    ap.add_argument("--per-class", type=int, default=8, help="evaluation queries per class")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=Path, default=None, help="folder of seed .txt pages (other news text)")
    ap.add_argument("--verbatim", action="store_true",
                    help="bodies cut from the seed text in order, not made by the chain (bench/synth.py --verbatim)")
    ap.add_argument("--no-pagefind", action="store_true")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--repeat", type=int, default=2, help="index builds to time (the best counts)")
    ap.add_argument("--incremental", type=Path, metavar="CONTENT_DIR", help="time incremental builds only")
    ap.add_argument("--old", type=Path, metavar="OLD_SEARCH_PY", help="with --incremental: also time this search.py")
    ap.add_argument("--batches", type=lambda s: [int(x) for x in s.split(",")], metavar="K,K,...",
                    help="with --incremental: instead time edits and backfills of K older articles at once")
    ap.add_argument("--side-by-side", nargs=2, type=Path, metavar=("CONTENT_DIR", "OLD_SEARCH_PY"),
                    help="time clean builds by an older search.py and the current one, alternating")
    ap.add_argument("--latency-side-by-side", nargs=2, metavar=("ASSET", "OLD_FILE"),
                    help="time Chromium latency with an older version of an asset (search.js, "
                         "search-worker.js) and the current one, alternating")
    ap.add_argument("--latency-against", type=Path, metavar="OLD_CHECKOUT",
                    help="time Chromium latency on the sites a full run of an older checkout and of this one "
                         "left in bench/out/, alternating")
    args = ap.parse_args(argv)
    if args.latency_against:
        return latency_against(args.latency_against, args.articles, args.queries, args.seed, args.repeat, args.seeds)
    if args.latency_side_by_side:
        asset, old_file = args.latency_side_by_side
        return latency_side_by_side(asset, Path(old_file), args.articles, args.queries, args.seed, args.repeat,
                                    args.seeds)
    if args.side_by_side:
        return side_by_side(*args.side_by_side, args.repeat)
    if args.incremental:
        return incremental(args.incremental, args.old, args.batches)

    eval_search.require_node_engine()
    docs = synthetic_docs(args.articles, args.seed, args.seeds, args.verbatim)
    chars = statistics.mean(len(d.text) for d in docs)
    print(f"{len(docs)} {'articles of the seed text itself' if args.verbatim else 'synthetic articles'}, "
          f"{chars:.0f} characters on average")
    ms, files = time_build(docs, args.repeat)
    print(f"index build: {ms:.2f} ms per article")
    # Article pages are only needed for Pagefind to index.
    site = build_site(docs, ROOT / "bench" / "out" / f"search-{args.articles}", not args.no_pagefind, files)
    print(f"search files: {len(files)}, {sum(map(len, files.values())) / 1e6:.1f} MB uncompressed")
    del files

    qs = four_char_queries(docs, args.queries)
    res = eval_search.run_ours(site, qs, page=True)
    kb = sorted(r["bytes"] / 1024 for r in res)
    print(f"cold 4-character query, KB gzip: median {statistics.median(kb):.1f}, "
          f"90th percentile {p90(kb):.1f}, max {kb[-1]:.1f} "
          f"(JS {eval_search.js_bytes() / 1024:.1f} KB of it)")
    for r in res:
        print(f"  {r['q']}  {len(r['hits'])} hits  {r['bytes'] / 1024:.1f} KB  node {r['ms']:.0f} ms")

    if args.no_browser or not Path(CHROMIUM).exists():
        print("browser measurements skipped" + ("" if args.no_browser else f" ({CHROMIUM} not found)"))
        return 0
    from playwright.sync_api import sync_playwright

    server, url = serve(site.parent)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            lat = browser_latency(url + SUBPATH, qs, browser)
            lat.sort()
            print(f"last keystroke to first results (Chromium, cold cache), ms: median {statistics.median(lat):.0f}, "
                  f"90th percentile {p90(lat):.0f}, max {lat[-1]:.0f}")
            pagefind = None
            if not args.no_pagefind:
                secs = run_pagefind_index(site)
                print(f"pagefind indexed the same {len(docs)} article pages in {secs:.1f} s")
                pagefind = (url + SUBPATH, browser)
            result = eval_search.evaluate(docs, site, args.per_class, pagefind)
            browser.close()
    finally:
        server.shutdown()
    for r in result["rows"]:
        if r["recall"] < 1 or r["precision"] < 1:
            print(f"  miss: {r['class']} {r['q']!r}: recall {r['recall']:.2f} precision {r['precision']:.2f}")
    print(eval_search.format_summary(result["summary"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
