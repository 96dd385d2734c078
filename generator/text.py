"""Text made safe for one place of the output: a docstring, a markdown table cell."""

from __future__ import annotations

import re


def docstring_text(text: str) -> str:
    """Text that reads the same inside a triple-quoted docstring."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    if text.replace("\n", "").isprintable():
        return text  # the common case, without a look at each character
    out = []
    for ch in text:
        out.append(
            ch if ch == "\n" or ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        )
    return "".join(out)


def table_cell(text: str, code: bool = False) -> str:
    """Text that stays inside one markdown table cell: prose, or (``code``) one code span.

    Every table cell of the docs goes through here. A ``|`` is escaped in both (GitHub's tables
    unescape it inside code spans too); prose keeps its line breaks as ``<br>`` and shows ``\\``,
    ``<`` and ``&`` as written; a code span cannot break lines, and is fenced by more backticks
    than the text holds in a row. The tests render cells with GitHub's own parser (cmark-gfm).
    """
    if code:
        text = " ".join(text.replace("|", "\\|").splitlines())
        fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        return f"{fence}{pad}{text}{pad}{fence}"
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(text.replace("&", "&amp;").replace("<", "&lt;").splitlines())
