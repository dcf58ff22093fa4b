#!/usr/bin/env python3
"""Making the newest month's search chunks (search.recent_chunks), for copies of the code side
by side, each in a process of its own.

    python bench/newest_month.py CONTENT SITE CODE_DIR [CODE_DIR ...] [--rounds 2] [--calls 7]

Each CODE_DIR is an exported copy of the repository (`git archive REV | tar -x -C DIR`); SITE
a site built from CONTENT (by any of them: a copy whose cache is not its own reads the content
afresh first, which is not timed). Every round runs each copy in turn, in a new process that
makes the Library and the SearchDocs as a build does, then calls recent_chunks on the articles
of the newest month `--calls` times. Prints, per copy and round, the median and the fastest
call, the month's article count, its chunk count and the chunks' bytes in all (the same for
every copy that makes the same chunks).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ONE = r"""
import argparse, functools, gc, statistics, sys, time
from pathlib import Path
from ycarchive import cli, search
content, site, calls = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
gc.disable()
cache = cli.load_cache(site, with_search=False)
library, _ = cli.read_library(argparse.Namespace(content=str(content), drafts=False), cache)
docs = [search.SearchDoc(id=a.id, url=a.url, title=a.title, kicker=a.kicker, subtitle=a.subtitle,
                         date=a.date.isoformat(), counties=tuple(c.name for c in a.counties),
                         section=a.page.section.name, column=a.column.name if a.column else "",
                         people=tuple(p.name for p in a.credited), tags=tuple(t.name for t in a.tags),
                         text=functools.partial(getattr, a, "text"), key=a.fingerprint)
        for a in library.articles]
numbered = search.number_docs(docs)
recent = [x for x in numbered if x[0] >= search.recent_start(numbered)]
for _, doc in recent:
    search.doc_text(doc)   # the bodies read before timing
times = []
for _ in range(calls):
    started = time.perf_counter()
    chunks, _, n = search.recent_chunks(recent)
    times.append(time.perf_counter() - started)
print(f"median {statistics.median(times):.3f} s, fastest {min(times):.3f} s; {len(recent)} articles, "
      f"{n} chunks, {sum(map(len, chunks.values())):,} bytes")
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("code", type=Path, nargs="+")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--calls", type=int, default=7)
    args = parser.parse_args(argv)
    for r in range(1, args.rounds + 1):
        for code in args.code:
            out = subprocess.run([sys.executable, "-c", ONE, str(args.content), str(args.site), str(args.calls)],
                                 cwd=code, capture_output=True, text=True, check=True).stdout.strip()
            print(f"round {r}, {code}: {out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
