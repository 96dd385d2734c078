# Copied from templates/runtime/_ws_common.py by `onebot-gen build`. Do not edit: change it there.
"""What both forward WebSocket transports share: settings, echoes, frame routing, the decisions
taken when a connection ends, and a logger that keeps the access token out of the logs.

Frames out: ``{"action", "params", "echo"}``, each call with its own echo. Frames in: a frame with
an ``echo`` is a reply, handed to the call that sent that echo (and dropped when that call has
given up); a frame without one is an event. A frame of neither kind (not JSON, not an object, a
poisoned event) is skipped, logged once per kind of problem per connection, and the connection
goes on. Many calls share one socket. When the socket drops, every call waiting on it fails at
once with ``NetworkError``.

The blocking client is in ``_ws_sync`` (``websockets.sync``, threads only); the asyncio one in
``_ws_async`` (``websockets.asyncio``). Neither imports the other. This module imports neither
library's client, nor ``asyncio``.

The client's timeout bounds connecting too. A close frame from the server ends the connection at
once, even when the server keeps the TCP connection open. What websockets logs (the handshake's
headers and the frames, at DEBUG) goes through a logger that blanks out the access token.
"""

from __future__ import annotations

import itertools
import json
import logging
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from websockets.exceptions import InvalidStatus
from websockets.protocol import Protocol as WebSocketProtocol

from ._backoff import Backoff
from ._envelope import MAX_REPLY_BYTES, NOT_JSON, as_object, encode, preview
from ._events import FrameLog
from ._url import bearer, checked, where
from .errors import AuthError, NetworkError, OneBotError, ProtocolError, redact
from .events import parse

if TYPE_CHECKING:
    from .models import Event as TypedEvent

#: Seconds a reconnection attempt may take for its handshake.
RECONNECT_HANDSHAKE = 10.0
#: Seconds ``close()`` waits for the server to acknowledge the closing handshake.
CLOSE_TIMEOUT = 2.0

# Connections use no permessage-deflate (NapCat's server offers none; measured here, it made a
# 5 MB streamed upload 5.8x slower) and no proxy from the environment (the server is usually
# local); messages may be as large as any reply (NapCat allows 50 MB).

#: Receives each frame of a multi-frame reply; returns True on the last one.
FrameSink = Callable[[dict[str, Any]], bool]

#: Where a call waits for its reply: a queue or a future of the transport's kind.
Slot = TypeVar("Slot")


class _End:
    """Ends ``events()``: the client was closed (``error`` None) or the connection dropped."""

    def __init__(self, error: OneBotError | None) -> None:
        self.error = error


def _for(action: str, error: OneBotError) -> OneBotError:
    """The connection's error as one call raises it: a fresh instance that names the action."""
    return type(error)(f"{action}: {error}")


def _event(item: TypedEvent | _End) -> TypedEvent | None:
    """An item of the events buffer as ``events()`` yields it: the event; None when the client
    was closed (``events()`` ends); raises the error the connection ended with."""
    if isinstance(item, _End):
        if item.error is not None:
            raise _for("events()", item.error)
        return None
    return item


class _RedactingLog(logging.LoggerAdapter[logging.Logger]):
    """A logger that blanks the access token out of each message, traceback included."""

    def __init__(self, name: str, secret: str | None) -> None:
        super().__init__(logging.getLogger(name), {})
        self.secret = secret

    def log(
        self,
        level: int,
        msg: object,
        *args: object,
        exc_info: object = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None:
        if not self.isEnabledFor(level):
            return
        text = str(msg) % args if args else str(msg)
        if exc_info:  # True, an exception, or a sys.exc_info() tuple
            error = exc_info[1] if isinstance(exc_info, tuple) else exc_info
            if not isinstance(error, BaseException):
                error = sys.exception()
            if error is not None:
                text += "\n" + "".join(traceback.format_exception(error)).rstrip()
        self.logger.log(
            level,
            redact(text, self.secret),
            stack_info=stack_info,
            stacklevel=stacklevel + 1,
            extra=extra,
        )


class _Kept(Protocol):
    """What ``_Socket`` uses of either transport's events buffer (``_backlog``)."""

    @property
    def readers(self) -> int: ...

    def end_readers(self, item: _End, at_least: int = 0) -> None: ...


Kept = TypeVar("Kept", bound=_Kept)


class _Connection(Protocol):
    """What ``_lost`` reads of either library's connection."""

    @property
    def close_code(self) -> int | None: ...

    @property
    def close_reason(self) -> str | None: ...

    @property
    def protocol(self) -> WebSocketProtocol: ...


class _Socket(Generic[Slot, Kept]):
    """What both WebSocket transports share: the URL, the headers, echoes, frame routing, and
    what happens when a connection ends. ``Slot`` is where one call waits for its reply;
    ``Kept``, the buffer of the events kept for ``events()``."""

    #: Whether connections opening and dropping are logged (a server logs its accounts').
    logs_connections = True
    #: The events kept for ``events()``, set by each transport.
    _events: Kept

    def __init__(
        self, url: str, access_token: str | None, *, reconnect: bool, max_backoff: float
    ) -> None:
        parts = checked(url, ("ws", "wss"), "use the constructor for http://")
        self.url = url
        self.where = where(parts)  # this appears in error messages
        self.secret = access_token or None
        self.headers = bearer(access_token)
        self.reconnect = reconnect
        self._backoff = Backoff(max_backoff)
        self.log = _RedactingLog("onebot_client", self.secret)
        self._library_log = _RedactingLog("websockets.client", self.secret)
        self._echoes = itertools.count(1)
        #: True while ``close()`` runs: the connection's end is the client's own doing.
        self._closing = False
        #: Whether a connection has opened (the next is a reconnection).
        self._connected = False

    def _options(self, seconds: float | None) -> dict[str, Any]:
        """The options of either library's ``connect`` (see the note at the top)."""
        return {
            "additional_headers": self.headers,
            "open_timeout": seconds,
            "close_timeout": CLOSE_TIMEOUT,
            "max_size": MAX_REPLY_BYTES,
            "compression": None,
            "proxy": None,
            "logger": self._library_log,
        }

    def _frame(self, action: str, params: dict[str, object]) -> tuple[str, str]:
        echo = str(next(self._echoes))
        return echo, encode({"action": action, "params": params, "echo": echo})

    def _route(self, message: str | bytes, log: FrameLog) -> tuple[str | None, Any]:
        """``(echo, frame)`` for a reply, ``(None, event)`` for an event, ``(None, None)`` for a
        frame of neither kind, noted in ``log`` and skipped. Raises ``AuthError`` for a refusal
        outside any call (NapCat's token check), which ends the connection."""
        try:
            frame = as_object(json.loads(message))
        except NOT_JSON:
            log.skip("skipped a frame that is not JSON", message)
            return None, None
        if frame is None:
            log.skip("skipped a frame that is not a JSON object", message)
            return None, None
        echo = frame.get("echo")
        if echo is not None:
            return str(echo), frame
        if frame.get("post_type") == "meta_event":
            self._seen(frame)
        event = parse(frame, log)
        if event is None:
            if frame.get("status") == "failed" and frame.get("retcode") in (1401, 1403):
                raise AuthError(
                    f"the server at {self.where} refused the access token: "
                    f"retcode {frame.get('retcode')}, "
                    f"{preview(str(frame.get('message')), self.secret)}"
                )
            log.skip("skipped a frame that is neither a reply (no echo) nor an event", message)
        return None, event

    def _dispatch(
        self, pending: Mapping[str, Slot], message: str | bytes, log: FrameLog
    ) -> TypedEvent | None:
        """Route one message that came in: a reply to the slot of the call that waits for it
        (none: that call has given up); returns an event, to be kept for ``events()``. Never
        raises but ``AuthError`` (see ``_route``): a frame whose handling fails is noted in
        ``log`` and skipped."""
        try:
            echo, frame = self._route(message, log)
            if echo is None:
                return cast("TypedEvent | None", frame)
            if (slot := pending.get(echo)) is not None:
                self._give(slot, frame)
        except AuthError:
            raise
        except Exception as exc:  # a bug of ours, met on a frame: that frame only is lost
            log.skip(
                f"skipped a frame whose handling failed ({type(exc).__name__})", message, trace=True
            )
        return None

    def _fail(self, pending: Mapping[str, Slot], error: OneBotError) -> None:
        """Every call waiting on a connection that ended fails with ``error``."""
        for slot in list(pending.values()):
            self._give(slot, error)

    def _after_drop(self, error: OneBotError) -> bool:
        """After the open connection ended with ``error``: True when a reconnection should
        start. Otherwise ``events()`` ends with the error, unless ``close()`` is under way (it
        ends ``events()`` itself)."""
        if self._closing:
            return False
        if self.reconnect and not isinstance(error, AuthError):
            return True
        if self.logs_connections:
            self.log.warning("%s", error)
        self._end(_End(error))
        return False

    def _handshake_error(self, exc: Exception) -> OneBotError:
        if isinstance(exc, InvalidStatus):
            status = exc.response.status_code
            if status in (401, 403):
                return AuthError(
                    f"the server at {self.where} refused the access token "
                    f"(HTTP {status} on the WebSocket handshake)"
                )
            return NetworkError(
                f"the server at {self.where} refused the WebSocket handshake: HTTP {status}"
            )
        return NetworkError(f"cannot open a WebSocket to {self.where}: {type(exc).__name__}: {exc}")

    def _lost(self, connection: _Connection, closing: bool) -> NetworkError:
        if closing:
            return NetworkError(f"the client closed the WebSocket to {self.where}")
        code, reason = connection.close_code, connection.close_reason
        failed = connection.protocol.close_sent  # websockets failed the connection, e.g. 1009
        if (code is None or code == 1006) and failed is not None:
            return ProtocolError(f"the client failed the WebSocket to {self.where}: {failed}")
        if code is None or code == 1006:
            return NetworkError(f"the WebSocket to {self.where} was lost (no closing handshake)")
        return NetworkError(
            f"the server at {self.where} closed the WebSocket: code {code}"
            + (f" {reason!r}" if reason else "")
        )

    def _next_wait(self, error: OneBotError | TimeoutError) -> float:
        """Before a reconnection attempt, after ``error`` (the drop's, or the failed attempt's):
        the seconds to wait (see ``_backoff``), logged."""
        delay = self._backoff.wait()
        self.log.warning("reconnecting in %g s: %s", delay, str(error) or type(error).__name__)
        return delay

    def _retries(self, error: OneBotError | TimeoutError) -> bool:
        """After a first connection attempt that failed with ``error``: whether ``events()``
        tries again (with ``reconnect``; a refused token is final)."""
        return self.reconnect and not isinstance(error, AuthError)

    def _opened(self) -> None:
        """A connection opened: logged (the first, or one after a drop)."""
        if self.logs_connections:
            self.log.info(
                "%s %s", "reconnected to" if self._connected else "connected to", self.url
            )
        self._connected = True

    def _seen(self, event: Mapping[str, Any]) -> None:
        """Log whose account a connection is, when its lifecycle event says it is online."""
        if event.get("meta_event_type") == "lifecycle" and event.get("sub_type") == "connect":
            self.log.info("account %s is online at %s", event.get("self_id"), self.where)

    def _gives_up(self, error: OneBotError | TimeoutError) -> bool:
        """After a failed reconnection attempt: a refused token ends ``events()`` and the
        reconnecting (True); after anything else, the next attempt follows."""
        if isinstance(error, AuthError):
            self._end(_End(error))
            return True
        return False

    def _give(self, slot: Slot, item: dict[str, Any] | OneBotError) -> None:
        """Hand a call its reply frame or its connection's error."""
        raise NotImplementedError

    def stop_events(self) -> None:
        """End the ``events()`` under way; the connection stays open for calls."""
        self._events.end_readers(_End(None))

    def _end(self, item: _End) -> None:
        """End the ``events()`` under way with ``item`` (kept for the next one if none is)."""
        self._events.end_readers(item, at_least=1)
