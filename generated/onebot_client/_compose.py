# Copied from templates/runtime/_compose.py by `onebot-gen build`. Do not edit: change it there.
"""Messages put together from keywords: what the convenience senders (``post_group_msg``,
``send_group_forward_by_ids``...) send."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._types import NOT_GIVEN

#: One keyword of a sender: the segment type, the data field its value fills (``None``: the value
#: is a flag, or the whole segment), and the value (``NOT_GIVEN`` or ``False``: left out; a list
#: or tuple for a field: one segment per item).
Part = tuple[str, str | None, object]


def compose(
    sender: str, parts: Sequence[Part], message: object = NOT_GIVEN, *, one_of: bool = False
) -> Any:
    """The segments of the parts given, in order, then ``message`` (a string there is plain text).

    Raises ``TypeError`` when nothing is given, or, with ``one_of``, not exactly one part.
    """
    segments: list[object] = []
    for segment, field, value in parts:
        if value is NOT_GIVEN or (field is None and value is False):
            continue
        if field is not None:
            values = value if isinstance(value, (list, tuple)) else [value]  # at=[1, 2]: two
            segments += [{"type": segment, "data": {field: item}} for item in values]
        elif value is True:
            segments.append({"type": segment, "data": {}})
        else:
            segments.append(value)
    keywords = ", ".join(segment for segment, _, _ in parts)
    if one_of and len(segments) != 1:
        raise TypeError(f"{sender}() takes exactly one of {keywords}; got {len(segments)}")
    if message is NOT_GIVEN:
        if not segments:
            raise TypeError(f"{sender}() has nothing to send: give message or any of {keywords}")
        return segments
    if not segments:
        return message
    if isinstance(message, str):
        return [*segments, {"type": "text", "data": {"text": message}}]
    return [*segments, *(message if isinstance(message, list) else [message])]


def segments_of_ids(sender: str, segment: str, field: str, ids: Sequence[object]) -> Any:
    """One segment per id, the id in its ``field``: ``[{"type": "node", "data": {"id": 1}}, ...]``."""
    if isinstance(ids, (str, bytes)) or not ids:
        raise TypeError(f"{sender}() needs a non-empty list of message ids, got {ids!r}")
    return [{"type": segment, "data": {field: value}} for value in ids]
