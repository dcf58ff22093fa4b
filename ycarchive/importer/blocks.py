"""Turn raw page text into classified blocks: headings, bylines, body paragraphs, captions…"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import bylines
from .repair import CJK, is_terminated, normalize_line, normalize_punctuation, significant

# Printed markers of a commentary box and the kind of piece each starts.
BOX_KINDS = {"记者手记": "记者手记", "采访手记": "记者手记", "编后": "评论", "短评": "评论",
             "编者按": "评论", "时评": "评论", "评论": "评论"}
# Column banners look like headlines; their endings tell them apart (贯彻全会精神 一线见闻).
_BANNER_END = re.compile(r"(见闻|纪实|访谈|巡礼|走基层|进行时|在行动|面对面|故事汇)$")


@dataclass
class Block:
    """One line (or a few lines that belong together) of page text, with its role on the page."""

    raw: str                      # as printed, '\n' between lines
    text: str                     # repaired
    role: str                     # footer box credit byline lead caption banner subtitle heading name body
    level: int = 0                # Markdown heading level printed in the text, 0 if none
    gap: int = 0                  # blank lines before it
    data: object = None           # the parsed byline, credit, caption or footer
    notes: list[str] = field(default_factory=list)   # review notes for the article it ends up in
    unit: bool = False            # names a place or body (万荣县, 临猗县七级镇): a likely kicker


def is_heading_like(text: str) -> bool:
    """Short, no sentence punctuation inside, not ending mid-sentence."""
    sig = significant(text)
    if not sig or len(sig) > 36 or len(text) > 48:
        return False
    if any(p in text for p in "。；，、：") or text[-1] in ",;:":
        return False
    return True


def classify(raw: str, level: int, columns: list[str], known_people: set[str],
             place_names: set[str]) -> Block:
    """The role of one line of page text."""
    heading_text = normalize_line(raw.replace("\n", " "), heading=True)
    body_text = normalize_line(raw.replace("\n", ""))
    staff = bylines.parse_footer(raw)
    if staff:
        return Block(raw, heading_text, "footer", level, data=staff)
    box = re.sub(r"[◆◇■□●\s]", "", raw)
    if box in BOX_KINDS and raw.strip()[0] in "◆◇■□●【":
        return Block(raw, box, "box", level, data=BOX_KINDS[box])
    spaced = normalize_punctuation(re.sub(r"[ \t\u3000]+", " ", raw.replace("\n", " "))).strip()
    credit = bylines.parse_credit(spaced)
    if credit:
        return Block(raw, credit.text, "credit", level, data=credit)
    byline = bylines.parse_byline(spaced)
    if byline:
        return Block(raw, spaced, "byline", level, data=byline)
    if body_text.startswith("本报"):
        lead = bylines.parse_lead(body_text)
        if lead:
            return Block(raw, body_text, "lead", level, data=lead)
    caption = bylines.parse_caption(body_text)
    if caption:
        return Block(raw, body_text, "caption", level, data=caption)
    sig = significant(heading_text)
    known = next((c for c in columns if significant(c) == sig), None)
    if known:
        return Block(raw, known, "banner", level)
    if (
            level == 0 and is_heading_like(heading_text) and " " in heading_text
            and _BANNER_END.search(heading_text)):
        # a column name is a URL segment, so the gap printed in the banner becomes 「·」
        return Block(raw, heading_text.replace(" ", "·"), "banner", level)
    if heading_text.startswith("——") and (level or is_heading_like(heading_text[2:])):
        return Block(raw, heading_text, "subtitle", level)
    if level or is_heading_like(heading_text):
        text = heading_text.lstrip("◆◇■●").strip()
        if re.fullmatch(f"[{CJK}]{{2,4}}", text) and text in known_people \
                and text not in place_names:
            return Block(raw, text, "name", level)
        return Block(raw, text, "heading", level, unit=is_unit(text, place_names))
    return Block(raw, body_text, "body", level)


_UNIT_END = re.compile(r"(县|区|市|镇|乡|街道|社区|村|委|局|院|办|部|所|中心|公司)$")


def is_unit(text: str, place_names: set[str]) -> bool:
    """A county, town, village or public body named alone, as a kicker names one."""
    return text in place_names or (" " not in text and len(text) <= 12
                                   and bool(_UNIT_END.search(text)))


def parse_blocks(page_text: str, columns: list[str], known_people: set[str] = frozenset(),
                 place_names: set[str] = frozenset()) -> list[Block]:
    """Split page text into classified blocks, in printed order."""
    text = page_text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    groups: list[tuple[int, list[str]]] = []
    gap, lines = 0, []
    for line in text.split("\n"):
        if line.strip():
            lines.append(line)
            continue
        if lines:
            groups.append((gap, lines))
            gap, lines = 0, []
        gap += 1
    if lines:
        groups.append((gap, lines))

    blocks: list[Block] = []
    for gap, group in groups:
        parsed = []
        for line in group:
            m = re.match(r"^\s*(#{1,6})\s*", line)
            level = len(m.group(1)) if m else 0
            parsed.append((line[m.end():] if m else line, level))
        joined = "\n".join(p for p, _ in parsed)
        start = len(blocks)
        if len(parsed) > 1 and bylines.parse_footer(joined):
            blocks.append(classify(joined, 0, columns, known_people, place_names))
        elif len(parsed) > 1 and all(is_heading_like(normalize_line(p, True)) for p, _ in parsed) \
                and all((b.role, b.unit) == ("heading", False) for b in
                        (classify(p, lv, columns, known_people, place_names) for p, lv in parsed)):
            # a heading printed over two lines (党建统筹定方向 / 群众琐事放心坎)
            blocks.append(classify(joined, max(lv for _, lv in parsed), columns,
                                   known_people, place_names))
        else:
            for line, level in parsed:
                block = classify(line, level, columns, known_people, place_names)
                prev = blocks[-1] if len(blocks) > start else None
                if prev is not None and prev.role in ("body", "lead") and not is_terminated(prev.text) \
                        and block.role == "heading" and not level:
                    # a line wrapped inside a paragraph, not a heading
                    block = Block(line, normalize_line(line), "body", 0)
                blocks.append(block)
        blocks[start].gap = gap
    return blocks
