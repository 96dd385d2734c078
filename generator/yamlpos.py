"""YAML reading that keeps where every value came from and refuses what a spec has no use for.

A spec file is plain data: mappings with string keys, lists and scalars. Everything else is
refused with its place: duplicate keys, merge keys (``<<``), tags other than the plain ones,
aliases that contain themselves, and values that cannot be built (``!!int abc``, 2024-02-30).
The work per file is bounded: nesting depth and the number of values after aliases are expanded
are counted on the event stream, before any value is built.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from .memo import NO_CACHE, Memo, code_version
from .problems import Loc, Problems

_SCALARS = yaml.constructor.SafeConstructor()
# libyaml's parser where PyYAML was built with it (same nodes and marks, several times faster).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Limits per file: they are far above what a real spec needs and keep a hostile file cheap.
MAX_DEPTH = 32
MAX_VALUES = 100_000
#: The characters of a file's scalars, an alias counting as all it stands for: four times the
#: largest file read (``specfiles.MAX_BYTES``), so that aliases cannot multiply a small file
#: into a build of hundreds of megabytes.
MAX_CHARS = 4 << 20
MAX_INT_DIGITS = 32

#: The tags plain data has; anything else (``!!python/...``, ``!!binary``, ``!custom``) is refused.
_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_TAG + name for name in ("null", "bool", "int", "float", "str", "timestamp")}
_COLLECTION_TAGS = {_TAG + "seq", _TAG + "map"}

_INVALID: Any = object()

#: Path of a value inside its document: keys and list indexes.
Path = tuple[str | int, ...]


#: The key whose value names a list item in messages: ``actions[set_group_ban]``, not
#: ``actions[8]``.
LABEL_KEY = "action"


def dotted(path: Path, labels: dict[Path, str] | None = None) -> str:
    """``actions[set_group_ban].params.user_id``: a list item that names itself (``labels``) is
    shown by its name, others by their index."""
    out = ""
    for i, part in enumerate(path):
        label = labels.get(path[: i + 1]) if labels and isinstance(part, int) else None
        if label is not None:
            out += f"[{label}]"
        elif isinstance(part, int) or not part.isprintable():  # a key with a line break: quoted
            out += f"[{part!r}]" if isinstance(part, str) else f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def at(data: Any, path: Path | list[Any]) -> Any:
    """The value at ``path`` inside ``data``."""
    for part in path:
        data = data[part]
    return data


class Document:
    """A parsed YAML file: its plain data, the place of each value by path, and the names of
    the list items that have one (see ``LABEL_KEY``)."""

    def __init__(
        self,
        file: str,
        data: Any,
        marks: dict[Path, tuple[int, int]],
        labels: dict[Path, str] | None = None,
    ) -> None:
        self.file = file
        self.data = data
        self.marks = marks
        self.labels = labels or {}

    def loc(self, path: Path) -> Loc:
        # A path with no mark of its own (a missing key) points at its nearest parent.
        probe = path
        while probe not in self.marks and probe:
            probe = probe[:-1]
        line, col = self.marks.get(probe, (1, 1))
        return Loc(self.file, line, col, dotted(path, self.labels))


class _Refused(Exception):
    """A problem that makes the rest of the file meaningless (or too costly) to read."""

    def __init__(self, mark: Any, what: str, fix: str) -> None:
        super().__init__(what)
        self.mark, self.what, self.fix = mark, what, fix


def read(file: str, text: str, problems: Problems) -> Document | None:
    """Parse one YAML file; every problem goes to ``problems`` with its place."""
    try:
        try:
            _check_events(yaml.parse(text, Loader=_LOADER))
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError:
            # Again with the pure-Python parser, whose wording is the same on every platform.
            _check_events(yaml.parse(text, Loader=yaml.SafeLoader))
            root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        problems.add(*_syntax_problem(file, exc, text))
        return None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        what = f"character U+{code:04X} is not allowed in YAML"
        problems.add(
            Loc(file, line, col, ""),
            what,
            "remove it, or write it as an escape in a double-quoted string",
        )
        return None
    except _Refused as exc:
        problems.add(Loc(file, *_position(exc.mark), ""), exc.what, exc.fix)
        return None
    marks: dict[Path, tuple[int, int]] = {}
    labels: dict[Path, str] = {}
    data = _Builder(file, problems, marks, labels).plain(root, ()) if root is not None else None
    return Document(file, data, marks, labels)


#: The step that reads a file (PyYAML's version and this module's code shape what it reads).
READ = f"yaml {yaml.__version__}, {_LOADER.__name__} (yamlpos {code_version(__file__)})"


def read_cached(file: str, text: str, problems: Problems, memo: Memo = NO_CACHE) -> Document | None:
    """``read`` through ``memo``: a file read before without problems is not parsed again
    (reading is most of what a build of an edited spec costs before its formatting)."""
    key = f"{file}\0{text}"
    kept = memo.peek(READ, key)
    if kept is not None:
        data, marks, labels = json.loads(kept)
        return Document(
            file,
            data,
            {tuple(path): (line, col) for path, line, col in marks},
            {tuple(path): label for path, label in labels},
        )
    found = Problems()
    doc = read(file, text, found)
    problems.items += found.items
    if doc is not None and not found.items:
        marks = [[path, line, col] for path, (line, col) in doc.marks.items()]
        try:
            kept = json.dumps([doc.data, marks, list(map(list, doc.labels.items()))])
        except (TypeError, ValueError):
            return doc  # values JSON cannot keep (dates): read again next time
        memo.put(READ, key, kept)
    return doc


def _position(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _check_events(events: Any) -> None:
    """Count nesting and values (an alias counts as all the values it stands for) as the parser
    goes, and refuse an alias inside its own anchor: before anything is built from the file."""
    # anchor → (values, height, characters) of its finished node
    done: dict[str, tuple[int, int, int]] = {}
    # per open collection: [anchor, values before it, tallest child, characters before it]
    stack: list[list[Any]] = []
    values = chars = 0
    for event in events:
        height = 0  # of the value the event finishes (a collection's start finishes none)
        if isinstance(event, yaml.CollectionStartEvent):
            done.pop(event.anchor or "", None)  # open again until its end
            stack.append([event.anchor, values, 0, chars])
            values += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before, tallest, chars_before = stack.pop()
            height = tallest + 1
            if anchor:
                done[anchor] = (values - before, height, chars - chars_before)
        elif isinstance(event, yaml.ScalarEvent):
            values, height, chars = values + 1, 1, chars + len(event.value)
            if event.anchor:
                done[event.anchor] = (1, 1, len(event.value))
        elif isinstance(event, yaml.AliasEvent):
            if any(frame[0] == event.anchor for frame in stack):
                raise _Refused(
                    event.start_mark,
                    f"alias *{event.anchor} is inside the value it refers to",
                    "write the value out instead of the alias",
                )
            # an unknown anchor: compose says so
            count, height, size = done.get(event.anchor or "", (0, 0, 0))
            values, chars = values + count, chars + size
        else:
            continue
        if stack:
            stack[-1][2] = max(stack[-1][2], height)
        if len(stack) + height > MAX_DEPTH:
            raise _Refused(
                event.start_mark,
                f"values nest more than {MAX_DEPTH} levels deep",
                "a spec file needs a few levels; flatten the data",
            )
        if values > MAX_VALUES:
            raise _Refused(
                event.start_mark,
                f"more than {MAX_VALUES} values in one file (an alias counts as all it stands for)",
                "split the file, or write fewer aliases",
            )
        if chars > MAX_CHARS:
            raise _Refused(
                event.start_mark,
                f"the file's text comes to more than {MAX_CHARS} characters (an alias counts as "
                "all it stands for)",
                "write fewer aliases of long values",
            )


def _syntax_problem(file: str, exc: yaml.MarkedYAMLError, text: str) -> tuple[Loc, str, str]:
    mark = exc.problem_mark or exc.context_mark
    indentation = _indentation_problem(file, text, mark.line) if mark else None
    if indentation is not None and "block end" in str(exc.problem):
        return indentation
    what = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.problem and exc.context and exc.context_mark:
        started = exc.context_mark
        what += f"; {exc.context} started at {started.line + 1}:{started.column + 1}"
    fix = "fix the YAML syntax"
    if exc.problem == "mapping values are not allowed here":
        fix = "a value holding ': ' must be quoted; or check the indentation of this line"
    return Loc(file, *_position(mark), ""), what, fix


def _indentation_problem(file: str, text: str, index: int) -> tuple[Loc, str, str] | None:
    """The line a block ended too early or too late at (PyYAML reports the line after a line
    dedented by mistake): line ``index`` (0-based) indented deeper than the line before it,
    which already has its value."""
    lines = text.split("\n")

    def before(i: int) -> int | None:  # the content line above line i
        i -= 1
        while i >= 0 and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
            i -= 1
        return i if i >= 0 else None

    def indent(i: int) -> int:
        return len(lines[i]) - len(lines[i].lstrip(" "))

    if index >= len(lines) or (above := before(index)) is None:
        return None
    if indent(above) >= indent(index) or lines[above].rstrip().endswith(":"):
        return None
    key = lines[above].strip().split(":", 1)[0]
    earlier = before(above)
    if earlier is not None and indent(earlier) == indent(index):
        # The line above sticks out to the left of both its neighbours: it is the one.
        return (
            Loc(file, above + 1, indent(above) + 1, ""),
            f"bad indentation: {key!r} is indented {indent(above)} spaces, less than the lines "
            f"above and below it ({indent(index)}), so the mapping it was in ends here",
            f"indent line {above + 1} by {indent(index)} spaces like its neighbours",
        )
    return (
        Loc(file, index + 1, indent(index) + 1, ""),
        f"bad indentation: line {index + 1} is indented {indent(index)} spaces, deeper than "
        f"{key!r} on line {above + 1} ({indent(above)}), which already has a value",
        f"indent line {index + 1} by {indent(above)} spaces like line {above + 1}, "
        f"or fix the indentation of line {above + 1}",
    )


class _Builder:
    """Plain data from composed nodes, keeping each value's place (and each labelled list
    item's name); a path is only spelled out for a problem."""

    def __init__(
        self,
        file: str,
        problems: Problems,
        marks: dict[Path, tuple[int, int]],
        labels: dict[Path, str],
    ) -> None:
        self.file, self.problems, self.marks, self.labels = file, problems, marks, labels

    def _loc(self, node: yaml.Node, path: Path) -> Loc:
        return Loc(self.file, *_position(node.start_mark), dotted(path, self.labels))

    def plain(self, node: yaml.Node, path: Path) -> Any:
        marks = self.marks
        marks[path] = _position(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _TAG + "merge":
                    self.problems.add(
                        self._loc(key_node, path),
                        "YAML merge keys (<<) are not supported",
                        "write the keys out",
                    )
                    continue
                if not _is_scalar(key_node):
                    what = "a key must be a plain value, not a list or mapping"
                    self.problems.add(self._loc(key_node, path), what, "write a name")
                    continue
                key = self._scalar(key_node, path)
                if key is _INVALID:
                    continue
                key = key if isinstance(key, str) else str(key)
                if key in out:
                    first = marks[(*path, key)]
                    self.problems.add(
                        self._loc(key_node, (*path, key)),
                        f"duplicate key {key!r}, first defined at line {first[0]}",
                        "remove or rename one of them",
                    )
                    continue
                out[key] = self.plain(value_node, (*path, key))
                # A key's place is where the key is written, which is what an editor jumps to.
                marks[(*path, key)] = _position(key_node.start_mark)
            return out if self._plain_tag(node, path) else None
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                label = _label(item)
                if label is not None:
                    self.labels[(*path, i)] = label
                items.append(self.plain(item, (*path, i)))
            return items if self._plain_tag(node, path) else None
        value = self._scalar(node, path)
        return None if value is _INVALID else value

    def _plain_tag(self, node: yaml.Node, path: Path) -> bool:
        allowed = _PLAIN_TAGS if _is_scalar(node) else _COLLECTION_TAGS
        if node.tag in allowed:
            return True
        self.problems.add(
            self._loc(node, path),
            f"YAML tag {node.tag.replace(_TAG, '!!', 1)!r} is not supported",
            "remove the tag: a spec holds plain strings, numbers, booleans, lists and mappings",
        )
        return False

    def _scalar(self, node: yaml.Node, path: Path) -> Any:
        """The value of a scalar, or _INVALID after a problem at its place."""
        if node.tag == _STR:  # the common case: the text as written
            value = node.value
        else:
            if not self._plain_tag(node, path):
                return _INVALID
            if node.tag == _TAG + "int":
                digits = sum(ch.isdigit() for ch in node.value)
                if digits > MAX_INT_DIGITS:
                    what = f"the integer has {digits} digits, more than {MAX_INT_DIGITS}"
                    fix = "write a smaller number, or quote it to make it a string"
                    self.problems.add(self._loc(node, path), what, fix)
                    return _INVALID
            try:
                value = _SCALARS.construct_object(node)
            except (ValueError, OverflowError, yaml.YAMLError) as exc:
                kind = node.tag.removeprefix(_TAG)
                what = f"{node.value!r} is not a valid {kind}: {exc}"
                fix = f"write a valid {kind}, or quote it to make it a string"
                self.problems.add(self._loc(node, path), what, fix)
                return _INVALID
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                self.problems.add(
                    self._loc(node, path),
                    f"the text holds a lone surrogate {value[exc.start]!r}",
                    "write the whole character, not half of a UTF-16 pair",
                )
                return _INVALID
        return value


_STR = _TAG + "str"


def _label(node: yaml.Node) -> str | None:
    """The name a list item gives itself (``- action: set_group_ban``), if any."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if (
            _is_scalar(key_node)
            and key_node.value == LABEL_KEY
            and _is_scalar(value_node)
            and value_node.tag == _STR
            and value_node.value.isprintable()
            and value_node.value
        ):
            return str(value_node.value)
    return None


def _is_scalar(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode)
