"""``NOT_GIVEN``: the marker of an argument the caller left out, and the ``Timeout`` type."""

from __future__ import annotations

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
