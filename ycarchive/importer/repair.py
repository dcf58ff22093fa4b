"""Repair raw page text: punctuation, stray whitespace, column breaks."""
from __future__ import annotations

import re

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
# Punctuation after which a paragraph is complete; anything else means a column break cut it.
TERMINAL = "。！？…”’）」』"
# Characters that count as text when checking that nothing was lost.
_SIGNIFICANT_RE = re.compile(f"[{CJK}A-Za-z0-9]")


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph."""
    return bool(ch) and bool(_CJK_RE.match(ch))


def significant(text: str) -> str:
    """The letters, digits and ideographs of `text`, in order (punctuation and spaces dropped)."""
    return "".join(_SIGNIFICANT_RE.findall(text))


def _chinese_context(text: str, i: int) -> bool:
    """True when the character at i sits in Chinese text (an ideograph or full-width mark nearby)."""
    for j in (i - 1, i + 1, i - 2, i + 2):
        if 0 <= j < len(text):
            ch = text[j]
            if ch.isspace():
                continue
            if is_cjk(ch) or ch in "“”‘’（）《》，。：；？！、":
                return True
    return False


def normalize_punctuation(text: str) -> str:
    """Make ASCII , : ; ( ) ? ! full-width inside Chinese text; numbers, times and Latin stay."""
    out = []
    n = len(text)
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < n else ""
        if ch in ",:" and prev.isdigit() and nxt.isdigit():
            out.append(ch)                       # 1,000 and 18:30
        elif ch in ",:;?!" and _chinese_context(text, i):
            out.append({",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}[ch])
        elif ch == "(":
            close = text.find(")", i)
            inner = text[i + 1:close] if close > i else text[i + 1:i + 6]
            out.append("（" if _CJK_RE.search(inner) or is_cjk(prev) else ch)
        elif ch == ")":
            open_ = text.rfind("(", 0, i)
            inner = text[open_ + 1:i] if open_ >= 0 else text[max(0, i - 5):i]
            opened_full = text.rfind("（", 0, i) > open_
            out.append("）" if _CJK_RE.search(inner) or opened_full else ch)
        else:
            out.append(ch)
    return "".join(out)


def _run_length(text: str, i: int, step: int) -> int:
    """How many ideographs follow (step 1) or precede (step -1) position i without a break."""
    count = 0
    j = i
    while 0 <= j < len(text) and is_cjk(text[j]):
        count += 1
        j += step
    return count


def clean_spaces(text: str, heading: bool = False) -> str:
    """Drop stray spaces and tabs inside Chinese text; keep the gap between two phrases."""
    text = re.sub(r"[ \t\u3000\u00a0]+", " ", text).strip()
    out = []
    for i, ch in enumerate(text):
        if ch != " ":
            out.append(ch)
            continue
        prev, nxt = text[i - 1], text[i + 1]
        left, right = _run_length(text, i - 1, -1), _run_length(text, i + 1, 1)
        if (prev.isascii() and prev.isalpha()) or (nxt.isascii() and nxt.isalpha()) or (
                prev.isascii() and nxt.isascii() and (prev.isalnum() or nxt.isalnum())):
            out.append(ch)                       # Latin text keeps its spaces
        elif (prev.isdigit() and is_cjk(nxt)) or (is_cjk(prev) and nxt.isdigit()):
            continue                             # 召开 2024年度 -> 召开2024年度
        elif is_cjk(prev) and is_cjk(nxt):
            if min(left, right) >= 3 or (heading and min(left, right) >= 2):
                out.append(ch)                   # 月圆人团圆 元宵共欢聚
        elif heading and (is_cjk(prev) or is_cjk(nxt) or prev in "”’" or nxt in "“‘"):
            out.append(ch)                       # “主角” 共治共享新图景
        # otherwise a space next to punctuation is noise
    return "".join(out)


def normalize_line(text: str, heading: bool = False) -> str:
    """Punctuation and whitespace of one line of page text."""
    return clean_spaces(normalize_punctuation(text), heading=heading)


def is_terminated(text: str) -> bool:
    """True when a paragraph ends where a sentence can end."""
    text = text.rstrip()
    return bool(text) and text[-1] in TERMINAL


def join_cut(first: str, second: str) -> str:
    """Re-join a paragraph that a column break cut in two."""
    if first and second and first[-1].isascii() and second[0].isascii() \
            and first[-1].isalnum() and second[0].isalnum():
        return first + " " + second if not first[-1].isdigit() else first + second
    return first + second


def join_name(tokens: list[str]) -> list[str]:
    """Merge name fragments split by stray spaces (李 楠 -> 李楠)."""
    names: list[str] = []
    pending = ""
    for tok in tokens:
        if not tok:
            continue
        if pending:
            tok = pending + tok
            pending = ""
        if len(tok) == 1:
            if names and len(names[-1]) == 1:
                names[-1] += tok
            else:
                pending = tok
            continue
        names.append(tok)
    if pending:
        if names:
            names[-1] += pending
        else:
            names.append(pending)
    return names
