"""Events per second delivered to a handler, over forward WebSocket, reverse WebSocket and HTTP
POST, against raw websockets / aiohttp loops doing the same work in the same run.

Run: .venv/bin/python bench/events.py  (make bench). A NapCat stand-in in a process of its own
(so that it does not share this one's GIL) sends the same group message event, as fast as it
can: over forward WebSocket it serves and pushes on each connection; over reverse WebSocket it
connects to the bot and pushes; over HTTP POST it posts each event (32 in flight, as NapCat
posts without waiting for earlier responses). Each receiver handles every event the same way:
the event decoded from JSON, its kind looked up and a handler called that reads ``group_id``.
The client's handlers run through ``run()`` (``@bot.on.group_message``), each in a task of its
own (a slow handler must not hold up the others). The baseline is a raw loop that does the same:
an ``async def`` handler started as a task per event, the tasks kept until done; a raw loop
that calls a plain handler inline is shown too, as the floor no dispatch reaches. The cases take
turns; the best of the rounds counts.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import websockets.asyncio.client
import websockets.asyncio.server
from aiohttp import web

from common import table
from onebot_client import AsyncOneBot, HttpPostServer, ReverseWebSocketServer
from onebot_client.models import GroupMessageEvent

ROOT = Path(__file__).resolve().parent.parent
EVENT = json.loads((ROOT / "tests" / "data" / "events" / "GroupMessageEvent.json").read_text())
COUNT = 20_000  # events per round
ROUNDS = 5

# The NapCat stand-in: a forward WebSocket server pushing COUNT events on each connection; on
# stdin "reverse <url>" connects and pushes, "post <url>" posts; "done" on stdout after each.
SENDER = """
import asyncio, json, sys
import aiohttp
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

TEXT = sys.argv[1]
COUNT = int(sys.argv[2])
HEADERS = {"X-Self-ID": "10001", "X-Client-Role": "Universal", "Authorization": "Bearer "}

async def push(connection):
    for _ in range(COUNT):
        await connection.send(TEXT)
    await connection.wait_closed()

async def post(url):
    body = TEXT.encode()
    headers = {"Content-Type": "application/json", "X-Self-ID": "10001"}
    left = iter(range(COUNT))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as session:
        async def worker():
            for _ in left:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
        await asyncio.gather(*(worker() for _ in range(32)))

async def main():
    server = await serve(push, "127.0.0.1", 0, compression=None, max_size=None)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        mode, url = line.split()
        if mode == "reverse":
            async with connect(url, additional_headers=HEADERS, compression=None) as ws:
                for _ in range(COUNT):
                    await ws.send(TEXT)
                await ws.wait_closed()
        else:
            await post(url)
        print("done", flush=True)

asyncio.run(main())
"""


class Counter:
    """Counts the events its handler gets; ``finished`` once it has them all."""

    def __init__(self) -> None:
        self.count = 0
        self.first = 0.0
        self.finished = asyncio.Event()
        self.groups = 0

    def handle(self, event: Any) -> None:
        if self.count == 0:
            self.first = time.perf_counter()
        self.groups += event["group_id"] != 0
        self.count += 1
        if self.count == COUNT:
            self.finished.set()

    def rate(self) -> float:
        return COUNT / (time.perf_counter() - self.first)


class Sender:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SENDER, json.dumps(EVENT), str(COUNT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.ws_url = f"ws://127.0.0.1:{self.process.stdout.readline().strip()}"

    async def send(self, mode: str, url: str) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{mode} {url}\n")
        self.process.stdin.flush()
        assert (await asyncio.to_thread(self.process.stdout.readline)).strip() == "done"


Case = Callable[[Sender, Counter], Awaitable[None]]
Handle = Callable[[Any], None]


def in_tasks(counter: Counter) -> Handle:
    """A raw loop's handler as a client runs one: an ``async def`` started as a task per event,
    kept (asyncio holds tasks weakly) until it is done."""
    running: set[asyncio.Task[None]] = set()

    async def handler(event: Any) -> None:
        counter.handle(event)

    def start(event: Any) -> None:
        task = asyncio.create_task(handler(event))
        running.add(task)
        task.add_done_callback(running.discard)

    return start


def inline(counter: Counter) -> Handle:
    return counter.handle


# -- forward WebSocket -----------------------------------------------------------------------


async def forward_client(sender: Sender, counter: Counter) -> None:
    bot = AsyncOneBot.websocket(sender.ws_url)

    @bot.on.group_message
    async def handler(bot: AsyncOneBot, event: GroupMessageEvent) -> None:
        counter.handle(event)

    running = asyncio.create_task(bot.run())
    await counter.finished.wait()
    await bot.close()
    await running


async def forward_raw(sender: Sender, counter: Counter, handle: Handle) -> None:
    handlers = {"message": handle}
    async with websockets.asyncio.client.connect(sender.ws_url, compression=None) as ws:
        for _ in range(COUNT):
            event = json.loads(await ws.recv())
            handlers[event["post_type"]](event)
        await counter.finished.wait()  # the handlers' tasks


# -- reverse WebSocket -----------------------------------------------------------------------


async def through_server(
    server: ReverseWebSocketServer | HttpPostServer, mode: str, sender: Sender, counter: Counter
) -> None:
    """Handle the events NapCat sends the server, with a handler registered on it."""

    @server.on.group_message
    async def handler(bot: AsyncOneBot, event: GroupMessageEvent) -> None:
        counter.handle(event)

    running = asyncio.create_task(server.run())
    await server.start()
    sending = asyncio.create_task(sender.send(mode, server.url))
    await counter.finished.wait()
    if mode == "post":
        await sending  # the last responses
    await server.close()  # (a reverse connection stays open until then)
    await asyncio.gather(running, sending)


async def reverse_client(sender: Sender, counter: Counter) -> None:
    await through_server(ReverseWebSocketServer(port=0), "reverse", sender, counter)


async def reverse_raw(sender: Sender, counter: Counter, handle: Handle) -> None:
    handlers = {"message": handle}

    async def serve(connection: websockets.asyncio.server.ServerConnection) -> None:
        for _ in range(COUNT):
            event = json.loads(await connection.recv())
            handlers[event["post_type"]](event)
        await counter.finished.wait()  # the handlers' tasks

    async with websockets.asyncio.server.serve(
        serve, "127.0.0.1", 0, compression=None, max_size=None
    ) as server:
        port = server.sockets[0].getsockname()[1]
        sending = asyncio.create_task(sender.send("reverse", f"ws://127.0.0.1:{port}/"))
        await counter.finished.wait()
    await sending


# -- HTTP POST -------------------------------------------------------------------------------


async def post_client(sender: Sender, counter: Counter) -> None:
    await through_server(HttpPostServer(port=0), "post", sender, counter)


async def post_raw(sender: Sender, counter: Counter, handle: Handle) -> None:
    handlers = {"message": handle}

    async def receive(request: web.Request) -> web.Response:
        event = json.loads(await request.read())
        handlers[event["post_type"]](event)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/", receive)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    await sender.send("post", f"http://127.0.0.1:{runner.addresses[0][1]}/")
    await counter.finished.wait()  # the handlers' tasks
    await runner.cleanup()


def raw(loop: Callable[[Sender, Counter, Handle], Awaitable[None]], handle: Any) -> Case:
    return lambda sender, counter: loop(sender, counter, handle(counter))


#: By transport: the client, the raw loop with a task per event, the raw loop calling inline.
CASES: dict[str, tuple[Case, Case, Case]] = {
    name: (client, raw(loop, in_tasks), raw(loop, inline))
    for name, client, loop in [
        ("forward WebSocket", forward_client, forward_raw),
        ("reverse WebSocket", reverse_client, reverse_raw),
        ("HTTP POST", post_client, post_raw),
    ]
}


async def main() -> None:
    sender = Sender()
    best: dict[tuple[str, int], float] = {}
    for _ in range(ROUNDS):
        for name, cases in CASES.items():
            for index, case in enumerate(cases):
                counter = Counter()
                await case(sender, counter)
                assert counter.count == COUNT and counter.groups == COUNT, counter.count
                key = (name, index)
                best[key] = max(best.get(key, 0.0), counter.rate())
    sender.process.kill()
    rows = [
        [
            name,
            f"{best[name, 0]:,.0f}",
            f"{best[name, 1]:,.0f}",
            f"{best[name, 0] / best[name, 1]:.2f}x",
            f"{best[name, 2]:,.0f}",
            f"{best[name, 0] / best[name, 2]:.2f}x",
        ]
        for name in CASES
    ]
    header = ["transport", "client events/s", "raw, task per event", "client vs it"]
    header += ["raw, inline", "client vs it"]
    print(
        table(f"Events delivered to a handler ({COUNT:,} a round, best of {ROUNDS})", header, rows)
    )


if __name__ == "__main__":
    asyncio.run(main())
