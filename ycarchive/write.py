"""Write rendered files into the output folder, touching only files whose bytes changed."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".build-manifest.json"


class OutputError(Exception):
    """The output folder cannot be written safely."""


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def read_manifest(out: Path) -> dict[str, str]:
    """The files of the last build in `out` that are still there, with the keys of their inputs."""
    manifest = out / MANIFEST
    if not manifest.is_file():
        if out.exists() and any(out.iterdir()):
            raise OutputError(f"{out}/ holds files this build did not write; choose another --out or empty it")
        return {}
    with open(manifest, encoding="utf-8") as handle:
        keys = json.load(handle)
    return {dest: key for dest, key in keys.items() if (out / dest).is_file()}


def write_site(out: Path, files: dict[str, bytes | None], keys: dict[str, str]) -> WriteStats:
    """Bring `out` to exactly `files`: write what changed, remove what is gone.

    A value of None means the file's inputs are unchanged since the last build, so the file
    already there is kept. Everything was rendered in memory before this runs, so a content
    error never reaches the output; a new folder is filled beside its destination and renamed
    into place.
    """
    out = Path(out)
    stats = WriteStats()
    manifest = {dest: keys.get(dest, "") for dest in sorted(files)}
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
        for dest, data in files.items():
            _write_atomic(tmp / dest, data)
            stats.written += 1
        _write_atomic(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=0).encode("utf-8"))
        os.chmod(tmp, 0o755)
        os.replace(tmp, out)
        return stats
    previous = read_manifest(out)
    for dest, data in files.items():
        path = out / dest
        if data is None:
            stats.unchanged += 1
            continue
        try:
            if path.read_bytes() == data:
                stats.unchanged += 1
                continue
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            pass
        _write_atomic(path, data)
        stats.written += 1
    for dest in sorted(set(previous) - set(files)):
        path = out / dest
        if path.is_file():
            path.unlink()
            stats.removed += 1
            _prune_empty(path.parent, out)
    if manifest != _read_raw_manifest(out):
        _write_atomic(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=0).encode("utf-8"))
    return stats


def _read_raw_manifest(out: Path) -> dict:
    try:
        with open(out / MANIFEST, encoding="utf-8") as handle:
            return json.load(handle)
    except (FileNotFoundError, ValueError):
        return {}


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
