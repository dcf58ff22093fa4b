"""Render the Library: pages, feeds, assets and sitemap, each handed to the writer's `put`."""
from __future__ import annotations

import calendar
import functools
import datetime as dt
import gc
import hashlib
import json
import marshal
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from urllib.parse import quote

import jinja2
import jinja2.meta
from markupsafe import Markup, escape

from . import feeds
from .countymap import CountyShapes, render_county_map
from .errors import did_you_mean
from .load import digest
from .model import ROLES, STAFF_ROLES, WEEKDAYS, Article, County, Issue, Library, Page, Person, Term
from .progress import bar

RELATED = 5
WINDOW = 8     # how far apart in a term's list of articles two articles may be to be related
RECENT = 10


@dataclass(frozen=True)
class Options:
    base_url: str
    templates: Path
    assets: Path
    county_shapes: CountyShapes | None = None
    code_version: str = ""
    # Templates compiled and parsed by earlier builds, kept by the caller between builds:
    # compiling and parsing the templates an incremental build uses took 0.1 s of it.
    template_cache: dict | None = field(default=None, compare=False)


@functools.lru_cache(maxsize=None)
def url_path(url: str) -> str:
    """Percent-encode a site URL for use in HTML (UTF-8 names stay readable once decoded)."""
    return quote(url, safe="/")


def dest_for(url: str) -> str:
    """The file that serves a site URL."""
    return f"{url}index.html" if url.endswith("/") or not url else url


def format_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def format_weekday(date: dt.date) -> str:
    return f"星期{WEEKDAYS[date.weekday()]}"


def date_time(date: dt.date, approximate: bool = False) -> Markup:
    """A <time> element, marked when the date was inferred rather than printed."""
    mark = '<span class="approx" title="原版面未印日期，系据文中日期推定">（推定）</span>' if approximate else ""
    return Markup(f'<time datetime="{date.isoformat()}">{format_date(date)}</time>{mark}')


def paginate(items: list, per_page: int) -> tuple[list, list]:
    """Split a listing into the newest `per_page` items and numbered pages of older ones.

    Numbered pages are filled from the oldest item, so adding an article changes the listing's
    first page, its last numbered page and (when that page is new) the one before it.
    """
    newest = list(reversed(items[-per_page:]))
    if len(items) <= per_page:
        return newest, []
    pages = [list(reversed(items[i:i + per_page])) for i in range(0, len(items), per_page)]
    return newest, pages


# Numbered pages of a listing planned and keyed as one group (plan_groups): adding an article to
# a listing plans its last group again, and keys its pages.
NUMBERED_GROUP = 32

# An incremental build picks related articles again in Python for at most this many articles
# (those near a change); more, and all are picked again with numpy (related_articles).
RELATED_AGAIN = 2000


def related_articles(library: Library, kept: dict | None = None) -> tuple[dict, dict]:
    """Related articles, {id(article): [Article]}, and what the next build passes as `kept`.

    `kept` is what the last build returned: the articles' fingerprints in each county's and
    tag's list, and each article's picks by fingerprint. An article keeps its picks when its
    file is unchanged and, in every list it is in, no article within WINDOW places of it changed
    (nothing added, removed, moved or edited there); the others are picked again in Python
    (_pick_again). Adding an article to 10,000 so picks 20 again, instead of all 10,000 with
    numpy. Each pass over 100,000 articles costs about 0.1 s (an object a cache miss), so this
    makes as few as it can.
    """
    lists = {("county", c.code): c.articles for c in library.counties}
    lists.update({("tag", t.name): t.articles for t in library.tags})
    fingerprint = attrgetter("fingerprint")
    prints = {key: tuple(map(fingerprint, arts)) for key, arts in lists.items()}
    found = _picks_kept(library, lists, prints, kept) if kept else None
    if found is None:
        related = _pick_all(library)
        picks = {a.fingerprint: tuple([b.fingerprint for b in related[id(a)]]) for a in library.articles}
        return related, {"lists": prints, "picks": picks}
    picks, article_of, changed = found
    related = {id(a): list(map(article_of, picks[a.fingerprint])) for a in library.articles}
    # Unchanged (a template edited, say), `kept` itself is handed back, and the cache does not
    # save it again (cli.save_cache): 0.2 s of writing at 100,000 articles.
    return related, {"lists": prints, "picks": picks} if changed else kept


def _picks_kept(library: Library, lists: dict, prints: dict, kept: dict) -> tuple | None:
    """Each article's picks by fingerprint, those of `kept` where they still hold and the others
    made again, a function from a fingerprint to its article, and whether anything differs from
    `kept`; None when more than RELATED_AGAIN articles must be picked again, or `kept` cannot be
    used."""
    last_lists, last_picks = kept.get("lists"), kept.get("picks")
    if not isinstance(last_lists, dict) or not isinstance(last_picks, dict):
        return None
    picks: dict = {}
    by_print: dict = {}
    again: dict = {}
    for a in library.articles:   # one pass: the picks still known, and the articles new or edited
        f = a.fingerprint
        by_print[f] = a
        kept_picks = picks[f] = last_picks.get(f)
        if kept_picks is None:
            again[id(a)] = a
    if len(by_print) != len(library.articles):   # two articles with one fingerprint: do not guess
        return None
    changed = bool(again) or len(picks) != len(last_picks) or prints.keys() != last_lists.keys()
    for key, now in prints.items():
        was = last_lists.get(key, ())
        if now == was:
            continue
        changed = True
        # The articles within WINDOW places of the part that differs: the same before the common
        # start and after the common end, whose neighbours in this list are as they were.
        start, shortest = 0, min(len(was), len(now))
        while start < shortest and was[start] == now[start]:
            start += 1
        end = 0
        while end < shortest - start and was[-1 - end] == now[-1 - end]:
            end += 1
        for a in lists[key][max(0, start - WINDOW):len(now) - end + WINDOW]:
            again[id(a)] = a
        if len(again) > RELATED_AGAIN:
            return None
    if len(again) > RELATED_AGAIN:
        return None
    for a in again.values():
        picks[a.fingerprint] = tuple([b.fingerprint for b in _pick_again(a)])
    return picks, by_print.__getitem__, changed


_SORT_KEY = attrgetter("sort_key")


def _pick_again(article) -> list:
    """What _pick_all picks for one article, the same way: each article within WINDOW places of
    it in one of its counties' and tags' lists scores one for that list; the best RELATED by
    score, then fewest days apart, then the older."""
    score: dict = {}
    found: dict = {}
    for term in (*article.counties, *article.tags):
        arts = term.articles   # in sort key order, and no two articles have one sort key
        n = bisect_left(arts, article.sort_key, key=_SORT_KEY)
        for other in arts[max(0, n - WINDOW):n] + arts[n + 1:n + 1 + WINDOW]:
            found[id(other)] = other
            score[id(other)] = score.get(id(other), 0) + 1
    day = article.date.toordinal()
    best = sorted(found.values(), key=lambda o: (-score[id(o)], abs(o.date.toordinal() - day), o.sort_key))
    return best[:RELATED]


def _pick_all(library: Library) -> dict:
    """Pick related articles by shared counties and tags, preferring those close in time.

    Only near neighbours in each term's (date-sorted) list are candidates, so this stays
    linear in the number of articles instead of comparing every pair: an article's score for
    another is the number of its terms in whose list the other is at most WINDOW places away,
    and the best RELATED are taken by score, then closeness in days, then age. Articles are
    handled by their number in `library.articles` (sorted oldest first, so the number orders
    them as their sort keys do). A first build picks for every article, so this is done with
    numpy on arrays of (article, candidate) pairs: 0.09 s for 10,000 articles against 0.19 s
    for the same picks with a Counter and heapq per article (measured side by side).
    """
    import numpy as np

    articles = library.articles
    number = {id(a): n for n, a in enumerate(articles)}
    days = np.array([a.date.toordinal() for a in articles], dtype=np.int64)
    sources, candidates = [], []
    for term_list in ([c.articles for c in library.counties] + [t.articles for t in library.tags]):
        numbers = np.array([number[id(a)] for a in term_list], dtype=np.int64)
        for offset in range(1, WINDOW + 1):
            if offset >= len(numbers):
                break
            sources += [numbers[:-offset], numbers[offset:]]
            candidates += [numbers[offset:], numbers[:-offset]]
    related: dict = {id(a): [] for a in articles}
    if not sources:
        return related
    source, candidate = np.concatenate(sources), np.concatenate(candidates)
    pairs, score = np.unique(source * len(articles) + candidate, return_counts=True)
    source, candidate = pairs // len(articles), pairs % len(articles)
    # One stable sort on (article, score descending, days apart) packed into an integer: the
    # pairs are already ordered by candidate within an article, the last tie-break.
    apart = np.abs(days[candidate] - days[source])
    width = (int(apart.max()) + 1) * (int(score.max()) + 1)
    if width * len(articles) < 2 ** 62:
        order = np.argsort((source * (int(score.max()) + 1) + score.max() - score) * (int(apart.max()) + 1) + apart,
                           kind="stable")
    else:
        order = np.lexsort((candidate, apart, -score, source))
    source, candidate = source[order], candidate[order]
    first = np.searchsorted(source, source, side="left")
    keep = np.arange(len(source)) - first < RELATED
    for n, m in zip(source[keep].tolist(), candidate[keep].tolist()):
        related[id(articles[n])].append(articles[m])
    return related


def _county_tags(counties, root: str) -> str:
    """Links to counties as tags, with URLs starting at `root` (the page's way to the site root)."""
    return "".join(f'<a class="county-tag" href="{root}{url_path(c.url)}">{escape(c.name)}</a>' for c in counties)


class Renderer:
    """Holds the Jinja environment and the pieces every page needs."""

    def __init__(self, library: Library, options: Options):
        self.library = library
        self.options = options
        self.base_url = options.base_url.rstrip("/") + "/"
        self.assets, self.asset_files = collect_assets(options.assets, library.site)
        store = options.template_cache.setdefault("bytecode", {}) if options.template_cache is not None else None
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(options.templates)),
            autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            bytecode_cache=CompiledTemplates(store) if store is not None else None)
        self.env.globals.update(site=library.site, roles=ROLES, staff_roles=STAFF_ROLES,
                                format_date=format_date, format_weekday=format_weekday,
                                counties=library.counties, sections=library.sections,
                                years=sorted({i.date.year for i in library.issues}, reverse=True),
                                people=library.people, absolute=self.absolute)
        self.env.globals["county_map"] = self.county_map
        self.env.globals["article_list"] = self.article_list
        self.env.globals["person_links"] = self.person_links
        self.env.globals["county_links"] = self.county_links
        self.env.globals["date_time"] = date_time
        self.env.globals["year_url"] = year_url
        self._items: dict = {}
        self._maps: dict = {}
        self.env.filters["tojson_ld"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True).replace(
            "</", "<\\/")

    @jinja2.pass_context
    def county_map(self, context, highlight: str | None = None) -> str:
        """The SVG map of the counties, linked relative to the page being rendered."""
        if self.options.county_shapes is None:
            return ""
        key = (context["root"], highlight)
        if key not in self._maps:
            counties = [c for c in self.library.counties if not c.city_level]
            self._maps[key] = render_county_map(
                self.options.county_shapes, {c.code: len(c.articles) for c in counties},
                {c.code: context["href"](c.url) for c in counties}, highlight)
        return self._maps[key]

    @jinja2.pass_context
    def article_list(self, context, articles, show_date: bool = True) -> Markup:
        """A list of articles with kicker, headline, date, page, kind and counties.

        Written in Python rather than as a Jinja macro because lists of articles make up most of
        the listing pages: the macro cost ~0.2 ms an item, this ~10 µs, and each article's
        escaped pieces are made once per build and reused on every page that lists it.
        """
        root = context["root"]
        items = [self._item(article, show_date).replace("\0", root) for article in articles]
        return Markup('<ol class="article-list">\n' + "".join(items) + "</ol>")

    @jinja2.pass_context
    def person_links(self, context, persons) -> Markup:
        """Links to people, separated by 、 (a helper in Python for the same reason as article_list)."""
        root = context["root"]
        return Markup("、".join(f'<a href="{root}{url_path(p.url)}">{escape(p.name)}</a>' for p in persons))

    @jinja2.pass_context
    def county_links(self, context, counties) -> Markup:
        return Markup(_county_tags(counties, context["root"]))

    def _item(self, a, show_date: bool) -> str:
        key = (id(a), show_date)
        if key not in self._items:
            parts = ['<li class="article-item">\n']
            if a.kicker:
                parts.append(f'  <p class="item-kicker">{escape(a.kicker)}</p>\n')
            parts.append(f'  <h3 class="item-title"><a href="\0{url_path(a.url)}">{escape(a.title)}</a></h3>\n'
                         '  <p class="item-meta">\n    ')
            if show_date:
                parts.append(date_time(a.date, a.date_approximate) + " · ")
            parts.append(f'<a href="\0{url_path(a.page.url)}">{a.page.label}</a> · {escape(a.kind)}')
            if a.counties:
                parts.append(" · " + _county_tags(a.counties, "\0"))
            parts.append("\n  </p>\n</li>\n")
            self._items[key] = "".join(parts)
        return self._items[key]

    def absolute(self, url: str) -> str:
        return self.base_url + url_path(url)

    def page(self, template: str, url: str, **context) -> tuple[str, bytes]:
        """Render one HTML page at a site URL."""
        depth = url.count("/")
        root = "../" * depth if depth else "./"
        if url == "404.html":
            # The 404 page is served at any address, so it links from the site's absolute base.
            root = self.base_url
        html = self.env.get_template(template).render(
            url=url, root=root, canonical=self.absolute(url),
            href=lambda target: root + url_path(target),
            asset=lambda name: root + self.asset(name), **context)
        return dest_for(url), html.encode("utf-8")

    def asset(self, name: str) -> str:
        """The fingerprinted path of an asset, by its name in the assets folder."""
        if name not in self.assets:
            raise LookupError(f"no asset '{name}' in {self.options.assets}/"
                              f"{did_you_mean(name, self.assets)}")
        return self.assets[name]


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates in a dict, by template: Jinja checks each against its source's hash
    and compiles again when the template changed."""

    def __init__(self, store: dict):
        self.store = store

    def load_bytecode(self, bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


def collect_assets(folder: Path, site: dict) -> tuple[dict, dict]:
    """Fingerprint assets: return ({name: dest_path}, {dest_path: bytes}).

    Top-level CSS files are joined into one stylesheet, `site.css`, after the theme colours
    from site.yml, so a page loads a single render-blocking file.
    """
    names: dict = {}
    files: dict = {}

    def add(name: str, data: bytes) -> None:
        stem, dot, suffix = name.rpartition(".")
        tag = hashlib.sha256(data).hexdigest()[:10]
        dest = f"assets/{stem}.{tag}.{suffix}" if dot else f"assets/{name}.{tag}"
        names[name] = dest
        files[dest] = data

    colours = site.get("colours") or {}
    theme = ":root{" + "".join(f"--{k.replace('_', '-')}:{v};" for k, v in sorted(colours.items())) + "}\n"
    css = [theme.encode()] + [p.read_bytes() for p in sorted(folder.glob("*.css"))]
    add("site.css", b"\n".join(css))
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not (path.parent == folder and path.suffix == ".css"):
            add(rel, path.read_bytes())
    return names, files


@dataclass
class Job:
    """One output file: how to make it, and what its bytes depend on."""

    dest: str
    inputs: tuple            # template (or None) and everything the output is made from
    make: object             # () -> bytes


_FINGERPRINT = attrgetter("fingerprint")


def _prints(articles: list) -> str:
    """What Fingerprints.walk describes a list of articles by, their fingerprints, as one string:
    a Group's inputs hold about 30 articles a page of the site, and walking them one by one was
    most of the time it took to key the groups of an incremental build."""
    return " ".join(map(_FINGERPRINT, articles))


@dataclass
class Group:
    """Output files planned together, and everything they are made from: if `inputs` and the
    templates hash as they did in the last build, so do the files' own inputs (see render_site)."""

    name: str
    templates: tuple         # every template the group's files may use
    inputs: tuple | None     # what the files' inputs are made from (Fingerprints.walk); None: plan always
    plan: object             # () -> list[Job]


def plan_site(library: Library, r: Renderer, related: dict | None = None) -> list[Job]:
    """Every output file of the site except assets, as jobs not yet run (`related`: as
    related_articles returns it, if the caller has it)."""
    return [job for group in plan_groups(library, r, related) for job in group.plan()]


def plan_groups(library: Library, r: Renderer, related: dict | None = None) -> list[Group]:
    """Every output file of the site except assets, as groups of jobs not yet planned: the
    articles of a page (版), an issue and its pages, a county's, a person's or a term's pages,
    the calendar, and each page of its own."""
    groups: list[Group] = []
    per_page = library.site["per_page"]
    if related is None:
        related = related_articles(library)[0]

    def job(template: str, url: str, **context) -> Job:
        return Job(dest_for(url), (template, url, context), lambda: r.page(template, url, **context)[1])

    def single(template: str, url: str, **context) -> None:
        groups.append(Group(url, (), None, functools.partial(list, [job(template, url, **context)])))

    def article_job(article, **context) -> Job:
        # The JSON-LD is made from the article alone, so it is left out of the inputs.
        return Job(dest_for(article.url), ("article.html", article.url, article, context),
                   lambda: r.page("article.html", article.url, article=article,
                                  ld=article_ld(article, r), **context)[1])

    def feed(dest: str, title: str, page_url: str, articles: list) -> Job:
        newest = sorted(articles, key=lambda a: a.sort_key, reverse=True)[:feeds.FEED_SIZE]
        return Job(dest, (None, dest, title, newest),
                   lambda: feeds.render_atom(title, dest, page_url, newest, r.absolute, library.site).encode("utf-8"))

    def listing(jobs: list, template: str, url: str, items: list, main: dict | None = None,
                numbered_as: dict | None = None, **context) -> None:
        """A listing's first page (with `main` in its context), which links to its numbered
        pages; they are planned by numbered() (called with the same arguments but `main`)."""
        newest, older_pages = paginate(items, per_page)
        older = [{"number": n + 1, "url": f"{url}page/{n + 1}/", "first": p[-1].date, "last": p[0].date,
                  "count": len(p)} for n, p in enumerate(older_pages)]
        jobs.append(job(template, url, articles=newest, older=older, total=len(items), **(main or {}), **context))

    def numbered(template: str, url: str, items: list, numbered_as: dict | None = None, **context) -> None:
        """Groups of a listing's numbered pages, NUMBERED_GROUP pages each.

        Numbered pages use `listing.html` with `numbered_as` as their context when it is given:
        they show only their own articles, so their keys must not hold what the first page
        shows (a county's count of articles, the county map's counts). They are filled from the
        oldest article (paginate), so an article added to a listing changes its last group's
        inputs alone, and the other groups are not planned again.
        """
        if len(items) <= per_page:
            return
        if numbered_as is not None:
            template, context = "listing.html", numbered_as
        span = per_page * NUMBERED_GROUP
        for lo in range(0, len(items), span):
            hi = lo + span
            groups.append(Group(f"n:{url}page/{lo // per_page + 1}/", (template,),
                                (template, url, lo, _prints(items[lo:hi]), len(items) > hi, context),
                                functools.partial(numbered_pages, template, url, items, lo, hi, context)))

    def numbered_pages(template: str, url: str, items: list, lo: int, hi: int, context: dict) -> list[Job]:
        """The numbered pages of items[lo:hi] (see paginate), each linking to the next and previous."""
        count = -(-len(items) // per_page)
        jobs = []
        for start in range(lo, min(hi, len(items)), per_page):
            n = start // per_page
            page_items = list(reversed(items[start:start + per_page]))
            pager = {"number": n + 1, "main": url, "first": page_items[-1].date, "last": page_items[0].date,
                     "newer": f"{url}page/{n + 2}/" if n + 1 < count else None,
                     "older": f"{url}page/{n}/" if n else None}
            jobs.append(job(template, f"{url}page/{n + 1}/", articles=page_items, numbered=pager, **context))
        return jobs

    def page_articles(page) -> list[Job]:
        arts = page.articles
        return [article_job(article, prev=arts[i - 1] if i else None,
                            next=arts[i + 1] if i + 1 < len(arts) else None, related=related[id(article)])
                for i, article in enumerate(arts)]

    def issue_pages(n: int, issue) -> list[Job]:
        jobs = [job("issue.html", issue.url, issue=issue, prev=issues[n - 1] if n else None,
                    next=issues[n + 1] if n + 1 < len(issues) else None)]
        for k, page in enumerate(issue.pages):
            jobs.append(job("printpage.html", page.url, page=page, issue=issue,
                            prev=issue.pages[k - 1] if k else None,
                            next=issue.pages[k + 1] if k + 1 < len(issue.pages) else None))
        return jobs

    def county_numbered(county) -> dict:
        return {"heading": county.name, "parent": ("县（市、区）", "county/"), "feed": f"{county.url}feed.xml"}

    def county_pages(county) -> list[Job]:
        jobs: list[Job] = []
        listing(jobs, "county.html", county.url, county.articles, county=county,
                main={"first": county.articles[0].date if county.articles else None,
                      "last": county.articles[-1].date if county.articles else None},
                numbered_as=county_numbered(county))
        jobs.append(feed(f"{county.url}feed.xml", f"{county.name} · {library.site['title']}", county.url,
                         county.articles))
        return jobs

    def person_pages(person) -> list[Job]:
        jobs: list[Job] = []
        roles = []
        for role, (label, segment) in ROLES.items():
            arts = person.roles.get(role)
            if not arts:
                continue
            role_url = f"{person.url}{segment}/"
            more = len(arts) > per_page
            roles.append({"role": role, "label": label, "articles": list(reversed(arts[-per_page:])),
                          "count": len(arts), "first": arts[0].date, "last": arts[-1].date,
                          "more": role_url if more else None})
            if more:
                listing(jobs, "listing.html", role_url, arts, heading=f"{person.name} · {label}",
                        parent=(person.name, person.url))
        jobs.append(job("person.html", person.url, person=person, groups=roles))
        return jobs

    def term_pages(term, label: str, kind: str) -> list[Job]:
        jobs: list[Job] = []
        listing(jobs, "listing.html", term.url, term.articles, heading=term.name, description=term.description,
                parent=(label, f"{kind}/"))
        return jobs

    def year_page(n: int, year: dict) -> list[Job]:
        """A year's calendar, linking to the years before and after it."""
        around = {"newer": years[n - 1] if n else None, "older": years[n + 1] if n + 1 < len(years) else None}
        return [job("archive-year.html", year["url"], year=year["year"], issues=year["issues"],
                    articles=year["articles"], months=year_calendar(year),
                    first=dt.date(year["year"], 1, 1), last=dt.date(year["year"], 12, 31),
                    **{k: {"year": y["year"], "url": y["url"]} if y else None for k, y in around.items()})]

    # Articles, pages (版) and issues. An article's page shows the articles before and after it
    # on its page (版) and its related articles.
    issues = library.issues
    for n, issue in enumerate(issues):
        for page in issue.pages:
            groups.append(Group(f"a:{page.url}", ("article.html",),
                                tuple([f"{a.url} {a.fingerprint} {_prints(related[id(a)])}" for a in page.articles]),
                                functools.partial(page_articles, page)))
        groups.append(Group(f"i:{issue.url}", ("issue.html", "printpage.html"),
                            (issue.url, issue, issues[n - 1] if n else None,
                             issues[n + 1] if n + 1 < len(issues) else None),
                            functools.partial(issue_pages, n, issue)))

    # Taxonomies.
    single("counties.html", "county/", items=library.counties)
    for county in library.counties:
        groups.append(Group(f"c:{county.url}", ("county.html",), (county.url, county.name, county, _prints(county.articles)),
                            functools.partial(county_pages, county)))
        numbered("county.html", county.url, county.articles, numbered_as=county_numbered(county))
    single("people.html", "people/", items=library.people)
    for person in library.people:
        groups.append(Group(f"p:{person.url}", ("person.html", "listing.html"),
                            (person.url, person.name, person,
                             tuple([(role, _prints(arts)) for role, arts in person.roles.items()])),
                            functools.partial(person_pages, person)))
        for role, (label, segment) in ROLES.items():
            if person.roles.get(role):
                numbered("listing.html", f"{person.url}{segment}/", person.roles[role],
                         heading=f"{person.name} · {label}", parent=(person.name, person.url))
    for kind, label, terms in (("section", "版面", library.sections), ("column", "栏目", library.columns),
                               ("tag", "标签", library.tags)):
        terms = [t for t in terms if t.articles]
        if not terms:
            continue
        single("terms.html", f"{kind}/", terms=terms, label=label, kind=kind)
        for term in terms:
            groups.append(Group(f"t:{term.url}", ("listing.html",),
                                (term.url, term.name, term.description, label, kind, _prints(term.articles)),
                                functools.partial(term_pages, term, label, kind)))
            numbered("listing.html", term.url, term.articles, heading=term.name, description=term.description,
                     parent=(label, f"{kind}/"))

    # Home, calendar, search, feeds and the rest.
    latest = issues[-1] if issues else None
    single("index.html", "", latest=latest, recent=list(reversed(library.articles[-RECENT:])),
           total=len(library.articles))
    # The calendar: a page per year, an overview of the years, and the issue dates for its
    # "jump to a date". Each is keyed by the dates and article counts it shows alone, so an
    # added article renders its own year's page again, not every year's (one page of every
    # year had been 341 KB of HTML at 10,000 articles, re-rendered after each add).
    years = calendar_years(issues)
    shown = tuple([y["year"] for y in years])
    for n, year in enumerate(years):
        groups.append(Group(f"y:{year['year']}", ("archive-year.html",), (shown, year["counts"]),
                            functools.partial(year_page, n, year)))
    first, last = (issues[0].date, issues[-1].date) if issues else (None, None)
    overview = [{key: y[key] for key in ("year", "url", "issues", "articles", "by_month")} for y in years]
    # Named `calendar`, not `years`: that is a template global (search.html's year filter), and
    # Fingerprints.template counts a template using the name as using the global.
    groups.append(Group("archive/", ("archive.html",), (first, last, overview), lambda: [
        job("archive.html", "archive/", calendar=overview, first=first, last=last,
            issues=sum(y["issues"] for y in overview), articles=sum(y["articles"] for y in overview))]))
    ordinals = tuple([issue.date.toordinal() for issue in issues])
    groups.append(Group(DATES_FILE, (), (ordinals,), lambda: [
        Job(DATES_FILE, (None, DATES_FILE, ordinals), lambda: issue_dates(ordinals))]))
    single("search.html", "search/")
    single("404.html", "404.html")
    groups.append(Group("feed.xml", (), None, functools.partial(
        list, [feed("feed.xml", library.site["title"], "", library.articles)])))
    return groups


def render_site(library: Library, options: Options, put, extra: dict | None = None,
                previous: dict | None = None, workers: int = 1, lap=lambda name: None,
                known: dict | None = None, hold=None, related: dict | None = None,
                groups: dict | None = None) -> tuple[dict, int]:
    """Render the site, handing each file made to `put(dest, bytes)`.

    Returns ({dest: input key} for every file of the site, number of pages rendered).
    `previous` maps each file of the last build to the key of its inputs: a file whose inputs
    hash to the same key is not rendered again (its bytes would be the same). Keys cover the
    content a page shows, the templates it uses, the registries, the assets' fingerprints and
    the generator's own code (see Fingerprints). Files made without a template (assets, search
    index, sitemap) are keyed by a hash of their bytes (digest_bytes), and handed over only when
    it changed, to `hold` if given (for bytes the caller keeps anyway), else to `put`. `known`
    maps some files to that hash, when the caller has it; a file there but not in `extra` has
    the key it had in `previous` and is kept as it is. `extra` may be a function returning
    (extra, known), called once the pages are rendered, so that the caller can make those
    files meanwhile. `related`: see plan_site.

    `groups` is what the last build left in it, and this one leaves for the next: each Group's
    key (Fingerprints.group_key) and its files' keys, by the group's name. A group whose key is
    the one it had, and whose files all still have those keys in `previous`, is neither planned
    nor keyed again: its files keep their keys (`--timings` says how many pages were planned).
    """
    hold = hold or put
    r = Renderer(library, options)
    planned = plan_groups(library, r, related)
    lap("plan pages")
    prints = Fingerprints(library, r, options.code_version, options.template_cache)
    previous = previous or {}
    last = dict(groups or {})
    if groups is None:
        groups = {}
    groups.clear()
    keys: dict = {}
    jobs: list[Job] = []
    for group in planned:
        key = None
        if group.inputs is not None:
            key = prints.group_key(group.templates, group.inputs)
            # Not needed once keyed: without them, the largest process of a clean build of
            # 100,000 articles peaked at 1,747 MB against 1,839 (docs/performance.md, 2026-12-04).
            group.inputs = None
            was = last.get(group.name)
            if was is not None and was[0] == key and all(previous.get(dest) == k for dest, k in was[1]):
                keys.update(was[1])
                groups[group.name] = was
                continue
        made = group.plan()
        pairs = tuple([(job.dest, prints.key(job.inputs)) for job in made])
        keys.update(pairs)
        jobs += made
        if key is not None:
            groups[group.name] = (key, pairs)
    lap(f"page keys ({len(jobs)} of {len(keys)} pages planned again)")
    todo = [job for job in jobs if previous.get(job.dest) != keys[job.dest]]
    # Compiled here, before render workers fork: compiled in the workers, the templates were
    # lost with them, and the next build (the first add after a clean build) compiled them again.
    for name in prints.pulled_in({job.inputs[0] for job in todo if job.inputs[0]}):
        r.env.get_template(name)
    run_jobs(todo, put, workers)
    lap("render pages")
    # Made before waiting for `extra` (the search process's files, when it is a function): an
    # added article's build waits for that process, and these need none of its files.
    pages = [dest for dest in [*keys, *r.asset_files] if dest.endswith("index.html")]
    sitemap = _sitemap(r, pages)
    made = {**r.asset_files, "robots.txt": feeds.render_robots(r.absolute("sitemap.xml")).encode("utf-8")}
    lap("other files")
    if callable(extra):
        extra, known = extra()
    known = known or {}
    extra = extra or {}
    if any(dest.endswith("index.html") and dest not in keys for dest in extra):   # a content file so named
        sitemap = _sitemap(r, [*pages, *extra])
    made.update(extra)
    made["sitemap.xml"] = sitemap
    for dest, key in known.items():
        if dest not in made:   # unchanged since the last build: its key is the one it had
            keys[dest] = key
    for dest, data in made.items():
        keys[dest] = known[dest] if dest in known else digest_bytes(data)
        if previous.get(dest) != keys[dest]:
            hold(dest, data)
    return keys, len(todo)


def _sitemap(r: Renderer, pages: list[str]) -> bytes:
    """The sitemap of these index.html files (duplicates counted once)."""
    urls = [r.absolute(dest[: -len("index.html")]) for dest in sorted(set(pages))]
    return feeds.render_sitemap(urls).encode("utf-8")


TEMPLATE_FIX = "nothing was written (fix the template and build again)"   # the end of a template error


class PageError(Exception):
    """A page could not be rendered: where in which template, and why (one line). It crosses
    from a render worker as its message alone."""


def _made(job: Job) -> bytes:
    """job.make(), an error in a template (an undefined name, a filter's TypeError) reported as
    a PageError that names the template's file and line and the page."""
    try:
        return job.make()
    except Exception as exc:
        where, tb = None, exc.__traceback__
        while tb is not None:   # Jinja puts the templates' own lines in the traceback
            if tb.tb_frame.f_code.co_filename.endswith(".html"):
                where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
            tb = tb.tb_next
        if where is None:
            raise
        raise PageError(f"{where}: template: {type(exc).__name__}: {exc} (rendering {job.dest}); {TEMPLATE_FIX}") \
            from exc


_WORK: tuple = ()


def _run_slice(bounds: tuple[int, int]) -> int:
    jobs, put = _WORK
    for job in jobs[bounds[0]:bounds[1]]:
        put(job.dest, _made(job))
    return bounds[1] - bounds[0]


PARALLEL_PAGES = 400   # fewer pages than this are rendered in the build's own process


def run_jobs(jobs: list[Job], put, workers: int) -> None:
    """Run jobs, in forked worker processes when there are enough to be worth it.

    Workers are forked after the Library is built, so they share it without copying, and
    they hand their files to `put` themselves: nothing large travels between processes.
    """
    progress = bar("rendering pages", len(jobs), "page")
    # Rendering makes short-lived cyclic garbage, so the collector runs while pages are
    # rendered, but on new objects only: what exists now (the Library, the caches) is frozen.
    # That also keeps forked workers from touching, and so copying, the memory they share.
    collecting = gc.isenabled()
    gc.freeze()
    gc.enable()
    try:
        if workers <= 1 or len(jobs) < PARALLEL_PAGES:
            for job in jobs:
                put(job.dest, _made(job))
                progress.update()
            return
        import multiprocessing
        global _WORK
        _WORK = (jobs, put)
        step = max(50, len(jobs) // (workers * 32))
        slices = [(i, min(i + step, len(jobs))) for i in range(0, len(jobs), step)]
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for done in pool.imap_unordered(_run_slice, slices):
                    progress.update(done)
        finally:
            _WORK = ()
    finally:
        progress.close()
        gc.unfreeze()
        if not collecting:
            gc.disable()


PLAIN = frozenset({str, int, float, bool, type(None)})


class Fingerprints:
    """Keys that change whenever an output file's bytes may change.

    A key hashes the job's own inputs (articles by the hash of their source files, and the
    facts listings show of people, counties and terms) with what every page shares: the
    generator's code, the registries, base URL and asset names, and for templates the source
    of the template and everything it extends, imports or includes, plus the globals it uses.
    """

    GLOBALS = ("counties", "people", "sections", "years", "county_map")

    def __init__(self, library: Library, r: Renderer, code_version: str, cache: dict | None = None):
        self.library = library
        # {(name, hash of source): (variables read, templates pulled in)} from earlier builds
        self.known = cache.setdefault("parsed", {}) if cache is not None else {}
        self.shared = digest(repr((code_version, library.site, library.registry_digest,
                                    r.base_url, sorted(r.assets.items()))))
        # A bare environment: with the renderer's globals registered, Jinja would not report
        # them as variables the template uses.
        self.env = jinja2.Environment(loader=r.env.loader)
        self.env.filters.update(r.env.filters)
        self.templates: dict = {}
        self.parsed: dict = {}
        self.described: dict = {}   # id of a Page, Issue, County, Person or Term -> walk()
        counties = tuple((c.code, len(c.articles), c.articles[-1].date if c.articles else None)
                         for c in library.counties)
        self.globals = {"counties": counties, "county_map": counties,
                        "people": tuple(self.walk(p) for p in library.people),
                        "sections": tuple(s.name for s in library.sections),
                        "years": tuple(sorted({i.date.year for i in library.issues}))}

    def template(self, name: str) -> str:
        """Hash of a template, the templates it pulls in, and the globals they use."""
        if name not in self.templates:
            parsed = [(current, self._parse(current)) for current in self.pulled_in([name])]
            sources = [(current, source) for current, (source, _, _) in parsed]
            names = set().union(*(used_names for _, (_, used_names, _) in parsed))
            used = [(g, self.globals[g]) for g in self.GLOBALS if g in names]
            self.templates[name] = digest(repr((sources, used)))
        return self.templates[name]

    def pulled_in(self, names) -> list[str]:
        """The templates `names` are, extend, import or include, sorted."""
        found, todo = set(), list(names)
        while todo:
            name = todo.pop()
            if name not in found:
                found.add(name)
                todo.extend(self._parse(name)[2])
        return sorted(found)

    def _parse(self, name: str) -> tuple[str, set, list]:
        """A template's source, the variables it reads and the templates it pulls in."""
        if name not in self.parsed:
            source, filename, _ = self.env.loader.get_source(self.env, name)
            known = (name, digest(source))
            if known not in self.known:
                for stale in [k for k in self.known if k[0] == name]:
                    del self.known[stale]
                ast = self.env.parse(source, name, filename)   # named, for the error a broken one gives
                self.known[known] = (jinja2.meta.find_undeclared_variables(ast),
                                     [t for t in jinja2.meta.find_referenced_templates(ast) if t])
            self.parsed[name] = (source, *self.known[known])
        return self.parsed[name]

    def key(self, inputs: tuple) -> str:
        template = self.template(inputs[0]) if inputs[0] else ""
        return _hash((self.shared, template, self.walk(inputs[1:])))

    def group_key(self, templates: tuple, inputs: tuple) -> str:
        """The key of a Group: its templates and what its files are made from."""
        return _hash((self.shared, tuple([self.template(name) for name in templates]), self.walk(inputs)))

    def walk(self, value):
        """A plain, comparable description of a value as far as pages show it."""
        # Called for every value in every page's inputs (200,000 times for 10,000 articles):
        # plain values and articles, most of the items of lists and dicts, are described
        # inline rather than by a call each.
        kind = type(value)
        if kind in PLAIN:
            return value
        if kind is dt.date:
            return ("date", value.toordinal())
        if kind is Article:
            return value.fingerprint
        if kind is dict:
            return tuple([(k, v if type(v) in PLAIN else v.fingerprint if type(v) is Article else self.walk(v))
                          for k, v in sorted(value.items())])
        if kind is list or kind is tuple:
            return tuple([v if type(v) in PLAIN else v.fingerprint if type(v) is Article else self.walk(v)
                          for v in value])
        if kind in self.SHARED:
            # Pages, issues, people, counties and terms appear in many pages' inputs: each is
            # described once a build, by a hash of its description (keying 17,770 pages took
            # 0.6 s, most of it here, and 0.14 s went to repr() of 16 million characters,
            # mostly issues written out in full for each of their pages).
            described = self.described.get(id(value))
            if described is None:
                described = self.described[id(value)] = _hash(self._describe(value))
            return described
        if isinstance(value, dict):
            return self.walk(dict(value))
        if isinstance(value, (list, tuple)):
            return self.walk(list(value))
        return repr(value)

    SHARED = (Page, Issue, County, Person, Term)

    def _describe(self, value):
        if isinstance(value, Page):
            return ("page", value.fingerprint, tuple(a.fingerprint for a in value.articles))
        if isinstance(value, Issue):
            return ("issue", value.date.toordinal(), tuple(self.walk(p) for p in value.pages))
        if isinstance(value, County):
            return ("county", value.code, len(value.articles),
                    value.articles[-1].date.toordinal() if value.articles else None)
        if isinstance(value, Person):
            return ("person", value.name, value.count,
                    tuple(sorted((r, len(a)) for r, a in value.roles.items())))
        return ("term", value.kind, value.name, len(value.articles))


def _hash(value) -> str:
    """A key for a description made by Fingerprints.walk: a hash of its marshal bytes (format 2,
    without back-references, so equal descriptions give equal bytes). Keying the 17,766 pages of
    10,000 articles takes 0.24 s so, against 0.48 s hashing repr() of the same descriptions
    (bench/micro_timings.py, 2026-12-02)."""
    return hashlib.blake2b(marshal.dumps(value, 2), digest_size=16).hexdigest()


def digest_bytes(data: bytes) -> str:
    """The key of a file made without a template: a hash of its bytes.

    SHA-256, which this machine's CPUs hash in hardware: 0.15 s for the 240 MB of a
    10,000-article search index, against 0.27 s with BLAKE2b.
    """
    return hashlib.sha256(data).hexdigest()[:32]


DATES_FILE = "archive/dates.json"


def calendar_years(issues: list) -> list[dict]:
    """The calendar's years, newest first: each with its URL, its issues and articles counted,
    the counts of each month (1-12) as (issues, articles), and `counts`, what its page shows
    of each issue: (date's ordinal, article count)."""
    by_year: dict = defaultdict(list)
    for issue in issues:
        by_year[issue.date.year].append(issue)
    years = []
    for year in sorted(by_year, reverse=True):
        counts = tuple([(issue.date.toordinal(), sum(len(page.articles) for page in issue.pages))
                        for issue in by_year[year]])
        by_month = [[0, 0] for _ in range(12)]
        for issue, (_, count) in zip(by_year[year], counts):
            month = by_month[issue.date.month - 1]
            month[0] += 1
            month[1] += count
        years.append({"year": year, "url": year_url(year), "issues": len(counts),
                      "articles": sum(count for _, count in counts),
                      "by_month": tuple([tuple(m) for m in by_month]), "counts": counts,
                      "list": by_year[year]})
    return years


def year_url(year: int) -> str:
    """The URL of a year's page of the calendar (a template global: issue pages link to it)."""
    return f"archive/{year}/"


def year_calendar(year: dict) -> list[dict]:
    """A year's months with issues, newest first, each as weeks of days (Monday first): a day is
    (date, its issue's URL, its article count), or (date, None, 0) without an issue. Plain
    values only, so that the page's key holds what its group's inputs hold (calendar_years)."""
    shown = {issue.date: (issue.date, issue.url, count)
             for issue, (_, count) in zip(year["list"], year["counts"])}
    months: dict = defaultdict(list)
    for day in shown.values():
        months[day[0].month].append(day)
    cal = calendar.Calendar(firstweekday=0)
    result = []
    for month in sorted(months, reverse=True):
        weeks = [[shown.get(day, (day, None, 0)) if day.month == month else None for day in week]
                 for week in cal.monthdatescalendar(year["year"], month)]
        result.append({"month": month, "weeks": weeks, "issues": months[month],
                       "articles": sum(count for _, _, count in months[month])})
    return result


def issue_dates(ordinals: tuple) -> bytes:
    """The calendar's issue dates (their ordinals, oldest first) for assets/site.js: the first,
    then the days from each to the next (the 552 issues of 10,000 synthetic articles: 1,395
    bytes, 0.6 KB gzipped; bench/calendar_pages.py)."""
    gaps = [b - a for a, b in zip(ordinals, ordinals[1:])]
    first = dt.date.fromordinal(ordinals[0]).isoformat() if ordinals else None
    return json.dumps({"first": first, "gaps": gaps}, separators=(",", ":")).encode("utf-8")


def article_ld(article, r: Renderer) -> dict:
    """schema.org NewsArticle for an article page."""
    site = r.library.site
    authors = article.people.get("reporters", []) + article.people.get("authors", []) + \
        article.people.get("correspondents", [])
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": article.date.isoformat(),
        "inLanguage": "zh-CN",
        "mainEntityOfPage": r.absolute(article.url),
        "url": r.absolute(article.url),
        "articleSection": article.page.section.name,
        "publisher": {"@type": "Organization", "name": site["newspaper"]},
        "isPartOf": {"@type": "PublicationIssue", "datePublished": article.date.isoformat(),
                     "issueNumber": article.date.strftime("%Y%m%d")},
        "pageStart": str(article.page.number),
    }
    if article.subtitle:
        ld["alternativeHeadline"] = article.subtitle
    if authors:
        ld["author"] = [{"@type": "Person", "name": p.name, "url": r.absolute(p.url)} for p in authors]
    keywords = [c.name for c in article.counties] + [t.name for t in article.tags]
    if keywords:
        ld["keywords"] = keywords
    if article.counties:
        ld["contentLocation"] = [{"@type": "Place", "name": c.name} for c in article.counties
                                 if not c.city_level]
    return ld
