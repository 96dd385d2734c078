"""What goes over the wire, exactly: HTTP requests and WebSocket frames of both clients."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.onebot_server import OneBotServer

from .conftest import TOKEN, Driver

LOGIN = {"user_id": 10001, "nickname": "小明"}


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
def test_http_requests(kind: str, server: OneBotServer, connect: Callable[..., Driver]) -> None:
    server.on("get_login_info", LOGIN)
    bot = connect(kind)
    assert bot(lambda b: b.set_group_ban(123, "456", duration=600)) is None
    assert bot(lambda b: b.set_group_ban(123, 456)) is None
    assert bot(lambda b: b.get_login_info()) == LOGIN

    first, second, third = server.requests
    assert (first.transport, first.path, first.action) == (
        "http",
        "/set_group_ban",
        "set_group_ban",
    )
    assert first.body == b'{"group_id":123,"user_id":"456","duration":600}'
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert first.headers["Content-Type"] == "application/json"
    assert second.params == {"group_id": 123, "user_id": 456}  # NOT_GIVEN is left out
    assert (third.path, third.body) == ("/get_login_info", b"{}")
    # one kept-alive connection carries all three
    assert first.peer == second.peer == third.peer


@pytest.mark.parametrize("kind", ["sync-ws", "async-ws"])
def test_websocket_frames(kind: str, server: OneBotServer, connect: Callable[..., Driver]) -> None:
    server.on("get_login_info", LOGIN)
    bot = connect(kind)
    bot(lambda b: b.set_group_ban(123, "456", duration=600))
    bot(lambda b: b.set_group_ban(123, 456))
    assert bot(lambda b: b.get_login_info()) == LOGIN

    frames = [r.frame or {} for r in server.requests]
    assert [sorted(frame) for frame in frames] == [["action", "echo", "params"]] * 3
    assert [(frame["action"], frame["params"]) for frame in frames] == [
        ("set_group_ban", {"group_id": 123, "user_id": "456", "duration": 600}),
        ("set_group_ban", {"group_id": 123, "user_id": 456}),
        ("get_login_info", {}),
    ]
    echoes = [frame["echo"] for frame in frames]
    assert all(isinstance(echo, str) for echo in echoes) and len(set(echoes)) == 3
    # one socket; the token in the handshake, not in the frames
    assert len(server.handshakes) == 1
    assert server.handshakes[0]["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in json.dumps(frames)


def test_untyped_call(client: Driver, server: OneBotServer) -> None:
    params = {"text": "你好", "ids": [1, "2"], "flag": True, "none": None}
    assert client(lambda b: b.call("echo_params", params)) == params
    assert client(lambda b: b.call("brand_new_action")) is None
    assert server.requests[0].params == params
    assert server.requests[1].params == {}
    if not client.is_ws:
        assert "你好".encode() in server.requests[0].body  # UTF-8, not \\u escapes


def test_call_takes_any_mapping_and_keeps_none(client: Driver, server: OneBotServer) -> None:
    from types import MappingProxyType

    client(lambda b: b.call("echo_params", MappingProxyType({"a": None})))
    assert server.requests[0].params == {"a": None}


def test_sync_http_replaces_a_connection_the_server_closed(
    server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    bot = connect("sync-http")
    bot(lambda b: b.call("echo_params", {"n": 1}))
    server.drop_http()  # the server closes the idle kept-alive connection
    assert bot(lambda b: b.call("echo_params", {"n": 2})) == {"n": 2}
    assert [r.params for r in server.requests] == [{"n": 1}, {"n": 2}]  # nothing sent twice
    assert server.requests[0].peer != server.requests[1].peer


def test_sync_http_from_many_threads(server: OneBotServer, connect: Callable[..., Driver]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    bot = connect("sync-http").bot
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda n: bot.call("reorder", {"n": n}), range(400)))
    assert results == [{"n": n} for n in range(400)]
