"""Stage 1: load spec/ into Spec objects, collecting every problem with its place."""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path as FsPath
from typing import Any

from . import selector, shape, specfiles
from . import types as t
from .problems import Loc, Problems, closest
from .memo import NO_CACHE, Memo
from .selector import POST_TYPE
from .yamlpos import Document, Path, at, read_cached

#: An area file's name (``actions/AREA.yaml``), which names its docs page and its module too.
AREA_NAME = re.compile(r"[a-z][a-z0-9_]*")
SUB_TYPE = "sub_type"

_MISSING: Any = object()


@dataclass(frozen=True)
class Field:
    name: str
    type: t.TypeExpr
    description: str
    enum: tuple[str | int, ...]
    default: Any  # _MISSING when the spec gives none; see has_default
    required: bool
    python_name: str | None
    loc: Loc

    @property
    def has_default(self) -> bool:
        return self.default is not _MISSING


@dataclass(frozen=True)
class InlineResult:
    description: str
    fields: tuple[Field, ...]


Result = t.TypeExpr | InlineResult | None


@dataclass(frozen=True)
class Action:
    wire: str
    area: str
    summary: str
    description: str
    python_name: str | None
    sources: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...]
    params: tuple[Field, ...]
    result: Result
    notes: tuple[str, ...]
    loc: Loc
    #: Where the spec differs from NapCat's schema on purpose: a param, ``result`` or
    #: ``result.FIELD`` (``PARAM.FIELD`` inside a param's object) → why, naming the version.
    napcat_differs: tuple[tuple[str, str], ...] = ()
    #: A call for the docs (``bot.send_msg(...)``) where one made from the types would mislead.
    example: str | None = None
    #: What an import changed here and a person has yet to check (``build`` lists it).
    review: tuple[str, ...] = ()


@dataclass(frozen=True)
class Area:
    name: str
    title: str
    description: str
    actions: tuple[Action, ...]
    loc: Loc


@dataclass(frozen=True)
class Model:
    name: str
    description: str
    fields: tuple[Field, ...]
    notes: tuple[str, ...]
    loc: Loc
    review: tuple[str, ...] = ()  # as Action.review


@dataclass(frozen=True)
class Segment:
    type: str
    summary: str
    description: str
    python_name: str | None
    sources: tuple[str, ...]
    fields: tuple[Field, ...]
    notes: tuple[str, ...]
    loc: Loc
    #: Groups of optional fields of which one must be given whole (``((id,), (seq,))``).
    one_of: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Exclusion:
    """An action the sources name that the spec leaves out on purpose, and why."""

    wire: str
    reason: str
    loc: Loc


@dataclass(frozen=True)
class Part:
    """A keyword of a sender: one segment of the message. ``field`` is the data field the value
    fills; without one, the value is a flag (a segment with no required data) or the whole
    segment."""

    segment: str
    field: str | None
    loc: Loc
    #: The keyword also takes a list: one segment per value (``at=[10001, 10002]``).
    many: bool = False


@dataclass(frozen=True)
class Sender:
    """A convenience method that puts a message together and sends it through an action: from
    keyword parts (``parts``, plus a full ``message`` when ``message`` is true; exactly one part
    when ``one_of``), or from message ids (``ids``: a segment per id, the id in its field)."""

    name: str
    action: str
    summary: str
    description: str
    parts: tuple[Part, ...]
    message: bool
    one_of: bool
    ids: Part | None
    loc: Loc


@dataclass(frozen=True)
class Event:
    """One kind of event: the literal values of its discriminator keys select it (``present``:
    also the presence of that field, for kinds whose discriminators are the same)."""

    name: str
    summary: str
    description: str
    discriminators: tuple[tuple[str, tuple[str, ...]], ...]
    present: str | None
    napcat: bool
    sources: tuple[str, ...]
    fields: tuple[Field, ...]
    notes: tuple[str, ...]
    loc: Loc

    @property
    def post_type(self) -> str:
        return self.discriminators[0][1][0]


@dataclass(frozen=True)
class Events:
    """``events.yaml``: the fields every event has, the kinds, and the model a handler may
    return as the event's quick operation."""

    common: tuple[Field, ...] = ()
    kinds: tuple[Event, ...] = ()
    quick_operation: str | None = None


@dataclass(frozen=True)
class Spec:
    areas: tuple[Area, ...]
    models: tuple[Model, ...]
    segments: tuple[Segment, ...]
    excluded: tuple[Exclusion, ...] = ()
    senders: tuple[Sender, ...] = ()
    events: Events = Events()


def load(spec_dir: FsPath) -> Spec:
    """Read and check every file of a spec directory; raises SpecInvalid listing all problems."""
    return load_files(specfiles.read(spec_dir))


def load_files(files: specfiles.SpecFiles, memo: Memo = NO_CACHE) -> Spec:
    """Check the files of a spec, read before; raises SpecInvalid listing all problems.
    ``memo`` may keep each file's parsed YAML."""
    problems = Problems()
    problems.items += files.problems
    loader = _Loader(files, problems, memo)
    # A file that does not read as YAML data (or not at all) would only echo as problems
    # elsewhere (unknown types, unknown actions): those are reported alone.
    problems.raise_if_any()
    spec = loader.load()
    loader.check_refs(spec)
    loader.check_senders(spec)
    loader.check_events(spec)
    # the kinds' discriminators must tell each apart: checked with the rest (resolve builds the
    # runtime's table from them)
    selector.compiled(spec.events.kinds, problems)
    problems.raise_if_any()
    return spec


class _Loader:
    """Builds the Spec from files whose shape ``shape`` checked, and runs the checks a schema
    cannot state: the type language, enums and defaults against types, references between
    entries, and names that must differ."""

    def __init__(self, files: specfiles.SpecFiles, problems: Problems, memo: Memo) -> None:
        self.files = files
        self.problems = problems
        self.memo = memo
        self.type_uses: list[tuple[t.TypeExpr, Loc]] = []
        self.texts: dict[str, str] = {}  # each file's text, decoded once by _read
        self.docs = {name: self._read(name) for name in files.texts}

    # -- files -----------------------------------------------------------------

    def load(self) -> Spec:
        for name, doc in self.docs.items():
            if doc is not None:
                data = shape.check(name, self.texts[name], doc, self.problems, self.memo)
                self.docs[name] = (
                    None if data is None else Document(doc.file, data, doc.marks, doc.labels)
                )
        area_files = [name for name in self.files.texts if name.startswith("actions/")]
        if not area_files and not self.files.problems:
            where = Loc(self.files.display("actions"), 0, 0, "")
            self.problems.add(where, "no action files", "add at least one actions/AREA.yaml")
        areas = tuple(a for f in area_files if (a := self._area(f)) is not None)
        seen: dict[str, Action] = {}
        for action in (a for area in areas for a in area.actions):
            first = seen.setdefault(action.wire, action)
            if first is not action:
                self.problems.add(
                    action.loc,
                    f"duplicate action {action.wire!r}, first defined at {first.loc}",
                    "keep one definition",
                )
        models = self._named_file("models.yaml", "models", self._model)
        segments = self._named_file("segments.yaml", "segments", self._segment)
        excluded = self._named_file("excluded.yaml", "excluded", self._exclusion)
        for exclusion in excluded:
            if exclusion.wire in seen:
                self.problems.add(
                    exclusion.loc,
                    f"action {exclusion.wire!r} is excluded but defined at {seen[exclusion.wire].loc}",
                    "remove it from excluded.yaml or from the actions",
                )
        senders = self._named_file("senders.yaml", "senders", self._sender)
        events = self._events()
        return Spec(areas, tuple(models), tuple(segments), tuple(excluded), tuple(senders), events)

    def _read(self, relative: str) -> Document | None:
        file = self.files.display(relative)
        data = self.files.texts[relative]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line_start = data.rfind(b"\n", 0, exc.start) + 1
            where = Loc(file, data.count(b"\n", 0, exc.start) + 1, exc.start - line_start + 1, "")
            utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
            what = "the file is UTF-16" if utf16 else f"byte {data[exc.start]:#04x} here"
            self.problems.add(where, f"not UTF-8 text: {what}", "save the file as UTF-8")
            return None
        self.texts[relative] = text
        return read_cached(file, text, self.problems, self.memo)

    def _area(self, relative: str) -> Area | None:
        area = relative.removeprefix("actions/").removesuffix(".yaml")
        if not AREA_NAME.fullmatch(area):
            self.problems.add(
                Loc(self.files.display("actions"), 0, 0, ""),
                f"invalid area file name {area + '.yaml'!r}",
                f"name area files {AREA_NAME.pattern}.yaml (the name becomes docs/AREA.md)",
            )
            return None
        doc = self.docs[relative]
        if doc is None:
            return None
        data = doc.data
        actions = tuple(
            self._action(doc, ("actions", i), area)
            for i, entry in enumerate(data.get("actions", []))
            if entry is not shape.CUT
        )
        title, description = data.get("title", ""), data.get("description", "")
        return Area(area, title, description, actions, Loc(doc.file, 0, 0, ""))

    def _named_file(self, filename: str, key: str, make: Any) -> list[Any]:
        doc = self.docs.get(filename)
        if doc is None:
            return []
        return [make(doc, (key, name)) for name in doc.data.get(key, {})]

    # -- entries ---------------------------------------------------------------

    def _action(self, doc: Document, path: Path, area: str) -> Action:
        data = at(doc.data, path)
        return Action(
            wire=data["action"],
            area=area,
            summary=data["summary"],
            description=data.get("description", ""),
            python_name=data.get("python_name"),
            sources=shape.kept(data.get("sources", [])),
            aliases=tuple(sorted(data.get("aliases", {}).items())),
            params=self._fields(doc, (*path, "params"), data.get("params", {}), param=True),
            result=self._result(doc, (*path, "result"), data.get("result")),
            notes=shape.kept(data.get("notes", [])),
            loc=doc.loc(path),
            napcat_differs=tuple(data.get("napcat_differs", {}).items()),
            example=self._example(doc, (*path, "example"), data.get("example")),
            review=shape.kept(data.get("review", [])),
        )

    def _example(self, doc: Document, path: Path, text: str | None) -> str | None:
        """A call ``bot.METHOD(...)``: one Python expression (the method is checked by resolve)."""
        if text is None:
            return None
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            self.problems.add(
                doc.loc(path),
                f"the example is not a Python expression: {exc.msg}",
                'write one call, e.g. bot.send_msg(message_type="group", group_id=123456, ...)',
            )
            return None
        call = tree.body
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "bot"
        ):
            self.problems.add(
                doc.loc(path),
                "the example must be one call of a method of bot: bot.METHOD(...)",
                "write the call alone; the docs add 'result = ' when the action returns a value",
            )
            return None
        return text.strip()

    def _model(self, doc: Document, path: Path) -> Model:
        data = at(doc.data, path)
        return Model(
            name=str(path[-1]),
            description=data.get("description", ""),
            fields=self._fields(doc, (*path, "fields"), data.get("fields", {}), param=False),
            notes=shape.kept(data.get("notes", [])),
            loc=doc.loc(path),
            review=shape.kept(data.get("review", [])),
        )

    def _segment(self, doc: Document, path: Path) -> Segment:
        data = at(doc.data, path)
        fields = self._fields(doc, (*path, "fields"), data.get("fields", {}), param=False)
        return Segment(
            type=str(path[-1]),
            summary=data["summary"],
            description=data.get("description", ""),
            python_name=data.get("python_name"),
            sources=shape.kept(data.get("sources", [])),
            fields=fields,
            notes=shape.kept(data.get("notes", [])),
            loc=doc.loc(path),
            one_of=self._one_of(doc, (*path, "one_of"), data.get("one_of", []), fields),
        )

    def _one_of(
        self, doc: Document, path: Path, value: list[Any], fields: tuple[Field, ...]
    ) -> tuple[tuple[str, ...], ...]:
        """Groups of optional fields; a segment needs one group given whole."""
        by_name = {f.name: f for f in fields}
        groups: list[tuple[str, ...]] = []
        seen: set[str] = set()
        for i, group in enumerate(value):
            if group is shape.CUT:
                continue
            names = shape.kept(group)
            for name in names:
                field = by_name.get(name)
                if field is None:
                    hint = closest(name, by_name) if by_name else "add the field"
                    self.problems.add(doc.loc((*path, i)), f"one_of names no field {name!r}", hint)
                elif field.required:
                    self.problems.add(
                        doc.loc((*path, i)),
                        f"one_of names {name!r}, which is required anyway",
                        f"mark {name!r} 'required: false', or leave it out of one_of",
                    )
                elif name in seen:
                    self.problems.add(
                        doc.loc((*path, i)),
                        f"one_of names {name!r} twice",
                        "put each field in one group",
                    )
                seen.add(name)
            groups.append(names)
        return tuple(groups)

    def _exclusion(self, doc: Document, path: Path) -> Exclusion:
        return Exclusion(str(path[-1]), at(doc.data, path), doc.loc(path))

    def _sender(self, doc: Document, path: Path) -> Sender:
        data = at(doc.data, path)
        parts = tuple(
            self._part(doc, (*path, "parts", segment), segment, field)
            for segment, field in data.get("parts", {}).items()
        )
        ids = data.get("ids")
        if data.get("one_of") and data.get("message"):
            self.problems.add(
                doc.loc((*path, "one_of")),
                "'one_of' sends exactly one part, so it cannot take a 'message' too",
                "remove 'message: true' or 'one_of: true'",
            )
        return Sender(
            name=str(path[-1]),
            action=data["action"],
            summary=data["summary"],
            description=data.get("description", ""),
            parts=parts,
            message=data.get("message", False),
            one_of=data.get("one_of", False),
            ids=(
                None if ids is None else Part(ids["segment"], ids["field"], doc.loc((*path, "ids")))
            ),
            loc=doc.loc(path),
        )

    def _part(self, doc: Document, path: Path, segment: str, field: Any) -> Part:
        """``segment: field`` (or null), or ``segment: {field: F, many: true}``."""
        if isinstance(field, dict):
            return Part(segment, field["field"], doc.loc(path), field.get("many", False))
        return Part(segment, field, doc.loc(path))

    def _result(self, doc: Document, path: Path, value: Any) -> Result:
        if value is None:
            return None
        if isinstance(value, str):
            return self._type(doc, path, value)
        fields = self._fields(doc, (*path, "fields"), value["fields"], param=False)
        return InlineResult(value.get("description", ""), fields)

    def _fields(
        self, doc: Document, path: Path, value: dict[str, Any], *, param: bool
    ) -> tuple[Field, ...]:
        fields = (self._field(doc, (*path, name), name, param) for name in value)
        return tuple(field for field in fields if field is not None)

    def _field(self, doc: Document, path: Path, name: str, param: bool) -> Field | None:
        data = at(doc.data, path)
        type_ = self._type(doc, (*path, "type"), data["type"])
        if type_ is None:
            return None
        enum = shape.kept(data.get("enum", []))
        default = data.get("default", _MISSING)
        if "enum" in data:
            self._check_enum(doc, path, type_, data["enum"])
        if default is not _MISSING:
            self._check_default(doc, path, type_, enum, default)
            if data.get("required") is True:
                self.problems.add(
                    doc.loc((*path, "required")),
                    "a param with a default cannot be required",
                    "remove 'required: true' or the default",
                )
        return Field(
            name=name,
            type=type_,
            description=data.get("description", ""),
            enum=enum,
            default=default,
            required=data.get("required", default is _MISSING),
            python_name=data.get("python_name"),
            loc=doc.loc(path),
        )

    def _events(self) -> Events:
        doc = self.docs.get("events.yaml")
        if doc is None:
            return Events()
        common = self._fields(doc, ("common",), doc.data.get("common", {}), param=False)
        kinds: dict[str, Event] = {}
        bases: dict[str, tuple[str, Loc]] = {}
        for name in doc.data.get("events", {}):
            kinds[name] = self._event(doc, ("events", name), bases)
        quick = doc.data.get("quick_operation")
        if quick is not None:
            self.type_uses.append((t.Ref(quick), doc.loc(("quick_operation",))))
        resolved = tuple(self._with_bases(kinds, bases).values())
        return Events(common, resolved, quick)

    def _event(self, doc: Document, path: Path, bases: dict[str, tuple[str, Loc]]) -> Event:
        data = at(doc.data, path)
        if "base" in data:
            bases[str(path[-1])] = (data["base"], doc.loc((*path, "base")))
        # The order the kinds are told apart in: post_type, the others as written, sub_type.
        discriminators = sorted(
            (
                (key, shape.kept(v if isinstance(v, list) else [v]))
                for key, v in data["discriminators"].items()
            ),
            key=lambda item: {POST_TYPE: 0, SUB_TYPE: 2}.get(item[0], 1),
        )
        return Event(
            name=str(path[-1]),
            summary=data["summary"],
            description=data.get("description", ""),
            discriminators=tuple(discriminators),
            present=data.get("present"),
            napcat=data.get("napcat", True),
            sources=shape.kept(data.get("sources", [])),
            fields=self._fields(doc, (*path, "fields"), data.get("fields", {}), param=False),
            notes=shape.kept(data.get("notes", [])),
            loc=doc.loc(path),
        )

    def _with_bases(
        self, kinds: dict[str, Event], bases: dict[str, tuple[str, Loc]]
    ) -> dict[str, Event]:
        """Each event with the fields of its base (and the base's base) before its own."""

        def fields_of(name: str, seen: tuple[str, ...]) -> tuple[Field, ...]:
            own = kinds[name].fields
            if name not in bases:
                return own
            base, loc = bases[name]
            if base in seen or base not in kinds:
                problem = "a base cycle" if base in seen else f"unknown event {base!r}"
                self.problems.add(loc, f"'base' names {problem}", closest(base, kinds))
                return own
            inherited = fields_of(base, (*seen, base))
            mine = {f.name for f in own}
            return (*(f for f in inherited if f.name not in mine), *own)

        return {
            name: replace(kind, fields=fields_of(name, (name,))) for name, kind in kinds.items()
        }

    # -- checks ----------------------------------------------------------------

    def _type(self, doc: Document, path: Path, text: str) -> t.TypeExpr | None:
        try:
            parsed = t.parse(text)
        except t.TypeSyntaxError as exc:
            better = t.suggest(text)
            hint = (
                f"did you mean {better!r}?" if better else "see the type language in spec/README.md"
            )
            self.problems.add(doc.loc(path), str(exc), hint)
            return None
        redundant = t.redundancy(parsed)
        if redundant:
            self.problems.add(doc.loc(path), redundant, f"write {t.render(t.normalize(parsed))!r}")
        self.type_uses.append((parsed, doc.loc(path)))
        return parsed

    def _check_enum(self, doc: Document, path: Path, type_: t.TypeExpr, enum: list[Any]) -> None:
        scalars = t.scalar_names(type_) - {"null"}
        if scalars not in ({"str"}, {"int"}):
            self.problems.add(
                doc.loc((*path, "enum")),
                "enum needs type str or int",
                "change the type to str or int",
            )
            return
        want = str if scalars == {"str"} else int
        for i, value in enumerate(enum):
            if value is shape.CUT:
                continue
            if not isinstance(value, want):
                self.problems.add(
                    doc.loc((*path, "enum", i)),
                    f"enum value {value!r} is not {want.__name__}",
                    f"write a {want.__name__} value",
                )
            elif isinstance(value, str) and not value.isprintable():
                self.problems.add(
                    doc.loc((*path, "enum", i)),
                    f"enum value {value!r} has a control, line-break or other invisible character",
                    "write an enum value of visible characters and spaces",
                )

    def _check_default(
        self, doc: Document, path: Path, type_: t.TypeExpr, enum: tuple[Any, ...], value: Any
    ) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            self.problems.add(
                doc.loc((*path, "default")),
                f"default {value!r} is not a number JSON can carry",
                "give a finite number; YAML's .inf, .nan and 1e400 are not",
            )
            return
        if enum and value not in enum:
            self.problems.add(
                doc.loc((*path, "default")),
                f"default {value!r} is not in enum",
                "use an enum value",
            )
            return
        allowed = t.scalar_names(type_)
        ok = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "str": isinstance(value, str),
            "id": isinstance(value, (int, str)) and not isinstance(value, bool),
            "null": value is None,
            "any": True,
            "message": isinstance(value, str),
        }
        if not any(ok.get(name, False) for name in allowed):
            self.problems.add(
                doc.loc((*path, "default")),
                f"default {value!r} does not match type {t.render(type_)}",
                "give a default of the param's type",
            )

    def check_refs(self, spec: Spec) -> None:
        known = {m.name for m in spec.models}
        for type_, loc in self.type_uses:
            for name in sorted(t.refs(type_) - known):
                self.problems.add(loc, f"unknown type {name!r}", _type_hint(name, known))

    def check_senders(self, spec: Spec) -> None:
        actions = {a.wire: a for area in spec.areas for a in area.actions}
        segments = {s.type: s for s in spec.segments}
        for sender in spec.senders:
            action = actions.get(sender.action)
            if action is None:
                self.problems.add(
                    sender.loc,
                    f"sender {sender.name!r} sends through unknown action {sender.action!r}",
                    closest(sender.action, actions),
                )
            elif len(message_params(action)) != 1:
                self.problems.add(
                    sender.loc,
                    f"sender {sender.name!r}: action {sender.action!r} (at {action.loc}) needs "
                    "exactly one param of type message",
                    "send through an action that takes one message",
                )
            for part in (*sender.parts, *([sender.ids] if sender.ids else [])):
                segment = segments.get(part.segment)
                if segment is None:
                    self.problems.add(
                        part.loc,
                        f"unknown segment type {part.segment!r}",
                        closest(part.segment, segments),
                    )
                    continue
                fields = [f.name for f in segment.fields]
                if part.field is not None and part.field not in fields:
                    self.problems.add(
                        part.loc,
                        f"segment {part.segment!r} (at {segment.loc}) has no field {part.field!r}",
                        closest(part.field, fields) if fields else "write null",
                    )

    def check_events(self, spec: Spec) -> None:
        """Fields do not restate discriminators or common fields; ``present`` names a field.
        (Discriminators that do not select exactly one kind are reported by ``selector``.)
        """
        common = {f.name for f in spec.events.common}
        for event in spec.events.kinds:
            for field in event.fields:
                if field.name in dict(event.discriminators):
                    self.problems.add(
                        field.loc,
                        f"field {field.name!r} is a discriminator of {event.name}",
                        "its values come from 'discriminators'; remove the field",
                    )
                elif field.name in common:
                    self.problems.add(
                        field.loc,
                        f"field {field.name!r} is common to every event",
                        "remove it here; it is listed under 'common'",
                    )
            names = [f.name for f in event.fields]
            if event.present is not None and event.present not in names:
                self.problems.add(
                    event.loc,
                    f"'present' names {event.present!r}, which is not a field of {event.name}",
                    closest(event.present, names) if names else "add the field",
                )


def message_params(action: Action) -> list[Field]:
    """The params of an action that take a message."""
    return [p for p in action.params if p.type == t.MESSAGE]


def _type_hint(name: str, models: set[str]) -> str:
    better = t.suggest(name)
    if better:
        return f"did you mean {better!r}?"
    choices = set(t.PRIMITIVES) | models
    hint = closest(name, choices)
    if hint.startswith("did you mean"):
        return hint
    return "use a built-in type (" + ", ".join(t.PRIMITIVES) + ") or define it in models.yaml"
