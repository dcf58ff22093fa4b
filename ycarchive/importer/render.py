"""Render articles and page facts as the text of content files."""
from __future__ import annotations

import re

import yaml

KIND_SLUGS = {"消息": "xiaoxi", "通讯": "tongxun", "图片新闻": "tupian", "记者手记": "shouji",
              "评论": "pinglun"}
# Front-matter keys in the order docs/content-format.md lists them.
KEY_ORDER = ("title", "kicker", "subtitle", "kind", "column", "counties", "reporters",
             "correspondents", "photographers", "authors", "tags", "images", "date_approximate",
             "editor", "art_editor", "proofreader", "source", "review")


INLINE_LISTS = ("counties", "reporters", "correspondents", "photographers", "authors", "tags",
                "editor", "art_editor", "proofreader")


def _dump(data: dict) -> str:
    """YAML that round-trips through yaml.safe_load; lists of names inline, the rest in blocks."""
    out = []
    for key, value in data.items():
        if key in INLINE_LISTS and isinstance(value, list):
            inline = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True,
                                    width=10_000).strip()
            out.append(f"{key}: {inline}\n")
        else:
            out.append(yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False,
                                      default_flow_style=False, width=10_000))
    return "".join(out)


def render_body(body: list[tuple[str, str]]) -> str:
    """Markdown body: `## ` subheads, paragraphs separated by blank lines."""
    out = []
    for kind, text in body:
        if kind == "h":
            out.append("## " + text)
        else:
            # a paragraph must not start a Markdown list, heading or quote by accident
            out.append(re.sub(r"^([#>*+-]|\d+\.(?= ))", r"\\\1", text))
    return "\n\n".join(out) + ("\n" if out else "")


def render_article(front: dict, body: list[tuple[str, str]]) -> str:
    """The Markdown file of one article."""
    ordered = {k: front[k] for k in KEY_ORDER if k in front}
    return "---\n" + _dump(ordered) + "---\n\n" + render_body(body)


def render_page_yml(facts: dict) -> str:
    """page.yml."""
    return _dump(facts)


def render_leftovers(parts: list[str], source: str) -> str:
    """leftovers.txt: page text that went into no article, for the maintainer to place."""
    head = (f"# Text from {source} that the importer put in no article.\n"
            f"# The build ignores this file; move what belongs somewhere, then delete it.\n\n")
    return head + "\n\n".join(parts) + "\n"


def article_slug(counties: list[str], kind: str, county_slugs: dict[str, str]) -> str:
    """`hejin-tongxun`: the first county's slug and the kind; ASCII, stable across imports."""
    place = county_slugs.get(counties[0], "article") if counties else "article"
    return f"{place}-{KIND_SLUGS.get(kind, 'article')}"
