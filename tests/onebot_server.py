"""A OneBot 11 server stand-in for the client tests: HTTP, forward WebSocket and NapCat's HTTP
SSE event stream (``GET /_events``) on one free 127.0.0.1 port, run by aiohttp in a thread of
its own.

It records every request exactly (action, params, echo, headers, the raw frame or body), answers
with canned replies (``on(...)``: data, failures, garbage, HTTP errors, delays, dropped
connections, events sent before the reply), pushes events, drops sockets and streams, goes down
and comes back on the same port, and implements NapCat's stream actions well enough to round-trip
a file:

- ``upload_file_stream``: chunks kept by stream id, ``verify_only`` state, ``is_complete`` merges,
  checks the SHA-256 and writes the file under ``files``; replies shaped like NapCat's.
- ``download_file_stream`` (and the image / record variants): ``file_info``, ``file_chunk`` frames,
  then ``file_complete``, all with the request's echo (HTTP: the frames joined by CRLF CRLF).

Built-in test actions: ``echo_params`` (data = params), ``reorder`` (the same after a random
delay of up to 10 ms, so replies overtake each other), ``emit`` (sends ``params["events"]`` as
events, then replies).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiohttp import WSMsgType, web

#: Actions NapCat answers as streams (``"stream": "stream-action"`` on every frame).
STREAM_ACTIONS = frozenset(
    {
        "upload_file_stream",
        "download_file_stream",
        "download_file_image_stream",
        "download_file_record_stream",
    }
)
TOKEN_REFUSED = {"status": "failed", "retcode": 1403, "data": None, "message": "token验证失败"}


@dataclass
class Request:
    """One request as it came: over ``http`` (path, body) or ``ws`` (frame)."""

    transport: Literal["http", "ws"]
    action: str
    params: dict[str, Any]
    headers: dict[str, str]
    echo: Any = None
    frame: dict[str, Any] | None = None
    path: str = ""
    body: bytes = b""
    peer: str = ""  # the client's address and port: which connection carried the request


@dataclass
class Rule:
    """How to answer an action (the latest matching rule wins; ``times`` limits its uses)."""

    action: str
    data: Any = None
    status: str = "ok"
    retcode: int = 0
    message: str = ""
    wording: str = ""
    http_status: int = 200
    raw: str | bytes | None = None  # sent verbatim instead of the envelope
    frame: dict[str, Any] | None = None  # sent instead of the envelope (the echo added)
    delay: float = 0.0
    hang: bool = False  # never answer (WebSocket)
    drop: bool = False  # abort the connection instead of answering
    wire: bytes | None = None  # HTTP: written on the connection (then closed) instead of HTTP
    close_code: int | None = None  # close the WebSocket with this code instead of answering
    events: Sequence[dict[str, Any]] = ()  # sent before the answer (WebSocket)
    times: int | None = None
    when: Callable[[dict[str, Any]], bool] | None = None


class _Failure(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Upload:
    total: int
    filename: str
    sha256: str | None
    chunks: dict[int, bytes] = field(default_factory=dict)


class Loopback:
    """A server listening on ``port`` of 127.0.0.1, and its URLs."""

    port: int

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


class OneBotServer(Loopback):
    """The stand-in. ``with OneBotServer(files=tmp_path) as server: ...``"""

    def __init__(
        self,
        files: Path,
        *,
        token: str | None = None,
        ws_auth: Literal["handshake", "frame"] = "handshake",
    ) -> None:
        self.files = files
        self.token = token
        self.ws_auth = ws_auth
        self.refuse_handshakes = 0  # how many WebSocket handshakes to refuse with HTTP 503
        self.sse_status: int | None = None  # answer GET /_events with this status, no stream
        self.sse_content_type = "text/event-stream"
        #: Accept each WebSocket and event stream, then close it at once (a broken server).
        self.close_at_once = False
        self.requests: list[Request] = []
        self.handshakes: list[dict[str, str]] = []
        #: The close code of each WebSocket that ended (None: no closing handshake).
        self.close_codes: list[int | None] = []
        self.events_sent: list[dict[str, Any]] = []
        self.uploads: dict[str, _Upload] = {}
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self._sockets: set[tuple[web.WebSocketResponse, asyncio.Transport]] = set()
        self._http_connections: set[asyncio.Transport] = set()
        self._streams: set[tuple[web.StreamResponse, asyncio.Transport]] = set()
        self._loop: asyncio.AbstractEventLoop  # running in self._thread once entered
        self._thread: threading.Thread
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.port = 0

    # -- control, from the test's thread ---------------------------------------------------

    def __enter__(self) -> OneBotServer:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._run(self._start())
        return self

    def __exit__(self, *exc: object) -> None:
        self._run(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def on(self, action: str, data: Any = None, **how: Any) -> Rule:
        """Answer ``action`` as ``how`` says (see ``Rule``)."""
        rule = Rule(action, data, **how)
        with self._lock:
            self._rules.append(rule)
        return rule

    def push_event(self, event: dict[str, Any]) -> None:
        """Send an event to every connected WebSocket and SSE stream (as NapCat writes it)."""
        self._run(self._broadcast(event))

    def push_raw(self, text: str) -> None:
        """Send ``text`` as it is, one message, to every connected WebSocket."""
        self._run(self._send_raw(text))

    def push_sse(self, raw: bytes) -> None:
        """Write ``raw`` to every SSE stream."""
        self._run(self._write_streams(raw))

    @property
    def streams(self) -> int:
        """How many SSE streams are open."""
        return len(self._streams)

    def drop(self) -> None:
        """Abort every WebSocket connection (no closing handshake) and SSE stream."""
        self._run(self._drop())

    def end_streams(self) -> None:
        """End every SSE stream cleanly (the response's last chunk, then the connection)."""
        self._run(self._end_streams())

    def stop_listening(self) -> None:
        """Go down: drop every connection and refuse new ones (``listen_again()`` ends it)."""
        self._run(self._stop_listening())

    def listen_again(self) -> None:
        """Accept connections again, on the same port."""
        self._run(self._listen())

    def drop_http(self) -> None:
        """Abort every HTTP connection (as a server does with idle kept-alive ones)."""
        self._run(self._drop_http())

    def close_sockets(self, code: int, reason: str) -> None:
        """Close every WebSocket connection with a closing handshake."""
        self._run(self._close(code, reason))

    @property
    def connected(self) -> int:
        """How many WebSocket connections are open."""
        return len(self._sockets)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``condition()`` holds (polling); AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "the server did not see what the test expected"
            time.sleep(0.002)

    def calls(self, action: str) -> list[Request]:
        """The requests for ``action``, in order."""
        return [r for r in self.requests if r.action == action]

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    # -- the server, in its own thread ------------------------------------------------------

    async def _start(self) -> None:
        app = web.Application(client_max_size=1 << 30)
        app.router.add_post("/{action}", self._http)
        app.router.add_get("/_events", self._sse)
        app.router.add_get("/{tail:.*}", self._websocket)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1, access_log=None)
        await self._runner.setup()
        await self._listen()
        self.port = self._runner.addresses[0][1]

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await self._site.start()

    async def _stop_listening(self) -> None:
        assert self._site is not None
        await self._site.stop()
        await self._drop()
        await self._drop_http()

    async def _stop(self) -> None:
        await self._drop()
        await self._drop_http()
        assert self._runner is not None
        await self._runner.cleanup()

    def _authorized(self, request: web.Request) -> bool:
        if self.token is None:
            return True
        given = request.query.get("access_token") or request.headers.get(
            "Authorization", ""
        ).removeprefix("Bearer ")
        return given == self.token

    def _rule(self, action: str, params: dict[str, Any]) -> Rule | None:
        with self._lock:
            for rule in reversed(self._rules):
                if rule.action != action or (rule.when is not None and not rule.when(params)):
                    continue
                if rule.times is not None:
                    if rule.times == 0:
                        continue
                    rule.times -= 1
                return rule
        return None

    async def _http(self, request: web.Request) -> web.StreamResponse:
        action = request.match_info["action"]
        body = await request.read()
        try:
            params = json.loads(body) if body else {}
        except ValueError:
            return web.Response(status=400, text="Invalid JSON")
        assert request.transport is not None
        self._http_connections.add(request.transport)
        self.requests.append(
            Request(
                "http",
                action,
                params,
                dict(request.headers),
                path=request.path,
                body=body,
                peer=_peer(request),
            )
        )
        if not self._authorized(request):
            return web.Response(status=403, text=json.dumps({"message": "token verify failed!"}))
        rule = self._rule(action, params)
        if rule is None:
            frames = self._builtin(action, params, params.get("echo"), 200)
            return web.Response(text="\r\n\r\n".join(json.dumps(f) for f in frames))
        await asyncio.sleep(rule.delay)
        if rule.drop or rule.wire is not None:
            assert request.transport is not None
            request.transport.write(rule.wire or b"")
            request.transport.close()
            raise asyncio.CancelledError
        if rule.raw is not None:
            return web.Response(status=rule.http_status, body=_bytes(rule.raw))
        reply = rule.frame if rule.frame is not None else self._canned(rule, None)
        return web.Response(status=rule.http_status, text=json.dumps(reply))

    async def _sse(self, request: web.Request) -> web.StreamResponse:
        """NapCat's HTTP SSE server: its token check (403), headers, and then the events."""
        self.handshakes.append(dict(request.headers))
        if not self._authorized(request):
            return web.Response(status=403, text=json.dumps({"message": "token verify failed!"}))
        if self.sse_status is not None:
            return web.Response(status=self.sse_status, text="no stream")
        response = web.StreamResponse(
            headers={"Content-Type": self.sse_content_type, "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        if self.close_at_once:
            return response
        transport = request.transport
        assert transport is not None
        key = (response, transport)
        self._streams.add(key)
        try:
            while not transport.is_closing():
                await asyncio.sleep(0.01)
        finally:
            self._streams.discard(key)
        return response

    async def _write_streams(self, raw: bytes) -> None:
        for response, _ in list(self._streams):
            await response.write(raw)

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        self.handshakes.append(dict(request.headers))
        if self.refuse_handshakes:
            self.refuse_handshakes -= 1
            return web.Response(status=503, text="restarting")
        authorized = self._authorized(request)
        if not authorized and self.ws_auth == "handshake":
            return web.Response(status=401, text="token verify failed")
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        if self.close_at_once:
            await ws.close()
            return ws
        if not authorized:
            await ws.send_str(json.dumps({**TOKEN_REFUSED, "wording": "token验证失败"}))
            await ws.close()
            return ws
        assert request.transport is not None
        key = (ws, request.transport)
        self._sockets.add(key)
        tasks: set[asyncio.Task[None]] = set()
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._frame(ws, request, message.data, tasks)
        finally:
            self._sockets.discard(key)
            self.close_codes.append(ws.close_code)
        return ws

    async def _frame(
        self,
        ws: web.WebSocketResponse,
        request: web.Request,
        text: str,
        tasks: set[asyncio.Task[None]],
    ) -> None:
        try:
            frame = json.loads(text)
        except ValueError:
            await ws.send_str(json.dumps(_failed(None, 1400, "json解析失败", stream=False)))
            return
        action, params, echo = frame.get("action", ""), frame.get("params") or {}, frame.get("echo")
        self.requests.append(
            Request("ws", action, params, dict(request.headers), echo, frame, peer=_peer(request))
        )
        answer = self._answer(ws, action, params, echo)
        rule = self._rule(action, params)
        if rule is None and action != "reorder":
            await answer(None)
            return
        task = asyncio.create_task(answer(rule))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def _answer(
        self, ws: web.WebSocketResponse, action: str, params: dict[str, Any], echo: Any
    ) -> Callable[[Rule | None], Any]:
        async def answer(rule: Rule | None) -> None:
            if rule is None:
                if action == "reorder":
                    await asyncio.sleep(random.random() / 100)
                for reply in self._builtin(action, params, echo, 1200):
                    if "post_type" in reply:
                        self.events_sent.append(reply)
                    await ws.send_str(json.dumps(reply))
                return
            await asyncio.sleep(rule.delay)
            for event in rule.events:
                self.events_sent.append(event)
                await ws.send_str(json.dumps(event))
            if rule.hang:
                return
            if rule.drop:
                await self._drop()
            elif rule.close_code is not None:
                await ws.close(code=rule.close_code, message=b"going away")
            elif rule.raw is not None:
                await ws.send_str(rule.raw if isinstance(rule.raw, str) else rule.raw.decode())
            elif rule.frame is not None:
                await ws.send_str(json.dumps({**rule.frame, "echo": echo}))
            else:
                await ws.send_str(json.dumps(self._canned(rule, echo)))

        return answer

    def _canned(self, rule: Rule, echo: Any) -> dict[str, Any]:
        return {
            "status": rule.status,
            "retcode": rule.retcode,
            "data": rule.data,
            "message": rule.message,
            "wording": rule.wording,
            "echo": echo,
            "stream": "normal-action",
        }

    def _builtin(
        self, action: str, params: dict[str, Any], echo: Any, error_code: int
    ) -> Iterator[dict[str, Any]]:
        """The frames that answer a built-in action: envelopes with ``echo``, and events. A
        failure gets ``error_code`` (NapCat: 1200 over WebSocket, 200 over HTTP)."""
        stream = action in STREAM_ACTIONS
        if action in ("echo_params", "reorder"):
            yield _ok(params, echo, stream)
        elif action == "emit":
            yield from params.get("events", [])
            yield _ok(None, echo, stream)
        elif action == "upload_file_stream":
            try:
                data = self._upload(params)
            except _Failure as failure:
                yield _failed(echo, error_code, failure.message, stream)
            else:
                yield _ok(data, echo, stream)
        elif stream:
            try:
                for data in self._download(params):
                    yield _ok(data, echo, stream)
            except _Failure as failure:
                yield _failed(echo, error_code, failure.message, stream)
        else:
            yield _ok(None, echo, stream)

    def _upload(self, params: dict[str, Any]) -> dict[str, Any]:
        stream_id = params["stream_id"]
        upload = self.uploads.get(stream_id)
        if params.get("reset"):
            self.uploads.pop(stream_id, None)
            raise _Failure("Stream reset completed")
        if params.get("verify_only"):
            if upload is None:
                raise _Failure("Stream not found")
            return self._state(stream_id, upload, "file_created")
        if upload is None:
            if not params.get("total_chunks"):
                raise _Failure("total_chunks required for new stream")
            upload = self.uploads[stream_id] = _Upload(
                params["total_chunks"],
                params.get("filename") or f"upload_{stream_id}",
                params.get("expected_sha256"),
            )
        if params.get("chunk_data") and params.get("chunk_index") is not None:
            index = params["chunk_index"]
            if not 0 <= index < upload.total:
                raise _Failure(f"Invalid chunk index: {index}")
            if index in upload.chunks:
                return self._state(stream_id, upload, "file_created")
            upload.chunks[index] = base64.b64decode(params["chunk_data"])
            return self._state(stream_id, upload, "chunk_received")
        if params.get("is_complete") or len(upload.chunks) == upload.total:
            missing = [i for i in range(upload.total) if i not in upload.chunks]
            if missing:
                raise _Failure(f"Missing memory chunk {missing[0]}")
            content = b"".join(upload.chunks[i] for i in range(upload.total))
            sha256 = hashlib.sha256(content).hexdigest()
            if upload.sha256 and sha256 != upload.sha256:
                raise _Failure(f"SHA256 mismatch. Expected: {upload.sha256}, Got: {sha256}")
            path = self.files / upload.filename
            path.write_bytes(content)
            del self.uploads[stream_id]
            state = self._state(stream_id, upload, "file_complete")
            state.update(type="response", file_path=str(path), file_size=len(content))
            if upload.sha256:
                state["sha256"] = sha256
            return state
        return self._state(stream_id, upload, "file_created")

    @staticmethod
    def _state(stream_id: str, upload: _Upload, status: str) -> dict[str, Any]:
        return {
            "type": "stream",
            "stream_id": stream_id,
            "status": status,
            "received_chunks": len(upload.chunks),
            "total_chunks": upload.total,
        }

    def _download(self, params: dict[str, Any]) -> Iterator[Any]:
        name = params.get("file") or params.get("file_id") or ""
        path = self.files / Path(name).name
        if not name or not path.is_file():
            raise _Failure("Download failed: file not found")
        content = path.read_bytes()
        size = params.get("chunk_size") or 64 * 1024
        yield {
            "type": "stream",
            "data_type": "file_info",
            "file_name": path.name,
            "file_size": len(content),
            "chunk_size": size,
        }
        for index, start in enumerate(range(0, len(content), size)):
            chunk = content[start : start + size]
            data = base64.b64encode(chunk).decode()
            yield {
                "type": "stream",
                "data_type": "file_chunk",
                "index": index,
                "data": data,
                "size": len(chunk),
                "progress": round((start + len(chunk)) * 100 / len(content)),
                "base64_size": len(data),
            }
        yield {
            "type": "response",
            "data_type": "file_complete",
            "total_chunks": -(-len(content) // size),
            "total_bytes": len(content),
            "message": "Download completed",
        }

    async def _broadcast(self, event: dict[str, Any]) -> None:
        for ws, _ in list(self._sockets):
            self.events_sent.append(event)
            await ws.send_str(json.dumps(event))
        await self._write_streams(f"data: {json.dumps(event)}\n\n".encode())

    async def _send_raw(self, text: str) -> None:
        for ws, _ in list(self._sockets):
            await ws.send_str(text)

    async def _drop(self) -> None:
        for _, transport in [*self._sockets, *self._streams]:
            transport.abort()
        self._sockets.clear()
        self._streams.clear()

    async def _end_streams(self) -> None:
        for response, transport in list(self._streams):
            await response.write_eof()
            transport.close()
        self._streams.clear()

    async def _drop_http(self) -> None:
        for transport in list(self._http_connections):
            transport.abort()
        self._http_connections.clear()

    async def _close(self, code: int, reason: str) -> None:
        for ws, _ in list(self._sockets):
            await ws.close(code=code, message=reason.encode())


def _ok(data: Any, echo: Any, stream: bool) -> dict[str, Any]:
    return {
        "status": "ok",
        "retcode": 0,
        "data": data,
        "message": "",
        "wording": "",
        "echo": echo,
        "stream": "stream-action" if stream else "normal-action",
    }


def _failed(echo: Any, retcode: int, message: str, stream: bool) -> dict[str, Any]:
    return {
        "status": "failed",
        "retcode": retcode,
        "data": {"type": "error", "data_type": "error"} if stream else None,
        "message": message,
        "wording": message,
        "echo": echo,
        "stream": "stream-action" if stream else "normal-action",
    }


def _peer(request: web.Request) -> str:
    assert request.transport is not None
    return str(request.transport.get_extra_info("peername"))


def _bytes(raw: str | bytes) -> bytes:
    return raw.encode() if isinstance(raw, str) else raw
