"""Servers that misbehave: a timeout bounds the whole call (connecting, the handshake, the whole
response) however slowly the server answers; what a reply says about its size cannot make the
client allocate without bound; a close frame fails the waiting calls at once."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from onebot_client._clients import AsyncClient, SyncClient
from onebot_client.errors import NetworkError, OneBotError, ProtocolError, RequestTimeout
from tests.onebot_server import OneBotServer

from .bots import AsyncBot, Bot
from .conftest import Driver
from .faults import RawServer, read_request, ws_accept, ws_close, ws_frames

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


@pytest.mark.parametrize("kind", ["sync-ws", "async-ws"])
def test_a_websocket_message_over_the_limit_is_refused(
    kind: str, server: OneBotServer, connect: Callable[..., Driver], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("onebot_client._ws_common.MAX_REPLY_BYTES", 1000)
    server.on("get_status", {"big": "x" * 2000}, times=1)
    with pytest.raises(NetworkError, match="1009 .message too big"):
        connect(kind)(lambda b: b.call("get_status"))


def test_json_nested_too_deep_is_a_protocol_error(
    http_client: Driver, server: OneBotServer
) -> None:
    """(Over WebSocket, a frame that is no JSON is skipped: test_hostile.py.)"""
    client = http_client
    server.on("get_status", raw="[" * 100_000, times=1)
    with pytest.raises(ProtocolError, match="not"):
        client(lambda b: b.call("get_status"))


# -- WebSocket: connecting is bounded ---------------------------------------------------------


def never_answers(server: list[RawServer]) -> Callable[[socket.socket], None]:
    """A server that takes the TCP connection and never answers the handshake."""
    return lambda connection: server[0].hold()


def silent_server() -> RawServer:
    box: list[RawServer] = []
    box.append(RawServer(never_answers(box)))
    return box[0]


SYNC_CONNECTS: dict[str, Callable[[str], object]] = {
    "call": lambda url: Bot.websocket(url, timeout=1.0).call("get_status"),
    "with": lambda url: Bot.websocket(url, timeout=1.0).__enter__(),
    "events()": lambda url: next(Bot.websocket(url, timeout=1.0).events()),
}


async def async_connect(url: str, how: str) -> None:
    bot = AsyncBot.websocket(url, timeout=1.0)
    try:
        if how == "call":
            await bot.call("get_status")
        elif how == "with":
            async with bot:
                pass
        else:
            async for _ in bot.events():
                break
    finally:
        await bot.close()


@pytest.mark.parametrize("how", ["call", "with", "events()"])
@pytest.mark.parametrize("kind", ["sync-ws", "async-ws"])
def test_an_unanswered_handshake_times_out(kind: str, how: str) -> None:
    with silent_server() as server:
        if kind == "sync-ws":
            took, error = elapsed(lambda: SYNC_CONNECTS[how](server.ws_url))
        else:
            took, error = elapsed(lambda: asyncio.run(async_connect(server.ws_url, how)))
    assert isinstance(error, RequestTimeout), error
    assert 1.0 <= took < 1.0 + SLACK, f"{took:.2f} s"


def test_a_late_handshake_counts_against_the_call() -> None:
    """The handshake and the reply share the call's timeout (they used to have one each)."""

    def late(connection: socket.socket) -> None:
        time.sleep(0.6)
        ws_accept(connection)
        for _ in ws_frames(connection):
            pass  # never answers

    with RawServer(late) as server:
        took, error = elapsed(lambda: Bot.websocket(server.ws_url, timeout=1.0).call("x"))
    assert type(error) is RequestTimeout
    assert 1.0 <= took < 1.0 + SLACK, f"{took:.2f} s"


# -- WebSocket: a close frame with the TCP connection held open ---------------------------------

CALLS = 50


class CloseAfter:
    """A server that reads ``CALLS`` calls, answers none, sends a close frame and keeps the TCP
    connection open."""

    def __init__(self) -> None:
        self.closed_at = 0.0
        self.server = RawServer(self.handle)

    def handle(self, connection: socket.socket) -> None:
        ws_accept(connection)
        frames = ws_frames(connection)
        for _ in range(CALLS):
            next(frames)
        self.closed_at = time.perf_counter()
        connection.sendall(ws_close(1001, "going away"))
        for _ in frames:
            pass  # the client's close frame; the TCP connection stays open
        self.server.hold()


def test_sync_close_frame_fails_pending_calls_at_once() -> None:
    fake = CloseAfter()
    errors: list[BaseException] = []
    ends: list[float] = []

    def call(bot: SyncClient) -> None:
        try:
            bot.call("slow")
        except OneBotError as error:
            errors.append(error)
            ends.append(time.perf_counter())

    with fake.server, SyncClient.websocket(fake.server.ws_url, timeout=10) as bot:
        threads = [threading.Thread(target=call, args=(bot,)) for _ in range(CALLS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(12)
    assert len(errors) == CALLS and all(type(e) is NetworkError for e in errors), errors
    assert "code 1001 'going away'" in str(errors[0])
    assert max(ends) - fake.closed_at < 1.0, f"{max(ends) - fake.closed_at:.3f} s"


def test_async_close_frame_fails_pending_calls_at_once() -> None:
    fake = CloseAfter()

    async def main() -> list[Any]:
        async with AsyncClient.websocket(fake.server.ws_url, timeout=10) as bot:
            calls = [bot.call("slow") for _ in range(CALLS)]
            return await asyncio.gather(*calls, return_exceptions=True)

    with fake.server:
        errors = asyncio.run(main())
        took = time.perf_counter() - fake.closed_at
    assert all(type(e) is NetworkError for e in errors), errors
    assert "code 1001 'going away'" in str(errors[0])
    assert took < 1.0, f"{took:.3f} s"


# -- WebSocket: a reply in fragments ---------------------------------------------------------


def fragmented(text: str) -> bytes:
    """``text`` as three frames: text (not final), continuation, continuation (final), cut
    inside a multi-byte character."""
    data = text.encode()
    cut = data.index("群".encode()) + 1
    parts = [(0x1, data[:cut]), (0x0, data[cut:-3]), (0x80, data[-3:])]
    return b"".join(bytes([fin_op, len(part)]) + part for fin_op, part in parts)


def answer_in_fragments(connection: socket.socket) -> None:
    ws_accept(connection)
    for opcode, payload in ws_frames(connection):
        if opcode == 0x8:
            connection.sendall(ws_close(1000, ""))
            return
        echo = json.loads(payload)["echo"]
        reply = {"status": "ok", "retcode": 0, "data": {"name": "群 x" * 5}, "echo": echo}
        connection.sendall(fragmented(json.dumps(reply, ensure_ascii=False)))


@pytest.mark.parametrize("kind", ["sync-ws", "async-ws"])
def test_a_reply_in_fragments_is_one_message(kind: str) -> None:
    with RawServer(answer_in_fragments) as server:
        if kind == "sync-ws":
            with SyncClient.websocket(server.ws_url, timeout=5) as bot:
                replies = [bot.call("get_status") for _ in range(3)]
        else:

            async def main() -> list[Any]:
                async with AsyncClient.websocket(server.ws_url, timeout=5) as bot:
                    return [await bot.call("get_status") for _ in range(3)]

            replies = asyncio.run(main())
    assert replies == [{"name": "群 x" * 5}] * 3
