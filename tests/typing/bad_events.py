"""Each line marked with the error comment is a mistake both type checkers must flag."""

from __future__ import annotations

from onebot_client import AsyncOneBot, OneBot
from onebot_client.models import Event, GroupBanNoticeEvent, GroupMessageEvent, PrivateMessageEvent


def not_narrowed(event: Event) -> None:
    print(event["group_id"])  # error
    if event["post_type"] == "message" and event["message_type"] == "private":
        print(event["operator_id"])  # error
    if event["post_type"] == "notice":
        print(event["message_type"])  # error


async def replies(client: AsyncOneBot, event: Event, ban: GroupBanNoticeEvent) -> None:
    await client.reply(event, "pong")  # error
    await client.reply(ban, "pong")  # error
    await client.reply({"post_type": "message"}, "pong")  # error
    (await client.reply(ban, "pong"))["no_such_key"]  # error


bot = AsyncOneBot.websocket("ws://127.0.0.1:3001")


async def on_private(client: AsyncOneBot, event: PrivateMessageEvent) -> None:
    pass


def on_group_sync(client: AsyncOneBot, event: GroupMessageEvent) -> None:
    pass


async def returns_text(client: AsyncOneBot, event: GroupMessageEvent) -> str:
    return "pong"


bot.on.group_message(on_private)  # error
bot.on.group_message(on_group_sync)  # error
bot.on.group_message(returns_text)  # error
bot.on.group_mesage(on_private)  # error

sync_bot = OneBot.websocket("ws://127.0.0.1:3001")
sync_bot.on.private_message(on_private)  # error
