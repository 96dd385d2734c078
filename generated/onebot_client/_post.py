# Copied from templates/runtime/_post.py by `onebot-gen build`. Do not edit: change it there.
"""HTTP POST: NapCat posts each event to the bot (NapCat's ``httpClients``), on ``aiohttp``;
async only.

Each event is one ``POST`` with the event as its JSON body, ``X-Self-ID``, and with a secret
(NapCat's ``token``) ``X-Signature: sha1=<HMAC-SHA1 of the body, hex>``. NapCat waits for the
response and carries out the JSON object in its body as the event's quick operation (an empty
body: none). Calls go out through a separate HTTP client, to NapCat's HTTP server.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from aiohttp import web

from ._envelope import as_object, encode
from ._serving import EventServer
from .client import AsyncOneBot
from .events import parse

#: NapCat's default HTTP POST address is ``http://localhost:8080``.
DEFAULT_PORT = 8080


def signature_refusal(secret: bytes | None, signature: str | None, body: bytes) -> int | None:
    """Why a post's signature is refused (401 none, 403 a wrong one, as OneBot 11's example
    does), or None. Compared in constant time."""
    if secret is None:
        return None
    if not signature:
        return 401
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
        """
        super().__init__(host, port, path)
        self._secret = secret.encode() if secret else None
        self.api: AsyncOneBot = api if api is not None else AsyncOneBot()
        self._runner: web.AppRunner | None = None
        self._serving_handlers = False

    @property
    def url(self) -> str:
        """The URL to give NapCat (``http://host:port/path``)."""
        return f"http://{self.host}:{self.port}{self.path}"

    async def _handle_events(self) -> None:
        # Each post's event goes to the handlers in its request (their quick operation is the
        # response); this only waits for close(). Meanwhile ``events()`` gets nothing.
        self._serving_handlers = True
        try:
            async for _ in self._pairs():
                pass
        finally:
            self._serving_handlers = False

    async def _listen(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)  # NapCat's messages: up to 50 MB
        app.router.add_post(self.path, self._post)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port: int = int(self._runner.addresses[0][1])

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.read()
        refused = signature_refusal(self._secret, request.headers.get("X-Signature"), body)
        if refused is not None:
            return web.Response(status=refused, text="signature verify failed\n")
        try:
            frame = as_object(json.loads(body))
        except ValueError:
            frame = None
        if frame is None:
            return web.Response(status=400, text="the body is not a JSON object\n")
        event = parse(frame)
        if event is None:
            return web.Response(status=204)  # not an event: nothing to do
        if self._handlers is not None:
            operation = await self._handlers.dispatch(self.api, event)
        else:
            operation = None
        if not self._serving_handlers:
            self._deliver(self.api, event)
        if operation is None:
            return web.Response(status=204)
        return web.Response(text=encode(operation), content_type="application/json")
