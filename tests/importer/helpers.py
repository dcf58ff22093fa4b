"""Shared by the importer tests: the seed pages and how to read what the importer wrote."""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = Path(__file__).resolve().parent / "seeds"
CONTENT = ROOT / "content"
GAZETTEER = ROOT / "data" / "yuncheng_gazetteer.csv"

# seed file -> (issue date, page folder under content/)
SEEDS = {
    "000_db3deb8d35b6fb12.txt": ("2025-11-26", "2025/11/26/03"),
    "001_a75a3d1441bf0364.txt": ("2025-02-25", "2025/02/25/03"),
    "002_e13bbc1ca5954cd9.txt": ("2025-06-24", "2025/06/24/03"),
    "003_84f8b6ad00173f0f.txt": ("2025-03-25", "2025/03/25/03"),
}


def seed_text(name: str) -> str:
    with open(SEED_DIR / name, encoding="utf-8") as f:
        return f.read()


def split_article(text: str) -> tuple[dict, str]:
    """(front matter, body) of an article file."""
    m = re.match(r"---\n(.*?)\n---\n\n?(.*)\Z", text, re.S)
    assert m, "article file must start with a front-matter block"
    return yaml.safe_load(m.group(1)), m.group(2)


def read_folder(folder: str | os.PathLike) -> dict[str, str]:
    """Every file in a page folder, except the importer's sidecar."""
    out = {}
    for name in sorted(os.listdir(folder)):
        if name == ".import.json":
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            out[name] = f.read()
    return out
