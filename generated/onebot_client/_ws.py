# Copied from templates/runtime/_ws.py by `onebot-gen build`. Do not edit: change it there.
"""Forward WebSocket transports on ``websockets`` (this module is imported by ``.websocket()``).

Frames out: ``{"action", "params", "echo"}``, each call with its own echo. Frames in: a frame with
an ``echo`` is a reply, handed to the call that sent that echo (and dropped when that call has
given up); a frame without one is an event. Many calls share one socket. When the socket drops,
every call waiting on it fails at once with ``NetworkError``.

Sync: ``websockets.sync.client`` and a reader thread. Async: ``websockets.asyncio.client`` and a
reader task, optionally reconnecting in the background with exponential backoff.

The client's timeout bounds connecting too. A close frame from the server ends the connection at
once, even when the server keeps the TCP connection open. What websockets logs (the handshake's
headers and the frames, at DEBUG) goes through a logger that blanks out the access token.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import queue
import sys
import threading
import traceback
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from websockets.asyncio import client as async_client
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException
from websockets.frames import Frame, Opcode
from websockets.protocol import Event
from websockets.sync import client as sync_client

from ._envelope import MAX_REPLY_BYTES, NOT_JSON, as_object, encode, preview
from ._events import EVENT_BUFFER, Overflow, put_newest
from ._types import deadline, remaining
from ._url import bearer, checked, where
from .errors import (
    AuthError,
    NetworkError,
    OneBotError,
    ProtocolError,
    RequestTimeout,
    redact,
)
from .events import parse

if TYPE_CHECKING:
    from .models import Event as TypedEvent

#: Seconds before the second reconnection attempt (the first is immediate); doubles each time.
FIRST_BACKOFF = 0.5
#: Seconds a reconnection attempt may take for its handshake.
RECONNECT_HANDSHAKE = 10.0
#: Seconds ``close()`` waits for the server to acknowledge the closing handshake.
CLOSE_TIMEOUT = 2.0
#: How finely call deadlines are kept, in seconds (see _Deadlines).
TICK = 0.05
#: Frames shorter than this many characters (at most 16 KiB in UTF-8) go out without waiting
#: when nothing is queued: websockets makes ``send`` wait only above 32 KiB queued.
AT_ONCE = 4096
#: The result of a wait whose time is up.
EXPIRED: Any = object()

# Connections use no permessage-deflate (NapCat's server offers none; measured here, it made a
# 5 MB streamed upload 5.8x slower) and no proxy from the environment (the server is usually
# local); messages may be as large as any reply (NapCat allows 50 MB).

#: Receives each frame of a multi-frame reply; returns True on the last one.
FrameSink = Callable[[dict[str, Any]], bool]


def _delays(max_backoff: float) -> Iterator[float]:
    """The waits between reconnection attempts: ``FIRST_BACKOFF``, doubling up to ``max_backoff``."""
    delay = FIRST_BACKOFF
    while True:
        yield delay
        delay = min(delay * 2, max_backoff)


class _End:
    """Ends ``events()``: the client was closed (``error`` None) or the connection dropped."""

    def __init__(self, error: OneBotError | None) -> None:
        self.error = error


def _for(action: str, error: OneBotError) -> OneBotError:
    """The connection's error as one call raises it: a fresh instance that names the action."""
    return type(error)(f"{action}: {error}")


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


class _SyncConnection(sync_client.ClientConnection):
    """Ends the connection once the server's close frame is in (websockets waits for the server
    to close TCP, and calls with it; a server may never do so)."""

    def process_event(self, event: Event) -> None:
        super().process_event(event)
        if isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
            self.close_socket()  # the reply to the close frame is sent already


class _AsyncConnection(async_client.ClientConnection):
    """Ends the connection once the server's close frame is in (see ``_SyncConnection``)."""

    def process_event(self, event: Event) -> None:
        super().process_event(event)
        if isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
            self.transport.close()  # after the reply to the close frame, written already


class _Socket:
    """What both WebSocket transports share: the URL, the headers, echoes, and frame routing."""

    def __init__(self, url: str, access_token: str | None) -> None:
        parts = checked(url, ("ws", "wss"), "use the constructor for http://")
        self.url = url
        self.where = where(parts)  # this appears in error messages
        self.secret = access_token or None
        self.headers = bearer(access_token)
        self.log = _RedactingLog("onebot_client", self.secret)
        self._library_log = _RedactingLog("websockets.client", self.secret)
        self._echoes = itertools.count(1)
        self._overflow = Overflow()

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

    def _route(self, message: str | bytes) -> tuple[str | None, Any]:
        """``(echo, frame)`` for a reply, ``(None, event)`` for an event, ``(None, None)`` for a
        frame that is neither. Raises for garbage and for a refusal outside any call (NapCat's
        token check), which end the connection."""
        try:
            frame = as_object(json.loads(message))
        except NOT_JSON:
            frame = None
        if frame is None:
            raise ProtocolError(
                f"the server at {self.where} sent a frame that is not a JSON object: "
                f"{preview(message, self.secret)}"
            )
        echo = frame.get("echo")
        if echo is not None:
            return str(echo), frame
        event = parse(frame)
        if event is None and frame.get("status") == "failed":
            if frame.get("retcode") in (1401, 1403):
                raise AuthError(
                    f"the server at {self.where} refused the access token: "
                    f"retcode {frame.get('retcode')}, "
                    f"{preview(str(frame.get('message')), self.secret)}"
                )
            self.log.warning(
                "onebot_client: a failure outside any call: %s", preview(message, self.secret)
            )
        return None, event

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

    def _lost(
        self,
        connection: sync_client.ClientConnection | async_client.ClientConnection,
        closing: bool,
    ) -> NetworkError:
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

    def _gives_up(self, error: OneBotError | TimeoutError, delay: float) -> bool:
        """After a failed reconnection attempt: a refused token ends ``events()`` and the
        reconnecting (True); anything else is logged, and the next attempt follows ``delay``."""
        if isinstance(error, AuthError):
            self._push(_End(error))
            return True
        self.log.info("onebot_client: reconnecting in %.1f s: %s", delay, error)
        return False

    def _push(self, item: TypedEvent | _End) -> None:
        raise NotImplementedError


class _SyncLink:
    """One open connection: its reader thread, the calls waiting on it, how it ended."""

    def __init__(
        self, connection: sync_client.ClientConnection, read: Callable[[_SyncLink], None]
    ) -> None:
        self.connection = connection
        self.pending: dict[str, queue.SimpleQueue[dict[str, Any] | OneBotError]] = {}
        self.error: OneBotError | None = None
        self.ended = threading.Event()
        self.reader = threading.Thread(
            target=read, args=(self,), name="onebot-ws-reader", daemon=True
        )


class SyncWebSocket(_Socket):
    """A blocking forward-WebSocket connection, shared by threads; a reader thread routes the
    frames that come in, and with ``reconnect`` a background thread reconnects after a drop (the
    first attempt at once, then after ``FIRST_BACKOFF`` seconds, doubling up to ``max_backoff``)."""

    def __init__(
        self,
        url: str,
        access_token: str | None,
        *,
        reconnect: bool = False,
        max_backoff: float = 30.0,
    ) -> None:
        super().__init__(url, access_token)
        self.reconnect = reconnect
        self.max_backoff = max_backoff
        self._events: queue.Queue[TypedEvent | _End] = queue.Queue(EVENT_BUFFER)
        self._lock = threading.Lock()
        self._link: _SyncLink | None = None
        self._listeners = 0
        self._closing = False
        #: Set by ``close()``: the reconnecting thread (if any) stops.
        self._stop = threading.Event()
        self._reconnecting: threading.Thread | None = None

    def connect(self, seconds: float | None) -> _SyncLink:
        """The open connection, opened now (within ``seconds``) if there is none."""
        try:
            return self._connect(deadline(seconds))
        except TimeoutError:
            raise RequestTimeout(
                f"no WebSocket handshake with {self.where} within {seconds} s"
            ) from None

    def _connect(self, ends: float | None) -> _SyncLink:
        """``connect`` by ``ends`` (``time.monotonic``); ``TimeoutError`` after it."""
        left = remaining(ends)
        if not self._lock.acquire(timeout=-1 if left is None else left):
            raise TimeoutError  # another thread's handshake took the time
        try:
            if self._link is not None:
                return self._link
            options = self._options(remaining(ends))
            try:
                # Entered as a context manager (websockets ≥ 17.1 wants it); closed by close().
                connection = sync_client.connect(
                    self.url, create_connection=_SyncConnection, **options
                ).__enter__()
            except (OSError, WebSocketException) as exc:
                if isinstance(exc, TimeoutError):
                    raise
                raise self._handshake_error(exc) from exc
            link = self._link = _SyncLink(connection, self._read)
            link.reader.start()
            return link
        finally:
            self._lock.release()

    def request(
        self, action: str, params: dict[str, object], seconds: float | None
    ) -> dict[str, Any]:
        """Send one call and wait for its reply envelope."""
        reply: dict[str, Any] = {}

        def keep(frame: dict[str, Any]) -> bool:
            reply.update(frame)
            return True

        self.stream(action, params, seconds, keep)
        return reply

    def stream(
        self, action: str, params: dict[str, object], seconds: float | None, sink: FrameSink
    ) -> None:
        """Send one call and hand each frame of its reply to ``sink`` until it returns True
        (``seconds`` bounds connecting, sending and the first frame together, then the wait
        for each further frame)."""
        ends = deadline(seconds)
        try:
            link = self._connect(ends)
        except TimeoutError:
            raise RequestTimeout(f"{action}: no reply within {seconds} s") from None
        echo, text = self._frame(action, params)
        frames: queue.SimpleQueue[dict[str, Any] | OneBotError] = queue.SimpleQueue()
        link.pending[echo] = frames
        try:
            self._send(link, action, text)
            while True:
                try:
                    item = frames.get(timeout=remaining(ends))
                except (queue.Empty, TimeoutError):
                    raise RequestTimeout(f"{action}: no reply within {seconds} s") from None
                if isinstance(item, OneBotError):
                    raise _for(action, item)
                if sink(item):
                    return
                ends = deadline(seconds)
        finally:
            del link.pending[echo]

    def events(self, seconds: float | None) -> Iterator[TypedEvent]:
        """The events the server pushes, in order; ends when the client is closed and raises
        ``NetworkError`` when the connection drops."""
        self.connect(seconds)
        with self._lock:
            self._listeners += 1
        try:
            while True:
                item = self._events.get()
                if isinstance(item, _End):
                    if item.error is not None:
                        raise _for("events()", item.error)
                    return
                yield item
        finally:
            with self._lock:
                self._listeners -= 1

    def close(self) -> None:
        """Close the connection and stop reconnecting; calls waiting on it fail, ``events()``
        ends. A later call connects again."""
        with self._lock:
            self._closing = True
            self._stop.set()
            reconnecting = self._reconnecting
        try:
            if reconnecting is not None and reconnecting is not threading.current_thread():
                reconnecting.join()
            with self._lock:
                link = self._link
            if link is not None:
                link.connection.close()
                if link.reader is not threading.current_thread():
                    link.reader.join()
            with self._lock:
                listeners = self._listeners
            for _ in range(listeners):
                self._push(_End(None))
        finally:
            self._closing = False

    def _send(self, link: _SyncLink, action: str, text: str) -> None:
        try:
            link.connection.send(text)
        except ConnectionClosed:
            # Why it closed (a token refusal, garbage...) is the reader's to tell.
            link.ended.wait(CLOSE_TIMEOUT)
            raise _for(action, link.error or self._lost(link.connection, self._closing)) from None

    def _read(self, link: _SyncLink) -> None:
        error: OneBotError | None = None
        try:
            for message in link.connection:
                echo, frame = self._route(message)
                if echo is None:
                    if frame is not None:
                        self._push(frame)
                else:
                    frames = link.pending.get(echo)
                    if frames is not None:
                        frames.put(frame)
        except ConnectionClosed:
            pass
        except OneBotError as exc:
            error = exc
        error = link.error = error or self._lost(link.connection, self._closing)
        link.ended.set()
        with self._lock:
            if self._link is link:
                self._link = None
        for frames in list(link.pending.values()):
            frames.put(error)
        with self._lock:
            if self._closing:
                pass
            elif self.reconnect and not isinstance(error, AuthError):
                self._stop = threading.Event()
                self._reconnecting = threading.Thread(
                    target=self._reconnect,
                    args=(self._stop,),
                    name="onebot-ws-reconnect",
                    daemon=True,
                )
                self._reconnecting.start()
            else:
                self._push(_End(error))
        link.connection.close()

    def _reconnect(self, stop: threading.Event) -> None:
        """Open a new connection after a drop, until one opens or ``close()`` stops it."""
        try:
            for delay in _delays(self.max_backoff):
                if stop.is_set():
                    return
                try:
                    self._connect(deadline(RECONNECT_HANDSHAKE))
                    return
                except (OneBotError, TimeoutError) as exc:
                    if self._gives_up(exc, delay):
                        return
                if stop.wait(delay):
                    return
        finally:
            with self._lock:
                if self._reconnecting is threading.current_thread():
                    self._reconnecting = None

    def _push(self, item: TypedEvent | _End) -> None:
        while True:
            try:
                self._events.put_nowait(item)
                return
            except queue.Full:
                self._overflow.drop(self.log)
                with contextlib.suppress(queue.Empty):
                    self._events.get_nowait()


class _AsyncLink:
    """One open connection: its reader task, the calls waiting on it, how it ended."""

    def __init__(
        self,
        connection: async_client.ClientConnection,
        read: Callable[[_AsyncLink], Coroutine[Any, Any, None]],
    ) -> None:
        self.connection = connection
        self.pending: dict[
            str,
            asyncio.Future[dict[str, Any] | OneBotError]
            | asyncio.Queue[dict[str, Any] | OneBotError],
        ] = {}
        self.error: OneBotError | None = None
        self.ended = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        self.deadlines = _Deadlines(self.loop)
        self.reader: asyncio.Task[None] = asyncio.create_task(read(self))

    def sends_at_once(self, text: str) -> bool:
        """Whether sending ``text`` cannot wait: nothing is queued for the socket, and the frame
        is too small to fill the transport's buffer (only then does ``send`` wait)."""
        transport = self.connection.transport
        return len(text) < AT_ONCE and not transport.get_write_buffer_size()


class _Deadlines:
    """Ends the waits of calls whose time is up, to within ``TICK`` seconds (never early).

    Calls whose deadlines fall in the same tick share one timer: a timer per call (what
    ``asyncio.timeout`` sets) cost a third of a call's own CPU time at 100 calls in flight.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._ticks: dict[int, set[asyncio.Future[Any]]] = {}

    def add(self, future: asyncio.Future[Any], seconds: float | None) -> int | None:
        """Give ``future`` the result ``EXPIRED`` after ``seconds`` (None: never)."""
        if seconds is None:
            return None
        tick = math.ceil((self._loop.time() + seconds) / TICK)
        waiting = self._ticks.get(tick)
        if waiting is None:
            waiting = self._ticks[tick] = set()
            self._loop.call_at(tick * TICK, self._expire, tick)
        waiting.add(future)
        return tick

    def discard(self, tick: int | None, future: asyncio.Future[Any]) -> None:
        if tick is not None and (waiting := self._ticks.get(tick)) is not None:
            waiting.discard(future)

    def _expire(self, tick: int) -> None:
        for future in self._ticks.pop(tick, ()):
            if not future.done():
                future.set_result(EXPIRED)


def _reply(action: str, item: object, seconds: float | None) -> dict[str, Any]:
    """What a call's wait ended with, as its reply envelope or its error."""
    if item is EXPIRED:
        raise RequestTimeout(f"{action}: no reply within {seconds} s")
    if isinstance(item, OneBotError):
        raise _for(action, item)
    return cast("dict[str, Any]", item)


class AsyncWebSocket(_Socket):
    """A forward-WebSocket connection for asyncio; a reader task routes the frames that come in,
    and with ``reconnect`` a background task reconnects after a drop (the first attempt at once,
    then after ``FIRST_BACKOFF`` seconds, doubling up to ``max_backoff``)."""

    def __init__(
        self, url: str, access_token: str | None, *, reconnect: bool, max_backoff: float
    ) -> None:
        super().__init__(url, access_token)
        self.reconnect = reconnect
        self.max_backoff = max_backoff
        self._events: asyncio.Queue[TypedEvent | _End] = asyncio.Queue(EVENT_BUFFER)
        self._lock = asyncio.Lock()
        self._link: _AsyncLink | None = None
        self._readers: set[asyncio.Task[None]] = set()  # also those still closing old links
        self._reconnecting: asyncio.Task[None] | None = None
        self._listeners = 0
        self._closing = False

    async def connect(self, seconds: float | None) -> _AsyncLink:
        """The open connection, opened now if there is none (or once the background
        reconnection succeeds), within ``seconds``."""
        try:
            async with asyncio.timeout(seconds):
                while self._link is None:
                    if self._reconnecting is not None:
                        await asyncio.wait([self._reconnecting])
                        continue
                    async with self._lock:
                        if self._link is None and self._reconnecting is None:
                            await self._open(None)
        except TimeoutError:
            raise RequestTimeout(
                f"no WebSocket handshake with {self.where} within {seconds} s"
            ) from None
        return self._link

    async def request(
        self, action: str, params: dict[str, object], seconds: float | None
    ) -> dict[str, Any]:
        """Send one call and wait for its reply envelope."""
        echo, text = self._frame(action, params)
        link = self._link
        if link is None or not link.sends_at_once(text):
            return await self._request_bounded(action, echo, text, seconds)
        # The usual case: the socket is open and the frame goes out without waiting, so only
        # the reply is waited for, with a shared deadline (see _Deadlines).
        future = link.loop.create_future()
        deadline = link.deadlines.add(future, seconds)
        link.pending[echo] = future
        try:
            await self._send(link, action, text)
            item = await future
        finally:
            link.pending.pop(echo, None)
            link.deadlines.discard(deadline, future)
        return _reply(action, item, seconds)

    async def _request_bounded(
        self, action: str, echo: str, text: str, seconds: float | None
    ) -> dict[str, Any]:
        """``request`` while connecting, or for a frame that may wait to go out: the whole call
        within ``seconds``."""
        future: asyncio.Future[dict[str, Any] | OneBotError]
        future = asyncio.get_running_loop().create_future()
        link = None
        try:
            async with asyncio.timeout(seconds):
                link = self._link or await self.connect(None)  # bounded here
                link.pending[echo] = future
                await self._send(link, action, text)
                item = await future
        except TimeoutError:
            raise RequestTimeout(f"{action}: no reply within {seconds} s") from None
        finally:
            if link is not None:
                link.pending.pop(echo, None)
        return _reply(action, item, seconds)

    async def stream(
        self, action: str, params: dict[str, object], seconds: float | None, sink: FrameSink
    ) -> None:
        """Send one call and hand each frame of its reply to ``sink`` until it returns True
        (``seconds`` bounds the wait for each frame)."""
        frames: asyncio.Queue[dict[str, Any] | OneBotError] = asyncio.Queue()
        link, echo = None, ""
        try:
            async with asyncio.timeout(seconds):
                link = self._link or await self.connect(None)  # bounded here
                echo, text = self._frame(action, params)
                link.pending[echo] = frames
                await self._send(link, action, text)
            while True:
                async with asyncio.timeout(seconds):
                    item = await frames.get()
                if isinstance(item, OneBotError):
                    raise _for(action, item)
                if sink(item):
                    return
        except TimeoutError:
            raise RequestTimeout(f"{action}: no reply within {seconds} s") from None
        finally:
            if link is not None:
                link.pending.pop(echo, None)

    async def events(self, seconds: float | None) -> AsyncIterator[TypedEvent]:
        """The events the server pushes, in order (connecting first within ``seconds``). Ends
        when the client is closed; raises ``NetworkError`` when the connection drops and no
        reconnection is under way."""
        await self.connect(seconds)
        self._listeners += 1
        try:
            while True:
                item = await self._events.get()
                if isinstance(item, _End):
                    if item.error is not None:
                        raise _for("events()", item.error)
                    return
                yield item
        finally:
            self._listeners -= 1

    async def close(self) -> None:
        """Close the connection and stop reconnecting; calls waiting on it fail, ``events()``
        ends. A later call connects again."""
        self._closing = True
        try:
            if self._reconnecting is not None:
                self._reconnecting.cancel()
                await asyncio.wait([self._reconnecting])
            if self._link is not None:
                await self._link.connection.close()
            if self._readers:
                await asyncio.wait(self._readers)
            for _ in range(self._listeners):
                self._push(_End(None))
        finally:
            self._closing = False

    async def _open(self, seconds: float | None) -> None:
        try:
            connection = await async_client.connect(
                self.url, create_connection=_AsyncConnection, **self._options(seconds)
            )
        except TimeoutError:
            raise
        except (OSError, WebSocketException) as exc:
            raise self._handshake_error(exc) from exc
        self._adopt(connection)

    def _adopt(self, connection: async_client.ClientConnection) -> _AsyncLink:
        """Make ``connection`` the open one, with a reader task of its own."""
        link = self._link = _AsyncLink(connection, self._read)
        self._readers.add(link.reader)
        link.reader.add_done_callback(self._readers.discard)
        return link

    async def _send(self, link: _AsyncLink, action: str, text: str) -> None:
        try:
            await link.connection.send(text)
        except ConnectionClosed:
            # Why it closed (a token refusal, garbage...) is the reader's to tell.
            await link.ended.wait()
            raise _for(action, link.error or self._lost(link.connection, self._closing)) from None

    async def _read(self, link: _AsyncLink) -> None:
        error: OneBotError | None = None
        try:
            async for message in link.connection:
                echo, frame = self._route(message)
                if echo is None:
                    if frame is not None:
                        self._push(frame)
                    continue
                waiter = link.pending.get(echo)
                if isinstance(waiter, asyncio.Queue):
                    waiter.put_nowait(frame)
                elif waiter is not None and not waiter.done():
                    waiter.set_result(frame)
        except ConnectionClosed:
            pass
        except OneBotError as exc:
            error = exc
        error = link.error = error or self._lost(link.connection, self._closing)
        link.ended.set()
        if self._link is link:
            self._link = None
        for waiter in list(link.pending.values()):
            if isinstance(waiter, asyncio.Queue):
                waiter.put_nowait(error)
            elif not waiter.done():
                waiter.set_result(error)
        if self._closing:
            return
        if self.reconnect and not isinstance(error, AuthError):
            self._reconnecting = asyncio.create_task(self._reconnect())
        else:
            self._push(_End(error))
        await link.connection.close()

    async def _reconnect(self) -> None:
        try:
            for delay in _delays(self.max_backoff):
                try:
                    async with self._lock:
                        await self._open(RECONNECT_HANDSHAKE)
                    return
                except (OneBotError, TimeoutError) as exc:
                    if self._gives_up(exc, delay):
                        return
                await asyncio.sleep(delay)
        finally:
            self._reconnecting = None

    def _push(self, item: TypedEvent | _End) -> None:
        put_newest(self._events, item, self._overflow, self.log)
