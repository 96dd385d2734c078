"""Black, a piece at a time: a module is cut into its functions (top-level ones and the methods
of top-level classes), its classes without methods (the TypedDicts), and a skeleton holding the
rest, each formatted and cached on its own, then put back together. One edited action then
reformats one method or one TypedDict, not its module.

The result is what black makes of the whole module: black lays out each line from that line
alone, and spaces lines from the kinds of the lines before them. The skeleton keeps every
piece's place as a short definition of the same kind (a function: a stub ``...`` or not, sync or
async, under the same decorators and blank lines; a class: a class), so black spaces it exactly
as it spaces the real one. ``tests/test_golden.py`` checks the claim on every generated module
(black --check).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

#: The name of the definition holding the place of the N-th piece in a skeleton.
_PLACE = "_onebot_gen_place_"
_PLACE_LINE = re.compile(
    rf"^( *)(?:(?:async )?def {_PLACE}(\d+)\(\):( \.\.\.)?|class {_PLACE}(\d+):)\n"
)
#: What a method is wrapped in to be formatted at its depth.
_WRAPPER = "class _:\n"

_Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Cut:
    """A module cut for formatting: the skeleton, then each piece's text (a method wrapped in a
    class, so that black sees it at its depth)."""

    skeleton: str
    pieces: tuple[str, ...]


def cut(source: str) -> Cut | None:
    """The module cut into its pieces and skeleton; None when it has no piece to cut or does
    not parse (black then formats it whole, and says what is wrong)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found: list[tuple[_Function | ast.ClassDef, int]] = []
    for node in tree.body:
        if isinstance(node, _Function):
            found.append((node, 0))
        elif isinstance(node, ast.ClassDef):
            methods = [(m, 1) for m in node.body if isinstance(m, _Function)]
            found += methods or ([] if node.decorator_list else [(node, 0)])
    if not found:
        return None
    lines = source.splitlines(keepends=True)
    pieces = []
    for index, (node, depth) in reversed(list(enumerate(found))):
        assert node.end_lineno is not None
        text = "".join(lines[node.lineno - 1 : node.end_lineno])
        pieces.append(_WRAPPER + text if depth else text)
        lines[node.lineno - 1 : node.end_lineno] = [_place(index, node, depth)]
    return Cut("".join(lines), tuple(reversed(pieces)))


def _place(index: int, node: _Function | ast.ClassDef, depth: int) -> str:
    indent = "    " * depth
    if isinstance(node, ast.ClassDef):
        return f"class {_PLACE}{index}:\n    pass\n"
    head = f"{indent}{'async ' if isinstance(node, ast.AsyncFunctionDef) else ''}def "
    head += f"{_PLACE}{index}():"
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


def join(skeleton: str, pieces: list[str]) -> str:
    """The formatted module from its formatted skeleton and pieces."""
    out = []
    lines = skeleton.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        match = _PLACE_LINE.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        indent, function, stub, cls = match.groups()
        text = pieces[int(function or cls)]
        if indent:  # a method: unwrap it
            text = text.removeprefix(_WRAPPER).lstrip("\n")
        out.append(text)
        i += 1 if stub else 2  # a stub place is one line, the others two
    return "".join(out)
