"""Resolve printed names against content/people.yml and propose new people."""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml

# The note on a person an import added; a maintainer who checks the person removes it.
UNCHECKED = "待核实"


@dataclass
class People:
    """Known people: each name and alias mapped to the person's name."""

    names: dict[str, str] = field(default_factory=dict)
    unchecked: set[str] = field(default_factory=set)   # added by an import, not yet checked

    def resolve(self, printed: str) -> str | None:
        """The person's name for a printed name or alias, or None if unknown."""
        return self.names.get(printed)


def load_people(path: str) -> People:
    """Read content/people.yml."""
    with open(path, encoding="utf-8") as f:
        return build_people(yaml.safe_load(f) or [])


def build_people(entries: list[dict]) -> People:
    """Index people.yml entries by name and alias."""
    people = People()
    for entry in entries:
        people.names[entry["name"]] = entry["name"]
        if UNCHECKED in str(entry.get("note") or ""):
            people.unchecked.add(entry["name"])
        for alias in entry.get("aliases") or []:
            people.names[alias] = entry["name"]
    return people


def resolve_names(people: People, printed: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(names after alias resolution, new names, review notes) for names as printed."""
    out, new, notes = [], [], []
    for name in printed:
        known = people.resolve(name)
        if known is None:
            new.append(name)
            notes.append(f"person: {name} is not in people.yml; added there as a new person, check")
            known = name
        elif known in people.unchecked:
            notes.append(f"person: {known} was added to people.yml by an import and is not "
                         f"checked yet")
        elif known != name:
            notes.append(f"person: printed {name}, an alias of {known}")
        if known not in out:
            out.append(known)
    return out, new, notes


def render_new_people(names: list[str], source: str) -> str:
    """YAML entries to append to people.yml for names first seen in an import."""
    lines = []
    for name in names:
        lines.append(f"- name: {name}\n  note: 导入 {source} 时新增，{UNCHECKED}。\n")
    return "".join(lines)
