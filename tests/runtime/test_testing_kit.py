"""onebot_client.testing: the fake checks calls as NapCat would, answers every action with a value
valid for its type, scripts results, failures and delays, records calls and drives handlers with
injected events, in-process and over the wire."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, get_type_hints

import pytest
from onebot_client import (
    ActionFailed,
    AsyncOneBot,
    AuthError,
    BadRequest,
    Forbidden,
    OneBot,
    RequestTimeout,
    UnsupportedAction,
    models,
    plain_text,
)
from onebot_client._fake_values import Values
from onebot_client.events import GROUPS
from onebot_client.testing import ACTIONS, GROUP_ID, SELF_ID, USER_ID, Call, FakeOneBot

from tests.event_examples import example
from tests.typed_check import problems

KINDS = sorted(GROUPS)


@pytest.fixture
def kit() -> Iterator[FakeOneBot]:
    with FakeOneBot() as fake:
        yield fake


@pytest.fixture
def bot(kit: FakeOneBot) -> OneBot:
    return kit.client()


def returns(wire: str) -> Any:
    """The result annotation of an action's client method."""
    return get_type_hints(getattr(OneBot, ACTIONS[wire][0]), localns=vars(models))["return"]


def minimal_params(kit: FakeOneBot, wire: str) -> dict[str, Any]:
    """The plainest params the action's params type accepts (its required keys)."""
    params_class = ACTIONS[wire][1]
    return Values().of(getattr(models, params_class), {}) if params_class else {}


# -- faults ------------------------------------------------------------------------------------


def test_an_action_the_spec_lacks_is_1404(kit: FakeOneBot, bot: OneBot) -> None:
    with pytest.raises(UnsupportedAction) as caught:
        bot.call("send_group_msgs", {"group_id": 1})
    assert caught.value.retcode == 1404 and "send_group_msgs" in caught.value.message
    assert kit.history == [Call("send_group_msgs", {"group_id": 1}, 1404)]
    with pytest.raises(ValueError, match="did you mean 'send_group_msg'"):
        kit.calls("send_group_msgs")


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"group_id": 1, "message": "hi", "colour": "red"}, "unknown param 'colour'"),
        ({"message": "hi"}, "missing required param 'group_id'"),
        ({"group_id": True, "message": "hi"}, "param 'group_id': True is not int | str"),
        ({"group_id": 1.5, "message": "hi"}, "param 'group_id': 1.5 is not int | str"),
        (
            {"group_id": 1, "message": [{"type": "text", "data": {"text": 7}}]},
            "param 'message[0].data.text': 7 is not str",
        ),
        (
            {"group_id": 1, "message": [{"type": "at", "data": {}}]},
            "param 'message[0].data.qq': required by AtSegmentData, missing",
        ),
    ],
)
def test_params_that_do_not_fit_are_1400_naming_the_param(
    kit: FakeOneBot, bot: OneBot, params: dict[str, Any], says: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        bot.call("send_group_msg", params)
    assert caught.value.retcode == 1400
    assert caught.value.message == f"send_group_msg: {says}"
    assert kit.calls("send_group_msg") == []  # only calls that fit their type are listed
    assert [c.retcode for c in kit.history] == [1400]


def test_params_of_an_action_without_params(bot: OneBot) -> None:
    with pytest.raises(BadRequest, match="unknown param 'user_id'"):
        bot.call("get_login_info", {"user_id": 1})


def test_params_are_checked_as_json_carries_them(kit: FakeOneBot, bot: OneBot) -> None:
    bot.set_group_ban("123", 456, 60)
    assert kit.calls("set_group_ban") == [{"group_id": "123", "user_id": 456, "duration": 60}]
    with pytest.raises(TypeError):  # as the real transports: JSON cannot carry it
        bot.call("set_group_ban", {"group_id": 1, "user_id": object(), "duration": 1})


def test_scripted_failures(kit: FakeOneBot, bot: OneBot) -> None:
    kit.fail("set_group_ban", 1403, "no permission")
    with pytest.raises(Forbidden) as caught:
        bot.set_group_ban(1, 2, 600)
    assert (caught.value.retcode, caught.value.message) == (1403, "no permission")
    kit.fail("get_group_list", 100, "busy", times=2)
    for _ in range(2):
        with pytest.raises(ActionFailed, match="retcode 100"):
            bot.get_group_list()
    assert bot.get_group_list() == []
    assert [c.retcode for c in kit.history] == [1403, 100, 100, 0]
    assert len(kit.calls("set_group_ban")) == 1  # a failed call that fit its type is a call
    with pytest.raises(ValueError, match="retcode other than 0"):
        kit.fail("get_group_list", 0)
    with pytest.raises(ValueError, match="not an action of the spec"):
        kit.fail("get_group_lists", 100)


def test_delay_and_timeout_sync(kit: FakeOneBot, bot: OneBot) -> None:
    kit.delay("get_group_list", 0.5)
    started = time.monotonic()
    with pytest.raises(RequestTimeout, match="get_group_list: no reply within 0.05 s"):
        bot.get_group_list(timeout=0.05)
    assert 0.05 <= time.monotonic() - started < 0.45
    assert bot.get_group_list() == []  # within the client's 5 s
    assert time.monotonic() - started >= 0.55
    kit.delay("get_group_list", 0)
    assert bot.get_group_list(timeout=0.01) == []


def test_delay_and_timeout_async(kit: FakeOneBot) -> None:
    async def main() -> None:
        bot = kit.async_client(timeout=0.05)
        kit.delay("get_friend_list", 0.2)
        with pytest.raises(RequestTimeout):
            await bot.get_friend_list()
        # the other calls go on meanwhile
        slow = asyncio.create_task(bot.get_friend_list(timeout=1))
        assert await bot.get_login_info() == {"user_id": SELF_ID, "nickname": "fake bot"}
        assert not slow.done()
        assert await slow == []

    asyncio.run(main())


# -- results -----------------------------------------------------------------------------------


@pytest.mark.parametrize("wire", sorted(ACTIONS))
def test_the_default_result_of_every_action_fits_its_type(kit: FakeOneBot, wire: str) -> None:
    """Through the client, with the plainest params the action takes."""
    bot = kit.client()
    result = bot.call(wire, minimal_params(kit, wire))
    assert problems(result, returns(wire)) == []
    assert kit.history[-1].retcode == 0


def test_every_action_is_covered() -> None:
    client_methods = {name for name in dir(OneBot) if not name.startswith("_")}
    assert {method for method, _ in ACTIONS.values()} <= client_methods
    assert len(ACTIONS) >= 150


def test_default_results_are_plausible(bot: OneBot) -> None:
    assert bot.get_login_info() == {"user_id": SELF_ID, "nickname": "fake bot"}
    group = bot.get_group_info("123")  # the param's value, as the result's type has it
    assert group["group_id"] == 123
    member = bot.get_group_member_info(5, 6)
    assert (member["group_id"], member["user_id"]) == (5, 6)
    first, second = bot.send_private_msg(1, "a"), bot.send_private_msg(1, "b")
    assert first["message_id"] != second["message_id"]
    assert bot.get_status()["online"] is True


def test_scripted_results(kit: FakeOneBot, bot: OneBot) -> None:
    kit.on("get_group_list", [{"group_id": 1, "group_name": "a", "member_count": 2,
                               "max_member_count": 200}])  # fmt: skip
    assert bot.get_group_list()[0]["group_name"] == "a"
    bot.get_group_list()[0]["group_name"] = "changed"  # the bot gets a copy each time
    assert bot.get_group_list()[0]["group_name"] == "a"
    kit.on(
        "get_stranger_info",
        lambda p: {
            "user_id": int(p["user_id"]),
            "nickname": "n",
            "sex": "male",
            "age": 3,
            "qid": "",
        },
    )
    assert bot.get_stranger_info(77)["user_id"] == 77


def test_scripted_results_are_checked_against_the_type(kit: FakeOneBot, bot: OneBot) -> None:
    with pytest.raises(ValueError, match=r"result\.nickname: required by LoginInfo, missing"):
        kit.on("get_login_info", {"user_id": 1})  # type: ignore[arg-type]
    kit.on("get_login_info", lambda p: {"user_id": "1", "nickname": "n"})  # type: ignore
    with pytest.raises(TypeError, match=r"result\.user_id: '1' is not int"):
        bot.get_login_info()
    with pytest.raises(ValueError, match="add_action"):
        kit.on("my_extension", None)  # type: ignore[call-overload]


def test_actions_the_spec_lacks_can_be_taught(kit: FakeOneBot, bot: OneBot) -> None:
    kit.add_action("my_extension", lambda p: {"echo": p})
    assert bot.call("my_extension", {"anything": [1]}) == {"echo": {"anything": [1]}}
    assert kit.calls("my_extension") == [{"anything": [1]}]
    kit.reset()
    with pytest.raises(UnsupportedAction):
        bot.call("my_extension")
    assert kit.history == [Call("my_extension", {}, 1404)]


# -- events ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_injected_examples_reach_the_bot_as_sent(kit: FakeOneBot, bot: OneBot, kind: str) -> None:
    kit.inject(example(kind))
    assert list(bot.events()) == [example(kind)]


@pytest.mark.parametrize("kind", KINDS)
def test_built_events_are_valid_and_of_their_kind(kit: FakeOneBot, bot: OneBot, kind: str) -> None:
    event = kit.event(kind)
    assert problems(event, getattr(models, kind)) == []
    assert event["self_id"] == SELF_ID  # type: ignore[typeddict-item]
    kit.inject(event)  # checks the kind too
    (received,) = bot.events()
    assert received == event


def test_message_events() -> None:
    kit = FakeOneBot(self_id=42)
    group = kit.group_message("ping", group_id=7)
    assert (group["group_id"], group["user_id"], group["self_id"]) == (7, USER_ID, 42)
    assert group["sender"]["user_id"] == USER_ID and group["raw_message"] == "ping"
    private = kit.private_message([{"type": "at", "data": {"qq": 42}}], user_id=9)
    assert private["raw_message"] == "[CQ:at,qq=42]" and private["sender"]["user_id"] == 9
    assert kit.group_message("x")["message_id"] != kit.group_message("x")["message_id"]
    assert kit.group_message("x")["group_id"] == GROUP_ID


def test_events_that_do_not_fit_are_refused(kit: FakeOneBot, bot: OneBot) -> None:
    with pytest.raises(ValueError, match=r"event\.group_id: 'x' is not int"):
        kit.inject({**example("GroupMessageEvent"), "group_id": "x"})
    with pytest.raises(ValueError, match=r"event\.nope: not a key"):
        kit.event("GroupPokeNoticeEvent", nope=1)
    with pytest.raises(ValueError, match="not an event kind"):
        kit.event("PokeEvent")
    with pytest.raises(ValueError, match="post_type"):
        kit.inject({"retcode": 0})
    kit.inject({**example("GroupMessageEvent"), "group_id": "x"}, check=False)
    future = {"post_type": "notice", "notice_type": "future", "time": 1, "self_id": 2}
    kit.inject(future)  # a kind the spec lacks: the bot gets an UnknownEvent
    assert [e["post_type"] for e in bot.events()] == ["message", "unknown"]
    assert kit.injected[-1] == future


def test_a_handler_driven_end_to_end_sync(kit: FakeOneBot, bot: OneBot) -> None:
    @bot.on.group_message
    def ping(bot: OneBot, event: models.GroupMessageEvent) -> None:
        if plain_text(event) == "ping":
            bot.send_group_msg(event["group_id"], "pong")

    @bot.on.friend_request
    def approve(bot: OneBot, event: models.FriendRequestEvent) -> models.QuickOperation:
        return {"approve": True}

    kit.inject(kit.group_message("ping", group_id=5))
    kit.inject(kit.group_message("other", group_id=6))
    kit.inject(kit.event("FriendRequestEvent", flag="f1"))
    bot.run()  # returns once the injected events are handled
    assert kit.calls("send_group_msg") == [{"group_id": 5, "message": "pong"}]
    (quick,) = kit.calls(".handle_quick_operation")
    assert quick["operation"] == {"approve": True} and quick["context"]["flag"] == "f1"


def test_a_handler_driven_end_to_end_async(kit: FakeOneBot) -> None:
    bot = kit.async_client()

    @bot.on.message
    async def ping(bot: AsyncOneBot, event: models.MessageEvent) -> None:
        if plain_text(event) == "ping":
            await bot.reply(event, "pong", quote=True)

    async def main() -> None:
        kit.inject(kit.private_message("ping", user_id=8))
        await bot.run()

    asyncio.run(main())
    (sent,) = kit.calls("send_msg")
    assert sent["message_type"] == "private" and sent["user_id"] == 8
    assert [s["type"] for s in sent["message"]] == ["reply", "text"]  # type: ignore[union-attr]


def test_events_wait_for_more_when_told_to() -> None:
    kit = FakeOneBot(stop_when_idle=False)
    bot = kit.client()
    seen: list[str] = []
    bot.on.message(lambda bot, event: seen.append(plain_text(event)))  # type: ignore
    runner = threading.Thread(target=bot.run)
    runner.start()
    kit.inject(kit.private_message("one"))
    kit.wait_until(lambda: seen == ["one"])
    kit.inject(kit.private_message("two"))
    kit.wait_until(lambda: seen == ["one", "two"])
    assert runner.is_alive()
    bot.close()  # ends run()
    runner.join(5)
    assert not runner.is_alive()


# -- over the wire -----------------------------------------------------------------------------

TOKEN = "kit-token"


@pytest.mark.parametrize("kind", ["sync-http", "sync-ws"])
def test_wire_sync(kit: FakeOneBot, kind: str) -> None:
    server = kit.serve(access_token=TOKEN)
    connect = OneBot.websocket if kind == "sync-ws" else OneBot
    url = server.ws_url if kind == "sync-ws" else server.http_url
    with connect(url, access_token=TOKEN, timeout=5) as bot:
        assert bot.get_login_info()["user_id"] == SELF_ID
        with pytest.raises(UnsupportedAction):
            bot.call("nope")
        with pytest.raises(BadRequest, match="missing required param 'user_id'"):
            bot.call("set_group_ban", {"group_id": 1})
        kit.delay("get_group_list", 0.5)
        with pytest.raises(RequestTimeout):
            bot.get_group_list(timeout=0.05)
    with pytest.raises(AuthError), connect(url, access_token="wrong") as refused:
        refused.get_login_info()
    assert [(c.action, c.retcode) for c in kit.history] == [
        ("get_login_info", 0),
        ("nope", 1404),
        ("set_group_ban", 1400),
        ("get_group_list", 0),
    ]


def test_wire_websocket_events_sync(kit: FakeOneBot) -> None:
    server = kit.serve()
    with OneBot.websocket(server.ws_url, timeout=5) as bot:

        @bot.on.group_message
        def ping(bot: OneBot, event: models.GroupMessageEvent) -> None:
            bot.reply(event, "pong")

        runner = threading.Thread(target=bot.run)
        runner.start()
        kit.inject(kit.group_message("ping", group_id=11))
        kit.wait_until(lambda: kit.calls("send_msg"))
    runner.join(5)
    (sent,) = kit.calls("send_msg")
    assert (sent["group_id"], sent["message"]) == (11, [{"type": "text", "data": {"text": "pong"}}])


def test_wire_async(kit: FakeOneBot) -> None:
    server = kit.serve()

    async def main() -> None:
        async with AsyncOneBot(server.http_url, timeout=5) as http:
            assert (await http.get_group_info(3))["group_id"] == 3
        async with AsyncOneBot.websocket(server.ws_url, timeout=5) as bot:

            @bot.on.private_message
            async def ping(bot: AsyncOneBot, event: models.PrivateMessageEvent) -> None:
                await bot.send_private_msg(event["user_id"], "pong")

            runner = asyncio.create_task(bot.run())
            kit.inject(kit.private_message("ping", user_id=4))
            await kit.wait_until_async(lambda: kit.calls("send_private_msg"))
        await runner

    asyncio.run(main())
    assert kit.calls("send_private_msg") == [{"user_id": 4, "message": "pong"}]


def test_wire_script_errors_reach_the_test() -> None:
    kit = FakeOneBot()
    server = kit.serve()
    kit.on("get_login_info", lambda p: 1 / 0)  # type: ignore
    with pytest.raises(ActionFailed, match="retcode 1200"):
        OneBot(server.http_url).get_login_info()
    with pytest.raises(ZeroDivisionError):
        kit.close()


# -- the package -------------------------------------------------------------------------------


def test_the_kit_is_imported_only_when_used() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    code = (
        "import sys, onebot_client; a = 'onebot_client.testing' in sys.modules; "
        "import onebot_client.testing; "
        "print(a, sorted(m for m in ('aiohttp', 'websockets') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.split("\n")[0] == "False []"


# -- what a hostile or careless test gives the kit -------------------------------------------


@pytest.mark.parametrize("group_id", ["²", "9" * 5000, "12a", "", -(10**30)])
def test_an_id_that_is_no_number_is_1400(kit: FakeOneBot, bot: OneBot, group_id: Any) -> None:
    with pytest.raises(BadRequest, match="param 'group_id': .* is not a number") as caught:
        bot.get_group_info(group_id)
    assert len(str(caught.value)) < 300
    assert bot.get_group_info("123")["group_id"] == 123  # digits are an id


@pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf"), "1"])
def test_a_delay_that_is_no_wait_is_refused_at_once(kit: FakeOneBot, seconds: Any) -> None:
    with pytest.raises(ValueError, match="is not a number of seconds"):
        kit.delay("get_status", seconds)
    assert kit.client().get_status()  # nothing was scripted


@pytest.mark.parametrize("kind", ["__class__", "Event", "MessageEvent", "Segment", "LoginInfo"])
def test_a_kind_that_is_no_event_is_refused(kit: FakeOneBot, kind: str) -> None:
    with pytest.raises(ValueError, match="is not an event kind of the spec"):
        kit.event(kind)


def test_the_served_fake_answers_json_nested_too_deep_with_400(kit: FakeOneBot) -> None:
    import json
    import urllib.error
    import urllib.request

    server = kit.serve()
    request = urllib.request.Request(
        f"{server.http_url}/get_status", data=b"[" * 100_000, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 400
    with OneBot.websocket(server.ws_url, timeout=5) as bot:  # and over WebSocket: 1400
        socket_transport: Any = bot._socket_transport
        link = socket_transport.connect(5)
        link.send("[" * 100_000)
        assert bot.get_status()  # the connection goes on
    assert json.loads(json.dumps(kit.history[-1].action)) == "get_status"


# -- a handler that fails, fails its test ----------------------------------------------------


def test_a_handler_that_raises_fails_run_sync() -> None:
    with pytest.raises(KeyError, match="group_id"):
        with FakeOneBot() as kit:
            bot = kit.client()
            handled: list[str] = []

            @bot.on.message
            def broken(bot: OneBot, event: models.MessageEvent) -> None:
                handled.append(plain_text(event))
                raise KeyError("group_id")

            kit.inject(kit.private_message("one"))
            kit.inject(kit.private_message("two"))
            try:
                bot.run()
            finally:
                assert handled == ["one", "two"]  # the events went on; then run() raised


def test_a_handler_that_raises_fails_run_async() -> None:
    async def main(kit: FakeOneBot) -> None:
        bot = kit.async_client()

        @bot.on.message
        async def broken(bot: AsyncOneBot, event: models.MessageEvent) -> None:
            await asyncio.sleep(0.01)  # still running when the events have all been taken
            raise ValueError("handler bug")

        kit.inject(kit.group_message("hi"))
        await bot.run()

    with FakeOneBot() as kit, pytest.raises(ValueError, match="handler bug"):
        asyncio.run(main(kit))


def test_a_handler_failure_read_through_events_fails_at_close() -> None:
    kit = FakeOneBot()
    bot = kit.client()

    @bot.on.message
    def broken(bot: OneBot, event: models.MessageEvent) -> None:
        raise RuntimeError("late")

    kit.inject(kit.private_message("x"))
    for event in bot.events():
        bot.on.dispatch(bot, event)
    with pytest.raises(RuntimeError, match="late"):
        kit.close()


def test_handler_failures_can_be_only_logged(caplog: pytest.LogCaptureFixture) -> None:
    with FakeOneBot(raise_handler_errors=False) as kit:
        bot = kit.client()

        @bot.on.message
        def broken(bot: OneBot, event: models.MessageEvent) -> None:
            raise RuntimeError("only logged")

        kit.inject(kit.private_message("x"))
        bot.run()
    assert "the handler" in caplog.text and "only logged" in caplog.text


def test_sent_reads_what_the_bot_sent_whichever_way(kit: FakeOneBot, bot: OneBot) -> None:
    from onebot_client import seg

    @bot.on.message
    def answer(bot: OneBot, event: models.MessageEvent) -> None:
        bot.reply(event, "pong")  # send_msg
        bot.send_group_msg(5, [seg.text("a"), seg.at(1), seg.text("b")])
        bot.send_private_msg(7, "x[CQ:face,id=1]y")
        bot.send_private_msg(7, "[raw]", auto_escape=True)

    kit.inject(kit.group_message("ping", group_id=123))
    bot.run()
    assert kit.sent() == ["pong", "ab", "xy", "[raw]"]
    assert kit.sent(group_id=123) == ["pong"] and kit.sent(user_id="7") == ["xy", "[raw]"]


# -- the kit in each of NapCat's network modes -----------------------------------------------


def test_the_served_kit_streams_events_over_sse(kit: FakeOneBot) -> None:
    server = kit.serve(access_token="token")
    with OneBot(server.http_url, access_token="token", timeout=5) as bot:
        kit.inject(kit.group_message("over sse", group_id=9))
        event = next(bot.events())
        assert event["post_type"] == "message" and plain_text(event) == "over sse"


def test_closing_the_served_kit_ends_an_event_stream_left_open() -> None:
    """A bot that stopped reading (``next(bot.events())`` and gone) leaves a stream the server
    notices only on a write: ``close()`` ends it instead of waiting for aiohttp's 60 s."""
    kit = FakeOneBot()
    server = kit.serve()
    with OneBot(server.http_url, timeout=5) as bot:
        kit.inject(kit.group_message("once"))
        events = bot.events()
        assert plain_text(next(events)) == "once"
    started = time.monotonic()
    kit.close()
    assert time.monotonic() - started < 10
    events.close()


def test_a_refused_reverse_connection_is_raised_by_connected(kit: FakeOneBot) -> None:
    from onebot_client import ReverseWebSocketServer

    async def main() -> None:
        async with ReverseWebSocketServer(port=0, access_token="token") as server:
            napcat = kit.connect_reverse(server.url, access_token="wrong", self_id=42)
            with pytest.raises(ConnectionError, match="403"):
                await kit.wait_until_async(lambda: napcat.connected)

    asyncio.run(main())


def test_the_reverse_kit_connects_as_the_account_it_is_told(kit: FakeOneBot) -> None:
    from onebot_client import ReverseWebSocketServer

    async def main() -> list[int]:
        async with ReverseWebSocketServer(port=0) as server:
            napcat = kit.connect_reverse(server.url, self_id=777)
            await kit.wait_until_async(lambda: napcat.connected)
            bot, lifecycle = await anext(server.events())
            assert lifecycle["post_type"] == "meta_event"
            assert (await bot.get_login_info())["user_id"] == SELF_ID  # answered by the fake
            return list(server.bots)

    assert asyncio.run(main()) == [777]


def test_a_post_the_bot_refuses_fails_at_close() -> None:
    from onebot_client import HttpPostServer

    kit = FakeOneBot()

    async def main() -> None:
        async with HttpPostServer(port=0, secret="right") as server:
            kit.post_events(server.url, secret="wrong")
            kit.inject(kit.group_message("x"))
            await kit.wait_until_async(lambda: bool(kit._errors))

    asyncio.run(main())
    with pytest.raises(ConnectionError, match="HTTP 403"):
        kit.close()
