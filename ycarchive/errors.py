"""Problems found in content, reported compiler-style and all at once."""
from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, located by file and line."""

    path: str
    line: int
    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {kind}{self.field}: {self.message}"


class ContentError(Exception):
    """Raised when content has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in content")
        self.problems = sorted(problems)


class Problems:
    """Collects problems while content is read and checked."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, line: int, field: str, message: str) -> None:
        self.items.append(Problem(path, line, field, message))

    def warn(self, path: str, line: int, field: str, message: str) -> None:
        self.items.append(Problem(path, line, field, message, warning=True))

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.items if not p.warning)

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.items if p.warning)


def did_you_mean(word: str, choices, cutoff: float = 0.5) -> str:
    """Return '; did you mean 'x'?' for the closest choice, or ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f"; did you mean '{match[0]}'?" if match else ""
