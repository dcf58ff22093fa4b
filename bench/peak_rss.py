"""Run a command; print the peak resident memory of every process of its tree, sampled.

    python bench/peak_rss.py [--every 1.0] -- COMMAND [ARGS...]

`time -v` (and ru_maxrss) give only the largest peak of the tree, not which process had it.
This reads /proc every --every seconds (Linux) and prints, per process that was seen, its pid,
its parent's pid, its peak RSS in MB and its command line, largest first. A peak between two
samples is missed; RSS counts pages shared with the parent of a forked process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def processes() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, RSS in MB) of every process."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(name)] = (int(fields[1]), int(fields[21]) * PAGE_MB)  # ppid, rss (pages)
    return found


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return "?"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=float, default=1.0, help="seconds between samples")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    child = subprocess.Popen(command)
    peaks: dict[int, list] = {}  # pid -> [parent, peak MB, command line]
    while child.poll() is None:
        now = processes()
        tree = {child.pid}
        for pid, (parent, _) in sorted(now.items()):
            if parent in tree:
                tree.add(pid)
        for pid in tree & now.keys():
            parent, mb = now[pid]
            if pid not in peaks:
                peaks[pid] = [parent, mb, command_line(pid)]
            peaks[pid][1] = max(peaks[pid][1], mb)
        time.sleep(args.every)
    for pid, (parent, mb, line) in sorted(peaks.items(), key=lambda item: -item[1][1]):
        print(f"{pid:>8} {parent:>8} {mb:>9.0f} MB  {line[:100]}")
    return child.returncode


if __name__ == "__main__":
    raise SystemExit(main())
