"""CQ codes: the string form of a message (``"hi [CQ:at,qq=123]"``), as OneBot 11 defines it.

A string ``message`` is parsed for CQ codes by the server (unless ``auto_escape``); ``escape`` a
user's text before putting it in one. ``render`` and ``parse`` convert between segment lists and
strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["escape", "parse", "render", "unescape"]

_TEXT = {"&": "&amp;", "[": "&#91;", "]": "&#93;"}
_VALUE = {**_TEXT, ",": "&#44;"}
_UNESCAPE = re.compile("|".join(re.escape(code) for code in _VALUE.values()))
_CODE = re.compile(r"\[CQ:([^,\]]+)((?:,[^,=\]]+=[^,\]]*)*)\]")


def escape(text: str, *, comma: bool = False) -> str:
    """``text`` with ``&``, ``[`` and ``]`` escaped (and ``,`` with ``comma``, as inside a CQ
    code's value), so the server sends it as written."""
    table = _VALUE if comma else _TEXT
    return "".join(table.get(ch, ch) for ch in text)


def unescape(text: str) -> str:
    """The text an escaped string stands for (``&#91;`` → ``[``...)."""
    back = {code: ch for ch, code in _VALUE.items()}
    return _UNESCAPE.sub(lambda m: back[m.group(0)], text)


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


def parse(message: str) -> list[dict[str, Any]]:
    """The segments of a CQ-code string (data values stay strings, as the server gives them)."""
    segments: list[dict[str, Any]] = []
    at = 0
    for code in _CODE.finditer(message):
        if code.start() > at:
            segments.append(_text_segment(message[at : code.start()]))
        data = {}
        for pair in filter(None, code.group(2).split(",")):
            key, _, value = pair.partition("=")
            data[key] = unescape(value)
        segments.append({"type": code.group(1), "data": data})
        at = code.end()
    if at < len(message):
        segments.append(_text_segment(message[at:]))
    return segments


def _text_segment(text: str) -> dict[str, Any]:
    return {"type": "text", "data": {"text": unescape(text)}}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
