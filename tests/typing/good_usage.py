"""Code a user writes; it must pass mypy --strict and pyright with no error."""

from __future__ import annotations

from onebot_client import NOT_GIVEN, AsyncOneBot, OneBot, cq, seg
from onebot_client.models import LoginInfo, Message, Segment, SentMessage


def sync_usage(bot: OneBot) -> int:
    info: LoginInfo = bot.get_login_info(timeout=5)
    user_id: int = info["user_id"]
    nickname: str = info["nickname"]
    message: Message = [seg.text(f"hi {nickname}"), seg.at(user_id)]
    sent: SentMessage = bot.send_group_msg(123456, message)
    bot.send_group_msg("123456", "plain text", auto_escape=True, timeout=None)
    bot.send_private_msg(user_id=10001, message=seg.text("hello"))
    bot.delete_msg(sent["message_id"])
    bot.get_stranger_info(10001, no_cache=NOT_GIVEN)
    bot.post_group_msg(123456, text="hi", at=10001, reply=sent["message_id"], dice=True)
    bot.post_private_msg("10001", message=cq.escape("[not a CQ code]"), music=seg.music("qq", id=1))
    bot.post_group_file(123456, image="file:///tmp/a.png")
    forwarded: SentMessage = bot.send_group_forward_by_ids(123456, [sent["message_id"], "2"])
    print(cq.render(cq.parse("[CQ:at,qq=1] hi")), forwarded["message_id"])
    reply_to: list[Segment] = [seg.reply(sent["message_id"]), seg.reply(seq=42), seg.reply(id=1)]
    nodes: list[Segment] = [
        seg.node(12345),
        seg.node(content="hi", user_id=10001, nickname="Alice"),
    ]
    bot.send_group_forward_msg(123456, nodes)
    bot.send_group_msg(123456, [*reply_to, seg.music("custom", url="u", image="i")])
    bot.post_group_msg(123456, at=(10001, 10002), text=" hi")
    bot.send_group_msg(123456, "big file", send_timeout_ms=60_000, timeout=90)
    for segment in cq.parse("[CQ:image,file=a.png,sub_type=1] hi"):
        if segment["type"] == "image":
            sub_type: int | None = segment["data"].get("sub_type")
            print(sub_type)
    return sent["message_id"]


async def async_usage(bot: AsyncOneBot) -> str:
    info = await bot.get_login_info()
    await bot.send_group_msg(123456, [seg.text("hi "), seg.at("all")])
    friends = await bot.get_friend_list(no_cache=True)
    await bot.post_group_msg(123456, text="hi", rps=True)
    await bot.send_private_forward_by_ids(10001, (1, 2))
    return info["nickname"] + ", ".join(f["nickname"] for f in friends)
