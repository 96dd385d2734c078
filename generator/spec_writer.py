"""Writing spec YAML the way the spec's files are written: new files, entries appended, and
fields and review marks put into entries that exist, leaving every other line as it was."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


def area_yaml(title: str, actions: list[dict[str, Any]]) -> str:
    header = "# yaml-language-server: $schema=../schema/actions.schema.json\n"
    return header + dump({"title": title, "actions": actions})


def models_yaml(models: dict[str, Any]) -> str:
    return "# yaml-language-server: $schema=schema/models.schema.json\n" + dump({"models": models})


def with_actions(target: Path, title: str, actions: list[dict[str, Any]]) -> str:
    """The text of an area file with ``actions`` added (a new file if there is none); what the
    file holds stays as it is."""
    if not target.exists():
        return area_yaml(title, actions)
    return _append_under(target.read_text(encoding="utf-8"), target, "actions", dump(actions))


def with_models(target: Path, models: dict[str, Any], text: str | None = None) -> str:
    """The text of models.yaml (or ``text``, what it is to become) with ``models`` added."""
    if text is None and not target.exists():
        return models_yaml(models)
    text = target.read_text(encoding="utf-8") if text is None else text
    return _append_under(text, target, "models", dump(models)) if models else text


class Edit:
    """Fields and review lines put into the entries of one spec file's text. Each change is
    made on the text as it stands, found again by its YAML path, so changes never clash."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def add_field(self, entry: list[str | int], key: str, name: str, field: dict[str, Any]) -> None:
        """Put ``name: {field}`` under ``key`` (``params`` or ``fields``, made if missing) of the
        mapping at ``entry``; a key given as a list index path ends at a sequence item."""
        line = dump({key: {name: field}}).splitlines()[1].strip()
        self._add(entry, key, [line])

    def add_review(self, entry: list[str | int], what: str) -> None:
        """Add ``what`` to the entry's ``review`` list (made if missing)."""
        self._add(entry, "review", [dump([what]).strip()])

    def _add(self, entry: list[str | int], key: str, lines: list[str]) -> None:
        mapping = self._node(entry)
        found = next((v for k, v in mapping.value if k.value == key), None)
        if found is not None and found.value:  # a mapping or sequence with items: add after them
            items = found.value
            first = items[0][0] if isinstance(found, yaml.MappingNode) else items[0]
            column = first.start_mark.column - (0 if isinstance(found, yaml.MappingNode) else 2)
            self._insert(_last_line(found), column, lines)
            return
        if found is not None:  # ``key: {}`` or ``key: []``: written anew
            raise ValueError(f"{self.path}: {'.'.join(map(str, entry))}.{key} is empty; remove it")
        column = mapping.value[0][0].start_mark.column
        self._insert(_last_line(mapping), column, [f"{key}:", *("  " + line for line in lines)])

    def _insert(self, after_line: int, column: int, lines: list[str]) -> None:
        rows = self.text.split("\n")
        while after_line > 0 and rows[after_line].strip() in ("", "#"):
            after_line -= 1  # back over the blank lines a block scalar's end takes in
        rows[after_line + 1 : after_line + 1] = [" " * column + line for line in lines]
        self.text = "\n".join(rows)

    def _node(self, entry: list[str | int]) -> yaml.MappingNode:
        node = yaml.compose(self.text, Loader=yaml.SafeLoader)
        for step in entry:
            if isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                node = node.value[step]
            elif isinstance(node, yaml.MappingNode):
                node = next(v for k, v in node.value if k.value == step)
            else:
                raise ValueError(f"{self.path}: no {'.'.join(map(str, entry))}")
        if not isinstance(node, yaml.MappingNode) or not node.value:
            raise ValueError(f"{self.path}: {'.'.join(map(str, entry))} is not a mapping")
        return node


def _last_line(node: yaml.Node) -> int:
    """The 0-based line of a node's last character (its end mark is where the next token starts,
    past line breaks, blank lines and comments)."""
    if (
        isinstance(node, yaml.MappingNode | yaml.SequenceNode)
        and node.value
        and not node.flow_style
    ):
        last = node.value[-1]
        return _last_line(last[1] if isinstance(last, tuple) else last)
    end = node.end_mark
    line = end.line if end.column > 0 else end.line - 1
    return max(line, node.start_mark.line)


class _Flow(dict[str, Any]):
    """A field: written on one line as a flow mapping, as the area files write params."""


class _FlowList(list[Any]):
    """A short list written on one line (``sources: [napcat-openapi]``)."""


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the spec's files write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, True)
)
_Dumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)


def _flowing(data: Any, key: str = "") -> Any:
    """``data`` with every field (under ``params`` or ``fields``) marked for one-line output."""
    if isinstance(data, dict):
        if key in ("params", "fields"):
            return {name: _Flow(sorted(f.items(), key=_key_order)) for name, f in data.items()}
        return {k: _flowing(v, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        if key == "sources":
            return _FlowList(data)
        return [_flowing(item) for item in data]
    return data


_FIELD_KEYS = ("type", "enum", "required", "default", "python_name", "description")


def _key_order(item: tuple[str, Any]) -> int:
    """A field's keys in the order the spec's files write them: the description last."""
    return _FIELD_KEYS.index(item[0]) if item[0] in _FIELD_KEYS else len(_FIELD_KEYS)


def dump(data: Any) -> str:
    # Wide lines: a field stays on one line however long its description.
    text = yaml.dump(
        _flowing(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000
    )
    # A blank line between actions (and between models), as in the spec's files.
    return re.sub(r"\n(?=(  )?- action: |  [A-Z][A-Za-z0-9]*:\n)", "\n\n", text).replace(
        ":\n\n", ":\n"
    )


def _append_under(text: str, target: Path, key: str, block: str) -> str:
    """``text`` with YAML ``block`` appended to the collection under top-level ``key``, which
    must end the file."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode) or not root.value or root.value[-1][0].value != key:
        raise ValueError(f"{target}: cannot append: `{key}:` must be the file's last top-level key")
    collection = root.value[-1][1]
    column = 2
    if isinstance(collection, yaml.MappingNode) and collection.value:
        column = collection.value[0][0].start_mark.column
    elif isinstance(collection, yaml.SequenceNode) and collection.value:
        column = collection.value[0].start_mark.column - 2  # the "- " before the item
    indent = " " * column
    lines = [indent + line if line else line for line in block.splitlines()]
    return text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
