"""The reverse WebSocket server against NapCat's reverse WebSocket client (tests/napcat_peer.py):
its handshake checked (token, path, account), events typed with the account's client, calls
back over each account's own connection, a drop failing calls at once, a reconnection picked
up, handlers and quick operations."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from onebot_client import AsyncOneBot, NetworkError, ReverseWebSocketServer
from tests.napcat_peer import ReverseAccount, lifecycle

from .conftest import TOKEN
from .test_events import example

Test = Callable[[ReverseWebSocketServer], Awaitable[None]]


def run(test: Test, **options: Any) -> None:
    """Run ``test`` with a started server on a free port."""

    async def main() -> None:
        options.setdefault("access_token", TOKEN)
        async with ReverseWebSocketServer(port=0, timeout=5, **options) as server:
            await asyncio.wait_for(test(server), 10)

    asyncio.run(main())


async def take(server: ReverseWebSocketServer, count: int) -> list[tuple[AsyncOneBot, Any]]:
    pairs = []
    async with contextlib.aclosing(server.events()) as events:
        async for pair in events:
            pairs.append(pair)
            if len(pairs) == count:
                break
    return pairs


async def until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.005)


def test_napcat_connects_events_come_with_its_client_and_calls_go_back() -> None:
    async def test(server: ReverseWebSocketServer) -> None:
        assert server.url == f"ws://127.0.0.1:{server.port}/onebot/v11/ws"
        napcat = ReverseAccount(server.url, 10001, TOKEN)
        await napcat.connect()
        await napcat.send(example("GroupMessageEvent"))
        (bot, connected), (same, message) = await take(server, 2)
        assert server.bots == {10001: bot} and same is bot
        assert connected == lifecycle(10001)
        assert message == example("GroupMessageEvent")
        assert await bot.get_login_info() == {
            "self_id": 10001,
            "action": "get_login_info",
            "params": {},
        }
        assert [c["action"] for c in napcat.calls] == ["get_login_info"]
        assert "reverse WebSocket from 127.0.0.1:" in repr(bot) and TOKEN not in repr(bot)
        await napcat.close()

    run(test)


@pytest.mark.parametrize(
    ("headers", "query", "status"),
    [
        ({"Authorization": "Bearer "}, "", 401),  # NapCat without a token
        ({"Authorization": "Bearer wrong"}, "", 403),
        ({"Authorization": "Bearer "}, "?access_token=wrong", 403),
        ({"Authorization": "Bearer ", "X-Self-ID": ""}, f"?access_token={TOKEN}", 400),
        ({"x-client-role": "Observer"}, "", 400),
        ({"X-Self-ID": "²"}, "", 400),  # str.isdigit() takes it
        ({"X-Self-ID": "9" * 5000}, "", 400),
        ({"X-Self-ID": "9" * 21}, "", 400),
        ({"X-Self-ID": "-1"}, "", 400),
    ],
)
def test_a_refused_handshake_delivers_nothing(
    headers: dict[str, str], query: str, status: int
) -> None:
    async def test(server: ReverseWebSocketServer) -> None:
        napcat = ReverseAccount(server.url, 10001, TOKEN)
        with pytest.raises(InvalidStatus) as refused:
            await napcat.connect(server.url + query, **headers)
        assert refused.value.response.status_code == status
        with pytest.raises(InvalidStatus, match="HTTP 404"):
            await napcat.connect(server.url.replace("/onebot/v11/ws", "/other"))
        await napcat.connect(server.url)  # the next one, as NapCat sends it, is delivered
        ((bot, event),) = await take(server, 1)
        assert event == lifecycle(10001) and list(server.bots) == [10001]
        await napcat.close()

    run(test)


def test_the_token_in_the_query_and_no_token_at_all() -> None:
    async def test(server: ReverseWebSocketServer) -> None:
        napcat = ReverseAccount(server.url, 10001)
        await napcat.connect(f"{server.url}?access_token={TOKEN}")
        assert [e for _, e in await take(server, 1)] == [lifecycle(10001)]
        await napcat.close()

    run(test)

    async def open_server(server: ReverseWebSocketServer) -> None:
        napcat = ReverseAccount(server.url, 10001, "anything")
        await napcat.connect()
        await take(server, 1)
        await napcat.close()

    run(open_server, access_token=None)


def test_two_accounts_each_answered_over_its_own_connection() -> None:
    async def test(server: ReverseWebSocketServer) -> None:
        first, second = ReverseAccount(server.url, 111, TOKEN), ReverseAccount(
            server.url, 222, TOKEN
        )
        await first.connect()
        await second.connect()
        await first.send(example("PrivateMessageEvent"))
        await second.send(example("GroupMessageEvent"))
        pairs = await take(server, 4)
        by_account = {e["self_id"] if e["post_type"] == "meta_event" else None: b for b, e in pairs}
        assert by_account[111] is server.bots[111] and by_account[222] is server.bots[222]
        assert server.bots[111] is not server.bots[222]
        sources = {e["post_type"]: b for b, e in pairs if e["post_type"] == "message"}
        assert len(sources) == 1
        results = await asyncio.gather(
            *(
                server.bots[account].call("get_status", {"n": n})
                for n in range(20)
                for account in (111, 222)
            )
        )
        assert [r["self_id"] for r in results] == [111, 222] * 20
        assert [r["params"]["n"] for r in results] == [n for n in range(20) for _ in (111, 222)]
        assert len(first.calls) == len(second.calls) == 20
        await first.close()
        await second.close()

    run(test)


def test_events_come_in_order_with_their_account() -> None:
    async def test(server: ReverseWebSocketServer) -> None:
        first, second = ReverseAccount(server.url, 111, TOKEN), ReverseAccount(
            server.url, 222, TOKEN
        )
        await first.connect()
        await second.connect()
        for n in range(10):
            await first.send({**example("PrivateMessageEvent"), "self_id": 111, "message_id": n})
            await second.send({**example("PrivateMessageEvent"), "self_id": 222, "message_id": n})
        pairs = [p for p in await take(server, 22) if p[1]["post_type"] == "message"]
        for account in (111, 222):
            mine = [e for b, e in pairs if b is server.bots[account]]
            assert [e["self_id"] for e in mine] == [account] * 10
            assert [e["message_id"] for e in mine] == list(range(10))
        await first.close()
        await second.close()

    run(test)


def test_unknown_kinds_come_as_unknown_events_and_non_events_not_at_all() -> None:
    async def test(server: ReverseWebSocketServer) -> None:
        napcat = ReverseAccount(server.url, 10001, TOKEN)
        await napcat.connect()
        future = {"post_type": "notice", "notice_type": "future", "self_id": 10001}
        await napcat.send_raw('{"status": "ok", "retcode": 0, "data": null}')  # no echo
        await napcat.send_raw('{"echo": "nobody-waits", "status": "ok", "retcode": 0}')
        await napcat.send(future)
        events = [e for _, e in await take(server, 2)]
        assert events == [lifecycle(10001), {"post_type": "unknown", "event": future}]
        await napcat.close()

    run(test)


def test_a_dropped_connection_fails_its_pending_calls_at_once() -> None:
    async def test(server: ReverseWebSocketServer) -> None:
        napcat = ReverseAccount(server.url, 10001, TOKEN)
        napcat.hang.add("slow")
        await napcat.connect()
        ((bot, _),) = await take(server, 1)
        pending = asyncio.create_task(bot.call("slow", timeout=30))
        await until(lambda: bool(napcat.calls))
        started = time.monotonic()
        napcat.drop()
        with pytest.raises(NetworkError, match="slow: .*NapCat 10001"):
            await pending
        assert time.monotonic() - started < 1
        with pytest.raises(NetworkError, match="NapCat 10001 has no connection for calls open"):
            await bot.call("get_status")

    run(test)


def test_a_reconnecting_account_is_picked_up_again() -> None:
    async def test(server: ReverseWebSocketServer) -> None:
        napcat = ReverseAccount(server.url, 10001, TOKEN)
        await napcat.connect()
        ((bot, _),) = await take(server, 1)
        napcat.drop()
        await until(
            lambda: bot._socket_transport is not None and bot._socket_transport._link is None
        )
        await napcat.connect()  # NapCat, reconnectInterval later
        await napcat.send(example("FriendRequestEvent"))
        pairs = await take(server, 2)
        assert [b for b, _ in pairs] == [bot, bot] and server.bots == {10001: bot}
        assert (await bot.call("get_status"))["action"] == "get_status"
        # a second connection of the same account replaces the first
        replacement = ReverseAccount(server.url, 10001, TOKEN)
        await replacement.connect()
        await take(server, 1)
        assert (await bot.call("get_status"))["self_id"] == 10001
        assert [c["action"] for c in replacement.calls] == ["get_status"]
        await replacement.close()
        await napcat.close()

    run(test)


def test_an_account_with_an_api_and_an_event_connection_is_served_over_both() -> None:
    async def test(server: ReverseWebSocketServer) -> None:
        events = ReverseAccount(server.url, 10001, TOKEN, role="Event")
        await events.connect()
        ((bot, connected),) = await take(server, 1)
        assert connected == lifecycle(10001) and server.bots == {10001: bot}
        with pytest.raises(NetworkError, match="NapCat 10001 has no connection for calls open"):
            await bot.call("get_status")  # the Event connection carries no calls
        api = ReverseAccount(server.url, 10001, TOKEN, role="API")
        await api.connect()
        await events.send(example("GroupMessageEvent"))
        pairs = await take(server, 2)  # the API connection's lifecycle event, and the message
        assert [b for b, _ in pairs] == [bot, bot] and server.bots == {10001: bot}
        assert example("GroupMessageEvent") in [e for _, e in pairs]
        assert (await bot.call("get_status"))["action"] == "get_status"
        assert [c["action"] for c in api.calls] == ["get_status"] and events.calls == []
        # the Event connection comes back after a drop, and its events come with the same client
        events.drop()
        await events.connect()
        assert await take(server, 1) == [(bot, lifecycle(10001))]
        assert (await bot.call("get_status"))["self_id"] == 10001
        await events.close()
        await api.close()

    run(test)


def test_the_token_is_in_no_log_of_the_server(debug_logs: list[str]) -> None:
    async def test(server: ReverseWebSocketServer) -> None:
        header = ReverseAccount(server.url, 10001, TOKEN)
        await header.connect()
        query = ReverseAccount(server.url, 10002)
        await query.connect(f"{server.url}?access_token={TOKEN}")
        with pytest.raises(InvalidStatus, match="HTTP 403"):
            await ReverseAccount(server.url, 10003, TOKEN + "-wrong").connect()
        await take(server, 2)
        stray = {"status": "failed", "retcode": 100, "message": f"stray {TOKEN}"}
        await header.send(stray)  # logged by the account's client as a failure outside any call
        await until(lambda: any("neither a reply (no echo) nor an event" in t for t in debug_logs))
        await header.close()
        await query.close()

    run(test)
    assert any(text.startswith("websockets.server DEBUG < GET") for text in debug_logs)
    ours = [text for text in debug_logs if not text.startswith("napcat.peer ")]
    assert [text for text in ours if TOKEN in text] == []


def test_run_hands_events_to_handlers_and_quick_operations_go_back() -> None:
    async def main() -> None:
        server = ReverseWebSocketServer(port=0, access_token=TOKEN)
        seen: list[tuple[AsyncOneBot, int]] = []

        @server.on.private_message
        async def pong(bot: AsyncOneBot, event: Any) -> Any:
            seen.append((bot, event["self_id"]))
            await bot.reply(event, "pong")
            return {"reply": "quick"}

        running = asyncio.create_task(server.run())
        await until(lambda: server.port != 0)
        accounts = [ReverseAccount(server.url, n, TOKEN) for n in (111, 222)]
        for napcat in accounts:
            await napcat.connect()
            await napcat.send({**example("PrivateMessageEvent"), "self_id": napcat.self_id})
        await until(lambda: all(len(a.calls) == 2 for a in accounts))
        for napcat in accounts:
            quick, send = sorted(napcat.calls, key=lambda c: c["action"])
            assert quick["action"] == ".handle_quick_operation"
            assert quick["params"]["operation"] == {"reply": "quick"}
            assert quick["params"]["context"]["self_id"] == napcat.self_id
            assert send["action"] == "send_msg"
        assert sorted((server.bots[n] is b, n) for b, n in seen) == [(True, 111), (True, 222)]
        await server.close()
        await asyncio.wait_for(running, 5)
        for napcat in accounts:
            await napcat.close()

    asyncio.run(asyncio.wait_for(main(), 10))


def test_a_message_over_the_limit_ends_only_that_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("onebot_client._reverse.MAX_REPLY_BYTES", 1000)

    async def test(server: ReverseWebSocketServer) -> None:
        big, other = ReverseAccount(server.url, 1, TOKEN), ReverseAccount(server.url, 2, TOKEN)
        await big.connect()
        await other.connect()
        await take(server, 2)
        await big.send_raw("x" * 2000)
        assert big.connection is not None
        await big.connection.wait_closed()
        assert big.connection.close_code == 1009  # message too big
        await other.send(example("HeartbeatMetaEvent"))
        ((bot, event),) = await take(server, 1)
        assert bot is server.bots[2] and event == example("HeartbeatMetaEvent")
        await other.close()

    run(test)


def test_close_is_quick_with_hung_peers_and_accounts_connecting() -> None:
    """Accounts are closed all at once, a peer that never answers the close frame cut after
    CLOSE_TIMEOUT; an account connecting meanwhile is closed too, and ``run()`` returns."""
    from onebot_client._reverse import CLOSE_TIMEOUT

    async def main() -> float:
        server = ReverseWebSocketServer(port=0, access_token=TOKEN)
        running = asyncio.create_task(server.run())
        await until(lambda: server.port != 0 and server._server is not None)
        accounts = [ReverseAccount(server.url, n, TOKEN) for n in range(1, 11)]
        for account in accounts:
            await account.connect()
        await until(lambda: len(server.bots) == 10)
        for account in accounts[:2]:  # hung: their reading stops, so no close frame is answered
            assert account._reader is not None and account.connection is not None
            account._reader.cancel()
            account.connection.transport.pause_reading()
        late = asyncio.create_task(ReverseAccount(server.url, 99, TOKEN).connect())
        started = time.monotonic()
        await server.close()
        took = time.monotonic() - started
        await asyncio.wait_for(running, 2)
        await asyncio.wait([late])
        for account in accounts[2:]:
            assert account.connection is not None
            await account.connection.wait_closed()
            assert account.connection.close_code == 1000
        return took

    took = asyncio.run(asyncio.wait_for(main(), 20))
    # Bounded by CLOSE_TIMEOUT, not by the number of hung peers (2 of 10 took 20 s before).
    assert took < CLOSE_TIMEOUT + 2


def test_processes_share_a_port_with_reuse_port() -> None:
    """Servers (in practice, processes) listening on one port with ``reuse_port``: each account
    is served by the one the kernel gave its connection, whole; without it the port is taken."""

    async def main() -> None:
        first = ReverseWebSocketServer(port=0, access_token=TOKEN, reuse_port=True)
        async with first:
            second = ReverseWebSocketServer(port=first.port, access_token=TOKEN, reuse_port=True)
            async with second:
                accounts = [ReverseAccount(first.url, 1000 + i, TOKEN) for i in range(20)]
                for account in accounts:
                    await account.connect()
                await until(lambda: len(first.bots) + len(second.bots) == len(accounts))
                for server in (first, second):
                    for self_id, bot in server.bots.items():
                        assert (await bot.get_login_info())["self_id"] == self_id
                assert first.bots.keys().isdisjoint(second.bots.keys())
                for account in accounts:
                    await account.close()
            with pytest.raises(OSError):
                await ReverseWebSocketServer(port=first.port).start()

    asyncio.run(asyncio.wait_for(main(), 10))
