"""Formatting a module a piece at a time gives what black gives for the whole module."""

from __future__ import annotations

import pytest

from onebot_gen.formatting import chunks, displays
from onebot_gen.formatting.plan import black

CASES = {
    "methods ending in every way": '''
class A:
    """Doc."""
    def a(self) -> int:
        return 1
    def b(self) -> None:
        pass
    def c(self) -> None:
        raise ValueError("x")



    def d(self) -> None:
        self.call("x", {"a": 1}, timeout)
    async def e(self) -> None:
        await self.f()
''',
    "overloads in a class, with and without blank lines": """
from typing import overload
class K:
    x = 1
    @overload
    def f(self, a: int) -> int: ...
    @overload
    def f(self, a: str) -> str: ...

    @overload
    def f(self, a: bytes) -> bytes: ...
    def f(self, a):
        return a
    y: int = 2
    def g(self): ...
""",
    "top-level functions and overloads": '''
import os
from typing import overload
X = 1
@overload
def f(a: int) -> int: ...
@overload
def f(a: str) -> str: ...
def f(a):
    """Doc."""
    return a
def g(): pass
Y = 2



def h(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: int, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb: int, cccccccccccccccccccccc: int) -> int:
    return aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
''',
    "decorators, comments, nested things": """
class A(B):
    # a comment above the first method
    @property
    def p(self) -> int:
        def inner() -> int:
            return 1
        return inner()
    @staticmethod
    @some.decorator(
        1,
        2,
    )
    def s() -> None:
        pass
    class Inner:
        def m(self): ...
    # a comment between methods

    def q(self) -> None:

        x = 1
        return None
class Empty:
    pass
class NoDoc:
    def first(self): return {'a':1,}
if TYPE_CHECKING:
    def hidden() -> None: ...
""",
    "assignments over several lines and if blocks of imports": '''
"""Doc."""
from __future__ import annotations
import os
if TYPE_CHECKING:
    from .models import (
        A,
        B
    )
    import json
__all__ = [
    "a", "b",
]
#: A table.
TABLE: dict[str, tuple[str, str | None]] = {
    "x": ("y", None),
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz": ("wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww", "vvvvvvvv"),
}
"""An attribute docstring."""
SHORT = 1
def f():
    pass
AFTER_DEF = [
    1, 2
]
class K:
    x = [
        1,
    ]
if os.name:
    import sys
else:
    import json
if TYPE_CHECKING:
    import typing
LAST = (
    1
)
''',
    "imports over several lines": """
\"\"\"Doc.\"\"\"
from .common import (
    A,
    B,
)
from .account import (C,
    D)
import os
from .x import y
from .long import aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccccc, dddddddddddddddd
__all__ = ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]
def f():
    pass
from .late import (
    E,
)
X = 1
""",
    "an if of imports between definitions": """
def f():
    return 1
if TYPE_CHECKING:
    from x import y



class A:
    pass
if TYPE_CHECKING:
    from x import z
X = [1,
  2]; Y = 3
Z = {
 1: 2}
""",
    "strings holding line breaks that only str.splitlines sees": (
        'class A(TypedDict):\n    """Form \x0c feed."""\n    a: str\n    """\x0c\x1c\x85\u2028"""\n'
        'X = [\n    "\x0b",\n]\ndef f():\n    return "\x0c"\n'
    ),
    "runs of overloads ending every way": """
from typing import overload
class P:
    @overload
    def a(self, x: int) -> int: ...
    @overload
    def a(self, x: str) -> str: ...
    def b(self): ...
    @overload
    async def c(self, x: int) -> int: ...
    @overload
    async def c(self, x: str) -> str: ...
    async def c(self, x):
        return x
    def c2(self): ...

    @overload
    def d(self) -> None: ...

    def d(self, x=1):
        pass
X = 1
@overload
def e(x: int) -> int: ...
@overload
def e(x: str) -> str: ...
Y = 2
def e2(): ...
def e2():
    return 1
""",
    "typed dicts, functional forms and aliases between them": '''
# Generated.
"""The models."""
from typing import Literal, NotRequired, TypeAlias, TypedDict
from onebot_client.models.common import Thing
class A(TypedDict):
    """A thing."""

    a: int
    """The a."""
    b: NotRequired[Literal["x", "y", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"]]
BBase = TypedDict("BBase", {"a-b": int, "c.d": NotRequired[str]})
class B(BBase):
    pass
AOrB: TypeAlias = A | B
"""Either."""
class Empty(TypedDict):
    ...
# a comment between classes
class C(TypedDict):
    x: Thing



@decorated
class D:
    y: int
class E(
    TypedDict
):
    z: list[A]
''',
}


CASES["pieces alike in runs, broken by gaps, decorators, comments and kinds"] = """
class A:
    def a(self) -> int:
        return 1

    def b(self) -> int:
        return 2

    def c(self) -> int:
        return 3


    def d(self) -> int:
        return 4
    def e(self) -> int:
        return 5
    @property
    def f(self) -> int:
        return 6
    def g(self) -> int:
        return 7
    # a comment
    def h(self) -> int:
        return 8
    async def i(self) -> int:
        return 9
    async def j(self) -> int:
        return 10
    def k(self): ...
    def l(self): ...

    def m(self): ...
class T1(TypedDict):
    x: int
class T2(TypedDict):
    y: int



class T3(TypedDict):
    z: int
X = [
    1,
]
Y = [
    2,
]
"""


NAMES = [f"Name{i}" for i in range(90)]
CASES["long lists, dicts and imports, cut by items"] = (
    f"from .models import {', '.join(NAMES)}\n"
    f"from .other import ({', '.join(NAMES[:45])})\n"
    "if TYPE_CHECKING:\n"
    f"    from .models import {', '.join(NAMES[::2])}\n"
    f"__all__ = {NAMES!r}\n"
    "ACTIONS: dict[str, tuple[str, str | None]] = {"
    + "".join(
        f'"action_{i}": ("méthode_{i}", {"None" if i % 3 else repr("x" * (40 + i))}),'
        for i in range(60)
    )
    + "}\n"
    + f"SETS = {{{', '.join(map(str, range(50)))}}}\n"
    + f"A_NAME_SO_LONG_{'X' * 80}: dict[str, int] = {{{', '.join(f'{n!r}: 1' for n in NAMES)}}}\n"
    + f"SHORT = {NAMES[:5]!r}\n"
    + "COMMENTED = [\n"
    + "".join(f"    {i},  # {i}\n" for i in range(50))
    + "]\n"
)


CASES["a run of overloads longer than a piece"] = (
    "from typing import overload\nclass K:\n"
    + "".join(
        f"    @overload\n    def f(self, x: Literal[{i}]) -> int: ...\n" + ("\n" if i % 3 else "")
        for i in range(2 * chunks.RUN + 5)
    )
    + "    def f(self, x):\n        return x\n    def g(self): ...\n"
)


@pytest.mark.parametrize("name", CASES)
def test_cut_formats_as_black_does(name: str) -> None:
    source = CASES[name].lstrip("\n")
    cut = chunks.cut(source)
    assert cut is not None
    joined = cut.join(black(cut.skeleton), [black(f) for f in cut.pieces])
    assert joined == black(source)


def test_modules_without_pieces_or_not_parsing_are_not_cut() -> None:
    assert chunks.cut("X = 1\nif X:\n    class A:\n        y = 2\n") is None
    assert chunks.cut("X = [1,\n 2]; Y = 3\nif X:\n    import y\nelse:\n    import z\n") is None
    assert chunks.cut("def f(:\n") is None


def test_an_added_overload_changes_its_own_run_only() -> None:
    def module(values: list[int]) -> str:
        overloads = "".join(
            f"    @overload\n    def f(self, x: Literal[{v}]) -> int: ...\n\n" for v in values
        )
        return f"class A:\n{overloads}    def f(self, x):\n        return x\n"

    values = list(range(0, 400, 2))
    before, after = chunks.cut(module(values)), chunks.cut(module([1, *values]))
    assert before is not None and after is not None
    assert len(before.pieces) > 400 // 2 // chunks.RUN + 1  # runs end by their text too
    assert len(set(after.pieces) - set(before.pieces)) == 1


def test_an_added_method_leaves_the_skeleton_as_it_was() -> None:
    def module(names: list[str]) -> str:
        methods = "".join(f"    def {n}(self) -> None:\n        pass\n\n" for n in names)
        return f"class A:\n    x = 1\n\n{methods}"

    before, after = chunks.cut(module(["a", "b", "c"])), chunks.cut(module(["a", "b", "z", "c"]))
    assert before is not None and after is not None
    assert after.skeleton == before.skeleton and after.counts == (4,)
    assert after.join(black(after.skeleton), [black(p) for p in after.pieces]) == black(
        module(["a", "b", "z", "c"])
    )


def test_an_added_item_changes_its_own_piece_only() -> None:
    def module(names: list[str]) -> str:
        return f"__all__ = {names!r}\n"

    names = [f"Name{i}" for i in range(300)]
    before, after = chunks.cut(module(names)), chunks.cut(
        module([*names[:150], "New", *names[150:]])
    )
    assert before is not None and after is not None
    assert after.skeleton == before.skeleton and len(before.pieces) > 300 // displays.ITEMS
    assert len(set(after.pieces) - set(before.pieces)) == 1
