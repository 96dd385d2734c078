"""What each generated module imports, and which mixins make the clients: computed from the
resolved Api (part of resolve), so that templates only print it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .names import ASYNC_SENDERS, SENDERS
from .resolve import EVENT_UNION, SENDERS_MODULE, UNKNOWN_EVENT, Api

#: Names that generated signatures take from the standard library, by module; every other name
#: they use is a class of the models package.
_STANDARD = {"Any": "typing", "Literal": "typing", "Sequence": "collections.abc"}
_RUNTIME_TYPES = ("NOT_GIVEN", "NotGiven", "Timeout")


@dataclass(frozen=True)
class Imports:
    """A module's imports (see ``macros/imports.jinja``): collections.abc, typing, the runtime's
    by module, and the models (for type checkers only)."""

    abc: tuple[str, ...] = ()
    typing: tuple[str, ...] = ()
    runtime: tuple[tuple[str, tuple[str, ...]], ...] = ()
    models: tuple[str, ...] = ()
    models_module: str = "..models"


@dataclass(frozen=True)
class Mixins:
    """Classes composed from others: the sync and the async bases, and the modules they are
    imported from (``(module, names)``)."""

    sync: tuple[str, ...]
    asynchronous: tuple[str, ...]
    modules: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Plan:
    """Every decision about imports and composition, by module."""

    areas: dict[str, Imports] = field(default_factory=dict)
    senders: Imports | None = None
    sender_bases: Mixins = Mixins((), ())
    client: Mixins = Mixins((), ())
    segments: Imports = Imports()
    events: Imports = Imports()
    testing: Imports = Imports()


def plan(api: Api) -> Plan:
    base = {".._clients": ["AsyncClient", "SyncClient"], ".._types": list(_RUNTIME_TYPES)}
    areas = {}
    for area in api.areas:
        uses = frozenset().union(*(a.uses for a in area.actions))
        casts = ["cast"] if any(a.returns_value for a in area.actions) else []
        areas[area.name] = module_imports(uses, casts, base)
    mixins = [(f".api.{area.name}", area.mixin, area.async_mixin) for area in api.areas]
    senders, sender_bases = None, Mixins((), ())
    if api.senders or api.reply:
        sent = [s.action for s in api.senders] + ([api.reply.action] if api.reply else [])
        used = [area for area in api.areas if area.name in {a.area for a in sent}]
        runtime = {
            ".._types": list(_RUNTIME_TYPES),
            **{f".{area.name}": [area.async_mixin, area.mixin] for area in used},
        }
        if api.senders:
            runtime[".._compose"] = sorted({s.composer for s in api.senders})
        if api.reply:
            runtime[".._events"] = ["reply_params"]
        casts = ["cast"] if api.reply and api.reply.action.returns_value else []
        uses = frozenset().union(
            *(s.uses for s in api.senders), api.reply.uses if api.reply else ()
        )
        senders = module_imports(uses, casts, runtime)
        sender_bases = Mixins(
            tuple(area.mixin for area in used), tuple(area.async_mixin for area in used)
        )
        mixins.insert(0, (f".api.{SENDERS_MODULE}", SENDERS, ASYNC_SENDERS))
    client = Mixins(
        tuple(m[1] for m in mixins),
        tuple(m[2] for m in mixins),
        tuple(sorted((module, tuple(sorted([s, a]))) for module, s, a in mixins)),
    )

    segment_uses = {s.class_name for s in api.segments}.union(
        *(f.uses for s in api.segments for f in s.data.fields)
    )
    overload = ["overload"] if any(s.one_of for s in api.segments) else []
    kinds = [e.class_name for e in api.events] + [g.class_name for g in api.event_groups]
    quick = [api.quick_operation] if api.quick_operation else []
    messages = any(e.is_group_message or e.is_private_message for e in api.events)
    fake_uses = {e.class_name for e in api.events}.union(
        *(a.returns_uses for a in api.actions), (p.class_name for p in api.param_objects)
    )
    return Plan(
        areas=areas,
        senders=senders,
        sender_bases=sender_bases,
        client=client,
        segments=module_imports(segment_uses, ["Any", "cast", *overload]),
        events=Imports(models=tuple(sorted({*kinds, UNKNOWN_EVENT, EVENT_UNION, *quick}))),
        testing=Imports(
            typing=("TYPE_CHECKING", "Any", "Literal", "overload", *(["cast"] if messages else [])),
            # the fake's messages are str | list[Segment]
            models=_models([*fake_uses, "Segment"]),
        ),
    )


def module_imports(
    uses: Iterable[str], typing: Iterable[str] = (), runtime: dict[str, list[str]] | None = None
) -> Imports:
    """The imports of a module whose signatures use ``uses``: the standard names, the runtime's,
    and the models."""
    used = set(uses)
    models = _models(used)
    std = {name: module for name, module in _STANDARD.items() if name in used}
    return Imports(
        abc=tuple(sorted(n for n, m in std.items() if m == "collections.abc")),
        typing=tuple(
            sorted(
                {*typing, *(n for n, m in std.items() if m == "typing")}
                | ({"TYPE_CHECKING"} if models else set())
            )
        ),
        runtime=tuple((module, tuple(names)) for module, names in sorted((runtime or {}).items())),
        models=models,
    )


def _models(uses: Iterable[str]) -> tuple[str, ...]:
    """The classes of the models package among the names signatures use."""
    return tuple(sorted(set(uses) - _STANDARD.keys()))
