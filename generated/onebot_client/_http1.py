# Copied from templates/runtime/_http1.py by `onebot-gen build`. Do not edit: change it there.
"""A kept-alive HTTP/1.1 client connection, just enough for OneBot: one POST at a time, the
response's status and body (``Content-Length``, chunked, or up to the close).

A call has one deadline for all of it (connecting, sending, the whole response), and a response
can make the client allocate at most about ``MAX_REPLY_BYTES``, whatever the server writes.

Hand-written rather than ``http.client``, which parses headers with the ``email`` package: a
call through it took 1.6x as long as through this (bench/client.py), and importing it 30 ms.
"""

from __future__ import annotations

import io
import select
import socket
from typing import TYPE_CHECKING

from ._envelope import MAX_REPLY_BYTES
from ._types import remaining

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: Longest status or header line, and most header lines, accepted from a server.
MAX_LINE = 65536
MAX_HEADERS = 100
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
        if tls:
            import ssl  # only for https: it takes a while to import

            sock.settimeout(remaining(deadline))
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.deadline = deadline
        self.reader = io.BufferedReader(_Receiver(self))

    def exchange(self, request: bytes, deadline: float | None) -> tuple[int, bytes, bool]:
        """Send a whole request and read the whole response by ``deadline``; return the
        response's status, body, and whether the connection can carry another request.
        Raises ``Closed``, ``NotHttp``, ``TimeoutError``, ``OSError``."""
        self.deadline = deadline
        self.sock.settimeout(remaining(deadline))
        self.sock.sendall(request)  # the timeout bounds the whole sendall
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
            return status, b"", keep  # never a body
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            return status, self._chunked(), keep
        length = headers.get(b"content-length")
        if length is None:
            return status, self._until_close(), False
        return status, self._exactly(_size(length, 10, "Content-Length")), keep

    def idle_and_open(self) -> bool:
        """Whether a kept-alive connection can carry a request: nothing to read on it (a readable
        idle socket means the server closed it), so that a request is never sent twice."""
        readable, _, _ = select.select([self.sock], [], [], 0)
        return not readable

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def _line(self) -> bytes:
        """The next line, with its line end; empty at the end of the connection."""
        line = self.reader.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise NotHttp(f"a line longer than {MAX_LINE} bytes: {line[:40]!r}")
        if line and not line.endswith(b"\n"):
            raise Closed(f"the connection ended inside a line: {line[:40]!r}")
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
        body = bytearray()
        while block := self.reader.read1():
            body += block
            if len(body) > MAX_REPLY_BYTES:
                raise NotHttp(f"a body over the {MAX_REPLY_BYTES}-byte limit of a reply")
        return bytes(body)

    def _exactly(self, size: int) -> bytes:
        data = self.reader.read(size)
        if len(data) < size:
            raise Closed(f"the body was cut off after {len(data)} of {size} bytes")
        return data

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


class _Receiver(io.RawIOBase):
    """The connection's socket as a raw stream whose every read ends by the connection's
    deadline (a socket timeout alone bounds each read, so a server sending a byte at a time
    could hold a call for ever)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        sock = self._connection.sock
        sock.settimeout(remaining(self._connection.deadline))
        return sock.recv_into(buffer)


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
