"""Servers that misbehave: a timeout bounds the whole call (connecting, sending, the whole
response) however slowly the server answers; what a reply says about its size cannot make the
client allocate without bound."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

import pytest

from onebot_client.errors import OneBotError, ProtocolError, RequestTimeout
from tests.onebot_server import OneBotServer

from .bots import AsyncBot, Bot
from .conftest import Driver
from .faults import RawServer, read_request

#: How late past its timeout a call may end (the machine is shared, and slow at times).
SLACK = 0.5


def elapsed(use: Callable[[], object]) -> tuple[float, BaseException]:
    """How long ``use()`` took to fail, and with what."""
    start = time.perf_counter()
    with pytest.raises(OneBotError) as caught:
        use()
    return time.perf_counter() - start, caught.value


def http_call(kind: str, url: str, timeout: float) -> Callable[[], object]:
    """A call of ``get_status`` through a fresh HTTP client of ``kind``."""
    if kind == "sync-http":
        return lambda: Bot(url, timeout=timeout).call("get_status")

    async def call() -> object:
        bot = AsyncBot(url, timeout=timeout)
        try:
            return await bot.call("get_status")
        finally:
            await bot.close()

    return lambda: asyncio.run(call())


def dribble(response: bytes, every: float) -> Callable[[socket.socket], None]:
    """A server that answers with ``response`` one byte at a time."""

    def handle(connection: socket.socket) -> None:
        read_request(connection)
        for byte in response:
            connection.sendall(bytes([byte]))
            time.sleep(every)

    return handle


def endless_continue(connection: socket.socket) -> None:
    read_request(connection)
    while True:
        connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        time.sleep(0.01)


SLOW_SERVERS = {
    "dribbling": dribble(b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + b" " * 40, 0.3),
    "dribbling body": dribble(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n" + b" " * 9, 0.3),
    "endless 100 Continue": endless_continue,
}


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
@pytest.mark.parametrize("how", list(SLOW_SERVERS))
def test_a_timeout_bounds_the_whole_http_call(kind: str, how: str) -> None:
    with RawServer(SLOW_SERVERS[how]) as server:
        took, error = elapsed(http_call(kind, server.http_url, 1.0))
    assert type(error) is RequestTimeout, error
    assert 1.0 <= took < 1.0 + SLACK, f"{took:.2f} s"


ABSURD = {
    "Content-Length over the limit": b"Content-Length: 100000000000\r\n\r\n{}",
    "Content-Length of 5000 digits": b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n{}",
    "Content-Length of 30 digits": b"Content-Length: " + b"9" * 30 + b"\r\n\r\n{}",
    "negative Content-Length": b"Content-Length: -1\r\n\r\n{}",
    "chunk size over the limit": b"Transfer-Encoding: chunked\r\n\r\nfffffffff\r\n{}",
    "chunk size of 30 digits": b"Transfer-Encoding: chunked\r\n\r\n" + b"f" * 30 + b"\r\n{}",
    "negative chunk size": b"Transfer-Encoding: chunked\r\n\r\n-1\r\n{}",
}


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
@pytest.mark.parametrize("head", list(ABSURD))
def test_absurd_sizes_are_protocol_errors(
    kind: str, head: str, server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    server.on("get_status", wire=b"HTTP/1.1 200 OK\r\n" + ABSURD[head], times=1)
    bot = connect(kind, timeout=2)
    with pytest.raises(ProtocolError):
        bot(lambda b: b.call("get_status"))
    assert bot(lambda b: b.call("echo_params", {"n": 1})) == {"n": 1}


@pytest.mark.parametrize(
    "body",
    [
        b"Connection: close\r\n\r\n" + b" " * 2000,  # until the close
        b"Transfer-Encoding: chunked\r\n\r\n" + (b"100\r\n" + b" " * 256 + b"\r\n") * 8,
    ],
)
def test_a_reply_over_the_limit_is_refused(
    body: bytes,
    server: OneBotServer,
    connect: Callable[..., Driver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("onebot_client._http1.MAX_REPLY_BYTES", 1000)
    server.on("get_status", wire=b"HTTP/1.1 200 OK\r\n" + body, times=1)
    with pytest.raises(ProtocolError, match="1000-byte limit"):
        connect("sync-http")(lambda b: b.call("get_status"))


def test_json_nested_too_deep_is_a_protocol_error(client: Driver, server: OneBotServer) -> None:
    server.on("get_status", raw="[" * 100_000, times=1)
    with pytest.raises(ProtocolError, match="not"):
        client(lambda b: b.call("get_status"))
