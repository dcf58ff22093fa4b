"""bench/news_seeds.py: the tagged corpus becomes plain text, one paragraph a line."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from news_seeds import distinct_ngrams, first_paragraphs, untag  # noqa: E402


def test_untag_drops_tags_groups_and_spaces():
    tagged = "迈向/v  充满/v  希望/n  ——/w  [中共中央/nt  总书记/n]nt  １２月/t\n\n江/nr  泽民/nr  。/w\n"
    assert untag(tagged) == "迈向充满希望——中共中央总书记１２月\n江泽民。"


def test_distinct_ngrams_count_within_han_runs():
    assert distinct_ngrams("新年新年，年新") == [2, 2, 2, 1]  # 新年 年新; 新年新 年新年; 新年新年


def test_first_paragraphs_keep_whole_lines_within_the_limit():
    text = "第一段。\n第二段文字。\n三"
    assert first_paragraphs(text, 5) == "第一段。"
    assert first_paragraphs(text, 10) == "第一段。"
    assert first_paragraphs(text, 11) == "第一段。\n第二段文字。"
    assert first_paragraphs(text, 100) == text
    assert first_paragraphs(text, 3) == ""
