"""Errors raised by the client. Every one derives from ``OneBotError``."""

from __future__ import annotations

__all__ = [
    "ActionFailed",
    "AuthError",
    "BadRequest",
    "Forbidden",
    "NetworkError",
    "OneBotError",
    "ProtocolError",
    "RequestTimeout",
    "ServerTimeout",
    "Unauthorized",
    "UnsupportedAction",
]


class OneBotError(Exception):
    """Base class of every error this client raises."""


class ActionFailed(OneBotError):
    """The server answered, and the action failed (``status`` is ``failed`` or ``retcode`` is not 0)."""

    def __init__(
        self, action: str, retcode: int, message: str = "", wording: str = "", echo: object = None
    ) -> None:
        self.action = action
        self.retcode = retcode
        self.message = message
        self.wording = wording
        self.echo = echo
        detail = wording or message or "no message"
        super().__init__(f"{action} failed with retcode {retcode}: {detail}")


class BadRequest(ActionFailed):
    """retcode 1400: the server rejected the params."""


class Unauthorized(ActionFailed):
    """retcode 1401: the access token is missing or wrong."""


class Forbidden(ActionFailed):
    """retcode 1403: the token is not allowed to call this action."""


class UnsupportedAction(ActionFailed):
    """retcode 1404, or HTTP 404: the server does not know the action."""


class ServerTimeout(ActionFailed):
    """retcode 1200: the server gave up waiting for QQ (not a timeout of this client)."""


class AuthError(OneBotError):
    """HTTP 401 or 403: the server refused the access token."""


class NetworkError(OneBotError):
    """The connection failed or closed, or the server answered with an HTTP error."""


class ProtocolError(OneBotError):
    """The server's answer is not a OneBot reply (not JSON, or not an envelope)."""


class RequestTimeout(OneBotError, TimeoutError):
    """No reply within the timeout of this client."""


_BY_RETCODE: dict[int, type[ActionFailed]] = {
    1200: ServerTimeout,
    1400: BadRequest,
    1401: Unauthorized,
    1403: Forbidden,
    1404: UnsupportedAction,
}


def action_failed(action: str, reply: dict[str, object]) -> ActionFailed:
    """The error for a failed reply, by its retcode."""
    retcode = reply.get("retcode")
    code = retcode if isinstance(retcode, int) else -1
    return _BY_RETCODE.get(code, ActionFailed)(
        action,
        code,
        str(reply.get("message") or ""),
        str(reply.get("wording") or ""),
        reply.get("echo"),
    )
