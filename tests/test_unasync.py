"""The blocking client's I/O is made from the asyncio client's (``onebot_gen.unasync``)."""

from __future__ import annotations

import ast

import pytest

from onebot_gen import render
from onebot_gen.formatting.plan import black
from onebot_gen.unasync import MODULES, RULES, replace, unasync

from .goldens import GENERATED

SOURCE = "_client_async.py"
MADE = f"{render.PACKAGE}/{MODULES[SOURCE]}"


@pytest.mark.parametrize(
    ("source", "made"),
    [
        ("async def f(self) -> None:", "def f(self) -> None:"),
        ("        return await self._call(action)", "        return self._call(action)"),
        ("    async for event in events:", "    for event in events:"),
        ("    async with self._lock:", "    with self._lock:"),
        ("    async def __aenter__(self) -> Self:", "    def __enter__(self) -> Self:"),
        ("    await self.__aexit__(None, None, None)", "    self.__exit__(None, None, None)"),
        ("def f(e: AsyncIterator[Event]) -> None:", "def f(e: Iterator[Event]) -> None:"),
        ("from ._ws_async import AsyncWebSocket", "from ._ws_sync import SyncWebSocket"),
        ("from .events import AsyncHandlers", "from .events import Handlers"),
        ('require("x", "AsyncOneBot.websocket()")', 'require("x", "OneBot.websocket()")'),
        ("class _AsyncClient(_Client[AsyncHttp]):", "class _SyncClient(_Client[SyncHttp]):"),
        ("x: AsyncSse | AsyncWebSocket", "x: SyncSse | SyncWebSocket"),
        (
            '"""With ``async for`` or ``await bot.close()``."""',
            '"""With ``for`` or ``bot.close()``."""',
        ),
    ],
)
def test_each_rule_replaces_its_word(source: str, made: str) -> None:
    assert unasync(source) == made


@pytest.mark.parametrize(
    "line",
    [
        "awaited = self.awaiting_reply",  # a word that holds a rule's word is not it
        "self._await_reply(reply_awaitable)",
        'log.info("awaiting the reply, asynchronously")',
        '"""Everything here is blocking: no ``await``, no asyncio."""',
        "value = 'stays'  # sync, as it is",
    ],
)
def test_a_line_without_a_rule_word_stays_as_it_is(line: str) -> None:
    assert unasync(line) == line


def test_a_rule_word_inside_a_longer_name_stays() -> None:
    # (unasync would refuse these names: they still say they are asyncio's)
    line = "def _ws_async_free(self, x: MyAsyncIterator) -> AsyncHttpPool: ..."
    assert replace(line) == line
    assert replace("x.__aenter__y()") == "x.__aenter__y()"


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("import asyncio", "asyncio"),
        ("x = await(y)", "await"),  # no space: not the rule's word
        ("client = AsyncNewThing()", "AsyncNewThing"),
        ("from ._sse_async import reader", "_sse_async"),
    ],
)
def test_an_asyncio_name_with_no_rule_is_an_error(source: str, named: str) -> None:
    with pytest.raises(ValueError, match=f"line 1: {named}"):
        unasync(source)


def test_the_replacements_do_not_chain() -> None:
    """Each word is replaced once, by its own rule (the blocking words have no rules)."""
    made = set(RULES.values()) - {""}
    assert not made & RULES.keys()
    text = "async def __aenter__(self) -> AsyncIterator[AsyncHandlers]: await x"
    assert unasync(text) == unasync(unasync(text)) == "def __enter__(self) -> Iterator[Handlers]: x"


def test_the_package_has_the_blocking_module_made_from_the_source() -> None:
    source = render.TEMPLATES.joinpath("runtime", SOURCE).read_text("utf-8")
    made = render.runtime()[MADE]
    assert made == render.UNASYNC_HEADER.format(name=SOURCE) + unasync(source)
    assert (GENERATED / MADE).read_text("utf-8") == made
    # black would leave it as it is: so it need not be formatted in the build
    assert black(made) == made, "a line of the source needs wrapping that reads both ways"


def test_the_blocking_module_has_no_asyncio_left() -> None:
    tree = ast.parse(render.runtime()[MADE])
    asynchronous = (ast.Await, ast.AsyncFunctionDef, ast.AsyncFor, ast.AsyncWith)
    assert not [n for n in ast.walk(tree) if isinstance(n, asynchronous)]
    imported = {
        alias.name if isinstance(n, ast.Import) else n.module or ""
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for alias in n.names
    }
    assert not {m for m in imported if "asyncio" in m or "async" in m}


def test_both_clients_have_the_same_methods() -> None:
    """The blocking twin defines each method of the source, by its blocking name."""

    def methods(text: str) -> list[str]:
        (cls,) = (n for n in ast.parse(text).body if isinstance(n, ast.ClassDef))
        return [n.name for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]

    source = render.TEMPLATES.joinpath("runtime", SOURCE).read_text("utf-8")
    renamed = {"__aenter__": "__enter__", "__aexit__": "__exit__"}
    expected = [renamed.get(name, name) for name in methods(source)]
    assert methods(render.runtime()[MADE]) == expected
