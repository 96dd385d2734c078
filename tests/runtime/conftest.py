"""Fixtures: a stand-in OneBot server on a free 127.0.0.1 port, and clients of the four kinds
(sync or async, HTTP or WebSocket) driven through one interface."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.onebot_server import OneBotServer

from .bots import AsyncBot, Bot

TOKEN = "tok-3f9a1c77e2-secret"
KINDS = ["sync-http", "sync-ws", "async-http", "async-ws"]


class Records(logging.Handler):
    """Every record, formatted (with its traceback)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@pytest.fixture
def debug_logs() -> Iterator[list[str]]:
    """Every logger at DEBUG; the formatted records."""
    root = logging.getLogger()
    handler, level = Records(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.texts
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def first_backoff(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Sets, for the test, the clients' wait before their second reconnection attempt."""
    from onebot_client import _backoff

    return lambda seconds: monkeypatch.setattr(_backoff, "FIRST_BACKOFF", seconds)


def heartbeat(n: int) -> dict[str, Any]:
    """An event of a kind the spec has, so it is delivered as it came; numbered by its
    ``time``."""
    return {
        "post_type": "meta_event",
        "meta_event_type": "heartbeat",
        "time": n,
        "self_id": 1,
        "status": {"online": True, "good": True},
        "interval": 30000,
    }


class Driver:
    """One client of any kind, used with plain calls: ``driver(lambda bot: bot.call("x"))``.
    An async client runs on an event loop of its own."""

    def __init__(
        self,
        kind: str,
        server: OneBotServer,
        classes: tuple[type[Any], type[Any]] = (Bot, AsyncBot),
        **options: Any,
    ) -> None:
        self.kind = kind
        self.is_async = kind.startswith("async")
        self.is_ws = kind.endswith("ws")
        self.loop = asyncio.new_event_loop() if self.is_async else None
        options.setdefault("access_token", TOKEN)
        options.setdefault("timeout", 5.0)
        cls = classes[1] if self.is_async else classes[0]
        self.bot: Any = (
            cls.websocket(server.ws_url, **options)
            if self.is_ws
            else cls(server.http_url, **options)
        )

    def __call__(self, use: Callable[[Any], Any]) -> Any:
        result = use(self.bot)
        return self.loop.run_until_complete(result) if self.loop is not None else result

    def close(self) -> None:
        self(lambda bot: bot.close())
        if self.loop is not None:
            self.loop.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OneBotServer]:
    files = tmp_path / "server"
    files.mkdir()
    with OneBotServer(files, token=TOKEN) as running:
        yield running


@pytest.fixture
def connect(server: OneBotServer) -> Iterator[Callable[..., Driver]]:
    """Makes drivers (closed after the test): ``connect("sync-ws", timeout=1)``."""
    made: list[Driver] = []

    def make(
        kind: str, classes: tuple[type[Any], type[Any]] = (Bot, AsyncBot), **options: Any
    ) -> Driver:
        made.append(Driver(kind, server, classes, **options))
        return made[-1]

    yield make
    for driver in made:
        driver.close()


@pytest.fixture(params=KINDS)
def client(request: pytest.FixtureRequest, connect: Callable[..., Driver]) -> Driver:
    """A client of each kind in turn."""
    return connect(request.param)


@pytest.fixture(params=["sync-ws", "async-ws"])
def ws_client(request: pytest.FixtureRequest, connect: Callable[..., Driver]) -> Driver:
    """A WebSocket client, sync then async."""
    return connect(request.param)


@pytest.fixture(params=["sync-http", "async-http"])
def http_client(request: pytest.FixtureRequest, connect: Callable[..., Driver]) -> Driver:
    """An HTTP client, sync then async."""
    return connect(request.param)
