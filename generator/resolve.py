"""Stage 2: Spec → Api, the render model. Every name, annotation and default is decided here, once."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from . import names
from . import spec as s
from . import selector, typemap
from . import types as t
from .problems import Loc, Problems
from .selector import Selector

#: The parameters a sender takes besides its targets and parts.
SENDER_MESSAGE = "message"
SENDER_IDS = "message_ids"

#: Classes the generator defines itself besides the per-action and per-segment ones.
SEGMENT_UNION = "Segment"
MESSAGE_ALIAS = "Message"
EVENT_UNION = "Event"
UNKNOWN_EVENT = "UnknownEvent"
#: The handler registration for every event, and for the events the spec does not know.
ANY_EVENT_HANDLER = "event"
UNKNOWN_EVENT_HANDLER = "unknown"
#: The message events the testing kit has a builder of its own for.
GROUP_MESSAGE_EVENT = "GroupMessageEvent"
PRIVATE_MESSAGE_EVENT = "PrivateMessageEvent"

#: ``reply()``: answers the events of these post_types through this action, which must take
#: these params (``reply_params`` in the runtime fills them).
REPLY = "reply"
REPLY_ACTION = "send_msg"
REPLY_POST_TYPES = ("message", "message_sent")
REPLY_PARAMS = frozenset({"message_type", "user_id", "group_id", "message"})

#: The modules of the actions (``api/``) and of the models (``models/``) besides one per area.
SENDERS_MODULE = "senders"
COMMON_MODELS = "common"
EVENT_MODELS = "events"
AREA_MODULES = {
    SENDERS_MODULE: f"the senders' module (api/{SENDERS_MODULE}.py)",
    COMMON_MODELS: f"the shared models' module (models/{COMMON_MODELS}.py)",
    EVENT_MODELS: f"the events' models module (models/{EVENT_MODELS}.py)",
}

#: The docs pages besides one per area.
DOCS_PAGES = {
    "index": "the docs index",
    "models": "the models page",
    "segments": "the segments page",
    "testing": "the page on testing a bot",
    "events": "the events page",
    "errors": "the errors page",
    "connecting": "the connecting page",
}


@dataclass(frozen=True)
class ApiField:
    """A param, result field, model field or segment field, ready to render."""

    wire: str
    python_name: str
    type: t.TypeExpr
    annotation: str
    spec_type: str
    required: bool
    default: str | None  # the Python literal of the spec's default, for docs
    description: str
    enum: tuple[str | int, ...]
    schema: dict[str, Any]
    uses: frozenset[str]  # the names its annotation refers to (Literal, Any, classes)

    @property
    def arg_doc(self) -> str:
        """Its line under ``Args:``: the description (else the spec type) and the default."""
        text = self.description or self.spec_type
        return text if self.default is None else f"{text} (default ``{self.default}``)"


@dataclass(frozen=True)
class ApiObject:
    """A TypedDict to generate: a shared object, an action's params or result, a segment's data."""

    class_name: str
    description: str
    fields: tuple[ApiField, ...]
    loc: Loc

    @property
    def keyword_base(self) -> str | None:
        """The functional-form base class holding keys class syntax cannot spell (``from``, ``class``),
        so that the other keys keep their docstrings."""
        if all(names.is_identifier(f.wire) for f in self.fields):
            return None
        return f"{self.class_name}KeywordFields"


@dataclass(frozen=True)
class ApiAction:
    wire: str
    method: str
    area: str
    summary: str
    description: str
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...]
    params: tuple[ApiField, ...]
    returns: str
    returns_uses: frozenset[str]  # the names ``returns`` refers to
    returns_doc: str
    returns_description: str
    params_object: ApiObject | None  # its params TypedDict (for the testing kit), if it has params
    result_object: ApiObject | None
    result_fields: tuple[ApiField, ...]
    result_schema: dict[str, Any]  # the JSON Schema of the reply's data
    example: str | None = None  # the spec's call for the docs, else one is made from the types

    @property
    def params_class(self) -> str | None:
        return self.params_object.class_name if self.params_object else None

    @property
    def returns_value(self) -> bool:
        """Whether the method returns the reply's data (else None)."""
        return self.returns != "None"

    @property
    def uses(self) -> frozenset[str]:
        """The names its method's signature refers to."""
        return self.returns_uses.union(*(p.uses for p in self.params))

    @property
    def arg_docs(self) -> tuple[tuple[str, str], ...]:
        """Its ``Args:`` lines, as (name, text)."""
        return tuple((p.python_name, p.arg_doc) for p in self.params)

    @property
    def required_params(self) -> tuple[ApiField, ...]:
        return tuple(p for p in self.params if p.required)

    @property
    def optional_params(self) -> tuple[ApiField, ...]:
        return tuple(p for p in self.params if not p.required)

    @property
    def example_call(self) -> str:
        """The docs' example: the spec's, else a call with a plausible value for each required
        param."""
        values = ", ".join(_example_value(p) for p in self.required_params)
        call = self.example or f"bot.{self.method}({values})"
        return f"result = {call}" if self.returns_value else call

    @property
    def doc_signature(self) -> str:
        """``set_group_ban(group_id, user_id, *, duration=1800, timeout=...) -> None``, for the
        docs: an optional param shows its default, or ``...`` when the server picks."""
        parts = [p.python_name for p in self.required_params]
        if self.optional_params:
            parts.append("*")
            parts += [
                f"{p.python_name}={'...' if p.default is None else p.default}"
                for p in self.optional_params
            ]
        return f"{self.method}({', '.join(parts)}) -> {self.returns}"


@dataclass(frozen=True)
class ApiArea:
    """The actions of one area file: a module of the client (``api/AREA.py``, a sync and an
    async mixin class) and of the models (``models/AREA.py``), and a docs page."""

    name: str
    title: str
    description: str
    actions: tuple[ApiAction, ...]

    @property
    def mixin(self) -> str:
        """``GroupActions``: the area's methods of ``OneBot``."""
        return names.class_name(self.name) + "Actions"

    @property
    def async_mixin(self) -> str:
        return "Async" + self.mixin


@dataclass(frozen=True)
class ApiSegment:
    type: str
    builder: str
    class_name: str
    data: ApiObject
    summary: str
    description: str
    notes: tuple[str, ...]
    #: Groups of optional fields of which one must be given whole; the first group's fields are
    #: taken by position after the required ones.
    one_of: tuple[tuple[ApiField, ...], ...] = ()

    @property
    def required_fields(self) -> tuple[ApiField, ...]:
        return tuple(f for f in self.data.fields if f.required)

    @property
    def optional_fields(self) -> tuple[ApiField, ...]:
        return tuple(f for f in self.data.fields if not f.required)

    @property
    def doc_signatures(self) -> list[str]:
        """``seg.reply(id: int | str, *, seq: int = ...) -> ReplySegment``, for the docs: one
        line per way to call the builder (one per ``one_of`` group)."""

        def param(p: BuilderParam) -> str:
            return f"{p.field.python_name}: {p.field.annotation}" + (" = ..." if p.optional else "")

        def line(signature: BuilderSignature) -> str:
            parts = [param(p) for p in signature.positional]
            if signature.keywords:
                parts += ["*", *(param(p) for p in signature.keywords)]
            return f"seg.{self.builder}({', '.join(parts)}) -> {self.class_name}"

        return [line(signature) for signature in self.overloads or (self.signature,)]

    @property
    def cq_scalars(self) -> dict[str, str]:
        """The fields a CQ code gives as text but the segment types as numbers or booleans,
        with each one's Python type (``int``, ``float`` or ``bool``), for ``cq.parse``."""
        out = {}
        for f in self.data.fields:
            kinds = t.scalar_names(f.type) - {"null"}
            if len(kinds) == 1 and kinds <= {"int", "float", "bool"}:
                out[f.wire] = kinds.pop()
        return out

    @property
    def cq_objects(self) -> tuple[str, ...]:
        """The fields typed as objects only: a CQ code cannot carry one (NapCat writes
        JavaScript's ``[object Object]``), so ``cq.parse`` leaves such a value out."""
        return tuple(f.wire for f in self.data.fields if _object_only(f.type))

    @property
    def positional_fields(self) -> tuple[ApiField, ...]:
        """The builder's positional params: the required fields, then the first group's."""
        return self.required_fields + (self.one_of[0] if self.one_of else ())

    @property
    def keyword_fields(self) -> tuple[ApiField, ...]:
        return tuple(f for f in self.optional_fields if f not in self.positional_fields)

    @property
    def needs(self) -> str:
        """``id or seq``, ``id, or url and image``: what the builder needs, for messages."""
        groups = [" and ".join(f.python_name for f in group) for group in self.one_of]
        joiner = ", or " if any(len(group) > 1 for group in self.one_of) else " or "
        return joiner.join(groups)

    @property
    def signature(self) -> BuilderSignature:
        """The builder's own signature: the required fields, then the first group's (optional
        here), by position; the other fields by keyword."""
        return BuilderSignature(
            tuple(
                BuilderParam(f, optional=f not in self.required_fields)
                for f in self.positional_fields
            ),
            tuple(BuilderParam(f, optional=True) for f in self.keyword_fields),
        )

    @property
    def overloads(self) -> tuple[BuilderSignature, ...]:
        """One signature per ``one_of`` group, which it requires: the first group's fields by
        position after the required ones, another group's by keyword."""
        first = BuilderSignature(
            tuple(BuilderParam(f, optional=False) for f in self.positional_fields),
            tuple(BuilderParam(f, optional=True) for f in self.keyword_fields),
        )
        others = (
            BuilderSignature(
                tuple(BuilderParam(f, optional=False) for f in self.required_fields),
                tuple(BuilderParam(f, optional=f not in group) for f in self.optional_fields),
            )
            for group in self.one_of[1:]
        )
        return (first, *others) if self.one_of else ()


@dataclass(frozen=True)
class BuilderParam:
    """A param of a segment builder: a data field, and whether a call may leave it out (it
    defaults to ``NOT_GIVEN``)."""

    field: ApiField
    optional: bool


@dataclass(frozen=True)
class BuilderSignature:
    """One way to call a segment builder: its params by position, then its keyword-only ones."""

    positional: tuple[BuilderParam, ...]
    keywords: tuple[BuilderParam, ...]


@dataclass(frozen=True)
class ApiPart:
    """A keyword of a sender, ready to render: its value becomes one segment."""

    python_name: str
    segment: str
    field: str | None  # the data field the value fills; None: a flag or the whole segment
    annotation: str
    uses: frozenset[str]  # the names its annotation refers to
    flag: bool
    description: str
    many: bool = False  # the keyword also takes a list of values, one segment each


@dataclass(frozen=True)
class ApiSender:
    method: str
    action: ApiAction
    summary: str
    description: str
    targets: tuple[ApiField, ...]  # the action's required params besides the message
    message: ApiField  # the action's message param
    parts: tuple[ApiPart, ...]
    takes_message: bool
    one_of: bool
    ids: ApiPart | None

    @property
    def message_keyword(self) -> str | None:
        """The keyword of the full message, when the sender takes one."""
        return SENDER_MESSAGE if self.takes_message else None

    @property
    def uses(self) -> frozenset[str]:
        """The names its method's signature refers to (``Sequence`` for lists of values)."""
        used = self.action.returns_uses.union(
            *(p.uses for p in self.targets), *(p.uses for p in self.parts)
        )
        if self.takes_message:
            used |= self.message.uses
        if self.ids:
            used |= self.ids.uses
        if self.ids or any(p.many for p in self.parts):
            used |= {"Sequence"}
        return used

    @property
    def doc_signature(self) -> str:
        """``post_group_msg(group_id, *, message=..., at=..., dice=False) -> SentMessage``, for
        the docs."""
        parts = [p.python_name for p in self.targets] + ([self.ids.python_name] if self.ids else [])
        keywords = [f"{k}=..." for k in [self.message_keyword] if k]
        keywords += [f"{p.python_name}={'False' if p.flag else '...'}" for p in self.parts]
        if keywords:
            parts += ["*", *keywords]
        return f"{self.method}({', '.join(parts)}) -> {self.action.returns}"

    @property
    def composer(self) -> str:
        """The runtime function that makes its message (``_compose``)."""
        return "segments_of_ids" if self.ids else "compose"

    @property
    def sends(self) -> str:
        """The docstring's sentence on what it sends."""
        if self.ids:
            return f"Sends ``{self.action.wire}`` with one ``{self.ids.segment}`` segment per message id."
        if self.one_of:
            return (
                f"Sends ``{self.action.wire}`` with one segment: give exactly one of the keywords."
            )
        if self.message_keyword:
            return (
                f"Sends ``{self.action.wire}`` with the segments of the keywords given, in this "
                f"order, then ``{self.message_keyword}`` (a string there is sent as plain text)."
            )
        return (
            f"Sends ``{self.action.wire}`` with the segments of the keywords given, in this order."
        )

    @property
    def arg_docs(self) -> tuple[tuple[str, str], ...]:
        """Its ``Args:`` lines, as (name, text)."""
        docs = [(p.python_name, p.description or p.spec_type) for p in self.targets]
        if self.ids:
            docs.append(
                (
                    self.ids.python_name,
                    "The ids of the messages to forward, in order; each becomes a "
                    f"``{self.ids.segment}`` segment's ``{self.ids.field}``.",
                )
            )
        if self.message_keyword:
            docs.append((self.message_keyword, self.message.description or self.message.spec_type))
        docs += [(p.python_name, p.description) for p in self.parts]
        return tuple(docs)


@dataclass(frozen=True)
class ApiReply:
    """``reply()``: answers a message event where it came from, through ``send_msg``."""

    action: ApiAction
    message: ApiField  # the action's message param
    events: tuple[str, ...]  # the event unions it answers

    @property
    def method(self) -> str:
        return REPLY

    @property
    def annotation(self) -> str:
        return " | ".join(self.events)

    @property
    def uses(self) -> frozenset[str]:
        """The names its method's signature refers to."""
        return self.action.returns_uses | self.message.uses | set(self.events)

    summary = "Answer a message event where it came from: its group, or its private chat."

    @property
    def description(self) -> str:
        return (
            f"A string is sent as plain text, as the senders take it (``{self.action.wire}`` "
            "itself would read CQ codes in it). Raises ``ValueError`` when the event names no "
            "chat to answer."
        )

    @property
    def sends(self) -> str:
        return f"Sends ``{self.action.wire}``."

    @property
    def arg_docs(self) -> tuple[tuple[str, str], ...]:
        """Its ``Args:`` lines, as (name, text)."""
        return (
            ("event", "The message event to answer (one the bot sent is answered in its chat)."),
            ("message", "A string (plain text), one segment or a list of segments."),
            ("quote", "Quote the event's message (a ``reply`` segment first)."),
        )


@dataclass(frozen=True)
class ApiEvent:
    """One kind of event: its TypedDict (discriminators as literals, then the common fields, then
    its own) and its handler registration method."""

    data: ApiObject
    handler: str
    group: str  # the union class of its post_type
    summary: str
    description: str
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    napcat: bool
    discriminators: tuple[tuple[str, tuple[str, ...]], ...]
    present: str | None

    @property
    def class_name(self) -> str:
        return self.data.class_name

    @property
    def selection(self) -> str:
        """``post_type message, message_type group, sub_type normal or anonymous``, for docs."""
        parts = [f"{key} {' or '.join(values)}" for key, values in self.discriminators]
        if self.present:
            parts.append(f"with {self.present}")
        return ", ".join(parts)

    @property
    def handler_doc(self) -> str:
        """The docstring of its handler registration."""
        return f"{self.summary} ({self.selection})."

    @property
    def is_group_message(self) -> bool:
        """Whether it is the group message event, which the testing kit builds
        (``group_message``)."""
        return self.class_name == GROUP_MESSAGE_EVENT

    @property
    def is_private_message(self) -> bool:
        """Whether it is the private message event, which the testing kit builds
        (``private_message``)."""
        return self.class_name == PRIVATE_MESSAGE_EVENT


@dataclass(frozen=True)
class ApiEventGroup:
    """The events of one post_type, as a union class with a handler registration of its own."""

    class_name: str
    post_type: str
    handler: str
    kinds: tuple[str, ...]

    @property
    def handler_doc(self) -> str:
        """The docstring of its handler registration."""
        return f"Every event of post_type ``{self.post_type}``."


@dataclass(frozen=True)
class Api:
    areas: tuple[ApiArea, ...]
    models: tuple[ApiObject, ...]
    param_objects: tuple[ApiObject, ...]
    result_objects: tuple[ApiObject, ...]
    segments: tuple[ApiSegment, ...]
    excluded: tuple[tuple[str, str], ...] = ()
    senders: tuple[ApiSender, ...] = ()
    events: tuple[ApiEvent, ...] = ()
    event_groups: tuple[ApiEventGroup, ...] = ()
    event_selector: Selector = None
    quick_operation: str | None = None
    reply: ApiReply | None = None

    @property
    def actions(self) -> tuple[ApiAction, ...]:
        return tuple(a for area in self.areas for a in area.actions)


def resolve(spec: s.Spec) -> Api:
    """Name everything; raises SpecInvalid when two things would get the same Python name."""
    problems = Problems()
    classes = _Registry(
        problems, "Python class", "rename the model, or give the action or segment a python_name"
    )
    methods = _Registry(
        problems, "Python method", "give one of the actions a python_name, or rename the sender"
    )
    for attribute in sorted(names.client_attributes()):
        methods.reserve(attribute, "an attribute of the client runtime")
    methods.reserve(REPLY, f"{REPLY}(), which answers a message event")
    for name in sorted(names.MODULE_NAMES):
        classes.reserve(name, "a name the generated modules import or define")
    classes.reserve(SEGMENT_UNION, "the union of all message segments")
    classes.reserve(MESSAGE_ALIAS, "the message type")
    pages = _Registry(problems, "docs page", "rename the area file", python=False)
    for page, why in DOCS_PAGES.items():
        pages.reserve(page, why)
    modules = _Registry(
        problems, "Python module", "rename the area file", unusable_fix="rename the area file"
    )
    for module, why in AREA_MODULES.items():
        modules.reserve(module, why)

    models = tuple(
        _object(m.name, m.description, m.fields, "output", m.loc, problems) for m in spec.models
    )
    for m in models:
        classes.claim_object(m)
    model_descriptions = {m.class_name: m.description for m in models}

    areas = []
    param_objects: list[ApiObject] = []
    result_objects: list[ApiObject] = []
    for area in spec.areas:
        pages.claim(area.name, area.loc)
        modules.claim(area.name, area.loc)
        actions = []
        for action in area.actions:
            resolved = _action(action, model_descriptions, problems)
            methods.claim(resolved.method, action.loc)
            if resolved.params_object:
                classes.claim_object(resolved.params_object)
                param_objects.append(resolved.params_object)
            if resolved.result_object:
                classes.claim_object(resolved.result_object)
                result_objects.append(resolved.result_object)
            actions.append(resolved)
        if actions:  # an emptied area (imported.yaml once reviewed) has no page nor module
            resolved_area = ApiArea(area.name, area.title, area.description, tuple(actions))
            classes.claim(resolved_area.mixin, area.loc)
            classes.claim(resolved_area.async_mixin, area.loc)
            areas.append(resolved_area)

    builders = _Registry(
        problems, "Python segment builder", "give one of the segments a python_name"
    )
    for name in sorted(names.MODULE_NAMES):
        builders.reserve(name, "a name the generated modules import or define")
    segments = []
    for seg in spec.segments:
        segment = _segment(seg, problems)
        builders.claim(segment.builder, seg.loc)
        classes.claim(segment.class_name, seg.loc)
        classes.claim_object(segment.data)
        segments.append(segment)

    by_wire = {a.wire: a for area in areas for a in area.actions}
    by_type = {seg.type: seg for seg in segments}
    senders = []
    for sender in spec.senders:
        methods.claim(sender.name, sender.loc)
        senders.append(_sender(sender, by_wire[sender.action], by_type, problems))

    events, groups = _events(spec.events, classes, problems)
    event_selector = selector.compiled(spec.events.kinds, problems)
    reply = _reply(by_wire, groups)

    problems.raise_if_any()
    excluded = tuple((e.wire, e.reason) for e in spec.excluded)
    return Api(
        tuple(areas),
        models,
        tuple(param_objects),
        tuple(result_objects),
        tuple(segments),
        excluded,
        tuple(senders),
        events,
        groups,
        event_selector,
        spec.events.quick_operation,
        reply,
    )


def _reply(by_wire: dict[str, ApiAction], groups: Iterable[ApiEventGroup]) -> ApiReply | None:
    """``reply()``, when the spec has its action (with the params it fills) and message events."""
    action = by_wire.get(REPLY_ACTION)
    answered = tuple(g.class_name for g in groups if g.post_type in REPLY_POST_TYPES)
    if action is None or not answered or not REPLY_PARAMS <= {p.wire for p in action.params}:
        return None
    message = next(p for p in action.params if p.wire == "message")
    return ApiReply(action, message, answered)


def _events(
    spec_events: s.Events, classes: _Registry, problems: Problems
) -> tuple[tuple[ApiEvent, ...], tuple[ApiEventGroup, ...]]:
    handlers = _Registry(problems, "event handler", "rename one of the events")
    classes.reserve(EVENT_UNION, "the union of all events")
    classes.reserve(UNKNOWN_EVENT, "the type of events the spec does not describe")
    handlers.reserve(ANY_EVENT_HANDLER, "the handler registration for every event")
    handlers.reserve(UNKNOWN_EVENT_HANDLER, "the handler registration for unknown events")
    handlers.reserve("dispatch", "the method that calls the handlers")
    by_post_type: dict[str, list[str]] = {}
    events = []
    for event in spec_events.kinds:
        if not event.discriminators:
            continue  # reported by the loader
        literals = tuple(
            s.Field(key, t.Prim("str"), _about(key), values, s._MISSING, True, None, event.loc)
            for key, values in event.discriminators
        )
        fields = (*literals, *spec_events.common, *event.fields)
        data = _object(event.name, event.summary, fields, "output", event.loc, problems)
        classes.claim_object(data)
        handler = names.snake(event.name.removesuffix("Event"))
        handlers.claim(handler, event.loc)
        by_post_type.setdefault(event.post_type, []).append(event.name)
        events.append(
            ApiEvent(
                data=data,
                handler=handler,
                group=_group_name(event.post_type),
                summary=event.summary,
                description=event.description,
                notes=event.notes,
                sources=event.sources,
                napcat=event.napcat,
                discriminators=event.discriminators,
                present=event.present,
            )
        )
    groups = []
    for post_type, kinds in by_post_type.items():
        handler = names.snake(post_type.removesuffix("_event"))
        group = ApiEventGroup(_group_name(post_type), post_type, handler, tuple(kinds))
        loc = next(e.data.loc for e in events if e.class_name == kinds[0])
        classes.claim(group.class_name, loc)
        handlers.claim(group.handler, loc)
        groups.append(group)
    return tuple(events), tuple(groups)


def _object_only(type_: t.TypeExpr) -> bool:
    """Whether every value of ``type_`` (but null) is a JSON object."""
    if isinstance(type_, t.Union):
        options = [o for o in type_.options if o != t.Prim("null")]
        return bool(options) and all(map(_object_only, options))
    return isinstance(type_, t.DictOf | t.Ref)


def _group_name(post_type: str) -> str:
    """``message`` → ``MessageEvent``, ``meta_event`` → ``MetaEvent``."""
    return names.class_name(post_type.removesuffix("_event")) + "Event"


def _about(key: str) -> str:
    return {"post_type": "上报类型"}.get(key, "")


class _Registry:
    """Python names of one kind; a second claim on a name is a problem naming both places."""

    def __init__(
        self,
        problems: Problems,
        kind: str,
        fix: str,
        python: bool = True,
        unusable_fix: str = "give it a python_name",
    ) -> None:
        self.problems = problems
        self.kind = kind
        self.fix = fix
        self.python = python  # whether the names must be Python identifiers
        self.unusable_fix = unusable_fix
        self.owners: dict[str, str] = {}

    def reserve(self, name: str, why: str) -> None:
        self.owners[name] = why

    def claim_object(self, obj: ApiObject) -> None:
        self.claim(obj.class_name, obj.loc)
        if obj.keyword_base:
            self.claim(obj.keyword_base, obj.loc)

    def claim(self, name: str, loc: Loc) -> None:
        if self.python and not names.is_identifier(name):
            self.problems.add(loc, f"{name!r} is not a usable {self.kind} name", self.unusable_fix)
            return
        owner = self.owners.setdefault(name, str(loc))
        if owner != str(loc):
            self.problems.add(
                loc,
                f"{self.kind} name {name!r} is already taken by {owner}",
                self.fix,
            )


def _action(action: s.Action, model_descriptions: dict[str, str], problems: Problems) -> ApiAction:
    method = names.method_name(action.wire, action.python_name)
    cls = names.class_name(method)
    for param in action.params:
        _check_keyword_clash(param, problems)
    params = _fields(action.params, "input", problems)
    result_object = None
    result_fields: tuple[ApiField, ...] = ()
    if action.result is None:
        returns, returns_doc, description = "None", "null", ""
        returns_uses: frozenset[str] = frozenset()
        result_schema: dict[str, Any] = {"type": "null"}
    elif isinstance(action.result, s.InlineResult):
        description = action.result.description or action.summary
        result_object = _object(
            f"{cls}Result", description, action.result.fields, "output", action.loc, problems
        )
        returns = returns_doc = result_object.class_name
        returns_uses = frozenset({returns})
        result_fields = result_object.fields
        result_schema = {"$ref": f"#/$defs/{returns}"}
    else:
        returns = typemap.annotation(action.result, "output")
        returns_uses = typemap.names(action.result, "output")
        returns_doc = t.render(action.result)
        result_schema = typemap.schema(action.result, "output")
        named = isinstance(action.result, t.Ref) and model_descriptions.get(action.result.name)
        description = named or returns_doc
    return ApiAction(
        wire=action.wire,
        method=method,
        area=action.area,
        summary=action.summary,
        description=action.description,
        notes=action.notes
        + tuple(f"`{k}` 与 NapCat 不同：{why}" for k, why in action.napcat_differs),
        sources=action.sources,
        aliases=action.aliases,
        params=params,
        returns=returns,
        returns_uses=returns_uses,
        returns_doc=returns_doc,
        returns_description=description,
        params_object=(
            # Not the summary: a description edit then leaves the models as they are.
            ApiObject(f"{cls}Params", f"The params of ``{action.wire}``.", params, action.loc)
            if params
            else None
        ),
        result_object=result_object,
        result_fields=result_fields,
        result_schema=result_schema,
        example=_example(action, method, problems),
    )


def _example(action: s.Action, method: str, problems: Problems) -> str | None:
    """The spec's example, which must call the action's own method."""
    if action.example is None:
        return None
    called = action.example.removeprefix("bot.").split("(", 1)[0].strip()
    if called != method:
        problems.add(
            action.loc,
            f"the example calls bot.{called}(), not this action's method bot.{method}()",
            f"call bot.{method}(...)",
        )
    return action.example


def _check_keyword_clash(param: s.Field, problems: Problems) -> None:
    """A param named like a keyword of the client's methods (``timeout``: the seconds the client
    waits) needs a Python name that says what it is: ``timeout_`` next to ``timeout`` invites
    passing one for the other."""
    name = names.snake(param.name)
    if param.python_name is None and name in names.BODY_NAMES:
        what = names.BODY_NAMES_MEANING.get(name, "a name the generated method uses itself")
        problems.add(
            param.loc,
            f"param {param.name!r} clashes with the client's {name!r} ({what})",
            "give it a python_name that says what it is, e.g. send_timeout_ms",
        )


def _sender(
    sender: s.Sender, action: ApiAction, segments: dict[str, ApiSegment], problems: Problems
) -> ApiSender:
    (message,) = (p for p in action.params if p.type == t.MESSAGE)
    targets = tuple(p for p in action.required_params if p is not message)
    registry = _params(problems, "rename the part's segment or drop the part")
    for target in targets:
        registry.reserve(target.python_name, f"a param of {action.wire!r}")
    if sender.message:
        registry.reserve(SENDER_MESSAGE, "the sender's full message")
    parts = []
    for part in sender.parts:
        resolved = _part(part, segments[part.segment])
        registry.claim(resolved.python_name, part.loc)
        parts.append(resolved)
    ids = None
    if sender.ids is not None:
        ids = replace(_part(sender.ids, segments[sender.ids.segment]), python_name=SENDER_IDS)
    return ApiSender(
        method=sender.name,
        action=action,
        summary=sender.summary,
        description=sender.description,
        targets=targets,
        message=message,
        parts=tuple(parts),
        takes_message=sender.message,
        one_of=sender.one_of,
        ids=ids,
    )


def _part(part: s.Part, segment: ApiSegment) -> ApiPart:
    name = names.sender_keyword(segment.builder)
    about = f"``{segment.type}`` segment ({segment.summary})"
    if part.field is not None:
        (field,) = (f for f in segment.data.fields if f.wire == part.field)
        description = f"The {about} with this ``{field.wire}``: {field.description}"
        annotation, uses = field.annotation, field.uses
        if part.many:
            description += f" A list gives one ``{segment.type}`` segment for each of its values."
            annotation, uses = f"{annotation} | Sequence[{annotation}]", uses | {"Sequence"}
        return ApiPart(
            name, segment.type, field.wire, annotation, uses, False, description, many=part.many
        )
    if not segment.required_fields:
        description = f"True: add the {about}."
        return ApiPart(name, segment.type, None, "bool", frozenset(), True, description)
    description = f"The {about}, as ``seg.{segment.builder}(...)`` makes it."
    cls = segment.class_name
    return ApiPart(name, segment.type, None, cls, frozenset({cls}), False, description)


def _segment(seg: s.Segment, problems: Problems) -> ApiSegment:
    builder = names.method_name(seg.type, seg.python_name)
    cls = names.class_name(names.snake(seg.type)) + "Segment"
    data = _object(f"{cls}Data", seg.summary, seg.fields, "input", seg.loc, problems)
    by_wire = {f.wire: f for f in data.fields}
    one_of = tuple(tuple(by_wire[name] for name in group) for group in seg.one_of)
    return ApiSegment(seg.type, builder, cls, data, seg.summary, seg.description, seg.notes, one_of)


def _object(
    class_name: str,
    description: str,
    fields: Iterable[s.Field],
    position: typemap.Position,
    loc: Loc,
    problems: Problems,
) -> ApiObject:
    return ApiObject(class_name, description, _fields(fields, position, problems), loc)


def _fields(
    fields: Iterable[s.Field], position: typemap.Position, problems: Problems
) -> tuple[ApiField, ...]:
    registry = _params(problems, "give one of the params a python_name")
    out = []
    for f in fields:
        python_name = names.param_name(f.name, f.python_name)
        if position == "input":  # inputs become function parameters
            registry.claim(python_name, f.loc)
        out.append(
            ApiField(
                wire=f.name,
                python_name=python_name,
                type=f.type,
                annotation=typemap.annotation(f.type, position, f.enum),
                spec_type=t.render(f.type),
                required=f.required,
                default=_literal(f.default) if f.has_default else None,
                description=f.description,
                enum=f.enum,
                schema=typemap.schema(f.type, position, f.enum),
                uses=typemap.names(f.type, position, f.enum),
            )
        )
    return tuple(out)


def _params(problems: Problems, fix: str) -> _Registry:
    """The names of one function's parameters, without those its body uses."""
    registry = _Registry(problems, "Python parameter", fix)
    for name in sorted(names.BODY_NAMES):
        registry.reserve(name, "a name the generated function body uses")
    return registry


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


#: Example values for the docs' calls, by type.
_EXAMPLES = {
    "id": "123456",
    "int": "1",
    "float": "1.0",
    "str": '"text"',
    "bool": "True",
    "message": '"hello"',
    "Segment": 'seg.text("hello")',
}


#: Example values by param name where the type's would mislead: distinct numbers for a group, a
#: user and a message, a file as a file URI.
_EXAMPLES_BY_NAME = {
    "group_id": "123456",
    "user_id": "10001",
    "message_id": "12345",
    "duration": "600",
    "file": '"file:///tmp/a.png"',
    "name": '"a.png"',
    "url": '"https://example.com/a.png"',
    "domain": '"qun.qq.com"',
    "content": '"hello"',
}


def _example_value(p: ApiField) -> str:
    if p.enum:
        return json.dumps(p.enum[0], ensure_ascii=False)
    head = p.type
    if isinstance(head, t.Union):
        head = head.options[0]
    if isinstance(head, t.Prim):
        by_name = _EXAMPLES_BY_NAME.get(p.wire)
        if by_name is not None and head.name in ("id", "int", "str"):
            if (head.name == "str") == by_name.startswith('"'):
                return by_name
        return _EXAMPLES.get(head.name, "None")
    return "[]" if isinstance(head, t.ListOf) else "{}"
