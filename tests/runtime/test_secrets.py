"""The access token: one given in the URL is sent like ``access_token=`` (in the header, not in
the URL), and it appears in no error text and no log record, even with every logger at DEBUG
and a server that echoes it back everywhere it can."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from onebot_client._clients import AsyncClient, SyncClient
from onebot_client.errors import (
    ActionFailed,
    AuthError,
    NetworkError,
    OneBotError,
    ProtocolError,
    RequestTimeout,
)
from tests.onebot_server import OneBotServer

from .conftest import KINDS, TOKEN
from .faults import RawServer, read_request, ws_accept, ws_close, ws_frames, ws_text


def url_of(server: OneBotServer, kind: str) -> str:
    return server.ws_url if kind.endswith("ws") else server.http_url


def make(kind: str, url: str, **options: Any) -> Any:
    cls = AsyncClient if kind.startswith("async") else SyncClient
    return cls.websocket(url, **options) if kind.endswith("ws") else cls(url, **options)


def run(kind: str, bot: Any, use: Callable[[Any], Any]) -> Any:
    """``use(bot)``, then close the bot; on an event loop of its own for an async client."""
    if not kind.startswith("async"):
        try:
            return use(bot)
        finally:
            bot.close()

    async def main() -> Any:
        try:
            return await use(bot)
        finally:
            await bot.close()

    return asyncio.run(main())


@pytest.mark.parametrize("kind", KINDS)
def test_a_token_in_the_url_is_sent_as_the_header(kind: str, server: OneBotServer) -> None:
    bot = make(kind, url_of(server, kind) + f"/?access_token={TOKEN}&x=1")
    assert run(kind, bot, lambda b: b.call("echo_params", {"n": 1})) == {"n": 1}
    headers = server.handshakes[-1] if kind.endswith("ws") else server.requests[-1].headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in repr(bot)


def test_the_url_token_leaves_the_url() -> None:
    from onebot_client._url import token_from

    assert token_from(f"ws://h:1/p?a=1&access_token={TOKEN}&b=%20", None) == (
        "ws://h:1/p?a=1&b=%20",
        TOKEN,
    )
    assert token_from(f"ws://h/?access_token={TOKEN}", TOKEN) == ("ws://h/", TOKEN)
    assert token_from("ws://h/?access_token=", "t") == ("ws://h/", "t")
    assert token_from("http://h/x", None) == ("http://h/x", None)


@pytest.mark.parametrize("kind", KINDS)
def test_two_different_tokens_are_refused(kind: str) -> None:
    url = ("ws" if kind.endswith("ws") else "http") + "://h/?access_token=first"
    with pytest.raises(ValueError, match="two different access tokens") as caught:
        make(kind, url, access_token="second")
    assert "first" not in str(caught.value) and "second" not in str(caught.value)


# -- redaction -----------------------------------------------------------------------------------

#: Failures a server can send with the token in them (the stand-in, for every transport).
ECHOES: list[dict[str, Any]] = [
    {"status": "failed", "retcode": 1403, "message": f"no {TOKEN}", "wording": TOKEN},
    {"status": "failed", "retcode": 100, "message": TOKEN * 3},
    {"raw": f"echo of {TOKEN}", "http_status": 500},
    {"raw": "x" * 190 + TOKEN},  # quoted, cut at 200 characters: not even a part of it
    {"raw": json.dumps({"status": "ok", "data": TOKEN})[:-1]},
]


def echoing_websocket(connection: socket.socket) -> None:
    """A WebSocket server that puts the token in what it sends; the request's path says where:
    ``/auth`` a 1403 frame on connecting, ``/stray`` a failure frame outside any call and then a
    failed reply, ``/close`` a close frame whose reason is the token (the TCP connection held)."""
    head = ws_accept(connection)
    path = head.split(b" ")[1].decode()
    if path.startswith("/auth"):
        refusal = {"status": "failed", "retcode": 1403, "message": f"token {TOKEN} refused"}
        connection.sendall(ws_text(json.dumps(refusal)) + ws_close(1008, TOKEN))
    for opcode, payload in ws_frames(connection):
        if opcode != 0x1:
            continue
        echo = json.loads(payload)["echo"]
        if path.startswith("/stray"):
            stray = {"status": "failed", "retcode": 100, "message": f"stray {TOKEN}"}
            failed = {**stray, "wording": TOKEN, "echo": echo}
            connection.sendall(ws_text(json.dumps(stray)) + ws_text(json.dumps(failed)))
        elif path.startswith("/close"):
            connection.sendall(ws_close(4000, f"bye {TOKEN}"))


def echoing_http(connection: socket.socket) -> None:
    """An HTTP server that answers not HTTP, with the token in it."""
    read_request(connection)
    connection.sendall(f"HTTP/1.1 2{TOKEN}\r\n\r\n".encode())


def texts(error: BaseException, depth: int = 0) -> list[str]:
    """Every text of ``error`` and of the exceptions chained to it."""
    found = [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
    if isinstance(error, ActionFailed):
        found += [error.message, error.wording, repr(error.echo)]
    for chained in (error.__cause__, error.__context__):
        if chained is not None and depth < 10:
            found += texts(chained, depth + 1)
    return found


def use_status(bot: Any) -> Any:
    return bot.call("get_status")


def test_the_token_is_in_no_error_and_no_log(server: OneBotServer, debug_logs: list[str]) -> None:
    errors: list[BaseException] = []

    def fail(kind: str, url: str, use: Callable[[Any], Any], **options: Any) -> None:
        for token in ({"access_token": TOKEN}, {}):  # as the argument, and in the URL
            where = url if token else url + ("&" if "?" in url else "/?") + f"access_token={TOKEN}"
            with pytest.raises(OneBotError) as caught:
                run(kind, make(kind, where, timeout=2, **token, **options), use)
            errors.append(caught.value)

    for kind in KINDS:
        for rule in ECHOES:
            server.on("get_status", **rule)
            if "raw" in rule and kind.endswith("ws"):
                # A frame that is not JSON names no call: it is skipped and logged (below),
                # and the call times out.
                with pytest.raises(RequestTimeout):
                    bot = make(kind, url_of(server, kind), timeout=0.3, access_token=TOKEN)
                    run(kind, bot, use_status)
                continue
            fail(kind, url_of(server, kind), use_status)
    with RawServer(echoing_websocket) as fake:
        for kind in ("sync-ws", "async-ws"):
            for path in ("/auth", "/stray", "/close"):
                fail(kind, fake.ws_url + path, lambda b: b.call("get_status"))
    with RawServer(echoing_http) as fake:
        for kind in ("sync-http", "async-http"):
            fail(kind, fake.http_url, lambda b: b.call("get_status"))

    kinds = {type(e) for e in errors}
    assert kinds >= {ActionFailed, AuthError, NetworkError, ProtocolError}, kinds
    assert RequestTimeout not in kinds
    for error in errors:
        for text in texts(error):
            assert TOKEN not in text, text
    assert any("***" in str(e) for e in errors)
    assert any(text.startswith("websockets.client DEBUG > GET") for text in debug_logs)
    assert any("neither a reply (no echo) nor an event" in text for text in debug_logs)
    assert any("skipped a frame that is not JSON" in text for text in debug_logs)
    for text in debug_logs:
        assert TOKEN not in text, text
