#!/usr/bin/env python3
"""Print the search index's frequent characters (ycarchive/search.py FREQUENT) from their sources.

    python bench/frequent_chars.py [--seeds DIR] [--jieba-dict FILE]

FREQUENT is the 200 most frequent Han characters of the column's seed pages (bench/data/seeds),
most frequent first, then, in their own order, those of the 200 most frequent Han characters of
general Chinese that are not among them. The general list is counted from the word frequencies
of jieba's dictionary (jieba/dict.txt of the jieba package, PyPI, MIT): each character of a word
counts the word's frequency. The dictionary is fetched with `pip download` unless given; only
the derived list is kept in the repository (as FREQUENT, and the same string in
assets/search-worker.js). Ties go by code point.

The seed pages alone left out characters every newspaper uses often (国 is not among their
200): on news text, 4-character queries made of such characters fetched two long trigram
lists instead of one 4-gram (docs/search.md, run AF).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ycarchive import search  # noqa: E402

PACKAGE = "jieba==0.42.1"
MEMBER = "jieba-0.42.1/jieba/dict.txt"
SEEDS = ROOT / "bench" / "data" / "seeds"
TOP = 200


def top(counts: Counter, n: int) -> list[str]:
    return sorted(counts, key=lambda c: (-counts[c], c))[:n]


def is_han(c: str) -> bool:
    return search._CLASS[ord(c)] == 2


def seed_counts(folder: Path) -> Counter:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt")))
    return Counter(c for c in search.normalize(text) if is_han(c))


def dictionary_counts(text: str) -> Counter:
    """Characters of jieba's dictionary (lines `word frequency [tag]`), weighted by frequency."""
    counts: Counter = Counter()
    for line in text.splitlines():
        word, freq, *_ = line.split()
        for c in search.normalize(word):
            if is_han(c):
                counts[c] += int(freq)
    return counts


def frequent(seeds: Counter, general: Counter) -> str:
    chars = top(seeds, TOP)
    return "".join(chars + [c for c in top(general, TOP) if c not in chars])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=SEEDS)
    ap.add_argument("--jieba-dict", type=Path, help="jieba's dict.txt (default: fetched with pip download)")
    args = ap.parse_args(argv)
    if args.jieba_dict:
        text = args.jieba_dict.read_text(encoding="utf-8")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, PACKAGE], check=True)
            (archive,) = Path(tmp).glob("jieba-*.tar.gz")
            with tarfile.open(archive) as tar:
                text = tar.extractfile(MEMBER).read().decode("utf-8")
    chars = frequent(seed_counts(args.seeds), dictionary_counts(text))
    print(chars)
    print(f"{len(chars)} characters; the same as ycarchive/search.py: {chars == search.FREQUENT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
