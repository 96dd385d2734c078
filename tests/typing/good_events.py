"""Events narrow with plain checks, and handlers are checked against the kind they handle."""

from __future__ import annotations

from typing import assert_type

from onebot_client import AsyncOneBot, OneBot, mentioned, plain_text
from onebot_client.models import (
    Event,
    FriendRequestEvent,
    GroupMessageEvent,
    GroupPokeNoticeEvent,
    MessageEvent,
    MessageSentEvent,
    NoticeEvent,
    PrivateMessageEvent,
    QuickOperation,
    UnknownEvent,
)


def narrow(event: Event) -> None:
    if event["post_type"] == "message" and event["message_type"] == "group":
        assert_type(event["group_id"], int)
        if event["sub_type"] == "normal":
            assert_type(event, GroupMessageEvent)
    if event["post_type"] == "message" and event["message_type"] == "private":
        assert_type(event["user_id"], int)
    if event["post_type"] == "notice" and event["notice_type"] == "group_ban":
        assert_type(event["duration"], int)
    if event["post_type"] == "request" and event["request_type"] == "friend":
        assert_type(event["flag"], str)
    if event["post_type"] == "unknown":
        assert_type(event, UnknownEvent)
        print(event["event"].get("notice_type"))


async def read_events(bot: AsyncOneBot) -> None:
    async for event in bot.events():
        if event["post_type"] == "message" and plain_text(event) == "ping":
            sent = await bot.reply(event, "pong", quote=True)
            assert_type(sent["message_id"], int)


bot = AsyncOneBot.websocket("ws://127.0.0.1:3001")


@bot.on.group_message
async def ping(client: AsyncOneBot, event: GroupMessageEvent) -> None:
    if mentioned(event) and plain_text(event).strip() == "ping":
        await client.reply(event, "pong")


@bot.on.message
async def any_message(client: AsyncOneBot, event: MessageEvent) -> None:
    print(event["message_id"])


@bot.on.notice
async def any_notice(client: AsyncOneBot, event: NoticeEvent) -> None:
    print(event["notice_type"])


@bot.on.group_poke_notice
async def poked(client: AsyncOneBot, event: GroupPokeNoticeEvent) -> None:
    print(event["group_id"], event["target_id"])


@bot.on.friend_request
async def approve(client: AsyncOneBot, event: FriendRequestEvent) -> QuickOperation:
    return {"approve": True, "remark": event["comment"]}


@bot.on.unknown
async def unknown(client: AsyncOneBot, event: UnknownEvent) -> None:
    print(event["event"])


@bot.on.event
async def everything(client: AsyncOneBot, event: Event) -> None:
    print(event["post_type"])


sync_bot = OneBot.websocket("ws://127.0.0.1:3001")


@sync_bot.on.private_message
def private(client: OneBot, event: PrivateMessageEvent) -> None:
    client.reply(event, [{"type": "text", "data": {"text": "pong"}}])


@sync_bot.on.message_sent
def own(client: OneBot, event: MessageSentEvent) -> None:
    assert_type(client.reply(event, "seen")["message_id"], int)


for received in sync_bot.events():
    if received["post_type"] == "meta_event" and received["meta_event_type"] == "heartbeat":
        assert_type(received["interval"], int)
