"""Smoke tests of the measuring scripts bench/search_phases.py, bench/peak_rss.py,
bench/nochange_split.py, bench/search_cost.py, bench/full_side_by_side.py,
bench/incremental_side_by_side.py, bench/import_costs.py, bench/micro_timings.py, bench/newest_month.py,
bench/serve_idle.py, bench/new_memory.py, bench/calendar_pages.py, bench/rank_batches.js and
bench/search_bench.py --side-by-side and --incremental, bench/part_side_by_side.py and
bench/write_bench.py."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ycarchive import search

ROOT = Path(__file__).resolve().parent.parent


def test_search_phases_reports_terms_segments_and_both_phases():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "search_phases.py"), "--articles", "300"],
                         capture_output=True, text=True, check=True).stdout
    counts = re.search(r"^300 articles; ([\d,]+) distinct terms, ([\d,]+) \(run, field, term\) segments, ([\d,]+) chunks, "
                       r"merged in (\d+) parts$", out, re.MULTILINE)
    terms, segments, chunks, parts = (int(x.replace(",", "")) for x in counts.groups())
    assert 0 < chunks <= terms <= segments
    forked = min(2, os.cpu_count() or 1) > 1   # else one merge in the build's own process
    assert parts == (2 if forked else 1)   # one part of 1,250 articles, rounded up to one a process
    assert re.search(r"^index_chunks [\d.]+ s: indexing the runs [\d.]+ s, merging [\d.]+ s$", out, re.MULTILINE)
    assert re.search(r"^build_search_files [\d.]+ s, [\d.]+ ms per article; CPU, its processes included: "
                     r"user [\d.]+ s, system [\d.]+ s$", out, re.MULTILINE)
    run = re.search(r"^a run of 250 articles: ([\d,]+) segments, ([\d.]+) MB of arrays \(([\d.]+) bytes a segment\), "
                    r"([\d.]+) MB of postings text$", out, re.MULTILINE)
    assert 0 < int(run[1].replace(",", "")) < segments and float(run[2]) > 0 and float(run[3]) > 0 and float(run[4]) > 0
    kinds = re.search(r"^  by kind of term, segments and postings text: (.+)$", out, re.MULTILINE)[1]
    found = re.findall(r"(characters|bigrams|trigrams|4-grams|words) ([\d,]+) \(\d+ %\), ([\d.]+) MB", kinds)
    assert [k for k, _, _ in found] == ["characters", "bigrams", "trigrams", "4-grams", "words"]
    assert sum(int(n.replace(",", "")) for _, n, _ in found) == int(run[1].replace(",", ""))   # every segment, once
    assert all(int(n.replace(",", "")) > 0 for k, n, _ in found if k != "words")
    distinct = re.search(r"^([\d,]+) distinct Han characters; the merge's packed sort holds about ([\d,]+) "
                         r"at 300 articles$", out, re.MULTILINE)
    assert int(distinct[1].replace(",", "")) > 100   # the seed pages' characters
    assert int(distinct[2].replace(",", "")) == search.packed_merge_characters(300)
    smaller = subprocess.run([sys.executable, str(ROOT / "bench" / "search_phases.py"), "--articles", "300",
                              "--run", "30", "--part", "70", "--unpacked-merge"],
                             capture_output=True, text=True, check=True).stdout
    assert re.search(r"distinct Han characters; .* at 300 articles \(not used: --unpacked-merge\)$", smaller,
                     re.MULTILINE)
    more = re.search(r"^300 articles; ([\d,]+) distinct terms, ([\d,]+) \(run, field, term\) segments, [\d,]+ chunks, "
                     r"merged in (\d+) parts$", smaller, re.MULTILINE)
    assert int(more.group(1).replace(",", "")) == terms   # the same index, cut into more runs
    assert int(more.group(2).replace(",", "")) > segments
    assert int(more.group(3)) == (6 if forked else 1)   # 300 / 70, rounded up to whole rounds of the processes


def test_search_phases_times_run_lengths_in_rotating_order():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "search_phases.py"), "--articles", "300",
                          "--lengths", "250,300", "--rounds", "2"], capture_output=True, text=True, check=True).stdout
    rounds = re.findall(r"^round (\d), runs of (\d+): [\d.]+ s, CPU ([\d.]+) s$", out, re.MULTILINE)
    assert [(r, n) for r, n, _ in rounds] == [("1", "250"), ("1", "300"), ("2", "300"), ("2", "250")]
    assert all(float(cpu) > 0 for _, _, cpu in rounds)


def test_search_phases_reads_a_content_folder_as_the_build_does():
    fixture = ROOT / "tests" / "fixtures" / "archive"
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "search_phases.py"), "--content", str(fixture)],
                         capture_output=True, text=True, check=True).stdout
    articles = len(list(fixture.rglob("*.md")))
    assert re.search(rf"^{articles} articles; [\d,]+ distinct terms", out, re.MULTILINE)
    assert re.search(r"^build_search_files [\d.]+ s, [\d.]+ ms per article; CPU, its processes included: "
                     r"user [\d.]+ s, system [\d.]+ s$", out, re.MULTILINE)


def test_peak_rss_names_the_process_of_the_tree_that_held_the_memory():
    child = "import time; x = bytearray(200 << 20); x[::4096] = b'1' * len(x[::4096]); time.sleep(1.5)"
    parent = f"import subprocess, sys, time; subprocess.run([sys.executable, '-c', {child!r}]); time.sleep(0.3)"
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "peak_rss.py"), "--every", "0.2", "--",
                          sys.executable, "-c", parent], capture_output=True, text=True, check=True).stdout
    rows = [re.match(r"\s*(\d+)\s+(\d+)\s+(\d+) MB  (.*)", line) for line in out.splitlines()]
    largest = rows[0]
    assert int(largest.group(3)) >= 200 and "bytearray" in largest.group(4)
    assert all(int(row.group(3)) < 100 for row in rows[1:])


def test_peak_rss_counts_pages_a_forked_child_shares_once_in_the_trees_pss():
    code = ("import os, time; x = bytearray(200 << 20); x[::4096] = b'1' * len(x[::4096]); pid = os.fork(); "
            "time.sleep(1.5); os._exit(0) if pid == 0 else os.waitpid(pid, 0)")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "peak_rss.py"), "--every", "0.2", "--pss", "--",
                          sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    rss = [int(m.group(1)) for m in re.finditer(r"^\s*\d+\s+\d+\s+(\d+) MB", out, re.MULTILINE)]
    pss = int(re.search(r"^peak PSS of the whole tree: (\d+) MB$", out, re.MULTILINE).group(1))
    assert sorted(rss)[-2] >= 200  # parent and child each hold the 200 MB by RSS
    assert 200 <= pss < 300  # but only once by PSS


def test_nochange_split_times_both_output_checks_and_sees_a_removed_file(tmp_path):
    from ycarchive.cli import main

    site = tmp_path / "site"
    assert main(["--content", str(ROOT / "tests" / "fixtures" / "archive"), "--out", str(site)]) == 0
    command = [sys.executable, str(ROOT / "bench" / "nochange_split.py"), str(ROOT / "tests" / "fixtures" / "archive"),
               str(site), "--rounds", "2", "--processes", "1,3"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = (r"round \d: input walk in 1 process [\d.]+ s, input walk in 3 processes [\d.]+ s, "
            r"output by folders in 1 process [\d.]+ s, output by folders in 3 processes [\d.]+ s, "
            r"output by files [\d.]+ s, both as the build does them [\d.]+ s")
    assert re.fullmatch(f"{line}\n{line}\n", out), out
    (site / "feed.xml").unlink()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert len(re.findall(r"output by folders in \d process(es)? [\d.]+ s \(FALSE\)", out)) == 4
    assert len(re.findall(r"output by files [\d.]+ s \(FALSE\)", out)) == 2
    assert len(re.findall(r"build does them [\d.]+ s \(FALSE\)", out)) == 2


def test_calendar_pages_weighs_the_overview_the_year_pages_and_the_dates(tmp_path):
    from ycarchive.cli import main

    site = tmp_path / "site"
    assert main(["--content", str(ROOT / "tests" / "fixtures" / "archive"), "--out", str(site)]) == 0
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "calendar_pages.py"), str(site)],
                         capture_output=True, text=True, check=True).stdout
    overview = (site / "archive" / "index.html").stat().st_size
    year = (site / "archive" / "2025" / "index.html").stat().st_size
    dates = (site / "archive" / "dates.json").stat().st_size
    assert re.fullmatch(
        f"{re.escape(str(site))}\n"
        f"  archive/index.html   {overview:,} bytes, [\\d.]+ KB gzip, \\d+ elements\n"
        f"  year pages           1; median {year:,} bytes; largest {year:,} bytes, [\\d.]+ KB gzip, \\d+ elements\n"
        f"  archive/dates.json   {dates:,} bytes, [\\d.]+ KB gzip\n", out), out


def test_search_cost_builds_with_and_without_the_index_and_leaves_the_work_folder_empty(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "search_cost.py"), str(ROOT / "tests" / "fixtures" / "archive"),
                          "--rounds", "2", "--work", str(tmp_path)], capture_output=True, text=True, check=True).stdout
    files = dict(re.findall(r"^round \d, (with|without) the index: [\d.]+ s, CPU [\d.]+ s \(built 5 articles: (\d+) files written",
                            out, re.MULTILINE))
    assert len(re.findall(r"^round", out, re.MULTILINE)) == 4
    assert int(files["with"]) > int(files["without"]) > 0   # the index's files
    assert re.search(r"^medians: with the index [\d.]+ s, without [\d.]+ s; the index adds -?[\d.]+ s, "
                     r"-?[\d.]+ ms per article \(5 articles\)$", out, re.MULTILINE)
    walls = {(r, kind): float(s) for r, kind, s in re.findall(r"^round (\d), (with|without) the index: ([\d.]+) s", out, re.MULTILINE)}
    each = re.search(r"^each round's difference: (-?[\d.]+), (-?[\d.]+) ms per article$", out, re.MULTILINE)
    for r in ("1", "2"):
        assert abs(float(each[int(r)]) - (walls[r, "with"] - walls[r, "without"]) * 1000 / 5) <= 0.01 * 1000 / 5 + 0.005   # walls printed to 0.01 s
    cpu = {(r, kind): float(c) for r, kind, c in re.findall(r"^round (\d), (with|without) the index: [\d.]+ s, CPU ([\d.]+) s",
                                                             out, re.MULTILINE)}
    assert all(c > 0.1 for c in cpu.values())   # a build's interpreter and imports, at least
    medians = re.search(r"^CPU medians: with the index ([\d.]+) s, without ([\d.]+) s; the index adds (-?[\d.]+) CPU seconds, "
                        r"(-?[\d.]+) ms per article over (\d+) cores$", out, re.MULTILINE)
    assert int(medians[5]) == (os.cpu_count() or 1)
    assert abs(float(medians[3]) - (float(medians[1]) - float(medians[2]))) <= 0.011
    probes = re.findall(r"^making a file (before|after) the builds: (\d+) µs$", out, re.MULTILINE)
    assert [when for when, _ in probes] == ["before", "after"] and all(int(us) > 0 for _, us in probes)
    assert list(tmp_path.iterdir()) == []


def test_search_cost_keeps_its_outputs_when_asked(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "search_cost.py"), str(ROOT / "tests" / "fixtures" / "archive"),
                          "--rounds", "1", "--work", str(tmp_path), "--keep"], capture_output=True, text=True, check=True).stdout
    kept = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert kept == ["probe-after", "probe-before", "site-1-with", "site-1-without"]
    assert len(list((tmp_path / "probe-before").iterdir())) == 2000
    assert (tmp_path / "site-1-with" / "search" / "meta.json").is_file()
    assert re.search(r"^kept: .*site-1-with", out, re.MULTILINE)


@pytest.fixture(scope="module")
def synthetic_content(tmp_path_factory):
    """600 synthetic articles: enough for the site's articles to link to each other deeply."""
    folder = tmp_path_factory.mktemp("synth")
    subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), "600", str(folder), "--seed", "1"],
                   capture_output=True, check=True)
    return folder / "content"


def test_search_bench_side_by_side_builds_both_versions_of_a_content_folder_in_turn(synthetic_content):
    """The site's articles give their texts as functions, which the old module gets as they are
    (copied deeply, through the articles' links to each other, they had exceeded Python's
    recursion limit at a few hundred articles)."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "search_bench.py"), "--side-by-side",
                          str(synthetic_content),
                          str(ROOT / "ycarchive" / "search.py"), "--repeat", "2"],
                         capture_output=True, text=True, check=True).stdout
    rounds = re.findall(r"^round (\d) (old|new): [\d.]+ s, [\d.]+ ms per article, CPU [\d.]+ s, same bytes: (\w+)", out, re.MULTILINE)
    assert rounds == [("1", "old", "True"), ("1", "new", "True"), ("2", "old", "True"), ("2", "new", "True")]


def test_part_side_by_side_times_both_steps_of_each_copy_and_compares_their_output(synthetic_content, tmp_path):
    command = [sys.executable, str(ROOT / "bench" / "part_side_by_side.py"), str(synthetic_content)]
    out = subprocess.run([*command, str(ROOT / "ycarchive" / "search.py"), "--rounds", "3", "--run", "100"],
                         capture_output=True, text=True, check=True).stdout
    assert re.search(r"^600 articles; \d+ chunks; runs of 100 from articles \[0, 300, 500\]$", out, re.MULTILINE)
    for step in ("indexing 3 runs", "merging part 1 of 8 of 6 runs"):
        timings = re.search(rf"^{step}.*\n  old: median ([\d.]+) s  \(([\d. ]+)\)\n  new: median ([\d.]+) s  \(([\d. ]+)\)\n"
                            r"  new / old: ([\d.]+)$", out, re.MULTILINE)
        assert timings, out
        assert len(timings[2].split()) == len(timings[4].split()) == 3
        old, new, ratio = float(timings[1]), float(timings[3]), float(timings[5])
        assert (new - 0.0005) / (old + 0.0005) - 0.0005 <= ratio <= (new + 0.0005) / (old - 0.0005) + 0.0005   # medians rounded
    # an older copy whose chunks differ is refused, not timed
    changed = (ROOT / "ycarchive" / "search.py").read_text(encoding="utf-8").replace(
        'np.where(chunk_first[t0:t1], ord("{"), ord(","))', 'np.where(chunk_first[t0:t1], ord("["), ord(","))')
    assert 'ord("[")' in changed
    (tmp_path / "search.py").write_text(changed, encoding="utf-8")
    refused = subprocess.run([*command, str(tmp_path / "search.py"), "--rounds", "1", "--run", "100"],
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "the two give different chunks" in refused.stderr
    assert "merging" not in refused.stdout


def test_write_bench_stages_a_first_builds_tree_both_ways_and_removes_it(tmp_path):
    work = tmp_path / "work"
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "write_bench.py"), "--stage", "--files", "300",
                          "--repeat", "2", "--size", "100", "--work", str(work)],
                         capture_output=True, text=True, check=True).stdout
    assert re.search(r"^300 files of 100 bytes staged as a first build does, 2 rounds$", out, re.MULTILINE)
    rounds = re.findall(r"^round (\d) (pathlib|Stage\.put) +[\d.]+ s, user [\d.]+ s, system [\d.]+ s$", out, re.MULTILINE)
    assert rounds == [("1", "pathlib"), ("1", "Stage.put"), ("2", "Stage.put"), ("2", "pathlib")]
    assert re.search(r"^pathlib +median [\d.]+ s\nStage\.put median [\d.]+ s$", out, re.MULTILINE)
    assert not work.exists()
    replaced = subprocess.run([sys.executable, str(ROOT / "bench" / "write_bench.py"), "--files", "20", "--repeat", "1",
                               "--work", str(work)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^inplace +stage [\d.]+  commit [\d.]+  total [\d.]+$", replaced, re.MULTILINE)


def test_search_bench_incremental_times_every_step_against_a_clean_build(synthetic_content):
    """The older article's edit changes its text, which the site's articles give as functions."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "search_bench.py"), "--incremental",
                          str(synthetic_content)], capture_output=True, text=True, check=True).stdout
    steps = re.findall(r"^(.+), new: [\d.]+ s, same bytes as a clean build: (\w+), cache [\d,]+ bytes", out, re.MULTILINE)
    assert len(steps) == 11 and {same for _, same in steps} == {"True"}
    assert "edit an older article" in dict(steps)


def test_search_bench_reports_bytes_latency_and_recall_of_every_query_class():
    """The issue's benchmark itself, small: a synthetic archive, its index and site, cold-query
    bytes, Chromium latency (where Chromium is, as on CI) and the evaluation table."""
    from conftest import CHROMIUM

    out_dir = ROOT / "bench" / "out" / "search-120"
    try:
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "search_bench.py"), "--articles", "120",
                              "--no-pagefind", "--queries", "2", "--per-class", "1"],
                             capture_output=True, text=True, check=True).stdout
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    assert re.search(r"^index build: [\d.]+ ms per article$", out, re.MULTILINE)
    assert re.search(r"^cold 4-character query, KB gzip: median [\d.]+, 90th percentile [\d.]+, max [\d.]+", out,
                     re.MULTILINE)
    if Path(CHROMIUM).exists() or os.environ.get("CI") == "true":
        assert re.search(r"^last keystroke to first results \(Chromium, cold cache\), ms: median \d+", out, re.MULTILINE)
    every = re.search(r"^\| 全部 \| (\d+) \| ([\d.]+) \(最低 [\d.]+\) \| ([\d.]+) \(最低", out, re.MULTILINE)
    assert every and int(every.group(1)) >= 8 and every.group(2, 3) == ("1.000", "1.000")   # recall, precision


def test_search_bench_without_lunr_installed_says_so_before_building_anything(tmp_path):
    """In a copy without `npm ci` (an exported one, say), the benchmark stops at once and says
    what to run, instead of failing with Node's traceback after building the whole index."""
    copy = tmp_path / "code"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("node_modules", ".git", "out", "__pycache__"))
    run = subprocess.run([sys.executable, str(copy / "bench" / "search_bench.py"), "--articles", "100000",
                          "--no-pagefind"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert f"lunr.js is not installed in {copy / 'node_modules'}; run `npm ci`" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""   # nothing generated, nothing indexed


@pytest.mark.skipif(shutil.which("node") is None and os.environ.get("CI") != "true", reason="node is not installed")
def test_rank_batches_scores_every_article_in_each_way():
    out = subprocess.run(["node", str(ROOT / "bench" / "rank_batches.js"), "3000", "1"],
                         capture_output=True, text=True, check=True).stdout
    cells = re.findall(r"(\d+) batches of (\d+): \d+ ms \((\d+) hits\)", out)
    assert [(int(n), int(size)) for n, size, _ in cells] == [(3, 1000), (3, 1000), (1, 3000)]
    assert {hits for _, _, hits in cells} == {"3000"}


def test_full_side_by_side_builds_each_copy_every_round_in_rotating_order():
    fixture = ROOT / "tests" / "fixtures" / "archive"
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "full_side_by_side.py"), str(fixture), "2",
                          f"a:{ROOT}", f"b:{ROOT}"], capture_output=True, text=True, check=True).stdout
    rounds = re.findall(r"^round (\d) (\w): [\d.]+ s \(read content [\d.]+ s, render pages [\d.]+ s, "
                        r"search index [\d.]+ s, write [\d.]+ s\)$", out, re.MULTILINE)
    assert rounds == [("1", "a"), ("1", "b"), ("2", "b"), ("2", "a")]
    assert re.search(r"^a: median [\d.]+ s \(min [\d.]+, max [\d.]+\)$", out, re.MULTILINE)
    work = Path("/tmp/full-side-by-side")
    assert not [name for name in ("a-1", "a-2", "b-1", "b-2") if (work / name).exists()]   # removed at the end


def test_incremental_side_by_side_adds_and_deletes_with_each_copy_and_leaves_the_content_as_it_was(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "archive", content)
    before = sorted(p.relative_to(content).as_posix() for p in content.rglob("*"))
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "incremental_side_by_side.py"), str(content), "1",
                          f"a:{ROOT}:{tmp_path / 'site-a'}", f"b:{ROOT}:{tmp_path / 'site-b'}"],
                         capture_output=True, text=True, check=True).stdout
    for name in ("a", "b"):
        for step, articles in (("add", 6), ("delete", 5)):
            assert re.search(rf"^{name} {step}: build s median [\d.]+ \(min [\d.]+, max [\d.]+\); "
                             rf"wall median [\d.]+; CPU median [\d.]+$", out, re.MULTILINE), out
            assert re.search(rf"^{name} {step}: built {articles} articles: ", out, re.MULTILINE), out
    assert sorted(p.relative_to(content).as_posix() for p in content.rglob("*")) == before


def test_import_costs_times_each_copy_every_round():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "import_costs.py"), str(ROOT), str(ROOT),
                          "--rounds", "2"], capture_output=True, text=True, check=True).stdout
    rounds = re.findall(rf"^round (\d) {re.escape(str(ROOT))}: ycarchive.markup [\d.]+ ms, ycarchive.search [\d.]+ ms; "
                        rf"in a rebuild: importlib.metadata not imported, tqdm not imported$", out, re.MULTILINE)
    assert rounds == ["1", "1", "2", "2"], out
    assert re.search(r"^article id with strftime: [\d.]+ us\narticle id with isoformat: [\d.]+ us$", out,
                     re.MULTILINE)


def test_micro_timings_times_imports_and_each_page_and_leaves_the_content_as_it_was(tmp_path):
    from conftest import build

    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(ROOT / "tests" / "fixtures" / "archive", content)
    assert build(content, site) == 0
    before = sorted(p.relative_to(content).as_posix() for p in content.rglob("*"))
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "micro_timings.py"), str(content), str(site),
                          "--rounds", "1"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^importing the generator: [\d.]+ s with bytecode, [\d.]+ s compiled from source$", out,
                     re.MULTILINE)
    assert re.search(r"^keying [\d,]+ pages: [\d.]+ s hashing marshal bytes, [\d.]+ s hashing repr\(\)$", out,
                     re.MULTILINE)
    pages = int(re.search(r"^rendering the (\d+) pages of a one-article rebuild: [\d.]+ s; slowest:$", out,
                          re.MULTILINE).group(1))
    assert pages > 1 and re.search(r"^ +[\d.]+ ms  \S+index\.html$", out, re.MULTILINE)
    assert re.search(r"^making the Library: [\d.]+ s with the checked fields kept, [\d.]+ s checking every "
                     r"article again$", out, re.MULTILINE)
    assert re.search(r"^loading the parsed files: [\d.]+ s as the cache keeps them, [\d.]+ s with each article's "
                     r"lines as a dict, [\d.]+ s with every article's whole front matter$", out, re.MULTILINE)
    assert re.search(r"^drawing 15 county maps: [\d.]+ ms with each path made once, [\d.]+ ms made for every map$",
                     out, re.MULTILINE)
    assert re.search(r"^making a SearchDoc: [\d.]+ us, [\d.]+ us frozen$", out, re.MULTILINE)
    assert re.search(r"^SearchDocs of the 5 articles: [\d.]+ ms as cli.search_docs makes them, [\d.]+ ms by keyword "
                     r"with Article.credited$", out, re.MULTILINE)
    assert re.search(r"^first use of a cached attribute: [\d.]+ us, [\d.]+ us with functools.cached_property$", out,
                     re.MULTILINE)
    assert re.search(r"^the manifest of [\d,]+ files: read [\d.]+ ms, written [\d.]+ ms; as indented JSON [\d.]+ and "
                     r"[\d.]+ ms$", out, re.MULTILINE)
    again = re.search(r"^related articles of ([\d,]+): [\d.]+ s picking for every article with numpy, [\d.]+ s after "
                      r"adding one, the last build's picks kept \((\d+) picked again\)$", out, re.MULTILINE)
    assert again and 1 <= int(again.group(2)) <= int(again.group(1).replace(",", "")), out
    assert re.search(r"^saving the picks: [\d.]+ s with the cache's own pickler, [\d.]+ s with pickle's$", out,
                     re.MULTILINE)
    assert re.search(r"^saving the search state's parts kept apart: [\d.]+ s with pickle's own pickler, [\d.]+ s with "
                     r"the cache's own$", out, re.MULTILINE)
    assert re.search(r"^cache: parsed files [\d.]+ MB, search index [\d.]+ MB, its state's parts kept apart "
                     r"[\d.]+ MB$", out, re.MULTILINE)
    assert sorted(p.relative_to(content).as_posix() for p in content.rglob("*")) == before


def test_newest_month_times_each_copy_every_round(fixture_site):
    from conftest import FIXTURE

    out = subprocess.run([sys.executable, str(ROOT / "bench" / "newest_month.py"), str(FIXTURE),
                          str(fixture_site), str(ROOT), str(ROOT), "--rounds", "2", "--calls", "2"],
                         capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"round {r}, {ROOT}" for r in (1, 1, 2, 2)], out
    for line in lines:
        assert re.fullmatch(r"round \d, .+: median [\d.]+ s, fastest [\d.]+ s; [1-9]\d* articles, [1-9]\d* chunks, "
                            r"[\d,]+ bytes", line), line
    assert len({line.split("; ")[1] for line in lines}) == 1   # the same chunks every time


def test_serve_idle_reads_the_servers_cpu_share_and_stops_it():
    fixture = ROOT / "tests" / "fixtures" / "archive"
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "serve_idle.py"), str(fixture), "--seconds", "1"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    share = re.fullmatch(rf"{re.escape(str(ROOT))}: ([\d.]+) % of a core over 1 s of idling\n", out)
    assert share and 0 <= float(share.group(1)) < 100


@pytest.mark.parametrize("flag", [[], ["--no-huge-pages"]])
def test_new_memory_times_every_round_and_counts_its_page_faults(flag):
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "new_memory.py"), "--mib", "16", "--rounds", "3",
                          "--rest", "0.1", *flag], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == f"16 MiB a round, {'4 KB pages' if flag else 'numpy default pages'}"
    rounds = [re.fullmatch(r"round (\d)( \(after 0.1 s of sleep\))?: [\d.]+ s, system [\d.]+ s, (\d+) page faults",
                           line) for line in lines[1:]]
    assert [int(r[1]) for r in rounds] == [1, 2, 3] and [bool(r[2]) for r in rounds] == [False, False, True]
    if flag:   # 16 MiB in 4 KB pages: a fault for each page the first time it is touched
        assert int(rounds[0][3]) >= 16 * 256


def test_synth_verbatim_cuts_the_seed_text_in_order_and_says_when_it_runs_out(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import synth

    paras = [p for p in synth.load_seed_text(synth.DEFAULT_SEEDS).split("\n") if p]
    articles, _ = synth.generate(6, seed=1, verbatim=True)
    at = 0
    for article in articles:
        body = article.body.split("\n\n")
        assert len(article.body) >= 200   # whole paragraphs, at least the smallest size asked for
        start = paras.index(body[0], at)
        assert paras[start : start + len(body)] == body   # consecutive paragraphs of the seed text
        at = start + len(body)
    assert articles[0].body.split("\n\n")[0] in paras[:2]   # from the start (a caption may take the first)
    with pytest.raises(SystemExit, match="the seed text ran out"):
        synth.generate(1_000, seed=1, verbatim=True)
