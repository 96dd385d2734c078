"""A kept-alive HTTP/1.1 client connection, just enough for OneBot: one POST at a time, the
response's status and body (``Content-Length``, chunked, or up to the close).

Hand-written rather than ``http.client``, which parses headers with the ``email`` package: a
call through it took 1.6x as long as through this (bench/client.py), and importing it 30 ms.
"""

from __future__ import annotations

import select
import socket

#: Longest status or header line, and most header lines, accepted from a server.
MAX_LINE = 65536
MAX_HEADERS = 100


class Closed(Exception):
    """The server closed the connection before the response was complete."""


class NotHttp(Exception):
    """What came back is not an HTTP/1.x response."""


class Connection:
    """One socket to the server; not thread-safe (the pool hands it to one caller at a time)."""

    def __init__(self, host: str, port: int, tls: bool, seconds: float | None) -> None:
        """Connect; raises ``TimeoutError`` or another ``OSError`` when that fails."""
        sock = socket.create_connection((host, port), timeout=seconds)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls:
            import ssl  # only for https: it takes a while to import

            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.reader = sock.makefile("rb")

    def exchange(self, request: bytes, seconds: float | None) -> tuple[int, bytes, bool]:
        """Send a whole request; return the response's status, body, and whether the connection
        can carry another request. Raises ``Closed``, ``NotHttp``, ``TimeoutError``, ``OSError``."""
        self.sock.settimeout(seconds)
        self.sock.sendall(request)
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
            return status, self.reader.read(), False  # the body ends with the connection
        if not length.strip().isdigit():
            raise NotHttp(f"Content-Length {length!r}")
        return status, self._exactly(int(length)), keep

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

    def _exactly(self, size: int) -> bytes:
        data = self.reader.read(size)
        if len(data) < size:
            raise Closed(f"the body was cut off after {len(data)} of {size} bytes")
        return data

    def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            line = self._line()
            if not line:
                raise Closed("the chunked body was cut off")
            try:
                size = int(line.split(b";")[0], 16)
            except ValueError:
                raise NotHttp(f"chunk size {line[:40]!r}") from None
            if size == 0:
                while self._line() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self._exactly(size))
            self._exactly(2)  # the CRLF after the chunk
