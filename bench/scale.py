"""Many accounts on one ``ReverseWebSocketServer``: connecting, memory, events delivered and lost,
delivery and call latency, calls crossing accounts, closing; against a bare websockets server
doing the same work in the same run.

Run: .venv/bin/python bench/scale.py [accounts] [events/s each] [seconds] [burst]
(default 1000 10 10 15). A NapCat stand-in in a process of its own opens one connection per
account, all at once, sends ``events/s`` group message events on each for ``seconds`` (each
stamped with its send time and a sequence number), then ``burst`` more on each at once, and
answers every call with its account's ``self_id``. The bot's handler calls ``get_status`` on
every 10th event of each account and checks that the answer is that account's. Latencies are
those of the steady events (the burst queues by design: it only has to arrive whole). ``--hung N``
makes the stand-in stop reading N connections before the server closes.

Two receivers take turns on the same load: the server, its handler registered with
``@server.on.group_message`` and run by ``run()``; and a bare websockets server that decodes each
message and runs the same handler in a task of its own (no calls: it has no client). The stand-in
reports what it sent; the receivers count what they handled.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import websockets.asyncio.server
import websockets.exceptions

from common import table
from onebot_client import AsyncOneBot, ReverseWebSocketServer
from onebot_client.models import GroupMessageEvent

ROOT = Path(__file__).resolve().parent.parent
EVENT = json.loads((ROOT / "tests" / "data" / "events" / "GroupMessageEvent.json").read_text())

# The NapCat stand-in. Prints "connected <seconds>" once every account is connected, then sends;
# prints "sent <count>" when done, and exits when stdin closes.
STAND_IN = """
import asyncio, json, random, sys, time
from websockets.asyncio.client import connect

URL, ACCOUNTS, RATE, SECONDS, BURST, HUNG = sys.argv[1], *map(int, sys.argv[2:7])
EVENT = json.loads(sys.argv[7])
connections = {}

async def answer(self_id, ws):
    try:
        async for message in ws:
            frame = json.loads(message)
            reply = {"status": "ok", "retcode": 0, "data": {"self_id": self_id}, "echo": frame["echo"]}
            await ws.send(json.dumps(reply))
    except Exception:
        pass

async def account(self_id):
    headers = {"X-Self-ID": str(self_id), "X-Client-Role": "Universal", "Authorization": "Bearer "}
    ws = await connect(URL, additional_headers=headers, compression=None, open_timeout=60)
    connections[self_id] = (ws, asyncio.create_task(answer(self_id, ws)))

def event(self_id, seq, burst=False):
    return json.dumps({**EVENT, "self_id": self_id, "seq": seq, "sent": time.time(), "burst": burst})

async def send(self_id, ws):
    seq = 0
    await asyncio.sleep(random.random() / RATE)
    ends = time.monotonic() + SECONDS
    while time.monotonic() < ends:
        await ws.send(event(self_id, seq))
        seq += 1
        await asyncio.sleep(1 / RATE)
    for _ in range(BURST):
        await ws.send(event(self_id, seq, True))
        seq += 1
    return seq

async def main():
    started = time.monotonic()
    await asyncio.gather(*(account(n) for n in range(1, ACCOUNTS + 1)))
    print("connected", time.monotonic() - started, flush=True)
    counts = await asyncio.gather(*(send(n, ws) for n, (ws, _) in connections.items()))
    for n, (ws, task) in list(connections.items())[:HUNG]:
        task.cancel()
        ws.transport.pause_reading()  # hung: it answers no close frame
    print("sent", sum(counts), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Tally:
    """What a receiver handled: count, delivery latency, calls and their latency, crossings."""

    def __init__(self) -> None:
        self.handled = 0
        self.delays: list[float] = []
        self.calls: list[float] = []
        self.crossed = 0
        self.seen: dict[int, int] = {}  # events per account

    def event(self, event: Any) -> bool:
        """Count ``event``; whether the handler should make a call for it."""
        if not event["burst"]:  # latency at the steady rate; the burst only has to arrive
            self.delays.append(time.time() - event["sent"])
        self.handled += 1
        n = self.seen[event["self_id"]] = self.seen.get(event["self_id"], 0) + 1
        return n % 10 == 0


class StandIn:
    def __init__(self, url: str, args: argparse.Namespace, hung: int) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                STAND_IN,
                url,
                *map(str, (args.accounts, args.rate, args.seconds, args.burst, hung)),
                json.dumps(EVENT),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    async def line(self, word: str) -> float:
        assert self.process.stdout is not None
        line = await asyncio.to_thread(self.process.stdout.readline)
        head, value = line.split()
        assert head == word, line
        return float(value)

    def end(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


async def settle(tally: Tally, sent: float) -> None:
    """Wait until every event sent is handled, or nothing more comes for 3 s."""
    last, quiet = -1, time.monotonic()
    while tally.handled < sent and time.monotonic() - quiet < 3:
        if tally.handled != last:
            last, quiet = tally.handled, time.monotonic()
        await asyncio.sleep(0.05)


async def through_server(args: argparse.Namespace) -> dict[str, Any]:
    tally = Tally()
    server = ReverseWebSocketServer(port=0, timeout=30)

    @server.on.group_message
    async def handler(bot: AsyncOneBot, event: GroupMessageEvent) -> None:
        if tally.event(event):
            started = time.monotonic()
            answer = await bot.get_status()
            tally.calls.append(time.monotonic() - started)
            tally.crossed += answer.get("self_id") != event["self_id"]  # type: ignore[comparison-overlap]

    await server.start()
    before, cpu_before = rss_mib(), cpu()
    running = asyncio.create_task(server.run())
    napcat = StandIn(server.url, args, args.hung)
    connected = await napcat.line("connected")
    memory = (rss_mib() - before) * 1024 / args.accounts
    started = time.monotonic()
    sent = await napcat.line("sent")
    await settle(tally, sent)
    took = time.monotonic() - started
    closing = time.monotonic()
    await server.close()
    await running
    closed = time.monotonic() - closing
    napcat.end()
    return figures(tally, sent, took, connected, memory, closed, cpu() - cpu_before)


async def bare(args: argparse.Namespace) -> dict[str, Any]:
    """The same load on a bare websockets server: each message decoded and handled in a task."""
    tally = Tally()
    tasks: set[asyncio.Task[None]] = set()

    async def handle(event: Any) -> None:
        tally.event(event)

    async def serve(connection: websockets.asyncio.server.ServerConnection) -> None:
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            async for message in connection:
                task = asyncio.create_task(handle(json.loads(message)))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

    server = await websockets.asyncio.server.serve(
        serve, "127.0.0.1", 0, compression=None, backlog=2048
    )
    port = server.sockets[0].getsockname()[1]
    before, cpu_before = rss_mib(), cpu()
    napcat = StandIn(f"ws://127.0.0.1:{port}/", args, args.hung)
    connected = await napcat.line("connected")
    memory = (rss_mib() - before) * 1024 / args.accounts
    started = time.monotonic()
    sent = await napcat.line("sent")
    await settle(tally, sent)
    took = time.monotonic() - started
    closing = time.monotonic()
    server.close()
    await server.wait_closed()
    closed = time.monotonic() - closing
    napcat.end()
    return figures(tally, sent, took, connected, memory, closed, cpu() - cpu_before)


def figures(
    tally: Tally,
    sent: float,
    took: float,
    connected: float,
    memory: float,
    closed: float,
    spent: float,
) -> dict[str, Any]:
    delays = sorted(tally.delays) or [0.0]
    calls = sorted(tally.calls) or [0.0]
    return {
        "connect s": connected,
        "KiB/conn": memory,
        "events/s": tally.handled / took,
        "lost": int(sent) - tally.handled,
        "p50 ms": statistics.median(delays) * 1000,
        "p99 ms": delays[int(len(delays) * 0.99)] * 1000,
        "call p99 ms": calls[int(len(calls) * 0.99)] * 1000,
        "crossed": tally.crossed,
        "close s": closed,
        "CPU µs/event": spent / max(tally.handled, 1) * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("accounts", type=int, nargs="?", default=1000)
    parser.add_argument("rate", type=int, nargs="?", default=10)
    parser.add_argument("seconds", type=int, nargs="?", default=10)
    parser.add_argument("burst", type=int, nargs="?", default=15)
    parser.add_argument("--hung", type=int, default=2, help="connections hung at close")
    parser.add_argument("--no-gc", action="store_true", help="run with the collector off")
    args = parser.parse_args()
    if args.no_gc:
        gc.disable()
    rows = []
    for name, case in (("ReverseWebSocketServer", through_server), ("bare websockets", bare)):
        result = asyncio.run(case(args))
        rows.append([name, *(f"{v:.2f}" if isinstance(v, float) else v for v in result.values())])
        header = ["receiver", *result]
    print(
        table(
            f"{args.accounts} accounts x {args.rate} events/s for {args.seconds} s, "
            f"then {args.burst} each at once",
            header,
            rows,
        )
    )


if __name__ == "__main__":
    main()
