"""The JSON Schemas in spec/schema/ are what onebot-gen checks each spec file against: editors read
the same files, and find the same breaks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing

from onebot_gen import shape, yamlpos
from onebot_gen.problems import Problems

from .goldens import FIXTURES, SPEC

SCHEMAS = SPEC / "schema"
REGISTRY = referencing.Registry().with_resources(
    (p.name, referencing.Resource.from_contents(json.loads(p.read_text())))
    for p in SCHEMAS.glob("*.json")
)
BAD = Path(__file__).resolve().parent / "bad_specs"

#: Keywords that only name or hold other schemas: they break nothing themselves.
STRUCTURE = {"$schema", "$id", "$ref", "$defs", "$comment", "title", "description"}
STRUCTURE |= {"properties", "items", "propertyNames"}


def spec_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.yaml"))


def relative(path: Path) -> str:
    """The file's name in its spec directory (``actions/a.yaml``), which picks its schema."""
    parts = path.parts
    return "/".join(parts[parts.index("actions") :]) if "actions" in parts else path.name


def breaks(validator: Any, data: Any) -> set[tuple[tuple[Any, ...], str]]:
    return {(tuple(e.absolute_path), str(e.validator)) for e in validator.iter_errors(data)}


def readable(path: Path) -> Any:
    """The file's data as onebot-gen reads it; None when it does not read as YAML data."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    doc = yamlpos.read(str(path), text, Problems())
    return None if doc is None else doc.data


CHECKED = [
    p for p in spec_files(SPEC) + spec_files(FIXTURES) + spec_files(BAD) if readable(p) is not None
]


@pytest.mark.parametrize("path", CHECKED, ids=str)
def test_editors_and_onebot_gen_find_the_same_breaks(path: Path) -> None:
    """The schemas as editors read them ($refs across files) and as onebot-gen checks with them
    (every $ref put in place) judge each file alike."""
    name = shape.schema_name(relative(path))
    editor = jsonschema.Draft202012Validator({"$ref": name}, registry=REGISTRY)
    data = readable(path)
    assert breaks(editor, data) == breaks(shape._validator(name), data)


def test_the_bad_specs_break_the_schemas_and_the_real_spec_does_not() -> None:
    def judged(root: Path) -> list[bool]:
        return [
            bool(breaks(shape._validator(shape.schema_name(relative(p))), readable(p)))
            for p in spec_files(root)
            if readable(p) is not None
        ]

    assert not any(judged(SPEC)) and not any(judged(FIXTURES))
    assert sum(judged(BAD)) >= 25


@pytest.mark.parametrize("path", spec_files(SPEC), ids=str)
def test_spec_files_name_their_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert (path.parent / first.split("=", 1)[1]).resolve().is_file()


def keywords(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from keywords(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key in ("properties", "$defs"):
                for schema in value.values():
                    yield from keywords(schema)
            elif key not in ("enum", "required", "description", "title", "$comment"):
                yield from keywords(value)


def test_every_break_is_told_in_the_spec_s_words() -> None:
    used = {k for p in SCHEMAS.glob("*.json") for k in keywords(json.loads(p.read_text()))}
    assert {"pattern", "required", "anyOf"} <= used
    assert used - STRUCTURE <= shape.TOLD


LINE = json.loads((SCHEMAS / "common.schema.json").read_text())["$defs"]["line"]["pattern"]


@pytest.mark.parametrize(
    ("text", "one_line"),
    [
        ("Get the status", True),
        ("  padded  ", True),
        ("状态", True),
        ("", False),
        ("   ", False),
        ("trailing\n", False),
        ("two\nlines", False),
        ("a\rb", False),
        ("a\u2028b", False),
        ("a\x0cb", False),
    ],
)
def test_a_line_is_one_line_of_text(text: str, one_line: bool) -> None:
    """The same test as the docs' headings and table cells need: str.splitlines finds one line."""
    assert (
        (re.search(LINE, text) is not None)
        == one_line
        == (len(f"{text}.".splitlines()) == 1 and bool(text.strip()))
    )
