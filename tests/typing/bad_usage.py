"""Mistakes the types must catch: each line with an error marker must be flagged, no other line."""

from __future__ import annotations

from onebot_client import OneBot, cq, seg


def mistakes(bot: OneBot) -> None:
    bot.send_grop_msg(123456, "hi")  # error: misspelled method
    bot.send_group_msg(1.5, "hi")  # error: an id is int or str, not float
    bot.send_group_msg(123456, "hi", True)  # error: optional params are keyword-only
    bot.send_group_msg(123456)  # error: required param missing
    bot.send_group_msg(123456, "hi", auto_escape="yes")  # error: wrong option type
    bot.get_login_info()["nickname"] + 1  # error: nickname is str
    bot.get_login_info()["no_such_key"]  # error: unknown result key
    bot.get_friend_list(cache=True)  # error: unknown keyword
    seg.at()  # error: required segment field missing
    bot.send_group_msg(123456, {"type": "text"})  # error: a segment needs its data
    bot.post_group_msg(123456, txt="hi")  # error: a sender has no such part
    bot.post_group_msg(123456, at=1.5)  # error: a part takes its field's type
    bot.post_group_msg(123456, music="qq")  # error: music takes a whole segment
    bot.post_group_file(123456, message="hi")  # error: a file sender takes no message
    bot.send_group_forward_by_ids(123456, [1.5])  # error: ids are int or str
    seg.reply()  # error: a reply needs id or seq
    seg.reply(seq="42")  # error: seq is an int
    seg.node(user_id=10001, nickname="Alice")  # error: a node needs id or content
    seg.music("custom", url="https://example.com")  # error: custom music needs url and image
    bot.post_group_msg(123456, at=[1.5])  # error: each at is int or str
    bot.send_group_msg(123456, "hi", timeout_=5000)  # error: NapCat's timeout is send_timeout_ms
    bot.send_group_msg(123456, "hi", send_timeout_ms="5000")  # error: milliseconds are an int
    cq.parse("[CQ:at,qq=1]")[0]["data"]["no_such_key"]  # error: not a field of any segment
