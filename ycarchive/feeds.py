"""Atom feeds, sitemap.xml and robots.txt."""
from __future__ import annotations

import html

FEED_SIZE = 50


def escape(value: str) -> str:
    """&, < and > as entities, as xml.sax.saxutils.escape does; importing that module pulls in
    urllib.request and http.client, 23 ms of every build that writes a feed (-X importtime)."""
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return escape(value).replace('"', "&quot;")


def render_atom(title: str, feed_url: str, page_url: str, articles: list, absolute, site: dict) -> str:
    """An Atom 1.0 feed of the newest articles; `absolute(url)` makes a site URL absolute."""
    newest = sorted(articles, key=lambda a: a.sort_key, reverse=True)[:FEED_SIZE]
    updated = f"{newest[0].date.isoformat()}T00:00:00+08:00" if newest else "2000-01-01T00:00:00+08:00"
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
           f"  <title>{escape(title)}</title>",
           f"  <id>{escape(absolute(feed_url))}</id>",
           f'  <link rel="self" type="application/atom+xml" href="{_attr(absolute(feed_url))}"/>',
           f'  <link rel="alternate" type="text/html" href="{_attr(absolute(page_url))}"/>',
           f"  <updated>{updated}</updated>",
           f"  <author><name>{escape(site['newspaper'])}</name></author>"]
    for article in newest:
        url = absolute(article.url)
        stamp = f"{article.date.isoformat()}T00:00:00+08:00"
        summary = article.text[:200]
        out += ["  <entry>",
                f"    <title>{escape(article.title)}</title>",
                f'    <link rel="alternate" type="text/html" href="{_attr(url)}"/>',
                f"    <id>{escape(url)}</id>",
                f"    <published>{stamp}</published>",
                f"    <updated>{stamp}</updated>"]
        for person in article.people.get("reporters", []) + article.people.get("authors", []):
            out.append(f"    <author><name>{escape(person.name)}</name></author>")
        for county in article.counties:
            out.append(f'    <category term="{_attr(county.name)}"/>')
        out += [f"    <summary>{escape(summary)}</summary>", "  </entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def render_sitemap(urls: list[str]) -> str:
    """A sitemap of absolute page URLs."""
    body = "".join(f"  <url><loc>{escape(u)}</loc></url>\n" for u in sorted(urls))
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n")


def render_robots(sitemap_url: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n"
