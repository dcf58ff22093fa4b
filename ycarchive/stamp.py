"""Skip a build whose inputs are exactly as the last successful build found them.

Like make: a build records the path, mtime and size of every file it reads (content,
templates, assets, county shapes), its options and the generator's code. When all of these
are as recorded and every file the last build wrote is still in the output, nothing can come
out different, and the build stops after walking the folders (about 0.2 s for 10,000
articles) instead of loading its cache and the whole Library.

That every output file is still there is checked by the modification times of the folders that
hold them (a file removed or renamed changes its folder's time): 17,700 folders take about
0.1 s to stat, where looking for each of 36,000 files took 0.2 s (bench/nochange_split.py).
The check runs in forked children while the inputs are walked, so it costs no time of its own.
A file removed within the same clock tick as the build's last write to its folder (a few
milliseconds on Linux) goes unnoticed; `--force` makes everything again.

Both the walk and the check are split between forked children (WALK_PROCESSES, CHECK_PROCESSES).
When the file cache is cold, each stat waits for the disk, and one process waits for each in
turn; several keep several reads in flight.

A file changed twice within one tick of the file system's clock, at the same size, keeps its
stamp: a build that started between the two changes would be trusted though it read the first.
So files changed less than `RACY_SECONDS` before a build's stamp was taken are also recorded
by a hash of their bytes, and checked by it (as git does for its index).

This module imports only the standard library, so that such a build starts fast.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import time
from pathlib import Path

RACY_SECONDS = 2     # more than the coarsest common timestamp granularity (1 s), with margin

# Forked children that walk the inputs, and that check the output's folders, all at once. With
# the file cache cold (this machine drops file cache unread for about a minute), stat waits for
# the disk, and what counts is how many reads are in flight, not the cores. On 10,000 articles
# (`python bench/nochange_split.py … --processes 1,2,4,8 --cold`, 2026-12-03), walking the
# content took 0.88-1.02 s in one process, 0.43-0.47 s in four or eight; statting the 17,700
# output folders 1.24-1.28 s in one, 0.85-0.86 s in four, 0.66-0.75 s in eight. With a warm
# cache more processes were no slower (0.10-0.18 s and 0.06-0.13 s for any count).
# Threads did worse than processes here: they wait for the GIL after every stat.
WALK_PROCESSES = 4
CHECK_PROCESSES = 8


def state_path(out: Path) -> Path:
    """Where the stamp of the last successful build is kept: beside the output, like the cache."""
    return out.parent / f".{out.name}-state.json"


def walk(root: str, into: list, depth: int | None = None) -> None:
    """(path, mtime_ns, size) of every file under root, skipping dot files and folders; with
    `depth`, the folders that many levels below root are not walked but put in `into` as their
    paths, to be walked apart (walk_apart)."""
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
            if depth == 1:
                into.append(entry.path)
            else:
                walk(entry.path, into, None if depth is None else depth - 1)
        else:
            try:
                stat = entry.stat()
            except FileNotFoundError:   # removed since the folder was listed (an editor's test file)
                continue
            into.append((entry.path, stat.st_mtime_ns, stat.st_size))


def walk_apart(root: str, into: list) -> None:
    """walk(root, into), the folders two levels below root (a content tree's months) walked by
    WALK_PROCESSES forked children at once; here, if they are few (or WALK_PROCESSES is 1)."""
    units: list = []
    walk(root, units, depth=2)
    folders = [unit for unit in units if type(unit) is str]
    if WALK_PROCESSES < 2 or len(folders) < 2 * WALK_PROCESSES:
        found = dict(zip(folders, _walk_each(folders)))
    else:
        parts = [folders[i::WALK_PROCESSES] for i in range(WALK_PROCESSES)]
        found = {folder: files for part, walked in zip(parts, in_processes(_walk_each, parts)())
                 for folder, files in zip(part, walked)}
    for unit in units:
        if type(unit) is str:
            into.extend(found[unit])
        else:
            into.append(unit)


def _walk_each(folders: list[str]) -> list[list]:
    walked = []
    for folder in folders:
        walked.append([])
        walk(folder, walked[-1])
    return walked


def in_processes(func, parts: list):
    """Start func(part) for each part in a forked child of its own, all at once; return a
    function that waits for them and returns [func(part) for part in parts]. Results come back
    through a pipe, in marshal's format (plain values only). A part whose child could not be
    forked, or ended without answering, is done in this process when the results are asked for."""
    children = []
    for part in parts:
        pid = read = None
        if hasattr(os, "fork"):
            read, write = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(read)
                os.close(write)
                pid = read = None
            else:
                if pid == 0:  # the child: answer through the pipe and leave without running any cleanup
                    try:
                        os.close(read)
                        with os.fdopen(write, "wb") as pipe:
                            pipe.write(marshal.dumps(func(part)))
                    finally:
                        os._exit(0)
                os.close(write)
        children.append((part, pid, read))

    def results() -> list:
        values = []
        for part, pid, read in children:
            answer = None
            if pid is not None:
                with os.fdopen(read, "rb") as pipe:
                    data = pipe.read()
                os.waitpid(pid, 0)
                try:
                    answer = [marshal.loads(data)] if data else None
                except (EOFError, ValueError, TypeError):   # cut short
                    answer = None
            values.append(func(part) if answer is None else answer[0])
        return values
    return results


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
        walk_apart(root, seen)
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
    return _stamp_of(_folder_times(f"{out}/", folders))


def _folder_times(prefix: str, folders: list[str]) -> list[int] | None:
    try:
        return [os.stat(prefix + folder).st_mtime_ns for folder in folders]
    except OSError:
        return None


def _stamp_of(times: list[int] | None) -> str | None:
    if times is None:
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

    The check runs in CHECK_PROCESSES forked children (in_processes) while this process
    walks the inputs: on 10,000 articles, with a warm cache, the two take about 0.1 and 0.2 s,
    most of a build with nothing to do (bench/nochange_split.py)."""
    folders = state.get("folders") if state else None
    if not isinstance(folders, list):
        def nothing() -> None:
            return None
        nothing.times = None
        return nothing
    prefix = f"{out}/"
    step = -(-len(folders) // CHECK_PROCESSES) or 1
    times = in_processes(lambda part: _folder_times(prefix, part),
                         [folders[i:i + step] for i in range(0, len(folders), step)])

    def answer() -> str | None:
        """The stamp; answer.times is then (the folders, their mtime_ns in the same order), for
        record (a dict is made only there: a build with nothing to do has no use for it)."""
        parts = times()
        if None in parts:
            return None
        found = [t for part in parts for t in part]
        answer.times = (folders, found)
        return _stamp_of(found)
    answer.times = None
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


def record(out: Path, inputs: dict, dests, times: tuple | None = None, touched: set | None = None,
           **facts) -> None:
    """Remember a successful build: its inputs, the folders of the files it wrote (`dests`, paths
    relative to `out`) with their times, and facts to repeat when nothing changed.

    `times` are the folders and their times as check_output found them when the build began, and
    `touched` the folders in which the build then made or removed files (write.WriteStats): only
    those, and folders new to the list, are statted again. Statting all 17,700 folders of a
    10,000-article site had been 0.1 s of every build that changed anything. A folder changed by
    hand during the build keeps the time it had before, so the next build sees the change: with
    every folder statted here, that change was recorded as the build's own."""
    folders = output_folders(dests)
    if times is None or touched is None:
        output = _output_stamp(out, folders)
    else:
        known = dict(zip(*times))
        again = [folder for folder in folders if folder in touched or folder not in known]
        now = _folder_times(f"{out}/", again)
        if now is None:
            output = None
        else:
            known.update(zip(again, now))
            output = _stamp_of([known[folder] for folder in folders])
    state = {**inputs, "folders": folders, "output": output, **facts}
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
