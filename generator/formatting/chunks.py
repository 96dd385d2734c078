"""Black, a piece at a time: a module is cut into pieces (its functions and the methods of its
classes, a run of overloads together, its classes without methods such as the TypedDicts, its
long top-level assignments and imports, its ``if`` blocks of imports) and a skeleton holding
the rest, each formatted and cached on its own, then put back together. One edited action then
reformats its own method or TypedDict and the lines that list it, not its module.

The result is what black makes of the whole module: black lays out each line from that line
alone, and spaces lines from the kinds of the lines before them. The skeleton keeps every
piece's place as a short statement of the same kind (a function: a stub ``...`` or not, sync or
async, under the same decorators and blank lines; a class, an assignment, an import, an ``if``),
so black spaces it exactly as it spaces the real one; a run of overloads has a place like its
first function and an end like its last. Pieces alike that follow each other (one statement
each, of one kind, the same blank lines apart: an area's methods, a module's TypedDicts) share
a place, which holds the first and the next (``_next``): black spaces every two of them as it
spaces those two, and the skeleton stays the same when one is added. ``tests/test_golden.py``
checks the claim on every generated module (black --check), ``tests/test_chunks.py`` on odd
ones.
"""

from __future__ import annotations

import ast
import itertools
import re
import zlib
from dataclasses import dataclass
from typing import NamedTuple

from . import displays
from .source import LINE_LENGTH, python_lines

#: The name of the statement holding the N-th place in a skeleton.
_PLACE = "_onebot_gen_place_"
#: A line of a place: a function's (a stub's is one line), a class's, an ``if``'s (each two
#: lines: the next is ``pass``), an assignment's or an import's (one line). A place of a run of
#: overloads ends with a second function, named ``_end``; one of pieces alike, with a second
#: statement named ``_next`` (and, when they are runs of overloads, ``_next_end``).
_PLACE_LINE = re.compile(
    rf"^( *)(?:(?:async )?def |class |if |import )?{_PLACE}(?P<number>\d+)"
    rf"(?P<second>_end|_next_end|_next)?"
    rf"(?:\(\):(?: \.\.\.)?|:| = 0)?\n"
)
#: What a method is wrapped in to be formatted at its depth.
_WRAPPER = "class _:\n"

_Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Cut:
    """A module cut for formatting: the skeleton, each piece's text (a method wrapped in a
    class, so that black sees it at its depth), how many pieces each place of the skeleton
    holds, and which places hold the pieces of one long list."""

    skeleton: str
    pieces: tuple[str, ...]
    counts: tuple[int, ...]
    lists: frozenset[int] = frozenset()

    def join(self, skeleton: str, pieces: list[str]) -> str:
        """The formatted module from the formatted skeleton and pieces."""
        starts = list(itertools.accumulate(self.counts, initial=0))
        out = []
        lines = python_lines(skeleton)
        i = 0
        while i < len(lines):
            match = _PLACE_LINE.match(lines[i])
            if match is None:
                out.append(lines[i])
                i += 1
                continue
            number = int(match["number"])
            start, stop = starts[number], starts[number + 1]
            i += _height(match)
            if number in self.lists:
                out.append(displays.join(pieces[start:stop]))
                continue
            out.append(_unwrapped(pieces[start], match))
            i = _past(lines, i, "_end")  # the end of a run of overloads is in its piece
            then = _past(lines, i, "_next")
            if then != i:  # pieces alike: each two as black spaces the place's two
                between = "".join(lines[i : then - _height(match)])
                out += [between + _unwrapped(piece, match) for piece in pieces[start + 1 : stop]]
                i = _past(lines, then, "_next_end")
        return "".join(out)


def cut(source: str) -> Cut | None:
    """The module cut into its pieces and skeleton; None when it has no piece to cut or does
    not parse (black then formats it whole, and says what is wrong)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    starts = {node.lineno for node in tree.body}
    lines = python_lines(source)
    found: list[_Span] = []
    before: ast.stmt | None = None
    for node in tree.body:
        if isinstance(node, _Function):
            _add_function(found, before, node, 0, lines)
        elif isinstance(node, ast.ClassDef):
            member: ast.stmt | None = None
            for statement in node.body:
                if isinstance(statement, _Function):
                    _add_function(found, member, statement, 1, lines)
                member = statement
            if not any(isinstance(m, _Function) for m in node.body) and not node.decorator_list:
                found.append(_Span(node, node, 0))
        elif _alone(node, starts) and (_long(node) or _imports_if(node)):
            found.append(_Span(node, node, 0, items=displays.pieces(node, lines)))
        before = node
    if not found:
        return None
    pieces = tuple(piece for span in found for piece in span.items or (_text(span, lines),))
    places = _places(found, lines)
    for number, group in reversed(list(enumerate(places))):
        head, tail = group[0], group[-1]
        place = _place(number, head.first, head.depth)
        if head.last is not head.first:
            place += _place(number, head.last, head.depth, "_end")
        if len(group) > 1:
            place += "".join(_between(head, group[1], lines))
            place += _place(number, tail.first, tail.depth, "_next")
            if tail.last is not tail.first:
                place += _place(number, tail.last, tail.depth, "_next_end")
        lines[head.first.lineno - 1 : tail.last.end_lineno] = [place]
    counts = tuple(len(group[0].items or group) for group in places)
    lists = frozenset(n for n, group in enumerate(places) if group[0].items)
    return Cut("".join(lines), pieces, counts, lists)


def _text(span: _Span, lines: list[str]) -> str:
    text = "".join(lines[span.first.lineno - 1 : span.last.end_lineno])
    return _WRAPPER + text if span.depth else text


def _places(found: list[_Span], lines: list[str]) -> list[list[_Span]]:
    """The pieces grouped by place: pieces alike that follow each other share one (the same
    place, with the same lines between each two: blank ones, and the decorators of the next)."""
    places: list[list[_Span]] = []
    for span in found:
        group = places[-1] if places else []
        if group and _alike(group[-1], span):
            between = _between(group[-1], span, lines)
            first = between if len(group) == 1 else _between(group[0], group[1], lines)
            if between == first and all(
                line.isspace() or line.lstrip().startswith("@") for line in between
            ):
                group.append(span)
                continue
        places.append([span])
    return places


def _alike(before: _Span, span: _Span) -> bool:
    """Whether two pieces have the same place: statements of one kind, or runs of overloads
    whose first and last functions are each of one kind."""
    return (
        not before.items
        and not span.items
        and before.depth == span.depth
        and (before.first is before.last) == (span.first is span.last)
        and _place(0, before.first, before.depth) == _place(0, span.first, span.depth)
        and _place(0, before.last, before.depth) == _place(0, span.last, span.depth)
    )


def _between(before: _Span, span: _Span, lines: list[str]) -> list[str]:
    """The lines between two pieces (their statements' own decorators are not in a piece)."""
    return lines[before.last.end_lineno or 0 : span.first.lineno - 1]


def _past(lines: list[str], i: int, second: str) -> int:
    """Past the place's statement named ``second`` (``_end``, ``_next``, ``_next_end``) when,
    after blank lines and decorators, it comes at line ``i``; else ``i``."""
    end = i
    while end < len(lines) and (lines[end].isspace() or lines[end].lstrip().startswith("@")):
        end += 1
    match = _PLACE_LINE.match(lines[end]) if end < len(lines) else None
    return end + _height(match) if match and match["second"] == second else i


#: The most functions in one piece: a long run of overloads (the testing kit overloads a method
#: for each action) is cut into pieces, so that an added action reformats one of them.
RUN = 16
#: A run also ends after a function whose text hashes to a multiple of this: where runs end
#: then depends on the functions, not on how many come before, so an added overload changes its
#: own run only (cut every ``RUN``, an action added at the top changed every run after it).
ENDS = 8


class _Span(NamedTuple):
    """The statements of a piece: its first and last, their depth and how many they are; or a
    statement whose display is cut into pieces of a few items (``items``, see ``displays``)."""

    first: ast.stmt
    last: ast.stmt
    depth: int
    functions: int = 1
    items: tuple[str, ...] | None = None


def _add_function(
    found: list[_Span], before: ast.stmt | None, node: _Function, depth: int, lines: list[str]
) -> None:
    """A function is a piece together with the functions of its name right before it (its
    overloads, up to ``RUN``, see ``ENDS``): the skeleton then keeps one place for them all."""
    if found and found[-1].last is before and isinstance(before, _Function):
        span = found[-1]
        if before.name == node.name and span.functions < RUN and not _ends_run(before, lines):
            found[-1] = span._replace(last=node, functions=span.functions + 1)
            return
    found.append(_Span(node, node, depth))


def _ends_run(node: _Function, lines: list[str]) -> bool:
    text = "".join(lines[node.lineno - 1 : node.end_lineno])
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % ENDS == 0


def _alone(node: ast.stmt, starts: set[int]) -> bool:
    """Whether the statement has its lines to itself (no ``;`` before or after it)."""
    return node.col_offset == 0 and not any(
        line in starts for line in range(node.lineno + 1, (node.end_lineno or 0) + 1)
    )


def _long(node: ast.stmt) -> bool:
    """An assignment or an import written over several lines, or on one too long to stay so."""
    kinds = (ast.Assign, ast.AnnAssign, ast.ImportFrom)
    one_line = node.end_lineno == node.lineno and (node.end_col_offset or 0) <= LINE_LENGTH
    return isinstance(node, kinds) and not one_line


def _imports_if(node: ast.stmt) -> bool:
    """An ``if`` (``if TYPE_CHECKING:``) of imports only."""
    return (
        isinstance(node, ast.If)
        and not node.orelse
        and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in node.body)
    )


def _place(number: int, node: ast.stmt, depth: int, second: str = "") -> str:
    """A statement of the ``number``-th place in the skeleton, like ``node``, a statement of
    its pieces: their first, or (``second``) the last function of a run of overloads
    (``_end``), or the second of pieces alike (``_next``)."""
    name = f"{_PLACE}{number}{second}"
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return f"{name} = 0\n"
    if isinstance(node, ast.ImportFrom):
        return f"import {name}\n"
    if isinstance(node, (ast.ClassDef, ast.If)):
        keyword = "class" if isinstance(node, ast.ClassDef) else "if"
        return f"{keyword} {name}:\n    pass\n"
    assert isinstance(node, _Function)
    indent = "    " * depth
    head = f"{indent}{'async ' if isinstance(node, ast.AsyncFunctionDef) else ''}def {name}():"
    if _is_stub(node):
        return f"{head} ...\n"
    return f"{head}\n{indent}    pass\n"


def _is_stub(node: _Function) -> bool:
    """Whether the body is ``...`` alone (black keeps such a function on one line, and spaces
    it differently)."""
    first, *rest = node.body
    return (
        not rest
        and isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and first.value.value is Ellipsis
    )


def _height(place: re.Match[str]) -> int:
    """How many lines a place's statement takes: two when it opens a block (``pass``)."""
    return 2 if place.group(0).rstrip().endswith(":") else 1


def _unwrapped(piece: str, place: re.Match[str]) -> str:
    """A formatted piece as it goes in the module: a method (an indented place) unwrapped."""
    return piece.removeprefix(_WRAPPER).lstrip("\n") if place[1] else piece
