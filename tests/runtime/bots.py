"""Typed clients in exactly the shape the generator renders, so the runtime tests do not depend
on the generator's output."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict, cast

from onebot_client._clients import AsyncClient, SyncClient
from onebot_client._events import reply_params
from onebot_client._types import NOT_GIVEN, NotGiven, Timeout

if TYPE_CHECKING:

    class LoginInfo(TypedDict):
        user_id: int
        nickname: str


class Bot(SyncClient):
    def set_group_ban(
        self,
        group_id: int | str,
        user_id: int | str,
        *,
        duration: int | NotGiven = NOT_GIVEN,
        timeout: Timeout = NOT_GIVEN,
    ) -> None:
        """群组单人禁言"""
        self._call(
            "set_group_ban",
            {"group_id": group_id, "user_id": user_id, "duration": duration},
            timeout,
        )

    def get_login_info(self, *, timeout: Timeout = NOT_GIVEN) -> "LoginInfo":
        """获取登录号信息"""
        return cast("LoginInfo", self._call("get_login_info", {}, timeout))

    def reply(
        self,
        event: Mapping[str, Any],
        message: object,
        *,
        quote: bool = False,
        timeout: Timeout = NOT_GIVEN,
    ) -> Any:
        """Answer a message event where it came from: its group, or its private chat."""
        return self._call("send_msg", reply_params(event, message, quote), timeout)


class AsyncBot(AsyncClient):
    async def set_group_ban(
        self,
        group_id: int | str,
        user_id: int | str,
        *,
        duration: int | NotGiven = NOT_GIVEN,
        timeout: Timeout = NOT_GIVEN,
    ) -> None:
        """群组单人禁言"""
        await self._call(
            "set_group_ban",
            {"group_id": group_id, "user_id": user_id, "duration": duration},
            timeout,
        )

    async def get_login_info(self, *, timeout: Timeout = NOT_GIVEN) -> "LoginInfo":
        """获取登录号信息"""
        return cast("LoginInfo", await self._call("get_login_info", {}, timeout))

    async def reply(
        self,
        event: Mapping[str, Any],
        message: object,
        *,
        quote: bool = False,
        timeout: Timeout = NOT_GIVEN,
    ) -> Any:
        """Answer a message event where it came from: its group, or its private chat."""
        return await self._call("send_msg", reply_params(event, message, quote), timeout)
