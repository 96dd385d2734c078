"""HTTP POST: NapCat posts each event to the bot (NapCat's ``httpClients``), on ``aiohttp``;
async only.

Each event is one ``POST`` with the event as its JSON body, ``X-Self-ID``, and with a secret
(NapCat's ``token``) ``X-Signature: sha1=<HMAC-SHA1 of the body, hex>``. NapCat waits for the
response and carries out the JSON object in its body as the event's quick operation (an empty
body: none). Calls go out through a separate HTTP client, to NapCat's HTTP server.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

from ._extras import require

require("async", "HttpPostServer")  # before aiohttp is imported: MissingExtra

from aiohttp import web

from ._envelope import MAX_REPLY_BYTES, NOT_JSON, as_object, encode
from ._events import FrameLog
from ._serving import BACKLOG, EventServer
from ._stopping import GRACE, AsyncStopping
from .client import AsyncOneBot
from .events import parse

#: NapCat's default HTTP POST address is ``http://localhost:8080``.
DEFAULT_PORT = 8080
#: The largest post taken, in bytes (HTTP 413 beyond; a declared length is refused before
#: anything is read): as large as any reply, above NapCat's 50 MB message limit.
MAX_POST_BYTES = MAX_REPLY_BYTES
#: Seconds a connection may take to send a request's headers (or stay idle between requests),
#: and a request its body (HTTP 408 beyond): NapCat sends each post at once.
HEADERS_TIMEOUT = 15.0
BODY_TIMEOUT = 30.0


def signature_refusal(
    secret: bytes | None, signature: str | None, body: bytes | None
) -> int | None:
    """Why a post's signature is refused (401 none, 403 a wrong one, as OneBot 11's example
    does), or None; with ``body`` None (not read yet), only a missing one. Compared in constant
    time."""
    if secret is None:
        return None
    if not signature:
        return 401
    if body is None:
        return None
    expected = "sha1=" + hmac.new(secret, body, hashlib.sha1).hexdigest()
    return None if hmac.compare_digest(signature.encode(), expected.encode()) else 403


class HttpPostServer(EventServer):
    """Receives the events NapCat posts; handlers' quick operations go back in the responses,
    and handlers call the API through ``api``, an HTTP client of NapCat's HTTP server. Async
    only.

        server = HttpPostServer(port=8080, secret="token",
                                api=AsyncOneBot("http://127.0.0.1:3000", access_token="token"))

        @server.on.private_message
        async def echo(bot: AsyncOneBot, event: PrivateMessageEvent) -> QuickOperation:
            return {"reply": plain_text(event)}

        asyncio.run(server.run())

    In NapCat's network settings add an HTTP client (``httpClients``) with ``url``
    ``http://<this host>:8080/`` and ``token`` the same secret.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        *,
        path: str = "/",
        secret: str | None = None,
        api: AsyncOneBot | None = None,
        reuse_port: bool = False,
    ) -> None:
        """Listen for NapCat's posts (started by ``async with``, ``start()``, ``run()`` or
        ``events()``).

        Args:
            host: The address to listen on (``0.0.0.0``: every interface).
            port: The port (0: a free one, set once started).
            path: The path NapCat's ``url`` names; posts elsewhere get HTTP 404.
            secret: The key of the posts' HMAC signature (NapCat's ``token``). A post without
                a signature gets HTTP 401, one with a wrong signature 403; neither is delivered.
            api: The client handlers get, for their calls (default: ``AsyncOneBot()``,
                ``http://127.0.0.1:3000`` without a token).
            reuse_port: Let other processes listen on the same port too (``SO_REUSEPORT``;
                Linux and the BSDs): the kernel spreads the connections over them (see
                connecting.md, "Many accounts").
        """
        super().__init__(host, port, path, reuse_port)
        self._secret = secret.encode() if secret else None
        self.api: AsyncOneBot = api if api is not None else AsyncOneBot()
        self._runner: web.AppRunner | None = None
        self._serving_handlers = False
        self._refusals = FrameLog("the HTTP POST server", None)

    @property
    def url(self) -> str:
        """The URL to give NapCat (``http://host:port/path``)."""
        return f"http://{self.host}:{self.port}{self.path}"

    async def _handle_events(self, stopping: AsyncStopping) -> None:
        # Each post's event goes to the handlers in its request (their quick operation is the
        # response); this only waits for close(). Meanwhile ``events()`` gets nothing.
        self._serving_handlers = True
        try:
            async for _ in self._pairs():
                pass
        finally:
            self._serving_handlers = False

    async def _listen(self) -> None:
        app = web.Application(client_max_size=MAX_POST_BYTES)
        app.router.add_post(self.path, self._post)
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            keepalive_timeout=HEADERS_TIMEOUT,
            shutdown_timeout=GRACE,  # for the handlers under way, in the posts' requests
        )
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, self.host, self.port, backlog=BACKLOG, reuse_port=self.reuse_port
        )
        await site.start()
        self.port: int = int(self._runner.addresses[0][1])

    def _refusal(self, request: web.Request, signature: str | None) -> web.Response | None:
        """The answer to a post refused before its body is read (a body is read only when it
        may be an event): no signature, not JSON, a declared length over the limit."""
        unsigned = signature_refusal(self._secret, signature, None)
        if unsigned is not None:
            return self._unsigned(unsigned)
        if request.content_type != "application/json":
            # NapCat posts JSON; so no browser form, cross-origin, can post an event.
            return web.Response(status=415, text="expected Content-Type: application/json\n")
        if (request.content_length or 0) > MAX_POST_BYTES:
            return web.Response(status=413, text=f"a post is at most {MAX_POST_BYTES} bytes\n")
        return None

    def _unsigned(self, status: int) -> web.Response:
        """The answer to a post whose signature is refused (logged once per kind)."""
        self._refusals.skip(
            "refused a post " + ("without a signature" if status == 401 else "wrongly signed")
        )
        return web.Response(status=status, text="signature verify failed\n")

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _post(self, request: web.Request) -> web.Response:
        signature = request.headers.get("X-Signature")
        refused = self._refusal(request, signature)
        if refused is not None:
            return refused
        try:
            async with asyncio.timeout(BODY_TIMEOUT):
                body = await request.read()  # at most MAX_POST_BYTES (client_max_size)
        except TimeoutError:
            late = web.Response(status=408, text=f"no whole body within {BODY_TIMEOUT} s\n")
            late.force_close()  # the rest of the body may still come: the connection ends
            return late
        unsigned = signature_refusal(self._secret, signature, body)
        if unsigned is not None:
            return self._unsigned(unsigned)
        try:
            frame = as_object(json.loads(body))
        except NOT_JSON:
            frame = None
        if frame is None:
            return web.Response(status=400, text="the body is not a JSON object\n")
        event = parse(frame)
        if event is None:
            return web.Response(status=204)  # not an event: nothing to do
        # As on every server: handlers under run(), events() otherwise.
        if not self._serving_handlers:
            await self._deliver(self.api, event)
            return web.Response(status=204)
        operation = await self.on.dispatch(self.api, event)
        if operation is None:
            return web.Response(status=204)
        return web.Response(text=encode(operation), content_type="application/json")
