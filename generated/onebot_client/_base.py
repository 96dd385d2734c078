"""Base clients."""

from __future__ import annotations

from typing import Any

from ._types import Timeout


class SyncClient:
    def _call(self, action: str, params: dict[str, object], timeout: Timeout) -> Any:
        raise NotImplementedError


class AsyncClient:
    async def _call(self, action: str, params: dict[str, object], timeout: Timeout) -> Any:
        raise NotImplementedError
