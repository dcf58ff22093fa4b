"""Article bodies: Markdown to HTML with raw HTML shown as text, and plain text for search."""
from __future__ import annotations

import html
import re

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.extensions import Extension
from markdown.extensions.sane_lists import SaneListExtension

SAFE_URL = re.compile(r"^(?:https?:|mailto:|#|/|\.|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)


class _SafeLinks(Treeprocessor):
    """Drop link and image URLs with schemes such as javascript: or data:."""

    def run(self, root):
        for element in root.iter():
            for attr in ("href", "src"):
                value = element.get(attr)
                if value is not None and not SAFE_URL.match(value.strip()):
                    del element.attrib[attr]
        return None


class _NoRawHtml(Extension):
    """Raw HTML in content is escaped, never passed through (see docs/content-format.md)."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


# The extension as an object, not by its name: a name makes Markdown look through every
# installed package's entry points (importlib.metadata). Importing this module took 27-31 ms
# so, 63-104 ms with a cold file cache; 3.5-5.7 ms now (bench/import_costs.py, 2026-12-03).
_md = markdown.Markdown(extensions=[_NoRawHtml(), SaneListExtension()], output_format="html")
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote)>")


# Newspaper prose is nearly all plain paragraphs and `##` subheads, and Python-Markdown spends
# about 3 ms on such an article (30 s of a 10,000-article build). Bodies made only of such
# blocks are rendered here directly: the same HTML Python-Markdown gives (a property test in
# tests/test_markup.py checks it), in a few microseconds. Anything else goes to Python-Markdown.
_PLAIN_CHARS = re.compile(r"[&<>\\`*_\[\]\t]|  $|^ |^\d+\. |^[-+=#>]", re.M)
_SUBHEAD = re.compile(r"^(#{1,6}) +([^#\n]*[^#\s])$")


def _render_plain(text: str) -> str | None:
    """Render a body of plain paragraphs and one-line headings, or None if it has anything else."""
    if text.startswith((" ", "\t")):
        return None  # a first line of blanks four columns wide is an empty code block to Python-Markdown
    blocks = [b for b in re.split(r"\n[ ]*\n", text.strip("\n")) if b.strip()]
    out = []
    for block in blocks:
        heading = _SUBHEAD.match(block)
        if heading:
            out.append(f"<h{len(heading.group(1))}>{heading.group(2)}</h{len(heading.group(1))}>")
        elif _PLAIN_CHARS.search(block) or block != block.strip():
            return None
        else:
            out.append(f"<p>{block}</p>")
    return "\n".join(out)


def render_markdown(text: str) -> tuple[str, str]:
    """Return (HTML, plain text) for a Markdown body."""
    body = _render_plain(text)
    if body is None:
        _md.reset()
        body = _md.convert(text)
    plain = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", body)))
    plain = "\n".join(line.strip() for line in plain.splitlines() if line.strip())
    return body, plain


def render_markdown_slow(text: str) -> str:
    """Python-Markdown alone, for tests of the fast path."""
    _md.reset()
    return _md.convert(text)
