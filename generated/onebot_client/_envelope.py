"""The OneBot 11 reply envelope: ``{"status", "retcode", "data", "message", "wording", "echo"}``."""

from __future__ import annotations

import json
from typing import Any

from .errors import ProtocolError, action_failed


def request_body(params: dict[str, object]) -> dict[str, object]:
    """The params to send: those the caller gave (``NOT_GIVEN`` values are left out)."""
    from ._types import NotGiven

    return {key: value for key, value in params.items() if not isinstance(value, NotGiven)}


def unwrap(action: str, raw: bytes) -> Any:
    """The reply's ``data``; raises ``ActionFailed`` for a failed action, ``ProtocolError`` for garbage."""
    try:
        reply = json.loads(raw)
    except ValueError:
        raise ProtocolError(f"{action}: the reply is not JSON: {_preview(raw)}") from None
    if not isinstance(reply, dict) or "retcode" not in reply and "status" not in reply:
        raise ProtocolError(f"{action}: the reply is not a OneBot envelope: {_preview(raw)}")
    if reply.get("status") == "failed" or reply.get("retcode", 0) != 0:
        raise action_failed(action, reply)
    return reply.get("data")


def _preview(raw: bytes) -> str:
    text = raw[:200].decode("utf-8", errors="replace")
    return repr(text + ("…" if len(raw) > 200 else ""))
