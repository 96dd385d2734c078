"""What every formatting module knows of Python source: the line length and its lines."""

from __future__ import annotations

import io

#: Black's line length, the generated code's.
LINE_LENGTH = 100


def python_lines(source: str) -> list[str]:
    """The lines of ``source`` as Python numbers them, ends kept: split at ``\\n`` only
    (``str.splitlines`` also splits at ``\\f``, ``\\v`` and others, which a string may hold)."""
    return io.StringIO(source).readlines()
