"""NapCat's side of the transports where NapCat connects to the bot, as NapCat's source does it
(packages/napcat-onebot/network/): its reverse WebSocket client and its HTTP POST client."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any

import aiohttp
from websockets.asyncio.client import ClientConnection, connect


def lifecycle(self_id: int) -> dict[str, Any]:
    """The event NapCat sends once a connection is open."""
    return {
        "time": 1700000000,
        "self_id": self_id,
        "post_type": "meta_event",
        "meta_event_type": "lifecycle",
        "sub_type": "connect",
    }


class ReverseAccount:
    """One account's reverse WebSocket (websocket-client.ts): the handshake headers, a lifecycle
    event once open, each call answered with its echo (``data``: the account, the action and
    its params), except the actions in ``hang``."""

    def __init__(self, url: str, self_id: int, token: str = "", role: str = "Universal") -> None:
        self.url = url
        self.self_id = self_id
        self.token = token
        self.role = role  # OneBot 11's other roles: API (calls only), Event (events only)
        self.hang: set[str] = set()
        self.calls: list[dict[str, Any]] = []
        self.connection: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None

    def headers(self) -> dict[str, str]:
        return {
            "X-Self-ID": str(self.self_id),
            "Authorization": f"Bearer {self.token}",
            "x-client-role": self.role,
            "User-Agent": "OneBot/11",
        }

    async def connect(self, url: str | None = None, **headers: str) -> None:
        self.connection = await connect(
            url or self.url,
            additional_headers={**self.headers(), **headers},
            max_size=50 * 1024 * 1024,
            compression=None,
            logger=logging.getLogger("napcat.peer"),  # apart from the client's own records
        )
        self._reader = asyncio.create_task(self._answer(self.connection))
        await self.send(lifecycle(self.self_id))

    async def send(self, event: dict[str, Any]) -> None:
        await self.send_raw(json.dumps(event))

    async def send_raw(self, text: str) -> None:
        assert self.connection is not None
        await self.connection.send(text)

    def drop(self) -> None:
        """End the connection without a closing handshake (NapCat's process dying)."""
        assert self.connection is not None
        self.connection.transport.abort()

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
        if self._reader is not None:
            await asyncio.wait([self._reader])

    async def _answer(self, connection: ClientConnection) -> None:
        async for message in connection:
            frame = json.loads(message)
            self.calls.append(frame)
            if frame["action"] in self.hang:
                continue
            data = {"self_id": self.self_id, "action": frame["action"], "params": frame["params"]}
            reply = {"status": "ok", "retcode": 0, "data": data, "echo": frame.get("echo")}
            await connection.send(json.dumps(reply))


def signature(secret: str, body: bytes) -> str:
    """NapCat's ``x-signature``: ``sha1=`` and the HMAC-SHA1 of the body, hex."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


async def post(
    session: aiohttp.ClientSession,
    url: str,
    event: Any,
    secret: str | None = None,
    *,
    self_id: int = 10001,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, str, bytes]:
    """Post an event as http-client.ts does (its JSON text signed); the response's status,
    content type and body."""
    raw = body if body is not None else json.dumps(event, ensure_ascii=False).encode()
    sent = {"Content-Type": "application/json", "x-self-id": str(self_id)}
    if secret:
        sent["x-signature"] = signature(secret, raw)
    async with session.post(url, data=raw, headers={**sent, **(headers or {})}) as response:
        return response.status, response.content_type, await response.read()
