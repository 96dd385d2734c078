# Copied from templates/runtime/_clients.py by `onebot-gen build`. Do not edit: change it there.
"""``SyncClient`` and ``AsyncClient``, which the generated ``OneBot`` and ``AsyncOneBot`` build on.

What they do alike, each in its own way of waiting, is written once (``_client_async.py``; the
blocking twin, ``_client_sync.py``, is made from it). Here is only what differs: the libraries
their HTTP transports need, how ``run()`` hands the events to the handlers (one after another, or
each in a task of its own), and what ``events()`` and ``run()`` say."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from ._client_async import _AsyncClient
from ._client_sync import _SyncClient
from ._events import handle_each
from ._extras import require

if TYPE_CHECKING:
    from ._http import AsyncHttp
    from .models import Event


class SyncClient(_SyncClient):
    """A blocking OneBot 11 client, safe to share between threads.

    ``OneBot(base_url)`` talks HTTP (``POST {base_url}/{action}``, the standard library only);
    ``OneBot.websocket(url)`` talks forward WebSocket (needs ``websockets``).
    """

    def events(self) -> Iterator[Event]:
        """The events the server pushes, typed, in order: those of the WebSocket, or over HTTP
        those of NapCat's HTTP SSE server (``GET {base_url}/_events``, a connection of its own).

        Blocks for the next one. A kind the spec does not describe comes as ``UnknownEvent``;
        frames that are not events never come. Ends when the client is closed; raises
        ``NetworkError`` when the connection drops (with ``reconnect``, it connects again and
        goes on; events sent meanwhile are lost). Up to 10,000 unread events are kept; then
        the socket is not read until there is room, so none is lost (see connecting.md).
        """
        return self._redacted(self._event_source().events(self._timeout))

    def run(self, *, handle_signals: bool = True) -> None:
        """Hand each event to the handlers registered on ``on``, one after another, until the
        client is closed (raises ``NetworkError`` when the connection drops without
        ``reconnect``). A handler's quick operation is carried out through
        ``.handle_quick_operation``; a handler or an operation that fails is logged and the
        events go on.

        SIGINT (Ctrl-C) or SIGTERM ends it cleanly, in the main thread, unless
        ``handle_signals`` is False: the handler under way finishes, the client is closed, and
        ``run()`` returns (a second signal interrupts the handler).
        """
        import _thread

        from ._stopping import Stopping, blocking_signals, stopped

        stopping = Stopping(self._stop_events, _thread.interrupt_main)
        with blocking_signals(stopping, handle_signals):
            for event in self.events():
                self._handle(event)
        if stopping.signal is not None:
            self.close()
        stopped(stopping)
        self.on.raise_failures()


class AsyncClient(_AsyncClient):
    """An asyncio OneBot 11 client.

    ``AsyncOneBot(base_url)`` talks HTTP (needs ``aiohttp``); ``AsyncOneBot.websocket(url)``
    talks forward WebSocket (needs ``websockets``): thousands of calls in flight on one socket,
    and ``events()``.
    """

    def _http_class(self) -> type[AsyncHttp]:
        require("async", "AsyncOneBot over HTTP")
        return super()._http_class()

    def events(self) -> AsyncIterator[Event]:
        """The events the server pushes, typed, in order: those of the WebSocket, or over HTTP
        those of NapCat's HTTP SSE server (``GET {base_url}/_events``, a connection of its own).

        ``async for event in bot.events(): ...`` A kind the spec does not describe comes as
        ``UnknownEvent``; frames that are not events never come. Ends when the client is
        closed; raises ``NetworkError`` when the connection drops (with ``reconnect``, it
        connects again and goes on; events sent meanwhile are lost). Up to 10,000 unread
        events are kept; then the socket is not read until there is room, so none is lost (see
        connecting.md).
        """
        return self._redacted(self._event_source().events(self._timeout))

    async def run(self, *, handle_signals: bool = True) -> None:
        """Hand each event to the handlers registered on ``on`` until the client is closed
        (raises ``NetworkError`` when the connection drops without ``reconnect``). Each event
        is handled in a task of its own, so a slow handler holds up no other event; its
        handlers run in order. A handler's quick operation is carried out through
        ``.handle_quick_operation``; a handler or an operation that fails is logged and the
        events go on. Returns once the tasks of the events received have ended.

        SIGINT (Ctrl-C) or SIGTERM ends it cleanly, in the main thread, unless
        ``handle_signals`` is False: no more events are taken, the handlers under way have
        ``GRACE`` (5) seconds to finish, the client is closed, and ``run()`` returns, so
        ``asyncio.run(bot.run())`` exits without a traceback (see ``_stopping``).
        """
        from ._stopping import AsyncStopping, asyncio_signals, stopped

        stopping = AsyncStopping(self._stop_events)
        # events() without its wrapper that redacts its errors: run() redacts them itself
        # (one async generator less for each event)
        with asyncio_signals(stopping, handle_signals), self._redacting:
            await handle_each(self._event_source().events(self._timeout), self._handle, stopping)
        if stopping.signal is not None:
            await self.close()
        stopped(stopping)
        self.on.raise_failures()
