"""Build the static full-text search files: term chunks, per-article records and facet lists.

The index is lunr's (BM25 with lunr's k1, b and rounding), split so that a query downloads
only what it needs. The browser (assets/search-worker.js) rebuilds a small lunr.Index from
the chunks a query touches and lets lunr.js run the query; see docs/search.md.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import chain, compress, count, repeat
from operator import add, ne, sub

FORMAT_VERSION = 2
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
# Article numbers: day (since 1900-01-01) << SLOT_BITS | slot; see number_docs().
SLOT_BITS = 9
SLOTS = 1 << SLOT_BITS
EPOCH = date(1900, 1, 1).toordinal()


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


def day_number(date_text: str) -> int:
    """Days since 1900-01-01 of an ISO date (0 when it is not one)."""
    try:
        return date.fromisoformat(date_text[:10]).toordinal() - EPOCH
    except ValueError:
        return 0


def number_docs(docs: list[SearchDoc]) -> list[tuple[int, SearchDoc]]:
    """(article number, article) in number order. A number is day << SLOT_BITS | slot, the slot a
    hash of the id (the next free one on a collision), so it does not depend on other days'
    articles: adding, removing or backfilling an article renumbers nothing else (except, rarely,
    an article of the same day whose slot collided)."""
    by_day: dict[int, list[tuple[int, str, int, SearchDoc]]] = defaultdict(list)
    for i, d in enumerate(docs):
        by_day[day_number(d.date)].append((fnv1a(d.id) % SLOTS, d.id, i, d))
    out = []
    for day, items in sorted(by_day.items()):
        if len(items) > SLOTS:
            raise ValueError(f"more than {SLOTS} articles dated {items[0][3].date}")
        taken: set[int] = set()
        for slot, _, _, d in sorted(items, key=lambda x: x[:3]):
            while slot in taken:
                slot = (slot + 1) % SLOTS
            taken.add(slot)
            out.append(((day << SLOT_BITS) | slot, d))
    out.sort(key=lambda x: x[0])
    return out


def doc_numbers(docs: list[SearchDoc]) -> dict[int, SearchDoc]:
    """Article number -> article."""
    return dict(number_docs(docs))


_WORD_RUN = re.compile(f"[{WORD}]+")
_SEP_RUN = re.compile(f"[^{HAN}\x00]+")
_PLACEHOLDER = re.compile("[\x00\x01]")


def field_postings(text: str) -> tuple[int, list[str], list[str]]:
    """(token count, terms, payloads) of one field, as tokenize() would give them.

    The text is rewritten so that every unit is one character: a Latin word becomes \\x00, a
    run of separators \\x01, so a character's index is its position and the tokens can be
    grouped with C-level operations. A payload is field length, term frequency, then for
    bigrams and words the position deltas, for single Han characters the count and position
    deltas of their occurrences at either end of a Han run (see docs/search.md).
    """
    s = normalize(text)
    if "\x00" in s or "\x01" in s:
        s = s.replace("\x00", " ").replace("\x01", " ")
    words = _WORD_RUN.findall(s)
    if words:
        s = _WORD_RUN.sub("\x00", s)
    t = _SEP_RUN.sub("\x01", s)
    n = len(t)
    if not n:
        return 0, [], []
    place = [m.start() for m in _PLACEHOLDER.finditer(t)]
    code = _CODES.__getitem__ if n < len(_CODES) else encode_varint
    # bigrams: every adjacent pair, pairs touching a placeholder marked as "\x00"
    bg = list(map(add, t, t[1:]))
    last = n - 1
    for p in place:
        if p:
            bg[p - 1] = "\x00"
        if p < last:
            bg[p] = "\x00"
    junk = bg.count("\x00")
    n_bigrams = len(bg) - junk
    n_tokens = n - len(place) + n_bigrams + len(words)
    head = encode_varint(n_tokens)
    terms: list[str] = []
    payloads: list[str] = []
    if n_bigrams:
        order = sorted(range(len(bg)), key=bg.__getitem__)[junk:]  # stable: positions ascend
        keys = list(map(bg.__getitem__, order))
        starts = [0, *compress(count(1), map(ne, keys[1:], keys))]
        ends = starts[1:] + [len(keys)]
        deltas = list(map(sub, order, chain((0,), order)))
        for i in starts:
            deltas[i] = order[i]
        codes = list(map(code, deltas))
        terms += map(keys.__getitem__, starts)
        payloads += map(
            add,
            map(head.__add__, map(code, map(sub, ends, starts))),
            map("".join, map(codes.__getitem__, map(slice, starts, ends))),
        )
    # single Han characters: count, then positions at the ends of Han runs
    counts = Counter(t)
    counts.pop("\x00", None)
    counts.pop("\x01", None)
    single = dict(zip(counts, map(add, map(head.__add__, map(code, counts.values())), repeat("0"))))
    edge_set = {0, last}
    for p in place:
        edge_set.add(p - 1)
        edge_set.add(p + 1)
    edges: dict[str, list[int]] = {}
    for i in sorted(edge_set):
        if 0 <= i < n:
            ch = t[i]
            if ch in single:
                if ch in edges:
                    edges[ch].append(i)
                else:
                    edges[ch] = [i]
    for ch, ps in edges.items():
        single[ch] = head + code(counts[ch]) + code(len(ps)) + "".join(map(code, map(sub, ps, chain((0,), ps))))
    terms += single.keys()
    payloads += single.values()
    if words:
        at: dict[str, list[int]] = {}
        for w, p in zip(words, (p for p in place if t[p] == "\x00")):
            if w in at:
                at[w].append(p)
            else:
                at[w] = [p]
        for w, ps in at.items():
            terms.append(w)
            payloads.append(head + code(len(ps)) + "".join(map(code, map(sub, ps, chain((0,), ps)))))
    return n_tokens, terms, payloads


def doc_key(doc: SearchDoc) -> str:
    """A hash of everything the index takes from an article (its content, not its place)."""
    parts = (doc.id, doc.url, doc.title, doc.kicker, doc.subtitle, doc.date, *doc.counties, doc.section,
             doc.column, *doc.people, *doc.tags, doc.text)
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest() + (
        f"{len(doc.counties)}.{len(doc.people)}.{len(doc.tags)}")


def _delta_codes(nums: list[int], first: int) -> list[str]:
    """Varint codes of the gaps between successive numbers (the first from `first`)."""
    head = encode_varint(nums[0] - first)
    if len(nums) == 1:
        return [head]
    deltas = list(map(sub, nums[1:], nums))
    if max(deltas) < len(_CODES):
        return [head, *map(_CODES.__getitem__, deltas)]
    return [head, *map(encode_varint, deltas)]


_append = list.append


def _index_range(items: list[tuple[int, SearchDoc]]):
    """Postings of a run of articles in number order: per field, term -> (first number, last
    number, encoded postings with gaps counted from -1), and the field length sums."""
    nums: tuple[dict, ...] = (defaultdict(list), defaultdict(list), defaultdict(list))
    pays: tuple[dict, ...] = (defaultdict(list), defaultdict(list), defaultdict(list))
    sums = [0, 0, 0]
    for num, doc in items:
        for f, text in enumerate(field_texts(doc)):
            n, terms, payloads = field_postings(text)
            if n:
                sums[f] += n
                any(map(_append, map(nums[f].__getitem__, terms), repeat(num)))
                any(map(_append, map(pays[f].__getitem__, terms), payloads))
    out = []
    for f in range(3):
        pf = pays[f]
        out.append({
            term: (ns[0], ns[-1], "".join(map(add, _delta_codes(ns, -1), pf[term])))
            for term, ns in nums[f].items()
        })
        nums[f].clear()
        pf.clear()
    return out, sums


def index_postings(numbered: list[tuple[int, SearchDoc]], processes: int | None = None, run: int | None = None):
    """(term -> 3 field strings, term -> last article number per field, field length sums).

    The articles are indexed in runs of `run` (by default a sixteenth of them, 250 to 2,000; in
    forked processes on more than one core), and each run's lists are appended to the lists so
    far, re-encoding only the run's first gap; so memory holds the encoded lists and one run's
    postings per process, not every posting."""
    if processes is None:
        processes = min(2, os.cpu_count() or 1)
    if run is None:
        run = max(250, min(2000, -(-len(numbered) // 16)))
    runs = [numbered[i : i + run] for i in range(0, len(numbered), run)]
    merged: list[dict[str, list]] = [{}, {}, {}]  # term -> [last number, pieces of text]
    sums = [0, 0, 0]

    def join(part):
        for f in range(3):
            sums[f] += part[1][f]
            into = merged[f]
            for term, (first2, last2, text2) in part[0][f].items():
                prev = into.get(term)
                if prev is None:
                    into[term] = [last2, [text2]]
                else:
                    skip = len(encode_varint(first2 + 1))
                    prev[1] += (encode_varint(first2 - prev[0]), text2[skip:])
                    prev[0] = last2

    if processes < 2 or len(runs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for r in runs:
            join(_index_range(r))
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for part in pool.imap(_index_range, runs):
                join(part)
    postings: dict[str, list[str]] = {}
    last: dict[str, list[int]] = {}
    for f in range(3):
        for term, (end, pieces) in merged[f].items():
            entry = postings.get(term)
            if entry is None:
                entry = postings[term] = ["", "", ""]
                last[term] = [-1, -1, -1]
            entry[f] = "".join(pieces)
            last[term][f] = end
        merged[f] = {}
    return postings, last, sums


def chunk_path(term: str, n_buckets: int) -> str:
    width = len(f"{n_buckets - 1:x}")
    return f"search/t/{fnv1a(term) % n_buckets:0{width}x}.json"


def render_chunks(postings, n_buckets: int) -> dict[str, bytes]:
    """Group terms into chunks by a stable hash of the term."""
    buckets: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for term, lists in postings.items():
        buckets[chunk_path(term, n_buckets)][term] = lists
    return {path: _json(dict(sorted(terms.items()))) for path, terms in buckets.items()}


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


def render_facets(numbered: list[tuple[int, SearchDoc]]) -> dict[str, bytes]:
    """One small file per county, section and person: the article numbers carrying it."""
    lists: dict[tuple[str, str], list[int]] = defaultdict(list)
    for num, doc in numbered:
        for kind, values in (("c", doc.counties), ("s", (doc.section,)), ("p", doc.people)):
            for value in sorted(set(values)):
                lists[(kind, value)].append(num)
    files = {}
    for (kind, value), nums in sorted(lists.items()):
        key = facet_key(kind, value)
        files[f"search/f/{key}.json"] = _json({"value": value, "docs": "".join(_delta_codes(nums, -1))})
    return files


def render_meta(numbered: list[tuple[int, SearchDoc]], sums: list[int], n_buckets: int) -> bytes:
    """The one file every query reads first: corpus statistics, chunk count, year ranges."""
    years: dict[str, list[int]] = {}
    for _, doc in numbered:
        y = doc.date[:4]
        if y not in years:
            try:
                lo, hi = day_number(f"{y}-01-01"), day_number(f"{int(y) + 1}-01-01")
            except ValueError:
                lo = hi = 0
            years[y] = [lo << SLOT_BITS, hi << SLOT_BITS]
    return _json(
        {
            "version": FORMAT_VERSION,
            "fields": list(FIELDS),
            "documentCount": len(numbered),
            "fieldLengthSums": sums,
            "k1": LUNR_K1,
            "b": LUNR_B,
            "chunks": n_buckets,
            "chunkWidth": len(f"{n_buckets - 1:x}"),
            "years": dict(sorted(years.items())),
        }
    )


def _patch_chunk(data: bytes, ops: list[tuple[str, int, str]]) -> bytes:
    """Append postings to a rendered chunk: (term, field, encoded postings) in order. Appends to
    terms already in the chunk are spliced into the bytes (a key `"term":["` occurs only as
    that key: the values are varint strings); a new term re-renders the chunk."""
    spliced = data
    for term, f, text in ops:
        at = spliced.find(b'"' + term.encode("utf-8") + b'":["')
        if at < 0:
            chunk = json.loads(data)
            for term, f, text in ops:
                entry = chunk.get(term)
                if entry is None:
                    entry = chunk[term] = ["", "", ""]
                entry[f] += text
            return _json(dict(sorted(chunk.items())))
        end = spliced.index(b'"', at + len(term.encode("utf-8")) + 5)
        for _ in range(f):
            end = spliced.index(b'"', end + 3)
        spliced = spliced[:end] + text.encode("ascii") + spliced[end:]
    return spliced


def build_search_files(docs: list[SearchDoc], cache: dict | None = None) -> dict[str, bytes]:
    """Return {dest_path (relative to site root, under 'search/'): bytes} for the index.

    `cache` is a dict kept between builds (or None). It holds each article's record under a
    hash of its content, the previous chunks and each term's last article number per field;
    when the only change is articles numbered after all earlier ones (a new day), only the new
    articles are tokenized and the chunks holding their terms patched. Anything else (an
    article removed, edited or backfilled) indexes everything again. The files are the same
    bytes with or without a cache.
    """
    if cache is None:
        cache = {}
    if cache.get("format") != FORMAT_VERSION:
        cache.clear()
        cache["format"] = FORMAT_VERSION
    numbered = number_docs(docs)
    keys = [doc_key(d) for _, d in numbered]
    old_records = cache.get("records", {})
    records = {}
    for (num, d), k in zip(numbered, keys):
        rec = old_records.get(k)
        records[k] = rec if rec is not None and rec[0] == num else (num, render_record(num, d))
    n_buckets = bucket_count(len(numbered))
    state = cache.get("state")
    current = {(num, k) for (num, _), k in zip(numbered, keys)}
    added = None
    if state is not None and state["buckets"] == n_buckets and state["entries"] <= current:
        top = max((num for num, _ in state["entries"]), default=-1)
        added = sorted(current - state["entries"])
        if added and added[0][0] <= top:
            added = None
    if added is None:
        postings, last, sums = index_postings(numbered)
        chunks = render_chunks(postings, n_buckets)
        del postings
    else:
        chunks, last, sums = dict(state["chunks"]), state["last"], list(state["sums"])
        by_key = {k: d for (_, d), k in zip(numbered, keys)}
        edits: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
        for num, k in added:
            for f, text in enumerate(field_texts(by_key[k])):
                n_tokens, terms, payloads = field_postings(text)
                sums[f] += n_tokens
                for term, p in zip(terms, payloads):
                    mark = last.get(term)
                    if mark is None:
                        mark = last[term] = [-1, -1, -1]
                    edits[chunk_path(term, n_buckets)].append((term, f, encode_varint(num - mark[f]) + p))
                    mark[f] = num
        for path, ops in edits.items():
            chunks[path] = _patch_chunk(chunks.get(path, b"{}"), ops)
    cache["records"] = records
    cache["state"] = {"buckets": n_buckets, "entries": current, "chunks": chunks, "last": last, "sums": sums}
    files = {"search/meta.json": render_meta(numbered, sums, n_buckets)}
    files.update(chunks)
    files.update(render_facets(numbered))
    for num, rec in records.values():
        files[f"search/d/{num}.json"] = rec
    return files


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode("utf-8")
