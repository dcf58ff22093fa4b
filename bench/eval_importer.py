"""Score the importer against hand annotations of pages.

    python bench/eval_importer.py [ANNOTATION.yml ...]

Without arguments, every file in tests/importer/annotations/ is scored. Each annotation names
its page and lists the articles a careful reader finds there. Fields scored per page:

  boundaries  F1 of articles found with the right headline, first and last 12 body letters
  headlines   share of annotated headlines the importer found
  kickers     share of annotated articles whose kicker (引题) matches ('' when none)
  kinds       share whose kind (消息, 通讯, 图片新闻, 记者手记, 评论) matches
  bylines     share whose reporters, correspondents and authors all match
  counties    share whose county list matches
  credits     share whose photo credits and photographers all match
  staff       share of footer roles (责编, 美编, 校对) that match

An annotated article the importer did not find (by headline) counts as wrong in every field.
`overall` is the mean of the field scores.
"""
from __future__ import annotations

import glob
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from ycarchive.importer import load_columns  # noqa: E402
from ycarchive.importer.people import load_people  # noqa: E402
from ycarchive.importer.pipeline import Options, import_page  # noqa: E402
from ycarchive.importer.places import load_gazetteer  # noqa: E402
from ycarchive.importer.repair import significant  # noqa: E402

FIELDS = ("boundaries", "headlines", "kickers", "kinds", "bylines", "counties", "credits",
          "staff")


def load_annotation(path: str) -> dict:
    """Read one annotation file."""
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def predict(page_text: str, date: str) -> list[dict]:
    """The importer's articles in the annotation's shape, plus the page staff as item 0."""
    content = os.path.join(ROOT, "content")
    gaz = load_gazetteer(os.path.join(ROOT, "data", "yuncheng_gazetteer.csv"),
                         os.path.join(content, "counties.yml"))
    people = load_people(os.path.join(content, "people.yml"))
    result = import_page(page_text, gaz, people,
                         Options(date=date, columns=load_columns(content)))
    articles = []
    for art, front in zip(result.page.articles, result.fronts):
        sig = significant("".join(t for k, t in art.body if k == "p"))
        articles.append({
            "title": front["title"], "kicker": front.get("kicker", ""), "kind": front["kind"],
            "counties": front["counties"],
            "bylines": {k: front.get(k, []) for k in ("reporters", "correspondents", "authors")},
            "credits": [{"credit": im.get("credit", ""), "photographer": im.get("photographer", "")}
                        for im in front.get("images", [])],
            "body_start": sig[:12], "body_end": sig[-12:],
        })
    staff = {role: (names if isinstance(names, list) else [names])
             for role, names in ((r, _page_value(result.files["page.yml"], r))
                                 for r in ("editor", "art_editor", "proofreader")) if names}
    return [staff] + articles


def _page_value(page_yml: str, key: str):
    return (yaml.safe_load(page_yml) or {}).get(key)


def _key(title: str) -> str:
    return significant(title)


def score_page(gold: dict, predicted: list[dict]) -> dict[str, tuple[int, int]]:
    """(right, total) per field for one page."""
    staff, arts = predicted[0], predicted[1:]
    by_title = {}
    for art in arts:
        by_title.setdefault(_key(art["title"]), art)
    scores = {f: [0, 0] for f in FIELDS}
    exact = 0
    for want in gold["articles"]:
        got = by_title.get(_key(want["title"]))
        scores["headlines"][1] += 1
        if got is None:
            for f in FIELDS[2:-1]:
                scores[f][1] += 1
            continue
        scores["headlines"][0] += 1
        if got["body_start"] == want["body_start"] and got["body_end"] == want["body_end"]:
            exact += 1
        checks = {
            "kickers": (got["kicker"] or "") == (want.get("kicker") or ""),
            "kinds": got["kind"] == want["kind"],
            "bylines": all(got["bylines"][k] == want["bylines"].get(k, []) for k in got["bylines"]),
            "counties": got["counties"] == want["counties"],
            "credits": got["credits"] == want.get("credits", []),
        }
        for f, ok in checks.items():
            scores[f][0] += int(ok)
            scores[f][1] += 1
    # boundaries as F1 over articles, so extra or merged articles cost too
    precision = exact / len(arts) if arts else 0.0
    recall = exact / len(gold["articles"]) if gold["articles"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    scores["boundaries"] = [round(f1 * 1000), 1000]
    for role, names in (gold.get("staff") or {}).items():
        scores["staff"][1] += 1
        scores["staff"][0] += int(staff.get(role) == names)
    return {f: tuple(v) for f, v in scores.items()}


def main(argv: list[str]) -> int:
    """Print a table of per-field accuracy for each page and over all pages."""
    paths = argv or sorted(glob.glob(os.path.join(ROOT, "tests", "importer", "annotations",
                                                  "*.yml")))
    total = {f: [0.0, 0] for f in FIELDS}
    print(f"{'page':<14}" + "".join(f"{f:>11}" for f in FIELDS) + f"{'overall':>11}")
    for path in paths:
        gold = load_annotation(path)
        with open(os.path.join(ROOT, gold["page"]), encoding="utf-8") as f:
            text = f.read()
        scores = score_page(gold, predict(text, str(gold["date"])))
        row = {f: (r / t if t else 1.0) for f, (r, t) in scores.items()}
        for f in FIELDS:
            total[f][0] += row[f]
            total[f][1] += 1
        name = re.sub(r"\.yml$", "", os.path.basename(path))
        print(f"{name:<14}" + "".join(f"{row[f]:>11.3f}" for f in FIELDS)
              + f"{sum(row.values()) / len(FIELDS):>11.3f}")
    mean = {f: s / n for f, (s, n) in total.items()}
    print(f"{'mean':<14}" + "".join(f"{mean[f]:>11.3f}" for f in FIELDS)
          + f"{sum(mean.values()) / len(FIELDS):>11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
