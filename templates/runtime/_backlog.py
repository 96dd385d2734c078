"""The events an asyncio connection or server keeps for ``events()`` and ``run()``: at most
``EVENT_BUFFER``, and none lost while they are read.

When the backlog is full:

- while ``events()`` or ``run()`` reads it, a reader waits for room, reading nothing more from
  its socket meanwhile, so TCP slows the server down and nothing is lost. Readers waiting on one
  backlog (a server's accounts) get room in the order they came, one event each. A reader never
  waits while a call on its connection waits for its reply, which may be behind the events: it
  reads on, and the backlog holds more than ``EVENT_BUFFER`` until no call waits (what the server
  sends within the calls' timeouts).
- while nothing reads it (a bot that only makes calls), the oldest event is dropped, and logged
  (``Drops``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Generic, TypeVar

from ._events import EVENT_BUFFER, RECHECK, Drops

T = TypeVar("T")


def idle() -> bool:
    """``busy`` of a reader whose connection carries no calls."""
    return False


class _Queue(asyncio.Queue[T]):
    def force(self, item: T) -> None:
        """Put ``item``, even when full (then no reader waits for an item: none to wake)."""
        if self.full():
            self._put(item)
        else:
            self.put_nowait(item)


class AsyncBacklog(Generic[T]):
    """Items kept for their readers, in order (see the note at the top)."""

    def __init__(self) -> None:
        self._queue: _Queue[T] = _Queue(EVENT_BUFFER)
        self.readers = 0
        self._drops = Drops()

    async def put(self, item: T, busy: Callable[[], bool] = idle) -> None:
        """Keep ``item``, waiting for room while the backlog is full and read, unless ``busy()``
        (a call waits on the reader's connection)."""
        queue = self._queue
        if not queue.full():
            queue.put_nowait(item)
        elif not self.readers:
            queue.get_nowait()
            self._drops.drop()
            queue.put_nowait(item)
        elif busy():
            queue.force(item)
        else:
            # Put by a task of its own, which keeps this reader's place in the queue's line
            # while the reader looks now and then whether a call came to wait on it.
            putting = asyncio.ensure_future(queue.put(item))
            while not (await asyncio.wait([putting], timeout=RECHECK))[0]:
                if busy() or not self.readers:
                    putting.cancel()
                    await asyncio.wait([putting])
                    if putting.cancelled():
                        queue.force(item)
                    return

    def end(self, item: T) -> None:
        """Put an item that ends the readers' iterations, even when full."""
        self._queue.force(item)

    def end_readers(self, item: T, at_least: int = 0) -> None:
        """``end`` each reader's iteration with ``item`` (and put it ``at_least`` times)."""
        for _ in range(max(at_least, self.readers)):
            self.end(item)

    def get(self) -> Awaitable[T]:
        """The next item, waiting for one; read within ``reading()``. (The queue's own wait:
        one coroutine less for each event.)"""
        return self._queue.get()

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """While ``events()`` or ``run()`` reads the items: none is dropped."""
        self.readers += 1
        self._drops.reading()
        try:
            yield
        finally:
            self.readers -= 1
