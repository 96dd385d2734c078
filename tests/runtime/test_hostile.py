"""One bad frame never costs a connection: on every transport, a frame or event that cannot be
used is skipped (logged once per kind of problem per connection, without the token) or
delivered as the server sent it, then a good event arrives and a call on the same connection
succeeds."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from onebot_client import HttpPostServer, ReverseWebSocketServer, mentioned, plain_text
from tests.napcat_peer import ReverseAccount, post
from tests.onebot_server import OneBotServer

from .conftest import TOKEN, Driver
from .test_events import example
from .test_sse import read_events

GOOD = example("HeartbeatMetaEvent")


def message(value: object, **fields: Any) -> dict[str, Any]:
    """A private message event whose ``message`` is ``value``, as a server may send it."""
    return {**example("PrivateMessageEvent"), "message": value, **fields}


#: Frames that are no event a handler can use: skipped, each logged once.
SKIPPED = {
    "not JSON": f"<html>{TOKEN}</html>",
    "a JSON array": "[1, 2, 3]",
    "JSON nested too deep": "[" * 100_000,
    "a JSON string": '"hello"',
}

#: Events a server really sends that do not fit their type: delivered as sent (the helpers
#: never raise on them).
POISONED = {
    "a face whose chainCount is not a number": message("[CQ:face,id=1,chainCount=x]"),
    "an image whose sub_type is not a number": message("[CQ:image,file=a.jpg,sub_type=abc]"),
    "a reply whose seq has 5,000 digits": message("[CQ:reply,seq=" + "9" * 5000 + "]"),
    "a message that is null": message(None),
    "segments that are not objects": message([1, "text", {"type": "text"}, {"data": 5}]),
}

#: What a handler is given for each of POISONED: the value kept as written.
DELIVERED_MESSAGE = {
    "a face whose chainCount is not a number": [
        {"type": "face", "data": {"id": "1", "chainCount": "x"}}
    ],
    "an image whose sub_type is not a number": [
        {"type": "image", "data": {"file": "a.jpg", "sub_type": "abc"}}
    ],
    "a reply whose seq has 5,000 digits": [{"type": "reply", "data": {"seq": "9" * 5000}}],
    "a message that is null": None,
    "segments that are not objects": [1, "text", {"type": "text"}, {"data": 5}],
}


def frames_of(case: str) -> str:
    return SKIPPED[case] if case in SKIPPED else json.dumps(POISONED[case])


def check_delivered(case: str, event: Any) -> None:
    """A poisoned event came as sent, and the helpers take it."""
    assert event["message"] == DELIVERED_MESSAGE[case]
    assert plain_text(event) == "" and mentioned(event) is False


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "onebot_client" and r.levelno == logging.WARNING
    ]


def check_skip_logged(case: str, caplog: pytest.LogCaptureFixture) -> None:
    if case in SKIPPED:
        (record,) = [w for w in warnings(caplog) if "skipped" in w]
        assert TOKEN not in record
    else:
        assert not warnings(caplog)


CASES = [*SKIPPED, *POISONED]


# -- forward WebSocket, sync and async -------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync-ws", "async-ws"])
@pytest.mark.parametrize("case", CASES)
def test_forward_websocket(
    kind: str, case: str, server: OneBotServer, caplog: pytest.LogCaptureFixture
) -> None:
    driver = Driver(kind, server)
    try:
        stream = driver.bot.events()
        step: Callable[[Any], Any] = (
            (lambda _: anext(stream)) if driver.is_async else (lambda _: next(stream))
        )
        with caplog.at_level(logging.WARNING, logger="onebot_client"):
            driver(lambda bot: bot.call("get_status"))  # connected
            for _ in range(2):  # the second one is not logged again
                server.push_raw(frames_of(case))
            server.push_event(GOOD)
            if case in POISONED:
                check_delivered(case, driver(step))
                check_delivered(case, driver(step))
            assert driver(step) == GOOD
            assert driver(lambda bot: bot.call("echo_params", {"n": 1})) == {"n": 1}
        check_skip_logged(case, caplog)
        assert len(server.handshakes) == 1  # the same connection throughout
    finally:
        driver.close()


def test_a_garbage_reply_leaves_its_call_to_time_out_and_the_socket_open(
    server: OneBotServer,
) -> None:
    """A reply that is not JSON names no call: the call is not failed by it (it times out),
    and the connection goes on."""
    for kind in ("sync-ws", "async-ws"):
        driver = Driver(kind, server)
        server.on("get_status", raw="<html>", times=1)
        with pytest.raises(TimeoutError):
            driver(lambda bot: bot.call("get_status", timeout=0.3))
        assert driver(lambda bot: bot.call("echo_params", {"n": 1})) == {"n": 1}
        driver.close()
    assert len(server.handshakes) == 2


# -- SSE, sync and async ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
@pytest.mark.parametrize("case", CASES)
def test_sse(kind: str, case: str, server: OneBotServer, caplog: pytest.LogCaptureFixture) -> None:
    driver = Driver(kind, server)
    try:
        with caplog.at_level(logging.WARNING, logger="onebot_client"):
            wait = read_events(driver, 3 if case in POISONED else 1)
            server.wait_for(lambda: server.streams == 1)
            for _ in range(2):
                server.push_sse(f"data: {frames_of(case)}\n\n".encode())
            server.push_event(GOOD)
            *poisoned, good = wait()
            for event in poisoned:
                check_delivered(case, event)
            assert good == GOOD
            assert driver(lambda bot: bot.call("echo_params", {"n": 1})) == {"n": 1}
        if case in ("a JSON array", "a JSON string"):  # JSON, but not an event: passed over
            assert not warnings(caplog)
        else:
            check_skip_logged(case, caplog)
        assert len(server.handshakes) == 1
    finally:
        driver.close()


# -- reverse WebSocket -----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_reverse_websocket(case: str, caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        async with ReverseWebSocketServer(port=0, access_token=TOKEN, timeout=5) as server:
            napcat = ReverseAccount(server.url, 123, TOKEN)
            await napcat.connect()
            events = server.events()
            bot, _ = await anext(events)
            for _ in range(2):
                await napcat.send_raw(frames_of(case))
            await napcat.send(GOOD)
            if case in POISONED:
                check_delivered(case, (await anext(events))[1])
                check_delivered(case, (await anext(events))[1])
            assert (await anext(events))[1] == GOOD
            assert (await bot.call("get_status"))["self_id"] == 123
            assert napcat.connection is not None and napcat.connection.close_code is None
            await napcat.close()
            await events.aclose()

    with caplog.at_level(logging.WARNING, logger="onebot_client"):
        asyncio.run(asyncio.wait_for(main(), 20))
    check_skip_logged(case, caplog)


# -- HTTP POST -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_http_post(case: str) -> None:
    async def main() -> None:
        async with HttpPostServer(port=0) as server, aiohttp.ClientSession() as napcat:
            events = server.events()
            body = frames_of(case).encode()
            status, _, _ = await post(napcat, server.url, None, body=body)
            assert status == (204 if case in POISONED else 400)
            if case in POISONED:
                check_delivered(case, (await anext(events))[1])
            assert (await post(napcat, server.url, GOOD))[0] == 204
            assert (await anext(events))[1] == GOOD
            await events.aclose()

    asyncio.run(asyncio.wait_for(main(), 20))
