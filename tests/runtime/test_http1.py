"""HTTP/1.1 responses of every framing a server may use, and broken ones, through both HTTP
clients (the sync one reads them with its own HTTP/1.1 code)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onebot_client import _http1
from onebot_client.errors import NetworkError, OneBotError, ProtocolError
from tests.onebot_server import OneBotServer

from .bots import Bot
from .conftest import Driver
from .faults import RawServer, read_request

REPLY = json.dumps({"status": "ok", "retcode": 0, "data": {"ok": "好"}}).encode()


def chunked(body: bytes, size: int) -> bytes:
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x;ext=1\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\nX-T: 1\r\n\r\n"


FRAMINGS = {
    "content-length": b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(REPLY), REPLY),
    "chunked": b"HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n" + chunked(REPLY, 7),
    "until close": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + REPLY,
    "HTTP/1.0": b"HTTP/1.0 200 OK\r\n\r\n" + REPLY,
    "interim 100": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
    % (len(REPLY), REPLY),
    "bare LF": b"HTTP/1.1 200 OK\nContent-Length: %d\n\n%s" % (len(REPLY), REPLY),
}


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
def test_no_content(kind: str, server: OneBotServer, connect: Callable[..., Driver]) -> None:
    server.on("get_status", wire=b"HTTP/1.1 204 No Content\r\n\r\n", times=1)
    with pytest.raises(ProtocolError, match="the reply is not JSON: ''"):
        connect(kind, timeout=2)(lambda b: b.call("get_status"))


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
@pytest.mark.parametrize("framing", list(FRAMINGS))
def test_every_framing(
    kind: str, framing: str, server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    server.on("get_status", wire=FRAMINGS[framing], times=1)
    bot = connect(kind)
    assert bot(lambda b: b.call("get_status")) == {"ok": "好"}


BROKEN = [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}", NetworkError, "closed the connection"),
    (b"HTTP/1.1 200 OK\r\nContent-Le", NetworkError, "closed the connection"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", ProtocolError, "answered not HTTP"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ProtocolError, "not HTTP"),
    (b"HTTP/1.1 OK\r\n\r\n", ProtocolError, "answered not HTTP"),
    (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", ProtocolError, "answered not HTTP"),
    (b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n", ProtocolError, "not HTTP"),
    (b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n", ProtocolError, "not HTTP"),
]


@pytest.mark.parametrize(("wire", "error", "says"), BROKEN)
def test_broken_responses(
    wire: bytes,
    error: type[OneBotError],
    says: str,
    server: OneBotServer,
    connect: Callable[..., Driver],
) -> None:
    server.on("get_status", wire=wire, times=1)
    bot = connect("sync-http")
    with pytest.raises(error, match=says):
        bot(lambda b: b.call("get_status"))
    assert bot(lambda b: b.call("echo_params", {"n": 1})) == {"n": 1}


def test_connection_close_is_not_reused(
    server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    server.on("get_status", wire=FRAMINGS["until close"], times=1)
    bot = connect("sync-http")
    bot(lambda b: b.call("echo_params", {"n": 0}))
    bot(lambda b: b.call("get_status"))
    bot(lambda b: b.call("echo_params", {"n": 1}))
    first, second, third = server.requests
    assert first.peer == second.peer != third.peer


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.dictionaries(st.text(max_size=8), st.text(max_size=300), max_size=6),
    size=st.integers(min_value=1, max_value=64),
)
def test_any_chunking_reads_the_same(
    data: dict[str, str], size: int, server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    body = json.dumps({"status": "ok", "retcode": 0, "data": data}, ensure_ascii=False).encode()
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body, size)
    server.on("get_status", wire=wire, times=1)
    assert connect("sync-http")(lambda b: b.call("get_status")) == data


@pytest.mark.parametrize("framing", list(FRAMINGS))
@pytest.mark.parametrize("size", [1, 3, 50])
def test_a_response_in_pieces_reads_the_same(framing: str, size: int) -> None:
    wire = FRAMINGS[framing]

    def handle(connection: socket.socket) -> None:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        read_request(connection)
        for start in range(0, len(wire), size):
            connection.sendall(wire[start : start + size])
            time.sleep(0.001)
        connection.shutdown(socket.SHUT_WR)
        connection.recv(1)  # until the client closes

    with RawServer(handle) as server:
        assert Bot(server.http_url, timeout=10).call("get_status") == {"ok": "好"}


def test_bytes_past_the_response_are_not_taken_for_the_next() -> None:
    """A connection with more on it than the response is not reused: the next call's request
    goes on a new one, and is sent once."""
    requests: list[bytes] = []

    def handle(connection: socket.socket) -> None:
        for count in range(1, 100):  # the requests on this connection
            requests.append(read_request(connection))
            reply = json.dumps({"status": "ok", "retcode": 0, "data": count}).encode()
            stray = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s%s" % (len(reply), reply, stray)
            )

    with RawServer(handle) as server:
        bot = Bot(server.http_url, timeout=10)
        assert [bot.call("get_status"), bot.call("get_status")] == [1, 1]
        assert len(requests) == 2 and len(server.connections) == 2


def test_an_answer_that_is_not_http_fails_before_it_ends() -> None:
    def handle(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
        server.hold()

    with RawServer(handle) as server:
        with pytest.raises(ProtocolError, match="answered not HTTP"):
            Bot(server.http_url, timeout=30).call("get_status")


@pytest.fixture(params=["TCP_INFO", "poll"])
def idle_check(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of telling whether an idle connection can be reused (``TCP_INFO`` only on
    64-bit Linux, ``poll`` elsewhere and for TLS)."""
    if request.param == "poll":
        monkeypatch.setattr("onebot_client._http1._TCP_INFO", None)
    elif _http1._TCP_INFO is None:
        pytest.skip("TCP_INFO is for 64-bit Linux")


@pytest.mark.usefixtures("idle_check")
def test_a_connection_the_server_closed_is_not_reused(
    server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    bot = connect("sync-http")
    assert bot(lambda b: b.call("echo_params", {"n": 1})) == {"n": 1}
    server.drop_http()
    assert bot(lambda b: b.call("echo_params", {"n": 2})) == {"n": 2}
    assert [r.params for r in server.requests] == [{"n": 1}, {"n": 2}]  # nothing sent twice
    assert server.requests[0].peer != server.requests[1].peer


@pytest.mark.usefixtures("idle_check")
def test_bytes_sent_to_an_idle_connection_keep_it_from_being_reused() -> None:
    idle = threading.Event()
    stray = threading.Event()

    def handle(connection: socket.socket) -> None:
        for count in range(1, 100):  # the requests on this connection
            read_request(connection)
            reply = json.dumps({"status": "ok", "retcode": 0, "data": count}).encode()
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(reply), reply)
            )
            if idle.wait(10) and not stray.is_set():
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                stray.set()

    with RawServer(handle) as server:
        bot = Bot(server.http_url, timeout=10)
        assert bot.call("get_status") == 1
        idle.set()
        assert stray.wait(10)
        time.sleep(0.1)  # for the stray bytes to arrive
        assert bot.call("get_status") == 1
        assert len(server.connections) == 2


def test_framing_headers_are_found_whatever_their_case_and_spacing(
    server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    wire = (
        b"HTTP/1.1 200 OK\r\nX-Content-Length: 1\r\ncontent-LENGTH :  %d \r\n"
        b"X-Note: Transfer-Encoding: chunked\r\n\r\n%s" % (len(REPLY), REPLY)
    )
    server.on("get_status", wire=wire, times=1)
    assert connect("sync-http")(lambda b: b.call("get_status")) == {"ok": "好"}
