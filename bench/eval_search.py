"""Evaluate search quality: recall and precision per query class against ground truth by scanning.

    python bench/eval_search.py SITE_DIR CONTENT_SOURCE [--per-class N] [--pagefind]

Usually run through bench/search_bench.py, which builds the site first. Queries are drawn from
the corpus deterministically; ground truth is a plain scan of each article's fields for each
query string (NFKC, lower case; Latin/digit ends must be whole words), independent of the index.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import statistics
import subprocess
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_RUNNER = ROOT / "tests" / "search" / "run_node.js"
JS_ASSETS = [ROOT / "assets" / "search.js", ROOT / "assets" / "search-worker.js", ROOT / "assets" / "vendor" / "lunr.min.js"]
WORD = "0-9a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
LATIN = re.compile(f"[{WORD}]+")
# Common words of Chinese news writing, not taken from the seed text.
DICTIONARY = [
    "基层治理", "志愿服务", "乡村振兴", "党员干部", "人民群众", "高质量发展", "社区", "党支部", "组织", "工作",
    "经济", "发展", "教育", "活动", "群众", "服务", "政策", "安全", "文化", "改革", "农业", "企业", "学习",
    "会议", "管理", "建设", "健康", "环境", "创新", "青年",
]
CLASSES = ["词典词", "任意子串", "长短语", "多词", "单字", "人名地名", "字母数字", "混合"]
MIXED = re.compile(f"(?<![{WORD}])[{WORD}]+[\u4e00-\u9fff]{{1,2}}")


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def field_texts(doc) -> list[str]:
    from ycarchive.search import field_texts as ft

    return [norm(t) for t in ft(doc)]


def term_pattern(term: str) -> re.Pattern:
    t = norm(term)
    left = f"(?<![{WORD}])" if re.match(f"[{WORD}]", t) else ""
    right = f"(?![{WORD}])" if re.search(f"[{WORD}]$", t) else ""
    return re.compile(left + re.escape(t) + right)


def ground_truth(docs, fields, query: str) -> set[str]:
    """Articles that contain every space-separated term of the query inside one field."""
    pats = [term_pattern(t) for t in query.split()]
    return {d.id for d, fs in zip(docs, fields) if all(any(p.search(f) for f in fs) for p in pats)}


def make_queries(docs, per_class: int, seed: int = 7) -> list[tuple[str, str]]:
    """(class, query) pairs drawn from the corpus."""
    rng = random.Random(seed)
    out = []

    def body_run(min_len):
        while True:
            d = rng.choice(docs)
            runs = [r for r in HAN_RUN.findall(norm(d.text)) if len(r) >= min_len]
            if runs:
                return rng.choice(runs)

    def substring(lo, hi):
        r = body_run(lo)
        n = rng.randint(lo, min(hi, len(r)))
        i = rng.randrange(len(r) - n + 1)
        return r[i : i + n]

    out += [("词典词", w) for w in rng.sample(DICTIONARY, min(per_class, len(DICTIONARY)))]
    out += [("任意子串", substring(2, 5)) for _ in range(per_class)]
    out += [("长短语", substring(6, 12)) for _ in range(per_class)]
    out += [("多词", substring(2, 3) + " " + substring(2, 3)) for _ in range(per_class)]
    out += [("单字", substring(1, 1)) for _ in range(per_class)]
    names = sorted({p for d in docs for p in d.people} | {c for d in docs for c in d.counties})
    out += [("人名地名", n) for n in rng.sample(names, min(per_class, len(names)))]
    latin = sorted({w for d in docs for w in LATIN.findall(norm(d.text))})
    out += [("字母数字", w) for w in rng.sample(latin, min(per_class, len(latin)))]
    mixed = sorted({m for d in docs for m in MIXED.findall(norm(d.text))})
    out += [("混合", m) for m in rng.sample(mixed, min(per_class, len(mixed)))]
    return out


def gz_size(path: Path) -> int:
    data = path.read_bytes()
    return len(data) if data[:2] == b"\x1f\x8b" else len(gzip.compress(data, 6))


def js_bytes() -> int:
    return sum(gz_size(p) for p in JS_ASSETS)


def require_node_engine() -> None:
    """Exit with a clear message if the browser engine cannot run under Node here (called
    before the long steps, so that a missing `npm ci` is not found after them)."""
    if not (ROOT / "node_modules" / "lunr").is_dir():   # a fresh clone or an exported copy
        raise SystemExit(f"error: lunr.js is not installed in {ROOT / 'node_modules'}; run `npm ci` in {ROOT} "
                         f"(bash tests/run.sh does) and run this again")


def run_ours(site: Path, queries: list[str], page: bool = True) -> list[dict]:
    """Run the browser engine under Node, each query from a cold cache (the callers' main()
    checks first, with require_node_engine, that it can run)."""
    req = {"cmd": "search", "site": str(site), "queries": [[q, {}] for q in queries], "page": page}
    out = subprocess.run(["node", str(NODE_RUNNER)], input=json.dumps(req), capture_output=True, text=True,
                         encoding="utf-8")
    if out.returncode != 0:
        raise SystemExit(f"error: the search engine under Node failed ({NODE_RUNNER}, exit status "
                         f"{out.returncode}):\n{out.stderr.strip()}")
    results = json.loads(out.stdout)
    base = js_bytes()
    for r in results:
        r["bytes"] = base + sum(gz_size(site / p) for p in dict.fromkeys(r["fetched"]))
    return results


PAGEFIND_PAGE = """<!doctype html><meta charset="utf-8"><title>pf</title><script type="module">
window.pfSearch = async (q) => {
  const pf = await import('./pagefind/pagefind.js');
  await pf.init();
  const t0 = performance.now();
  const s = await pf.search(q);
  const first = await Promise.all(s.results.slice(0, 20).map(r => r.data()));
  const ms = performance.now() - t0;
  window.pfMark = true;
  return {ms, ids: s.results.map(r => r.id), first: first.length};
};
</script>"""


def pagefind_urls(site: Path) -> dict[str, str]:
    """Pagefind result id (fragment name) -> page URL, read from the fragment files."""
    out = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
        out[path.stem] = json.loads(text[text.index("{"):])["url"]
    return out


def run_pagefind(site: Path, base_url: str, queries: list[str], browser) -> list[dict]:
    """Pagefind in Chromium: bytes until the first 20 results' data are loaded (cold cache)."""
    (site / "pf.html").write_text(PAGEFIND_PAGE, encoding="utf-8")
    urls = pagefind_urls(site)
    results = []
    for q in queries:
        ctx = browser.new_context()
        page = ctx.new_page()
        fetched: list[str] = []
        state = {"counting": True}

        def on_request(req, fetched=fetched, state=state):
            if state["counting"] and req.url.startswith(base_url):
                fetched.append(req.url[len(base_url):].split("?")[0])

        page.on("request", on_request)
        page.goto(base_url + "pf.html")
        fetched.clear()
        page.wait_for_function("typeof window.pfSearch === 'function'")
        handle = page.evaluate_handle("q => { window.pfMark = false; return window.pfSearch(q); }", q)
        page.wait_for_function("window.pfMark === true", timeout=120000)
        state["counting"] = False
        res = handle.json_value()
        nbytes = sum(gz_size(site / p) for p in dict.fromkeys(fetched) if (site / p).is_file())
        results.append({"q": q, "urls": [urls[i] for i in res["ids"]], "bytes": nbytes, "ms": res["ms"]})
        ctx.close()
    return results


def score(found: set, truth: set) -> tuple[float, float]:
    recall = len(found & truth) / len(truth) if truth else 1.0
    precision = len(found & truth) / len(found) if found else 1.0
    return recall, precision


def evaluate(docs, site: Path, per_class: int = 8, pagefind=None, log=print) -> dict:
    """Recall, precision, bytes and latency per query class; pagefind=(base_url, browser) adds Pagefind."""
    from ycarchive.search import number_docs

    numbered = number_docs(docs)
    ordered = [d for _, d in numbered]
    by_number = dict(numbered)
    fields = [field_texts(d) for d in ordered]
    by_url = {d.url: d.id for d in ordered}
    queries = make_queries(ordered, per_class)
    t0 = time.perf_counter()
    ours = run_ours(site, [q for _, q in queries])
    log(f"ran {len(queries)} queries with the archive's engine in {time.perf_counter() - t0:.1f} s")
    theirs = run_pagefind(site, pagefind[0], [q for _, q in queries], pagefind[1]) if pagefind else None
    rows = []
    for i, (cls, q) in enumerate(queries):
        truth = ground_truth(ordered, fields, q)
        found = {by_number[n].id for n, _ in ours[i]["hits"]}
        r, p = score(found, truth)
        row = {"class": cls, "q": q, "truth": len(truth), "recall": r, "precision": p,
               "bytes": ours[i]["bytes"], "ms": ours[i]["ms"], "partial": ours[i]["partial"]}
        if theirs:
            urls = {u.split("/archive/", 1)[-1].lstrip("/") for u in theirs[i]["urls"]}
            pf_found = {by_url[u] for u in urls if u in by_url}
            row["pf_recall"], row["pf_precision"] = score(pf_found, truth)
            row["pf_bytes"], row["pf_ms"] = theirs[i]["bytes"], theirs[i]["ms"]
        rows.append(row)
    return {"rows": rows, "summary": summarize(rows)}


def summarize(rows) -> list[dict]:
    out = []
    for cls in CLASSES + ["全部"]:
        rs = [r for r in rows if r["class"] == cls or cls == "全部"]
        if not rs:
            continue
        s = {"class": cls, "n": len(rs),
             "recall": statistics.mean(r["recall"] for r in rs), "precision": statistics.mean(r["precision"] for r in rs),
             "min_recall": min(r["recall"] for r in rs), "min_precision": min(r["precision"] for r in rs),
             "kb_median": statistics.median(r["bytes"] for r in rs) / 1024, "kb_max": max(r["bytes"] for r in rs) / 1024,
             "ms_median": statistics.median(r["ms"] for r in rs)}
        if "pf_recall" in rs[0]:
            s.update(pf_recall=statistics.mean(r["pf_recall"] for r in rs),
                     pf_precision=statistics.mean(r["pf_precision"] for r in rs),
                     pf_kb_median=statistics.median(r["pf_bytes"] for r in rs) / 1024,
                     pf_kb_max=max(r["pf_bytes"] for r in rs) / 1024)
        out.append(s)
    return out


def format_summary(summary) -> str:
    pf = "pf_recall" in summary[0]
    head = "| 类别 | 查询数 | 召回率 | 准确率 | KB gzip 中位/最大 | Node 耗时中位 ms |"
    sep = "|---|---|---|---|---|---|"
    if pf:
        head += " Pagefind 召回率 | Pagefind 准确率 | Pagefind KB 中位/最大 |"
        sep += "---|---|---|"
    lines = [head, sep]
    for s in summary:
        line = (f"| {s['class']} | {s['n']} | {s['recall']:.3f} (最低 {s['min_recall']:.2f}) | "
                f"{s['precision']:.3f} (最低 {s['min_precision']:.2f}) | {s['kb_median']:.1f} / {s['kb_max']:.1f} | "
                f"{s['ms_median']:.0f} |")
        if pf:
            line += f" {s['pf_recall']:.3f} | {s['pf_precision']:.3f} | {s['pf_kb_median']:.1f} / {s['pf_kb_max']:.1f} |"
        lines.append(line)
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse
    import sys

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import search_bench

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--per-class", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=Path, default=None, help="folder of seed .txt pages (other news text)")
    args = ap.parse_args(argv)
    require_node_engine()
    docs = search_bench.synthetic_docs(args.articles, args.seed, args.seeds)
    site = search_bench.build_site(docs, ROOT / "bench" / "out" / f"eval-{args.articles}", articles=False)
    result = evaluate(docs, site, args.per_class)
    for r in result["rows"]:
        if r["recall"] < 1 or r["precision"] < 1:
            print(f"  {r['class']} {r['q']!r}: recall {r['recall']:.2f} precision {r['precision']:.2f}")
    print(format_summary(result["summary"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
