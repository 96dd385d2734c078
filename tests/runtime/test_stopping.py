"""A bot run as a process stops cleanly on SIGINT (Ctrl-C) and SIGTERM: the handler under way
finishes, the connection is closed with a close frame, the process exits with status 0 and
prints no traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.onebot_server import OneBotServer

from .conftest import TOKEN
from .test_events import example

FORWARD = """
import asyncio, logging, sys, time
from onebot_client import AsyncOneBot, OneBot
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
KIND, URL, TOKEN = sys.argv[1:4]

if KIND == "async":
    bot = AsyncOneBot.websocket(URL, access_token=TOKEN)

    @bot.on.event
    async def slow(bot, event):
        print("handling", flush=True)
        await asyncio.sleep(1)
        await bot.call("echo_params", {"done": True})
        print("handled", flush=True)

    asyncio.run(bot.run())
else:
    bot = OneBot.websocket(URL, access_token=TOKEN)

    @bot.on.event
    def slow(bot, event):
        print("handling", flush=True)
        time.sleep(1)
        bot.call("echo_params", {"done": True})
        print("handled", flush=True)

    bot.run()
print("exited", flush=True)
"""


def start(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(process: subprocess.Popen[str], line: str) -> None:
    assert process.stdout is not None
    assert process.stdout.readline().strip() == line


@pytest.mark.parametrize("kind", ["async", "sync"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_forward_websocket_bot_stops_cleanly(
    kind: str, sig: signal.Signals, server: OneBotServer
) -> None:
    bot = start(FORWARD, kind, server.ws_url, TOKEN)
    try:
        server.wait_for(lambda: server.connected == 1, timeout=10)
        server.push_event(example("HeartbeatMetaEvent"))
        wait_for_line(bot, "handling")
        started = time.monotonic()
        bot.send_signal(sig)
        out, err = bot.communicate(timeout=10)
    finally:
        bot.kill()
    assert time.monotonic() - started < 3
    assert bot.returncode == 0, err
    assert out.split() == ["handled", "exited"]  # the handler under way finished, its call too
    assert "Traceback" not in err
    assert f"INFO {sig.name}: stopping" in err and "INFO stopped" in err
    assert server.calls("echo_params")[0].params == {"done": True}
    server.wait_for(lambda: server.close_codes == [1000])


REVERSE = """
import asyncio, logging, sys
from onebot_client import ReverseWebSocketServer
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
server = ReverseWebSocketServer(port=0, access_token=sys.argv[1])

@server.on.event
async def slow(bot, event):
    print("handling", flush=True)
    await asyncio.sleep(1)
    print("handled", flush=True)

async def main():
    await server.start()
    print(server.url, flush=True)
    await server.run()

asyncio.run(main())
print("exited", flush=True)
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_reverse_websocket_server_stops_cleanly(sig: signal.Signals) -> None:
    import asyncio

    from tests.napcat_peer import ReverseAccount

    bot = start(REVERSE, TOKEN)
    try:
        assert bot.stdout is not None
        url = bot.stdout.readline().strip()

        async def napcat() -> int | None:
            account = ReverseAccount(url, 10001, TOKEN)
            await account.connect()  # sends the lifecycle event: a handler starts
            line = await asyncio.to_thread(bot.stdout.readline)  # type: ignore[union-attr]
            assert line.strip() == "handling"
            bot.send_signal(sig)
            assert account.connection is not None
            await asyncio.wait_for(account.connection.wait_closed(), 5)
            return account.connection.close_code

        assert asyncio.run(napcat()) == 1000
        out, err = bot.communicate(timeout=10)
    finally:
        bot.kill()
    assert bot.returncode == 0, err
    assert out.split() == ["handled", "exited"]
    assert "Traceback" not in err and "INFO stopped" in err
