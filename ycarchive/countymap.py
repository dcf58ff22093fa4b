"""Draw the 13 counties of 运城市 as a small SVG choropleth of article counts.

Loading (`load_county_shapes`) reads the GeoJSON once, projects it and simplifies
it per shared border, so neighbouring counties keep meeting exactly; rendering
(`render_county_map`) is a pure function of the shapes, the counts and the URLs.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from html import escape

Point = tuple[float, float]
Ring = tuple[tuple[int, int], ...]

MAP_WIDTH = 600        # viewBox width; one unit is about 260 m on the ground
MARGIN = 4             # viewBox units kept free around the drawing
TOLERANCE = 0.3        # Douglas–Peucker tolerance in viewBox units
BUCKETS = 4            # colour classes c1…c4 for counties with articles; c0 = none
DEFAULT_TITLE = "运城市各县（市、区）报道数量"
TITLE_ID = "countymap-title"
CURRENT_ID = "countymap-current"


@dataclass(frozen=True)
class County:
    """One county as drawn: integer viewBox rings and a label point."""

    code: str
    name: str
    rings: tuple[Ring, ...]      # closed implicitly; first point not repeated
    label: tuple[int, int]

    @functools.cached_property
    def path(self) -> str:
        """The SVG path data of the rings: made once, though a build draws the map on many pages
        (the 15 maps of an added article's pages: 3-6 ms so, 53-59 ms with the paths made for
        each map; bench/micro_timings.py)."""
        return path_data(self.rings)

    @property
    def short_name(self) -> str:
        """The name without 县/市/区, unless that would leave one character (绛县, 夏县)."""
        return self.name[:-1] if len(self.name) > 2 else self.name


@dataclass(frozen=True)
class CountyShapes:
    """All counties, sorted by code, and the viewBox size they are drawn in."""

    width: int
    height: int
    counties: tuple[County, ...]


# ---------------------------------------------------------------- loading


def load_county_shapes(path: str) -> CountyShapes:
    """Read county polygons from GeoJSON and build simplified, projected shapes."""
    with open(path, encoding="utf-8") as f:
        collection = json.load(f)
    return build_county_shapes(collection)


def build_county_shapes(collection: dict, tolerance: float = TOLERANCE) -> CountyShapes:
    """Project and simplify a GeoJSON FeatureCollection of counties (pure)."""
    features = sorted(collection["features"], key=lambda f: str(f["id"]))
    polygons = {str(f["id"]): [[_clean_ring(r) for r in poly] for poly in _polygons(f)]
                for f in features}
    project, width, height = _fit_projection(
        [p for polys in polygons.values() for poly in polys for ring in poly for p in ring])
    edge_owners = _edge_owners(polygons)
    point_owners = _point_owners(polygons)
    arcs: dict[tuple[Point, ...], tuple[tuple[int, int], ...]] = {}
    counties = []
    for feature in features:
        code = str(feature["id"])
        rings = []
        for poly in polygons[code]:
            for ring in poly:
                pieces = _split_ring(ring, edge_owners, point_owners)
                drawn = _join_arcs([_simplified_arc(a, arcs, project, tolerance) for a in pieces])
                if len(set(drawn)) >= 3:
                    rings.append(drawn)
        label = project(tuple(feature["properties"]["cp"]))
        counties.append(County(code, feature["properties"]["name"], tuple(rings),
                               (round(label[0]), round(label[1]))))
    return CountyShapes(width, height, tuple(counties))


def _polygons(feature: dict) -> list[list[list[Point]]]:
    """The feature's polygons as lists of rings of (lon, lat) tuples."""
    geometry = feature["geometry"]
    polys = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polys = [polys]
    return [[[(float(p[0]), float(p[1])) for p in ring] for ring in poly] for poly in polys]


def _clean_ring(ring: list[Point]) -> list[Point]:
    """Drop the closing point, repeated points, spikes and small loops.

    The source has a few zero-area spikes (A B A) and tiny loops on shared
    borders; both neighbours carry them mirrored, so removing them the same way
    in each ring keeps the borders identical.
    """
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    for _ in range(2):                       # second pass catches loops across the seam
        ring = _cut_loops(ring)
        half = len(ring) // 2
        ring = ring[half:] + ring[:half]
    return ring


def _cut_loops(ring: list[Point]) -> list[Point]:
    """Remove every stretch that leaves a vertex and returns to it within half the ring."""
    out: list[Point] = []
    seen: dict[Point, int] = {}
    for p in ring:
        j = seen.get(p)
        if j is not None and len(out) - j < len(ring) // 2:
            for q in out[j + 1:]:
                del seen[q]
            del out[j + 1:]
            continue
        seen[p] = len(out)
        out.append(p)
    return out


def _fit_projection(points: list[Point]):
    """An equirectangular projection scaled by cos(mean latitude), fitted to the viewBox."""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * kx
    span_y = max(lats) - min(lats)
    scale = (MAP_WIDTH - 2 * MARGIN) / span_x
    height = math.ceil(span_y * scale) + 2 * MARGIN
    lon0, lat1 = min(lons), max(lats)

    def project(p: Point) -> Point:
        return ((p[0] - lon0) * kx * scale + MARGIN, (lat1 - p[1]) * scale + MARGIN)

    return project, MAP_WIDTH, height


def _edge(a: Point, b: Point) -> tuple[Point, Point]:
    return (a, b) if a <= b else (b, a)


def _edge_owners(polygons: dict) -> dict[tuple[Point, Point], frozenset[str]]:
    """For every undirected edge, the counties whose rings use it."""
    owners: dict[tuple[Point, Point], set[str]] = {}
    for code, polys in polygons.items():
        for poly in polys:
            for ring in poly:
                for i in range(len(ring)):
                    owners.setdefault(_edge(ring[i - 1], ring[i]), set()).add(code)
    return {e: frozenset(s) for e, s in owners.items()}


def _point_owners(polygons: dict) -> dict[Point, frozenset[str]]:
    """For every vertex, the counties whose rings pass through it."""
    owners: dict[Point, set[str]] = {}
    for code, polys in polygons.items():
        for poly in polys:
            for ring in poly:
                for p in ring:
                    owners.setdefault(p, set()).add(code)
    return {p: frozenset(s) for p, s in owners.items()}


def _split_ring(ring: list[Point], edge_owners, point_owners) -> list[list[Point]]:
    """Cut a ring into arcs at every vertex where the set of counties sharing it changes.

    A vertex is a cut when the edges on either side are not used by exactly the
    counties that meet at the vertex; such junctions are then arc endpoints in
    every ring through them, so they survive simplification everywhere.
    """
    n = len(ring)
    cuts = [i for i in range(n)
            if not (edge_owners[_edge(ring[i - 1], ring[i])]
                    == edge_owners[_edge(ring[i], ring[(i + 1) % n])]
                    == point_owners[ring[i]])]
    if not cuts:                              # a ring shared whole, or with no neighbour
        return [ring + ring[:1]]
    arcs = []
    for k, start in enumerate(cuts):
        end = cuts[(k + 1) % len(cuts)]
        arcs.append(ring[start:end + 1] if end > start else ring[start:] + ring[:end + 1])
    return arcs


def _simplified_arc(arc: list[Point], cache: dict, project, tolerance: float):
    """Simplify, project and round an arc, once per arc however many rings share it."""
    closed = arc[0] == arc[-1]
    if closed:                               # same start for every ring that shares it
        body = arc[:-1]
        i = body.index(min(body))
        arc = body[i:] + body[:i + 1]
    forward = tuple(arc)
    backward = forward[::-1]
    key = min(forward, backward)
    if key not in cache:
        xy = [project(p) for p in key]
        if closed:
            far = max(range(len(xy)), key=lambda i: _dist2(xy[0], xy[i]))
            kept = _douglas_peucker(xy[:far + 1], tolerance)[:-1] + _douglas_peucker(xy[far:], tolerance)
        else:
            kept = _douglas_peucker(xy, tolerance)
        cache[key] = _round_arc(kept)
    drawn = cache[key]
    return drawn if key == forward else drawn[::-1]


def _douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """Keep the points that deviate more than `tolerance` from the simplified line.

    Douglas–Peucker rather than Visvalingam: its tolerance is a bound on the
    drawn error in viewBox units, which is what a fixed-size map needs, and it
    always keeps the arc's endpoints, so shared junctions stay put.
    """
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, 0
        for i in range(first + 1, last):
            d = _segment_dist2(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if best > tolerance * tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep) if k]


def _dist2(a: Point, b: Point) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _segment_dist2(p: Point, a: Point, b: Point) -> float:
    """Squared distance from p to the segment ab."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return _dist2(p, a)
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return _dist2(p, (a[0] + t * dx, a[1] + t * dy))


def _round_arc(points: list[Point]) -> tuple[tuple[int, int], ...]:
    """Round to integer viewBox units, dropping interior points that collapse together."""
    rounded = [(round(x), round(y)) for x, y in points]
    out = [rounded[0]]
    for p in rounded[1:-1]:
        if p != out[-1]:
            out.append(p)
    if len(out) > 1 and out[-1] == rounded[-1]:
        out.pop()
    out.append(rounded[-1])
    return tuple(out)


def _join_arcs(arcs: list[tuple[tuple[int, int], ...]]) -> Ring:
    """Chain arcs (each ending where the next begins) into one ring without repeats."""
    ring: list[tuple[int, int]] = []
    for arc in arcs:
        for p in arc:
            if not ring or ring[-1] != p:
                ring.append(p)
    while len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return tuple(ring)


# -------------------------------------------------------------- rendering


def render_county_map(shapes: CountyShapes, counts: dict[str, int], urls: dict[str, str],
                      highlight: str | None = None, title: str = DEFAULT_TITLE) -> str:
    """Return an inline <svg> choropleth: one link per county, coloured by article count."""
    buckets = count_buckets({c.code: counts.get(c.code, 0) for c in shapes.counties})
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {shapes.width} {shapes.height}"'
             f' class="countymap" aria-labelledby="{TITLE_ID}">',
             f'<title id="{TITLE_ID}">{escape(title)}</title>']
    for county in shapes.counties:
        parts.append(_render_county(county, counts.get(county.code, 0), buckets[county.code],
                                    urls.get(county.code), county.code == highlight))
    if any(c.code == highlight for c in shapes.counties):
        parts.append(f'<use href="#{CURRENT_ID}" class="countymap-outline" aria-hidden="true"/>')
    parts.append('<g class="countymap-labels" aria-hidden="true" font-size="13"'
                 ' text-anchor="middle" pointer-events="none">')
    for county in shapes.counties:
        x, y = county.label
        parts.append(f'<text x="{x}" y="{y}" dy=".35em">{escape(county.short_name)}</text>')
    parts.append("</g></svg>")
    return "\n".join(parts)


def _render_county(county: County, count: int, bucket: int, url: str | None,
                   current: bool) -> str:
    """One county: a link (or a plain group if it has no page) around its titled path."""
    classes = f"c{bucket} is-current" if current else f"c{bucket}"
    path_id = f' id="{CURRENT_ID}"' if current else ""
    inner = (f'<title>{escape(county.name)}：{count}篇</title>'
             f'<path{path_id} d="{county.path}"/>')
    if url is None:
        return f'<g class="{classes}">{inner}</g>'
    aria = ' aria-current="page"' if current else ""
    return f'<a href="{escape(url)}" class="{classes}"{aria}>{inner}</a>'


def count_buckets(counts: dict[str, int]) -> dict[str, int]:
    """Colour class per code: 0 for no articles, else 1…BUCKETS by quantile among the rest.

    A county's quantile is the share of counties with articles that have strictly
    fewer, so equal counts always share a colour.
    """
    positive = sorted(v for v in counts.values() if v > 0)
    buckets = {}
    for code, value in counts.items():
        if value <= 0:
            buckets[code] = 0
        else:
            below = sum(1 for v in positive if v < value)
            buckets[code] = 1 + BUCKETS * below // len(positive)
    return buckets


def path_data(rings: tuple[Ring, ...]) -> str:
    """Compact SVG path data with relative moves and lines (h/v where axis-aligned)."""
    out: list[str] = []
    cursor = (0, 0)                  # a path's first m is relative to the origin
    for ring in rings:
        x, y = ring[0]
        out.append("m" + _numbers(x - cursor[0], y - cursor[1]))
        cursor = ring[0]
        command = "l"                # after m, bare number pairs are implicit l
        px, py = x, y
        for x, y in ring[1:]:
            dx, dy = x - px, y - py
            if dy == 0:
                word, nums = "h", _numbers(dx)
            elif dx == 0:
                word, nums = "v", _numbers(dy)
            else:
                word, nums = "l", _numbers(dx, dy)
            if word != command:
                out.append(word + nums)
                command = word
            else:
                out.append(nums if nums.startswith("-") else " " + nums)
            px, py = x, y
        out.append("z")
    return "".join(out)


def _numbers(*values: int) -> str:
    """Numbers joined with a space, or with nothing before a minus sign."""
    text = str(values[0])
    for v in values[1:]:
        text += str(v) if v < 0 else f" {v}"
    return text
