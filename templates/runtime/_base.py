"""The clients' shared machinery: construction, transports, the reply envelope, NapCat streams.
The generated ``OneBot`` and ``AsyncOneBot`` add one typed method per action on top.

``_Client`` holds all that does no I/O. The I/O is written once, for asyncio, in
``_client_async.py``; ``onebot-gen build`` makes the blocking twin, ``_client_sync.py``, from it.
``_clients.py`` makes ``SyncClient`` and ``AsyncClient`` of them, with what each does its own
way."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Self, TypeVar, cast

from ._backoff import DEFAULT_MAX_BACKOFF
from ._envelope import request_body
from ._types import NotGiven, Timeout
from ._url import shown, token_from
from .errors import Redacting

# The transports and the stream helpers are imported on first use, so that `import onebot_client`
# loads no HTTP, asyncio or WebSocket machinery it does not need.
if TYPE_CHECKING:
    from ._http import AsyncHttp, SyncHttp
    from ._stream import Download, DownloadKind, Upload

DEFAULT_HTTP_URL = "http://127.0.0.1:3000"
DEFAULT_WS_URL = "ws://127.0.0.1:3001"
DEFAULT_TIMEOUT = 30.0
#: The action that carries out a handler's quick operation (OneBot 11's hidden API).
QUICK_OPERATION = ".handle_quick_operation"
#: Bytes per chunk of a streamed upload or download, before base64 (NapCat's default).
CHUNK_SIZE = 64 * 1024


HttpT = TypeVar("HttpT")
SocketT = TypeVar("SocketT")
SseT = TypeVar("SseT")
HandlersT = TypeVar("HandlersT")


class _Client(Generic[HttpT, SocketT, SseT, HandlersT]):
    """What both clients do without I/O: construction, settings, ``repr`` (never the token),
    the handler registrations, where events come from, and the setting up of the streams. The
    type parameters are a subclass's transports and handlers, which it names in ``_*_class``
    (imported on first use)."""

    _url: str
    _timeout: float | None
    _constructor: str
    _secret: str | None
    _redacting: Redacting
    _transport: HttpT | SocketT
    _socket_transport: SocketT | None = None
    _handlers: HandlersT | None = None
    _sse: SseT | None = None
    _reconnect: bool
    _max_backoff: float

    def _http_class(self) -> Callable[[str, str | None], HttpT]:
        raise NotImplementedError

    def _websocket_class(self) -> Callable[..., SocketT]:
        raise NotImplementedError

    def _sse_class(self) -> Callable[..., SseT]:
        raise NotImplementedError

    def _handlers_class(self) -> Callable[[], HandlersT]:
        raise NotImplementedError

    def __init__(
        self,
        base_url: str = DEFAULT_HTTP_URL,
        *,
        access_token: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        reconnect: bool = False,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
    ) -> None:
        """Connect over HTTP: each call is a request of its own; ``events()`` reads NapCat's
        HTTP SSE stream (``GET {base_url}/_events``) on a connection of its own.

        Args:
            base_url: The server's HTTP address, e.g. ``http://127.0.0.1:3000``.
            access_token: Sent as ``Authorization: Bearer <token>``; never shown by ``repr``
                or in errors. A URL's ``?access_token=`` is taken as the token, the same way.
            timeout: Default seconds to wait for each reply (``None``: no limit); for
                ``events()``, the wait to connect and for the stream's response headers.
            reconnect: When the event stream cannot be opened (the server is not up yet) or
                ends or fails (the server closed it, the connection dropped, the server is
                restarting), ``events()`` opens it again (at once, then after 0.5 s, doubling
                up to ``max_backoff``; the waits start over once a stream has stayed open 10 s,
                so a server that closes each stream at once is not hammered) and goes on;
                events the server sent while no stream was open are lost. A refused token
                (``AuthError``) and an HTTP error status still raise; ``close()`` ends
                ``events()``, between attempts too. Without it, ``events()`` raises the
                ``NetworkError``. Calls are not affected.
            max_backoff: The longest wait between attempts to open the stream again, in
                seconds.
        """
        http = self._http_class()
        url = self._configure(base_url, access_token, timeout, "")
        self._transport = http(url, self._secret)
        self._reconnect = reconnect
        self._max_backoff = max_backoff

    @classmethod
    def websocket(
        cls,
        url: str = DEFAULT_WS_URL,
        *,
        access_token: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        reconnect: bool = False,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
    ) -> Self:
        """Connect over forward WebSocket: many calls in flight on one socket, and ``events()``.

        The socket opens on ``with`` (``async with``) or on the first call. When it drops, the
        calls waiting on it fail at once with ``NetworkError`` and the next call opens a new one.

        Args:
            url: The server's WebSocket address, e.g. ``ws://127.0.0.1:3001``.
            access_token: Sent in the handshake as ``Authorization: Bearer <token>`` (a URL's
                ``?access_token=`` is taken as the token, the same way).
            timeout: Default seconds to wait for each reply (``None``: no limit).
            reconnect: After a drop, reconnect in the background (a thread, or with asyncio a
                task; at once, then with exponential backoff from 0.5 s, which starts over once
                a socket has stayed open 10 s) so ``events()`` goes on; with asyncio, calls
                made meanwhile wait for the new socket (within their timeout). ``events()``
                and ``run()`` also try the first connection again, the same way, until it
                opens (the server may be starting too); a refused token is final. Without it,
                ``events()`` raises the ``NetworkError``.
            max_backoff: The longest wait between reconnection attempts, in seconds.
        """
        client = cls.__new__(cls)
        socket = client._websocket_class()
        url = client._configure(url, access_token, timeout, ".websocket")
        client._transport = client._socket_transport = socket(
            url, client._secret, reconnect=reconnect, max_backoff=max_backoff
        )
        return client

    def _configure(
        self, url: str, access_token: str | None, timeout: float | None, constructor: str
    ) -> str:
        """Keep the settings; return the URL to connect to (the token, even one given in the
        URL, goes in a header: see ``token_from``)."""
        self._url = shown(url)
        self._timeout = timeout
        self._constructor = constructor
        url, self._secret = token_from(url, access_token)
        self._redacting = Redacting(self._secret)
        return url

    def _seconds(self, timeout: Timeout) -> float | None:
        return self._timeout if isinstance(timeout, NotGiven) else timeout

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._constructor}({self._url!r})"

    @property
    def on(self) -> HandlersT:
        """Handler registrations, one per event kind: ``@bot.on.group_message``. ``run()``
        calls them."""
        if self._handlers is None:
            self._handlers = self._handlers_class()()
        return self._handlers

    def _event_source(self) -> SocketT | SseT:
        """What ``events()`` reads: the WebSocket, or over HTTP the SSE stream (made once)."""
        if self._socket_transport is not None:
            return self._socket_transport
        if self._sse is None:
            endpoint = cast("SyncHttp | AsyncHttp", self._transport).endpoint
            self._sse = self._sse_class()(
                endpoint, reconnect=self._reconnect, max_backoff=self._max_backoff
            )
        return self._sse

    def _upload(
        self,
        source: str | os.PathLike[str] | bytes,
        filename: str | None,
        chunk_size: int,
        stream_id: str | None,
        file_retention: int | NotGiven,
    ) -> Upload:
        """The upload of ``upload_stream()``, its arguments checked and its content hashed."""
        from ._stream import Upload

        return Upload(
            source,
            chunk_size=chunk_size,
            filename=filename,
            stream_id=stream_id,
            file_retention=file_retention,
            secret=self._secret,
        )

    def _download(
        self,
        file: str,
        to: str | os.PathLike[str] | None,
        kind: DownloadKind,
        chunk_size: int,
        out_format: str | NotGiven,
    ) -> tuple[SocketT, Download, dict[str, object]]:
        """The socket, the sink (``with`` it, a failure discards it) and the request body of
        ``download_stream()``, its arguments checked."""
        from ._stream import Download, download_params

        action, params = download_params(kind, file, chunk_size, out_format)
        socket = self._socket("download_stream()")
        return socket, Download(action, to, self._secret), request_body(params)

    def _socket(self, what: str) -> SocketT:
        if self._socket_transport is None:
            raise TypeError(f"{what} needs a WebSocket client: {type(self).__name__}.websocket()")
        return self._socket_transport
