#!/usr/bin/env python3
"""Small timings behind single figures in docs/performance.md.

    python bench/micro_timings.py CONTENT SITE [--rounds 5]

SITE must have been built from CONTENT by this checkout. Prints:

- importing the generator's modules, with its bytecode cache and compiled from source (as
  under PYTHONDONTWRITEBYTECODE=1 with no cache), medians of --rounds fresh interpreters,
  third-party modules imported first so that only ours are counted;
- keying every page of the site, its descriptions hashed from their marshal bytes as the build
  does and from their repr(), as it did before (medians of --rounds);
- checking the content and making the Library (`build_library`), with each article's checked
  fields as the cache keeps them and with every article checked again (medians of --rounds);
- loading the cache's parsed files as the build keeps them (an article's front matter dropped
  once its fields are checked, but for its images, and its keys' lines kept as one string),
  with the lines as a dict, and with every article's whole front matter too, written anew and
  loaded in turn (medians of --rounds);
- drawing the county map on the 15 pages an added article changes, each county's path data
  made once and made for every map (medians of --rounds);
- making 100,000 SearchDocs, as the class is and frozen (medians of --rounds);
- making the SearchDocs of the site's articles as the search process does, and by keyword with
  each article's `credited` list, as it did before (medians of --rounds);
- picking 400,000 rows of four 2-byte code points in a random order, as the search index's
  runs and merge do, with numpy's indexing of a 2-D array and with `search._rows` (medians of
  --rounds);
- the first use of an attribute computed once (an article's URL, say), with the model's own
  cached_property and with functools' (medians of --rounds);
- reading (from bytes) and writing (to bytes) the site's manifest in its format and as
  indented JSON, as it was before (medians of --rounds);
- picking related articles for every article with numpy, as a first build does, and after an
  article is added to the newest page (版) folder with the picks of the build before kept, as
  an incremental build does, and saving the picks with the cache's pickler and pickle's own
  (medians of --rounds);
- rendering each page of a one-article rebuild: an article is added to the newest page (版)
  folder, the site rebuilt with every page's render timed, then the article removed and the
  site rebuilt again. The slowest pages are printed;
- saving the parts of the search index's state kept apart, with pickle's own pickler as the
  cache does, and with the cache's own (medians of --rounds);
- the sizes of the build's cache files: the parsed files, the search index's cache and the
  parts of its state kept apart (`search-state.pickle`).
"""
from __future__ import annotations

import argparse
import copy
import dataclasses
import functools
import gc
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from build_bench import compile_bytecode  # noqa: E402
from ycarchive import cli, countymap, errors, library, load, render  # noqa: E402
from ycarchive.stamp import RACY_SECONDS  # noqa: E402

OURS = "ycarchive.cli, ycarchive.render, ycarchive.library, ycarchive.load, ycarchive.write, ycarchive.search"
THEIRS = "import numpy, jinja2, jinja2.meta, markupsafe, yaml, markdown, tqdm, multiprocessing.pool"


def median_of(rounds: int, run) -> float:
    return statistics.median(run() for _ in range(rounds))


def import_seconds(*python_args: str) -> float:
    code = f"{THEIRS}\nimport time\nt = time.perf_counter()\nimport {OURS}\nprint(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, *python_args, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    return float(out)


def imports(rounds: int) -> None:
    compile_bytecode(ROOT)
    with tempfile.TemporaryDirectory() as empty:   # a bytecode cache that is always empty
        cold = median_of(rounds, lambda: import_seconds("-B", "-X", f"pycache_prefix={empty}"))
    warm = median_of(rounds, import_seconds)
    print(f"importing the generator: {warm:.3f} s with bytecode, {cold:.3f} s compiled from source")


def page_keys(content: Path, site: Path, rounds: int) -> None:
    cache = cli.load_cache(site, with_search=False)
    library, _ = cli.read_library(argparse.Namespace(content=str(content), drafts=False), cache)
    options = render.Options("/", ROOT / "templates", ROOT / "assets", cli.county_shapes(cache), cli.code_version(),
                             template_cache=cache.setdefault("templates", {}))
    r = render.Renderer(library, options)
    jobs = render.plan_site(library, r)
    prints = render.Fingerprints(library, r, cli.code_version(), options.template_cache)
    prints.key(jobs[0].inputs)   # the templates' hashes, made once
    as_built = render._hash

    def keys(hash_with) -> float:
        render._hash = hash_with
        prints.described.clear()
        try:
            started = time.perf_counter()
            for job in jobs:
                prints.key(job.inputs)
            return time.perf_counter() - started
        finally:
            render._hash = as_built

    ours = median_of(rounds, lambda: keys(as_built))
    with_repr = median_of(rounds, lambda: keys(lambda value: load.digest(repr(value))))
    print(f"keying {len(jobs):,} pages: {ours:.3f} s hashing marshal bytes, {with_repr:.3f} s hashing repr()")


def with_front_matter(content: Path, docs) -> None:
    """Give each article's Doc its whole front matter again, as parsing its file does (the cache
    keeps only what build_library reads again once the Doc's fields are checked)."""
    problems = errors.Problems()
    for doc in docs:
        if doc.src_path.endswith(".md"):
            text = (content / doc.src_path).read_text(encoding="utf-8")
            doc.data = load.parse_front_matter(text, doc.display, problems)[0]
    assert not problems.items, problems.items


def checking(content: Path, site: Path, rounds: int) -> None:
    def made(kept: bool) -> float:
        cache = cli.load_cache(site, with_search=False)
        problems = errors.Problems()
        raw = load.load_content(content, problems, cache["docs"])
        if not kept:
            with_front_matter(content, raw.articles)
            for doc in raw.articles:
                doc.checked = None
        started = time.perf_counter()
        library.build_library(raw, problems, renderings=cache["markdown"])
        assert not problems.errors, problems.errors[:3]
        return time.perf_counter() - started

    print(f"making the Library: {median_of(rounds, lambda: made(True)):.3f} s with the checked fields kept, "
          f"{median_of(rounds, lambda: made(False)):.3f} s checking every article again")


def county_maps(site: Path, rounds: int, maps: int = 15) -> None:
    shapes = cli.county_shapes(cli.load_cache(site, with_search=False))
    counts = {c.code: 10 for c in shapes.counties}
    urls = {c.code: f"county/{c.code}/" for c in shapes.counties}
    kept = countymap.County.path

    def drawn(once: bool) -> float:
        for county in shapes.counties:
            county.__dict__.pop("path", None)
        countymap.County.path = kept if once else property(lambda county: countymap.path_data(county.rings))
        try:
            started = time.perf_counter()
            for n in range(maps):
                countymap.render_county_map(shapes, counts, urls, shapes.counties[n % len(shapes.counties)].code)
            return time.perf_counter() - started
        finally:
            countymap.County.path = kept

    print(f"drawing {maps} county maps: {median_of(rounds, lambda: drawn(True)) * 1000:.1f} ms with each path made "
          f"once, {median_of(rounds, lambda: drawn(False)) * 1000:.1f} ms made for every map")


def parsed_files(content: Path, site: Path, rounds: int) -> None:
    """Loading the cache's parsed files (CACHE_SHARDS pickles) as the build keeps them, with
    each article's keys' lines as a dict (as parsing its file gives them), and with every
    article's whole front matter kept too, in turn; all written anew first."""
    docs = cli.load_cache(site, with_search=False)["docs"]
    lines = {key: (entry[0], copy.copy(entry[1])) for key, entry in docs.items()}
    for _, doc in lines.values():
        doc.lines = doc.key_lines()
    whole = {key: (entry[0], copy.copy(entry[1])) for key, entry in lines.items()}
    with_front_matter(content, [doc for _, doc in whole.values()])
    with tempfile.TemporaryDirectory() as temp:
        folders = {"kept": Path(temp, "kept"), "lines": Path(temp, "lines"), "whole": Path(temp, "whole")}
        for name, entries in (("kept", docs), ("lines", lines), ("whole", whole)):
            shards: list[dict] = [{} for _ in range(cli.CACHE_SHARDS)]
            for key, value in entries.items():
                shards[cli._shard(key)][key] = value
            folders[name].mkdir()
            for n, shard in enumerate(shards):
                cli._save_part(folders[name] / f"docs.{n:02d}.pickle", shard)

        def loaded(name: str) -> float:
            started = time.perf_counter()
            for n in range(cli.CACHE_SHARDS):
                assert cli._load_part(folders[name] / f"docs.{n:02d}.pickle") is not None
            return time.perf_counter() - started

        names = ["kept", "lines", "whole"]
        times: dict = {name: [] for name in names}
        for r in range(rounds):
            for name in names[r % 3:] + names[: r % 3]:
                times[name].append(loaded(name))
    print(f"loading the parsed files: {statistics.median(times['kept']):.3f} s as the cache keeps them, "
          f"{statistics.median(times['lines']):.3f} s with each article's lines as a dict, "
          f"{statistics.median(times['whole']):.3f} s with every article's whole front matter")


def search_docs(rounds: int, n: int = 100_000) -> None:
    """Making SearchDocs: the build's class, not frozen, against a frozen copy of it."""
    from ycarchive import search

    fields = [(f.name, f.type, f) for f in dataclasses.fields(search.SearchDoc)]
    frozen = dataclasses.make_dataclass("FrozenSearchDoc", fields, frozen=True)
    args = dict(id="2025-01-01-01-a", url="2025/01/01/01/a/", title="标题", kicker="", subtitle="", date="2025-01-01",
                counties=("盐湖区",), section="党建", column="", people=("曹欣怡",), tags=("基层治理",), text="",
                key="0" * 32)

    def made(cls) -> float:
        started = time.perf_counter()
        for _ in range(n):
            cls(**args)
        return (time.perf_counter() - started) / n * 1e6

    print(f"making a SearchDoc: {median_of(rounds, lambda: made(search.SearchDoc)):.2f} us, "
          f"{median_of(rounds, lambda: made(frozen)):.2f} us frozen")


def search_docs_of_site(content: Path, site: Path, rounds: int) -> None:
    """The search process's SearchDocs for every article: as cli.search_docs makes them, and
    as it made them before, by keyword with each article's Article.credited list."""
    from ycarchive import search

    cache = cli.load_cache(site, with_search=False)
    lib, problems = cli.read_library(argparse.Namespace(content=str(content), drafts=False), cache)
    assert not problems.errors, problems.errors[:3]

    def by_keyword() -> list:
        return [search.SearchDoc(id=a.id, url=a.url, title=a.title, kicker=a.kicker, subtitle=a.subtitle,
                                 date=a.page.iso_date, counties=tuple(c.name for c in a.counties),
                                 section=a.page.section.name, column=a.column.name if a.column else "",
                                 people=tuple(p.name for p in a.credited), tags=tuple(t.name for t in a.tags),
                                 text=functools.partial(getattr, a, "text"), key=a.fingerprint)
                for a in lib.articles]

    plain = [{**vars(d), "text": None} for d in by_keyword()]
    assert plain == [{**vars(d), "text": None} for d in cli.search_docs(lib)]
    made, before = (median_of(rounds, lambda: seconds_taken(make)) * 1e3
                    for make in (lambda: cli.search_docs(lib), by_keyword))
    print(f"SearchDocs of the {len(lib.articles)} articles: {made:.1f} ms as cli.search_docs makes them, "
          f"{before:.1f} ms by keyword with Article.credited")


def picking_rows(rounds: int, n: int = 400_000) -> None:
    """Rows of a 2-D array in a random order: numpy's a[idx] against search._rows."""
    import numpy as np

    from ycarchive import search

    rng = np.random.default_rng(1)
    rows = rng.integers(0x4E00, 0xA000, (n, 4)).astype(np.uint16)
    idx = rng.permutation(n)
    assert (search._rows(rows, idx) == rows[idx]).all()
    numpy_ms, ours_ms = (median_of(rounds, lambda: seconds_taken(pick)) * 1e3
                         for pick in (lambda: rows[idx], lambda: search._rows(rows, idx)))
    print(f"picking {n:,} rows of four code points: {numpy_ms:.2f} ms with a[idx], {ours_ms:.2f} ms with search._rows")


def cached_attributes(rounds: int, n: int = 100_000) -> None:
    """First use of a computed-once attribute: model.cached_property against functools'."""
    from ycarchive import model

    def first_use(decorator) -> float:
        class Item:
            def __init__(self, n: int):
                self.n = n

            @decorator
            def url(self) -> str:
                return f"{self.n}/"

        items = [Item(i) for i in range(n)]
        started = time.perf_counter()
        for item in items:
            item.url
        return (time.perf_counter() - started) / n * 1e6

    print(f"first use of a cached attribute: {median_of(rounds, lambda: first_use(model.cached_property)):.2f} us,"
          f" {median_of(rounds, lambda: first_use(functools.cached_property)):.2f} us with functools.cached_property")


def manifests(site: Path, rounds: int) -> None:
    """Reading and writing the site's manifest as the build does (ycarchive/write.py, marshal),
    and as indented JSON, as it did before."""
    import json
    import marshal

    from ycarchive.write import read_manifest

    keys = read_manifest(site, check=False)
    as_json = json.dumps(dict(sorted(keys.items())), ensure_ascii=False, indent=0).encode("utf-8")
    as_marshal = marshal.dumps(dict(sorted(keys.items())), 2)

    made = {
        "read": (lambda: marshal.loads(as_marshal), lambda: json.loads(as_json)),
        "written": (lambda: marshal.dumps(dict(sorted(keys.items())), 2),
                    lambda: json.dumps(dict(sorted(keys.items())), ensure_ascii=False, indent=0).encode("utf-8")),
    }
    figures = {what: [median_of(rounds, lambda: seconds_taken(run)) * 1e3 for run in runs]
               for what, runs in made.items()}
    print(f"the manifest of {len(keys):,} files: read {figures['read'][0]:.1f} ms, written {figures['written'][0]:.1f}"
          f" ms; as indented JSON {figures['read'][1]:.1f} and {figures['written'][1]:.1f} ms")


def cache_sizes(site: Path) -> None:
    folder = cli.cache_dir(site)
    docs = sum(p.stat().st_size for p in folder.glob("docs.*.pickle"))
    search, state = (folder / "search.pickle", folder / cli.STATE_FILE)
    sizes = [f"{p.stat().st_size / 1e6:.1f} MB" if p.exists() else "none" for p in (search, state)]
    print(f"cache: parsed files {docs / 1e6:.1f} MB, search index {sizes[0]}, its state's parts kept apart {sizes[1]}")


def state_parts(site: Path, rounds: int) -> None:
    """Saving the parts of the search index's state kept apart, as the cache saves them (with
    pickle's own pickler) and with the cache's own (which writes long non-ASCII strings apart)."""
    state = cli.load_cache(site).get("search", {}).get("state")
    load = state.get("load parts") if isinstance(state, dict) else None
    parts = load() if load else None
    if not parts:
        print("saving the search state's parts kept apart: this cache has none")
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / cli.STATE_FILE
        saved = {plain: median_of(rounds, lambda: seconds_taken(lambda: cli._save_part(path, ("", parts), plain=plain)))
                 for plain in (True, False)}
    print(f"saving the search state's parts kept apart: {saved[True]:.3f} s with pickle's own pickler, "
          f"{saved[False]:.3f} s with the cache's own")


def related(content: Path, site: Path, rounds: int) -> None:
    """Related articles picked for every article with numpy (a first build), and after one
    article is added to the newest page (版) folder, with the last build's picks kept."""
    cache = cli.load_cache(site, with_search=False)
    args = argparse.Namespace(content=str(content), drafts=False)
    library, _ = cli.read_library(args, cache)
    _, kept = render.related_articles(library)
    page = max(p.parent for p in content.glob("*/*/*/*/page.yml"))
    first = min(page.glob("*.md"))
    added = page / "99-micro-timings-related.md"
    text = re.sub(r"(?m)^title: .*$", "title: 同一天新增的报道", first.read_text(encoding="utf-8"), count=1)
    added.write_text(text, encoding="utf-8")
    try:
        library, _ = cli.read_library(args, cache)
    finally:
        added.unlink()
    picked: list = []
    pick_again = render._pick_again
    render._pick_again = lambda article: picked.append(article) or pick_again(article)
    try:
        after_add = median_of(rounds, lambda: seconds_taken(lambda: render.related_articles(library, kept)))
    finally:
        render._pick_again = pick_again
    every = median_of(rounds, lambda: seconds_taken(lambda: render.related_articles(library)))
    print(f"related articles of {len(library.articles):,}: {every:.3f} s picking for every article with numpy, "
          f"{after_add:.3f} s after adding one, the last build's picks kept ({len(picked) // rounds} picked again)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "related.pickle"
        saved = {plain: median_of(rounds, lambda: seconds_taken(lambda: cli._save_part(path, kept, plain=plain)))
                 for plain in (False, True)}
    print(f"saving the picks: {saved[False]:.3f} s with the cache's own pickler, {saved[True]:.3f} s with pickle's")


def seconds_taken(run) -> float:
    """Wall-clock seconds of run()."""
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def pages_of_an_added_article(content: Path, site: Path, shown: int = 8) -> None:
    page = max(p.parent for p in content.glob("*/*/*/*/page.yml"))
    first = min(page.glob("*.md"))
    added = page / "99-micro-timings-added.md"
    added.write_text(re.sub(r"(?m)^title: .*$", "title: 同一天新增的报道", first.read_text(encoding="utf-8"), count=1),
                     encoding="utf-8")
    times: list = []
    run_jobs = render.run_jobs

    def timed(jobs, put, workers) -> None:
        gc.freeze()   # as run_jobs renders: the collector on, for new objects only
        gc.enable()
        try:
            for job in jobs:
                started = time.perf_counter()
                data = job.make()
                times.append((time.perf_counter() - started, job.dest))
                put(job.dest, data)
        finally:
            gc.disable()
            gc.unfreeze()

    render.run_jobs = timed
    try:
        time.sleep(RACY_SECONDS + 0.1)
        cli.main(["build", "--content", str(content), "--out", str(site)])
    finally:
        render.run_jobs = run_jobs
        added.unlink()
    time.sleep(RACY_SECONDS + 0.1)
    cli.main(["build", "--content", str(content), "--out", str(site)])
    times.sort(reverse=True)
    print(f"rendering the {len(times)} pages of a one-article rebuild: {sum(t for t, _ in times):.3f} s; slowest:")
    for seconds, dest in times[:shown]:
        print(f"  {seconds * 1000:7.1f} ms  {dest}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    gc.disable()   # as a build runs
    imports(args.rounds)
    page_keys(args.content, args.site, args.rounds)
    checking(args.content, args.site, args.rounds)
    parsed_files(args.content, args.site, args.rounds)
    county_maps(args.site, args.rounds)
    search_docs(args.rounds)
    search_docs_of_site(args.content, args.site, args.rounds)
    picking_rows(args.rounds)
    cached_attributes(args.rounds)
    manifests(args.site, args.rounds)
    related(args.content, args.site, args.rounds)
    pages_of_an_added_article(args.content, args.site)
    state_parts(args.site, args.rounds)
    cache_sizes(args.site)
    return 0


if __name__ == "__main__":
    sys.exit(main())
