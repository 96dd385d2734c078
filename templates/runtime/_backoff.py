"""The waits between reconnection attempts, shared by the forward WebSocket transports and the
HTTP event stream (so it imports neither ``websockets`` nor ``aiohttp``): the first attempt at
once, then after ``FIRST_BACKOFF`` seconds, doubling up to ``max_backoff``."""

from __future__ import annotations

from collections.abc import Iterator

#: Seconds before the second reconnection attempt (the first is immediate); doubles each time.
FIRST_BACKOFF = 0.5


def delays(max_backoff: float) -> Iterator[float]:
    """The waits between reconnection attempts: ``FIRST_BACKOFF``, doubling up to ``max_backoff``."""
    delay = FIRST_BACKOFF
    while True:
        yield delay
        delay = min(delay * 2, max_backoff)
