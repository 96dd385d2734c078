"""A kept-alive HTTP/1.1 client connection, just enough for OneBot: one POST at a time, the
response's status and body (``Content-Length``, chunked, or up to the close).

A call has one deadline for all of it (connecting, sending, the whole response), and a response
can make the client allocate at most about ``MAX_REPLY_BYTES``, whatever the server writes.

Hand-written rather than ``http.client``, which parses headers with the ``email`` package: a
call through it took 1.6x as long as through this (bench/client.py), and importing it 30 ms.

The socket is non-blocking once connected, and every wait is one ``poll`` up to the call's
deadline: a call makes four system calls when the server answers in one piece (is the idle
connection still open, send, wait, receive), each letting other threads run, where a socket
with a timeout makes two for each send and receive and one more to set the timeout.
"""

from __future__ import annotations

import select
import socket
from typing import TYPE_CHECKING

from ._envelope import MAX_REPLY_BYTES
from ._types import remaining

if TYPE_CHECKING:
    from collections.abc import Callable

#: Longest status or header line, and most header lines, accepted from a server.
MAX_LINE = 65536
MAX_HEADERS = 100
#: Most bytes taken from the socket at a time.
BLOCK = 65536
#: The longest single wait ``poll`` takes (milliseconds, a C int); a longer one waits again.
_MAX_POLL_MS = 2**31 - 1
#: The digits a body length (base 10) or a chunk size (base 16) is written with.
_DIGITS = {10: b"0123456789", 16: b"0123456789abcdefABCDEF"}


class Closed(Exception):
    """The server closed the connection before the response was complete."""


class NotHttp(Exception):
    """What came back is not an HTTP/1.x response."""


class Connection:
    """One socket to the server; not thread-safe (the pool hands it to one caller at a time)."""

    def __init__(self, host: str, port: int, tls: bool, deadline: float | None) -> None:
        """Connect by ``deadline`` (``time.monotonic``); raises ``TimeoutError`` or another
        ``OSError`` when that fails."""
        sock = socket.create_connection((host, port), timeout=remaining(deadline))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # What the non-blocking socket raises when it must wait to read, or to write; how many
        # bytes TLS has decrypted and not handed out yet.
        self._want_read: tuple[type[OSError], ...] = (BlockingIOError,)
        self._want_write: tuple[type[OSError], ...] = ()
        self._pending: Callable[[], int] = int
        self._tls = tls
        if tls:
            import ssl  # only for https: it takes a while to import

            sock.settimeout(remaining(deadline))
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            self._want_read = (BlockingIOError, ssl.SSLWantReadError)
            self._want_write = (ssl.SSLWantWriteError,)
            self._pending = sock.pending
        sock.setblocking(False)
        self.sock = sock
        self.deadline = deadline
        self._readable = _waiter(sock, write=False)
        self._writable = _waiter(sock, write=True)
        self._data = b""  # received and not yet parsed: self._data[self._at:]
        self._at = 0

    def exchange(self, request: bytes, deadline: float | None) -> tuple[int, bytes, bool]:
        """Send a whole request and read the whole response by ``deadline``; return the
        response's status, body, and whether the connection can carry another request.
        Raises ``Closed``, ``NotHttp``, ``TimeoutError``, ``OSError``."""
        self.deadline = deadline
        remaining(deadline)  # nothing is sent once the deadline has passed
        self._send(request)
        if not self._pending():
            self._wait(self._readable)  # the answer takes a while: wait before the first read
        while True:
            status, version = self._status()
            headers = self._headers()
            if status >= 200:
                break  # 1xx: an interim response; the real one follows
        connection = headers.get(b"connection", b"").lower()
        keep = b"close" not in connection and (
            version == b"HTTP/1.1" or b"keep-alive" in connection
        )
        if status in (204, 304):
            body = b""  # never a body
        elif b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            body = self._chunked()
        elif (length := headers.get(b"content-length")) is not None:
            body = self._exactly(_size(length, 10, "Content-Length"))
        else:
            return status, self._until_close(), False
        # Bytes past the response belong to no request: the connection is not reused.
        return status, body, keep and self._at == len(self._data)

    def idle_and_open(self) -> bool:
        """Whether a kept-alive connection can carry a request: nothing to read on it (a readable
        idle socket means the server closed it), so that a request is never sent twice."""
        return not self._readable(0)

    def close(self) -> None:
        self.sock.close()

    def _send(self, data: bytes) -> None:
        sock = self.sock
        view = None
        while True:
            try:
                sent = sock.send(data if view is None else view)
            except self._want_read:
                self._wait(self._readable if self._tls else self._writable)
                continue
            except self._want_write:
                self._wait(self._writable)
                continue
            if view is None:
                if sent == len(data):
                    return
                view = memoryview(data)
            view = view[sent:]
            if not view:
                return
            self._wait(self._writable)

    def _receive(self) -> bytes:
        """The next bytes the server sends (waiting for them by the deadline); empty at the end
        of the connection."""
        while True:
            try:
                return self.sock.recv(BLOCK)
            except self._want_read:
                self._wait(self._readable)
            except self._want_write:
                self._wait(self._writable)

    def _wait(self, ready: Callable[[int | None], bool]) -> None:
        """Wait until ``ready``; ``TimeoutError`` once the deadline passes."""
        while True:
            left = remaining(self.deadline)
            if ready(None if left is None else min(int(left * 1000) + 1, _MAX_POLL_MS)):
                return

    def _more(self) -> bool:
        """Receive more of the response into the unparsed bytes; False at the end of the
        connection."""
        block = self._receive()
        if not block:
            return False
        self._data = self._data[self._at :] + block
        self._at = 0
        return True

    def _line(self) -> bytes:
        """The next line, with its line end; empty at the end of the connection."""
        while (end := self._data.find(b"\n", self._at, self._at + MAX_LINE)) < 0:
            if len(self._data) - self._at >= MAX_LINE:
                line = self._data[self._at :]
                raise NotHttp(f"a line longer than {MAX_LINE} bytes: {line[:40]!r}")
            if not self._more():
                line = self._data[self._at :]
                if line:
                    raise Closed(f"the connection ended inside a line: {line[:40]!r}")
                return b""
        line = self._data[self._at : end + 1]
        self._at = end + 1
        return line

    def _status(self) -> tuple[int, bytes]:
        line = self._line()
        if not line:
            raise Closed("no response")
        version, _, rest = line.partition(b" ")
        code = rest[:3]
        if not version.startswith(b"HTTP/1.") or not code.isdigit():
            raise NotHttp(f"status line {line[:80]!r}")
        return int(code), version

    def _headers(self) -> dict[bytes, bytes]:
        headers: dict[bytes, bytes] = {}
        for _ in range(MAX_HEADERS):
            line = self._line()
            if line in (b"\r\n", b"\n"):
                return headers
            if not line:
                raise Closed("the headers were cut off")
            name, colon, value = line.partition(b":")
            if not colon:
                raise NotHttp(f"header line {line[:80]!r}")
            headers[name.strip().lower()] = value.strip()
        raise NotHttp(f"more than {MAX_HEADERS} header lines")

    def _until_close(self) -> bytes:
        """A body that ends with the connection."""
        body = bytearray(self._data[self._at :])
        self._data, self._at = b"", 0
        while len(body) <= MAX_REPLY_BYTES:
            block = self._receive()
            if not block:
                return bytes(body)
            body += block
        raise NotHttp(f"a body over the {MAX_REPLY_BYTES}-byte limit of a reply")

    def _exactly(self, size: int) -> bytes:
        start = self._at
        end = start + size
        if end <= len(self._data):  # received already: the usual case
            self._at = end
            return self._data[start:end]
        parts = [self._data[start:]]
        have = len(parts[0])
        while have < size:  # size is at most MAX_REPLY_BYTES
            block = self._receive()
            if not block:
                raise Closed(f"the body was cut off after {have} of {size} bytes")
            parts.append(block)
            have += len(block)
        data = b"".join(parts)
        self._data, self._at = data, size
        return data[:size]

    def _chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self._line()
            if not line:
                raise Closed("the chunked body was cut off")
            size = _size(line.split(b";")[0], 16, "chunk size")
            if size == 0:
                self._headers()  # the trailers
                return b"".join(parts)
            total += size
            if total > MAX_REPLY_BYTES:
                raise NotHttp(f"a chunked body over the {MAX_REPLY_BYTES}-byte limit of a reply")
            parts.append(self._exactly(size))
            self._exactly(2)  # the CRLF after the chunk


def _waiter(sock: socket.socket, write: bool) -> Callable[[int | None], bool]:
    """A function that waits up to the given milliseconds (None: for ever) for ``sock`` to be
    readable (or writable) and tells whether it is."""
    if hasattr(select, "poll"):  # select.select cannot watch a descriptor over FD_SETSIZE
        poller = select.poll()
        poller.register(sock, select.POLLOUT if write else select.POLLIN)
        return lambda ms: bool(poller.poll(ms))

    def ready(ms: int | None) -> bool:  # Windows
        watched = ([], [sock]) if write else ([sock], [])
        return any(select.select(*watched, [], None if ms is None else ms / 1000)[:2])

    return ready


def _size(text: bytes, base: int, what: str) -> int:
    """A body length or chunk size the server sent, checked: digits only, and at most
    ``MAX_REPLY_BYTES``."""
    digits = text.strip()
    if not digits or len(digits) > 16 or digits.translate(None, _DIGITS[base]):
        raise NotHttp(f"{what} {text[:40]!r}")
    size = int(digits, base)
    if size > MAX_REPLY_BYTES:
        raise NotHttp(f"{what} {size} is over the {MAX_REPLY_BYTES}-byte limit of a reply")
    return size
