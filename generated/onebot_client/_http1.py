# Copied from templates/runtime/_http1.py by `onebot-gen build`. Do not edit: change it there.
"""A kept-alive HTTP/1.1 client connection, just enough for OneBot: one POST at a time, the
response's status and body (``Content-Length``, chunked, or up to the close).

A call has one deadline for all of it (connecting, sending, the whole response), and a response
can make the client allocate at most about ``MAX_REPLY_BYTES``, whatever the server writes.

Hand-written rather than ``http.client``, which parses headers with the ``email`` package: a
call through it took 1.6x as long as through this (bench/client.py), and importing it 30 ms.

The socket is non-blocking once connected, and every wait is one ``poll`` up to the call's
deadline: when the server answers in one piece, a call makes three system calls that let other
threads run (send, wait, receive), where a socket with a timeout makes two for each send and
receive and one more to set the timeout. Whether an idle connection is still open and has
nothing unread comes from ``TCP_INFO`` on 64-bit Linux (a call that keeps the interpreter),
elsewhere from one more ``poll``.
"""

from __future__ import annotations

import select
import socket
import sys
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
#: ``getsockopt(IPPROTO_TCP, TCP_INFO)`` on 64-bit Linux (elsewhere ``poll`` tells whether an
#: idle connection is open): the connection's state and the bytes it has received (Linux 4.1
#: and later) are at fixed places in ``struct tcp_info``.
_TCP_INFO: int | None = getattr(socket, "TCP_INFO", None)
if sys.platform != "linux" or sys.maxsize < 2**32:
    _TCP_INFO = None
_TCP_INFO_SIZE = 136
_ESTABLISHED = 1  # tcpi_state, at 0
_BYTES_RECEIVED = slice(128, 136)  # tcpi_bytes_received
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
        self._data = bytearray()  # received: parsed up to self._at
        self._at = 0
        self._received = 0  # bytes taken from the socket, to compare with TCP_INFO's
        self._tcp_info = None if tls else _TCP_INFO
        if self._tcp_info is not None:
            info = sock.getsockopt(socket.IPPROTO_TCP, self._tcp_info, _TCP_INFO_SIZE)
            if len(info) < _TCP_INFO_SIZE:  # a kernel without tcpi_bytes_received
                self._tcp_info = None

    def exchange(self, request: bytes, deadline: float | None) -> tuple[int, bytes, bool]:
        """Send a whole request and read the whole response by ``deadline``; return the
        response's status, body, and whether the connection can carry another request.
        Raises ``Closed``, ``NotHttp``, ``TimeoutError``, ``OSError``."""
        self.deadline = deadline
        remaining(deadline)  # nothing is sent once the deadline has passed
        self._data.clear()  # a connection is reused only once its last response has been read
        self._at = 0
        self._send(request)
        if not self._pending():
            self._wait(self._readable)  # the answer takes a while: wait before the first read
        if not self._more():
            raise Closed("no response")
        while True:
            status, version, headers = self._head()
            if status >= 200:
                break  # 1xx: an interim response; the real one follows
        connection = headers.get(b"connection", b"")
        keep = b"close" not in connection and (
            version == b"HTTP/1.1" or b"keep-alive" in connection
        )
        if status in (204, 304):
            body = b""  # never a body
        elif b"chunked" in headers.get(b"transfer-encoding", b""):
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
        if self._tcp_info is None:
            return not self._readable(0)
        info = self.sock.getsockopt(socket.IPPROTO_TCP, self._tcp_info, _TCP_INFO_SIZE)
        return info[0] == _ESTABLISHED and self._received == int.from_bytes(
            info[_BYTES_RECEIVED], sys.byteorder
        )

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
                block = self.sock.recv(BLOCK)
            except self._want_read:
                self._wait(self._readable)
            except self._want_write:
                self._wait(self._writable)
            else:
                self._received += len(block)
                return block

    def _wait(self, ready: Callable[[int | None], bool]) -> None:
        """Wait until ``ready``; ``TimeoutError`` once the deadline passes."""
        while True:
            left = remaining(self.deadline)
            if ready(None if left is None else min(int(left * 1000) + 1, _MAX_POLL_MS)):
                return

    def _more(self) -> bool:
        """Receive more of the response after the unparsed bytes; False at the end of the
        connection."""
        block = self._receive()
        if not block:
            return False
        if self._at:
            del self._data[: self._at]  # cheap: a bytearray moves its start
            self._at = 0
        self._data += block
        return True

    def _head(self) -> tuple[int, bytes, dict[bytes, bytes]]:
        """The next response's status, HTTP version and headers (names and values in lower case,
        values with the spaces around them)."""
        status_line, _, fields = self._block(_status).partition(b"\n")
        status, version = _status(status_line)
        if not fields:
            return status, version, {}
        headers: dict[bytes, bytes] = {}
        for field in fields.lower().split(b"\n"):
            name, colon, value = field.partition(b":")
            if not colon:
                raise NotHttp(f"header line {field[:80]!r}")
            headers[name.strip()] = value
        return status, version, headers

    def _block(self, first: Callable[[bytes], object] | None = None) -> bytes:
        """The lines before the next empty one, which ends a response's head and its trailers
        (without the last line end): at most ``MAX_HEADERS`` after the first, each at most
        ``MAX_LINE`` bytes long. ``first`` checks the first line as soon as it is here, so
        that an answer that is not HTTP fails at once."""
        seen = 0  # how far past the start the end of the block has been looked for
        while True:
            data, at = self._data, self._at
            if data.startswith(b"\n", at) or data.startswith(b"\r\n", at):
                self._at = data.index(b"\n", at) + 1
                return b""
            look = at + max(seen - 2, 0)
            crlf, lf = data.find(b"\n\r\n", look), data.find(b"\n\n", look)
            if crlf >= 0 or lf >= 0:  # the whole block is here: the usual case
                end = crlf if lf < 0 or 0 <= crlf < lf else lf
                self._at = end + (3 if end == crlf else 2)
                block = bytes(data[at:end])
                if block.count(b"\n") > MAX_HEADERS:
                    raise NotHttp(f"more than {MAX_HEADERS} header lines")
                if len(block) > MAX_LINE:
                    longest = max(block.split(b"\n"), key=len)
                    if len(longest) > MAX_LINE:
                        raise NotHttp(f"a line longer than {MAX_LINE} bytes: {longest[:40]!r}")
                return block
            seen = len(data) - at
            start = data.rfind(b"\n", at) + 1 or at  # of the line not ended yet
            if len(data) - start > MAX_LINE:
                line = bytes(data[start : start + 40])
                raise NotHttp(f"a line longer than {MAX_LINE} bytes: {line!r}")
            if start > at:
                if data.count(b"\n", at) > MAX_HEADERS + 1:
                    raise NotHttp(f"more than {MAX_HEADERS} header lines")
                if first is not None:
                    first(bytes(data[at : data.index(b"\n", at)]))
            if not self._more():
                if len(data) == at:
                    raise Closed("no response")
                line = bytes(data[start : start + 40])
                raise Closed(f"the connection ended in the head: {line!r}")

    def _line(self) -> bytes:
        """The next line, with its line end; empty at the end of the connection."""
        seen = 0
        while (end := self._data.find(b"\n", self._at + seen, self._at + MAX_LINE)) < 0:
            seen = len(self._data) - self._at
            if seen >= MAX_LINE:
                line = bytes(self._data[self._at : self._at + 40])
                raise NotHttp(f"a line longer than {MAX_LINE} bytes: {line!r}")
            if not self._more():
                if seen:
                    line = bytes(self._data[self._at : self._at + 40])
                    raise Closed(f"the connection ended inside a line: {line!r}")
                return b""
        line = bytes(self._data[self._at : end + 1])
        self._at = end + 1
        return line

    def _until_close(self) -> bytes:
        """A body that ends with the connection."""
        body = self._data[self._at :]
        self._data, self._at = bytearray(), 0
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
            return bytes(self._data[start:end])
        parts = [bytes(self._data[start:])]
        self._data, self._at = bytearray(), 0
        missing = size - len(parts[0])
        while missing > 0:  # size is at most MAX_REPLY_BYTES
            block = self._receive()
            if not block:
                raise Closed(f"the body was cut off after {size - missing} of {size} bytes")
            if len(block) > missing:  # and the start of what follows
                self._data += block[missing:]
                block = block[:missing]
            parts.append(block)
            missing -= len(block)
        return b"".join(parts)

    def _chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self._line()
            if not line:
                raise Closed("the chunked body was cut off")
            size = _size(line.split(b";")[0], 16, "chunk size")
            if size == 0:
                self._block()  # the trailers
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


def _status(line: bytes) -> tuple[int, bytes]:
    """The status code and HTTP version of a status line."""
    version, _, rest = line.partition(b" ")
    code = rest[:3]
    if not version.startswith(b"HTTP/1.") or not code.isdigit():
        raise NotHttp(f"status line {line[:80]!r}")
    return int(code), version


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
