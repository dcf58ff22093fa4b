"""Parse the printed forms of bylines, photo captions and credits, and the page footer."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .repair import CJK, join_name

NAME = f"[{CJK}]{{2,4}}"
# Role words as printed, and the front-matter field each fills.
ROLES = {
    "本报记者": "reporters", "记者": "reporters", "特约记者": "reporters",
    "本报通讯员": "correspondents", "通讯员": "correspondents", "特约通讯员": "correspondents",
    "实习生": "correspondents",
}
_ROLE_RE = "|".join(sorted(ROLES, key=len, reverse=True))
_WS = r"[ \t\u3000]"


@dataclass
class Byline:
    """People named by one byline, by role."""

    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return self.reporters + self.correspondents + self.authors


@dataclass
class Credit:
    """A photo credit: the printed text and the photographers it names."""

    text: str
    photographers: list[str] = field(default_factory=list)


def _split_roles(text: str) -> Byline | None:
    """`记者 甲 乙 通讯员 丙` -> Byline; None when the text is not made of roles and names."""
    parts = re.split(f"({_ROLE_RE})", text)
    byline = Byline()
    role = None
    for part in parts:
        if not part.strip():
            continue
        if part in ROLES:
            role = ROLES[part]
            continue
        if role is None:
            return None
        names = join_name(part.split())
        if not names or not all(re.fullmatch(NAME, n) for n in names):
            return None
        getattr(byline, role).extend(names)
    return byline if byline.names() else None


def parse_byline(line: str) -> Byline | None:
    """A byline on a line of its own: `□记者 刘凯华`, `本报记者 邢智轩 通讯员 薛哲`, `记者 刘凯华`."""
    boxed = line.strip()[:1] in "□■"
    text = line.strip().lstrip("□■").strip()
    # the role word stands apart from the names, except in the boxed form □记者刘凯华
    if not re.match(f"(?:{_ROLE_RE}){'' if boxed else _WS}", text):
        return None
    return _split_roles(text)


def parse_lead(paragraph: str) -> tuple[Byline, str] | None:
    """`本报讯（记者 曹欣怡）去年以来…` -> (byline, rest); `本报讯 日前…` -> (empty byline, rest)."""
    # 本报讯, 本报运城讯, 本报运城6月18日讯
    m = re.match(rf"^本报(?!记者|通讯员)(?:[{CJK}]{{1,4}}(?:\d{{1,2}}月\d{{1,2}}日)?)?讯{_WS}*"
                 rf"(?:[（(]([^）)]{{1,40}})[）)])?{_WS}*", paragraph)
    if not m:
        return None
    inner = m.group(1)
    byline = Byline()
    if inner:
        parsed = _split_roles(inner.strip())
        if parsed is None:
            names = join_name(inner.split())
            if not all(re.fullmatch(NAME, n) for n in names):
                return None
            parsed = Byline(authors=names)
        byline = parsed
    return byline, paragraph[m.end():]


def parse_end_signature(paragraph: str) -> tuple[str, list[str]] | None:
    """`…高质量发展。（沈琦）` -> (paragraph without it, [沈琦])."""
    m = re.search(rf"[（(]([{CJK} \t\u3000]{{2,14}})[）)]\s*$", paragraph)
    before = paragraph[:m.start()].rstrip() if m else ""
    if not before or before[-1] not in "。！？”…":
        return None
    if re.match(_ROLE_RE, m.group(1).strip()):
        byline = _split_roles(m.group(1).strip())      # （记者 张三） at the end
        return (before, byline.names()) if byline else None
    names = join_name(m.group(1).split())
    if not all(re.fullmatch(NAME, n) for n in names):
        return None
    return before, names


_CREDIT_RE = re.compile(
    rf"^(?:(?P<role>本报记者|记者|特约摄影|本报通讯员|通讯员|摄影){_WS}*)?"
    rf"(?P<names>{NAME}(?:{_WS}+{NAME}|{_WS}*[、]{_WS}*{NAME})*?){_WS}*摄(?:影)?$")


def parse_credit(line: str) -> Credit | None:
    """A photo credit line: `记者 茹雅 摄`, `特约摄影 解建国 摄`, `董博摄`, `杨阳 摄`."""
    text = re.sub(r"[ \t\u3000]+", " ", line.strip().strip("（）()"))
    m = _CREDIT_RE.match(text)
    if not m:
        spaced = re.match(r"^(?:(本报记者|记者|特约摄影|本报通讯员|通讯员|摄影) )?(.+) 摄$", text)
        if not spaced:
            return None
        names = join_name(spaced.group(2).split())
        if not all(re.fullmatch(NAME, n) for n in names):
            return None
        role = spaced.group(1) + " " if spaced.group(1) else ""
        return Credit(f"{role}{' '.join(names)} 摄", names)   # 杨 阳 摄 -> 杨阳 摄
    names = join_name(re.split(r"[ 、]+", m.group("names")))
    if not all(re.fullmatch(NAME, n) for n in names):
        return None
    return Credit(text, names)


# `…收割水稻。（记者 茹雅 摄）` or `…清扫巷道。 杨阳 摄`: a credit printed at the caption's end
_INLINE_CREDIT_RE = re.compile(rf"(?<=[。！？”]){_WS}*[（(]?((?:本报记者|记者|特约摄影|本报通讯员|通讯员)?"
                               rf"{_WS}*[{CJK}][{CJK} \t\u3000]{{1,12}}?{_WS}*摄)[）)]?\s*$")
_FILE_PHOTO_RE = re.compile(r"[（(](资料照片|资料图片|资料图|图片由.{1,12}提供)[）)]\s*$")


def parse_caption(paragraph: str) -> tuple[str, str | None, bool] | None:
    """A marked photo caption -> (caption, credit or None, marked).

    `▲…` and `图为…` are captions; so is any paragraph ending in `（资料照片）`.
    """
    text = paragraph.strip()
    credit = None
    m = _FILE_PHOTO_RE.search(text) or _INLINE_CREDIT_RE.search(text)
    if m and (m.re is _FILE_PHOTO_RE or parse_credit(m.group(1))):
        credit = m.group(1) if m.re is _FILE_PHOTO_RE else parse_credit(m.group(1)).text
        text = text[:m.start()].rstrip()
    if text.startswith("▲"):
        return text.lstrip("▲ ").strip(), credit, True
    if text.startswith("图为"):
        return text, credit, True
    if credit:
        return text, credit, True
    return None


_FOOTER_LABELS = {
    "editor": r"(?:本{ws}*版{ws}*)?责{ws}*(?:任{ws}*)?编{ws}*(?:辑)?",
    "art_editor": r"美{ws}*(?:术{ws}*)?编{ws}*(?:辑)?",
    "proofreader": r"校{ws}*对",
}


def parse_footer(text: str) -> dict[str, list[str]] | None:
    """`本版责编 曹欣怡 美编 冯潇楠 校对 李 楠` (one or two lines, any spacing) -> staff by role."""
    ws = r"[ \t\u3000]"
    pattern = "|".join(f"(?P<{k}>{v.format(ws=ws)}{ws}*[:：]?)" for k, v in _FOOTER_LABELS.items())
    label_re = re.compile(pattern)
    flat = " ".join(text.split("\n"))
    matches = list(label_re.finditer(flat))
    if not matches or flat[:matches[0].start()].strip():
        return None
    staff: dict[str, list[str]] = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(flat)
        names = join_name(re.split(r"[ \t\u3000、]+", flat[m.end():end].strip()))
        if not names or not all(re.fullmatch(NAME, n) for n in names):
            return None
        staff.setdefault(m.lastgroup, []).extend(names)
    return staff
