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
