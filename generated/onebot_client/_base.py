# Copied from templates/runtime/_base.py by `onebot-gen build`. Do not edit: change it there.
"""The clients' shared machinery: construction, transports, the reply envelope, NapCat streams.
The generated ``OneBot`` and ``AsyncOneBot`` add one typed method per action on top.

``_Client`` holds all that does no I/O; ``SyncClient`` and ``AsyncClient`` name their transports
and do the I/O, each method a few lines around a call or an ``await``."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, cast, overload

from ._envelope import request_body, unwrap
from ._events import handle_each, log_failure, quick_params, reply_params
from ._extras import require
from ._types import NOT_GIVEN, NotGiven, Timeout
from ._url import shown, token_from
from .errors import ActionFailed, OneBotError, Redacting

# The transports and the stream helpers are imported on first use, so that `import onebot_client`
# loads no HTTP, asyncio or WebSocket machinery it does not need.
if TYPE_CHECKING:
    from pathlib import Path

    from ._http import AsyncHttp, Endpoint, SyncHttp
    from ._sse import AsyncSse, SyncSse
    from ._stream import Download, DownloadKind, Upload
    from ._ws_async import AsyncWebSocket
    from ._ws_sync import SyncWebSocket
    from .events import AsyncHandlers, Handlers
    from .models import Event, Message

DEFAULT_HTTP_URL = "http://127.0.0.1:3000"
DEFAULT_WS_URL = "ws://127.0.0.1:3001"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BACKOFF = 30.0
#: The action that carries out a handler's quick operation (OneBot 11's hidden API).
QUICK_OPERATION = ".handle_quick_operation"
#: The action ``reply()`` sends through.
SEND_MSG = "send_msg"
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

    def _http_class(self) -> Callable[[str, str | None], HttpT]:
        raise NotImplementedError

    def _websocket_class(self) -> Callable[..., SocketT]:
        raise NotImplementedError

    def _sse_class(self) -> Callable[[Endpoint], SseT]:
        raise NotImplementedError

    def _handlers_class(self) -> Callable[[], HandlersT]:
        raise NotImplementedError

    def __init__(
        self,
        base_url: str = DEFAULT_HTTP_URL,
        *,
        access_token: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        """Connect over HTTP.

        Args:
            base_url: The server's HTTP address, e.g. ``http://127.0.0.1:3000``.
            access_token: Sent as ``Authorization: Bearer <token>``; never shown by ``repr``
                or in errors. A URL's ``?access_token=`` is taken as the token, the same way.
            timeout: Default seconds to wait for each reply (``None``: no limit).
        """
        http = self._http_class()
        url = self._configure(base_url, access_token, timeout, "")
        self._transport = http(url, self._secret)

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
                task; at once, then with exponential backoff from 0.5 s) so ``events()`` goes
                on; with asyncio, calls made meanwhile wait for the new socket (within their
                timeout). Without it, ``events()`` raises the ``NetworkError``.
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
            self._sse = self._sse_class()(endpoint)
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


class SyncClient(_Client["SyncHttp", "SyncWebSocket", "SyncSse", "Handlers"]):
    """A blocking OneBot 11 client, safe to share between threads.

    ``OneBot(base_url)`` talks HTTP (``POST {base_url}/{action}``, the standard library only);
    ``OneBot.websocket(url)`` talks forward WebSocket (needs ``websockets``).
    """

    def _http_class(self) -> type[SyncHttp]:
        from ._http import SyncHttp

        return SyncHttp

    def _websocket_class(self) -> type[SyncWebSocket]:
        require("websocket", "OneBot.websocket()")
        from ._ws_sync import SyncWebSocket

        return SyncWebSocket

    def _sse_class(self) -> type[SyncSse]:
        from ._sse import SyncSse

        return SyncSse

    def _handlers_class(self) -> type[Handlers]:
        from .events import Handlers

        return Handlers

    def __enter__(self) -> Self:
        if self._socket_transport is not None:
            with self._redacting:
                self._socket_transport.connect(self._timeout)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections; calls still waiting fail, ``events()`` ends. A later call
        connects again."""
        self._transport.close()
        if self._sse is not None:
            self._sse.close()

    def call(
        self,
        action: str,
        params: Mapping[str, object] | None = None,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> Any:
        """Call any action by its wire name, untyped: for actions this client has no method for.

        Returns the reply's ``data``; raises ``ActionFailed`` when the action fails.
        """
        return self._call(action, dict(params or {}), timeout)

    def _call(self, action: str, params: dict[str, object], timeout: Timeout) -> Any:
        with self._redacting:
            reply = self._transport.request(action, request_body(params), self._seconds(timeout))
            return unwrap(action, reply, self._secret)

    def events(self) -> Iterator[Event]:
        """The events the server pushes, typed, in order: those of the WebSocket, or over HTTP
        those of NapCat's HTTP SSE server (``GET {base_url}/_events``, a connection of its own).

        Blocks for the next one. A kind the spec does not describe comes as ``UnknownEvent``;
        frames that are not events never come. Ends when the client is closed; raises
        ``NetworkError`` when the connection drops. Over WebSocket, up to 10,000 unread events
        are kept (then the oldest go).
        """
        return self._redacted(self._event_source().events(self._timeout))

    def _redacted(self, events: Iterator[Event]) -> Iterator[Event]:
        with self._redacting:
            yield from events

    def run(self) -> None:
        """Hand each event to the handlers registered on ``on``, one after another, until the
        client is closed (raises ``NetworkError`` when the connection drops). A handler's quick
        operation is carried out through ``.handle_quick_operation``; a handler or an operation
        that fails is logged and the events go on."""
        for event in self.events():
            operation = self.on.dispatch(self, event)
            if operation is not None:
                try:
                    self._call(QUICK_OPERATION, quick_params(event, operation), NOT_GIVEN)
                except OneBotError:
                    log_failure(QUICK_OPERATION)

    def reply(
        self,
        event: Mapping[str, Any],
        message: Message,
        *,
        quote: bool = False,
        timeout: Timeout = NOT_GIVEN,
    ) -> Any:
        """Answer a message event where it came from (its group, or its sender in private).

        Args:
            event: A message event.
            message: A string (sent as plain text), one segment or a list of segments.
            quote: Quote the event's message (a ``reply`` segment first).
            timeout: Seconds to wait for the reply.

        Returns:
            What ``send_msg`` returns (the sent message's ``message_id``).
        """
        return self._call(SEND_MSG, reply_params(event, message, quote), timeout)

    def upload_stream(
        self,
        source: str | os.PathLike[str] | bytes,
        *,
        filename: str | None = None,
        chunk_size: int = CHUNK_SIZE,
        stream_id: str | None = None,
        file_retention: int | NotGiven = NOT_GIVEN,
        timeout: Timeout = NOT_GIVEN,
    ) -> str:
        """Upload a file to the server's machine in chunks (NapCat ``upload_file_stream``).

        Resumes: chunks the server already has under the stream id are not sent again. The
        server checks the SHA-256 of the merged file.

        Args:
            source: A file path, or the content.
            filename: The name on the server (default: the path's name; for content, NapCat
                picks ``upload_<uuid>``).
            chunk_size: Bytes per chunk (before base64).
            stream_id: The stream to upload under (default: derived from the content, so a
                repeated upload of the same file resumes).
            file_retention: Milliseconds before the server deletes the file (NapCat: 300000;
                0 keeps it).
            timeout: Seconds to wait for each reply.

        Returns:
            The file's path on the server's machine, usable as a message segment's ``file``.
        """
        upload = self._upload(source, filename, chunk_size, stream_id, file_retention)
        action = upload.action
        with self._redacting:
            try:
                state = self._call(action, upload.query(), timeout)
            except ActionFailed:
                state = None
            for index in upload.missing(state):
                upload.check(self._call(action, upload.chunk(index), timeout))
            return upload.finish(self._call(action, upload.complete(), timeout))

    @overload
    def download_stream(
        self,
        file: str,
        *,
        to: None = None,
        kind: DownloadKind = "file",
        chunk_size: int = CHUNK_SIZE,
        out_format: str | NotGiven = NOT_GIVEN,
        timeout: Timeout = NOT_GIVEN,
    ) -> bytes: ...

    @overload
    def download_stream(
        self,
        file: str,
        *,
        to: str | os.PathLike[str],
        kind: DownloadKind = "file",
        chunk_size: int = CHUNK_SIZE,
        out_format: str | NotGiven = NOT_GIVEN,
        timeout: Timeout = NOT_GIVEN,
    ) -> Path: ...

    def download_stream(
        self,
        file: str,
        *,
        to: str | os.PathLike[str] | None = None,
        kind: DownloadKind = "file",
        chunk_size: int = CHUNK_SIZE,
        out_format: str | NotGiven = NOT_GIVEN,
        timeout: Timeout = NOT_GIVEN,
    ) -> bytes | Path:
        """Download a file from the server in chunks (NapCat ``download_file_stream``, or its
        ``image`` / ``record`` variant); WebSocket only.

        Args:
            file: The file's id (a message segment's ``file`` / ``file_id``) or name.
            to: A path to write to (through ``<to>.part``); without it, the content is returned.
            kind: ``file``, ``image`` or ``record``.
            chunk_size: Bytes per chunk (before base64).
            out_format: For ``record``: convert to this format (mp3, amr, wma, m4a, spx, ogg,
                wav, flac).
            timeout: Seconds to wait for each frame.

        Returns:
            The content, or the path written.
        """
        socket, sink, body = self._download(file, to, kind, chunk_size, out_format)
        with sink, self._redacting:
            socket.stream(sink.action, body, self._seconds(timeout), sink.feed)
        return sink.result()


class AsyncClient(_Client["AsyncHttp", "AsyncWebSocket", "AsyncSse", "AsyncHandlers"]):
    """An asyncio OneBot 11 client.

    ``AsyncOneBot(base_url)`` talks HTTP (needs ``aiohttp``); ``AsyncOneBot.websocket(url)``
    talks forward WebSocket (needs ``websockets``): thousands of calls in flight on one socket,
    and ``events()``.
    """

    def _http_class(self) -> type[AsyncHttp]:
        require("async", "AsyncOneBot over HTTP")
        from ._http import AsyncHttp

        return AsyncHttp

    def _websocket_class(self) -> type[AsyncWebSocket]:
        require("websocket", "AsyncOneBot.websocket()")
        from ._ws_async import AsyncWebSocket

        return AsyncWebSocket

    def _sse_class(self) -> type[AsyncSse]:
        from ._sse import AsyncSse

        return AsyncSse

    def _handlers_class(self) -> type[AsyncHandlers]:
        from .events import AsyncHandlers

        return AsyncHandlers

    async def __aenter__(self) -> Self:
        if self._socket_transport is not None:
            with self._redacting:
                await self._socket_transport.connect(self._timeout)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connections; calls still waiting fail, ``events()`` ends. A later call
        connects again."""
        await self._transport.close()
        if self._sse is not None:
            await self._sse.close()

    async def call(
        self,
        action: str,
        params: Mapping[str, object] | None = None,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> Any:
        """Call any action by its wire name, untyped: for actions this client has no method for.

        Returns the reply's ``data``; raises ``ActionFailed`` when the action fails.
        """
        return await self._call(action, dict(params or {}), timeout)

    async def _call(self, action: str, params: dict[str, object], timeout: Timeout) -> Any:
        with self._redacting:
            seconds = self._seconds(timeout)
            reply = await self._transport.request(action, request_body(params), seconds)
            return unwrap(action, reply, self._secret)

    def events(self) -> AsyncIterator[Event]:
        """The events the server pushes, typed, in order: those of the WebSocket, or over HTTP
        those of NapCat's HTTP SSE server (``GET {base_url}/_events``, a connection of its own).

        ``async for event in bot.events(): ...`` A kind the spec does not describe comes as
        ``UnknownEvent``; frames that are not events never come. Ends when the client is
        closed; raises ``NetworkError`` when the connection drops (without ``reconnect``). Over
        WebSocket, up to 10,000 unread events are kept (then the oldest go).
        """
        return self._redacted(self._event_source().events(self._timeout))

    async def _redacted(self, events: AsyncIterator[Event]) -> AsyncIterator[Event]:
        with self._redacting:
            async for event in events:
                yield event

    async def run(self) -> None:
        """Hand each event to the handlers registered on ``on`` until the client is closed
        (raises ``NetworkError`` when the connection drops without ``reconnect``). Each event
        is handled in a task of its own, so a slow handler holds up no other event; its
        handlers run in order. A handler's quick operation is carried out through
        ``.handle_quick_operation``; a handler or an operation that fails is logged and the
        events go on. Returns once the tasks of the events received have ended."""
        await handle_each(self.events(), self._handle)

    async def _handle(self, event: Event) -> None:
        operation = await self.on.dispatch(self, event)
        if operation is not None:
            try:
                await self._call(QUICK_OPERATION, quick_params(event, operation), NOT_GIVEN)
            except OneBotError:
                log_failure(QUICK_OPERATION)

    async def reply(
        self,
        event: Mapping[str, Any],
        message: Message,
        *,
        quote: bool = False,
        timeout: Timeout = NOT_GIVEN,
    ) -> Any:
        """Answer a message event where it came from (its group, or its sender in private).

        Args:
            event: A message event.
            message: A string (sent as plain text), one segment or a list of segments.
            quote: Quote the event's message (a ``reply`` segment first).
            timeout: Seconds to wait for the reply.

        Returns:
            What ``send_msg`` returns (the sent message's ``message_id``).
        """
        return await self._call(SEND_MSG, reply_params(event, message, quote), timeout)

    async def upload_stream(
        self,
        source: str | os.PathLike[str] | bytes,
        *,
        filename: str | None = None,
        chunk_size: int = CHUNK_SIZE,
        stream_id: str | None = None,
        file_retention: int | NotGiven = NOT_GIVEN,
        timeout: Timeout = NOT_GIVEN,
    ) -> str:
        """Upload a file to the server's machine in chunks (NapCat ``upload_file_stream``).

        Resumes: chunks the server already has under the stream id are not sent again. The
        server checks the SHA-256 of the merged file.

        Args:
            source: A file path, or the content.
            filename: The name on the server (default: the path's name; for content, NapCat
                picks ``upload_<uuid>``).
            chunk_size: Bytes per chunk (before base64).
            stream_id: The stream to upload under (default: derived from the content, so a
                repeated upload of the same file resumes).
            file_retention: Milliseconds before the server deletes the file (NapCat: 300000;
                0 keeps it).
            timeout: Seconds to wait for each reply.

        Returns:
            The file's path on the server's machine, usable as a message segment's ``file``.
        """
        upload = self._upload(source, filename, chunk_size, stream_id, file_retention)
        action = upload.action
        with self._redacting:
            try:
                state = await self._call(action, upload.query(), timeout)
            except ActionFailed:
                state = None
            for index in upload.missing(state):
                upload.check(await self._call(action, upload.chunk(index), timeout))
            return upload.finish(await self._call(action, upload.complete(), timeout))

    @overload
    async def download_stream(
        self,
        file: str,
        *,
        to: None = None,
        kind: DownloadKind = "file",
        chunk_size: int = CHUNK_SIZE,
        out_format: str | NotGiven = NOT_GIVEN,
        timeout: Timeout = NOT_GIVEN,
    ) -> bytes: ...

    @overload
    async def download_stream(
        self,
        file: str,
        *,
        to: str | os.PathLike[str],
        kind: DownloadKind = "file",
        chunk_size: int = CHUNK_SIZE,
        out_format: str | NotGiven = NOT_GIVEN,
        timeout: Timeout = NOT_GIVEN,
    ) -> Path: ...

    async def download_stream(
        self,
        file: str,
        *,
        to: str | os.PathLike[str] | None = None,
        kind: DownloadKind = "file",
        chunk_size: int = CHUNK_SIZE,
        out_format: str | NotGiven = NOT_GIVEN,
        timeout: Timeout = NOT_GIVEN,
    ) -> bytes | Path:
        """Download a file from the server in chunks (NapCat ``download_file_stream``, or its
        ``image`` / ``record`` variant); WebSocket only.

        Args:
            file: The file's id (a message segment's ``file`` / ``file_id``) or name.
            to: A path to write to (through ``<to>.part``); without it, the content is returned.
            kind: ``file``, ``image`` or ``record``.
            chunk_size: Bytes per chunk (before base64).
            out_format: For ``record``: convert to this format (mp3, amr, wma, m4a, spx, ogg,
                wav, flac).
            timeout: Seconds to wait for each frame.

        Returns:
            The content, or the path written.
        """
        socket, sink, body = self._download(file, to, kind, chunk_size, out_format)
        with sink, self._redacting:
            await socket.stream(sink.action, body, self._seconds(timeout), sink.feed)
        return sink.result()
