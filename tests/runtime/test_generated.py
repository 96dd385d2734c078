"""The generated client on the wire: a sample of methods of every shape, and the convenience
senders, through both clients and both transports."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from onebot_client import AsyncOneBot, OneBot, seg
from tests.onebot_server import OneBotServer

from .conftest import KINDS, Driver

GENERATED = (OneBot, AsyncOneBot)
GROUPS = [{"group_id": 1, "group_name": "群"}]

# (a call, the action it sends, its params exactly)
CALLS: list[tuple[Callable[[Any], Any], str, dict[str, Any]]] = [
    # no params
    (lambda b: b.get_login_info(), "get_login_info", {}),
    # required id and message, an option given
    (
        lambda b: b.send_group_msg(123, [seg.text("hi "), seg.at(456)], auto_escape=False),
        "send_group_msg",
        {
            "group_id": 123,
            "message": [
                {"type": "text", "data": {"text": "hi "}},
                {"type": "at", "data": {"qq": 456}},
            ],
            "auto_escape": False,
        },
    ),
    # a string id; options not given are not sent
    (lambda b: b.get_stranger_info("10001"), "get_stranger_info", {"user_id": "10001"}),
    # a wire name that is not snake_case
    (lambda b: b.set_self_longnick("签名"), "set_self_longnick", {"longNick": "签名"}),
    # a param named like a keyword, and an enum
    (
        lambda b: b.get_group_honor_info(5, type_="talkative"),
        "get_group_honor_info",
        {"group_id": 5, "type": "talkative"},
    ),
    # options only
    (lambda b: b.get_group_list(no_cache=True), "get_group_list", {"no_cache": True}),
    # senders: the parts in the spec's order, then the message
    (
        lambda b: b.post_group_msg(7, text="hi", at=8, reply=9, dice=True),
        "send_group_msg",
        {
            "group_id": 7,
            "message": [
                {"type": "reply", "data": {"id": 9}},
                {"type": "at", "data": {"qq": 8}},
                {"type": "text", "data": {"text": "hi"}},
                {"type": "dice", "data": {}},
            ],
        },
    ),
    (
        lambda b: b.post_group_msg(7, message="[CQ:face,id=1]"),
        "send_group_msg",
        {"group_id": 7, "message": "[CQ:face,id=1]"},
    ),
    (
        lambda b: b.post_private_msg(
            "8", face=14, music=seg.music("qq", id=1), message=[seg.text("!")]
        ),
        "send_private_msg",
        {
            "user_id": "8",
            "message": [
                {"type": "face", "data": {"id": 14}},
                {"type": "music", "data": {"type": "qq", "id": 1}},
                {"type": "text", "data": {"text": "!"}},
            ],
        },
    ),
    (
        lambda b: b.post_group_msg(7, at="all", message="plain [text]"),
        "send_group_msg",
        {
            "group_id": 7,
            "message": [
                {"type": "at", "data": {"qq": "all"}},
                {"type": "text", "data": {"text": "plain [text]"}},
            ],
        },
    ),
    (
        lambda b: b.post_private_file(8, video="file:///tmp/a.mp4"),
        "send_private_msg",
        {"user_id": 8, "message": [{"type": "video", "data": {"file": "file:///tmp/a.mp4"}}]},
    ),
    (
        lambda b: b.send_group_forward_by_ids(7, [101, "102"]),
        "send_group_forward_msg",
        {
            "group_id": 7,
            "messages": [
                {"type": "node", "data": {"id": 101}},
                {"type": "node", "data": {"id": "102"}},
            ],
        },
    ),
]


@pytest.mark.parametrize("kind", KINDS)
def test_generated_methods_on_the_wire(
    kind: str, server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    server.on("get_login_info", {"user_id": 1, "nickname": "me"})
    server.on("get_group_list", GROUPS)
    server.on("send_group_msg", {"message_id": 3})
    bot = connect(kind, GENERATED)
    results = [bot(call) for call, _, _ in CALLS]
    assert [(r.action, r.params) for r in server.requests] == [
        (action, params) for _, action, params in CALLS
    ]
    assert results[0] == {"user_id": 1, "nickname": "me"}
    assert results[1] == {"message_id": 3}
    assert results[5] == GROUPS


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda b: b.post_group_msg(7), "post_group_msg() has nothing to send"),
        (lambda b: b.post_group_msg(7, dice=False), "post_group_msg() has nothing to send"),
        (lambda b: b.post_group_file(7), "takes exactly one of image, record, video, file; got 0"),
        (
            lambda b: b.post_group_file(7, image="a", file="b"),
            "takes exactly one of image, record, video, file; got 2",
        ),
        (lambda b: b.send_group_forward_by_ids(7, []), "needs a non-empty list of message ids"),
        (lambda b: b.send_group_forward_by_ids(7, "123"), "needs a non-empty list of message ids"),
    ],
)
def test_senders_refuse_bad_arguments_before_sending(
    call: Callable[[Any], Any], says: str, server: OneBotServer, connect: Callable[..., Driver]
) -> None:
    for kind in ("sync-http", "async-ws"):
        with pytest.raises(TypeError, match=re.escape(says)):
            connect(kind, GENERATED)(call)
    assert server.requests == []
