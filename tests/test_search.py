"""Search index: tokenizer parity with the browser, adjacency, lunr scoring, determinism."""

import json
import os
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lunr.builder import Builder
from lunr.query import QueryPresence

import ycarchive.search as search_module
from tests.search.fixture import DOCS, doc
from ycarchive.search import (
    FIELDS, build_search_files, decode_varints, doc_numbers, encode_varint, field_postings, field_texts, fnv1a,
    number_docs, tokenize,
)

REPO = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None and os.environ.get("CI") != "true", reason="node is not installed")


def run_node(request: dict):
    out = subprocess.run(
        [NODE or "node", str(REPO / "tests" / "search" / "run_node.js")], input=json.dumps(request),
        capture_output=True, text=True, encoding="utf-8", check=True,
    )
    return json.loads(out.stdout)


def js_tokenize(texts):
    return [[tuple(t) for t in toks] for toks in run_node({"cmd": "tokenize", "texts": texts})]


SAMPLES = [
    "", "志愿服务", "党建引领 莲池社区“家”味浓", "□记者 刘凯华", "2025年6月18日", "Wi-Fi 5G APP",
    "ＡＢＣ１２３，全角", "㈱①⑩ ﬁ", "Ωμέγα Straße İstanbul", "𠀀𠀁𪚥 扩展B", "a\u0301e\u0300", "〇一二",
    "河津市委“两新”工委", "\t李 楠\n", "x" * 40 + "年",
]


def test_tokenizer_matches_js_on_samples():
    assert js_tokenize(SAMPLES) == [tokenize(s) for s in SAMPLES]


ALPHABET = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from("，。“”！？、：；（）《》 \n\t〇々ー－ＡＺａｚ０９ß"),
    st.characters(blacklist_categories=("Cs",)),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(ALPHABET, max_size=30), min_size=1, max_size=40))
def test_tokenizer_matches_js_on_generated_text(texts):
    assert js_tokenize(texts) == [tokenize(t) for t in texts]


def test_tokens_are_characters_n_grams_up_to_four_and_words():
    assert tokenize("志愿服务队 Wi-Fi") == [
        ("志", 0), ("志愿", 0), ("志愿服", 0), ("志愿服务", 0), ("愿", 1), ("愿服", 1), ("愿服务", 1),
        ("愿服务队", 1), ("服", 2), ("服务", 2), ("服务队", 2), ("务", 3), ("务队", 3), ("队", 4),
        ("wi", 6), ("fi", 8),
    ]


def postings_article_by_article(items):
    """What search._index_range gives, built from field_postings() one article at a time."""
    out, sums = [{}, {}, {}], [0, 0, 0]
    for num, d in items:
        for f, text in enumerate(field_texts(d)):
            n, terms, payloads = field_postings(text)
            sums[f] += n
            for term, payload in zip(terms, payloads):
                prev = out[f].get(term)
                gap = encode_varint(num + 1 if prev is None else num - prev[1])
                out[f][term] = (num if prev is None else prev[0], num, (prev[2] if prev else "") + gap + payload)
    return out, sums


@pytest.mark.parametrize("span", [1, 2, 1 << 16, (1 << 16) + 1, 1 << 32, 3 ** 30])
def test_radix_order_is_a_stable_sort(span):
    rng = np.random.default_rng(span % 1000)
    # many repeats (stability shows) and both ends of the range
    values = np.concatenate((rng.integers(0, span, 5000), rng.integers(0, min(span, 7), 5000), [0, span - 1]))
    order = search_module._radix_order(values, span)
    assert np.array_equal(order, np.argsort(values, kind="stable"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(ALPHABET, max_size=30), st.text(ALPHABET, max_size=200), st.integers(0, 3)),
                min_size=1, max_size=12))
def test_run_indexing_matches_field_postings(articles):
    docs = [doc(i, title, text, date=f"2025-06-2{day}", people=(title[:3],), tags=(text[-2:],))
            for i, (title, text, day) in enumerate(articles)]
    items = number_docs(docs)
    expected = postings_article_by_article(items)
    assert search_module._index_range(items) == expected
    digit, table = search_module._DIGIT_BITS, search_module._PAIR_TABLE
    try:
        search_module._DIGIT_BITS = 2  # a radix sort of several passes, as for terms of many characters
        search_module._PAIR_TABLE = 0  # and the path for runs with too many distinct characters for a table of pairs
        assert search_module._index_range(items) == expected
    finally:
        search_module._DIGIT_BITS, search_module._PAIR_TABLE = digit, table


def chunks_term_by_term(items, n_buckets):
    """What search.index_chunks gives: postings_article_by_article() rendered into chunks
    term by term, and each term's last number per field."""
    fields, sums = postings_article_by_article(items)
    postings, last = {}, {}
    for f, found in enumerate(fields):
        for term, (_, end, text) in found.items():
            postings.setdefault(term, ["", "", ""])[f] = text
            last.setdefault(term, [-1, -1, -1])[f] = end
    by_path = {}
    for term, strings in postings.items():
        by_path.setdefault(search_module.chunk_path(term, n_buckets), {})[term] = strings
    return {path: search_module._chunk_json(terms) for path, terms in by_path.items()}, last, sums


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(st.one_of(ALPHABET, st.sampled_from("𠀀𠀁𪚥龥")), max_size=30),
                          st.text(st.one_of(ALPHABET, st.sampled_from("𠀀𠀁𪚥龥")), max_size=200), st.integers(0, 3)),
                min_size=1, max_size=12), st.integers(1, 5), st.sampled_from([1, 3, 64]), st.sampled_from([1, 2]))
def test_chunks_built_in_bulk_match_those_built_term_by_term(articles, run, n_buckets, processes):
    docs = [doc(i, title, text, date=f"2025-06-2{day}", people=(title[:3],), tags=(text[-2:],))
            for i, (title, text, day) in enumerate(articles)]
    items = number_docs(docs)
    expected = chunks_term_by_term(items, n_buckets)
    assert search_module.index_chunks(items, n_buckets, processes=processes, run=run)[:3] == expected
    packed, merge_packed, batch = (search_module._PACKED_LIMIT, search_module._MERGE_PACKED_LIMIT,
                                   search_module._BATCH_BYTES)
    try:
        # the paths for more distinct characters than base k + 1 keys can hold
        search_module._PACKED_LIMIT = search_module._MERGE_PACKED_LIMIT = 0
        search_module._BATCH_BYTES = 1  # a batch for every chunk
        assert search_module.index_chunks(items, n_buckets, processes=1, run=run)[:3] == expected
    finally:
        search_module._PACKED_LIMIT, search_module._MERGE_PACKED_LIMIT, search_module._BATCH_BYTES = \
            packed, merge_packed, batch
    # the newest day's cut-back information, as appending that day to the others gives it
    newest = search_module._day_start(items[-1][0])
    older = [item for item in items if item[0] < newest]
    chunks, last, sums = chunks_term_by_term(older, n_buckets) if older else ({}, {}, [0, 0, 0])
    appended = search_module._update({"chunks": chunks, "last": last, "sums": sums, "base": -1},
                                     [item for item in items if item[0] >= newest], False, newest, n_buckets, {})
    found = search_module.index_chunks(items, n_buckets, processes=processes, run=run, newest=newest)
    assert found[:5] == appended
    # and the newest day's tokens, which the cache keeps
    assert found[5] == {num: [field_postings(t) for t in field_texts(d)]
                        for num, d in items if num >= newest}


def test_merge_sorts_by_one_unsigned_number_past_63_bits():
    """An archive of more distinct characters than GB 2312's 6,763 (8,500, as in the 通用规范
    汉字表's 8,105 and more): with 2,048 chunks merged as one part, the number of chunk and term
    needs the 64th bit, and the merge still sorts by it (not by np.unique), giving the chunks
    that term-by-term rendering gives."""
    chars = [chr(0x4E00 + i) for i in range(8_500)]
    texts = ["".join(chars[i::4]) + "，" + "".join(chars[i:i + 40]) for i in range(4)]
    items = number_docs([doc(i, f"标题{i}", text, date=f"2025-06-2{i}") for i, text in enumerate(texts)])
    n_buckets = 2_048
    span = (8_500 + 1) ** 4   # at least: the words come before the Han terms' numbers
    assert (1 << 63) < n_buckets * span <= search_module._MERGE_PACKED_LIMIT
    called = []
    real_unique = np.unique
    try:
        search_module.np.unique = lambda *a, **k: called.append(1) or real_unique(*a, **k)
        found = search_module.index_chunks(items, n_buckets, processes=1, run=2)
    finally:
        search_module.np.unique = real_unique
    assert not called
    assert found[:3] == chunks_term_by_term(items, n_buckets)


@pytest.mark.parametrize("n_articles", [300, 10_000, 100_000])
def test_packed_merge_characters_is_the_most_the_widest_part_holds(n_articles):
    bounds = search_module.merge_bounds(n_articles, search_module.bucket_count(n_articles), 2)
    widest = max(b - a for a, b in zip(bounds, bounds[1:]))
    k = search_module.packed_merge_characters(n_articles)
    assert widest * (k + 1) ** 4 <= search_module._MERGE_PACKED_LIMIT < widest * (k + 2) ** 4
    assert k >= 8_105   # the 通用规范汉字表's characters, and more


@pytest.mark.parametrize("part_articles", [6250, 5, 7])
def test_chunks_built_in_forked_processes_match_those_built_term_by_term(monkeypatch, part_articles):
    """Forked processes merge the chunks in parts (one per _PART_ARTICLES articles, rounded up
    to whole rounds of the processes), each reading its part of every saved run; in more parts
    than processes too."""
    monkeypatch.setattr(search_module, "_PART_ARTICLES", part_articles)
    items = number_docs(DOCS * 3)
    newest = search_module._day_start(items[-1][0])
    found = search_module.index_chunks(items, 16, processes=2, run=4, newest=newest)
    assert found[:3] == chunks_term_by_term(items, 16)
    assert found == search_module.index_chunks(items, 16, processes=1, run=4, newest=newest)
    parts = -(-len(items) // part_articles)
    assert len(found[1].shards) == min(16, parts + parts % 2)  # one a part (each has Han terms)


@pytest.mark.parametrize("enabled", [True, False])
def test_index_build_runs_without_the_collector_and_leaves_it_as_it_was(monkeypatch, enabled):
    import gc

    seen = []
    real = search_module._build_search_files
    monkeypatch.setattr(search_module, "_build_search_files", lambda *a: seen.append(gc.isenabled()) or real(*a))
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert search_module.build_search_files(DOCS) == real(DOCS)
        assert seen == [False] and gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_without_usable_temporary_files_the_index_is_built_in_this_process(tmp_path, monkeypatch):
    """Forked processes hand the runs and the merged chunks over through temporary files; a
    build with no temporary folder, or one that fills up while either is written, indexes
    everything in its own process instead, and gets the same chunks."""
    items = number_docs(DOCS * 3)
    expected = search_module.index_chunks(items, 16, processes=1, run=4)
    here = []
    real_here = search_module._index_here
    monkeypatch.setattr(search_module, "_index_here", lambda *a: here.append(1) or real_here(*a))
    assert search_module.index_chunks(items, 16, processes=2, run=4) == expected
    assert here == []  # forked, with a temporary folder
    monkeypatch.setattr(search_module.tempfile, "tempdir", str(tmp_path / "missing"))
    assert search_module.index_chunks(items, 16, processes=2, run=4) == expected
    assert here == [1]
    monkeypatch.setattr(search_module.tempfile, "tempdir", None)

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    real_open = open

    def open_but_chunks(path, *args, **kwargs):
        if str(path).endswith(".chunks"):
            no_space()
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(search_module, "open", open_but_chunks, raising=False)
    assert search_module.index_chunks(items, 16, processes=2, run=4) == expected
    assert here == [1, 1]
    monkeypatch.setattr(search_module.pickle, "dump", no_space)
    assert search_module.index_chunks(items, 16, processes=2, run=4) == expected
    assert here == [1, 1, 1]


def test_a_sink_takes_each_chunk_and_only_keys_are_held(tmp_path):
    """With a sink, the chunks go to it as they are made, in the process that made them (here,
    a forked one writing files), and index_chunks keeps only their keys."""
    items = number_docs(DOCS * 3)
    expected, *rest = search_module.index_chunks(items, 16, processes=1, run=4)
    for processes in (1, 2):
        folder = tmp_path / str(processes)
        folder.mkdir()

        def sink(path, data):
            Path(folder, path.replace("/", "_")).write_bytes(data)
            return f"key-{len(data)}"

        chunks, *found = search_module.index_chunks(items, 16, processes=processes, run=4, sink=sink)
        assert found == rest
        assert isinstance(chunks, search_module.OutputChunks) and not chunks.held
        assert chunks.kept() == {path: f"key-{len(data)}" for path, data in expected.items()}
        assert {path: Path(folder, path.replace("/", "_")).read_bytes() for path in expected} == expected
        with pytest.raises(KeyError):
            chunks[next(iter(expected))]  # nothing to read them from


TERMS = st.one_of(st.text(st.sampled_from("志愿服务𠀀"), min_size=1, max_size=5), st.sampled_from(["wi", "fi", "2025"]))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(TERMS, st.lists(st.integers(-1, 99), min_size=3, max_size=3)),
       st.lists(st.tuples(st.sampled_from(["get", "set", "pop"]), TERMS, st.integers(-1, 99))))
def test_last_numbers_behave_as_a_dict(start, ops):
    han = sorted(t for t in start if len(t) <= 4 and t.isalpha() and not t.isascii())
    shards = [(np.array(names, dtype="<U4"), np.array([start[t] for t in names], dtype=np.int32).reshape(-1, 3))
              for names in (han[::2], han[1::2])]  # two sorted shards, as two processes' merges give
    last = search_module.LastNumbers(shards, {t: v for t, v in start.items() if t not in han})
    expected = dict(start)
    for op, term, n in ops:
        if op == "get":
            assert last.get(term, "none") == expected.get(term, "none") and (term in last) == (term in expected)
        elif op == "set":
            last[term] = expected[term] = [n, n, -1]
        else:
            assert last.pop(term, None) == expected.pop(term, None)
    assert last == expected and len(last) == len(expected) and sorted(last) == sorted(expected)
    assert last.subset([*start, *(term for _, term, _ in ops)]) == expected


@pytest.mark.parametrize("recent_bytes", [search_module.RECENT_BYTES, 200])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.text(st.one_of(ALPHABET, st.sampled_from("𠀀𪚥")), max_size=30),
                          st.text(st.one_of(ALPHABET, st.sampled_from("𠀀𪚥")), max_size=200), st.integers(0, 3)),
                max_size=12))
def test_newest_months_chunks_hold_its_terms_by_hash(monkeypatch, recent_bytes, articles):
    """recent_chunks joins the month's pieces into its chunks: the same bytes as the terms'
    postings put into chunks term by term, in the order of their pieces and then of the terms,
    and as many chunks as keep them at RECENT_BYTES or less on average."""
    monkeypatch.setattr(search_module, "RECENT_BYTES", recent_bytes)   # 200: more than one chunk
    docs = [doc(i, title, text, date=f"2025-06-2{day}", people=(title[:3],), tags=(text[-2:],))
            for i, (title, text, day) in enumerate(articles)]
    items = number_docs(docs)
    chunks, sums, n = search_module.recent_chunks(items)
    if not items:
        assert (chunks, n) == ({}, 0)
        return
    fields, expected_sums = postings_article_by_article(items)
    buckets = [{} for _ in range(n)]
    for f, found in enumerate(fields):
        for term, (_, _, text) in found.items():
            buckets[fnv1a(term) % n].setdefault(term, ["", "", ""])[f] = text
    assert sums == expected_sums

    def entries(terms: dict) -> list[str]:
        by_piece = sorted(terms.items(), key=lambda item: (fnv1a(item[0]) % search_module.RECENT_PIECES, item[0]))
        return [f'"{t}":["{a}","{b}","{c}"]' for t, (a, b, c) in by_piece]

    assert chunks == {search_module.chunk_file(i, n, "r"): ("{" + ",".join(entries(terms)) + "}").encode()
                      for i, terms in enumerate(buckets)}
    whole = len(("{" + ",".join(e for terms in buckets for e in entries(terms)) + "}").encode())
    assert n == 1 or (n // 2) * recent_bytes < whole <= n * recent_bytes


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=20))   # of many lengths, up to 160 bytes
def test_strings_hashed_in_bulk_are_fnv1a(texts):
    assert search_module.fnv1a_many(texts).tolist() == [fnv1a(t) for t in texts]


@pytest.mark.parametrize("terms", [["志", "志愿", "志愿服务", "〇一", "\uf900", "\uffff\u0800"],  # three UTF-8 bytes each
                                   ["志", "志愿服务", "𠀀", "𠀀𠀁𪚥龥", "〇一"]])
def test_term_hashes_in_bulk_are_fnv1a(terms):
    cps = np.zeros((len(terms), 4), dtype=np.uint32)
    for i, t in enumerate(terms):
        cps[i, : len(t)] = [ord(c) for c in t]
    assert search_module._fnv1a_rows(cps).tolist() == [fnv1a(t) for t in terms]
    data, lens = search_module._utf8_rows(cps)
    assert data.tobytes() == "".join(terms).encode("utf-8") and lens.tolist() == [len(t.encode()) for t in terms]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(min_codepoint=0x800, max_codepoint=0xFFFF, exclude_categories=("Cs",)),
                        min_size=1, max_size=4), max_size=30),
       st.lists(st.text(min_size=1, max_size=4), max_size=3))
def test_term_hashes_in_bulk_are_fnv1a_for_any_terms(bmp, other):
    """Rows of three-byte characters only are hashed from their code points, others through
    their UTF-8; both must be fnv1a()."""
    for terms in (bmp, bmp + other):
        terms = [t for t in terms if "\0" not in t]
        cps = np.zeros((len(terms), 4), dtype=np.uint32)
        for i, t in enumerate(terms):
            cps[i, : len(t)] = [ord(c) for c in t]
        assert search_module._fnv1a_rows(cps).tolist() == [fnv1a(t) for t in terms]


@settings(max_examples=200, deadline=None)
@given(st.text(st.one_of(ALPHABET, st.characters(min_codepoint=0x2000, max_codepoint=0x206F),
                         st.characters(min_codepoint=0xFE10, max_codepoint=0xFFEF),
                         st.sampled_from("\u0301\u0308\u3099\u309a\u3000…‥"))))
def test_normalize_is_nfkc_then_lower_case(text):
    assert search_module.normalize(text) == unicodedata.normalize("NFKC", text).lower()


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.one_of(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40), min_size=1),
                                 st.from_regex("[0-9a-zßé]+", fullmatch=True)),
                       st.lists(st.text("0123456789abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_"),
                                min_size=3, max_size=3)))
def test_chunks_written_directly_are_the_json_of_their_terms(terms):
    assert search_module._chunk_json(terms) == search_module._json(dict(sorted(terms.items())))


FIELD_TEXT = st.text("0123456789abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_", max_size=4)
CHUNK_TERMS = st.one_of(st.text(st.sampled_from("志愿服务𠀀"), min_size=1, max_size=4), st.from_regex("[0-9a-zé]{1,5}", fullmatch=True))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(CHUNK_TERMS, st.lists(FIELD_TEXT, min_size=3, max_size=3).filter(any)),
       st.dictionaries(CHUNK_TERMS, st.lists(FIELD_TEXT, min_size=3, max_size=3)))
def test_appending_to_a_chunk_gives_the_chunk_of_the_joined_terms(terms, more):
    data = search_module._chunk_json(terms) if terms else b"{}"
    joined = {t: list(v) for t, v in terms.items()}
    for t, extra in more.items():
        if any(extra):
            joined[t] = [a + b for a, b in zip(joined.get(t, ["", "", ""]), extra)]
    new, _ = search_module._edit_chunk(data, [(t, None, extra) for t, extra in more.items()])
    assert new == (search_module._chunk_json(joined) if joined else b"{}")


def test_code_tables_are_the_codes_encode_gives():
    enc = search_module._encode
    assert search_module._CODES == [enc(n) for n in range(1 << 16)]
    assert all(encode_varint(n) == enc(n) for n in range(0, 1 << 32, 65521))
    # the leading part of a wider number's code: the last digit a continuation digit
    cont = dict(zip(search_module.LAST, search_module.CONT))
    assert all(search_module._HIGH[m] == enc(m)[:-1] + cont[enc(m)[-1]] for m in range(1 << 16))


@pytest.mark.parametrize("n", [0, 1, 31, 32, 1023, 1024, 40000, 65535, 65536, 20_000_000, 2**31 - 1, 2**31])
def test_varints_round_trip(n):
    assert decode_varints(encode_varint(n) + encode_varint(7)) == [n, 7]


@given(st.lists(st.text(st.one_of(ALPHABET, st.sampled_from("\x00\x01 ，。（）ＡＢ１ｶﾞ〇𠀀﨑Éé…\n")), max_size=40), max_size=6))
def test_units_of_a_run_at_once_match_those_of_each_text(texts):
    u, lens, words = search_module._units_array(texts)
    each = [search_module._units(t) for t in texts]
    assert u.tobytes().decode("utf-32-le") == "\x01" + "\x01".join(t for t, _ in each) + "\x01"
    assert lens.tolist() == [len(t) for t, _ in each]
    assert words == [w for _, ws in each for w in ws]


@given(st.lists(st.integers(0, 2**35 - 1) | st.integers(0, 40_000), max_size=60), st.sampled_from([np.int32, np.int64]))
def test_varints_in_bulk_match_one_by_one(values, dtype):
    values = [v for v in values if v < 2**31] if dtype is np.int32 else values
    out, widths, starts = search_module._varint_bytes(np.array(values, dtype=dtype))
    codes = [encode_varint(v) for v in values]
    assert out.tobytes().decode("ascii") == "".join(codes)
    assert widths.tolist() == [len(c) for c in codes]
    assert starts.tolist() == [sum(map(len, codes[:i])) for i in range(len(codes))]


@given(st.lists(st.integers(0, 40_000), min_size=1, max_size=300),
       st.lists(st.tuples(st.integers(0, 10**6), st.integers(2**15, 2**35 - 1)), max_size=20))
def test_varints_with_a_few_wide_ones_match_one_by_one(small, wide):
    # fewer than one value in eight wider than four digits: their first digits are inserted
    values = list(small)
    for at, value in wide[: len(small) // 8]:
        values.insert(at % (len(values) + 1), value)
    out, widths, starts = search_module._varint_bytes(np.array(values, dtype=np.int64))
    codes = [encode_varint(v) for v in values]
    assert out.tobytes().decode("ascii") == "".join(codes)
    assert widths.tolist() == [len(c) for c in codes]
    assert starts.tolist() == [sum(map(len, codes[:i])) for i in range(len(codes))]


POSTING = st.tuples(st.integers(1, 70_000), st.integers(0, 3000), st.lists(st.integers(0, 40_000), max_size=4))


@given(st.lists(POSTING, max_size=12), st.booleans(), st.integers(-1, 300_000), st.integers(0, 12))
def test_walks_over_short_and_long_strings_agree(postings, single, num, skip):
    """_find_posting decodes a short rest of a string in Python, a longer one with numpy."""
    head = 4 if single else 3
    pieces, total = [], -1
    for gap, length, rest in postings:  # gap, field length, count, then count values (with a frequency first)
        total += gap
        values = [gap, length, *([len(rest) + length % 3] if single else []), len(rest), *rest]  # frequency ≥ count
        pieces.append("".join(map(encode_varint, values)))
    text = "".join(pieces)
    skip = min(skip, len(pieces))
    at = sum(map(len, pieces[:skip]))
    prev = sum(g for g, _, _ in postings[:skip]) - 1
    short = search_module._find_posting_short(text, num, head, at, prev)
    default, search_module._WALK_WINDOW = search_module._WALK_WINDOW, 1  # numpy, window by window
    try:
        assert search_module._find_posting(text, num, single, at, prev) == short
    finally:
        search_module._WALK_WINDOW = default
    walk = short[3] is not None and text[short[0]:short[1]]
    assert short[3] is None or decode_varints(walk) == [short[3] - short[2]]


def test_fnv1a_matches_js():
    out = subprocess.run(
        [NODE or "node", "-e", "global.lunr=require('./node_modules/lunr');"
         "const S=require('./assets/search-worker.js');"
         "console.log(JSON.stringify(['志愿','a','𠀀'].map(S.fnv1a)))"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    assert json.loads(out.stdout) == [fnv1a(t) for t in ["志愿", "a", "𠀀"]]


def search_site(docs, root: Path) -> Path:
    """Write the search files of `docs` under root (as a site holds them); return root."""
    for dest, data in build_search_files(docs).items():
        path = root / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return search_site(DOCS, tmp_path_factory.mktemp("search-site"))


def search(site, queries):
    reqs = [[q, {}] if isinstance(q, str) else q for q in queries]
    return run_node({"cmd": "search", "site": str(site), "queries": reqs, "page": True})


def ids(result):
    numbers = doc_numbers(DOCS)
    return sorted(numbers[n].id for n, _ in result["hits"])


def containing(s):
    """Ground truth by scanning: articles with the normalised string inside one field."""
    s = unicodedata.normalize("NFKC", s).lower()
    return sorted(
        d.id for d in DOCS if any(s in unicodedata.normalize("NFKC", t).lower() for t in field_texts(d))
    )


def test_adjacency_far_apart_bigrams_do_not_match(site):
    (r,) = search(site, ["志愿服务"])
    assert ids(r) == containing("志愿服务") == ["2025-06-24-03-a1"]


def test_a_trigram_of_rarer_characters_keeps_its_run_ends_apart(tmp_path):
    """案促改 (案 is not a frequent character) lists every position, its run ends flagged: a
    query that puts it before a separator matches only where it ends a Han run, and a longer
    phrase finds it anywhere."""
    docs = [doc(1, "一", "学习以案促改，以此为戒。"), doc(2, "二", "推动案促改革以。"), doc(3, "三", "以案促改")]
    root = search_site(docs, tmp_path)
    assert "案促改" not in search_module._FREQUENT and not set("案促改") <= search_module._FREQUENT
    hits = [sorted(n for n, _ in r["hits"]) for r in run_node(
        {"cmd": "search", "site": str(root), "queries": [["案促改，以", {}], ["案促改革以", {}], ["案促改", {}]]})]
    numbers = {d.id: n for n, d in number_docs(docs)}
    assert hits == [[numbers[docs[0].id]], [numbers[docs[1].id]], sorted(numbers.values())]


def test_frequent_characters_are_the_seed_pages_then_general_chinese_and_the_same_in_the_browser(monkeypatch):
    """FREQUENT: the 200 most frequent Han characters of bench/data/seeds, then general
    Chinese's (bench/frequent_chars.py; its dictionary is fetched, so only the rule is checked
    for that part)."""
    from collections import Counter

    root = Path(__file__).resolve().parent.parent
    monkeypatch.syspath_prepend(str(root / "bench"))
    import frequent_chars

    chars = search_module.FREQUENT
    assert chars[:200] == "".join(frequent_chars.top(frequent_chars.seed_counts(frequent_chars.SEEDS), 200))
    assert len(set(chars)) == len(chars) <= 400 and all(search_module._CLASS[ord(c)] == 2 for c in chars)
    general = frequent_chars.dictionary_counts("中国 5 n\n国家 3 n\n的 9 uj\nWi-Fi 7 eng\n")
    assert general == Counter({"的": 9, "国": 8, "中": 5, "家": 3})
    assert frequent_chars.frequent(Counter({"的": 3, "社": 2}), general) == "的社国中家"
    worker = (root / "assets" / "search-worker.js").read_text(encoding="utf-8")
    assert f"var FREQUENT = new Set(Array.from('{chars}'));" in worker


@pytest.mark.parametrize("q, terms", [("社区治理", ["社区治理"]),
                                      ("以案为鉴、以案促改", ["以案为", "案为鉴", "以案促", "案促改"]),   # 案, 鉴, 促, 改: not frequent
                                      ("葫芦岛社区", ["葫芦岛", "岛社区"]), ("2025年", ["2025", "年"]),
                                      ("社区", ["社区"]), ("健步走", ["健步走"]), ("2025年健步走", ["2025", "年健步走"])])
def test_queries_fetch_only_the_chunks_of_their_cover(site, q, terms):
    """A phrase of four or more Han characters is looked up by 4-grams next to frequent
    characters and trigrams of rarer ones, never by the long lists of the common trigrams,
    bigrams and characters inside it."""
    from ycarchive.search import bucket_count, chunk_path, recent_chunks, recent_start
    (r,) = search(site, [q])
    fetched = {p for p in r["fetched"] if p.startswith("search/t/")}
    assert fetched == {chunk_path(t, bucket_count(len(DOCS))) for t in terms}
    numbered = number_docs(DOCS)
    n_recent = recent_chunks([x for x in numbered if x[0] >= recent_start(numbered)])[2]
    assert n_recent and {p for p in r["fetched"] if p.startswith("search/r/")} == {chunk_path(t, n_recent, "r") for t in terms}
    assert ids(r) == containing(q)


@pytest.mark.parametrize("q", ["志愿", "服务", "社区治理", "健步走", "党", "葫芦岛社区", "以案为鉴、以案促改", "5g", "2025年",
                               "小板凳”议事会", "治理，葫芦岛", "岛社区探索“小板"])
def test_results_equal_ground_truth(site, q):
    (r,) = search(site, [q])
    assert ids(r) == containing(q)
    assert r["partial"] is False


def test_terms_must_all_match_and_syntax_works(site):
    both, minus, field = search(site, ["服务 党员", "志愿 -服务", "title:志愿"])
    assert ids(both) == sorted(set(containing("服务")) & set(containing("党员")))
    assert ids(minus) == sorted(set(containing("志愿")) - set(containing("服务")))
    assert ids(field) == sorted(d.id for d in DOCS if "志愿" in d.title)


def test_filters(site):
    county, year, person = search(
        site, [["社区", {"county": "河津市"}], ["社区", {"year": "2025"}], ["社区", {"person": "刘凯华"}]]
    )
    ordered = DOCS
    has = set(containing("社区"))
    assert ids(county) == sorted(d.id for d in ordered if d.id in has and "河津市" in d.counties)
    assert ids(year) == sorted(d.id for d in ordered if d.id in has and d.date.startswith("2025"))
    assert ids(person) == sorted(d.id for d in ordered if d.id in has and "刘凯华" in d.people)


def test_page_items_have_highlights(site):
    (r,) = search(site, ["志愿服务"])
    (item,) = r["items"]
    ex = item["excerpt"]
    assert [ex["text"][a:b] for a, b in ex["marks"]] == ["志愿服务", "志愿服务"]
    assert [item["title"]["text"][a:b] for a, b in item["title"]["marks"]] == ["志愿服务"]


def lunr_py_scores(docs, queries):
    """Scores of one ordinary lunr.py index over the same tokens (empty pipelines)."""
    builder = Builder()
    builder.ref("ref")
    for f in FIELDS:
        builder.field(f)
    for n, d in number_docs(docs):
        builder.add({"ref": str(n), **{f: [t for t, _ in tokenize(text)] for f, text in zip(FIELDS, field_texts(d))}})
    index = builder.build()
    out = []
    for terms in queries:
        q = index.create_query()
        for t in terms:
            q.term(t, use_pipeline=False, presence=QueryPresence.REQUIRED)
        out.append([(r["ref"], r["score"]) for r in index.query(q)])
    return out


def lunr_js_scores(docs, queries):
    payload = [
        {"ref": str(n), **{f: [t for t, _ in tokenize(text)] for f, text in zip(FIELDS, field_texts(d))}}
        for n, d in number_docs(docs)
    ]
    return run_node({"cmd": "lunrjs", "fields": list(FIELDS), "docs": payload, "queries": queries})


def ranked(pairs):
    return [(ref, pytest.approx(score, rel=1e-9, abs=1e-12)) for ref, score in pairs]


@pytest.mark.parametrize("q, terms", [("社区", ["社区"]), ("志愿", ["志愿"]), ("党", ["党"]),
                                      ("服务 党员", ["服务", "党员"]), ("健步走", ["健步走"]),
                                      ("社区治理", ["社区治理"]), ("葫芦岛社区", ["葫芦岛社", "芦岛社区"])])
def test_scores_equal_single_lunr_index(site, q, terms):
    (ours,) = search(site, [q])
    keep = {str(n) for n, _ in ours["hits"]}
    (py,) = lunr_py_scores(DOCS, [terms])
    (js,) = lunr_js_scores(DOCS, [terms])
    got = [(str(n), s) for n, s in ours["hits"]]
    assert got == ranked([p for p in js if p[0] in keep])
    assert got == ranked([p for p in py if p[0] in keep])


@pytest.fixture(scope="module")
def alike(tmp_path_factory):
    """300 articles made of the fixture's sentences, many of them the same (equal scores)."""
    import random

    rng = random.Random(5)
    sentences = [s for d in DOCS for s in d.text.split("。") if s]
    docs = [doc(n, rng.choice(["社区新风", "党建引领", "志愿服务"]),
                "。".join(rng.choice(sentences) for _ in range(rng.randint(1, 3))) + "。",
                date=f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}") for n in range(1, 301)]
    return docs, search_site(docs, tmp_path_factory.mktemp("search-alike"))


@pytest.mark.parametrize("q, terms", [("社区", ["社区"]), ("党", ["党"]), ("志愿 服务", ["志愿", "服务"]),
                                      ("引领", ["引领"])])
def test_scoring_in_batches_gives_lunr_order_and_scores(alike, q, terms):
    """The worker scores a common term's articles a batch at a time; the results, ties included,
    are in the order and have the scores of one lunr.js index of every article."""
    docs, root = alike
    results = [run_node({"cmd": "search", "site": str(root), "queries": [[q, {}]], "batch": batch})[0]["hits"]
               for batch in (None, 7, 1)]
    assert results[0] == results[1] == results[2]
    got = [(str(n), s) for n, s in results[0]]
    scores = [s for _, s in got]
    assert len(got) > 20 and len(set(scores)) < len(scores)   # many results, and ties among them
    keep = {ref for ref, _ in got}
    (js,) = lunr_js_scores(docs, [terms])
    assert got == ranked([p for p in js if p[0] in keep])


def test_scoring_in_batches_with_fields_and_exclusions(alike):
    docs, root = alike
    queries = [["title:党建 社区", {}], ["党员 -社区", {}], ["社区^3 党员", {}], ["党", {"year": "2024"}]]
    full, small = (run_node({"cmd": "search", "site": str(root), "queries": queries, "batch": batch})
                   for batch in (None, 3))
    assert [r["hits"] for r in full] == [r["hits"] for r in small]
    assert all(r["hits"] for r in full)


def own_chunks(d, n_docs):
    from ycarchive.search import chunk_path, bucket_count
    return {chunk_path(t, bucket_count(n_docs)) for text in field_texts(d) for t in field_postings(text)[1]}


def record_path(docs, d):
    return next(f"search/d/{n}.json" for n, x in number_docs(docs) if x.id == d.id)


def assert_only_own_files_changed(before: dict, after: dict, docs, d) -> None:
    """Between two builds, which differ by article `d` (in `docs`, the larger article list),
    only d's record changed among the records, and only chunks holding d's terms."""
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert {k for k in changed if k.startswith("search/d/")} == {record_path(docs, d)}
    assert {k for k in changed if k.startswith("search/t/")} <= own_chunks(d, len(docs))


def test_output_is_deterministic_and_append_changes_few_files():
    first = build_search_files(DOCS)
    assert build_search_files(list(reversed(DOCS))) == first
    new = doc(99, "新文章", "全新的健步走活动", date="2026-01-01")
    after = build_search_files(DOCS + [new])
    changed = {k for k in first.keys() | after.keys() if first.get(k) != after.get(k)}
    assert {k for k in changed if k.startswith("search/d/")} == {record_path(DOCS + [new], new)}
    # a new month: the month before (June 2025) joins the older articles' chunks, and only its terms' change
    moved = [d for d in DOCS if d.date.startswith("2025-06")]
    older = {k for k in changed if k.startswith("search/t/")}
    assert moved and older and older <= set().union(*(own_chunks(d, len(DOCS) + 1) for d in moved))


def test_an_article_added_to_the_newest_month_changes_only_that_months_chunks(full_builds):
    """The newest month (June 2025 in DOCS) is indexed apart: an article added to it, edited or
    deleted changes none of the older articles' chunks. When a new month begins, the month
    before is appended to the older articles' index, not indexed again with them."""
    cache: dict = {}
    first = build_search_files(DOCS, cache)
    new = doc(99, "新文章", "全新的健步走活动，志愿服务。", date="2025-06-25")
    for docs in (DOCS + [new], DOCS + [replace(new, text="改过的健步走活动")], DOCS):
        before = len(full_builds)
        files = build_search_files(docs, cache)
        assert len(full_builds) == before
        assert files == build_search_files(docs)
        changed = {k for k in first.keys() | files.keys() if first.get(k) != files.get(k)}
        assert not any(k.startswith("search/t/") for k in changed)
        assert any(k.startswith("search/r/") for k in changed) is (docs != DOCS)
    july = doc(98, "七月", "七月的第一篇报道。", date="2025-07-01")
    before = len(full_builds)
    files = build_search_files(DOCS + [july], cache)
    assert len(full_builds) == before and files == build_search_files(DOCS + [july])
    assert json.loads(files["search/meta.json"])["recentChunks"] == 1  # a few terms: one chunk
    assert set(json.loads(files["search/r/0.json"])) == {t for text in field_texts(july) for t in field_postings(text)[1]}
    # the 4-grams indexed are those next to a trigram of frequent characters
    left_out = {t for text in field_texts(july) for t, _ in tokenize(text)} - set(json.loads(files["search/r/0.json"]))
    frequent = search_module._FREQUENT
    assert left_out == {"第一篇报", "一篇报道", "理示范区"}   # 篇 and 范 are not frequent
    kept = [t for t in json.loads(files["search/r/0.json"]) if len(t) == 4]
    assert kept and all(set(g[:3]) <= frequent or set(g[1:]) <= frequent for g in kept)
    assert not any(set(g[:3]) <= frequent or set(g[1:]) <= frequent for g in left_out)


def test_article_numbers_are_stable():
    before = {d.id: n for n, d in number_docs(DOCS)}
    old = doc(98, "旧文章", "补录的旧报道", date="2001-05-05")
    after = {d.id: n for n, d in number_docs(DOCS[1:] + [old])}
    assert all(after[i] == n for i, n in before.items() if i in after)


def test_deleting_or_backfilling_changes_only_own_files():
    full = build_search_files(DOCS)
    gone = DOCS[3]
    assert_only_own_files_changed(full, build_search_files(DOCS[:3] + DOCS[4:]), DOCS, gone)
    old = doc(98, "旧文章", "补录的旧报道健步走", date="2001-05-05")
    assert_only_own_files_changed(full, build_search_files(DOCS + [old]), DOCS + [old], old)


def test_incremental_builds_give_the_bytes_of_a_clean_build():
    cache: dict = {}
    steps = [
        DOCS[:5],
        DOCS[:5] + [doc(90, "新一天", "新的一天，志愿服务 2026年继续。", date="2026-02-01")],
        DOCS[:5] + [doc(90, "新一天", "新的一天，志愿服务 2026年继续。", date="2026-02-01"),
                    doc(91, "同一天", "同一天的另一篇：健步走。", date="2026-02-01"),
                    doc(92, "再一天", "再一天，社区治理。", date="2026-02-02")],
        DOCS + [doc(92, "再一天", "再一天，社区治理。", date="2026-02-02")],  # backfill: clean path
        DOCS[1:] + [doc(92, "再一天", "再一天，社区治理，改过。", date="2026-02-02")],  # delete + edit
        DOCS[1:] + [doc(92, "再一天", "再一天，社区治理，改过。", date="2026-02-02"),
                    doc(93, "最新", "最新的报道", date="2026-03-01")],
    ]
    for docs in steps:
        assert build_search_files(docs, cache) == build_search_files(docs)


def test_a_cache_without_its_state_makes_only_the_changed_records_again(monkeypatch, full_builds):
    """With no index state to patch (cli.chunks_from_output drops it when the output's chunks are
    not the ones it was saved with) everything is indexed again, and the records, newest month
    and facets are made before that: the last build's records are kept but for a changed
    article's, and the files are those of a clean build."""
    cache: dict = {}
    build_search_files(DOCS + [LATER], cache)
    del cache["state"]
    edited = replace(DOCS[2], text="改过的报道：健步走。")
    made = []
    real = search_module.render_record
    monkeypatch.setattr(search_module, "render_record", lambda num, d: made.append(d.id) or real(num, d))
    before = len(full_builds)
    docs = DOCS[:2] + [edited] + DOCS[3:] + [LATER]
    files = build_search_files(docs, cache)
    assert len(full_builds) == before + 1 and made == [edited.id]
    assert files == build_search_files(docs)


@pytest.fixture
def full_builds(monkeypatch):
    """The number of times everything was indexed (index_chunks called) so far."""
    calls = []
    real = search_module.index_chunks
    monkeypatch.setattr(search_module, "index_chunks", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


# An article of a later month than any other here. The newest month is indexed apart, afresh in
# every build (search.recent_chunks); with this article, the days the tests change are in the
# older articles' index, whose patching they are about.
LATER = doc(7, "下月", "下个月的报道：志愿服务，健步走。", date="2027-01-15")


def build_twice(docs, cache, full_builds, later=True):
    """Build with the cache (with LATER added, if `later`), check the bytes against a clean
    build; return whether the cached build indexed everything again."""
    docs = [*docs, LATER] if later else docs
    before = len(full_builds)
    files = build_search_files(docs, cache)
    indexed_all = len(full_builds) > before
    clean: dict = {}
    assert files == build_search_files(docs, clean)
    for key in ("entries", "chunks", "last", "sums", "base", "tail", "base_sums"):  # the next build's starting point
        assert cache["state"][key] == clean["state"][key], key
    return indexed_all


def slot(d):
    return number_docs([d])[0][0] % 512


def test_changes_to_the_newest_day_are_patched(full_builds):
    day, next_day = "2026-02-01", "2026-02-02"
    today = [doc(n, f"今日{n}", f"今日第{n}篇：志愿服务，健步走 run{n}。", date=day) for n in (90, 91, 92)]
    low = next(n for n in range(100, 400) if slot(doc(n, "", "", date=day)) < min(map(slot, today)))
    added = doc(low, "新增", "新增一篇：龘龘 zzqx 志愿服务。", date=day)
    fixed = doc(low, "新增（改）", "新增一篇：龘 zzqx2 志愿。", date=day)
    tomorrow = doc(95, "次日", "次日的报道，社区治理。", date=next_day)
    cache: dict = {}
    steps = [
        ("clean", DOCS + today, True),
        ("add to the newest day, below its other articles", DOCS + today + [added], False),
        ("nothing changed", DOCS + today + [added], False),
        ("edit it", DOCS + today + [fixed], False),
        ("edit another one", DOCS + today[:2] + [doc(92, "今日92", "改过的稿子", date=day), fixed], False),
        ("delete one", DOCS + today[:2] + [fixed], False),
        ("delete the added one again", DOCS + today[:2], False),
        ("a new day", DOCS + today[:2] + [tomorrow], False),
        ("edit the new day", DOCS + today[:2] + [doc(95, "次日", "次日的报道，改。", date=next_day)], False),
        ("delete all of the newest day", DOCS + today[:2], False),
        ("edit the day that is newest again", DOCS + today[:1] + [added], False),
        ("delete all of it", DOCS, False),
        ("edit an older day", DOCS[:1] + [replace(DOCS[1], text="改过")] + DOCS[2:], False),
        ("add to an older day", DOCS + [doc(97, "旧", "补录的旧报道", date="2001-05-05")], False),
    ]
    for name, docs, indexes_all in steps:
        assert build_twice(docs, cache, full_builds) == indexes_all, name
    files = build_search_files(DOCS + today[:2] + [LATER], cache)
    assert not any(b"zzqx" in data or "龘".encode() in data for path, data in files.items() if "/t/" in path)


def test_changes_within_the_newest_day_are_spliced(full_builds, monkeypatch):
    """An article added among the newest day's others, edited or deleted is spliced in or out;
    the whole day is cut back and appended again only past SPLICE_LIMIT changes. (Cutting the
    day back for one article had been 2.3 s of adding one to 10,000: docs/performance.md.)"""
    cuts = []
    real = search_module._update
    monkeypatch.setattr(search_module, "_update", lambda state, todo, cut, *rest: cuts.append(cut) or real(
        state, todo, cut, *rest))
    day = "2026-02-01"
    today = sorted((doc(n, f"今日{n}", f"今日第{n}篇：志愿服务，健步走 run{n}。", date=day) for n in range(90, 96)),
                   key=slot)
    between = next(d for d in (doc(n, "插入", "插入一篇：龘龘 zzqx 志愿服务。", date=day) for n in range(100, 400))
                   if slot(today[1]) < slot(d) < slot(today[-2]))
    edited = [replace(d, text=d.text + "再改") for d in today[:-1]]  # two changes each
    below = (d for d in (doc(n, "多", f"同日多篇{n}，社区治理。", date=day) for n in range(400, 4000))
             if slot(d) < slot(today[-2]))  # among the day's others, not appended after them
    many = edited + [next(below) for _ in range(2 + search_module.SPLICE_LIMIT - 2 * len(edited))]  # one spare
    cache: dict = {}
    steps = [
        ("clean", DOCS + today, None),
        ("add one between the day's others", DOCS + today + [between], False),
        ("edit it", DOCS + today + [replace(between, text="插入一篇，改过：龘。")], False),
        ("edit the first and the last of the day", DOCS + [replace(today[0], text="第一篇改过"), *today[1:-1],
                                                          replace(today[-1], title="末篇改过"), between], False),
        ("delete the last of the day and the one added", DOCS + today[:-1], False),
        ("more than SPLICE_LIMIT at once: the day is cut back", DOCS + many, True),
    ]
    for name, docs, cut in steps:
        del cuts[:]
        assert build_twice(docs, cache, full_builds) is (cut is None), name
        if cut is not None:
            assert cuts[:1] == [cut], name
    files = build_search_files(DOCS + today[:-1] + [LATER], cache)
    assert not any(b"zzqx" in data or "龘".encode() in data for path, data in files.items() if "/t/" in path)


@pytest.mark.parametrize("change", ["older day", "newest day", "new day"])
def test_chunks_read_from_a_folder_and_missing_there_mean_indexing_everything(full_builds, tmp_path, change):
    """With the previous chunks in a folder (OutputChunks, as the build keeps them: the output),
    a change reads only those it touches; a chunk missing there is no error: everything is
    indexed again."""
    day = "2026-02-01"
    today = [doc(n, f"今日{n}", f"今日第{n}篇：志愿服务，健步走 run{n}。", date=day) for n in (90, 91, 92)]
    base = DOCS + today + [LATER]
    changed = {"older day": [replace(DOCS[2], text=DOCS[2].text + "改过")] + DOCS[:2] + DOCS[3:] + today + [LATER],
               "newest day": base + [doc(93, "今日新", "新增健步走", date=day)],
               "new day": base + [doc(94, "次日", "次日，志愿服务。", date="2026-02-02")]}[change]
    for missing in (False, True):
        cache: dict = {}
        files = build_search_files(base, cache)
        state = cache["state"]
        folder = tmp_path / str(missing)
        for path, data in state["chunks"].items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
        state["chunks"] = search_module.OutputChunks(str(folder), {path: "k" for path in state["chunks"]})
        if missing:
            shutil.rmtree(folder / "search")
        before = len(full_builds)
        new = build_search_files(changed, cache)
        indexed_all = len(full_builds) > before
        chunks = cache["state"]["chunks"]
        kept = chunks.kept() if isinstance(chunks, search_module.OutputChunks) else {}
        assert {**new, **{path: files[path] for path in kept}} == build_search_files(changed), (change, missing)
        assert indexed_all is missing, (change, missing)
        assert missing or chunks.held   # read from the folder


def test_a_copy_of_output_chunks_is_changed_apart_from_the_original(tmp_path):
    """A copy (the state of a build that may fail) and its original each keep their own
    changes, including files noted as put elsewhere (sunk)."""
    (tmp_path / "search" / "t").mkdir(parents=True)
    (tmp_path / "search" / "t" / "a.json").write_bytes(b"A")
    original = search_module.OutputChunks(str(tmp_path), {"search/t/a.json": "ka"})
    copy = original.copy()
    copy.sunk("search/t/b.json", "kb")
    copy["search/t/c.json"] = b"C"
    del copy["search/t/a.json"]
    assert (dict(original.items()), original.kept()) == ({"search/t/a.json": b"A"}, {})
    assert copy.kept() == {"search/t/b.json": "kb"}
    assert sorted(copy) == ["search/t/b.json", "search/t/c.json"]


def test_changes_to_older_days_are_spliced(full_builds):
    day = "2026-02-01"
    today = [doc(n, f"今日{n}", f"今日第{n}篇：志愿服务，健步走 run{n}。", date=day) for n in (90, 91, 92)]
    base = DOCS + today
    numbered = [d for _, d in number_docs(base)]
    first, middle, last_old = numbered[0], numbered[4], numbered[len(DOCS) - 1]
    ages = [x for x in base if x is not first] + [replace(first, text=first.text + "龘龘")]
    backfill = doc(97, "补录", "补录的旧报道：龘 qqzz 志愿服务。", date="2001-05-05", people=("新人",))
    cache: dict = {}
    steps = [
        ("clean", base, True),
        ("edit the body of one in the middle", [x if x is not middle else replace(x, text=x.text + "改过")
                                                for x in base], False),
        ("edit its title and people", [x if x is not middle else replace(x, title="新标题", people=("茹雅", "新人"))
                                       for x in base], False),
        ("edit the first article of every term's list", ages, False),
        ("a term gone entirely", base, False),
        ("edit the last older article", [x if x is not last_old else replace(x, text="健步走，改了。")
                                         for x in base], False),
        ("delete one", [x for x in base if x is not middle], False),
        ("backfill one before all others", [x for x in base if x is not middle] + [backfill], False),
        ("backfill into an existing day", base + [backfill, doc(96, "同日", "健步走 志愿服务", date=middle.date)], False),
        ("older and newest day changed together", [x for x in base if x is not middle and x is not today[0]]
         + [backfill, doc(93, "今日新", "新增健步走", date=day)], False),
        ("older day edited and a new day", base + [doc(94, "次日", "次日，志愿服务。", date="2026-02-02")], False),
        ("the newest day deleted, the day before edited, an older day edited",
         [replace(numbered[1], text="又改")] + [x for x in DOCS if x is not numbered[1]] + today[:2], False),
        ("too many older articles", [replace(x, text=x.text + "！") for x in DOCS] + today  # 2 changes an edit
         + [doc(200 + i, "多", f"多篇补录{i}", date=f"2000-01-{1 + i:02d}")
            for i in range(search_module.SPLICE_LIMIT - 2 * len(DOCS) + 1)], True),
    ]
    for name, docs, indexes_all in steps:
        assert build_twice(docs, cache, full_builds) == indexes_all, name
    files = build_search_files(base, cache)
    assert not any("龘".encode() in data or b"qqzz" in data for path, data in files.items() if "/t/" in path)


VOCAB = st.sampled_from(["志愿", "服务", "社区", "龘", "健步走", " ", "，", "5g", "zzqx", "2026年", "\n", "党"])
TEXT = st.lists(VOCAB, max_size=8).map("".join)
OPS = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(100, 140), TEXT),      # an article of the newest day
    st.tuples(st.just("edit"), st.integers(0, 9), TEXT),         # the i-th of the newest day
    st.tuples(st.just("delete"), st.integers(0, 9), st.just("")),
    st.tuples(st.just("day"), st.integers(100, 140), TEXT),      # the first of a new day
    st.tuples(st.just("clear"), st.just(0), st.just("")),         # delete the whole newest day
    st.tuples(st.just("old"), st.integers(0, 9), TEXT),          # edit an article of an older day
    st.tuples(st.just("oldtitle"), st.integers(0, 9), TEXT),     # its title and people
    st.tuples(st.just("olddel"), st.integers(0, 9), st.just("")),  # delete an article of an older day
    st.tuples(st.just("backfill"), st.integers(100, 140), TEXT),  # add one to an older day
), min_size=1, max_size=10)


@settings(max_examples=int(os.environ.get("SEARCH_EXAMPLES", 30)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(OPS, st.sampled_from([1, 5, 128]), st.booleans())
def test_any_sequence_of_changes_gives_the_bytes_of_a_clean_build(full_builds, ops, window, later):
    """`later`: with an article of a later month, so that the changes are to the older articles'
    index; without, they are to the newest month's, which the older index takes in when a new
    day begins a new month."""
    default, search_module._WALK_WINDOW = search_module._WALK_WINDOW, window  # small: lists decoded piece by piece
    try:
        check_sequence(full_builds, ops, later)
    finally:
        search_module._WALK_WINDOW = default


def check_sequence(full_builds, ops, later=True):
    docs = {d.id: d for d in DOCS}
    cache: dict = {}
    build_twice(list(docs.values()), cache, full_builds, later)
    for kind, n, text in ops:
        before = number_docs(list(docs.values()))
        start = before[-1][0] >> 9 << 9
        newest = [d for num, d in before if num >= start]
        day = newest[0].date
        if kind == "add":
            d = doc(n, text[:3], text, date=day)
        elif kind == "day":
            d = doc(n, text[:3], text, date=str(date.fromisoformat(day) + timedelta(days=1)))
        elif kind == "backfill":
            d = doc(n, text[:3], text, date=before[n % len(before)][1].date if n % 3 else "2001-05-05")
        elif kind in ("edit", "old", "oldtitle", "olddel"):
            pool = newest if kind == "edit" else [d for num, d in before if num < start] or newest
            d = pool[n % len(pool)]
            d = replace(d, title=text, people=tuple(text.split())) if kind == "oldtitle" else replace(d, text=text)
        if kind == "delete":
            if len(docs) > 1:  # an empty archive is indexed from nothing, which is no test of patching
                docs.pop(newest[n % len(newest)].id)
        elif kind == "olddel":
            if len(docs) > 1:
                docs.pop(d.id)
        elif kind == "clear":
            if len(before) - len(newest) >= 2:
                for d in newest:
                    docs.pop(d.id)
        else:
            docs[d.id] = d
        # older days' changes are spliced in (at most SPLICE_LIMIT articles: never more here)
        assert not build_twice(list(docs.values()), cache, full_builds, later)


@pytest.mark.parametrize("q", ["2025年", "6月18日", "5g基站", "年6月", "wi-fi覆盖", "2025年，村民"])
def test_mixed_latin_han_queries_are_exact(site, q):
    (r,) = search(site, [q])
    assert ids(r) == containing(q)
    assert r["partial"] is False
