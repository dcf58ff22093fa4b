"""Article bodies: Markdown to HTML with raw HTML shown as text, and plain text for search."""
from __future__ import annotations

import html
import re

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.extensions import Extension

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


_md = markdown.Markdown(extensions=[_NoRawHtml(), "sane_lists"], output_format="html")
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote)>")


def render_markdown(text: str) -> tuple[str, str]:
    """Return (HTML, plain text) for a Markdown body."""
    _md.reset()
    body = _md.convert(text)
    plain = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", body)))
    plain = "\n".join(line.strip() for line in plain.splitlines() if line.strip())
    return body, plain
