"""The clients' shared machinery: connection, request, reply. The generated subclasses add one
typed method per action."""

from __future__ import annotations

import http.client
import json
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from ._envelope import request_body, unwrap
from ._types import NOT_GIVEN, NotGiven, Timeout
from .errors import AuthError, NetworkError, RequestTimeout, UnsupportedAction

if TYPE_CHECKING:
    import aiohttp

DEFAULT_URL = "http://127.0.0.1:3000"


class _Settings:
    """What both clients are configured with."""

    def __init__(self, base_url: str, access_token: str | None, timeout: float | None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"expected an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.parts = parts
        self.timeout = timeout
        self.headers = {"Content-Type": "application/json"}
        if access_token:
            self.headers["Authorization"] = f"Bearer {access_token}"

    def seconds(self, timeout: Timeout) -> float | None:
        return self.timeout if isinstance(timeout, NotGiven) else timeout

    def path(self, action: str) -> str:
        return f"{self.parts.path.rstrip('/')}/{action}"

    def check_status(self, action: str, status: int, body: bytes) -> None:
        if status in (401, 403):
            raise AuthError(f"{action}: HTTP {status}: the server refused the access token")
        if status == 404:
            raise UnsupportedAction(action, 1404, f"HTTP 404 for {self.path(action)}")
        if status >= 400:
            text = body[:200].decode("utf-8", errors="replace")
            raise NetworkError(f"{action}: HTTP {status}: {text!r}")


class _Client:
    """Construction and ``repr`` (which never shows the token), shared by both clients."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        access_token: str | None = None,
        timeout: float | None = 30.0,
    ) -> None:
        self._settings = _Settings(base_url, access_token, timeout)
        self._start()

    def _start(self) -> None:
        """Set up the transport's own state (nothing is connected yet)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._settings.base_url!r})"


class SyncClient(_Client):
    """A OneBot 11 client over HTTP: ``POST {base_url}/{action}`` with a JSON body, on one
    keep-alive connection (thread-safe)."""

    def _start(self) -> None:
        self._lock = threading.Lock()
        self._connection: http.client.HTTPConnection | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection; the next call opens a new one."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def call(
        self, action: str, params: dict[str, Any] | None = None, *, timeout: Timeout = NOT_GIVEN
    ) -> Any:
        """Call any action by its wire name, untyped: for actions the client does not have."""
        return self._call(action, dict(params or {}), timeout)

    def _call(self, action: str, params: dict[str, object], timeout: Timeout) -> Any:
        body = json.dumps(request_body(params), ensure_ascii=False).encode("utf-8")
        seconds = self._settings.seconds(timeout)
        with self._lock:
            try:
                status, raw = self._post(action, body, seconds)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed the kept-alive connection between calls: open it again, once.
                status, raw = self._post(action, body, seconds, retried=True)
        self._settings.check_status(action, status, raw)
        return unwrap(action, raw)

    def _post(
        self, action: str, body: bytes, seconds: float | None, retried: bool = False
    ) -> tuple[int, bytes]:
        connection = self._connect()
        connection.timeout = seconds
        if connection.sock is not None:
            connection.sock.settimeout(seconds)
        try:
            connection.request("POST", self._settings.path(action), body, self._settings.headers)
            response = connection.getresponse()
            return response.status, response.read()
        except TimeoutError:
            self._drop()
            raise RequestTimeout(f"{action}: no reply within {seconds} s") from None
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            self._drop()
            if not retried:
                raise
            raise NetworkError(f"{action}: connection lost: {exc}") from None
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            raise NetworkError(f"{action}: {exc}") from None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            parts = self._settings.parts
            kind = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            self._connection = kind(parts.hostname or "", parts.port)
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class AsyncClient(_Client):
    """A OneBot 11 client over HTTP for asyncio (aiohttp, imported on first use)."""

    def _start(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(
        self, action: str, params: dict[str, Any] | None = None, *, timeout: Timeout = NOT_GIVEN
    ) -> Any:
        """Call any action by its wire name, untyped: for actions the client does not have."""
        return await self._call(action, dict(params or {}), timeout)

    async def _call(self, action: str, params: dict[str, object], timeout: Timeout) -> Any:
        import aiohttp

        session = self._session
        if session is None:
            session = self._session = aiohttp.ClientSession(headers=self._settings.headers)
        seconds = self._settings.seconds(timeout)
        body = json.dumps(request_body(params), ensure_ascii=False).encode("utf-8")
        try:
            async with session.post(
                self._settings.base_url + "/" + action,
                data=body,
                timeout=aiohttp.ClientTimeout(total=seconds),
            ) as response:
                raw = await response.read()
                status = response.status
        except TimeoutError:
            raise RequestTimeout(f"{action}: no reply within {seconds} s") from None
        except aiohttp.ClientError as exc:
            raise NetworkError(f"{action}: {exc}") from None
        self._settings.check_status(action, status, raw)
        return unwrap(action, raw)
