"""Tests for the county choropleth: size, links, shared borders, determinism."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

import pytest

from ycarchive.countymap import (County, CountyShapes, count_buckets, load_county_shapes,
                                 path_data, render_county_map)

ROOT = Path(__file__).resolve().parent.parent
GEOJSON = ROOT / "data" / "yuncheng_counties.geojson"
SVG = "{http://www.w3.org/2000/svg}"
CODES = ["140802", "140821", "140822", "140823", "140824", "140825", "140826",
         "140827", "140828", "140829", "140830", "140881", "140882"]
COUNTS = dict(zip(CODES, [12, 0, 3, 7, 1, 1, 25, 4, 9, 2, 0, 5, 40]))
URLS = {code: f"/counties/{code}/" for code in CODES}


@pytest.fixture(scope="module")
def shapes() -> CountyShapes:
    return load_county_shapes(str(GEOJSON))


@pytest.fixture(scope="module")
def svg(shapes) -> str:
    return render_county_map(shapes, COUNTS, URLS, highlight="140802")


def links(svg_text: str) -> list[ET.Element]:
    return ET.fromstring(svg_text).findall(f"{SVG}a")


def parse_path(d: str) -> list[list[tuple[int, int]]]:
    """Absolute rings from path data made of m, l, h, v and z."""
    rings: list[list[tuple[int, int]]] = []
    x = y = 0
    command = ""
    for letter, number in re.findall(r"([mlhvz])|(-?\d+)", d):
        if letter:
            command = "l" if letter == "z" else letter
            if letter == "z":
                x, y = rings[-1][0]
            values: list[int] = []
            continue
        values.append(int(number))
        if command == "h":
            x += values.pop()
        elif command == "v":
            y += values.pop()
        elif len(values) == 2:
            x, y = x + values[0], y + values[1]
            values = []
            if command == "m":
                rings.append([])
                command = "l"
        else:
            continue
        rings[-1].append((x, y))
    return rings


def source_neighbours() -> set[tuple[str, str]]:
    """Pairs of counties whose source rings share an edge."""
    with open(GEOJSON, encoding="utf-8") as f:
        features = json.load(f)["features"]
    edges: dict[str, set] = {}
    for feature in features:
        ring = [tuple(p) for p in feature["geometry"]["coordinates"][0]]
        edges[str(feature["id"])] = {frozenset(e) for e in zip(ring, ring[1:]) if e[0] != e[1]}
    return {(a, b) for a, b in combinations(sorted(edges), 2) if edges[a] & edges[b]}


def drawn_vertices(svg_text: str) -> dict[str, set[tuple[int, int]]]:
    """Every county's drawn vertices, keyed by code (taken from its link)."""
    out = {}
    for a in links(svg_text):
        code = a.get("href").strip("/").split("/")[-1]
        path = a.find(f"{SVG}path")
        out[code] = {p for ring in parse_path(path.get("d")) for p in ring}
    return out


def test_svg_is_at_most_20_kb(svg):
    assert len(svg.encode("utf-8")) <= 20 * 1024


def test_svg_is_well_formed_with_an_accessible_name(svg):
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert not svg.startswith("<?xml")
    title = root.find(f"{SVG}title")
    assert root.get("aria-labelledby") == title.get("id")
    assert title.text == "运城市各县（市、区）报道数量"


def test_every_county_appears_once_with_link_and_title(shapes, svg):
    names = {c.code: c.name for c in shapes.counties}
    seen = [(a.get("href"), a.find(f"{SVG}title").text) for a in links(svg)]
    assert sorted(seen) == sorted((URLS[code], f"{names[code]}：{COUNTS[code]}篇") for code in CODES)
    for a in links(svg):
        assert len(a.findall(f"{SVG}path")) == 1


def test_every_county_has_a_label(shapes, svg):
    labels = ET.fromstring(svg).find(f"{SVG}g[@class='countymap-labels']")
    assert labels.get("aria-hidden") == "true"
    assert labels.get("pointer-events") == "none"
    assert sorted(t.text for t in labels) == sorted(c.short_name for c in shapes.counties)
    assert {"盐湖", "绛县", "夏县", "永济"} <= {t.text for t in labels}


def test_neighbours_share_vertices_after_simplification(svg):
    vertices = drawn_vertices(svg)
    shared = {(a, b) for a, b in combinations(sorted(vertices), 2)
              if len(vertices[a] & vertices[b]) >= 2}
    neighbours = source_neighbours()
    assert len(neighbours) == 24
    assert shared == neighbours


def test_simplification_reduces_the_points(shapes):
    drawn = sum(len(ring) for c in shapes.counties for ring in c.rings)
    assert 1000 < drawn < 9737 / 2


def test_highlight_marks_exactly_one_county(svg):
    current = [a for a in links(svg) if a.get("aria-current") == "page"]
    assert [a.get("href") for a in current] == ["/counties/140802/"]
    assert [a.get("href") for a in links(svg) if "is-current" in a.get("class").split()] == \
        ["/counties/140802/"]
    assert svg.count('id="countymap-current"') == 1
    assert svg.count('href="#countymap-current"') == 1


@pytest.mark.parametrize("highlight", [None, "140999"])
def test_no_highlight_marks_none(shapes, highlight):
    svg = render_county_map(shapes, COUNTS, URLS, highlight=highlight)
    assert "aria-current" not in svg
    assert "is-current" not in svg
    assert "countymap-current" not in svg


def test_colour_classes_follow_counts(svg):
    classes = {a.get("href"): a.get("class").split()[0] for a in links(svg)}
    assert classes["/counties/140821/"] == "c0"           # no articles
    assert classes["/counties/140882/"] == "c4"           # the most
    assert classes["/counties/140824/"] == classes["/counties/140825/"] == "c1"


@pytest.mark.parametrize("counts, expected", [
    ({"a": 0, "b": 0}, {"a": 0, "b": 0}),
    ({"a": 5, "b": 5, "c": 0}, {"a": 1, "b": 1, "c": 0}),
    ({"a": 1, "b": 2, "c": 3, "d": 4}, {"a": 1, "b": 2, "c": 3, "d": 4}),
    ({"a": 1, "b": 1, "c": 1, "d": 9}, {"a": 1, "b": 1, "c": 1, "d": 4}),
    ({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8},
     {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3, "f": 3, "g": 4, "h": 4}),
])
def test_count_buckets(counts, expected):
    assert count_buckets(counts) == expected


def test_county_without_url_is_drawn_but_not_linked(shapes):
    urls = {code: url for code, url in URLS.items() if code != "140827"}
    svg = render_county_map(shapes, COUNTS, urls)
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}a")) == 12
    plain = [g for g in root.findall(f"{SVG}g") if g.find(f"{SVG}path") is not None]
    assert [g.find(f"{SVG}title").text for g in plain] == ["垣曲县：4篇"]


def test_text_is_escaped():
    county = County("1", "甲<县>", (((0, 0), (10, 0), (0, 10)),), (3, 3))
    shapes = CountyShapes(10, 10, (county,))
    svg = render_county_map(shapes, {"1": 1}, {"1": "/a?x=1&y=2"}, title="A & B")
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}a").get("href") == "/a?x=1&y=2"
    assert root.find(f"{SVG}title").text == "A & B"
    assert root.find(f"{SVG}a/{SVG}title").text == "甲<县>：1篇"


@pytest.mark.parametrize("rings, expected", [
    ((((5, 7), (8, 3), (8, 9), (2, 9)),), "m5 7 3-4v6h-6z"),
    ((((5, 7), (2, 3), (0, 0)), ((10, 10), (12, 11), (10, 12))),
     "m5 7-3-4-2-3zm5 3 2 1-2 1z"),
])
def test_path_data_is_relative_and_compact(rings, expected):
    assert path_data(rings) == expected
    assert parse_path(expected) == [list(r) for r in rings]


def test_output_is_deterministic(shapes, svg):
    again = render_county_map(load_county_shapes(str(GEOJSON)), COUNTS, URLS, highlight="140802")
    assert again == svg


def test_output_is_identical_across_processes(svg):
    script = ("import sys, json; from ycarchive.countymap import *;"
              "a = json.loads(sys.argv[1]);"
              "sys.stdout.buffer.write(render_county_map(load_county_shapes(a[0]), a[1], a[2],"
              " highlight='140802').encode('utf-8'))")
    args = json.dumps([str(GEOJSON), COUNTS, URLS])
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, "-c", script, args], env=env, cwd=ROOT,
                             capture_output=True, check=True, timeout=60).stdout
        assert out == svg.encode("utf-8")


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="needs /usr/bin/chromium")
def test_map_renders_in_chromium(svg, tmp_path):
    with open(ROOT / "assets" / "countymap.css", encoding="utf-8") as f:
        css = f.read()
    page = tmp_path / "map.html"
    with open(page, "w", encoding="utf-8") as f:
        f.write(f'<!doctype html><meta charset="utf-8"><style>{css}</style>{svg}')
    png = tmp_path / "map.png"
    subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--window-size=640,520", f"--screenshot={png}", page.as_uri()],
                   capture_output=True, timeout=120)
    with open(png, "rb") as f:
        data = f.read()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000
