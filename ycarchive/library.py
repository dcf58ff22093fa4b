"""Check raw content and build the Library: every problem is collected, nothing is written."""
from __future__ import annotations

import datetime as dt
import re

from . import markup
from .errors import Problems, did_you_mean
from .load import Doc, RawContent, digest, read_body
from .model import (ARTICLES_PER_DAY, FIRST_DATE, KINDS, ROLES, STAFF_ROLES, Article, County, Image, Issue, Library,
                    Page, Person, Term)

PAGE_KEYS = ("section", *STAFF_ROLES, "date_approximate", "number_approximate", "note")
ARTICLE_KEYS = ("title", "kicker", "subtitle", "kind", "column", "counties", *ROLES, "tags", "images",
                "date_approximate", "source", "review", "draft")
IMAGE_KEYS = ("file", "caption", "credit", "photographer")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PAGE_DIR_RE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})/(\d{2})$")
ARTICLE_NAME_RE = re.compile(r"^(\d{2})-(.+)\.md$")
UNSAFE_NAME_RE = re.compile(r"[/\\?#%<>\"'\s]|^\.")


def type_name(value) -> str:
    """Name a YAML value's type the way a maintainer would."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return "text"


class Checker:
    """Reads values out of one Doc, reporting every problem against its file and line."""

    def __init__(self, doc: Doc, problems: Problems, data: dict | None = None, line: int | None = None):
        self.doc = doc
        self.problems = problems
        self.data = doc.data if data is None else data
        self.base_line = line

    def line(self, key: str | None = None) -> int:
        if self.base_line is not None:
            return self.base_line
        return self.doc.line(key)

    def error(self, key: str, message: str) -> None:
        self.problems.add(self.doc.display, self.line(key), key, message)

    def unknown_keys(self, allowed) -> None:
        for key in self.data:
            if key not in allowed:
                self.error(str(key), f"unknown field '{key}'{did_you_mean(str(key), allowed)}")

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.error(key, f"missing required field '{key}'")
            return ""
        if not isinstance(value, str):
            self.error(key, f"expected text, got {type_name(value)}; put it in quotes")
            return ""
        return value.strip()

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.error(key, f"expected true or false, got {type_name(value)}")
            return default
        return value

    def slug(self, value: str) -> None:
        """Report a slug that is not lower-case ASCII letters, digits and '-'."""
        if value and not SLUG_RE.match(value):
            self.error("slug", f"'{value}' is not a slug; use lower-case ASCII letters, digits and '-'")

    def texts(self, key: str) -> list[str]:
        """A name or a list of names."""
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        names = [v.strip() if isinstance(v, str) else "" for v in value] if isinstance(value, list) else [""]
        if "" in names:
            self.error(key, f"expected a name or a list of names, got {type_name(value)}")
            return []
        return names


def _resolve_people(check: Checker, key: str, index: dict) -> list[Person]:
    return _people_named(check, key, check.texts(key), index)


def _people_named(check: Checker, key: str, names, index: dict) -> list[Person]:
    people = []
    for name in names:
        person = index.get(name)
        if person is None:
            check.error(key, f"unknown person '{name}'{did_you_mean(name, index)} "
                             f"(a new person is added to people.yml)")
        elif person not in people:
            people.append(person)
    return people


def registry_entries(doc: Doc | None, problems: Problems, what: str, entry: str, expected: str, keys: tuple):
    """Yield a Checker for each mapping of a registry file that is a list, reporting the rest."""
    if doc is None:
        return
    if not isinstance(doc.data, list):
        problems.add(doc.display, 1, what, f"expected a list of {what}")
        return
    for item, line in zip(doc.data, doc.items):
        check = Checker(doc, problems, item if isinstance(item, dict) else {}, line)
        if not isinstance(item, dict):
            check.error(entry, f"expected a mapping {expected}")
            continue
        check.unknown_keys(keys)
        yield check


def build_counties(doc: Doc | None, problems: Problems) -> list[County]:
    counties: list[County] = []
    seen: dict = {}
    for check in registry_entries(doc, problems, "counties", "county", "with code, name, short and slug",
                                  ("code", "name", "short", "slug", "city_level")):
        code, name, short, slug = (check.text(k, required=True) for k in ("code", "name", "short", "slug"))
        check.slug(slug)
        for value in (code, name, short, slug):
            if value and value in seen and seen[value] != name:
                check.error("county", f"'{value}' is used by two counties ({seen[value]} and {name})")
            seen.setdefault(value, name)
        counties.append(County(code, name, short, slug, check.flag("city_level")))
    return counties


def build_people(doc: Doc | None, problems: Problems) -> tuple[list[Person], dict]:
    """Return the people and an index from every name and alias to its person."""
    people: list[Person] = []
    index: dict = {}
    urls: dict = {}
    for check in registry_entries(doc, problems, "people", "person", "such as 'name: 曹欣怡'",
                                  ("name", "aliases", "slug", "note")):
        name = check.text("name", required=True)
        if not name:
            continue
        person = Person(name, tuple(check.texts("aliases")), check.text("slug"), check.text("note"))
        if person.slug:
            check.slug(person.slug)
        elif UNSAFE_NAME_RE.search(name):
            check.error("name", f"'{name}' cannot be a URL segment; give this person a 'slug'")
        for key in (name, *person.aliases):
            if key in index:
                check.error("name", f"'{key}' already names {index[key].name}; a name or alias may belong "
                                    f"to one person only")
            index.setdefault(key, person)
        if person.url in urls:
            check.error("slug", f"URL {person.url} is already used by {urls[person.url]}")
        urls.setdefault(person.url, name)
        people.append(person)
    return people, index


def build_sections(doc: Doc | None, problems: Problems) -> list[Term]:
    sections: list[Term] = []
    for check in registry_entries(doc, problems, "sections", "section", "with name and slug",
                                  ("name", "slug", "description")):
        name, slug = check.text("name", required=True), check.text("slug", required=True)
        check.slug(slug)
        if name and slug:
            sections.append(Term("section", name, slug, check.text("description")))
    return sections


def build_site(doc: Doc | None, problems: Problems) -> dict:
    site = {"title": "", "newspaper": "", "column": "", "description": "", "base_url": "/",
            "per_page": 20, "colours": {}}
    if doc is None:
        return site
    if not isinstance(doc.data, dict):
        problems.add(doc.display, 1, "site", "expected a mapping such as 'title: …'")
        return site
    check = Checker(doc, problems)
    check.unknown_keys(tuple(site))
    for key in ("title", "newspaper", "base_url"):
        site[key] = check.text(key, required=True)
    for key in ("column", "description"):
        site[key] = check.text(key)
    per_page = doc.data.get("per_page", 20)
    if not isinstance(per_page, int) or isinstance(per_page, bool) or per_page < 1:
        check.error("per_page", f"expected a whole number above 0, got {type_name(per_page)}")
    else:
        site["per_page"] = per_page
    site["colours"] = doc.data.get("colours") or {}
    return site


def _page_key(src_dir: str, display: str, problems: Problems):
    """Return (date, number) from a page folder path, or None after reporting."""
    match = PAGE_DIR_RE.match(src_dir)
    if not match:
        problems.add(display, 1, "path", f"'{src_dir}/' is not a page folder; pages live in "
                                         f"content/YYYY/MM/DD/NN/ (date and page number)")
        return None
    year, month, day, number = (int(g) for g in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        problems.add(display, 1, "date", f"impossible date {year:04d}-{month:02d}-{day:02d} in the folder "
                                         f"name; check the year/month/day folders")
        return None
    if date < FIRST_DATE:
        problems.add(display, 1, "date", f"date {date} in the folder name is before {FIRST_DATE}, where the "
                                         f"archive's dates start; check the year folder")
        return None
    if number < 1:
        problems.add(display, 1, "page", "page number 00 is impossible; pages count from 01")
        return None
    return date, number


def build_library(raw: RawContent, problems: Problems, drafts: bool = False, renderings=None) -> Library:
    """Check everything and assemble the Library.

    `renderings`, if given (a cli.Renderings), holds the rendered bodies of earlier builds:
    bodies found there are not rendered again, but read from it when first shown, and it
    learns which bodies this build has.
    """
    site = build_site(raw.site, problems)
    counties = build_counties(raw.counties, problems)
    people, person_index = build_people(raw.people, problems)
    sections = build_sections(raw.sections, problems)
    county_index = {c.name: c for c in counties}
    county_shorts = {c.short: c for c in counties}
    section_index = {s.name: s for s in sections}

    pages: dict = {}
    page_keys: dict = {}   # page folder -> (date, number), for its articles
    for doc in raw.pages:
        src_dir = doc.src_path.rsplit("/", 1)[0]
        key = page_keys[src_dir] = _page_key(src_dir, doc.display, problems)
        if key is None:
            continue
        check = Checker(doc, problems)
        check.unknown_keys(PAGE_KEYS)
        section_name = check.text("section", required=True)
        section = section_index.get(section_name)
        if section_name and section is None:
            check.error("section", f"unknown section '{section_name}'{did_you_mean(section_name, section_index)}"
                                   f" (sections are listed in sections.yml)")
        staff = {role: _resolve_people(check, role, person_index) for role in STAFF_ROLES}
        pages[key] = Page(key[0], key[1], section or Term("section", section_name, ""), staff,
                          check.flag("date_approximate"), check.flag("number_approximate"),
                          check.text("note"), doc.src_path, fingerprint=digest(f"{doc.src_path}:{doc.digest}"))

    columns: dict = {}
    tags: dict = {}
    articles: list[Article] = []
    claimed: dict = {}
    content_files = set(raw.files)
    for doc in raw.articles:
        src_dir, name = doc.src_path.rsplit("/", 1) if "/" in doc.src_path else ("", doc.src_path)
        key = page_keys[src_dir] if src_dir in page_keys else _page_key(src_dir, doc.display, problems)
        if key is None:
            continue
        page = pages.get(key)
        if page is None:
            if f"{src_dir}/page.yml" not in {p.src_path for p in raw.pages}:
                problems.add(doc.display, 1, "page", f"no page.yml in {src_dir}/; add one with the page's "
                                                     f"section and staff")
            continue
        match = ARTICLE_NAME_RE.match(name)
        slug = match.group(2) if match else ""
        if not match or not SLUG_RE.match(slug):
            problems.add(doc.display, 1, "path", f"file name '{name}' should be NN-slug.md: its place on the "
                                                 f"page, then lower-case ASCII letters, digits and '-'")
            continue
        check = Checker(doc, problems)
        fields = doc.checked
        if fields is None:
            found = len(problems.items)
            fields = _article_fields(check)
            if len(problems.items) == found:   # kept with the Doc (and its cache) only when all is well
                doc.checked = fields
                # The rest of the front matter is not read again but for the images: without it,
                # the cache's parsed files load in about half the time (0.078 against 0.151 s at
                # 10,000 articles, bench/micro_timings.py, 2026-12-03).
                doc.data = {"images": doc.data["images"]} if "images" in doc.data else {}
                doc.compact_lines()
        (title, kind, kicker, subtitle, source, draft, approximate, county_names, names, column, tag_names,
         review) = fields
        article = Article(doc.src_path, page, int(match.group(1)), slug, title=title, kind=kind, kicker=kicker,
                          subtitle=subtitle, source=source, draft=draft,
                          date_approximate=page.date_approximate if approximate is None else approximate,
                          # A short hash: page keys repeat it for every page that lists the article.
                          fingerprint=digest(f"{doc.src_path}:{doc.digest}:{page.fingerprint}"))
        for county_name in county_names:
            county = county_index.get(county_name)
            if county is None:
                near = county_shorts.get(county_name)
                hint = f"; did you mean '{near.name}'?" if near else did_you_mean(county_name, county_index)
                check.error("counties", f"unknown county '{county_name}'{hint}")
            elif county not in article.counties:
                article.counties.append(county)
        for role, role_names in zip(ROLES, names):
            if role_names is None:   # a page's staff role the article does not name
                article.people[role] = list(page.staff[role])
            else:
                article.people[role] = _people_named(check, role, role_names, person_index)
        if column:
            article.column = columns.get(column) or columns.setdefault(column, Term("column", column, column))
        for tag in tag_names:
            term = tags.get(tag) or tags.setdefault(tag, Term("tag", tag, tag))
            if term not in article.tags:
                article.tags.append(term)
        article.images = _build_images(doc, check, person_index, src_dir, content_files, article)
        article.review = review
        if article.draft and not drafts:
            continue
        if article.url in claimed:
            problems.add(doc.display, 1, "path", f"URL {article.url} is already claimed by "
                                                 f"{claimed[article.url]}; rename one of the files")
            continue
        claimed[article.url] = doc.display
        body = raw.bodies.pop(doc.src_path, None)
        rendering = raw.rendered.pop(doc.src_path, None)
        reader = renderings.reader(doc, raw.root) if rendering is None and renderings is not None else None
        if reader is not None:
            article.body = reader
        else:
            if rendering is None:
                body = body if body is not None else read_body(raw.root, doc, problems)
                if body is None:
                    continue
                rendering = markup.render_markdown(body)
            article.body = rendering
            if renderings is not None:
                renderings.add(doc, rendering)
        articles.append(article)

    return _assemble(site, articles, counties, people, sections, columns, tags, problems, raw)


def _article_fields(check: Checker) -> tuple:
    """What an article's front matter gives, checked, every problem reported: (title, kind,
    kicker, subtitle, source, draft, date_approximate or None if not given, county names,
    names per role in ROLES order (None for a page's staff role the article does not name),
    column, tags, review notes). The names are looked up in the registries by build_library.

    It depends on the front matter alone, so build_library keeps it with the Doc, which the
    build's cache keeps while the file is unchanged: with every article's fields checked again,
    build_library took 0.78-0.87 s for 10,000 articles against 0.34-0.49 s with them kept
    (bench/micro_timings.py, 2026-12-03).
    """
    data = check.data
    check.unknown_keys(ARTICLE_KEYS)
    title, kind = check.text("title", required=True), check.text("kind", required=True)
    kicker, subtitle, source = check.text("kicker"), check.text("subtitle"), check.text("source")
    draft = check.flag("draft")
    approximate = check.flag("date_approximate", None) if "date_approximate" in data else None
    if kind and kind not in KINDS:
        check.error("kind", f"unknown kind '{kind}'{did_you_mean(kind, KINDS)} (one of {'、'.join(KINDS)})")
    counties = tuple(check.texts("counties"))
    names = tuple(None if role in STAFF_ROLES and role not in data else tuple(check.texts(role)) for role in ROLES)
    column = check.text("column")
    if column and UNSAFE_NAME_RE.search(column):
        check.error("column", f"column name '{column}' cannot be a URL segment; remove / ? # % and spaces")
        column = ""
    tags = []
    for tag in check.texts("tags"):
        if UNSAFE_NAME_RE.search(tag):
            check.error("tags", f"tag '{tag}' cannot be a URL segment; remove / ? # % and spaces")
        else:
            tags.append(tag)
    review = data.get("review") or []
    if not isinstance(review, list) or not all(isinstance(r, str) for r in review):
        check.error("review", f"expected a list of notes, got {type_name(review)}")
        review = []
    return title, kind, kicker, subtitle, source, draft, approximate, counties, names, column, tuple(tags), review


def _build_images(doc, check, person_index, src_dir, content_files, article) -> list[Image]:
    value = doc.data.get("images") or []
    if not isinstance(value, list):
        check.error("images", f"expected a list of images, got {type_name(value)}")
        return []
    images = []
    for item in value:
        if not isinstance(item, dict):
            check.error("images", f"expected each image as a mapping with caption, file, credit, "
                                  f"photographer; got {type_name(item)}")
            continue
        sub = Checker(doc, check.problems, item, doc.line("images"))
        sub.unknown_keys(IMAGE_KEYS)
        image = Image(sub.text("caption", required=True), sub.text("file"), sub.text("credit"))
        photographers = _resolve_people(sub, "photographer", person_index)
        image.photographer = photographers[0] if photographers else None
        if image.file:
            if f"{src_dir}/{image.file}" not in content_files:
                sub.error("images", f"image file '{image.file}' not found next to the article")
            else:
                image.src = f"{article.url}{image.file}"
        images.append(image)
    return images


def _assemble(site, articles, counties, people, sections, columns, tags, problems, raw) -> Library:
    """Compute issues and taxonomies from the checked articles."""
    articles.sort(key=lambda a: a.sort_key)
    issues: dict = {}
    used_pages: dict = {}
    for article in articles:
        page = article.page
        page.articles.append(article)
        used_pages[id(page)] = page
        for county in article.counties:
            county.articles.append(article)
        for role, persons in article.people.items():
            for person in persons:
                person.roles.setdefault(role, []).append(article)
        for term in (article.column, *article.tags):
            if term is not None:
                term.articles.append(article)
        page.section.articles.append(article)
    for page in sorted(used_pages.values(), key=lambda p: (p.date, p.number)):
        issue = issues.setdefault(page.date, Issue(page.date))
        issue.pages.append(page)
        page.issue = issue
    for issue in issues.values():
        # The search index numbers a day's articles in ARTICLES_PER_DAY slots; a batch of pages
        # put under one wrong date is the likely cause of more.
        count = sum(len(page.articles) for page in issue.pages)
        if count > ARTICLES_PER_DAY:
            folder = issue.pages[0].src_path.rsplit("/", 2)[0]   # YYYY/MM/DD
            problems.add(f"{raw.root}/{folder}/", 1, "date",
                         f"{count} articles dated {issue.date} in {len(issue.pages)} page folders; a day can have "
                         f"at most {ARTICLES_PER_DAY}. Check that these pages belong to this date, and move the "
                         f"others to their own date's folder")
    for person in people:
        if not person.roles:
            where = raw.people.display if raw.people else "people.yml"
            line = next((ln for item, ln in zip(raw.people.data, raw.people.items)
                         if isinstance(item, dict) and item.get("name") == person.name), 1) if raw.people else 1
            problems.warn(where, line, "person", f"{person.name} is credited in no article; remove the entry "
                                                 f"or credit them")
    files = sorted((f"{a.page.url.rstrip('/')}/{i.file}", i.src) for a in articles for i in a.images if i.src)
    registries = ":".join(doc.digest if doc else "" for doc in (raw.site, raw.counties, raw.people, raw.sections))
    return Library(site, articles, sorted(issues.values(), key=lambda i: i.date), counties,
                   sorted((p for p in people if p.roles), key=lambda p: p.name), sections,
                   sorted(columns.values(), key=lambda t: t.name), sorted(tags.values(), key=lambda t: t.name),
                   files, registries)
