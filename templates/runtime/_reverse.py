"""Reverse WebSocket: NapCat connects to the bot (NapCat's ``websocketClients``), on
``websockets``; async only.

NapCat opens one Universal connection per account, with ``X-Self-ID`` (the account),
``X-Client-Role: Universal`` and ``Authorization: Bearer <token>``, then pushes events on it and
answers calls sent over it, echo-matched, as on a forward WebSocket. When it drops, NapCat
reconnects after ``reconnectInterval`` (5 s by default).

OneBot 11 also lets an implementation open two connections per account instead (its default:
``use_universal_client`` false): ``X-Client-Role: API``, which answers calls, and ``Event``,
which pushes events. Both are served: an account's calls go over its API or Universal
connection, and the events of all its connections are delivered.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl

from ._extras import require

require("websocket", "ReverseWebSocketServer")  # before websockets is imported: MissingExtra

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from ._base import DEFAULT_TIMEOUT
from ._envelope import MAX_REPLY_BYTES
from ._events import handle_each
from ._serving import BACKLOG, EventServer, Pair
from ._stopping import AsyncStopping
from ._ws_async import AsyncWebSocket, _AsyncLink
from ._ws_common import _RedactingLog
from .errors import NetworkError

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

    from .client import AsyncOneBot
    from .models import Event

#: NapCat's default reverse-WebSocket port is 8082 (``ws://localhost:8082``); the path is the
#: usual one of OneBot 11 bot frameworks.
DEFAULT_PORT = 8082
DEFAULT_PATH = "/onebot/v11/ws"
#: Seconds ``close()`` waits for an account's connection to answer its close frame (NapCat
#: answers at once; a peer that hangs is cut after this, all accounts' at the same time).
CLOSE_TIMEOUT = 0.5


def refusal(token: str | None, headers: Any, query: str) -> HTTPStatus | None:
    """Why a connection's token is refused (401 none given, 403 a wrong one), or None. The token
    comes as ``Authorization: Bearer <token>`` or as ``?access_token=<token>``."""
    if token is None:
        return None
    given = dict(parse_qsl(query)).get("access_token") or (
        str(headers.get("Authorization", "")).removeprefix("Bearer").strip()
    )
    if not given:
        return HTTPStatus.UNAUTHORIZED
    if not hmac.compare_digest(given.encode(), token.encode()):
        return HTTPStatus.FORBIDDEN
    return None


#: An ``X-Self-ID`` taken: a QQ number, 1 to 20 ASCII digits (``str.isdigit`` takes ``²``).
SELF_ID = re.compile(r"[0-9]{1,20}")

#: The values of ``X-Client-Role`` served (compared without case), and whether a connection of
#: that role carries the account's calls.
ROLES = {"universal": True, "api": True, "event": False}


_log = logging.getLogger("onebot_client")


def _peer(connection: ServerConnection) -> str:
    host, port = connection.remote_address[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _refuse(connection: ServerConnection, status: HTTPStatus, why: str) -> Response:
    """The answer to a handshake refused for ``why`` (logged)."""
    _log.warning("refused a connection from %s: HTTP %d, %s", _peer(connection), status, why)
    return connection.respond(status, why[:200] + "\n")


def role(headers: Any) -> str:
    """A connection's ``X-Client-Role``, as sent (Universal when it sends none)."""
    return str(headers.get("X-Client-Role", "Universal"))


class AcceptedWebSocket(AsyncWebSocket):
    """One connection of one account, of one kind (for calls, or for events only): calls go out
    over it as on a forward WebSocket; its events go to ``deliver`` (and to this client's own
    ``events()``, if read). Adopts the account's next connection of its kind when it reconnects;
    while there is none, calls fail with ``NetworkError``."""

    logs_connections = False  # the server logs each account's

    def __init__(
        self,
        connection: ServerConnection,
        self_id: int,
        token: str | None,
        deliver: Callable[[Event, Callable[[], bool]], Awaitable[None]],
    ) -> None:
        """Named after ``connection`` (the account's first), which it does not adopt; ``token``
        (the server's) is blanked out of its errors and logs, as a client's is."""
        super().__init__(
            f"ws://{_peer(connection)}",
            token,
            reconnect=False,
            max_backoff=0.0,
        )
        self.self_id = self_id
        self.where = f"{self.where} (NapCat {self_id})"
        self._deliver = deliver

    async def replace(self, connection: ServerConnection) -> None:
        """Carry on over ``connection`` from now on; the previous one, if still open, is
        closed (its calls fail)."""
        if self._link is not None:
            await self._link.connection.close()
        self._adopt(cast("ClientConnection", connection))

    async def _open(self, seconds: float | None) -> None:
        raise NetworkError(
            f"NapCat {self.self_id} has no connection for calls open (it reconnects by itself)"
        )

    async def _keep(self, event: Event, link: _AsyncLink) -> None:
        await self._deliver(event, link.busy)
        if self._events.readers:
            await super()._keep(event, link)


class ReverseWebSocketServer(EventServer):
    """A reverse WebSocket server: NapCat connects to it, one connection per account, each with
    a typed ``AsyncOneBot`` whose calls go back over that connection (or an API and an Event
    connection per account, as OneBot 11 allows: calls go over the API one). Async only.

        server = ReverseWebSocketServer(port=8082, access_token="token")

        @server.on.group_message
        async def echo(bot: AsyncOneBot, event: GroupMessageEvent) -> None:
            await bot.reply(event, plain_text(event))

        asyncio.run(server.run())

    In NapCat's network settings add a WebSocket client (``websocketClients``) with ``url``
    ``ws://<this host>:8082/onebot/v11/ws`` and the same ``token``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        *,
        path: str = DEFAULT_PATH,
        access_token: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        reuse_port: bool = False,
    ) -> None:
        """Listen for NapCat (started by ``async with``, ``start()``, ``run()`` or ``events()``).

        Args:
            host: The address to listen on (``0.0.0.0``: every interface).
            port: The port (0: a free one, set once started).
            path: The path NapCat's ``url`` names; other paths are refused (HTTP 404).
            access_token: The token NapCat must send (NapCat's ``token``); a connection without
                it is refused with HTTP 401, one with another token with 403. Compared in
                constant time; never shown.
            timeout: Default seconds each client waits for a reply (``None``: no limit).
            reuse_port: Let other processes listen on the same port too (``SO_REUSEPORT``;
                Linux and the BSDs): the kernel spreads the connections over them (see
                connecting.md, "Many accounts").
        """
        super().__init__(host, port, path, reuse_port)
        self._token = access_token or None
        self._timeout = timeout
        self._server: Server | None = None
        #: The client of each account that has connected, by its ``self_id`` (kept while it is
        #: away: its calls fail until it reconnects, then go over the new connection).
        self.bots: dict[int, AsyncOneBot] = {}
        #: Each account's connection for events only (``X-Client-Role: Event``), if it has one.
        self._event_sockets: dict[int, AcceptedWebSocket] = {}

    @property
    def url(self) -> str:
        """The URL to give NapCat (``ws://host:port/path``)."""
        return f"ws://{self.host}:{self.port}{self.path}"

    async def _handle_events(self, stopping: AsyncStopping) -> None:
        # Each event in a task of its own; a quick operation goes back over the event's
        # connection (the account's client has the server's handlers).
        await handle_each(self._pairs(), _handled, stopping)

    async def _listen(self) -> None:
        self._server = await serve(
            self._serve,
            self.host,
            self.port,
            process_request=self._check,
            max_size=MAX_REPLY_BYTES,  # NapCat allows 50 MB
            close_timeout=CLOSE_TIMEOUT,
            backlog=BACKLOG,
            reuse_port=self.reuse_port,
            compression=None,  # NapCat offers none
            # At DEBUG websockets logs each handshake's path and headers, where the token is.
            logger=_RedactingLog("websockets.server", self._token),
        )
        self.port: int = int(self._server.sockets[0].getsockname()[1])

    async def _stop(self) -> None:
        # Stop taking connections first, then close the accounts' all at once: each closing
        # handshake waits up to CLOSE_TIMEOUT for a peer that may hang.
        server, self._server = self._server, None
        if server is not None:
            server.close(close_connections=False)
        sockets = [bot._transport for bot in self.bots.values()]
        closing = [s.close() for s in [*sockets, *self._event_sockets.values()]]
        if closing:
            await asyncio.wait([asyncio.ensure_future(c) for c in closing])
        if server is not None:
            server.close()
            await server.wait_closed()

    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        """Refuse a handshake that is not NapCat's, before anything is delivered (logged, as
        a WARNING with the reason, never the token)."""
        path, _, query = request.path.partition("?")
        if "/" + path.strip("/") != self.path:
            return _refuse(connection, HTTPStatus.NOT_FOUND, f"no OneBot endpoint at {path}")
        refused = refusal(self._token, request.headers, query)
        if refused is not None:
            why = "no access token" if refused is HTTPStatus.UNAUTHORIZED else "a wrong token"
            return _refuse(connection, refused, f"token verify failed: {why}")
        if not SELF_ID.fullmatch(request.headers.get("X-Self-ID", "")):
            return _refuse(
                connection, HTTPStatus.BAD_REQUEST, "X-Self-ID: expected the account's QQ number"
            )
        sent = role(request.headers)
        if sent.lower() not in ROLES:
            return _refuse(
                connection,
                HTTPStatus.BAD_REQUEST,
                f"X-Client-Role {sent!r}: expected Universal, API or Event",
            )
        return None

    async def _serve(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        headers = connection.request.headers
        self_id = int(headers["X-Self-ID"])
        bot = self.bots.get(self_id)
        if bot is None:
            bot = self.bots[self_id] = self._bot(connection, self_id)
        if ROLES[role(headers).lower()]:
            socket = cast("AcceptedWebSocket", bot._socket_transport)
        else:
            socket = self._event_sockets.get(self_id) or self._socket(connection, self_id, bot)
            self._event_sockets[self_id] = socket
        where = _peer(connection)
        _log.info("account %d connected from %s (%s)", self_id, where, role(headers))
        await socket.replace(connection)
        await connection.wait_closed()
        code = connection.close_code
        _log.info(
            "account %d disconnected from %s (%s)",
            self_id,
            where,
            f"close code {code}" if code is not None else "no closing handshake",
        )

    def _bot(self, connection: ServerConnection, self_id: int) -> AsyncOneBot:
        """The client of the account that ``connection`` (its first) is of."""
        from .client import AsyncOneBot

        bot = AsyncOneBot.__new__(AsyncOneBot)
        socket = self._socket(connection, self_id, bot)
        # The token NapCat connected with is the one its replies might echo: it is redacted too.
        bot._configure(f"reverse WebSocket from {socket.where}", self._token, self._timeout, "")
        bot._transport = bot._socket_transport = socket
        bot._handlers = self.on  # its run() and quick operations use the server's handlers
        return bot

    def _socket(
        self, connection: ServerConnection, self_id: int, bot: AsyncOneBot
    ) -> AcceptedWebSocket:
        """A connection of the account ``self_id``, delivering its events with ``bot``."""
        return AcceptedWebSocket(
            connection, self_id, self._token, lambda event, busy: self._deliver(bot, event, busy)
        )


def _handled(pair: Pair) -> Coroutine[Any, Any, None]:
    """The handling of an account's event by its client (the coroutine itself: no wrapper)."""
    return pair[0]._handle(pair[1])
