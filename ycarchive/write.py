"""Write the site: files are staged beside the output, then moved in once the build succeeded."""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# The output's manifest: every file the build wrote, with the key of its inputs, {dest: key}
# sorted by dest, in marshal's format 2 (no back-references, so the same manifest gives the same
# bytes). Both processes of a build read it and the main one writes it: for the 36,279 files of
# 10,000 articles, read in 7.6-9.1 ms and written in 7.5-8.5 ms, against 14.0-21.0 and 25.6-27.8
# ms as indented JSON (bench/micro_timings.py, four runs on 2026-12-04), and an added article's
# build waits for each. Builds before that wrote OLD_MANIFEST, JSON, which is read when there is
# no manifest and removed by the next commit.
MANIFEST = ".build-manifest"
OLD_MANIFEST = ".build-manifest.json"


class OutputError(Exception):
    """The output folder cannot be written safely."""


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    # Folders of the output (relative to it, "" for itself) in which the commit made or removed
    # an entry, with every folder above them; None when it may have touched any (a first build).
    # A file written over in place leaves its folder's time as it was.
    touched: set | None = field(default_factory=lambda: {""})


def _with_parents(dest: str, into: set) -> None:
    """Add the folders that hold `dest`, from its own up to the output's ("")."""
    folder = dest.rpartition("/")[0]
    while folder not in into:
        into.add(folder)
        folder = folder.rpartition("/")[0]


def read_manifest(out: Path, check: bool = True) -> dict[str, str]:
    """The files of the last build in `out` that are still there, with the keys of their inputs.

    With `check` False, the caller knows that none was removed (stamp.output_intact), and the
    files are not looked for one by one."""
    for manifest, load in ((out / MANIFEST, marshal.loads), (out / OLD_MANIFEST, json.loads)):
        try:
            data = manifest.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            continue
        try:
            keys = load(data)
        except (ValueError, EOFError, TypeError) as exc:
            raise OutputError(f"{manifest} cannot be read ({exc}); delete it to rebuild {out}/ in full") from None
        break
    else:
        if out.exists() and any(out.iterdir()):
            raise OutputError(f"{out}/ holds files this build did not write; choose another --out or empty it")
        return {}
    if isinstance(keys, list):   # written by an older version: files without keys, all made again
        keys = dict.fromkeys(keys, "")
    if not isinstance(keys, dict):
        raise OutputError(f"{manifest} cannot be read (not a build's manifest); delete it to rebuild {out}/ in full")
    if not check:
        return keys
    prefix = f"{out}/"
    return {dest: key for dest, key in keys.items() if os.path.isfile(prefix + dest)}


class Stage:
    """A folder beside the output where a build puts the files it made.

    Nothing in the output changes until `commit`, so a build that fails part-way (a content
    error, a template error) leaves the previous site as it was. Forked render workers write
    here too, so rendered pages need not be held in memory.

    A first build stages the site's own tree and moves it into place with one rename. Later
    builds stage files flat, under a hash of their path, and `commit` writes the changed ones
    over the old files in place: folders made and removed, and renames, are what cost most on
    a busy disk (1,300 files: about 0.03 s in place against 0.15-1.9 s by rename, and as much
    again to remove a staged tree; measured side by side, docs/performance.md). Files handed
    over by the building process itself (search files, assets, sitemap: already in its memory)
    are held in memory up to HOLD_BYTES instead of being written twice.
    """

    HOLD_BYTES = 64 << 20

    def __init__(self, out: Path):
        self.out = Path(out)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.flat = (self.out / MANIFEST).is_file() or (self.out / OLD_MANIFEST).is_file()
        self.dir = Path(tempfile.mkdtemp(dir=self.out.parent, prefix=f".{self.out.name}-"))
        self.pid = os.getpid()
        self.held: dict[str, bytes] = {}
        self.held_bytes = 0
        self.folders: set[str] = set()   # folders under self.dir made already

    def put(self, dest: str, data: bytes) -> None:
        if self.flat:
            if os.getpid() == self.pid and self.held_bytes + len(data) <= self.HOLD_BYTES:
                self.held[dest] = data
                self.held_bytes += len(data)
                return
            _write_new(f"{self.dir}/{_flat_name(dest)}", data)
            return
        # A first build stages its whole tree: 36,815 files at 10,000 articles, from the render
        # workers and the search index's processes. Each process makes a folder once (the
        # folders it knows of are those made before it was forked and its own), not once a
        # file, and writes through os.open rather than pathlib: staging 28,192 files of 5,000
        # bytes took a median 1.42 s (user 0.12-0.16 s) against 1.86 s (user 0.41-0.86 s)
        # (bench/write_bench.py --stage, docs/performance.md, 2026-12-05).
        path = f"{self.dir}/{dest}"
        folder = path.rpartition("/")[0]
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        _write_new(path, data)

    def hold(self, dest: str, data: bytes) -> None:
        """Like put, for bytes the building process keeps in memory anyway (search files,
        assets, the sitemap): holding them costs no memory, so HOLD_BYTES does not apply.
        Adding an article changes 60-80 MB of search files at 10,000 articles; past the limit
        they were written to the stage and read back, 0.3-0.5 s for 800 files."""
        if self.flat and os.getpid() == self.pid:
            self.held[dest] = data
        else:
            self.put(dest, data)

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def commit(self, keys: dict[str, str], previous: dict[str, str]) -> WriteStats:
        """Make the output hold exactly the files in `keys`: staged ones, and kept ones.

        `previous` is what `read_manifest` gave before the build: the files already there.
        If this fails half-way (a full disk), the old manifest is still in place, and it does
        not hold the keys of the files that were being replaced: the next build makes them again.
        """
        stats = WriteStats()
        manifest = marshal.dumps(dict(sorted(keys.items())), 2)
        if not self.flat and not self.out.exists():
            # Every file of a first build is staged: counted by walking the staged tree (pathlib's
            # rglob and a stat each), the write step of a first build of 10,000 articles took
            # 1.28-1.90 s against 0.75-0.79 s (bench/full_side_by_side.py, docs/performance.md).
            stats.written = len(keys)
            stats.touched = None
            (self.dir / MANIFEST).write_bytes(manifest)
            os.chmod(self.dir, 0o755)
            os.replace(self.dir, self.out)
            return stats
        if self.flat:
            on_disk = os.listdir(self.dir)
            # Staged files are those whose key changed, so their names are looked for among
            # those first, rather than hashing all 36,000 paths of 10,000 articles every build.
            names = {_flat_name(dest): dest for dest, key in keys.items() if previous.get(dest) != key} \
                if on_disk else {}
            if any(name not in names for name in on_disk):   # a file made again with its old key
                names = {_flat_name(dest): dest for dest in keys}
            staged = sorted([(names[name], self.dir / name) for name in on_disk]
                            + [(dest, None) for dest in self.held])
        else:   # an empty output folder made by hand
            staged = sorted((p.relative_to(self.dir).as_posix(), p) for p in self.dir.rglob("*") if p.is_file())
        for dest, source in staged:
            target = self.out / dest
            data = self.held[dest] if source is None else source.read_bytes()
            try:
                with open(target, "r+b") as handle:
                    if handle.read() == data:
                        stats.unchanged += 1
                        continue
                    handle.seek(0)
                    handle.write(data)
                    handle.truncate()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                _with_parents(dest, stats.touched)
                target.parent.mkdir(parents=True, exist_ok=True)
                if source is None:
                    target.write_bytes(data)
                else:
                    os.chmod(source, 0o644)
                    os.replace(source, target)
            stats.written += 1
        stats.unchanged += len(set(keys) - {dest for dest, _ in staged})
        for dest in sorted(set(previous) - set(keys)):
            try:
                (self.out / dest).unlink()
            except FileNotFoundError:   # removed by hand already: what this step was for
                continue
            _with_parents(dest, stats.touched)
            stats.removed += 1
            _prune_empty((self.out / dest).parent, self.out)
        try:
            unchanged = (self.out / MANIFEST).read_bytes() == manifest
        except FileNotFoundError:   # an empty output folder made by hand
            unchanged = False
        if not unchanged:
            (self.out / MANIFEST).write_bytes(manifest)
        try:
            (self.out / OLD_MANIFEST).unlink()
        except FileNotFoundError:
            pass
        return stats


def _write_new(path: str, data: bytes) -> None:
    """Write `data` to the file `path`, made if need be (as Path.write_bytes, without its objects)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0),
                 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _flat_name(dest: str) -> str:
    return hashlib.blake2b(dest.encode("utf-8"), digest_size=16).hexdigest()


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
