"""NapCat's OpenAPI → spec data (the same shape as the YAML files), for import and for diffs."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from . import names
from . import types as t
from .openapi import JSON_TYPES, OpenApi, OpenApiAction
from .spec import Action, Spec

IMPORTED_NOTE = (
    "Imported from NapCat {version}'s OpenAPI: review the types, results and descriptions."
)
_ID_NAME = re.compile(r"(^|_)(id|uin|qq)$|[a-z]Id$")
_INT_NAME = re.compile(
    r"(count|times|duration|time|index|page|size|seq|type|level|status|num|number|delay)$", re.I
)
_MESSAGE_MIX = "OB11MessageMixType"
_RESERVED_MODELS = {"Message", "Segment"}


class Importer:
    """Turns OpenAPI actions into spec entries; shared objects it meets become models."""

    def __init__(
        self,
        openapi: OpenApi,
        known_models: Collection[str] = (),
        known_methods: Collection[str] = (),
    ) -> None:
        self.openapi = openapi
        self.known_models = set(known_models)
        self.methods = set(known_methods)
        self.models: dict[str, dict[str, Any]] = {}

    def action(self, op: OpenApiAction) -> dict[str, Any]:
        entry: dict[str, Any] = {"action": op.name}
        method = _unique(names.snake(op.name), self.methods, op.name)
        if method != names.snake(op.name):
            entry["python_name"] = method
        entry["summary"] = op.summary or op.name
        if op.description and op.description != op.summary:
            entry["description"] = op.description
        entry["sources"] = ["napcat-openapi"]
        params = {}
        owner = names.class_name(method)
        taken: set[str] = set()
        for p in op.params:
            field = self._field(p.schema, p.name, owner)
            chosen = names.KEYWORD_PARAM_NAMES.get(p.name) or names.param_name(p.name, None)
            python_name = _unique(chosen, taken, p.name)
            if python_name != names.param_name(p.name, None):
                field["python_name"] = python_name
            if p.required:
                if p.has_default:
                    field["description"] = (
                        f"{field.get('description', '')}（NapCat 默认 {p.default!r}）".lstrip()
                    )
            elif p.has_default and _default_fits(field, p.default):
                field["default"] = p.default
            else:
                field["required"] = False
            params[p.name] = field
        if params:
            entry["params"] = params
        entry["result"] = self._result(op.result, owner)
        entry["notes"] = [IMPORTED_NOTE.format(version=self.openapi.version or "?")]
        return entry

    # -- types -----------------------------------------------------------------

    def _field(self, schema: dict[str, Any], name: str, owner: str) -> dict[str, Any]:
        type_, enum = self._type(schema, name, owner)
        field: dict[str, Any] = {"type": type_}
        if enum:
            field["enum"] = enum
        description = str(
            schema.get("description") or self.openapi.deref(schema).get("description") or ""
        )
        if description:
            field["description"] = description
        return field

    def _type(self, schema: dict[str, Any], name: str, owner: str) -> tuple[str, list[Any]]:
        if "$ref" in schema:
            return self._ref(schema["$ref"]), []
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self._type(o, name, owner)[0] for o in schema[key]]
                return _union(options, name), []
        kind = schema.get("type")
        if isinstance(kind, list):
            return (
                _union([self._type({**schema, "type": k}, name, owner)[0] for k in kind], name),
                [],
            )
        enum = [
            v
            for v in schema.get("enum", [])
            if isinstance(v, (str, int)) and not isinstance(v, bool)
        ]
        if kind == "string":
            return ("id" if _ID_NAME.search(name) and not enum else "str"), enum
        if kind == "integer":
            return "int", enum
        if kind == "number":
            whole = (
                isinstance(schema.get("default"), int)
                or _INT_NAME.search(name)
                or _ID_NAME.search(name)
            )
            return ("int" if whole else "float"), (enum if whole else [])
        if kind == "boolean":
            return "bool", []
        if kind == "null":
            return "null", []
        if kind == "array":
            item, _ = self._type(schema.get("items", {}), name, owner)
            return f"list[{item}]", []
        if kind == "object" or "properties" in schema:
            if schema.get("properties"):
                return (
                    self._model(
                        names.class_name(owner) + names.class_name(names.snake(name)), schema
                    ),
                    [],
                )
            extra = schema.get("additionalProperties")
            value = self._type(extra, name, owner)[0] if isinstance(extra, dict) else "any"
            return f"dict[str, {value}]", []
        return "any", []

    def _ref(self, ref: str) -> str:
        component = ref.rsplit("/", 1)[-1]
        if component == _MESSAGE_MIX:
            return "message"
        if component.startswith("OB11Message") and component != "OB11Message":
            return "Segment"
        name = component.removeprefix("OB11")
        if name in _RESERVED_MODELS or not re.match(r"^[A-Z][A-Za-z0-9]*$", name):
            name = component
        target = self.openapi.deref({"$ref": ref})
        if not target.get("properties"):
            return self._type(target, name, name)[0]
        return self._model(name, target)

    def _model(self, name: str, schema: dict[str, Any]) -> str:
        if name in self.known_models or name in self.models:
            return name
        self.models[name] = {}  # claimed first: a recursive reference finds it
        required = set(schema.get("required", []))
        fields = {}
        for key, sub in schema.get("properties", {}).items():
            field = self._field(sub, key, name)
            if key not in required:
                field["required"] = False
            fields[key] = field
        model: dict[str, Any] = {"fields": fields}
        if schema.get("description"):
            model = {"description": str(schema["description"]), **model}
        self.models[name] = model
        return name

    def _result(self, schema: dict[str, Any], owner: str) -> Any:
        resolved = self.openapi.deref(schema)
        if not resolved or set(resolved) <= {"description"}:
            return "any"
        if resolved.get("type") == "null":
            return None
        if "$ref" not in schema and resolved.get("type") == "object" and resolved.get("properties"):
            required = set(resolved.get("required", []))
            fields = {}
            for key, sub in resolved["properties"].items():
                field = self._field(sub, key, owner + "Result")
                if key not in required:
                    field["required"] = False
                fields[key] = field
            result: dict[str, Any] = {"fields": fields}
            if resolved.get("description") and resolved["description"] != "业务数据":
                result = {"description": str(resolved["description"]), **result}
            return result
        return self._type(schema, "data", owner + "Result")[0]


def _unique(base: str, taken: set[str], wire: str) -> str:
    """``base``, or a variant of it no earlier name took (``dot_`` for NapCat's dotted aliases)."""
    name = f"dot_{base}" if base in taken and wire.startswith(".") else base
    n = 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _union(options: list[str], name: str) -> str:
    unique = list(dict.fromkeys(options))
    if (
        set(unique) <= {"int", "float", "str"}
        and "str" in unique
        and len(unique) > 1
        and _ID_NAME.search(name)
    ):
        return "id"
    if set(unique) == {"bool", "str"}:
        return "bool"
    if "any" in unique:
        return "any"
    return " | ".join(unique)


def _default_fits(field: dict[str, Any], value: Any) -> bool:
    kinds: dict[str, type | tuple[type, ...]] = {
        "int": int,
        "float": (int, float),
        "str": str,
        "bool": bool,
        "id": (int, str),
    }
    want = kinds.get(field["type"])
    if want is None or (isinstance(value, bool) and field["type"] != "bool"):
        return False
    return isinstance(value, want) and ("enum" not in field or value in field["enum"])


def import_actions(
    openapi: OpenApi,
    only: Collection[str] | None = None,
    known_models: Collection[str] = (),
    known_methods: Collection[str] = (),
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Spec entries for the OpenAPI's actions (all, or those in ``only``) and the models they need;
    names already used by ``known_models`` and ``known_methods`` are not taken again."""
    importer = Importer(openapi, known_models, known_methods)
    # Plain names first, so that `ocr_image` keeps its name and `.ocr_image` becomes `dot_ocr_image`.
    ordered = sorted(openapi.actions.items(), key=lambda item: (item[0][0] in "._", item[0]))
    actions = [importer.action(op) for name, op in ordered if only is None or name in only]
    return actions, importer.models


def area_yaml(title: str, actions: list[dict[str, Any]]) -> str:
    header = "# yaml-language-server: $schema=../schema/actions.schema.json\n"
    return header + _dump({"title": title, "actions": actions})


def models_yaml(models: dict[str, Any]) -> str:
    return "# yaml-language-server: $schema=schema/models.schema.json\n" + _dump({"models": models})


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# -- writing into an existing spec --------------------------------------------------------------


def method_names(current: Spec) -> set[str]:
    return {
        names.method_name(a.wire, a.python_name) for area in current.areas for a in area.actions
    }


def with_actions(target: Path, title: str, actions: list[dict[str, Any]]) -> str:
    """The text of an area file with ``actions`` added (a new file if there is none); what the
    file holds stays as it is."""
    if not target.exists():
        return area_yaml(title, actions)
    return _append_under(target, "actions", _dump(actions))


def with_models(target: Path, models: dict[str, Any]) -> str:
    """The text of models.yaml with ``models`` added."""
    if not target.exists():
        return models_yaml(models)
    return (
        _append_under(target, "models", _dump(models))
        if models
        else target.read_text(encoding="utf-8")
    )


def _append_under(target: Path, key: str, block: str) -> str:
    """``target``'s text with YAML ``block`` appended to the collection under top-level ``key``,
    which must end the file."""
    text = target.read_text(encoding="utf-8")
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


# -- comparing the spec with NapCat ------------------------------------------------------------


def accepted_json_types(type_: t.TypeExpr) -> frozenset[str]:
    """The JSON types a param of this spec type may be sent as."""
    if isinstance(type_, t.Union):
        return frozenset().union(*(accepted_json_types(o) for o in type_.options))
    if isinstance(type_, t.ListOf):
        return frozenset({"array"})
    if isinstance(type_, (t.DictOf, t.Ref)):
        return frozenset({"object"})
    return {
        "int": frozenset({"integer", "number"}),
        "float": frozenset({"integer", "number"}),
        "str": frozenset({"string"}),
        "bool": frozenset({"boolean"}),
        "id": frozenset({"integer", "number", "string"}),
        "message": frozenset({"string", "object", "array"}),
        "Segment": frozenset({"object"}),
        "null": frozenset({"null"}),
        "any": JSON_TYPES,
    }[type_.name]


def disagreements(action: Action, theirs: OpenApiAction) -> list[str]:
    """How the spec's action differs from NapCat's, except for params its notes mention by name.

    A param the spec makes optional where NapCat requires it but has a default is no disagreement:
    NapCat fills in defaults before it checks required params.
    """
    noted = "\n".join(action.notes)
    ours = {p.name: p for p in action.params}
    found = []
    for param in theirs.params:
        if param.name in noted:
            continue
        mine = ours.get(param.name)
        if mine is None:
            found.append(f"{param.name}: in NapCat's OpenAPI, not in the spec")
            continue
        if mine.required != param.required and not (param.has_default and not mine.required):
            found.append(f"{param.name}: required={mine.required}, NapCat says {param.required}")
        if param.json_types != JSON_TYPES and not accepted_json_types(mine.type) & param.json_types:
            found.append(
                f"{param.name}: type {t.render(mine.type)}, NapCat says {sorted(param.json_types)}"
            )
    theirs_names = {p.name for p in theirs.params}
    found += [
        f"{n}: in the spec, not in NapCat's OpenAPI"
        for n in ours
        if n not in theirs_names and n not in noted
    ]
    return found
