# Copied from templates/runtime/_sse.py by `onebot-gen build`. Do not edit: change it there.
"""Events over HTTP: NapCat's HTTP SSE server streams them at ``GET {base_url}/_events`` (imported
by ``events()`` on an HTTP client).

NapCat writes each event as one ``data: <json>`` line and a blank line. The stream also carries
what is not an event (the frames of streamed action replies, which have an ``echo``), and a
server may send comments (``: keep-alive``): neither is delivered. There is no reconnection: a
dropped stream ends ``events()`` with ``NetworkError``.

Sync: ``http.client`` (standard library). Async: ``aiohttp``, imported on first use.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from ._envelope import preview
from .errors import AuthError, NetworkError, OneBotError, RequestTimeout
from .events import parse

if TYPE_CHECKING:
    import http.client

    import aiohttp

    from ._http import Endpoint
    from .models import Event

#: The path of NapCat's event stream, under the HTTP server's base URL.
EVENTS_PATH = "/_events"
#: Bytes read from the stream at a time.
READ_SIZE = 64 * 1024


class SseReader:
    """Splits a ``text/event-stream`` into the data of its events, however the bytes are cut."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._scanned = 0  # the buffer holds no line end before this offset
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[str]:
        """The data of each event that ``chunk`` completes (its ``data:`` lines joined)."""
        buffer = self._buffer
        buffer += chunk
        done: list[str] = []
        start = 0
        while (end := buffer.find(b"\n", max(start, self._scanned))) >= 0:
            line = bytes(buffer[start:end]).rstrip(b"\r").decode("utf-8", "replace")
            start = end + 1
            if not line:  # a blank line ends an event
                if self._data:
                    done.append("\n".join(self._data))
                    self._data = []
            elif line.startswith("data:"):
                self._data.append(line[6:] if line.startswith("data: ") else line[5:])
            # comments (":...") and the other fields (event, id, retry) are not used
        del buffer[:start]
        self._scanned = len(buffer)
        return done


def events_in(data: list[str]) -> Iterator[Event]:
    """The events among the data of SSE events (others: not JSON, or not an event)."""
    for text in data:
        try:
            event = parse(json.loads(text))
        except ValueError:
            continue
        if event is not None:
            yield event


def _status_error(url: str, status: int, body: bytes, secret: str | None) -> OneBotError:
    if status in (401, 403):
        return AuthError(f"the server at {url} refused the access token (HTTP {status})")
    return NetworkError(
        f"the server at {url} has no event stream at {EVENTS_PATH} (is it NapCat's HTTP SSE "
        f"server?): HTTP {status}: {preview(body, secret)}"
    )


def _ended(url: str) -> NetworkError:
    return NetworkError(f"events(): the server at {url} ended the event stream")


def _failure(url: str, exc: Exception, seconds: float | None) -> OneBotError:
    if isinstance(exc, TimeoutError):
        return RequestTimeout(f"events(): no answer from {url} within {seconds} s")
    return NetworkError(f"events(): the event stream from {url} failed: {exc!r}")


class SyncSse:
    """Event streams of a blocking HTTP client, each on a connection of its own; ``close()``
    ends those open (from any thread)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        self._open: set[http.client.HTTPConnection] = set()
        self._closed: set[http.client.HTTPConnection] = set()
        self._lock = threading.Lock()

    def events(self, seconds: float | None) -> Iterator[Event]:
        """The events of a new stream, in order (``seconds`` bounds connecting and the response
        headers; events may then be any time apart)."""
        import http.client

        endpoint = self._endpoint
        kind = http.client.HTTPSConnection if endpoint.https else http.client.HTTPConnection
        connection = kind(endpoint.host, endpoint.port, timeout=seconds)
        with self._lock:
            self._open.add(connection)
        try:
            response = self._respond(connection)
            if connection.sock is not None:
                connection.sock.settimeout(None)
            reader = SseReader()
            while chunk := response.read1(READ_SIZE):
                yield from events_in(reader.feed(chunk))
            if connection not in self._closed:
                raise _ended(endpoint.url)
        except (OSError, http.client.HTTPException) as exc:
            if connection not in self._closed:
                raise _failure(endpoint.url, exc, seconds) from exc
        finally:
            with self._lock:
                self._open.discard(connection)
                self._closed.discard(connection)
            connection.close()

    def _respond(self, connection: http.client.HTTPConnection) -> http.client.HTTPResponse:
        endpoint = self._endpoint
        connection.request("GET", endpoint.path(EVENTS_PATH[1:]), headers=sse_headers(endpoint))
        response = connection.getresponse()
        if response.status != 200:
            raise _status_error(endpoint.url, response.status, response.read(), endpoint.secret)
        return response

    def close(self) -> None:
        """End the open streams: their ``events()`` return."""
        with self._lock:
            self._closed |= self._open
            closing = list(self._open)
        for connection in closing:
            if connection.sock is not None:
                try:
                    connection.sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read
                except OSError:
                    pass


class AsyncSse:
    """Event streams of an asyncio HTTP client, each on an ``aiohttp`` session of its own;
    ``close()`` ends those open."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        # The open streams' sessions, with their responses once they have come.
        self._open: dict[aiohttp.ClientSession, aiohttp.ClientResponse | None] = {}
        self._closed: set[aiohttp.ClientSession] = set()

    async def events(self, seconds: float | None) -> AsyncIterator[Event]:
        """The events of a new stream, in order (``seconds`` bounds connecting and the response
        headers; events may then be any time apart)."""
        import asyncio

        import aiohttp

        endpoint = self._endpoint
        url = endpoint.url
        session = aiohttp.ClientSession(
            headers=sse_headers(endpoint), timeout=aiohttp.ClientTimeout(total=None)
        )
        self._open[session] = None
        try:
            async with asyncio.timeout(seconds):
                response = self._open[session] = await session.get(url + EVENTS_PATH)
            if response.status != 200:
                raise _status_error(url, response.status, await response.read(), endpoint.secret)
            reader = SseReader()
            async for chunk in response.content.iter_any():
                for event in events_in(reader.feed(chunk)):
                    yield event
            if session not in self._closed:
                raise _ended(url)
        except TimeoutError as exc:
            raise _failure(url, exc, seconds) from None
        except aiohttp.ClientError as exc:
            if session not in self._closed:
                raise _failure(url, exc, seconds) from exc
        finally:
            self._open.pop(session, None)
            self._closed.discard(session)
            await session.close()

    async def close(self) -> None:
        """End the open streams: their ``events()`` return."""
        for session, response in list(self._open.items()):
            self._closed.add(session)
            if response is not None:
                response.close()  # ends the read under way (closing the session would not)
            else:
                await session.close()


def sse_headers(endpoint: Endpoint) -> dict[str, str]:
    """The stream request's headers: the token's, and what it accepts."""
    return {
        **{k: v for k, v in endpoint.headers.items() if k != "Content-Type"},
        "Accept": "text/event-stream",
    }
