"""Events over HTTP from NapCat's HTTP SSE server (``GET /_events``), sync and async: typed,
non-events skipped however the stream is cut, the token sent and its refusal, a dropped
stream, closing, and ``run()`` with quick operations over HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from onebot_client import AuthError, NetworkError, OneBot, ProtocolError
from onebot_client._events import FrameLog
from onebot_client._sse import SseReader
from tests.onebot_server import OneBotServer

from .conftest import TOKEN, Driver
from .test_events import example

STREAM = (
    b": a comment, as a keep-alive\n\n"
    b"data: not json\n\n"
    b'data: {"status": "ok", "retcode": 0, "data": {"type": "stream"}, "echo": "7"}\n\n'
    b"event: message\nid: 1\ndata: "
    + json.dumps(example("GroupMessageEvent")).encode()
    + b"\r\n\r\n"
    + b"data: "
    + json.dumps({"post_type": "notice", "notice_type": "future"}).encode()
    + b"\n\n"
)

LOG = FrameLog("a test stream", None)


def test_every_cut_of_the_stream_reads_the_same() -> None:
    whole = SseReader(LOG).feed(STREAM)
    assert len(whole) == 4
    for cut in range(len(STREAM)):
        reader = SseReader(LOG)
        assert reader.feed(STREAM[:cut]) + reader.feed(STREAM[cut:]) == whole
    reader = SseReader(LOG)
    assert [d for b in STREAM for d in reader.feed(bytes([b]))] == whole
    assert SseReader(LOG).feed(b"data: a\ndata:b\n\n") == ["a\nb"]


def read_events(driver: Driver, count: int) -> Callable[[], list[Any]]:
    """Start reading ``count`` events in a thread; the returned function waits for them."""
    got: list[Any] = []
    failure: list[BaseException] = []

    async def collect_async() -> None:
        async for event in driver.bot.events():
            got.append(event)
            if len(got) == count:
                return

    def collect() -> None:
        try:
            if driver.is_async:
                asyncio.run(collect_async())
            else:
                for event in driver.bot.events():
                    got.append(event)
                    if len(got) == count:
                        return
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=collect, daemon=True)
    thread.start()

    def wait() -> list[Any]:
        thread.join(5)
        assert not thread.is_alive(), got
        if failure:
            raise failure[0]
        return got

    return wait


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
def test_events_over_http_come_typed_and_only_events(
    kind: str, server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    driver = connect(kind)
    wait = read_events(driver, 2)
    server.wait_for(lambda: server.streams == 1)
    server.push_sse(STREAM)
    group, unknown = wait()
    assert group == example("GroupMessageEvent")
    assert unknown == {
        "post_type": "unknown",
        "event": {"post_type": "notice", "notice_type": "future"},
    }
    (headers,) = server.handshakes
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "text/event-stream"


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
def test_a_refused_token_is_an_auth_error(kind: str, connect: Callable[..., Driver]) -> None:
    driver = connect(kind, access_token="wrong")
    with pytest.raises(AuthError, match="refused the access token \\(HTTP 403\\)"):
        read_events(driver, 1)()


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
def test_a_dropped_stream_raises_network_error(
    kind: str, server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    driver = connect(kind)
    wait = read_events(driver, 2)
    server.wait_for(lambda: server.streams == 1)
    server.push_event(example("FriendRequestEvent"))
    server.drop()
    with pytest.raises(NetworkError, match="events\\(\\)"):
        wait()


def test_closing_the_sync_client_ends_events(server: OneBotServer) -> None:
    from .bots import Bot

    bot = Bot(server.http_url, access_token=TOKEN)
    got: list[Any] = []
    thread = threading.Thread(target=lambda: got.extend(bot.events()), daemon=True)
    thread.start()
    server.wait_for(lambda: server.streams == 1)
    server.push_event(example("FriendRequestEvent"))
    server.wait_for(lambda: len(got) == 1)
    bot.close()
    thread.join(5)
    assert not thread.is_alive() and got == [example("FriendRequestEvent")]


def test_closing_the_async_client_ends_events_and_run(server: OneBotServer) -> None:
    from .bots import AsyncBot

    async def main() -> None:
        bot = AsyncBot(server.http_url, access_token=TOKEN)

        @bot.on.friend_request
        async def approve(bot: Any, event: Any) -> Any:
            return {"approve": True, "remark": "hi"}

        running = asyncio.create_task(bot.run())
        while server.streams == 0:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(server.push_event, example("FriendRequestEvent"))
        while not server.calls(".handle_quick_operation"):
            await asyncio.sleep(0.01)
        await bot.close()
        await asyncio.wait_for(running, 5)

    asyncio.run(main())
    (quick,) = server.calls(".handle_quick_operation")
    assert quick.transport == "http"
    assert quick.params == {
        "context": example("FriendRequestEvent"),
        "operation": {"approve": True, "remark": "hi"},
    }


def test_sync_run_over_http(server: OneBotServer) -> None:
    from .bots import Bot

    bot = Bot(server.http_url, access_token=TOKEN)

    @bot.on.group_message
    def pong(bot: Any, event: Any) -> Any:
        bot.reply(event, "pong")
        return None

    thread = threading.Thread(target=bot.run, daemon=True)
    thread.start()
    server.wait_for(lambda: server.streams == 1)
    server.push_event(example("GroupMessageEvent"))
    server.wait_for(lambda: bool(server.calls("send_msg")))
    bot.close()
    thread.join(5)
    assert not thread.is_alive()
    (sent,) = server.calls("send_msg")
    assert sent.params["message"] == [{"type": "text", "data": {"text": "pong"}}]


# -- every line and event bounded, every line ending taken -------------------------------------


def test_cr_only_line_endings_are_line_endings() -> None:
    """The standard allows CRLF, LF and CR; a CR at the end of one read and an LF at the start
    of the next are one line end."""
    whole = SseReader(LOG).feed(b"data: a\r\rdata: b\r\ndata: c\r\n\r\n")
    assert whole == ["a", "b\nc"]
    reader = SseReader(LOG)
    assert reader.feed(b"data: a\r") + reader.feed(b"\ndata: b\r") + reader.feed(b"\r") == ["a\nb"]


@pytest.mark.parametrize("endless", [b"data: " + b"x" * 100, b"data: xx\n" * 40])
def test_nothing_grows_past_the_bound(
    endless: bytes, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An endless line, or endless data lines: what is held stays under the bound, the event
    is skipped (logged once) and the stream goes on."""
    monkeypatch.setattr("onebot_client._sse.MAX_EVENT_BYTES", 64)
    reader = SseReader(FrameLog("a test stream", None))
    with caplog.at_level(logging.WARNING, logger="onebot_client"):
        for _ in range(1000):
            assert reader.feed(endless) == []
            held = len(reader._buffer) + sum(map(len, reader._data))
            assert held <= 64 + len(endless)
        assert reader.feed(b"\n\ndata: after\n\n") == ["after"]
    assert [r.getMessage() for r in caplog.records] == [
        "a test stream: skipped an event over 64 bytes (only the first such " "is logged)"
    ]


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
def test_an_answer_that_is_no_event_stream_is_a_protocol_error(
    kind: str, connect: Callable[..., Driver], server: OneBotServer
) -> None:
    server.sse_content_type = "text/html"
    with pytest.raises(ProtocolError, match="with text/html, not an event stream"):
        read_events(connect(kind), 1)()


def test_sync_events_over_a_read_until_close_stream(tmp_path: Any) -> None:
    """No chunked encoding, no length: events may come later than the client's timeout, and
    ``close()`` from another thread ends ``events()``."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    served: list[socket.socket] = []

    def serve() -> None:
        connection, _ = listener.accept()
        served.append(connection)
        connection.recv(65536)
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
        )
        time.sleep(0.6)  # longer than the client's timeout
        connection.sendall(b"data: " + json.dumps(example("HeartbeatMetaEvent")).encode() + b"\n\n")

    threading.Thread(target=serve, daemon=True).start()
    bot = OneBot(f"http://127.0.0.1:{port}", timeout=0.3)
    events = bot.events()
    assert next(events) == example("HeartbeatMetaEvent")
    closer = threading.Timer(0.3, bot.close)
    closer.start()
    started = time.monotonic()
    assert list(events) == []  # ended by close(), not by a timeout or the server
    assert time.monotonic() - started < 3
    listener.close()
    for connection in served:
        connection.close()
