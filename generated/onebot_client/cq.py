# Copied from templates/runtime/cq.py by `onebot-gen build`. Do not edit: change it there.
"""CQ codes: the string form of a message (``"hi [CQ:at,qq=123]"``), as OneBot 11 defines it.

A string ``message`` is parsed for CQ codes by the server (unless ``auto_escape``); ``escape`` a
user's text before putting it in one. ``render`` and ``parse`` convert between segment lists and
strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Segment

__all__ = ["escape", "parse", "render", "unescape"]

_TEXT = (("&", "&amp;"), ("[", "&#91;"), ("]", "&#93;"))
_COMMA = (",", "&#44;")


def escape(text: str, *, comma: bool = False) -> str:
    """``text`` with ``&``, ``[`` and ``]`` escaped (and ``,`` with ``comma``, as inside a CQ
    code's value), so the server sends it as written."""
    for char, code in (*_TEXT, _COMMA) if comma else _TEXT:
        text = text.replace(char, code)
    return text


def unescape(text: str) -> str:
    """The text an escaped string stands for (``&#91;`` → ``[``...)."""
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
    (``[CQ:dice,result=3]``: ``3``) are converted, and one that does not convert raises
    ``ValueError``. The others stay strings, which their types accept (ids are ``int | str``). A
    CQ code of a type the spec does not know, or with keys it does not list, is kept as written:
    such a segment is not one of the ``Segment`` types, whatever its static type says.
    """
    from .seg import CQ_SCALARS

    segments: list[Any] = []  # dicts made to fit the segment types
    text_from = at = 0
    while (start := message.find("[CQ:", at)) != -1:
        end = message.find("]", start)
        if end == -1:
            break
        segment = _code(message[start + 4 : end])
        at = end + 1 if segment else start + 4
        if segment:
            if start > text_from:
                segments.append(_text_segment(message[text_from:start]))
            segments.append(segment)
            text_from = at
    if text_from < len(message):
        segments.append(_text_segment(message[text_from:]))
    for segment in segments:
        scalars = CQ_SCALARS.get(segment["type"], {})
        data = segment["data"]
        for key in scalars.keys() & data.keys():
            data[key] = _scalar(scalars[key], data[key], f"{segment['type']}.{key}")
    return segments


def _scalar(kind: type[int] | type[float] | type[bool], value: str, where: str) -> object:
    """A CQ value as the field's type: ``1``/``0``/``true``/``false`` for a bool."""
    if kind is bool:
        if value.lower() in ("1", "true", "yes"):
            return True
        if value.lower() in ("0", "false", "no"):
            return False
    else:
        try:
            return kind(value)
        except ValueError:
            pass
    raise ValueError(f"CQ code {where}={value!r} is not {kind.__name__}")


def _code(inside: str) -> dict[str, Any] | None:
    """The segment of a CQ code's inside (``at,qq=123``), or None when it is not one."""
    type_, *pairs = inside.split(",")
    data = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not key or not equals:
            return None
        data[key] = unescape(value)
    return {"type": type_, "data": data} if type_ and "[" not in inside else None


def _text_segment(text: str) -> dict[str, Any]:
    return {"type": "text", "data": {"text": unescape(text)}}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
