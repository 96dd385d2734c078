"""Api → an OpenAPI 3.1 document of the whole API (``openapi.json``): every action as
``POST /{action}`` with its params and its result inside the OneBot envelope, the shared objects
and segments under ``components``, and the events under ``webhooks``.

The schemas are the ones the TypedDicts are made from (``render_models.modules``), so the
document and the client cannot disagree. Its shape follows NapCat's own OpenAPI documents, so
``onebot-gen diff`` and ``import-napcat`` read it like theirs; each field also carries its spec
type as ``x-onebot-type`` (and its default), so that reading it back loses nothing.
"""

from __future__ import annotations

import ast
import functools
import json
from typing import Any

from . import render_models
from .memo import code_version
from .formatting.steps import Batch
from .resolve import MESSAGE_ALIAS, SEGMENT_UNION, Api, ApiAction, ApiField, ApiObject

#: The extension keyword that carries a field's type in the spec's own type language.
SPEC_TYPE = "x-onebot-type"

ENVELOPE = "OneBotResponse"
_EXAMPLES: dict[str, Any] = {
    "integer": 123456,
    "number": 1.0,
    "string": "text",
    "boolean": True,
    "null": None,
}


def document(api: Api, version: str, models: dict[str, dict[str, Any]]) -> Batch:
    """The document (made by a step, see ``_cut``); ``models``: ``render_models.modules(api)``."""
    schemas = {
        name: _components(schema) for name, schema in render_models.every_def(models).items()
    }
    for obj in _objects(api):
        _annotate(schemas, obj)
    schemas[ENVELOPE] = _envelope()
    openapi: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "OneBot 11 / NapCat API",
            "version": version,
            "description": (
                "Every action of the onebot-gen spec as POST /{action} (JSON body, reply in the "
                "OneBot envelope), and every event as a webhook (what NapCat POSTs to an HTTP "
                "POST receiver)."
            ),
        },
        "servers": [{"url": "http://127.0.0.1:3000"}],
        "tags": [{"name": area.title, "description": area.description} for area in api.areas],
        "paths": {
            f"/{a.wire}": {"post": _operation(a, area.title)}
            for area in api.areas
            for a in area.actions
        },
        "webhooks": {
            e.class_name: {"post": _webhook(e.class_name, e.summary, api.quick_operation)}
            for e in api.events
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
    # Laid out by a step, a piece at a time (``_cut``): with an indent, json encodes in Python,
    # slowly, and an edited action then lays out only its own path and schemas again.
    pieces: list[str] = []
    shape = _cut(openapi, pieces)
    return Batch(LAYOUT, tuple(pieces), indented, functools.partial(_joined, shape))


#: The step that lays out the document's pieces.
LAYOUT = f"openapi.json, indent 2 (render_openapi {code_version(__file__)})"
#: A JSON object whose compact text is longer than this is laid out an entry at a time.
_PIECE = 2048

#: Where a document's pieces go: None for a piece, else an object's keys and their shapes.
_Shape = list[tuple[str, "_Shape"]] | None


def _cut(value: Any, pieces: list[str]) -> _Shape:
    """Add the compact JSON of each piece of ``value`` to ``pieces``, in document order; returns
    its shape."""
    _, shape, own = _pieces(value)
    pieces += own
    return shape


def _pieces(value: Any) -> tuple[str, _Shape, list[str]]:
    """``value``'s compact JSON, its shape and its pieces. An object's JSON is put together
    from its entries', so that each value is encoded once, not once for each object it is in."""
    if not isinstance(value, dict) or len(value) < 2:
        compact = _compact(value)
        return compact, None, [compact]
    entries = [(key, *_pieces(entry)) for key, entry in value.items()]
    compact = "{" + ", ".join(f"{_compact(key)}: {text}" for key, text, _, _ in entries) + "}"
    if len(compact) <= _PIECE:
        return compact, None, [compact]
    shape = [(key, inner) for key, _, inner, _ in entries]
    return compact, shape, [piece for *_, own in entries for piece in own]


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def indented(pieces: str) -> str:
    """Each piece of a JSON list of them (``_cut``) laid out two spaces an indent."""
    return _compact(
        [
            json.dumps(json.loads(piece), ensure_ascii=False, indent=2)
            for piece in json.loads(pieces)
        ]
    )


def _joined(shape: _Shape, laid_out: list[str]) -> str:
    """The document laid out as ``json.dumps(indent=2)`` lays it out, from its pieces."""
    pieces = iter(laid_out)

    def text(shape: _Shape, depth: int) -> str:
        if shape is None:
            return next(pieces).replace("\n", "\n" + "  " * depth)
        pad = "  " * (depth + 1)
        entries = [f"{pad}{_compact(k)}: {text(inner, depth + 1)}" for k, inner in shape]
        return "{\n" + ",\n".join(entries) + "\n" + "  " * depth + "}"

    return text(shape, 0) + "\n"


def _operation(a: ApiAction, tag: str) -> dict[str, Any]:
    params: dict[str, Any] = (
        {"$ref": f"#/components/schemas/{a.params_class}"}
        if a.params_class
        else {"type": "object", "properties": {}}
    )
    operation: dict[str, Any] = {
        "operationId": a.method,
        "summary": a.summary,
        "tags": [tag],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": params,
                    "example": {p.wire: _example(p) for p in a.required_params},
                }
            },
        },
        "responses": {
            "200": {
                "description": "The OneBot envelope; data is the result when status is ok.",
                "content": {
                    "application/json": {
                        "schema": {
                            "allOf": [
                                {"$ref": f"#/components/schemas/{ENVELOPE}"},
                                {
                                    "type": "object",
                                    "properties": {"data": _data(a)},
                                },
                            ]
                        }
                    }
                },
            }
        },
    }
    if a.description:
        operation["description"] = a.description
    return operation


def _data(a: ApiAction) -> dict[str, Any]:
    schema: dict[str, Any] = _components(a.result_schema)
    if _plain(schema):
        schema[SPEC_TYPE] = a.returns_doc
    return schema


def _plain(schema: dict[str, Any]) -> bool:
    """Whether a schema names no shared object (only the built-in message types): its spec type
    can then stand on its own; a reader makes the shared objects from the components."""
    built_in = {f"#/components/schemas/{name}" for name in (SEGMENT_UNION, MESSAGE_ALIAS)}
    return set(_refs(_components(schema))) <= built_in


def _refs(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        return (
            [schema["$ref"]] if "$ref" in schema else [r for v in schema.values() for r in _refs(v)]
        )
    if isinstance(schema, list):
        return [r for item in schema for r in _refs(item)]
    return []


def _objects(api: Api) -> list[ApiObject]:
    segments = [seg.data for seg in api.segments]
    events = [e.data for e in api.events]
    return [*api.models, *api.param_objects, *api.result_objects, *segments, *events]


def _annotate(schemas: dict[str, Any], obj: ApiObject) -> None:
    """Each field's spec type and default, beside its JSON Schema."""
    properties: dict[str, Any] = {}
    for name in filter(None, (obj.class_name, obj.keyword_base)):
        properties.update(schemas[name].get("properties", {}))
    for f in obj.fields:
        if _plain(f.schema):
            properties[f.wire][SPEC_TYPE] = f.spec_type
        if f.default is not None:  # the Python literal of the default
            properties[f.wire]["default"] = ast.literal_eval(f.default)


def _webhook(kind: str, summary: str, quick_operation: str | None) -> dict[str, Any]:
    responses: dict[str, Any] = {"204": {"description": "Handled; nothing to do."}}
    if quick_operation:
        responses["200"] = {
            "description": "A quick operation on the event (a reply, an approval...).",
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{quick_operation}"}}
            },
        }
    return {
        "summary": summary,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{kind}"}}},
        },
        "responses": responses,
    }


def _envelope() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Every reply: status, retcode (0 on success), data, and why it failed.",
        "properties": {
            "status": {"enum": ["ok", "failed", "async"]},
            "retcode": {"type": "integer"},
            "data": {},
            "message": {"type": "string"},
            "wording": {"type": "string"},
            "echo": {},
        },
        "required": ["status", "retcode", "data"],
    }


def _components(schema: Any) -> Any:
    """The schema with ``#/$defs/`` references pointing into ``#/components/schemas/``."""
    if isinstance(schema, dict):
        return {
            key: (
                value.replace("#/$defs/", "#/components/schemas/")
                if key == "$ref"
                else _components(value)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_components(item) for item in schema]
    return schema


def _example(p: ApiField) -> Any:
    """A plausible JSON value of a required param, for the request example."""
    if p.enum:
        return p.enum[0]
    schema = p.schema
    while "anyOf" in schema:
        schema = schema["anyOf"][0]
    if "$ref" in schema:
        return "hello" if schema["$ref"].endswith("/Message") else {}
    kind = schema.get("type")
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return _EXAMPLES.get(str(kind), None)
