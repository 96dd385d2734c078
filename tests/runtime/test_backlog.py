"""The events kept for ``events()`` and ``run()``: bounded, never dropped while read (a full
backlog makes its reader wait), never waiting while a call waits for its reply, dropped
(and said so) only while nothing reads them."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

import pytest
from onebot_client import _backlog, _ws_sync
from onebot_client._backlog import AsyncBacklog
from onebot_client._events import RECHECK
from onebot_client._ws_sync import _SyncBacklog

BOUND = 3


@pytest.fixture(autouse=True)
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_backlog, "EVENT_BUFFER", BOUND)
    monkeypatch.setattr(_ws_sync, "EVENT_BUFFER", BOUND)


def records(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "onebot_client"]


def test_unread_events_drop_the_oldest_and_say_so(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> list[int]:
        backlog: AsyncBacklog[int] = AsyncBacklog()
        for n in range(7):
            await backlog.put(n)
        with backlog.reading():
            return [await backlog.get() for _ in range(BOUND)]

    with caplog.at_level(logging.WARNING, logger="onebot_client"):
        assert asyncio.run(scenario()) == [4, 5, 6]
    assert records(caplog) == [
        "10000 events are waiting and neither events() nor run() reads them; "
        "dropping the oldest until one does",
        "4 events were dropped while nothing read them",
    ]


def test_a_read_backlog_makes_its_writer_wait_and_loses_nothing() -> None:
    async def scenario() -> tuple[list[int], bool]:
        backlog: AsyncBacklog[int] = AsyncBacklog()
        got: list[int] = []
        with backlog.reading():
            writer = asyncio.create_task(_write(backlog, range(10)))
            await asyncio.sleep(0.2)
            waited = not writer.done()  # the bound is reached and nobody took anything yet
            while len(got) < 10:
                got.append(await backlog.get())
            await writer
        return got, waited

    got, waited = asyncio.run(scenario())
    assert got == list(range(10)) and waited


async def _write(backlog: AsyncBacklog[int], items: range, busy: bool = False) -> None:
    for n in items:
        await backlog.put(n, lambda: busy)


def test_writers_waiting_get_room_in_turn() -> None:
    """Accounts waiting on a full server backlog are served one event each, in turn."""

    async def scenario() -> list[int]:
        backlog: AsyncBacklog[int] = AsyncBacklog()
        with backlog.reading():
            for n in range(BOUND):
                await backlog.put(n)
            writers = [asyncio.create_task(_write(backlog, range(k, k + 10))) for k in (100, 200)]
            got = []
            for _ in range(BOUND + 6):
                await asyncio.sleep(0.02)  # every writer is waiting again
                got.append(await backlog.get())
            for writer in writers:
                writer.cancel()
        return got

    assert asyncio.run(scenario()) == [0, 1, 2, 100, 200, 101, 201, 102, 202]


def test_a_writer_whose_connection_awaits_a_reply_never_waits() -> None:
    async def scenario() -> int:
        backlog: AsyncBacklog[int] = AsyncBacklog()
        with backlog.reading():
            async with asyncio.timeout(1):
                await _write(backlog, range(BOUND * 3), busy=True)
            return [await backlog.get() for _ in range(BOUND * 3)]

    assert asyncio.run(scenario()) == list(range(BOUND * 3))


def test_a_waiting_writer_goes_on_once_a_call_waits() -> None:
    async def scenario() -> float:
        backlog: AsyncBacklog[int] = AsyncBacklog()
        calls: list[str] = []
        with backlog.reading():
            for n in range(BOUND):
                await backlog.put(n)
            writer = asyncio.create_task(backlog.put(99, lambda: bool(calls)))
            await asyncio.sleep(RECHECK * 3)
            assert not writer.done()
            calls.append("get_status")  # a handler's call now waits on this connection
            started = time.monotonic()
            await writer
            took = time.monotonic() - started
            assert [await backlog.get() for _ in range(BOUND + 1)] == [0, 1, 2, 99]
        return took

    assert asyncio.run(scenario()) < RECHECK * 4


def test_the_blocking_backlog_follows_the_same_rules(caplog: pytest.LogCaptureFixture) -> None:
    backlog: _SyncBacklog[int] = _SyncBacklog()
    with caplog.at_level(logging.WARNING, logger="onebot_client"):
        for n in range(5):
            backlog.put(n, lambda: False)  # nothing reads: the oldest go
    assert "dropping the oldest" in records(caplog)[0]
    with backlog.reading():
        assert [backlog.get() for _ in range(BOUND)] == [2, 3, 4]
        for n in range(BOUND):
            backlog.put(n, lambda: False)
        calls: list[str] = []
        writer = threading.Thread(target=backlog.put, args=(99, lambda: bool(calls)))
        writer.start()
        time.sleep(RECHECK * 3)
        assert writer.is_alive()  # waits for room: nothing is dropped
        calls.append("get_status")
        writer.join(RECHECK * 4)
        assert not writer.is_alive()
        assert [backlog.get() for _ in range(BOUND + 1)] == [0, 1, 2, 99]


def test_run_handles_at_most_HANDLING_events_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from onebot_client import _events
    from onebot_client._events import handle_each

    monkeypatch.setattr(_events, "HANDLING", 2)

    async def scenario() -> tuple[int, list[int]]:
        running: set[int] = set()
        most = 0
        done: list[int] = []

        async def items() -> Any:
            for n in range(6):
                yield n

        async def handle(n: int) -> None:
            nonlocal most
            running.add(n)
            most = max(most, len(running))
            await asyncio.sleep(0.01)
            running.discard(n)
            done.append(n)

        await handle_each(items(), handle)
        return most, sorted(done)

    assert asyncio.run(scenario()) == (2, list(range(6)))
