"""Write an imported page into content/, keeping hand edits and never duplicating articles."""
from __future__ import annotations

import hashlib
import json
import os
import re

import yaml

SIDECAR = ".import.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def load_sidecar(folder: str) -> dict[str, str]:
    """file name -> sha256 of the bytes the importer last wrote there."""
    try:
        with open(os.path.join(folder, SIDECAR), encoding="utf-8") as f:
            return json.load(f).get("files", {})
    except FileNotFoundError:
        return {}


def load_titles(folder: str) -> dict[str, str]:
    """title -> article file name, for the article files already in the page folder."""
    titles: dict[str, str] = {}
    if not os.path.isdir(folder):
        return titles
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".md"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            text = f.read()
        m = re.match(r"---\n(.*?)\n---\n", text, re.S)
        if not m:
            continue
        try:
            front = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError:
            continue
        if isinstance(front, dict) and isinstance(front.get("title"), str):
            titles.setdefault(front["title"], name)
    return titles


def _title_of(text: str) -> str | None:
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return (yaml.safe_load(m.group(1)) or {}).get("title") if m else None


def write_page(folder: str, files: dict[str, str], force: bool = False) -> list[str]:
    """Write the files of one page; return one report line per file."""
    os.makedirs(folder, exist_ok=True)
    recorded = load_sidecar(folder)
    titles = load_titles(folder)
    report: list[str] = []
    written: dict[str, str] = dict(recorded)
    targets: set[str] = set()
    for name, text in files.items():
        data = text.encode("utf-8")
        target = name
        if name.endswith(".md"):
            title = _title_of(text)
            if title in titles and titles[title] != name:
                target = titles[title]               # the maintainer renamed the file
        targets.add(target)
        path = os.path.join(folder, target)
        shown = os.path.join(folder, target)
        current = _read_bytes(path)
        if current == data:
            report.append(f"unchanged  {shown}")
            written[target] = _sha(data)
            continue
        edited = current is not None and recorded.get(target) != _sha(current)
        if edited and not force:
            report.append(f"kept       {shown} (edited by hand; --force overwrites it)")
            continue
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        written[target] = _sha(data)
        verb = "overwrote " if edited else ("updated   " if current is not None else "wrote     ")
        report.append(f"{verb} {shown}" + (" (edited by hand)" if edited else ""))
    for name in sorted(set(recorded) - targets):
        if os.path.exists(os.path.join(folder, name)):
            report.append(f"left alone {os.path.join(folder, name)} (no longer produced)")
    with open(os.path.join(folder, SIDECAR), "w", encoding="utf-8", newline="\n") as f:
        json.dump({"files": dict(sorted(written.items()))}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return report


def append_people(path: str, entries: str) -> None:
    """Append new people to people.yml, keeping its comments and order."""
    if not entries:
        return
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text and not text.endswith("\n"):
        text += "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text + entries)
