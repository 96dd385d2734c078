"""The testing kit's fake over the wire, in each of NapCat's network modes (imported by
``FakeOneBot.serve()``, ``connect_reverse()`` and ``post_events()``; needs aiohttp):

- ``FakeServer``: NapCat's servers, for a bot that connects itself: HTTP ``POST /{action}``,
  the SSE event stream ``GET /_events`` and forward WebSocket, on one port.
- ``FakeNapCat``: NapCat's clients, for a bot that NapCat connects to: a reverse WebSocket to a
  ``ReverseWebSocketServer`` (``X-Self-ID``, ``X-Client-Role: Universal``, the token), or each
  event posted to an ``HttpPostServer`` (signed with the secret), its response's quick operation
  carried out as NapCat does, through ``.handle_quick_operation``.

Each runs an event loop on a thread of its own, so a test drives it from any thread or loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from aiohttp import WSMsgType, web

from ._envelope import NOT_JSON, as_object, encode
from ._testing import BAD_REQUEST, SERVER_ERROR, _envelope

if TYPE_CHECKING:
    import socket

    from ._fake_transports import Inbox
    from ._testing import Fake

T = TypeVar("T")
#: The quick operation's action, as NapCat carries it out.
QUICK_OPERATION = ".handle_quick_operation"


class _Thread:
    """An event loop on a thread of its own."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def end(self, last: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``last()`` on the loop, then stop it (nothing when it has ended already)."""
        if self.loop.is_closed():
            return
        self.run(last())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


async def _answer(fake: Fake, action: str, params: object) -> dict[str, Any]:
    """The fake's reply to a call over the wire, after its scripted delay."""
    try:
        reply, wait = fake.answer(action, params)
    except Exception as exc:  # a scripted function failed: the test hears of it on close()
        fake._failed(exc)
        reply, wait = _envelope(None, SERVER_ERROR, f"the fake's script failed: {exc}"), 0.0
    if wait:
        await asyncio.sleep(wait)
    return reply


async def _play(fake: Fake, socket: Any, inbox: Inbox) -> None:
    """Play NapCat on an open WebSocket (either side's aiohttp socket): the events injected
    into ``inbox`` (subscribed already) pushed, each call answered with its echo, until the
    socket closes."""
    sending = asyncio.Lock()

    async def send(value: object) -> None:
        async with sending:
            if not socket.closed:
                await socket.send_str(encode(value))

    async def push() -> None:
        while (frame := await inbox.get_async(True)) is not None:
            await send(frame)

    async def call(frame: dict[str, Any]) -> None:
        reply = await _answer(fake, str(frame.get("action")), frame.get("params", {}))
        await send({**reply, "echo": frame.get("echo")})

    tasks = {asyncio.create_task(push())}
    try:
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                frame = as_object(json.loads(message.data))
            except NOT_JSON:
                frame = None
            if frame is None:
                await send(_envelope(None, BAD_REQUEST, "the frame is not a JSON object"))
                continue
            task = asyncio.create_task(call(frame))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    finally:
        fake._unsubscribe(inbox)
        inbox.close()
        for task in tasks:
            task.cancel()


#: Seconds ``FakeServer.close()`` gives a request still being answered before it is cut (its
#: event streams are ended first, so only a scripted delay can last that long).
STOP_TIMEOUT = 1.0


class FakeServer:
    """A fake served over the wire on a thread of its own: HTTP ``POST /{action}``, the SSE event
    stream ``GET /_events`` and forward WebSocket on one port."""

    def __init__(self, fake: Fake, host: str, port: int, access_token: str | None) -> None:
        import socket

        self.fake = fake
        self.access_token = access_token
        self._sockets: set[web.WebSocketResponse] = set()
        self._streams: set[Inbox] = set()  # of the SSE streams being served
        listener = socket.create_server((host, port))
        self.host: str = listener.getsockname()[0]
        self.port: int = listener.getsockname()[1]
        self._thread = _Thread("onebot-fake-server")
        self._runner = self._thread.run(self._start(listener))

    async def _start(self, listener: socket.socket) -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/_events", self._events)
        app.router.add_route("*", "/{action:.*}", self._handle)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=STOP_TIMEOUT)
        await runner.setup()
        await web.SockSite(runner, listener).start()
        return runner

    @property
    def http_url(self) -> str:
        """The base URL for ``OneBot(...)`` / ``AsyncOneBot(...)`` (calls and SSE events)."""
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        """The URL for ``OneBot.websocket(...)`` / ``AsyncOneBot.websocket(...)``."""
        return f"ws://{self.host}:{self.port}"

    @property
    def connected(self) -> int:
        """How many WebSocket clients are connected."""
        return len(self._sockets)

    def close(self) -> None:
        """Close the connections and stop serving."""
        self._thread.end(self._stop)

    async def _stop(self) -> None:
        for inbox in list(self._streams):
            inbox.close()  # ends its stream: a client that went away is noticed only on a write
        for socket in list(self._sockets):
            await socket.close()
        await self._runner.cleanup()

    def _refused(self, request: web.Request) -> int | None:
        """401 without the token, 403 with a wrong one, None when it is right (or not asked)."""
        if not self.access_token:
            return None
        header = request.headers.get("Authorization", "")
        given = header.removeprefix("Bearer ").strip() or request.query.get("access_token")
        if not given:
            return 401
        return None if given == self.access_token else 403

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        refused = self._refused(request)
        if refused is not None:
            return web.Response(status=refused, text="access token refused")
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request)
        if request.method != "POST":
            return web.Response(status=405, text="POST /{action}")
        raw = await request.read()
        try:
            params = json.loads(raw) if raw.strip() else {}
        except NOT_JSON:
            return web.Response(status=400, text="the body is not JSON")
        reply = await _answer(self.fake, request.match_info["action"], params)
        return web.Response(text=encode(reply), content_type="application/json")

    async def _events(self, request: web.Request) -> web.StreamResponse:
        """NapCat's HTTP SSE stream: each injected event as ``data: <json>``."""
        refused = self._refused(request)
        if refused is not None:
            return web.Response(status=refused, text="access token refused")
        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await stream.prepare(request)
        inbox = self.fake._subscribe()
        self._streams.add(inbox)
        try:
            while (frame := await inbox.get_async(True)) is not None:
                await stream.write(f"data: {encode(frame)}\n\n".encode())
        finally:
            self._streams.discard(inbox)
            self.fake._unsubscribe(inbox)
            inbox.close()
        return stream

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.add(socket)
        try:
            await _play(self.fake, socket, self.fake._subscribe())
        finally:
            self._sockets.discard(socket)
        return socket


class FakeNapCat:
    """The fake playing NapCat's client side against a bot's server (see the note at the top);
    made by ``FakeOneBot.connect_reverse()`` and ``post_events()``. It connects in the
    background: ``connected`` says when it is (and raises what refused it)."""

    def __init__(self, fake: Fake) -> None:
        self.fake = fake
        self._thread = _Thread("onebot-fake-napcat")
        self._session: aiohttp.ClientSession | None = None
        self._task: concurrent.futures.Future[None] | None = None
        self._open = False
        self._error: BaseException | None = None

    @property
    def connected(self) -> bool:
        """Whether the connection is open (posting: whether it is ready to post); raises the
        error that ended it, e.g. the bot's server refusing the token."""
        if self._error is not None:
            raise self._error
        return self._open

    # Each subscribes to the injected events at once: those injected from now on are its.

    def reverse(self, url: str, headers: dict[str, str]) -> None:
        inbox = self.fake._subscribe()
        self._task = asyncio.run_coroutine_threadsafe(
            self._reverse(url, headers, inbox), self._thread.loop
        )

    def post(self, url: str, secret: str | None) -> None:
        inbox = self.fake._subscribe()
        self._task = asyncio.run_coroutine_threadsafe(
            self._post(url, secret, inbox), self._thread.loop
        )

    def close(self) -> None:
        """Close the connection (posting: stop)."""
        self._thread.end(self._stop)

    async def _stop(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _reverse(self, url: str, headers: dict[str, str], inbox: Inbox) -> None:
        self._session = aiohttp.ClientSession()
        try:
            socket = await self._session.ws_connect(url, headers=headers)
        except aiohttp.ClientError as exc:
            self._error = ConnectionError(f"the bot's server refused NapCat's connection: {exc}")
            self.fake._unsubscribe(inbox)
            return
        lifecycle = self.fake._event("LifecycleMetaEvent", {"sub_type": "connect"})
        await socket.send_str(encode(lifecycle))
        self._open = True
        try:
            await _play(self.fake, socket, inbox)
        finally:
            self._open = False

    async def _post(self, url: str, secret: str | None, inbox: Inbox) -> None:
        self._session = aiohttp.ClientSession()
        self._open = True
        try:
            while (frame := await inbox.get_async(True)) is not None:
                await self._post_one(url, secret, frame)
        except aiohttp.ClientError as exc:
            self._error = ConnectionError(f"posting to the bot failed: {exc}")
            self.fake._failed(self._error)
        finally:
            self._open = False
            self.fake._unsubscribe(inbox)
            inbox.close()

    async def _post_one(self, url: str, secret: str | None, frame: dict[str, Any]) -> None:
        """Post one event as NapCat does, and carry out its quick operation."""
        assert self._session is not None
        body = encode(frame).encode()
        headers = {"Content-Type": "application/json", "X-Self-ID": str(frame.get("self_id"))}
        if secret:
            digest = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
            headers["X-Signature"] = f"sha1={digest}"
        async with self._session.post(url, data=body, headers=headers) as response:
            answer = await response.read()
        if response.status >= 300:
            error = ConnectionError(f"the bot answered a post with HTTP {response.status}")
            self.fake._failed(error)
            return
        try:
            operation = as_object(json.loads(answer)) if answer.strip() else None
        except NOT_JSON:
            operation = None
        if operation is not None:
            await _answer(self.fake, QUICK_OPERATION, {"context": frame, "operation": operation})
