"""bench/eval_importer.py: the scoring, and the scores on the annotated pages."""
from __future__ import annotations

import copy
import glob
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import eval_importer  # noqa: E402

ANNOTATIONS = sorted(glob.glob(os.path.join(ROOT, "tests", "importer", "annotations", "*.yml")))


def _gold_and_prediction(name):
    gold = eval_importer.load_annotation(os.path.join(ROOT, "tests", "importer", "annotations",
                                                      name))
    with open(os.path.join(ROOT, gold["page"]), encoding="utf-8") as f:
        return gold, eval_importer.predict(f.read(), str(gold["date"]))


@pytest.mark.parametrize("path", ANNOTATIONS, ids=os.path.basename)
def test_annotated_pages_score_full_marks(path):
    gold, predicted = _gold_and_prediction(os.path.basename(path))
    scores = eval_importer.score_page(gold, predicted)
    assert {f: r == t for f, (r, t) in scores.items()} == {f: True for f in eval_importer.FIELDS}


def test_scoring_counts_each_mistake_once():
    gold, predicted = _gold_and_prediction("000.yml")
    wrong = copy.deepcopy(predicted)
    wrong[1]["counties"] = ["万荣县"]
    wrong[2]["kicker"] = "垣曲县"
    wrong[3]["credits"] = []
    scores = eval_importer.score_page(gold, wrong)
    assert scores == {"boundaries": (1000, 1000), "headlines": (3, 3), "kickers": (2, 3),
                      "kinds": (3, 3), "bylines": (3, 3), "counties": (2, 3), "credits": (2, 3),
                      "staff": (0, 0)}


def test_scoring_a_missed_and_a_split_article():
    gold, predicted = _gold_and_prediction("001.yml")
    wrong = copy.deepcopy(predicted)
    wrong[2]["title"] = "别的标题"              # headline misread: article not found
    wrong.append(dict(wrong[3], title="多出来的一篇"))   # one article too many
    scores = eval_importer.score_page(gold, wrong)
    # 5 of 6 found with the right boundaries, out of 7 predicted: F1 = 2*(5/7)*(5/6)/(5/7+5/6)
    assert scores["boundaries"] == (769, 1000)
    assert scores["headlines"] == (5, 6)
    assert scores["counties"] == (5, 6)
    assert scores["staff"] == (3, 3)
