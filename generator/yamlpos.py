"""YAML reading that keeps where every value came from and refuses duplicate keys."""

from __future__ import annotations

from typing import Any

import yaml

from .problems import Loc, Problems

_SCALARS = yaml.constructor.SafeConstructor()
# libyaml's parser where PyYAML was built with it (same nodes and marks, several times faster).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Path of a value inside its document: keys and list indexes.
Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class Document:
    """A parsed YAML file: its plain data, and the place of each value by path."""

    def __init__(self, file: str, data: Any, marks: dict[Path, tuple[int, int]]) -> None:
        self.file = file
        self.data = data
        self._marks = marks

    def loc(self, path: Path) -> Loc:
        # A path with no mark of its own (a missing key) points at its nearest parent.
        probe = path
        while probe not in self._marks and probe:
            probe = probe[:-1]
        line, col = self._marks.get(probe, (1, 1))
        return Loc(self.file, line, col, dotted(path))


def read(file: str, text: str, problems: Problems) -> Document | None:
    """Parse one YAML file; syntax errors and duplicate keys go to ``problems``."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError:
        # Parse again with the pure-Python parser, whose wording is the same on every platform.
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            problems.add(*_syntax_problem(file, exc))
            return None
    marks: dict[Path, tuple[int, int]] = {}
    data = _plain(root, (), marks, file, problems) if root is not None else None
    return Document(file, data, marks)


def _syntax_problem(file: str, exc: yaml.MarkedYAMLError) -> tuple[Loc, str, str]:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.problem and exc.context and exc.context_mark:
        started = exc.context_mark
        what += f"; {exc.context} started at {started.line + 1}:{started.column + 1}"
    return Loc(file, line, col, ""), what, "fix the YAML syntax"


def _plain(
    node: yaml.Node,
    path: Path,
    marks: dict[Path, tuple[int, int]],
    file: str,
    problems: Problems,
) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _SCALARS.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                first = marks[(*path, key)]
                here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                problems.add(
                    Loc(file, *here, dotted((*path, key))),
                    f"duplicate key {key!r}, first defined at line {first[0]}",
                    "remove or rename one of them",
                )
                continue
            out[key] = _plain(value_node, (*path, key), marks, file, problems)
            # A key's place is where the key is written, which is what an editor should jump to.
            marks[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _plain(item, (*path, i), marks, file, problems) for i, item in enumerate(node.value)
        ]
    return _SCALARS.construct_object(node)
