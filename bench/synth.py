"""Write a synthetic archive in the content/ format, made from seed text, for benchmarks.

    python bench/synth.py N OUT_DIR [--seed S] [--seeds DIR] [--verbatim]

Article bodies come from an order-3 character Markov chain over the seed pages, so the text has
the seed's vocabulary and frequencies but new arrangements. Deterministic for a seed.

With `--verbatim`, the bodies (and captions) are instead the seed text itself, cut in order into
whole paragraphs of about the same sizes: real text, with every n-gram its writers used, where
the chain only rearranges the seed's own 4-grams. There are only as many articles as the seed
text fills (about 1,100 of the 1.9 million characters bench/news_seeds.py writes); more is an
error.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = ROOT / "bench" / "data" / "seeds"
ORDER = 3
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅鹏飞晓东宇浩然欣怡智轩凯思雨佳琪子涵博文哲宁亮斌鑫琳楠雪婷倩颖晨阳辉海波俊峰"
KINDS = ["消息", "消息", "消息", "通讯", "通讯", "图片新闻", "记者手记", "评论"]
TAG_POOL = [
    "基层治理", "党建引领", "乡村振兴", "志愿服务", "老旧小区", "居民自治", "网格化管理", "党员教育",
    "组织建设", "人才培养", "两新组织", "社区服务", "产业发展", "文明实践", "廉政教育", "为民办实事",
]
COLUMNS = ["创建新时代党建引领基层治理示范区", "", "", "基层党建一线", "党员风采"]


@dataclass
class SynthArticle:
    date: str
    page: int
    place: int
    slug: str
    title: str
    kicker: str
    subtitle: str
    kind: str
    column: str
    counties: list[str]
    reporters: list[str]
    correspondents: list[str]
    photographers: list[str]
    authors: list[str]
    tags: list[str]
    body: str
    editor: str = ""
    captions: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.date}-{self.page:02d}-{self.slug}"

    @property
    def url(self) -> str:
        y, m, d = self.date.split("-")
        return f"{y}/{m}/{d}/{self.page:02d}/{self.slug}/"

    @property
    def people(self) -> list[str]:
        seen = []
        for name in [*self.reporters, *self.correspondents, *self.photographers, *self.authors, self.editor]:
            if name and name not in seen:
                seen.append(name)
        return seen


def load_seed_text(seeds_dir: Path) -> str:
    """All seed pages as one string, blank lines and markup headings dropped."""
    lines = []
    for path in sorted(seeds_dir.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip().lstrip("#").strip()
            if line:
                lines.append(line)
    return "\n".join(lines)


def build_chain(text: str) -> dict[str, list[str]]:
    """Order-3 character Markov chain: context -> list of next characters (with repeats)."""
    chain: dict[str, list[str]] = {}
    for i in range(len(text) - ORDER):
        chain.setdefault(text[i : i + ORDER], []).append(text[i + ORDER])
    return chain


def generate_text(rng: random.Random, chain: dict[str, list[str]], starts: list[str], size: int) -> str:
    """About `size` characters of Markov text, in paragraphs."""
    out = [rng.choice(starts)]
    ctx = out[0]
    n = len(ctx)
    while n < size:
        nxt = chain.get(ctx)
        if not nxt:
            ctx = rng.choice(starts)
            out.append("\n" + ctx)
            n += len(ctx)
            continue
        ch = rng.choice(nxt)
        out.append(ch)
        ctx = ctx[1:] + ch
        n += 1
    text = "".join(out)
    paras = [p.strip() for p in re.split(r"\n+", text) if p.strip()]
    return "\n\n".join(paras)


def make_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


class Verbatim:
    """The seed text in order, handed out in whole paragraphs (synth.py --verbatim)."""

    def __init__(self, text: str):
        self.paras = [p for p in text.split("\n") if p]
        self.at = 0

    def take(self, size: int, joiner: str = "\n\n") -> str:
        """Paragraphs from where the last call stopped, at least `size` characters of them."""
        taken, n = [], 0
        while n < size:
            if self.at == len(self.paras):
                raise SystemExit(f"error: the seed text ran out after {self.at:,} paragraphs; "
                                 f"ask for fewer articles, or give more seed text")
            taken.append(self.paras[self.at])
            n += len(self.paras[self.at])
            self.at += 1
        return joiner.join(taken)


def generate(n: int, seed: int = 1, seeds_dir: Path = DEFAULT_SEEDS, content_src: Path = ROOT / "content",
             verbatim: bool = False):
    """Return (articles, registry people) for a synthetic archive of n articles (bodies and
    captions from the seed text itself, in order, with `verbatim`)."""
    rng = random.Random(seed)
    text = load_seed_text(seeds_dir)
    real = Verbatim(text) if verbatim else None
    # the chain only when it writes the text (building it from 1.9 million characters takes seconds)
    chain = None if real else build_chain(text)
    starts = None if real else [text[i : i + ORDER] for i in range(len(text) - ORDER) if i == 0 or text[i - 1] in "。\n"]
    counties = yaml.safe_load((content_src / "counties.yml").read_text(encoding="utf-8"))
    base_people = [p["name"] for p in yaml.safe_load((content_src / "people.yml").read_text(encoding="utf-8"))]
    extra = sorted({make_name(rng) for _ in range(max(20, n // 50))} - set(base_people))
    people = base_people + extra
    reporters = people[:8] + extra[: len(extra) // 3]
    others = people
    titles = [t for t in re.split(r"[。！？\n]", text) if 6 <= len(t) <= 24]
    articles: list[SynthArticle] = []
    years = max(1, min(20, n // 400))
    first_year = 2026 - years
    issue = 0
    while len(articles) < n:
        day = rng.randrange(years * 365)
        y = first_year + day // 365
        doy = day % 365
        m, d = 1 + doy // 31 % 12, 1 + doy % 28
        date = f"{y:04d}-{m:02d}-{d:02d}"
        issue += 1
        for page in range(1, rng.randint(2, 8) + 1):
            editor = rng.choice(others)
            for place in range(1, rng.randint(2, 5) + 1):
                if len(articles) >= n:
                    break
                size = max(200, int(rng.gauss(1500, 350)))
                county = rng.choice(counties)
                kind = rng.choice(KINDS)
                caps = []
                if kind == "图片新闻" or rng.random() < 0.3:
                    caption = real.take(1, "") if real else generate_text(rng, chain, starts, 40).replace("\n", "")
                    caps = ["图为" + caption[:40] + "。"]
                articles.append(
                    SynthArticle(
                        date=date, page=page, place=place, slug=f"a{issue}-{page}-{place}",
                        title=rng.choice(titles), kicker=county["name"] if rng.random() < 0.3 else "",
                        subtitle="——" + rng.choice(titles) if rng.random() < 0.2 else "",
                        kind=kind, column=rng.choice(COLUMNS),
                        counties=[county["name"]] + ([rng.choice(counties)["name"]] if rng.random() < 0.1 else []),
                        reporters=rng.sample(reporters, rng.choice((1, 1, 2))),
                        correspondents=rng.sample(others, rng.choice((0, 0, 1))),
                        photographers=rng.sample(others, 1) if caps else [],
                        authors=rng.sample(others, 1) if kind in ("记者手记", "评论") else [],
                        tags=rng.sample(TAG_POOL, rng.randint(1, 3)),
                        body=real.take(size) if real else generate_text(rng, chain, starts, size),
                        editor=editor, captions=caps,
                    )
                )
    return articles, people


def write_content(articles: list[SynthArticle], people: list[str], out: Path, content_src: Path = ROOT / "content"):
    """Write the articles as a content/ tree with registries, per docs/content-format.md."""
    content = out / "content"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)
    for name in ("counties.yml", "sections.yml", "site.yml"):
        shutil.copyfile(content_src / name, content / name)
    base = (content_src / "people.yml").read_text(encoding="utf-8")
    known = {p["name"] for p in yaml.safe_load(base)}
    extra = "".join(f"- name: {p}\n" for p in people if p not in known)
    (content / "people.yml").write_text(base.rstrip("\n") + "\n# Synthetic people for benchmarks.\n" + extra, encoding="utf-8")
    pages: dict[tuple[str, int], list[SynthArticle]] = {}
    for a in articles:
        pages.setdefault((a.date, a.page), []).append(a)
    for (date, page), arts in sorted(pages.items()):
        folder = content / date.replace("-", "/") / f"{page:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "page.yml").write_text(yaml.safe_dump({"section": "党建", "editor": arts[0].editor}, allow_unicode=True), encoding="utf-8")
        for a in arts:
            meta = {"title": a.title, "kind": a.kind, "counties": a.counties, "reporters": a.reporters,
                    "correspondents": a.correspondents, "photographers": a.photographers,
                    "authors": a.authors, "tags": a.tags}
            if a.kicker:
                meta["kicker"] = a.kicker
            if a.subtitle:
                meta["subtitle"] = a.subtitle
            if a.column:
                meta["column"] = a.column
            body = a.body + "".join(f"\n\n{c}" for c in a.captions)
            front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
            (folder / f"{a.place:02d}-{a.slug}.md").write_text(f"---\n{front}---\n\n{body}\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder of seed .txt pages")
    ap.add_argument("--verbatim", action="store_true", help="the seed text itself, in order, not a Markov chain")
    args = ap.parse_args(argv)
    articles, people = generate(args.n, args.seed, args.seeds, verbatim=args.verbatim)
    write_content(articles, people, args.out_dir)
    print(f"wrote {len(articles)} articles to {args.out_dir / 'content'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
