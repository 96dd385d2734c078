# Copied from templates/runtime/_ws_async.py by `onebot-gen build`. Do not edit: change it there.
"""The forward WebSocket transport for asyncio, on ``websockets.asyncio.client`` (imported by
``AsyncOneBot.websocket()``): a reader task routes the frames that come in, and with
``reconnect`` a background task reconnects after a drop. What both transports share is in
``_ws_common``.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

from websockets.asyncio import client as async_client
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.frames import Frame, Opcode
from websockets.protocol import Event

from ._backlog import AsyncBacklog
from ._events import FrameLog
from ._ws_common import (
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

#: How finely call deadlines are kept, in seconds (see _Deadlines).
TICK = 0.05
#: Frames shorter than this many characters (at most 16 KiB in UTF-8) go out without waiting
#: when nothing is queued: websockets makes ``send`` wait only above 32 KiB queued.
AT_ONCE = 4096
#: The result of a wait whose time is up.
EXPIRED: Any = object()

Reply = dict[str, Any] | OneBotError
#: A call's wait: a future for one reply, a queue for the frames of a streamed one.
Waiter = asyncio.Future[Reply] | asyncio.Queue[Reply]


class _AsyncConnection(async_client.ClientConnection):
    """Ends the connection once the server's close frame is in (websockets waits for the server
    to close TCP, and calls with it; a server may never do so)."""

    def process_event(self, event: Event) -> None:
        super().process_event(event)
        if isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
            self.transport.close()  # after the reply to the close frame, written already


class _AsyncLink:
    """One open connection: its reader task, the calls waiting on it, how it ended."""

    def __init__(
        self,
        connection: async_client.ClientConnection,
        read: Callable[[_AsyncLink], Coroutine[Any, Any, None]],
        owner_where: str,
        secret: str | None,
    ) -> None:
        self.connection = connection
        self.pending: dict[str, Waiter] = {}
        self.error: OneBotError | None = None
        self.ended = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        self.deadlines = _Deadlines.of(self.loop)
        self.frames = FrameLog(f"the WebSocket with {owner_where}", secret)
        self.reader: asyncio.Task[None] = asyncio.create_task(read(self))

    def busy(self) -> bool:
        """Whether a call waits for its reply on this connection."""
        return bool(self.pending)

    def sends_at_once(self, text: str) -> bool:
        """Whether sending ``text`` cannot wait: nothing is queued for the socket, and the frame
        is too small to fill the transport's buffer (only then does ``send`` wait)."""
        transport = self.connection.transport
        return len(text) < AT_ONCE and not transport.get_write_buffer_size()


class _Deadlines:
    """Ends the waits of calls whose time is up, to within ``TICK`` seconds (never early).

    Calls whose deadlines fall in the same tick share one timer, whatever their connection
    (one ``_Deadlines`` per event loop): a timer per call (what ``asyncio.timeout`` sets) cost a
    third of a call's own CPU time at 100 calls in flight. A tick's timer is cancelled once its
    last call has its reply, so finished calls leave no timer on the loop (measured: at 1,000
    calls/s over 1,000 connections, 31,993 timers and 105 MiB before, against 1,643 and 84 MiB).
    """

    _of_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Deadlines] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._ticks: dict[int, tuple[set[asyncio.Future[Any]], asyncio.TimerHandle]] = {}

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop) -> _Deadlines:
        deadlines = cls._of_loop.get(loop)
        if deadlines is None:
            deadlines = cls._of_loop[loop] = cls(loop)
        return deadlines

    def add(self, future: asyncio.Future[Any], seconds: float | None) -> int | None:
        """Give ``future`` the result ``EXPIRED`` after ``seconds`` (None: never)."""
        if seconds is None:
            return None
        tick = math.ceil((self._loop.time() + seconds) / TICK)
        entry = self._ticks.get(tick)
        if entry is None:
            entry = self._ticks[tick] = (set(), self._loop.call_at(tick * TICK, self._expire, tick))
        entry[0].add(future)
        return tick

    def discard(self, tick: int | None, future: asyncio.Future[Any]) -> None:
        if tick is not None and (entry := self._ticks.get(tick)) is not None:
            waiting, timer = entry
            waiting.discard(future)
            if not waiting:
                timer.cancel()
                del self._ticks[tick]

    def _expire(self, tick: int) -> None:
        waiting, _ = self._ticks.pop(tick, (set(), None))
        for future in waiting:
            if not future.done():
                future.set_result(EXPIRED)


def _reply(action: str, item: object, seconds: float | None) -> dict[str, Any]:
    """What a call's wait ended with, as its reply envelope or its error."""
    if item is EXPIRED:
        raise RequestTimeout(f"{action}: no reply within {seconds} s")
    if isinstance(item, OneBotError):
        raise _for(action, item)
    return cast("dict[str, Any]", item)


class AsyncWebSocket(_Socket[Waiter, AsyncBacklog["TypedEvent | _End"]]):
    """A forward-WebSocket connection for asyncio; a reader task routes the frames that come in,
    and with ``reconnect`` a background task reconnects after a drop (waiting as
    ``_backoff.Backoff`` says)."""

    def __init__(
        self, url: str, access_token: str | None, *, reconnect: bool, max_backoff: float
    ) -> None:
        super().__init__(url, access_token, reconnect=reconnect, max_backoff=max_backoff)
        self._events = AsyncBacklog()
        self._lock = asyncio.Lock()
        self._link: _AsyncLink | None = None
        self._readers: set[asyncio.Task[None]] = set()  # also those still closing old links
        self._reconnecting: asyncio.Task[None] | None = None
        #: How many times ``close()`` was called, and the wait of a first connection.
        self._closes = 0
        self._pause: asyncio.Future[None] | None = None

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
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
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
        frames: asyncio.Queue[Reply] = asyncio.Queue()
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
        if not await self._first_connection(seconds):
            return
        with self._events.reading():
            while (event := _event(await self._events.get())) is not None:
                yield event

    async def _first_connection(self, seconds: float | None) -> bool:
        """``connect`` for ``events()``: with ``reconnect``, a first attempt that fails is
        tried again (the server may be starting too), as a reconnection is, until one opens
        (True), the token is refused, or ``close()`` is called (False)."""
        closes = self._closes
        while True:
            try:
                await self.connect(seconds)
                return True
            except (OneBotError, TimeoutError) as exc:
                if not self._retries(exc):
                    raise
                delay = self._next_wait(exc)
            self._pause = asyncio.get_running_loop().create_future()
            await asyncio.wait([self._pause], timeout=delay)
            if self._closes != closes:
                return False

    async def close(self) -> None:
        """Close the connection and stop reconnecting; calls waiting on it fail, ``events()``
        ends. A later call connects again."""
        self._closing = True
        self._closes += 1
        if self._pause is not None and not self._pause.done():
            self._pause.set_result(None)
        try:
            if self._reconnecting is not None:
                self._reconnecting.cancel()
                await asyncio.wait([self._reconnecting])
            if self._link is not None:
                await self._link.connection.close()
            if self._readers:
                await asyncio.wait(self._readers)
            self.stop_events()
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
        link = self._link = _AsyncLink(connection, self._read, self.where, self.secret)
        self._backoff.opened()
        self._opened()
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
                event = self._dispatch(link.pending, message, link.frames)
                if event is not None:
                    await self._keep(event, link)
        except ConnectionClosed:
            pass
        except OneBotError as exc:
            error = exc
        error = link.error = error or self._lost(link.connection, self._closing)
        link.ended.set()
        if self._link is link:
            self._link = None
        self._fail(link.pending, error)
        if self._closing:
            return
        if self._after_drop(error):
            self._reconnecting = asyncio.create_task(self._reconnect(error))
        await link.connection.close()

    async def _reconnect(self, error: OneBotError | TimeoutError) -> None:
        """Open a new connection after a drop that ended with ``error``, until one opens or
        ``close()`` cancels this."""
        try:
            while True:
                await asyncio.sleep(self._next_wait(error))
                try:
                    async with self._lock:
                        await self._open(RECONNECT_HANDSHAKE)
                    return
                except (OneBotError, TimeoutError) as exc:
                    if self._gives_up(exc):
                        return
                    error = exc
        finally:
            self._reconnecting = None

    def _give(self, slot: Waiter, item: Reply) -> None:
        if isinstance(slot, asyncio.Queue):
            slot.put_nowait(item)
        elif not slot.done():
            slot.set_result(item)

    async def _keep(self, event: TypedEvent, link: _AsyncLink) -> None:
        """Keep an event that came in over ``link`` for ``events()`` (see ``_backlog``)."""
        await self._events.put(event, link.busy)
