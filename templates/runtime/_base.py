"""The clients' shared machinery: construction, transports, the reply envelope, NapCat streams.
The generated ``OneBot`` and ``AsyncOneBot`` add one typed method per action on top."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast, overload

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

    from ._http import AsyncHttp, SyncHttp
    from ._sse import AsyncSse, SyncSse
    from ._stream import DownloadKind
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


class _Client:
    """Settings and ``repr`` (never the token) shared by both clients."""

    _url: str
    _timeout: float | None
    _constructor: str
    _secret: str | None
    _redacting: Redacting

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


class SyncClient(_Client):
    """A blocking OneBot 11 client, safe to share between threads.

    ``OneBot(base_url)`` talks HTTP (``POST {base_url}/{action}``, the standard library only);
    ``OneBot.websocket(url)`` talks forward WebSocket (needs ``websockets``).
    """

    _transport: SyncHttp | SyncWebSocket
    _socket_transport: SyncWebSocket | None = None
    _handlers: Handlers | None = None
    _sse: SyncSse | None = None

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
        from ._http import SyncHttp

        url = self._configure(base_url, access_token, timeout, "")
        self._transport = SyncHttp(url, self._secret)

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

        The socket opens on ``with`` or on the first call. When it drops, the calls waiting on
        it fail with ``NetworkError`` and the next call opens a new one.

        Args:
            url: The server's WebSocket address, e.g. ``ws://127.0.0.1:3001``.
            access_token: Sent in the handshake as ``Authorization: Bearer <token>`` (a URL's
                ``?access_token=`` is taken as the token, the same way).
            timeout: Default seconds to wait for each reply (``None``: no limit).
            reconnect: After a drop, reconnect in a background thread (at once, then with
                exponential backoff from 0.5 s) so ``events()`` goes on. Without it,
                ``events()`` raises the ``NetworkError``.
            max_backoff: The longest wait between reconnection attempts, in seconds.
        """
        require("websocket", "OneBot.websocket()")
        from ._ws_sync import SyncWebSocket

        client = cls.__new__(cls)
        url = client._configure(url, access_token, timeout, ".websocket")
        client._transport = client._socket_transport = SyncWebSocket(
            url, client._secret, reconnect=reconnect, max_backoff=max_backoff
        )
        return client

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
        if self._socket_transport is not None:
            return self._redacted(self._socket_transport.events(self._timeout))
        if self._sse is None:
            from ._sse import SyncSse

            self._sse = SyncSse(cast("SyncHttp", self._transport).endpoint)
        return self._redacted(self._sse.events(self._timeout))

    def _redacted(self, events: Iterator[Event]) -> Iterator[Event]:
        with self._redacting:
            yield from events

    @property
    def on(self) -> Handlers:
        """Handler registrations, one per event kind: ``@bot.on.group_message``. ``run()``
        calls them."""
        if self._handlers is None:
            from .events import Handlers

            self._handlers = Handlers()
        return self._handlers

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
        from ._stream import UPLOAD_ACTION, Upload

        upload = Upload(
            source,
            chunk_size=chunk_size,
            filename=filename,
            stream_id=stream_id,
            file_retention=file_retention,
            secret=self._secret,
        )
        with self._redacting:
            try:
                state = self._call(UPLOAD_ACTION, upload.query(), timeout)
            except ActionFailed:
                state = None
            for index in upload.missing(state):
                upload.check(self._call(UPLOAD_ACTION, upload.chunk(index), timeout))
            return upload.finish(self._call(UPLOAD_ACTION, upload.complete(), timeout))

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
        from ._stream import Download, download_params

        action, params = download_params(kind, file, chunk_size, out_format)
        socket = self._socket("download_stream()")
        sink = Download(action, to, self._secret)
        try:
            with self._redacting:
                socket.stream(action, request_body(params), self._seconds(timeout), sink.feed)
        except BaseException:
            sink.discard()
            raise
        return sink.result()

    def _socket(self, what: str) -> SyncWebSocket:
        if self._socket_transport is None:
            raise TypeError(f"{what} needs a WebSocket client: {type(self).__name__}.websocket()")
        return self._socket_transport


class AsyncClient(_Client):
    """An asyncio OneBot 11 client.

    ``AsyncOneBot(base_url)`` talks HTTP (needs ``aiohttp``); ``AsyncOneBot.websocket(url)``
    talks forward WebSocket (needs ``websockets``): thousands of calls in flight on one socket,
    and ``events()``.
    """

    _transport: AsyncHttp | AsyncWebSocket
    _socket_transport: AsyncWebSocket | None = None
    _handlers: AsyncHandlers | None = None
    _sse: AsyncSse | None = None

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
        require("async", "AsyncOneBot over HTTP")
        from ._http import AsyncHttp

        url = self._configure(base_url, access_token, timeout, "")
        self._transport = AsyncHttp(url, self._secret)

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
        """Connect over forward WebSocket.

        The socket opens on ``async with`` or on the first call. When it drops, the calls
        waiting on it fail at once with ``NetworkError``.

        Args:
            url: The server's WebSocket address, e.g. ``ws://127.0.0.1:3001``.
            access_token: Sent in the handshake as ``Authorization: Bearer <token>`` (a URL's
                ``?access_token=`` is taken as the token, the same way).
            timeout: Default seconds to wait for each reply (``None``: no limit).
            reconnect: After a drop, reconnect in the background (at once, then with
                exponential backoff from 0.5 s) so ``events()`` goes on; calls made meanwhile
                wait for the new socket (within their timeout). Without it, the next call
                opens a new socket and ``events()`` raises the ``NetworkError``.
            max_backoff: The longest wait between reconnection attempts, in seconds.
        """
        require("websocket", "AsyncOneBot.websocket()")
        from ._ws_async import AsyncWebSocket

        client = cls.__new__(cls)
        url = client._configure(url, access_token, timeout, ".websocket")
        client._transport = client._socket_transport = AsyncWebSocket(
            url, client._secret, reconnect=reconnect, max_backoff=max_backoff
        )
        return client

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
        if self._socket_transport is not None:
            return self._redacted(self._socket_transport.events(self._timeout))
        if self._sse is None:
            from ._sse import AsyncSse

            self._sse = AsyncSse(cast("AsyncHttp", self._transport).endpoint)
        return self._redacted(self._sse.events(self._timeout))

    async def _redacted(self, events: AsyncIterator[Event]) -> AsyncIterator[Event]:
        with self._redacting:
            async for event in events:
                yield event

    @property
    def on(self) -> AsyncHandlers:
        """Handler registrations, one per event kind: ``@bot.on.group_message``. ``run()``
        calls them."""
        if self._handlers is None:
            from .events import AsyncHandlers

            self._handlers = AsyncHandlers()
        return self._handlers

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
        from ._stream import UPLOAD_ACTION, Upload

        upload = Upload(
            source,
            chunk_size=chunk_size,
            filename=filename,
            stream_id=stream_id,
            file_retention=file_retention,
            secret=self._secret,
        )
        with self._redacting:
            try:
                state = await self._call(UPLOAD_ACTION, upload.query(), timeout)
            except ActionFailed:
                state = None
            for index in upload.missing(state):
                upload.check(await self._call(UPLOAD_ACTION, upload.chunk(index), timeout))
            return upload.finish(await self._call(UPLOAD_ACTION, upload.complete(), timeout))

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
        from ._stream import Download, download_params

        action, params = download_params(kind, file, chunk_size, out_format)
        socket = self._socket("download_stream()")
        sink = Download(action, to, self._secret)
        try:
            with self._redacting:
                seconds = self._seconds(timeout)
                await socket.stream(action, request_body(params), seconds, sink.feed)
        except BaseException:
            sink.discard()
            raise
        return sink.result()

    def _socket(self, what: str) -> AsyncWebSocket:
        if self._socket_transport is None:
            raise TypeError(f"{what} needs a WebSocket client: {type(self).__name__}.websocket()")
        return self._socket_transport
