"""Servers that misbehave in ways the stand-in cannot: a raw TCP server on 127.0.0.1 that hands
each connection to a function of the test's, and the bits of HTTP and WebSocket such a function
needs (reading a request, the WebSocket handshake, frames)."""

from __future__ import annotations

import base64
import hashlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from types import TracebackType

from tests.onebot_server import Loopback

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class RawServer(Loopback):
    """``with RawServer(handle) as server:`` runs ``handle(connection)`` in a thread for each
    connection to ``server.port``; the connections close when the block ends (or when
    ``handle`` returns)."""

    def __init__(self, handle: Callable[[socket.socket], None]) -> None:
        self.handle = handle
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._closing = threading.Event()

    def __enter__(self) -> RawServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._closing.set()
        self.listener.close()
        for connection in list(self.connections):
            connection.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            self.handle(connection)
        except OSError:
            pass  # the client went away, or the test ended
        finally:
            connection.close()

    def hold(self) -> None:
        """Keep a connection open (doing nothing) until the test ends."""
        self._closing.wait()


def read_head(connection: socket.socket) -> tuple[bytes, bytes]:
    """A request's line and headers (what comes before the blank line), and what came after."""
    data = b""
    while b"\r\n\r\n" not in data:
        block = connection.recv(4096)
        if not block:
            raise ConnectionError("the client closed the connection")
        data += block
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def read_request(connection: socket.socket) -> bytes:
    """A whole HTTP request (its body read by ``Content-Length``); returns the head."""
    head, body = read_head(connection)
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            while len(body) < int(value):
                body += connection.recv(4096)
    return head


def ws_accept(connection: socket.socket) -> bytes:
    """Answer a WebSocket handshake (with 101); returns the request's head."""
    head, _ = read_head(connection)  # the client sends nothing more before the answer
    key = next(
        line.partition(b":")[2].strip()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key:")
    )
    accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest())
    connection.sendall(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )
    return head


def ws_frames(connection: socket.socket) -> Iterator[tuple[int, bytes]]:
    """The client's frames, as ``(opcode, payload)``, until it closes the connection."""
    reader = connection.makefile("rb")

    def exactly(size: int) -> bytes:
        data = reader.read(size)
        if len(data) < size:
            raise ConnectionError("the client closed the connection")
        return data

    while True:
        first, second = exactly(2)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", exactly(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", exactly(8))
        mask = exactly(4) if second & 0x80 else b"\0\0\0\0"
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(exactly(size)))
        yield first & 0x0F, payload


def ws_frame(opcode: int, payload: bytes) -> bytes:
    """A server frame (unmasked, final)."""
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return head + payload


def ws_text(text: str) -> bytes:
    return ws_frame(0x1, text.encode())


def ws_close(code: int, reason: str) -> bytes:
    return ws_frame(0x8, struct.pack("!H", code) + reason.encode())
