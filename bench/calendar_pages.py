#!/usr/bin/env python3
"""What the calendar's pages weigh in built sites: bytes, gzip bytes and elements.

    python bench/calendar_pages.py SITE [SITE ...]

For each site: `archive/index.html` (the whole calendar before 2026-12-04, the overview of the
years since), the year pages `archive/YYYY/index.html` if there are any (their count, median
and largest), and `archive/dates.json` if there is one. Gzip at level 6, as a web server
commonly serves it; elements are the start tags Python's html.parser sees.
"""
from __future__ import annotations

import gzip
import statistics
import sys
from html.parser import HTMLParser
from pathlib import Path


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.count += 1


def weigh(path: Path) -> tuple[int, int, int | None]:
    """(bytes, gzip bytes, elements or None for a file that is not HTML)."""
    data = path.read_bytes()
    elements = None
    if path.suffix == ".html":
        parser = _Elements()
        parser.feed(data.decode("utf-8"))
        elements = parser.count
    return len(data), len(gzip.compress(data, 6)), elements


def describe(weights: tuple[int, int, int | None]) -> str:
    size, packed, elements = weights
    return f"{size:,} bytes, {packed / 1024:.1f} KB gzip" + (f", {elements:,} elements" if elements is not None else "")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    for site in map(Path, argv):
        archive = site / "archive"
        print(site)
        print(f"  archive/index.html   {describe(weigh(archive / 'index.html'))}")
        years = sorted(archive.glob("[0-9][0-9][0-9][0-9]/index.html"))
        if years:
            weights = [weigh(path) for path in years]
            largest = max(weights)
            print(f"  year pages           {len(years)}; median {statistics.median(w[0] for w in weights):,.0f} bytes; "
                  f"largest {describe(largest)}")
        dates = archive / "dates.json"
        if dates.exists():
            print(f"  archive/dates.json   {describe(weigh(dates))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
