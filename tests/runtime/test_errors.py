"""Every way a call can fail maps to its error class, on all four clients; the access token
appears in no error text and no repr."""

from __future__ import annotations

import socket
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest

from onebot_client.errors import (
    ActionFailed,
    AuthError,
    BadRequest,
    Forbidden,
    NetworkError,
    OneBotError,
    ProtocolError,
    RequestTimeout,
    ServerTimeout,
    Unauthorized,
    UnsupportedAction,
)
from tests.onebot_server import OneBotServer

from .conftest import KINDS, TOKEN, Driver


def failure(driver: Driver, use: Callable[[Any], Any]) -> OneBotError:
    with pytest.raises(OneBotError) as caught:
        driver(use)
    return caught.value


def text_of(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error)


@pytest.mark.parametrize(
    ("envelope", "kind"),
    [
        ({"status": "failed", "retcode": 1400, "message": "参数错误"}, BadRequest),
        ({"status": "failed", "retcode": 1401}, Unauthorized),
        ({"status": "failed", "retcode": 1403, "message": "token验证失败"}, Forbidden),
        ({"status": "failed", "retcode": 1404, "message": "不支持的API"}, UnsupportedAction),
        ({"status": "failed", "retcode": 1200, "wording": "超时"}, ServerTimeout),
        ({"status": "failed", "retcode": 200, "message": "Error"}, ActionFailed),
        ({"status": "failed", "retcode": 0}, ActionFailed),
        ({"status": "ok", "retcode": 100}, ActionFailed),
    ],
)
def test_failed_actions(
    client: Driver, server: OneBotServer, envelope: dict[str, Any], kind: type[ActionFailed]
) -> None:
    server.on("get_login_info", **envelope)
    error = failure(client, lambda b: b.get_login_info())
    assert type(error) is kind
    assert isinstance(error, ActionFailed)
    assert error.action == "get_login_info"
    assert error.retcode == envelope["retcode"]
    assert error.message == envelope.get("message", "")
    assert error.wording == envelope.get("wording", "")
    assert error.echo == server.requests[-1].echo
    assert str(error).startswith(f"get_login_info failed: retcode {envelope['retcode']}")
    for part in (envelope.get("message"), envelope.get("wording")):
        assert part is None or repr(part) in str(error)
    if client.is_ws:
        assert f"echo {error.echo!r}" in str(error)
    assert isinstance(error, AuthError) == (kind in (Unauthorized, Forbidden))


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
@pytest.mark.parametrize(
    ("status", "body", "error", "says"),
    [
        (401, b"", AuthError, "HTTP 401"),
        (403, b'{"message":"token verify failed!"}', AuthError, "HTTP 403"),
        (404, b"Cannot POST /get_status", UnsupportedAction, "HTTP 404"),
        (500, b"boom " * 100, NetworkError, "HTTP 500: 'boom boom"),
        (502, b"", NetworkError, "HTTP 502: ''"),
        (200, b"<html>hello</html>", ProtocolError, "not JSON: '<html>hello</html>'"),
        (200, b'{"data": 1}', ProtocolError, "not a OneBot envelope"),
        (200, b"[1, 2]", ProtocolError, "not a OneBot envelope"),
        (0, b"SSH-2.0-OpenSSH\r\n\r\n", ProtocolError, "answered not HTTP"),
    ],
)
def test_http_answers(
    kind: str,
    status: int,
    body: bytes,
    error: type[OneBotError],
    says: str,
    server: OneBotServer,
    connect: Callable[..., Driver],
) -> None:
    if status:
        server.on("get_status", http_status=status, raw=body)
    else:
        server.on("get_status", wire=body)
    caught = failure(connect(kind), lambda b: b.call("get_status"))
    assert type(caught) is error and says in str(caught)
    assert len(str(caught)) < 300  # what came back is quoted, truncated
    if error is UnsupportedAction:
        assert isinstance(caught, UnsupportedAction) and caught.retcode == 1404


def test_http_wrong_token(server: OneBotServer, connect: Callable[..., Driver]) -> None:
    for kind in ("sync-http", "async-http"):
        caught = failure(connect(kind, access_token="wrong"), lambda b: b.call("get_status"))
        assert type(caught) is AuthError and "wrong" not in str(caught)


@pytest.mark.parametrize("kind", ["sync-ws", "async-ws"])
@pytest.mark.parametrize("how", ["handshake", "frame"])
def test_websocket_wrong_token(
    kind: str,
    how: Literal["handshake", "frame"],
    server: OneBotServer,
    connect: Callable[..., Driver],
) -> None:
    server.ws_auth = how  # frame: NapCat accepts the socket, sends retcode 1403, closes it
    caught = failure(connect(kind, access_token="wrong"), lambda b: b.call("get_status"))
    assert isinstance(caught, AuthError), caught
    assert ("HTTP 401" if how == "handshake" else "retcode 1403") in str(caught)
    assert "wrong" not in str(caught)


def test_websocket_reply_that_is_not_an_envelope(ws_client: Driver, server: OneBotServer) -> None:
    server.on("get_status", frame={"hello": "world"}, times=1)
    caught = failure(ws_client, lambda b: b.call("get_status"))
    assert type(caught) is ProtocolError and "not a OneBot envelope" in str(caught)
    assert ws_client(lambda b: b.call("echo_params", {"a": 1})) == {"a": 1}  # socket still fine
    assert len(server.handshakes) == 1


def test_timeouts(client: Driver, server: OneBotServer, connect: Callable[..., Driver]) -> None:
    server.on("get_status", delay=0.5)
    caught = failure(client, lambda b: b.call("get_status", timeout=0.05))
    assert type(caught) is RequestTimeout and isinstance(caught, TimeoutError)
    assert "get_status: no reply within 0.05 s" in str(caught)
    by_default = connect(client.kind, timeout=0.05)
    assert type(failure(by_default, lambda b: b.call("get_status"))) is RequestTimeout
    # the client works on afterwards (a late reply is dropped, not mistaken for anything)
    assert client(lambda b: b.call("echo_params", {"n": 1})) == {"n": 1}


def test_dropped_connection(client: Driver, server: OneBotServer) -> None:
    server.on("get_status", drop=True, times=1)
    caught = failure(client, lambda b: b.call("get_status"))
    assert type(caught) is NetworkError
    assert client(lambda b: b.call("echo_params", {"n": 1})) == {"n": 1}


def test_websocket_closed_by_the_server(ws_client: Driver, server: OneBotServer) -> None:
    server.on("get_status", close_code=1001, times=1)
    caught = failure(ws_client, lambda b: b.call("get_status"))
    assert type(caught) is NetworkError and "1001" in str(caught)


@pytest.mark.parametrize("kind", KINDS)
def test_nobody_listening(kind: str, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    dead = OneBotServer(tmp_path)
    dead.port = port
    driver = Driver(kind, dead, timeout=2.0)
    try:
        caught = failure(driver, lambda b: b.call("get_status"))
        assert type(caught) is NetworkError and f"127.0.0.1:{port}" in str(caught)
    finally:
        driver.close()


def test_token_never_shown(server: OneBotServer, connect: Callable[..., Driver]) -> None:
    """Every failure above, with the token set: not in any error text, traceback or repr
    (nor when the server quotes it back)."""
    errors: list[BaseException] = []
    for kind in KINDS:
        driver = connect(kind, timeout=0.2)
        assert TOKEN not in repr(driver.bot)
        rules: list[dict[str, Any]] = [
            {"retcode": 1403, "status": "failed", "message": "no"},
            {"raw": f"echo of {TOKEN}", "http_status": 500},
            {"raw": f"garbage {TOKEN}"},
            {"delay": 1.0},
            {"drop": True},
            {"raw": "!"} if driver.is_ws else {"wire": b"SSH-2.0-OpenSSH\r\n\r\n"},
        ]
        for rule in rules:
            server.on("get_status", times=1, **rule)
            errors.append(failure(driver, lambda b: b.call("get_status")))
        server.token = "another"
        errors.append(failure(connect(kind, timeout=0.2), lambda b: b.call("get_status")))
        server.token = TOKEN
    assert {type(e) for e in errors} >= {
        Forbidden,
        NetworkError,
        ProtocolError,
        RequestTimeout,
        AuthError,
    }
    for error in errors:
        assert TOKEN not in text_of(error), text_of(error)
