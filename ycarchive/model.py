"""The archive in memory: articles, pages, issues and the registries they refer to."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class cached_property:   # noqa: N801 (named as the functools one it stands in for)
    """functools.cached_property without its lock: a value computed on first use and kept in
    the instance's __dict__, which later lookups find first. Python 3.11's takes a lock on every
    first use, and a build makes tens of thousands of them (URLs and sort keys of every article
    and page). Two threads asking at once would each compute the value, and one would be kept:
    harmless for these, which depend only on the object."""

    def __init__(self, func):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value

KINDS = ("消息", "通讯", "图片新闻", "记者手记", "评论")

# Role key in front matter -> (label, URL segment). Order is the order of bylines.
ROLES = {
    "reporters": ("记者", "reporter"),
    "correspondents": ("通讯员", "correspondent"),
    "photographers": ("摄影", "photographer"),
    "authors": ("作者", "author"),
    "editor": ("责编", "editor"),
    "art_editor": ("美编", "art-editor"),
    "proofreader": ("校对", "proofreader"),
}
STAFF_ROLES = ("editor", "art_editor", "proofreader")
# The search index numbers an article by its day, counted from FIRST_DATE, and a slot within
# the day: a power of two of them (search.SLOT_BITS).
ARTICLES_PER_DAY = 512
FIRST_DATE = dt.date(1900, 1, 1)
WEEKDAYS = "一二三四五六日"


@dataclass(eq=False)
class County:
    code: str
    name: str
    short: str
    slug: str
    city_level: bool = False
    articles: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"county/{self.slug}/"


@dataclass(eq=False)
class Person:
    name: str
    aliases: tuple = ()
    slug: str = ""
    note: str = ""
    roles: dict = field(default_factory=dict)   # role key -> [Article]

    @property
    def url(self) -> str:
        return f"people/{self.slug or self.name}/"

    @property
    def count(self) -> int:
        """How many articles credit this person, in any role (without sorting them)."""
        if len(self.roles) == 1:
            return len(*self.roles.values())
        return len({id(a) for arts in self.roles.values() for a in arts})

    @property
    def articles(self) -> list:
        if len(self.roles) == 1:   # most people have one role: its list is already in order
            return list(*self.roles.values())
        seen = {id(a): a for arts in self.roles.values() for a in arts}
        return sorted(seen.values(), key=lambda a: a.sort_key)


@dataclass(eq=False)
class Term:
    """A section, column or tag, with its articles."""

    kind: str            # 'section' | 'column' | 'tag'
    name: str
    slug: str
    description: str = ""
    articles: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.kind}/{self.slug}/"


@dataclass
class Image:
    caption: str
    file: str = ""
    credit: str = ""
    photographer: Person | None = None
    src: str = ""        # site-relative path of the copied file


@dataclass(eq=False)
class Page:
    """One printed page (版) of an issue."""

    date: dt.date
    number: int
    section: Term
    staff: dict          # role key -> [Person]
    date_approximate: bool = False
    number_approximate: bool = False
    note: str = ""
    src_path: str = ""
    articles: list = field(default_factory=list)
    issue: "Issue | None" = None
    fingerprint: str = ""    # hash of page.yml as read

    # URLs and sort keys are asked for hundreds of thousands of times a build (planning,
    # keys, listings) and never change once the object is made: each is computed once
    # (formatting the date was 0.05-0.2 s of an incremental build of 10,000 articles).
    @cached_property
    def url(self) -> str:
        return f"{self.iso_date.replace('-', '/')}/{self.number:02d}/"

    @cached_property
    def iso_date(self) -> str:
        return self.date.isoformat()

    @cached_property
    def id_prefix(self) -> str:
        """What the ids of its articles start with (Article.id)."""
        return f"{self.iso_date}-{self.number:02d}-"

    @property
    def label(self) -> str:
        return f"第{self.number}版"


@dataclass(eq=False)
class Issue:
    date: dt.date
    pages: list = field(default_factory=list)

    @cached_property
    def url(self) -> str:
        return f"{self.date.isoformat().replace('-', '/')}/"

    @property
    def articles(self) -> list:
        return [a for p in self.pages for a in p.articles]

    @property
    def date_approximate(self) -> bool:
        return any(p.date_approximate for p in self.pages)


@dataclass(eq=False)
class Article:
    src_path: str
    page: Page
    order: int
    slug: str
    title: str
    kind: str
    kicker: str = ""
    subtitle: str = ""
    column: Term | None = None
    counties: list = field(default_factory=list)
    people: dict = field(default_factory=dict)     # role key -> [Person], staff included
    tags: list = field(default_factory=list)
    images: list = field(default_factory=list)
    date_approximate: bool = False
    source: str = ""
    review: list = field(default_factory=list)
    draft: bool = False
    fingerprint: str = ""    # hash of the article's file and its page.yml as read
    # The rendered body, (HTML, plain text), or a function that returns it: most builds show
    # few bodies, so those kept from earlier builds are read from the cache when first asked for.
    body: object = ("", "")

    @property
    def date(self) -> dt.date:
        return self.page.date

    @cached_property
    def url(self) -> str:
        return f"{self.page.url}{self.slug}/"

    @property
    def id(self) -> str:
        # Made from its page's prefix: the search process makes every article's id in every
        # build, and a page formats its date and number once for all of its articles.
        return self.page.id_prefix + self.slug

    @cached_property
    def sort_key(self) -> tuple:
        return (self.date, self.page.number, self.order, self.slug)

    def _rendered(self) -> tuple[str, str]:
        if callable(self.body):
            self.body = self.body()
        return self.body

    @property
    def html(self) -> str:
        return self._rendered()[0]

    @cached_property
    def text(self) -> str:
        """Plain text of the body and the captions."""
        return "\n".join([self._rendered()[1], *(i.caption for i in self.images)]).strip()

    @property
    def credited(self) -> list:
        """Everyone credited, in role order, without repeats."""
        seen: dict = {}
        for role in ROLES:
            for person in self.people.get(role, ()):
                seen.setdefault(person.name, person)
        return list(seen.values())


@dataclass
class Library:
    """Everything the site is made from, with taxonomies computed from the articles."""

    site: dict
    articles: list           # sorted oldest first
    issues: list             # sorted oldest first
    counties: list           # registry order
    people: list             # sorted by name
    sections: list
    columns: list
    tags: list
    files: list              # content files to copy: (src_path, dest_path)
    registry_digest: str = ""   # hash of site.yml and the registries as read
