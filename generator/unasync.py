"""The blocking client made from the asyncio one: the runtime's ``_client_async.py`` is the one
source of the I/O both clients share, and the build writes ``_client_sync.py`` from it by
replacing words (as httpcore's ``unasync.py`` does): ``async def`` becomes ``def``, ``await `` goes,
each asyncio name becomes its blocking twin's.

A word is replaced only whole, never inside a longer name or word (``awaited``, ``AsyncHttpX``
stay); words in strings and comments are replaced too, so that docstrings follow. The result is
checked: a name of the asyncio world left in the code (a keyword, ``asyncio``, a name with no
rule) is an error, so that a name added to the source without its rule cannot slip through."""

from __future__ import annotations

import functools
import io
import re
import tokenize

#: The runtime module the blocking one is made from, and the module made.
MODULES = {"_client_async.py": "_client_sync.py"}

#: Each word of the asyncio source and what stands in its place in the blocking one: the one
#: table of the step. A name needs a rule when its blocking twin has another name.
RULES = {
    # the syntax
    "async def": "def",
    "async for": "for",
    "async with": "with",
    "await ": "",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "AsyncIterator": "Iterator",
    # the runtime's names
    "_AsyncClient": "_SyncClient",
    "AsyncOneBot": "OneBot",
    "AsyncHttp": "SyncHttp",
    "AsyncWebSocket": "SyncWebSocket",
    "_ws_async": "_ws_sync",
    "AsyncSse": "SyncSse",
    "AsyncHandlers": "Handlers",
}


def _word(word: str) -> str:
    """The pattern of ``word``, whole: no letter, digit or ``_`` just before it, nor just after a
    word that ends in one."""
    after = r"(?!\w)" if re.match(r"\w", word[-1]) else ""
    return rf"(?<!\w){re.escape(word)}{after}"


# Longest first, so that of two rules that match at one place the longer one wins.
_PATTERN = re.compile("|".join(_word(w) for w in sorted(RULES, key=len, reverse=True)))

#: The names that may not be left in the blocking code: the keywords, asyncio, and any name
#: that still says it is the asyncio flavour of something.
_LEFT = re.compile(r"async|await|asyncio|.*Async.*|.*_async(_.*)?")


def replace(source: str) -> str:
    """``source`` with each word of ``RULES`` replaced (unchecked: see ``unasync``)."""
    return _PATTERN.sub(lambda match: RULES[match.group()], source)


@functools.cache  # a build makes the runtime's, and reads its names (names.client_attributes)
def unasync(source: str) -> str:
    """The blocking twin of the asyncio module ``source``: each word of ``RULES`` replaced.

    Raises ValueError when the result still has a name of the asyncio world (see ``_LEFT``)."""
    text = replace(source)
    left = [
        f"line {token.start[0]}: {token.string}"
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.NAME and _LEFT.fullmatch(token.string)
    ]
    if left:
        raise ValueError(
            "unasync: names of the asyncio source with no rule in RULES: " + ", ".join(left)
        )
    return text
