"""One socket, many calls: replies matched by echo, events kept apart and in order, a dropped
socket failing every waiting call at once, reconnection."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from onebot_client._clients import AsyncClient, SyncClient
from onebot_client.errors import AuthError, NetworkError
from tests.onebot_server import OneBotServer

from .conftest import TOKEN, Driver, heartbeat


def test_ten_thousand_concurrent_calls_on_one_socket(server: OneBotServer) -> None:
    async def main() -> list[Any]:
        async with AsyncClient.websocket(server.ws_url, access_token=TOKEN) as bot:
            # "reorder" answers after a random delay: replies come back out of order
            return await asyncio.gather(*(bot.call("reorder", {"n": n}) for n in range(10_000)))

    assert asyncio.run(main()) == [{"n": n} for n in range(10_000)]
    assert len(server.handshakes) == 1
    assert len({r.echo for r in server.requests}) == 10_000


def test_many_calls_time_out_together_and_never_early(server: OneBotServer) -> None:
    from onebot_client._ws_async import TICK
    from onebot_client.errors import RequestTimeout

    server.on("slow", hang=True)
    ends: list[float] = []

    async def call(bot: AsyncClient, n: int) -> BaseException | None:
        try:
            await bot.call("slow", {"n": n}, timeout=0.2 + n % 3 * 0.1)
        except RequestTimeout as error:
            ends.append(time.perf_counter())
            return error
        return None

    async def main() -> tuple[float, list[BaseException | None]]:
        async with AsyncClient.websocket(server.ws_url, access_token=TOKEN) as bot:
            await bot.call("echo_params")  # connected: the calls take the usual path
            start = time.perf_counter()
            errors = await asyncio.gather(*(call(bot, n) for n in range(300)))
            link = bot._socket("test")._link
            assert link is not None and link.pending == {}
            assert not any(link.deadlines._ticks.values())  # no finished call is kept
            return start, errors

    start, errors = asyncio.run(main())
    assert all(isinstance(e, RequestTimeout) for e in errors)
    assert "slow: no reply within 0.2 s" in str(errors[0])
    assert min(ends) - start >= 0.2  # never early
    assert max(ends) - start < 0.4 + TICK + 1.0  # and not much late


def test_the_sync_websocket_runs_without_asyncio(server: OneBotServer) -> None:
    # In a fresh interpreter: a call and an event over OneBot.websocket() load neither asyncio
    # nor websockets' asyncio client (the server runs here, in this process).
    code = f"""
import json, sys
from onebot_client import OneBot
with OneBot.websocket({server.ws_url!r}, access_token={TOKEN!r}) as bot:
    reply = bot.call("echo_params", {{"n": 1}})
    bot.call("emit", {{"events": [{heartbeat(7)!r}]}})
    first = next(bot.events())
loaded = sorted(m for m in sys.modules if "asyncio" in m)
print(json.dumps([reply, first, loaded, "websockets.sync.client" in sys.modules]))
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    reply, first, loaded, sync_client = json.loads(result.stdout)
    assert (reply, first) == ({"n": 1}, heartbeat(7))
    assert loaded == [] and sync_client


def test_sync_websocket_shared_by_threads(server: OneBotServer) -> None:
    with (
        SyncClient.websocket(server.ws_url, access_token=TOKEN) as bot,
        ThreadPoolExecutor(32) as pool,
    ):
        results = list(pool.map(lambda n: bot.call("reorder", {"n": n}), range(2000)))
    assert results == [{"n": n} for n in range(2000)]
    assert len(server.handshakes) == 1


def test_async_drop_fails_every_pending_call_at_once(server: OneBotServer) -> None:
    server.on("slow", hang=True)

    async def main() -> tuple[float, list[BaseException | None]]:
        async with AsyncClient.websocket(server.ws_url, access_token=TOKEN, timeout=60) as bot:
            calls = [asyncio.ensure_future(bot.call("slow", {"n": n})) for n in range(100)]
            while len(server.calls("slow")) < 100:
                await asyncio.sleep(0.002)
            start = time.perf_counter()
            await asyncio.to_thread(server.drop)
            await asyncio.wait(calls)
            return time.perf_counter() - start, [c.exception() for c in calls]

    elapsed, errors = asyncio.run(main())
    assert all(type(e) is NetworkError for e in errors), errors
    assert "slow: the WebSocket to 127.0.0.1" in str(errors[0])
    assert elapsed < 0.1, f"{elapsed * 1000:.1f} ms from the drop to the last failure"


def test_sync_drop_fails_every_pending_call_at_once(server: OneBotServer) -> None:
    server.on("slow", hang=True)
    errors: list[BaseException] = []
    done: list[float] = []
    lock = threading.Lock()

    def slow(bot: SyncClient, n: int) -> None:
        try:
            bot.call("slow", {"n": n})
        except NetworkError as exc:
            with lock:
                errors.append(exc)
                done.append(time.perf_counter())

    with SyncClient.websocket(server.ws_url, access_token=TOKEN, timeout=60) as bot:
        threads = [threading.Thread(target=slow, args=(bot, n)) for n in range(100)]
        for thread in threads:
            thread.start()
        server.wait_for(lambda: len(server.calls("slow")) == 100)
        start = time.perf_counter()
        server.drop()
        for thread in threads:
            thread.join(5)
    assert len(errors) == 100
    assert max(done) - start < 0.1, f"{(max(done) - start) * 1000:.1f} ms"


def test_events_interleaved_with_replies_arrive_in_order(server: OneBotServer) -> None:
    async def main() -> tuple[list[Any], list[dict[str, Any]]]:
        async with AsyncClient.websocket(server.ws_url, access_token=TOKEN) as bot:
            received: list[dict[str, Any]] = []

            async def listen() -> None:
                async for ev in bot.events():
                    received.append(ev)
                    if len(received) == 300:
                        return

            listener = asyncio.ensure_future(listen())
            calls = [
                bot.call("emit", {"events": [heartbeat(3 * n), heartbeat(3 * n + 1)]})
                for n in range(100)
            ]
            replies = await asyncio.gather(*calls)
            for n in range(100):  # pushed by the server between nothing in particular
                await asyncio.to_thread(server.push_event, heartbeat(1000 + n))
            await asyncio.wait_for(listener, 5)
            return replies, received

    replies, received = asyncio.run(main())
    assert replies == [None] * 100
    assert received == server.events_sent  # every event, once, in the order sent
    assert len(received) == 300 and all(ev["post_type"] == "meta_event" for ev in received)


def test_sync_events(server: OneBotServer) -> None:
    server.on("get_status", {"online": True}, events=[heartbeat(1), heartbeat(2)])
    with SyncClient.websocket(server.ws_url, access_token=TOKEN) as bot:
        assert bot.call("get_status") == {"online": True}
        server.push_event(heartbeat(3))
        stream = bot.events()
        assert [next(stream) for _ in range(3)] == [heartbeat(1), heartbeat(2), heartbeat(3)]


def test_late_replies_and_stream_frames_are_not_events(
    ws_client: Driver, server: OneBotServer
) -> None:
    server.on("slow", {"late": True}, delay=0.2)
    with pytest.raises(TimeoutError):
        ws_client(lambda b: b.call("slow", timeout=0.01))
    (server.files / "f.bin").write_bytes(b"x" * 1000)
    ws_client(lambda b: b.call("download_file_stream", {"file": "f.bin", "chunk_size": 100}))
    time.sleep(0.3)  # the late reply and the other 11 stream frames arrive meanwhile
    server.push_event(heartbeat(7))

    def first_event(bot: Any) -> Any:
        if ws_client.is_async:

            async def first() -> Any:
                async for ev in bot.events():
                    return ev

            return first()
        return next(bot.events())

    assert ws_client(first_event) == heartbeat(7)


def test_backoff_doubles_and_never_waits_longer_than_max_backoff() -> None:
    from onebot_client._backoff import delays

    assert list(itertools.islice(delays(3.0), 5)) == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert list(itertools.islice(delays(0.05), 3)) == [0.05, 0.05, 0.05]


def test_backoff_starts_over_only_after_a_connection_that_stayed_open() -> None:
    from onebot_client._backoff import STEADY, Backoff

    now = [0.0]
    backoff = Backoff(3.0, clock=lambda: now[0])
    assert backoff.wait() == 0.0  # the first drop: at once
    assert [backoff.wait(), backoff.wait()] == [0.5, 1.0]  # attempts that failed
    backoff.opened()
    now[0] += STEADY / 2
    assert backoff.wait() == 2.0  # it closed too soon: the same outage
    backoff.opened()
    now[0] += STEADY  # (halves and wholes of 10 add up exactly)
    assert [backoff.wait(), backoff.wait()] == [0.0, 0.5]  # it stayed open: a new outage


#: What the clients log before each reconnection attempt, and the wait it announces.
RECONNECTING = re.compile(r"reconnecting in ([0-9.e-]+) s: ")


def announced_waits(caplog: pytest.LogCaptureFixture) -> list[float]:
    """The waits the clients logged before their reconnection attempts, in order."""
    matches = (RECONNECTING.search(r.getMessage()) for r in list(caplog.records))
    return [float(m.group(1)) for m in matches if m]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_server_that_closes_each_socket_at_once_is_tried_ever_more_slowly(
    kind: str,
    server: OneBotServer,
    first_backoff: Callable[[float], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    first_backoff(0.01)
    caplog.set_level(logging.INFO, logger="onebot_client")
    options: dict[str, Any] = {"access_token": TOKEN, "reconnect": True, "max_backoff": 0.08}

    def tried() -> None:
        server.close_at_once = True
        server.drop()
        server.wait_for(lambda: len(server.handshakes) >= 6)

    if kind == "sync":
        with SyncClient.websocket(server.ws_url, **options) as bot:
            bot.call("echo_params")
            tried()
    else:

        async def main() -> None:
            async with AsyncClient.websocket(server.ws_url, **options) as bot:
                await bot.call("echo_params")
                await asyncio.to_thread(tried)

        asyncio.run(main())
    # each socket opened and closed at once: the waits go on doubling, not back to 0 each time
    assert announced_waits(caplog)[:5] == [0.0, 0.01, 0.02, 0.04, 0.08]


def test_reconnect_in_the_background(server: OneBotServer) -> None:
    server.on("slow", hang=True)

    async def main() -> None:
        async with AsyncClient.websocket(
            server.ws_url, access_token=TOKEN, reconnect=True, max_backoff=0.2
        ) as bot:
            events = bot.events()
            server.push_event(heartbeat(1))
            assert await anext(events) == heartbeat(1)
            pending = asyncio.ensure_future(bot.call("slow"))
            while not server.calls("slow"):
                await asyncio.sleep(0.002)
            await asyncio.to_thread(server.drop)
            with pytest.raises(NetworkError):
                await pending
            # calls wait for the new socket; events() goes on across the drop
            assert await bot.call("echo_params", {"after": "drop"}) == {"after": "drop"}
            await asyncio.to_thread(server.push_event, heartbeat(2))
            assert await anext(events) == heartbeat(2)

    asyncio.run(main())
    assert len(server.handshakes) == 2


def test_reconnect_retries_until_the_server_is_back(
    server: OneBotServer, first_backoff: Callable[[float], None]
) -> None:
    first_backoff(0.01)
    server.on("slow", hang=True)

    async def main() -> None:
        async with AsyncClient.websocket(
            server.ws_url, access_token=TOKEN, reconnect=True, max_backoff=0.05, timeout=5
        ) as bot:
            pending = asyncio.ensure_future(bot.call("slow"))
            while not server.calls("slow"):
                await asyncio.sleep(0.002)
            server.refuse_handshakes = 3  # HTTP 503 three times, then accepted
            await asyncio.to_thread(server.drop)
            with pytest.raises(NetworkError):
                await pending
            assert await bot.call("echo_params", {"ok": 1}) == {"ok": 1}

    asyncio.run(main())
    assert len(server.handshakes) == 5


def test_sync_reconnect_in_the_background(
    server: OneBotServer, first_backoff: Callable[[float], None]
) -> None:
    first_backoff(0.01)
    with SyncClient.websocket(
        server.ws_url, access_token=TOKEN, reconnect=True, max_backoff=0.05, timeout=5
    ) as bot:
        events = bot.events()
        server.push_event(heartbeat(1))
        assert next(events) == heartbeat(1)
        server.refuse_handshakes = 2  # HTTP 503 twice, then accepted
        server.drop()
        server.wait_for(lambda: len(server.handshakes) == 4)
        # events() goes on across the drop, on the socket the background thread opened
        server.push_event(heartbeat(2))
        assert next(events) == heartbeat(2)
        assert bot.call("echo_params", {"after": "drop"}) == {"after": "drop"}
    assert len(server.handshakes) == 4


def test_sync_reconnect_stops_on_close(server: OneBotServer) -> None:
    bot = SyncClient.websocket(server.ws_url, access_token=TOKEN, reconnect=True)
    with bot:
        server.refuse_handshakes = 1000
        server.drop()
        server.wait_for(lambda: len(server.handshakes) >= 2)
    count = len(server.handshakes)
    time.sleep(1.2)  # past two backoffs: no attempt after close()
    assert len(server.handshakes) == count
    assert not any(t.name == "onebot-ws-reconnect" for t in threading.enumerate())


def test_sync_reconnect_gives_up_on_a_refused_token(server: OneBotServer) -> None:
    server.ws_auth = "frame"
    with SyncClient.websocket(server.ws_url, access_token=TOKEN, reconnect=True) as bot:
        events = bot.events()
        server.token = "changed"
        server.drop()
        with pytest.raises(AuthError):
            next(events)


def test_without_reconnect_events_raise_and_the_next_call_reconnects(
    server: OneBotServer,
) -> None:
    async def main() -> None:
        async with AsyncClient.websocket(server.ws_url, access_token=TOKEN) as bot:
            events = bot.events()
            await asyncio.to_thread(server.drop)
            with pytest.raises(NetworkError, match="events\\(\\): the WebSocket"):
                await anext(events)
            assert await bot.call("echo_params", {"n": 1}) == {"n": 1}

    asyncio.run(main())
    assert len(server.handshakes) == 2


def test_reconnect_gives_up_on_a_refused_token(server: OneBotServer) -> None:
    server.ws_auth = "frame"

    async def main() -> None:
        bot = AsyncClient.websocket(server.ws_url, access_token=TOKEN, reconnect=True)
        async with bot:
            events = bot.events()
            server.token = "changed"
            await asyncio.to_thread(server.drop)
            with pytest.raises(AuthError):
                await anext(events)

    asyncio.run(main())


def test_close_ends_events(ws_client: Driver, server: OneBotServer) -> None:
    if ws_client.is_async:

        async def main(bot: Any) -> list[Any]:
            async def collect() -> list[Any]:
                return [ev async for ev in bot.events()]

            listener = asyncio.ensure_future(collect())
            await asyncio.sleep(0.05)
            await bot.close()
            return await asyncio.wait_for(listener, 5)

        assert ws_client(main) == []
    else:
        bot = ws_client.bot
        collected: list[Any] = []
        listener = threading.Thread(target=lambda: collected.extend(bot.events()))
        listener.start()
        time.sleep(0.05)
        bot.close()
        listener.join(5)
        assert not listener.is_alive() and collected == []
    # closed is not final: the next call connects again
    assert ws_client(lambda b: b.call("echo_params", {"n": 1})) == {"n": 1}


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
def test_stream_downloads_need_a_websocket(kind: str, connect: Callable[..., Driver]) -> None:
    # (events over HTTP come from NapCat's SSE stream: test_sse.py)
    with pytest.raises(TypeError, match="websocket"):
        connect(kind)(lambda bot: bot.download_stream("x"))


def test_events_nobody_reads_keep_the_newest(
    server: OneBotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onebot_client import _backlog

    monkeypatch.setattr(_backlog, "EVENT_BUFFER", 5)

    async def main() -> list[Any]:
        async with AsyncClient.websocket(server.ws_url, access_token=TOKEN) as bot:
            await bot.call("emit", {"events": [heartbeat(n) for n in range(8)]})
            events = bot.events()
            return [await anext(events) for _ in range(5)]

    assert asyncio.run(main()) == [heartbeat(n) for n in range(3, 8)]


@pytest.mark.parametrize("kind", ["sync-ws", "async-ws"])
def test_events_read_slowly_are_all_delivered(
    kind: str, server: OneBotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full buffer that ``events()`` reads makes the reader wait (the socket is not read
    meanwhile): none is lost, and calls made while it is full still get their replies."""
    from onebot_client import _backlog, _ws_sync

    monkeypatch.setattr(_backlog, "EVENT_BUFFER", 5)
    monkeypatch.setattr(_ws_sync, "EVENT_BUFFER", 5)
    driver = Driver(kind, server)
    got: list[Any] = []

    async def read_async() -> None:
        async for event in driver.bot.events():
            got.append(event)
            if len(got) % 10 == 0:  # a call while the buffer is full
                assert (await driver.bot.call("echo_params", {"n": len(got)}))["n"] == len(got)
            if len(got) == 60:
                return

    def read() -> None:
        for event in driver.bot.events():
            got.append(event)
            if len(got) % 10 == 0:
                assert driver.bot.call("echo_params", {"n": len(got)})["n"] == len(got)
            if len(got) == 60:
                return

    def emit() -> None:  # once events() reads: unread events would be dropped
        backlog = driver.bot._socket_transport._events
        server.wait_for(lambda: backlog.readers == 1)
        call = driver.bot.call("emit", {"events": [heartbeat(n) for n in range(60)]})
        if driver.is_async:
            asyncio.run_coroutine_threadsafe(call, loop).result(5)

    try:
        driver(lambda bot: bot.call("get_status"))  # connected
        if driver.is_async:
            loop = driver.loop
            emitter = threading.Thread(target=emit)
            emitter.start()
            driver(lambda bot: read_async())
        else:
            emitter = threading.Thread(target=emit)
            emitter.start()
            read()
        emitter.join(5)
    finally:
        driver.close()
    assert got == [heartbeat(n) for n in range(60)]


@pytest.mark.parametrize("kind", ["sync-ws", "async-ws"])
def test_a_server_not_up_yet_is_waited_for_with_reconnect(
    kind: str, server: OneBotServer, first_backoff: Callable[[float], None]
) -> None:
    """NapCat and the bot are often started together: events() and run() try the first
    connection again until it opens; a refused token is final; close() ends the waiting."""
    first_backoff(0.02)
    server.stop_listening()
    driver = Driver(kind, server, reconnect=True, max_backoff=0.05)
    got: list[Any] = []

    async def read_async() -> None:
        async for event in driver.bot.events():
            got.append(event)
            break
        await driver.bot.close()  # on this loop, the one the client used

    def read() -> None:
        for event in driver.bot.events():
            got.append(event)
            break
        driver.bot.close()

    reader = threading.Thread(
        target=(lambda: asyncio.run(read_async())) if driver.is_async else read, daemon=True
    )
    reader.start()
    time.sleep(0.3)  # several attempts fail meanwhile
    assert reader.is_alive()
    server.listen_again()
    server.wait_for(lambda: server.connected == 1)
    server.push_event(heartbeat(1))
    reader.join(5)
    assert got == [heartbeat(1)]


def test_the_log_of_a_bot_through_connect_drop_reconnect(
    server: OneBotServer, first_backoff: Callable[[float], None], caplog: pytest.LogCaptureFixture
) -> None:
    first_backoff(0.02)
    caplog.set_level(logging.INFO, logger="onebot_client")

    async def main() -> None:
        async with AsyncClient.websocket(server.ws_url, access_token=TOKEN, reconnect=True) as bot:
            events = bot.events()
            lifecycle = {**heartbeat(0), "meta_event_type": "lifecycle", "sub_type": "connect"}
            await asyncio.to_thread(server.push_event, lifecycle)
            await anext(events)
            await asyncio.to_thread(server.drop)
            await asyncio.to_thread(server.wait_for, lambda: server.connected == 1)
            await asyncio.to_thread(server.push_event, heartbeat(1))
            assert await anext(events) == heartbeat(1)

    asyncio.run(main())
    lines = [f"{r.levelname} {r.getMessage()}" for r in caplog.records if r.name == "onebot_client"]
    assert lines[0] == f"INFO connected to {server.ws_url}"
    assert lines[1] == f"INFO account 1 is online at 127.0.0.1:{server.port}"
    assert lines[2].startswith("WARNING reconnecting in 0 s: the WebSocket to 127.0.0.1:")
    assert lines[3] == f"INFO reconnected to {server.ws_url}"
    assert TOKEN not in "\n".join(lines)


def test_finished_calls_leave_no_timer_on_the_loop(server: OneBotServer) -> None:
    """Each call's deadline shares a timer with the calls due in the same tick (on any
    connection); once the last of them has its reply, the timer goes."""

    async def main() -> tuple[int, int]:
        loop = asyncio.get_running_loop()
        live = lambda: sum(1 for h in loop._scheduled if not h.cancelled())  # type: ignore[attr-defined]  # noqa: E731
        async with AsyncClient.websocket(server.ws_url, access_token=TOKEN) as one:
            async with AsyncClient.websocket(server.ws_url, access_token=TOKEN) as two:
                before = live()
                for n in range(100):
                    await one.call("echo_params", {"n": n}, timeout=30)
                    await two.call("echo_params", {"n": n}, timeout=30)
                return before, live()

    before, after = asyncio.run(main())
    assert after <= before + 1  # 200 finished calls: 202 timers before
