"""Build the static full-text search files: term chunks, per-article records and facet lists.

The index is lunr's (BM25 with lunr's k1, b and rounding), split so that a query downloads
only what it needs. The browser (assets/search-worker.js) rebuilds a small lunr.Index from
the chunks a query touches and lets lunr.js run the query; see docs/search.md.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import math
import multiprocessing
import os
import pickle
import re
import tempfile
import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import MutableMapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import chain, compress, count, repeat
from operator import add, eq, itemgetter, ne, sub

import numpy as np

from .model import ARTICLES_PER_DAY, FIRST_DATE
from .progress import bar

FORMAT_VERSION = 7
FIELDS = ("title", "body", "meta")
LUNR_K1 = 1.2
LUNR_B = 0.75

# Character classes shared with assets/search-worker.js; keep the two in step.
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
WORD = "0-9a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
RUN_RE = re.compile(f"([{HAN}]+)|([{WORD}]+)|[^{HAN}{WORD}]+")
# Frequent characters: the 200 most frequent Han characters of the column's seed pages
# (bench/data/seeds), most frequent first, then those of general Chinese's 200 most frequent
# (counted from jieba's dictionary) that are not among them; bench/frequent_chars.py prints
# it, and assets/search-worker.js has the same string (tests check both). A 4-gram is indexed
# only where its first three or its last three characters are all of them, and a trigram with
# any other character lists all of its positions (docs/search.md, "Tokens").
FREQUENT = ("的区社党民一动建理在作务工居治了服小员为新活实人年县基力发干业化部有不展和心组到开成村全能中大层是题"
            "个会以织群等进生队事解与设用城文道领上合家自老者委学管们主我推提下多现出地来时这引重产体愿共单强当行"
            "金方联通向志步面创持水物路众公关就式求立要过问难分协后好点记对市常海湾线色量办日机代位健导打经高保安"
            "更次精平育艺长需决前同培支效着示聚调走造乡坚月目资便修准制加升品场度感报本职让质门青优内可热程统议责"
            "国他说子也于之得天你里都而政法那去北定其军还然起种所如表外两三么只山明从又南西没此将名手最东头间无看"
            "见各十相但已些正口想第她院性战由意武使二因数样身情入原把被并利石教万知")
_FREQUENT = frozenset(FREQUENT)
_FREQUENT_TABLE = np.zeros(0x40000, dtype=bool)   # by code point (the index's Han end at U+3FFFF)
_FREQUENT_TABLE[[ord(c) for c in FREQUENT]] = True

# Varint alphabet: 5 bits a character, most significant group first; continuation groups use
# CONT, the last group uses LAST. Both are safe inside a JSON string without escaping.
LAST = "0123456789abcdefghijklmnopqrstuv"
CONT = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_"
# Article numbers: day (since FIRST_DATE) << SLOT_BITS | slot; see number_docs(). The content
# check (library.py) holds the archive to both limits.
SLOTS = ARTICLES_PER_DAY
SLOT_BITS = SLOTS.bit_length() - 1
EPOCH = FIRST_DATE.toordinal()


# Not frozen: the search process makes one for every article in every build, in 0.6-1.2 µs each
# against 2.4-4.3 µs frozen (bench/micro_timings.py, 2026-12-03).
@dataclass
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
    text: str   # or a function that returns it when the article is indexed (see doc_text)
    key: str = ""   # a hash of everything the text is made from, for doc_key to hash instead of it
    # (and by which _build_search_files finds the doc_key a document had in the last build)


def doc_text(doc: SearchDoc) -> str:
    """A document's text. A build passes each article's as a function: most builds index few
    articles, and the texts of the others stay unread in the cache (cli.Renderings)."""
    return doc.text() if callable(doc.text) else doc.text


# Full-width punctuation, ideographic space, … and other characters whose NFKC form is the same
# ASCII as their NFKD form: replacing them first is what NFKC would do to them, whatever their
# neighbours. A third of the fields hold some (，：（）…), and a field without any other such
# character then passes the quick check; full NFKC had been a third of the index build's CPU.
_TO_ASCII = {
    cp: form
    for lo, hi in ((0x2000, 0x2070), (0x3000, 0x3001), (0xFE10, 0xFE70), (0xFF00, 0xFFF0))
    for cp in range(lo, hi)
    if (form := unicodedata.normalize("NFKC", chr(cp))) != chr(cp)
    and form == unicodedata.normalize("NFKD", chr(cp)) and form.isascii()
}
# A field holds few distinct ones (news text: ，（）： and full-width digits), each many times:
# a regular expression finds which, and str.replace swaps each throughout. str.translate looks
# up every character of the text in a dict (0.159 s against 0.024 s for a regular expression
# on the bodies of 625 synthetic articles), and a regular expression that calls Python for each
# match calls it about a hundred times a field of news text. With this and _fnv1a_rows's
# three-byte path, the index of 10,000 articles of news text took 28.5-35.6 CPU seconds against
# 30.9-39.5 before (bench/search_bench.py --side-by-side, docs/search.md run Y).
_TO_ASCII_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TO_ASCII)) + "]")
_TO_ASCII_STR = {chr(cp): form for cp, form in _TO_ASCII.items()}


def normalize(text: str) -> str:
    """NFKC, then lower case: the first step at build and at query time."""
    if not unicodedata.is_normalized("NFKC", text):  # the quick check is much cheaper
        for char in set(_TO_ASCII_RE.findall(text)):   # an ASCII form is never one of them
            text = text.replace(char, _TO_ASCII_STR[char])
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    return text.lower()


def tokenize(text: str) -> list[tuple[str, int]]:
    """Return (token, position) pairs: Han characters, their overlapping bigrams, trigrams and
    4-grams, Latin words.

    Positions count units: one per Han character, one per Latin word and one per run of
    anything else, so tokens are adjacent only if they touch in the text.
    """
    tokens: list[tuple[str, int]] = []
    pos = 0
    for m in RUN_RE.finditer(normalize(text)):
        han, word = m.group(1), m.group(2)
        if han:
            for i in range(len(han)):
                for size in range(1, min(4, len(han) - i) + 1):
                    tokens.append((han[i : i + size], pos + i))
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


def fnv1a_many(texts: list[str]):
    """fnv1a() of every string, as a uint64 array (see _fnv1a_spans): for the ids of every
    article, in every build."""
    encoded = [t.encode("utf-8") for t in texts]
    lens = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    return _fnv1a_spans(np.frombuffer(b"".join(encoded), dtype=np.uint8), np.cumsum(lens) - lens, lens)


def _fnv1a_spans(data, starts, lens):
    """fnv1a() of the byte strings data[starts[i] : starts[i] + lens[i]], as a uint64 array: one
    step a byte position, for the strings that are that long (longest first, so that those are
    the first rows), so the work is one step a byte however long the longest string is.
    (_fnv1a_rows does the same for the index's terms of up to four characters, column by column
    of the UTF-8 matrix it already has, which is faster there than this.)"""
    order = np.argsort(-lens, kind="stable")
    at, left = starts[order].astype(np.int64), lens[order]
    h = np.full(len(order), 0x811C9DC5, dtype=np.uint64)
    for j in range(int(left[0]) if len(left) else 0):
        k = int(np.searchsorted(-left, -j, side="left"))   # rows with more than j bytes
        h[:k] = ((h[:k] ^ data[at[:k] + j]) * np.uint64(0x01000193)) & np.uint64(0xFFFFFFFF)
    out = np.empty_like(h)
    out[order] = h
    return out


def _encode(n: int) -> str:
    groups = [LAST[n & 31]]
    n >>= 5
    while n:
        groups.append(CONT[n & 31])
        n >>= 5
    return "".join(reversed(groups))


def _codes(last: str) -> tuple[list[str], list[str]]:
    """The codes of 0 .. 2**16 - 1, the last digit from `last` (LAST, or CONT for the leading
    part of a longer code), and the 32,768 three-digit codes, leading zero digits (CONT[0])
    included, that they are built from. Built from digit pieces: 65,536 calls of _encode had been
    half of importing this module, and every build's search process imports it."""
    two = [c + x for c in CONT for x in last]
    three = [c + x for c in CONT for x in two]
    # Those of two and three digits with no leading zero are the ends of `two` and `three`.
    return [*last, *two[len(last):], *three[len(two):], *[CONT[1] + x for x in three]], three


_CODES, _LOW3 = _codes(LAST)   # the codes of small numbers, looked up; and n's last three digits


class _HighCodes(dict):
    """The code of m < 2**16 with its last digit as a continuation digit, made when first asked
    for: _CODES[m] with that digit from CONT (the digits before it are CONT's already, and the
    two alphabets share no character). Every build's search process imports this module, and
    most builds use few of them: making all 65,536 on import, the import took 25.7 against 20.7
    ms (medians, `bench/import_costs.py --rounds 5`, 2026-12-04)."""

    _TO_CONT = str.maketrans(LAST, CONT)

    def __missing__(self, m: int) -> str:
        code = self[m] = _CODES[m].translate(self._TO_CONT)
        return code


# Larger numbers (article numbers, gaps to rare terms' next article) below 2**31: the code of
# n >> 15 with its last digit as a continuation digit, then n's last three digits. Two look-ups
# instead of _encode's loop, which had been 1 s of joining a 10,000-article index's runs.
_HIGH = _HighCodes()


def encode_varint(n: int) -> str:
    """Encode one non-negative integer in the index's varint alphabet."""
    if n < 65536:
        return _CODES[n]
    if n < 1 << 31:
        return _HIGH[n >> 15] + _LOW3[n & 32767]
    return _encode(n)


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
    return title, doc_text(doc), meta


def bucket_count(n_docs: int) -> int:
    """Number of term chunks: a power of two that grows with the archive (about one an article).

    Twice as many as before index format 7: a 4-character phrase is looked up by two trigrams
    where its 4-gram is not indexed, two chunks where it was one, and the other terms in a
    chunk had been about half of what a query fetched (docs/search.md, run AF)."""
    b = 16
    while b < n_docs // 2:   # where the count changes is where it always did
        b *= 2
    return 2 * b


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
    slots = (fnv1a_many([d.id for d in docs]) % np.uint64(SLOTS)).tolist()
    for i, d in enumerate(docs):
        by_day[day_number(d.date)].append((slots[i], d.id, i, d))
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


def _units(text: str) -> tuple[str, list[str]]:
    """The text with every unit one character (Han characters, \\x00 for a word, \\x01 for a run
    of separators), and its words in order."""
    s = normalize(text)
    if "\x00" in s or "\x01" in s:
        s = s.replace("\x00", " ").replace("\x01", " ")
    words = _WORD_RUN.findall(s)
    if words:
        s = _WORD_RUN.sub("\x00", s)
    return _SEP_RUN.sub("\x01", s), words


def _class_table():
    """Every code point's class: 2 for HAN, 1 for WORD, 0 for the rest (uint8, 1.1 MB)."""
    table = np.zeros(0x110000, dtype=np.uint8)
    for cls, spec in ((1, WORD), (2, HAN)):
        for lo, hi in re.findall("(.)(?:-(.))?", spec):
            table[ord(lo) : ord(hi or lo) + 1] = cls
    return table


_CLASS = _class_table()


def _units_array(texts: list[str]):
    """_units of every text at once: their unit strings joined by \\x01 with one at each end (a
    uint32 array of code points), the length of each, and all their words in order.

    The same units as _units gives text by text, found by classifying every character with
    numpy: a Han character is a unit, and so is the first character of every run of word
    characters (\\x00) or of other characters (\\x01). Rewriting each text with regular
    expressions had taken a tenth of a run's indexing."""
    norm = [normalize(t) for t in texts]
    sizes = np.fromiter(map(len, norm), dtype=np.int64, count=len(norm))
    cps = np.frombuffer("".join(norm).encode("utf-32-le"), dtype=np.uint32)
    cls = _CLASS[cps]
    first = np.ones(len(cps), dtype=bool)  # the first character of a run, or of a text
    first[1:] = cls[1:] != cls[:-1]
    starts = np.cumsum(sizes) - sizes
    first[starts[sizes > 0]] = True
    keep = first | (cls == 2)
    counted = np.zeros(len(cps) + 1, dtype=np.int64)
    np.cumsum(keep, out=counted[1:])
    lens = (counted[starts + sizes] - counted[starts]).astype(np.int32)
    kept = np.flatnonzero(keep)
    cls = cls[kept]
    unit = np.where(cls == 2, cps[kept], cls == 0).astype(np.uint32)  # Han: itself; word: 0; other: 1
    u = np.ones(len(kept) + max(len(texts), 1) + 1, dtype=np.uint32)  # as "\x01".join would: two for none
    u[np.arange(1, len(kept) + 1) + np.repeat(np.arange(len(texts)), lens)] = unit
    return u, lens, _WORD_RUN.findall(" ".join(norm))


def _positioned(grams: list[str], head: str, code) -> tuple[list[str], list[str]]:
    """(terms, payloads) of n-grams listed by position ("\\x00" where none starts): field
    length, frequency, then every position (as deltas)."""
    junk = grams.count("\x00")
    order = sorted(range(len(grams)), key=grams.__getitem__)[junk:]  # stable: positions ascend
    if not order:
        return [], []
    keys = list(map(grams.__getitem__, order))
    starts = [0, *compress(count(1), map(ne, keys[1:], keys))]
    ends = starts[1:] + [len(keys)]
    deltas = list(map(sub, order, chain((0,), order)))
    for i in starts:
        deltas[i] = order[i]
    codes = list(map(code, deltas))
    terms = list(map(keys.__getitem__, starts))
    payloads = list(map(
        add,
        map(head.__add__, map(code, map(sub, ends, starts))),
        map("".join, map(codes.__getitem__, map(slice, starts, ends))),
    ))
    return terms, payloads


def _deltas(positions: list[int], code) -> str:
    """The codes of ascending positions, each after the first as its distance from the last."""
    return "".join(map(code, map(sub, positions, chain((0,), positions))))


def _positions_by_term(pairs) -> dict[str, list[int]]:
    """{term: its positions, in the order given} of (term, position) pairs."""
    at: dict[str, list[int]] = {}
    for term, p in pairs:
        if term in at:
            at[term].append(p)
        else:
            at[term] = [p]
    return at


def _edged(grams, edges: list[int], head: str, code) -> tuple[list[str], list[str]]:
    """(terms, payloads) of n-grams kept with their run-end positions only: field length,
    frequency, the count and deltas of the positions (`edges`, ascending) where one starts or
    ends a Han run."""
    counts = Counter(grams)
    counts.pop("\x00", None)
    counts.pop("\x01", None)
    at = _positions_by_term((grams[i], i) for i in edges if grams[i] in counts)
    payloads = [head + code(c) + (code(len(ps)) + _deltas(ps, code) if (ps := at.get(g)) else "0")
                for g, c in counts.items()]
    return list(counts), payloads


def _flagged(grams: list[str], edges: set[int], head: str, code) -> tuple[list[str], list[str]]:
    """(terms, payloads) of trigrams listed by position ("\\x00" where none is kept) with all
    their positions: field length, frequency, the count of positions (the frequency again), then
    each position's delta from the one before, doubled, plus one where the trigram starts or
    ends a Han run (position in `edges`)."""
    at = _positions_by_term((g, i) for i, g in enumerate(grams) if g != "\x00")
    payloads = []
    for ps in at.values():
        c = code(len(ps))
        payloads.append(head + c + c + "".join([code(2 * (p - q) + (p in edges)) for p, q in zip(ps, chain((0,), ps))]))
    return list(at), payloads


def field_postings(text: str) -> tuple[int, list[str], list[str]]:
    """(token count, terms, payloads) of one field, as tokenize() would give them.

    The text is rewritten so that every unit is one character: a Latin word becomes \\x00, a
    run of separators \\x01, so a character's index is its position and the tokens can be
    grouped with C-level operations. A payload is field length, term frequency, then for
    4-grams and words the position deltas, for Han characters, bigrams and trigrams of
    frequent characters the count and position deltas of their occurrences at either end of a
    Han run, for the other trigrams the count and deltas of all their positions, each doubled,
    plus one at a run end (see docs/search.md). Only the 4-grams next to a trigram of frequent
    characters are terms, but the field length counts them all.
    """
    t, words = _units(text)
    n = len(t)
    if not n:
        return 0, [], []
    place = [m.start() for m in _PLACEHOLDER.finditer(t)]
    code = _CODES.__getitem__ if n < len(_CODES) else encode_varint
    # bigrams, trigrams and 4-grams by their first position; those touching a placeholder are "\x00"
    bg = list(map(add, t, t[1:]))
    tg = list(map(add, bg, t[2:]))
    fg = list(map(add, tg, t[3:]))
    for p in place:
        for size, grams in enumerate((bg, tg, fg), 2):
            for i in range(max(0, p - size + 1), min(p + 1, len(grams))):
                grams[i] = "\x00"
    n_tokens = n - len(place) + len(words) + sum(len(x) - x.count("\x00") for x in (bg, tg, fg))
    head = encode_varint(n_tokens)
    # 4-grams next to a trigram of frequent characters only; the other trigrams with all positions
    common = list(map(_FREQUENT.issuperset, tg))
    fg = [g if a or b else "\x00" for g, a, b in zip(fg, common, common[1:])]
    rare = ["\x00" if a else g for g, a in zip(tg, common)]
    tg = [g if a else "\x00" for g, a in zip(tg, common)]
    terms, payloads = _positioned(fg, head, code)
    # characters, bigrams and trigrams: frequency, then positions where one starts or ends a Han run
    starts = {0, *(p + 1 for p in place)}  # the first units of Han runs (and placeholders)
    stops = {n - 1, *(p - 1 for p in place)}  # the last ones
    for size, grams in enumerate((t, bg, tg), 1):
        edges = sorted(i for i in starts | {j - size + 1 for j in stops} if 0 <= i < len(grams))
        more_terms, more_payloads = _edged(grams, edges, head, code)
        terms += more_terms
        payloads += more_payloads
    # the other trigrams: all positions, flagged where one starts or ends a Han run (flags double the deltas)
    trigram_ends = starts | {j - 2 for j in stops}
    more_terms, more_payloads = _flagged(rare, trigram_ends, head, code if 2 * n < len(_CODES) else encode_varint)
    terms += more_terms
    payloads += more_payloads
    if words:
        at = _positions_by_term(zip(words, (p for p in place if t[p] == "\x00")))
        for w, ps in at.items():
            terms.append(w)
            payloads.append(head + code(len(ps)) + _deltas(ps, code))
    return n_tokens, terms, payloads


def doc_key(doc: SearchDoc) -> str:
    """A hash of everything the index takes from an article (its content, not its place);
    of the text, the hash that stands for it, if the document has one."""
    parts = (doc.id, doc.url, doc.title, doc.kicker, doc.subtitle, doc.date, *doc.counties, doc.section,
             doc.column, *doc.people, *doc.tags, doc.key or doc_text(doc))
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


_LAST_BYTES = np.frombuffer(LAST.encode("ascii"), dtype=np.uint8)
_CONT_BYTES_ARRAY = np.frombuffer(CONT.encode("ascii"), dtype=np.uint8)
# A run's tokens are sorted by digits of this many bits, least significant first (_radix_order).
_DIGIT_BITS = 16
# A run's distinct bigrams are numbered through a table of k*k flags while it has at most this
# many entries (k distinct characters, up to 8,192), otherwise by a sort (np.unique).
_PAIR_TABLE = 1 << 26
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
_LOW_BITS = np.array([(1 << i) - 1 for i in range(8)], dtype=np.uint8)  # the bits below bit i


def _three_digit_table():
    """The varint codes of 0 to 32767, each in the last bytes of a little-endian uint32: as
    wide as the number needs, zero bytes before (`short`); and always three digits wide,
    leading zero digits written as CONT[0] (`full`, for the last three digits of wider numbers)."""
    x = np.arange(1 << 15)
    codes = np.zeros((1 << 15, 4), dtype=np.uint8)
    codes[:, 1] = _CONT_BYTES_ARRAY[x >> 10]
    codes[:, 2] = _CONT_BYTES_ARRAY[(x >> 5) & 31]
    codes[:, 3] = _LAST_BYTES[x & 31]
    full = codes.view(np.uint32).ravel().copy()
    codes[x < 1024, 1] = 0
    codes[x < 32, 2] = 0
    return codes.view(np.uint32).ravel(), full


_SHORT_CODES, _FULL_CODES = _three_digit_table()


def _varint_bytes(values):
    """The varint codes of an integer array written one after another (uint8), each code's
    width, and where each starts.

    Each value's last three digits are looked up as four bytes with zeros before the digits
    it needs (no code has a zero byte), a four-digit value's first digit goes into the spare
    byte, and bytes.translate drops the zeros; the digits before the last four of the few
    wider values (article numbers) are inserted after. On the 7.9 million values of a synthetic
    run's bodies this took 0.27 s against 0.38 s for a mask over the four bytes (numpy's
    boolean indexing goes byte by byte, translate through a table). Where more than one value
    in eight is that wide (the first gaps of rare terms' postings), inserting costs more, and
    each digit place is written through index arrays (_write_varints)."""
    widths = _varint_widths(values)
    # int32 sums when no total can overflow them: casting int8 to int64 in cumsum costs 3 times as much
    starts = np.cumsum(widths, dtype=np.int32 if len(values) < (1 << 31) // 8 else np.int64)
    starts -= widths
    wide = np.flatnonzero(widths > 4)
    if len(wide) * 8 > len(values):
        # mostly article numbers (first gaps): each digit place written through index arrays
        # is cheaper than inserting that many digits
        out = np.empty(int(starts[-1] + widths[-1]), dtype=np.uint8)
        _write_varints(out, starts, values, widths)
        return out, widths, starts
    codes = _SHORT_CODES[values & 32767]
    four = np.flatnonzero(widths > 3)
    codes[four] = _FULL_CODES[values[four] & 32767]
    codes.view(np.uint8).reshape(-1, 4)[four, 0] = _CONT_BYTES_ARRAY[(values[four] >> 15) & 31]
    out = np.frombuffer(codes.tobytes().translate(None, b"\x00"), dtype=np.uint8)
    if len(wide):
        more = widths[wide].astype(np.int64) - 4  # digits before the last four
        at = starts[wide] - (np.cumsum(more) - more)  # where the last four start, before the insertion
        row = np.repeat(np.arange(len(wide)), more)
        place = more[row] + 3 - (np.arange(len(row)) - np.repeat(np.cumsum(more) - more, more))  # 5-bit group
        out = np.insert(out, np.repeat(at, more), _CONT_BYTES_ARRAY[(values[wide][row] >> 5 * place) & 31])
    return out, widths, starts


def _write_varints(out, at, values, widths) -> None:
    """Write the varint code of each value, `widths[i]` digits, at out[at[i]:]: the last digit
    of every value, then the digit before it of those that have one, and so on. The merge's
    gaps (one before every segment, article numbers and differences of them) had been encoded
    one after another and then copied to their places range by range (docs/search.md, run AA)."""
    end = at + widths - 1
    out[end] = _LAST_BYTES[values & 31]
    for k in range(1, int(widths.max(initial=1))):
        sel = np.flatnonzero(widths > k)
        out[end[sel] - k] = _CONT_BYTES_ARRAY[(values[sel] >> 5 * k) & 31]


def _varint_widths(values):
    """The number of digits of each value's varint code (int8). Comparisons are added as int8
    views of their booleans (adding the booleans themselves casts each: 1.6 times as long)."""
    widths = (values >= 32).view(np.int8)
    widths += 1
    w = 2
    while w < 7 and (more := values >= 32**w).any():
        widths += more.view(np.int8)
        w += 1
    return widths


def _radix_order(values, span: int):
    """The stable order of `values` (integers from 0 to `span` - 1) by a radix sort, least
    significant digit first: numpy's stable argsort of 16-bit integers is a counting sort, so
    each pass is linear."""
    if span <= 1 << 32:
        values = values.astype(np.uint32)   # narrower gathers
    order = None
    mask = (1 << _DIGIT_BITS) - 1
    for shift in range(0, max(span - 1, 1).bit_length(), _DIGIT_BITS):
        digit = values if order is None else values[order]
        step = np.argsort(((digit >> shift) & mask).astype(np.uint16), kind="stable")
        order = step if order is None else order[step]
    return order


def _field_arrays(nums, texts: list[str], first_gaps: bool = True, chunking: tuple | None = None):
    """The postings of one field of a run of articles (numbers `nums`, an int32 array), term
    by term: (code points of the Han terms, an (n, 4) uint32 array padded with zeros; the words
    that follow them; first and last article number of each term; the terms' posting strings,
    gaps counted from -1, one after another as uint8; where each starts, plus the end), and
    the field's token count. Without `first_gaps` each term's string leaves out its first gap
    (for _merge_runs, which writes its own; those gaps are most of the few numbers too wide
    for the varint table, which cost 30-40 ms a run to insert).

    With `chunking`, (n_buckets, bounds), the postings are instead those of a run for the
    merge (_merge_runs): their strings without their first gaps, and each term's chunk number,
    split into the parts of chunk numbers [bounds[j], bounds[j + 1]): a list, part by part, of
    (Han code points, words, first and last numbers, strings, their offsets, chunk numbers).
    Within a part the Han terms come first and then the words, each by chunk and then as
    strings sort (the merge's order among each), and their strings are laid out in that order
    in the first place, so that a part is one slice of them (see _chunk_order and _parted).

    The same postings as field_postings() gives article by article, but built for the whole
    run at once with numpy: every token becomes an integer key and its index in the run's
    joined units; one sort of (key, index) pairs groups the postings, positions ascending,
    and every integer of every posting (gap, field length, frequency, run-end count for a Han
    character, bigram or trigram, position deltas, flagged for the trigrams that list them all)
    is written into one array and varint-encoded in bulk.
    Only each distinct term costs Python work. Grouping article by article in dicts cost 0.7 µs
    a posting, about 1,450 postings an article; see docs/search.md, run G, for what this
    measured instead. Arrays of values are int32 where they can be, to keep the run's memory
    down; large index arrays are intp."""
    u, lens, words = _units_array(texts)
    n_docs = len(texts)
    han = u > 1
    # Index arrays in intp from here on where they are large: numpy converts any other integer
    # index piece by piece (see _copy_ranges). Indexing three runs of news text took 2-4 % less
    # CPU in three comparisons, no more than two copies of the same code differ by
    # (bench/part_side_by_side.py, 2026-12-05): kept as the merge's gain is clear.
    g1 = np.flatnonzero(han)  # Han characters
    g2 = np.flatnonzero(han[:-1] & han[1:])  # bigrams, by their first character
    g3 = g2[han[g2 + 2]]  # trigrams
    g4 = g3[han[g3 + 3]]  # 4-grams
    gw = np.flatnonzero(u == 0)  # words
    # Trigrams of frequent characters (FREQUENT): only the 4-grams that begin or end with one
    # are indexed (those left out still count in the field's length), and the other trigrams
    # list all their positions. On news text this leaves out two thirds of the 4-grams, which
    # had been two fifths of a run's (field, term) segments (docs/search.md, run AF).
    fr = _FREQUENT_TABLE[u]
    common = np.zeros(len(u), dtype=bool)
    common[g3] = fr[g3] & fr[g3 + 1] & fr[g3 + 2]
    del fr
    next_to_common = common[g4] | common[g4 + 1]
    dropped = g4[~next_to_common]
    g4 = g4[next_to_common]
    del next_to_common
    # Keys: the run's distinct Han characters numbered 0..k-1 in code point order, a character
    # its number c, a bigram k + c1*k + c2, a trigram k + k*k + b1*k + c3, a 4-gram
    # k + k*k + m*k + b1*m + b2, where b1 and b2 number its bigrams among the run's m distinct
    # ones in the order of c1*k + c2 (so the keys order each kind's terms as strings sort), a
    # word after those.
    used = np.zeros(0x40000, dtype=bool)
    used[u[g1]] = True
    chars = np.flatnonzero(used)
    k = len(chars)
    cid = np.cumsum(used, dtype=np.int64)[u[g1]] - 1
    del used
    c = np.zeros(len(u), dtype=np.int64)
    c[g1] = cid
    del cid
    pair = c[g2] * k + c[g2 + 1]  # c1*k + c2 of each bigram
    if k * k <= _PAIR_TABLE:  # number the distinct pairs through a table (cheaper than a sort)
        seen = np.zeros(k * k, dtype=bool)
        seen[pair] = True
        pairs = np.flatnonzero(seen)
        # A pair's number is the count of flags before it, read from the flags packed into
        # bits: a count for each byte, then the bits below it in its own byte. Counting over
        # the flags themselves made a 4-byte count for each of the k*k (16 million on news
        # text, 64 MB of new memory), a third of the time of indexing a field.
        bits = np.packbits(seen, bitorder="little")
        del seen
        ones = _POPCOUNT[bits]
        before = np.cumsum(ones, dtype=np.int32) - ones
        byte = pair >> 3
        b = before[byte] + _POPCOUNT[bits[byte] & _LOW_BITS[pair & 7]]
        del bits, ones, before, byte
    else:
        pairs, b = np.unique(pair, return_inverse=True)
    m = len(pairs)
    bid = np.zeros(len(u), dtype=np.int64)
    bid[g2] = b
    del b
    two, three, four = _key_bounds(k, m)
    ids: dict[str, int] = {}
    wid = np.fromiter((ids.setdefault(w, len(ids)) for w in words), dtype=np.int64, count=len(gw))
    # Each kind of token is sorted apart (their keys' ranges follow one another), by a stable
    # radix sort of its key's offset from the kind's first (_radix_order): positions ascend
    # within each kind, so the tokens end up by key, then position. With one comparison sort of
    # every key and its index packed into an int64, indexing the runs of 10,000 articles of news
    # text took 7 % longer (docs/search.md, run AB).
    keys, places = [], []
    for offset, kind_key, span, at in ((0, c[g1], k, g1), (k, pair, k * k, g2), (two, bid[g3] * k + c[g3 + 2], m * k, g3),
                                       (three, bid[g4] * m + bid[g4 + 2], m * m, g4), (four, wid, len(ids), gw)):
        o = _radix_order(kind_key, span)
        keys.append(kind_key[o] + offset)
        places.append(at[o])
    bounds = np.cumsum([0, len(g1), len(g2), len(g3)]).tolist()  # where bigrams, trigrams and 4-grams start
    key, g = np.concatenate(keys), np.concatenate(places)
    del u, c, pair, bid, g1, g2, g3, g4, gw, wid, keys, places
    if not len(g):
        none = np.zeros(0, dtype=np.int32)
        if chunking is not None:
            return [(np.zeros((0, 4), dtype=np.uint16), [], none, none, np.zeros(0, dtype=np.uint8),
                     np.zeros(1, dtype=np.uint8), np.zeros(0, dtype=np.uint16)) for _ in chunking[1][1:]], 0
        return (np.zeros((0, 4), dtype=np.uint32), [], none, none, np.zeros(0, dtype=np.uint8), np.zeros(1, dtype=np.int64)), 0
    # Han characters, bigrams and trigrams come first, in that order: run-end positions only.
    # Positions written: all but those of a character, bigram or trigram inside a run.
    single = np.zeros(len(key), dtype=bool)
    single[: bounds[3]] = True
    keep = np.ones(len(key), dtype=bool)
    for n in range(1, 4):  # slices of each length (boolean masks over them had cost 60 ms a run)
        at = g[bounds[n - 1] : bounds[n]]
        keep[bounds[n - 1] : bounds[n]] = ~han[at - 1] | ~han[at + n]
    # the trigrams not of frequent characters: all positions, each flagged if at a run's end
    flagged = np.zeros(len(key), dtype=bool)
    flagged[bounds[2] : bounds[3]] = ~common[at]
    edge = keep & flagged
    keep |= flagged
    del han, at, common
    unit_doc = np.repeat(np.arange(-1, n_docs, dtype=np.int32), np.concatenate(([1], lens + 1)))
    a = unit_doc[g]  # article
    length = np.bincount(a, minlength=n_docs).astype(np.int32)  # field length of each article
    length += np.bincount(unit_doc[dropped], minlength=n_docs).astype(np.int32)
    del unit_doc, dropped
    term_start = np.ones(len(g), dtype=bool)
    term_start[1:] = key[1:] != key[:-1]
    key = key[term_start]
    post_start = term_start.copy()
    post_start[1:] |= a[1:] != a[:-1]
    pid = np.cumsum(post_start, dtype=np.int32) - 1  # posting of each token
    n_post = int(pid[-1]) + 1
    tf = np.bincount(pid, minlength=n_post).astype(np.int32)
    pa = a[post_start]
    psingle = single[post_start]
    pterm = term_start[post_start]
    del term_start, post_start, single
    kp = g[keep] - (np.cumsum(lens + 1, dtype=np.int32) - lens)[a[keep]]  # positions written
    kid = pid[keep]
    kflag, kedge = flagged[keep], edge[keep]
    del g, a, pid, keep, flagged, edge
    n_pos = np.bincount(kid, minlength=n_post).astype(np.int32)
    pnum = nums[pa]
    gap = np.empty(n_post, dtype=np.int32)
    gap[0] = 0
    gap[1:] = pnum[1:] - pnum[:-1]
    head = 3 + psingle.astype(np.int32)  # integers before the positions
    size = head + n_pos
    if first_gaps:
        gap[pterm] = pnum[pterm] + 1
    else:
        size -= pterm.view(np.int8)
    total = int(size.sum())
    kind = np.int32 if total < 1 << 31 else np.int64  # int32 sums are 4 times as fast as casting to int64
    vstart = np.cumsum(size, dtype=kind)
    vstart -= size  # where each posting's integers start
    tpost = np.flatnonzero(pterm)  # first posting of each term
    cps, names, ranks = _term_codes(key, chars, pairs, list(ids))
    if chunking is not None:
        layout, buckets, part_ends = _chunk_order(cps, names, *chunking, ranks)
        # Each term's integers move to where the layout puts them, its postings' with them.
        term_size = np.add.reduceat(size, tpost, dtype=kind)[layout]
        moved = np.empty(len(tpost), dtype=kind)
        moved[layout] = np.cumsum(term_size, dtype=kind) - term_size
        moved -= vstart[tpost]
        vstart += moved[np.cumsum(pterm, dtype=np.intp) - 1]
        del term_size, moved
    vals = np.empty(total, dtype=np.int32)
    if first_gaps:
        at = vstart.astype(np.intp)  # where each posting's gap is
    else:
        at = (vstart - pterm.view(np.int8)).astype(np.intp)  # where it is, or would be
    # Written first: a left-out gap lands on the last integer of the posting before (or, for
    # the first posting, on the very last), which the writes below then fill in: 15 ms a run
    # against 26 for leaving those gaps out through a mask (line profile, synthetic text).
    vals[at] = gap
    vals[at + 1] = length[pa]
    vals[at + 2] = tf
    vals[at[psingle] + 3] = n_pos[psingle]
    del gap, tf, pa, size
    delta = np.empty(len(kp), dtype=np.int32)
    delta[0] = 0
    delta[1:] = kp[1:] - kp[:-1]
    kfirst = np.ones(len(kp), dtype=bool)
    kfirst[1:] = kid[1:] != kid[:-1]
    delta[kfirst] = kp[kfirst]
    delta[kflag] = delta[kflag] * 2 + kedge[kflag]
    del kflag, kedge
    kid = kid.astype(np.intp)
    vals[at[kid] + head[kid] + np.arange(len(kp), dtype=np.intp) - (np.cumsum(n_pos, dtype=np.intp) - n_pos)[kid]] = delta
    del kp, kid, delta, kfirst, at
    buf, _, starts = _varint_bytes(vals)
    del vals
    lasts = pnum[np.append(tpost[1:] - 1, n_post - 1)]
    if chunking is not None:
        return _parted(cps, names, pnum[tpost], lasts, buf, starts[vstart[tpost[layout]]], buckets, layout,
                       part_ends), int(length.sum())
    return (cps, names, pnum[tpost], lasts, buf, np.append(starts[vstart[tpost]], len(buf))), int(length.sum())


def _string_keys(cps):
    """Integers that sort as rows of up to four code points (padded with zeros) sort as
    strings: each character's rank among the distinct ones (from 1; 0 for padding) as a digit in
    base k + 1, k the number of distinct characters; where (k + 1)**4 would not fit in 63 bits
    (more than about 55,000 distinct characters), each row's rank among the distinct rows
    (np.unique, slower)."""
    flat = cps.ravel().astype(np.intp)   # an index numpy need not convert (see _copy_ranges)
    used = np.zeros(0x40000, dtype=bool)   # Han characters end at U+3FFFF
    used[flat] = True
    used[0] = False
    rank = np.cumsum(used, dtype=np.int64)
    return _rank_keys(rank[flat].reshape(cps.shape), int(rank[-1]) + 1)


def _rank_keys(ranks, base: int):
    """Rows of four ranks (each below `base`, 0 after a term's end) as one integer each, which
    sort as the rows do: digits in base `base`, or, where base**4 would not fit in 63 bits,
    each row's rank among the distinct rows (np.unique, slower)."""
    if base**4 >= _PACKED_LIMIT:
        return np.unique(ranks, axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)
    keys = ranks[:, 0] * base   # in place from here: fewer arrays of every row made and freed
    keys += ranks[:, 1]
    keys *= base
    keys += ranks[:, 2]
    keys *= base
    keys += ranks[:, 3]
    return keys


def _chunk_order(cps, words: list[str], n_buckets: int, bounds: list[int], ranks):
    """The order in which a run's terms (the Han terms as _term_codes gives them, by length and
    then as strings sort; then the words) are laid out for the merge: part by part of chunk
    numbers (`bounds`), the part's Han terms and then its words, each by chunk number and then
    as strings sort (the merge's order among each); with each term's chunk number, and where
    each part ends in that order. `ranks` are the Han terms' characters' ranks, as _term_codes
    gives them.

    In this order each part of a run is one slice of its strings, the merge reads each run's
    strings front to back, and its segments are already sorted run by run. The strings had
    been laid out as _field_arrays sorts the terms and then copied into parts byte by byte,
    and the merge had sorted its segments from scratch: it now takes about a quarter less on
    news text (docs/search.md, run AA)."""
    n_han = len(cps)
    buckets = np.concatenate((_fnv1a_rows(cps), np.array(list(map(fnv1a, words)), dtype=np.uint64)))
    buckets %= np.uint64(n_buckets)
    buckets = buckets.astype(np.min_scalar_type(n_buckets - 1))
    han = np.argsort(_rank_keys(ranks, int(ranks.max(initial=0)) + 1), kind="stable")   # as strings sort
    han = han[np.argsort(buckets[han], kind="stable")]   # a radix sort for up to 65,536 chunks
    word = sorted(range(n_han, n_han + len(words)), key=lambda i: (buckets[i], words[i - n_han]))
    inner = bounds[1:-1]
    han_ends = np.searchsorted(buckets[han], inner).tolist()
    word_ends = np.searchsorted(buckets[word], inner).tolist() if word else [0] * len(inner)
    layout, part_ends, h0, w0 = [], [], 0, 0
    for h1, w1 in zip([*han_ends, n_han], [*word_ends, len(word)]):
        layout += (han[h0:h1], np.array(word[w0:w1], dtype=np.int64))
        part_ends.append(h1 + w1)
        h0, w0 = h1, w1
    return np.concatenate(layout), buckets, np.array(part_ends)


def _rows(a, idx):
    """a[idx] of a 2-D array `a`, each row copied as one value (through a view of its bytes):
    numpy picks a 2-D array's rows element by element otherwise: 4.8 ms against 0.6 ms for
    400,000 rows of four 2-byte code points in a random order (bench/micro_timings.py)."""
    a = np.ascontiguousarray(a)
    return a.view(f"V{a.shape[1] * a.itemsize}").ravel()[idx].view(a.dtype).reshape(-1, a.shape[1])


def _parted(cps, words: list[str], first, last, buf, starts, buckets, layout, part_ends) -> list[tuple]:
    """_field_arrays's postings for the merge, part by part (see _chunk_order): the strings
    `buf` are laid out in `layout` order, term layout[j]'s from starts[j]. Code points are kept in 2
    bytes where all of the field's fit, offsets in the part's strings in as few as fit: on news
    text a run of 625 articles has 836,901 segments, and at 40 bytes each (4-byte code points,
    8-byte offsets and chunk numbers) these arrays had been two thirds of the 767 MB of runs
    that a clean build of 10,000 articles writes and the merge reads again (docs/search.md,
    run W)."""
    n_han = len(cps)
    cps = cps.astype(np.min_scalar_type(int(cps.max(initial=0))), copy=False)
    byte_at = np.append(starts, len(buf))
    parts, t0 = [], 0
    for t1 in part_ends.tolist():
        idx = layout[t0:t1]
        han = int(np.count_nonzero(idx < n_han))   # Han terms come first
        b0, b1 = int(byte_at[t0]), int(byte_at[t1])
        offsets = byte_at[t0 : t1 + 1] - b0
        parts.append((_rows(cps, idx[:han]), [words[i - n_han] for i in idx[han:].tolist()], first[idx], last[idx],
                      buf[b0:b1], offsets.astype(np.min_scalar_type(b1 - b0)), buckets[idx]))
        t0 = t1
    return parts


def _postings_dict(cps, words, firsts, lasts, buf, offsets) -> dict:
    """_field_arrays's postings as term -> (first number, last number, postings with gaps
    counted from -1)."""
    text = buf.tobytes().decode("ascii")
    offsets = offsets.tolist()
    names = cps.view("<U4").ravel().tolist() + words
    texts_out = map(text.__getitem__, map(slice, offsets, offsets[1:]))
    return dict(zip(names, zip(firsts.tolist(), lasts.tolist(), texts_out)))


def _key_bounds(k: int, m: int) -> tuple[int, int, int]:
    """Where the keys of bigrams, trigrams, 4-grams and words start, for k distinct Han
    characters and m distinct bigrams in a run (see _field_arrays)."""
    two = k + k * k
    three = two + m * k
    return two, three, three + m * m


def _term_codes(key, chars, pairs, words: list[str]):
    """The terms of _field_arrays's sorted keys: the code points of the Han terms, an (n, 4)
    array padded with zeros (which numpy reads as strings of up to four characters: it drops
    the zeros at the end); the words; and the ranks of the Han terms' characters among the
    run's (from 1, 0 after a term's end: rows that sort as the terms do as strings, for
    _chunk_order)."""
    k, m = len(chars), len(pairs)
    two, three, four = _key_bounds(k, m)
    b1, b2, b3, b4 = np.searchsorted(key, [k, two, three, four]).tolist()
    ranks = np.full((b4, 4), -1, dtype=np.int64)   # each character's number in the run, -1 after the end
    ranks[:b1, 0] = key[:b1]
    ranks[b1:b2, 0], ranks[b1:b2, 1] = divmod(key[b1:b2] - k, k)
    first, ranks[b2:b3, 2] = divmod(key[b2:b3] - two, k)
    ranks[b2:b3, 0], ranks[b2:b3, 1] = divmod(pairs[first], k)
    first, second = divmod(key[b3:b4] - three, m)
    ranks[b3:b4, 0], ranks[b3:b4, 1] = divmod(pairs[first], k)
    ranks[b3:b4, 2], ranks[b3:b4, 3] = divmod(pairs[second], k)
    ranks += 1
    cps = np.concatenate(([0], chars)).astype(np.uint32)[ranks]
    return cps, list(map(words.__getitem__, (key[b4:] - four).tolist())), ranks


def _index_arrays(items: list[tuple[int, SearchDoc]], n_buckets: int | None = None, bounds: list[int] | None = None):
    """Postings of a run of articles in number order: per field, _field_arrays's tuple, and the
    field length sums. Given `n_buckets` (a run for _merge_runs), instead, per part of chunk
    numbers [bounds[j], bounds[j + 1]) (by default one part of them all), the fields' tuples
    with chunk numbers, the strings without their first gaps (see _field_arrays)."""
    nums = np.array([num for num, _ in items], dtype=np.int32)
    texts = [field_texts(doc) for _, doc in items]
    chunking = None if n_buckets is None else (n_buckets, bounds or [0, n_buckets])
    out, sums = [], []
    for f in range(3):
        arrays, total = _field_arrays(nums, [t[f] for t in texts], first_gaps=n_buckets is None, chunking=chunking)
        out.append(arrays)
        sums.append(total)
    return (out if n_buckets is None else [list(fields) for fields in zip(*out)]), sums


def _index_range(items: list[tuple[int, SearchDoc]]):
    """Postings of a run of articles in number order: per field, term -> (first number, last
    number, encoded postings with gaps counted from -1), and the field length sums."""
    fields, sums = _index_arrays(items)
    return [_postings_dict(*arrays) for arrays in fields], sums


def _index_run(job: tuple[list, bool], n_buckets: int, bounds: list[int] | None = None):
    """_index_arrays of a run, part by part, and for a run of the newest day (`job` is
    (articles, newest)) the field_postings() of each article's fields, which the cache keeps
    (in Python: 0.49 s for the newest day of 10,000 synthetic articles, so done beside the other
    runs)."""
    items, newest = job
    fields, sums = _index_arrays(items, n_buckets, bounds)
    return fields, sums, {num: [field_postings(t) for t in field_texts(d)] for num, d in items} if newest else {}


# A clean index build merges the chunks in parts, a range of chunk numbers for every this many
# articles, as many parts as processes or a multiple of it; a forked process merges one part at
# a time, reading only that part of every run. Merging all at once held every run's postings in
# the search process and again, joined, in each of the two merge processes: 5.1 and 6.3 GB at
# 100,000 articles (docs/performance.md). Parts of 4,000 articles, 3 at 10,000 articles, left
# one process idle for the last third of the merge: whole rounds of 1,250 made the index build
# of 10,000 articles of news text 1.78-2.03 ms per article against 2.30-2.79 (docs/search.md, run V).
_PART_ARTICLES = 1250


_INDEX_INPUT: list = []  # the runs, for forked _index_to_file processes


def _index_to_file(i: int, n_buckets: int, bounds: list[int], folder: str):
    """_index_run of run `i` of _INDEX_INPUT, its postings pickled part by part
    into one file in `folder`: ((path, where each part starts in it), field length sums, the
    newest day's field_postings()). A forked process hands its run over this way rather than
    through the pool's pipe: at 10,000 articles, 17 MB a run through the pipe had cost about
    1 s of a 10 s indexing. It takes the articles from the fork, not the pipe: pickling them
    left a UTF-8 copy of every text in the search process (CPython keeps the one pickle asks
    for in the str), 42 MB at 10,000 articles."""
    parts, sums, known = _index_run(_INDEX_INPUT[i], n_buckets, bounds)
    path = os.path.join(folder, f"run-{i}.pickle")
    starts = []
    with open(path, "wb") as f:
        for part in parts:
            starts.append(f.tell())
            pickle.dump(part, f, protocol=pickle.HIGHEST_PROTOCOL)
    return (path, starts), sums, known


def index_chunks(numbered: list[tuple[int, SearchDoc]], n_buckets: int, processes: int | None = None,
                 run: int | None = None, newest: int | None = None, sink=None):
    """(chunks, term -> last article number per field, field length sums, cut-back information,
    field length sums before `newest`, article number -> field_postings() of its fields for the
    articles from `newest` on) of the articles `numbered`. The chunks are a dict, chunk path ->
    bytes; with `sink` (a function of a chunk's path and bytes that stores them and returns
    their key), each chunk goes to it as soon as it is made, and the chunks are an OutputChunks
    holding only their keys.

    The articles are indexed in runs of `run` (by default default_run's: a sixteenth of them,
    250 to 625); each run gives its terms' postings as arrays, and _merge_runs joins them into
    the chunks. On more than one core,
    forked processes index the runs, saving each run's postings part by part (_PART_ARTICLES)
    in a temporary folder, and then merge the parts one at a time each; without a usable
    temporary folder (none, or a full one), all is done in this process. With `newest` (an
    article number: the first of the newest day), the articles from it on are in runs of their
    own, and the cut-back information is that of build_search_files's cache: for each of their
    terms, the field lengths and last numbers before them."""
    if processes is None:
        processes = min(2, os.cpu_count() or 1)
    if run is None:
        run = default_run(len(numbered))
    _keep_freed_memory()
    split = len(numbered) if newest is None else bisect_left([num for num, _ in numbered], newest)
    runs = [numbered[i : min(i + run, split)] for i in range(0, split, run)]
    tail_from = len(runs)
    runs += [numbered[i : i + run] for i in range(split, len(numbered), run)]
    jobs = [(r, i >= tail_from) for i, r in enumerate(runs)]
    temp = None
    if processes > 1 and len(runs) > 1 and "fork" in multiprocessing.get_all_start_methods():
        with suppress(OSError):
            temp = tempfile.TemporaryDirectory(prefix="ycarchive-runs-")
    try:
        if temp is not None:
            with suppress(OSError):  # a full temporary folder: in this process, then
                return _index_forked(jobs, n_buckets, processes, tail_from, temp.name, sink)
    finally:
        if temp is not None:
            temp.cleanup()
    return _index_here(jobs, n_buckets, tail_from, sink)


def _keep_freed_memory() -> None:
    """Have glibc's malloc keep the memory numpy frees, for the next arrays, rather than hand it
    back to the system at once: allocations up to 32 MB come from the heap, whose top is
    trimmed only past 1 GB free. An index build allocates and frees arrays of tens of MB over
    and over, and each new mapping is paid again in page faults (system time). Set in the
    process that builds the index, before it forks the ones that index and merge, which inherit
    it. Where the C library has no mallopt, or ctypes cannot open the process's own, nothing is
    changed."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3   # glibc's malloc.h
    mallopt(m_mmap_threshold, 32 << 20)   # its largest allowed value on 64-bit systems
    mallopt(m_trim_threshold, 1 << 30)
    mallopt(m_top_pad, 64 << 20)


def default_run(n_articles: int) -> int:
    """Articles per run of index_chunks for an index of `n_articles`: a sixteenth, 250 to 625.

    Longer runs make fewer (run, field, term) segments to merge, but cost more per article to
    index, and an indexing process grows with its run (about 680 MB for a run of 2,000 and 370
    MB for one of 1,000 at 100,000 articles). At 10,000 articles, runs of 2,500 took 22.2-23.6
    CPU seconds against 24.7-28.2 with runs of 625 on news text, but 15.0-16.5 against
    12.3-13.6 on the synthetic text, and doubled the largest process of a build
    (`bench/search_phases.py --lengths`, docs/search.md run Y): tried and not kept."""
    return max(250, min(625, -(-n_articles // 16)))


def _gather(jobs: list, found, tail_from: int):
    """The runs indexed (`found`: for each job in turn, what it gave and its field length sums
    and newest-day field_postings()), with a progress bar: (what each gave, the field_postings()
    of them all, the field length sums, the sums before run `tail_from`)."""
    gave, known, sums, base_sums = [], {}, [0, 0, 0], [0, 0, 0]
    progress = bar("indexing for search", sum(len(r) for r, _ in jobs), "article")
    for i, (job, (run, run_sums, run_known)) in enumerate(zip(jobs, found)):
        gave.append(run)
        known.update(run_known)
        sums = list(map(add, sums, run_sums))
        if i + 1 == tail_from:
            base_sums = sums
        progress.update(len(job[0]))
    progress.close()
    return gave, known, sums, base_sums


def _index_here(jobs: list, n_buckets: int, tail_from: int, sink):
    """index_chunks in this process."""
    runs = ((parts[0], sums, known) for parts, sums, known in map(partial(_index_run, n_buckets=n_buckets), jobs))
    parts, known, sums, base_sums = _gather(jobs, runs, tail_from)
    chunks, last, tail = _merge_runs(parts, _join_runs(parts), n_buckets, tail_from)
    if sink is not None:
        chunks = OutputChunks(None, {path: sink(path, data) for path, data in chunks.items()})
    return chunks, last, sums, tail, base_sums, known


def _join_runs(parts: list):
    """The runs' posting strings one after another in one array; in each run's field tuple,
    the start and end of each term's string in it take the place of (buf, offsets). Each run's
    own array is let go once copied, so the strings are held twice for at most one run.

    Joined once here, before the merge forks, the strings are shared by its processes; each
    had picked its own terms' bytes out of every run through a mask of bytes (0.34 s of a
    0.9 s half-merge at 10,000 synthetic articles)."""
    src = np.empty(sum(len(p[4]) for fields in parts for p in fields), dtype=np.uint8)
    at = 0
    for fields in parts:
        for f, (cps, words, first, last, buf, offsets, buckets) in enumerate(fields):
            src[at : at + len(buf)] = buf
            offsets = offsets.astype(np.int64) + at   # saved runs hold them narrower
            fields[f] = (cps, words, first, last, offsets[:-1], offsets[1:], buckets)
            at += len(buf)
    return src


def merge_bounds(n_articles: int, n_buckets: int, processes: int) -> list[int]:
    """The chunk numbers at which the parts of a forked merge start, and the end: a part for
    every _PART_ARTICLES articles, in whole rounds of the processes."""
    n_parts = -(-n_articles // _PART_ARTICLES)
    n_parts = min(n_buckets, -(-n_parts // processes) * processes)
    return [n_buckets * j // n_parts for j in range(n_parts + 1)]


def packed_merge_characters(n_articles: int, processes: int = 2) -> int:
    """The most distinct Han characters for which a forked merge of that many articles sorts
    its parts by one packed number (_merge_runs; more take np.unique, slower)."""
    bounds = merge_bounds(n_articles, bucket_count(n_articles), processes)
    widest = max(b - a for a, b in zip(bounds, bounds[1:]))
    # the largest k with widest * (k + 1)**4 within the limit, give or take: a part's words are
    # numbered below its Han terms, a few thousand numbers
    return math.isqrt(math.isqrt(_MERGE_PACKED_LIMIT // widest)) - 1


_MERGE_INPUT: tuple = ()  # what forked _merge_part processes read: (runs, n_buckets, tail_from, folder, sink)


def _index_forked(jobs: list, n_buckets: int, processes: int, tail_from: int, folder: str, sink):
    """index_chunks in forked processes, which save the runs' postings to files in `folder`,
    part by part, and then merge the parts. A part's chunks are written to a file of their own
    (or given to `sink`) and only their names and sizes (or keys) come back: at 10,000
    synthetic articles, sending the 250 MB of chunks through the pool's pipe had taken 1.4 s of
    a 2.6 s merge. Raises OSError if the runs or the chunks cannot be saved."""
    global _INDEX_INPUT, _MERGE_INPUT
    bounds = merge_bounds(sum(len(r) for r, _ in jobs), n_buckets, processes)
    n_parts = len(bounds) - 1
    _INDEX_INPUT = jobs
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            _INDEX_INPUT = []
            found = pool.imap(partial(_index_to_file, n_buckets=n_buckets, bounds=bounds, folder=folder),
                              range(len(jobs)))
            saved, known, sums, base_sums = _gather(jobs, found, tail_from)
    finally:
        _INDEX_INPUT = []
    chunks, keys, shards, more, tail = {}, {}, [], {}, {}
    _MERGE_INPUT = (saved, n_buckets, tail_from, folder, sink)
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for names, made, last, part_tail in pool.imap(_merge_part, range(n_parts)):
                if sink is not None:
                    keys.update(zip(names, made))
                else:  # a file of the chunks' bytes one after another, and their sizes
                    path, sizes = made
                    with open(path, "rb") as f:  # one read a chunk: reading it whole and slicing copied every byte twice
                        chunks.update(zip(names, map(f.read, sizes)))
                    os.remove(path)
                shards += last.shards
                more.update(last.more)
                tail.update(part_tail)
    finally:
        _MERGE_INPUT = ()
    return (OutputChunks(None, keys) if sink is not None else chunks), LastNumbers(shards, more), sums, tail, \
        base_sums, known


def _merge_part(j: int):
    """Merge part `j` of the saved runs (_index_forked): (chunk paths, their keys from the sink
    or the file their bytes are in and their sizes, last numbers, cut-back information)."""
    saved, n_buckets, tail_from, folder, sink = _MERGE_INPUT
    parts = []
    for path, starts in saved:
        with open(path, "rb") as f:
            f.seek(starts[j])
            parts.append(pickle.load(f))
    chunks, last, tail = _merge_runs(parts, _join_runs(parts), n_buckets, tail_from)
    if sink is not None:
        return list(chunks), [sink(path, data) for path, data in chunks.items()], last, tail
    path = os.path.join(folder, f"part-{j}.chunks")
    with open(path, "wb") as f:
        f.writelines(chunks.values())
    return list(chunks), (path, list(map(len, chunks.values()))), last, tail


# Han terms are numbered by their characters' ranks among the archive's distinct ones (k of
# them), four digits in base k + 1 (0 after the end of a shorter term), which sorts them as
# strings sort; with more than about 55,000 distinct characters that would not fit in 63 bits,
# and the rows of ranks are sorted instead (slower).
_PACKED_LIMIT = 1 << 62
# The merge sorts its segments by one unsigned number of chunk and term while the part's range
# of chunks times (k + 1)**4 fits in 64 bits: with about 2,000 chunks a part (1,250 articles, two
# chunks an article), up to about 9,700 distinct characters. In 63 bits it had been 6,900, which
# real text can pass (GB 2312 has 6,763 characters), and the merge then numbered the terms with
# np.unique: about a sixth more merging (docs/search.md, run AG).
_MERGE_PACKED_LIMIT = 1 << 64
# The chunks are written in batches of about this many bytes (their index arrays take 16 times as many).
_BATCH_BYTES = 1 << 23


def _merge_runs(parts: list, src, n_buckets: int, tail_from: int | None = None):
    """The chunks, last article numbers and cut-back information (for the terms of the runs
    from `tail_from` on: their field lengths and last numbers before those runs) of the postings
    of runs of articles (each a list, per field, of _join_runs's tuple; their strings in `src`),
    built with numpy.

    Every (run, field, term) posting string is a segment. The terms are numbered so that their
    order is the order of the strings, sorted by chunk (a stable hash, vectorized) and then by
    term, and the segments by term, field and run. Each segment's bytes (a run leaves out its first
    gap) follow a gap encoded from the term's last number in the previous segment; the chunks'
    JSON is then written by copying ranges into one array a batch of chunks at a time. Grouping
    the runs' terms in dicts and writing each term's entry in Python had taken 99 s and 17 s of
    a 125 s build of 10,000 articles of news text (1.7 million terms, 13.3 million segments)."""
    n_runs = len(parts)
    segs = [(r, f, fields[f]) for f in range(3) for r, fields in enumerate(parts) if len(fields[f][2])]  # field by field
    if not segs:
        return {}, LastNumbers([], {}), {}
    words = sorted({w for _, _, p in segs for w in p[1]})
    n_words = len(words)
    # Han terms' code points, segment by segment (4 bytes each, as names are read from them below)
    cps = np.concatenate([p[0] for _, _, p in segs]).astype(np.uint32, copy=False)
    han_key = _string_keys(cps)
    word_rank = {w: i for i, w in enumerate(words)}
    keys, field, run, firsts, lasts, starts, ends = [], [], [], [], [], [], []
    h = 0
    for r, f, (c, ws, first, last, start, end, _) in segs:
        n_han = len(c)
        keys += (han_key[h : h + n_han] + n_words, np.array([word_rank[w] for w in ws], dtype=np.int64))
        h += n_han
        n = n_han + len(ws)
        field.append(np.full(n, f, dtype=np.int64))
        run.append(np.full(n, r, dtype=np.int64))
        firsts.append(first)
        lasts.append(last)
        starts.append(start)
        ends.append(end)
    parts.clear()  # the runs' arrays are now in the lists above
    key, field, run = np.concatenate(keys), np.concatenate(field), np.concatenate(run)
    bucket = np.concatenate([p[6] for _, _, p in segs])
    first, last = np.concatenate(firsts).astype(np.int64), np.concatenate(lasts).astype(np.int64)
    start, end = np.concatenate(starts), np.concatenate(ends)
    del keys, firsts, lasts, starts, ends, han_key, segs
    # Terms are numbered in key order (words first, then Han terms as strings sort); `place` is
    # each one's place in chunk order, and the segments go by term in chunk order, field and run.
    span, low = int(key.max()) + 1, int(bucket.min())
    if (int(bucket.max()) - low + 1) * span <= _MERGE_PACKED_LIMIT:
        # One stable sort by chunk and term: each run's segments of a field are in that order
        # already (_chunk_order), its Han terms and then its words, and the runs follow one
        # another field by field, so the sort merges sorted stretches. Numbering the terms with
        # np.unique and sorting the segments by chunk and term apart had sorted everything from
        # scratch (docs/search.md, run AA).
        packed = (bucket - low).astype(np.uint64)
        packed *= np.uint64(span)
        packed += key.astype(np.uint64)
        seg_order = np.argsort(packed, kind="stable")
        del packed
        sorted_key = key[seg_order]
        head = np.ones(len(key), dtype=bool)
        head[1:] = sorted_key[1:] != sorted_key[:-1]
        heads = np.flatnonzero(head)
        place = np.argsort(sorted_key[heads])   # each term's place in chunk order, by key
        n_terms = len(place)
        order = np.empty(n_terms, dtype=np.int64)
        order[place] = np.arange(n_terms)
        where = seg_order[heads[place]]   # a segment of each term
        term = np.empty(len(key), dtype=np.int64)
        term[seg_order] = order[np.cumsum(head) - 1]
        del sorted_key, head, heads
    else:
        seg_order = None
        _, where, term = np.unique(key, return_index=True, return_inverse=True)
        term = term.reshape(-1)
        n_terms = len(where)
        order = np.argsort(bucket[where], kind="stable")  # terms by chunk, then as strings sort
        place = np.empty(n_terms, dtype=np.int64)
        place[order] = np.arange(n_terms)
    # the terms' code points (words: none) and names, in term order
    seg_han = np.cumsum(key >= n_words) - 1  # each Han segment's row in cps
    term_cps = _rows(cps, seg_han[where[n_words:]])
    bucket = bucket[where]  # each term's chunk, from one of its segments
    del cps, seg_han, key, where
    names_utf8, name_lens = _utf8_rows(term_cps)
    word_bytes = [w.encode("utf-8") for w in words]
    name_lens = np.concatenate((np.array(list(map(len, word_bytes)), dtype=np.int64), name_lens))
    names_buf = np.concatenate((np.frombuffer(b"".join(word_bytes), dtype=np.uint8), names_utf8))
    group = place[term] * 3 + field
    if seg_order is None:
        seg_order = np.argsort(group, kind="stable")   # keeps the runs in order
    group, term, field = group[seg_order], term[seg_order], field[seg_order]
    first, last = first[seg_order], last[seg_order]
    start, end, run = start[seg_order], end[seg_order], run[seg_order]
    del seg_order
    new_group = np.ones(len(group), dtype=bool)
    new_group[1:] = group[1:] != group[:-1]
    gap = first + 1
    gap[1:] -= np.where(new_group[1:], 0, last[:-1] + 1)
    gap_widths = _varint_widths(gap)
    seg_len = gap_widths + (end - start)  # a run's strings leave out their first gaps
    del end
    # the last number of each term and field
    group_end = np.ones(len(group), dtype=bool)
    group_end[:-1] = new_group[1:]
    last_num = np.full((n_terms, 3), -1, dtype=np.int64)
    last_num[term[group_end], field[group_end]] = last[group_end]
    last_numbers = LastNumbers([(term_cps.view("<U4").ravel(), last_num[n_words:].astype(np.int32))],
                               dict(zip(words, last_num[:n_words].tolist())))
    field_len = np.bincount(group, weights=seg_len, minlength=3 * n_terms).astype(np.int64).reshape(-1, 3)
    seg_start = np.cumsum(seg_len) - seg_len  # from the first segment of its term and field
    seg_start -= np.maximum.accumulate(np.where(new_group, seg_start, 0))
    # cut-back information: where each term's first segment from tail_from on starts, and the
    # last number before it; the whole string and the term's last number in a field without one
    tail = {}
    tail_from = n_runs if tail_from is None else tail_from
    late = np.flatnonzero((run >= tail_from) & (new_group | (np.roll(run, 1) < tail_from)))  # first in its group
    if len(late):
        cut_len, cut_last = field_len[place].copy(), last_num.copy()
        cut_len[term[late], field[late]] = seg_start[late]
        cut_last[term[late], field[late]] = np.where(new_group[late], -1, last[late - 1])
        who = np.unique(term[late])
        han = who >= n_words  # words come first in term order
        names = [words[t] for t in who[~han].tolist()] + term_cps[who[han] - n_words].view("<U4").ravel().tolist()
        tail = dict(zip(names, map(tuple, np.concatenate((cut_len[who], cut_last[who]), axis=1).tolist())))
    del last_num, term, first, last, group_end, run
    # the bytes: per term ,"name":["f0","f1","f2"] with { before a chunk's first and } after its last
    name_start = np.cumsum(name_lens) - name_lens
    name_lens, name_start = name_lens[order], name_start[order]
    sorted_bucket = bucket[order]
    chunk_first = np.ones(n_terms, dtype=bool)
    chunk_first[1:] = sorted_bucket[1:] != sorted_bucket[:-1]
    chunk_last = np.ones(n_terms, dtype=bool)
    chunk_last[:-1] = chunk_first[1:]
    size = name_lens + field_len.sum(axis=1) + 14 + chunk_last
    seg_term = group // 3
    chunks = {}
    ends_at = np.cumsum(size)
    chunk_terms = np.append(np.flatnonzero(chunk_first), n_terms)  # each chunk's first term, and the end
    chunk_bytes = np.append(ends_at - size, ends_at[-1])[chunk_terms]  # where each chunk starts, and the end
    c0 = 0
    while c0 < len(chunk_terms) - 1:  # whole chunks, about _BATCH_BYTES in all
        c1 = max(c0 + 1, int(np.searchsorted(chunk_bytes, chunk_bytes[c0] + _BATCH_BYTES, side="right")) - 1)
        t0, t1 = int(chunk_terms[c0]), int(chunk_terms[c1])
        base = chunk_bytes[c0]
        out = np.empty(int(ends_at[t1 - 1] - base), dtype=np.uint8)
        at = ends_at[t0:t1] - size[t0:t1] - base  # where each term's entry starts in `out`
        out[at] = np.where(chunk_first[t0:t1], ord("{"), ord(","))
        out[at + 1] = ord('"')
        _copy_ranges(out, at + 2, names_buf, name_start[t0:t1], name_lens[t0:t1])
        f0 = at + 2 + name_lens[t0:t1] + 4
        for i, ch in enumerate(b'":["'):
            out[f0 - 4 + i] = ch
        fl = field_len[t0:t1]
        f1 = f0 + fl[:, 0] + 3
        f2 = f1 + fl[:, 1] + 3
        close = f2 + fl[:, 2]
        for i, ch in enumerate(b'","'):
            out[f1 - 3 + i] = ch
            out[f2 - 3 + i] = ch
        out[close] = ord('"')
        out[close + 1] = ord("]")
        out[close[chunk_last[t0:t1]] + 2] = ord("}")
        s0, s1 = np.searchsorted(seg_term, [t0, t1])
        fields_at = np.stack((f0, f1, f2), axis=1)
        pos = fields_at[seg_term[s0:s1] - t0, group[s0:s1] % 3] + seg_start[s0:s1]
        _write_varints(out, pos, gap[s0:s1], gap_widths[s0:s1])
        _copy_ranges(out, pos + gap_widths[s0:s1], src, start[s0:s1], seg_len[s0:s1] - gap_widths[s0:s1])
        data = out.tobytes()
        bounds = (at[chunk_first[t0:t1]]).tolist() + [len(data)]
        for b, lo, hi in zip(sorted_bucket[t0:t1][chunk_first[t0:t1]].tolist(), bounds, bounds[1:]):
            chunks[chunk_file(b, n_buckets)] = data[lo:hi]
        c0 = c1
    return chunks, last_numbers, tail


class LastNumbers(MutableMapping):
    """term -> the last article number in each field's postings (-1 where none): for the Han
    terms of a clean build, sorted arrays of the terms and of their numbers (one pair for each
    range of chunks merged apart); for words and for every term set or removed since, a dict.
    A dict of lists for all terms had cost 3 s to build at 10,000 articles of news text (1.7
    million terms), and more to pickle into the cache and load again, for a build that adds
    one article and looks up only that article's terms."""

    def __init__(self, shards: list, more: dict):
        self.shards = [(names, numbers) for names, numbers in shards if len(names)]
        # names sorted as strings sort (numpy's order of "<U4" is the same); numbers (n, 3) int32
        self.more = more  # term -> numbers, or None for a term of the shards removed since

    def __getitem__(self, term: str) -> list[int]:
        if term in self.more:
            found = self.more[term]
        else:
            found = self._search([term]).get(term)
        if found is None:
            raise KeyError(term)
        return found

    def __setitem__(self, term: str, numbers: list[int]) -> None:
        self.more[term] = numbers

    def _search(self, terms: list[str]) -> dict[str, list[int]]:
        out = {}
        terms = [t for t in terms if len(t) <= 4]
        if terms:
            wanted = np.array(terms, dtype="<U4")
            for names, numbers in self.shards:
                rows = np.minimum(np.searchsorted(names, wanted), len(names) - 1)
                hit = names[rows] == wanted
                out.update(zip(compress(terms, hit.tolist()), numbers[rows[hit]].tolist()))
        return out

    def subset(self, terms) -> dict[str, list[int]]:
        """term -> numbers of those of `terms` that are here: one search of the arrays for all of
        them (one each had cost about 9 µs under the profiler, and the 15 articles of a day had
        needed 245,000 look-ups)."""
        out = {}
        rest = []
        for term in terms:
            if term in self.more:
                if self.more[term] is not None:
                    out[term] = self.more[term]
            else:
                rest.append(term)
        out.update(self._search(rest))
        return out

    def __delitem__(self, term: str) -> None:
        if term not in self:
            raise KeyError(term)
        self.more[term] = None

    def __iter__(self):
        yield from (term for term, found in self.more.items() if found is not None)
        for names, _ in self.shards:
            yield from (term for term in names.tolist() if term not in self.more)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class OutputChunks(MutableMapping):
    """The previous build's chunks (or records), read from its output folder when first needed:
    path -> bytes.

    The chunks were most of the search index's cache (238 MB of 306 at 10,000 articles), which
    every build that changed content loaded and saved again (0.6 s and 1.0-1.3 s), though they
    are in the output, byte for byte, and a change touches a third of them. `keys` holds every
    chunk's key as the last build wrote it; the caller checks them against the output's
    manifest before trusting the folder (cli.start_search). Chunks read or set are `held`.
    Without a folder (`None`: files handed to a sink, see build_search_files), none can be read."""

    def __init__(self, folder: str | None, keys: dict[str, str]):
        self.folder, self.keys = folder, keys
        self.held: dict[str, bytes] = {}
        self.gone: set[str] = set()

    def __getitem__(self, path: str) -> bytes:
        data = self.held.get(path)
        if data is None:
            if path not in self.keys or path in self.gone or self.folder is None:
                raise KeyError(path)
            with open(os.path.join(self.folder, path), "rb") as handle:
                data = self.held[path] = handle.read()
        return data

    def __setitem__(self, path: str, data: bytes) -> None:
        self.held[path] = data
        self.gone.discard(path)

    def __delitem__(self, path: str) -> None:
        if path not in self:
            raise KeyError(path)
        self.held.pop(path, None)
        self.gone.add(path)

    def __contains__(self, path) -> bool:
        return path in self.held or (path in self.keys and path not in self.gone)

    def __iter__(self):
        yield from self.held
        yield from self.kept()

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def copy(self) -> OutputChunks:
        new = OutputChunks(self.folder, dict(self.keys))   # its own: sunk() adds to it
        new.held, new.gone = dict(self.held), set(self.gone)
        return new

    def sunk(self, path: str, key: str) -> None:
        """Note a file put elsewhere (a sink), with its key: kept() from now on."""
        self.keys[path] = key
        self.held.pop(path, None)
        self.gone.discard(path)

    def kept(self) -> dict[str, str]:
        """path -> key of the chunks neither read nor changed: the same bytes as in the output."""
        return {path: key for path, key in self.keys.items() if path not in self.held and path not in self.gone}


# Ranges at least this long are copied one by one (a memmove each, about 0.2 µs); shorter ones
# byte by byte through index arrays (about 12 ns a byte, so a range of 64 bytes costs 0.8 µs).
_LONG_RANGE = 64


def _copy_ranges(out, dst, src, src_start, length) -> None:
    """out[dst[i] : dst[i] + length[i]] = src[src_start[i] : src_start[i] + length[i]] for every i."""
    long = length >= _LONG_RANGE
    if long.any():
        to, fro = memoryview(out), memoryview(src)
        for d, s, n in zip(dst[long].tolist(), src_start[long].tolist(), length[long].tolist()):
            to[d : d + n] = fro[s : s + n]
        short = ~long & (length > 0)
    else:
        short = length > 0
    if not short.all():
        dst, src_start, length = dst[short], src_start[short], length[short]
    if not len(length):
        return
    dst, src_start = dst.astype(np.int64, copy=False), src_start.astype(np.int64, copy=False)   # differences below
    # Each byte's index, on both sides, as a running sum: 1 from one byte to the next, and at
    # the first byte of a range the jump from the last byte of the one before (an arange with
    # each range's start repeated and added took more passes over the bytes). In intp, not
    # int32 where it fits: numpy indexes with any other integer type by converting the index
    # piece by piece, and with int32 here (and in _string_keys) a part of the merge of 10,000
    # articles of news text took 0.492 s of CPU against 0.433 s (medians of 9 rounds,
    # bench/part_side_by_side.py, 2026-12-05).
    total = int(length.sum())
    first = (np.cumsum(length) - length)[1:]   # where each range after the first starts among the bytes
    step = length[:-1] - 1
    index = np.ones(total, dtype=np.intp)
    index[0] = src_start[0]
    index[first] = src_start[1:] - src_start[:-1] - step
    taken = src[np.cumsum(index, out=index)]
    index.fill(1)
    index[0] = dst[0]
    index[first] = dst[1:] - dst[:-1] - step
    out[np.cumsum(index, out=index)] = taken


def _three_byte_rows(cps) -> bool:
    """Whether rows of code points (padded with zeros) hold only characters of three UTF-8
    bytes (U+0800 to U+FFFF: most Han text), which _utf8_matrix and _fnv1a_rows handle column
    by column."""
    return bool(((cps == 0) | ((cps >= 0x800) & (cps < 0x10000))).all())


def _utf8_matrix(cps):
    """UTF-8 of rows of up to four code points (padded with zeros): a (rows, 12 or 16) uint8
    array, each row's bytes at its start, and each row's length. Rows of three-byte characters
    only are written column by column."""
    if _three_byte_rows(cps):
        c = cps.astype(np.int64)
        mat = np.empty((len(cps), 12), dtype=np.uint8)
        mat[:, 0::3] = 0xE0 | c >> 12
        mat[:, 1::3] = 0x80 | (c >> 6) & 63
        mat[:, 2::3] = 0x80 | c & 63
        return mat, 3 * (cps > 0).sum(axis=1)
    n_bytes = np.where(cps == 0, 0, np.where(cps < 0x80, 1, np.where(cps < 0x800, 2, np.where(cps < 0x10000, 3, 4))))
    out = np.zeros((len(cps), 16), dtype=np.uint8)
    at = np.zeros(len(cps), dtype=np.int64)
    rows = np.arange(len(cps))
    for j in range(4):
        c, nb = cps[:, j].astype(np.int64), n_bytes[:, j]
        for k in range(4):  # byte k of a character of nb bytes
            sel = nb > k
            if not sel.any():
                continue
            c_, nb_ = c[sel], nb[sel]
            shift = 6 * (nb_ - 1 - k)
            lead = np.array([0, 0, 0xC0, 0xE0, 0xF0], dtype=np.int64)[nb_]
            value = np.where(k == 0, np.where(nb_ == 1, c_, lead | (c_ >> shift)), 0x80 | ((c_ >> shift) & 63))
            out[rows[sel], at[sel] + k] = value
        at += nb
    return out, n_bytes.sum(axis=1)


def _utf8_rows(cps):
    """UTF-8 of rows of up to four code points (padded with zeros): the bytes one row after
    another, and each row's length."""
    mat, lens = _utf8_matrix(cps)
    return mat[np.arange(mat.shape[1]) < lens[:, None]], lens


def _fnv1a_rows(cps):
    """fnv1a() of rows of up to four code points (padded with zeros), as uint64: one step a
    column of their UTF-8 bytes, for the rows that have that many.

    Rows of three-byte characters only (most Han text) are hashed from the code points, three
    steps a character, in uint32, whose products wrap as FNV-1a's do, without the UTF-8 matrix
    in uint64: a run of 625 articles of news text holds 836,901 (field, term) segments to hash
    (bench/search_phases.py). The comment above _TO_ASCII_RE has what this and normalizing with
    str.replace saved together."""
    if _three_byte_rows(cps):
        cps = cps.astype(np.uint32, copy=False)
        h = np.full(len(cps), 0x811C9DC5, dtype=np.uint32)
        prime = np.uint32(0x01000193)
        for j in range(cps.shape[1]):
            has = cps[:, j] != 0   # padding comes only after a row's characters
            every = bool(has.all())
            c = cps[:, j] if every else cps[has, j]
            x = h if every else h[has]
            for byte in ((c >> 12) | 0xE0, ((c >> 6) & 63) | 0x80, (c & 63) | 0x80):
                x ^= byte
                x *= prime
            if not every:
                h[has] = x
        return h.astype(np.uint64)
    mat, lens = _utf8_matrix(cps)
    h = np.full(len(cps), 0x811C9DC5, dtype=np.uint64)
    for j in range(mat.shape[1]):
        h = np.where(lens > j, ((h ^ mat[:, j]) * np.uint64(0x01000193)) & np.uint64(0xFFFFFFFF), h)
    return h


def chunk_path(term: str, n_buckets: int, folder: str = "t") -> str:
    """The chunk of `term` among `n_buckets`: in search/t/ (the older articles) or search/r/
    (the newest month's, see recent_start)."""
    return chunk_file(fnv1a(term) % n_buckets, n_buckets, folder)


def chunk_file(bucket: int, n_buckets: int, folder: str = "t") -> str:
    """The path of chunk number `bucket` of `n_buckets` (hex, as wide as the largest), which
    assets/search-worker.js (chunkFile) builds the same way."""
    return f"search/{folder}/{bucket:0{len(f'{n_buckets - 1:x}')}x}.json"


def recent_start(numbered: list[tuple[int, SearchDoc]]) -> int:
    """The first article number of the newest article's calendar month (0 for no articles).

    The articles from there on are indexed apart, in search/r/, and the older ones in
    search/t/: adding a day's articles, or editing or deleting one of this month's, changes
    only the small chunks of the month (at 10,000 articles an added article had changed 2,777
    of the 7,999 chunks of one index, 127 MB). A query fetches a chunk of each. Which articles
    are recent depends only on the content, so a clean build makes the same files; when a new
    month begins, the month before joins the older articles' chunks (appended, see
    _build_search_files)."""
    if not numbered:
        return 0
    newest = date.fromordinal((numbered[-1][0] >> SLOT_BITS) + EPOCH)
    return (newest.replace(day=1).toordinal() - EPOCH) << SLOT_BITS


RECENT_BYTES = 16 << 10  # of JSON in a chunk of the newest month, at most on average (see recent_chunks)


RECENT_PIECES = 1 << 12  # pieces the newest month is indexed into, a multiple of any chunk count it gets


def recent_chunks(recent: list[tuple[int, SearchDoc]]) -> tuple[dict[str, bytes], list[int], int]:
    """(chunks, field length sums, chunk count) of the newest month's articles, made afresh in
    every build (the newest month of the 10,000 synthetic articles is 91 of them). The chunk
    count is the power of two that keeps the chunks at RECENT_BYTES or less on average, so that
    the extra fetch a query makes stays small: about 6 KB gzip at 10,000 synthetic articles.
    (By terms instead, 128 a chunk, the 344 articles of the newest month at 100,000 had 36 KB
    chunks: that text repeats its terms, so its lists are long.) Every chunk is written, empty
    or not, so that no query fetches a missing file.

    The month is indexed in one run into RECENT_PIECES pieces by its terms' hashes; the count
    follows from their size, and chunk j is then the pieces j, j + n, j + 2n, … joined, their
    entries in that order (by piece, then by term). Indexed into one chunk that was then cut
    into the month's chunks entry by entry (a byte-by-byte copy of its 6.3 MB), the 68 articles
    of the newest month of 10,000 of news text took 0.31-0.34 s against 0.21 s now (medians of
    7 calls, two rounds, bench/newest_month.py, 2026-12-03)."""
    if not recent:
        return {}, [0, 0, 0], 0
    pieces, _, sums, *_ = _index_here([(recent, False)], RECENT_PIECES, 1, None)  # one run, in this process
    number = {chunk_file(b, RECENT_PIECES): b for b in range(RECENT_PIECES)}
    inner = [b""] * RECENT_PIECES   # each piece's entries, without its braces
    for path, data in pieces.items():
        inner[number[path]] = data[1:-1]
    # The JSON of all the month's entries in one object: its pieces' entries, a comma between two
    whole = 2 + sum(map(len, inner)) + len(pieces) - 1
    n = 1
    while n * RECENT_BYTES < whole and n < RECENT_PIECES:
        n *= 2
    return {chunk_file(j, n, "r"): b"{" + b",".join(x for x in inner[j::n] if x) + b"}" for j in range(n)}, sums, n


def _chunk_json(terms: dict) -> bytes:
    """A chunk as JSON, terms sorted: what _json gives, written directly. Terms are Han
    characters or Latin letters and digits and posting strings use the varint alphabet, so
    nothing needs escaping; json.dumps had taken 0.6 s of a 10,000-article build."""
    return ("{" + ",".join(f'"{t}":["{a}","{b}","{c}"]' for t, (a, b, c) in sorted(terms.items())) + "}").encode()


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
            "text": doc_text(doc),
        }
    )


def facet_key(kind: str, value: str) -> str:
    """File name stem of one facet value's article list (kind: c county, s section, p person)."""
    return f"{kind}-{fnv1a(value):08x}"


def record_path(num: int) -> str:
    return f"search/d/{num}.json"


def _record_doc(record: bytes) -> SearchDoc:
    """The article a record was rendered from, as far as the index uses it."""
    r = json.loads(record)
    return SearchDoc(id=r["id"], url=r["url"], title=r["title"], kicker=r["kicker"], subtitle=r["subtitle"],
                     date=r["date"], counties=tuple(r["counties"]), section=r["section"], column=r["column"],
                     people=tuple(r["people"]), tags=tuple(r["tags"]), text=r["text"])


def render_facets(numbered: list[tuple[int, SearchDoc]]) -> dict[str, bytes]:
    """One small file per county, section and person: the article numbers carrying it."""
    lists: dict[tuple[str, str], list[int]] = defaultdict(list)
    for num, doc in numbered:   # each list in number order, an article in it once
        lists["s", doc.section].append(num)
        for value in set(doc.counties):
            lists["c", value].append(num)
        for value in set(doc.people):
            lists["p", value].append(num)
    files = {}
    for (kind, value), nums in sorted(lists.items()):
        key = facet_key(kind, value)
        files[f"search/f/{key}.json"] = _json({"value": value, "docs": "".join(_delta_codes(nums, -1))})
    return files


def render_meta(numbered: list[tuple[int, SearchDoc]], sums: list[int], n_buckets: int,
                n_recent: int = 0) -> bytes:
    """The one file every query reads first: corpus statistics, chunk counts (0: no such
    chunks), year ranges."""
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
            "chunkWidth": len(f"{max(n_buckets, 1) - 1:x}"),
            "recentChunks": n_recent,
            "recentWidth": len(f"{max(n_recent, 1) - 1:x}"),
            "years": dict(sorted(years.items())),
        }
    )


_CODE_OR_NONE = [*_CODES, None]


def _encode_after(items: list[tuple[int, SearchDoc]], marks: list[dict[str, int]], sums: list[int], known: dict):
    """Per field, term -> the encoded postings of articles (number order) that follow those
    indexed so far, whose last number per term is in `marks` (updated, as is `sums`). Gaps
    are encoded by table look-ups over a whole field at a time, the rare long ones after.
    `known` maps article numbers to their fields' field_postings(), and gets the others'."""
    pieces: list[dict[str, list[str]]] = [defaultdict(list), defaultdict(list), defaultdict(list)]
    limit = len(_CODES)
    for num, doc in items:
        fields = known.get(num)
        if fields is None:
            fields = known[num] = [field_postings(text) for text in field_texts(doc)]
        for f, (n_tokens, terms, payloads) in enumerate(fields):
            if not n_tokens:
                continue
            sums[f] += n_tokens
            mark = marks[f]
            gaps = list(map(sub, repeat(num), map(mark.__getitem__, terms)))
            codes = list(map(_CODE_OR_NONE.__getitem__, map(min, gaps, repeat(limit))))
            if None in codes:
                for i, gap in enumerate(gaps):
                    if gap >= limit:
                        codes[i] = encode_varint(gap)
            any(map(_append, map(pieces[f].__getitem__, terms), map(add, codes, payloads)))
            mark.update(zip(terms, repeat(num)))
    return [{term: "".join(p) for term, p in pf.items()} for pf in pieces]


def _append_docs(items: list[tuple[int, SearchDoc]], last: dict[str, list[int]], sums: list[int], start: int,
                 known: dict):
    """Postings of articles (number order) that come after everything indexed so far.

    Returns term -> the 3 field strings to append, and for each term of an article numbered
    `start` or above, (length appended before that article per field, last numbers before it
    per field): what is needed to cut the term back to the state before `start`. `last` and
    `sums` are updated; the third value is `sums` before the first article at or above `start`.
    `known` holds the articles' field_postings() where known, and gets the others'.
    """
    split = next((i for i, (num, _) in enumerate(items) if num >= start), len(items))
    for num, doc in items:
        if num not in known:
            known[num] = [field_postings(text) for text in field_texts(doc)]
    terms = {term for num, _ in items for _, field_terms, _ in known[num] for term in field_terms}
    found = last.subset(terms) if isinstance(last, LastNumbers) else {t: last[t] for t in terms if t in last}
    marks = [_Marks(found, f) for f in range(3)]
    early = _encode_after(items[:split], marks, sums, known)
    base_sums = list(sums)
    seen = [_Marks(found, f, m) for f, m in enumerate(marks)]
    late = _encode_after(items[split:], marks, sums, known)
    e0, e1, e2 = early
    s0, s1, s2 = seen
    before = {
        term: (len(e0.get(term, "")), len(e1.get(term, "")), len(e2.get(term, "")), s0[term], s1[term], s2[term])
        for term in late[0].keys() | late[1].keys() | late[2].keys()
    }
    adds: dict[str, list[str]] = {}
    for part in (early, late):
        for f in range(3):
            for term, text in part[f].items():
                entry = adds.get(term)
                if entry is None:
                    entry = adds[term] = ["", "", ""]
                entry[f] += text
    m0, m1, m2 = marks
    for term in adds:
        last[term] = [m0[term], m1[term], m2[term]]
    return adds, before, base_sums


class _Marks(dict):
    """The last article number of each term in one field: those set here, else `last`'s (a
    dict; -1 for a term not in it). Copying all of `last` for each field had cost about 4 s of
    every build at 10,000 articles of news text (1.7 million terms), even one that added an
    article."""

    def __init__(self, last: dict[str, list[int]], field: int, items=()):
        super().__init__(items)
        self.last, self.field = last, field

    def __missing__(self, term: str) -> int:
        entry = self.last.get(term)
        return -1 if entry is None else entry[self.field]


def _term_at(data: bytes, term: str, start: int = 0):
    """Where a term is in a rendered chunk, from `start`: (offset of its key, [(start, end) of
    each of its 3 field strings]), or None. A key `"term":["` occurs only as that key: the
    values are varint strings, one byte a character."""
    key = b'"' + term.encode("utf-8") + b'":["'
    at = data.find(key, start)
    if at < 0:
        return None
    spans, pos = [], at + len(key)
    for _ in range(3):
        end = data.index(b'"', pos)
        spans.append((pos, end))
        pos = end + 3
    return at, spans


_ENTRY = re.compile(rb'[{,]"([^"]*)":\["')  # a key: field strings hold no quotes


def _edit_chunk(data: bytes, ops: list[tuple[str, tuple[int, ...] | None, list[str] | None]]):
    """Apply (term, cut-back information (field lengths first) or None, strings to append or
    None) to a rendered chunk. Returns the new bytes (None when no term is left) and each
    term's field lengths after the cut. Terms already in the chunk that stay are spliced into
    the bytes, found in one pass because the keys are in sorted order; a new term is put in
    before the first key that sorts after it (UTF-8 bytes sort as the strings do). A vanishing
    term re-renders the chunk. (Re-rendering for new terms too had cost 1 ms a chunk: in news
    text most articles bring new 4-grams into most of the chunks they touch.)"""
    view = memoryview(data)
    kept: dict[str, tuple[int, ...]] = {}
    out, pos = [], 0
    rerender = False
    keys = None  # the chunk's keys and where their entries start, found at the first new term
    filled = data != b"{}"
    for term, cut, more in sorted(ops, key=lambda op: op[0]):
        hit = _term_at(data, term, pos)
        if hit is None:
            kept[term] = (0, 0, 0)
            if not more or not any(more):
                continue
            if keys is None:
                found = _ENTRY.finditer(data)
                keys = [(m.group(1), m.start()) for m in found]
            i = bisect_left(keys, (term.encode("utf-8"), -1))
            entry = f'"{term}":["{more[0]}","{more[1]}","{more[2]}"]'.encode()
            if i < len(keys):  # before that entry, after its "{" or ","
                out += (view[pos : keys[i][1] + 1], entry, b",")
                pos = keys[i][1] + 1
            else:  # at the end, before the "}"
                out += (view[pos : len(data) - 1], b"," if filled else b"", entry)
                pos = len(data) - 1
            filled = True
            continue
        (s0, e0), (s1, e1), (s2, e2) = hit[1]
        n0, n1, n2 = kept[term] = cut[:3] if cut else (e0 - s0, e1 - s1, e2 - s2)
        a0, a1, a2 = (a.encode("ascii") for a in more) if more else (b"", b"", b"")
        if not (n0 or n1 or n2 or a0 or a1 or a2):
            rerender = True
            continue
        out += (view[pos : s0 + n0], a0, view[e0 : s1 + n1], a1, view[e1 : s2 + n2], a2)
        pos = e2
    if rerender:
        chunk = json.loads(data)
        for term, cut, more in ops:
            old = [s[:n] for s, n in zip(chunk.get(term, ("", "", "")), kept[term])]
            new = list(map(str.__add__, old, more)) if more else old
            if any(new):
                chunk[term] = new
            else:
                chunk.pop(term, None)
        return (_chunk_json(chunk) if chunk else None), kept
    out.append(view[pos:])
    return b"".join(out), kept


def _day_start(num: int) -> int:
    """The first article number of the day of article number `num`."""
    return num >> SLOT_BITS << SLOT_BITS


_CONT_BYTES = frozenset(CONT.encode("ascii"))


def _update(state: dict, todo: list[tuple[int, SearchDoc]], cut: bool, newest: int, n_buckets: int, known: dict):
    """Patch the previous build's chunks (`state`): when `cut`, cut the terms of its newest day
    back to what they were before that day; then append the postings of the articles `todo`
    (number order, none before the previous build's newest day) and note what is needed to cut
    back to `newest` (a day start, not before the previous one). Returns (chunks, last number
    per term and field, field length sums, cut-back information, field length sums before
    `newest`). `known`: see _append_docs."""
    chunks, last, base = state["chunks"].copy(), state["last"], state["base"]
    cuts = state["tail"] if cut else {}
    for term, info in cuts.items():
        if any(info[:3]):
            last[term] = list(info[3:])
        else:
            last.pop(term, None)
    sums = list(state["base_sums"] if cut else state["sums"])
    adds, before, base_sums = _append_docs(todo, last, sums, newest, known)
    tail = state["tail"] if newest == base and not cut else {}
    if newest == base:
        base_sums = state["base_sums"]
    ops: dict[str, list] = defaultdict(list)
    for term in cuts.keys() | adds.keys():
        ops[chunk_path(term, n_buckets)].append((term, cuts.get(term), adds.get(term)))
    for path, edits in ops.items():
        data, kept = _edit_chunk(chunks.get(path, b"{}"), edits)
        if data is None:
            del chunks[path]
        else:
            chunks[path] = data
        for term, lens in kept.items():
            b = before.get(term)
            if b is not None and term not in tail:
                tail[term] = (*map(add, lens, b[:3]), *b[3:])
    return chunks, last, sums, tail, base_sums


def _peel(chunks: dict[str, bytes], last: dict[str, list[int]], sums: list[int],
          items: list[tuple[int, SearchDoc]], n_buckets: int):
    """The cut-back information for `items`, the last articles of the index, read from the
    chunks: their postings end each of their terms' strings, and only the first gap depends
    on what came before, so tokenizing them again gives the length of all but that gap, which
    is then read backwards from the string. Returns (information, field length sums before them)."""
    fields, item_sums = _index_range(items)
    rests: dict[str, list] = {}
    for f in range(3):
        for term, (first, _, text) in fields[f].items():
            rests.setdefault(term, [None, None, None])[f] = (first, len(text) - len(encode_varint(first + 1)))
    by_path: dict[str, list[str]] = defaultdict(list)
    for term in rests:
        by_path[chunk_path(term, n_buckets)].append(term)
    tail = {}
    for path, terms in by_path.items():
        data = chunks[path]
        for term in terms:
            hit = _term_at(data, term)
            if hit is None:
                raise ValueError(f"{term!r} is not in its chunk")
            lens, marks = [], []
            for f, ((pos, end), found) in enumerate(zip(hit[1], rests[term])):
                if found is None:
                    lens.append(end - pos)
                    marks.append(last[term][f])
                else:
                    first, rest = found
                    gap_end = k = end - rest
                    k -= 1
                    while k > pos and data[k - 1] in _CONT_BYTES:
                        k -= 1
                    lens.append(k - pos)
                    marks.append(first - decode_varints(data[k:gap_end].decode("ascii"))[0])
            tail[term] = (*lens, *marks)
    return tail, list(map(sub, sums, item_sums))


# Older days' changes are spliced into the posting strings rather than indexing everything
# again, up to this many articles taken out or put in (an edit counts twice). At 10,000 articles
# one costs 0.07-0.2 s against 5-6 s for everything; see docs/search.md, run H.
SPLICE_LIMIT = 24
_DIGIT = np.zeros(256, dtype=np.int64)
_DIGIT[_LAST_BYTES] = np.arange(32)
_DIGIT[_CONT_BYTES_ARRAY] = np.arange(32)
_IS_LAST = np.zeros(256, dtype=bool)
_IS_LAST[_LAST_BYTES] = True
_SINGLE_HAN = re.compile(f"[{HAN}]")
_WALK_WINDOW = 128  # characters decoded at first by a walk; then twice as many each time


def _find_posting(s: str, num: int, single: bool, at: int = 0, prev: int = -1):
    """Walk a field string, from the posting at offset `at` (number before it `prev`), to the
    first posting numbered `num` or above. Returns (its offset, the end of its gap, the number
    before it, its number), or (len(s), len(s), last number, None). The varints of a window of
    the string are decoded at once with numpy; only the step from posting to posting (its
    length is in its frequency, or for a Han character, bigram or trigram in its run-end count) is a
    Python loop over integers. Windows double, so a walk that stops early decodes little."""
    head = 4 if single else 3
    if len(s) - at <= _WALK_WINDOW:  # a few postings (the newest day's): numpy's set-up would cost more
        return _find_posting_short(s, num, head, at, prev)
    size = _WALK_WINDOW
    while at < len(s):
        raw = np.frombuffer(s[at : at + size].encode("ascii"), dtype=np.uint8)
        whole = at + size >= len(s)
        ends = np.flatnonzero(_IS_LAST[raw])
        digit = _DIGIT[raw]
        values = digit[ends]
        starts = np.empty_like(ends)
        starts[:1] = 0
        starts[1:] = ends[:-1] + 1
        width = ends - starts
        k = 1
        while (more := width >= k).any():
            sel = np.flatnonzero(more)
            values[sel] += digit[ends[sel] - k] << (5 * k)
            k += 1
        v = values.tolist()
        n = len(v)
        i = 0
        while i + head <= n:
            if prev + v[i] >= num:
                return at + int(starts[i]), at + int(ends[i]) + 1, prev, prev + v[i]
            j = i + head + v[i + head - 1]
            if j >= n and not whole:
                break
            prev += v[i]
            i = j
        if whole:
            if i != n or len(raw) != (int(ends[-1]) + 1 if n else 0):
                raise ValueError("a field string does not end with a whole posting")
            break
        at += int(starts[i]) if i < n else 0
        size *= 2
    return len(s), len(s), prev, None


def _find_posting_short(s: str, num: int, head: int, at: int, prev: int):
    """_find_posting over a short rest of a string, decoded in Python: 9 µs for 4 postings (28
    characters) and 34 µs for 12 (90), against 40 and 47 µs through numpy's steps on a window
    (timeit, 2026-12-02). Splicing into the newest day walks many such short rests."""
    values, starts, n, begin = [], [], 0, at
    for k in range(at, len(s)):
        digit = LAST.find(s[k])
        if digit < 0:
            n = n * 32 + CONT.index(s[k])
            continue
        values.append(n * 32 + digit)
        starts.append(begin)
        n, begin = 0, k + 1
    starts.append(len(s))
    i = 0
    while i + head <= len(values):
        if prev + values[i] >= num:
            return starts[i], starts[i + 1], prev, prev + values[i]
        prev += values[i]
        i += head + values[i + head - 1]
    if i != len(values) or begin != len(s):
        raise ValueError("a field string does not end with a whole posting")
    return len(s), len(s), prev, None


def _unique_posting(s: str, num: int, payload: str):
    """(start, end of gap, end, number before) of the posting of article `num` with this
    payload, if the payload occurs only once in the string (then it can only be that one)."""
    c = s.find(payload)
    if c > 0 and s[c - 1] in LAST and s.find(payload, c + 1) < 0:
        a = c - 1
        while a and s[a - 1] in CONT:
            a -= 1
        return a, c, c + len(payload), num - decode_varints(s[a:c])[0]
    return None


def _own_posting(s: str, num: int, payload: str, single: bool, at: int = 0, prev: int = -1):
    """(start, end of gap, end, number before) of the posting of article `num`, whose payload
    (everything after the gap) is known. When the payload occurs only once in the string it
    can only be that article's, found by a substring search in C; otherwise the postings are
    walked (short fields often share payloads: same length, same positions)."""
    found = _unique_posting(s, num, payload)
    if found:
        return found
    a, c, prev, at_num = _find_posting(s, num, single, at, prev)
    if at_num != num or not s.startswith(payload, c):  # a posting's payload says where it ends
        raise ValueError(f"article {num} is not where the cache says")
    return a, c, c + len(payload), prev


def _anchors(kept: list, i: int) -> list:
    """Unchanged articles to start walks from for an article that would be kept[i]: the three
    before it, then ever farther back (4, 8, ... 1024 before), so that a term the nearest lack
    is still found not far behind."""
    return [kept[j] for j in sorted({i - 1, i - 2, i - 3, *(i - (1 << k) for k in range(2, 11))}, reverse=True)
            if j >= 0]


def _splice_older(state: dict, gone: list, came: list, anchors: dict, n_buckets: int, known: dict,
                  memo: dict) -> bool:
    """Take the articles `gone` out of the previous build's index (`state`) and put `came` in,
    numbered before its newest day or within it, by splicing their postings into the field
    strings (gap of the following posting re-encoded), and keep the rest of the state in step:
    last numbers, field length sums and the newest day's cut-back information (a splice before
    that day shifts where the day's postings start; one within it adds the terms it brings to
    the day and drops those it no longer has). Both lists hold (number, article); `known` gets
    the field_postings() of those put into the newest day.

    An article taken out is found by its payload, which is most often unique in the string. One
    put in (or taken out, when its payload is not unique) needs a walk through the postings,
    which from the start of a common term's list would be most of the work; so the walk starts
    at the posting of an unchanged article before it, found by its payload the same way.
    `anchors` maps each changed article's number to (number, article) of some unchanged
    articles before it, closest first; they are tokenized when first needed (`memo`: article
    number -> field_postings() of its fields, where known). Returns False, with `state`
    unusable, when something does not match what the state says (then everything is indexed
    again)."""
    base, last, tail, sums, base_sums = state["base"], state["last"], state["tail"], state["sums"], state["base_sums"]
    ops: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(lambda: [[], [], []]))
    for sign, items in ((-1, gone), (1, came)):  # out first, then in (an edit is both)
        for num, doc in sorted(items, key=lambda x: x[0]):
            if num >= base and _day_start(num) != base:
                return False
            fields = [field_postings(text) for text in field_texts(doc)]
            if sign > 0 and num >= base:
                known[num] = fields
            for f, (n_tokens, terms, payloads) in enumerate(fields):
                sums[f] += sign * n_tokens
                if num < base:
                    base_sums[f] += sign * n_tokens
                for term, payload in zip(terms, payloads):
                    ops[chunk_path(term, n_buckets)][term][f].append((sign, num, payload))

    def start(s: str, f: int, term: str, num: int, cut: list | None) -> tuple[int, int]:
        """Where a walk to article `num` may start: (offset, number before) of the posting of
        the closest unchanged article before it that has the term, or for one of the newest day
        where that day starts in the string (`cut`, the term's cut-back information as it
        stands) if that is closer, or the string's start. (Walking a common term's list from
        an anchor of an older day had made splicing an article into the newest day no faster
        than cutting the day back.)"""
        within = num >= base and cut is not None
        first = (cut[f], cut[3 + f]) if within else (0, -1)
        for m, doc in anchors.get(num, ()):
            if within and m < base:  # the day's start is closer than any older article
                break
            payload = payloads_of(m, doc)[f].get(term)
            hit = payload and _unique_posting(s, m, payload)
            if hit:
                return max((hit[0], hit[3]), first)
        return first

    tokens: dict[int, list[dict[str, str]]] = {}

    def payloads_of(m: int, doc: SearchDoc) -> list[dict[str, str]]:
        """Per field, term -> payload of anchor article `m`."""
        found = tokens.get(m)
        if found is None:
            fields = memo.get(m) or [field_postings(text) for text in field_texts(doc)]
            found = tokens[m] = [dict(zip(terms, payloads)) for _, terms, payloads in fields]
        return found

    wanted = [term for terms in ops.values() for term in terms]
    found_last = last.subset(wanted) if isinstance(last, LastNumbers) else {t: last[t] for t in wanted if t in last}
    chunks = state["chunks"] = state["chunks"].copy()
    for path, terms in ops.items():
        data = chunks.get(path, b"{}")
        found: dict[str, tuple[int, list[str]]] = {}  # term -> (offset of its key, field strings)
        for term in terms:
            hit = _term_at(data, term)
            found[term] = (hit[0], [data[a:b].decode("ascii") for a, b in hit[1]]) if hit else (-1, ["", "", ""])
        for term, per_field in terms.items():
            strings = found[term][1]
            single = len(term) <= 3 and _SINGLE_HAN.match(term) is not None  # run-end positions only
            marks = list(found_last.get(term, (-1, -1, -1)))
            cut = list(tail[term]) if term in tail else None
            if cut is None and any(num >= base for edits in per_field for _, num, _ in edits):
                if any(sign < 0 and num >= base for edits in per_field for sign, num, _ in edits):
                    return False  # an article of the newest day whose term the state does not list
                cut = [*map(len, strings), *marks]  # a term new to the newest day
            for f, edits in enumerate(per_field):
                olds = {num: payload for sign, num, payload in edits if sign < 0}
                news = {num: payload for sign, num, payload in edits if sign > 0}
                for num in sorted(olds):
                    s = strings[f]
                    a, c, b, prev = _own_posting(s, num, olds[num], single, *start(s, f, term, num, cut))
                    if num in news:  # the same number: only the payload changes, no gap does
                        s = s[:c] + news.pop(num) + s[b:]
                        after = -1
                    else:
                        after = None
                        if b < len(s):  # the next posting's gap, re-encoded from `prev`
                            c2 = b
                            while s[c2] in CONT:
                                c2 += 1
                            after = num + decode_varints(s[b : c2 + 1])[0]
                            s = s[:a] + encode_varint(after - prev) + s[c2 + 1 :]
                        else:
                            s = s[:a]
                            marks[f] = prev
                    if cut is not None and num < base:  # within the newest day: after its start
                        if after is not None and after < base:
                            cut[f] += len(s) - len(strings[f])
                        else:  # it was the last posting before the newest day
                            cut[f], cut[3 + f] = a, prev
                    strings[f] = s
                for num in sorted(news):
                    s = strings[f]
                    a, c, prev, at_num = _find_posting(s, num, single, *start(s, f, term, num, cut))
                    if at_num == num:
                        return False
                    piece = encode_varint(num - prev) + news[num]
                    s = s[:a] + piece + (encode_varint(at_num - num) + s[c:] if at_num is not None else "")
                    if at_num is None:
                        marks[f] = num
                    if cut is not None and num < base:
                        if at_num is not None and at_num < base:
                            cut[f] += len(s) - len(strings[f])
                        else:
                            cut[f], cut[3 + f] = a + len(piece), num
                    strings[f] = s
            if cut is not None:
                if all(map(eq, cut, map(len, strings))):  # none of the newest day's articles has it
                    tail.pop(term, None)
                else:
                    tail[term] = tuple(cut)
            if any(strings):
                last[term] = marks
            else:
                last.pop(term, None)
        if all(at >= 0 and any(found[t][1]) for t, (at, _) in found.items()):
            out, pos = [], 0  # every term stays: splice the bytes
            for term, (at, strings) in sorted(found.items(), key=lambda x: x[1][0]):
                key_end = at + len(term.encode("utf-8")) + 5
                out += (data[pos:key_end], '","'.join(strings).encode("ascii"))
                pos = data.index(b'"]', key_end)
            out.append(data[pos:])
            chunks[path] = b"".join(out)
        else:
            chunk = json.loads(data)
            for term, (_, strings) in found.items():
                if any(strings):
                    chunk[term] = strings
                else:
                    chunk.pop(term, None)
            if chunk:
                chunks[path] = _chunk_json(chunk)
            else:
                chunks.pop(path, None)
    return True


@contextmanager
def _collector_off():
    """The cyclic garbage collector off, and back as it was after. An index build makes millions
    of objects that all live on (term dicts, the cache); the collector walked them again and
    again: 0.4 s of a half-merge's 1.2 s at 10,000 synthetic articles, in building one dict of
    the newest day's terms. build.py turns it off for the whole build; this is for any other
    caller (the processes an index build forks inherit it)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def build_search_files(docs: list[SearchDoc], cache: dict | None = None, sink=None) -> dict[str, bytes]:
    """Return {dest_path (relative to site root, under 'search/'): bytes} for the index; see
    _build_search_files (run with the cyclic garbage collector off)."""
    with _collector_off():
        return _build_search_files(docs, cache, sink)


# The parts of the older articles' state that only a change to one of them needs, and that are
# most of the search index's cache (52 of its 54 MB at 10,000 articles of news text, most of it
# the last numbers): the build's cache keeps them in a file of their own, which it loads only
# when a build needs them and saves only when it loaded them (ycarchive/cli.py). A state whose
# parts are in that file has, instead, "load parts": a function that returns them, or None if
# the file is missing or not the one the state was saved with.
STATE_PARTS = ("last", "tail", "memo")


def _with_parts(state: dict) -> dict | None:
    """`state` with its STATE_PARTS loaded if they were kept apart, or None if they cannot be."""
    load = state.pop("load parts", None)
    if load is None:
        return state
    parts = load()
    if parts is None:
        return None
    state.update(parts)
    return state


def _build_search_files(docs: list[SearchDoc], cache: dict | None = None, sink=None) -> dict[str, bytes]:
    """Return {dest_path (relative to site root, under 'search/'): bytes} for the index.

    The articles of the newest month are indexed afresh in every build (recent_chunks); the
    rest below is about the index of the older ones, in search/t/.
    `cache` is a dict kept between builds (or None); the files are the same bytes with or
    without it. It holds each article's number under a hash of its content ("records") and
    the previous build's records by path ("record files"), the previous chunks, each term's
    last article number per field, and, for the terms of the newest day's articles, their
    field lengths and last numbers before that day (the day's postings end each of its terms'
    strings). A build in which no older article changed keeps that state as it is, without
    loading its STATE_PARTS if they were kept apart. A build whose changes are all numbered
    from the start of the previous build's newest day on (articles of that day added, edited
    or deleted; new days) cuts those terms back to the state before that day and appends the
    postings of the articles from that day on; one that only adds articles numbered after all
    earlier ones just appends theirs. Before either, up to SPLICE_LIMIT changed articles of
    older days (and of the newest day, if all of its changes fit too) are spliced into the
    chunks (_splice_older). Any other change indexes everything again.

    The previous chunks and records may be OutputChunks (read from the output when needed);
    then the files returned hold only the chunks and records it read or changed, and the
    others are its kept(). With `sink`, each record made goes to it, and when everything is
    indexed again, each chunk too (index_chunks); those are kept() as well.
    """
    if cache is None:
        cache = {}
    if cache.get("format") != FORMAT_VERSION:
        cache.clear()
        cache["format"] = FORMAT_VERSION
    numbered = number_docs(docs)
    # Of a document with a key, the doc_key() it had in the last build: a caller that gives its
    # documents keys (cli.search_files, the articles' fingerprints) drops "doc keys" when
    # anything else their fields come from changed (the registries). Otherwise every article's
    # fields are hashed again in every build, in the process an added article's build waits for.
    memo = cache.get("doc keys") or {}
    keys = [memo.get(d.key) or doc_key(d) for _, d in numbered]
    cache["doc keys"] = {d.key: k for (_, d), k in zip(numbered, keys) if d.key}
    split = bisect_left(numbered, recent_start(numbered), key=itemgetter(0))
    older = numbered[:split]  # the index below is theirs; recent_chunks the rest's
    old_numbers = cache.get("records", {})
    record_files = cache.pop("record files", None)  # mutated below: a failed build leaves none behind
    if record_files is None:
        record_files = {}
    n_buckets = bucket_count(len(numbered))
    current = {(num, k) for (num, _), k in zip(older, keys[:split])}
    newest = _day_start(older[-1][0]) if older else 0
    state = cache.pop("state", None)  # mutated below: a failed build leaves none behind
    rest = partial(_records_month_facets, numbered, keys, split, old_numbers, record_files, sink)
    # With no state to patch, the older articles are indexed again, and nothing reads the last
    # build's records (which patching does): the rest is made first. In a clean build the
    # index's forked processes share both cores with the page rendering and then run on alone,
    # and what this process did after them had run on one core while the other waited: clean
    # builds of 10,000 articles of news text took 17.19 s against 18.01 s (medians of 4 each,
    # bench/full_side_by_side.py, 2026-12-04).
    early = rest() if state is None else None
    if (state is not None and current and state["buckets"] == n_buckets and state["base"] == newest
            and state["entries"] == current):
        # No older article changed (articles of the newest month were added, edited or deleted):
        # their chunks stay as they are, and so does what is kept to patch them, which then
        # need not even be loaded (STATE_PARTS).
        cache["state"] = state
        chunks, sums = state["chunks"], state["sums"]
    else:
        chunks, sums = _older_index(cache, state and _with_parts(state), numbered, keys, split, current, newest,
                                    record_files, n_buckets, sink)
    record_files, records, (month, month_sums, n_recent), facets = early or rest()
    cache["records"] = records
    cache["record files"] = record_files
    files = {"search/meta.json": render_meta(numbered, list(map(add, sums, month_sums)),
                                             n_buckets if older else 0, n_recent), **month}
    for made in (chunks, record_files):  # the rest: OutputChunks.kept
        files.update(made.held if isinstance(made, OutputChunks) else made)
    files.update(facets)
    return files


def _records_month_facets(numbered: list, keys: list[str], split: int, old_numbers: dict, record_files, sink):
    """(the records, each record's number by its article's doc_key(), recent_chunks() of the
    articles from `split` on, render_facets()). `record_files` holds the last build's records by
    path, `old_numbers` their numbers by key: the records of articles gone, or now numbered
    otherwise, are taken out of it, and new or changed ones made."""
    paths = {record_path(num): (num, d, k) for (num, d), k in zip(numbered, keys)}
    for path in [path for path in record_files if path not in paths]:
        del record_files[path]
    if sink is not None and not isinstance(record_files, OutputChunks):
        record_files = OutputChunks(None, {})
    for path, (num, d, k) in paths.items():
        if old_numbers.get(k) != num or path not in record_files:
            data = render_record(num, d)
            if sink is None:
                record_files[path] = data
            else:
                record_files.sunk(path, sink(path, data))
    return (record_files, {k: num for num, _, k in paths.values()}, recent_chunks(numbered[split:]),
            render_facets(numbered))


def _older_index(cache: dict, state: dict | None, numbered: list, keys: list[str], split: int, current: set,
                 newest: int, record_files, n_buckets: int, sink) -> tuple:
    """(chunks, field length sums) of the articles before the newest month, `numbered[:split]`
    (`keys` their doc_key()s, `current` their (number, key) pairs, `newest` the first number
    of their newest day), from `state`, the previous build's, where it can be patched (see
    _build_search_files), or indexed again; the next build's state goes into `cache`."""
    older, older_keys = numbered[:split], keys[:split]
    by_key = {k: d for (_, d), k in zip(numbered, keys)} if state is not None else {}
    todo = None
    known: dict[int, list] = {}  # article number -> field_postings() of its fields
    if state is not None and state["buckets"] == n_buckets and state["entries"] and current:
        old, base = state["entries"], state["base"]
        gone, came = {e for e in old - current if e[0] < base}, {e for e in current - old if e[0] < base}
        if newest == base:  # the newest day stays the newest: splice its changes too, all of them or none
            top = max(old)[0]
            day_gone = {e for e in old - current if e[0] >= base}
            day_came = {e for e in current - old if base <= e[0] < top}  # those after it are appended
            if (len(gone) + len(came) + len(day_gone) + len(day_came) <= SPLICE_LIMIT
                    and any(e[0] >= base and e not in day_gone for e in old)):  # not all of the day out
                gone, came = gone | day_gone, came | day_came
        if gone or came:
            kept = [(num, d) for (num, d), k in zip(older, older_keys) if (num, k) in old]
            kept_nums = [num for num, _ in kept]
            try:
                ok = len(gone) + len(came) <= SPLICE_LIMIT and _splice_older(
                    state, [(num, _record_doc(record_files[record_path(num)])) for num, k in gone],
                    [(num, by_key[k]) for num, k in came],
                    {num: _anchors(kept, bisect_left(kept_nums, num)) for num in {num for num, _ in gone | came}},
                    n_buckets, known, {e[0]: fields for e, fields in state["memo"].items()})
            except (KeyError, IndexError, ValueError, OSError):  # OSError: a chunk gone from the output
                ok = False
            if ok:
                old = state["entries"] = (old - gone) | came
            else:
                state = None  # too many, or a mismatch: everything is indexed again
    if state is not None and state["buckets"] == n_buckets and state["entries"] and current:
        new = current - old
        if old <= current and (not new or min(new)[0] > max(old)[0]):
            todo, cut = sorted(new), False  # only articles after all earlier ones: append
        elif {e for e in old if e[0] < base} == {e for e in current if e[0] < base}:
            todo, cut = sorted(e for e in current if e[0] >= base), True  # cut back to base
    if todo is not None:
        todo_docs = [(num, by_key[k]) for num, k in todo]
        known.update((e[0], state["memo"][e]) for e in todo if e in state["memo"])
        try:
            chunks, last, sums, tail, base_sums = _update(state, todo_docs, cut, max(base, newest), n_buckets, known)
            if newest < base:  # the newest day's articles were all deleted: the day before is now the newest
                tail, base_sums = _peel(chunks, last, sums, [x for x in older if x[0] >= newest], n_buckets)
        except OSError:  # a chunk the cache counts on is gone from the output (OutputChunks)
            todo = state = None
    if todo is None and not older:  # every article is of the newest month: the older index is empty
        chunks = {} if sink is None else OutputChunks(None, {})
        last, sums, tail, base_sums, known = LastNumbers([], {}), [0, 0, 0], {}, [0, 0, 0], {}
    elif todo is None:
        chunks, last, sums, tail, base_sums, known = index_chunks(older, n_buckets, newest=newest, sink=sink)
    memo = {}  # the newest day's field_postings(), so that editing one of its articles tokenizes only that one
    for e in current:
        if e[0] >= newest:
            fields = known.get(e[0]) or (state and state["memo"].get(e))
            if fields:
                memo[e] = fields
    cache["state"] = {"buckets": n_buckets, "entries": current, "chunks": chunks, "last": last, "sums": sums,
                      "base": newest, "tail": tail, "base_sums": base_sums or [0, 0, 0], "memo": memo}
    return chunks, sums


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode("utf-8")
