"""What each spec type means in Python and in JSON Schema, on input (params) and output (results).

Both renderings live side by side so that the client's signatures and the TypedDicts that
datamodel-code-generator makes from the JSON Schema always agree.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from . import types as t

Position = Literal["input", "output"]

#: A primitive's annotation, the names that refers to (what a module using it imports) and its
#: JSON Schema.
Rendering = tuple[str, frozenset[str], dict[str, Any]]

_SCALARS: dict[str, Rendering] = {
    "int": ("int", frozenset(), {"type": "integer"}),
    "float": ("float", frozenset(), {"type": "number"}),
    "str": ("str", frozenset(), {"type": "string"}),
    "bool": ("bool", frozenset(), {"type": "boolean"}),
    "null": ("None", frozenset(), {"type": "null"}),
    "any": ("Any", frozenset({"Any"}), {}),
    "Segment": ("Segment", frozenset({"Segment"}), {"$ref": "#/$defs/Segment"}),
}

_BY_POSITION: dict[tuple[str, Position], Rendering] = {
    # Servers accept ids as numbers or numeric strings, and send numbers.
    ("id", "input"): (
        "int | str",
        frozenset(),
        {"anyOf": [{"type": "integer"}, {"type": "string"}]},
    ),
    ("id", "output"): ("int", frozenset(), {"type": "integer"}),
    # Users send a string, one segment or a list; servers send the list.
    ("message", "input"): ("Message", frozenset({"Message"}), {"$ref": "#/$defs/Message"}),
    ("message", "output"): (
        "list[Segment]",
        frozenset({"Segment"}),
        {"type": "array", "items": {"$ref": "#/$defs/Segment"}},
    ),
}


def annotation(type_: t.TypeExpr, position: Position, enum: tuple[str | int, ...] = ()) -> str:
    """The Python annotation of a spec type."""
    if enum:
        literal = "Literal[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in enum) + "]"
        return literal + (" | None" if "null" in t.scalar_names(type_) else "")
    if isinstance(type_, t.Prim):
        return _prim(type_.name, position)[0]
    if isinstance(type_, t.Ref):
        return type_.name
    if isinstance(type_, t.ListOf):
        return f"list[{annotation(type_.item, position)}]"
    if isinstance(type_, t.DictOf):
        return f"dict[str, {annotation(type_.value, position)}]"
    return " | ".join(dict.fromkeys(annotation(o, position) for o in type_.options))


def schema(
    type_: t.TypeExpr, position: Position, enum: tuple[str | int, ...] = ()
) -> dict[str, Any]:
    """The JSON Schema of a spec type."""
    if enum:
        values: dict[str, Any] = {"enum": list(enum)}
        if "null" in t.scalar_names(type_):
            return {"anyOf": [values, {"type": "null"}]}
        return values
    if isinstance(type_, t.Prim):
        return dict(_prim(type_.name, position)[2])
    if isinstance(type_, t.Ref):
        return {"$ref": f"#/$defs/{type_.name}"}
    if isinstance(type_, t.ListOf):
        return {"type": "array", "items": schema(type_.item, position)}
    if isinstance(type_, t.DictOf):
        return {"type": "object", "additionalProperties": schema(type_.value, position)}
    return {"anyOf": [schema(o, position) for o in type_.options]}


def _prim(name: str, position: Position) -> Rendering:
    return _SCALARS.get(name) or _BY_POSITION[(name, position)]


def names(
    type_: t.TypeExpr, position: Position, enum: tuple[str | int, ...] = ()
) -> frozenset[str]:
    """The names the annotation of a spec type refers to (``Literal``, ``Any``, the classes it
    names): what a generated module that uses it imports. Read from the type, not the text."""
    if enum:
        return frozenset({"Literal"})
    if isinstance(type_, t.Prim):
        return _prim(type_.name, position)[1]
    if isinstance(type_, t.Ref):
        return frozenset({type_.name})
    if isinstance(type_, t.ListOf):
        return names(type_.item, position)
    if isinstance(type_, t.DictOf):
        return names(type_.value, position)
    return frozenset().union(*(names(o, position) for o in type_.options))
