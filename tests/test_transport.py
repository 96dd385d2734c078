"""The client's wire behaviour over HTTP, against a real server on 127.0.0.1 started here."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from onebot_client import (
    ActionFailed,
    AsyncOneBot,
    AuthError,
    BadRequest,
    OneBot,
    ProtocolError,
    RequestTimeout,
    ServerTimeout,
    UnsupportedAction,
    seg,
)


class Server:
    """Records each request; answers with the reply queued for its action (ok + null by default)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: dict[str, tuple[int, bytes, float]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.requests.append(
                    {"path": self.path, "body": json.loads(body), "headers": dict(self.headers)}
                )
                status, reply, delay = server.replies.get(
                    self.path.lstrip("/"), (200, b'{"status":"ok","retcode":0,"data":null}', 0.0)
                )
                threading.Event().wait(delay)
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def reply(
        self,
        action: str,
        data: Any = None,
        *,
        http_status: int = 200,
        raw: bytes | None = None,
        **env: Any,
    ) -> None:
        body = (
            raw
            if raw is not None
            else json.dumps({"status": "ok", "retcode": 0, "data": data, **env}).encode()
        )
        self.replies[action] = (http_status, body, 0.0)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    thread = threading.Thread(target=s.httpd.serve_forever, daemon=True)
    thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def test_sync_request_on_the_wire(server: Server) -> None:
    server.reply("send_group_msg", {"message_id": 42})
    with OneBot(server.url, access_token="secret-token") as bot:
        sent = bot.send_group_msg(123, [seg.text("hi "), seg.at(456)], auto_escape=False)
        bot.get_login_info()
    assert sent == {"message_id": 42}
    first = server.requests[0]
    assert first["path"] == "/send_group_msg"
    assert first["body"] == {
        "group_id": 123,
        "message": [{"type": "text", "data": {"text": "hi "}}, {"type": "at", "data": {"qq": 456}}],
        "auto_escape": False,
    }
    assert first["headers"]["Authorization"] == "Bearer secret-token"
    assert first["headers"]["Content-Type"] == "application/json"
    assert server.requests[1] == {**server.requests[1], "path": "/get_login_info", "body": {}}


def test_options_not_given_are_not_sent_and_wire_names_are_kept(server: Server) -> None:
    bot = OneBot(server.url)
    bot.set_self_longnick("签名")
    bot.get_stranger_info("10001")
    assert server.requests[0]["body"] == {"longNick": "签名"}
    assert server.requests[1]["body"] == {"user_id": "10001"}
    assert "Authorization" not in server.requests[0]["headers"]


@pytest.mark.parametrize(
    ("envelope", "error", "retcode"),
    [
        ({"status": "failed", "retcode": 1400, "message": "bad"}, BadRequest, 1400),
        ({"status": "failed", "retcode": 1200, "wording": "超时"}, ServerTimeout, 1200),
        ({"status": "ok", "retcode": 7}, ActionFailed, 7),
    ],
)
def test_failed_actions(
    server: Server, envelope: dict[str, Any], error: type[ActionFailed], retcode: int
) -> None:
    server.reply("get_status", **envelope)
    with pytest.raises(error) as caught:
        OneBot(server.url).get_status()
    assert caught.value.retcode == retcode and caught.value.action == "get_status"


def test_http_errors_and_garbage(server: Server) -> None:
    bot = OneBot(server.url, access_token="secret-token")
    server.reply("get_status", http_status=401, raw=b"no")
    with pytest.raises(AuthError) as auth:
        bot.get_status()
    server.reply("get_status", http_status=404, raw=b"")
    with pytest.raises(UnsupportedAction):
        bot.get_status()
    server.reply("get_status", raw=b"<html>")
    with pytest.raises(ProtocolError, match="not JSON"):
        bot.get_status()
    assert "secret-token" not in str(auth.value) + repr(bot)


def test_timeout(server: Server) -> None:
    server.replies["get_status"] = (200, b'{"status":"ok","retcode":0,"data":null}', 0.5)
    with pytest.raises(RequestTimeout):
        OneBot(server.url).get_status(timeout=0.05)


def test_untyped_call(server: Server) -> None:
    server.reply("brand_new_action", {"x": 1})
    assert OneBot(server.url).call("brand_new_action", {"a": 1}) == {"x": 1}
    assert server.requests[0]["body"] == {"a": 1}


def test_async_client_on_the_wire(server: Server) -> None:
    server.reply("send_private_msg", {"message_id": 7})
    server.reply("get_status", http_status=403, raw=b"")

    async def main() -> None:
        async with AsyncOneBot(server.url, access_token="secret-token") as bot:
            assert await bot.send_private_msg(10001, "hello") == {"message_id": 7}
            with pytest.raises(AuthError):
                await bot.get_status()

    asyncio.run(main())
    assert server.requests[0]["body"] == {"user_id": 10001, "message": "hello"}
    assert server.requests[0]["headers"]["Authorization"] == "Bearer secret-token"
