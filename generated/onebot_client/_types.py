"""Sentinel for 'not given'."""

from __future__ import annotations

from typing import Final


class NotGiven:
    """Marks an argument the caller did not give (distinct from ``None``)."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
Timeout = float | None | NotGiven
