"""HTTP transports: ``POST {base_url}/{action}`` with a JSON body, on kept-alive connections.

Sync: a pool of hand-written HTTP/1.1 connections (``_http1``), so threads can share a client.
Async: ``aiohttp``, imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._envelope import MAX_REPLY_BYTES, decode, encode, preview
from ._http1 import Closed, Connection, NotHttp
from ._types import deadline
from ._url import bearer, checked, where
from .errors import (
    AuthError,
    NetworkError,
    OneBotError,
    ProtocolError,
    RequestTimeout,
    UnsupportedAction,
)

if TYPE_CHECKING:
    import aiohttp

#: Idle connections the sync pool keeps: one per thread, for up to this many threads sharing a client
#: (the server closes idle ones after a few seconds; a closed one is noticed before use). Checked
#: without a lock, so threads returning connections at once may leave a few more.
POOL_SIZE = 100
#: Seconds an idle aiohttp connection is kept: under Node's 5 s server default (NapCat), so the
#: client never reuses a connection the server is closing.
KEEPALIVE_SECONDS = 4.0
#: The server closed the connection instead of answering.
_CLOSED = (Closed, BrokenPipeError, ConnectionResetError)


class Endpoint:
    """Where and how to POST: the base URL's parts and the request headers."""

    def __init__(self, base_url: str, access_token: str | None) -> None:
        parts = checked(base_url, ("http", "https"), "use .websocket(...) for ws://")
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        # Without user info: the URL appears in error messages.
        self.url = f"{parts.scheme}://{where(parts)}{self.prefix}"
        self.secret = access_token or None
        self.headers = {"Content-Type": "application/json", **bearer(access_token)}

    def path(self, action: str) -> str:
        """The request path of an action."""
        return f"{self.prefix}/{action}"

    def failed(self, action: str, what: str, exc: Exception) -> str:
        """An error message for a failed request (the exception's text, not its ``repr``, which
        for aiohttp includes the request headers)."""
        return f"{action}: the server at {self.url} {what}: {type(exc).__name__}: {exc}"

    def reply(self, action: str, status: int, raw: bytes) -> dict[str, Any]:
        """The reply envelope of an HTTP answer; an error for an HTTP error status or garbage."""
        if status in (401, 403):
            raise AuthError(f"{action}: HTTP {status}: the server refused the access token")
        if status == 404:
            raise UnsupportedAction(action, 1404, f"HTTP 404 for {self.path(action)}")
        if status >= 400:
            raise NetworkError(f"{action}: HTTP {status}: {preview(raw, self.secret)}")
        return decode(action, raw, self.secret)


class SyncHttp:
    """Blocking HTTP on pooled kept-alive connections: thread-safe, one request per connection
    at a time.

    The pool is a list whose ``pop`` and ``append`` are atomic, so that threads taking and
    returning connections never wait for each other."""

    def __init__(self, base_url: str, access_token: str | None) -> None:
        self.endpoint = endpoint = Endpoint(base_url, access_token)
        self._port = endpoint.port or (443 if endpoint.https else 80)
        host = endpoint.host if endpoint.port is None else f"{endpoint.host}:{endpoint.port}"
        headers = {"Host": host, **endpoint.headers}
        self._head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._idle: list[Connection] = []

    def request(
        self, action: str, params: dict[str, object], seconds: float | None
    ) -> dict[str, Any]:
        """POST the action and return the reply envelope."""
        ends = deadline(seconds)  # for the whole call, not for each read
        body = encode(params).encode("utf-8")
        request = (
            f"POST {self.endpoint.prefix}/{action} HTTP/1.1\r\n{self._head}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        connection = None
        try:
            connection = self._acquire(ends)
            status, raw, keep = connection.exchange(request, ends)
        except (OSError, Closed, NotHttp) as exc:
            if connection is not None:
                connection.close()
            raise self._failure(action, seconds, exc) from exc
        if keep and len(self._idle) < POOL_SIZE:
            self._idle.append(connection)
        else:
            connection.close()
        return self.endpoint.reply(action, status, raw)

    def close(self) -> None:
        """Close the idle connections (a later request opens a new one)."""
        while self._idle:
            try:
                connection = self._idle.pop()
            except IndexError:  # another thread took the last one
                return
            connection.close()

    def _failure(self, action: str, seconds: float | None, exc: Exception) -> OneBotError:
        if isinstance(exc, TimeoutError):
            return RequestTimeout(f"{action}: no reply within {seconds} s")
        if isinstance(exc, _CLOSED):
            return NetworkError(self.endpoint.failed(action, "closed the connection", exc))
        if isinstance(exc, NotHttp):
            return ProtocolError(self.endpoint.failed(action, "answered not HTTP", exc))
        return NetworkError(self.endpoint.failed(action, "is unreachable", exc))

    def _acquire(self, ends: float | None) -> Connection:
        """An idle connection the server has not closed meanwhile, else a new one."""
        idle = self._idle
        while idle:
            try:
                connection = idle.pop()
            except IndexError:  # another thread took the last one
                break
            if connection.idle_and_open():
                return connection
            connection.close()
        return Connection(self.endpoint.host, self._port, self.endpoint.https, ends)


class AsyncHttp:
    """HTTP for asyncio on an ``aiohttp`` session (created on first use, in the running loop)."""

    def __init__(self, base_url: str, access_token: str | None) -> None:
        self.endpoint = Endpoint(base_url, access_token)
        self._session: aiohttp.ClientSession | None = None

    async def request(
        self, action: str, params: dict[str, object], seconds: float | None
    ) -> dict[str, Any]:
        """POST the action and return the reply envelope."""
        import aiohttp

        session = self._session
        if session is None or session.closed:
            session = self._session = aiohttp.ClientSession(
                headers=self.endpoint.headers,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
        try:
            async with session.post(
                self.endpoint.url + "/" + action,
                data=encode(params).encode("utf-8"),
                timeout=aiohttp.ClientTimeout(total=seconds),
            ) as response:
                raw = await _body(response)
                status = response.status
        except TimeoutError:
            raise RequestTimeout(f"{action}: no reply within {seconds} s") from None
        except aiohttp.ServerDisconnectedError as exc:
            raise NetworkError(self.endpoint.failed(action, "closed the connection", exc)) from exc
        except (aiohttp.ClientResponseError, _TooLarge) as exc:
            raise ProtocolError(self.endpoint.failed(action, "answered not HTTP", exc)) from exc
        except aiohttp.ClientPayloadError as exc:  # the body does not match its framing
            raise ProtocolError(self.endpoint.failed(action, "sent a broken body", exc)) from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(self.endpoint.failed(action, "is unreachable", exc)) from exc
        return self.endpoint.reply(action, status, raw)

    async def close(self) -> None:
        """Close the session and its connections (a later request opens a new one)."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class _TooLarge(Exception):
    """A body over ``MAX_REPLY_BYTES``."""


async def _body(response: aiohttp.ClientResponse) -> bytes:
    """The response's body, read up to ``MAX_REPLY_BYTES``."""
    if (response.content_length or 0) > MAX_REPLY_BYTES:
        raise _TooLarge(f"Content-Length {response.content_length} is over the limit of a reply")
    body = bytearray()
    async for block in response.content.iter_any():
        body += block
        if len(body) > MAX_REPLY_BYTES:
            raise _TooLarge(f"a body over the {MAX_REPLY_BYTES}-byte limit of a reply")
    return bytes(body)
