# Copied from templates/runtime/_backoff.py by `onebot-gen build`. Do not edit: change it there.
"""The waits between reconnection attempts, shared by the forward WebSocket transports and the
HTTP event stream (so it imports neither ``websockets`` nor ``aiohttp``): after a drop, the first
attempt at once, then after ``FIRST_BACKOFF`` seconds (or ``max_backoff`` if less), doubling up to
``max_backoff``. The waits start over only after a connection that stayed open ``STEADY``
seconds: a server that accepts and closes at once is tried again ever more slowly, not in a
tight loop."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator

DEFAULT_MAX_BACKOFF = 30.0
#: Seconds before the second reconnection attempt (the first is immediate); doubles each time.
FIRST_BACKOFF = 0.5
#: Seconds a connection must stay open for the next drop to count as a new outage (the waits
#: start over at once); a connection that ends sooner continues the waits of the last one.
STEADY = 10.0


def delays(max_backoff: float) -> Iterator[float]:
    """The waits between failed reconnection attempts: ``FIRST_BACKOFF``, doubling, never more
    than ``max_backoff``."""
    delay = min(FIRST_BACKOFF, max_backoff)
    while True:
        yield delay
        delay = min(delay * 2, max_backoff)


class Backoff:
    """The waits of one client's (or one event stream's) attempts to connect again, across its
    connections: ``opened()`` when a connection opens, ``wait()`` before each attempt."""

    def __init__(self, max_backoff: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._max_backoff = max_backoff
        self._clock = clock
        self._waits = self._outage()
        #: When the open connection opened (None: none has since the last attempt).
        self._opened: float | None = None

    def _outage(self) -> Iterator[float]:
        return itertools.chain([0.0], delays(self._max_backoff))

    def opened(self) -> None:
        """A connection opened."""
        self._opened = self._clock()

    def wait(self) -> float:
        """Seconds to wait before the next attempt: the next of the outage's waits, which start
        over (at 0) when the connection that has just ended stayed open ``STEADY`` seconds."""
        if self._opened is not None and self._clock() - self._opened >= STEADY:
            self._waits = self._outage()
        self._opened = None
        return next(self._waits)
