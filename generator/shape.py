"""The spec's shape: each file is checked against its JSON Schema (``spec/schema/``, the one
statement of which keys an entry has and what each holds), every break is reported at its
file:line, and the data goes on without what broke, so the loader builds only from values of
the shape the schema gives."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator
from importlib.metadata import version
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from .memo import NO_CACHE, Memo, code_version
from .problems import Problems, closest
from .yamlpos import Document, Path, at

if TYPE_CHECKING:
    from jsonschema import ValidationError

#: The definitions of common.schema.json whose pattern names a thing: what a value that does not
#: match is called, and how to write one that does.
NAMES = {
    "action_name": (
        "action name",
        "a wire name is letters, digits, '_' and '.', not a digit first",
    ),
    "python_name": ("Python name", "use lower_snake_case letters, digits and '_'"),
    "field_name": ("field name", "a wire field name is letters, digits and '_', not a digit first"),
    "model_name": ("model name", "a model name is CamelCase letters and digits"),
    "segment_name": ("segment type", "a segment type is lower-case letters, digits and '_'"),
    "event_name": ("event name", "an event name is CamelCase and ends in Event"),
    "differs_path": (
        "napcat_differs key",
        "write a param, result, or a dotted path such as result.FIELD",
    ),
}

#: The keywords whose breaks are told in the spec's words below (a schema keyword not here would
#: be told in jsonschema's words: the schema tests keep the schemas to these).
TOLD = frozenset(
    {"additionalProperties", "anyOf", "enum", "minItems", "minLength", "oneOf", "pattern"}
    | {"required", "type", "uniqueItems"}
)

#: Better fixes than "write a string" for a value of the wrong kind, an empty list or blank
#: text, by the key of the schema under which the value broke.
FIXES = {
    "discriminators": "quote the value the server sends, e.g. notice_type: group_ban",
    "enum": "list str or int values, or remove 'enum'",
    "excluded": "say why it is left out",
    "napcat_differs": "say how NapCat differs and since which version",
    "notes": "quote it",
    "one_of": (
        "write two or more groups of field names, e.g. one_of: [[id], [seq]];"
        " with one group, mark its fields required instead"
    ),
    "parts": "write the field the keyword fills, or null for a flag or a whole segment",
}

_KINDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
}


def schema_name(relative: str) -> str:
    """The schema of a spec file: ``actions/group.yaml`` → ``actions.schema.json``."""
    stem = "actions" if relative.startswith("actions/") else relative.removesuffix(".yaml")
    return f"{stem}.schema.json"


@functools.cache
def _documents() -> dict[str, dict[str, Any]]:
    folder = files("onebot_gen.bundled_spec") / "schema"
    return {
        entry.name: json.loads(entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".schema.json")
    }


def name_pattern(definition: str) -> re.Pattern[str]:
    """A name's pattern from common.schema.json (``model_name``), for code that makes names."""
    return re.compile(_documents()["common.schema.json"]["$defs"][definition]["pattern"])


@functools.cache
def _step() -> str:
    """The memo step of a file found to have the shape: the schemas, this code and the validator."""
    digest = hashlib.sha256(json.dumps(_documents(), sort_keys=True).encode()).hexdigest()[:16]
    return f"shape: jsonschema {version('jsonschema')}, schemas {digest}, {code_version(__file__)}"


def check(
    relative: str, text: str, doc: Document, problems: Problems, memo: Memo = NO_CACHE
) -> Any:
    """``doc``'s data without the values that break its schema (``None`` when the file itself
    does), each break reported; a file found whole before is not checked again (``memo``)."""
    key = f"{doc.file}\0{text}"
    if memo.peek(_step(), key) is not None:
        return doc.data
    found = _Breaks(doc, schema_name(relative))
    if not found.problems.items:
        memo.put(_step(), key, "")
        return doc.data
    problems.items += found.problems.items
    if () in found.cut:
        return None
    return _without(doc.data, (), found.cut)


#: What a list holds in place of an item left out, so the items after it keep their places.
CUT: Any = object()


def kept(values: list[Any]) -> tuple[Any, ...]:
    """A list's items without those left out."""
    return tuple(v for v in values if v is not CUT)


@functools.cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    # Every $ref replaced by what it names: jsonschema follows a $ref through its registry on
    # each use, which was half the time of checking the bundled spec (280 ms → 130 ms).
    return Draft202012Validator(_inlined(_documents()[name], name))


def _inlined(node: Any, home: str) -> Any:
    if isinstance(node, list):
        return [_inlined(item, home) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        file, _, pointer = node["$ref"].partition("#")
        target: Any = _documents()[file or home]
        for part in pointer.strip("/").split("/"):
            target = target[part]
        rest = {k: _inlined(v, home) for k, v in node.items() if k != "$ref"}
        return {**_inlined(target, file or home), **rest}
    return {k: _inlined(v, home) for k, v in node.items() if k not in ("$defs", "$id", "$schema")}


class _Breaks:
    """The breaks of one document: ``problems`` to report, ``cut`` the paths of the values to
    leave out (a value a mapping requires takes the mapping with it, below the top)."""

    def __init__(self, doc: Document, schema: str) -> None:
        self.doc = doc
        self.problems = Problems()
        self.cut: set[Path] = set()
        validator = _validator(schema)
        self.root = validator.schema
        for error in validator.iter_errors(doc.data):
            self._report(error)

    def _report(self, error: ValidationError) -> None:
        path: Path = tuple(error.absolute_path)
        # what broke: the keyword, its value in the schema, the schema holding it, the value
        keyword: Any = error.validator
        rule: Any = error.validator_value
        schema: Any = error.schema
        value: Any = error.instance
        allowed: Any = schema.get("properties", {}) if isinstance(schema, dict) else {}
        if keyword == "anyOf":
            branches = [i for i, b in enumerate(rule) if _takes(b, value)]
            inner = [e for e in error.context or () if e.relative_schema_path[0] in branches]
            if branches and inner:
                for sub in inner:
                    self._report(sub)
                return
            kinds = [_kind_of(b) for b in rule]
            self._type(path, " or ".join(dict.fromkeys(k for k in kinds if k)), value, error)
        elif keyword == "additionalProperties":
            for key in (k for k in value if k not in allowed):
                hint = _misplaced(value[key], allowed) or closest(key, allowed)
                self._add((*path, key), f"unknown key {key!r}", hint)
        elif keyword == "required":
            unknown = [k for k in value if k not in allowed]
            for key in (k for k in rule if k not in value):
                if any(closest(k, allowed) == f"did you mean {key!r}?" for k in unknown):
                    self.cut.add(self._whole(path, error))  # told as the misspelt key
                else:
                    self._add(path, f"missing required key {key!r}", f"add '{key}:'", error)
        elif keyword == "type":
            self._type(path, " or ".join(dict.fromkeys(_kinds(rule))), value, error)
        elif keyword == "pattern":
            self._pattern(path, rule, value, error)
        elif keyword == "enum":
            self._add(path, f"unknown value {value!r}", closest(str(value), rule), error)
        elif keyword == "uniqueItems":
            i = next(i for i, item in enumerate(value) if item in value[:i])
            self._add((*path, i), f"{value[i]!r} repeats", "list it once")
        elif keyword == "minItems":
            what = "is empty" if not value else f"needs {rule} or more items"
            self._add(path, f"{_name(path)} {what}", _fix(error, "list them"), error)
        elif keyword == "minLength":
            self._add(path, f"{_name(path)} is empty", _fix(error, "write it"), error)
        elif keyword == "oneOf" and all(set(b) == {"required"} for b in rule):
            keys = " or ".join(repr(b["required"][0]) for b in rule)
            # the entry is kept: what it has is checked too
            self.problems.add(self.doc.loc(path), f"needs exactly one of {keys}", "give one")
        else:  # a keyword the schemas do not use yet
            self._add(path, error.message, "see spec/schema/", error)

    def _type(self, path: Path, expected: str, value: Any, error: ValidationError) -> None:
        if not path:
            what = f"the file must hold a mapping, got {_kind(value)}"
            self.problems.add(self.doc.loc(path), what, "see spec/README.md")
            self.cut.add(path)
            return
        what = (
            f"{_name(path)} must be {expected}"
            if isinstance(path[-1], str)
            else f"expected {expected}"
        )
        self._add(path, f"{what}, got {_kind(value)}", _fix(error, f"write {expected}"), error)

    def _pattern(self, path: Path, pattern: str, value: str, error: ValidationError) -> None:
        name = error.absolute_schema_path[-2] == "propertyNames"
        where = (*path, value) if name else path
        definition = _definitions_by_pattern().get(pattern, "")
        if definition in NAMES:
            noun, fix = NAMES[definition]
            self._add(where, f"invalid {noun} {value!r}", fix, None if name else error)
        elif definition == "reason":
            self._add(where, f"the reason for {_name(where)} is empty", _fix(error, ""), error)
        elif not value.strip():
            self._add(where, f"{_name(where)} is empty", "say it in a line", error)
        else:  # line: text with a line break
            what = f"{_name(where)} must be one line, got a line break"
            self._add(where, what, "put the rest into 'description'", error)

    def _add(self, path: Path, what: str, fix: str, error: ValidationError | None = None) -> None:
        """Report a break at ``path`` and leave the value out (with what requires it, when the
        break is ``error``'s)."""
        self.problems.add(self.doc.loc(path), what, fix)
        if path:  # a key missing from the file's top is reported; the rest of the file is kept
            self.cut.add(self._whole(path, error) if error is not None else path)

    def _whole(self, path: Path, error: ValidationError) -> Path:
        """The value to leave out for ``error`` at ``path``: the mapping that holds it when the
        mapping requires it (and so on up), but never the whole file for one of its keys."""
        schema_path = list(error.absolute_schema_path)[:-1]  # the schema of the value at path
        while len(path) > 1 and schema_path[-2:-1] == ["properties"]:
            holder = at(self.root, schema_path[:-2])
            if path[-1] not in holder.get("required", ()):
                break
            path, schema_path = path[:-1], schema_path[:-2]
        return path


def _fix(error: ValidationError, plain: str) -> str:
    """The fix FIXES gives for the key the value broke under, else ``plain``."""
    schema_path = list(error.absolute_schema_path)
    keys = [schema_path[i + 1] for i, part in enumerate(schema_path[:-1]) if part == "properties"]
    return FIXES.get(str(keys[-1]) if keys else "", plain)


@functools.cache
def _definitions_by_pattern() -> dict[str, str]:
    definitions = _documents()["common.schema.json"]["$defs"]
    return {d["pattern"]: name for name, d in definitions.items() if "pattern" in d}


def _takes(branch: dict[str, Any], value: Any) -> bool:
    """Whether a branch of an anyOf is of the value's kind (so its breaks are the ones to tell)."""
    from jsonschema import Draft202012Validator

    kinds = branch.get("type")
    if kinds is None:
        return "enum" not in branch or any(type(v) is type(value) for v in branch["enum"])
    names = kinds if isinstance(kinds, list) else [kinds]
    return any(Draft202012Validator.TYPE_CHECKER.is_type(value, name) for name in names)


def _kind_of(branch: dict[str, Any]) -> str:
    kinds = branch.get("type", "string" if "enum" in branch else None)
    return "" if kinds is None else " or ".join(_kinds(kinds))


def _kinds(types: Any) -> Iterator[str]:
    for name in types if isinstance(types, list) else [types]:
        yield _KINDS[name]


def _kind(value: Any) -> str:
    names: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string"}
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else "a value")


def _name(path: Path) -> str:
    return repr(path[-1]) if path and isinstance(path[-1], str) else "the value"


def _misplaced(value: Any, allowed: dict[str, Any]) -> str | None:
    """A hint for an unknown key whose value is a field (it has a ``type``): it belongs, indented,
    under the mapping of fields here."""
    if not (isinstance(value, dict) and "type" in value):
        return None
    for home in ("params", "fields"):
        if home in allowed:
            return f"it looks like one of the {home}: indent it under '{home}:'"
    return None


def _without(data: Any, path: Path, cut: set[Path]) -> Any:
    if isinstance(data, dict):
        return {k: _without(v, (*path, k), cut) for k, v in data.items() if (*path, k) not in cut}
    if isinstance(data, list):
        return [
            CUT if (*path, i) in cut else _without(v, (*path, i), cut) for i, v in enumerate(data)
        ]
    return data
