"""A missing optional transport library is named, with the extra to install, when the client is
created."""

from __future__ import annotations

import sys

import pytest

from onebot_client import AsyncOneBot, OneBot
from onebot_client._extras import MissingExtra


def test_async_http_without_aiohttp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # as if it were not installed
    with pytest.raises(MissingExtra, match=r"pip install 'onebot-client\[async\]'") as caught:
        AsyncOneBot("http://127.0.0.1:3000")
    assert isinstance(caught.value, ModuleNotFoundError)
    assert caught.value.name == "aiohttp"


@pytest.mark.parametrize("cls", [OneBot, AsyncOneBot])
def test_websocket_without_websockets(
    cls: type[OneBot] | type[AsyncOneBot], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "websockets", None)
    with pytest.raises(MissingExtra, match=r"pip install 'onebot-client\[websocket\]'"):
        cls.websocket("ws://127.0.0.1:3001")


def test_sync_http_needs_no_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    monkeypatch.setitem(sys.modules, "websockets", None)
    assert repr(OneBot("http://127.0.0.1:3000")) == "OneBot('http://127.0.0.1:3000')"


@pytest.mark.parametrize(
    ("name", "module", "library", "extra"),
    [
        ("ReverseWebSocketServer", "onebot_client._reverse", "websockets", "websocket"),
        ("HttpPostServer", "onebot_client._post", "aiohttp", "async"),
    ],
)
def test_a_server_without_its_library(
    name: str, module: str, library: str, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onebot_client

    monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setitem(sys.modules, library, None)
    with pytest.raises(MissingExtra, match=rf"{name} needs {library}.*\[{extra}\]'"):
        getattr(onebot_client, name)


def test_the_kit_served_without_aiohttp(monkeypatch: pytest.MonkeyPatch) -> None:
    from onebot_client.testing import FakeOneBot

    monkeypatch.setitem(sys.modules, "aiohttp", None)
    with FakeOneBot() as kit, pytest.raises(MissingExtra, match=r"\[async\]'"):
        kit.serve()


def test_missing_extra_is_importable_where_the_errors_are() -> None:
    import onebot_client
    from onebot_client import errors

    assert onebot_client.MissingExtra is errors.MissingExtra is MissingExtra
    assert issubclass(MissingExtra, ModuleNotFoundError)
