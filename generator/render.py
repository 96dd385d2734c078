"""Stage 3: Api → the files of the package and its docs, in memory (before formatting)."""

from __future__ import annotations

import ast
import inspect
from importlib.resources import files
from pathlib import Path
from importlib.resources.abc import Traversable
from typing import Any

import jinja2

from . import imports, render_models, render_openapi
from .names import ASYNC_SENDERS, SENDERS
from .formatting.steps import Batch, Step
from .text import docstring_text, table_cell
from .unasync import MODULES, unasync
from .resolve import (
    ANY_EVENT_HANDLER,
    SENDERS_MODULE,
    EVENT_UNION,
    UNKNOWN_EVENT,
    UNKNOWN_EVENT_HANDLER,
    Api,
)

CLIENT_VERSION = "0.1.0"
PACKAGE = render_models.PACKAGE
HEADER = render_models.HEADER
TEMPLATES = files("onebot_gen.templates")


def render(api: Api, compiled: Path | None = None) -> dict[str, str | Step | Batch]:
    """Every file made from the spec (all but the runtime), by its path relative to the output
    directory: its text, or the step that makes it (see ``formatting.plan.formatted``). ``compiled``:
    where to keep the compiled templates between builds."""
    env, code = _environment(False, compiled), _environment(True, compiled)
    models = render_models.modules(api)
    plan = imports.plan(api)
    errors = _runtime_dir().joinpath("errors.py").read_text("utf-8")
    out: dict[str, str | Step | Batch] = {
        "pyproject.toml": code.get_template("pyproject.toml.jinja").render(
            header=HEADER, version=CLIENT_VERSION
        ),
        f"{PACKAGE}/py.typed": "",
        "openapi.json": render_openapi.document(api, CLIENT_VERSION, models),
        **{f"{PACKAGE}/{path}": text for path, text in render_models.render(api, models).items()},
        **{f"{PACKAGE}/{path}": text for path, text in _api(code, api, plan).items()},
        f"{PACKAGE}/seg.py": _segments(code, api, plan.segments),
        f"{PACKAGE}/events.py": _events(code, api, plan.events),
        f"{PACKAGE}/testing.py": _testing(code, api, plan.testing),
        f"{PACKAGE}/__init__.py": _init(code, errors),
        **_docs(env, api),
        "docs/errors.md": env.get_template("docs/errors.md.jinja").render(
            errors=error_classes(errors)
        ),
    }
    return dict(sorted(out.items()))


def _environment(code: bool, compiled: Path | None) -> jinja2.Environment:
    """The templates' environment: Python templates (``code``) read like the code they make
    (``trim_blocks``, ``lstrip_blocks``; black lays the output out), docs templates keep every
    line as written. Compiling the templates takes a third of a build the cache mostly has, so
    they are kept compiled in ``compiled`` (by their source's hash) when it is given."""
    cache = None
    if compiled is not None:
        directory = compiled / ("code" if code else "docs")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            cache = jinja2.FileSystemBytecodeCache(str(directory))
        except OSError:
            pass  # an unwritable cache only costs speed
    env = jinja2.Environment(
        bytecode_cache=cache,
        loader=jinja2.FunctionLoader(
            lambda name: TEMPLATES.joinpath(name).read_text(encoding="utf-8")
        ),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=code,
        lstrip_blocks=code,
    )
    env.filters["doc"] = docstring_text
    env.filters["cell"] = table_cell
    return env


def runtime() -> dict[str, str]:
    """The hand-written runtime, by path: each file as it is (the tests keep it formatted) under
    a line saying where to edit it; and the blocking client's I/O, made from the asyncio
    client's (see ``unasync``; the tests check that it comes out formatted)."""
    out = {}
    for f in sorted(_runtime_dir().iterdir(), key=lambda f: f.name):
        if f.name.endswith(".py"):
            source = f.read_text(encoding="utf-8")
            out[f"{PACKAGE}/{f.name}"] = RUNTIME_HEADER.format(name=f.name) + source
            if f.name in MODULES:
                made = UNASYNC_HEADER.format(name=f.name) + unasync(source)
                out[f"{PACKAGE}/{MODULES[f.name]}"] = made
    return out


#: The first line of each runtime file in the package: where to change it.
RUNTIME_HEADER = (
    "# Copied from templates/runtime/{name} by `onebot-gen build`. Do not edit: change it there.\n"
)
#: The first line of a module the build makes from another (``unasync.MODULES``).
UNASYNC_HEADER = (
    "# Made from templates/runtime/{name} by `onebot-gen build`. Do not edit: change it there.\n"
)


def _runtime_dir() -> Traversable:
    return TEMPLATES.joinpath("runtime")


def _api(env: jinja2.Environment, api: Api, plan: imports.Plan) -> dict[str, str]:
    """``api/``, a module per area (and one of senders), and ``client.py``, which composes them."""
    out = {"api/__init__.py": env.get_template("api/__init__.py.jinja").render(header=HEADER)}
    for area in api.areas:
        out[f"api/{area.name}.py"] = env.get_template("api/area.py.jinja").render(
            header=HEADER, area=area, i=plan.areas[area.name]
        )
    if plan.senders:
        out[f"api/{SENDERS_MODULE}.py"] = env.get_template("api/senders.py.jinja").render(
            header=HEADER,
            senders=api.senders,
            reply=api.reply,
            names={"sync": SENDERS, "async": ASYNC_SENDERS},
            bases=plan.sender_bases,
            i=plan.senders,
        )
    out["client.py"] = env.get_template("client.py.jinja").render(header=HEADER, bases=plan.client)
    return out


def _segments(env: jinja2.Environment, api: Api, i: imports.Imports) -> str:
    return env.get_template("seg.py.jinja").render(header=HEADER, segments=api.segments, i=i)


def _events(env: jinja2.Environment, api: Api, i: imports.Imports) -> str:
    return env.get_template("events.py.jinja").render(
        header=HEADER,
        events=api.events,
        groups=api.event_groups,
        selector=repr(api.event_selector),
        groups_of=repr({e.class_name: e.group for e in api.events}),
        # quoted: the model is imported for type checkers only
        returns=f'"{api.quick_operation} | None"' if api.quick_operation else "None",
        i=i,
        unknown_handler=UNKNOWN_EVENT_HANDLER,
        unknown_kind=UNKNOWN_EVENT,
        any_handler=ANY_EVENT_HANDLER,
        any_kind=EVENT_UNION,
    )


def _testing(env: jinja2.Environment, api: Api, i: imports.Imports) -> str:
    """The fake server's table of actions and its typed signatures (``onebot_client.testing``)."""
    return env.get_template("testing.py.jinja").render(
        header=HEADER,
        actions=api.actions,
        events=api.events,
        # the spec has at least one action; ``on`` is overloaded when it has more
        overloaded_on=len(api.actions) > 1,
        i=i,
    )


#: The servers NapCat connects to, by the runtime module that has each (imported on first use).
SERVERS = {"HttpPostServer": "_post", "ReverseWebSocketServer": "_reverse"}


def _init(env: jinja2.Environment, errors_source: str) -> str:
    error_names = _all_names(errors_source)
    exports = sorted(
        [
            *["AsyncOneBot", "OneBot", "NOT_GIVEN", "NotGiven", "cq", "seg"],
            *["mentioned", "plain_text", *error_names, *SERVERS],
        ]
    )
    return env.get_template("__init__.py.jinja").render(
        header=HEADER, error_names=error_names, exports=exports, servers=SERVERS
    )


def error_classes(source: str) -> dict[str, Any]:
    """The error classes of the runtime's errors.py, read without importing it: each one's name,
    bases and docstring, in the module's order, and which class each retcode raises."""
    tree = ast.parse(source)
    public = set(_all_names(source))
    classes = [
        {
            "name": node.name,
            "bases": [b.id for b in node.bases if isinstance(b, ast.Name) and b.id != "Exception"],
            "doc": inspect.cleandoc(ast.get_docstring(node) or ""),
        }
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name in public
    ]
    by_retcode: list[tuple[int, str]] = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Dict):
            by_retcode = [
                (k.value, v.id)
                for k, v in zip(node.value.keys, node.value.values)
                if isinstance(k, ast.Constant)
                and isinstance(k.value, int)
                and isinstance(v, ast.Name)
            ]
    return {"classes": classes, "by_retcode": sorted(by_retcode)}


def _all_names(source: str) -> list[str]:
    """The runtime module's ``__all__``, read without importing it."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(n, ast.Name) and n.id == "__all__" for n in node.targets
        ):
            return sorted(ast.literal_eval(node.value))
    raise ValueError("templates/runtime/errors.py must define __all__")


# -- docs ----------------------------------------------------------------------


def _docs(env: jinja2.Environment, api: Api) -> dict[str, str]:
    models = {m.class_name for m in api.models}
    model_links = {a.wire: sorted(a.returns_uses & models) for a in api.actions}
    context = {"api": api, "model_links": model_links}
    out = {
        "docs/index.md": env.get_template("docs/index.md.jinja").render(**context),
        "docs/models.md": env.get_template("docs/models.md.jinja").render(**context),
        "docs/segments.md": env.get_template("docs/segments.md.jinja").render(**context),
        "docs/testing.md": env.get_template("docs/testing.md.jinja").render(**context),
        "docs/events.md": env.get_template("docs/events.md.jinja").render(
            events_by_group={
                g.class_name: [e for e in api.events if e.group == g.class_name]
                for g in api.event_groups
            },
            napcat_count=sum(e.napcat for e in api.events),
            **context,
        ),
        "docs/connecting.md": env.get_template("docs/connecting.md.jinja").render(**context),
    }
    for area in api.areas:
        out[f"docs/{area.name}.md"] = env.get_template("docs/area.md.jinja").render(
            area=area, **context
        )
    return out
