"""Client overhead: the generated client against raw baselines doing the same wire work by hand.

Run: .venv/bin/python bench/client.py  (make bench). Starts the stand-in OneBot server
(tests/onebot_server.py) in a process of its own on 127.0.0.1, then measures, for each client and
transport, microseconds per call made one after another, and calls per second with 100 in
flight. Every call is `send_group_msg` with the same params and a JSON reply checked for its
retcode. Prints ratios against the fastest baseline of the same kind, measured in this run.
"""

from __future__ import annotations

import asyncio
import http.client
import itertools
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import websockets.asyncio.client
import websockets.sync.client

from common import table
from onebot_client import AsyncOneBot, OneBot

ROOT = Path(__file__).resolve().parent.parent
ACTION = "send_group_msg"
PARAMS = {"group_id": 123456, "message": "hi"}
BODY = json.dumps(PARAMS).encode()
WINDOW = 0.3  # seconds of calls per measurement
ROUNDS = 9
IN_FLIGHT = 100

# The stand-in in its own process (so that it does not share this one's GIL), forgetting the
# requests it records.
SERVE = """
import sys, tempfile, threading, time
from pathlib import Path
from tests.onebot_server import OneBotServer

with OneBotServer(Path(tempfile.mkdtemp())) as server:
    def forget() -> None:
        while True:
            time.sleep(0.5)
            del server.requests[:]
    threading.Thread(target=forget, daemon=True).start()
    print(server.port, flush=True)
    sys.stdin.read()
"""


def check(reply: Any) -> None:
    if reply.get("retcode") != 0:
        raise RuntimeError(f"the call failed: {reply}")


# -- sync, HTTP ------------------------------------------------------------------------------


def raw_socket(port: int) -> Callable[[], None]:
    """The floor: a hand-written keep-alive HTTP request on a plain socket."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    head = (
        f"POST /{ACTION} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
    ).encode()
    stream = sock.makefile("rb")

    def call() -> None:
        sock.sendall(head + json.dumps(PARAMS).encode())
        length = 0
        while (line := stream.readline()) != b"\r\n":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        check(json.loads(stream.read(length)))

    return call


def stdlib_http(port: int) -> Callable[[], None]:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json"}

    def call() -> None:
        connection.request("POST", f"/{ACTION}", json.dumps(PARAMS).encode(), headers)
        check(json.loads(connection.getresponse().read()))

    return call


def httpx_sync(port: int) -> Callable[[], None]:
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}")

    def call() -> None:
        check(client.post(f"/{ACTION}", json=PARAMS).json())

    return call


def onebot_http(port: int) -> Callable[[], None]:
    bot = OneBot(f"http://127.0.0.1:{port}")
    return lambda: (bot.send_group_msg(123456, "hi"), None)[1]


# -- sync, WebSocket -------------------------------------------------------------------------


def websockets_sync(port: int) -> Callable[[], None]:
    connection = websockets.sync.client.connect(
        f"ws://127.0.0.1:{port}", compression=None
    ).__enter__()  # closed with the process
    echoes = itertools.count()

    def call() -> None:
        connection.send(json.dumps({"action": ACTION, "params": PARAMS, "echo": next(echoes)}))
        check(json.loads(connection.recv()))

    return call


def onebot_ws(port: int) -> Callable[[], None]:
    bot = OneBot.websocket(f"ws://127.0.0.1:{port}")
    return lambda: (bot.send_group_msg(123456, "hi"), None)[1]


# -- async -----------------------------------------------------------------------------------

AsyncCall = Callable[[], Awaitable[None]]
READERS: set[asyncio.Task[None]] = set()  # the reader tasks, kept referenced
CLOSE: list[Callable[[], Awaitable[object]]] = []  # what to close once measured


async def aiohttp_raw(port: int) -> AsyncCall:
    session = aiohttp.ClientSession(f"http://127.0.0.1:{port}")
    CLOSE.append(session.close)

    async def call() -> None:
        async with session.post(f"/{ACTION}", json=PARAMS) as response:
            check(json.loads(await response.read()))

    return call


async def httpx_async(port: int) -> AsyncCall:
    client = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=httpx.Limits(max_connections=IN_FLIGHT)
    )
    CLOSE.append(client.aclose)

    async def call() -> None:
        check((await client.post(f"/{ACTION}", json=PARAMS)).json())

    return call


async def websockets_futures(port: int) -> AsyncCall:
    """websockets with replies matched to futures by echo: what any WebSocket client must do."""
    connection = await websockets.asyncio.client.connect(
        f"ws://127.0.0.1:{port}", compression=None, max_size=None
    )
    CLOSE.append(connection.close)
    waiting: dict[str, asyncio.Future[Any]] = {}
    echoes = itertools.count()

    async def read() -> None:
        async for message in connection:
            reply = json.loads(message)
            future = waiting.pop(reply["echo"], None)
            if future is not None:
                future.set_result(reply)

    READERS.add(asyncio.create_task(read()))

    async def call() -> None:
        echo = str(next(echoes))
        future = waiting[echo] = asyncio.get_running_loop().create_future()
        await connection.send(json.dumps({"action": ACTION, "params": PARAMS, "echo": echo}))
        check(await future)

    return call


async def onebot_async_http(port: int) -> AsyncCall:
    bot = AsyncOneBot(f"http://127.0.0.1:{port}")
    CLOSE.append(bot.close)

    async def call() -> None:
        await bot.send_group_msg(123456, "hi")

    return call


async def onebot_async_ws(port: int) -> AsyncCall:
    bot = AsyncOneBot.websocket(f"ws://127.0.0.1:{port}")
    CLOSE.append(bot.close)

    async def call() -> None:
        await bot.send_group_msg(123456, "hi")

    return call


# -- timing ----------------------------------------------------------------------------------
# Each case is measured in short windows, the cases of a group taking turns for ROUNDS rounds,
# so that drift in the server or the machine hits them alike; the best window counts.


def sync_sequential(call: Callable[[], None]) -> float:
    """µs per call, calls made one after another for one window."""
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < WINDOW:
        call()
        count += 1
    return (time.perf_counter() - started) / count * 1e6


def sync_concurrent(calls: list[Callable[[], None]], pool: ThreadPoolExecutor) -> float:
    """Calls per second, IN_FLIGHT threads each calling one after another for one window."""
    ready = threading.Barrier(IN_FLIGHT + 1)
    counts = [0] * IN_FLIGHT

    def work(index: int) -> None:
        ready.wait()
        while time.perf_counter() < deadline:
            calls[index]()
            counts[index] += 1

    deadline = float("inf")
    running = [pool.submit(work, i) for i in range(IN_FLIGHT)]
    started = time.perf_counter()
    deadline = started + WINDOW
    ready.wait()
    for future in running:
        future.result()
    return sum(counts) / (time.perf_counter() - started)


async def async_sequential(call: AsyncCall) -> float:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < WINDOW:
        await call()
        count += 1
    return (time.perf_counter() - started) / count * 1e6


async def async_concurrent(call: AsyncCall) -> float:
    count, started = 0, time.perf_counter()
    deadline = started + WINDOW

    async def work() -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            await call()
            count += 1

    await asyncio.gather(*(work() for _ in range(IN_FLIGHT)))
    return count / (time.perf_counter() - started)


Row = tuple[str, str, bool, float, float | None]  # group, client, ours, µs/call, calls/s


def sync_group(
    group: str, cases: list[tuple[str, bool, Callable[[], Callable[[], None]], bool | None]]
) -> list[Row]:
    """Cases: (client, ours, make a call, share one client between threads; None: not measured
    concurrently)."""
    best_micros = {name: float("inf") for name, *_ in cases}
    best_rate = {name: 0.0 for name, *_ in cases}
    single = {name: make() for name, _, make, _ in cases}
    threaded = {
        name: [make()] * IN_FLIGHT if shared else [make() for _ in range(IN_FLIGHT)]
        for name, _, make, shared in cases
        if shared is not None
    }
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        for _ in range(ROUNDS + 1):  # the first round warms up
            for name, call in single.items():
                best_micros[name] = min(best_micros[name], sync_sequential(call))
            for name, calls in threaded.items():
                best_rate[name] = max(best_rate[name], sync_concurrent(calls, pool))
    return [
        (group, name, ours, best_micros[name], best_rate[name] if name in threaded else None)
        for name, ours, _, _ in cases
    ]


async def async_group(
    group: str, cases: list[tuple[str, bool, Callable[[int], Awaitable[AsyncCall]]]], port: int
) -> list[Row]:
    calls = {name: await make(port) for name, _, make in cases}
    best_micros = {name: float("inf") for name in calls}
    best_rate = {name: 0.0 for name in calls}
    for _ in range(ROUNDS + 1):
        for name, call in calls.items():
            best_micros[name] = min(best_micros[name], await async_sequential(call))
            best_rate[name] = max(best_rate[name], await async_concurrent(call))
    return [(group, name, ours, best_micros[name], best_rate[name]) for name, ours, _ in cases]


def sync_rows(port: int) -> list[Row]:
    http_cases = [
        ("raw socket (floor)", False, lambda: raw_socket(port), False),
        ("http.client", False, lambda: stdlib_http(port), False),
        ("httpx.Client", False, lambda: httpx_sync(port), True),
        ("OneBot", True, lambda: onebot_http(port), True),
    ]
    ws_cases: list[tuple[str, bool, Callable[[], Callable[[], None]], bool | None]] = [
        ("websockets.sync", False, lambda: websockets_sync(port), None),
        ("OneBot.websocket", True, lambda: onebot_ws(port), True),
    ]
    return sync_group("sync HTTP", http_cases) + sync_group("sync WebSocket", ws_cases)


async def async_rows(port: int) -> list[Row]:
    http_cases = [
        ("aiohttp", False, aiohttp_raw),
        ("httpx.AsyncClient", False, httpx_async),
        ("AsyncOneBot", True, onebot_async_http),
    ]
    ws_cases = [
        ("websockets + echo futures", False, websockets_futures),
        ("AsyncOneBot.websocket", True, onebot_async_ws),
    ]
    rows = await async_group("async HTTP", http_cases, port)
    rows += await async_group("async WebSocket", ws_cases, port)
    for close in CLOSE:
        await close()
    return rows


def report(rows: list[Row]) -> str:
    lines = []
    for group in dict.fromkeys(row[0] for row in rows):
        members = [row for row in rows if row[0] == group]
        baselines = [row for row in members if not row[2]]
        fastest = min(row[3] for row in baselines)
        rates = [row[4] for row in baselines if row[4] is not None]
        best = max(rates) if rates else None
        for _, name, ours, micros, rate in members:
            lines.append(
                [
                    group,
                    name + (" *" if ours else ""),
                    f"{micros:.0f}",
                    f"{micros / fastest:.2f}x",
                    "-" if rate is None else f"{rate:,.0f}",
                    "-" if rate is None or best is None else f"{rate / best:.2f}x",
                ]
            )
    header = [
        "transport",
        "client",
        "µs/call",
        "vs fastest",
        f"calls/s, {IN_FLIGHT} in flight",
        "vs best",
    ]
    title = (
        f"Client overhead: best {WINDOW}s window of {ROUNDS} rounds per case, taking turns "
        "(* = the generated client; ratios against the baselines of its group)"
    )
    return table(title, header, lines)


def main() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        rows = sync_rows(port) + asyncio.run(async_rows(port))
    finally:
        server.kill()
    print(report(rows))


if __name__ == "__main__":
    main()
