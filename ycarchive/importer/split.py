"""Group classified blocks into articles; drop layout repeats; re-join cut paragraphs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .blocks import Block
from .bylines import Byline, Credit, parse_credit, parse_end_signature
from .repair import is_terminated, join_cut, significant

HEAD_ROLES = ("heading", "subtitle", "banner", "name", "byline")
# Blank lines that set a block apart as a new box on the page (a paragraph break is one).
LAYOUT_GAP = 3


@dataclass
class Image:
    """A printed photo: its caption and credit."""

    caption: str
    credit: str | None = None
    photographers: list[str] = field(default_factory=list)
    marked: bool = False          # printed with ▲, 图为 or （资料照片）


@dataclass
class Article:
    """One article as found on the page, before people and counties are resolved."""

    title: str = ""
    kicker: str = ""
    subtitle: str = ""
    column: str = ""
    box_kind: str = ""            # 记者手记/评论 when printed in a box
    byline: Byline = field(default_factory=Byline)
    photographers: list[str] = field(default_factory=list)
    lead: bool = False            # starts with 本报讯
    body: list[tuple[str, str]] = field(default_factory=list)   # ("p"|"h", text)
    images: list[Image] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    structural: list[tuple[str, str]] = field(default_factory=list)  # (role, printed text)
    ended: bool = False
    awaiting_title: bool = False

    @property
    def has_body(self) -> bool:
        return any(k == "p" for k, _ in self.body)

    @property
    def photo_only(self) -> bool:
        return bool(self.images) and not self.byline.names() and not self.lead \
            and not self.box_kind

    @property
    def kind(self) -> str:
        if self.box_kind:
            return self.box_kind
        if self.photo_only:
            return "图片新闻"
        if self.lead or (self.byline.authors and not self.byline.reporters and self.ended):
            return "消息"
        return "通讯"


@dataclass
class Page:
    """What the importer found on one page."""

    articles: list[Article]
    staff: dict[str, list[str]]
    leftovers: list[str]           # text that went into no article, with why
    structural: list[tuple[str, str]] = field(default_factory=list)  # footer lines


def drop_repeats(blocks: list[Block]) -> tuple[list[Block], list[str]]:
    """Remove a run of paragraphs printed twice; keep the copy that reads on into its context."""
    keys = [significant(b.text) if b.role == "body" else None for b in blocks]
    dropped: set[int] = set()
    leftovers: list[str] = []
    i = 0
    while i < len(blocks):
        if keys[i] is None or len(keys[i]) < 8 or i in dropped:
            i += 1
            continue
        k = next((k for k in range(i + 1, len(blocks)) if keys[k] == keys[i]), None)
        if k is None:
            i += 1
            continue
        n = 0
        while i + n < k and k + n < len(blocks) and keys[i + n] is not None \
                and keys[i + n] == keys[k + n]:
            n += 1

        def reads_on(start: int) -> bool:
            last = blocks[start + n - 1]
            after = blocks[start + n] if start + n < len(blocks) else None
            return is_terminated(last.text) or (after is not None and after.role == "body")

        drop = i if reads_on(k) and not reads_on(i) else k
        dropped.update(range(drop, drop + n))
        leftovers.append("## printed twice by the layout; the other copy was kept\n\n"
                         + "\n\n".join(b.text for b in blocks[drop:drop + n]))
        before = blocks[drop - 1] if drop else None
        note = f"text: {n} paragraph(s) printed twice by the layout were dropped (see leftovers.txt)"
        target = before if before is not None and before.role == "body" else blocks[drop + n] \
            if drop + n < len(blocks) else None
        if before is not None and before.role == "body":
            note += (f"; the paragraph before them (“{before.text[:14]}…”) may have lost "
                     f"its continuation")
        if target is not None:
            target.notes.append(note)
        i = drop + n if drop == i else i + n
    return [b for j, b in enumerate(blocks) if j not in dropped], leftovers


def _title_from_caption(caption: str) -> str:
    """A headline for a photo printed without one: the caption's first clause, date dropped."""
    text = re.sub(r"^\d{1,2}月\d{1,2}日(?:[上下]午|晚)?，", "", caption)
    text = re.split(r"[。；！？]", text)[0]
    parts = text.split("，")
    title = parts[0]
    if len(significant(title)) < 6 and len(parts) > 1:
        title = "，".join(parts[:2])
    return title


def _start(articles: list[Article], **kw) -> Article:
    art = Article(**kw)
    articles.append(art)
    return art


def _take_group(art: Article, group: list[Block]) -> None:
    """Fill a new article's headline fields from the run of short lines above its text."""
    heads = []
    for b in group:
        art.structural.append((b.role, b.text))
        if b.role == "banner" and art.column and art.column != b.text:
            art.review.append(f"column: a second column banner “{b.text}” is printed here; "
                              f"kept “{art.column}”")
        elif b.role == "banner":
            art.column = b.text
        elif b.role == "subtitle":
            art.subtitle = (art.subtitle + " " + b.text).strip()
        elif b.role == "byline":
            _merge(art.byline, b.data)
        elif b.role == "name":
            if b.text not in art.byline.authors:
                art.byline.authors.append(b.text)
        else:
            heads.append(b.text)
    if art.awaiting_title and art.title:
        heads.insert(0, art.title)
    if art.box_kind and len(heads) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]{2,3}", heads[-1]):
        name = heads.pop()                   # the author under a box headline, not yet known
        art.byline.authors.append(name)
        art.review.append(f"bylines: “{name}” under the headline read as the author")
    if len(heads) == 1:
        art.title = heads[0]
    elif len(heads) >= 2:
        art.kicker, art.title = heads[0], heads[1]
        if len(heads) > 2:
            art.subtitle = (art.subtitle + " " + " ".join(heads[2:])).strip()
            art.review.append(f"title: {len(heads)} headline lines; check kicker, title, subtitle")
    art.awaiting_title = False


def _merge(into: Byline, other: Byline) -> None:
    for role in ("reporters", "correspondents", "authors"):
        for name in getattr(other, role):
            if name not in getattr(into, role):
                getattr(into, role).append(name)


def _starts_article(cur: Article | None, group: list[Block], nxt: Block | None) -> bool:
    """Whether a run of short lines opens a new article rather than a subhead of the current one."""
    if cur is None or cur.awaiting_title:
        return True
    heads = [b for b in group if b.role == "heading"]
    if cur.ended or cur.lead or (cur.photo_only and not cur.has_body):
        return True
    if len(heads) >= 2 and heads[0].unit:
        return True                      # a kicker naming a place or body, then a headline
    if any(b.role in ("subtitle", "byline", "name") for b in group):
        return True
    if any(b.role == "banner" for b in group) and (cur.has_body or cur.images):
        return True
    if any(b.level in (1, 2) for b in heads):
        return True
    if group[0].gap >= LAYOUT_GAP:
        return True                      # set apart by a layout gap, as a new box is
    return nxt is not None and nxt.role == "lead"


def split_articles(blocks: list[Block]) -> Page:
    """Group blocks into articles, in printed order."""
    blocks, leftovers = drop_repeats(blocks)
    articles: list[Article] = []
    staff: dict[str, list[str]] = {}
    page_structural: list[tuple[str, str]] = []
    cur: Article | None = None
    i = 0
    while i < len(blocks):
        b = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if cur is not None:
            cur.review.extend(n for n in b.notes if n not in cur.review)
        if b.role == "footer":
            for role, names in b.data.items():
                staff.setdefault(role, []).extend(n for n in names if n not in staff.get(role, []))
            page_structural.append(("footer", b.raw))
        elif b.role == "box":
            cur = _start(articles, box_kind=b.data, awaiting_title=True)
            cur.structural.append(("box", b.text))
        elif b.role == "byline" and cur is not None and cur.has_body and not cur.ended:
            _merge(cur.byline, b.data)                   # `记者 刘凯华` closing a piece
            cur.structural.append(("byline", b.text))
            cur.ended = True
        elif b.role in HEAD_ROLES:
            j = i
            while j < len(blocks) and blocks[j].role in HEAD_ROLES:
                j += 1
            group = blocks[i:j]
            after = blocks[j] if j < len(blocks) else None
            if _starts_article(cur, group, after):
                if cur is None or not cur.awaiting_title:
                    cur = _start(articles)
                _take_group(cur, group)
                for g in group[1:]:
                    cur.review.extend(n for n in g.notes if n not in cur.review)
            else:
                subhead = []
                for g in group:
                    if g.role == "banner" and not cur.column:
                        cur.column = g.text
                        cur.structural.append(("banner", g.text))
                    else:
                        subhead.append(g.text)
                if subhead:                      # a subhead, perhaps printed over two lines
                    cur.body.append(("h", " ".join(subhead)))
            i = j
            continue
        elif b.role == "lead":
            byline, rest = b.data
            if cur is None or cur.has_body or cur.ended or cur.lead:
                cur = _start(articles)
                cur.review.append("title: no headline found above this article")
            cur.lead = True
            _merge(cur.byline, byline)
            lead = b.text[: len(b.text) - len(rest)]
            cur.structural.append(("lead", lead))
            dateline = re.match(r"本报(.+?)讯", lead)
            if dateline and dateline.group(1).strip():   # 本报运城6月18日讯: kept nowhere else
                cur.review.append(f"lead: the dateline “{dateline.group(0)}” is not kept in the article; "
                                  f"add its place or date to the text by hand if they matter")
            if rest:
                _add_paragraph(cur, rest)
        elif b.role == "caption":
            caption, credit, marked = b.data
            last = next((t for k, t in reversed(cur.body) if k == "p"), "") if cur else ""
            if cur is None or cur.ended or (
                    b.gap >= LAYOUT_GAP and credit is None and is_terminated(last)):
                # after a finished article and a layout gap, a news photo of its own
                cur = _start(articles, title=_title_from_caption(caption))
                cur.review.append("title: no headline printed; made from the photo caption")
            printed = parse_credit(credit) if credit else None
            cur.images.append(Image(caption, credit, printed.photographers if printed else [],
                                    marked=marked))
            if printed and cur.photo_only:
                cur.photographers += [n for n in printed.photographers
                                      if n not in cur.photographers]
            cur.structural.append(("caption", b.text))
        elif b.role == "credit" and cur is None:
            leftovers.append("## photo credit with no photo above it\n\n" + b.text)
        elif b.role == "credit":
            _attach_credit(cur, b.data)
            cur.structural.append(("credit", b.text))
            if cur.photo_only:
                cur.ended = True
        elif b.role == "body" and nxt is not None and nxt.role == "credit" and (
                cur is None or cur.ended
                or not any(im.marked and im.credit is None for im in cur.images)):
            # an unmarked caption over its photo credit
            if cur is None or cur.ended or cur.byline.names() or cur.lead:
                # under a finished or signed article: a photo printed on its own
                cur = _start(articles, title=_title_from_caption(b.text))
                cur.review.append("title: no headline printed; made from the photo caption")
            cur.images.append(Image(b.text))
            cur.structural.append(("caption", b.text))
        elif b.role == "body":
            if cur is None:
                leftovers.append("## text above the first headline (continued from another "
                                 "page?)\n\n" + b.text)
            else:
                if cur.ended:
                    cur.review.append(f"boundary: paragraph “{b.text[:14]}…” follows the end of "
                                      f"the article; it may belong to another article")
                _add_paragraph(cur, b.text)
        i += 1
    for art in articles:
        _finish(art)
    return Page(articles, staff, leftovers, page_structural)


def _add_paragraph(art: Article, text: str) -> None:
    """Append a body paragraph; a trailing `（沈琦）` signs the piece."""
    signed = parse_end_signature(text)
    if signed:
        text, names = signed
        art.structural.append(("signature", "（" + " ".join(names) + "）"))
        for name in names:
            if name not in art.byline.authors and name not in art.byline.reporters:
                art.byline.authors.append(name)
        art.ended = True
    art.body.append(("p", text))


def _attach_credit(art: Article | None, credit: Credit) -> None:
    """Give a credit line to the last photo without one, or to the article as a whole."""
    if art is None:
        return
    target = next((im for im in reversed(art.images) if im.credit is None), None)
    if target is None:
        for name in credit.photographers:
            if name not in art.photographers:
                art.photographers.append(name)
        art.review.append(f"images: credit “{credit.text}” has no caption; recorded for the article")
        return
    target.credit = credit.text
    target.photographers = list(credit.photographers)
    if art.photo_only:
        for name in credit.photographers:
            if name not in art.photographers:
                art.photographers.append(name)


def _finish(art: Article) -> None:
    """Re-join paragraphs cut by column breaks and note text that ends or starts mid-sentence."""
    body: list[tuple[str, str]] = []
    for kind, text in art.body:
        if kind == "p" and body and body[-1][0] == "p" and not is_terminated(body[-1][1]):
            body[-1] = ("p", join_cut(body[-1][1], text))
        else:
            body.append((kind, text))
    for n, (kind, text) in enumerate(body):
        if kind != "p" or is_terminated(text):
            continue
        if n + 1 == len(body):
            art.review.append(f"text: ends mid-sentence (“…{text[-8:]}”); the article may continue "
                              f"off the page or its end was lost")
        else:
            art.review.append(f"text: paragraph ends mid-sentence (“…{text[-8:]}”) before the "
                              f"subhead “{body[n + 1][1]}”")
    first = next((t for k, t in body if k == "p"), "")
    if re.match(r"^[^，。；！？“”]{1,2}[；。]", first):
        art.review.append(f"text: begins mid-sentence (“{first[:8]}…”); text before it was lost")
    art.body = body
    if not art.title:
        art.title = "（无标题）"
        if not any(r.startswith("title:") for r in art.review):
            art.review.append("title: no headline found; write one")
