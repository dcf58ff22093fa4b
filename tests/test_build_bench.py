"""Smoke test of bench/build_bench.py on a small synthetic archive."""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NUMBER = r"\d+(?:\.\d+)?"
STEPS = ("no change", "add one article", "edit one article's body", "delete one article", "edit person.html")


def test_build_bench_reports_every_row(tmp_path):
    args = [sys.executable, str(ROOT / "bench" / "build_bench.py"), "--articles", "50", "--work", str(tmp_path)]
    tools = ["ours"]
    if shutil.which("hugo"):
        tools += ["hugo", "hugo-norel"]
    else:
        args.append("--skip-hugo")
    if importlib.util.find_spec("pelican"):
        tools.append("pelican")
    else:
        args.append("--skip-pelican")
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.stdout

    for tool in tools:
        row = re.search(rf"^{tool} +({NUMBER}) +({NUMBER}) +({NUMBER}) +(\d+) +(\d+) +({NUMBER}) +({NUMBER})$",
                        report, re.M)
        assert row, f"no full-build row for {tool}:\n{report}"
        seconds, per_second, peak_mb, html, files, ratio, system = (float(v) for v in row.groups())
        assert seconds > 0 and per_second > 0 and peak_mb > 0 and 0 < html <= files and ratio > 0 and system > 0
    ours_row = re.search(rf"^ours +{NUMBER} +{NUMBER} +{NUMBER} +\d+ +\d+ +(\S+) +{NUMBER}$", report, re.M)
    assert ours_row[1] == "1.00"

    for step in STEPS:
        row = re.search(rf"^{re.escape(step)} +({NUMBER}) +({NUMBER}) +(\d+) +(\d+) +(\d+) +(\d+)$", report, re.M)
        assert row, f"no incremental row for {step!r}:\n{report}"
    no_change = re.search(rf"^no change +{NUMBER} +{NUMBER} +(\d+) ", report, re.M)
    assert no_change[1] == "0"
    assert "add one article: files rewritten or added, by kind" in report
    assert re.search(r"^add one article, timings: load cache [\d.]+ s, .*, record [\d.]+ s$", report, re.M)
    assert re.search(r"^  the article +1$", report, re.M)

    verdicts = re.findall(r"^(PASS|FAIL|SKIP) ", report, re.M)
    assert len(verdicts) == 5
    assert re.search(r"^\d+ passed, \d+ failed, \d+ skipped$", report, re.M)
    assert not list(ROOT.glob("build-bench-*")), "the benchmark must not write inside the repository"


def test_build_bench_refuses_a_work_folder_in_the_repository():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "build_bench.py"), "--articles", "5",
                             "--work", str(ROOT / "bench" / "out" / "x")], capture_output=True, text=True)
    assert result.returncode == 2
    assert "inside the repository" in result.stderr
