"""Skip a build whose inputs are exactly as the last successful build found them.

Like make: a build records the path, mtime and size of every file it reads (content,
templates, assets, county shapes), its options and the generator's code. When all of these
are as recorded and every file the last build wrote is still in the output, nothing can come
out different, and the build stops after walking the folders (about 0.2 s for 10,000
articles) instead of loading its cache and the whole Library.

That every output file is still there is checked by the modification times of the folders that
hold them (a file removed or renamed changes its folder's time): 17,700 folders take about
0.1 s to stat, where looking for each of 36,000 files took 0.2 s (bench/nochange_split.py).
The check runs in a forked child while the inputs are walked, so it costs no time of its own.
A file removed within the same clock tick as the build's last write to its folder (a few
milliseconds on Linux) goes unnoticed; `--force` makes everything again.

A file changed twice within one tick of the file system's clock, at the same size, keeps its
stamp: a build that started between the two changes would be trusted though it read the first.
So files changed less than `RACY_SECONDS` before a build's stamp was taken are also recorded
by a hash of their bytes, and checked by it (as git does for its index).

This module imports only the standard library, so that such a build starts fast.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

RACY_SECONDS = 2     # more than the coarsest common timestamp granularity (1 s), with margin


def state_path(out: Path) -> Path:
    """Where the stamp of the last successful build is kept: beside the output, like the cache."""
    return out.parent / f".{out.name}-state.json"


def walk(root: str, into: list) -> None:
    """(path, mtime_ns, size) of every file under root, skipping dot files and folders."""
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        into.append((root, "missing"))
        return
    except NotADirectoryError:
        stat = os.stat(root)
        into.append((root, stat.st_mtime_ns, stat.st_size))
        return
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            walk(entry.path, into)
        else:
            try:
                stat = entry.stat()
            except FileNotFoundError:   # removed since the folder was listed (an editor's test file)
                continue
            into.append((entry.path, stat.st_mtime_ns, stat.st_size))


def _hash_file(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        return None


def input_stamp(roots: list[str], options: tuple, files: dict | None = None) -> dict:
    """{"stamp": hash of every input file's path, mtime and size under `roots` and of `options`,
    "racy": {path: hash of its bytes} for files changed too recently to trust their stamp}.

    `files`, if given, receives {root: (time the walk began in ns, [(path, mtime_ns, size), …])}
    for each root, so that a build that goes on need not walk and stat the same files again.
    """
    now = time.time_ns()
    seen: list = [repr(options)]
    for root in roots:
        start = len(seen)
        walk(root, seen)
        if files is not None:
            files[root] = (now, seen[start:])
    recent = now - RACY_SECONDS * 1_000_000_000
    racy = {entry[0]: _hash_file(entry[0]) for entry in seen[1:] if len(entry) == 3 and entry[1] > recent}
    return {"stamp": hashlib.blake2b(repr(seen).encode("utf-8"), digest_size=16).hexdigest(), "racy": racy}


def output_folders(dests) -> list[str]:
    """The folders (relative to the output, "" for itself) that hold the files `dests`."""
    return sorted({dest.rpartition("/")[0] for dest in dests} | {""})


def _output_stamp(out: Path, folders: list[str]) -> str | None:
    """A hash of the modification times of `folders` under `out`, None if one is gone."""
    prefix = f"{out}/"
    try:
        times = [os.stat(prefix + folder).st_mtime_ns for folder in folders]
    except OSError:
        return None
    return hashlib.blake2b(repr(times).encode("ascii"), digest_size=16).hexdigest()


def last_state(out: Path) -> dict | None:
    """The record of the last successful build, None if there is none or it cannot be read."""
    try:
        with open(state_path(out), encoding="utf-8") as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def check_output(out: Path, state: dict | None):
    """Start checking that the output of the build recorded in `state` is intact; return a
    function that waits for the answer (the output's stamp, None if a folder is gone).

    The check runs in a forked child, on the other core, while this process walks the inputs:
    on 10,000 articles the two take about 0.1 and 0.2 s, most of a build with nothing to do
    (bench/nochange_split.py). Without fork, or when the child fails, it runs here."""
    folders = state.get("folders") if state else None
    if not isinstance(folders, list):
        return lambda: None
    if not hasattr(os, "fork"):
        return lambda: _output_stamp(out, folders)
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return lambda: _output_stamp(out, folders)
    if pid == 0:  # the child: answer through the pipe and leave without running any cleanup
        try:
            os.close(read)
            os.write(write, (_output_stamp(out, folders) or "-").encode("ascii"))
        finally:
            os._exit(0)
    os.close(write)

    def answer() -> str | None:
        with os.fdopen(read, "rb") as pipe:
            found = pipe.read().decode("ascii")
        os.waitpid(pid, 0)
        if not found:  # the child died before answering
            return _output_stamp(out, folders)
        return None if found == "-" else found
    return answer


def up_to_date(state: dict | None, inputs: dict, output: str | None) -> dict | None:
    """The record of the last build (`state`) if its inputs were these and its output is intact
    (`output`: the output's stamp now, as check_output's function gives it), else None."""
    if state is None or state.get("stamp") != inputs["stamp"]:
        return None
    if any(_hash_file(path) != digest for path, digest in state.get("racy", {}).items()):
        return None
    return state if output_intact(state, output) else None


def output_intact(state: dict | None, output: str | None) -> bool:
    """True if no file the build recorded in `state` wrote has been removed from the output
    since (`output`: the output's stamp now). Then the files its manifest lists are all there,
    without looking for each (36,000 stat calls, 0.3 s at 10,000 articles)."""
    return state is not None and output is not None and output == state.get("output")


def record(out: Path, inputs: dict, dests, **facts) -> None:
    """Remember a successful build: its inputs, the folders of the files it wrote (`dests`, paths
    relative to `out`) with their times, and facts to repeat when nothing changed."""
    folders = output_folders(dests)
    state = {**inputs, "folders": folders, "output": _output_stamp(out, folders), **facts}
    path = state_path(out)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def forget(out: Path) -> None:
    """Drop the record, so that the next build runs in full."""
    try:
        state_path(out).unlink()
    except FileNotFoundError:
        pass
