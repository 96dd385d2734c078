"""The blocking forward WebSocket transport, on ``websockets.sync.client`` (imported by
``OneBot.websocket()``); threads only, no ``asyncio``. What both transports share is in
``_ws_common``.

websockets receives on a thread of its own. That thread routes each message itself, as it comes
in: a reply goes straight to the queue its call waits on, an event to the ``events()`` buffer.
No other thread stands in between, so a reply costs one hand-off between threads, as a bare
``recv()`` does.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.frames import Frame, Opcode
from websockets.protocol import Event
from websockets.sync import client as sync_client

from ._backoff import DEFAULT_MAX_BACKOFF
from ._events import EVENT_BUFFER, RECHECK, Drops, FrameLog
from ._types import deadline, remaining
from ._ws_common import (
    CLOSE_TIMEOUT,
    RECONNECT_HANDSHAKE,
    FrameSink,
    _End,
    _event,
    _for,
    _Socket,
)
from .errors import OneBotError, RequestTimeout

if TYPE_CHECKING:
    from .models import Event as TypedEvent

T = TypeVar("T")
Reply = dict[str, Any] | OneBotError
#: Where a call waits for the frames of its reply (or its connection's error).
Frames = queue.SimpleQueue[Reply]

_DATA = (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)


class _SyncLink(sync_client.ClientConnection):
    """One connection, which routes what comes in on websockets' receiving thread (see the note
    at the top); the calls waiting on it; how it ended.

    It ends once the server's close frame is in (websockets waits for the server to close TCP,
    and calls with it; a server may never do so). When the receiving thread stops, the calls
    waiting on the connection fail at once.
    """

    def __init__(self, owner: SyncWebSocket, *args: Any, **kwargs: Any) -> None:
        # Set before websockets starts the receiving thread, in the constructor.
        self.owner = owner
        self.pending: dict[str, Frames] = {}
        self.error: OneBotError | None = None
        self.ended = threading.Event()
        #: Whether the client took this connection as its open one (after the handshake).
        self.adopted = False
        #: Guards ``error`` and ``adopted`` (the client's own lock is held by a handshake, and
        #: websockets waits for the receiving thread to stop when a handshake fails).
        self.lock = threading.Lock()
        self.frames = FrameLog(f"the WebSocket with {owner.where}", owner.secret)
        #: The message coming in, when in fragments, and whether it is text.
        self._fragments: list[bytes] = []
        self._text = True
        super().__init__(*args, **kwargs)

    def process_event(self, event: Event) -> None:
        if self.response is None or not isinstance(event, Frame) or event.opcode not in _DATA:
            super().process_event(event)  # the handshake's response, pings, pongs, close
            if isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
                self.close_socket()  # the reply to the close frame is sent already
            return
        # A message, whole or in fragments (websockets bounds its size by max_size). Routed
        # here, never queued for recv(): nothing reads that queue.
        data = event.data if isinstance(event.data, bytes) else bytes(event.data)
        if event.opcode is not Opcode.CONT:
            self._text = event.opcode is Opcode.TEXT
        if not event.fin:
            self._fragments.append(data)
            return
        if self._fragments:
            self._fragments.append(data)
            data = b"".join(self._fragments)
            self._fragments.clear()
        if self.error is not None:
            return  # ended on an earlier frame; closing
        message: str | bytes = data
        if self._text:
            with contextlib.suppress(UnicodeDecodeError):  # then not JSON either: _route says
                message = data.decode()
        try:
            kept = self.owner._dispatch(self.pending, message, self.frames)
        except OneBotError as exc:  # a refused token: the connection ends
            self.owner._ended(self, exc)
            # Closed on a thread of its own: this one goes on to read the server's reply. (The
            # handshake may not have returned yet: the client closes the connection, as a
            # context manager would; websockets ≥ 17.1 warns otherwise.)
            self.pending_legacy_warning = False
            threading.Thread(target=self.close, name="onebot-ws-close", daemon=True).start()
            return
        if kept is not None:
            self.owner._events.put(kept, self.busy)

    def busy(self) -> bool:
        """Whether a call waits for its reply on this connection."""
        return bool(self.pending)

    def recv_events(self) -> None:
        try:
            super().recv_events()
        finally:
            self.owner._ended(self, None)


class SyncWebSocket(_Socket[Frames, "_SyncBacklog[TypedEvent | _End]"]):
    """A blocking forward-WebSocket connection, shared by threads; websockets' receiving thread
    routes the frames that come in, and with ``reconnect`` a background thread reconnects after
    a drop (waiting as ``_backoff.Backoff`` says)."""

    def __init__(
        self,
        url: str,
        access_token: str | None,
        *,
        reconnect: bool = False,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
    ) -> None:
        super().__init__(url, access_token, reconnect=reconnect, max_backoff=max_backoff)
        self._events = _SyncBacklog()
        self._lock = threading.Lock()
        self._link: _SyncLink | None = None
        #: Set by ``close()``: the reconnecting thread (if any) stops.
        self._stop = threading.Event()
        self._reconnecting: threading.Thread | None = None
        # websockets calls this with (socket, protocol, **options) to make each connection.
        self._make_link = cast(
            "type[sync_client.ClientConnection]", functools.partial(_SyncLink, self)
        )

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
        link = self._link
        if link is not None:
            return link
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
                    self.url, create_connection=self._make_link, **options
                ).__enter__()
            except (OSError, WebSocketException) as exc:
                if isinstance(exc, TimeoutError):
                    raise
                raise self._handshake_error(exc) from exc
            link = cast("_SyncLink", connection)
            with link.lock:
                if link.error is not None:  # ended already (see _ended)
                    raise link.error
                link.adopted = True
            self._link = link
            self._backoff.opened()
            self._opened()
            return link
        finally:
            self._lock.release()

    def request(
        self, action: str, params: dict[str, object], seconds: float | None
    ) -> dict[str, Any]:
        """Send one call and wait for its reply envelope (``seconds`` bounds the whole call)."""
        ends = deadline(seconds)
        link, echo, frames = self._start(action, params, ends, seconds)
        try:
            return self._next(action, frames, ends, seconds)
        finally:
            del link.pending[echo]

    def stream(
        self, action: str, params: dict[str, object], seconds: float | None, sink: FrameSink
    ) -> None:
        """Send one call and hand each frame of its reply to ``sink`` until it returns True
        (``seconds`` bounds connecting, sending and the first frame together, then the wait
        for each further frame)."""
        ends = deadline(seconds)
        link, echo, frames = self._start(action, params, ends, seconds)
        try:
            while not sink(self._next(action, frames, ends, seconds)):
                ends = deadline(seconds)
        finally:
            del link.pending[echo]

    def _start(
        self, action: str, params: dict[str, object], ends: float | None, seconds: float | None
    ) -> tuple[_SyncLink, str, Frames]:
        """Connect if need be and send the call, by ``ends``: the connection, the call's echo,
        and the queue its reply comes to (in ``pending`` until the caller takes it out)."""
        try:
            link = self._link or self._connect(ends)
        except TimeoutError:
            raise RequestTimeout(f"{action}: no reply within {seconds} s") from None
        echo, text = self._frame(action, params)
        frames: Frames = queue.SimpleQueue()
        link.pending[echo] = frames
        try:
            self._send(link, action, text)
        except BaseException:
            del link.pending[echo]
            raise
        return link, echo, frames

    def _next(
        self, action: str, frames: Frames, ends: float | None, seconds: float | None
    ) -> dict[str, Any]:
        """The next frame of a call's reply, by ``ends``."""
        try:
            item = frames.get(timeout=remaining(ends))
        except (queue.Empty, TimeoutError):
            raise RequestTimeout(f"{action}: no reply within {seconds} s") from None
        if isinstance(item, OneBotError):
            raise _for(action, item)
        return item

    def events(self, seconds: float | None) -> Iterator[TypedEvent]:
        """The events the server pushes, in order; ends when the client is closed and raises
        ``NetworkError`` when the connection drops."""
        if not self._first_connection(seconds):
            return
        with self._events.reading():
            while (event := _event(self._events.get())) is not None:
                yield event

    def _first_connection(self, seconds: float | None) -> bool:
        """``connect`` for ``events()``: with ``reconnect``, a first attempt that fails is
        tried again (the server may be starting too), as a reconnection is, until one opens
        (True), the token is refused, or ``close()`` is called (False)."""
        with self._lock:
            if self._stop.is_set():  # by an earlier close()
                self._stop = threading.Event()
            stop = self._stop
        while True:
            try:
                self.connect(seconds)
                return True
            except (OneBotError, TimeoutError) as exc:
                if not self._retries(exc):
                    raise
                delay = self._next_wait(exc)
            if stop.wait(delay):
                return False

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
                link.close()
                if link.recv_events_thread is not threading.current_thread():
                    link.recv_events_thread.join()
            self.stop_events()
        finally:
            self._closing = False

    def _send(self, link: _SyncLink, action: str, text: str) -> None:
        try:
            link.send(text)
        except ConnectionClosed:
            # Why it closed (a token refusal, garbage...) is the receiving thread's to tell.
            link.ended.wait(CLOSE_TIMEOUT)
            raise _for(action, link.error or self._lost(link, self._closing)) from None

    def _ended(self, link: _SyncLink, error: OneBotError | None) -> None:
        """``link`` ended, with ``error`` or as its close code tells (on websockets' receiving
        thread, when a frame ends it and again when the thread stops): the calls waiting on it
        fail; the first time, ``events()`` ends or a reconnection starts."""
        with link.lock:
            ended = link.error
            first = ended is None
            if ended is None:
                ended = link.error = error or self._lost(link, self._closing)
            adopted = link.adopted
        if first and adopted:  # then no handshake holds the lock long: this link is open
            with self._lock:
                if self._link is link:
                    self._link = None
                if self._after_drop(ended):
                    self._stop = threading.Event()
                    self._reconnecting = threading.Thread(
                        target=self._reconnect,
                        args=(self._stop, ended),
                        name="onebot-ws-reconnect",
                        daemon=True,
                    )
                    self._reconnecting.start()
        self._fail(link.pending, ended)
        link.ended.set()

    def _reconnect(self, stop: threading.Event, error: OneBotError | TimeoutError) -> None:
        """Open a new connection after a drop that ended with ``error``, until one opens or
        ``close()`` stops it."""
        try:
            while not stop.wait(self._next_wait(error)):
                try:
                    self._connect(deadline(RECONNECT_HANDSHAKE))
                    return
                except (OneBotError, TimeoutError) as exc:
                    if self._gives_up(exc):
                        return
                    error = exc
        finally:
            with self._lock:
                if self._reconnecting is threading.current_thread():
                    self._reconnecting = None

    def _give(self, slot: Frames, item: Reply) -> None:
        slot.put(item)


class _SyncBacklog(Generic[T]):
    """The events a blocking connection keeps for ``events()``, by the rules of ``_backlog``
    (a reader that waits for room is websockets' receiving thread: the socket is not read)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[T] = queue.Queue(EVENT_BUFFER)
        self._lock = threading.Lock()
        self.readers = 0
        self._drops = Drops()

    def put(self, item: T, busy: Callable[[], bool]) -> None:
        """Keep ``item``, waiting for room while the backlog is full and read, unless ``busy()``
        (a call waits on the reader's connection)."""
        while True:
            waits = bool(self.readers) and not busy()
            try:
                self._queue.put(item, block=waits, timeout=RECHECK)
                return
            except queue.Full:
                if not self.readers:
                    with contextlib.suppress(queue.Empty):
                        self._queue.get_nowait()
                        self._drops.drop()
                elif busy():
                    self.end(item)
                    return

    def end(self, item: T) -> None:
        """Put ``item``, even when full."""
        q = self._queue
        with q.mutex:
            q.queue.append(item)
            q.unfinished_tasks += 1
            q.not_empty.notify()

    def end_readers(self, item: T, at_least: int = 0) -> None:
        """``end`` each reader's iteration with ``item`` (and put it ``at_least`` times)."""
        for _ in range(max(at_least, self.readers)):
            self.end(item)

    def get(self) -> T:
        return self._queue.get()

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """While ``events()`` reads the items: none is dropped."""
        with self._lock:
            self.readers += 1
            self._drops.reading()
        try:
            yield
        finally:
            with self._lock:
                self.readers -= 1
