"""A strict validator of plain data against the package's TypedDicts.

Strict as a server's payload deserves: every required key present, no key the type does not
declare, ``bool`` never taken for ``int``, literals matched exactly. It reads the annotations
themselves (``NotRequired`` included), so it checks what type checkers see. ``onebot_client.testing``
checks every call's params and every scripted result with it.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, NotRequired, Union, get_args, get_origin, get_type_hints

#: How much of a value a problem quotes.
SHOWN_CHARS = 60


def problems(value: Any, annotation: Any, where: str = "$") -> list[str]:
    """Every way ``value`` fails ``annotation``, each with its path; empty when it fits."""
    origin = get_origin(annotation)
    if annotation is Any:
        return []
    if annotation is None or annotation is type(None):
        return [] if value is None else [f"{where}: {shown(value)} is not None"]
    if origin is NotRequired:
        return problems(value, get_args(annotation)[0], where)
    if origin is Literal:
        ok = any(value == v and type(value) is type(v) for v in get_args(annotation))
        return [] if ok else [f"{where}: {shown(value)} is not one of {get_args(annotation)}"]
    if origin in (Union, types.UnionType):
        return _union(value, annotation, where)
    if typing.is_typeddict(annotation):
        return _typed_dict(value, annotation, where)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} is not a list"]
        (item,) = get_args(annotation)
        return [p for i, v in enumerate(value) for p in problems(v, item, f"{where}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} is not a dict"]
        key, item = get_args(annotation)
        return [p for k, v in value.items() for p in problems(v, item, f"{where}.{k}")]
    if annotation in (int, float, str, bool):
        ok = isinstance(value, annotation) and (annotation is bool or not isinstance(value, bool))
        if annotation is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{where}: {shown(value)} is not {annotation.__name__}"]
    raise TypeError(f"{where}: the validator does not know {annotation!r}")


def type_name(annotation: Any) -> str:
    """``int | str``, ``list[Segment]``: an annotation as it is written."""
    if isinstance(annotation, type) and get_origin(annotation) is None:
        return annotation.__name__
    if annotation is None or annotation is type(None):
        return "None"
    return str(annotation).replace("typing.", "").replace("onebot_client.models.", "")


def _union(value: Any, annotation: Any, where: str) -> list[str]:
    found = [problems(value, option, where) for option in get_args(annotation)]
    if any(not f for f in found):
        return []
    # The options the value has the shape of (a dict of the right segment type, a list...):
    # their problems are the ones worth telling.
    near = [f for f in found if not any(_at(p, where) or _at(p, f"{where}.type") for p in f)]
    if len(near) == 1:
        return near[0]
    return [f"{where}: {shown(value)} is not {type_name(annotation)}"]


def _at(problem: str, where: str) -> bool:
    return problem.startswith(f"{where}: ")


def _typed_dict(value: Any, cls: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__} is not a {cls.__name__}"]
    hints = get_type_hints(cls, include_extras=True)
    out = [f"{where}.{key}: not a key of {cls.__name__}" for key in value if key not in hints]
    for key, annotation in hints.items():
        if key in value:
            out += problems(value[key], annotation, f"{where}.{key}")
        elif get_origin(annotation) is not NotRequired:
            out.append(f"{where}.{key}: required by {cls.__name__}, missing")
    return out


def shown(value: Any) -> str:
    """``value`` as an error message quotes it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
