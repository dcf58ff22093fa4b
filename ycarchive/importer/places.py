"""Infer the counties an article is about, from the gazetteer and the county registry."""
from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field

import yaml

CITY_LEVEL = "市直"
# Town-level rows of the gazetteer that are statistical units, not places a reader would name.
_UNIT_WORDS = ("开发区", "社区服务中心", "监狱", "戒毒所", "铝厂")
_VILLAGE_SUFFIXES = (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村村委会", "村"),
                     ("村委会", "村"), ("居民委员会", ""), ("居委会", ""))
# City- or province-level bodies: 市政协, 市体育局, 省蚕业科学研究院, 运城市…
_CITY_RE = re.compile(
    r"(?:^|[^\u4e00-\u9fff]|运城)(?:市|省)[\u4e00-\u9fff]{0,10}?"
    r"(?:委|政府|政协|人大|局|院|厅|办|部|会|中心|馆|所|队)"
    r"|运城市|全市")


@dataclass
class Gazetteer:
    """Names that identify a county: county names and short names, towns and villages."""

    counties: list[dict]                                   # registry entries (without 市直)
    county_names: dict[str, str] = field(default_factory=dict)   # name or short -> county
    places: dict[str, set[str]] = field(default_factory=dict)    # town/village name -> counties
    patterns: dict = field(default_factory=dict, repr=False, compare=False)  # built on first use


def load_gazetteer(csv_path: str, counties_path: str) -> Gazetteer:
    """Read data/yuncheng_gazetteer.csv and content/counties.yml."""
    with open(counties_path, encoding="utf-8") as f:
        registry = yaml.safe_load(f) or []
    with open(csv_path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return build_gazetteer(registry, rows)


def _place_name(row: dict) -> str | None:
    """The name a reader would write for a gazetteer row, or None for statistical units."""
    name = row["name"]
    if row["level"] == "town":
        if any(w in name for w in _UNIT_WORDS) or name.endswith("县社区"):
            return None
        return name
    for suffix, short in _VILLAGE_SUFFIXES:
        if name.endswith(suffix):
            base = name[: -len(suffix)] + short
            return base if len(base) >= 3 else None
    return name


def build_gazetteer(registry: list[dict], rows: list[dict]) -> Gazetteer:
    """Index county, town and village names by the counties they belong to."""
    counties = [c for c in registry if not c.get("city_level")]
    gaz = Gazetteer(counties)
    for c in counties:
        gaz.county_names[c["name"]] = c["name"]
        if len(c.get("short") or "") >= 2:
            gaz.county_names[c["short"]] = c["name"]
    for row in rows:
        if row["level"] == "county":
            continue
        name = _place_name(row)
        if name and name not in gaz.county_names:
            gaz.places.setdefault(name, set()).add(row["county"])
    return gaz


def _pattern(names) -> re.Pattern | None:
    """A regex matching any of `names`, longest first."""
    if not names:
        return None
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def _scan(text: str, pattern: re.Pattern | None) -> list[str]:
    """Non-overlapping occurrences of the pattern's names in text."""
    return [m.group(0) for m in pattern.finditer(text)] if pattern else []


def _county_mentions(gaz: Gazetteer, text: str) -> list[str]:
    """Counties named outright in text (新绛县 is not 绛县)."""
    if "all" not in gaz.patterns:                          # so 新绛县 or a town shadows 绛县
        gaz.patterns["all"] = _pattern(set(gaz.county_names) | set(gaz.places))
    return [gaz.county_names[n] for n in _scan(text, gaz.patterns["all"])
            if n in gaz.county_names]


def _place_mentions(gaz: Gazetteer, text: str) -> list[str]:
    """Town or village names in text."""
    if "places" not in gaz.patterns:
        gaz.patterns["places"] = _pattern(gaz.places)
    return _scan(text, gaz.patterns["places"])


def infer_counties(gaz: Gazetteer, heads: list[str], body: str) -> tuple[list[str], list[str]]:
    """(counties, review notes) from the kicker/headline/subtitle first, then the body.

    A county named in the heads decides; otherwise the county named most often in the body;
    otherwise a town or village name that belongs to one county only (a guess, noted);
    otherwise 市直 for city-level bodies. An ambiguous place name is never guessed.
    """
    order = [c["name"] for c in gaz.counties]
    head_text = " ".join(h for h in heads if h)
    named = _county_mentions(gaz, head_text)
    if named:
        return sorted(set(named), key=order.index), []
    counts = Counter(_county_mentions(gaz, body))
    places = [p for p in _place_mentions(gaz, head_text) if len(gaz.places[p]) == 1]
    if places:
        county = next(iter(gaz.places[places[0]]))
        if counts[county]:
            return [county], []          # the text names the county too: not a guess
        return [county], [f"counties: {county} inferred from {places[0]} in the headline"]
    if counts:
        top = max(counts.values())
        found = sorted((c for c, n in counts.items() if n == top), key=order.index)
        notes = []
        if len(found) > 1:
            notes.append(f"counties: {'、'.join(found)} named equally often in the text; check")
        return found, notes
    if _CITY_RE.search(head_text) or _CITY_RE.search(body):
        return [CITY_LEVEL], []
    places = _place_mentions(gaz, body)
    unique = Counter(next(iter(gaz.places[p])) for p in places if len(gaz.places[p]) == 1)
    if unique:
        county, _ = unique.most_common(1)[0]
        source = next(p for p in places if gaz.places[p] == {county})
        return [county], [f"counties: {county} inferred from {source}"]
    ambiguous = sorted({p for p in places if len(gaz.places[p]) > 1})
    if ambiguous:
        return [], [f"counties: none found; {ambiguous[0]} is the name of places in "
                    f"{'、'.join(sorted(gaz.places[ambiguous[0]], key=order.index))}"]
    return [], ["counties: no county, town or village named; add the county by hand"]
