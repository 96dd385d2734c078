"""Errors raised by the client. Every one derives from ``OneBotError``.

- ``ActionFailed`` and its subclasses: the server answered, and the action failed.
- ``AuthError``: the server refused the access token (however it said so).
- ``NetworkError`` (and ``ProtocolError``): the connection failed, or what came back is not OneBot.
- ``RequestTimeout``: no reply within the client's timeout (also a builtin ``TimeoutError``).

No error text ever contains the access token.
"""

from __future__ import annotations

from typing import Any

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


class AuthError(OneBotError):
    """The server refused the access token: HTTP 401 or 403, a refused WebSocket handshake, or
    a token-check failure frame (NapCat answers a bad token with retcode 1403 and closes)."""


class ActionFailed(OneBotError):
    """The server answered, and the action failed (``status`` ``failed``, or ``retcode`` not 0).

    Attributes:
        action: The action's wire name.
        retcode: The reply's ``retcode`` (-1 when the reply had none).
        message: The reply's ``message``.
        wording: The reply's ``wording`` (NapCat repeats ``message`` there).
        echo: The reply's ``echo`` (WebSocket), else ``None``.
    """

    def __init__(
        self, action: str, retcode: int, message: str = "", wording: str = "", echo: object = None
    ) -> None:
        self.action = action
        self.retcode = retcode
        self.message = message
        self.wording = wording
        self.echo = echo
        text = f"{action} failed: retcode {retcode}"
        if message:
            text += f", message {message!r}"
        if wording and wording != message:
            text += f", wording {wording!r}"
        if echo is not None:
            text += f", echo {echo!r}"
        super().__init__(text)


class BadRequest(ActionFailed):
    """retcode 1400: the server rejected the params."""


class Unauthorized(ActionFailed, AuthError):
    """retcode 1401: the access token is missing or wrong."""


class Forbidden(ActionFailed, AuthError):
    """retcode 1403: the token is not accepted (NapCat's token check) or not allowed here."""


class UnsupportedAction(ActionFailed):
    """retcode 1404, or HTTP 404: the server does not know the action."""


class ServerTimeout(ActionFailed):
    """retcode 1200: NapCat gave up while handling the action (its own timeout or an error inside;
    not a timeout of this client, which raises ``RequestTimeout``)."""


class NetworkError(OneBotError):
    """The connection failed or closed, or the server answered with an HTTP error status."""


class ProtocolError(NetworkError):
    """What came back is not a OneBot reply (not JSON, not an envelope, a broken stream)."""


class RequestTimeout(OneBotError, TimeoutError):
    """No reply within the client's timeout (the ``timeout`` argument, else the client's)."""


_BY_RETCODE: dict[int, type[ActionFailed]] = {
    1200: ServerTimeout,
    1400: BadRequest,
    1401: Unauthorized,
    1403: Forbidden,
    1404: UnsupportedAction,
}


def action_failed(action: str, reply: dict[str, Any]) -> ActionFailed:
    """The error for a failed reply envelope, chosen by its retcode."""
    retcode = reply.get("retcode")
    code = retcode if isinstance(retcode, int) else -1
    return _BY_RETCODE.get(code, ActionFailed)(
        action,
        code,
        str(reply.get("message") or ""),
        str(reply.get("wording") or ""),
        reply.get("echo"),
    )
