"""Progress bars: shown on a terminal, absent from logs and pipes."""
from __future__ import annotations

import fcntl
import re
import os
import pty
import struct
import subprocess
import sys
import termios

from conftest import FIXTURE, ROOT


def run_in_terminal(argv: list[str]) -> str:
    """Run a command with a 100-column pseudo-terminal as its stdout and stderr; return what it printed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the command
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, *argv])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:   # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out.decode("utf-8", "replace")
    return out.decode("utf-8", "replace")


def test_build_shows_progress_on_a_terminal(tmp_path):
    text = run_in_terminal(["build.py", "--content", str(FIXTURE), "--out", str(tmp_path / "site")])
    assert "reading content: " in text
    assert re.search(r"rendering pages: +\d+%\|.*\| \d+/62 ", text)
    assert text.rstrip().splitlines()[-1].startswith("built 5 articles: ")


def test_search_indexing_shows_progress_on_a_terminal():
    code = ("from ycarchive.search import SearchDoc, index_chunks\n"
            "docs = [SearchDoc(id=str(n), url='', title='标题', kicker='', subtitle='', date='2025-01-01',"
            " counties=(), section='', column='', people=(), tags=(), text='正文' * 20) for n in range(600)]\n"
            "index_chunks(list(enumerate(docs)), 16, run=250)\n")
    text = run_in_terminal(["-c", code])
    assert re.search(r"indexing for search: +\d+%\|.*\| \d+/600 ", text), text


def test_build_prints_only_its_summary_to_a_pipe(tmp_path):
    run = subprocess.run([sys.executable, "build.py", "--content", str(FIXTURE), "--out", str(tmp_path / "site")],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stderr == ""
    assert run.stdout.startswith("built 5 articles: ") and run.stdout.count("\n") == 1


def test_timings_print_seconds_and_peak_memory_of_each_step(tmp_path):
    run = subprocess.run([sys.executable, "build.py", "--content", str(FIXTURE), "--out", str(tmp_path / "site"),
                          "--timings"], cwd=ROOT, capture_output=True, text=True, check=True)
    timings, memory = run.stderr.splitlines()
    assert re.fullmatch(r"timings: load cache [\d.]+ s, read content [\d.]+ s, .*, save cache [\d.]+ s, .*, "
                        r"record [\d.]+ s", timings)
    assert re.fullmatch(r"peak memory: load cache \d+ MB, read content \d+ MB, .*, save cache \d+ MB, .*, "
                        r"record \d+ MB", memory)
