"""The README's client examples run as written, against the stand-in server."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.event_examples import example
from tests.conftest import pyright_errors
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


def test_the_readme_has_four_examples() -> None:
    assert len(examples()) == 4


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
    code = for_server(examples()[1], server).replace("asyncio.run(bot.run())", "")
    namespace: dict[str, object] = {}
    exec(code, namespace)
    bot = namespace["bot"]
    loop = asyncio.new_event_loop()
    task = loop.create_task(bot.run())  # type: ignore[attr-defined]

    thread = threading.Thread(target=loop.run_until_complete, args=(task,), daemon=True)
    thread.start()
    try:
        server.wait_for(lambda: server.connected == 1)
        # a private "ping" (the message event without group_id), then a group poke
        server.push_event(example("PrivateMessageEvent", message=[text("ping")], user_id=20002))
        server.push_event(example("GroupPokeNoticeEvent", group_id=42, user_id=30003))
        server.wait_for(lambda: bool(server.calls("send_msg") and server.calls("send_group_msg")))
        (reply,) = server.calls("send_msg")
        assert reply.params == {
            "message_type": "private",
            "user_id": 20002,
            "message": [text("pong")],
        }
        (hi,) = server.calls("send_group_msg")
        assert hi.params == {
            "group_id": 42,
            "message": [{"type": "at", "data": {"qq": 30003}}, text(" hi")],
        }
    finally:
        # closing the client ends run(), as it would end a real bot
        asyncio.run_coroutine_threadsafe(bot.close(), loop).result(5)  # type: ignore[attr-defined]
        thread.join(5)
        loop.close()
    assert task.done() and task.exception() is None


def text(value: str) -> dict[str, object]:
    return {"type": "text", "data": {"text": value}}


def test_stream_example(
    server: OneBotServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    content = bytes(range(256)) * 4000
    (tmp_path / "report.pdf").write_bytes(content)
    exec(for_server(examples()[2], server), {})
    assert (tmp_path / "copy.pdf").read_bytes() == content
    (sent,) = server.calls("send_group_msg")
    assert sent.params["message"][0]["type"] == "file"


def test_reverse_websocket_example() -> None:
    from tests.napcat_peer import ReverseAccount

    code = examples()[3].replace("8082", "0").replace("asyncio.run(server.run())", "")
    namespace: dict[str, Any] = {}
    exec(code.replace('"token"', repr(TOKEN)), namespace)
    server = namespace["server"]

    async def main() -> None:
        running = asyncio.create_task(server.run())
        while server.port == 0:
            await asyncio.sleep(0.005)
        napcat = ReverseAccount(server.url, 10001, TOKEN)
        await napcat.connect()
        await napcat.send(example("GroupMessageEvent", self_id=10001, group_id=42))
        while not napcat.calls:
            await asyncio.sleep(0.005)
        assert napcat.calls[0]["action"] == "send_msg"
        assert napcat.calls[0]["params"] == {
            "message_type": "group",
            "group_id": 42,
            "message": [text("hello from 10001")],
        }
        await server.close()
        await asyncio.wait_for(running, 5)
        await napcat.close()

    asyncio.run(asyncio.wait_for(main(), 10))


TESTING_DOCS = README.parent / "generated" / "docs" / "testing.md"


def kit_example(page: Path = README, index: int = 0) -> str:
    """An example of the README's section on testing a bot (or of another page)."""
    text = page.read_text(encoding="utf-8")
    if page == README:
        text = text[text.index("## Testing a bot") :]
        text = text[: text.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", text, re.S)[index]


KIT_EXAMPLES = [
    (README, 0, 2),
    (TESTING_DOCS, 0, 1),  # in-process
    (TESTING_DOCS, 1, 1),  # asyncio
    (TESTING_DOCS, 2, 1),  # a reverse WebSocket bot
    (TESTING_DOCS, 3, 1),  # an HTTP POST bot
]


@pytest.mark.parametrize(("page", "index", "tests"), KIT_EXAMPLES)
def test_testing_example_passes_under_pytest(
    tmp_path: Path, page: Path, index: int, tests: int
) -> None:
    source = tmp_path / "test_bot.py"
    source.write_text(kit_example(page, index), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", source.name],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{tests} passed" in result.stdout


def connecting_examples() -> list[str]:
    page = README.parent / "generated" / "docs" / "connecting.md"
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


def typed_examples() -> dict[str, dict[str, str]]:
    """The examples that must type-check, in sets by name: each file's name and code."""
    sets = {"async_websocket": {"example.py": examples()[1]}}
    sets["connecting"] = {f"mode_{n}.py": code for n, code in enumerate(connecting_examples())}
    for page, index, _ in KIT_EXAMPLES:
        sets[f"{page.stem}-{index}"] = {"test_bot.py": kit_example(page, index)}
    return sets


@pytest.fixture(scope="session")
def examples_checked(
    tmp_path_factory: pytest.TempPathFactory, checkers: dict[str, list[str]]
) -> tuple[Path, list[str]]:
    """The examples written out, a directory a set, and pyright's errors in them all, from
    one run."""
    root = tmp_path_factory.mktemp("examples")
    for name, files in typed_examples().items():
        (root / name).mkdir()
        for file, code in files.items():
            (root / name / file).write_text(code, encoding="utf-8")
    return root, pyright_errors(checkers["pyright"], sorted(root.rglob("*.py")), root)


def assert_type_checks(
    name: str, examples_checked: tuple[Path, list[str]], checkers: dict[str, list[str]]
) -> None:
    """mypy --strict and pyright pass the set of examples ``name``."""
    root, errors = examples_checked
    files = sorted(typed_examples()[name])
    result = subprocess.run(
        [*checkers["mypy"], *files], capture_output=True, text=True, cwd=root / name
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert [e for e in errors if e.startswith(f"{root / name}/")] == []


def test_async_websocket_example_type_checks(
    examples_checked: tuple[Path, list[str]], checkers: dict[str, list[str]]
) -> None:
    assert_type_checks("async_websocket", examples_checked, checkers)


def test_the_connecting_page_examples_type_check(
    examples_checked: tuple[Path, list[str]], checkers: dict[str, list[str]]
) -> None:
    assert len(connecting_examples()) == 7
    assert_type_checks("connecting", examples_checked, checkers)


@pytest.mark.parametrize(("page", "index", "tests"), KIT_EXAMPLES)
def test_testing_example_type_checks(
    page: Path,
    index: int,
    tests: int,
    examples_checked: tuple[Path, list[str]],
    checkers: dict[str, list[str]],
) -> None:
    assert_type_checks(f"{page.stem}-{index}", examples_checked, checkers)
