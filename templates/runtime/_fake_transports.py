"""The testing kit's in-process transports: what ``Fake.client()`` and ``Fake.async_client()``
talk through instead of HTTP or a WebSocket, and the inbox of events each one reads."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._fake_values import wire
from .errors import ProtocolError, RequestTimeout

if TYPE_CHECKING:
    from ._testing import Fake
    from .models import Event

#: Receives each frame of a streamed reply; True on the last one (as in ``_ws_common``).
FrameSink = Callable[[dict[str, Any]], bool]


class Inbox:
    """The events waiting for one client: filled from any thread, read by a thread or a task."""

    def __init__(self) -> None:
        self._items: deque[dict[str, Any]] = deque()
        self._ready = threading.Condition()
        self._wakers: list[Callable[[], None]] = []
        self.closed = False

    def put(self, frame: dict[str, Any]) -> None:
        with self._ready:
            self._items.append(frame)
        self._wake()

    def close(self) -> None:
        with self._ready:
            self.closed = True
        self._wake()

    def reopen(self) -> None:
        with self._ready:
            self.closed = False

    def get(self, block: bool) -> dict[str, Any] | None:
        """The next event; None when there is none (``block``: when the inbox is closed)."""
        with self._ready:
            while block and not self._items and not self.closed:
                self._ready.wait()
            return self._items.popleft() if self._items else None

    async def get_async(self, block: bool) -> dict[str, Any] | None:
        loop = asyncio.get_running_loop()
        while True:
            future: asyncio.Future[None] = loop.create_future()

            def wake() -> None:
                with contextlib.suppress(RuntimeError):  # the loop is closed
                    loop.call_soon_threadsafe(_resolve, future)

            with self._ready:
                if self._items or not block or self.closed:
                    return self._items.popleft() if self._items else None
                self._wakers.append(wake)
            try:
                await future
            finally:
                with self._ready:
                    self._wakers.remove(wake)

    def _wake(self) -> None:
        with self._ready:
            self._ready.notify_all()
            wakers = list(self._wakers)
        for wake in wakers:
            wake()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _parsed(frame: dict[str, Any]) -> Event:
    """The event as the transports hand it over (a CQ-string message parsed, an unknown kind
    wrapped); a copy, so that the bot cannot change what the test injected."""
    from .events import parse

    event = parse(wire(frame))
    assert event is not None  # inject() takes events only
    return event


def _pause(action: str, wait: float, seconds: float | None) -> tuple[float, RequestTimeout | None]:
    """How long a call waits for an answer ``wait`` seconds late, and the error it raises then
    (None: it gets the answer), with ``seconds`` the client's timeout."""
    if seconds is not None and wait > seconds:
        return seconds, RequestTimeout(f"{action}: no reply within {seconds} s")
    return wait, None


def _on_time(reply: dict[str, Any], late: RequestTimeout | None) -> dict[str, Any]:
    if late is not None:
        raise late
    return reply


def _one_frame(action: str) -> ProtocolError:
    return ProtocolError(f"{action}: the fake answers a stream with one frame, not a whole stream")


class SyncFakeTransport:
    """The in-process transport of ``Fake.client()``: the interface of the sync HTTP and
    WebSocket transports."""

    def __init__(self, fake: Fake) -> None:
        self.fake = fake
        self.inbox = fake._subscribe()

    def connect(self, seconds: float | None) -> None:
        self.inbox.reopen()

    def request(
        self, action: str, params: dict[str, object], seconds: float | None
    ) -> dict[str, Any]:
        reply, wait = self.fake.answer(action, wire(params))
        pause, late = _pause(action, wait, seconds)
        time.sleep(pause)
        return _on_time(reply, late)

    def stream(
        self, action: str, params: dict[str, object], seconds: float | None, sink: FrameSink
    ) -> None:
        if not sink(self.request(action, params, seconds)):
            raise _one_frame(action)

    def events(self, seconds: float | None) -> Iterator[Event]:
        while (frame := self.inbox.get(block=not self.fake.stop_when_idle)) is not None:
            yield _parsed(frame)

    def stop_events(self) -> None:
        self.inbox.close()

    def close(self) -> None:
        self.inbox.close()


class AsyncFakeTransport:
    """The in-process transport of ``Fake.async_client()``: the interface of the async HTTP and
    WebSocket transports."""

    def __init__(self, fake: Fake) -> None:
        self.fake = fake
        self.inbox = fake._subscribe()

    async def connect(self, seconds: float | None) -> None:
        self.inbox.reopen()

    async def request(
        self, action: str, params: dict[str, object], seconds: float | None
    ) -> dict[str, Any]:
        reply, wait = self.fake.answer(action, wire(params))
        pause, late = _pause(action, wait, seconds)
        await asyncio.sleep(pause)
        return _on_time(reply, late)

    async def stream(
        self,
        action: str,
        params: dict[str, object],
        seconds: float | None,
        sink: FrameSink,
    ) -> None:
        if not sink(await self.request(action, params, seconds)):
            raise _one_frame(action)

    async def events(self, seconds: float | None) -> AsyncIterator[Event]:
        while (frame := await self.inbox.get_async(not self.fake.stop_when_idle)) is not None:
            yield _parsed(frame)

    def stop_events(self) -> None:
        self.inbox.close()

    async def close(self) -> None:
        self.inbox.close()
