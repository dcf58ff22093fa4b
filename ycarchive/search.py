"""Build the static full-text search files: term chunks, per-article records and facet lists.

The index is lunr's (BM25 with lunr's k1, b and rounding), split so that a query downloads
only what it needs. The browser (assets/search-worker.js) rebuilds a small lunr.Index from
the chunks a query touches and lets lunr.js run the query; see docs/search.md.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain
from operator import sub

FORMAT_VERSION = 1
FIELDS = ("title", "body", "meta")
LUNR_K1 = 1.2
LUNR_B = 0.75

# Character classes shared with assets/search-worker.js; keep the two in step.
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
WORD = "0-9a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
RUN_RE = re.compile(f"([{HAN}]+)|([{WORD}]+)|[^{HAN}{WORD}]+")

# Varint alphabet: 5 bits a character, most significant group first; continuation groups use
# CONT, the last group uses LAST. Both are safe inside a JSON string without escaping.
LAST = "0123456789abcdefghijklmnopqrstuv"
CONT = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_"


@dataclass(frozen=True)
class SearchDoc:
    id: str
    url: str
    title: str
    kicker: str
    subtitle: str
    date: str
    counties: tuple[str, ...]
    section: str
    column: str
    people: tuple[str, ...]
    tags: tuple[str, ...]
    text: str


def normalize(text: str) -> str:
    """NFKC, then lower case: the first step at build and at query time."""
    if not unicodedata.is_normalized("NFKC", text):  # the quick check is much cheaper
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def tokenize(text: str) -> list[tuple[str, int]]:
    """Return (token, position) pairs: Han characters and overlapping bigrams, Latin words.

    Positions count units: one per Han character, one per Latin word and one per run of
    anything else, so tokens are adjacent only if they touch in the text.
    """
    tokens: list[tuple[str, int]] = []
    pos = 0
    for m in RUN_RE.finditer(normalize(text)):
        han, word = m.group(1), m.group(2)
        if han:
            last = len(han) - 1
            for i, ch in enumerate(han):
                tokens.append((ch, pos + i))
                if i < last:
                    tokens.append((han[i : i + 2], pos + i))
            pos += len(han)
        else:
            if word:
                tokens.append((word, pos))
            pos += 1
    return tokens


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over UTF-8; the browser computes the same to find a term's chunk."""
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def _make_codes(limit: int) -> list[str]:
    codes = []
    for n in range(limit):
        groups = [LAST[n & 31]]
        n >>= 5
        while n:
            groups.append(CONT[n & 31])
            n >>= 5
        codes.append("".join(reversed(groups)))
    return codes


_CODES = _make_codes(1 << 16)


def encode_varint(n: int) -> str:
    """Encode one non-negative integer in the index's varint alphabet."""
    if n < len(_CODES):
        return _CODES[n]
    groups = [LAST[n & 31]]
    n >>= 5
    while n:
        groups.append(CONT[n & 31])
        n >>= 5
    return "".join(reversed(groups))


def decode_varints(text: str) -> list[int]:
    """Decode a varint string (the inverse of joining encode_varint results)."""
    out, n = [], 0
    for ch in text:
        i = LAST.find(ch)
        if i >= 0:
            out.append(n * 32 + i)
            n = 0
        else:
            n = n * 32 + CONT.index(ch)
    return out


def field_texts(doc: SearchDoc) -> tuple[str, str, str]:
    """The searchable text of each lunr field; parts are joined by a line break (a separator)."""
    title = "\n".join(p for p in (doc.kicker, doc.title, doc.subtitle) if p)
    meta = "\n".join([doc.column, *doc.counties, *doc.people, *doc.tags])
    return title, doc.text, meta


def bucket_count(n_docs: int) -> int:
    """Number of term chunks: a power of two that grows with the archive (about 2 articles each)."""
    b = 16
    while b < n_docs // 2:
        b *= 2
    return b


def order_docs(docs: list[SearchDoc]) -> list[SearchDoc]:
    """Articles in (date, id) order: a new day's articles get the next numbers."""
    return sorted(docs, key=lambda d: (d.date, d.id))


def term_positions(text: str) -> tuple[int, dict[str, list[int] | int]]:
    """Return (token count, term -> positions), as tokenize() would; single Han chars get counts."""
    per: dict = {}
    get = per.get
    n_tokens = 0
    pos = 0
    for m in RUN_RE.finditer(normalize(text)):
        han = m.group(1)
        if han:
            n = len(han)
            n_tokens += 2 * n - 1
            for ch in han:
                per[ch] = get(ch, 0) + 1
            for i in range(n - 1):
                bg = han[i : i + 2]
                lst = get(bg)
                if lst is None:
                    per[bg] = [pos + i]
                else:
                    lst.append(pos + i)
            pos += n
        else:
            word = m.group(2)
            if word:
                n_tokens += 1
                lst = get(word)
                if lst is None:
                    per[word] = [pos]
                else:
                    lst.append(pos)
            pos += 1
    return n_tokens, per


def build_postings(docs: list[SearchDoc]):
    """Return (postings, field_length_sums): term -> one list of encoded postings per field."""
    postings: dict[str, list[list[str]]] = {}
    sums = [0] * len(FIELDS)
    codes = _CODES
    code = codes.__getitem__
    limit = len(codes)
    enc = encode_varint
    last_doc: dict[str, list[int]] = {}
    for num, doc in enumerate(docs):
        for f, text in enumerate(field_texts(doc)):
            n_tokens, per = term_positions(text)
            sums[f] += n_tokens
            len_code = enc(n_tokens)
            for term, positions in per.items():
                lists = postings.get(term)
                if lists is None:
                    lists = postings[term] = [[], [], []]
                    last_doc[term] = [-1, -1, -1]
                last = last_doc[term]
                delta = num - last[f]
                last[f] = num
                head = (codes[delta] if delta < limit else enc(delta)) + len_code
                if positions.__class__ is int:  # a single Han character: tf only
                    lists[f].append(head + enc(positions))
                elif positions[-1] < limit:
                    # position deltas, encoded at C speed: p1 - 0, p2 - p1, ...
                    lists[f].append(head + enc(len(positions)) + "".join(map(code, map(sub, positions, chain((0,), positions)))))
                else:
                    lists[f].append(head + enc(len(positions)) + "".join(enc(p - q) for p, q in zip(positions, chain((0,), positions))))
    return postings, sums


def render_chunks(postings, n_buckets: int) -> dict[str, bytes]:
    """Group terms into chunks by a stable hash of the term."""
    buckets: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for term, lists in postings.items():
        buckets[fnv1a(term) % n_buckets][term] = ["".join(parts) for parts in lists]
    width = len(f"{n_buckets - 1:x}")
    return {
        f"search/t/{b:0{width}x}.json": _json(dict(sorted(terms.items())))
        for b, terms in buckets.items()
    }


def render_record(num: int, doc: SearchDoc) -> bytes:
    """The per-article record shown in results (and used for excerpts and highlights)."""
    return _json(
        {
            "n": num,
            "id": doc.id,
            "url": doc.url,
            "title": doc.title,
            "kicker": doc.kicker,
            "subtitle": doc.subtitle,
            "date": doc.date,
            "counties": list(doc.counties),
            "section": doc.section,
            "column": doc.column,
            "people": list(doc.people),
            "tags": list(doc.tags),
            "text": doc.text,
        }
    )


def facet_key(kind: str, value: str) -> str:
    """File name stem of one facet value's article list (kind: c county, s section, p person)."""
    return f"{kind}-{fnv1a(value):08x}"


def render_facets(docs: list[SearchDoc]) -> dict[str, bytes]:
    """One small file per county, section and person: the article numbers carrying it."""
    lists: dict[tuple[str, str], list[int]] = defaultdict(list)
    for num, doc in enumerate(docs):
        for kind, values in (("c", doc.counties), ("s", (doc.section,)), ("p", doc.people)):
            for value in sorted(set(values)):
                lists[(kind, value)].append(num)
    files = {}
    for (kind, value), nums in sorted(lists.items()):
        prev, parts = -1, []
        for n in nums:
            parts.append(encode_varint(n - prev))
            prev = n
        key = facet_key(kind, value)
        files[f"search/f/{key}.json"] = _json({"value": value, "docs": "".join(parts)})
    return files


def render_meta(docs: list[SearchDoc], sums: list[int], n_buckets: int) -> bytes:
    """The one file every query reads first: corpus statistics, chunk count, year ranges."""
    years: dict[str, list[int]] = {}
    for num, doc in enumerate(docs):
        y = doc.date[:4]
        if y in years:
            years[y][1] = num + 1
        else:
            years[y] = [num, num + 1]
    return _json(
        {
            "version": FORMAT_VERSION,
            "fields": list(FIELDS),
            "documentCount": len(docs),
            "fieldLengthSums": sums,
            "k1": LUNR_K1,
            "b": LUNR_B,
            "chunks": n_buckets,
            "chunkWidth": len(f"{n_buckets - 1:x}"),
            "years": years,
        }
    )


def build_search_files(docs: list[SearchDoc]) -> dict[str, bytes]:
    """Return {dest_path (relative to site root, under 'search/'): bytes} for the index."""
    ordered = order_docs(docs)
    n_buckets = bucket_count(len(ordered))
    postings, sums = build_postings(ordered)
    files = {"search/meta.json": render_meta(ordered, sums, n_buckets)}
    files.update(render_chunks(postings, n_buckets))
    files.update(render_facets(ordered))
    for num, doc in enumerate(ordered):
        files[f"search/d/{num}.json"] = render_record(num, doc)
    return files


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode("utf-8")
