# Copied from templates/runtime/_sse.py by `onebot-gen build`. Do not edit: change it there.
"""Events over HTTP: NapCat's HTTP SSE server streams them at ``GET {base_url}/_events`` (imported
by ``events()`` on an HTTP client).

NapCat writes each event as one ``data: <json>`` line and a blank line. The stream also carries
what is not an event (the frames of streamed action replies, which have an ``echo``), and a
server may send comments (``: keep-alive``): neither is delivered.

A stream that ends or fails ends ``events()`` with ``NetworkError``; with ``reconnect``, once a
stream has opened, ``events()`` opens it again instead (``_Reopening`` decides, for both
clients). Events the server sent while no stream was open are lost. An HTTP error status (a
refused token, no stream at that address) is never retried.

Sync: ``http.client`` (standard library). Async: ``aiohttp``, imported on first use.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import TYPE_CHECKING

from ._backoff import Backoff
from ._envelope import MAX_REPLY_BYTES, NOT_JSON, preview
from ._events import FrameLog
from .errors import AuthError, NetworkError, OneBotError, ProtocolError, RequestTimeout
from .events import parse

if TYPE_CHECKING:
    import asyncio
    import http.client

    import aiohttp

    from ._http import Endpoint
    from .models import Event

_log = logging.getLogger("onebot_client")

#: The path of NapCat's event stream, under the HTTP server's base URL.
EVENTS_PATH = "/_events"
#: Bytes read from the stream at a time.
READ_SIZE = 64 * 1024
#: The largest event (its data) or line taken from a stream: as large as any reply.
MAX_EVENT_BYTES = MAX_REPLY_BYTES
#: How much of an answer that is no event stream is read, to quote it.
PREVIEW_BYTES = 1024
_LINE_END = re.compile(rb"\r\n|\r|\n")


class SseReader:
    """Splits a ``text/event-stream`` into the data of its events, however the bytes are cut.

    Lines end with CRLF, LF or CR, as the standard allows. An event whose data, or a line of
    which, is over ``MAX_EVENT_BYTES`` is skipped (noted in ``log``): nothing held grows past
    that, whatever the server sends.
    """

    def __init__(self, log: FrameLog) -> None:
        self._log = log
        self._buffer = bytearray()
        self._scanned = 0  # the buffer holds no line end before this offset
        self._data: list[str] = []
        self._size = 0  # of the data of the event under way
        self._too_big = False  # the event under way went over the bound: it is skipped
        self._discarding = False  # the line under way went over the bound: up to its end
        self._after_cr = False  # the last chunk ended with CR: an LF first is part of it

    def feed(self, chunk: bytes) -> list[str]:
        """The data of each event that ``chunk`` completes (its ``data:`` lines joined)."""
        if self._after_cr and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._after_cr = False
        buffer = self._buffer
        buffer += chunk
        done: list[str] = []
        start = 0
        for end in _LINE_END.finditer(buffer, self._scanned):
            self._line(bytes(buffer[start : end.start()]), done)
            start = end.end()
            self._after_cr = start == len(buffer) and end.group() == b"\r"
        del buffer[:start]
        self._scanned = len(buffer)
        if len(buffer) > MAX_EVENT_BYTES:  # a line with no end in sight
            buffer.clear()
            self._scanned = 0
            self._discarding = self._too_big = True
        return done

    def _line(self, line: bytes, done: list[str]) -> None:
        if self._discarding:  # the end of a line over the bound
            self._discarding = False
        elif not line:  # a blank line ends an event
            if self._too_big:
                self._log.skip(f"skipped an event over {MAX_EVENT_BYTES} bytes")
            elif self._data:
                done.append("\n".join(self._data))
            self._data, self._size, self._too_big = [], 0, False
        elif line.startswith(b"data:"):
            value = line[6:] if line.startswith(b"data: ") else line[5:]
            self._size += len(value) + 1
            if self._size > MAX_EVENT_BYTES:
                self._data, self._too_big = [], True
            elif not self._too_big:
                self._data.append(value.decode("utf-8", "replace"))
        # comments (":...") and the other fields (event, id, retry) are not used


def events_in(data: list[str], log: FrameLog) -> Iterator[Event]:
    """The events among the data of SSE events; what is not JSON is noted in ``log`` (what is
    not an event, such as a streamed reply's frames, is passed over)."""
    for text in data:
        try:
            frame = json.loads(text)
        except NOT_JSON:
            log.skip("skipped data that is not JSON", text)
            continue
        event = parse(frame, log)
        if event is not None:
            yield event


def _refusal(
    url: str, status: int, content_type: str, body: bytes, secret: str | None
) -> OneBotError | None:
    """Why a response to ``GET /_events`` is no event stream (``body``: its start), or None."""
    if status in (401, 403):
        return AuthError(f"the server at {url} refused the access token (HTTP {status})")
    if status != 200:
        return NetworkError(
            f"the server at {url} has no event stream at {EVENTS_PATH} (is it NapCat's HTTP SSE "
            f"server?): HTTP {status}: {preview(body, secret)}"
        )
    if content_type.split(";")[0].strip().lower() != "text/event-stream":
        return ProtocolError(
            f"the server at {url} answered {EVENTS_PATH} with {content_type or 'no content type'}"
            f", not an event stream (is it NapCat's HTTP SSE server?): {preview(body, secret)}"
        )
    return None


def _ended(url: str) -> NetworkError:
    return NetworkError(f"events(): the server at {url} ended the event stream")


def _failure(url: str, exc: Exception, seconds: float | None) -> OneBotError:
    if isinstance(exc, TimeoutError):
        return RequestTimeout(f"events(): no answer from {url} within {seconds} s")
    return NetworkError(f"events(): the event stream from {url} failed: {exc!r}")


class _Dropped(Exception):
    """A stream that ended or failed (not an HTTP error status): opening it again may help.
    ``error`` is what ``events()`` raises when it does not."""

    def __init__(self, error: OneBotError) -> None:
        super().__init__(error)
        self.error = error


class _Reopening:
    """Whether and when one ``events()`` opens its stream again after a ``_Dropped``, the same
    for both clients: only with ``reconnect`` (a first attempt that fails too: the server may be
    starting), after the waits of ``_backoff.Backoff``; each stream that opens is logged."""

    def __init__(self, reconnect: bool, max_backoff: float, url: str) -> None:
        self._reconnect = reconnect
        self._backoff = Backoff(max_backoff)
        self._url = url
        self._ever_opened = False

    def opened(self) -> None:
        """A stream opened (HTTP 200)."""
        _log.info(
            "%s the event stream at %s", "reopened" if self._ever_opened else "opened", self._url
        )
        self._ever_opened = True
        self._backoff.opened()

    def wait(self, dropped: _Dropped) -> float:
        """The seconds to wait before the next attempt; raises the drop's error when there is
        to be none."""
        if not self._reconnect:
            raise dropped.error from dropped.__cause__
        delay = self._backoff.wait()
        _log.warning("opening the event stream again in %g s: %s", delay, dropped.error)
        return delay


class SyncSse:
    """Event streams of a blocking HTTP client, each on a connection of its own; ``close()``
    ends the running ``events()`` (from any thread)."""

    def __init__(self, endpoint: Endpoint, *, reconnect: bool, max_backoff: float) -> None:
        self._endpoint = endpoint
        self._reconnect = reconnect
        self._max_backoff = max_backoff
        #: Each running ``events()``: the event ``close()`` sets, and its open socket.
        self._listeners: dict[threading.Event, socket.socket | None] = {}
        self._lock = threading.Lock()

    def events(self, seconds: float | None) -> Iterator[Event]:
        """The events of a new stream, in order, across reopenings with ``reconnect``
        (``seconds`` bounds connecting and the response headers; events may then be any time
        apart)."""
        stop = threading.Event()
        with self._lock:
            self._listeners[stop] = None
        reopening = _Reopening(self._reconnect, self._max_backoff, self._endpoint.url)
        try:
            while True:
                try:
                    yield from self._stream(seconds, stop, reopening)
                    return
                except _Dropped as dropped:
                    delay = reopening.wait(dropped)
                if stop.wait(delay):
                    return
        finally:
            with self._lock:
                del self._listeners[stop]

    def _stream(
        self, seconds: float | None, stop: threading.Event, reopening: _Reopening
    ) -> Iterator[Event]:
        """The events of one stream; returns once ``stop`` is set, raises ``_Dropped`` when the
        stream ends or fails."""
        import http.client

        endpoint = self._endpoint
        kind = http.client.HTTPSConnection if endpoint.https else http.client.HTTPConnection
        connection = kind(endpoint.host, endpoint.port, timeout=seconds)
        try:
            connection.connect()
            # Kept here: the connection lets go of its socket when the response has no length.
            sock = connection.sock
            with self._lock:
                self._listeners[stop] = sock
            if stop.is_set():  # closed while connecting, when there was no socket to shut down
                return
            response = self._respond(connection)
            reopening.opened()
            sock.settimeout(None)  # events may be any time apart
            log = FrameLog(f"the event stream from {endpoint.url}", endpoint.secret)
            reader = SseReader(log)
            while chunk := response.read1(READ_SIZE):
                yield from events_in(reader.feed(chunk), log)
            if not stop.is_set():
                raise _Dropped(_ended(endpoint.url))
        except (OSError, http.client.HTTPException) as exc:
            if not stop.is_set():
                raise _Dropped(_failure(endpoint.url, exc, seconds)) from exc
        finally:
            with self._lock:
                self._listeners[stop] = None
            connection.close()

    def _respond(self, connection: http.client.HTTPConnection) -> http.client.HTTPResponse:
        endpoint = self._endpoint
        connection.request("GET", endpoint.path(EVENTS_PATH[1:]), headers=sse_headers(endpoint))
        response = connection.getresponse()
        kind = response.getheader("Content-Type") or ""
        body = b"" if response.status == 200 else response.read(PREVIEW_BYTES)
        refused = _refusal(endpoint.url, response.status, kind, body, endpoint.secret)
        if refused is not None:
            raise refused
        return response

    def close(self) -> None:
        """End the running ``events()``, their streams open or their waits to open one: they
        return."""
        with self._lock:
            for stop in self._listeners:
                stop.set()
            sockets = [sock for sock in self._listeners.values() if sock is not None]
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read


class AsyncSse:
    """Event streams of an asyncio HTTP client, each on an ``aiohttp`` session of its own;
    ``close()`` ends the running ``events()``."""

    def __init__(self, endpoint: Endpoint, *, reconnect: bool, max_backoff: float) -> None:
        self._endpoint = endpoint
        self._reconnect = reconnect
        self._max_backoff = max_backoff
        #: Each running ``events()``: the event ``close()`` sets, and its open stream's session,
        #: or its response once it has come.
        self._listeners: dict[
            asyncio.Event, aiohttp.ClientSession | aiohttp.ClientResponse | None
        ] = {}

    async def events(self, seconds: float | None) -> AsyncIterator[Event]:
        """The events of a new stream, in order, across reopenings with ``reconnect``
        (``seconds`` bounds connecting and the response headers; events may then be any time
        apart)."""
        import asyncio

        stop = asyncio.Event()
        self._listeners[stop] = None
        reopening = _Reopening(self._reconnect, self._max_backoff, self._endpoint.url)
        try:
            while True:
                try:
                    stream = self._stream(seconds, stop, reopening)
                    async with contextlib.aclosing(stream):
                        async for event in stream:
                            yield event
                    return
                except _Dropped as dropped:
                    delay = reopening.wait(dropped)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await stop.wait()
                if stop.is_set():
                    return
        finally:
            del self._listeners[stop]

    async def _stream(
        self, seconds: float | None, stop: asyncio.Event, reopening: _Reopening
    ) -> AsyncGenerator[Event, None]:
        """The events of one stream; returns once ``stop`` is set, raises ``_Dropped`` when the
        stream ends or fails."""
        import asyncio

        import aiohttp

        endpoint = self._endpoint
        url = endpoint.url
        session = self._listeners[stop] = aiohttp.ClientSession(
            headers=sse_headers(endpoint), timeout=aiohttp.ClientTimeout(total=None)
        )
        try:
            async with asyncio.timeout(seconds):
                response = self._listeners[stop] = await session.get(url + EVENTS_PATH)
            kind = response.headers.get("Content-Type", "")
            body = b"" if response.status == 200 else await response.content.read(PREVIEW_BYTES)
            refused = _refusal(url, response.status, kind, body, endpoint.secret)
            if refused is not None:
                raise refused
            reopening.opened()
            log = FrameLog(f"the event stream from {url}", endpoint.secret)
            reader = SseReader(log)
            async for chunk in response.content.iter_any():
                for event in events_in(reader.feed(chunk), log):
                    yield event
            if not stop.is_set():
                raise _Dropped(_ended(url))
        except TimeoutError as exc:
            raise _Dropped(_failure(url, exc, seconds)) from None
        except aiohttp.ClientError as exc:
            if not stop.is_set():
                raise _Dropped(_failure(url, exc, seconds)) from exc
        finally:
            self._listeners[stop] = None
            await session.close()

    async def close(self) -> None:
        """End the running ``events()``, their streams open or their waits to open one: they
        return."""
        import aiohttp

        for stop, stream in list(self._listeners.items()):
            stop.set()
            if isinstance(stream, aiohttp.ClientResponse):
                stream.close()  # ends the read under way (closing the session would not)
            elif stream is not None:
                await stream.close()


def sse_headers(endpoint: Endpoint) -> dict[str, str]:
    """The stream request's headers: the token's, and what it accepts."""
    return {
        **{k: v for k, v in endpoint.headers.items() if k != "Content-Type"},
        "Accept": "text/event-stream",
    }
