# Copied from templates/runtime/_client_async.py by `onebot-gen build`. Do not edit: change it there.
"""The I/O of the clients, written once. ``templates/runtime/_client_async.py`` is the source,
for asyncio; ``onebot-gen build`` makes ``_client_sync.py`` from it, each ``async`` and ``await``
dropped and each asyncio name replaced by its blocking twin's (the rules are in the generator's
``unasync.py``). What the two clients do each in its own way is in ``_clients.py``.

Write the source so that both read right: the words of the rules are replaced in docstrings and
comments too, and the blocking module is not formatted again (a line made shorter by a dropped
``await`` must not be one that black would join with the next)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, overload

from ._base import CHUNK_SIZE, QUICK_OPERATION, _Client
from ._envelope import request_body, unwrap
from ._events import log_failure, quick_params
from ._extras import require
from ._types import NOT_GIVEN, NotGiven, Timeout
from .errors import ActionFailed, OneBotError

# The transports and the stream helpers are imported on first use (see ``_base``).
if TYPE_CHECKING:
    from pathlib import Path

    from ._http import AsyncHttp
    from ._sse import AsyncSse
    from ._stream import DownloadKind
    from ._ws_async import AsyncWebSocket
    from .events import AsyncHandlers
    from .models import Event


class _AsyncClient(_Client["AsyncHttp", "AsyncWebSocket", "AsyncSse", "AsyncHandlers"]):
    """What ``SyncClient`` and ``AsyncClient`` do alike, each in its own way of waiting: their
    transports, and every call, stream and event they read."""

    def _http_class(self) -> type[AsyncHttp]:
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

    async def _redacted(self, events: AsyncIterator[Event]) -> AsyncIterator[Event]:
        with self._redacting:
            async for event in events:
                yield event

    async def _stop_events(self) -> None:
        """End the ``events()`` under way (so ``run()``); calls go on."""
        if self._socket_transport is not None:
            self._socket_transport.stop_events()
        elif self._sse is not None:
            await self._sse.close()

    async def _handle(self, event: Event) -> None:
        operation = await self.on.dispatch(self, event)
        if operation is not None:
            try:
                await self._call(QUICK_OPERATION, quick_params(event, operation), NOT_GIVEN)
            except OneBotError:
                log_failure(QUICK_OPERATION)

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
