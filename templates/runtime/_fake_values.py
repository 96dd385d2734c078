"""The testing kit's values: what JSON carries, and a value of any result or event type, made
from the type (the fake's default answers and the events it builds)."""

from __future__ import annotations

import functools
import itertools
import json
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, Union, get_args, get_origin, get_type_hints

from ._check import problems
from ._envelope import encode

#: Values of keys that a default result or a built event has, when they fit its type: a fake
#: that is up and well.
PLAUSIBLE = {"online": True, "good": True}

#: What an id param is typed as (``Id``: a number, or its digits), and a number NapCat takes:
#: at most 20 ASCII digits (``str.isdigit`` takes ``²``, which is no number).
ID = int | str
NUMBER = re.compile(r"-?[0-9]{1,20}")


def not_a_number(value: object) -> bool:
    """Whether an ``int | str`` value (another type is a type error) is no number."""
    fits = isinstance(value, int | str) and not isinstance(value, bool)
    return fits and not NUMBER.fullmatch(str(value))


@functools.cache
def hints(cls: type[object]) -> dict[str, Any]:
    """A TypedDict's annotations, ``NotRequired`` taken off."""
    return get_type_hints(cls)


def conversions(value: object) -> list[object]:
    """Other JSON forms of an id (``"123"`` and ``123``), for a result key of the other type."""
    if isinstance(value, str) and NUMBER.fullmatch(value):
        return [int(value)]
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value)]
    return []


def wire(value: object) -> Any:
    """``value`` as the server gets it: through JSON (a tuple arrives as a list; what JSON
    cannot carry raises ``TypeError``, as it does in the transports)."""
    return json.loads(encode(value))


class Values:
    """A value of a type: a known value where one fits its key (an id in either JSON form), a
    new ``message_id`` each time, else the type's plainest (0, "", False, [], the first of a
    Literal's values; optional keys left out)."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def of(self, annotation: Any, known: Mapping[str, Any]) -> Any:
        origin = get_origin(annotation)
        args = get_args(annotation)
        if origin is NotRequired:
            return self.of(args[0], known)
        if origin is Literal:
            return args[0]
        if origin in (Union, types.UnionType):
            options = [a for a in args if a is not type(None)] or [None]
            return self.of(options[0], known)
        if typing.is_typeddict(annotation):
            fields = get_type_hints(annotation, include_extras=True)
            return {
                key: self._field(key, hint, known)
                for key, hint in fields.items()
                if get_origin(hint) is not NotRequired
            }
        if origin is list:
            return []
        if origin is dict:
            return {}
        return {int: 0, float: 0.0, str: "", bool: False}.get(annotation)

    def _field(self, key: str, annotation: Any, known: Mapping[str, Any]) -> Any:
        if key in known:
            given = known[key]
            for candidate in (given, *conversions(given)):
                if not problems(candidate, annotation):
                    return candidate
        if key == "message_id" and not problems(0, annotation):
            return next(self._ids)
        return self.of(annotation, known)
