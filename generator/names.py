"""Every Python name the generator makes comes from here: one rule, one reserved-word set."""

from __future__ import annotations

import keyword
import re

#: Names a generated parameter may not take: Python keywords, soft keywords (spelled out, so that
#: output does not depend on the Python running the generator) and names a method body uses itself.
RESERVED = frozenset(keyword.kwlist) | {"_", "case", "match", "type"} | {"self", "timeout", "cast"}

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


def class_name(python_name: str) -> str:
    """``set_group_ban`` → ``SetGroupBan``."""
    return "".join(part[:1].upper() + part[1:] for part in python_name.split("_"))


def is_identifier(name: str) -> bool:
    """Whether Python accepts the name as an attribute, argument or class-syntax TypedDict key."""
    return name.isidentifier() and not keyword.iskeyword(name)
