#!/usr/bin/env python3
"""CPU taken by the preview server while nothing changes: its file watcher alone.

    python bench/serve_idle.py CONTENT [--seconds 20] [--code DIR ...]

Starts `build.py serve` on CONTENT (from each code folder given, this checkout by default, one
after another, each with its own output folder under a temporary one), waits for its first
build to finish, then reads the server's CPU time (user + system, /proc) over `--seconds` of
idling and prints it as a share of one core.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_share(code: Path, content: Path, out: Path, seconds: float) -> float:
    proc = subprocess.Popen([sys.executable, "build.py", "serve", "--content", str(content), "--out", str(out),
                             "--port", "0"], cwd=code, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if line.startswith("serving "):
                break
        else:
            raise SystemExit(f"{code}: the server stopped before serving")
        time.sleep(1)
        before = cpu_seconds(proc.pid)
        time.sleep(seconds)
        return (cpu_seconds(proc.pid) - before) / seconds
    finally:
        proc.terminate()
        proc.wait(10)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("content", type=Path)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--code", type=Path, action="append", help="a code folder (default: this checkout)")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="serve-idle-"))
    for n, code in enumerate(args.code or [ROOT]):
        share = idle_share(code.resolve(), args.content.resolve(), work / f"site{n}", args.seconds)
        print(f"{code}: {share * 100:.1f} % of a core over {args.seconds:.0f} s of idling", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
