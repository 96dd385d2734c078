"""The HTTP POST server against NapCat's HTTP client (tests/napcat_peer.py): signatures checked,
bodies that are not events, events typed, quick operations in the responses, calls through
``api`` to NapCat's HTTP server (the stand-in)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from onebot_client import AsyncOneBot, HttpPostServer
from tests.napcat_peer import post, signature
from tests.onebot_server import OneBotServer

from .conftest import TOKEN
from .test_events import example

SECRET = "post-secret-5d2"
Test = Callable[[HttpPostServer, aiohttp.ClientSession], Awaitable[None]]


def run(test: Test, **options: Any) -> None:
    """Run ``test`` with a started server on a free port and NapCat's session."""

    async def main() -> None:
        options.setdefault("secret", SECRET)
        async with HttpPostServer(port=0, **options) as server, aiohttp.ClientSession() as napcat:
            await asyncio.wait_for(test(server, napcat), 10)

    asyncio.run(main())


async def take(server: HttpPostServer, count: int) -> list[Any]:
    events = []
    async with contextlib.aclosing(server.events()) as pairs:
        async for _, event in pairs:
            events.append(event)
            if len(events) == count:
                break
    return events


def test_signed_events_are_delivered_typed() -> None:
    async def test(server: HttpPostServer, napcat: aiohttp.ClientSession) -> None:
        assert server.url == f"http://127.0.0.1:{server.port}/"
        future = {"post_type": "notice", "notice_type": "future"}
        reading = asyncio.create_task(take(server, 3))
        for event in (example("GroupMessageEvent"), future, example("HeartbeatMetaEvent")):
            assert await post(napcat, server.url, event, SECRET) == (
                204,
                "application/octet-stream",
                b"",
            )
        assert await reading == [
            example("GroupMessageEvent"),
            {"post_type": "unknown", "event": future},
            example("HeartbeatMetaEvent"),
        ]

    run(test)


def test_the_signature_is_of_the_raw_body() -> None:
    body = '{"post_type":"meta_event","text":"中文"}'.encode()
    assert (
        signature("key", body) == "sha1=" + __import__("hmac").new(b"key", body, "sha1").hexdigest()
    )


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"x-signature": ""}, 401),
        ({"x-signature": "sha1=" + "0" * 40}, 403),
        ({"x-signature": signature("other", b"{}")}, 403),
        ({"x-signature": "sha1=中"}, 403),
    ],
)
def test_a_bad_or_missing_signature_is_refused_and_nothing_delivered(
    headers: dict[str, str], status: int
) -> None:
    async def test(server: HttpPostServer, napcat: aiohttp.ClientSession) -> None:
        called: list[Any] = []
        server.on.event(lambda bot, event: called.append(event))  # type: ignore[arg-type,return-value]
        reading = asyncio.create_task(take(server, 1))
        event = example("FriendRequestEvent")
        got = await post(napcat, server.url, event, headers=headers)
        assert got[0] == status
        assert await post(napcat, server.url, {**event, "flag": "next"}, SECRET) == (
            204,
            "application/octet-stream",
            b"",
        )
        assert [e["flag"] for e in await reading] == ["next"]

    run(test)


def test_without_a_secret_posts_need_no_signature() -> None:
    async def test(server: HttpPostServer, napcat: aiohttp.ClientSession) -> None:
        reading = asyncio.create_task(take(server, 1))
        assert (await post(napcat, server.url, example("FriendRequestEvent")))[0] == 204
        assert await reading == [example("FriendRequestEvent")]

    run(test, secret=None)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"status": "ok", "retcode": 0}', 204),  # JSON, but not an event: nothing to do
        (b'{"post_type": 3}', 204),
    ],
)
def test_bodies_that_are_not_events_are_not_delivered(body: bytes, status: int) -> None:
    async def test(server: HttpPostServer, napcat: aiohttp.ClientSession) -> None:
        reading = asyncio.create_task(take(server, 1))
        assert (await post(napcat, server.url, None, SECRET, body=body))[0] == status
        assert (await post(napcat, server.url, example("HeartbeatMetaEvent"), SECRET))[0] == 204
        assert await reading == [example("HeartbeatMetaEvent")]

    run(test)


def test_a_post_elsewhere_is_not_found() -> None:
    async def test(server: HttpPostServer, napcat: aiohttp.ClientSession) -> None:
        event = example("HeartbeatMetaEvent")
        assert (await post(napcat, server.url + "other", event, SECRET))[0] == 404

    run(test)


def test_quick_operations_are_the_response_and_handlers_call_through_api(
    server: OneBotServer,
) -> None:
    server.on("get_login_info", {"user_id": 10001, "nickname": "me"})

    async def main() -> None:
        api = AsyncOneBot(server.http_url, access_token=TOKEN)
        receiver = HttpPostServer(port=0, path="/onebot", secret=SECRET, api=api)
        seen: list[Any] = []

        @receiver.on.private_message
        async def answer(bot: AsyncOneBot, event: Any) -> Any:
            seen.append(bot)
            me = await bot.get_login_info()
            return {"reply": f"I am {me['nickname']}", "auto_escape": True}

        @receiver.on.message
        async def also(bot: AsyncOneBot, event: Any) -> Any:
            return {"at_sender": False}

        running = asyncio.create_task(receiver.run())
        await receiver.start()
        async with aiohttp.ClientSession() as napcat:
            status, kind, body = await post(
                napcat, receiver.url, example("PrivateMessageEvent"), SECRET
            )
            assert (status, kind) == (200, "application/json")
            assert json.loads(body) == {
                "reply": "I am me",
                "auto_escape": True,
                "at_sender": False,
            }
            heartbeat = await post(napcat, receiver.url, example("HeartbeatMetaEvent"), SECRET)
            assert heartbeat[0] == 204
        assert seen == [api]
        await receiver.close()
        await asyncio.wait_for(running, 5)
        await api.close()

    asyncio.run(asyncio.wait_for(main(), 10))
    assert [r.action for r in server.requests] == ["get_login_info"]


# -- what is refused before a body is read, and every wait bounded --------------------------


def test_what_can_be_refused_is_refused_before_the_body_is_read() -> None:
    """No signature (with a secret), another content type, a declared length over the limit:
    answered at once, the body never read (the client is still sending it)."""

    async def test(server: HttpPostServer, napcat: aiohttp.ClientSession) -> None:
        from onebot_client._post import MAX_POST_BYTES

        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        heads = [
            (b"Content-Type: application/json\r\nX-Signature: sha1=00\r\n", 413),
            (b"Content-Type: application/json\r\n", 401),
            (b"Content-Type: application/x-www-form-urlencoded\r\nX-Signature: sha1=00\r\n", 415),
        ]
        for head, status in heads:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(
                b"POST / HTTP/1.1\r\nHost: x\r\n"
                + head
                + f"Content-Length: {MAX_POST_BYTES + 1}\r\n\r\n".encode()
                + b"{"  # and nothing more: the server does not wait for it
            )
            line = await asyncio.wait_for(reader.readline(), 5)
            assert line.startswith(f"HTTP/1.1 {status}".encode()), line
            writer.close()

    run(test)


def test_a_body_nested_too_deep_is_400_and_the_server_goes_on() -> None:
    async def test(server: HttpPostServer, napcat: aiohttp.ClientSession) -> None:
        reading = asyncio.create_task(take(server, 1))
        body = b"[" * 100_000
        assert (await post(napcat, server.url, None, SECRET, body=body))[0] == 400
        assert (await post(napcat, server.url, example("HeartbeatMetaEvent"), SECRET))[0] == 204
        assert await reading == [example("HeartbeatMetaEvent")]

    run(test)


def test_a_chunked_body_over_the_limit_is_413(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("onebot_client._post.MAX_POST_BYTES", 1000)

    async def test(server: HttpPostServer, napcat: aiohttp.ClientSession) -> None:
        async def chunks() -> Any:
            for _ in range(10):
                yield b"[" + b" " * 500

        headers = {"Content-Type": "application/json"}
        async with napcat.post(server.url, data=chunks(), headers=headers) as response:
            assert response.status == 413

    run(test, secret=None)


@pytest.mark.parametrize("stalls", ["headers", "body"])
def test_a_connection_that_dribbles_is_cut(stalls: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("onebot_client._post.HEADERS_TIMEOUT", 0.3)
    monkeypatch.setattr("onebot_client._post.BODY_TIMEOUT", 0.3)

    async def test(server: HttpPostServer, napcat: aiohttp.ClientSession) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\n")
        if stalls == "body":
            writer.write(b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        # Headers that never end: the connection is closed; a body that never ends: 408.
        answer = await asyncio.wait_for(reader.readline(), 5)
        assert answer == (b"HTTP/1.1 408 Request Timeout\r\n" if stalls == "body" else b"")
        writer.close()

    run(test, secret=None)


def test_handlers_run_under_run_only_as_on_every_server() -> None:
    """Started by ``async with``, the server hands events to ``events()``; its handlers run
    under ``run()`` (the reverse WebSocket server's rule too)."""

    async def test(server: HttpPostServer, napcat: aiohttp.ClientSession) -> None:
        called: list[Any] = []

        @server.on.event
        async def handler(bot: AsyncOneBot, event: Any) -> None:
            called.append(event)

        reading = asyncio.create_task(take(server, 1))
        await asyncio.sleep(0)
        assert (await post(napcat, server.url, example("HeartbeatMetaEvent"), SECRET))[0] == 204
        assert await reading == [example("HeartbeatMetaEvent")] and called == []

    run(test)


def test_processes_share_a_port_with_reuse_port() -> None:
    """Servers listening on one port with ``reuse_port``: each post is delivered by one of them;
    without it the port is taken."""

    async def main() -> None:
        first = HttpPostServer(port=0, reuse_port=True)
        async with first:
            second = HttpPostServer(port=first.port, reuse_port=True)
            async with (
                second,
                aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(force_close=True)  # a connection per post
                ) as napcat,
            ):
                taken = [asyncio.ensure_future(take(s, 1)) for s in (first, second)]
                for _ in range(40):
                    await post(napcat, first.url, example("GroupMessageEvent"))
                    if any(t.done() for t in taken):
                        break
                assert any(t.done() for t in taken)
                for t in taken:
                    t.cancel()
            with pytest.raises(OSError):
                await HttpPostServer(port=first.port).start()

    asyncio.run(asyncio.wait_for(main(), 10))
