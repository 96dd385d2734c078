"""CQ codes: the string form of a message (``"hi [CQ:at,qq=123]"``), as OneBot 11 defines it.

A string ``message`` is parsed for CQ codes by the server (unless ``auto_escape``); ``escape`` a
user's text before putting it in one. ``render`` and ``parse`` convert between segment lists and
strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Segment

__all__ = ["escape", "parse", "render", "unescape"]

_TEXT = (("&", "&amp;"), ("[", "&#91;"), ("]", "&#93;"))
_COMMA = (",", "&#44;")
#: A CQ code: ``[CQ:`` and what follows up to the next ``]``, holding no other bracket (a regular
#: expression without backtracking: ``parse`` takes linear time whatever the string).
_CODE = re.compile(r"\[CQ:([^\[\]]*)\]")
_BOOLS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
#: The longest string ``parse`` takes, in characters: it runs on the event loop, and 1 MiB of
#: nothing but CQ codes takes about 0.3 s (``bench/cq.py``). No QQ message comes near it.
MAX_CHARS = 1024 * 1024


def escape(text: str, *, comma: bool = False) -> str:
    """``text`` with ``&``, ``[`` and ``]`` escaped (and ``,`` with ``comma``, as inside a CQ
    code's value), so the server sends it as written."""
    for char, code in (*_TEXT, _COMMA) if comma else _TEXT:
        text = text.replace(char, code)
    return text


def unescape(text: str) -> str:
    """The text an escaped string stands for (``&#91;`` → ``[``...)."""
    if "&" not in text:  # the usual case, at a fifth of the cost
        return text
    for char, code in reversed((*_TEXT, _COMMA)):  # "&amp;" last: it may spell the others
        text = text.replace(code, char)
    return text


def render(segments: Iterable[Mapping[str, Any]]) -> str:
    """The CQ-code string of segments: text as escaped text, any other segment as
    ``[CQ:type,key=value,...]`` (values as strings; booleans as 1/0)."""
    out = []
    for segment in segments:
        data: Mapping[str, Any] = segment.get("data") or {}
        if segment["type"] == "text":
            out.append(escape(str(data.get("text", ""))))
            continue
        params = "".join(
            f",{key}={escape(_text(value), comma=True)}" for key, value in data.items()
        )
        out.append(f"[CQ:{segment['type']}{params}]")
    return "".join(out)


def parse(message: str) -> list[Segment]:
    """The segments of a CQ-code string. A ``[CQ:`` that does not start a well-formed code is
    text.

    A CQ code's values are text; those of the fields the segment types as numbers or booleans
    (``[CQ:dice,result=3]``: ``3``) are converted, and those of the fields it types as objects
    are left out (a CQ code cannot carry an object: NapCat writes a face's ``raw`` as
    ``[object Object]``). A value that does not convert, a CQ code of a type the spec does not
    know, or with keys it does not list, is kept as written: such a segment is not one of the
    ``Segment`` types, whatever its static type says. Never raises for a string of up to
    ``MAX_CHARS`` characters (linear time); ``ValueError`` for a longer one.
    """
    from .seg import CQ_OBJECTS, CQ_SCALARS

    if len(message) > MAX_CHARS:
        raise ValueError(f"a CQ-code string of {len(message)} characters (at most {MAX_CHARS})")
    segments: list[Any] = []  # dicts made to fit the segment types
    text_from = 0
    for code in _CODE.finditer(message):
        segment = _code(code[1])
        if segment is None:
            continue
        if code.start() > text_from:
            segments.append(_text_segment(message[text_from : code.start()]))
        scalars = CQ_SCALARS.get(segment["type"], {})
        data = segment["data"]
        for key in scalars.keys() & data.keys():
            data[key] = _scalar(scalars[key], data[key])
        for key in CQ_OBJECTS.get(segment["type"], frozenset()) & data.keys():
            del data[key]
        segments.append(segment)
        text_from = code.end()
    if text_from < len(message):
        segments.append(_text_segment(message[text_from:]))
    return segments


def _scalar(kind: type[int] | type[float] | type[bool], value: str) -> object:
    """A CQ value as the field's type (``1``/``0``/``true``/``false`` for a bool); the value as
    written when it does not convert."""
    if kind is bool:
        return _BOOLS.get(value.lower(), value)
    try:
        return kind(value)
    except ValueError:  # not a number, or an int of more than 4,300 digits
        return value


def _code(inside: str) -> dict[str, Any] | None:
    """The segment of a CQ code's inside (``at,qq=123``), or None when it is not one."""
    type_, *pairs = inside.split(",")
    data = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not key or not equals:
            return None
        data[key] = unescape(value)
    return {"type": type_, "data": data} if type_ else None


def _text_segment(text: str) -> dict[str, Any]:
    return {"type": "text", "data": {"text": unescape(text)}}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
