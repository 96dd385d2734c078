"""NapCat's OpenAPI → spec data (the same shape as the YAML files), for import and for diffs."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from . import names
from . import types as t
from .diff import Change, Objects, action_changes
from .openapi import OpenApi, OpenApiAction
from .render_openapi import SPEC_TYPE
from .shape import name_pattern
from .spec import Action, Field, InlineResult, Spec

IMPORTED_NOTE = (
    "Imported from NapCat {version}'s OpenAPI: review the types, results and descriptions."
)
# Names of ids and sequence numbers: sent as a number or a string (NapCat converts either).
_ID_NAME = re.compile(r"(^|_)(id|uin|qq|seq|appid)$|[a-z]Id$")
_MESSAGE_MIX = "OB11MessageMixType"
_RESERVED_MODELS = {"Message", "Segment"}
#: Descriptions NapCat's documents give where they say nothing ("business data").
_PLACEHOLDERS = {"业务数据"}


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
        # Inside a result: a string is a string (an `id` is an int there), not an id to send.
        self.output = False

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
            # NapCat fills in defaults before it checks required params: a default makes a
            # param optional whether or not its schema lists it as required.
            if p.has_default and _default_fits(field, p.default):
                field["default"] = p.default
            elif p.has_default or not p.required:
                field["required"] = False
            params[p.name] = field
        if params:
            entry["params"] = params
        entry["result"] = self._result(op.result, _noun(method))
        entry["notes"] = [IMPORTED_NOTE.format(version=self.openapi.version or "?")]
        return entry

    # -- types -----------------------------------------------------------------

    def _field(self, schema: dict[str, Any], name: str, owner: str) -> dict[str, Any]:
        type_, enum = self._type(schema, name, owner)
        field: dict[str, Any] = {"type": _normal(type_)}
        if enum:
            field["enum"] = enum
        description = str(
            schema.get("description") or self.openapi.deref(schema).get("description") or ""
        )
        if description and description.strip() != name:  # not a placeholder repeating the name
            field["description"] = description
        return field

    def _type(self, schema: dict[str, Any], name: str, owner: str) -> tuple[str, list[Any]]:
        declared = schema.get(SPEC_TYPE)  # onebot-gen's own export says it exactly
        if isinstance(declared, str):
            return declared, [v for v in schema.get("enum", []) if isinstance(v, (str, int))]
        if "$ref" in schema:
            return self._ref(schema["$ref"]), []
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self._type(o, name, owner)[0] for o in schema[key]]
                return _union(options, "" if self.output else name), []
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
            sent_as_id = _ID_NAME.search(name) and not enum and not self.output
            return ("id" if sent_as_id else "str"), enum
        if kind == "integer":
            return "int", enum
        if kind == "number":
            # A JSON number: a float, unless its values are listed (whole numbers, as NapCat's
            # enums are). Comparisons take a document's float for the spec's int as saying less.
            return (
                ("int", enum) if enum and all(isinstance(v, int) for v in enum) else ("float", [])
            )
        if kind == "boolean":
            return "bool", []
        if kind == "null":
            return "null", []
        if kind == "array":
            item, _ = self._type(schema.get("items", {}), name, owner)
            return f"list[{item}]", []
        if kind == "object" or "properties" in schema:
            if schema.get("properties"):
                fresh = self._fresh(names.class_name(owner) + names.class_name(names.snake(name)))
                return self._model(fresh, schema), []
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
        if name in _RESERVED_MODELS or not name_pattern("model_name").fullmatch(name):
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
        if schema.get("description") and schema["description"] not in _PLACEHOLDERS:
            model = {"description": str(schema["description"]), **model}
        self.models[name] = model
        return name

    def _result(self, schema: dict[str, Any], owner: str) -> Any:
        self.output = True
        try:
            return self._result_type(schema, owner)
        finally:
            self.output = False

    def _result_type(self, schema: dict[str, Any], noun: str) -> Any:
        resolved = self.openapi.deref(schema)
        if not resolved or set(resolved) <= {"description"}:
            return "any"
        if resolved.get("type") == "null":
            return None
        if "$ref" not in schema and resolved.get("type") == "object" and resolved.get("properties"):
            return self._model(self._fresh(noun), resolved)
        return _normal(self._type(schema, "", noun)[0])

    def _fresh(self, name: str) -> str:
        """``name`` for a new object, or ``nameResult`` (then ``nameResult2``…) when taken."""
        candidate, n = name, 2
        taken = self.known_models | self.models.keys() | _RESERVED_MODELS
        if candidate in taken:
            candidate = name + "Result"
        while candidate in taken:
            candidate, n = f"{name}Result{n}", n + 1
        return candidate


def _noun(method: str) -> str:
    """The name of what an action returns: ``get_group_signed_list`` → ``GroupSigned``,
    ``fetch_ptt_text`` → ``PttText``, ``create_collection`` → ``CreateCollectionResult``."""
    for verb in ("nc_get_", "get_", "fetch_"):
        if method.startswith(verb):
            return names.class_name(method.removeprefix(verb).removesuffix("_list"))
    return names.class_name(method) + "Result"


def _normal(type_: str) -> str:
    """The type with redundant union options dropped (``int | id`` → ``id``)."""
    return t.render(t.normalize(t.parse(type_)))


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
        "null": type(None),
    }
    scalars = t.scalar_names(t.parse(field["type"]))
    if not scalars or not scalars <= kinds.keys():
        return False
    if isinstance(value, bool) and "bool" not in scalars:
        return False
    fits = any(isinstance(value, kinds[name]) for name in scalars)
    return fits and ("enum" not in field or value in field["enum"])


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


# -- writing into an existing spec --------------------------------------------------------------


def method_names(current: Spec) -> set[str]:
    return {
        names.method_name(a.wire, a.python_name) for area in current.areas for a in area.actions
    }


# -- comparing the spec with NapCat ------------------------------------------------------------


#: The differences an import writes into the spec (``napcat_update``): each adds what NapCat
#: documents and the spec lacks, and breaks no caller.
APPLIED = frozenset({"param-added-optional", "result-field-added"})

#: Why an open difference of each rule needs no one: the spec stays right for NapCat as it is.
SETTLED = {
    "param-widened": "NapCat also takes what it can convert (a number as a string, any JSON "
    "number, an id as a string); the spec asks for the precise type, which NapCat accepts",
    "param-now-optional": "NapCat's document does not mark it required; the spec requires what "
    "NapCat fails without",
    "default-changed": "no call breaks either way; the spec documents the default NapCat's "
    "source applies",
    "result-field-now-required": "the spec marks it possibly absent: readers handle it either way",
    "result-narrowed": "NapCat's document types what the spec leaves open: no reader breaks",
    "result-field-removed": "the spec has the field from NapCat's source and marks it possibly "
    "absent (NapCat's document leaves it out)",
}


#: The rules that add or remove something, as the spec against NapCat's document.
_READS = {
    "param-removed": "a param only the spec has",
    "param-added-optional": "an optional param only NapCat's document has",
    "param-added-required": "a required param only NapCat's document has",
    "result-field-removed": "a result field only the spec has",
    "result-field-added": "a result field only NapCat's document has",
}


@dataclass(frozen=True)
class Disagreement:
    """One way the spec's action differs from NapCat's, as ``onebot-gen diff`` would judge the
    spec changing to NapCat's description; ``accepted`` is the spec's ``napcat_differs`` reason
    when it differs on purpose."""

    change: Change
    path: str  # a param, result, or a dotted path under one (the napcat_differs key)
    accepted: str | None
    #: Whether the spec must say why (in napcat_differs): a breaking difference, or a param
    #: NapCat takes that the spec lacks. A result field the spec already marks as possibly
    #: absent (`required: false`) and NapCat never sends needs no reason.
    needs_reason: bool

    @property
    def applied(self) -> bool:
        """Whether an import writes it into the spec: open (no napcat_differs reason) and of a
        rule in ``APPLIED``."""
        return self.accepted is None and self.change.rule in APPLIED

    @property
    def settled(self) -> str | None:
        """Why no one need act on it: its napcat_differs reason, or its rule's ``SETTLED``
        reason; None when an import applies it or a person must decide."""
        if self.accepted is not None:
            return self.accepted
        if self.needs_reason or self.applied:
            return None
        return SETTLED.get(self.change.rule, self.change.why)

    @property
    def to_decide(self) -> bool:
        """Whether a person must decide it: neither settled nor applied by an import."""
        return self.settled is None and not self.applied

    def __str__(self) -> str:
        """How it reads to a maintainer: what each side has, then what following NapCat would
        be (``diff``'s rules read as the spec changing into NapCat's description)."""
        rule, detail = self.change.rule, self.change.detail
        what = _READS.get(rule)
        if what is None:  # a change of type, enum, default or requiredness: spec → NapCat
            what, detail = rule, f"spec {detail.replace(' → ', ', NapCat ', 1)}" if detail else ""
        verdict = "BREAKING" if self.change.breaking else "compatible"
        return (
            f"{self.change.subject}: {what}{f' ({detail})' if detail else ''}; {verdict} to follow"
        )


def disagreements(ours: Spec, theirs: Spec) -> dict[str, list[Disagreement]]:
    """For each action both describe, how the spec differs from NapCat's description (read from
    its OpenAPI), judged by diff.py's comparison: shared objects compared by their fields, and
    places NapCat's document leaves untyped taken as saying less, not differently."""
    objects = Objects(ours, theirs)
    mine = {a.wire: a for area in ours.areas for a in area.actions}
    models = {m.name: m.fields for m in ours.models}
    found = {}
    for area in theirs.areas:
        for other in area.actions:
            action = mine.get(other.wire)
            if action is None:
                continue
            accepted = dict(action.napcat_differs)
            rows = []
            for change in action_changes(action, other, objects):
                if change.rule == "description-changed":
                    continue  # the spec's descriptions are its own
                path = _path(action.wire, change.subject)
                needs = change.breaking or change.rule == "param-added-optional"
                if change.rule == "result-field-removed":
                    field = spec_field(action, path, models)
                    needs = field is None or field.required
                rows.append(Disagreement(change, path, _accepted(path, accepted), needs))
            if rows:
                found[action.wire] = rows
    return found


def _path(wire: str, subject: str) -> str:
    """``set_group_ban.duration`` → ``duration``; ``get_msg → result.time`` → ``result.time``."""
    for prefix in (f"{wire} → ", f"{wire}."):
        if subject.startswith(prefix):
            return subject[len(prefix) :]
    return subject


def spec_field(action: Action, path: str, models: dict[str, tuple[Field, ...]]) -> Field | None:
    """The spec's field at a dotted ``path`` of an action (params, or under ``result``),
    following shared objects."""
    head, *rest = path.split(".")
    fields: tuple[Field, ...] | None
    if head == "result":
        result = action.result
        fields = result.fields if isinstance(result, InlineResult) else None
        if isinstance(result, (t.Ref, t.ListOf, t.Union)):
            fields = _object_of(result, models)
    else:
        fields, rest = action.params, [head, *rest]
    found = None
    for name in rest:
        found = next((f for f in fields or () if f.name == name), None)
        if found is None:
            return None
        fields = _object_of(found.type, models)
    return found


def _object_of(type_: t.TypeExpr, models: dict[str, tuple[Field, ...]]) -> tuple[Field, ...] | None:
    """The fields of the one shared object a type holds (through list and ``| null``)."""
    refs = t.refs(type_)
    return models.get(next(iter(refs))) if len(refs) == 1 else None


def _accepted(path: str, accepted: dict[str, str]) -> str | None:
    """The reason recorded for ``path`` or a path above it (``news`` covers ``news.data``)."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        reason = accepted.get(".".join(parts[:n]))
        if reason is not None:
            return reason
    return None
