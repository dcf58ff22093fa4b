"""Import the raw text of a printed page into content/ (`python build.py import`)."""
from __future__ import annotations

import argparse
import os
import re

import yaml

from .people import load_people, render_new_people
from .pipeline import ImportResult, Options, import_page
from .places import load_gazetteer
from .write import append_people, write_page

GAZETTEER = os.path.join("data", "yuncheng_gazetteer.csv")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `python build.py import`."""
    parser.add_argument("page_txt", help="plain text of one printed page")
    parser.add_argument("--date", required=True, help="issue date, YYYY-MM-DD")
    parser.add_argument("--page", type=int, default=1, help="page (版) number (default 1)")
    parser.add_argument("--content", default="content", help="content folder (default content)")
    parser.add_argument("--force", action="store_true", help="overwrite files edited by hand")
    parser.add_argument("--date-approximate", action="store_true",
                        help="the date was inferred, not printed")
    parser.add_argument("--number-approximate", action="store_true",
                        help="the page number was inferred, not printed")
    parser.add_argument("--source", default=None,
                        help="provenance recorded in each article's source: (default: the file)")


def load_columns(content: str) -> list[str]:
    """Column names the page may print as a banner: the site's column."""
    path = os.path.join(content, "site.yml")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        site = yaml.safe_load(f) or {}
    return [site["column"]] if site.get("column") else []


def page_folder(content: str, date: str, page: int) -> str:
    """content/YYYY/MM/DD/NN."""
    year, month, day = date.split("-")
    return os.path.join(content, year, month, day, f"{page:02d}")


def run_import(text: str, content: str, opts: Options, gazetteer: str = GAZETTEER
               ) -> ImportResult:
    """Read the registries and import one page of text (nothing is written)."""
    gaz = load_gazetteer(gazetteer, os.path.join(content, "counties.yml"))
    people = load_people(os.path.join(content, "people.yml"))
    opts.columns = opts.columns or load_columns(content)
    return import_page(text, gaz, people, opts)


def run(args) -> int:
    """Import one page; print what was written and what needs review. Returns the exit status."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.date or ""):
        print(f"import: --date: expected YYYY-MM-DD, got '{args.date}'")
        return 2
    if args.page < 1:
        print(f"import: --page: expected a positive number, got {args.page}")
        return 2
    try:
        with open(args.page_txt, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as err:
        print(f"{args.page_txt}: cannot read: {err}")
        return 1
    gazetteer = os.path.join(os.path.dirname(os.path.abspath(args.content)), GAZETTEER)
    if not os.path.exists(gazetteer):
        gazetteer = GAZETTEER
    opts = Options(date=args.date, page=args.page,
                   source=args.source if args.source is not None else args.page_txt,
                   date_approximate=args.date_approximate,
                   number_approximate=args.number_approximate)
    result = run_import(text, args.content, opts, gazetteer)
    folder = page_folder(args.content, args.date, args.page)
    for line in write_page(folder, result.files, force=args.force):
        print(line)
    if result.new_people:
        append_people(os.path.join(args.content, "people.yml"),
                      render_new_people(result.new_people, opts.source))
        print(f"added to {os.path.join(args.content, 'people.yml')}: "
              + "、".join(result.new_people))
    names = [n for n in result.files if n.endswith(".md")]
    for name, front in zip(names, result.fronts):
        for note in front.get("review", []):
            print(f"{os.path.join(folder, name)}: review: {note}")
    if "leftovers.txt" in result.files:
        print(f"{os.path.join(folder, 'leftovers.txt')}: text placed in no article; "
              f"move what belongs somewhere, then delete the file")
    print(f"{len(names)} article(s) from {args.page_txt}")
    return 0
