"""Markdown: the fast path for plain prose gives exactly Python-Markdown's HTML."""
from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings, strategies as st

from ycarchive.markup import _render_plain, render_markdown, render_markdown_slow

ROOT = Path(__file__).resolve().parent.parent

# Characters of newspaper prose plus the ones Markdown treats specially.
ALPHABET = "党建引领社区治理，。：；！？“”（）《》、—…0123456789年月日%abcXYZ .-#=+*_>[]!&<\\`~|\t"


def test_fast_path_matches_python_markdown_on_the_archive():
    bodies = [p.read_text(encoding="utf-8").split("---\n", 2)[2] for p in sorted(ROOT.glob("content/**/*.md"))]
    used = 0
    for body in bodies:
        fast = _render_plain(body)
        if fast is not None:
            used += 1
            assert fast == render_markdown_slow(body)
    assert used >= len(bodies) * 0.9, "plain prose should take the fast path"


@settings(max_examples=600, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, min_size=0, max_size=40), min_size=1, max_size=6),
       st.lists(st.sampled_from(["\n", "\n\n", "\n\n\n", "\n \n"]), min_size=6, max_size=6))
@example(lines=["\t", "", "0"], breaks=["\n"] * 6)  # a first line of blanks: an empty code block
@example(lines=["    ", "0"], breaks=["\n\n"] * 6)
def test_fast_path_equals_python_markdown(lines, breaks):
    text = "".join(line + sep for line, sep in zip(lines, breaks))
    fast = _render_plain(text)
    if fast is not None:
        assert fast == render_markdown_slow(text)


def test_subheads_and_paragraphs():
    html, plain = render_markdown("## 党建统筹定方向\n\n社区党支部立足群众需求。\n\n2024年7月1日，晚会开场。\n")
    assert html == "<h2>党建统筹定方向</h2>\n<p>社区党支部立足群众需求。</p>\n<p>2024年7月1日，晚会开场。</p>"
    assert plain == "党建统筹定方向\n社区党支部立足群众需求。\n2024年7月1日，晚会开场。"


def test_markup_falls_back_to_python_markdown():
    html, _ = render_markdown("1. 第一\n2. 第二\n")
    assert html == "<ol>\n<li>第一</li>\n<li>第二</li>\n</ol>"


def test_a_bulleted_list_after_a_numbered_one_is_a_list_of_its_own():
    # sane_lists: plain Python-Markdown would make the bullets items of the numbered list
    html, _ = render_markdown("1. 第一\n2. 第二\n\n* 甲\n* 乙\n")
    assert html == "<ol>\n<li>第一</li>\n<li>第二</li>\n</ol>\n<ul>\n<li>甲</li>\n<li>乙</li>\n</ul>"
