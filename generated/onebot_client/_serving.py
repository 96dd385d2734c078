# Copied from templates/runtime/_serving.py by `onebot-gen build`. Do not edit: change it there.
"""What the servers NapCat connects to share: the handlers, the ``(bot, event)`` pairs kept for
``events()``, starting and closing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from ._backlog import AsyncBacklog, idle
from ._stopping import AsyncStopping, asyncio_signals, stopped

if TYPE_CHECKING:
    from .client import AsyncOneBot
    from .events import AsyncHandlers
    from .models import Event

Pair = tuple["AsyncOneBot", "Event"]

#: Connections waiting to be accepted: asyncio's 100 lost the SYN of 54-394 of 1,000 accounts
#: connecting at once (each then waited the kernel's 1 s retry); with 2,048, all were in within
#: 0.5 s. (The kernel caps it at ``net.core.somaxconn``.)
BACKLOG = 2048


class EventServer:
    """A server NapCat delivers events to; async only. Start it with ``async with server:`` (or
    ``start()``), or let ``run()`` / ``events()`` start it."""

    _handlers: AsyncHandlers | None = None

    def __init__(self, host: str, port: int, path: str, reuse_port: bool) -> None:
        self.host: str = host
        self.port: int = port
        self.path: str = "/" + path.strip("/")
        self.reuse_port = reuse_port
        #: The events of every account, for ``events()`` and ``run()`` (None: the end).
        self._inbox: AsyncBacklog[Pair | None] | None = None

    @property
    def on(self) -> AsyncHandlers:
        """Handler registrations, one per event kind: ``@server.on.group_message``. A handler is
        called with the client of the account the event came from, and the event."""
        if self._handlers is None:
            from .events import AsyncHandlers

            self._handlers = AsyncHandlers()
        return self._handlers

    async def start(self) -> None:
        """Start listening (``port`` 0: on a free port, then set to it); nothing if listening."""
        if self._inbox is None:
            self._inbox = AsyncBacklog()
            try:
                await self._listen()
            except BaseException:
                self._inbox = None
                raise

    async def close(self) -> None:
        """Stop listening and close the connections; ``events()`` and ``run()`` end."""
        inbox, self._inbox = self._inbox, None
        if inbox is not None:
            await self._stop()
            inbox.end_readers(None)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    async def run(self, *, handle_signals: bool = True) -> None:
        """Start if need be, hand each event to the handlers registered on ``on`` until the
        server is closed, then close it (also when cancelled). A handler that fails is logged
        and the events go on.

        SIGINT (Ctrl-C) or SIGTERM ends it cleanly, in the main thread, unless
        ``handle_signals`` is False: no more events are taken, the handlers under way have
        ``GRACE`` (5) seconds to finish, the connections are closed and ``run()`` returns, so
        ``asyncio.run(server.run())`` exits without a traceback (see ``_stopping``).
        """
        await self.start()
        stopping = AsyncStopping(self._stop_events)
        try:
            with asyncio_signals(stopping, handle_signals):
                await self._handle_events(stopping)
        finally:
            await self.close()
        stopped(stopping)

    async def events(self) -> AsyncIterator[Pair]:
        """``(bot, event)`` for each event, in order: the client of the account it came from,
        and the event, typed. Starts the server if need be; ends when it is closed. Up to
        10,000 unread events are kept; then an account's connection is not read until there
        is room (NapCat waits), so none is lost (see ``_backlog``)."""
        await self.start()
        async for pair in self._pairs():
            yield pair

    async def _pairs(self) -> AsyncIterator[Pair]:
        """``events()`` of a started server."""
        inbox = self._inbox
        assert inbox is not None
        with inbox.reading():
            while (pair := await inbox.get()) is not None:
                yield pair

    async def _deliver(
        self, bot: AsyncOneBot, event: Event, busy: Callable[[], bool] = idle
    ) -> None:
        """Keep an event of ``bot``'s account for ``events()`` and ``run()``; ``busy``: whether
        a call of that account waits for its reply (see ``_backlog``)."""
        if self._inbox is not None:
            await self._inbox.put((bot, event), busy)

    async def _stop_events(self) -> None:
        """End the ``events()`` under way (so ``run()``)."""
        if self._inbox is not None:
            self._inbox.end_readers(None)

    async def _handle_events(self, stopping: AsyncStopping) -> None:
        raise NotImplementedError

    async def _listen(self) -> None:
        raise NotImplementedError

    async def _stop(self) -> None:
        raise NotImplementedError
