"""The README's client examples run as written, against the stand-in server."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from pathlib import Path

import pytest

from tests.onebot_server import OneBotServer

from .conftest import TOKEN

README = Path(__file__).resolve().parents[2] / "README.md"


def examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Using the generated client") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def for_server(code: str, server: OneBotServer) -> str:
    return (
        code.replace("http://127.0.0.1:3000", server.http_url)
        .replace("ws://127.0.0.1:3001", server.ws_url)
        .replace('"token"', repr(TOKEN))
    )


def test_the_readme_has_three_examples() -> None:
    assert len(examples()) == 3


def test_sync_http_example(server: OneBotServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.on("get_login_info", {"user_id": 10001, "nickname": "me"})
    server.on("send_group_msg", {"message_id": 77})
    server.on("set_group_ban", status="failed", retcode=1403, message="no permission")
    exec(for_server(examples()[0], server), {})
    assert [(r.action, r.params) for r in server.requests] == [
        ("get_login_info", {}),
        (
            "send_group_msg",
            {
                "group_id": 123456,
                "message": [
                    {"type": "text", "data": {"text": "hi "}},
                    {"type": "at", "data": {"qq": 10001}},
                ],
            },
        ),
        (
            "send_group_msg",
            {
                "group_id": 123456,
                "message": [
                    {"type": "reply", "data": {"id": 77}},
                    {"type": "text", "data": {"text": "and again"}},
                ],
            },
        ),
        ("set_group_ban", {"group_id": 123456, "user_id": 10001, "duration": 600}),
    ]
    assert capsys.readouterr().out == "1403 no permission\n"


def test_async_websocket_example(server: OneBotServer) -> None:
    code = for_server(examples()[1], server).replace("asyncio.run(main())", "")
    namespace: dict[str, object] = {}
    exec(code, namespace)
    loop = asyncio.new_event_loop()
    task = loop.create_task(namespace["main"]())  # type: ignore[operator]

    def run() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # how the test stops the bot
            loop.run_until_complete(task)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        server.wait_for(lambda: server.connected == 1)
        server.push_event({"post_type": "notice", "notice_type": "group_increase"})
        server.push_event(
            {"post_type": "message", "raw_message": "ping", "group_id": 42, "message": "ping"}
        )
        server.wait_for(lambda: bool(server.calls("send_group_msg")))
        (reply,) = server.calls("send_group_msg")
        assert reply.params == {
            "group_id": 42,
            "message": [{"type": "text", "data": {"text": "pong"}}],
        }
    finally:
        loop.call_soon_threadsafe(task.cancel)
        thread.join(5)
        loop.close()


def test_stream_example(
    server: OneBotServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    content = bytes(range(256)) * 4000
    (tmp_path / "report.pdf").write_bytes(content)
    exec("from onebot_client import OneBot\n" + for_server(examples()[2], server), {})
    assert (tmp_path / "copy.pdf").read_bytes() == content
    (sent,) = server.calls("send_group_msg")
    assert sent.params["message"][0]["type"] == "file"
