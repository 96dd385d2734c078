# Copied from templates/runtime/_types.py by `onebot-gen build`. Do not edit: change it there.
"""``NOT_GIVEN``: the marker of an argument the caller left out; the ``Timeout`` type, and the
deadline a timeout sets for a whole call."""

from __future__ import annotations

import time
from typing import Final, TypeAlias


class NotGiven:
    """Marks an argument the caller did not give (distinct from ``None``, which can be a value).

    Falsy; ``NOT_GIVEN`` is its one instance.
    """

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

#: Seconds to wait for a reply: ``None`` waits forever, ``NOT_GIVEN`` uses the client's default.
Timeout: TypeAlias = float | None | NotGiven


def deadline(seconds: float | None) -> float | None:
    """When a call given ``seconds`` (None: no limit) from now must be over (``time.monotonic``)."""
    return None if seconds is None else time.monotonic() + seconds


def remaining(deadline: float | None) -> float | None:
    """Seconds left before ``deadline`` (None: no limit); ``TimeoutError`` when it has passed."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left
