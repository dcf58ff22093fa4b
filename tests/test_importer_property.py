"""Import never loses a character of text: checked on the seeds and on variants of them.

"Text" here means the significant characters of the input: ideographs, Latin letters and
digits (punctuation, whitespace and layout marks such as # ▲ ◆ □ are not counted, since the
importer normalises them). The law: the multiset of significant characters of the input equals
that of
  - the bodies of all article files written, plus
  - leftovers.txt (the layout repeat and anything placed in no article), plus
  - the lines the importer read as structure (headlines, kickers, subtitles, column banners,
    bylines, 本报讯 leads, end signatures, captions, credits, the footer),
and every such structural line is shown in the front matter of its article (or in page.yml for
the footer): each name or phrase of it, with the role words (记者, 摄, 责编 …) taken out, occurs
in that file.
"""
from __future__ import annotations

import os
import random
import re
import sys
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(__file__))
from importer.helpers import CONTENT, GAZETTEER, SEEDS, seed_text, split_article  # noqa: E402

from ycarchive.importer import load_columns  # noqa: E402
from ycarchive.importer.people import load_people  # noqa: E402
from ycarchive.importer.pipeline import Options, import_page  # noqa: E402
from ycarchive.importer.places import load_gazetteer  # noqa: E402
from ycarchive.importer.repair import significant  # noqa: E402

GAZ = load_gazetteer(str(GAZETTEER), str(CONTENT / "counties.yml"))
PEOPLE = load_people(str(CONTENT / "people.yml"))
COLUMNS = load_columns(str(CONTENT))
_WORDS = ["本报讯", "本报记者", "特约摄影", "本报通讯员", "特约通讯员", "通讯员", "实习生", "记者",
          "本版责编", "责编", "美编", "校对", "资料照片", "资料图片", "摄"]
# role words, even with a stray space inside (美 编), the gaps between names, and the full stop
# at which a caption's text and its credit are cut into two fields ("1。为为摄": caption "1。",
# credit "为为摄")
ROLE_WORDS = re.compile("|".join(r"\s*".join(w) for w in _WORDS) + r"|[\s、。]+")


def _import(text: str):
    return import_page(text, GAZ, PEOPLE, Options(date="2025-12-31", source="page.txt",
                                                  columns=COLUMNS))


def _leftover_text(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.startswith("#"))


def check_nothing_lost(text: str) -> None:
    result = _import(text)
    got = Counter()
    articles = [name for name in result.files if name.endswith(".md")]
    assert len(articles) == len(result.page.articles)
    for name, art in zip(articles, result.page.articles):
        front, body = split_article(result.files[name])
        got += Counter(significant(body))
        file_sig = significant(result.files[name])
        for role, printed in art.structural:
            got += Counter(significant(printed))
            for piece in ROLE_WORDS.split(printed):
                assert significant(piece) in file_sig, (name, role, printed)
    page_sig = significant(result.files["page.yml"])
    for role, printed in result.page.structural:
        got += Counter(significant(printed))
        for piece in ROLE_WORDS.split(printed):
            assert significant(piece) in page_sig, (role, printed)
    got += Counter(significant(_leftover_text(result.files.get("leftovers.txt", ""))))
    want = Counter(significant(text))
    assert got == want, (want - got, got - want)


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_loses_nothing(seed):
    check_nothing_lost(seed_text(seed))


# --- variants of the seeds -------------------------------------------------------------------

FULL, ASCII = "，：；（）？！", ",:;()?!"


def swap_punctuation(text: str, rnd: random.Random) -> str:
    """ASCII punctuation where the page had full-width, or the other way round."""
    src, dst = (FULL, ASCII) if rnd.random() < 0.5 else (ASCII, FULL)
    return text.translate(str.maketrans(src, dst))


def extra_blank_lines(text: str, rnd: random.Random) -> str:
    return re.sub(r"\n\n", lambda m: "\n" * rnd.choice([2, 2, 3, 5]), text)


def tabs_in_names(text: str, rnd: random.Random) -> str:
    """A tab or space inside the names of bylines, credits and the footer."""
    def spoil(m: re.Match) -> str:
        line = m.group(0)
        spots = [i for i in range(1, len(line)) if "\u4e00" <= line[i - 1] <= "\u9fff"
                 and "\u4e00" <= line[i] <= "\u9fff"]
        if not spots:
            return line
        i = rnd.choice(spots)
        return line[:i] + rnd.choice(["\t", " "]) + line[i:]
    return re.sub(r"(?m)^.{0,30}(记者|摄|责编|校对).{0,30}$", spoil, text)


def column_breaks(text: str, rnd: random.Random) -> str:
    """Cut a few long paragraphs in two, as a column break does."""
    lines = text.split("\n")
    long = [i for i, line in enumerate(lines) if len(line) > 30]
    for i in rnd.sample(long, min(3, len(long))):
        k = rnd.randrange(5, len(lines[i]) - 5)
        lines[i] = lines[i][:k] + "\n" * rnd.choice([1, 2, 4]) + lines[i][k:]
    return "\n".join(lines)


def shuffle_paragraphs(text: str, rnd: random.Random) -> str:
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    start = rnd.randrange(len(blocks))
    window = blocks[start:start + rnd.randint(2, 8)]
    rnd.shuffle(window)
    blocks[start:start + len(window)] = window
    return "\n\n".join(blocks)


OPS = [swap_punctuation, extra_blank_lines, tabs_in_names, column_breaks, shuffle_paragraphs]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(sorted(SEEDS)), ops=st.lists(st.sampled_from(OPS), max_size=4),
       rnd=st.randoms(use_true_random=False))
def test_variant_loses_nothing(seed, ops, rnd):
    text = seed_text(seed)
    for op in ops:
        text = op(text, rnd)
    check_nothing_lost(text)


@settings(max_examples=60, deadline=None)
@given(seed=st.sampled_from(sorted(SEEDS)), rnd=st.randoms(use_true_random=False))
def test_whole_page_shuffled_loses_nothing(seed, rnd):
    blocks = [b for b in re.split(r"\n\s*\n", seed_text(seed)) if b.strip()]
    rnd.shuffle(blocks)
    check_nothing_lost("\n\n".join(blocks))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="记者摄本报讯（）()，。▲图为资料照片责编美编校对 \n\t李楠曹欣怡#◆手记县区abc12",
               max_size=200))
def test_arbitrary_text_loses_nothing(text):
    check_nothing_lost(text)


def test_the_check_notices_a_lost_paragraph(monkeypatch):
    from ycarchive.importer import split

    finish = split._finish

    def lossy(art):
        finish(art)
        art.body = art.body[:-1]
    monkeypatch.setattr(split, "_finish", lossy)
    with pytest.raises(AssertionError):
        check_nothing_lost(seed_text("000_db3deb8d35b6fb12.txt"))
