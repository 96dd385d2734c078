"""What changed between two specs, and which changes break code written against the old client."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from . import names
from . import spec as s
from . import types as t
from .resolve import SENDER_MESSAGE

# Each rule is the reason shown beside a change; "breaking" says whether user code can break.
RULES: dict[str, tuple[bool, str]] = {
    "action-added": (False, "a new method breaks no existing call"),
    "action-removed": (True, "calls to the removed method fail"),
    "method-renamed": (True, "calls under the old Python name fail"),
    "param-added-optional": (False, "an optional keyword breaks no existing call"),
    "param-added-required": (True, "existing calls lack the new required argument"),
    "param-removed": (True, "calls that pass the removed argument fail"),
    "param-renamed": (True, "calls that pass the argument by its old name fail"),
    "param-now-required": (True, "existing calls may omit the now-required argument"),
    "param-now-optional": (False, "every existing call still passes it"),
    "param-widened": (False, "the param accepts everything it accepted before"),
    "param-narrowed": (True, "some values callers pass are no longer accepted"),
    "param-changed": (True, "the param's type changed incompatibly"),
    "default-changed": (False, "no code breaks; callers relying on the default see new behaviour"),
    "result-field-added": (False, "a new key breaks no reader"),
    "result-field-removed": (True, "code reading the removed key fails"),
    "result-field-now-optional": (True, "code reading the key must now handle its absence"),
    "result-field-now-required": (False, "the key is now always there"),
    "result-narrowed": (False, "every value returned was possible before"),
    "result-widened": (True, "readers may get values they do not handle"),
    "result-changed": (True, "the result's type changed incompatibly"),
    "object-added": (False, "a new type breaks no code"),
    "object-removed": (True, "code naming the removed type fails"),
    "description-changed": (False, "documentation only"),
    "sender-added": (False, "a new method breaks no existing call"),
    "sender-removed": (True, "calls to the removed sender fail"),
    "sender-keyword-added": (False, "an optional keyword breaks no existing call"),
    "sender-keyword-removed": (True, "calls that pass the removed keyword fail"),
    "sender-action-changed": (False, "calls still work; the message goes through another action"),
    "event-added": (
        False,
        "a new kind breaks no handler (it arrived as UnknownEvent before, and now comes typed)",
    ),
    "event-removed": (True, "its handler registration and type are gone; it comes as UnknownEvent"),
    "event-values-added": (
        False,
        "the kind now also covers these values; every old one still fits",
    ),
    "event-values-removed": (True, "events with these values no longer come as this kind"),
}


@dataclass(frozen=True)
class Change:
    section: str  # actions, models, segments, senders, events
    subject: str  # e.g. set_group_ban, set_group_ban.duration, LoginInfo.user_id
    rule: str
    detail: str

    @property
    def breaking(self) -> bool:
        return RULES[self.rule][0]

    @property
    def why(self) -> str:
        return RULES[self.rule][1]


def compare(old: s.Spec, new: s.Spec) -> list[Change]:
    changes: list[Change] = []
    old_actions = {a.wire: a for area in old.areas for a in area.actions}
    new_actions = {a.wire: a for area in new.areas for a in area.actions}
    for wire in sorted(old_actions.keys() | new_actions.keys()):
        before, after = old_actions.get(wire), new_actions.get(wire)
        if before is None:
            changes.append(Change("actions", wire, "action-added", after.summary if after else ""))
        elif after is None:
            changes.append(Change("actions", wire, "action-removed", before.summary))
        else:
            changes += _action(before, after)
    uses = _model_uses(old)
    for name, positions in _model_uses(new).items():
        uses.setdefault(name, set()).update(positions)
    models_before = {m.name: m.fields for m in old.models}
    models_after = {m.name: m.fields for m in new.models}
    for name in sorted(models_before.keys() | models_after.keys()):
        positions = uses.get(name, {"output"})
        changes += _object(
            "models", name, models_before.get(name), models_after.get(name), positions
        )
    segments_before = {seg.type: seg.fields for seg in old.segments}
    segments_after = {seg.type: seg.fields for seg in new.segments}
    for name in sorted(segments_before.keys() | segments_after.keys()):
        # Segments are sent (builders) and received (messages): a change hurts either way.
        both = {"input", "output"}
        changes += _object(
            "segments", name, segments_before.get(name), segments_after.get(name), both
        )
    return changes + _senders(old, new) + _events(old.events, new.events)


def _events(old: s.Events, new: s.Events) -> list[Change]:
    """Events are only read: their fields change as results do; a kind's discriminator values
    added or removed change which events it covers."""

    def kind(name: str, a: s.Event, b: s.Event) -> list[Change]:
        changes = []
        if (a.summary, a.description) != (b.summary, b.description):
            changes.append(Change("events", name, "description-changed", "summary or description"))
        values_a, values_b = dict(a.discriminators), dict(b.discriminators)
        for key in sorted(values_a.keys() | values_b.keys()):
            old_values, new_values = values_a.get(key, ()), values_b.get(key, ())
            for rule, values in (
                ("event-values-added", [v for v in new_values if v not in old_values]),
                ("event-values-removed", [v for v in old_values if v not in new_values]),
            ):
                if values:
                    changes.append(Change("events", f"{name}.{key}", rule, ", ".join(values)))
        return changes + _object("events", name, a.fields, b.fields, {"output"})

    common = _object("events", "common", old.common, new.common, {"output"})
    return common + _named("events", "event", old.kinds, new.kinds, kind)


class _Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def summary(self) -> str: ...


N = TypeVar("N", bound=_Named)


def _named(
    section: str,
    noun: str,
    old: Iterable[N],
    new: Iterable[N],
    compare: Callable[[str, N, N], list[Change]],
) -> list[Change]:
    """``{noun}-added`` / ``{noun}-removed`` for what one side lacks; ``compare`` for the rest."""
    before = {x.name: x for x in old}
    after = {x.name: x for x in new}
    changes = []
    for name in sorted(before.keys() | after.keys()):
        a, b = before.get(name), after.get(name)
        if a is not None and b is not None:
            changes += compare(name, a, b)
        elif a is None and b is not None:
            changes.append(Change(section, name, f"{noun}-added", b.summary))
        elif a is not None:
            changes.append(Change(section, name, f"{noun}-removed", a.summary))
    return changes


def _senders(old: s.Spec, new: s.Spec) -> list[Change]:
    def sender(name: str, a: s.Sender, b: s.Sender) -> list[Change]:
        changes = []
        if a.action != b.action:
            changes.append(
                Change("senders", name, "sender-action-changed", f"{a.action} → {b.action}")
            )
        before, after = _keywords(a, old), _keywords(b, new)
        for keyword in sorted(after - before):
            changes.append(Change("senders", f"{name}.{keyword}", "sender-keyword-added", ""))
        for keyword in sorted(before - after):
            changes.append(Change("senders", f"{name}.{keyword}", "sender-keyword-removed", ""))
        return changes

    return _named("senders", "sender", old.senders, new.senders, sender)


def _keywords(sender: s.Sender, spec: s.Spec) -> set[str]:
    """A sender's keywords as the client names them: one per part (its segment's builder's
    name), and its full message."""
    builders = {seg.type: names.method_name(seg.type, seg.python_name) for seg in spec.segments}
    parts = {names.sender_keyword(builders.get(p.segment, p.segment)) for p in sender.parts}
    return parts | ({SENDER_MESSAGE} if sender.message else set())


def _model_uses(spec: s.Spec) -> dict[str, set[str]]:
    """For each shared object, whether users send it (input), receive it (output), or both."""
    fields = {m.name: m.fields for m in spec.models}
    uses: dict[str, set[str]] = {}

    def mark(type_: t.TypeExpr, position: str) -> None:
        for name in t.refs(type_):
            if position not in uses.setdefault(name, set()):
                uses[name].add(position)
                for f in fields.get(name, ()):
                    mark(f.type, position)

    for action in (a for area in spec.areas for a in area.actions):
        for p in action.params:
            mark(p.type, "input")
        if isinstance(action.result, s.InlineResult):
            for f in action.result.fields:
                mark(f.type, "output")
        elif action.result is not None:
            mark(action.result, "output")
    return uses


class Objects:
    """The shared objects of both sides, for comparing two descriptions of one action from
    different sources (the spec and NapCat's OpenAPI), which name their objects differently:
    where both sides have an object at the same place, its fields are compared instead of its
    name."""

    def __init__(self, before: s.Spec, after: s.Spec) -> None:
        self.before = {m.name: m.fields for m in before.models}
        self.after = {m.name: m.fields for m in after.models}
        self.open: set[tuple[str, str]] = set()  # pairs being compared, against cycles

    def pair(self, a: t.TypeExpr, b: t.TypeExpr) -> tuple[str, str] | None:
        """The names of the objects at the same place in ``a`` and ``b`` (through ``list``,
        ``dict`` and ``| null``), when each side names one it defines."""
        if isinstance(a, t.ListOf) and isinstance(b, t.ListOf):
            return self.pair(a.item, b.item)
        if isinstance(a, t.DictOf) and isinstance(b, t.DictOf):
            return self.pair(a.value, b.value)
        if isinstance(a, t.Union) and isinstance(b, t.Union):
            rest_a = [o for o in a.options if isinstance(o, t.Prim)]
            rest_b = [o for o in b.options if isinstance(o, t.Prim)]
            objects_a = [o for o in a.options if not isinstance(o, t.Prim)]
            objects_b = [o for o in b.options if not isinstance(o, t.Prim)]
            if rest_a == rest_b and len(objects_a) == len(objects_b) == 1:
                return self.pair(objects_a[0], objects_b[0])
            return None
        if isinstance(a, t.Ref) and isinstance(b, t.Ref):
            if a.name in self.before and b.name in self.after:
                return a.name, b.name
        return None

    def says_less(
        self,
        a: t.TypeExpr,
        a_enum: tuple[Any, ...],
        b: t.TypeExpr,
        b_enum: tuple[Any, ...],
        as_input: bool,
    ) -> bool:
        """Whether the after side only says less than the before side: it admits every value
        of ``a`` and leaves out an enum, writes ``float`` for ``int`` (JSON's ``number``), or
        types a place as ``any`` (an untyped object or list item), as NapCat's documents do
        where they lack detail."""
        output = not as_input
        if not _subtype(a, a_enum, b, b_enum, output):
            return False
        if _mentions_any(b):
            return True
        return not b_enum and _subtype(b, (), _floats(a, output), (), output)


def _floats(type_: t.TypeExpr, output: bool) -> t.TypeExpr:
    """``type_`` with every ``int`` a ``float``: what a document that writes JSON ``number``
    for both can say of it (an ``id`` is an int in a result, an int or a str in params)."""
    if type_ in (t.Prim("int"), t.Prim("id")):
        number = t.Prim("float")
        return number if output or type_ == t.Prim("int") else t.Union((number, t.Prim("str")))
    if isinstance(type_, t.Union):
        return t.Union(tuple(_floats(o, output) for o in type_.options))
    if isinstance(type_, t.ListOf):
        return t.ListOf(_floats(type_.item, output))
    if isinstance(type_, t.DictOf):
        return t.DictOf(_floats(type_.value, output))
    return type_


def _mentions_any(type_: t.TypeExpr) -> bool:
    if isinstance(type_, t.Union):
        return any(map(_mentions_any, type_.options))
    if isinstance(type_, t.ListOf):
        return _mentions_any(type_.item)
    if isinstance(type_, t.DictOf):
        return _mentions_any(type_.value)
    return type_ == t.Prim("any")


def action_changes(
    before: s.Action, after: s.Action, objects: Objects | None = None
) -> list[Change]:
    """How one action changed from ``before`` to ``after``; with ``objects``, shared objects are
    compared by their fields (for descriptions from different sources)."""
    return _action(before, after, objects)


def _action(before: s.Action, after: s.Action, objects: Objects | None = None) -> list[Change]:
    wire = before.wire
    changes = []
    old_method = names.method_name(wire, before.python_name)
    new_method = names.method_name(wire, after.python_name)
    if old_method != new_method:
        changes.append(Change("actions", wire, "method-renamed", f"{old_method} → {new_method}"))
    if (before.summary, before.description) != (after.summary, after.description):
        changes.append(Change("actions", wire, "description-changed", "summary or description"))
    changes += _fields("actions", wire, before.params, after.params, True, objects)
    changes += _result(wire, before.result, after.result, objects)
    return changes


def _result(
    wire: str, before: s.Result, after: s.Result, objects: Objects | None = None
) -> list[Change]:
    subject = f"{wire} → result"
    if isinstance(before, s.InlineResult) and isinstance(after, s.InlineResult):
        return _fields("actions", subject, before.fields, after.fields, False, objects)
    if objects is not None:
        fields_before = _object_fields(before, objects.before)
        fields_after = _object_fields(after, objects.after)
        if fields_before is not None and fields_after is not None:
            return _fields("actions", subject, fields_before, fields_after, False, objects)
        types = [r for r in (before, after) if r is not None and not isinstance(r, s.InlineResult)]
        if len(types) == 2 and objects.pair(types[0], types[1]):
            return _paired("actions", subject, types[0], types[1], False, objects)
        shape = t.Ref("") if isinstance(before, s.InlineResult) else before
        if (
            shape is not None
            and after is not None
            and not isinstance(after, s.InlineResult)
            and objects.says_less(shape, (), after, (), as_input=False)
        ):
            return []
    if before == after:
        return []
    if after is None or before is None:
        rule = "result-changed" if after is None else "result-widened"
        return [
            Change("actions", subject, rule, f"{_render_result(before)} → {_render_result(after)}")
        ]
    if isinstance(before, s.InlineResult) or isinstance(after, s.InlineResult):
        return [
            Change(
                "actions",
                subject,
                "result-changed",
                f"{_render_result(before)} → {_render_result(after)}",
            )
        ]
    direction = _direction(before, (), after, (), as_input=False, prefix="result")
    if direction is None:
        return []
    return [Change("actions", subject, direction, f"{t.render(before)} → {t.render(after)}")]


def _object_fields(
    result: s.Result, models: dict[str, tuple[s.Field, ...]]
) -> tuple[s.Field, ...] | None:
    if isinstance(result, t.Ref):
        return models.get(result.name)
    return result.fields if isinstance(result, s.InlineResult) else None


def _paired(
    section: str,
    subject: str,
    a: t.TypeExpr,
    b: t.TypeExpr,
    as_input: bool,
    objects: Objects,
) -> list[Change]:
    """The field changes of the objects ``objects.pair`` finds in ``a`` and ``b``."""
    pair = objects.pair(a, b)
    if pair is None or pair in objects.open:
        return []
    objects.open.add(pair)
    try:
        before, after = objects.before[pair[0]], objects.after[pair[1]]
        return _fields(section, subject, before, after, as_input, objects)
    finally:
        objects.open.discard(pair)


def _render_result(result: s.Result) -> str:
    if result is None:
        return "nothing"
    if isinstance(result, s.InlineResult):
        return "{" + ", ".join(f.name for f in result.fields) + "}"
    return t.render(result)


def _object(
    section: str,
    name: str,
    before: tuple[s.Field, ...] | None,
    after: tuple[s.Field, ...] | None,
    uses: set[str],
) -> list[Change]:
    """Field changes of a shared object, judged by how users meet it; where they both send and
    receive it, a change that breaks either way is breaking."""
    if before is None:
        return [Change(section, name, "object-added", "")]
    if after is None:
        return [Change(section, name, "object-removed", "")]
    judged = [
        _fields(section, name, before, after, as_input=use == "input") for use in sorted(uses)
    ]
    return [max(pair, key=lambda c: c.breaking) for pair in zip(*judged)]


def _fields(
    section: str,
    owner: str,
    before: Iterable[s.Field],
    after: Iterable[s.Field],
    as_input: bool,
    objects: Objects | None = None,
) -> list[Change]:
    old = {f.name: f for f in before}
    new = {f.name: f for f in after}
    removed = [old[n] for n in old if n not in new]
    added = [new[n] for n in new if n not in old]
    changes = []
    # Between two sources (objects given) a rename is no guess to make: each side names its own.
    for gone, came in _renamed_pairs(removed, added) if objects is None else []:
        removed.remove(gone)
        added.remove(came)
        rule = "param-renamed" if as_input else "result-field-removed"
        changes.append(
            Change(section, f"{owner}.{gone.name}", rule, f"renamed? {gone.name} → {came.name}")
        )
    for f in removed:
        rule = "param-removed" if as_input else "result-field-removed"
        changes.append(Change(section, f"{owner}.{f.name}", rule, t.render(f.type)))
    for f in added:
        if as_input:
            rule = "param-added-required" if f.required else "param-added-optional"
        else:
            rule = "result-field-added"
        changes.append(Change(section, f"{owner}.{f.name}", rule, t.render(f.type)))
    for name in (n for n in old if n in new):
        changes += _field(section, f"{owner}.{name}", old[name], new[name], as_input, objects)
    return changes


def _field(
    section: str,
    subject: str,
    a: s.Field,
    b: s.Field,
    as_input: bool,
    objects: Objects | None = None,
) -> list[Change]:
    changes = []
    if objects is not None and a.enum == b.enum and objects.pair(a.type, b.type):
        changes += _paired(section, subject, a.type, b.type, as_input, objects)
    elif (a.type, a.enum) != (b.type, b.enum) and not (
        objects and objects.says_less(a.type, a.enum, b.type, b.enum, as_input)
    ):
        rule = _direction(
            a.type,
            a.enum,
            b.type,
            b.enum,
            as_input=as_input,
            prefix="param" if as_input else "result",
        )
        detail = f"{_render_field(a)} → {_render_field(b)}"
        added = [v for v in b.enum if v not in a.enum]
        dropped = [v for v in a.enum if v not in b.enum]
        if a.type == b.type and a.enum and b.enum:
            detail = "; ".join(
                filter(None, [_values("enum values added", added), _values("removed", dropped)])
            )
        if rule is not None:
            changes.append(Change(section, subject, rule, detail))
    if a.required != b.required:
        if as_input:
            rule = "param-now-required" if b.required else "param-now-optional"
        else:
            rule = "result-field-now-required" if b.required else "result-field-now-optional"
        changes.append(Change(section, subject, rule, f"{_req(a)} → {_req(b)}"))
    if (
        as_input
        and (a.has_default or b.has_default)
        and (a.has_default, a.default) != (b.has_default, b.default)
    ):
        changes.append(
            Change(section, subject, "default-changed", f"{_default(a)} → {_default(b)}")
        )
    return changes


def _values(label: str, values: list[Any]) -> str:
    return f"{label}: {', '.join(map(repr, values))}" if values else ""


def _render_field(f: s.Field) -> str:
    return t.render(f.type) + (f" enum{list(f.enum)}" if f.enum else "")


def _req(f: s.Field) -> str:
    return "required" if f.required else "optional"


def _default(f: s.Field) -> str:
    return repr(f.default) if f.has_default else "no default"


def _renamed_pairs(removed: list[s.Field], added: list[s.Field]) -> list[tuple[s.Field, s.Field]]:
    """A removed and an added field of the same type with a similar name or the same description."""
    pairs = []
    free = list(added)
    for gone in removed:
        for came in free:
            similar = (
                difflib.SequenceMatcher(
                    None, names.snake(gone.name), names.snake(came.name)
                ).ratio()
                >= 0.6
            )
            same_doc = bool(gone.description) and gone.description == came.description
            if gone.type == came.type and (similar or same_doc):
                pairs.append((gone, came))
                free.remove(came)
                break
    return pairs


# -- how a type change reads to users ----------------------------------------------------------


def _direction(
    a: t.TypeExpr,
    a_enum: tuple[Any, ...],
    b: t.TypeExpr,
    b_enum: tuple[Any, ...],
    *,
    as_input: bool,
    prefix: str,
) -> str | None:
    """widened / narrowed / changed, judged by which values each side admits (None: the
    same values, as ``id`` and ``int`` in a result)."""
    a_in_b = _subtype(a, a_enum, b, b_enum, not as_input)
    b_in_a = _subtype(b, b_enum, a, a_enum, not as_input)
    if a_in_b and b_in_a:
        return None
    if a_in_b:
        return f"{prefix}-widened"
    if b_in_a:
        return f"{prefix}-narrowed"
    return f"{prefix}-changed"


def _subtype(
    a: t.TypeExpr,
    a_enum: tuple[Any, ...],
    b: t.TypeExpr,
    b_enum: tuple[Any, ...],
    output: bool = False,
) -> bool:
    """Whether every value of (a, a_enum) is a value of (b, b_enum); in ``output`` (a result),
    an ``id`` is an int."""
    if b_enum:
        return bool(a_enum) and set(a_enum) <= set(b_enum) and _subtype(a, (), b, (), output)
    return all(any(_atom_in(x, y, output) for y in _atoms(b, output)) for x in _atoms(a, output))


def _atoms(type_: t.TypeExpr, output: bool = False) -> list[t.TypeExpr]:
    if isinstance(type_, t.Union):
        return [atom for option in type_.options for atom in _atoms(option, output)]
    if type_ == t.Prim("id"):
        return [t.Prim("int")] if output else [t.Prim("int"), t.Prim("str")]
    if type_ == t.MESSAGE:
        return [t.Prim("str"), t.Prim("Segment"), t.ListOf(t.Prim("Segment"))]
    return [type_]


def _atom_in(x: t.TypeExpr, y: t.TypeExpr, output: bool = False) -> bool:
    if x == y or y == t.Prim("any"):
        return True
    if x == t.Prim("int") and y == t.Prim("float"):
        return True
    if isinstance(x, (t.Ref, t.DictOf)) and y == t.DictOf(t.Prim("any")):
        return True  # every object is a dict
    if isinstance(x, t.ListOf) and isinstance(y, t.ListOf):
        return _subtype(x.item, (), y.item, (), output)
    if isinstance(x, t.DictOf) and isinstance(y, t.DictOf):
        return _subtype(x.value, (), y.value, (), output)
    return False
