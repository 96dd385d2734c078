"""The runtime's public surface: NOT_GIVEN, the error classes, construction, repr, lazy imports,
closing and reopening."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable

import pytest

import onebot_client.errors as errors
from onebot_client._clients import AsyncClient, SyncClient
from onebot_client._types import NOT_GIVEN, NotGiven
from tests.onebot_server import OneBotServer

from .bots import AsyncBot, Bot
from .conftest import KINDS, TOKEN, Driver


def test_not_given() -> None:
    assert not NOT_GIVEN and repr(NOT_GIVEN) == "NOT_GIVEN"
    assert isinstance(NOT_GIVEN, NotGiven)


def test_error_classes() -> None:
    # Every error derives from OneBotError but MissingExtra, a ModuleNotFoundError.
    assert set(errors.__all__) == {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.OneBotError | errors.MissingExtra)
    }
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.OneBotError) != (name == "MissingExtra")
        assert getattr(errors, name).__doc__
    assert issubclass(errors.MissingExtra, ModuleNotFoundError)
    assert issubclass(errors.RequestTimeout, TimeoutError)
    assert not issubclass(errors.ServerTimeout, TimeoutError)
    assert issubclass(errors.ProtocolError, errors.NetworkError)
    assert issubclass(errors.Forbidden, errors.AuthError)
    failed = errors.ActionFailed("send_msg", 100, "发送失败", "消息发送失败", "42")
    assert str(failed) == (
        "send_msg failed: retcode 100, message '发送失败', wording '消息发送失败', echo '42'"
    )
    assert (failed.action, failed.retcode, failed.echo) == ("send_msg", 100, "42")


HEAVY = ("aiohttp", "websockets", "asyncio", "http.client", "logging", "hashlib")


def loaded_after(code: str) -> list[str]:
    """Which of the heavy modules a fresh interpreter has loaded after running ``code``."""
    show = f"import sys; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-S", "-c", f"{code}; {show}"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return list(eval(result.stdout))


def test_importing_the_package_loads_no_transport_library() -> None:
    assert loaded_after("import onebot_client") == []


def test_each_transport_loads_only_its_libraries() -> None:
    from_ = "from onebot_client import OneBot, AsyncOneBot"
    assert loaded_after(f"{from_}; OneBot()") == []  # sync HTTP: sockets only
    assert "aiohttp" not in loaded_after(f"{from_}; AsyncOneBot()")
    websocket = loaded_after(f"{from_}; OneBot.websocket()")
    assert "websockets" in websocket and "aiohttp" not in websocket
    reverse = loaded_after("from onebot_client import ReverseWebSocketServer")
    assert "websockets" in reverse and "aiohttp" not in reverse
    assert "aiohttp" in loaded_after("from onebot_client import HttpPostServer")
    # events over sync HTTP (SSE) need only the standard library
    assert "aiohttp" not in loaded_after(f"{from_}; OneBot().events()")


def test_constructors_return_the_subclass() -> None:
    assert type(Bot()) is Bot and type(Bot.websocket()) is Bot
    assert type(AsyncBot()) is AsyncBot and type(AsyncBot.websocket()) is AsyncBot


def test_repr_never_shows_the_token() -> None:
    shown = [
        repr(Bot("http://127.0.0.1:3000", access_token=TOKEN)),
        repr(AsyncBot.websocket("ws://127.0.0.1:3001", access_token=TOKEN, reconnect=True)),
        repr(Bot(f"http://user:{TOKEN}@127.0.0.1:3000/onebot")),
        repr(Bot.websocket(f"ws://127.0.0.1:3001/?access_token={TOKEN}")),
    ]
    assert shown == [
        "Bot('http://127.0.0.1:3000')",
        "AsyncBot.websocket('ws://127.0.0.1:3001')",
        "Bot('http://127.0.0.1:3000/onebot')",
        "Bot.websocket('ws://127.0.0.1:3001/?access_token=***')",
    ]


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: SyncClient("ws://127.0.0.1:3001"), "use .websocket"),
        (lambda: AsyncClient("127.0.0.1:3000"), "http:// or https://"),
        (lambda: SyncClient.websocket("http://127.0.0.1:3000"), "ws:// or wss://"),
        (lambda: AsyncClient.websocket("ws://"), "ws:// or wss://"),
    ],
)
def test_bad_urls(make: Callable[[], object], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        make()


def test_closed_clients_reconnect_on_the_next_call(client: Driver, server: OneBotServer) -> None:
    assert client(lambda b: b.call("echo_params", {"n": 1})) == {"n": 1}
    client(lambda b: b.close())
    client(lambda b: b.close())  # twice is fine
    assert client(lambda b: b.call("echo_params", {"n": 2})) == {"n": 2}
    peers = {r.peer for r in server.requests}
    assert len(peers) == 2


def test_context_managers_open_the_websocket_and_close(server: OneBotServer) -> None:
    with Bot.websocket(server.ws_url, access_token=TOKEN) as bot:
        assert len(server.handshakes) == 1  # opened on entering
        assert bot.get_login_info() is None
    server.wait_for(lambda: server.connected == 0)

    async def main() -> None:
        async with AsyncBot.websocket(server.ws_url, access_token=TOKEN):
            assert len(server.handshakes) == 2  # opened on entering
        async with AsyncBot(server.http_url, access_token=TOKEN) as http:
            await http.set_group_ban(1, 2)

    asyncio.run(main())
    server.wait_for(lambda: server.connected == 0)
    assert [r.action for r in server.requests] == ["get_login_info", "set_group_ban"]


@pytest.mark.parametrize("kind", KINDS)
def test_timeout_none_waits_without_limit(
    kind: str, server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    server.on("slow", {"done": True}, delay=0.1)
    bot = connect(kind, timeout=0.01)
    assert bot(lambda b: b.call("slow", timeout=None)) == {"done": True}
