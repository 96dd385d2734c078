# Copied from templates/runtime/_backoff.py by `onebot-gen build`. Do not edit: change it there.
"""The waits between reconnection attempts, shared by the forward WebSocket transports and the
HTTP event stream (so it imports neither ``websockets`` nor ``aiohttp``): the first attempt at
once, then after ``FIRST_BACKOFF`` seconds (or ``max_backoff`` if less), doubling up to
``max_backoff``."""

from __future__ import annotations

from collections.abc import Iterator

#: Seconds before the second reconnection attempt (the first is immediate); doubles each time.
FIRST_BACKOFF = 0.5


def delays(max_backoff: float) -> Iterator[float]:
    """The waits between reconnection attempts: ``FIRST_BACKOFF``, doubling, never more than
    ``max_backoff``."""
    delay = min(FIRST_BACKOFF, max_backoff)
    while True:
        yield delay
        delay = min(delay * 2, max_backoff)
