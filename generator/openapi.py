"""Reading NapCat's published OpenAPI document: its actions, their params and result schemas."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class OpenApiParam:
    name: str
    required: bool
    has_default: bool
    default: Any
    schema: dict[str, Any]


@dataclass(frozen=True)
class OpenApiAction:
    name: str
    summary: str
    description: str
    tag: str
    params: tuple[OpenApiParam, ...]
    result: dict[str, Any]  # the schema of the envelope's `data`


class OpenApi:
    """One OpenAPI document, with ``$ref`` resolution against its components."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.version = str(document.get("info", {}).get("version", ""))
        self.actions = {
            a.name: a for a in map(self._action, document.get("paths", {}).items()) if a
        }

    @classmethod
    def read(cls, path: Path) -> OpenApi:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def deref(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = set()
        while "$ref" in schema and schema["$ref"] not in seen:
            seen.add(schema["$ref"])
            target: Any = self.document
            for part in schema["$ref"].lstrip("#/").split("/"):
                target = target[part]
            schema = target
        return schema

    def _action(self, item: tuple[str, dict[str, Any]]) -> OpenApiAction | None:
        path, methods = item
        operation = methods.get("post")
        if operation is None:
            return None
        body = (
            operation.get("requestBody", {})
            .get("content", {})
            .get("application/json", {})
            .get("schema", {})
        )
        properties, required = self._properties(self.deref(body))
        params = tuple(
            OpenApiParam(
                name=name,
                required=name in required,
                has_default="default" in schema,
                default=schema.get("default"),
                schema=schema,
            )
            for name, schema in properties.items()
        )
        return OpenApiAction(
            name=path.lstrip("/"),
            summary=str(operation.get("summary", "")),
            description=str(operation.get("description", "")),
            tag=(operation.get("tags") or [""])[0],
            params=params,
            result=self._data_schema(operation),
        )

    def _properties(self, body: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        """A body's properties and required names; alternatives (``anyOf``) are merged, and a
        property is required only where every alternative requires it."""
        options = [self.deref(o) for o in body.get("anyOf", body.get("oneOf", []))] or [body]
        properties: dict[str, Any] = {}
        for option in options:
            for name, schema in option.get("properties", {}).items():
                properties.setdefault(name, schema)
        required = set.intersection(*(set(o.get("required", [])) for o in options))
        return properties, required

    def _data_schema(self, operation: dict[str, Any]) -> dict[str, Any]:
        response = operation.get("responses", {}).get("200", {})
        schema = self.deref(
            response.get("content", {}).get("application/json", {}).get("schema", {})
        )
        for part in reversed(schema.get("allOf", [schema])):  # the action's own part comes last
            data = self.deref(part).get("properties", {}).get("data")
            if data is not None:
                return dict(data)
        return {}
