"""Long lines split, blank lines and plain strings made, the way black makes them, before
black runs.

Black formats its input a second time whenever its first pass changed it (to settle the
trailing commas that pass added), so input it would leave as it is costs one pass instead of
two. Measured on the 953 pieces of a cold build of the bundled spec: black alone took 11.2 s of
CPU, 143 pieces coming out as they went in; after ``laid_out``, 916 did, and black took 6.6 s
plus 0.9 s here (tokenizing), for the same output.

Only what black is known to do is done here; every other line is left for black, which has the
last word on every line either way:

- a line too long is split at its last bracket (a ``def`` at its first, an import by wrapping
  its names in parentheses); what is inside stays on one line when it fits (not for a list,
  dict, set or tuple display, nor an import, whose items black always puts one a line), else
  each item gets a line of its own and a trailing comma, and each such line is split the same
  way if it is still too long;
- blank lines: one after a class's one-line docstring, at most one inside a block and two at
  the top, none at the end;
- a string in single quotes that holds neither quote nor backslash gets double quotes.

A line black would split otherwise (at a subscript, an operator, an annotation it wraps in
parentheses), or that holds a comment or a backslash, is left alone, and so is every line of a
string over several lines. ``tests/test_layout.py`` checks that black makes the same of each
case, and of every piece of the fixture specs' modules, with and without this step.
"""

from __future__ import annotations

import io
import tokenize
from typing import NamedTuple

from .source import LINE_LENGTH, python_lines

_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")
#: Words after which a bracket opens a display (a list, a dict, ...), not a call or subscript.
_KEYWORDS = frozenset(
    "and as assert async await case del elif else except for from global if import in is"
    " lambda match nonlocal not or raise return while with yield".split()
)
#: The kinds of token of a line that may be split (not an f-string's parts, Python 3.12).
_SPLITTABLE = frozenset((tokenize.OP, tokenize.NAME, tokenize.STRING, tokenize.NUMBER))
_LAYOUT = frozenset(
    (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
)
#: From Python 3.12 an f-string is tokens, and a string inside it one of them: left as it is
#: (double quotes there need Python 3.12, and the client runs on 3.11).
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)


class _Token(NamedTuple):
    """A token of a line of code, placed by its columns in that code (indent stripped)."""

    kind: int
    text: str
    start: int
    end: int


def laid_out(source: str) -> str:
    """``source`` with its long lines split, its blank lines and plain strings as black makes
    them (see above); as it is when it does not tokenize."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source
    untouched: set[int] = set()  # rows of a token over several rows, a comment, an f-string
    by_row: dict[int, list[tokenize.TokenInfo]] = {}
    for token in tokens:
        row = token.start[0]
        if token.end[0] != row:
            untouched.update(range(row, token.end[0] + 1))
        elif token.type in (tokenize.COMMENT, _FSTRING_START):
            untouched.add(row)
        elif token.type not in _LAYOUT:
            by_row.setdefault(row, []).append(token)
    out: list[str] = []
    blanks: list[str] = []  # blank lines of code (not of a string) not yet put out
    docstring = False  # whether the last line of code was a class's one-line docstring
    opens = -1  # the indent of the last line of code when it began a class
    for row, line in enumerate(python_lines(source), 1):
        if row in untouched:
            out += blanks + [line]
            blanks, docstring, opens = [], False, -1
            continue
        code = line.strip(" \n")
        if not code:
            blanks.append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        out += _blank_lines(blanks, indent, docstring)
        docstring = indent > opens >= 0 and _docstring_line(code)
        opens = indent if code.startswith("class ") else -1
        blanks = []
        if len(line.rstrip("\n")) <= LINE_LENGTH and "'" not in line:
            out.append(line)  # neither too long nor quoted in single quotes
            continue
        row_tokens = [
            _Token(t.type, _quoted(t), t.start[1] - indent, t.end[1] - indent)
            for t in by_row.get(row, [])
        ]
        code = "".join(code[p.end : t.start] + t.text for p, t in _pairs(row_tokens))
        code += line.rstrip(" \n")[indent + (row_tokens[-1].end if row_tokens else 0) :]
        split = _split(" " * indent, code, row_tokens)
        out.append("\n".join(split or [" " * indent + code]) + line[len(line.rstrip("\n")) :])
    text = "".join(out)  # the blank lines at the end dropped, as black drops them
    return text if text.endswith("\n") or not text else text + "\n"


def _pairs(tokens: list[_Token]) -> list[tuple[_Token, _Token]]:
    """Each token with the one before it (a token ending at 0 before the first)."""
    return list(zip([_Token(0, "", 0, 0), *tokens], tokens))


def _quoted(token: tokenize.TokenInfo) -> str:
    """A string in single quotes that holds neither quote nor backslash, in double quotes."""
    text = token.string
    body = text[1:-1]
    plain = token.type == tokenize.STRING and text[0] == "'" and text[:3] != "'''"
    return f'"{body}"' if plain and not any(c in body for c in "'\"\\") else text


def _blank_lines(blanks: list[str], indent: int, after_docstring: bool) -> list[str]:
    """The blank lines black keeps before a line indented ``indent``: one after a class's
    docstring, at most one in a block, at most two at the top."""
    if after_docstring:
        return ["\n"]
    return blanks[: 1 if indent else 2]


def _docstring_line(code: str) -> bool:
    return len(code) >= 6 and code[:3] == code[-3:] == '"""' and '"""' not in code[3:-3]


def _split(indent: str, code: str, tokens: list[_Token]) -> list[str] | None:
    """The line (``indent`` then ``code``) as black lays it out, or None when that is not
    known here."""
    if len(indent + code) <= LINE_LENGTH:
        return [indent + code]
    if not tokens or any(t.kind not in _SPLITTABLE for t in tokens):
        return None
    words = [t.text for t in tokens]
    if words[0] == "from" and "import" in words and "(" not in words:
        at = words.index("import") + 1
        names = _items(code, tokens[at:])
        return _bracketed(indent, code[: tokens[at - 1].end] + " (", names, ")", always=True)
    partner = _partners(words)
    if words[0] == "def" or words[:2] == ["async", "def"]:
        opening = words.index("(") if "(" in words else None
    else:
        last = max((i for i, w in enumerate(words) if w in _CLOSING), default=None)
        if last is None or words[last + 1 :] not in ([], [","]):
            return None  # black's choice depends on what follows the brackets
        opening = partner.get(last)
    closing = None if opening is None else partner.get(opening)
    if opening is None or closing is None:
        return None
    before = tokens[opening - 1] if opening else None
    follows_value = before is not None and (
        before.text in (")", "]") or (before.kind == tokenize.NAME and before.text not in _KEYWORDS)
    )
    if words[opening] == "[" and follows_value:
        return None  # a subscript: black splits elsewhere, or wraps it in parentheses
    inside = tokens[opening + 1 : closing]
    if not inside or inside[-1].text == ",":
        return None  # nothing to split, or a trailing comma black decides from
    items = _items(code, inside)
    head, tail = code[: tokens[opening].end], code[tokens[closing].start :]
    if words[0] in ("def", "async") and len(items) == 1:
        items = [_with_comma(*items[0])]  # black adds one to a lone parameter
    display = not follows_value
    return _bracketed(indent, head, items, tail, always=display and len(items) > 1)


def _bracketed(
    indent: str, head: str, items: list[tuple[str, list[_Token]]], tail: str, always: bool
) -> list[str] | None:
    """``head``, the items, ``tail``: the items on one line under the head if they fit and
    need not be one a line (``always``), else one a line with trailing commas."""
    inner = indent + "    "
    if len(indent + head) > LINE_LENGTH or len(indent + tail) > LINE_LENGTH:
        return None
    body = ", ".join(text for text, _ in items)
    if not always and len(inner + body) <= LINE_LENGTH:
        return [indent + head, inner + body, indent + tail]
    if len(items) < 2 and not always:
        return None  # one long item: black splits it further in ways not known here
    lines = [indent + head]
    for item in items:
        split = _split(inner, *(item if item[0].endswith(",") else _with_comma(*item)))
        if split is None:
            return None
        lines += split
    return lines + [indent + tail]


def _items(code: str, tokens: list[_Token]) -> list[tuple[str, list[_Token]]]:
    """The code of ``tokens`` cut at its commas outside brackets: each item's text and tokens
    (placed in that text)."""
    items: list[list[_Token]] = [[]]
    depth = 0
    for token in tokens:
        depth -= token.text in _CLOSING
        if depth == 0 and token.text == ",":
            items.append([])
        else:
            items[-1].append(token)
        depth += token.text in _OPENING
    out = []
    for item in items:
        if item:
            start = item[0].start
            moved = [t._replace(start=t.start - start, end=t.end - start) for t in item]
            out.append((code[start : item[-1].end], moved))
    return out


def _with_comma(text: str, tokens: list[_Token]) -> tuple[str, list[_Token]]:
    return text + ",", [*tokens, _Token(tokenize.OP, ",", len(text), len(text) + 1)]


def _partners(words: list[str]) -> dict[int, int]:
    """Each bracket that is closed on the line, by its index, and the index of its partner."""
    partner, open_ = {}, []
    for i, word in enumerate(words):
        if word in _OPENING:
            open_.append(i)
        elif word in _CLOSING and open_:
            j = open_.pop()
            partner[i], partner[j] = j, i
    return partner
