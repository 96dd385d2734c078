"""Typed events: every kind's example payload fits its TypedDict and is told apart as that kind;
unknown kinds and non-events are handled; handlers are dispatched by kind, group and for all."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from onebot_client import mentioned, models, plain_text
from onebot_client._events import kind_of, reply_params
from onebot_client.events import GROUPS, SELECTOR, AsyncHandlers, Handlers, parse

from tests.event_examples import EXAMPLES, example
from tests.typed_check import problems

KINDS = sorted(GROUPS)


def test_every_kind_has_an_example_and_every_example_a_kind() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.json")) == KINDS
    assert len(KINDS) >= 30


@pytest.mark.parametrize("kind", KINDS)
def test_example_fits_its_typeddict(kind: str) -> None:
    assert problems(example(kind), getattr(models, kind)) == []


@pytest.mark.parametrize("kind", KINDS)
def test_example_is_told_apart_as_its_kind(kind: str) -> None:
    payload = example(kind)
    assert kind_of(SELECTOR, payload) == kind
    assert parse(payload) is payload  # delivered as it came


@pytest.mark.parametrize("kind", KINDS)
def test_example_fits_no_other_kind(kind: str) -> None:
    others = [k for k in KINDS if k != kind and not problems(example(kind), getattr(models, k))]
    assert others == []


def test_the_validator_is_strict() -> None:
    payload = example("GroupMessageEvent")
    del payload["sender"]
    payload["group_id"] = True
    payload["extra"] = 1
    assert problems(payload, models.GroupMessageEvent) == [
        "$.extra: not a key of GroupMessageEvent",
        "$.group_id: True is not int",
        "$.sender: required by GroupMessageEvent, missing",
    ]


def test_a_kind_the_spec_lacks_is_an_unknown_event() -> None:
    future = {"post_type": "notice", "notice_type": "group_future", "time": 1, "self_id": 2}
    assert parse(future) == {"post_type": "unknown", "event": future}
    new_sub_type = {**example("GroupBanNoticeEvent"), "sub_type": "partial"}
    assert parse(new_sub_type) == {"post_type": "unknown", "event": new_sub_type}
    assert problems(parse(future), models.UnknownEvent) == []


@pytest.mark.parametrize(
    "frame",
    [
        {"status": "ok", "retcode": 0, "data": None},  # a reply without echo
        {"type": "stream", "data_type": "file_chunk"},  # a stream frame
        {"post_type": 3},
        ["post_type"],
        "not json",
        None,
    ],
)
def test_a_frame_that_is_not_an_event_is_none(frame: Any) -> None:
    assert parse(frame) is None


def test_poke_in_group_and_in_private_are_told_apart_by_group_id() -> None:
    group = example("GroupPokeNoticeEvent")
    private = {k: v for k, v in group.items() if k != "group_id"}
    assert kind_of(SELECTOR, group) == "GroupPokeNoticeEvent"
    assert kind_of(SELECTOR, private) == "FriendPokeNoticeEvent"


@pytest.mark.parametrize("kind", KINDS)
def test_example_still_fits_its_typeddict_once_parsed(kind: str) -> None:
    # a bot_offline notice's "message" is plain text, not a message to parse
    assert problems(parse(example(kind)), getattr(models, kind)) == []


def test_a_cq_string_message_arrives_as_segments() -> None:
    payload = {**example("GroupMessageEvent"), "message": "hi [CQ:at,qq=10001]"}
    event = parse(payload)
    assert event is not None and event["post_type"] == "message"
    assert event["message"] == [
        {"type": "text", "data": {"text": "hi "}},
        {"type": "at", "data": {"qq": "10001"}},
    ]


def test_a_face_from_a_cq_string_leaves_out_what_napcat_could_not_write() -> None:
    """Under messagePostFormat string NapCat writes a face's raw object as JavaScript's
    "[object Object]" (escaped): the segment comes without it, and fits its type."""
    text = "[CQ:face,id=14,raw=&#91;object Object&#93;,chainCount=2]"
    event = parse({**example("GroupMessageEvent"), "message": text, "raw_message": text})
    assert event is not None and event["post_type"] == "message"
    assert event["message"] == [{"type": "face", "data": {"id": "14", "chainCount": 2}}]
    assert problems(event, models.GroupMessageEvent) == []


def test_plain_text_and_mentioned() -> None:
    event = example("GroupMessageEvent")
    event["self_id"] = 10001
    event["message"] = [
        {"type": "at", "data": {"qq": "10001"}},
        {"type": "text", "data": {"text": " ping"}},
        {"type": "face", "data": {"id": "1"}},
        {"type": "text", "data": {"text": "!"}},
    ]
    assert plain_text(event) == " ping!"
    assert mentioned(event)
    event["message"] = [{"type": "at", "data": {"qq": "all"}}]
    assert not mentioned(event)
    assert plain_text(example("GroupBanNoticeEvent")) == ""


def test_reply_params_answer_where_the_message_came_from() -> None:
    group, private = example("GroupMessageEvent"), example("PrivateMessageEvent")
    assert reply_params(group, "pong", quote=False) == {
        "message_type": "group",
        "group_id": group["group_id"],
        "message": [{"type": "text", "data": {"text": "pong"}}],
    }
    assert reply_params(private, {"type": "face", "data": {"id": "1"}}, quote=True) == {
        "message_type": "private",
        "user_id": private["user_id"],
        "message": [
            {"type": "reply", "data": {"id": str(private["message_id"])}},
            {"type": "face", "data": {"id": "1"}},
        ],
    }
    with pytest.raises(ValueError, match="reply\\(\\) answers message events, not a notice"):
        reply_params(example("GroupBanNoticeEvent"), "x", quote=False)
    sent = example("PrivateMessageSentEvent")  # from the bot itself: answered where it went
    assert sent["user_id"] != sent["target_id"]
    assert reply_params(sent, "again", quote=False)["user_id"] == sent["target_id"]
    del sent["target_id"]
    with pytest.raises(ValueError, match="private message event has no target_id"):
        reply_params(sent, "again", quote=False)


def test_handlers_run_by_kind_then_group_then_for_every_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    on = Handlers()
    seen: list[str] = []

    def record(name: str, result: Any = None) -> Any:
        def handler(bot: Any, event: Any) -> Any:
            seen.append(name)
            return result

        return handler

    def broken(bot: Any, event: Any) -> None:
        raise RuntimeError("boom")

    on.event(record("every", {"delete": True}))
    on.message(record("message", {"reply": "b"}))
    on.group_message(record("group", {"reply": "a", "at_sender": False}))
    on.group_message(broken)
    on.private_message(record("private"))
    on.unknown(record("unknown"))
    with caplog.at_level(logging.ERROR, logger="onebot_client"):
        operation = on.dispatch(None, example("GroupMessageEvent"))
    assert seen == ["group", "message", "every"]
    assert operation == {"reply": "b", "at_sender": False, "delete": True}
    assert ".<locals>.broken failed" in caplog.text
    seen.clear()
    unknown = parse({"post_type": "notice", "notice_type": "x"})
    assert unknown is not None
    assert on.dispatch(None, unknown) == {"delete": True}
    assert seen == ["unknown", "every"]


def test_async_handlers() -> None:
    on = AsyncHandlers()
    seen: list[Any] = []

    @on.friend_request
    async def approve(bot: Any, event: models.FriendRequestEvent) -> models.QuickOperation:
        seen.append((bot, event["flag"]))
        return {"approve": True}

    event = example("FriendRequestEvent")
    assert asyncio.run(on.dispatch("bot", event)) == {"approve": True}
    assert seen == [("bot", event["flag"])]


def test_a_handler_must_return_a_dict_or_none(caplog: pytest.LogCaptureFixture) -> None:
    on = Handlers()
    on.event(lambda bot, event: "pong")
    with caplog.at_level(logging.ERROR, logger="onebot_client"):
        assert on.dispatch(None, example("HeartbeatMetaEvent")) is None
    assert "a handler returned str; return a dict or None" in caplog.text
