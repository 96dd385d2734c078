"""The blocking forward WebSocket transport, on ``websockets.sync.client`` (imported by
``OneBot.websocket()``); threads only, no ``asyncio``: a reader thread routes the frames that
come in, and with ``reconnect`` a background thread reconnects after a drop. What both
transports share is in ``_ws_common``.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.frames import Frame, Opcode
from websockets.protocol import Event
from websockets.sync import client as sync_client

from ._events import EVENT_BUFFER
from ._types import deadline, remaining
from ._ws_common import (
    CLOSE_TIMEOUT,
    RECONNECT_HANDSHAKE,
    FrameSink,
    _delays,
    _End,
    _event,
    _for,
    _Socket,
)
from .errors import OneBotError, RequestTimeout

if TYPE_CHECKING:
    from .models import Event as TypedEvent

Reply = dict[str, Any] | OneBotError
#: Where a call waits for the frames of its reply (or its connection's error).
Frames = queue.SimpleQueue[Reply]


class _SyncConnection(sync_client.ClientConnection):
    """Ends the connection once the server's close frame is in (websockets waits for the server
    to close TCP, and calls with it; a server may never do so)."""

    def process_event(self, event: Event) -> None:
        super().process_event(event)
        if isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
            self.close_socket()  # the reply to the close frame is sent already


class _SyncLink:
    """One open connection: its reader thread, the calls waiting on it, how it ended."""

    def __init__(
        self, connection: sync_client.ClientConnection, read: Callable[[_SyncLink], None]
    ) -> None:
        self.connection = connection
        self.pending: dict[str, Frames] = {}
        self.error: OneBotError | None = None
        self.ended = threading.Event()
        self.reader = threading.Thread(
            target=read, args=(self,), name="onebot-ws-reader", daemon=True
        )


class SyncWebSocket(_Socket[Frames]):
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
        super().__init__(url, access_token, reconnect=reconnect, max_backoff=max_backoff)
        self._events: queue.Queue[TypedEvent | _End] = queue.Queue(EVENT_BUFFER)
        self._lock = threading.Lock()
        self._link: _SyncLink | None = None
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
        frames: Frames = queue.SimpleQueue()
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
            while (event := _event(self._events.get())) is not None:
                yield event
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
            self._end_listeners(listeners)
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
                self._dispatch(link.pending, message)
        except ConnectionClosed:
            pass
        except OneBotError as exc:
            error = exc
        error = link.error = error or self._lost(link.connection, self._closing)
        link.ended.set()
        with self._lock:
            if self._link is link:
                self._link = None
        self._fail(link.pending, error)
        with self._lock:
            if self._after_drop(error):
                self._stop = threading.Event()
                self._reconnecting = threading.Thread(
                    target=self._reconnect,
                    args=(self._stop,),
                    name="onebot-ws-reconnect",
                    daemon=True,
                )
                self._reconnecting.start()
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

    def _give(self, slot: Frames, item: Reply) -> None:
        slot.put(item)

    def _push(self, item: TypedEvent | _End) -> None:
        while True:
            try:
                self._events.put_nowait(item)
                return
            except queue.Full:
                self._overflow.drop(self.log)
                with contextlib.suppress(queue.Empty):
                    self._events.get_nowait()
