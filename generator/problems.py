"""Spec errors: each names its place in a file, and all of them are reported at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Loc:
    """A place in a spec file: the file, 1-based line and column, and the YAML path."""

    file: str
    line: int
    col: int
    path: str

    def __str__(self) -> str:
        if not self.line:  # a whole file or directory
            return self.file
        return f"{self.file}:{self.line}:{self.col}: {self.path or '(top)'}"


@dataclass(frozen=True, order=True)
class Problem:
    loc: Loc
    what: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.loc}: {self.what}" + (f" ({self.fix})" if self.fix else "")


class SpecInvalid(Exception):
    """The spec has problems; nothing was generated."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(map(str, self.problems)))


class Problems:
    """Collects problems while a stage goes on, so all of them are reported together."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, loc: Loc, what: str, fix: str = "") -> None:
        self.items.append(Problem(loc, what, fix))

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecInvalid(self.items)


def closest(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest valid choice, or listing them when none is close."""
    options = sorted(choices)
    match = difflib.get_close_matches(word, options, n=1)
    if match:
        return f"did you mean {match[0]!r}?"
    return "expected one of: " + ", ".join(options)
