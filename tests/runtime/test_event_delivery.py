"""Typed events over forward WebSocket, on the wire: what is delivered and what is not, handlers
run by run(), their quick operations carried out, failures logged without stopping the bot."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest
from onebot_client import AsyncOneBot, OneBot
from onebot_client.models import FriendRequestEvent, GroupMessageEvent, QuickOperation

from tests.event_examples import example
from tests.onebot_server import OneBotServer

from .conftest import TOKEN

NOT_EVENTS = [
    {"status": "ok", "retcode": 0, "data": None},  # a reply that lost its echo
    {"status": "ok", "retcode": 0, "data": {"type": "stream"}, "stream": "stream-action"},
    {"post_type": 7},
]


def test_events_arrive_typed_unknown_wrapped_non_events_dropped(server: OneBotServer) -> None:
    unknown = {"post_type": "notice", "notice_type": "from_the_future", "time": 1, "self_id": 2}
    sent = [*NOT_EVENTS, unknown, example("GroupMessageEvent"), example("HeartbeatMetaEvent")]
    with OneBot.websocket(server.ws_url, access_token=TOKEN) as bot:
        for frame in sent:
            server.push_event(frame)
        stream = bot.events()
        received = [next(stream) for _ in range(3)]
    assert received == [
        {"post_type": "unknown", "event": unknown},
        example("GroupMessageEvent"),
        example("HeartbeatMetaEvent"),
    ]


def test_sync_run_dispatches_and_carries_out_quick_operations(
    server: OneBotServer, caplog: pytest.LogCaptureFixture
) -> None:
    bot = OneBot.websocket(server.ws_url, access_token=TOKEN)
    seen: list[str] = []

    @bot.on.group_message
    def broken(client: OneBot, event: GroupMessageEvent) -> None:
        raise RuntimeError("handler bug")

    @bot.on.group_message
    def ping(client: OneBot, event: GroupMessageEvent) -> None:
        seen.append(event["raw_message"])
        client.reply(event, "pong", quote=True)

    @bot.on.friend_request
    def approve(client: OneBot, event: FriendRequestEvent) -> QuickOperation:
        return {"approve": True}

    runner = threading.Thread(target=bot.run)
    with caplog.at_level(logging.ERROR, logger="onebot_client"):
        runner.start()
        server.wait_for(lambda: server.connected == 1)
        message = example("GroupMessageEvent", raw_message="ping")
        server.push_event(message)
        request = example("FriendRequestEvent")
        server.push_event(request)
        server.wait_for(lambda: bool(server.calls(".handle_quick_operation")))
        bot.close()
        runner.join(5)
    assert not runner.is_alive()
    assert seen == ["ping"]
    (reply,) = server.calls("send_msg")
    assert reply.params == {
        "message_type": "group",
        "group_id": message["group_id"],
        "message": [
            {"type": "reply", "data": {"id": str(message["message_id"])}},
            {"type": "text", "data": {"text": "pong"}},
        ],
    }
    (quick,) = server.calls(".handle_quick_operation")
    assert quick.params == {"context": request, "operation": {"approve": True}}
    assert "broken failed" in caplog.text and "handler bug" in caplog.text


def test_async_run_handles_events_concurrently_and_ends_on_close(server: OneBotServer) -> None:
    async def main() -> list[str]:
        bot = AsyncOneBot.websocket(server.ws_url, access_token=TOKEN)
        order: list[str] = []
        release = asyncio.Event()

        @bot.on.message
        async def slow_then_fast(client: AsyncOneBot, event: Any) -> None:
            if event["raw_message"] == "slow":
                await release.wait()  # does not hold up the next event
            order.append(event["raw_message"])
            if event["raw_message"] == "fast":
                release.set()

        running = asyncio.create_task(bot.run())
        await asyncio.to_thread(server.wait_for, lambda: server.connected == 1)
        for text in ("slow", "fast"):
            await asyncio.to_thread(
                server.push_event, example("PrivateMessageEvent", raw_message=text)
            )
        await asyncio.wait_for(release.wait(), 5)
        await asyncio.sleep(0.05)
        await bot.close()
        await asyncio.wait_for(running, 5)
        return order

    assert asyncio.run(main()) == ["fast", "slow"]
