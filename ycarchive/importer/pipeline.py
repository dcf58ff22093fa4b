"""From page text to content files: a pure function of the text and the registries."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .blocks import parse_blocks
from .people import People, resolve_names
from .places import Gazetteer, infer_counties
from .render import article_slug, render_article, render_leftovers, render_page_yml
from .split import Article, Page, split_articles

SECTION = "党建"


@dataclass
class Options:
    """What the maintainer told the importer about the page."""

    date: str                          # YYYY-MM-DD
    page: int = 1
    source: str = ""
    date_approximate: bool = False
    number_approximate: bool = False
    columns: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    """Files for one page (name relative to the page folder -> text) and what to report."""

    files: dict[str, str]
    page: Page
    fronts: list[dict]
    new_people: list[str]


def _latest_date(text: str, date: str) -> str | None:
    """The latest `M月D日` in text that is not after the given issue date."""
    year, month, day = (int(x) for x in date.split("-"))
    found = [(int(m), int(d)) for m, d in re.findall(r"(\d{1,2})月(\d{1,2})日", text)]
    found = [md for md in found if 1 <= md[0] <= 12 and md <= (month, day)]
    return f"{max(found)[0]}月{max(found)[1]}日" if found else None


def build_page_facts(page: Page, people: People, opts: Options, text: str
                     ) -> tuple[dict, list[str], list[str]]:
    """(page.yml mapping, new people, notes on names) from the footer and the options."""
    facts: dict = {"section": SECTION}
    new_people: list[str] = []
    name_notes: list[str] = []
    for role in ("editor", "art_editor", "proofreader"):
        printed = page.staff.get(role, [])
        if printed:
            names, new, notes = resolve_names(people, printed)
            new_people += new
            name_notes += notes
            facts[role] = names[0] if len(names) == 1 else names
    if opts.date_approximate:
        facts["date_approximate"] = True
    if opts.number_approximate:
        facts["number_approximate"] = True
    notes = []
    if opts.date_approximate or opts.number_approximate:
        what = "、".join(w for w, on in (("出版日期", opts.date_approximate),
                                         ("版次", opts.number_approximate)) if on)
        latest = _latest_date(text, opts.date)
        evidence = f"（文中所记最近日期为{latest}）" if latest and opts.date_approximate else ""
        notes.append(f"{what}据文中日期推定{evidence}，未见于版面。")
    if not page.staff:
        notes.append("所收版面文字中未见责编、美编、校对署名。")
    for note in name_notes:
        m = re.match(r"person: printed (\S+), an alias of (\S+)", note)
        if m:
            notes.append(f"版面署名“{m.group(1)}”，据 people.yml 记为{m.group(2)}。")
    if notes:
        facts["note"] = "".join(notes)
    return facts, new_people, name_notes


def build_front(art: Article, gaz: Gazetteer, people: People, source: str
                ) -> tuple[dict, list[str]]:
    """(front matter, new people) for one article."""
    review = list(art.review)
    front: dict = {"title": art.title}
    if art.kicker:
        front["kicker"] = art.kicker
    if art.subtitle:
        front["subtitle"] = art.subtitle
    front["kind"] = art.kind
    if art.column:
        front["column"] = art.column
    body_text = "\n".join(t for _, t in art.body) + "\n" + "\n".join(im.caption for im in art.images)
    counties, notes = infer_counties(gaz, [art.kicker, art.title, art.subtitle], body_text)
    front["counties"] = counties
    review += notes
    new_people: list[str] = []
    roles = [("reporters", art.byline.reporters), ("correspondents", art.byline.correspondents),
             ("photographers", art.photographers), ("authors", art.byline.authors)]
    for key, printed in roles:
        if printed:
            names, new, notes = resolve_names(people, printed)
            front[key] = names
            new_people += [n for n in new if n not in new_people]
            review += [n for n in notes if n not in review]
    if art.images:
        images = []
        for im in art.images:
            entry = {"caption": im.caption}
            if im.credit:
                entry["credit"] = im.credit
            if im.photographers:
                names, new, notes = resolve_names(people, im.photographers)
                entry["photographer"] = names[0] if len(names) == 1 else names
                new_people += [n for n in new if n not in new_people]
                review += [n for n in notes if n not in review]
            images.append(entry)
        front["images"] = images
    if not (art.byline.names() or art.photographers) and art.kind != "图片新闻":
        review.append("bylines: no byline found")
    if source:
        front["source"] = source
    if review:
        front["review"] = review
    return front, new_people


def import_page(text: str, gaz: Gazetteer, people: People, opts: Options) -> ImportResult:
    """Everything the importer would write for one page of text."""
    place_names = set(gaz.places) | set(gaz.county_names)
    blocks = parse_blocks(text, opts.columns, set(people.names), place_names)
    page = split_articles(blocks)
    facts, new_people, _ = build_page_facts(page, people, opts, text)
    county_slugs = {c["name"]: c["slug"] for c in gaz.counties}
    county_slugs["市直"] = "shizhi"
    files = {"page.yml": render_page_yml(facts)}
    fronts = []
    for n, art in enumerate(page.articles, start=1):
        front, new = build_front(art, gaz, people, opts.source)
        new_people += [p for p in new if p not in new_people]
        fronts.append(front)
        slug = article_slug(front["counties"], front["kind"], county_slugs)
        files[f"{n:02d}-{slug}.md"] = render_article(front, art.body)
    if page.leftovers:
        files["leftovers.txt"] = render_leftovers(page.leftovers, opts.source or "the page")
    return ImportResult(files, page, fronts, new_people)
