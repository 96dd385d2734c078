"""Reconnecting the HTTP SSE event stream (``reconnect=True`` on an HTTP client), sync and async:
events go on, in order and once each, after the stream drops or ends and after the server is down
for a moment; a refused token and an HTTP error status are raised, not retried; ``close()`` ends
``events()`` at once, even between attempts; without ``reconnect`` a drop still raises."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from onebot_client import AuthError, NetworkError
from tests.onebot_server import OneBotServer

from .bots import AsyncBot, Bot
from .conftest import TOKEN, heartbeat

KINDS = ["sync", "async"]
#: What the client logs before each attempt to open the stream again.
REOPENING = "opening the event stream again"


class Listener:
    """A new HTTP client whose ``events()`` is read on a thread of its own (an async client's on
    an event loop there): the events that came, and what ``events()`` ended with."""

    def __init__(self, kind: str, server: OneBotServer, **options: Any) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop() if kind == "async" else None
        cls = AsyncBot if kind == "async" else Bot
        self.bot: Any = cls(server.http_url, access_token=TOKEN, timeout=5, **options)
        self.got: list[Any] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            if self.loop is not None:
                self.loop.run_until_complete(self._read_async())
            else:
                for event in self.bot.events():
                    self.got.append(event)
        except BaseException as exc:
            self.error = exc

    async def _read_async(self) -> None:
        async for event in self.bot.events():
            self.got.append(event)

    def receive(self, *numbers: int) -> None:
        """Push these events once a stream is open, and wait until they have come."""
        self.server.wait_for(lambda: self.server.streams == 1)
        expected = len(self.got) + len(numbers)
        for n in numbers:
            self.server.push_event(heartbeat(n))
        self.server.wait_for(lambda: len(self.got) >= expected or self.error is not None)

    def close(self) -> None:
        if self.loop is None:
            self.bot.close()
        elif not self.loop.is_closed():
            asyncio.run_coroutine_threadsafe(self.bot.close(), self.loop).result(5)

    def ended(self, within: float = 5.0) -> BaseException | None:
        """Wait for ``events()`` to end; what it raised (None: it returned)."""
        self.thread.join(within)
        assert not self.thread.is_alive(), "events() did not end"
        if self.loop is not None:
            self.loop.close()
        return self.error


@pytest.fixture
def listen(server: OneBotServer) -> Iterator[Callable[..., Listener]]:
    """Makes listeners (closed after the test): ``listen("sync", reconnect=True)``."""
    made: list[Listener] = []

    def make(kind: str, **options: Any) -> Listener:
        made.append(Listener(kind, server, **options))
        return made[-1]

    yield make
    for listener in made:
        if listener.thread.is_alive():
            listener.close()
            listener.ended()


@pytest.fixture
def reopenings(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """The messages the client logged before its attempts to open the stream again."""
    caplog.set_level(logging.INFO, logger="onebot_client")
    return lambda: [r.getMessage() for r in list(caplog.records) if REOPENING in r.getMessage()]


@pytest.mark.parametrize("how", ["drop", "end"])
@pytest.mark.parametrize("kind", KINDS)
def test_events_go_on_after_the_stream_drops_or_ends(
    kind: str, how: str, server: OneBotServer, listen: Callable[..., Listener]
) -> None:
    listener = listen(kind, reconnect=True, max_backoff=0.05)
    for i in range(3):
        listener.receive(2 * i + 1, 2 * i + 2)
        server.drop() if how == "drop" else server.end_streams()
    listener.receive(7)
    listener.close()
    assert listener.ended() is None
    assert listener.got == [heartbeat(n) for n in range(1, 8)]  # in order, each once
    assert len(server.handshakes) == 4
    assert all(h["Authorization"] == f"Bearer {TOKEN}" for h in server.handshakes)


@pytest.mark.parametrize("kind", KINDS)
def test_events_come_again_once_the_server_is_back(
    kind: str,
    server: OneBotServer,
    listen: Callable[..., Listener],
    reopenings: Callable[[], list[str]],
) -> None:
    listener = listen(kind, reconnect=True, max_backoff=0.05)
    listener.receive(1)
    server.stop_listening()
    server.wait_for(lambda: len(reopenings()) >= 3)  # at once, then two failed attempts
    server.push_event(heartbeat(2))  # no stream is open: lost
    server.listen_again()
    listener.receive(3)
    assert listener.error is None
    assert listener.got == [heartbeat(1), heartbeat(3)]
    first, *then = reopenings()
    assert "in 0 s: events(): the event stream from" in first  # at once after the drop
    assert then and all("in 0.05 s: events()" in m for m in then), then  # then max_backoff


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_that_closes_each_stream_at_once_is_tried_ever_more_slowly(
    kind: str,
    server: OneBotServer,
    listen: Callable[..., Listener],
    reopenings: Callable[[], list[str]],
    first_backoff: Callable[[float], None],
) -> None:
    first_backoff(0.01)
    listener = listen(kind, reconnect=True, max_backoff=0.08)
    listener.receive(1)
    server.close_at_once = True
    server.end_streams()
    server.wait_for(lambda: len(reopenings()) >= 5)
    waits = [m.split(" in ", 1)[1].split(" s: ", 1)[0] for m in reopenings()[:5]]
    assert waits == ["0", "0.01", "0.02", "0.04", "0.08"]  # doubling, not back to 0 each time


@pytest.mark.parametrize(
    ("status", "error", "match"),
    [
        (401, AuthError, "refused the access token \\(HTTP 401\\)"),
        (404, NetworkError, "has no event stream at /_events"),
        (503, NetworkError, "HTTP 503"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_an_http_error_status_is_raised_not_retried(
    kind: str,
    status: int,
    error: type[Exception],
    match: str,
    server: OneBotServer,
    listen: Callable[..., Listener],
) -> None:
    listener = listen(kind, reconnect=True, max_backoff=0.05)
    listener.receive(1)
    server.sse_status = status
    server.drop()
    with pytest.raises(error, match=match):
        raise listener.ended() or AssertionError("events() returned")
    assert len(server.handshakes) == 2  # the stream, and one attempt to open it again
    assert listener.got == [heartbeat(1)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_changed_token_is_an_auth_error_not_retried(
    kind: str, server: OneBotServer, listen: Callable[..., Listener]
) -> None:
    listener = listen(kind, reconnect=True, max_backoff=0.05)
    listener.receive(1)
    server.token = "changed"
    server.drop()
    with pytest.raises(AuthError, match="HTTP 403"):
        raise listener.ended() or AssertionError("events() returned")
    assert len(server.handshakes) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_close_ends_events_during_the_backoff(
    kind: str,
    server: OneBotServer,
    listen: Callable[..., Listener],
    reopenings: Callable[[], list[str]],
    first_backoff: Callable[[float], None],
) -> None:
    first_backoff(60.0)
    listener = listen(kind, reconnect=True, max_backoff=60.0)
    listener.receive(1)
    server.stop_listening()
    server.wait_for(lambda: any("in 60 s" in m for m in reopenings()))
    started = time.monotonic()
    listener.close()
    assert listener.ended() is None
    assert time.monotonic() - started < 1.0
    server.listen_again()
    time.sleep(0.05)
    assert len(server.handshakes) == 1  # no attempt after close()


@pytest.mark.parametrize("kind", KINDS)
def test_close_ends_an_open_stream_without_reopening_it(
    kind: str, server: OneBotServer, listen: Callable[..., Listener]
) -> None:
    listener = listen(kind, reconnect=True, max_backoff=0.05)
    listener.receive(1)
    listener.close()
    assert listener.ended() is None
    time.sleep(0.05)
    assert len(server.handshakes) == 1 and listener.got == [heartbeat(1)]


@pytest.mark.parametrize("how", ["drop", "end"])
@pytest.mark.parametrize("kind", KINDS)
def test_without_reconnect_a_drop_raises(
    kind: str, how: str, server: OneBotServer, listen: Callable[..., Listener]
) -> None:
    listener = listen(kind)
    listener.receive(1)
    server.drop() if how == "drop" else server.end_streams()
    message = "failed" if how == "drop" else "ended the event stream"
    with pytest.raises(NetworkError, match=f"events\\(\\): .*{message}"):
        raise listener.ended() or AssertionError("events() returned")
    assert len(server.handshakes) == 1 and listener.got == [heartbeat(1)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_not_up_yet_is_waited_for_with_reconnect(
    kind: str,
    server: OneBotServer,
    listen: Callable[..., Listener],
    reopenings: Callable[[], list[str]],
) -> None:
    """NapCat and the bot are often started together: the first attempt is retried too."""
    server.stop_listening()
    listener = listen(kind, reconnect=True, max_backoff=0.05)
    server.wait_for(lambda: len(reopenings()) >= 3)
    server.listen_again()
    listener.receive(1)
    assert listener.got == [heartbeat(1)] and listener.error is None


@pytest.mark.parametrize("kind", KINDS)
def test_a_first_attempt_that_fails_raises_without_reconnect(
    kind: str, server: OneBotServer, listen: Callable[..., Listener]
) -> None:
    server.stop_listening()
    listener = listen(kind)
    with pytest.raises(NetworkError, match="events\\(\\): the event stream .* failed"):
        raise listener.ended() or AssertionError("events() returned")
