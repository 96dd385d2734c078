"""Black, one function at a time: a module is cut into its functions (top-level ones and the
methods of top-level classes) and a skeleton holding the rest, each formatted and cached on its
own, then put back together. One edited action then reformats one method, not its module.

The result is what black makes of the whole module: black lays out each line from that line
alone, and spaces lines from the kinds of the lines before them. The skeleton keeps every
function's place as a one-line function of the same kind (a stub ``...`` or not, sync or
async, under the same decorators and blank lines), so black spaces it exactly as it spaces the
real one. ``tests/test_golden.py`` checks the claim on every generated module (black --check).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

#: The name of the function holding the place of the N-th one in a skeleton.
_PLACE = "_onebot_gen_place_{}"
_PLACE_LINE = re.compile(r"^( *)(async )?def _onebot_gen_place_(\d+)\(\):( \.\.\.)?\n")
#: What a method is wrapped in to be formatted at its depth.
_WRAPPER = "class _:\n"


@dataclass(frozen=True)
class Cut:
    """A module cut for formatting: the skeleton, then each function's text (a method wrapped
    in a class, so that black sees it at its depth)."""

    skeleton: str
    functions: tuple[str, ...]


def cut(source: str) -> Cut | None:
    """The module cut into its functions and skeleton; None when it has no function to cut or
    does not parse (black then formats it whole, and says what is wrong)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, int]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((node, 0))
        elif isinstance(node, ast.ClassDef):
            found += [
                (m, 1) for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
            ]
    if not found:
        return None
    lines = source.splitlines(keepends=True)
    functions = []
    for index, (node, depth) in reversed(list(enumerate(found))):
        assert node.end_lineno is not None
        text = "".join(lines[node.lineno - 1 : node.end_lineno])
        functions.append(_WRAPPER + text if depth else text)
        lines[node.lineno - 1 : node.end_lineno] = [_place(index, node, depth)]
    return Cut("".join(lines), tuple(reversed(functions)))


def _place(index: int, node: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> str:
    indent = "    " * depth
    head = f"{indent}{'async ' if isinstance(node, ast.AsyncFunctionDef) else ''}def "
    head += f"{_PLACE.format(index)}():"
    if _is_stub(node):
        return f"{head} ...\n"
    return f"{head}\n{indent}    pass\n"


def _is_stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the body is ``...`` alone (black keeps such a function on one line, and spaces
    it differently)."""
    first, *rest = node.body
    return (
        not rest
        and isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and first.value.value is Ellipsis
    )


def join(skeleton: str, functions: list[str]) -> str:
    """The formatted module from its formatted skeleton and functions."""
    out = []
    lines = skeleton.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        match = _PLACE_LINE.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        text = functions[int(match.group(3))]
        if match.group(1):  # a method: unwrap it
            text = text.removeprefix(_WRAPPER).lstrip("\n")
        out.append(text)
        i += 1 if match.group(4) else 2  # a stub place is one line, the others two
    return "".join(out)
