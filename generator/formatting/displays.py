"""A long list, set or dict, or a long import, cut into pieces of a few items each, formatted
by black one at a time and put back together (see ``chunks``). The testing kit's ``ACTIONS``,
the models' ``__all__`` and the imports of the TypedDicts name every action: cut so, an added
action reformats the piece it lands in, not the whole list.

The result is what black makes of the whole statement: black lays out a display that does not
fit on one line (one of ``FEW`` items never does) or ends with a comma an item to a line,
between the line that opens it and the line that closes it, each item from itself alone. Each
piece is the statement with some of the items, ending with a comma, so black lays it out the
same way; the items' lines of each, in order, between the first's opening and closing lines,
are the whole. ``tests/test_chunks.py`` checks the claim.
"""

from __future__ import annotations

import ast
import zlib

from .source import LINE_LENGTH, python_lines

#: The most items in one piece. A piece also ends after an item whose text hashes to a
#: multiple of ``ENDS``, so where pieces end depends on the items, not on how many come before
#: (an added item changes its own piece only).
ITEMS = 32
ENDS = 16
#: Displays of fewer items stay whole. One of this many never fits on a line of 100 (even
#: ``x = [a, b, ...]`` takes 124 columns), so black lays out the whole an item to a line.
FEW = 40

_CLOSING = {"(": ")", "[": "]", "{": "}"}

_Located = ast.stmt | ast.expr | ast.alias


def pieces(node: ast.stmt, lines: list[str]) -> tuple[str, ...] | None:
    """The top-level statement ``node`` as pieces of a few items each, when it is an assignment
    of a list, set or dict display, an import, or an ``if`` of one import, of at least ``FEW``
    items, written without comments, whose line that opens the display fits; else None.
    ``lines``: the module's lines."""
    found = _parts(node, lines)
    if found is None:
        return None
    opening, items, indent = found
    if (
        len(items) < FEW
        or len(opening.rsplit("\n", 1)[-1]) > LINE_LENGTH  # black would split it too
        or any("#" in line for line in lines[node.lineno - 1 : node.end_lineno])
    ):
        return None
    runs: list[list[str]] = [[]]
    for item in items:
        runs[-1].append(item)
        if len(runs[-1]) == ITEMS or zlib.crc32(item.encode("utf-8", "surrogatepass")) % ENDS == 0:
            runs.append([])
    closing = indent + _CLOSING[opening[-1]] + "\n"
    return tuple(
        opening + "\n" + "".join(f"{indent}    {item},\n" for item in run) + closing
        for run in runs
        if run
    )


def join(formatted: list[str]) -> str:
    """The formatted statement from its formatted pieces."""
    parts = [_split(text) for text in formatted]
    first, _, last = parts[0]
    if any((opening, closing) != (first, last) for opening, _, closing in parts):
        raise RuntimeError(f"black laid out the pieces of a list differently: {formatted}")
    return first + "".join(items for _, items, _ in parts) + last


def _split(text: str) -> tuple[str, str, str]:
    """A formatted piece's lines: those that open it, its items', those that close it."""
    lines = python_lines(text)
    start = next(i for i, line in enumerate(lines) if line.rstrip()[-1:] in _CLOSING) + 1
    end = max(i for i, line in enumerate(lines) if line.lstrip()[:1] in _CLOSING.values())
    return "".join(lines[:start]), "".join(lines[start:end]), "".join(lines[end:])


def _parts(node: ast.stmt, lines: list[str]) -> tuple[str, list[str], str] | None:
    """The text that opens the statement's display (up to its bracket, on one line), the text
    of each item, and the indentation of the statement that holds them; None when the
    statement is not one whose items can be cut."""
    if isinstance(node, ast.If) and len(node.body) == 1 and node.test.end_lineno == node.lineno:
        (inner,) = node.body
        found = _parts(inner, lines) if inner.col_offset == 4 else None
        if found is None:
            return None
        opening, items, indent = found
        return f"{_source(lines, node, node.test)}:\n{opening}", items, indent
    if isinstance(node, ast.ImportFrom) and node.module is not None:
        indent = " " * node.col_offset
        opening = f"{indent}from {'.' * node.level}{node.module} import ("
        return opening, [_source(lines, a, a) for a in node.names], indent
    if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.col_offset:
        return None
    value = node.value
    if value is None or value.lineno != node.lineno or value.end_lineno != node.end_lineno:
        return None
    if isinstance(value, (ast.List, ast.Set)):
        items = [_source(lines, e, e) for e in value.elts]
    elif isinstance(value, ast.Dict) and all(k is not None for k in value.keys):
        items = [_source(lines, k, v) for k, v in zip(value.keys, value.values) if k is not None]
    else:
        return None
    whole, display = _source(lines, node, node), _source(lines, value, value)
    return whole[: len(whole) - len(display) + 1], items, ""


def _source(lines: list[str], first: _Located, last: _Located) -> str:
    """The source from the start of ``first`` to the end of ``last`` (AST offsets count UTF-8
    bytes)."""
    end_line = last.end_lineno or last.lineno
    text = "".join(lines[first.lineno - 1 : end_line]).encode("utf-8", "surrogatepass")
    end = len(text) - len(lines[end_line - 1].encode("utf-8", "surrogatepass"))
    end += last.end_col_offset or 0
    return text[first.col_offset : end].decode("utf-8", "surrogatepass")
