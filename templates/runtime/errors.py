"""Errors raised by the client. Every error of a call or of ``events()`` derives from
``OneBotError``; ``MissingExtra``, raised when a client or server is created without the library
it needs, is a ``ModuleNotFoundError`` instead (what Python raises for a missing library).

- ``ActionFailed`` and its subclasses: the server answered, and the action failed.
- ``AuthError``: the server refused the access token (however it said so).
- ``NetworkError`` (and ``ProtocolError``): the connection failed, or what came back is not OneBot.
- ``RequestTimeout``: no reply within the client's timeout (also a builtin ``TimeoutError``).

No error text ever contains the access token.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

__all__ = [
    "ActionFailed",
    "AuthError",
    "BadRequest",
    "Forbidden",
    "MissingExtra",
    "NetworkError",
    "OneBotError",
    "ProtocolError",
    "RequestTimeout",
    "ServerTimeout",
    "Unauthorized",
    "UnsupportedAction",
]


class MissingExtra(ModuleNotFoundError):
    """An optional library a transport needs is not installed (the message says which extra
    installs it)."""


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


def redact(text: str, secret: str | None) -> str:
    """``text`` with the access token (``secret``) blanked out: every text the client makes from
    what a server sent, or lets a library log, goes through here (a server may echo the token)."""
    return text.replace(secret, "***") if secret else text


class Redacting:
    """A context manager that blanks the access token out of a ``OneBotError`` leaving its block:
    the error's ``args`` (its ``str`` and ``repr``) and, for ``ActionFailed``, what the server
    wrote; a chained exception (``__cause__``, ``__context__``) whose text shows the token is
    cut off. The clients' public methods run in one."""

    def __init__(self, secret: str | None) -> None:
        self.secret = secret

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        secret = self.secret
        if not secret or not isinstance(error, OneBotError):
            return
        error.args = tuple(redact(a, secret) if isinstance(a, str) else a for a in error.args)
        if isinstance(error, ActionFailed):
            error.message = redact(error.message, secret)
            error.wording = redact(error.wording, secret)
            echo = error.echo
            if secret in repr(echo):
                error.echo = redact(echo if isinstance(echo, str) else repr(echo), secret)
        if _shows(error.__cause__, secret, 0):
            error.__cause__ = None
        if _shows(error.__context__, secret, 0):
            error.__context__ = None


def _shows(error: BaseException | None, secret: str, depth: int) -> bool:
    """Whether ``secret`` is in the text of ``error`` or of an exception chained to it."""
    if error is None or depth > 20:  # a chain is short; this bounds a cycle made by hand
        return False
    return (
        secret in f"{error!s}{error!r}"
        or _shows(error.__cause__, secret, depth + 1)
        or _shows(error.__context__, secret, depth + 1)
    )
