"""Every Python name the generator makes comes from here: one rule, one reserved-word set."""

from __future__ import annotations

import ast
import functools
import keyword
import re
from importlib.resources import files
from typing import Generic

from .unasync import MODULES, unasync

#: Names a generated function body uses itself (``self``, ``timeout=``, the helpers it calls): a
#: parameter may not take one.
BODY_NAMES = frozenset({"self", "timeout", "cast", "compose", "segments_of_ids", "_segment"})

#: What the body names mean to a caller, for messages.
BODY_NAMES_MEANING = {
    "timeout": "the keyword for the seconds the client waits for the reply",
    "self": "the client itself",
}

#: The Python names of NapCat's params that are named like a client keyword (which resolve refuses
#: without a python_name): NapCat's ``timeout`` is the send timeout in milliseconds.
KEYWORD_PARAM_NAMES = {"timeout": "send_timeout_ms"}

#: Names a parameter made by the naming rule does not take (it gets a trailing ``_``): Python
#: keywords, soft keywords (spelled out, so that output does not depend on the Python running the
#: generator) and the body's names.
RESERVED = frozenset(keyword.kwlist) | {"_", "case", "match", "type"} | BODY_NAMES

#: Every name the generated modules (client.py, api/, models/, seg.py, events.py, testing.py)
#: import or define besides the spec's classes and functions: no model, class or segment builder
#: may take one, since each module imports the others' names. tests/test_quality.py checks it
#: against the output.
#: The classes of the senders (``api/senders.py``), in ``OneBot`` and in ``AsyncOneBot``.
SENDERS = "Senders"
ASYNC_SENDERS = "AsyncSenders"

MODULE_NAMES = frozenset(
    {
        "annotations",
        # typing, collections.abc
        "Any",
        "Literal",
        "NotRequired",
        "Required",
        "Sequence",
        "TYPE_CHECKING",
        "TypeAlias",
        "TypedDict",
        "TypeVar",
        "Union",
        "Awaitable",
        "Callable",
        "cast",
        "overload",
        # the runtime
        "AsyncClient",
        "NOT_GIVEN",
        "NotGiven",
        "SyncClient",
        SENDERS,
        ASYNC_SENDERS,
        "Timeout",
        "compose",
        "segments_of_ids",
        "reply_params",
        "AsyncRouter",
        "Selector",
        "SyncRouter",
        "_parse",
        # defined by the templates
        "AsyncOneBot",
        "OneBot",
        "_segment",
        "CQ_SCALARS",
        "CQ_OBJECTS",
        "AsyncHandler",
        "AsyncHandlers",
        "E",
        "FrameLog",
        "GROUPS",
        "Handler",
        "Handlers",
        "SELECTOR",
        "parse",
        # testing.py
        "ACTIONS",
        "Call",
        "Fake",
        "FakeOneBot",
        "FakeServer",
        "FakeNapCat",
        "_fake_wire",
        "__getattr__",
        "GROUP_ID",
        "Mapping",
        "SELF_ID",
        "USER_ID",
        "overload",
    }
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(wire: str) -> str:
    """``ArkSharePeer`` → ``ark_share_peer``; ``.ocr_image`` and ``_send_group_notice`` lose the prefix."""
    return _CAMEL.sub("_", wire.lstrip("._")).replace(".", "_").lower()


def method_name(wire: str, override: str | None) -> str:
    return override or snake(wire)


def param_name(wire: str, override: str | None) -> str:
    if override:
        return override
    name = snake(wire)
    return f"{name}_" if name in RESERVED else name


def sender_keyword(builder: str) -> str:
    """A sender's keyword for a segment: its builder's name (``seg.<builder>``), as a param."""
    return param_name(builder, None)


def class_name(python_name: str) -> str:
    """``set_group_ban`` → ``SetGroupBan``."""
    return "".join(part[:1].upper() + part[1:] for part in python_name.split("_"))


def is_identifier(name: str) -> bool:
    """Whether Python accepts the name as an attribute, argument or class-syntax TypedDict key."""
    return name.isidentifier() and not keyword.iskeyword(name)


#: The runtime modules that define the clients' classes (and the blocking one made from
#: ``_client_async.py``).
CLIENT_MODULES = ("_base.py", "_client_async.py", "_clients.py")


@functools.cache
def client_attributes() -> frozenset[str]:
    """Every attribute of the runtime's client classes (methods, class and instance attributes,
    and those of ``object``): a generated method may not take one. Read from the runtime's source,
    so that it follows the runtime."""
    runtime = files("onebot_gen.templates").joinpath("runtime")
    texts = {n: runtime.joinpath(n).read_text("utf-8") for n in CLIENT_MODULES}
    sources = [*texts.values(), *(unasync(texts[n]) for n in MODULES)]
    found = set(dir(type("Client", (), {"__annotations__": {}})))  # what every class has
    found |= {*dir(Generic), "__orig_bases__", "__parameters__"}  # and a generic one's subclass
    classes = (n for s in sources for n in ast.parse(s).body if isinstance(n, ast.ClassDef))
    for cls in classes:
        for statement in cls.body:  # methods and class attributes
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                found.add(statement.name)
            elif isinstance(statement, ast.AnnAssign | ast.Assign):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                found |= {t.id for t in targets if isinstance(t, ast.Name)}
        for node in ast.walk(cls):  # instance attributes: self.x = ...
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            ):
                found.add(node.attr)
    return frozenset(found)
