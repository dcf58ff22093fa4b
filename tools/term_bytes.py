#!/usr/bin/env python3
"""What a query's terms cost to fetch: for each term, its chunk file's gzip size, how many terms
share that chunk, and the gzip size of the term's own postings.

    python tools/term_bytes.py site/ 居民 们共
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ycarchive.search import chunk_path  # noqa: E402


def main() -> None:
    site, terms = Path(sys.argv[1]), sys.argv[2:]
    meta = json.loads((site / "search" / "meta.json").read_text(encoding="utf-8"))
    for term in terms:
        # the older articles' chunk and the newest month's (docs/search.md), where there are any
        for folder, chunks in (("t", meta["chunks"]), ("r", meta.get("recentChunks", 0))):
            if not chunks:
                continue
            path = chunk_path(term, chunks, folder)
            raw = (site / path).read_bytes()
            data = json.loads(raw)
            own = json.dumps({term: data.get(term, ["", "", ""])}, ensure_ascii=False, separators=(",", ":"))
            print(f"{term}: {path}, chunk {len(gzip.compress(raw, 6)) / 1024:.1f} KB gzip, {len(data)} terms in it; "
                  f"own postings {len(gzip.compress(own.encode('utf-8'), 6)) / 1024:.1f} KB gzip "
                  f"(field strings {[len(s) for s in data.get(term, ['', '', ''])]} characters)")


if __name__ == "__main__":
    main()
